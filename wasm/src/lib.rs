//! samkoer in WebAssembly: keys from key files, pseudonyms, publish, read, match, statistics,
//! flag files and review, for the browser tools and Node. Conversions only (see `js.rs`).

#![forbid(unsafe_code)]

mod js;

use std::sync::Arc;

use samkoer_core::central::matcher::{Match as CoreMatch, Source};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::formats::publication::{FileKind, FileReader, RecordRef};
use samkoer_core::progress::ProgressReader;
use samkoer_core::sector::publish::Publisher;
use samkoer_core::{KeyFileFormat, Pseudonymiser};
use wasm_bindgen::prelude::*;

/// A run key, from the text of its key file.
#[wasm_bindgen]
pub struct RunKey {
    key: samkoer_core::RunKey,
    pseudonymiser: Pseudonymiser,
}

#[wasm_bindgen]
impl RunKey {
    /// Parses a run-key file's text.
    #[wasm_bindgen(js_name = fromKeyFile)]
    pub fn from_key_file(text: &str) -> Result<RunKey, JsValue> {
        let key = js::result(samkoer_core::RunKey::from_key_file(text, "run key file"))?;
        Ok(RunKey {
            pseudonymiser: Pseudonymiser::new(&key),
            key,
        })
    }

    /// The key's public fingerprint.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint().to_string()
    }

    /// The run id.
    #[wasm_bindgen(getter)]
    pub fn run(&self) -> String {
        self.key.run().to_string()
    }
}

/// A sector's sealing key, from the text of its key file.
#[wasm_bindgen]
pub struct SealingKey {
    key: samkoer_core::SealingKey,
}

#[wasm_bindgen]
impl SealingKey {
    /// Parses a sealing-key file's text.
    #[wasm_bindgen(js_name = fromKeyFile)]
    pub fn from_key_file(text: &str) -> Result<SealingKey, JsValue> {
        Ok(SealingKey {
            key: js::result(samkoer_core::SealingKey::from_key_file(
                text,
                "sealing key file",
            ))?,
        })
    }

    /// The sector.
    #[wasm_bindgen(getter)]
    pub fn sector(&self) -> String {
        self.key.sector().to_string()
    }
}

/// Pseudonymises CPR numbers given one per line (UTF-8): 32 bytes each, packed in order.
#[wasm_bindgen(js_name = pseudonymiseLines)]
pub fn pseudonymise_lines(key: &RunKey, text: &[u8]) -> Result<Vec<u8>, JsValue> {
    js::result(key.pseudonymiser.pseudonymise_lines(text, "column"))
}

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

/// Publishes an export (bytes in): the publication and the accounting report. `mapping` is
/// the text of a mapping file, or undefined; `on_progress`, if given, is called as
/// `on_progress(bytesRead, totalBytes)` about a hundred times while the export is read.
#[wasm_bindgen]
pub fn publish(
    run_key: &RunKey,
    sealing_key: &SealingKey,
    export: Vec<u8>,
    export_name: &str,
    reference_date: &str,
    mapping: Option<String>,
    on_progress: Option<js_sys::Function>,
) -> Result<Published, JsValue> {
    let options = match mapping {
        None => ExportOptions::default(),
        Some(text) => js::result(ExportOptions::from_mapping(&text, "mapping"))?,
    };
    let publisher = js::result(Publisher::new(
        &run_key.key,
        &sealing_key.key,
        Catalogue::builtin(),
        &options,
        js::date(reference_date)?,
    ))?;
    let total = export.len() as u64;
    let report_progress = move |read: u64| {
        if let Some(callback) = &on_progress {
            // A failing progress callback must not stop the work.
            let _ = callback.call2(
                &JsValue::NULL,
                &JsValue::from(read as f64),
                &JsValue::from(total as f64),
            );
        }
    };
    // Boxed, as the core's relations input is: one reading code path in the module, not two.
    let input: Box<dyn std::io::Read> = Box::new(ProgressReader::new(
        std::io::Cursor::new(export),
        total / 100,
        report_progress,
    ));
    let (publication, report) =
        js::result(publisher.publish(input, export_name, None, Vec::new(), "publication"))?;
    Ok(Published {
        publication,
        report: report.to_json(),
    })
}

/// Reads a publication: its header and service records as JSON (pseudonyms in hex).
#[wasm_bindgen(js_name = readPublication)]
pub fn read_publication(bytes: &[u8], name: &str) -> Result<String, JsValue> {
    let mut reader = js::result(FileReader::new(bytes, FileKind::Publication, name))?;
    let mut services = Vec::new();
    while let Some(record) = js::result(reader.next_ref())? {
        if let RecordRef::Service(r) = record {
            services.push(ServiceJson {
                pseudonym: r.pseudonym.to_string(),
                service: r.service.to_owned(),
                start: format!("{:04}-{:02}", r.start.year, r.start.month),
                age_band: r.age_band.name(),
                major_change: r.major_change,
            });
        }
    }
    let h = reader.header();
    let header = HeaderJson {
        municipality: h.municipality.to_string(),
        run: h.run.to_string(),
        sector: h.sector.to_string(),
        run_key_fingerprint: h.run_key_fingerprint.to_string(),
        catalogue_version: h.catalogue_version.clone(),
        reference_date: h.reference_date.to_string(),
    };
    // Plain strings, numbers and booleans cannot fail to serialise.
    Ok(serde_json::to_string(&PublicationJson { header, services }).unwrap_or_default())
}

/// [`read_publication`]'s JSON, written by derived serialisers (smaller than `json!` values).
#[derive(serde::Serialize)]
struct PublicationJson {
    header: HeaderJson,
    services: Vec<ServiceJson>,
}

#[derive(serde::Serialize)]
struct HeaderJson {
    municipality: String,
    run: String,
    sector: String,
    run_key_fingerprint: String,
    catalogue_version: String,
    reference_date: String,
}

#[derive(serde::Serialize)]
struct ServiceJson {
    pseudonym: String,
    service: String,
    start: String,
    age_band: &'static str,
    major_change: bool,
}

/// The outcome of a match.
#[wasm_bindgen]
pub struct Match {
    inner: CoreMatch,
    flags: Vec<(String, Vec<u8>)>,
}

#[wasm_bindgen]
impl Match {
    /// The matcher's result (JSON).
    #[wasm_bindgen(js_name = resultJson)]
    pub fn result_json(&self) -> String {
        self.inner.report_json()
    }

    /// The suppressed statistics (JSON).
    #[wasm_bindgen(js_name = statisticsJson)]
    pub fn statistics_json(&self) -> String {
        self.inner.statistics.to_json()
    }

    /// The suppressed statistics (CSV).
    #[wasm_bindgen(js_name = statisticsCsv)]
    pub fn statistics_csv(&self) -> String {
        self.inner.statistics.to_csv()
    }

    /// The sectors that have a flag file, in publication order.
    #[wasm_bindgen(js_name = flagSectors)]
    pub fn flag_sectors(&self) -> Vec<String> {
        self.flags
            .iter()
            .map(|(sector, _)| sector.clone())
            .collect()
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
    publications: Vec<js_sys::Uint8Array>,
    names: Vec<String>,
    criteria: &str,
) -> Result<Match, JsValue> {
    let catalogue = Catalogue::builtin();
    let criteria = js::result(Criteria::parse(criteria, "criteria", catalogue))?;
    let sources = publications
        .iter()
        .zip(names)
        .map(|(bytes, name)| Source::Bytes {
            name,
            bytes: Arc::from(bytes.to_vec()),
        })
        .collect();
    let inner = js::result(CoreMatch::run(sources, catalogue, &criteria))?;
    let flags =
        js::result(inner.write_flag_files(|sector| Ok((Vec::new(), format!("{sector}.flag")))))?
            .into_iter()
            .map(|f| (f.sector.to_string(), f.writer))
            .collect();
    Ok(Match { inner, flags })
}

/// Reviews a sector's flag file with its sealing key: the work list as CSV.
#[wasm_bindgen]
pub fn review(flag_file: &[u8], sealing_key: &SealingKey) -> Result<String, JsValue> {
    let list = js::result(samkoer_core::sector::review::review(
        flag_file,
        "flag file",
        &sealing_key.key,
        Catalogue::builtin(),
    ))?;
    Ok(list.to_csv())
}
