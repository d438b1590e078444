//! Keys: the run key (with its pre-keyed pseudonymiser) and the sealing key as objects, and
//! `keygen` of every kind.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use samkoer_core::files::Input;
use samkoer_core::flow::{KeyRequest, keygen};
use samkoer_core::primitives::keys::ConsentRegistryKey;
use samkoer_core::{KeyFileFormat, MasterKey, MunicipalityCode, Pseudonymiser, RunId, SectorCode};

use crate::convert::{audit, core, date_or_today, key, place};

/// A run key, read from its key file.
///
/// >>> key = samkoer.RunKey.from_file("run.key")
/// >>> key.run, key.municipality
/// ('2026-11', '219')
#[pyclass(frozen, module = "samkoer")]
pub struct RunKey {
    pub key: samkoer_core::RunKey,
    pub pseudonymiser: Pseudonymiser,
}

#[pymethods]
impl RunKey {
    /// Reads a run key file (refused if others than its owner may read it).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<RunKey> {
        RunKey::of(key(py, &path)?)
    }

    /// Parses a run key file's text.
    #[staticmethod]
    fn from_key_file_text(py: Python<'_>, text: &str) -> PyResult<RunKey> {
        RunKey::of(core(
            py,
            samkoer_core::RunKey::from_key_file(text, "key file"),
        )?)
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

    /// The run's reference date (`YYYY-MM-DD`), on which every sector publishes.
    #[getter]
    fn reference_date(&self) -> String {
        self.key.reference_date().to_string()
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

impl RunKey {
    fn of(key: samkoer_core::RunKey) -> PyResult<RunKey> {
        Ok(RunKey {
            pseudonymiser: Pseudonymiser::new(&key),
            key,
        })
    }
}

/// A sector's sealing key, read from its key file.
///
/// >>> samkoer.SealingKey.from_file("employment.key").sector
/// 'employment'
#[pyclass(frozen, module = "samkoer")]
pub struct SealingKey {
    pub key: samkoer_core::SealingKey,
}

#[pymethods]
impl SealingKey {
    /// Reads a sealing key file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<SealingKey> {
        Ok(SealingKey {
            key: key(py, &path)?,
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

/// A run key given as an object or as its key file's path.
#[derive(FromPyObject)]
pub enum RunKeyArg<'py> {
    Key(PyRef<'py, RunKey>),
    Path(PathBuf),
}

impl RunKeyArg<'_> {
    /// Calls `f` with the run key.
    pub fn with<T>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&samkoer_core::RunKey) -> PyResult<T>,
    ) -> PyResult<T> {
        match self {
            RunKeyArg::Key(k) => f(&k.key),
            RunKeyArg::Path(path) => f(&key(py, path)?),
        }
    }
}

/// A sealing key given as an object or as its key file's path.
#[derive(FromPyObject)]
pub enum SealingKeyArg<'py> {
    Key(PyRef<'py, SealingKey>),
    Path(PathBuf),
}

impl SealingKeyArg<'_> {
    /// Calls `f` with the sealing key.
    pub fn with<T>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&samkoer_core::SealingKey) -> PyResult<T>,
    ) -> PyResult<T> {
        match self {
            SealingKeyArg::Key(k) => f(&k.key),
            SealingKeyArg::Path(path) => f(&key(py, path)?),
        }
    }
}

/// Makes a key of `kind` and writes its key file: `{kind, fingerprint, municipality, run,
/// reference_date, sector, file}`.
#[pyfunction]
#[pyo3(signature = (kind, out, *, municipality=None, sector=None, master=None, run=None, reference_date=None, key=None, audit_log=None))]
#[allow(clippy::too_many_arguments)] // a Python signature with keyword arguments, not a Rust API
pub fn keygen_kind<'py>(
    py: Python<'py>,
    kind: &str,
    out: PathBuf,
    municipality: Option<&str>,
    sector: Option<&str>,
    master: Option<PathBuf>,
    run: Option<&str>,
    reference_date: Option<&str>,
    key: Option<PathBuf>,
    audit_log: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let missing =
        |what: &str| pyo3::exceptions::PyTypeError::new_err(format!("keygen {kind} needs {what}"));
    let m = || -> PyResult<MunicipalityCode> {
        core(
            py,
            MunicipalityCode::parse(municipality.ok_or_else(|| missing("municipality"))?),
        )
    };
    let (master_key, registry, public): (MasterKey, ConsentRegistryKey, Input);
    let request = match kind {
        "master" => KeyRequest::Master(m()?),
        "run" => {
            master_key = crate::convert::key(py, &master.ok_or_else(|| missing("master"))?)?;
            let run = core(py, RunId::new(run.ok_or_else(|| missing("run"))?))?;
            KeyRequest::Run(&master_key, run, date_or_today(py, reference_date)?)
        }
        "sealing" => KeyRequest::Sealing(
            m()?,
            core(
                py,
                SectorCode::new(sector.ok_or_else(|| missing("sector"))?),
            )?,
        ),
        "consent-registry" => KeyRequest::ConsentRegistry(m()?),
        "subject" => {
            registry = crate::convert::key(py, &key.ok_or_else(|| missing("key"))?)?;
            KeyRequest::Subject(&registry)
        }
        "plan-team" => KeyRequest::PlanTeam(m()?),
        "matcher" => KeyRequest::Matcher(m()?),
        "public" => {
            public = Input::path(key.ok_or_else(|| missing("key"))?);
            KeyRequest::Public(&public)
        }
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "no key kind {other}"
            )));
        }
    };
    let made = core(py, keygen(request, place(out.clone()), &audit(audit_log)))?.summary;
    let summary = PyDict::new(py);
    summary.set_item("kind", made.kind.name())?;
    summary.set_item("fingerprint", made.fingerprint.to_string())?;
    summary.set_item("municipality", made.municipality.to_string())?;
    summary.set_item("run", made.run.map(|r| r.to_string()))?;
    summary.set_item("reference_date", made.reference_date.map(|d| d.to_string()))?;
    summary.set_item("sector", made.sector.map(|s| s.to_string()))?;
    summary.set_item("file", out)?;
    Ok(summary)
}
