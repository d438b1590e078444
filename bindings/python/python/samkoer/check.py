"""``samkoer check``: the one-citizen check ("cpr-knap"). A sector asks about some of its own
citizens in a request signed with its own key; the matcher answers ``candidate``, ``deferred``
or ``not-candidate`` for each from the match's check index; the sector reads the answer back
by CPR number."""

from __future__ import annotations

from typing import Iterable, List, Optional, Tuple, Union

from . import _samkoer
from ._convert import Path
from ._samkoer import RunKey, SealingKey

Persons = Union[Path, Iterable[str]]


def _persons(persons: Persons):
    """A person file's path as it is; CPR numbers given in Python as the file's bytes."""
    if isinstance(persons, (str, bytes)) or hasattr(persons, "__fspath__"):
        return persons
    return "".join(f"{cpr}\n" for cpr in persons).encode()


def ask(run_key: RunKey | Path, sealing_key: SealingKey | Path, persons: Persons, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """Writes the sector's signed request about the citizens of ``persons`` (a person file, one
    CPR number per line, or a list of CPR numbers) to ``out``, for the matcher; it names them
    by pseudonym, never by CPR number. Returns it.

    >>> samkoer.check.ask("run.key", "employment.key", "persons.txt", "request.json")["sector"]
    'employment'
    """
    return _samkoer.check_ask(run_key, sealing_key, _persons(persons), out, audit_log=audit_log)


def answer(index: Path, request: Path, out: Path, *, matcher_key: Path, audit_log: Optional[Path] = None) -> dict:
    """Answers a sector's request into ``out`` from the match's check index (``check-index`` in
    the match's folder), without the publications: only a request signed by the sector that
    published in this run, only about citizens it published.

    >>> samkoer.check.answer("match/check-index", "request.json", "answer.json", matcher_key="matcher.key")["answers"][0]["answer"]
    'candidate'
    """
    return _samkoer.check_answer(index, request, out, matcher_key=matcher_key, audit_log=audit_log)


def read(
    run_key: RunKey | Path, sealing_key: SealingKey | Path, persons: Persons, answer: Path, out: Path, *, audit_log: Optional[Path] = None
) -> List[Tuple[int, str]]:
    """Reads the matcher's ``answer`` back onto ``persons`` (as the request was made): writes
    ``cpr;answer`` per citizen to ``out`` (owner-only) and returns ``(line, answer)`` pairs.

    >>> samkoer.check.read("run.key", "employment.key", "persons.txt", "answer.json", "check.csv")
    [(1, 'candidate')]
    """
    return _samkoer.check_read(run_key, sealing_key, _persons(persons), answer, out, audit_log=audit_log)
