//! The central unit's match, as the dashboard runs it.

use samkoer_core::files::Input;
use samkoer_core::files::OutputKind;
use samkoer_core::flow::central::{self, MatchStep, MatchTo};
use samkoer_core::formats::catalogue::Catalogue;
use wasm_bindgen::prelude::*;

use crate::keys::MatcherKey;
use crate::{AuditLog, js, logged};

/// The outcome of a match: its outputs, the check index among them.
#[wasm_bindgen]
pub struct Match {
    result: String,
    statistics_json: String,
    statistics_csv: String,
    flags: Vec<(String, Vec<u8>)>,
    check_index: Vec<u8>,
}

#[wasm_bindgen]
impl Match {
    /// The matcher's result (JSON).
    #[wasm_bindgen(js_name = resultJson)]
    pub fn result_json(&self) -> String {
        self.result.clone()
    }

    /// The suppressed statistics (JSON).
    #[wasm_bindgen(js_name = statisticsJson)]
    pub fn statistics_json(&self) -> String {
        self.statistics_json.clone()
    }

    /// The suppressed statistics (CSV).
    #[wasm_bindgen(js_name = statisticsCsv)]
    pub fn statistics_csv(&self) -> String {
        self.statistics_csv.clone()
    }

    /// The sectors that have a flag file, in publication order.
    #[wasm_bindgen(js_name = flagSectors)]
    pub fn flag_sectors(&self) -> Vec<String> {
        self.flags
            .iter()
            .map(|(sector, _)| sector.clone())
            .collect()
    }

    /// The check index (`check-index`): what one-citizen checks are answered from.
    #[wasm_bindgen(js_name = checkIndex)]
    pub fn check_index(&self) -> Vec<u8> {
        self.check_index.clone()
    }

    /// The flag file of a sector.
    #[wasm_bindgen(js_name = flagFile)]
    pub fn flag_file(&self, sector: &str) -> Option<Vec<u8>> {
        self.flags
            .iter()
            .find(|(s, _)| s == sector)
            .map(|(_, bytes)| bytes.clone())
    }
}

/// Matches publications (their bytes and names) under a criteria file's text.
#[wasm_bindgen(js_name = matchPublications)]
pub fn match_publications(
    matcher: &MatcherKey,
    publications: Vec<js_sys::Uint8Array>,
    names: Vec<String>,
    criteria: &str,
    log: &AuditLog,
) -> Result<Match, JsValue> {
    let step = MatchStep {
        matcher: &matcher.key,
        catalogue: Catalogue::builtin(),
        criteria: Input::bytes("criteria", criteria.as_bytes()),
        publications: js::inputs(publications, names),
    };
    let done = logged(log, |audit| {
        central::match_publications(&step, &MatchTo::memory(), audit)
    })?;
    let flags = done
        .made
        .iter()
        .filter(|m| m.kind == OutputKind::FlagFile)
        .zip(&done.summary.publications)
        .map(|(made, publication)| {
            (
                publication.sector.to_string(),
                made.bytes.clone().unwrap_or_default(),
            )
        })
        .collect();
    let text = |kind| done.output(kind).map(js::text_of).unwrap_or_default();
    Ok(Match {
        result: text(OutputKind::MatchResult),
        statistics_json: text(OutputKind::StatisticsJson),
        statistics_csv: text(OutputKind::StatisticsCsv),
        flags,
        check_index: done
            .bytes(OutputKind::CheckIndex)
            .unwrap_or_default()
            .to_vec(),
    })
}
