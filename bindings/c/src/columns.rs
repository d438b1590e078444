//! Columns of CPR numbers: pseudonymised in a batch, normalised one by one.

use std::ffi::c_char;

use samkoer_core::Cpr;
use samkoer_core::formats::export::parse_date;

use crate::args::{null, text};
use crate::error::{Failure, SAMKOER_ERROR_BUFFER_TOO_SMALL, guard, set_last_error};
use crate::keys::samkoer_run_key;

/// Pseudonymises `count` CPR numbers into `out` (32 bytes each, in order; `out_length` at
/// least 32 × `count`). An invalid CPR number stops with its rule's code; the last error names
/// its 1-based position, never its value.
///
/// Ownership: nothing kept. Thread safety: any thread; the key may be shared.
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
/// Ownership: nothing kept. Thread safety: any thread.
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
