"""``samkoer consent``: the registry issues and withdraws receipts and publishes its consent state;
a sector verifies a receipt against that state."""

from __future__ import annotations

import datetime
from typing import Optional, Sequence

from . import _samkoer
from ._samkoer import SealingKey
from ._convert import Path, seconds


def issue(
    registry_key: Path,
    subject_key: Path,
    cpr: str,
    sectors: Sequence[str],
    out: Path,
    *,
    valid_from: Optional[datetime.datetime] = None,
    valid_until: Optional[datetime.datetime] = None,
    audit_log: Optional[Path] = None,
) -> str:
    """Issues a receipt (spec §14.2) for the citizen's consent, scoped to ``sectors``, valid from
    ``valid_from`` (default now) until ``valid_until`` (default a year later), into ``out``
    (never over another); returns its id. The receipt names the citizen by a tag under the
    subject key, never by CPR.

    >>> samkoer.consent.issue("registry.key", "subject.key", "0101901234",
    ...                       ["employment", "adult-social"], "receipt.bin")
    '5f0c...'
    """
    return _samkoer.consent_issue(
        registry_key, subject_key, cpr, list(sectors), out,
        valid_from=seconds(valid_from), valid_until=seconds(valid_until), audit_log=audit_log,
    )


def withdraw(registry_key: Path, receipt: Path, out: Path, *, at: Optional[datetime.datetime] = None, audit_log: Optional[Path] = None) -> str:
    """Withdraws a receipt from ``at`` (default now) on (spec §14.3); returns the receipt's id.

    >>> samkoer.consent.withdraw("registry.key", "receipt.bin", "withdrawal.bin")
    """
    return _samkoer.consent_withdraw(registry_key, receipt, out, at=seconds(at), audit_log=audit_log)


def state(
    registry_key: Path,
    out: Path,
    *,
    previous: Optional[Path] = None,
    withdrawals: Sequence[Path] = (),
    now: Optional[datetime.datetime] = None,
    audit_log: Optional[Path] = None,
) -> dict:
    """Publishes the registry's consent state (spec §14.4) into ``out``: every withdrawal of
    ``previous`` (the last state published; none only for the first) and of ``withdrawals``,
    each checked as the registry's, under the next sequence number, signed.

    >>> samkoer.consent.state("registry.key", "consent-state.bin",
    ...                       previous="consent-state.bin", withdrawals=["withdrawal.bin"])
    {'sequence': 2, 'issued_at': 1796000000, 'withdrawals': 1, 'added': 1}
    """
    sequence, issued_at, listed, added = _samkoer.consent_state(
        registry_key, out, previous=previous, withdrawals=list(withdrawals), now=seconds(now),
        audit_log=audit_log,
    )
    return {"sequence": sequence, "issued_at": issued_at, "withdrawals": listed, "added": added}


def verify(
    registry_public: Path,
    receipt: Path,
    sealing_key: SealingKey | Path,
    *,
    consent_state: Optional[Path] = None,
    state_max_age: int = 24,
    now: Optional[datetime.datetime] = None,
    audit_log: Optional[Path] = None,
) -> str:
    """Checks a receipt for the sector of ``sealing_key`` (whose key signs the entry) at
    ``now`` (default now) against the registry's
    ``consent_state`` (required; no older than ``state_max_age`` hours, and not older than one
    this sector's ``audit_log`` shows it used): signed by the registry, valid, naming the sector,
    not withdrawn; returns its id, or raises :class:`samkoer.InputError` with the refusal's rule
    (``consent-state-missing``, ``consent-state-stale``, ``consent-scope``, ``consent-withdrawn``,
    ...).

    >>> samkoer.consent.verify("registry-public.key", "receipt.bin", "employment.key",
    ...                        consent_state="consent-state.bin")
    """
    return _samkoer.consent_verify(
        registry_public, receipt, sealing_key, consent_state=consent_state,
        state_max_age=state_max_age, now=seconds(now), audit_log=audit_log,
    )
