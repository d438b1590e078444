//! The central unit's steps: match, answer the one-citizen check, select. Every path is a
//! NUL-terminated UTF-8 string; `audit_log` may be NULL (no entry).

use std::ffi::c_char;

use samkoer_core::files::{Input, Place};
use samkoer_core::flow::central::{self, MatchStep, MatchTo, Select};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::check::CheckAnswer;

use crate::args::{audit, inputs, path, write};
use crate::error::guard;

/// What a match found.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct samkoer_match_counts {
    /// Persons with services.
    pub persons: u64,
    /// Candidates.
    pub candidates: u64,
    /// Of them, deferred.
    pub deferred: u64,
}

/// What the final selection decided.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct samkoer_select_counts {
    /// Candidates selected by every sector involved.
    pub selected: u64,
    /// Removed by a "not suitable".
    pub removed: u64,
    /// Still waiting for verdicts.
    pub outstanding: u64,
}

/// The one-citizen check's answer.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum samkoer_answer {
    /// Not a candidate.
    SAMKOER_NOT_CANDIDATE = 0,
    /// A candidate of this run.
    SAMKOER_CANDIDATE = 1,
    /// A candidate deferred to a later run.
    SAMKOER_DEFERRED = 2,
}

/// Matches `count` publications under the criteria file into the folder `out_dir` (made if
/// missing): `result.json`, `statistics.json`, `statistics.csv` and `flags/SECTOR.flag`, all
/// committed as one, never over an earlier match's. The counts go to `*counts` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// `publications` points to `count` NUL-terminated paths; the other strings are
/// NUL-terminated (`audit_log` may be NULL); `counts` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_match(
    publications: *const *const c_char,
    count: usize,
    criteria: *const c_char,
    out_dir: *const c_char,
    audit_log: *const c_char,
    counts: *mut samkoer_match_counts,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (publications, criteria, out_dir, audit) = unsafe {
            (
                inputs(publications, count)?,
                path(criteria)?,
                path(out_dir)?,
                audit(audit_log)?,
            )
        };
        let step = MatchStep {
            catalogue: Catalogue::builtin(),
            criteria: Input::path(criteria),
            publications,
        };
        let matched =
            central::match_publications(&step, &MatchTo::folder(out_dir), &audit)?.summary;
        let result = samkoer_match_counts {
            persons: matched.person_count(),
            candidates: matched.candidates().len() as u64,
            deferred: matched.deferred_count(),
        };
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(counts, result) };
        Ok(())
    })
}

/// Answers a sector's check request by matching the publications again (writing no match
/// output) into `out`; the answer goes to `*answer` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// As for `samkoer_match`; `answer` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_check_answer(
    publications: *const *const c_char,
    count: usize,
    criteria: *const c_char,
    request: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    answer: *mut samkoer_answer,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (publications, criteria, request, out, audit) = unsafe {
            (
                inputs(publications, count)?,
                path(criteria)?,
                path(request)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let step = MatchStep {
            catalogue: Catalogue::builtin(),
            criteria: Input::path(criteria),
            publications,
        };
        let matched = central::rematch(&step)?;
        let reply =
            central::check(&matched, &Input::path(request), Place::file(out), &audit)?.summary;
        let result = match reply.answer {
            CheckAnswer::Candidate => samkoer_answer::SAMKOER_CANDIDATE,
            CheckAnswer::Deferred => samkoer_answer::SAMKOER_DEFERRED,
            CheckAnswer::NotCandidate => samkoer_answer::SAMKOER_NOT_CANDIDATE,
        };
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(answer, result) };
        Ok(())
    })
}

/// Combines the sectors' `count` verdict files with the match result into the final selection
/// at `out`; the counts go to `*counts` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// `verdicts` points to `count` NUL-terminated paths; the other strings are NUL-terminated
/// (`audit_log` may be NULL); `counts` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_select(
    match_result: *const c_char,
    verdicts: *const *const c_char,
    count: usize,
    out: *const c_char,
    audit_log: *const c_char,
    counts: *mut samkoer_select_counts,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (result, verdicts, out, audit) = unsafe {
            (
                path(match_result)?,
                inputs(verdicts, count)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let step = Select {
            match_result: Input::path(result),
            verdicts,
        };
        let selection = central::select(&step, Place::file(out), &audit)?.summary;
        let result = samkoer_select_counts {
            selected: selection.selected.len() as u64,
            removed: selection.removed.len() as u64,
            outstanding: selection.outstanding.len() as u64,
        };
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(counts, result) };
        Ok(())
    })
}
