"""samkoer: privacy-preserving cross-sector matching for Danish municipalities.

A thin layer over the Rust core (``samkoer._samkoer``). Keys are read from key files; errors
are :class:`SamkoerError` subclasses with ``code``, ``rule``, ``file`` and ``line``, and never
show an input value.
"""

from . import _samkoer
from ._samkoer import (
    FileError,
    InputError,
    Match,
    OpenFailedError,
    RandomError,
    RunKey,
    SamkoerError,
    SealingKey,
    __version__,
    match_publications,
    parse_cpr,
    publish,
    read_publication,
    review,
)

__all__ = [
    "FileError",
    "InputError",
    "Match",
    "OpenFailedError",
    "RandomError",
    "RunKey",
    "SamkoerError",
    "SealingKey",
    "__version__",
    "match_publications",
    "parse_cpr",
    "pseudonymise",
    "pseudonymise_packed",
    "publish",
    "read_publication",
    "review",
    "statistics_frame",
]


def statistics_frame(match: Match):
    """The match's statistics as a pandas DataFrame (table, cell, value; suppressed = NA).

    Needs pandas; raises ImportError without it.
    """
    import pandas as pd

    rows = []
    for table in match.statistics["tables"]:
        cells = list(table["cells"])
        if table["total"] is not None:
            cells.append(table["total"])
        for cell in cells:
            rows.append({"table": table["name"], "cell": cell["label"], "value": cell["value"]})
    frame = pd.DataFrame(rows, columns=["table", "cell", "value"])
    frame["value"] = frame["value"].astype("Int64")
    return frame


def _column_text(cprs):
    """The column as one UTF-8 text, a number per line, or None if it cannot be joined so."""
    items = cprs.tolist() if hasattr(cprs, "tolist") else cprs
    if not isinstance(items, (list, tuple)):
        return None
    try:
        text = "\n".join(items)
    except TypeError:
        return None
    # A value holding a line break would shift the lines: leave such a column to the slow path.
    if text.count("\n") != max(len(items) - 1, 0):
        return None
    return text.encode("utf-8")


def pseudonymise(run_key: RunKey, cprs) -> "list[bytes]":
    """Pseudonymises a column of CPR numbers (a list, tuple, NumPy array or any iterable of
    str): a list of 32-byte ``bytes``, in order. The hashing runs without the GIL."""
    data = _column_text(cprs)
    if data is None:
        return _samkoer.pseudonymise(run_key, cprs)
    return _samkoer.pseudonymise_lines(run_key, data, packed=False)


def pseudonymise_packed(run_key: RunKey, cprs) -> bytes:
    """As :func:`pseudonymise`, but one ``bytes`` of 32 × n bytes (row i at 32 i), the fastest
    form (``numpy.frombuffer(result, dtype="V32")``)."""
    data = _column_text(cprs)
    if data is None:
        return _samkoer.pseudonymise_packed(run_key, cprs)
    return _samkoer.pseudonymise_lines(run_key, data, packed=True)
