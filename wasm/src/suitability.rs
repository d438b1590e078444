//! The steps of the suitability assessment and the one-citizen check: a sector reviews its flag
//! file, asks, and turns its filled-in work list into verdicts; the central unit answers and
//! selects.

use samkoer_core::files::Place;
use samkoer_core::flow::central::{self, Select};
use samkoer_core::flow::sector;
use samkoer_core::formats::catalogue::Catalogue;
use wasm_bindgen::prelude::*;

use crate::keys::{MatcherKey, RunKey, SealingKey};
use crate::{AuditLog, js, logged};

/// The one-citizen check's signed request (JSON) for the CPR numbers typed in (one per line):
/// the citizens' pseudonyms, never the numbers, for the matcher.
#[wasm_bindgen(js_name = askCheck)]
pub fn ask_check(
    run_key: &RunKey,
    sealing_key: &SealingKey,
    persons: &str,
    log: &AuditLog,
) -> Result<String, JsValue> {
    let step = sector::AskCheck {
        run_key: &run_key.key,
        sealing_key: &sealing_key.key,
        persons: js::input("CPR numbers", persons.as_bytes()),
    };
    let done = logged(log, |audit| {
        sector::ask_check(&step, Place::memory("check-request.json"), audit)
    })?;
    Ok(done.summary.to_json())
}

/// Answers a sector's check request (JSON) from a match's check index: the answer (JSON).
#[wasm_bindgen(js_name = answerCheck)]
pub fn answer_check(
    matcher: &MatcherKey,
    index: &[u8],
    request: &[u8],
    log: &AuditLog,
) -> Result<String, JsValue> {
    let step = central::Check {
        matcher: &matcher.key,
        index: js::input("check-index", index),
        request: js::input("check request", request),
    };
    let done = logged(log, |audit| {
        central::check(&step, Place::memory("check-answer.json"), audit)
    })?;
    Ok(done.summary.to_json())
}

/// Reads the matcher's answer (JSON) back onto the CPR numbers asked about: `cpr;answer` per
/// citizen (CSV; it holds CPR numbers).
#[wasm_bindgen(js_name = readCheck)]
pub fn read_check(
    run_key: &RunKey,
    sealing_key: &SealingKey,
    persons: &str,
    answer: &[u8],
    log: &AuditLog,
) -> Result<String, JsValue> {
    let step = sector::ReadCheck {
        run_key: &run_key.key,
        sealing_key: &sealing_key.key,
        persons: js::input("CPR numbers", persons.as_bytes()),
        answer: js::input("check answer", answer),
    };
    let done = logged(log, |audit| {
        sector::read_check(&step, Place::memory("check.csv"), audit)
    })?;
    Ok(done.made.first().map(js::text_of).unwrap_or_default())
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
    Ok(done.made.first().map(js::text_of).unwrap_or_default())
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

/// Combines the sectors' verdict files with the match result: the selection (JSON).
#[wasm_bindgen]
pub fn select(
    matcher: &MatcherKey,
    match_result: &[u8],
    verdicts: Vec<js_sys::Uint8Array>,
    names: Vec<String>,
    log: &AuditLog,
) -> Result<String, JsValue> {
    let step = Select {
        matcher: &matcher.key,
        match_result: js::input("result.json", match_result),
        verdicts: js::inputs(verdicts, names),
    };
    let done = logged(log, |audit| {
        central::select(&step, Place::memory("selection.json"), audit)
    })?;
    Ok(done.summary.to_json())
}
