//! The native module `samkoer._samkoer`: a thin translation of `samkoer-core` for Python.
//! Conversions only (`convert.rs`); every step and every rule lives in the core. The package
//! `samkoer` wraps these functions with their documented names and data-frame conversions.

#![forbid(unsafe_code)]

mod central;
mod columns;
mod consent;
mod convert;
mod error;
mod keys;
mod sector;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _samkoer(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    m.add_class::<keys::RunKey>()?;
    m.add_class::<keys::SealingKey>()?;
    m.add_class::<central::Match>()?;
    m.add_function(wrap_pyfunction!(keys::keygen_kind, m)?)?;
    m.add_function(wrap_pyfunction!(columns::pseudonymise, m)?)?;
    m.add_function(wrap_pyfunction!(columns::pseudonymise_packed, m)?)?;
    m.add_function(wrap_pyfunction!(columns::pseudonymise_lines, m)?)?;
    m.add_function(wrap_pyfunction!(columns::pseudonymise_lines_lenient, m)?)?;
    m.add_function(wrap_pyfunction!(columns::parse_cpr, m)?)?;
    m.add_function(wrap_pyfunction!(columns::read_publication, m)?)?;
    m.add_function(wrap_pyfunction!(sector::publish, m)?)?;
    m.add_function(wrap_pyfunction!(sector::check_ask, m)?)?;
    m.add_function(wrap_pyfunction!(sector::check_read, m)?)?;
    m.add_function(wrap_pyfunction!(sector::review, m)?)?;
    m.add_function(wrap_pyfunction!(sector::verdict, m)?)?;
    m.add_function(wrap_pyfunction!(sector::consent_verify, m)?)?;
    m.add_function(wrap_pyfunction!(sector::disclose, m)?)?;
    m.add_function(wrap_pyfunction!(central::match_publications, m)?)?;
    m.add_function(wrap_pyfunction!(central::check_answer, m)?)?;
    m.add_function(wrap_pyfunction!(central::select, m)?)?;
    m.add_function(wrap_pyfunction!(consent::consent_issue, m)?)?;
    m.add_function(wrap_pyfunction!(consent::consent_withdraw, m)?)?;
    m.add_function(wrap_pyfunction!(consent::consent_state, m)?)?;
    m.add_function(wrap_pyfunction!(consent::open_bundles, m)?)?;
    m.add_function(wrap_pyfunction!(consent::audit_verify, m)?)?;
    Ok(())
}
