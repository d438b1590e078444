//! The Python exception hierarchy, mapped once from the core's error codes.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    samkoer,
    SamkoerError,
    PyException,
    "Every samkoer error; `code`, `rule`, `file` and `line` say what and where."
);
create_exception!(
    samkoer,
    InputError,
    SamkoerError,
    "An input file or value breaks a rule (never shows the value)."
);
create_exception!(
    samkoer,
    FileError,
    SamkoerError,
    "A file could not be read or written."
);
create_exception!(
    samkoer,
    OpenFailedError,
    SamkoerError,
    "A sealed envelope or bundle did not open: wrong key, or altered."
);
create_exception!(
    samkoer,
    RandomError,
    SamkoerError,
    "The system's random number generator failed."
);

/// The Python exception for a core error, with its attributes set.
pub fn to_py(py: Python<'_>, error: samkoer_core::Error) -> PyErr {
    use samkoer_core::Error;
    let message = error.to_string();
    let err = match &error {
        Error::Io { .. } => FileError::new_err(message),
        Error::OpenFailed | Error::OpenFailedIn { .. } => OpenFailedError::new_err(message),
        Error::Random => RandomError::new_err(message),
        _ => InputError::new_err(message),
    };
    let (file, line) = match &error {
        Error::Input { file, line, .. } => (Some(file.clone()), Some(*line)),
        Error::Format { file, record, .. } | Error::OpenFailedIn { file, record } => {
            (Some(file.clone()), Some(*record))
        }
        Error::Io { file, .. } | Error::Refused { file, .. } => (Some(file.clone()), None),
        _ => (None, None),
    };
    let value = err.value(py);
    // Setting attributes on a fresh exception object cannot fail in practice; if it did, the
    // exception still carries its message.
    let _ = value.setattr("code", error.code());
    let _ = value.setattr("rule", error.rule().map(|r| r.name()));
    let _ = value.setattr("file", file);
    let _ = value.setattr("line", line);
    let _ = value.setattr("form", error.form().map(|f| f.name()));
    let _ = value.setattr("remedy", error.remedy());
    err
}

/// Registers the exceptions in the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SamkoerError", py.get_type::<SamkoerError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("FileError", py.get_type::<FileError>())?;
    m.add("OpenFailedError", py.get_type::<OpenFailedError>())?;
    m.add("RandomError", py.get_type::<RandomError>())?;
    // The one error table (spec §10): (code, name, form, description, remedy) per rule.
    let rules: Vec<(u32, &str, &str, &str, &str)> = samkoer_core::Rule::ALL
        .iter()
        .map(|r| {
            (
                r.code(),
                r.name(),
                r.form().name(),
                r.description(),
                r.remedy(),
            )
        })
        .collect();
    m.add("RULES", rules)?;
    Ok(())
}
