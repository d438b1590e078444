"""``samkoer keygen``: every kind of key, each made by the party that holds it. Each function
writes a new key file (owner-only for a secret key; never over an existing file) and returns
``{kind, fingerprint, municipality, run, reference_date, sector, file}`` — never the secret."""

from __future__ import annotations

from typing import Optional

from . import _samkoer
from ._convert import Path


def master(municipality: str, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """The municipality's master key (the key custodian's).

    >>> samkoer.keygen.master("219", "master.key")["fingerprint"]
    """
    return _samkoer.keygen_kind("master", out, municipality=municipality, audit_log=audit_log)


def run(master: Path, run: str, out: Path, *, reference_date: Optional[str] = None, audit_log: Optional[Path] = None) -> dict:
    """A run key, derived from the master key: to every sector of the run, never the matcher.
    It carries the run's ``reference_date`` (``YYYY-MM-DD``, default today), on which every
    sector publishes.

    >>> samkoer.keygen.run("master.key", "2026-11", "run.key", reference_date="2026-11-01")["reference_date"]
    '2026-11-01'
    """
    return _samkoer.keygen_kind("run", out, master=master, run=run, reference_date=reference_date, audit_log=audit_log)


def sealing(municipality: str, sector: str, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """A sector's own sealing key; it never leaves the sector.

    >>> samkoer.keygen.sealing("219", "employment", "employment.key")["sector"]
    'employment'
    """
    return _samkoer.keygen_kind("sealing", out, municipality=municipality, sector=sector, audit_log=audit_log)


def consent_registry(municipality: str, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """The consent registry's signing key.

    >>> samkoer.keygen.consent_registry("219", "registry.key")["kind"]
    'consent-registry'
    """
    return _samkoer.keygen_kind("consent-registry", out, municipality=municipality, audit_log=audit_log)


def subject(registry_key: Path, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """The subject key, made by the consent registry (its key signs the entry) and shared with
    the sectors (never the matcher).

    >>> samkoer.keygen.subject("consent-registry.key", "subject.key")["kind"]
    'subject'
    """
    return _samkoer.keygen_kind("subject", out, key=registry_key, audit_log=audit_log)


def matcher(municipality: str, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """The central matcher's key: it signs the matcher's audit entries (spec §4.6).

    >>> samkoer.keygen.matcher("219", "matcher.key")["kind"]
    'matcher'
    """
    return _samkoer.keygen_kind("matcher", out, municipality=municipality, audit_log=audit_log)


def plan_team(municipality: str, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """The plan team's key.

    >>> samkoer.keygen.plan_team("219", "plan-team.key")["kind"]
    'plan-team'
    """
    return _samkoer.keygen_kind("plan-team", out, municipality=municipality, audit_log=audit_log)


def public(key: Path, out: Path, *, audit_log: Optional[Path] = None) -> dict:
    """The public key of a consent-registry, plan-team or sealing key file (a sealing key gives
    the sector's public signing key, `sector-public`, which the plan team checks bundles with).

    >>> samkoer.keygen.public("registry.key", "registry-public.key")["kind"]
    'consent-registry-public'
    """
    return _samkoer.keygen_kind("public", out, key=key, audit_log=audit_log)
