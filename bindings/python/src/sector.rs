//! A sector's steps: publish, ask the one-citizen check, review, verdict, verify a receipt,
//! disclose.

use samkoer_core::consent::state::DEFAULT_MAX_AGE_HOURS;
use std::path::PathBuf;

use pyo3::prelude::*;
use samkoer_core::files::Input;
use samkoer_core::flow::sector::{self, PublishTo};
use samkoer_core::formats::export::parse_date;
use samkoer_core::primitives::keys::{ConsentRegistryPublicKey, PlanTeamPublicKey, SubjectKey};
use samkoer_core::sector::publish::PublishLimits;

use crate::convert::{InputArg, audit, catalogue, core, json, key, options, place, time_or_now};
use crate::keys::{RunKeyArg, SealingKeyArg};

/// Publishes an export (a file, or its CSV bytes named `export_name`) into `out` and its
/// accounting report (`report`, default `OUT.accounting.json`); returns the report.
#[pyfunction]
#[pyo3(signature = (run_key, sealing_key, export, out, *, export_name="export", report=None, relations=None, mapping=None, catalogue=None, threads=None, max_rejected=5, allow_all_excluded=false, audit_log=None))]
#[allow(clippy::too_many_arguments)] // a Python signature with keyword arguments, not a Rust API
pub fn publish<'py>(
    py: Python<'py>,
    run_key: RunKeyArg<'py>,
    sealing_key: SealingKeyArg<'py>,
    export: InputArg,
    out: PathBuf,
    export_name: &str,
    report: Option<PathBuf>,
    relations: Option<InputArg>,
    mapping: Option<PathBuf>,
    catalogue: Option<PathBuf>,
    threads: Option<usize>,
    max_rejected: u32,
    allow_all_excluded: bool,
    audit_log: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let (catalogue, options) = (self::catalogue(py, catalogue)?, options(py, mapping)?);
    let limits = core(py, PublishLimits::new(max_rejected, allow_all_excluded))?;
    let mut to = PublishTo::beside(&out);
    if let Some(report) = report {
        to.report = place(report);
    }
    let (export, relations) = (
        export.input(export_name),
        relations.map(|r| r.input("relations")),
    );
    let done = run_key.with(py, |run_key| {
        sealing_key.with(py, |sealing_key| {
            // Built and run without the GIL: the publish is the long step.
            let published = py.detach(|| {
                let step = sector::Publish {
                    run_key,
                    sealing_key,
                    catalogue: &catalogue,
                    options: &options,
                    export,
                    relations,
                    threads,
                    progress: None,
                    limits,
                };
                sector::publish(&step, &to, &audit(audit_log))
            });
            core(py, published)
        })
    })?;
    json(py, &done.summary.to_json())
}

/// Writes the sector's signed one-citizen check request about the citizens of `persons` (a
/// person file, or its bytes: one CPR number per line) to `out`; returns it.
#[pyfunction]
#[pyo3(signature = (run_key, sealing_key, persons, out, *, audit_log=None))]
pub fn check_ask<'py>(
    py: Python<'py>,
    run_key: RunKeyArg<'py>,
    sealing_key: SealingKeyArg<'py>,
    persons: InputArg,
    out: PathBuf,
    audit_log: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let persons = persons.input("persons");
    let done = run_key.with(py, |run_key| {
        sealing_key.with(py, |sealing_key| {
            let step = sector::AskCheck {
                run_key,
                sealing_key,
                persons,
            };
            core(py, sector::ask_check(&step, place(out), &audit(audit_log)))
        })
    })?;
    json(py, &done.summary.to_json())
}

/// Reads the matcher's check answer back onto the person file the request was made from:
/// writes `cpr;answer` per citizen to `out` (owner-only; it holds CPR numbers); returns the
/// answers as `(line of the person file, answer)`.
#[pyfunction]
#[pyo3(signature = (run_key, sealing_key, persons, answer, out, *, audit_log=None))]
pub fn check_read<'py>(
    py: Python<'py>,
    run_key: RunKeyArg<'py>,
    sealing_key: SealingKeyArg<'py>,
    persons: InputArg,
    answer: PathBuf,
    out: PathBuf,
    audit_log: Option<PathBuf>,
) -> PyResult<Vec<(u64, String)>> {
    let persons = persons.input("persons");
    run_key.with(py, |run_key| {
        sealing_key.with(py, |sealing_key| {
            let step = sector::ReadCheck {
                run_key,
                sealing_key,
                persons,
                answer: Input::path(answer),
            };
            let done = core(py, sector::read_check(&step, place(out), &audit(audit_log)))?;
            Ok(done
                .summary
                .answers
                .iter()
                .map(|(line, answer)| (*line, answer.name().to_owned()))
                .collect())
        })
    })
}

/// Reviews the flag file into the work list at `out`; returns `(sector, run, rows)`, the rows
/// as JSON text (they hold CPR numbers).
#[pyfunction]
#[pyo3(signature = (sealing_key, flag_file, out, *, catalogue=None, audit_log=None))]
pub fn review<'py>(
    py: Python<'py>,
    sealing_key: SealingKeyArg<'py>,
    flag_file: PathBuf,
    out: PathBuf,
    catalogue: Option<PathBuf>,
    audit_log: Option<PathBuf>,
) -> PyResult<(String, String, String)> {
    let catalogue = self::catalogue(py, catalogue)?;
    sealing_key.with(py, |sealing_key| {
        let step = sector::Review {
            sealing_key,
            catalogue: &catalogue,
            flag_file: Input::path(flag_file),
        };
        let list = core(py, sector::review(&step, place(out), &audit(audit_log)))?.summary;
        Ok((
            list.sector.to_string(),
            list.run.to_string(),
            list.to_json(),
        ))
    })
}

/// Turns the filled-in work list (a file, or CSV bytes) into the verdict file at `out`;
/// returns it.
#[pyfunction]
#[pyo3(signature = (sealing_key, flag_file, work_list, out, *, catalogue=None, audit_log=None))]
pub fn verdict<'py>(
    py: Python<'py>,
    sealing_key: SealingKeyArg<'py>,
    flag_file: PathBuf,
    work_list: InputArg,
    out: PathBuf,
    catalogue: Option<PathBuf>,
    audit_log: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let catalogue = self::catalogue(py, catalogue)?;
    let work_list = work_list.input("work list");
    sealing_key.with(py, |sealing_key| {
        let step = sector::Review {
            sealing_key,
            catalogue: &catalogue,
            flag_file: Input::path(flag_file),
        };
        core(
            py,
            sector::verdict(&step, &work_list, place(out.clone()), &audit(audit_log)),
        )
    })?;
    // The verdict file as the step signed and wrote it.
    let written = Input::path(&out).text_of(samkoer_core::files::kind::Kind::Verdicts);
    json(py, &core(py, written)?)
}

/// Checks a receipt for the sector of `sealing_key` (which signs the entry) at `now` (seconds
/// since 1970; default now) against the
/// registry's consent state, no older than `state_max_age` hours; returns the receipt's id
/// (hex). Without a consent state the core refuses (`consent-state-missing`).
#[pyfunction]
#[pyo3(signature = (registry_public, receipt, sealing_key, *, consent_state=None, state_max_age=DEFAULT_MAX_AGE_HOURS, now=None, audit_log=None))]
#[allow(clippy::too_many_arguments)] // a Python signature with keyword arguments, not a Rust API
pub fn consent_verify<'py>(
    py: Python<'py>,
    registry_public: PathBuf,
    receipt: PathBuf,
    sealing_key: SealingKeyArg<'py>,
    consent_state: Option<PathBuf>,
    state_max_age: u64,
    now: Option<f64>,
    audit_log: Option<PathBuf>,
) -> PyResult<String> {
    let registry: ConsentRegistryPublicKey = key(py, &registry_public)?;
    let now = time_or_now(py, now)?;
    sealing_key.with(py, |sealing_key| {
        let step = sector::VerifyConsent {
            registry: &registry,
            receipt: Input::path(receipt),
            consent_state: consent_state.map(Input::path),
            state_max_age: state_max_age.saturating_mul(3600),
            sealing_key,
            now,
        };
        Ok(core(py, sector::verify_consent(&step, &audit(audit_log)))?
            .summary
            .id_hex())
    })
}

/// Discloses the sector's ongoing services of the receipt's citizen into the bundle `out`,
/// after checking the registry's consent state (no older than `state_max_age` hours; required);
/// returns `(receipt id, sector, services, the date they were judged ongoing on)`.
#[pyfunction]
#[pyo3(signature = (registry_public, subject_key, sealing_key, plan_team_public, receipt, export, out, *, consent_state=None, state_max_age=DEFAULT_MAX_AGE_HOURS, mapping=None, now=None, ongoing_on=None, audit_log=None))]
#[allow(clippy::too_many_arguments)] // a Python signature with keyword arguments, not a Rust API
pub fn disclose<'py>(
    py: Python<'py>,
    registry_public: PathBuf,
    subject_key: PathBuf,
    sealing_key: SealingKeyArg<'py>,
    plan_team_public: PathBuf,
    receipt: PathBuf,
    export: InputArg,
    out: PathBuf,
    consent_state: Option<PathBuf>,
    state_max_age: u64,
    mapping: Option<PathBuf>,
    now: Option<f64>,
    ongoing_on: Option<&str>,
    audit_log: Option<PathBuf>,
) -> PyResult<(String, String, u64, String)> {
    let registry: ConsentRegistryPublicKey = key(py, &registry_public)?;
    let subject: SubjectKey = key(py, &subject_key)?;
    let plan_team: PlanTeamPublicKey = key(py, &plan_team_public)?;
    let options = options(py, mapping)?;
    let now = time_or_now(py, now)?;
    let ongoing_on = match ongoing_on {
        None => None,
        Some(text) => Some(core(py, parse_date(text))?),
    };
    sealing_key.with(py, |sealing_key| {
        let step = sector::Disclose {
            registry: &registry,
            subject: &subject,
            sealing_key,
            plan_team: &plan_team,
            catalogue: samkoer_core::Catalogue::builtin(),
            options: &options,
            receipt: Input::path(receipt),
            consent_state: consent_state.map(Input::path),
            state_max_age: state_max_age.saturating_mul(3600),
            export: export.input("export"),
            now,
            ongoing_on,
        };
        let done = core(py, sector::disclose(&step, place(out), &audit(audit_log)))?.summary;
        Ok((
            done.receipt,
            done.sector.to_string(),
            done.services,
            done.ongoing_on.to_string(),
        ))
    })
}
