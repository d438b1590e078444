"""``samkoer check``: the one-citizen check ("cpr-knap"). A sector asks about one of its own
citizens; the matcher answers ``candidate``, ``deferred`` or ``not-candidate``."""

from __future__ import annotations

from typing import Optional, Sequence

from . import _samkoer
from ._convert import Path
from ._samkoer import Match, RunKey


def ask(run_key: RunKey | Path, sector: str, cpr: str, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """Writes the sector's request for one citizen (their pseudonym, never the CPR number) to
    ``out``, for the matcher; returns it.

    >>> samkoer.check.ask("run.key", "employment", "0101901234", "request.json")["sector"]
    'employment'
    """
    return _samkoer.check_ask(run_key, sector, cpr, out, audit_log=audit_log)


def answer(
    request: Path,
    out: Path,
    *,
    match: Optional[Match] = None,
    publications: Sequence[Path] = (),
    criteria: Optional[Path] = None,
    catalogue: Optional[Path] = None,
    audit_log: Optional[Path] = None,
) -> dict:
    """Answers a sector's request into ``out`` — from a :class:`samkoer.Match` in memory, or by
    matching the ``publications`` under ``criteria`` again — only about a citizen the asking
    sector itself published in this run.

    >>> samkoer.check.answer("request.json", "answer.json", match=matched)["answer"]
    'candidate'
    """
    if match is not None:
        return match.check(request, out, audit_log=audit_log)
    if criteria is None:
        raise TypeError("answer needs match= or publications= and criteria=")
    return _samkoer.check_answer(
        list(publications), criteria=criteria, request=request, out=out, catalogue=catalogue, audit_log=audit_log
    )
