"""samkoer: privacy-preserving cross-sector matching for Danish municipalities.

Every step of a selection run, named as the ``samkoer`` command's subcommands, over the Rust
core (``samkoer._samkoer``): each step reads its inputs, writes its outputs (atomically, with the
file mode the spec fixes, never over what it must not replace) and appends its entry to the
party's audit log when ``audit_log=`` names one. Keys are read from key files. Errors are
:class:`SamkoerError` subclasses with ``code``, ``rule``, ``form``, ``file``, ``line`` and
``remedy``, and never show an input value.

==================  =========================================================================
party               steps
==================  =========================================================================
key custodian       :func:`keygen.master`, :func:`keygen.run`
each sector         :func:`keygen.sealing`, :func:`publish`, :func:`check.ask`, :func:`check.read`, :func:`review`,
                    :func:`verdict`, :func:`consent.verify`, :func:`disclose`
central unit        :func:`match`, :func:`check.answer`, :func:`select`
consent registry    :func:`keygen.consent_registry`, :func:`keygen.subject`,
                    :func:`keygen.public`, :func:`consent.issue`, :func:`consent.withdraw`,
                    :func:`consent.state`
plan team           :func:`keygen.plan_team`, :func:`keygen.public`, :func:`open`
anyone              :func:`audit.verify`
==================  =========================================================================
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

from . import _samkoer
from ._convert import Path, column_items, column_text, lenient_text, seconds, table_bytes
from ._samkoer import (
    RULES,
    FileError,
    InputError,
    Match,
    OpenFailedError,
    RandomError,
    RunKey,
    SamkoerError,
    SealingKey,
    __version__,
    parse_cpr,
    read_publication,
)
from . import audit, check, consent, keygen  # noqa: E402  (the submodules use the names above)

__all__ = [
    "RULES",
    "FileError",
    "InputError",
    "Match",
    "OpenFailedError",
    "RandomError",
    "RunKey",
    "SamkoerError",
    "SealingKey",
    "WorkList",
    "__version__",
    "audit",
    "candidates_frame",
    "check",
    "consent",
    "disclose",
    "keygen",
    "match",
    "match_publications",
    "parse_cpr",
    "pseudonymise",
    "pseudonymise_packed",
    "publish",
    "read_publication",
    "review",
    "select",
    "statistics_frame",
    "verdict",
]


def publish(
    run_key: RunKey | Path,
    sealing_key: SealingKey | Path,
    export: Any,
    out: Path,
    *,
    columns: Optional[Sequence[str]] = None,
    report: Optional[Path] = None,
    relations: Any = None,
    mapping: Optional[Path] = None,
    catalogue: Optional[Path] = None,
    threads: Optional[int] = None,
    max_rejected: int = 5,
    allow_all_excluded: bool = False,
    audit_log: Optional[Path] = None,
) -> dict:
    """Publishes a sector's case-system export (spec §8.4) into ``out`` and its accounting
    report (``report``, default ``OUT.accounting.json``); returns the report. The reference
    date is the run key's (spec §4.5).

    A publish that would publish much less than it was given raises :class:`InputError` and
    writes nothing (spec §8.6): when more than ``max_rejected`` percent of the rows are
    rejected (rule ``rejected-limit``; 100 for no limit), or every row is excluded by one rule
    (``all-excluded``, unless ``allow_all_excluded``). Its message names the most frequent
    rules with their counts and, for status values not understood, the mapping lines to add.

    ``export`` (and ``relations``) is a CSV file, or the rows themselves: a pandas DataFrame, a
    pyarrow Table, or any iterable of mappings (or of sequences, with ``columns=``), as they come
    out of SQL Server or a data warehouse. Rows are numbered as the lines of the CSV they make:
    the header is line 1, the first row line 2. Every row is published, excluded by policy, or
    rejected with its line and rule — never its value.

    >>> report = samkoer.publish("run.key", "employment.key", frame, "employment.pub",
    ...                          audit_log="employment.audit.log")
    >>> report["export"]["rejected_lines"][:1]
    [{'line': 7, 'rule': 'cpr-date', 'code': 103}]
    """
    export, name = table_bytes(export, columns)
    if relations is not None:
        relations, _ = table_bytes(relations)
    return _samkoer.publish(
        run_key, sealing_key, export, out, export_name=name, report=report, relations=relations,
        mapping=mapping, catalogue=catalogue, threads=threads,
        max_rejected=max_rejected, allow_all_excluded=allow_all_excluded, audit_log=audit_log,
    )


def match(
    publications: Sequence[Path],
    *,
    matcher_key: Path,
    criteria: Path,
    out_dir: Path,
    catalogue: Optional[Path] = None,
    audit_log: Optional[Path] = None,
) -> Match:
    """Matches the sectors' publications of one run (spec §12) into the folder ``out_dir``:
    ``result.json``, ``statistics.json``, ``statistics.csv``, ``check-index`` and ``flags/SECTOR.flag``, never
    over an earlier match's (the verdicts refer to its candidate ids). The :class:`Match` stays
    in memory for data frames; its folder's check index answers one-citizen checks.

    The matcher's audit entries are signed with ``matcher_key`` (:func:`keygen.matcher`).

    >>> matched = samkoer.match(["employment.pub", "adult-social.pub"], matcher_key="matcher.key",
    ...                         criteria="criteria.toml", out_dir="match", audit_log="central.audit.log")
    >>> samkoer.statistics_frame(matched).head(1)
    """
    return _samkoer.match_publications(
        list(publications), matcher_key=matcher_key, criteria=criteria, out_dir=out_dir, catalogue=catalogue, audit_log=audit_log
    )


#: The old name of :func:`match`.
match_publications = match


class WorkList:
    """A sector's work list (spec §13.1): one row per service of each of its own candidates,
    with the CPR number — it stays in the sector. ``rows`` are dicts of the CSV's columns.

    >>> work_list = samkoer.review("employment.key", "match/flags/employment.flag", "worklist.csv")
    >>> work_list.frame()[["candidate", "service", "caseworker"]].head(1)
    """

    def __init__(self, sector: str, run: str, rows: list[dict]):
        self.sector, self.run, self.rows = sector, run, rows

    def frame(self):
        """The rows as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["candidate", "cpr", "service", "law", "paragraph", "name", "case_ref", "caseworker", "goal", "start"])

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"WorkList(sector={self.sector}, run={self.run}, rows={len(self.rows)})"


def review(
    sealing_key: SealingKey | Path,
    flag_file: Path,
    out: Path,
    *,
    catalogue: Optional[Path] = None,
    audit_log: Optional[Path] = None,
) -> WorkList:
    """Opens the sector's flag file with its own key into the caseworkers' work list at ``out``
    (CSV, owner-only, never over an existing one: it may have been filled in).

    >>> work_list = samkoer.review("employment.key", "match/flags/employment.flag", "worklist.csv")
    >>> work_list.frame()[["candidate", "service"]]
    """
    import json

    sector, run, rows = _samkoer.review(sealing_key, flag_file, out, catalogue=catalogue, audit_log=audit_log)
    return WorkList(sector, run, json.loads(rows))


def verdict(
    sealing_key: SealingKey | Path,
    flag_file: Path,
    work_list: Any,
    out: Path,
    *,
    catalogue: Optional[Path] = None,
    audit_log: Optional[Path] = None,
) -> dict:
    """Turns the caseworkers' filled-in work list — its CSV file, or a DataFrame with the
    ``candidate``, ``verdict`` and ``from`` columns — into the sector's verdict file at ``out``
    (spec §13.2): candidate ids and verdicts only.

    >>> frame = work_list.frame().assign(verdict="suitable", **{"from": ""})
    >>> samkoer.verdict("employment.key", "employment.flag", frame, "employment.verdicts.json")
    """
    work_list, _ = table_bytes(work_list, delimiter=",")
    return _samkoer.verdict(sealing_key, flag_file, work_list, out, catalogue=catalogue, audit_log=audit_log)


def select(
    match_result: Path, verdicts: Sequence[Path], out: Path, *, matcher_key: Path, audit_log: Optional[Path] = None
) -> dict:
    """Combines the sectors' verdict files with the match's result into the final selection at
    ``out`` (spec §13.3): any "not suitable" removes a candidate; once every sector involved has
    answered it is selected with the latest month given; until then it is outstanding.

    >>> selection = samkoer.select("match/result.json", ["employment.verdicts.json"], "selection.json",
    ...                            matcher_key="matcher.key")
    >>> len(selection["selected"])
    """
    return _samkoer.select(match_result, list(verdicts), out, matcher_key=matcher_key, audit_log=audit_log)


def disclose(
    registry_public: Path,
    subject_key: Path,
    sealing_key: SealingKey | Path,
    plan_team_public: Path,
    receipt: Path,
    export: Any,
    out: Path,
    *,
    consent_state: Optional[Path] = None,
    state_max_age: int = 24,
    mapping: Optional[Path] = None,
    now=None,
    ongoing_on: Optional[str] = None,
    audit_log: Optional[Path] = None,
) -> dict:
    """Releases the sector's ongoing services of the receipt's citizen, sealed for the plan team
    into the bundle ``out`` (spec §15), after checking the registry's ``consent_state``
    (required, no older than ``state_max_age`` hours, not older than one ``audit_log`` shows)
    and the receipt: no state or a stale, forged or older one, a sector outside the receipt, an
    expired or withdrawn receipt, or a receipt for someone else raises and releases nothing.
    ``export`` is the sector's export, as for :func:`publish`. A service is ongoing on
    ``ongoing_on`` (``YYYY-MM-DD``; default the date of ``now``), which the result names.

    >>> samkoer.disclose("registry-public.key", "subject.key", "employment.key",
    ...                  "plan-team-public.key", "receipt.bin", "export.csv", "employment.bundle",
    ...                  consent_state="consent-state.bin")
    {'receipt': '...', 'sector': 'employment', 'services': 2, 'ongoing_on': '2026-11-01'}
    """
    export, _ = table_bytes(export)
    receipt_id, sector, services, ongoing_on = _samkoer.disclose(
        registry_public, subject_key, sealing_key, plan_team_public, receipt, export, out,
        consent_state=consent_state, state_max_age=state_max_age, mapping=mapping,
        now=seconds(now), ongoing_on=ongoing_on,
        audit_log=audit_log,
    )
    return {"receipt": receipt_id, "sector": sector, "services": services, "ongoing_on": ongoing_on}


def open(plan_team_key: Path, registry_public_key: Path, receipt: Path, sector_public_keys: Sequence[Path], bundles: Sequence[Path], *, out: Optional[Path] = None, audit_log: Optional[Path] = None) -> dict:  # noqa: A001 (the command's name)
    """Opens one citizen's bundles with the plan team's key (and writes them to ``out``,
    owner-only, if given), once each is shown to be signed by its sector's public key (one of
    ``sector_public_keys``, made by ``keygen.public`` from the sector's sealing key) and to
    answer ``receipt`` (verified under the registry's public key):
    ``{"format": "samkoer-opened", "receipt": ..., "consented": [...], "disclosures": [...]}``.
    (Not in ``__all__``: ``from samkoer import *`` must not hide the built-in ``open``.)

    >>> opened = samkoer.open("plan-team.key", "registry-public.key", "receipt.bin",
    ...                       ["employment-public.key"], ["employment.bundle"])
    >>> [s["name"] for s in opened["disclosures"][0]["services"]]
    """
    return _samkoer.open_bundles(plan_team_key, registry_public_key, receipt, list(sector_public_keys), list(bundles), out=out, audit_log=audit_log)


def statistics_frame(match: Match):
    """The match's statistics as a pandas DataFrame (table, cell, value; suppressed = NA).

    >>> samkoer.statistics_frame(matched).query("table == 'candidates'")
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


def candidates_frame(match: Match):
    """The match's candidates as a pandas DataFrame: id, kind, deferred, persons, children,
    adults, and sectors, services and reasons joined by ``|``.

    >>> samkoer.candidates_frame(matched).groupby("kind").size()
    """
    import pandas as pd

    rows = [
        {**c, "sectors": "|".join(c["sectors"]), "services": "|".join(c["services"]), "reasons": "|".join(c["reasons"])}
        for c in match.result["candidates"]
    ]
    return pd.DataFrame(rows, columns=["id", "kind", "deferred", "persons", "children", "adults", "sectors", "services", "reasons"])


def pseudonymise(run_key: RunKey, cprs, *, errors: str = "raise"):
    """Pseudonymises a column of CPR numbers (a list, tuple, NumPy array, pandas Series, pyarrow
    array or any iterable of str), without the GIL. With ``errors="raise"`` the first invalid
    number raises :class:`InputError` at its 1-based position as ``line``, and the result is a
    list of 32-byte ``bytes``. With ``errors="null"`` every row gets an answer: the result is
    ``(pseudonyms, rejected)`` — the pseudonyms as the input's kind (a pandas Series with its
    index, a pyarrow ``binary(32)`` array, else a list), ``None`` for each invalid row — and
    ``rejected`` a list of ``{"position", "rule", "code"}`` (0-based), never the value.

    >>> pseudonyms, rejected = samkoer.pseudonymise(key, frame["cpr"], errors="null")
    >>> rejected
    [{'position': 3, 'rule': 'cpr-date', 'code': 103}]
    """
    if errors == "raise":
        data = column_text(cprs)
        if data is None:
            return _samkoer.pseudonymise(run_key, cprs)
        return _samkoer.pseudonymise_lines(run_key, data, packed=False)
    if errors != "null":
        raise ValueError('errors is "raise" or "null"')
    items = column_items(cprs)
    packed, bad = _samkoer.pseudonymise_lines_lenient(run_key, lenient_text(items)) if items else (b"", [])
    rejected = [{"position": line - 1, "rule": rule, "code": code} for line, rule, code in bad]
    missing = {r["position"] for r in rejected}
    if hasattr(cprs, "to_pylist"):  # pyarrow: a fixed-size binary array, nulls where rejected
        import pyarrow as pa

        mask = pa.array([i in missing for i in range(len(items))])
        values = pa.FixedSizeBinaryArray.from_buffers(pa.binary(32), len(items), [None, pa.py_buffer(packed)])
        return pa.compute.if_else(mask, pa.nulls(len(items), pa.binary(32)), values), rejected
    values = [None if i in missing else packed[32 * i : 32 * i + 32] for i in range(len(items))]
    if hasattr(cprs, "index") and hasattr(cprs, "to_frame"):  # pandas: keep the index
        import pandas as pd

        return pd.Series(values, index=cprs.index, name=getattr(cprs, "name", None), dtype=object), rejected
    return values, rejected


def pseudonymise_packed(run_key: RunKey, cprs: Iterable[str]) -> bytes:
    """As :func:`pseudonymise`, but one ``bytes`` of 32 × n bytes (row i at 32 i), the fastest
    form (``numpy.frombuffer(result, dtype="V32")``).

    >>> packed = samkoer.pseudonymise_packed(key, frame["cpr"])
    """
    data = column_text(cprs)
    if data is None:
        return _samkoer.pseudonymise_packed(run_key, cprs)
    return _samkoer.pseudonymise_lines(run_key, data, packed=True)
