//! The step the export tool takes: publish.

use std::rc::Rc;

use samkoer_core::files::OutputKind;
use samkoer_core::flow::sector::{self, Progress, PublishTo};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::sector::publish::PublishLimits;
use wasm_bindgen::prelude::*;

use crate::keys::{RunKey, SealingKey};
use crate::{AuditLog, js, logged};

/// A publication and its accounting report.
#[wasm_bindgen]
pub struct Published {
    publication: Vec<u8>,
    report: String,
}

#[wasm_bindgen]
impl Published {
    /// The publication's bytes.
    #[wasm_bindgen(getter)]
    pub fn publication(&self) -> Vec<u8> {
        self.publication.clone()
    }

    /// The accounting report (JSON).
    #[wasm_bindgen(getter)]
    pub fn report(&self) -> String {
        self.report.clone()
    }
}

fn options(mapping: Option<String>) -> Result<ExportOptions, JsValue> {
    match mapping {
        None => Ok(ExportOptions::default()),
        Some(text) => js::result(ExportOptions::from_mapping(&text, "mapping")),
    }
}

/// Publishes an export (bytes in) on the run key's reference date: the publication and the
/// accounting report. `mapping` is
/// the text of a mapping file, or undefined; `on_progress`, if given, is called as
/// `on_progress(bytesRead, totalBytes)` about a hundred times while the export is read;
/// `max_rejected_percent` is the most rows that may be rejected (undefined: 5 %), beyond
/// which, or with every row excluded by one rule, the publish fails (spec §8.6).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)] // a JavaScript signature with optional arguments
pub fn publish(
    run_key: &RunKey,
    sealing_key: &SealingKey,
    export: Vec<u8>,
    export_name: &str,
    mapping: Option<String>,
    on_progress: Option<js_sys::Function>,
    max_rejected_percent: Option<u32>,
    log: &AuditLog,
) -> Result<Published, JsValue> {
    let limits = match max_rejected_percent {
        None => PublishLimits::default(),
        Some(percent) => js::result(PublishLimits::new(percent, false))?,
    };
    let progress = on_progress.map(|callback| {
        Progress(Rc::new(move |read: u64, total: u64| {
            // A failing progress callback must not stop the work.
            let _ = callback.call2(
                &JsValue::NULL,
                &(read as f64).into(),
                &(total as f64).into(),
            );
        }))
    });
    let step = sector::Publish {
        run_key: &run_key.key,
        sealing_key: &sealing_key.key,
        catalogue: Catalogue::builtin(),
        options: &options(mapping)?,
        export: samkoer_core::files::Input::bytes(export_name, export),
        relations: None,
        threads: Some(1),
        progress,
        limits,
    };
    let done = logged(log, |audit| {
        sector::publish(&step, &PublishTo::memory(), audit)
    })?;
    Ok(Published {
        publication: js::output(&done, OutputKind::Publication),
        report: done.summary.to_json(),
    })
}
