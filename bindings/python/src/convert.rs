//! Every conversion between Python values and the core's step inputs, places and summaries,
//! in one place: paths, bytes, audit logs, times, JSON summaries.

use std::path::PathBuf;

use pyo3::prelude::*;
use samkoer_core::KeyFileFormat;
use samkoer_core::files::{Input, Made, Place};
use samkoer_core::flow::Audit;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::ExportOptions;
use time::OffsetDateTime;

use crate::error::to_py;

/// Runs a core call, turning its error into the Python exception.
pub fn core<T>(py: Python<'_>, result: samkoer_core::Result<T>) -> PyResult<T> {
    result.map_err(|e| to_py(py, e))
}

/// A file, or bytes in memory with a name (a data frame made CSV, a file read elsewhere).
#[derive(FromPyObject)]
pub enum InputArg {
    /// Bytes, named by the caller.
    Bytes(Vec<u8>),
    /// A file.
    Path(PathBuf),
}

impl InputArg {
    /// The input, named `name` when it is bytes.
    pub fn input(self, name: &str) -> Input {
        match self {
            InputArg::Bytes(bytes) => Input::bytes(name, bytes),
            InputArg::Path(path) => Input::path(path),
        }
    }
}

/// Files as inputs.
pub fn inputs(paths: Vec<PathBuf>) -> Vec<Input> {
    paths.into_iter().map(Input::path).collect()
}

/// The audit log named by `audit_log`, if any.
pub fn audit(log: Option<PathBuf>) -> Audit {
    log.map_or_else(Audit::none, Audit::file)
}

/// A key read from its key file.
pub fn key<K: KeyFileFormat>(py: Python<'_>, path: &std::path::Path) -> PyResult<K> {
    core(py, K::read(path))
}

/// The built-in catalogue, or the one in a file.
pub fn catalogue(py: Python<'_>, path: Option<PathBuf>) -> PyResult<Catalogue> {
    match path {
        None => Ok(Catalogue::builtin().clone()),
        Some(path) => core(py, Catalogue::from_input(&Input::path(path))),
    }
}

/// The options of a mapping file, or the defaults.
pub fn options(py: Python<'_>, mapping: Option<PathBuf>) -> PyResult<ExportOptions> {
    match mapping {
        None => Ok(ExportOptions::default()),
        Some(path) => core(py, ExportOptions::from_mapping_input(&Input::path(path))),
    }
}

/// A date given as `YYYY-MM-DD`, or today.
pub fn date_or_today(py: Python<'_>, text: Option<&str>) -> PyResult<time::Date> {
    core(py, samkoer_core::formats::export::date_or_today(text))
}

/// A time given as seconds since 1970 (what `datetime.timestamp()` gives), or now.
pub fn time_or_now(py: Python<'_>, seconds: Option<f64>) -> PyResult<OffsetDateTime> {
    match seconds {
        None => Ok(OffsetDateTime::now_utc()),
        Some(seconds) => {
            let nanos = (seconds * 1e9) as i128;
            OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| {
                to_py(
                    py,
                    samkoer_core::Error::parameter(samkoer_core::Rule::DateGiven),
                )
            })
        }
    }
}

/// A JSON text as Python objects.
pub fn json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// What a step made, as `(kind, file, digest)` tuples.
pub fn made(made: &[Made]) -> Vec<(String, String, String)> {
    made.iter()
        .map(|m| (m.kind.name().to_owned(), m.name.clone(), m.digest.clone()))
        .collect()
}

/// A file as an output place.
pub fn place(path: PathBuf) -> Place {
    Place::File(path)
}
