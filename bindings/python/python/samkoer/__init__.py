"""samkoer: privacy-preserving cross-sector matching for Danish municipalities.

A thin layer over the Rust core (``samkoer._samkoer``). Keys are read from key files; errors
are :class:`SamkoerError` subclasses with ``code``, ``rule``, ``file`` and ``line``, and never
show an input value.
"""

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
    pseudonymise,
    pseudonymise_packed,
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
