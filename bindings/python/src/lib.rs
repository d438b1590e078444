//! The native module `samkoer._samkoer`: a thin translation of `samkoer-core` for Python.
//! Conversions only; every rule lives in the core.

#![forbid(unsafe_code)]

mod error;

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use samkoer_core::central::matcher::{Match as CoreMatch, Source};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::{ExportOptions, parse_date};
use samkoer_core::formats::publication::{FileKind, FileReader, RecordRef};
use samkoer_core::sector::publish::Publisher;
use samkoer_core::{Cpr, KeyFileFormat, Pseudonym, Pseudonymiser, SectorCode};

use crate::error::to_py;

/// Runs a core call, turning its error into the Python exception.
fn core<T>(py: Python<'_>, result: samkoer_core::Result<T>) -> PyResult<T> {
    result.map_err(|e| to_py(py, e))
}

/// A JSON text as Python objects.
fn json_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

fn date(py: Python<'_>, text: Option<&str>) -> PyResult<Option<time::Date>> {
    text.map(|t| parse_date(t).map_err(|e| to_py(py, e)))
        .transpose()
}

/// A run key, read from its key file.
#[pyclass(frozen, module = "samkoer")]
struct RunKey {
    key: samkoer_core::RunKey,
    pseudonymiser: Pseudonymiser,
}

#[pymethods]
impl RunKey {
    /// Reads a run key file (refused if others than its owner may read it).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<RunKey> {
        let key = core(py, samkoer_core::RunKey::read(&path))?;
        Ok(RunKey {
            pseudonymiser: Pseudonymiser::new(&key),
            key,
        })
    }

    /// Parses a run key file's text.
    #[staticmethod]
    fn from_key_file_text(py: Python<'_>, text: &str) -> PyResult<RunKey> {
        let key = core(py, samkoer_core::RunKey::from_key_file(text, "key file"))?;
        Ok(RunKey {
            pseudonymiser: Pseudonymiser::new(&key),
            key,
        })
    }

    /// The key's public fingerprint.
    #[getter]
    fn fingerprint(&self) -> String {
        self.key.fingerprint().to_string()
    }

    /// The run id.
    #[getter]
    fn run(&self) -> String {
        self.key.run().to_string()
    }

    /// The municipality code.
    #[getter]
    fn municipality(&self) -> String {
        self.key.municipality().to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "RunKey(run={}, fingerprint={})",
            self.key.run(),
            self.key.fingerprint()
        )
    }
}

/// A sector's sealing key, read from its key file.
#[pyclass(frozen, module = "samkoer")]
struct SealingKey {
    key: samkoer_core::SealingKey,
}

#[pymethods]
impl SealingKey {
    /// Reads a sealing key file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<SealingKey> {
        Ok(SealingKey {
            key: core(py, samkoer_core::SealingKey::read(&path))?,
        })
    }

    /// The sector.
    #[getter]
    fn sector(&self) -> String {
        self.key.sector().to_string()
    }

    /// The key's public fingerprint.
    #[getter]
    fn fingerprint(&self) -> String {
        self.key.fingerprint().to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "SealingKey(sector={}, fingerprint={})",
            self.key.sector(),
            self.key.fingerprint()
        )
    }
}

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
        let cpr = Cpr::parse_undated(&text, "column", i as u64 + 1).map_err(|e| to_py(py, e))?;
        digits.push(*cpr.expose_digits());
    }
    Ok(digits)
}

/// Pseudonymises a column of CPR numbers: a list of 32-byte `bytes`, in order.
#[pyfunction]
#[pyo3(signature = (run_key, cprs))]
fn pseudonymise<'py>(
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
fn pseudonymise_packed<'py>(
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
fn pseudonymise_lines<'py>(
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
#[pyfunction]
#[pyo3(signature = (text, *, reference_date))]
fn parse_cpr(
    py: Python<'_>,
    text: &str,
    reference_date: &str,
) -> PyResult<(String, String, String)> {
    let reference = date(py, Some(reference_date))?.unwrap_or(time::Date::MIN);
    let cpr = Cpr::parse(text, reference, "cpr", 1).map_err(|e| to_py(py, e))?;
    let (born, band) = (cpr.birth_date(), cpr.age_band(reference));
    Ok((
        String::from_utf8_lossy(cpr.expose_digits()).into_owned(),
        born.to_string(),
        band.name().to_owned(),
    ))
}

/// Publishes a case-system export: writes the publication, returns the accounting report.
#[pyfunction]
#[pyo3(signature = (run_key, sealing_key, export, out, *, relations=None, mapping=None, reference_date=None))]
#[allow(clippy::too_many_arguments)] // a Python signature with keyword arguments, not a Rust API
fn publish<'py>(
    py: Python<'py>,
    run_key: &RunKey,
    sealing_key: &SealingKey,
    export: PathBuf,
    out: PathBuf,
    relations: Option<PathBuf>,
    mapping: Option<PathBuf>,
    reference_date: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = match &mapping {
        None => ExportOptions::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                to_py(
                    py,
                    samkoer_core::Error::Io {
                        file: path.display().to_string(),
                        source: e,
                    },
                )
            })?;
            core(
                py,
                ExportOptions::from_mapping(&text, &path.display().to_string()),
            )?
        }
    };
    let reference =
        date(py, reference_date)?.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    let report = py.detach(|| {
        let publisher = Publisher::new(
            &run_key.key,
            &sealing_key.key,
            Catalogue::builtin(),
            &options,
            reference,
        )?;
        publisher.publish_files(&export, relations.as_deref(), &out)
    });
    json_to_py(py, &core(py, report)?.to_json())
}

/// Reads a publication: `{"header": {...}, "services": [...], "relations": [...]}`, pseudonyms
/// as `bytes`; envelopes are left out (only their sector opens them).
#[pyfunction]
fn read_publication<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let name = path.display().to_string();
    let file = std::fs::File::open(&path).map_err(|e| {
        to_py(
            py,
            samkoer_core::Error::Io {
                file: name.clone(),
                source: e,
            },
        )
    })?;
    let mut reader = core(
        py,
        FileReader::new(std::io::BufReader::new(file), FileKind::Publication, &name),
    )?;
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
    let out = PyDict::new(py);
    out.set_item("header", header)?;
    out.set_item("services", services)?;
    out.set_item("relations", relations)?;
    Ok(out)
}

/// The outcome of a match.
#[pyclass(frozen, module = "samkoer")]
struct Match {
    inner: CoreMatch,
}

#[pymethods]
impl Match {
    /// The matcher's result (no pseudonym, no envelope), as Python objects.
    #[getter]
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(
            py,
            &serde_json::to_string(&self.inner.report()).unwrap_or_default(),
        )
    }

    /// The suppressed statistics, as Python objects.
    #[getter]
    fn statistics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.statistics.to_json())
    }

    /// The statistics as CSV text.
    fn statistics_csv(&self) -> String {
        self.inner.statistics.to_csv()
    }

    /// Writes one flag file per sector into `directory`; returns their paths.
    fn write_flag_files(&self, py: Python<'_>, directory: PathBuf) -> PyResult<Vec<String>> {
        let written = self.inner.write_flag_files(|sector| {
            let path = directory.join(format!("{sector}.flag"));
            let name = path.display().to_string();
            let file = std::fs::File::create(&path).map_err(|e| samkoer_core::Error::Io {
                file: name.clone(),
                source: e,
            })?;
            Ok((std::io::BufWriter::new(file), name))
        });
        Ok(core(py, written)?.into_iter().map(|f| f.file).collect())
    }

    /// The one-citizen check: `candidate`, `deferred` or `not-candidate`.
    fn check(&self, py: Python<'_>, sector: &str, pseudonym: &[u8]) -> PyResult<String> {
        let sector = core(py, SectorCode::new(sector))?;
        let bytes: [u8; 32] = pseudonym.try_into().map_err(|_| {
            to_py(
                py,
                samkoer_core::Error::Parameter {
                    rule: samkoer_core::Rule::NotOwnPseudonym,
                },
            )
        })?;
        let answer = core(py, self.inner.check(&sector, &Pseudonym(bytes)))?;
        Ok(serde_json::to_value(answer)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default())
    }
}

/// Matches publications under a criteria file.
#[pyfunction]
#[pyo3(name = "match_publications", signature = (publications, *, criteria))]
fn match_publications(
    py: Python<'_>,
    publications: Vec<PathBuf>,
    criteria: PathBuf,
) -> PyResult<Match> {
    let name = criteria.display().to_string();
    let text = std::fs::read_to_string(&criteria).map_err(|e| {
        to_py(
            py,
            samkoer_core::Error::Io {
                file: name.clone(),
                source: e,
            },
        )
    })?;
    let catalogue = Catalogue::builtin();
    let criteria = core(py, Criteria::parse(&text, &name, catalogue))?;
    let sources = publications.into_iter().map(Source::Path).collect();
    let inner = core(
        py,
        py.detach(|| CoreMatch::run(sources, catalogue, &criteria)),
    )?;
    Ok(Match { inner })
}

/// Reviews a sector's flag file: one dict per service, with the CPR (the sector's own data).
#[pyfunction]
#[pyo3(signature = (flag_file, *, sealing_key))]
fn review<'py>(
    py: Python<'py>,
    flag_file: PathBuf,
    sealing_key: &SealingKey,
) -> PyResult<Bound<'py, PyList>> {
    let name = flag_file.display().to_string();
    let file = std::fs::File::open(&flag_file).map_err(|e| {
        to_py(
            py,
            samkoer_core::Error::Io {
                file: name.clone(),
                source: e,
            },
        )
    })?;
    let list = core(
        py,
        samkoer_core::sector::review::review(
            std::io::BufReader::new(file),
            &name,
            &sealing_key.key,
            Catalogue::builtin(),
        ),
    )?;
    let rows = PyList::empty(py);
    for item in &list.items {
        for s in &item.services {
            let row = PyDict::new(py);
            row.set_item("candidate", item.candidate.to_string())?;
            row.set_item(
                "cpr",
                String::from_utf8_lossy(item.cpr.expose_digits()).into_owned(),
            )?;
            row.set_item("service", &s.code)?;
            row.set_item("paragraph", &s.paragraph)?;
            row.set_item("name", &s.name)?;
            row.set_item("case_ref", &s.case_ref)?;
            row.set_item("caseworker", &s.caseworker)?;
            row.set_item("goal", &s.goal)?;
            row.set_item("start", s.start.to_string())?;
            rows.append(row)?;
        }
    }
    Ok(rows)
}

/// The native module.
#[pymodule]
fn _samkoer(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    m.add_class::<RunKey>()?;
    m.add_class::<SealingKey>()?;
    m.add_class::<Match>()?;
    m.add_function(wrap_pyfunction!(pseudonymise, m)?)?;
    m.add_function(wrap_pyfunction!(pseudonymise_packed, m)?)?;
    m.add_function(wrap_pyfunction!(pseudonymise_lines, m)?)?;
    m.add_function(wrap_pyfunction!(parse_cpr, m)?)?;
    m.add_function(wrap_pyfunction!(publish, m)?)?;
    m.add_function(wrap_pyfunction!(read_publication, m)?)?;
    m.add_function(wrap_pyfunction!(match_publications, m)?)?;
    m.add_function(wrap_pyfunction!(review, m)?)?;
    Ok(())
}
