//! Secret hygiene of the public types: every type that holds a key, a keyed state, a CPR number
//! or a case's texts prints none of it through `Debug` (plain or pretty) and says it is
//! redacted; every one is wiped on drop; no secret key type can be compared, cloned or copied.
//! The crate-private key buffer is checked by a unit test in `keys.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::fmt::Debug;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samkoer_core::consent::disclosure::{DisclosedService, Disclosure};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::{ExportOptions, RelationRow, ServiceRow, Status};
use samkoer_core::primitives::envelope::SealState;
use samkoer_core::primitives::ids::CandidateId;
use samkoer_core::primitives::keys::{ConsentRegistryKey, PlanTeamKey, SubjectKey};
use samkoer_core::sector::publish::Publisher;
use samkoer_core::sector::review::{ReviewedService, WorkItem, WorkList};
use samkoer_core::{
    Cpr, EnvelopeContent, EnvelopeKey, MasterKey, MunicipalityCode, Pseudonymiser, RunId, RunKey,
    SealingKey, SectorCode,
};
use static_assertions::assert_not_impl_any;
use time::macros::date;
use zeroize::ZeroizeOnDrop;

/// 32 distinct key bytes, so that any four of them in a row are recognisable.
const KEY: [u8; 32] = {
    let mut key = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        key[i] = 0x9c_u8.wrapping_add(7 * i as u8);
        i += 1;
    }
    key
};

const CPR: &str = "2307851947";
const OTHER_CPR: &str = "0402114562";
const CASE_REF: &str = "SAG-2025-31337";
const CASEWORKER: &str = "Birgitte Kjærsgaard";
const GOAL: &str = "Egen bolig inden sommer";

fn town() -> MunicipalityCode {
    MunicipalityCode::new(219).unwrap()
}

fn run() -> RunId {
    RunId::new("2026-11").unwrap()
}

fn sector() -> SectorCode {
    SectorCode::new("adult-social").unwrap()
}

fn cpr(text: &str) -> Cpr {
    Cpr::parse_undated(text, "test", 1).unwrap()
}

/// Every four-byte run of `secret` as `Debug` or a careless formatter might show it: hex in
/// either case, decimal bytes as an array prints them (spaces removed), and base64.
fn shown_forms(secret: &[u8]) -> Vec<String> {
    let base64 = STANDARD.encode(secret);
    let mut forms = Vec::new();
    for window in secret.windows(4) {
        forms.push(hex::encode(window));
        forms.push(hex::encode_upper(window));
        let decimal: Vec<String> = window.iter().map(u8::to_string).collect();
        forms.push(decimal.join(","));
    }
    forms.extend(
        base64
            .as_bytes()
            .windows(8)
            .map(|w| String::from_utf8(w.to_vec()).unwrap()),
    );
    forms
}

/// `value`'s `Debug`, plain and pretty, holds none of `secrets` (bytes) nor `texts`, and says it
/// is redacted.
fn assert_redacted(value: &impl Debug, secrets: &[&[u8]], texts: &[&str]) {
    for shown in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(shown.contains("redacted"), "does not say redacted: {shown}");
        let compact: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
        for secret in secrets {
            for form in shown_forms(secret) {
                assert!(
                    !shown.contains(&form) && !compact.contains(&form),
                    "shows a secret as {form}: {shown}"
                );
            }
        }
        for text in texts {
            assert!(!shown.contains(text), "shows {text:?}: {shown}");
        }
    }
}

/// The CPR number's forms a `Debug` could show: its digits whole, dashed, or in parts, and its
/// ASCII bytes in every form of [`shown_forms`].
fn cpr_forms(text: &'static str) -> (Vec<&'static [u8]>, Vec<String>) {
    let (date, serial) = text.split_at(6);
    let texts = vec![
        text.to_owned(),
        format!("{date}-{serial}"),
        date.to_owned(),
        serial.to_owned(),
    ];
    (vec![text.as_bytes()], texts)
}

fn assert_redacted_with_cprs(value: &impl Debug, secrets: &[&[u8]], cprs: &[&'static str]) {
    let mut all_secrets = secrets.to_vec();
    let mut texts: Vec<String> = [CASE_REF, CASEWORKER, GOAL].map(str::to_owned).to_vec();
    for text in cprs {
        let (bytes, forms) = cpr_forms(text);
        all_secrets.extend(bytes);
        texts.extend(forms);
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    assert_redacted(value, &all_secrets, &texts);
}

#[test]
fn keys_and_keyed_states_never_show_their_bytes() {
    assert_redacted(&MasterKey::from_bytes(town(), KEY), &[&KEY], &[]);
    let run_key = RunKey::from_bytes(town(), run(), date!(2026 - 11 - 01), KEY);
    assert_redacted(&run_key, &[&KEY], &[]);
    let sealing = SealingKey::from_bytes(town(), sector(), KEY);
    assert_redacted(&sealing, &[&KEY], &[]);
    assert_redacted(&ConsentRegistryKey::from_bytes(town(), KEY), &[&KEY], &[]);
    assert_redacted(&SubjectKey::from_bytes(town(), KEY), &[&KEY], &[]);
    assert_redacted(&PlanTeamKey::from_bytes(town(), KEY), &[&KEY], &[]);
    assert_redacted(&EnvelopeKey::derive(&sealing, &run()), &[&KEY], &[]);
    assert_redacted(&Pseudonymiser::new(&run_key), &[&KEY], &[]);
    assert_redacted(&SealState::from_os().unwrap(), &[&KEY], &[]);
    let options = ExportOptions::default();
    let publisher = Publisher::new(&run_key, &sealing, Catalogue::builtin(), &options).unwrap();
    assert_redacted(&publisher, &[&KEY], &[]);
}

#[test]
fn cpr_numbers_and_case_texts_are_never_shown() {
    assert_redacted_with_cprs(&cpr(CPR), &[], &[CPR]);
    assert_redacted_with_cprs(&cpr("230785-1947"), &[], &[CPR]);
    let content = EnvelopeContent {
        cpr: cpr(CPR),
        case_ref: CASE_REF.into(),
        caseworker: CASEWORKER.into(),
        goal: GOAL.into(),
        start: date!(2025 - 03 - 14),
    };
    assert_redacted_with_cprs(&content, &[], &[CPR]);
    let row = ServiceRow {
        line: 7,
        cpr: cpr(CPR),
        service: "ADS-85".to_owned(),
        status: Status::Active,
        start: date!(2025 - 03 - 14),
        end: None,
        caseworker: CASEWORKER.to_owned(),
        case_ref: CASE_REF.to_owned(),
        goal: GOAL.to_owned(),
    };
    assert_redacted_with_cprs(&row, &[], &[CPR]);
    let relation = RelationRow {
        line: 3,
        child: cpr(OTHER_CPR),
        parent: cpr(CPR),
    };
    assert_redacted_with_cprs(&relation, &[], &[CPR, OTHER_CPR]);
}

fn reviewed_service() -> ReviewedService {
    ReviewedService {
        code: "ADS-SOCIO-PED".into(),
        law: "Lov om social service".into(),
        paragraph: "§ 85".into(),
        name: "Socialpædagogisk støtte".into(),
        case_ref: CASE_REF.into(),
        caseworker: CASEWORKER.into(),
        goal: GOAL.into(),
        start: date!(2025 - 03 - 14),
    }
}

#[test]
fn work_lists_and_disclosures_show_no_cpr_number_nor_case_text() {
    assert_redacted_with_cprs(&reviewed_service(), &[], &[]);
    let item = |text: &str| WorkItem {
        candidate: CandidateId([5; 16]),
        cpr: cpr(text),
        services: vec![reviewed_service()],
    };
    assert_redacted_with_cprs(&item(CPR), &[], &[CPR]);
    let list = WorkList {
        municipality: town(),
        run: run(),
        sector: sector(),
        items: vec![item(CPR), item(OTHER_CPR)],
    };
    assert_redacted_with_cprs(&list, &[], &[CPR, OTHER_CPR]);
    let service = DisclosedService {
        code: "ADS-SOCIO-PED".into(),
        law: "Lov om social service".into(),
        paragraph: "§ 85".into(),
        name: "Socialpædagogisk støtte".into(),
        caseworker: CASEWORKER.into(),
        case_ref: CASE_REF.into(),
        goal: GOAL.into(),
        start: "2025-03-14".into(),
    };
    assert_redacted_with_cprs(&service, &[], &[]);
    assert!(!format!("{service:?}").contains("2025-03-14"));
    let disclosure = Disclosure {
        format: "samkoer-disclosure".into(),
        receipt: "00".repeat(16),
        municipality: "219".into(),
        sector: "adult-social".into(),
        services: vec![service],
    };
    assert_redacted_with_cprs(&disclosure, &[], &[]);
}

fn assert_zeroize_on_drop<T: ZeroizeOnDrop>() {}

/// Compile-time evidence: each type wipes itself on drop. For the RustCrypto and dalek types the
/// crate uses, each line compiles only with the crate feature that wipes it, which `Cargo.toml`
/// turns on: `aes-gcm/zeroize` (with `aes/zeroize`: the envelope cipher), `sha2/zeroize` (the
/// SHA-256 state and its block buffer), `ed25519-dalek/zeroize` (the registry's signing key).
/// `Hmac<Sha256>` (fingerprints, subject tags, HKDF) carries no marker in hmac 0.13, but its two
/// keyed states are SHA-256 cores and its buffer a block buffer, wiped by `sha2/zeroize` and
/// `hmac/zeroize` (which turns on `digest/zeroize`). The HPKE private key is x25519-dalek's
/// `StaticSecret`, which `hpke` always builds with `x25519-dalek/zeroize`.
#[test]
fn every_secret_type_is_wiped_on_drop() {
    assert_zeroize_on_drop::<MasterKey>();
    assert_zeroize_on_drop::<RunKey>();
    assert_zeroize_on_drop::<SealingKey>();
    assert_zeroize_on_drop::<ConsentRegistryKey>();
    assert_zeroize_on_drop::<SubjectKey>();
    assert_zeroize_on_drop::<PlanTeamKey>();
    assert_zeroize_on_drop::<EnvelopeKey>();
    assert_zeroize_on_drop::<Pseudonymiser>();
    assert_zeroize_on_drop::<Publisher<'static>>();
    assert_zeroize_on_drop::<Cpr>();
    assert_zeroize_on_drop::<EnvelopeContent>();
    assert_zeroize_on_drop::<ReviewedService>();
    assert_zeroize_on_drop::<WorkItem>();
    assert_zeroize_on_drop::<WorkList>();
    assert_zeroize_on_drop::<DisclosedService>();
    assert_zeroize_on_drop::<Disclosure>();

    assert_zeroize_on_drop::<aes_gcm::Aes256Gcm>();
    assert_zeroize_on_drop::<sha2::Sha256>();
    assert_zeroize_on_drop::<sha2::block_api::Sha256VarCore>();
    assert_zeroize_on_drop::<ed25519_dalek::SigningKey>();
}

// Compile-time evidence: no secret key type compares in variable time, nor is copied.
assert_not_impl_any!(MasterKey: PartialEq, Clone, Copy);
assert_not_impl_any!(RunKey: PartialEq, Clone, Copy);
assert_not_impl_any!(SealingKey: PartialEq, Clone, Copy);
assert_not_impl_any!(ConsentRegistryKey: PartialEq, Clone, Copy);
assert_not_impl_any!(SubjectKey: PartialEq, Clone, Copy);
assert_not_impl_any!(PlanTeamKey: PartialEq, Clone, Copy);
assert_not_impl_any!(EnvelopeKey: PartialEq, Clone, Copy);
assert_not_impl_any!(Pseudonymiser: PartialEq, Copy);
