//! The steps of the suitability assessment and the one-citizen check: a sector reviews its flag
//! file, asks, and turns its filled-in work list into verdicts; the central unit answers and
//! selects.

use samkoer_core::files::Place;
use samkoer_core::flow::central::{self, Select};
use samkoer_core::flow::sector;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::{Cpr, SectorCode};
use wasm_bindgen::prelude::*;

use crate::central::Match;
use crate::keys::{RunKey, SealingKey};
use crate::{AuditLog, js, logged};

/// The one-citizen check's request (JSON) for a CPR number typed in: the citizen's pseudonym,
/// never the number, for the matcher.
#[wasm_bindgen(js_name = askCheck)]
pub fn ask_check(
    run_key: &RunKey,
    sector: &str,
    cpr: &str,
    log: &AuditLog,
) -> Result<String, JsValue> {
    let today = js::time(js_sys::Date::now())?.date();
    let cpr = js::result(Cpr::parse(cpr, today, "CPR number", 1))?;
    let step = sector::AskCheck {
        run_key: &run_key.key,
        sector: js::result(SectorCode::new(sector))?,
        cpr: &cpr,
    };
    let done = logged(log, |audit| {
        sector::ask_check(&step, Place::memory("check-request.json"), audit)
    })?;
    Ok(done.summary.to_json())
}

/// Turns a filled-in work list (CSV) into the verdict file (JSON) the sector sends.
#[wasm_bindgen]
pub fn verdict(
    flag_file: &[u8],
    name: &str,
    sealing_key: &SealingKey,
    work_list: &[u8],
    log: &AuditLog,
) -> Result<String, JsValue> {
    let step = review_step(flag_file, name, sealing_key);
    let work_list = js::input("work list", work_list);
    let done = logged(log, |audit| {
        sector::verdict(&step, &work_list, Place::memory("verdicts.json"), audit)
    })?;
    Ok(done.summary.to_json())
}

/// A reviewed flag file: the caseworkers' work list.
#[wasm_bindgen]
pub struct Reviewed {
    csv: String,
    json: String,
}

#[wasm_bindgen]
impl Reviewed {
    /// The work list as CSV, with empty `verdict` and `from` columns (it holds CPR numbers).
    #[wasm_bindgen(getter)]
    pub fn csv(&self) -> String {
        self.csv.clone()
    }

    /// The work list as JSON rows (it holds CPR numbers).
    #[wasm_bindgen(getter)]
    pub fn json(&self) -> String {
        self.json.clone()
    }
}

fn review_step<'a>(flag_file: &[u8], name: &str, key: &'a SealingKey) -> sector::Review<'a> {
    sector::Review {
        sealing_key: &key.key,
        catalogue: Catalogue::builtin(),
        flag_file: js::input(name, flag_file),
    }
}

/// Reviews a sector's flag file with its sealing key: the work list.
#[wasm_bindgen]
pub fn review(
    flag_file: &[u8],
    name: &str,
    sealing_key: &SealingKey,
    log: &AuditLog,
) -> Result<Reviewed, JsValue> {
    let step = review_step(flag_file, name, sealing_key);
    let done = logged(log, |audit| {
        sector::review(&step, Place::memory("worklist.csv"), audit)
    })?;
    Ok(Reviewed {
        csv: done.made.first().map(js::text_of).unwrap_or_default(),
        json: done.summary.to_json(),
    })
}

#[wasm_bindgen]
impl Match {
    /// Answers a sector's one-citizen check request (JSON): the answer (JSON).
    pub fn check(&self, request: &[u8], log: &AuditLog) -> Result<String, JsValue> {
        let request = js::input("check request", request);
        let done = logged(log, |audit| {
            central::check(
                &self.inner,
                &request,
                Place::memory("check-answer.json"),
                audit,
            )
        })?;
        Ok(done.summary.to_json())
    }
}

/// Combines the sectors' verdict files with the match result: the selection (JSON).
#[wasm_bindgen]
pub fn select(
    match_result: &[u8],
    verdicts: Vec<js_sys::Uint8Array>,
    names: Vec<String>,
    log: &AuditLog,
) -> Result<String, JsValue> {
    let step = Select {
        match_result: js::input("result.json", match_result),
        verdicts: js::inputs(verdicts, names),
    };
    let done = logged(log, |audit| {
        central::select(&step, Place::memory("selection.json"), audit)
    })?;
    Ok(done.summary.to_json())
}
