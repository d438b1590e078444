//! The central unit's steps: match, answer the one-citizen check, select.

use std::path::PathBuf;

use pyo3::prelude::*;
use samkoer_core::central::matcher::Match as CoreMatch;
use samkoer_core::files::Input;
use samkoer_core::flow::central::{self, MatchStep, MatchTo, Select};

use crate::convert::{audit, catalogue, core, inputs, json, key, made, place};
use samkoer_core::primitives::keys::MatcherKey;

/// The outcome of a match, in memory: its result, statistics and the files it wrote (the check
/// index among them, for one-citizen checks).
///
/// >>> matched = samkoer.match(["employment.pub", "adult-social.pub"], criteria="criteria.toml",
/// ...                         out_dir="match")
/// >>> len(matched.result["candidates"])
/// 412
#[pyclass(frozen, module = "samkoer")]
pub struct Match {
    inner: CoreMatch,
    made: Vec<(String, String, String)>,
}

#[pymethods]
impl Match {
    /// The matcher's result (no pseudonym, no envelope), as Python objects.
    #[getter]
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.report_json())
    }

    /// The suppressed statistics, as Python objects.
    #[getter]
    fn statistics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.statistics.to_json())
    }

    /// The statistics as CSV text.
    fn statistics_csv(&self) -> String {
        self.inner.statistics.to_csv()
    }

    /// What the match wrote: `(kind, file, digest)` per output.
    #[getter]
    fn made(&self) -> Vec<(String, String, String)> {
        self.made.clone()
    }
}

/// Matches the publications under the criteria into the folder `out_dir` (result, statistics,
/// flag files; never over an earlier match's).
#[pyfunction]
#[pyo3(name = "match_publications", signature = (publications, *, matcher_key, criteria, out_dir, catalogue=None, audit_log=None))]
pub fn match_publications(
    py: Python<'_>,
    publications: Vec<PathBuf>,
    matcher_key: PathBuf,
    criteria: PathBuf,
    out_dir: PathBuf,
    catalogue: Option<PathBuf>,
    audit_log: Option<PathBuf>,
) -> PyResult<Match> {
    let catalogue = self::catalogue(py, catalogue)?;
    let matcher: MatcherKey = key(py, &matcher_key)?;
    let step = MatchStep {
        matcher: &matcher,
        catalogue: &catalogue,
        criteria: Input::path(criteria),
        publications: inputs(publications),
    };
    let done = py.detach(|| {
        central::match_publications(&step, &MatchTo::folder(out_dir), &audit(audit_log))
    });
    let done = core(py, done)?;
    Ok(Match {
        made: made(&done.made),
        inner: done.summary,
    })
}

/// Answers a sector's signed check request from the match's check index (`check-index` in
/// its folder) into `out`, without the publications; returns the answer.
#[pyfunction]
#[pyo3(signature = (index, request, out, *, matcher_key, audit_log=None))]
pub fn check_answer<'py>(
    py: Python<'py>,
    index: PathBuf,
    request: PathBuf,
    out: PathBuf,
    matcher_key: PathBuf,
    audit_log: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let matcher: MatcherKey = key(py, &matcher_key)?;
    let step = central::Check {
        matcher: &matcher,
        index: Input::path(index),
        request: Input::path(request),
    };
    let reply = central::check(&step, place(out), &audit(audit_log));
    json(py, &core(py, reply)?.summary.to_json())
}

/// Combines the sectors' verdict files with the match result into the selection at `out`.
#[pyfunction]
#[pyo3(signature = (match_result, verdicts, out, *, matcher_key, audit_log=None))]
pub fn select<'py>(
    py: Python<'py>,
    match_result: PathBuf,
    verdicts: Vec<PathBuf>,
    out: PathBuf,
    matcher_key: PathBuf,
    audit_log: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let matcher: MatcherKey = key(py, &matcher_key)?;
    let step = Select {
        matcher: &matcher,
        match_result: Input::path(match_result),
        verdicts: inputs(verdicts),
    };
    let selection = core(py, central::select(&step, place(out), &audit(audit_log)))?;
    json(py, &selection.summary.to_json())
}
