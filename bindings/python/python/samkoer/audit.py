"""``samkoer audit``: anyone verifies a party's audit log."""

from __future__ import annotations

from typing import Optional, Sequence

from . import _samkoer
from ._convert import Path


def verify(log: Path, *, head: Optional[str] = None, signer_key: Optional[Path] = None, evidence: Sequence[Path] = ()) -> str:
    """Verifies an audit log (spec §16) with its signatures — against a head kept elsewhere
    (``SEQ:HASH``) if given, which also finds a log cut at its end; with ``signer_key`` (the
    party's own key file) every entry must be signed by it; each file of ``evidence`` (a
    publication the party handed on) names an entry the log must still hold — and returns its
    head; raises at the first edited, removed, reordered, inserted or unsigned entry.

    >>> head = samkoer.audit.verify("employment.log", signer_key="employment.key", evidence=["employment.pub"])
    >>> samkoer.audit.verify("employment.log", head=head) == head
    True
    """
    return _samkoer.audit_verify(log, head=head, signer_key=signer_key, evidence=list(evidence))
