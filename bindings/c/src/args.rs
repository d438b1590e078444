//! Every conversion of C arguments, in one place: strings, arrays of strings, output buffers,
//! times, the audit log.

use std::ffi::{CStr, c_char};
use std::path::PathBuf;

use samkoer_core::files::Input;
use samkoer_core::flow::Audit;
use time::OffsetDateTime;

use crate::error::{
    Failure, SAMKOER_ERROR_ARGUMENT, SAMKOER_ERROR_BUFFER_TOO_SMALL, SAMKOER_ERROR_NULL_ARGUMENT,
    SAMKOER_ERROR_UTF8, set_last_error,
};

/// A NULL pointer argument.
pub fn null() -> Failure {
    set_last_error("a pointer argument was NULL".into());
    Failure(SAMKOER_ERROR_NULL_ARGUMENT)
}

/// A borrowed C string as UTF-8.
///
/// # Safety
/// `text` is NULL or a NUL-terminated string valid for the call.
pub unsafe fn text<'a>(text: *const c_char) -> Result<&'a str, Failure> {
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
/// As for [`text`].
pub unsafe fn optional_text<'a>(value: *const c_char) -> Result<Option<&'a str>, Failure> {
    if value.is_null() {
        Ok(None)
    } else {
        // SAFETY: not NULL; the caller's guarantee carries over.
        unsafe { text(value) }.map(Some)
    }
}

/// A path argument.
///
/// # Safety
/// As for [`text`].
pub unsafe fn path(value: *const c_char) -> Result<PathBuf, Failure> {
    // SAFETY: the caller's guarantee carries over.
    unsafe { text(value) }.map(PathBuf::from)
}

/// `count` strings at `values` (NULL allowed when `count` is 0).
///
/// # Safety
/// `values` points to `count` NUL-terminated strings.
pub unsafe fn texts<'a>(
    values: *const *const c_char,
    count: usize,
) -> Result<Vec<&'a str>, Failure> {
    if count > 0 && values.is_null() {
        return Err(null());
    }
    (0..count)
        // SAFETY: `values` holds `count` string pointers.
        .map(|i| unsafe { text(*values.add(i)) })
        .collect()
}

/// `count` files at `values`, as inputs.
///
/// # Safety
/// As for [`texts`].
pub unsafe fn inputs(values: *const *const c_char, count: usize) -> Result<Vec<Input>, Failure> {
    // SAFETY: the caller's guarantee carries over.
    Ok(unsafe { texts(values, count) }?
        .into_iter()
        .map(Input::path)
        .collect())
}

/// The audit log at an optional path.
///
/// # Safety
/// As for [`optional_text`].
pub unsafe fn audit(log: *const c_char) -> Result<Audit, Failure> {
    // SAFETY: the caller's guarantee carries over.
    Ok(unsafe { optional_text(log) }?.map_or_else(Audit::none, Audit::file))
}

/// A time as seconds since 1970; 0 means now.
pub fn time(seconds: i64) -> Result<OffsetDateTime, Failure> {
    if seconds == 0 {
        return Ok(OffsetDateTime::now_utc());
    }
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| {
        set_last_error(format!("{seconds} is no time"));
        Failure(SAMKOER_ERROR_ARGUMENT)
    })
}

/// Copies `value` and a NUL into `out` (`length` bytes; NULL for none wanted).
///
/// # Safety
/// `out` is NULL or points to `length` writable bytes.
pub unsafe fn write_text(value: &str, out: *mut c_char, length: usize) -> Result<(), Failure> {
    if out.is_null() {
        return Ok(());
    }
    if length <= value.len() {
        set_last_error(format!("the output needs {} bytes", value.len() + 1));
        return Err(Failure(SAMKOER_ERROR_BUFFER_TOO_SMALL));
    }
    // SAFETY: `out` has `length` > value.len() writable bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(value.as_ptr(), out.cast::<u8>(), value.len());
        *out.add(value.len()) = 0;
    }
    Ok(())
}

/// Writes `value` to `*out` if `out` is not NULL.
///
/// # Safety
/// `out` is NULL or points to a writable `T`.
pub unsafe fn write<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: not NULL and writable, as the caller guarantees.
        unsafe { out.write(value) };
    }
}
