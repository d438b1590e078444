"""``samkoer audit``: anyone verifies a party's audit log."""

from __future__ import annotations

from typing import Optional

from . import _samkoer
from ._convert import Path


def verify(log: Path, *, head: Optional[str] = None) -> str:
    """Verifies an audit log (spec §16) — against a head kept elsewhere (``SEQ:HASH``) if given,
    which also finds a log cut at its end — and returns its head; raises at the first edited,
    removed, reordered or inserted entry.

    >>> head = samkoer.audit.verify("audit.log")
    >>> samkoer.audit.verify("audit.log", head=head) == head
    True
    """
    return _samkoer.audit_verify(log, head=head)
