//! Consent and what follows it: the registry issues, withdraws and publishes its consent
//! state, a sector verifies and discloses against that state, the plan team opens.

use samkoer_core::files::{OutputKind, Place};
use samkoer_core::flow::plan_team::{self, Open};
use samkoer_core::flow::registry::{self, Issue, PublishState, Withdraw};
use samkoer_core::flow::sector;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::{Cpr, SectorCode};
use wasm_bindgen::prelude::*;

use crate::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, PlanTeamKey, PlanTeamPublicKey, SealingKey,
    SectorPublicKey, SubjectKey,
};
use crate::{AuditLog, js, logged};

/// Issues a receipt for a CPR number typed in, the sectors in scope and a validity period
/// (milliseconds since 1970): the receipt's bytes.
#[wasm_bindgen(js_name = consentIssue)]
#[allow(clippy::too_many_arguments)] // a JavaScript signature, not a Rust API
pub fn consent_issue(
    registry: &ConsentRegistryKey,
    subject: &SubjectKey,
    cpr: &str,
    sectors: Vec<String>,
    valid_from: f64,
    valid_until: f64,
    now: f64,
    log: &AuditLog,
) -> Result<Vec<u8>, JsValue> {
    let issued_at = js::time(now)?;
    let cpr = js::result(Cpr::parse(cpr, issued_at.date(), "CPR number", 1))?;
    let sectors = sectors.iter().map(|s| SectorCode::new(s.trim()));
    let step = Issue {
        registry: &registry.key,
        subject: &subject.key,
        person: &cpr,
        sectors: js::result(sectors.collect())?,
        issued_at,
        valid_from: js::time(valid_from)?,
        valid_until: js::time(valid_until)?,
    };
    let done = logged(log, |audit| {
        registry::issue(&step, Place::memory("receipt.bin"), audit)
    })?;
    Ok(js::output(&done, OutputKind::Receipt))
}

/// Withdraws a receipt from `at` (milliseconds since 1970) on: the withdrawal's bytes.
#[wasm_bindgen(js_name = consentWithdraw)]
pub fn consent_withdraw(
    registry: &ConsentRegistryKey,
    receipt: &[u8],
    at: f64,
    log: &AuditLog,
) -> Result<Vec<u8>, JsValue> {
    let step = Withdraw {
        registry: &registry.key,
        receipt: js::input("receipt", receipt),
        at: js::time(at)?,
    };
    let done = logged(log, |audit| {
        registry::withdraw(&step, Place::memory("withdrawal.bin"), audit)
    })?;
    Ok(js::output(&done, OutputKind::Withdrawal))
}

/// Publishes the registry's consent state at `now` (milliseconds since 1970): every withdrawal
/// of `previous` (the last state's bytes; undefined only for the registry's first) and of
/// `withdrawals`, under the next sequence number: the state's bytes.
#[wasm_bindgen(js_name = consentState)]
pub fn consent_state(
    registry: &ConsentRegistryKey,
    previous: Option<Vec<u8>>,
    withdrawals: Vec<js_sys::Uint8Array>,
    now: f64,
    log: &AuditLog,
) -> Result<Vec<u8>, JsValue> {
    let names = (1..=withdrawals.len())
        .map(|i| format!("withdrawal {i}"))
        .collect();
    let step = PublishState {
        registry: &registry.key,
        previous: previous.map(|bytes| js::input("previous consent state", &bytes)),
        withdrawals: js::inputs(withdrawals, names),
        now: js::time(now)?,
    };
    let done = logged(log, |audit| {
        registry::consent_state(&step, Place::memory("consent-state.bin"), audit)
    })?;
    Ok(js::output(&done, OutputKind::ConsentState))
}

/// Opens one citizen's disclosure bundles (their bytes and names) with the plan team's key,
/// each checked as signed by its sector's public key (the key files' texts) and answering the
/// receipt (verified under the registry's public key): the opened disclosures (JSON).
#[wasm_bindgen(js_name = openBundles)]
#[allow(clippy::too_many_arguments)] // a JavaScript signature, not a Rust API
pub fn open_bundles(
    plan_team: &PlanTeamKey,
    registry: &ConsentRegistryPublicKey,
    receipt: &[u8],
    sector_public_keys: Vec<String>,
    bundles: Vec<js_sys::Uint8Array>,
    names: Vec<String>,
    log: &AuditLog,
) -> Result<String, JsValue> {
    let sectors = sector_public_keys
        .iter()
        .map(|text| SectorPublicKey::from_key_file(text).map(|k| k.key))
        .collect::<Result<Vec<_>, _>>()?;
    let step = Open {
        plan_team: &plan_team.key,
        registry: &registry.key,
        receipt: js::input("receipt", receipt),
        sectors,
        bundles: js::inputs(bundles, names),
    };
    let done = logged(log, |audit| plan_team::open(&step, None, audit))?;
    Ok(done.summary.to_json())
}

/// Checks a receipt for the sector of `sealing_key` (which signs the entry) at `now`
/// (milliseconds since 1970) against the registry's
/// consent state (required: undefined is refused; no older than `state_max_age_hours`, nor than
/// one `log` shows used): its id (hex), or the refusal as the error.
#[wasm_bindgen(js_name = consentVerify)]
#[allow(clippy::too_many_arguments)] // a JavaScript signature, not a Rust API
pub fn consent_verify(
    registry: &ConsentRegistryPublicKey,
    receipt: &[u8],
    consent_state: Option<Vec<u8>>,
    state_max_age_hours: u32,
    sealing_key: &SealingKey,
    now: f64,
    log: &AuditLog,
) -> Result<String, JsValue> {
    let step = sector::VerifyConsent {
        registry: &registry.key,
        receipt: js::input("receipt", receipt),
        consent_state: consent_state.map(|bytes| js::input("consent state", &bytes)),
        state_max_age: u64::from(state_max_age_hours) * 3600,
        sealing_key: &sealing_key.key,
        now: js::time(now)?,
    };
    let done = logged(log, |audit| sector::verify_consent(&step, audit))?;
    Ok(done.summary.id_hex())
}

/// Discloses the sector's services of a consented citizen that are ongoing on `ongoing_on`
/// (`YYYY-MM-DD`; undefined for the date of `now`), sealed for the plan team, after checking
/// the registry's consent state as [`consent_verify`] does: the bundle's bytes, or the refusal
/// as the error.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)] // a JavaScript signature, not a Rust API
pub fn disclose(
    registry: &ConsentRegistryPublicKey,
    subject: &SubjectKey,
    sealing_key: &SealingKey,
    plan_team: &PlanTeamPublicKey,
    receipt: &[u8],
    consent_state: Option<Vec<u8>>,
    state_max_age_hours: u32,
    export: &[u8],
    export_name: &str,
    now: f64,
    ongoing_on: Option<String>,
    log: &AuditLog,
) -> Result<Vec<u8>, JsValue> {
    let step = sector::Disclose {
        registry: &registry.key,
        subject: &subject.key,
        sealing_key: &sealing_key.key,
        plan_team: &plan_team.key,
        catalogue: Catalogue::builtin(),
        options: &ExportOptions::default(),
        receipt: js::input("receipt", receipt),
        consent_state: consent_state.map(|bytes| js::input("consent state", &bytes)),
        state_max_age: u64::from(state_max_age_hours) * 3600,
        export: js::input(export_name, export),
        now: js::time(now)?,
        ongoing_on: ongoing_on.as_deref().map(js::date).transpose()?,
    };
    let done = logged(log, |audit| {
        sector::disclose(&step, Place::memory("bundle"), audit)
    })?;
    Ok(js::output(&done, OutputKind::Bundle))
}
