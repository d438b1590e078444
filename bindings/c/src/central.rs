//! The central unit's steps: match, answer the one-citizen check, select. Every path is a
//! NUL-terminated UTF-8 string; `audit_log` may be NULL (no entry).

use std::ffi::c_char;

use samkoer_core::files::{Input, Place};
use samkoer_core::flow::central::{self, MatchStep, MatchTo, Select};
use samkoer_core::formats::catalogue::Catalogue;

use crate::args::{audit, inputs, path, write};
use crate::error::guard;
use crate::keys::read;
use samkoer_core::primitives::keys::MatcherKey;

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

/// Matches `count` publications under the criteria file, signing the matcher's audit entries
/// with the key file `matcher_key`, into the folder `out_dir` (made if
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
    matcher_key: *const c_char,
    publications: *const *const c_char,
    count: usize,
    criteria: *const c_char,
    out_dir: *const c_char,
    audit_log: *const c_char,
    counts: *mut samkoer_match_counts,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (matcher, publications, criteria, out_dir, audit) = unsafe {
            (
                read::<MatcherKey>(&path(matcher_key)?)?,
                inputs(publications, count)?,
                path(criteria)?,
                path(out_dir)?,
                audit(audit_log)?,
            )
        };
        let step = MatchStep {
            matcher: &matcher,
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

/// Answers a sector's signed check request from the match's check index (`check-index` in
/// its folder) into `out`, without the publications; the number of citizens answered goes to
/// `*answered` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// The strings are NUL-terminated (`audit_log` may be NULL); `answered` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_check_answer(
    matcher_key: *const c_char,
    index: *const c_char,
    request: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    answered: *mut u64,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (matcher, index, request, out, audit) = unsafe {
            (
                read::<MatcherKey>(&path(matcher_key)?)?,
                path(index)?,
                path(request)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let step = central::Check {
            matcher: &matcher,
            index: Input::path(index),
            request: Input::path(request),
        };
        let reply = central::check(&step, Place::file(out), &audit)?.summary;
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(answered, reply.answers.len() as u64) };
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
    matcher_key: *const c_char,
    match_result: *const c_char,
    verdicts: *const *const c_char,
    count: usize,
    out: *const c_char,
    audit_log: *const c_char,
    counts: *mut samkoer_select_counts,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (matcher, result, verdicts, out, audit) = unsafe {
            (
                read::<MatcherKey>(&path(matcher_key)?)?,
                path(match_result)?,
                inputs(verdicts, count)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let step = Select {
            matcher: &matcher,
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
