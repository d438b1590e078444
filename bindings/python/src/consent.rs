//! The consent registry's steps (issue, withdraw, consent state), the plan team's (open), and anyone's audit
//! verify.

use std::path::PathBuf;

use pyo3::prelude::*;
use samkoer_core::audit::Head;
use samkoer_core::files::Input;
use samkoer_core::flow::plan_team::{self, Open};
use samkoer_core::flow::registry::{self, Issue, PublishState, Withdraw};
use samkoer_core::flow::{VerifyAudit, party_signer, verify_audit};
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, PlanTeamKey, SectorPublicKey, SubjectKey,
};
use samkoer_core::{Cpr, SectorCode};

use crate::convert::{audit, core, inputs, json, key, place, time_or_now};

/// Issues a receipt for `cpr` and `sectors`, valid from `valid_from` until `valid_until`
/// (seconds since 1970; default now and a year on), into `out`; returns its id (hex).
#[pyfunction]
#[pyo3(signature = (registry_key, subject_key, cpr, sectors, out, *, valid_from=None, valid_until=None, audit_log=None))]
#[allow(clippy::too_many_arguments)] // a Python signature with keyword arguments, not a Rust API
pub fn consent_issue(
    py: Python<'_>,
    registry_key: PathBuf,
    subject_key: PathBuf,
    cpr: &str,
    sectors: Vec<String>,
    out: PathBuf,
    valid_from: Option<f64>,
    valid_until: Option<f64>,
    audit_log: Option<PathBuf>,
) -> PyResult<String> {
    let registry: ConsentRegistryKey = key(py, &registry_key)?;
    let subject: SubjectKey = key(py, &subject_key)?;
    let now = time_or_now(py, None)?;
    let cpr = core(py, Cpr::parse(cpr, now.date(), "cpr", 1))?;
    let valid_from = time_or_now(py, valid_from)?;
    let valid_until = match valid_until {
        Some(_) => time_or_now(py, valid_until)?,
        None => valid_from + time::Duration::days(365),
    };
    let sectors = sectors.iter().map(|s| SectorCode::new(s.trim()));
    let step = Issue {
        registry: &registry,
        subject: &subject,
        person: &cpr,
        sectors: core(py, sectors.collect())?,
        issued_at: now,
        valid_from,
        valid_until,
    };
    let receipt = core(py, registry::issue(&step, place(out), &audit(audit_log)))?;
    Ok(receipt.summary.id_hex())
}

/// Withdraws a receipt from `at` (seconds since 1970; default now) into `out`.
#[pyfunction]
#[pyo3(signature = (registry_key, receipt, out, *, at=None, audit_log=None))]
pub fn consent_withdraw(
    py: Python<'_>,
    registry_key: PathBuf,
    receipt: PathBuf,
    out: PathBuf,
    at: Option<f64>,
    audit_log: Option<PathBuf>,
) -> PyResult<String> {
    let registry: ConsentRegistryKey = key(py, &registry_key)?;
    let step = Withdraw {
        registry: &registry,
        receipt: Input::path(receipt),
        at: time_or_now(py, at)?,
    };
    let withdrawal = core(py, registry::withdraw(&step, place(out), &audit(audit_log)))?;
    Ok(hex::encode(withdrawal.summary.receipt))
}

/// Publishes the registry's consent state into `out`: the withdrawals of `previous` (none for
/// the registry's first) and `withdrawals`, under the next sequence number, at `now` (seconds
/// since 1970; default now); returns `(sequence, issued at, withdrawals, added)`.
#[pyfunction]
#[pyo3(signature = (registry_key, out, *, previous=None, withdrawals=Vec::new(), now=None, audit_log=None))]
pub fn consent_state(
    py: Python<'_>,
    registry_key: PathBuf,
    out: PathBuf,
    previous: Option<PathBuf>,
    withdrawals: Vec<PathBuf>,
    now: Option<f64>,
    audit_log: Option<PathBuf>,
) -> PyResult<(u64, u64, u64, u64)> {
    let registry: ConsentRegistryKey = key(py, &registry_key)?;
    let step = PublishState {
        registry: &registry,
        previous: previous.map(Input::path),
        withdrawals: inputs(withdrawals),
        now: time_or_now(py, now)?,
    };
    let state = core(
        py,
        registry::consent_state(&step, place(out), &audit(audit_log)),
    )?
    .summary;
    Ok((
        state.sequence,
        state.issued_at,
        state.withdrawals,
        state.added,
    ))
}

/// Opens one citizen's disclosure bundles with the plan team's key (into `out` too, if given),
/// each checked as signed by its sector's public key and answering the receipt; returns the
/// opened disclosures.
#[pyfunction]
#[pyo3(signature = (plan_team_key, registry_public_key, receipt, sector_public_keys, bundles, *, out=None, audit_log=None))]
#[allow(clippy::too_many_arguments)]
pub fn open_bundles<'py>(
    py: Python<'py>,
    plan_team_key: PathBuf,
    registry_public_key: PathBuf,
    receipt: PathBuf,
    sector_public_keys: Vec<PathBuf>,
    bundles: Vec<PathBuf>,
    out: Option<PathBuf>,
    audit_log: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let plan_team: PlanTeamKey = key(py, &plan_team_key)?;
    let registry: ConsentRegistryPublicKey = key(py, &registry_public_key)?;
    let sectors = sector_public_keys
        .iter()
        .map(|path| key::<SectorPublicKey>(py, path))
        .collect::<PyResult<Vec<_>>>()?;
    let step = Open {
        plan_team: &plan_team,
        registry: &registry,
        receipt: Input::path(receipt),
        sectors,
        bundles: inputs(bundles),
    };
    let opened = core(
        py,
        plan_team::open(&step, out.map(place), &audit(audit_log)),
    )?;
    json(py, &opened.summary.to_json())
}

/// Verifies an audit log with its signatures — against a head kept elsewhere (`SEQ:HASH`),
/// the party's own key file and files it handed on, each if given; returns its head.
#[pyfunction]
#[pyo3(signature = (log, *, head=None, signer_key=None, evidence=Vec::new()))]
pub fn audit_verify(
    py: Python<'_>,
    log: PathBuf,
    head: Option<&str>,
    signer_key: Option<PathBuf>,
    evidence: Vec<PathBuf>,
) -> PyResult<String> {
    let signer = match signer_key {
        Some(path) => Some(core(py, party_signer(&Input::path(path)))?),
        None => None,
    };
    let step = VerifyAudit {
        log: Input::path(log),
        head: core(py, head.map(Head::parse).transpose())?,
        signer,
        evidence: inputs(evidence),
    };
    Ok(core(py, verify_audit(&step))?.head.to_string())
}
