//! The C ABI of samkoer: opaque key handles, batch pseudonymisation, publish and match, with
//! result codes and a readable last error. Every function is behind a panic boundary, checks
//! its pointers for NULL and never aborts the host. The header is `include/samkoer.h`.

// C names for C types, as the header shows them.
#![allow(non_camel_case_types)]

mod error;

use std::ffi::{CStr, c_char};
use std::path::PathBuf;

use samkoer_core::central::matcher::{Match, Source};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::{ExportOptions, parse_date};
use samkoer_core::sector::publish::Publisher;
use samkoer_core::{Cpr, KeyFileFormat, Pseudonymiser};

pub use error::*;

/// A run key with its pre-keyed pseudonymiser. Free with `samkoer_run_key_free`.
pub struct samkoer_run_key {
    key: samkoer_core::RunKey,
    pseudonymiser: Pseudonymiser,
}

/// A sector's sealing key. Free with `samkoer_sealing_key_free`.
pub struct samkoer_sealing_key {
    key: samkoer_core::SealingKey,
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

/// A borrowed C string as UTF-8.
///
/// # Safety
/// `text` is NULL or a NUL-terminated string valid for the call.
unsafe fn text<'a>(text: *const c_char) -> Result<&'a str, Failure> {
    if text.is_null() {
        set_last_error("a string argument was NULL".into());
        return Err(Failure(SAMKOER_ERROR_NULL_ARGUMENT));
    }
    // SAFETY: not NULL, and the caller guarantees a NUL-terminated string.
    let c = unsafe { CStr::from_ptr(text) };
    c.to_str().map_err(|_| {
        set_last_error("a string argument was not UTF-8".into());
        Failure(SAMKOER_ERROR_UTF8)
    })
}

/// An optional C string (NULL means none).
///
/// # Safety
/// As for `text`.
unsafe fn optional_text<'a>(value: *const c_char) -> Result<Option<&'a str>, Failure> {
    if value.is_null() {
        Ok(None)
    } else {
        // SAFETY: not NULL; the caller's guarantee carries over.
        unsafe { text(value) }.map(Some)
    }
}

fn null() -> Failure {
    set_last_error("a pointer argument was NULL".into());
    Failure(SAMKOER_ERROR_NULL_ARGUMENT)
}

/// Reads a run key file into a new handle at `*out`.
///
/// # Safety
/// `path` is a NUL-terminated string; `out` points to a writable handle pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_run_key_read(
    path: *const c_char,
    out: *mut *mut samkoer_run_key,
) -> i32 {
    guard(|| {
        if out.is_null() {
            return Err(null());
        }
        // SAFETY: the caller gives a NUL-terminated path.
        let path = PathBuf::from(unsafe { text(path) }?);
        let key = samkoer_core::RunKey::read(&path)?;
        let handle = Box::new(samkoer_run_key {
            pseudonymiser: Pseudonymiser::new(&key),
            key,
        });
        // SAFETY: `out` is not NULL and points to a writable pointer.
        unsafe { *out = Box::into_raw(handle) };
        Ok(())
    })
}

/// Frees a run key handle; NULL is ignored.
///
/// # Safety
/// `key` is NULL or a handle from `samkoer_run_key_read`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_run_key_free(key: *mut samkoer_run_key) {
    if !key.is_null() {
        // SAFETY: a handle made by Box::into_raw and not freed before; dropping zeroizes it.
        drop(unsafe { Box::from_raw(key) });
    }
}

/// Reads a sealing key file into a new handle at `*out`.
///
/// # Safety
/// `path` is a NUL-terminated string; `out` points to a writable handle pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_sealing_key_read(
    path: *const c_char,
    out: *mut *mut samkoer_sealing_key,
) -> i32 {
    guard(|| {
        if out.is_null() {
            return Err(null());
        }
        // SAFETY: the caller gives a NUL-terminated path.
        let path = PathBuf::from(unsafe { text(path) }?);
        let key = samkoer_core::SealingKey::read(&path)?;
        // SAFETY: `out` is not NULL and points to a writable pointer.
        unsafe { *out = Box::into_raw(Box::new(samkoer_sealing_key { key })) };
        Ok(())
    })
}

/// Frees a sealing key handle; NULL is ignored.
///
/// # Safety
/// `key` is NULL or a handle from `samkoer_sealing_key_read`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_sealing_key_free(key: *mut samkoer_sealing_key) {
    if !key.is_null() {
        // SAFETY: a handle made by Box::into_raw and not freed before.
        drop(unsafe { Box::from_raw(key) });
    }
}

/// Pseudonymises `count` CPR numbers into `out` (32 bytes each, in order; `out_length` at
/// least 32 × `count`). An invalid CPR number stops with its rule's code; the last error names
/// its 1-based position, never its value.
///
/// # Safety
/// `key` is a live handle; `cprs` points to `count` NUL-terminated strings; `out` to
/// `out_length` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_pseudonymise(
    key: *const samkoer_run_key,
    cprs: *const *const c_char,
    count: usize,
    out: *mut u8,
    out_length: usize,
) -> i32 {
    guard(|| {
        if key.is_null() || (count > 0 && (cprs.is_null() || out.is_null())) {
            return Err(null());
        }
        if out_length < count.saturating_mul(32) {
            set_last_error(format!(
                "the output needs {} bytes",
                count.saturating_mul(32)
            ));
            return Err(Failure(SAMKOER_ERROR_BUFFER_TOO_SMALL));
        }
        // SAFETY: a live handle, not NULL.
        let key = unsafe { &*key };
        for i in 0..count {
            // SAFETY: `cprs` holds `count` string pointers.
            let text = unsafe { text(*cprs.add(i)) }?;
            let cpr = Cpr::parse_undated(text, "column", i as u64 + 1)?;
            let pseudonym = key.pseudonymiser.pseudonym(&cpr);
            // SAFETY: `out` has at least 32 × count bytes, checked above.
            unsafe { std::ptr::copy_nonoverlapping(pseudonym.0.as_ptr(), out.add(32 * i), 32) };
        }
        Ok(())
    })
}

/// Normalises a CPR number on a reference date (`YYYY-MM-DD`) into `out` (10 digits and NUL).
///
/// # Safety
/// `cpr` and `reference_date` are NUL-terminated strings; `out` points to 11 writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_parse_cpr(
    cpr: *const c_char,
    reference_date: *const c_char,
    out: *mut c_char,
) -> i32 {
    guard(|| {
        if out.is_null() {
            return Err(null());
        }
        // SAFETY: the caller gives NUL-terminated strings.
        let (cpr, reference) = unsafe { (text(cpr)?, text(reference_date)?) };
        let reference = parse_date(reference)?;
        let cpr = Cpr::parse(cpr, reference, "cpr", 1)?;
        // SAFETY: `out` has 11 writable bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(cpr.expose_digits().as_ptr(), out.cast::<u8>(), 10);
            *out.add(10) = 0;
        }
        Ok(())
    })
}

/// Publishes a case-system export (and, if not NULL, a relations file) to `out_path`, with
/// the accounting report at `out_path` + `.accounting.json`; the counts go to `*counts`.
/// `reference_date` is `YYYY-MM-DD`, or NULL for today.
///
/// # Safety
/// The keys are live handles; the strings are NUL-terminated (or NULL where allowed);
/// `counts` points to a writable struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_publish(
    run_key: *const samkoer_run_key,
    sealing_key: *const samkoer_sealing_key,
    export_path: *const c_char,
    relations_path: *const c_char,
    reference_date: *const c_char,
    out_path: *const c_char,
    counts: *mut samkoer_publish_counts,
) -> i32 {
    guard(|| {
        if run_key.is_null() || sealing_key.is_null() || counts.is_null() {
            return Err(null());
        }
        // SAFETY: live handles and NUL-terminated strings, as the caller guarantees.
        let (run_key, sealing_key, export, relations, reference, out) = unsafe {
            (
                &*run_key,
                &*sealing_key,
                text(export_path)?,
                optional_text(relations_path)?,
                optional_text(reference_date)?,
                text(out_path)?,
            )
        };
        let reference = match reference {
            None => time::OffsetDateTime::now_utc().date(),
            Some(text) => parse_date(text)?,
        };
        let options = ExportOptions::default();
        let publisher = Publisher::new(
            &run_key.key,
            &sealing_key.key,
            Catalogue::builtin(),
            &options,
            reference,
        )?;
        let out = PathBuf::from(out);
        let report =
            publisher.publish_files(export.as_ref(), relations.map(std::path::Path::new), &out)?;
        let report_path = PathBuf::from(format!("{}.accounting.json", out.display()));
        samkoer_core::files::write_atomically(&report_path, report.to_json().as_bytes(), false)?;
        let e = &report.export;
        let result = samkoer_publish_counts {
            rows: e.rows,
            published: e.published,
            excluded: e.excluded,
            rejected: e.rejected,
        };
        // SAFETY: `counts` is not NULL and writable.
        unsafe { *counts = result };
        Ok(())
    })
}

/// Matches `count` publications under a criteria file; writes `result.json`,
/// `statistics.json`, `statistics.csv` and `SECTOR.flag` into the existing folder `out_dir`;
/// the counts go to `*counts`.
///
/// # Safety
/// `publications` points to `count` NUL-terminated paths; the other strings are
/// NUL-terminated; `counts` points to a writable struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_match(
    publications: *const *const c_char,
    count: usize,
    criteria_path: *const c_char,
    out_dir: *const c_char,
    counts: *mut samkoer_match_counts,
) -> i32 {
    guard(|| {
        if counts.is_null() || (count > 0 && publications.is_null()) {
            return Err(null());
        }
        let mut sources = Vec::with_capacity(count);
        for i in 0..count {
            // SAFETY: `publications` holds `count` string pointers.
            sources.push(Source::Path(PathBuf::from(unsafe {
                text(*publications.add(i))
            }?)));
        }
        // SAFETY: NUL-terminated strings, as the caller guarantees.
        let (criteria_path, out_dir) =
            unsafe { (text(criteria_path)?, PathBuf::from(text(out_dir)?)) };
        let criteria_text = std::fs::read_to_string(criteria_path).map_err(|e| {
            Failure::from(samkoer_core::Error::Io {
                file: criteria_path.into(),
                source: e,
            })
        })?;
        let catalogue = Catalogue::builtin();
        let criteria = Criteria::parse(&criteria_text, criteria_path, catalogue)?;
        let matched = Match::run(sources, catalogue, &criteria)?;
        let flags =
            matched.write_flag_files(|sector| Ok((Vec::new(), format!("{sector}.flag"))))?;
        for flag in &flags {
            samkoer_core::files::write_atomically(&out_dir.join(&flag.file), &flag.writer, true)?;
        }
        let write = |name: &str, text: String| {
            samkoer_core::files::write_atomically(&out_dir.join(name), text.as_bytes(), false)
        };
        write("result.json", matched.report_json())?;
        write("statistics.json", matched.statistics.to_json())?;
        write("statistics.csv", matched.statistics.to_csv())?;
        let deferred = matched.deferred_count();
        let result = samkoer_match_counts {
            persons: matched.person_count(),
            candidates: matched.candidates().len() as u64,
            deferred,
        };
        // SAFETY: `counts` is not NULL and writable.
        unsafe { *counts = result };
        Ok(())
    })
}
