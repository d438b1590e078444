//! Columns of CPR numbers: pseudonymised in a batch (strictly, or with the bad rows left null and
//! listed), normalised one by one; and publications read back.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use samkoer_core::files::Input;
use samkoer_core::formats::publication::{FileKind, FileReader, RecordRef};
use samkoer_core::{Cpr, Pseudonym};

use crate::convert::{core, date_or_today};
use crate::keys::RunKey;

/// The ten digits of every CPR number of a column (a list, or any iterable of str), parsed
/// with the GIL held; an invalid one raises `InputError` with its 1-based position as `line`.
fn column_digits(py: Python<'_>, cprs: &Bound<'_, PyAny>) -> PyResult<Vec<[u8; 10]>> {
    let mut digits = Vec::with_capacity(cprs.len().unwrap_or(0));
    for (i, item) in cprs.try_iter()?.enumerate() {
        let item = item?;
        // A str (or numpy.str_); anything else, such as an Arrow string scalar, by its str().
        let text = match item.cast::<PyString>() {
            Ok(text) => text.to_cow()?.into_owned(),
            Err(_) => item.str()?.to_cow()?.into_owned(),
        };
        let cpr = core(py, Cpr::parse_undated(&text, "column", i as u64 + 1))?;
        digits.push(*cpr.expose_digits());
    }
    Ok(digits)
}

/// Pseudonymises a column of CPR numbers: a list of 32-byte `bytes`, in order.
#[pyfunction]
#[pyo3(signature = (run_key, cprs))]
pub fn pseudonymise<'py>(
    py: Python<'py>,
    run_key: &RunKey,
    cprs: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let digits = column_digits(py, cprs)?;
    let pseudonyms: Vec<Pseudonym> = py.detach(|| {
        digits
            .iter()
            .map(|d| run_key.pseudonymiser.pseudonym_of_digits(d))
            .collect()
    });
    PyList::new(py, pseudonyms.iter().map(|p| PyBytes::new(py, &p.0)))
}

/// Pseudonymises a column of CPR numbers into one `bytes` of 32 × n bytes (row i at 32 i),
/// the fastest form for arrays (`numpy.frombuffer(..., dtype="V32")`).
#[pyfunction]
#[pyo3(signature = (run_key, cprs))]
pub fn pseudonymise_packed<'py>(
    py: Python<'py>,
    run_key: &RunKey,
    cprs: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let digits = column_digits(py, cprs)?;
    let packed: Vec<u8> = py.detach(|| {
        digits
            .iter()
            .flat_map(|d| run_key.pseudonymiser.pseudonym_of_digits(d).0)
            .collect()
    });
    Ok(PyBytes::new(py, &packed))
}

/// Pseudonymises CPR numbers given as one UTF-8 text, one per line (what `"\n".join(column)`
/// gives): parsing and hashing run without the GIL. `packed` returns one `bytes` of 32 × n
/// bytes, else a list of 32-byte `bytes`. An invalid number raises `InputError` with its
/// 1-based line.
#[pyfunction]
#[pyo3(signature = (run_key, data, *, packed))]
pub fn pseudonymise_lines<'py>(
    py: Python<'py>,
    run_key: &RunKey,
    data: &[u8],
    packed: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let data = data.to_vec();
    let hashed = py.detach(|| run_key.pseudonymiser.pseudonymise_lines(&data, "column"));
    let hashed = core(py, hashed)?;
    if packed {
        Ok(PyBytes::new(py, &hashed).into_any())
    } else {
        Ok(PyList::new(py, hashed.chunks_exact(32).map(|p| PyBytes::new(py, p)))?.into_any())
    }
}

/// Normalises a CPR number: `(ten digits, birth date, age band on the reference date)`.
///
/// >>> samkoer.parse_cpr("010190-1234", reference_date="2026-11-01")
/// ('0101901234', '1990-01-01', 'adult-30-49')
#[pyfunction]
#[pyo3(signature = (text, *, reference_date))]
pub fn parse_cpr(
    py: Python<'_>,
    text: &str,
    reference_date: &str,
) -> PyResult<(String, String, String)> {
    let reference = date_or_today(py, Some(reference_date))?;
    let cpr = core(py, Cpr::parse(text, reference, "cpr", 1))?;
    let (born, band) = (cpr.birth_date(), cpr.age_band(reference));
    Ok((
        String::from_utf8_lossy(cpr.expose_digits()).into_owned(),
        born.to_string(),
        band.name().to_owned(),
    ))
}

/// As `pseudonymise_lines`, but a bad number does not stop the column: returns the packed
/// pseudonyms (32 zero bytes for a bad one) and `(line, rule, code)` of every bad one.
#[pyfunction]
pub fn pseudonymise_lines_lenient<'py>(
    py: Python<'py>,
    run_key: &RunKey,
    data: &[u8],
) -> (Bound<'py, PyBytes>, Vec<(u64, &'static str, u32)>) {
    let data = data.to_vec();
    let (packed, rejected) = py.detach(|| run_key.pseudonymiser.pseudonymise_lines_lenient(&data));
    let rejected = rejected
        .iter()
        .map(|r| (r.line, r.rule.name(), r.rule.code()))
        .collect();
    (PyBytes::new(py, &packed), rejected)
}

/// Reads a publication: `{"header": {...}, "services": [...], "relations": [...]}`, pseudonyms
/// as `bytes`; envelopes are left out (only their sector opens them).
///
/// >>> publication = samkoer.read_publication("employment.pub")
/// >>> publication["header"]["sector"], len(publication["services"])
/// ('employment', 6511)
#[pyfunction]
pub fn read_publication<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let input = Input::path(path);
    let (name, file) = (input.name(), core(py, input.reader())?);
    let mut reader = core(py, FileReader::new(file, FileKind::Publication, &name))?;
    let (services, relations) = (PyList::empty(py), PyList::empty(py));
    while let Some(record) = core(py, reader.next_ref())? {
        match record {
            RecordRef::Service(r) => {
                let row = PyDict::new(py);
                row.set_item("pseudonym", PyBytes::new(py, &r.pseudonym.0))?;
                row.set_item("service", r.service)?;
                row.set_item("start", format!("{:04}-{:02}", r.start.year, r.start.month))?;
                row.set_item("age_band", r.age_band.name())?;
                row.set_item("major_change", r.major_change)?;
                services.append(row)?;
            }
            RecordRef::Relation(r) => {
                relations.append((PyBytes::new(py, &r.child.0), PyBytes::new(py, &r.parent.0)))?
            }
            RecordRef::Flag(_) => {}
        }
    }
    let h = reader.header();
    let header = PyDict::new(py);
    header.set_item("municipality", h.municipality.to_string())?;
    header.set_item("run", h.run.to_string())?;
    header.set_item("sector", h.sector.to_string())?;
    header.set_item("run_key_fingerprint", h.run_key_fingerprint.to_string())?;
    header.set_item("catalogue_version", &h.catalogue_version)?;
    header.set_item("reference_date", h.reference_date.to_string())?;
    // Its author (spec §7.1): the sector's signing key and audit-log head.
    header.set_item("signer", h.author.signer.to_string())?;
    header.set_item("log_seq", h.author.log_head.seq)?;
    header.set_item("log_hash", hex::encode(h.author.log_head.hash))?;
    let out = PyDict::new(py);
    out.set_item("header", header)?;
    out.set_item("services", services)?;
    out.set_item("relations", relations)?;
    Ok(out)
}
