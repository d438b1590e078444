//! Result codes and the last error message: the core's errors mapped once for C.

use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Success.
pub const SAMKOER_OK: i32 = 0;
/// A pointer argument was NULL.
pub const SAMKOER_ERROR_NULL_ARGUMENT: i32 = -1;
/// The library panicked; nothing was changed. Please report it.
pub const SAMKOER_ERROR_PANIC: i32 = -2;
/// An output buffer was too small.
pub const SAMKOER_ERROR_BUFFER_TOO_SMALL: i32 = -3;
/// A string argument was not UTF-8.
pub const SAMKOER_ERROR_UTF8: i32 = -4;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records the message of the last error of this thread.
pub fn set_last_error(message: String) {
    LAST_ERROR.with(|last| *last.borrow_mut() = message);
}

/// A failure: a result code, its message recorded.
pub struct Failure(pub i32);

impl From<samkoer_core::Error> for Failure {
    fn from(error: samkoer_core::Error) -> Failure {
        set_last_error(error.to_string());
        // Core codes are small positive numbers (spec §10).
        Failure(i32::try_from(error.code()).unwrap_or(i32::MAX))
    }
}

/// Runs `body` behind a panic boundary and turns its outcome into a result code.
pub fn guard(body: impl FnOnce() -> Result<(), Failure>) -> i32 {
    set_last_error(String::new());
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => SAMKOER_OK,
        Ok(Err(Failure(code))) => code,
        Err(_) => {
            set_last_error("internal error (panic); nothing was changed".into());
            SAMKOER_ERROR_PANIC
        }
    }
}

/// Copies this thread's last error message into `buffer` (NUL-terminated, cut to fit) and
/// returns the message's full length in bytes, without the NUL. With a NULL buffer or a length
/// of 0, only returns the length.
///
/// # Safety
/// `buffer` is NULL or points to `length` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_last_error(buffer: *mut c_char, length: usize) -> usize {
    let message = LAST_ERROR.with(|last| last.borrow().clone());
    if !buffer.is_null() && length > 0 {
        let n = message.len().min(length - 1);
        // SAFETY: the caller gives `length` writable bytes at `buffer`; we write n + 1 <= length.
        unsafe {
            std::ptr::copy_nonoverlapping(message.as_ptr(), buffer.cast::<u8>(), n);
            *buffer.add(n) = 0;
        }
    }
    message.len()
}
