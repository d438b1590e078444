//! A sector's steps: publish, ask the one-citizen check, review, verdict, verify a receipt,
//! disclose. Every path is a NUL-terminated UTF-8 string; `audit_log` may be NULL (no entry).

use std::ffi::c_char;

use samkoer_core::files::{Input, Place};
use samkoer_core::flow::sector::{self, PublishTo};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::check::CheckAnswer;
use samkoer_core::formats::export::{ExportOptions, parse_date};
use samkoer_core::primitives::keys::{ConsentRegistryPublicKey, PlanTeamPublicKey, SubjectKey};
use samkoer_core::sector::publish::PublishLimits;

use crate::args::{audit, null, optional_text, path, time, write};
use crate::error::guard;
use crate::keys::{read, samkoer_run_key, samkoer_sealing_key};

/// The limits a publish keeps to (spec §8.6); NULL in `samkoer_publish` for the defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct samkoer_publish_limits {
    /// The most rows of a file that may be rejected, in percent of its rows (0 to 100; 100:
    /// no limit; the default is 5).
    pub max_rejected_percent: u32,
    /// Whether a file whose rows are all excluded by one rule may publish (nothing of it).
    pub allow_all_excluded: bool,
}

/// What a publish did with the export's rows.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct samkoer_publish_counts {
    /// Data rows read.
    pub rows: u64,
    /// Rows published.
    pub published: u64,
    /// Valid rows kept back by policy.
    pub excluded: u64,
    /// Invalid rows.
    pub rejected: u64,
}

/// What a review found.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct samkoer_review_counts {
    /// The sector's candidates.
    pub candidates: u64,
    /// Its citizens among them.
    pub citizens: u64,
}

/// Publishes a case-system export (and, if not NULL, a relations file) to `out` with its
/// accounting report at `report` (NULL: `OUT.accounting.json`); the counts go to `*counts`
/// unless NULL. The reference date is the run key's. `limits` is NULL for the
/// defaults (at most 5 % of the rows rejected; a file all excluded by one rule refused): a
/// publish beyond them is `SAMKOER_RULE_REJECTED_LIMIT` or `SAMKOER_RULE_ALL_EXCLUDED` and
/// writes nothing. Uses every core.
///
/// Ownership: nothing kept; the handles stay the caller's. Thread safety: any thread; the keys
/// may be shared.
///
/// # Safety
/// The keys are live handles; the strings are NUL-terminated (or NULL where allowed);
/// `limits` and `counts` are NULL or point to a readable and a writable struct.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // a C signature
pub unsafe extern "C" fn samkoer_publish(
    run_key: *const samkoer_run_key,
    sealing_key: *const samkoer_sealing_key,
    export: *const c_char,
    relations: *const c_char,
    out: *const c_char,
    report: *const c_char,
    limits: *const samkoer_publish_limits,
    audit_log: *const c_char,
    counts: *mut samkoer_publish_counts,
) -> i32 {
    guard(|| {
        if run_key.is_null() || sealing_key.is_null() {
            return Err(null());
        }
        // SAFETY: live handles and NUL-terminated strings, as the caller guarantees.
        let (run_key, sealing_key, export, relations, out, report, audit) = unsafe {
            (
                &*run_key,
                &*sealing_key,
                path(export)?,
                optional_text(relations)?,
                path(out)?,
                optional_text(report)?,
                audit(audit_log)?,
            )
        };
        // SAFETY: NULL or readable, as the caller guarantees.
        let limits = match unsafe { limits.as_ref() } {
            None => PublishLimits::default(),
            Some(l) => PublishLimits::new(l.max_rejected_percent, l.allow_all_excluded)?,
        };
        let step = sector::Publish {
            run_key: &run_key.key,
            sealing_key: &sealing_key.key,
            catalogue: Catalogue::builtin(),
            options: &ExportOptions::default(),
            export: Input::path(export),
            relations: relations.map(Input::path),
            threads: None,
            progress: None,
            limits,
        };
        let mut to = PublishTo::beside(&out);
        if let Some(report) = report {
            to.report = Place::file(report);
        }
        let e = sector::publish(&step, &to, &audit)?.summary.export;
        let result = samkoer_publish_counts {
            rows: e.rows,
            published: e.published,
            excluded: e.excluded,
            rejected: e.rejected,
        };
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(counts, result) };
        Ok(())
    })
}

/// Writes the sector's signed request for the one-citizen check about the citizens of the
/// person file `persons` (one CPR number per line) to `out`; the number of citizens goes to
/// `*citizens` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread; the keys may be shared.
///
/// # Safety
/// `run_key` and `sealing_key` are live handles; the strings are NUL-terminated (`audit_log`
/// may be NULL); `citizens` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_check_ask(
    run_key: *const samkoer_run_key,
    sealing_key: *const samkoer_sealing_key,
    persons: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    citizens: *mut u64,
) -> i32 {
    guard(|| {
        if run_key.is_null() || sealing_key.is_null() {
            return Err(null());
        }
        // SAFETY: as the caller guarantees.
        let (run_key, sealing_key, persons, out, audit) = unsafe {
            (
                &*run_key,
                &*sealing_key,
                path(persons)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let step = sector::AskCheck {
            run_key: &run_key.key,
            sealing_key: &sealing_key.key,
            persons: Input::path(persons),
        };
        let request = sector::ask_check(&step, Place::file(out), &audit)?.summary;
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(citizens, request.pseudonyms.len() as u64) };
        Ok(())
    })
}

/// What a check answer said, counted.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct samkoer_check_counts {
    /// Candidates of this run.
    pub candidates: u64,
    /// Candidates deferred to a later run.
    pub deferred: u64,
    /// Not candidates.
    pub not_candidates: u64,
}

/// Reads the matcher's check answer back onto the person file the request was made from:
/// writes `cpr;answer` per citizen to `out` (CSV; it holds CPR numbers; owner-only); the
/// counts go to `*counts` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread; the keys may be shared.
///
/// # Safety
/// `run_key` and `sealing_key` are live handles; the strings are NUL-terminated (`audit_log`
/// may be NULL); `counts` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_check_read(
    run_key: *const samkoer_run_key,
    sealing_key: *const samkoer_sealing_key,
    persons: *const c_char,
    answer: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    counts: *mut samkoer_check_counts,
) -> i32 {
    guard(|| {
        if run_key.is_null() || sealing_key.is_null() {
            return Err(null());
        }
        // SAFETY: as the caller guarantees.
        let (run_key, sealing_key, persons, answer, out, audit) = unsafe {
            (
                &*run_key,
                &*sealing_key,
                path(persons)?,
                path(answer)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let step = sector::ReadCheck {
            run_key: &run_key.key,
            sealing_key: &sealing_key.key,
            persons: Input::path(persons),
            answer: Input::path(answer),
        };
        let results = sector::read_check(&step, Place::file(out), &audit)?.summary;
        let found = samkoer_check_counts {
            candidates: results.count(CheckAnswer::Candidate),
            deferred: results.count(CheckAnswer::Deferred),
            not_candidates: results.count(CheckAnswer::NotCandidate),
        };
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(counts, found) };
        Ok(())
    })
}

/// Opens the sector's flag file with its sealing key into the caseworkers' work list at `out`
/// (CSV; it holds CPR numbers; owner-only; never over an existing one); the counts go to
/// `*counts` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread; the key may be shared.
///
/// # Safety
/// `sealing_key` is a live handle; the strings are NUL-terminated (`audit_log` may be NULL);
/// `counts` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_review(
    sealing_key: *const samkoer_sealing_key,
    flag_file: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    counts: *mut samkoer_review_counts,
) -> i32 {
    guard(|| {
        if sealing_key.is_null() {
            return Err(null());
        }
        // SAFETY: as the caller guarantees.
        let (key, flag_file, out, audit) = unsafe {
            (
                &*sealing_key,
                path(flag_file)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let step = sector::Review {
            sealing_key: &key.key,
            catalogue: Catalogue::builtin(),
            flag_file: Input::path(flag_file),
        };
        let list = sector::review(&step, Place::file(out), &audit)?.summary;
        let result = samkoer_review_counts {
            candidates: list.candidates().len() as u64,
            citizens: list.items.len() as u64,
        };
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(counts, result) };
        Ok(())
    })
}

/// Turns the caseworkers' filled-in work list into the sector's verdict file at `out`
/// (candidate ids and verdicts only); the number of verdicts goes to `*verdicts` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread; the key may be shared.
///
/// # Safety
/// As for `samkoer_review`; `verdicts` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_verdict(
    sealing_key: *const samkoer_sealing_key,
    flag_file: *const c_char,
    work_list: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    verdicts: *mut u64,
) -> i32 {
    guard(|| {
        if sealing_key.is_null() {
            return Err(null());
        }
        // SAFETY: as the caller guarantees.
        let (key, flag_file, work_list, out, audit) = unsafe {
            (
                &*sealing_key,
                path(flag_file)?,
                path(work_list)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let step = sector::Review {
            sealing_key: &key.key,
            catalogue: Catalogue::builtin(),
            flag_file: Input::path(flag_file),
        };
        let file =
            sector::verdict(&step, &Input::path(work_list), Place::file(out), &audit)?.summary;
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(verdicts, file.verdicts.len() as u64) };
        Ok(())
    })
}

/// Checks the receipt for the sector of `sealing_key` (whose key signs the entry) at `now`
/// (seconds since 1970; 0 for now) against the
/// registry's consent state, no older than `state_max_age_hours`: `SAMKOER_OK`, or the
/// refusal's code (`consent-state-missing` when `consent_state` is NULL, `consent-state-stale`,
/// `consent-scope`, `consent-withdrawn`, ...). With `audit_log`, a state older than one the
/// log shows used is refused too.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// `sealing_key` is a live handle; the strings are NUL-terminated (`consent_state` and
/// `audit_log` may be NULL).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // a C signature
pub unsafe extern "C" fn samkoer_consent_verify(
    registry_public: *const c_char,
    receipt: *const c_char,
    consent_state: *const c_char,
    state_max_age_hours: u32,
    sealing_key: *const samkoer_sealing_key,
    now: i64,
    audit_log: *const c_char,
) -> i32 {
    guard(|| {
        if sealing_key.is_null() {
            return Err(null());
        }
        // SAFETY: as the caller guarantees.
        let (registry, receipt, state, sealing_key, audit) = unsafe {
            (
                path(registry_public)?,
                path(receipt)?,
                optional_text(consent_state)?,
                &*sealing_key,
                audit(audit_log)?,
            )
        };
        let registry: ConsentRegistryPublicKey = read(&registry)?;
        let step = sector::VerifyConsent {
            registry: &registry,
            receipt: Input::path(receipt),
            consent_state: state.map(Input::path),
            state_max_age: u64::from(state_max_age_hours) * 3600,
            sealing_key: &sealing_key.key,
            now: time(now)?,
        };
        sector::verify_consent(&step, &audit)?;
        Ok(())
    })
}

/// Releases the sector's ongoing services of the receipt's citizen, sealed for the plan team
/// into the bundle `out`, after checking the registry's consent state (required: NULL gives
/// `consent-state-missing`; no older than `state_max_age_hours`, nor than one `audit_log` shows
/// used) and the receipt at `now` (0 for now); a service is ongoing
/// on `ongoing_on` (`YYYY-MM-DD`; NULL for the date of `now`). The number of services goes to
/// `*services` unless NULL. A refusal releases nothing and gives its code.
///
/// Ownership: nothing kept. Thread safety: any thread; the key may be shared.
///
/// # Safety
/// `sealing_key` is a live handle; the strings are NUL-terminated (`consent_state`,
/// `ongoing_on` and `audit_log` may be NULL); `services` is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // a C signature
pub unsafe extern "C" fn samkoer_disclose(
    registry_public: *const c_char,
    subject_key: *const c_char,
    sealing_key: *const samkoer_sealing_key,
    plan_team_public: *const c_char,
    receipt: *const c_char,
    consent_state: *const c_char,
    state_max_age_hours: u32,
    export: *const c_char,
    now: i64,
    ongoing_on: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    services: *mut u64,
) -> i32 {
    guard(|| {
        if sealing_key.is_null() {
            return Err(null());
        }
        // SAFETY: as the caller guarantees.
        let (key, registry, subject, plan_team, receipt, state, export, on, out, audit) = unsafe {
            (
                &*sealing_key,
                path(registry_public)?,
                path(subject_key)?,
                path(plan_team_public)?,
                path(receipt)?,
                optional_text(consent_state)?,
                path(export)?,
                optional_text(ongoing_on)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let ongoing_on = on.map(parse_date).transpose()?;
        let registry: ConsentRegistryPublicKey = read(&registry)?;
        let subject: SubjectKey = read(&subject)?;
        let plan_team: PlanTeamPublicKey = read(&plan_team)?;
        let step = sector::Disclose {
            registry: &registry,
            subject: &subject,
            sealing_key: &key.key,
            plan_team: &plan_team,
            catalogue: Catalogue::builtin(),
            options: &ExportOptions::default(),
            receipt: Input::path(receipt),
            consent_state: state.map(Input::path),
            state_max_age: u64::from(state_max_age_hours) * 3600,
            export: Input::path(export),
            now: time(now)?,
            ongoing_on,
        };
        let done = sector::disclose(&step, Place::file(out), &audit)?.summary;
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(services, done.services) };
        Ok(())
    })
}
