//! samkoer in WebAssembly: every step a browser tool takes, in the file-free form of the core's
//! steps (bytes in, bytes out), for the browser tools and Node. Keys are read from their key
//! files' text; an [`AuditLog`] held in memory takes each step's entry. Conversions only (see
//! `js.rs`): every rule lives in the core.

#![forbid(unsafe_code)]

#[cfg(feature = "every-step")]
mod central;
#[cfg(feature = "every-step")]
mod consent;
mod js;
mod keys;
mod sector;
#[cfg(feature = "every-step")]
mod suitability;

use std::cell::RefCell;

#[cfg(feature = "every-step")]
use samkoer_core::files::Input;
use samkoer_core::flow::Audit;
#[cfg(feature = "every-step")]
use samkoer_core::flow::{VerifyAudit, party_signer, verify_audit, verify_log};
#[cfg(feature = "every-step")]
use samkoer_core::formats::publication::{FileKind, FileReader, RecordRef};
use wasm_bindgen::prelude::*;

pub use keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, MatcherKey, PlanTeamKey, PlanTeamPublicKey,
    RunKey, SealingKey, SubjectKey,
};

/// An audit log held in memory: every step given it appends its entry (spec §16). Save its
/// bytes as the party's log file; `AuditLog.none()` keeps none.
#[wasm_bindgen]
pub struct AuditLog {
    text: RefCell<Option<Vec<u8>>>,
}

#[wasm_bindgen]
impl AuditLog {
    /// A log continuing `text` (a log file's bytes, verified first), or a new one. (The export
    /// tool's module keeps no log, and has no room for reading one.)
    #[cfg(feature = "every-step")]
    #[wasm_bindgen(constructor)]
    pub fn new(text: Option<Vec<u8>>) -> Result<AuditLog, JsValue> {
        let text = text.unwrap_or_default();
        js::result(verify_log(&Input::bytes("audit log", text.clone()), None))?;
        Ok(AuditLog {
            text: RefCell::new(Some(text)),
        })
    }

    /// No log: the steps given it leave no entry.
    pub fn none() -> AuditLog {
        AuditLog {
            text: RefCell::new(None),
        }
    }

    /// The log's bytes, to save as a file (empty for `AuditLog.none()`).
    #[wasm_bindgen(getter)]
    pub fn bytes(&self) -> Vec<u8> {
        self.text.borrow().clone().unwrap_or_default()
    }
}

/// Runs a step with the log, timed by the page's clock, and keeps what it appended.
#[cfg(feature = "every-step")]
pub(crate) fn logged<T>(
    log: &AuditLog,
    step: impl FnOnce(&Audit) -> samkoer_core::Result<T>,
) -> Result<T, JsValue> {
    let Some(text) = log.text.borrow().clone() else {
        return js::result(step(&Audit::none()));
    };
    let audit = Audit::memory(text).at(js::time(js_sys::Date::now())?);
    let done = step(&audit);
    *log.text.borrow_mut() = audit.memory_log();
    js::result(done)
}

/// [`logged`] where no log can be kept: the step runs without one.
#[cfg(not(feature = "every-step"))]
pub(crate) fn logged<T>(
    _log: &AuditLog,
    step: impl FnOnce(&Audit) -> samkoer_core::Result<T>,
) -> Result<T, JsValue> {
    js::result(step(&Audit::none()))
}

#[cfg(feature = "every-step")]
/// Verifies an audit log's bytes (spec §16) with its signatures — against a head kept elsewhere
/// (`SEQ:HASH`) if given; given the text of the party's key file (or of a public key that names
/// its signer), with every entry signed by that party's key; and against the files the party
/// handed on (`evidence`, their bytes and names), whose log heads it must hold (§16.3): the
/// head, as `SEQ:HASH`.
#[wasm_bindgen(js_name = auditVerify)]
pub fn audit_verify(
    log: &[u8],
    name: &str,
    head: Option<String>,
    signer_key_file: Option<String>,
    evidence: Option<Vec<js_sys::Uint8Array>>,
    evidence_names: Option<Vec<String>>,
) -> Result<String, JsValue> {
    let expected = head.as_deref().map(samkoer_core::audit::Head::parse);
    let signer = match signer_key_file {
        Some(text) => {
            let key = js::input("signer key file", text.as_bytes());
            Some(js::result(party_signer(&key))?)
        }
        None => None,
    };
    let step = VerifyAudit {
        log: js::input(name, log),
        head: js::result(expected.transpose())?,
        signer,
        evidence: js::inputs(
            evidence.unwrap_or_default(),
            evidence_names.unwrap_or_default(),
        ),
    };
    Ok(js::result(verify_audit(&step))?.head.to_string())
}

#[cfg(feature = "every-step")]
/// Every rule of the one error table (spec §10) as JSON: `code`, `name`, `form`,
/// `description`, `remedy` — what a tool looks its messages up by.
#[wasm_bindgen]
pub fn rules() -> String {
    let rules: Vec<_> = samkoer_core::Rule::ALL
        .iter()
        .map(|r| {
            serde_json::json!({
                "code": r.code(), "name": r.name(), "form": r.form().name(),
                "description": r.description(), "remedy": r.remedy(),
            })
        })
        .collect();
    js::json(&rules)
}

/// Pseudonymises CPR numbers given one per line (UTF-8): 32 bytes each, packed in order.
#[wasm_bindgen(js_name = pseudonymiseLines)]
pub fn pseudonymise_lines(key: &RunKey, text: &[u8]) -> Result<Vec<u8>, JsValue> {
    js::result(key.pseudonymiser.pseudonymise_lines(text, "column"))
}

/// Reads a publication: its header and service records as JSON (pseudonyms in hex). Not in
/// the export tool's module, which only writes publications: checking a signature would add
/// the verifier to it.
#[cfg(feature = "every-step")]
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
    Ok(js::json(&PublicationJson { header, services }))
}

/// [`read_publication`]'s JSON, written by derived serialisers (smaller than `json!` values).
#[cfg(feature = "every-step")]
#[derive(serde::Serialize)]
struct PublicationJson {
    header: HeaderJson,
    services: Vec<ServiceJson>,
}

#[cfg(feature = "every-step")]
#[derive(serde::Serialize)]
struct HeaderJson {
    municipality: String,
    run: String,
    sector: String,
    run_key_fingerprint: String,
    catalogue_version: String,
    reference_date: String,
}

#[cfg(feature = "every-step")]
#[derive(serde::Serialize)]
struct ServiceJson {
    pseudonym: String,
    service: String,
    start: String,
    age_band: &'static str,
    major_change: bool,
}
