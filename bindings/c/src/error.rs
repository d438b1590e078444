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
/// An argument was out of its range (an unknown key kind, a time that is no time).
pub const SAMKOER_ERROR_ARGUMENT: i32 = -5;

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

/// The rule of a result code, if it is one.
fn rule(result: i32) -> Option<samkoer_core::Rule> {
    u32::try_from(result)
        .ok()
        .and_then(samkoer_core::Rule::from_code)
}

fn form_is(result: i32, form: samkoer_core::error::Form) -> bool {
    rule(result).is_some_and(|r| r.form() == form)
}

/// Whether `result` is a rule of form *input*: a line of a text file (or a column) broke it;
/// the last error names the file and line.
///
/// Thread safety: any thread. Ownership: none.
#[unsafe(no_mangle)]
pub extern "C" fn samkoer_result_is_input_error(result: i32) -> bool {
    form_is(result, samkoer_core::error::Form::Input)
}

/// Whether `result` is a rule of form *format*: a record of a publication or flag file broke
/// it; the last error names the file and record.
///
/// Thread safety: any thread. Ownership: none.
#[unsafe(no_mangle)]
pub extern "C" fn samkoer_result_is_format_error(result: i32) -> bool {
    form_is(result, samkoer_core::error::Form::Format)
}

/// Whether `result` is a rule of form *parameter*: a value the caller gave broke it.
///
/// Thread safety: any thread. Ownership: none.
#[unsafe(no_mangle)]
pub extern "C" fn samkoer_result_is_parameter_error(result: i32) -> bool {
    form_is(result, samkoer_core::error::Form::Parameter)
}

/// Whether `result` is `io` (1): a file could not be read or written.
///
/// Thread safety: any thread. Ownership: none.
#[unsafe(no_mangle)]
pub extern "C" fn samkoer_result_is_io_error(result: i32) -> bool {
    result == 1
}

/// Whether `result` is `open-failed` (2): sealed content did not open (wrong key, or altered).
///
/// Thread safety: any thread. Ownership: none.
#[unsafe(no_mangle)]
pub extern "C" fn samkoer_result_is_open_failed(result: i32) -> bool {
    result == 2
}

/// Whether `result` is one of the C side's own codes (below zero): a NULL, a small buffer, a
/// string that is not UTF-8, an argument out of range, or a panic.
///
/// Thread safety: any thread. Ownership: none.
#[unsafe(no_mangle)]
pub extern "C" fn samkoer_result_is_argument_error(result: i32) -> bool {
    result < 0
}

/// The stable name of a result code (`cpr-date`, `io`, ...), a static NUL-terminated string;
/// NULL for `SAMKOER_OK`, the C side's codes and unknown codes.
///
/// Thread safety: any thread. Ownership: the string is static; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn samkoer_code_name(result: i32) -> *const c_char {
    match u32::try_from(result) {
        Ok(code) => static_name(code).map_or(std::ptr::null(), |n| n.as_ptr().cast()),
        Err(_) => std::ptr::null(),
    }
}

/// What to do about an error of this code, in one sentence (a static NUL-terminated string);
/// NULL where the code is no error of the core's.
///
/// Thread safety: any thread. Ownership: the string is static; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn samkoer_code_remedy(result: i32) -> *const c_char {
    match u32::try_from(result) {
        Ok(code) => static_remedy(code).map_or(std::ptr::null(), |n| n.as_ptr().cast()),
        Err(_) => std::ptr::null(),
    }
}

/// Every code with its NUL-terminated name and remedy.
type Table = Vec<(u32, std::ffi::CString, std::ffi::CString)>;

/// The names and remedies, made once from the core's table.
fn tables() -> &'static (Table,) {
    use std::sync::OnceLock;
    static TABLES: OnceLock<(Table,)> = OnceLock::new();
    TABLES.get_or_init(|| {
        // The table's texts hold no NUL byte.
        let c = |t: &str| std::ffi::CString::new(t).unwrap_or_default();
        let mut rows: Vec<_> = samkoer_core::error::CLASSES
            .iter()
            .map(|&(code, name)| (code, c(name), c("")))
            .collect();
        rows.extend(
            samkoer_core::Rule::ALL
                .iter()
                .map(|r| (r.code(), c(r.name()), c(r.remedy()))),
        );
        (rows,)
    })
}

fn static_name(code: u32) -> Option<&'static std::ffi::CStr> {
    tables()
        .0
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, n, _)| n.as_c_str())
}

fn static_remedy(code: u32) -> Option<&'static std::ffi::CStr> {
    let remedy = tables()
        .0
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, r)| r.as_c_str())?;
    (!remedy.is_empty()).then_some(remedy)
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
