//! The shared test vectors in `tests/vectors/*.json` (spec §11).
//!
//! This file generates them from fixed inputs through the public API and fails when the
//! checked-in files differ: a change of bytes must be deliberate. Regenerate with
//! `SAMKOER_UPDATE_VECTORS=1 cargo test -p samkoer-core --test vectors`. Every other surface
//! (WASM, Python, C) reads the same files. Negative cases carry `expect`: an error class (spec §10).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::io::Cursor;
use std::path::PathBuf;

use samkoer_core::audit::{AuditLog, DONE, Head, MadeEntry, Step, verify};
use samkoer_core::central::matcher::Match;
use samkoer_core::consent::disclosure::{Answering, open_disclosure, plan_team_public_key};
use samkoer_core::consent::receipt::{
    Consent, Receipt, Withdrawal, issue_with_id, registry_public_key, subject_tag, withdraw,
};
use samkoer_core::consent::state::{
    CLOCK_SKEW, ConsentState, ENTRY_LEN, Freshness, HEADER_LEN, issue_state,
};
use samkoer_core::files::{Input, OutputKind, Place};
use samkoer_core::flow::{Audit, central, sector};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::{AgeBands, Combination, Criteria, ServiceSet};
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::formats::publication::{
    Author, FileHeader, FileKind, FileReader, FileWriter, FlagRef, Record, RelationRecord,
    ServiceRecord, YearMonth,
};
use samkoer_core::formats::signed_json;
use samkoer_core::formats::verdicts::VerdictFile;
use samkoer_core::primitives::cpr::AgeBand;
use samkoer_core::primitives::envelope::{EnvelopeContent, EnvelopeKey};
use samkoer_core::primitives::ids::CandidateId;
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, PlanTeamKey, PlanTeamPublicKey, SectorPublicKey, SubjectKey,
};
use samkoer_core::primitives::signing::PartySigningKey;
use samkoer_core::sector::publish::Publisher;
use samkoer_core::{
    Cpr, Error, KeyFileFormat, MasterKey, MunicipalityCode, Pseudonym, Pseudonymiser, RunId,
    RunKey, SealingKey, SectorCode,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::Date;
use time::macros::{date, datetime};

#[path = "vectors/boundaries.rs"]
mod boundaries;
mod common;

const REFERENCE: Date = date!(2026 - 11 - 01);

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn town() -> MunicipalityCode {
    MunicipalityCode::new(219).unwrap()
}

fn run() -> RunId {
    RunId::new("2026-11").unwrap()
}

/// A fixed, obviously made-up key: bytes 0, 1, 2, ... offset by `start`.
fn key_bytes(start: u8) -> [u8; 32] {
    std::array::from_fn(|i| start.wrapping_add(i as u8))
}

fn master() -> MasterKey {
    MasterKey::from_bytes(town(), key_bytes(0))
}

fn sealing(sector: &str, start: u8) -> SealingKey {
    SealingKey::from_bytes(town(), SectorCode::new(sector).unwrap(), key_bytes(start))
}

fn class(result: Result<impl Sized, Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(error) => error.class().into(),
    }
}

fn cpr_vectors() -> Value {
    let inputs = [
        "0101901234",
        "010190-1234",
        "  010190-1234 ",
        "\t3112999999\t",
        "2902004234",
        "0111084234",
        "0211084234",
        "0101363234",
        "0101364234",
        "0101369234",
        "0101374234",
        "0101379234",
        "0101575234",
        "0101565234",
        "0101588234",
        "0111264234",
        "",
        "010190123",
        "01019012345",
        "010190 1234",
        "010190\u{a0}1234",
        "010190\u{2010}1234",
        "010190\u{2011}1234",
        "010190\u{2013}1234",
        "010190\u{2014}1234",
        "010190\u{2212}1234",
        "010190\u{2015}1234",
        "010190\u{2009}1234",
        "010190  1234",
        "010190 -1234",
        "0101 901234",
        "01019O1234",
        "010190_1234",
        "3202901234",
        "0013901234",
        "2902011234",
        "0211264234",
        "0101579234",
    ];
    let cases: Vec<Value> = inputs
        .iter()
        .map(|input| match Cpr::parse(input, REFERENCE, "test", 1) {
            Ok(cpr) => json!({
                "input": input,
                "normalised": std::str::from_utf8(cpr.expose_digits()).unwrap(),
                "birth_date": cpr.birth_date().to_string(),
                "age_band": cpr.age_band(REFERENCE).name(),
                "age_band_byte": cpr.age_band(REFERENCE).to_byte(),
            }),
            Err(error) => json!({ "input": input, "expect": error.class() }),
        })
        .collect();
    json!({ "description": "CPR parsing and age bands (spec §3)", "reference_date": REFERENCE.to_string(), "cases": cases })
}

fn key_vectors() -> Value {
    let master = master();
    let runs: Vec<Value> = ["2026-11", "2026-12", "a"]
        .iter()
        .map(|run| {
            let key = master.derive_run_key(&RunId::new(run).unwrap(), REFERENCE);
            json!({ "run": run, "run_key": hex::encode(key.expose_secret()), "fingerprint": key.fingerprint().to_string() })
        })
        .collect();
    let other_town = MasterKey::from_bytes(MunicipalityCode::new(217).unwrap(), key_bytes(0))
        .derive_run_key(&run(), REFERENCE);
    let sealing = sealing("employment", 100);
    json!({
        "description": "Run-key derivation and fingerprints (spec §4)",
        "master_key": hex::encode(master.expose_secret()),
        "municipality": 219,
        "master_fingerprint": master.fingerprint().to_string(),
        "runs": runs,
        "other_municipality": { "municipality": 217, "run": "2026-11", "run_key": hex::encode(other_town.expose_secret()) },
        "sealing_key": { "sector": "employment", "key": hex::encode(sealing.expose_secret()), "fingerprint": sealing.fingerprint().to_string() },
    })
}

fn matcher_key() -> samkoer_core::primitives::keys::MatcherKey {
    samkoer_core::primitives::keys::MatcherKey::from_bytes(town(), key_bytes(140))
}

fn key_file_vectors() -> Value {
    let master_text = master().to_key_file().to_string();
    let run_text = master()
        .derive_run_key(&run(), REFERENCE)
        .to_key_file()
        .to_string();
    let sealing_text = sealing("adult-social", 200).to_key_file().to_string();
    let mut cases = vec![
        json!({ "kind": "master", "text": master_text, "secret": hex::encode(master().expose_secret()) }),
        json!({ "kind": "run", "text": run_text, "secret": hex::encode(master().derive_run_key(&run(), REFERENCE).expose_secret()) }),
        json!({ "kind": "sealing", "text": sealing_text, "secret": hex::encode(sealing("adult-social", 200).expose_secret()) }),
        // The matcher's key (§4.6), and the signing key every party derives from its own (its
        // public half, as audit entries name it).
        json!({
            "kind": "matcher", "text": matcher_key().to_key_file().to_string(),
            "secret": hex::encode(matcher_key().expose_secret()),
            "signer": PartySigningKey::of_matcher(&matcher_key()).public().to_string(),
        }),
        json!({ "kind": "sealing-signer", "secret": hex::encode(sealing("adult-social", 200).expose_secret()),
            "signer": PartySigningKey::of(&sealing("adult-social", 200)).public().to_string() }),
        json!({ "kind": "master-signer", "secret": hex::encode(master().expose_secret()),
            "signer": PartySigningKey::of_master(&master()).public().to_string() }),
        // Version 1 is still read for every kind but the run key (which had no reference date).
        json!({ "kind": "master", "text": version_1(&master_text), "secret": hex::encode(master().expose_secret()) }),
    ];
    let bad = [
        ("run", run_text.replace("run: 2026-11", "run: 2026-12")),
        ("run", flip_first_hex_digit(&run_text, "secret: ")),
        ("run", flip_first_hex_digit(&run_text, "check: ")),
        ("run", flip_first_hex_digit(&run_text, "fingerprint: ")),
        ("master", run_text.clone()),
        (
            "run",
            run_text.replace("samkoer-key-file 2", "samkoer-key-file 3"),
        ),
        (
            "run",
            version_1(&run_text.replace("reference-date: 2026-11-01\n", "")),
        ),
        ("run", run_text.replace("reference-date: 2026-11-01\n", "")),
        (
            "run",
            run_text.lines().take(4).collect::<Vec<_>>().join("\n"),
        ),
        ("run", run_text.replace("kind: run", "kind: runner")),
        (
            "sealing",
            sealing_text.replace("municipality: 219", "municipality: 217"),
        ),
    ];
    // The reference date changed (the check catches it), in another form, not a date, too early.
    let redated = ["2026-11-02", "01-11-2026", "2026-02-29", "1799-12-31"].map(|date| {
        let line = format!("reference-date: {date}");
        ("run", run_text.replace("reference-date: 2026-11-01", &line))
    });
    for (kind, text) in bad.into_iter().chain(redated) {
        let expect = match kind {
            "master" => class(MasterKey::from_key_file(&text, "k")),
            "run" => class(RunKey::from_key_file(&text, "k")),
            _ => class(SealingKey::from_key_file(&text, "k")),
        };
        cases.push(json!({ "kind": kind, "text": text, "expect": expect }));
    }
    json!({ "description": "Key files (spec §4.5)", "cases": cases })
}

/// The key file as version 1 wrote it: the first line says 1, and the check covers that.
fn version_1(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let body = text
        .replacen("samkoer-key-file 2", "samkoer-key-file 1", 1)
        .lines()
        .filter(|line| !line.starts_with("check: "))
        .map(|line| format!("{line}\n"))
        .collect::<String>();
    let check = Sha256::new()
        .chain_update(b"samkoer/v1/key-file")
        .chain_update(&body)
        .finalize();
    format!("{body}check: {}\n", hex::encode(&check[..16]))
}

/// The key file with the first hex digit after `prefix` changed.
fn flip_first_hex_digit(text: &str, prefix: &str) -> String {
    let at = text.find(prefix).unwrap() + prefix.len();
    let digit = &text[at..at + 1];
    let flipped = if digit == "0" { "1" } else { "0" };
    format!("{}{flipped}{}", &text[..at], &text[at + 1..])
}

fn pseudonym_vectors() -> Value {
    let cprs = [
        "0101901234",
        "0101901235",
        "3112999999",
        "2902004234",
        "0111264234",
    ];
    let runs: Vec<Value> = ["2026-11", "2026-12"]
        .iter()
        .map(|run| {
            let key = master().derive_run_key(&RunId::new(run).unwrap(), REFERENCE);
            let pseudonymiser = Pseudonymiser::new(&key);
            let cases: Vec<Value> = cprs
                .iter()
                .map(|c| json!({ "cpr": c, "pseudonym": pseudonymiser.pseudonym(&Cpr::parse_undated(c, "test", 1).unwrap()).to_string() }))
                .collect();
            json!({ "run": run, "run_key": hex::encode(key.expose_secret()), "cases": cases })
        })
        .collect();
    json!({ "description": "Pseudonyms: HMAC-SHA256(run key, label || 10 digits) (spec §5)", "label": "samkoer/v1/pseudonym", "runs": runs })
}

fn content(
    cpr: &str,
    case_ref: &str,
    caseworker: &str,
    goal: &str,
    start: Date,
) -> EnvelopeContent {
    EnvelopeContent {
        cpr: Cpr::parse_undated(cpr, "test", 1).unwrap(),
        case_ref: case_ref.into(),
        caseworker: caseworker.into(),
        goal: goal.into(),
        start,
    }
}

fn envelope_vectors() -> Value {
    let key = sealing("adult-social", 200);
    let envelope_key = EnvelopeKey::derive(&key, &run());
    let pseudonymiser = Pseudonymiser::new(&master().derive_run_key(&run(), REFERENCE));
    let inputs = [
        (
            "ADS-SOCIO-PED",
            "0101901234",
            "SAG-2026-00042",
            "Mette Hansen, 7200 1234",
            "Stabil bolig",
            date!(2025 - 03 - 14),
            1u8,
        ),
        (
            "ADS-DRUG-RESIDENTIAL",
            "3112999999",
            "",
            "",
            "",
            date!(2026 - 10 - 31),
            2,
        ),
        (
            "ADS-CONTACT-PERSON",
            "2902004234",
            "Ø-17",
            "Søren Æbelø",
            &"Mål ".repeat(30),
            date!(2024 - 02 - 29),
            3,
        ),
    ];
    let mut cases = Vec::new();
    for (service, cpr, case_ref, caseworker, goal, start, nonce_byte) in inputs {
        let pseudonym = pseudonymiser.pseudonym(&Cpr::parse_undated(cpr, "test", 1).unwrap());
        let nonce = [nonce_byte; 12];
        let sealed = envelope_key
            .seal_with_nonce(
                service,
                &pseudonym,
                &content(cpr, case_ref, caseworker, goal, start),
                nonce,
            )
            .unwrap();
        cases.push(json!({
            "service": service, "pseudonym": pseudonym.to_string(), "nonce": hex::encode(nonce),
            "content": { "cpr": cpr, "case_ref": case_ref, "caseworker": caseworker, "goal": goal, "start": start.to_string() },
            "envelope": hex::encode(&sealed),
        }));
    }
    // Negative cases: the first envelope altered, moved, or opened by another sector.
    let first = &cases[0];
    let sealed = hex::decode(first["envelope"].as_str().unwrap()).unwrap();
    let pseudonym = pseudonymiser.pseudonym(&Cpr::parse_undated("0101901234", "test", 1).unwrap());
    let other_pseudonym =
        pseudonymiser.pseudonym(&Cpr::parse_undated("0101901235", "test", 1).unwrap());
    let mut flipped = sealed.clone();
    flipped[20] ^= 0x01;
    let mut negative = vec![
        json!({ "case": "changed ciphertext byte", "service": "ADS-SOCIO-PED", "pseudonym": pseudonym.to_string(), "envelope": hex::encode(&flipped) }),
        json!({ "case": "moved to another service", "service": "ADS-CONTACT-PERSON", "pseudonym": pseudonym.to_string(), "envelope": hex::encode(&sealed) }),
        json!({ "case": "moved to another person", "service": "ADS-SOCIO-PED", "pseudonym": other_pseudonym.to_string(), "envelope": hex::encode(&sealed) }),
        json!({ "case": "cut short", "service": "ADS-SOCIO-PED", "pseudonym": pseudonym.to_string(), "envelope": hex::encode(&sealed[..sealed.len() - 1]) }),
    ];
    for case in &mut negative {
        let bytes = hex::decode(case["envelope"].as_str().unwrap()).unwrap();
        let p = Pseudonym(
            hex::decode(case["pseudonym"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap(),
        );
        case["expect"] =
            class(envelope_key.open(case["service"].as_str().unwrap(), &p, &bytes)).into();
    }
    let other_sector = EnvelopeKey::derive(&sealing("employment", 200), &run());
    negative.push(json!({
        "case": "another sector's key (same bytes, sector employment)", "sector": "employment",
        "service": "ADS-SOCIO-PED", "pseudonym": pseudonym.to_string(), "envelope": hex::encode(&sealed),
        "expect": class(other_sector.open("ADS-SOCIO-PED", &pseudonym, &sealed)),
    }));
    json!({
        "description": "Sealed envelopes (spec §6)",
        "municipality": 219, "run": "2026-11", "sector": "adult-social",
        "sealing_key": hex::encode(key.expose_secret()),
        "cases": cases, "negative": negative,
    })
}

/// The header of the vector files: the vector run, the given sealing key's sector.
fn vector_header(run_key: &RunKey, key: &SealingKey) -> FileHeader {
    FileHeader {
        municipality: town(),
        run: run(),
        sector: key.sector().clone(),
        run_key_fingerprint: run_key.fingerprint(),
        catalogue_version: "2026.1".into(),
        reference_date: REFERENCE,
        author: Author::of(&PartySigningKey::of(key)),
    }
}

/// The vectors' matcher key.
fn vector_matcher_key() -> samkoer_core::primitives::keys::MatcherKey {
    samkoer_core::primitives::keys::MatcherKey::from_bytes(town(), [0xa0; 32])
}

/// The vectors' matcher, whose key signs flag files and match results.
fn vector_matcher() -> PartySigningKey {
    PartySigningKey::of_matcher(&vector_matcher_key())
}

fn publication_bytes() -> Vec<u8> {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let key = sealing("children-family", 50);
    let envelope_key = EnvelopeKey::derive(&key, &run());
    let signing = PartySigningKey::of(&key);
    let header = FileHeader {
        author: Author {
            signer: signing.public(),
            log_head: Head {
                seq: 3,
                hash: [0x3a; 32],
            },
        },
        ..vector_header(&run_key, &key)
    };
    let mut writer = FileWriter::new(
        Vec::new(),
        FileKind::Publication,
        "vector.pub",
        &header,
        &signing,
    )
    .unwrap();
    let child = pseudonymiser.pseudonym(&Cpr::parse_undated("0101154234", "test", 1).unwrap());
    let parent = pseudonymiser.pseudonym(&Cpr::parse_undated("0101851234", "test", 1).unwrap());
    let records = [
        (
            child,
            "CHF-FAMILY-TREATMENT",
            "0101154234",
            date!(2025 - 09 - 01),
            false,
            7u8,
        ),
        (
            child,
            "CHF-PLACEMENT-CONSENT",
            "0101154234",
            date!(2026 - 10 - 15),
            true,
            8,
        ),
    ];
    for (pseudonym, service, cpr, start, major_change, nonce_byte) in records {
        let c = content(cpr, "B-1", "Pia Larsen", "Trivsel", start);
        let envelope = envelope_key
            .seal_with_nonce(service, &pseudonym, &c, [nonce_byte; 12])
            .unwrap();
        let age_band = Cpr::parse_undated(cpr, "test", 1)
            .unwrap()
            .age_band(REFERENCE);
        let record = ServiceRecord {
            pseudonym,
            service: service.into(),
            start: YearMonth::of(start),
            age_band,
            major_change,
            envelope,
        };
        writer.write_service(&record).unwrap();
    }
    writer
        .write_relation(&RelationRecord { child, parent })
        .unwrap();
    writer.finish().unwrap()
}

fn read_publication(bytes: &[u8]) -> Result<Value, Error> {
    let mut reader = FileReader::new(bytes, FileKind::Publication, "vector.pub")?;
    let mut records = Vec::new();
    while let Some(record) = reader.next_record()? {
        records.push(match record {
            Record::Service(r) => json!({
                "type": "service", "pseudonym": r.pseudonym.to_string(), "service": r.service,
                "start": format!("{:04}-{:02}", r.start.year, r.start.month), "age_band": r.age_band.name(),
                "major_change": r.major_change, "envelope": hex::encode(&r.envelope),
            }),
            Record::Relation(r) => json!({ "type": "relation", "child": r.child.to_string(), "parent": r.parent.to_string() }),
            Record::Flag(_) => unreachable!("the reader refuses flag records in a publication"),
        });
    }
    let h = reader.header();
    Ok(json!({
        "header": {
            "municipality": h.municipality.get(), "run": h.run.as_str(), "sector": h.sector.as_str(),
            "run_key_fingerprint": h.run_key_fingerprint.to_string(), "catalogue_version": h.catalogue_version,
            "reference_date": h.reference_date.to_string(),
            "signer": h.author.signer.to_string(),
            "log_seq": h.author.log_head.seq,
            "log_hash": hex::encode(h.author.log_head.hash),
        },
        "records": records,
    }))
}

fn publication_vectors() -> Value {
    let bytes = publication_bytes();
    let good = read_publication(&bytes).unwrap();
    let mut negative = Vec::new();
    // The vector header is 63 bytes up to the reference date, then the 72-byte author.
    let first_record = 8 + 2 + 2 + 1 + 7 + 1 + 15 + 16 + 1 + 6 + 4 + 72;
    let mut altered_record = bytes.clone();
    altered_record[first_record + 40] ^= 0x01;
    // The trailer: tag, two counts, digest, signature.
    let digest_at = bytes.len() - 64 - 32;
    let count_at = digest_at - 16;
    let mut altered_count = bytes.clone();
    altered_count[count_at + 7] ^= 0x01;
    let mut newer = bytes.clone();
    newer[9] = 3;
    let mut version_1 = bytes.clone();
    version_1[9] = 1;
    let mut trailing = bytes.clone();
    trailing.push(0);
    let mut bad_tag = bytes.clone();
    bad_tag[first_record] = b'X';
    let signing = PartySigningKey::of(&sealing("children-family", 50));
    let redigest = |bytes: &mut Vec<u8>, sign: bool| {
        let digest: [u8; 32] = Sha256::new()
            .chain_update(samkoer_core::primitives::labels::PUBLICATION_DIGEST)
            .chain_update(&bytes[..digest_at])
            .finalize()
            .into();
        bytes[digest_at..digest_at + 32].copy_from_slice(&digest);
        if sign {
            let label = samkoer_core::primitives::labels::PUBLICATION_SIGNATURE;
            bytes[digest_at + 32..].copy_from_slice(&signing.sign(label, &digest));
        }
    };
    // A careful edit by the sector itself: a count changed, digest and signature made anew.
    let mut recounted = bytes.clone();
    recounted[count_at + 7] ^= 0x01;
    redigest(&mut recounted, true);
    // An edit by someone without the sector's key: the digest recomputed, the signature old.
    let mut unsigned = bytes.clone();
    unsigned[first_record + 40] ^= 0x01;
    redigest(&mut unsigned, false);
    let cases: [(&str, Vec<u8>); 12] = [
        (
            "a trailer count changed and the digest recomputed",
            recounted,
        ),
        (
            "a record byte changed and the digest recomputed without the sector's key",
            unsigned,
        ),
        ("the signature cut off", bytes[..bytes.len() - 64].to_vec()),
        ("version 1 (not signed)", version_1),
        ("cut short inside a record", bytes[..150].to_vec()),
        (
            "cut short before the trailer",
            bytes[..bytes.len() - 64 - 49].to_vec(),
        ),
        ("a record byte changed", altered_record),
        ("a trailer count changed", altered_count),
        ("unsupported version", newer),
        ("bytes after the trailer", trailing),
        ("not a publication", b"SAMKOFLG\x00\x01".to_vec()),
        ("unknown record tag", bad_tag),
    ];
    for (case, bytes) in cases {
        negative.push(json!({ "case": case, "bytes": hex::encode(&bytes), "expect": class(read_publication(&bytes)) }));
    }
    json!({
        "description": "Publications (spec §7); the envelopes open with the children-family sealing key below, which also derives the signer (§4.6)",
        "sealing_key": hex::encode(sealing("children-family", 50).expose_secret()),
        "bytes": hex::encode(&bytes),
        "decoded": good,
        "negative": negative,
    })
}

fn export_vectors() -> Value {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let exports = [
        (
            "semicolon, BOM, CRLF, every outcome",
            "employment",
            "\u{feff}cpr;service;status;start;end;caseworker;case_ref;goal\r\n\
            010190-1234;EMP-MENTOR;active;2025-01-15;;Lars Nielsen;J-1;\"Job; snart\"\r\n\
            0101901234;EMP-WAGE-SUBSIDY;Active;15-02-2025;2027-01-01;Lars Nielsen;J-2;\r\n\
            0101901234;EMP-MENTOR;ended;2024-01-15;2024-06-30;;;\r\n\
            0202024321;X-TRANSPORT;active;2025-01-01;;;;\r\n\
            0202024321;ADS-SOCIO-PED;active;2025-01-01;;;;\r\n\
            0202024321;EMP-GUIDANCE;active;2027-01-01;;;;\r\n\
            01019O1234;EMP-MENTOR;active;2025-01-15;;;;\r\n\
            0101901234;NO-SUCH-CODE;active;2025-01-15;;;;\r\n\
            \r\n\
            3112999999;EMP-FLEX-JOB;pending;2025-01-15;;;;\r\n",
        ),
        (
            "comma, relations not given",
            "health-elderly",
            "cpr,service,status,start\n0101363234,HEA-HOME-NURSING,active,2026-11-01\n0101374234,HEA-NURSING-HOME,active,01.10.2026\n0211264234,HEA-HOME-NURSING,active,2026-01-01\n",
        ),
    ];
    let cases: Vec<Value> = exports
        .iter()
        .map(|(case, sector, csv)| {
            let key = sealing(sector, 9);
            let options = ExportOptions::default();
            let publisher = Publisher::new(&run_key, &key, Catalogue::builtin(), &options).unwrap();
            let published = publisher
                .publish(
                    Cursor::new(csv.as_bytes().to_vec()),
                    "export.csv",
                    None,
                    Vec::new(),
                    "out.pub",
                )
                .unwrap();
            let (bytes, report) = (published.output, published.report);
            let mut decoded = read_publication(&bytes).unwrap();
            for record in decoded["records"].as_array_mut().unwrap() {
                record.as_object_mut().unwrap().remove("envelope");
            }
            json!({
                "case": case, "sector": sector, "csv": csv,
                "accounting": serde_json::to_value(&report.export).unwrap(),
                "records": decoded["records"],
            })
        })
        .collect();
    json!({
        "description": "Publishing exports (spec §8): accounting and records; envelopes are random, so only their opening is checked",
        "run_key": hex::encode(run_key.expose_secret()), "run": "2026-11", "municipality": 219,
        "reference_date": REFERENCE.to_string(), "catalogue_version": Catalogue::builtin().version,
        "cases": cases,
    })
}

fn flag_file_vectors() -> Value {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let key = sealing("adult-social", 200);
    let envelope_key = EnvelopeKey::derive(&key, &run());
    let header = FileHeader {
        author: Author::at(
            &vector_matcher(),
            Head {
                seq: 5,
                hash: [0x5c; 32],
            },
        ),
        ..vector_header(&run_key, &key)
    };
    let mut writer = FileWriter::new(
        Vec::new(),
        FileKind::FlagFile,
        "vector.flag",
        &header,
        &vector_matcher(),
    )
    .unwrap();
    let pseudonym = pseudonymiser.pseudonym(&Cpr::parse_undated("0101901234", "test", 1).unwrap());
    let c = content(
        "0101901234",
        "SAG-1",
        "Mette Hansen",
        "Stabil bolig",
        date!(2025 - 03 - 14),
    );
    let envelope = envelope_key
        .seal_with_nonce("ADS-SOCIO-PED", &pseudonym, &c, [5; 12])
        .unwrap();
    let candidate = CandidateId([0xc1; 16]);
    writer
        .write_flag(FlagRef {
            candidate,
            pseudonym,
            service: "ADS-SOCIO-PED",
            envelope: &envelope,
        })
        .unwrap();
    let bytes = writer.finish().unwrap();
    let mut cut = bytes.clone();
    cut.truncate(bytes.len() - 10);
    let negative = vec![
        json!({ "case": "cut short", "bytes": hex::encode(&cut), "expect": class(FileReader::new(cut.as_slice(), FileKind::FlagFile, "f").and_then(|mut r| { while r.next_record()?.is_some() {} Ok(()) })) }),
        json!({ "case": "a publication is not a flag file", "bytes": hex::encode(publication_bytes()), "expect": class(FileReader::new(publication_bytes().as_slice(), FileKind::FlagFile, "f")) }),
    ];
    json!({
        "description": "Flag files (spec §7.6); the envelope opens with the adult-social sealing key of envelopes.json",
        "bytes": hex::encode(&bytes),
        "candidate": candidate.to_string(),
        "pseudonym": pseudonym.to_string(),
        "service": "ADS-SOCIO-PED",
        "negative": negative,
    })
}

/// The signing key of `sector` in the verdict and selection vectors.
fn vector_sector_signing(sector: &str) -> PartySigningKey {
    let seed = sector
        .bytes()
        .fold(0x30u8, |seed, b| seed.wrapping_mul(31).wrapping_add(b));
    PartySigningKey::of(&sealing(sector, seed))
}

/// A signed JSON file changed after signing, signed again by its author: so that the change
/// itself is judged.
fn resigned(text: &str, label: &[u8], key: &PartySigningKey) -> String {
    let (body, _) = text.rsplit_once(",\n  \"signature\"").unwrap();
    signed_json::sign(&format!("{body}\n}}"), label, key)
}

fn verdict_vectors() -> Value {
    let signing = vector_sector_signing("employment");
    let body = format!(
        r#"{{
  "format": "samkoer-verdicts",
  "version": 2,
  "municipality": "219",
  "run": "2026-11",
  "sector": "employment",
  "verdicts": [
    {{ "candidate": "K-00000000000000000000000000000001", "verdict": "suitable" }},
    {{ "candidate": "K-00000000000000000000000000000002", "verdict": "suitable-from", "from": "2027-03" }},
    {{ "candidate": "K-00000000000000000000000000000003", "verdict": "not-suitable" }}
  ],
  "author": {{ "signer": "{}", "log_seq": 4, "log_head": "{}" }}
}}"#,
        signing.public(),
        "4b".repeat(32)
    );
    let label = samkoer_core::primitives::labels::VERDICTS_SIGNATURE;
    let text = signed_json::sign(&body, label, &signing);
    let (parsed, author) = VerdictFile::parse(&text, "v.json").unwrap();
    let changed = |from: &str, to: &str| resigned(&text.replace(from, to), label, &signing);
    let negative: Vec<Value> = [
        ("unknown verdict", changed("\"not-suitable\"", "\"maybe\"")),
        ("suitable-from without a month", changed(", \"from\": \"2027-03\"", "")),
        ("month out of range", changed("2027-03", "2027-13")),
        ("month zero", changed("2027-03", "2027-00")),
        ("a sign in the month", changed("2027-03", "2027-+3")),
        ("a one-digit month", changed("2027-03", "2027-3")),
        ("a year before 1800", changed("2027-03", "1799-12")),
        ("wrong format", changed("samkoer-verdicts", "samkoer-verdict")),
        ("a CPR field is not allowed", changed("\"verdict\": \"suitable\" }", "\"verdict\": \"suitable\", \"cpr\": \"0101901234\" }")),
        ("changed after it was signed", text.replace("\"not-suitable\"", "\"suitable\"")),
        ("version 1 (not signed)", changed("\"version\": 2", "\"version\": 1")),
        ("saved again with CRLF line ends", text.replace('\n', "\r\n")),
    ]
    .into_iter()
    .map(|(case, text)| json!({ "case": case, "text": text, "expect": class(VerdictFile::parse(&text, "v.json")) }))
    .collect();
    json!({
        "description": "Verdict files (spec §13.2, signed as §10.4 says): `text` verifies under the signer its author names; `canonical` is the same verdicts as this implementation writes them, signed by the same key",
        "text": text,
        "canonical": parsed.to_json(&signing, author.log_head),
        "negative": negative,
    })
}

fn consent_vectors() -> Value {
    let registry = ConsentRegistryKey::from_bytes(town(), key_bytes(60));
    let public = registry_public_key(&registry);
    let subject = SubjectKey::from_bytes(town(), key_bytes(90));
    let cpr = Cpr::parse_undated("0101901234", "test", 1).unwrap();
    let bytes = vector_receipt_bytes();
    let receipt = Receipt::parse(&bytes, "r").unwrap();
    let withdrawal_bytes = withdraw(&registry, &receipt, datetime!(2026-12-24 0:00 UTC));
    let withdrawal = Withdrawal::parse(&withdrawal_bytes, "w").unwrap();
    // The consent state the checks are made against: with the withdrawal listed, or none.
    let fresh = |listed: bool, now: time::OffsetDateTime| {
        let list = if listed {
            [(withdrawal.receipt, withdrawal.at)].into_iter().collect()
        } else {
            Default::default()
        };
        let bytes = issue_state(&registry, 1, now, &list).unwrap();
        let freshness = Freshness {
            now,
            max_age: 0,
            seen: None,
        };
        ConsentState::parse(&bytes, "s")
            .unwrap()
            .check(&public, &freshness, "s")
            .unwrap()
    };
    let checks: Vec<Value> = [
        ("employment", datetime!(2026-12-01 9:00 UTC), false),
        ("health-elderly", datetime!(2026-12-01 9:00 UTC), false),
        ("employment", datetime!(2027-11-20 10:00 UTC), false),
        ("employment", datetime!(2026-11-20 9:59 UTC), false),
        ("employment", datetime!(2026-12-24 0:00 UTC), true),
        ("employment", datetime!(2026-12-23 23:59 UTC), true),
    ]
    .into_iter()
    .map(|(sector, now, withdrawn)| {
        let result = receipt.check(&public, &fresh(withdrawn, now), &SectorCode::new(sector).unwrap(), now, "r");
        json!({ "sector": sector, "now": now.unix_timestamp(), "with_withdrawal": withdrawn, "expect": class(result) })
    })
    .collect();
    let mut altered = bytes.clone();
    altered[40] ^= 1;
    let altered_result = Receipt::parse(&altered, "r").and_then(|r| {
        r.check(
            &public,
            &fresh(false, datetime!(2026-12-01 9:00 UTC)),
            &receipt.sectors[0],
            datetime!(2026-12-01 9:00 UTC),
            "r",
        )
    });
    json!({
        "description": "Consent receipts and withdrawals (spec §14)",
        "registry_seed": hex::encode(registry.expose_secret()),
        "registry_public": hex::encode(public.expose_secret()),
        "subject_key": hex::encode(subject.expose_secret()),
        "cpr": "0101901234",
        "subject_tag": hex::encode(subject_tag(&subject, &cpr)),
        "receipt": hex::encode(&bytes),
        "withdrawal": hex::encode(&withdrawal_bytes),
        "checks": checks,
        "negative": [{ "case": "one byte of the subject tag changed", "receipt": hex::encode(&altered), "expect": class(altered_result) }],
    })
}

/// The consent state (spec §14.4): a state of two withdrawals under the registry key of
/// `consent.json`, and its checks at the limits of the maximum age, the clock skew and the
/// sequence seen; altered, cut-short, unsorted and wrong-version states.
fn consent_state_vectors() -> Value {
    let registry = ConsentRegistryKey::from_bytes(town(), key_bytes(60));
    let public = registry_public_key(&registry);
    let issued = datetime!(2026-12-01 6:00 UTC);
    let list = [([0xa5; 16], 1_798_070_400u64), ([0x3c; 16], 1_796_083_200)]
        .into_iter()
        .collect();
    let bytes = issue_state(&registry, 42, issued, &list).unwrap();
    let max_age = 24 * 3600;
    let check = |bytes: &[u8], now: time::OffsetDateTime, seen: Option<u64>| {
        let freshness = Freshness { now, max_age, seen };
        ConsentState::parse(bytes, "s").and_then(|s| s.check(&public, &freshness, "s").map(drop))
    };
    let second = time::Duration::SECOND;
    let day = time::Duration::days(1);
    let skew = time::Duration::seconds(CLOCK_SKEW as i64);
    let checks: Vec<Value> = [
        ("issued now", issued, None),
        ("exactly the maximum age", issued + day, None),
        ("one second past the maximum age", issued + day + second, None),
        ("issued the clock skew ahead of now", issued - skew, None),
        ("one second further ahead", issued - skew - second, None),
        ("the sequence already seen", issued, Some(42)),
        ("a later sequence already seen", issued, Some(43)),
    ]
    .into_iter()
    .map(|(case, now, seen)| {
        json!({ "case": case, "now": now.unix_timestamp(), "seen": seen, "expect": class(check(&bytes, now, seen)) })
    })
    .collect();
    let mut altered = bytes.clone();
    altered[HEADER_LEN + 20] ^= 1;
    let mut version = bytes.clone();
    version[9] = 2;
    let mut unsorted = bytes.clone();
    let (a, b) = (HEADER_LEN, HEADER_LEN + ENTRY_LEN);
    let first = unsorted[a..b].to_vec();
    unsorted.copy_within(b..b + ENTRY_LEN, a);
    unsorted[b..b + ENTRY_LEN].copy_from_slice(&first);
    let negative: Vec<Value> = [
        ("a withdrawal's time changed", altered),
        ("cut short", bytes[..bytes.len() - 1].to_vec()),
        ("one byte too many", [&bytes[..], &[0]].concat()),
        ("version 2", version),
        ("receipt ids out of order", unsorted),
    ]
    .into_iter()
    .map(|(case, state)| {
        json!({ "case": case, "state": hex::encode(&state), "expect": class(check(&state, issued, None)) })
    })
    .collect();
    json!({
        "description": "The consent state (spec §14.4): issued at `issued_at` under the registry seed of consent.json, checked with a maximum age of `max_age` seconds",
        "registry_seed": hex::encode(registry.expose_secret()),
        "registry_public": hex::encode(public.expose_secret()),
        "sequence": 42,
        "issued_at": issued.unix_timestamp(),
        "withdrawals": list.iter().map(|(id, from)| json!({ "receipt": hex::encode(id), "from": from })).collect::<Vec<_>>(),
        "max_age": max_age,
        "state": hex::encode(&bytes),
        "checks": checks,
        "negative": negative,
    })
}

/// The receipt of the consent vectors (id `a5…`, employment and adult-social), which the
/// disclosure vector's bundle answers.
fn vector_receipt() -> Receipt {
    Receipt::parse(&vector_receipt_bytes(), "r").unwrap()
}

/// The bytes of [`vector_receipt`]: issued by the registry key of `consent.json`, its log at
/// entry 7.
fn vector_receipt_bytes() -> Vec<u8> {
    let registry = ConsentRegistryKey::from_bytes(town(), key_bytes(60));
    let subject = SubjectKey::from_bytes(town(), key_bytes(90));
    let cpr = Cpr::parse_undated("0101901234", "test", 1).unwrap();
    let sectors = [
        SectorCode::new("employment").unwrap(),
        SectorCode::new("adult-social").unwrap(),
    ];
    let consent = Consent {
        cpr: &cpr,
        sectors: &sectors,
        issued_at: datetime!(2026-11-20 10:00 UTC),
        valid_from: datetime!(2026-11-20 10:00 UTC),
        valid_until: datetime!(2027-11-20 10:00 UTC),
    };
    let log_head = Head {
        seq: 7,
        hash: [0x7e; 32],
    };
    issue_with_id(&registry, &subject, &consent, log_head, [0xa5; 16]).unwrap()
}

/// HPKE encapsulation is random, so this vector keeps the bundle already checked in as long as
/// it still opens to the same content, and makes a new one only when regenerating.
fn disclosure_vectors() -> Value {
    let plan_team = PlanTeamKey::from_bytes(town(), key_bytes(120));
    let public = plan_team_public_key(&plan_team);
    let employment = sealing("employment", 30);
    let sector_public = SectorPublicKey::of(&employment);
    let receipt = vector_receipt();
    let expected = json!({
        "format": "samkoer-disclosure",
        "receipt": "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
        "municipality": "219",
        "sector": "employment",
        "services": [{
            "code": "EMP-MENTOR", "law": "Lov om en aktiv beskæftigelsesindsats", "paragraph": "§ 167",
            "name": "Mentorstøtte", "caseworker": "Lars Nielsen", "case_ref": "J-1", "goal": "Job", "start": "2025-01-15"
        }],
    });
    let answering = Answering {
        receipt: &receipt,
        sectors: std::slice::from_ref(&sector_public),
    };
    let open = |bundle: &[u8]| open_disclosure(bundle, &plan_team, &answering, "b");
    let existing: Option<String> = std::fs::read_to_string(vectors_dir().join("disclosures.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|v| v["bundle"].as_str().map(str::to_owned));
    let opens_to_expected = |bundle: &str| {
        hex::decode(bundle)
            .ok()
            .and_then(|b| open(&b).ok())
            .map(|d| serde_json::to_value(d).unwrap())
            == Some(expected.clone())
    };
    let bundle = match existing.filter(|b| opens_to_expected(b)) {
        Some(bundle) => bundle,
        None => hex::encode(seal_for_vectors(&public, &employment, &expected)),
    };
    let bytes = hex::decode(&bundle).unwrap();
    let header = samkoer_core::consent::disclosure::bundle_header(&bytes, "b").unwrap();
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let mut relabelled = bytes.clone();
    relabelled[27..37].copy_from_slice(b"healthcare");
    let other_key = SectorPublicKey::of(&sealing("employment", 31));
    let wrong_key = Answering {
        receipt: &receipt,
        sectors: std::slice::from_ref(&other_key),
    };
    let no_key = Answering {
        receipt: &receipt,
        sectors: &[],
    };
    let negative = vec![
        json!({ "case": "the signature changed", "bundle": hex::encode(&flipped), "expect": class(open(&flipped)) }),
        json!({ "case": "the sector's name changed", "bundle": hex::encode(&relabelled), "expect": class(open(&relabelled)) }),
        json!({ "case": "another key given for the sector", "bundle": bundle, "expect": class(open_disclosure(&bytes, &plan_team, &wrong_key, "b")) }),
        json!({ "case": "no key given for the sector", "bundle": bundle, "expect": class(open_disclosure(&bytes, &plan_team, &no_key, "b")) }),
    ];
    json!({
        "description": "Disclosure bundles (spec §15): signed by the employment sector (its signing key from the sealing key of `sealing_key`), answering the receipt of consent.json; it opens with the plan-team key to the content",
        "plan_team_key": hex::encode(plan_team.expose_secret()),
        "plan_team_public": hex::encode(public.expose_secret()),
        "sealing_key": hex::encode(employment.expose_secret()),
        "signer": sector_public.signer().to_string(),
        "log_seq": header.author.log_head.seq,
        "log_head": hex::encode(header.author.log_head.hash),
        "bundle": bundle,
        "content": expected,
        "negative": negative,
    })
}

/// A bundle of `content` as a sector would seal it (the same layout as `Discloser::disclose`,
/// spec §15), signed with the sector's key.
fn seal_for_vectors(public: &PlanTeamPublicKey, sealing: &SealingKey, content: &Value) -> Vec<u8> {
    use hpke::{Deserializable, Kem, Serializable};
    let signing = PartySigningKey::of(sealing);
    let receipt = [0xa5u8; 16];
    let sector = "employment";
    let mut bundle = b"SAMKODSC".to_vec();
    bundle.extend_from_slice(&2u16.to_be_bytes());
    bundle.extend_from_slice(&receipt);
    bundle.push(sector.len() as u8);
    bundle.extend_from_slice(sector.as_bytes());
    let author = Author::at(
        &signing,
        Head {
            seq: 9,
            hash: [0x9d; 32],
        },
    );
    bundle.extend_from_slice(&author.to_bytes());
    let key = <hpke::kem::X25519HkdfSha256 as Kem>::PublicKey::from_bytes(public.expose_secret())
        .unwrap();
    let plaintext = serde_json::to_vec(content).unwrap();
    let (encapped, ciphertext) = hpke::single_shot_seal::<
        hpke::aead::AesGcm256,
        hpke::kdf::HkdfSha256,
        hpke::kem::X25519HkdfSha256,
    >(
        &hpke::OpModeS::Base,
        &key,
        samkoer_core::primitives::labels::DISCLOSURE,
        &plaintext,
        &bundle,
    )
    .unwrap();
    bundle.extend_from_slice(&encapped.to_bytes());
    bundle.extend_from_slice(&ciphertext);
    let signature = signing.sign(samkoer_core::primitives::labels::BUNDLE_SIGNATURE, &bundle);
    bundle.extend_from_slice(&signature);
    bundle
}

/// A version 1 log as the first version wrote it: it must still verify.
const AUDIT_V1: &str = concat!(
    r#"{"seq":1,"time":"2026-11-23T12:00:00Z","party":"sector:employment","action":"publish","run":"2026-11","counts":{"published":1200},"prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"45f9bb3ccef7eb722aa739b2efbf53e83a822ccbe8fc022079737ce454e593ce"}"#,
    "\n",
    r#"{"seq":2,"time":"2026-11-23T12:00:00Z","party":"matcher","action":"match","run":"2026-11","counts":{"candidates":37},"prev":"45f9bb3ccef7eb722aa739b2efbf53e83a822ccbe8fc022079737ce454e593ce","hash":"9c7525c871ba82cbf4af9b695be228111e671e1aa3aaa14492202ff58c467072"}"#,
    "\n",
    r#"{"seq":3,"time":"2026-11-23T12:00:00Z","party":"registry","action":"consent","run":"2026-11","counts":{"sectors":2},"prev":"9c7525c871ba82cbf4af9b695be228111e671e1aa3aaa14492202ff58c467072","hash":"dac62c6e26587f1101daae436f304dda879504aaa40bc417c1821569bce43c58"}"#,
    "\n",
);

fn audit_vectors() -> Value {
    let mut log = AuditLog::continuing(Head::EMPTY);
    let made = |file: &str, kind: &str, digest: &str| MadeEntry {
        file: file.into(),
        kind: kind.into(),
        digest: digest.into(),
    };
    let steps = [
        (
            "sector:employment",
            "publish",
            vec![made("employment.pub", "publication", &"ab".repeat(32))],
            "published",
            1200,
            DONE,
        ),
        (
            "matcher",
            "match",
            vec![
                made("match/flags/employment.flag", "flag-file", &"cd".repeat(32)),
                made("match/result.json", "match-result", &"ef".repeat(32)),
            ],
            "candidates",
            37,
            DONE,
        ),
        (
            "sector:adult-social",
            "disclose",
            vec![],
            "bundles",
            0,
            "consent-scope",
        ),
    ];
    let mut text = String::new();
    for (party, action, made, count, value, outcome) in steps {
        let step = Step {
            time: "2026-11-23T12:00:00Z".into(),
            party: party.into(),
            action: action.into(),
            run: Some("2026-11".into()),
            made,
            counts: [(count.to_owned(), value)].into(),
            outcome: outcome.into(),
        };
        text.push_str(&log.append(step).unwrap());
    }
    let head = verify(text.as_bytes(), "audit.log", None).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let negative: Vec<Value> = [
        ("a count edited", text.replacen("1200", "1201", 1)),
        ("a digest edited", text.replacen("abab", "abac", 1)),
        ("an outcome edited", text.replacen("consent-scope", "done", 1)),
        ("an entry removed", format!("{}\n{}\n", lines[0], lines[2])),
        ("two entries swapped", format!("{}\n{}\n{}\n", lines[1], lines[0], lines[2])),
        ("an unknown action", text.replacen("\"disclose\"", "\"erase\"", 1)),
        ("a version 1 entry naming a version 2 action", AUDIT_V1.replacen("\"consent\"", "\"open\"", 1)),
    ]
    .into_iter()
    .map(|(case, text)| {
        let line = match verify(text.as_bytes(), "audit.log", None) {
            Err(samkoer_core::Error::Input { line, .. }) => line,
            _ => 0,
        };
        json!({ "case": case, "text": text, "expect": class(verify(text.as_bytes(), "audit.log", None)), "line": line })
    })
    .collect();
    let v1_head = verify(AUDIT_V1.as_bytes(), "audit.log", None).unwrap();
    json!({
        "description": "Audit logs (spec §16): version 2 entries, a version 1 log that must still verify, and damaged logs; `v3`: a signed log (version 3) of the matcher (signing key from the matcher key `matcher_key`, §4.6) and the employment sector (from `sealing_key_file`), with its head, and damaged or re-signed logs, some verified with a signer given (`signer`)",
        "text": text,
        "head": { "seq": head.seq, "hash": hex::encode(head.hash) },
        "v1": { "text": AUDIT_V1, "head": { "seq": v1_head.seq, "hash": hex::encode(v1_head.hash) } },
        "negative": negative,
        "v3": signed_audit_vectors(),
    })
}

/// A log of version 3 (signed) entries, spec §16.1–§16.2: the matcher's (the vectors' matcher
/// key) and the employment sector's, and logs that fail each signature check.
fn signed_audit_vectors() -> Value {
    let matcher = vector_matcher();
    let employment_key = sealing("employment", 40);
    let employment = PartySigningKey::of(&employment_key);
    let other = PartySigningKey::of(&sealing("employment", 41));
    let step = |party: &str, action: &str| Step {
        time: "2026-11-24T09:00:00Z".into(),
        party: party.into(),
        action: action.into(),
        run: Some("2026-11".into()),
        made: vec![],
        counts: [("candidates".to_owned(), 3)].into(),
        outcome: DONE.into(),
    };
    // The log of the three steps, the third signed by `third` (or not signed).
    let log_with = |third: Option<&PartySigningKey>| {
        let mut log = AuditLog::continuing(Head::EMPTY);
        let mut text = log
            .append_signed(step("matcher", "match"), Some(&matcher))
            .unwrap();
        text.push_str(
            &log.append_signed(step("sector:employment", "review"), Some(&employment))
                .unwrap(),
        );
        text.push_str(&log.append_signed(step("matcher", "select"), third).unwrap());
        text
    };
    let text = log_with(Some(&matcher));
    let head = verify(text.as_bytes(), "audit.log", None).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The signature is an entry's last field; its first digit lies in R.
    fn split(line: &str) -> (&str, &str) {
        line.rsplit_once(",\"signature\":\"").unwrap()
    }
    let (body, signature) = split(lines[1]);
    let flipped = if signature.starts_with('0') { '1' } else { '0' };
    let changed = format!(
        "{}\n{body},\"signature\":\"{flipped}{}\n{}\n",
        lines[0],
        &signature[1..],
        lines[2]
    );
    let without_signature = format!("{}}}\n{}\n{}\n", split(lines[0]).0, lines[1], lines[2]);
    let negative: Vec<Value> = [
        ("a signature changed", changed, None),
        ("an entry without its signature field", without_signature, None),
        ("the matcher's later entry signed by another key", log_with(Some(&other)), None),
        ("the matcher's later entry not signed", log_with(None), None),
        ("verified with the matcher's signer given: the sector's entry", text.clone(), Some(matcher.public())),
    ]
    .into_iter()
    .map(|(case, text, signer)| {
        let result = samkoer_core::audit::verify_signed(text.as_bytes(), "audit.log", None, signer);
        let line = match &result {
            Err(samkoer_core::Error::Input { line, .. }) => *line,
            _ => 0,
        };
        let signer = signer.map(|s| s.to_string());
        json!({ "case": case, "text": text, "signer": signer, "expect": class(result), "line": line })
    })
    .collect();
    json!({
        "matcher_key": hex::encode([0xa0; 32]),
        "sealing_key_file": employment_key.to_key_file().as_str(),
        "text": text,
        "head": { "seq": head.seq, "hash": hex::encode(head.hash) },
        "negative": negative,
    })
}

// ---------------------------------------------------------------------------------------------
// Criteria, the match and the statistics (spec §11, §12).

/// The meaning of parsed criteria: services by code in catalogue order, bands youngest first.
fn criteria_meaning(criteria: &Criteria) -> Value {
    let catalogue = Catalogue::builtin();
    let codes = |set: &ServiceSet| -> Vec<&str> {
        set.iter()
            .map(|&s| catalogue.services[usize::from(s)].code.as_str())
            .collect()
    };
    let bands = |bands: Option<AgeBands>| -> Value {
        bands.map_or(Value::Null, |b| {
            json!(b.iter().map(AgeBand::name).collect::<Vec<_>>())
        })
    };
    let combinations: Vec<Value> = criteria
        .combinations
        .iter()
        .map(|c| {
            let mut value = match &c.combination {
                Combination::All(all) => json!({ "name": c.name, "all": codes(all) }),
                Combination::AnyWithAny(any, with) => {
                    json!({ "name": c.name, "any": codes(any), "with_any": codes(with) })
                }
            };
            value["age_bands"] = bands(c.age_bands);
            value
        })
        .collect();
    json!({
        "threshold": criteria.threshold,
        "person": {
            "min_sectors": criteria.min_sectors,
            "min_services": criteria.min_services,
            "age_bands": bands(criteria.age_bands),
            "combinations": combinations,
        },
        "defer": { "services": codes(&criteria.defer_services), "major_change": criteria.defer_major_change },
        "family": criteria.family.as_ref().map(|f| json!({
            "require_child_and_adult": f.require_child_and_adult,
            "min_sectors": f.min_sectors,
            "child_age_bands": bands(f.child_age_bands),
        })),
    })
}

const CRITERIA_HEAD: &str = "format = \"samkoer-criteria\"\nversion = 1\n";

/// Criteria of `combinations` combinations `all = ["EMP-MENTOR"]`, each with its own name.
fn many_combinations(combinations: usize) -> String {
    let mut text = format!("{CRITERIA_HEAD}\n[person]\n");
    for i in 1..=combinations {
        text.push_str(&format!(
            "\n[[person.combination]]\nname = \"mentor {i}\"\nall = [\"EMP-MENTOR\"]\n"
        ));
    }
    text
}

fn criteria_vectors() -> Value {
    let h = CRITERIA_HEAD;
    let example = format!(
        "{h}threshold = 5\n\n[person]\nmin_sectors = 2\nmin_services = 3\nage_bands = [\"adult-18-29\", \"adult-30-49\", \"adult-50-66\"]\n\n\
         [[person.combination]]\nname = \"job clarification with home nursing\"\nall = [\"EMP-JOB-CLARIFICATION\", \"HEA-HOME-NURSING\"]\nage_bands = [\"adult-30-49\", \"adult-50-66\"]\n\n\
         [[person.combination]]\nany = [\"EMP-CASH-BENEFIT\"]\nwith_any = [\"ADS-SOCIO-PED\", \"ADS-DRUG-OUTPATIENT\"]\n\n\
         [defer]\nservices = [\"CHF-PLACEMENT-CONSENT\", \"CHF-PLACEMENT-NOCONSENT\"]\nmajor_change = true\n\n\
         [family]\nrequire_child_and_adult = true\nmin_sectors = 3\nchild_age_bands = [\"child-0-5\"]\n"
    );
    let person = |lines: &str| format!("{h}\n[person]\n{lines}");
    let family = |lines: &str| format!("{h}\n[family]\n{lines}");
    let banded_combination = |person_bands: &str, own: &str| {
        format!(
            "{h}\n[person]\n{person_bands}\n[[person.combination]]\nall = [\"EMP-MENTOR\"]\n{own}\n"
        )
    };
    let all_bands = "[\"child-0-5\", \"child-6-17\", \"adult-18-29\", \"adult-30-49\", \"adult-50-66\", \"adult-67-plus\"]";
    let valid: Vec<(&str, String)> = vec![
        ("everything, with age bands on each side", example.clone()),
        (
            "at least one sector: the least minimum",
            person("min_sectors = 1\n"),
        ),
        (
            "at least five sectors: the catalogue's number",
            person("min_sectors = 5\n"),
        ),
        ("at least one service", person("min_services = 1\n")),
        (
            "the least threshold",
            format!("{h}threshold = 3\n\n[person]\nmin_services = 2\n"),
        ),
        ("a family rule alone, its defaults", family("")),
        (
            "a service twice in one list counts once",
            format!("{h}\n[[person.combination]]\nall = [\"EMP-MENTOR\", \"EMP-MENTOR\"]\n"),
        ),
        ("62 combinations: the most", many_combinations(62)),
        (
            "one age band",
            person("min_services = 2\nage_bands = [\"adult-67-plus\"]\n"),
        ),
        (
            "all six age bands",
            person(&format!("min_services = 2\nage_bands = {all_bands}\n")),
        ),
        (
            "bands with a combination only",
            format!(
                "{h}\n[person]\nage_bands = [\"child-6-17\"]\n\n[[person.combination]]\nall = [\"SCH-SPECIAL-CLASS\"]\n"
            ),
        ),
        (
            "a combination's own bands without bands for the person rule",
            banded_combination("", "age_bands = [\"child-0-5\"]"),
        ),
        (
            "a combination's bands equal to the person rule's",
            banded_combination(
                "age_bands = [\"adult-18-29\", \"adult-30-49\"]",
                "age_bands = [\"adult-30-49\", \"adult-18-29\"]",
            ),
        ),
        (
            "a child under 6",
            family("child_age_bands = [\"child-0-5\"]\n"),
        ),
        (
            "both child bands, the older last",
            family("child_age_bands = [\"child-0-5\", \"child-6-17\"]\n"),
        ),
    ];
    let valid: Vec<Value> = valid
        .into_iter()
        .map(|(case, text)| {
            let criteria = Criteria::parse(&text, "criteria.toml", Catalogue::builtin())
                .unwrap_or_else(|e| panic!("{case}: {e}"));
            json!({ "case": case, "text": text, "criteria": criteria_meaning(&criteria) })
        })
        .collect();
    let negative: Vec<(&str, String)> = vec![
        ("not TOML", format!("{h}\n[person\nmin_sectors = 2\n")),
        ("an unknown key", person("min_sector = 2\n")),
        ("a wrong type", person("min_sectors = \"2\"\n")),
        ("a negative number", person("min_sectors = -1\n")),
        (
            "another format",
            example.replace("samkoer-criteria", "samkoer-catalogue"),
        ),
        ("version 2", example.replace("version = 1", "version = 2")),
        ("no version", example.replace("version = 1\n", "")),
        (
            "a threshold of 2, one below the least",
            example.replace("threshold = 5", "threshold = 2"),
        ),
        (
            "deferring on an unknown service",
            example.replace("\"CHF-PLACEMENT-NOCONSENT\"", "\"CHF-PLACEMENT\""),
        ),
        (
            "deferring on an excluded category",
            example.replace("\"CHF-PLACEMENT-NOCONSENT\"", "\"X-TRANSPORT\""),
        ),
        ("at least 0 sectors", person("min_sectors = 0\n")),
        (
            "at least 6 sectors, one more than the catalogue has",
            person("min_sectors = 6\n"),
        ),
        ("at least 0 services", person("min_services = 0\n")),
        (
            "63 combinations, one more than the most",
            many_combinations(63),
        ),
        (
            "a combination with no list",
            format!("{h}\n[[person.combination]]\nname = \"nothing\"\n"),
        ),
        (
            "a combination with an empty all",
            format!("{h}\n[[person.combination]]\nall = []\n"),
        ),
        (
            "a combination with any alone",
            format!("{h}\n[[person.combination]]\nany = [\"EMP-MENTOR\"]\n"),
        ),
        (
            "a combination with an empty any",
            format!("{h}\n[[person.combination]]\nany = []\nwith_any = [\"EMP-MENTOR\"]\n"),
        ),
        (
            "a combination with an empty with_any",
            format!("{h}\n[[person.combination]]\nany = [\"EMP-MENTOR\"]\nwith_any = []\n"),
        ),
        (
            "a combination with all and any",
            format!(
                "{h}\n[[person.combination]]\nall = [\"EMP-MENTOR\"]\nany = [\"ADS-SOCIO-PED\"]\nwith_any = [\"HEA-HOME-HELP\"]\n"
            ),
        ),
        (
            "a combination naming an unknown service",
            example.replace("\"HEA-HOME-NURSING\"", "\"HEA-HOME-NURSNG\""),
        ),
        (
            "a combination named family",
            example.replace(
                "name = \"job clarification with home nursing\"",
                "name = \"family\"",
            ),
        ),
        (
            "a combination named as the next one's default",
            example.replace(
                "name = \"job clarification with home nursing\"",
                "name = \"combination 2\"",
            ),
        ),
        (
            "any and with_any share a service",
            example.replace(
                "with_any = [\"ADS-SOCIO-PED\"",
                "with_any = [\"EMP-CASH-BENEFIT\"",
            ),
        ),
        (
            "a combination that can only select deferred persons",
            example.replace("\"HEA-HOME-NURSING\"]", "\"CHF-PLACEMENT-CONSENT\"]"),
        ),
        (
            "a combination whose any holds only deferred services",
            example.replace(
                "any = [\"EMP-CASH-BENEFIT\"]",
                "any = [\"CHF-PLACEMENT-CONSENT\"]",
            ),
        ),
        (
            "a combination whose with_any holds only deferred services",
            example.replace(
                "with_any = [\"ADS-SOCIO-PED\", \"ADS-DRUG-OUTPATIENT\"]",
                "with_any = [\"CHF-PLACEMENT-NOCONSENT\"]",
            ),
        ),
        (
            "a family of at least 0 sectors",
            family("min_sectors = 0\n"),
        ),
        (
            "a family of at least 6 sectors",
            family("min_sectors = 6\n"),
        ),
        (
            "nothing can be selected",
            format!("{h}\n[defer]\nmajor_change = true\n"),
        ),
        (
            "person bands: an empty list",
            person("min_services = 2\nage_bands = []\n"),
        ),
        (
            "person bands: an unknown band",
            person("min_services = 2\nage_bands = [\n  \"adult-18-29\",\n  \"adult-18-30\",\n]\n"),
        ),
        (
            "person bands: a name in another case",
            person("min_services = 2\nage_bands = [\"Adult-18-29\"]\n"),
        ),
        (
            "person bands: a band twice",
            person(
                "min_services = 2\nage_bands = [\n  \"adult-18-29\",\n  \"adult-30-49\",\n  \"adult-18-29\",\n]\n",
            ),
        ),
        (
            "person bands: not a list",
            person("min_services = 2\nage_bands = \"adult-18-29\"\n"),
        ),
        (
            "person bands: not a string",
            person("min_services = 2\nage_bands = [18]\n"),
        ),
        (
            "person bands without a minimum or a combination",
            format!("{h}\n[person]\nage_bands = [\"adult-18-29\"]\n\n[family]\n"),
        ),
        (
            "combination bands: an empty list",
            banded_combination("", "age_bands = []"),
        ),
        (
            "combination bands: an unknown band",
            banded_combination("", "age_bands = [\"adult-67+\"]"),
        ),
        (
            "combination bands: a band the person rule leaves out",
            banded_combination(
                "age_bands = [\"adult-18-29\", \"adult-30-49\"]",
                "age_bands = [\n  \"adult-30-49\",\n  \"adult-50-66\",\n]",
            ),
        ),
        (
            "combination bands: a band twice",
            banded_combination("", "age_bands = [\"child-0-5\",\n  \"child-0-5\"]"),
        ),
        (
            "child bands: an empty list",
            family("child_age_bands = []\n"),
        ),
        (
            "child bands: an unknown band",
            family("child_age_bands = [\"child-0-6\"]\n"),
        ),
        (
            "child bands: the youngest adult band after the oldest child band",
            family("child_age_bands = [\n  \"child-6-17\",\n  \"adult-18-29\",\n]\n"),
        ),
        (
            "child bands: a band twice",
            family("child_age_bands = [\"child-0-5\", \"child-6-17\",\n  \"child-0-5\"]\n"),
        ),
        (
            "child bands: not a list",
            family("child_age_bands = \"child-0-5\"\n"),
        ),
    ];
    let negative: Vec<Value> = negative
        .into_iter()
        .map(
            |(case, text)| match Criteria::parse(&text, "criteria.toml", Catalogue::builtin()) {
                Err(Error::Input { rule, line, .. }) => {
                    json!({ "case": case, "text": text, "expect": rule.name(), "line": line })
                }
                other => panic!("{case}: {other:?}"),
            },
        )
        .collect();
    json!({
        "description": "Selection criteria (spec §11) against the builtin catalogue: valid files with what they mean (services in catalogue order, age bands youngest first, null where a key is absent), invalid ones with the rule and line of the first mistake",
        "catalogue_version": Catalogue::builtin().version,
        "valid": valid,
        "negative": negative,
    })
}

/// A population as the vectors give it: each person's pseudonym, age band and services, the
/// relations by label, and the publications (hex) they were written into.
fn population_value(population: &common::Population) -> Value {
    let (run_key, _) = common::population_keys();
    let pseudonyms = population.pseudonyms(&run_key);
    let pseudonym = |label: &str| {
        pseudonyms
            .iter()
            .find(|(l, _)| l == label)
            .unwrap()
            .1
            .to_string()
    };
    let persons: Vec<Value> = population
        .members
        .iter()
        .map(|m| {
            let band = Cpr::parse_undated(&m.cpr, "test", 1).unwrap().age_band(REFERENCE);
            json!({ "person": m.label, "pseudonym": pseudonym(&m.label), "age_band": band.name(), "services": m.services })
        })
        .chain(population.without_services.iter().map(|(label, _)| {
            json!({ "person": label, "pseudonym": pseudonym(label), "age_band": null, "services": [] })
        }))
        .collect();
    let relations: Vec<Value> = population
        .relations
        .iter()
        .map(|(child, parent)| json!({ "child": child, "parent": parent }))
        .collect();
    let publications: Vec<Value> = population
        .publications()
        .iter()
        .map(|(file, bytes)| json!({ "file": file, "bytes": hex::encode(bytes) }))
        .collect();
    json!({ "persons": persons, "relations": relations, "publications": publications })
}

/// The result of a match (spec §12.6) without the random ids, each candidate with its members
/// by label, in the order of their members.
fn result_without_ids(matched: &Match, population: &common::Population) -> Value {
    let (run_key, _) = common::population_keys();
    let report: Value = serde_json::from_str(&matched.report_json()).unwrap();
    let mut candidates: Vec<Value> = report["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .zip(matched.candidate_pseudonyms())
        .map(|(candidate, members)| {
            let mut labels: Vec<String> = members
                .iter()
                .map(|p| population.label_of(&run_key, p))
                .collect();
            labels.sort();
            let mut candidate = candidate.clone();
            let fields = candidate.as_object_mut().unwrap();
            fields.remove("id");
            let mut ordered = serde_json::Map::new();
            ordered.insert("members".into(), json!(labels));
            ordered.extend(fields.clone());
            Value::Object(ordered)
        })
        .collect();
    candidates.sort_by_key(|c| c["members"].to_string());
    json!({ "persons": report["persons"], "families": report["families"], "candidates": candidates })
}

fn match_population(population: &common::Population, criteria: &str) -> Match {
    let criteria = Criteria::parse(criteria, "criteria.toml", Catalogue::builtin()).unwrap();
    Match::run(
        common::named_sources(&population.publications()),
        Catalogue::builtin(),
        &criteria,
    )
    .unwrap()
}

fn match_vectors() -> Value {
    let population = common::ages_population();
    let cases: Vec<Value> = common::AGE_CRITERIA
        .iter()
        .map(|(case, criteria, _)| {
            let matched = match_population(&population, criteria);
            json!({ "case": case, "criteria": criteria, "result": result_without_ids(&matched, &population) })
        })
        .collect();
    json!({
        "description": "The match (spec §12.2–§12.6) of one population under several criteria: the persons (pseudonyms under the run key of the publications, age bands on the reference date, services), relations, and the publications they make; per criteria the result file without the random ids, candidates in the order of their members' labels, each with its members (not in the result file). Compare candidates as a multiset.",
        "municipality": "219", "run": "2026-11", "reference_date": REFERENCE.to_string(),
        "catalogue_version": Catalogue::builtin().version,
        "population": population_value(&population),
        "cases": cases,
    })
}

/// `count` persons of one age band and the same services, labelled `prefix1`, `prefix2`, ...,
/// with made-up CPR numbers born in a year of that band.
fn group(
    prefix: &str,
    count: usize,
    band: AgeBand,
    services: &[&str],
    first: usize,
) -> Vec<common::Member> {
    let (year, digit) = match band {
        AgeBand::Child0To5 => (22, 4),
        AgeBand::Child6To17 => (14, 4),
        AgeBand::Adult18To29 => (1, 4),
        AgeBand::Adult30To49 => (86, 1),
        AgeBand::Adult50To66 => (66, 1),
        AgeBand::Adult67Plus => (50, 1),
    };
    (first..first + count)
        .map(|i| {
            let cpr = format!(
                "{:02}{:02}{year:02}{digit}{i:03}",
                1 + i % 28,
                1 + i / 28 % 10
            );
            assert_eq!(
                Cpr::parse_undated(&cpr, "test", 1)
                    .unwrap()
                    .age_band(REFERENCE),
                band
            );
            common::Member {
                label: format!("{prefix}{}", i - first + 1),
                cpr,
                services: services.iter().map(|&s| s.into()).collect(),
            }
        })
        .collect()
}

fn statistics_vectors() -> Value {
    use AgeBand::*;
    let no_candidates = |threshold: u64| {
        format!("{CRITERIA_HEAD}threshold = {threshold}\n\n[person]\nmin_sectors = 5\n")
    };
    let population = |groups: Vec<Vec<common::Member>>| common::Population {
        members: groups.concat(),
        relations: Vec::new(),
        without_services: Vec::new(),
    };
    let mut cases: Vec<(&str, String, common::Population)> = vec![
        (
            "age bands at the threshold (3): 3 released, 2 suppressed with the lower-numbered of two 3s",
            no_candidates(3),
            population(vec![
                group("child", 3, Child0To5, &["CHF-INVESTIGATION"], 0),
                group("adult", 3, Adult30To49, &["EMP-MENTOR"], 10),
                group("older", 2, Adult50To66, &["EMP-MENTOR"], 20),
            ]),
        ),
        (
            "five persons in 1 to 5 sectors with six or more services each (threshold 5)",
            no_candidates(5),
            population(vec![
                group(
                    "one",
                    1,
                    Adult30To49,
                    &[
                        "EMP-MENTOR",
                        "EMP-GUIDANCE",
                        "EMP-CASH-BENEFIT",
                        "EMP-FLEX-JOB",
                        "EMP-VOC-REHAB",
                        "EMP-WAGE-SUBSIDY",
                    ],
                    0,
                ),
                group(
                    "two",
                    1,
                    Adult30To49,
                    &[
                        "EMP-MENTOR",
                        "EMP-GUIDANCE",
                        "EMP-CASH-BENEFIT",
                        "EMP-FLEX-JOB",
                        "EMP-VOC-REHAB",
                        "ADS-SOCIO-PED",
                    ],
                    1,
                ),
                group(
                    "three",
                    1,
                    Adult30To49,
                    &[
                        "EMP-MENTOR",
                        "EMP-GUIDANCE",
                        "EMP-CASH-BENEFIT",
                        "EMP-FLEX-JOB",
                        "ADS-SOCIO-PED",
                        "CHF-PARENT-SUPPORT",
                    ],
                    2,
                ),
                group(
                    "four",
                    1,
                    Adult30To49,
                    &[
                        "EMP-MENTOR",
                        "EMP-GUIDANCE",
                        "EMP-CASH-BENEFIT",
                        "ADS-SOCIO-PED",
                        "CHF-PARENT-SUPPORT",
                        "HEA-HOME-HELP",
                    ],
                    3,
                ),
                group(
                    "five",
                    1,
                    Adult30To49,
                    &[
                        "EMP-MENTOR",
                        "EMP-GUIDANCE",
                        "ADS-SOCIO-PED",
                        "CHF-PARENT-SUPPORT",
                        "HEA-HOME-HELP",
                        "SCH-SUPPLEMENTARY",
                    ],
                    4,
                ),
            ]),
        ),
        (
            "found only in the reduced form: 6, 3 and 2 persons in 1, 2 and 3 sectors, 3 in each of three pairs (threshold 3)",
            no_candidates(3),
            population(vec![
                group("single", 6, Adult30To49, &["EMP-MENTOR"], 0),
                group(
                    "emp-ads",
                    1,
                    Adult30To49,
                    &["EMP-MENTOR", "ADS-SOCIO-PED"],
                    6,
                ),
                group(
                    "emp-chf",
                    1,
                    Adult30To49,
                    &["EMP-MENTOR", "CHF-PARENT-SUPPORT"],
                    7,
                ),
                group(
                    "ads-chf",
                    1,
                    Adult30To49,
                    &["ADS-SOCIO-PED", "CHF-PARENT-SUPPORT"],
                    8,
                ),
                group(
                    "all",
                    2,
                    Adult30To49,
                    &["EMP-MENTOR", "ADS-SOCIO-PED", "CHF-PARENT-SUPPORT"],
                    9,
                ),
            ]),
        ),
    ];
    // Families: five with a child and a parent with services, four whose child has none.
    let children = group("child", 5, Child0To5, &["CHF-FAMILY-TREATMENT"], 0);
    let parents = group("parent", 9, Adult30To49, &["EMP-MENTOR"], 10);
    let unserved = group("unserved", 4, Child6To17, &[], 30);
    let mut families = population(vec![children.clone(), parents.clone()]);
    families.relations = children
        .iter()
        .chain(&unserved)
        .zip(&parents)
        .map(|(child, parent)| (child.label.clone(), parent.label.clone()))
        .collect();
    families.without_services = unserved
        .iter()
        .map(|m| (m.label.clone(), m.cpr.clone()))
        .collect();
    cases.push((
        "families by composition and the candidates they give (threshold 5)",
        format!("{CRITERIA_HEAD}\n[family]\nrequire_child_and_adult = true\n"),
        families,
    ));
    let cases: Vec<Value> = cases
        .into_iter()
        .map(|(case, criteria, population)| {
            let matched = match_population(&population, &criteria);
            let counts: serde_json::Map<String, Value> = matched
                .statistics
                .tables
                .iter()
                .map(|t| (t.name.to_owned(), json!(t.unsuppressed())))
                .collect();
            json!({
                "case": case, "criteria": criteria,
                "population": population_value(&population),
                "counts": counts,
                "statistics": serde_json::from_str::<Value>(&matched.statistics.to_json()).unwrap(),
                "csv": matched.statistics.to_csv(),
            })
        })
        .collect();
    json!({
        "description": "Statistics (spec §12.7) of small populations matched under criteria: the counts before suppression (cells only; a table's total is their sum), the released JSON and CSV. The populations are given as in match.json.",
        "municipality": "219", "run": "2026-11", "reference_date": REFERENCE.to_string(),
        "catalogue_version": Catalogue::builtin().version,
        "cases": cases,
    })
}

// ---------------------------------------------------------------------------------------------
// Work lists, the final selection, mappings and the encodings of exports (spec §8, §13).

/// `text` in Windows-1252, written independently of the decoder under test: U+0000–U+007F and
/// U+00A0–U+00FF are their own bytes; the few other characters these vectors use are looked up.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{0}'..='\u{7f}' | '\u{a0}'..='\u{ff}' => c as u8,
            '€' => 0x80,
            '–' => 0x96,
            '—' => 0x97,
            _ => panic!("{c:?} is not in these vectors' Windows-1252 table"),
        })
        .collect()
}

/// UTF-16 little-endian with its byte-order mark (as Notepad's "Unicode" saves).
fn utf16_le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// UTF-16 big-endian with its byte-order mark.
fn utf16_be(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xfe, 0xff];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    bytes
}

/// The 1-based line of the first byte that is not UTF-8 (after a UTF-8 BOM), if any: where a
/// reader of UTF-8 only (a build without `windows-1252`) refuses the bytes with `encoding`.
fn first_non_utf8_line(bytes: &[u8]) -> Option<u64> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let valid = std::str::from_utf8(bytes).err()?.valid_up_to();
    Some(1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count() as u64)
}

/// The rule and line of an input error; any other result is a bug in the vectors.
fn rule_and_line<T>(result: Result<T, Error>, case: &str) -> (String, u64) {
    match result {
        Err(Error::Input { rule, line, .. }) => (rule.name().to_owned(), line),
        Err(other) => panic!("{case}: {other:?}"),
        Ok(_) => panic!("{case}: accepted"),
    }
}

/// The work lists' flag file: the adult-social sector's records of three candidates, with
/// fixed nonces: one citizen with two services, a family with two citizens, one citizen with
/// one service. Goals hold `,` and `;`, a line break, and a leading `-` (quoted as text).
fn work_list_flag_file() -> Vec<u8> {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let key = sealing("adult-social", 200);
    let envelope_key = EnvelopeKey::derive(&key, &run());
    let header = FileHeader {
        author: Author::of(&vector_matcher()),
        ..vector_header(&run_key, &key)
    };
    let mut writer = FileWriter::new(
        Vec::new(),
        FileKind::FlagFile,
        "adult-social.flag",
        &header,
        &vector_matcher(),
    )
    .unwrap();
    let records = [
        (
            0x11,
            "0101901234",
            "ADS-SOCIO-PED",
            "SAG-1",
            "Mette Hansen",
            "Stabil bolig",
            date!(2025 - 03 - 14),
        ),
        (
            0x11,
            "0101901234",
            "ADS-CONTACT-PERSON",
            "SAG-2",
            "Søren Æbelø",
            "Ro på, færre skift; på sigt arbejde",
            date!(2025 - 09 - 01),
        ),
        (
            0x22,
            "0101851234",
            "ADS-DRUG-OUTPATIENT",
            "SAG-3",
            "Åse Ørum",
            "Stoffri hverdag\nog et netværk",
            date!(2026 - 01 - 05),
        ),
        (
            0x22,
            "0101154234",
            "ADS-CONTACT-PERSON",
            "SAG-4",
            "Åse Ørum",
            "",
            date!(2026 - 02 - 01),
        ),
        (
            0x33,
            "3112999999",
            "ADS-SOCIO-PED",
            "Ø-17",
            "Jens Østergård",
            "-10 % fravær",
            date!(2024 - 02 - 29),
        ),
    ];
    for (i, (candidate, cpr, service, case_ref, caseworker, goal, start)) in
        records.into_iter().enumerate()
    {
        let pseudonym = pseudonymiser.pseudonym(&Cpr::parse_undated(cpr, "test", 1).unwrap());
        let envelope = envelope_key
            .seal_with_nonce(
                service,
                &pseudonym,
                &content(cpr, case_ref, caseworker, goal, start),
                [0x40 + i as u8; 12],
            )
            .unwrap();
        writer
            .write_flag(FlagRef {
                candidate: CandidateId([candidate; 16]),
                pseudonym,
                service,
                envelope: &envelope,
            })
            .unwrap();
    }
    writer.finish().unwrap()
}

/// The review step on a flag file in memory.
fn review_step<'a>(flag_file: &[u8], key: &'a SealingKey) -> sector::Review<'a> {
    sector::Review {
        sealing_key: key,
        catalogue: Catalogue::builtin(),
        flag_file: Input::bytes("adult-social.flag", flag_file.to_vec()),
    }
}

/// The verdict step on a filled-in work list: the verdict file's bytes, or the error.
fn verdict_from(flag_file: &[u8], key: &SealingKey, list: &[u8]) -> Result<String, Error> {
    let done = sector::verdict(
        &review_step(flag_file, key),
        &Input::bytes("worklist.csv", list.to_vec()),
        Place::memory("verdicts.json"),
        &Audit::none(),
    )?;
    Ok(String::from_utf8(done.bytes(OutputKind::Verdicts).unwrap().to_vec()).unwrap())
}

/// How a spreadsheet saves a filled-in work list.
#[derive(Clone, Copy)]
struct Saved {
    name: &'static str,
    delimiter: char,
    encoding: &'static str,
    crlf: bool,
    /// Whether the `start` dates were turned into Danish dates (`DD-MM-YYYY`), as Excel does.
    excel_dates: bool,
}

const SAVED: [Saved; 5] = [
    Saved {
        name: "as written, filled in: ',', UTF-8, LF",
        delimiter: ',',
        encoding: "utf-8",
        crlf: false,
        excel_dates: false,
    },
    Saved {
        name: "Danish Excel, CSV (semikolonsepareret): ';', Windows-1252, CRLF",
        delimiter: ';',
        encoding: "windows-1252",
        crlf: true,
        excel_dates: true,
    },
    Saved {
        name: "Danish Excel, CSV UTF-8: ';', UTF-8 with BOM, CRLF",
        delimiter: ';',
        encoding: "utf-8-bom",
        crlf: true,
        excel_dates: true,
    },
    Saved {
        name: "Excel, CSV (kommasepareret): ',', Windows-1252, CRLF",
        delimiter: ',',
        encoding: "windows-1252",
        crlf: true,
        excel_dates: true,
    },
    Saved {
        name: "Excel, CSV UTF-8 (kommasepareret): ',', UTF-8 with BOM, CRLF",
        delimiter: ',',
        encoding: "utf-8-bom",
        crlf: true,
        excel_dates: true,
    },
];

impl Saved {
    /// The cells as this spreadsheet writes them: a cell holding the delimiter, `"`, CR or LF
    /// in quotes with `"` doubled (a line break inside a cell stays LF), records ended as set.
    fn save(self, cells: &[Vec<String>]) -> Vec<u8> {
        let mut text = String::new();
        for (row, record) in cells.iter().enumerate() {
            let fields: Vec<String> = record
                .iter()
                .enumerate()
                .map(|(column, cell)| {
                    let cell = match (self.excel_dates, row, column) {
                        (true, 1.., 9) => {
                            format!("{}-{}-{}", &cell[8..10], &cell[5..7], &cell[..4])
                        }
                        _ => cell.clone(),
                    };
                    if cell.contains([self.delimiter, '"', '\r', '\n']) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        cell
                    }
                })
                .collect();
            text.push_str(&fields.join(&self.delimiter.to_string()));
            text.push_str(if self.crlf { "\r\n" } else { "\n" });
        }
        match self.encoding {
            "windows-1252" => windows_1252(&text),
            "utf-8-bom" => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            _ => text.into_bytes(),
        }
    }
}

/// The work list's cells, header first.
fn cells_of(csv_text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The caseworkers' verdicts, by citizen and service: `None` leaves the row empty.
fn filled_in(cpr: &str, service: &str) -> Option<(&'static str, &'static str)> {
    match (cpr, service) {
        ("010190-1234", "ADS-SOCIO-PED") => Some(("suitable-from", "2027-02")),
        ("010190-1234", _) => Some(("suitable-from", "2027-04")),
        ("010185-1234", _) => Some(("suitable", "")),
        ("010115-4234", _) => None,
        _ => Some(("not-suitable", "")),
    }
}

fn work_list_vectors() -> Value {
    let key = sealing("adult-social", 200);
    let flag_file = work_list_flag_file();
    let reviewed = sector::review(
        &review_step(&flag_file, &key),
        Place::memory("worklist.csv"),
        &Audit::none(),
    )
    .unwrap();
    let csv_text =
        String::from_utf8(reviewed.bytes(OutputKind::WorkList).unwrap().to_vec()).unwrap();
    let mut cells = cells_of(&csv_text);
    for row in &mut cells[1..] {
        if let Some((verdict, from)) = filled_in(&row[1], &row[2]) {
            row[10] = verdict.into();
            row[11] = from.into();
        }
    }
    let mut verdicts = None;
    let filled: Vec<Value> = SAVED
        .iter()
        .map(|saved| {
            let bytes = saved.save(&cells);
            let file = verdict_from(&flag_file, &key, &bytes).unwrap();
            assert!(verdicts.get_or_insert_with(|| file.clone()) == &file, "{}", saved.name);
            let utf8_only = first_non_utf8_line(&bytes)
                .map_or(Value::Null, |line| json!({ "expect": "encoding", "line": line }));
            json!({ "case": saved.name, "bytes": hex::encode(&bytes), "without_windows_1252": utf8_only })
        })
        .collect();
    // Each mistake in the row of the third candidate, after the family's two-line goal.
    let last = cells.len() - 1;
    let edit = |change: &dyn Fn(&mut Vec<Vec<String>>)| {
        let mut cells = cells.clone();
        change(&mut cells);
        cells
    };
    let mistakes: Vec<(&str, Vec<Vec<String>>)> = vec![
        (
            "a Danish verdict (egnet)",
            edit(&|c| c[last][10] = "egnet".into()),
        ),
        (
            "a verdict in another case (Not-suitable)",
            edit(&|c| c[last][10] = "Not-suitable".into()),
        ),
        (
            "a month Excel turned into a date (mar-27)",
            edit(&|c| {
                c[last][10] = "suitable-from".into();
                c[last][11] = "mar-27".into()
            }),
        ),
        (
            "a one-digit month",
            edit(&|c| {
                c[last][10] = "suitable-from".into();
                c[last][11] = "2027-3".into()
            }),
        ),
        (
            "suitable with a month",
            edit(&|c| c[last][11] = "2027-03".into()),
        ),
        (
            "suitable-from without a month",
            edit(&|c| c[last][10] = "suitable-from".into()),
        ),
        (
            "a candidate id cut short",
            edit(&|c| {
                c[last][0].pop();
            }),
        ),
        (
            "a candidate of another work list",
            edit(&|c| c[last][0] = CandidateId([0x44; 16]).to_string()),
        ),
        (
            "the from column deleted",
            edit(&|c| {
                for row in c.iter_mut() {
                    row.pop();
                }
            }),
        ),
        (
            "the verdict column renamed (egnethed)",
            edit(&|c| c[0][10] = "egnethed".into()),
        ),
        (
            "a row with a field fewer",
            edit(&|c| {
                c[last].remove(3);
            }),
        ),
    ];
    let negative: Vec<Value> = mistakes
        .iter()
        .flat_map(|(case, cells)| {
            [SAVED[1], SAVED[2]].map(|saved| {
                let bytes = saved.save(cells);
                let (expect, line) = rule_and_line(verdict_from(&flag_file, &key, &bytes), case);
                json!({ "case": case, "saved": saved.name, "bytes": hex::encode(&bytes), "expect": expect, "line": line })
            })
        })
        .collect();
    json!({
        "description": "Work lists (spec §13.1, §13.2): a flag file (fixed keys and nonces) reviewed into the work-list CSV (exact bytes, and the JSON rows); the list filled in and saved as spreadsheets save it, each read back into the same verdict file (exact bytes); filled-in lists with one mistake, as two of those saves, with the rule and line. `without_windows_1252`: what a build without that feature (WebAssembly) gives instead.",
        "sector": "adult-social",
        "sealing_key": hex::encode(key.expose_secret()),
        "sealing_key_file": key.to_key_file().to_string(),
        "flag_file": hex::encode(&flag_file),
        "work_list": csv_text,
        "work_list_json": serde_json::from_str::<Value>(&reviewed.summary.to_json()).unwrap(),
        "filled": filled,
        "verdicts": verdicts.unwrap(),
        "negative": negative,
    })
}

/// A match result file (spec §12.6) with fixed candidate ids: what the selection reads of a
/// match. Candidate `K-…07` is deferred, so sent nowhere.
fn selection_match_result() -> String {
    let candidate = |n: u8, kind: &str, deferred: bool, sectors: &[&str]| {
        let sectors: Vec<String> = sectors.iter().map(|s| format!("\"{s}\"")).collect();
        format!(
            "    {{\n      \"id\": \"{}\",\n      \"kind\": \"{kind}\",\n      \"deferred\": {deferred},\n      \"persons\": 1,\n      \"children\": 0,\n      \"adults\": 1,\n      \"sectors\": [{}],\n      \"services\": [],\n      \"reasons\": [\"minimum sectors and services\"]\n    }}",
            CandidateId([n; 16]),
            sectors.join(", ")
        )
    };
    let candidates = [
        candidate(1, "person", false, &["employment", "adult-social"]),
        candidate(
            2,
            "person",
            false,
            &["employment", "adult-social", "health-elderly"],
        ),
        candidate(3, "person", false, &["employment", "children-family"]),
        candidate(4, "person", false, &["employment", "adult-social"]),
        candidate(5, "person", false, &["employment", "health-elderly"]),
        candidate(6, "person", false, &["employment"]),
        candidate(7, "person", true, &["employment", "children-family"]),
        candidate(
            8,
            "family",
            false,
            &["adult-social", "children-family", "school-daycare"],
        ),
    ];
    let fingerprint = master().derive_run_key(&run(), REFERENCE).fingerprint();
    let author = |key: &PartySigningKey| {
        format!(
            "{{\n        \"signer\": \"{}\",\n        \"log_seq\": 0,\n        \"log_head\": \"{}\"\n      }}",
            key.public(),
            "00".repeat(32)
        )
    };
    let publications: Vec<String> = [
        "employment",
        "adult-social",
        "children-family",
        "health-elderly",
        "school-daycare",
    ]
    .iter()
    .map(|sector| {
        format!(
            "    {{\n      \"file\": \"{sector}.pub\",\n      \"sector\": \"{sector}\",\n      \"author\": {}\n    }}",
            author(&vector_sector_signing(sector))
        )
    })
    .collect();
    let body = format!(
        "{{\n  \"format\": \"samkoer-match\",\n  \"version\": 2,\n  \"run\": {{\n    \"municipality\": \"219\",\n    \"run\": \"2026-11\",\n    \"run_key_fingerprint\": \"{fingerprint}\",\n    \"catalogue_version\": \"{}\",\n    \"reference_date\": \"{REFERENCE}\"\n  }},\n  \"publications\": [\n{}\n  ],\n  \"persons\": 9,\n  \"families\": 1,\n  \"candidates\": [\n{}\n  ],\n  \"author\": {}\n}}",
        Catalogue::builtin().version,
        publications.join(",\n"),
        candidates.join(",\n"),
        author(&vector_matcher())
            .replace("\n      ", "\n  ")
            .replace("\n        ", "\n    ")
    );
    signed_json::sign(
        &body,
        samkoer_core::primitives::labels::MATCH_RESULT_SIGNATURE,
        &vector_matcher(),
    )
}

/// A verdict file of `sector` for run 2026-11, verdicts by candidate number.
fn verdict_file(sector: &str, run: &str, verdicts: &[(u8, &str, &str)]) -> String {
    let file = VerdictFile {
        municipality: town(),
        run: RunId::new(run).unwrap(),
        sector: SectorCode::new(sector).unwrap(),
        verdicts: verdicts
            .iter()
            .map(|&(n, verdict, from)| {
                (
                    CandidateId([n; 16]),
                    samkoer_core::formats::verdicts::Verdict::parse(verdict, from).unwrap(),
                )
            })
            .collect(),
    };
    file.to_json(&vector_sector_signing(sector), Head::EMPTY)
}

/// The select step in memory: the selection's bytes, or the error.
fn select_from(result: &str, files: &[(String, String)]) -> Result<String, Error> {
    let matcher = vector_matcher_key();
    let step = central::Select {
        matcher: &matcher,
        match_result: Input::bytes("result.json", result.as_bytes().to_vec()),
        verdicts: files
            .iter()
            .map(|(name, text)| Input::bytes(name.as_str(), text.as_bytes().to_vec()))
            .collect(),
    };
    let done = central::select(&step, Place::memory("selection.json"), &Audit::none())?;
    Ok(String::from_utf8(done.bytes(OutputKind::Selection).unwrap().to_vec()).unwrap())
}

/// A school-daycare verdict file changed after signing, signed again by the sector.
fn resign_school(text: &str) -> String {
    resigned(
        text,
        samkoer_core::primitives::labels::VERDICTS_SIGNATURE,
        &vector_sector_signing("school-daycare"),
    )
}

fn selection_vectors() -> Value {
    let result = selection_match_result();
    // 1: selected from the later month; 2: selected from the latest of three, across a year;
    // 3: removed although children-family has not answered; 4: removed by both, in byte order;
    // 5: outstanding (health-elderly gave no verdict on it); 6: selected now; 8: outstanding
    // (no school-daycare file); 7 is deferred and in no file.
    let files = vec![
        (
            "employment.verdicts.json",
            verdict_file(
                "employment",
                "2026-11",
                &[
                    (1, "suitable", ""),
                    (2, "suitable-from", "2026-12"),
                    (3, "not-suitable", ""),
                    (4, "not-suitable", ""),
                    (5, "suitable", ""),
                    (6, "suitable", ""),
                ],
            ),
        ),
        (
            "adult-social.verdicts.json",
            verdict_file(
                "adult-social",
                "2026-11",
                &[
                    (1, "suitable-from", "2027-02"),
                    (2, "suitable-from", "2027-01"),
                    (4, "not-suitable", ""),
                    (8, "suitable", ""),
                ],
            ),
        ),
        (
            "health-elderly.verdicts.json",
            verdict_file("health-elderly", "2026-11", &[(2, "suitable", "")]),
        ),
        (
            "children-family.verdicts.json",
            verdict_file(
                "children-family",
                "2026-11",
                &[(8, "suitable-from", "2027-06")],
            ),
        ),
    ];
    let files: Vec<(String, String)> = files.into_iter().map(|(n, t)| (n.to_owned(), t)).collect();
    let selection = select_from(&result, &files).unwrap();
    let with = |extra: (&str, String)| {
        let mut files = files.clone();
        files.push((extra.0.to_owned(), extra.1));
        files
    };
    // A school-daycare file named and signed as health-elderly's key: a file that key did sign.
    let signed_by_health = |text: String| {
        resigned(
            &text.replace(
                &vector_sector_signing("school-daycare").public().to_string(),
                &vector_sector_signing("health-elderly").public().to_string(),
            ),
            samkoer_core::primitives::labels::VERDICTS_SIGNATURE,
            &vector_sector_signing("health-elderly"),
        )
    };
    let second_health_file = || {
        (
            "again.json",
            verdict_file("health-elderly", "2026-11", &[(5, "suitable", "")]),
        )
    };
    let negative: Vec<(&str, Vec<(String, String)>)> = vec![
        (
            "a verdict file of another run",
            with((
                "other.json",
                verdict_file("school-daycare", "2026-12", &[(8, "suitable", "")]),
            )),
        ),
        ("a second file of one sector", with(second_health_file())),
        (
            "a verdict on a candidate not sent to the sector (its 2nd)",
            with((
                "school.json",
                resign_school(
                    &verdict_file(
                        "school-daycare",
                        "2026-11",
                        &[(1, "suitable", ""), (8, "suitable", "")],
                    )
                    .replace(
                        &CandidateId([1; 16]).to_string(),
                        &CandidateId([9; 16]).to_string(),
                    ),
                ),
            )),
        ),
        (
            "a verdict on a deferred candidate",
            with((
                "school.json",
                verdict_file(
                    "school-daycare",
                    "2026-11",
                    &[(7, "suitable", ""), (8, "suitable", "")],
                ),
            )),
        ),
        (
            "a verdict on a candidate of another sector",
            with((
                "school.json",
                resign_school(
                    &verdict_file(
                        "school-daycare",
                        "2026-11",
                        &[(8, "suitable", ""), (9, "suitable", "")],
                    )
                    .replace(
                        &CandidateId([9; 16]).to_string(),
                        &CandidateId([6; 16]).to_string(),
                    ),
                ),
            )),
        ),
        (
            "a verdict file signed by another key than its sector's publication carries",
            with((
                "school.json",
                signed_by_health(verdict_file(
                    "school-daycare",
                    "2026-11",
                    &[(8, "suitable", "")],
                )),
            )),
        ),
        (
            "a verdict file of another run signed by another key: the signature is checked first",
            with((
                "school.json",
                signed_by_health(verdict_file(
                    "school-daycare",
                    "2026-12",
                    &[(8, "suitable", "")],
                )),
            )),
        ),
        (
            "a file that does not parse after a second file of one sector: every file is parsed first",
            {
                let mut files = with(second_health_file());
                files.push(("broken.json".into(), "{\n  \"format\": ".into()));
                files
            },
        ),
    ];
    let given = files.len();
    let negative: Vec<Value> = negative
        .into_iter()
        .map(|(case, files)| {
            let (name, text) = files.last().unwrap().clone();
            let before: Vec<Value> = files[given..files.len() - 1]
                .iter()
                .map(|(name, text)| json!({ "file": name, "text": text }))
                .collect();
            let (expect, line) = rule_and_line(select_from(&result, &files), case);
            json!({ "case": case, "before": before, "file": name, "text": text, "expect": expect, "line": line })
        })
        .collect();
    json!({
        "description": "The final selection (spec §13.3): a match result with fixed candidate ids, signed by the matcher key of `matcher_key_file` and naming each sector's publication signer, and the verdict files of four sectors, each signed by its sector, in this order, give the selection (the bytes this implementation writes; §13.3 fixes the value and its member order, not the white space): selected now and from the latest month of all its sectors, removed by a not-suitable (also with a sector missing), outstanding, a deferred candidate left out. Negative cases add the files of `before` (mostly none) and then one file (`file`, `text`) after the four, with the rule and line.",
        "match_result": result,
        "matcher_key_file": vector_matcher_key().to_key_file().as_str(),
        "verdicts": files.iter().map(|(name, text)| json!({ "file": name, "text": text })).collect::<Vec<_>>(),
        "selection": selection,
        "negative": negative,
    })
}

/// Why a valid row is excluded, by spec §8.4's table (an independent reading of it: the
/// generator checks that the rows' exclusions add up to the publisher's counts).
fn exclusion_of(row: &samkoer_core::formats::export::ServiceRow, key: &SealingKey) -> &'static str {
    use samkoer_core::formats::catalogue::Category;
    match row.status.name() {
        "ended" => return "status-ended",
        "pending" => return "status-pending",
        "refused" => return "status-refused",
        _ => {}
    }
    match Catalogue::builtin().lookup(&row.service) {
        Some(Category::Excluded(_)) => "category-excluded",
        Some(Category::Allowed(s)) if s.sector != *key.sector() => "other-sector",
        _ if row.end.is_some_and(|end| end < REFERENCE) => "ended-before-reference",
        _ if row.start > REFERENCE => "starts-after-reference",
        _ => panic!("a valid row of an allowed service, ongoing, not published"),
    }
}

/// An export published with the lower-level publisher (no limits) under a mapping: the rows as
/// the reader reads them (each published, excluded or rejected with its rule), the accounting,
/// the records (envelopes omitted) and what their envelopes open to.
fn read_export(sector: &str, mapping: &str, export: &[u8]) -> Result<Value, Error> {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let key = sealing(sector, 9);
    let options = ExportOptions::from_mapping(mapping, "mapping.toml")?;
    let publisher = Publisher::new(&run_key, &key, Catalogue::builtin(), &options)?;
    let published = publisher.publish(
        Cursor::new(export.to_vec()),
        "export.csv",
        None,
        Vec::new(),
        "out.pub",
    )?;
    let (bytes, report) = (published.output, published.report);
    let mut decoded = read_publication(&bytes)?;
    let envelopes = EnvelopeKey::derive(&key, &run());
    let mut opened = Vec::new();
    let mut reader = FileReader::new(bytes.as_slice(), FileKind::Publication, "out.pub")?;
    while let Some(record) = reader.next_record()? {
        if let Record::Service(r) = record {
            let c = envelopes.open(&r.service, &r.pseudonym, &r.envelope)?;
            opened.push(json!({
                "cpr": std::str::from_utf8(c.cpr.expose_digits()).unwrap(), "case_ref": c.case_ref,
                "caseworker": c.caseworker, "goal": c.goal, "start": c.start.to_string(),
            }));
        }
    }
    let records = decoded["records"].as_array_mut().unwrap();
    for record in records.iter_mut() {
        record.as_object_mut().unwrap().remove("envelope");
    }
    // The rows as read; a valid row is published when it is the next record (rows in export
    // order, each published row one record), else excluded.
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let mut rows = Vec::new();
    let mut excluded = std::collections::BTreeMap::new();
    let mut next = records.iter().peekable();
    let mut reader = samkoer_core::formats::export::ExportReader::new(
        Cursor::new(export.to_vec()),
        "export.csv",
        &options,
        REFERENCE,
    )?;
    while let Some(row) = reader.next_row() {
        rows.push(match row? {
            Ok(row) => {
                let start = format!("{:04}-{:02}", row.start.year(), row.start.month() as u8);
                let is_next = next.peek().is_some_and(|r| {
                    r["pseudonym"] == pseudonymiser.pseudonym(&row.cpr).to_string()
                        && r["service"] == row.service.as_str()
                        && r["start"] == start.as_str()
                });
                if is_next {
                    next.next();
                }
                let exclusion = (!is_next).then(|| exclusion_of(&row, &key));
                if let Some(rule) = exclusion {
                    *excluded.entry(rule.to_owned()).or_insert(0u64) += 1;
                }
                json!({
                    "line": row.line, "outcome": if is_next { "published" } else { "excluded" },
                    "rule": exclusion,
                    "cpr": std::str::from_utf8(row.cpr.expose_digits()).unwrap(), "service": row.service,
                    "status": row.status.name(), "start": row.start.to_string(),
                    "end": row.end.map(|d| d.to_string()), "caseworker": row.caseworker,
                    "case_ref": row.case_ref, "goal": row.goal,
                })
            }
            Err(rejected) => json!({ "line": rejected.line, "outcome": "rejected", "rule": rejected.rule.name() }),
        });
    }
    assert!(next.next().is_none(), "every record is a row");
    assert_eq!(
        json!(excluded),
        json!(report.export.excluded_by_rule),
        "the exclusions as §8.4 has them"
    );
    assert_eq!(reader.encoding().name(), report.export.encoding);
    Ok(json!({
        "rows": rows,
        "accounting": serde_json::to_value(&report.export).unwrap(),
        "records": decoded["records"],
        "opened": opened,
    }))
}

/// The spec's example mapping (§8.3) with the optional columns of a Danish case system.
const DANISH_MAPPING: &str = "delimiter = \";\"\nencoding = \"windows-1252\"\n[columns]\ncpr = \"CPR-nr\"\nservice = \"Ydelse\"\nstatus = \"Tilstand\"\nstart = \"Startdato\"\nend = \"Slutdato\"\ncaseworker = \"Sagsbehandler\"\ncase_ref = \"Sagsnr\"\ngoal = \"Mål\"\n[statuses]\n\"Bevilget\" = \"active\"\n\"Afsluttet\" = \"ended\"\n\"Under behandling\" = \"pending\"\n\"Afslag\" = \"refused\"\n";

fn mapping_vectors() -> Value {
    let danish = "CPR-nr;Ydelse;Tilstand;Startdato;Slutdato;Sagsbehandler;Sagsnr;Mål\r\n\
        010190-1234;ADS-SOCIO-PED;Bevilget;14-03-2025;;Søren Æbelø;Ø-17;Egen bolig, på sigt\r\n\
        0101901234;ADS-CONTACT-PERSON;BEVILGET ;01.10.2026;31-12-2027;Åse Ørum;Ø-18;\r\n\
        0101851234;ADS-SOCIO-PED;Afsluttet;01-01-2024;30-06-2025;;;\r\n\
        0101851234;ADS-DRUG-OUTPATIENT;Under behandling;01-11-2026;;;;\r\n\
        0101851234;ADS-CONTACT-PERSON;Afslag;01-11-2026;;;;\r\n\
        0101851234;ADS-SOCIO-PED;active;01-06-2026;;;;\r\n\
        0101851234;ADS-SOCIO-PED;Bevilget;01-06-2026;31-10-2026;;;\r\n\
        0101851234;ADS-SOCIO-PED;Bevilget;02-11-2026;;;;\r\n\
        0101851234;X-TRANSPORT;Bevilget;01-01-2026;;;;\r\n\
        0101851234;EMP-MENTOR;Bevilget;01-01-2026;;;;\r\n\
        0101851234;ADS-SOCIO-PED;I gang;01-01-2026;;;;\r\n\
        3202901234;ADS-SOCIO-PED;Bevilget;01-01-2026;;;;\r\n\
        0101851234;ADS-SOCIO-PED;Bevilget;2026-13-01;;;;\r\n";
    let reordered = "\u{feff}Start, CPR ,service,Status\r\n2026-01-01,0101901234,EMP-MENTOR,Pending\r\n2026-01-01,0101851234,EMP-GUIDANCE,pending \r\n2026-01-01,0101851234,EMP-FLEX-JOB,active\r\n";
    let cases: Vec<(&str, &str, String, Vec<u8>)> = vec![
        (
            "the spec's example with the optional columns: Danish names and statuses, ';', Windows-1252, CRLF; every outcome",
            "adult-social",
            DANISH_MAPPING.into(),
            windows_1252(danish),
        ),
        (
            "columns in another order and case, mapped names trimmed; a mapped status over the built-in name of another (pending = active); ',' told from the header; UTF-8 with BOM",
            "employment",
            "delimiter = \" AUTO \"\nencoding = \"UTF8\"\n[columns]\ncpr = \" CPR \"\nstart = \"START\"\n[statuses]\n\" Pending \" = \"active\"\n".into(),
            reordered.as_bytes().to_vec(),
        ),
        (
            "the delimiter fixed although the header holds both ';' and ','",
            "employment",
            "delimiter = \";\"\n[columns]\nstatus = \"Status, tekst\"\n".into(),
            b"cpr;service;Status, tekst;start\n0101901234;EMP-MENTOR;active;2026-01-01\n".to_vec(),
        ),
        (
            "encoding = \"utf-8\": a Windows-1252 byte in a goal rejects its row (encoding)",
            "employment",
            "encoding = \"utf-8\"\n".into(),
            [b"cpr;service;status;start;goal\n0101901234;EMP-MENTOR;active;2026-01-01;Job\n0101851234;EMP-MENTOR;active;2026-01-01;".as_slice(), &windows_1252("Fast arbejde på sigt"), b"\n"].concat(),
        ),
        (
            "encoding = \"windows-1252\" on a file with a UTF-8 byte-order mark: read as UTF-8",
            "employment",
            "encoding = \"cp1252\"\n".into(),
            "\u{feff}cpr;service;status;start;caseworker;goal\n0101901234;EMP-MENTOR;active;2026-01-01;Søren Æbelø;Mål – på sigt\n".as_bytes().to_vec(),
        ),
    ];
    let cases: Vec<Value> = cases
        .into_iter()
        .map(|(case, sector, mapping, export)| {
            let mut value =
                read_export(sector, &mapping, &export).unwrap_or_else(|e| panic!("{case}: {e}"));
            value["case"] = case.into();
            value["sector"] = sector.into();
            value["mapping"] = mapping.into();
            value["export"] = hex::encode(&export).into();
            value
        })
        .collect();
    let negative: Vec<(&str, String)> = vec![
        ("not TOML", "[columns\ncpr = \"CPR-nr\"\n".into()),
        ("an unknown key", "delimiter = \";\"\nseparator = \";\"\n".into()),
        ("an unknown key in [columns]: not a field", "[columns]\ncpr = \"CPR-nr\"\ncpr_nr = \"CPR\"\n".into()),
        ("a number for a string", "delimiter = 59\n".into()),
        ("[columns] not a table", "columns = \"CPR-nr\"\n".into()),
        ("a tab delimiter", "encoding = \"auto\"\ndelimiter = \"\\t\"\n".into()),
        ("an unknown encoding (latin-1)", "delimiter = \";\"\nencoding = \"latin-1\"\n".into()),
        ("a blank column name", "[columns]\ncpr = \"CPR-nr\"\nservice = \"  \"\n".into()),
        ("two fields naming one column", "[columns]\ncpr = \"CPR-nr\"\nservice = \"Ydelse\"\nchild_cpr = \" cpr-NR\"\n".into()),
        ("a status mapped to no status", "[statuses]\n\"Bevilget\" = \"active\"\n\"Afsluttet\" = \"closed\"\n".into()),
        ("a status mapped in another case", "[statuses]\n\"Bevilget\" = \"Active\"\n".into()),
        ("two statuses alike once trimmed and lower-cased", "[statuses]\n\"Bevilget\" = \"active\"\n\"Afsluttet\" = \"ended\"\n\" bevilget\" = \"ended\"\n".into()),
    ];
    let negative: Vec<Value> = negative
        .into_iter()
        .map(|(case, mapping)| {
            let (expect, line) =
                rule_and_line(ExportOptions::from_mapping(&mapping, "mapping.toml"), case);
            json!({ "case": case, "mapping": mapping, "expect": expect, "line": line })
        })
        .collect();
    // A mapping that reads but does not fit the export: the file stops at its header.
    let header_faults: Vec<(&str, &str, &[u8])> = vec![
        (
            "a mapped name that is another field's own (end = \"start\")",
            "[columns]\nend = \"start\"\n",
            b"cpr,service,status,start\n0101901234,EMP-MENTOR,active,2026-01-01\n",
        ),
        (
            "a mapped column the export lacks",
            DANISH_MAPPING,
            b"cpr;service;status;start\r\n0101901234;EMP-MENTOR;active;2026-01-01\r\n",
        ),
        (
            "',' fixed on a ';' file",
            "delimiter = \",\"\n",
            b"cpr;service;status;start\n0101901234;EMP-MENTOR;active;2026-01-01\n",
        ),
    ];
    let header_faults: Vec<Value> = header_faults
        .into_iter()
        .map(|(case, mapping, export)| {
            let (expect, line) = rule_and_line(read_export("employment", mapping, export), case);
            json!({ "case": case, "sector": "employment", "mapping": mapping, "export": hex::encode(export), "expect": expect, "line": line })
        })
        .collect();
    let sealing_keys = ["employment", "adult-social"].map(|s| {
        let key = sealing(s, 9);
        json!({ "sector": s, "key": hex::encode(key.expose_secret()), "key_file": key.to_key_file().to_string() })
    });
    json!({
        "description": "Mapping files (spec §8.3) and the exports they describe, published under fixed keys (the sealing key of exports.json's, by sector): each row as read (line; outcome published, excluded or rejected with its rule; the fields of a valid row), the accounting, the records (envelopes omitted: their nonces are random) and what their envelopes open to. `negative`: mapping files refused with the rule and line; `header_faults`: mappings that read but stop the export at its header.",
        "run_key": hex::encode(master().derive_run_key(&run(), REFERENCE).expose_secret()), "run": "2026-11", "municipality": 219,
        "reference_date": REFERENCE.to_string(), "catalogue_version": Catalogue::builtin().version,
        "sealing_keys": sealing_keys,
        "cases": cases,
        "negative": negative,
        "header_faults": header_faults,
    })
}

/// The encodings' export: names and goals with æ, ø, å, and characters Windows-1252 and
/// Latin-1 place differently (– and €).
const DANISH_EXPORT: &str = "cpr;service;status;start;end;caseworker;case_ref;goal\r\n\
    010190-1234;ADS-SOCIO-PED;active;2025-03-14;;Søren Æbelø;Ø-17;Egen bolig – på sigt\r\n\
    0101851234;ADS-CONTACT-PERSON;active;01-10-2026;;Åse Ørum;Å-2;Hverdag uden gæld (5.000 €)\r\n\
    0101154234;ADS-SOCIO-PED;ended;01-01-2024;30-06-2025;Bjørn Kjærgård;;\r\n";

fn encoding_vectors() -> Value {
    let ascii_first = format!(
        "cpr;service;status;start;caseworker\r\n{}0101851234;ADS-SOCIO-PED;active;2026-01-01;Bjørn Kjærgård\r\n",
        "0101901234;ADS-SOCIO-PED;active;2026-01-01;Lars Nielsen\r\n".repeat(3)
    );
    let mixed = [
        "cpr;service;status;start;caseworker\n0101901234;ADS-SOCIO-PED;active;2026-01-01;Søren Æbelø\n0101851234;ADS-SOCIO-PED;active;2026-01-01;".as_bytes(),
        &windows_1252("Åse Ørum"),
        b"\n",
    ]
    .concat();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "Windows-1252 (as Danish Excel and many case systems save)",
            windows_1252(DANISH_EXPORT),
        ),
        (
            "the same text as UTF-8 with a byte-order mark",
            [b"\xEF\xBB\xBF".as_slice(), DANISH_EXPORT.as_bytes()].concat(),
        ),
        ("the same text as UTF-8", DANISH_EXPORT.as_bytes().to_vec()),
        (
            "ASCII rows first, then a Windows-1252 byte: the whole file is Windows-1252",
            windows_1252(&ascii_first),
        ),
        (
            "real UTF-8 first, then a Windows-1252 byte: UTF-8, that row rejected",
            mixed,
        ),
    ];
    let cases: Vec<Value> = cases
        .into_iter()
        .map(|(case, export)| {
            let mut value =
                read_export("adult-social", "", &export).unwrap_or_else(|e| panic!("{case}: {e}"));
            value.as_object_mut().unwrap().remove("rows");
            value["case"] = case.into();
            value["export"] = hex::encode(&export).into();
            value
        })
        .collect();
    let negative: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "UTF-16 little-endian with its byte-order mark (Notepad's Unicode)",
            "",
            utf16_le(DANISH_EXPORT),
        ),
        (
            "UTF-16 big-endian with its byte-order mark",
            "",
            utf16_be(DANISH_EXPORT),
        ),
        (
            "UTF-16 with encoding = \"utf-8\"",
            "encoding = \"utf-8\"\n",
            utf16_le(DANISH_EXPORT),
        ),
        (
            "UTF-16 with encoding = \"windows-1252\"",
            "encoding = \"windows-1252\"\n",
            utf16_le(DANISH_EXPORT),
        ),
    ];
    let negative: Vec<Value> = negative
        .into_iter()
        .map(|(case, mapping, export)| {
            let (expect, line) = rule_and_line(read_export("adult-social", mapping, &export), case);
            json!({ "case": case, "mapping": mapping, "export": hex::encode(&export), "expect": expect, "line": line })
        })
        .collect();
    json!({
        "description": "The encodings of exports (spec §8.1), read with encoding = \"auto\" (no mapping) and published under fixed keys by the adult-social sector (its sealing key as in mappings.json): the accounting, naming the encoding told from the bytes, the records (envelopes omitted) and the decoded envelope fields; UTF-16 refused with its rule and line.",
        "run_key": hex::encode(master().derive_run_key(&run(), REFERENCE).expose_secret()), "run": "2026-11", "municipality": 219,
        "reference_date": REFERENCE.to_string(), "catalogue_version": Catalogue::builtin().version,
        "sector": "adult-social",
        "sealing_key": hex::encode(sealing("adult-social", 9).expose_secret()),
        "sealing_key_file": sealing("adult-social", 9).to_key_file().to_string(),
        "cases": cases,
        "negative": negative,
    })
}

fn all_vectors() -> Vec<(&'static str, Value)> {
    vec![
        ("cpr.json", cpr_vectors()),
        ("keys.json", key_vectors()),
        ("key_files.json", key_file_vectors()),
        ("pseudonyms.json", pseudonym_vectors()),
        ("envelopes.json", envelope_vectors()),
        ("publications.json", publication_vectors()),
        ("exports.json", export_vectors()),
        ("flag_files.json", flag_file_vectors()),
        ("verdicts.json", verdict_vectors()),
        ("consent.json", consent_vectors()),
        ("consent_state.json", consent_state_vectors()),
        ("disclosures.json", disclosure_vectors()),
        ("audit.json", audit_vectors()),
        ("criteria.json", criteria_vectors()),
        ("match.json", match_vectors()),
        ("statistics.json", statistics_vectors()),
        ("work_lists.json", work_list_vectors()),
        ("selection.json", selection_vectors()),
        ("mappings.json", mapping_vectors()),
        ("encodings.json", encoding_vectors()),
        ("boundaries.json", boundaries::vectors()),
    ]
}

#[test]
fn vectors_are_current() {
    let update = std::env::var_os("SAMKOER_UPDATE_VECTORS").is_some();
    let dir = vectors_dir();
    let mut stale = Vec::new();
    for (name, value) in all_vectors() {
        let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale vectors {stale:?}: run SAMKOER_UPDATE_VECTORS=1 cargo test -p samkoer-core --test vectors"
    );
}

/// The checked-in envelopes open with the sealing key they name, to the content they name.
#[test]
fn checked_in_envelopes_open() {
    let text = std::fs::read_to_string(vectors_dir().join("envelopes.json")).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    let key_bytes: [u8; 32] = hex::decode(vectors["sealing_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = SealingKey::from_bytes(town(), SectorCode::new("adult-social").unwrap(), key_bytes);
    let envelope_key = EnvelopeKey::derive(&key, &run());
    for case in vectors["cases"].as_array().unwrap() {
        let p = Pseudonym(
            hex::decode(case["pseudonym"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap(),
        );
        let bytes = hex::decode(case["envelope"].as_str().unwrap()).unwrap();
        let opened = envelope_key
            .open(case["service"].as_str().unwrap(), &p, &bytes)
            .unwrap();
        assert_eq!(
            opened.cpr.expose_digits(),
            case["content"]["cpr"].as_str().unwrap().as_bytes()
        );
        assert_eq!(opened.goal, case["content"]["goal"].as_str().unwrap());
        assert_eq!(
            opened.start.to_string(),
            case["content"]["start"].as_str().unwrap()
        );
    }
}

/// Every label the code uses is written verbatim in the spec.
#[test]
fn spec_lists_every_label() {
    let spec =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/spec.md"))
            .unwrap();
    for (name, label) in samkoer_core::primitives::labels::ALL {
        let label = std::str::from_utf8(label).unwrap();
        assert!(
            spec.contains(&format!("`{label}`")),
            "docs/spec.md does not list {name} = `{label}`"
        );
    }
    for rule in samkoer_core::Rule::ALL {
        assert!(
            spec.contains(rule.name()),
            "docs/spec.md does not list the rule {}",
            rule.name()
        );
    }
}

/// The checked-in bundle opens whatever the order of the sector keys given (the key of its own
/// sector is found among others), and not with its own sector's key of another municipality.
#[test]
fn a_bundle_finds_its_sectors_key_among_others() {
    let text = std::fs::read_to_string(vectors_dir().join("disclosures.json")).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    let bytes = hex::decode(vectors["bundle"].as_str().unwrap()).unwrap();
    let plan_team = PlanTeamKey::from_bytes(town(), key_bytes(120));
    let receipt = vector_receipt();
    let employment = SectorPublicKey::of(&sealing("employment", 30));
    let adult_social = SectorPublicKey::of(&sealing("adult-social", 30));
    let elsewhere = SectorPublicKey::of(&SealingKey::from_bytes(
        MunicipalityCode::new(101).unwrap(),
        SectorCode::new("employment").unwrap(),
        key_bytes(30),
    ));
    let open = |keys: &[SectorPublicKey]| {
        let answering = Answering {
            receipt: &receipt,
            sectors: keys,
        };
        class(open_disclosure(&bytes, &plan_team, &answering, "b"))
    };
    assert_eq!(open(&[adult_social.clone(), employment.clone()]), "ok");
    assert_eq!(open(&[elsewhere.clone(), employment]), "ok");
    assert_eq!(open(&[elsewhere]), "disclosure-signature");
}

/// A bundle whose sealed content names another receipt or sector than its header is refused
/// as malformed, though signed and sealed as a sector would.
#[test]
fn a_bundle_whose_content_contradicts_its_header_is_malformed() {
    let plan_team = PlanTeamKey::from_bytes(town(), key_bytes(120));
    let employment = sealing("employment", 30);
    let receipt = vector_receipt();
    let keys = [SectorPublicKey::of(&employment)];
    let answering = Answering {
        receipt: &receipt,
        sectors: &keys,
    };
    let content = |receipt: &str, sector: &str| {
        json!({
            "format": "samkoer-disclosure", "receipt": receipt, "municipality": "219",
            "sector": sector, "services": [],
        })
    };
    let open = |content: Value| {
        let bundle = seal_for_vectors(&plan_team_public_key(&plan_team), &employment, &content);
        class(open_disclosure(&bundle, &plan_team, &answering, "b"))
    };
    let id = "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5";
    assert_eq!(open(content(id, "employment")), "ok");
    assert_eq!(
        open(content(&"b6".repeat(16), "employment")),
        "disclosure-format"
    );
    assert_eq!(open(content(id, "adult-social")), "disclosure-format");
}
