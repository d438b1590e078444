//! Writes the bad-input corpus `tests/bad-inputs/`: one file per realistic mistake or attack,
//! the good companion files the commands need (`good/`), and the manifest `cases.json` that
//! says, per file, which command meets it and what must come of it.
//!
//! Usage: `cargo run -p samkoer-core --example bad_inputs` (rewrites everything in
//! `tests/bad-inputs/` but its README). Keys are fixed made-up bytes and every CPR number is
//! invented; envelope nonces, candidate ids and HPKE encapsulations are random, so the binary
//! files differ from one run to the next while the manifest stays true. The checks are
//! `core/tests/bad_inputs.rs` (through the library) and `cli/tests/bad_inputs.rs` (through the
//! `samkoer` binary).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a generator: a panic is its failure report

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use samkoer_core::audit::{AuditLog, Head, Step};
use samkoer_core::central::matcher::Match;
use samkoer_core::consent::disclosure::{self, Discloser};
use samkoer_core::consent::receipt::{self as consent, Consent, Receipt};
use samkoer_core::consent::state;
use samkoer_core::files::kind::Kind;
use samkoer_core::files::{Input, Place};
use samkoer_core::flow::Audit;
use samkoer_core::flow::central as central_flow;
use samkoer_core::flow::sector as sector_flow;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::formats::publication::{
    FileHeader, FileKind, FileReader, FileWriter, FlagRecord, FlagRef, Record,
};
use samkoer_core::formats::signed_json;
use samkoer_core::formats::verdicts::VerdictFile;
use samkoer_core::primitives::ids::CandidateId;
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, KeyKind, MatcherKey, PlanTeamKey,
    PlanTeamPublicKey, SectorPublicKey, SubjectKey,
};
use samkoer_core::primitives::labels;
use samkoer_core::primitives::signing::PartySigningKey;
use samkoer_core::sector::publish::Publisher;
use samkoer_core::sector::review::{WorkList, review};
use samkoer_core::{
    Cpr, KeyFileFormat, MasterKey, MunicipalityCode, Rule, RunId, RunKey, SealingKey, SectorCode,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

/// The reference date every publish of the corpus uses.
const REFERENCE: Date = date!(2026 - 11 - 01);
const REFERENCE_TEXT: &str = "2026-11-01";
/// When the generator discloses (the CLI discloses at its own "now"; the receipt covers both).
const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

// Invented people (CPR numbers made up for the corpus; spec §3.2 gives the centuries): Anna
// 1505803017 (employment, adult-social), Bo 2207751129 (employment only), Carl 0303901210
// (employment, adult-social; Ditte's parent), Ditte 1212154022 (a child: children-family), Emil
// 0909851311 (employment, health-elderly), and Fie, in no export.
const ANNA: &str = "1505803017";
const CARL: &str = "0303901210";
const FIE: &str = "2802921018";

const EXPORT_HEADER: &str = "cpr;service;status;start;end;caseworker;case_ref;goal\n";
const EMPLOYMENT_ROWS: [&str; 7] = [
    "1505803017;EMP-CASH-BENEFIT;active;2025-02-01;;Jens Hansen;J-1001;Job within a year",
    "2207751129;EMP-MENTOR;active;2025-03-15;;Mette Holm;J-1002;Weekly mentor meetings",
    "0303901210;EMP-CASH-BENEFIT;active;2024-11-01;;Jens Hansen;J-1003;Clarify health first",
    "030390-1210;EMP-JOB-CLARIFICATION;active;2025-06-01;;Jens Hansen;J-1004;",
    "0909851311;EMP-MENTOR;active;2025-01-10;;Mette Holm;J-1005;Back to education",
    "2207751129;EMP-WAGE-SUBSIDY;ended;2023-01-01;2023-12-31;Mette Holm;J-0999;",
    "1505803017;X-HOUSING-BENEFIT;active;2024-01-01;;;;",
];

const CRITERIA: &str = r#"format = "samkoer-criteria"
version = 1
threshold = 5

[person]
min_sectors = 2

[family]
require_child_and_adult = true
min_sectors = 2
"#;

const MAPPING: &str = r#"delimiter = ";"
encoding = "utf-8"

[columns]
cpr = "CPR-nr"
service = "Ydelse"
status = "Tilstand"
start = "Startdato"
end = "Slutdato"
caseworker = "Sagsbehandler"

[statuses]
"Bevilget" = "active"
"Afsluttet" = "ended"
"#;

const CATALOGUE: &str = r#"format = "samkoer-catalogue"
version = "test-1"

[[sector]]
code = "employment"
name = "Beskæftigelse"
name_en = "Employment"

[[sector]]
code = "adult-social"
name = "Socialområdet for voksne"
name_en = "Adult social services"

[[service]]
code = "EMP-MENTOR"
sector = "employment"
law = "Lov om en aktiv beskæftigelsesindsats"
paragraph = "§ 167"
name = "Mentorstøtte"
name_en = "Mentor support"
major_change = false

[[service]]
code = "ADS-SOCIO-PED"
sector = "adult-social"
law = "Lov om social service"
paragraph = "§ 85"
name = "Socialpædagogisk støtte"
name_en = "Socio-pedagogical support"
major_change = false

[[excluded]]
code = "X-HOUSING-BENEFIT"
name = "Boligstøtte"
name_en = "Housing benefit"
law = "Lov om individuel boligstøtte"
paragraph = "§ 1"
reason = "Income-tested benefit; says nothing about a need for coordinated help"
"#;

fn town() -> MunicipalityCode {
    MunicipalityCode::new(219).unwrap()
}

fn other_town() -> MunicipalityCode {
    MunicipalityCode::new(217).unwrap()
}

fn run_id(run: &str) -> RunId {
    RunId::new(run).unwrap()
}

fn sector(code: &str) -> SectorCode {
    SectorCode::new(code).unwrap()
}

/// A fixed, obviously made-up key: `seed`, `seed + 1`, ... (never a real key).
fn key_bytes(seed: u8) -> [u8; 32] {
    std::array::from_fn(|i| seed.wrapping_add(i as u8))
}

fn master(municipality: MunicipalityCode, seed: u8) -> MasterKey {
    MasterKey::from_bytes(municipality, key_bytes(seed))
}

fn run_key() -> RunKey {
    master(town(), 0x10).derive_run_key(&run_id("2026-11"), REFERENCE)
}

fn sealing(code: &str) -> SealingKey {
    let seed = match code {
        "employment" => 0x30,
        "adult-social" => 0x40,
        "children-family" => 0x50,
        "health-elderly" => 0x60,
        _ => 0x70,
    };
    SealingKey::from_bytes(town(), sector(code), key_bytes(seed))
}

fn matcher() -> MatcherKey {
    MatcherKey::from_bytes(town(), key_bytes(0xa0))
}

fn registry() -> ConsentRegistryKey {
    ConsentRegistryKey::from_bytes(town(), key_bytes(0x80))
}

fn subject() -> SubjectKey {
    SubjectKey::from_bytes(town(), key_bytes(0x90))
}

fn plan_team() -> PlanTeamKey {
    PlanTeamKey::from_bytes(town(), key_bytes(0xa0))
}

fn cpr(text: &str) -> Cpr {
    Cpr::parse_undated(text, "test", 1).unwrap()
}

fn export(rows: &[&str]) -> String {
    let mut text = EXPORT_HEADER.to_owned();
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

fn publish_bytes(
    run_key: &RunKey,
    sealing: &SealingKey,
    catalogue: &Catalogue,
    export: &str,
    relations: Option<&str>,
) -> Vec<u8> {
    let options = ExportOptions::default();
    let publisher = Publisher::new(run_key, sealing, catalogue, &options)
        .unwrap()
        .with_threads(1);
    let relations = relations.map(|text| {
        (
            Box::new(Cursor::new(text.as_bytes().to_vec())) as Box<dyn std::io::Read>,
            "relations.csv",
        )
    });
    let published = publisher
        .publish(
            Cursor::new(export.as_bytes().to_vec()),
            "export.csv",
            relations,
            Vec::new(),
            "out.pub",
        )
        .unwrap();
    assert_eq!(
        published.report.export.rejected, 0,
        "the good exports are good"
    );
    published.output
}

/// The records of a publication or flag file, read back.
fn records(bytes: &[u8], kind: FileKind) -> (FileHeader, Vec<Record>) {
    let mut reader = FileReader::new(bytes, kind, "f").unwrap();
    let header = reader.header().clone();
    let mut records = Vec::new();
    while let Some(record) = reader.next_record().unwrap() {
        records.push(record);
    }
    (header, records)
}

/// The corpus's signing key whose public half is `signer`: a sector's or the matcher's.
fn corpus_signing_key(signer: &[u8; 32]) -> PartySigningKey {
    [
        "employment",
        "adult-social",
        "children-family",
        "health-elderly",
    ]
    .into_iter()
    .map(|code| PartySigningKey::of(&sealing(code)))
    .chain([PartySigningKey::of_matcher(&matcher())])
    .find(|key| &key.public().0 == signer)
    .expect("a file of the corpus's sectors or matcher")
}

/// Writes a file of `kind` from a header and records (a correct digest and its author's
/// signature: what a forger holding the author's key makes).
fn rewrite(kind: FileKind, header: &FileHeader, records: &[Record]) -> Vec<u8> {
    let signing = corpus_signing_key(&header.author.signer.0);
    let mut writer = FileWriter::new(Vec::new(), kind, "f", header, &signing).unwrap();
    for record in records {
        match record {
            Record::Service(r) => writer.write_service(r).unwrap(),
            Record::Relation(r) => writer.write_relation(r).unwrap(),
            Record::Flag(r) => writer
                .write_flag(FlagRef {
                    candidate: r.candidate,
                    pseudonym: r.pseudonym,
                    service: &r.service,
                    envelope: &r.envelope,
                })
                .unwrap(),
        }
    }
    writer.finish().unwrap()
}

/// Recomputes a publication's or flag file's digest after an edit and signs it again, as a
/// careful forger holding its author's key would: the checks past the signature run.
fn redigest(bytes: &mut [u8], kind: FileKind) {
    let body = bytes.len() - 32 - 64;
    let digest: [u8; 32] = Sha256::new()
        .chain_update(kind.digest_label())
        .chain_update(&bytes[..body])
        .finalize()
        .into();
    bytes[body..body + 32].copy_from_slice(&digest);
    let at = header_end(bytes) - 72;
    let signer: [u8; 32] = bytes[at..at + 32].try_into().unwrap();
    let signature = corpus_signing_key(&signer).sign(kind.signature_label(), &digest);
    bytes[body + 32..].copy_from_slice(&signature);
}

/// Where the header of a publication or flag file ends (spec §7.1).
fn header_end(bytes: &[u8]) -> usize {
    let mut at = 12;
    at += 1 + usize::from(bytes[at]); // run
    at += 1 + usize::from(bytes[at]); // sector
    at += 16;
    at += 1 + usize::from(bytes[at]); // catalogue version
    at += 4;
    at + 32 + 8 + 32 // the author: signer, log head
}

/// Where each record starts and ends in a publication or flag file.
fn record_spans(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut at = header_end(bytes);
    let mut spans = Vec::new();
    loop {
        let start = at;
        let envelope_at = |code_at: usize| {
            let code = usize::from(bytes[code_at]);
            let length_at = code_at + 1 + code + if bytes[start] == b'S' { 5 } else { 0 };
            let envelope =
                usize::from(u16::from_be_bytes([bytes[length_at], bytes[length_at + 1]]));
            length_at + 2 + envelope
        };
        at = match bytes[start] {
            b'S' => envelope_at(start + 33),
            b'F' => envelope_at(start + 49),
            b'R' => start + 65,
            _ => return spans,
        };
        spans.push(start..at);
    }
}

/// Edits a work list's verdict and from cells: `fill(row)` for data rows 0, 1, ...
fn filled(work_list: &str, fill: impl Fn(usize) -> (String, String)) -> String {
    let mut lines = work_list.lines();
    let mut text = lines.next().unwrap().to_owned() + "\n";
    for (row, line) in lines.enumerate() {
        let cells = line
            .strip_suffix(",,")
            .expect("the verdict cells are empty");
        let (verdict, from) = fill(row);
        text.push_str(&format!("{cells},{verdict},{from}\n"));
    }
    text
}

fn all_suitable(work_list: &str) -> String {
    filled(work_list, |_| ("suitable".into(), String::new()))
}

/// Encodes text as Windows-1252 (for the corpus's few non-ASCII letters).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'æ' => 0xe6,
            'ø' => 0xf8,
            'å' => 0xe5,
            'Æ' => 0xc6,
            'Ø' => 0xd8,
            'Å' => 0xc5,
            '§' => 0xa7,
            c if c.is_ascii() => c as u8,
            c => panic!("no Windows-1252 byte chosen for {c}"),
        })
        .collect()
}

fn exit_code(rule: Option<Rule>) -> u8 {
    match rule {
        None => 4, // open-failed
        Some(
            Rule::ConsentSignature
            | Rule::ConsentStateSignature
            | Rule::PublicationDigest
            | Rule::KeyFileCheck
            | Rule::AuditChain,
        ) => 4,
        Some(Rule::RejectedLimit | Rule::AllExcluded) => 5,
        Some(_) => 1,
    }
}

/// The expected error of a case: a publish refused as a whole (spec §8.6), naming its file.
fn refused(rule: Rule, file: &str) -> Value {
    json!({
        "outcome": "error", "form": "input", "class": rule.name(), "code": rule.code(),
        "file": file, "exit": exit_code(Some(rule)), "message": rule.description(),
    })
}

/// The expected error of a case: a rule broken in a text file, at a line.
fn at_line(rule: Rule, file: &str, line: u64) -> Value {
    json!({
        "outcome": "error", "form": "input", "class": rule.name(), "code": rule.code(),
        "file": file, "line": line, "exit": exit_code(Some(rule)), "message": rule.description(),
    })
}

/// The expected error of a case: a file recognisably of another kind than the one asked for,
/// named for what it is (`wrong-file-kind`, line 0: the whole file).
fn wrong_kind(file: &str, found: Kind, expected: Kind) -> Value {
    let rule = Rule::WrongFileKind;
    json!({
        "outcome": "error", "form": "input", "class": rule.name(), "code": rule.code(),
        "file": file, "line": 0, "exit": exit_code(Some(rule)),
        "message": format!("this is {}, not {}", found.what(), expected.what()),
    })
}

/// The expected error of a case: a rule broken in a binary file, at a record.
fn at_record(rule: Rule, file: &str, record: u64) -> Value {
    json!({
        "outcome": "error", "form": "format", "class": rule.name(), "code": rule.code(),
        "file": file, "record": record, "exit": exit_code(Some(rule)), "message": rule.description(),
    })
}

/// The expected error of a case: a parameter refused (the core names no file; the CLI names
/// `file`, the one it was read from).
fn parameter(rule: Rule, file: &str) -> Value {
    json!({
        "outcome": "error", "form": "parameter", "class": rule.name(), "code": rule.code(),
        "file": file, "exit": exit_code(Some(rule)), "message": rule.description(),
    })
}

/// The expected error of a case: sealed content that does not open, at a record.
fn open_failed(file: &str, record: u64) -> Value {
    json!({
        "outcome": "error", "form": "open-failed", "class": "open-failed", "code": 2,
        "file": file, "record": record, "exit": exit_code(None),
        "message": "could not be opened",
    })
}

/// The expected outcome of a publish that goes on: rows rejected at their lines, the rest
/// published or excluded (`section` is `export` or `relations`).
fn rows(section: &str, rows: u64, published: u64, rejected: &[(u64, Rule)]) -> Value {
    let rejected: Vec<Value> = rejected
        .iter()
        .map(|(line, rule)| json!({ "line": line, "rule": rule.name(), "code": rule.code() }))
        .collect();
    json!({
        "outcome": "rows", "section": section, "rows": rows, "published": published,
        "rejected": rejected, "exit": 0,
    })
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

const PUBLICATION_OUT: [&str; 2] = ["out/publication.pub", "out/publication.pub.accounting.json"];

fn publish_args(run_key: &str, sealing_key: &str, export: &str, extra: &[&str]) -> Vec<String> {
    let mut parts = args(&[
        "publish",
        "--run-key",
        run_key,
        "--sealing-key",
        sealing_key,
        "--export",
        export,
    ]);
    parts.extend(args(extra));
    parts.extend(args(&["--out", "out/publication.pub"]));
    // A case is a few rows, so one bad row is a quarter of them: the limit on rejected rows
    // (spec §8.6) has cases of its own, which say their limit.
    if !parts.iter().any(|a| a == "--max-rejected") {
        parts.extend(args(&["--max-rejected", "100"]));
    }
    parts
}

fn publish_export(export: &str) -> Vec<String> {
    publish_args("good/run.key", "good/sealing-employment.key", export, &[])
}

fn check_answer_args(request: &str, index: &str) -> Vec<String> {
    args(&[
        "check",
        "answer",
        "--matcher-key",
        "good/matcher.key",
        "--index",
        index,
        "--request",
        request,
        "--out",
        "out/answer.json",
    ])
}

fn check_ask_args(persons: &str) -> Vec<String> {
    args(&[
        "check",
        "ask",
        "--run-key",
        "good/run.key",
        "--sealing-key",
        "good/sealing-employment.key",
        "--persons",
        persons,
        "--out",
        "out/request.json",
    ])
}

fn check_read_args(persons: &str, answer: &str) -> Vec<String> {
    args(&[
        "check",
        "read",
        "--run-key",
        "good/run.key",
        "--sealing-key",
        "good/sealing-employment.key",
        "--persons",
        persons,
        "--answer",
        answer,
        "--out",
        "out/check.csv",
    ])
}

fn match_args(criteria: &str, publications: &[&str]) -> Vec<String> {
    let mut parts = args(&[
        "match",
        "--matcher-key",
        "good/matcher.key",
        "--criteria",
        criteria,
        "--out-dir",
        "out/match",
    ]);
    parts.extend(args(publications));
    parts
}

fn review_args(flag_file: &str) -> Vec<String> {
    args(&[
        "review",
        "--sealing-key",
        "good/sealing-employment.key",
        "--flag-file",
        flag_file,
        "--out",
        "out/worklist.csv",
    ])
}

fn verdict_args(work_list: &str) -> Vec<String> {
    args(&[
        "verdict",
        "--sealing-key",
        "good/sealing-employment.key",
        "--flag-file",
        "good/employment.flag",
        "--work-list",
        work_list,
        "--out",
        "out/employment.verdicts.json",
    ])
}

fn select_args(result: &str, verdicts: &[&str]) -> Vec<String> {
    let mut parts = args(&[
        "select",
        "--matcher-key",
        "good/matcher.key",
        "--match-result",
        result,
        "--out",
        "out/selection.json",
    ]);
    parts.extend(args(verdicts));
    parts
}

/// The maximum age of a consent state the corpus's commands allow (hours): a hundred years, so
/// that the good state, issued on a fixed date, stays fresh.
const STATE_MAX_AGE: &str = "876000";

/// When the corpus's good consent state was issued.
const STATE_ISSUED: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);

fn verify_args(public: &str, receipt: &str, state: &str) -> Vec<String> {
    verify_args_aged(public, receipt, state, STATE_MAX_AGE)
}

fn verify_args_aged(public: &str, receipt: &str, state: &str, max_age: &str) -> Vec<String> {
    args(&[
        "consent",
        "verify",
        "--registry-public",
        public,
        "--receipt",
        receipt,
        "--consent-state",
        state,
        "--state-max-age",
        max_age,
        "--sealing-key",
        "good/sealing-employment.key",
    ])
}

fn state_args(withdrawals: &[&str]) -> Vec<String> {
    let mut parts = args(&[
        "consent",
        "state",
        "--registry-key",
        "good/consent-registry.key",
        "--previous",
        "good/consent-state.bin",
        "--out",
        "out/consent-state.bin",
    ]);
    for withdrawal in withdrawals {
        parts.extend(args(&["--withdrawal", withdrawal]));
    }
    parts
}

fn disclose_args(receipt: &str) -> Vec<String> {
    args(&[
        "disclose",
        "--receipt",
        receipt,
        "--consent-state",
        "good/consent-state.bin",
        "--state-max-age",
        STATE_MAX_AGE,
        "--registry-public",
        "good/consent-registry-public.key",
        "--subject-key",
        "good/subject.key",
        "--sealing-key",
        "good/sealing-employment.key",
        "--export",
        "good/export-employment.csv",
        "--plan-team-public",
        "good/plan-team-public.key",
        "--out",
        "out/employment.bundle",
    ])
}

fn open_args(bundle: &str) -> Vec<String> {
    args(&[
        "open",
        "--plan-team-key",
        "good/plan-team.key",
        "--registry-public",
        "good/consent-registry-public.key",
        "--receipt",
        "good/receipt.bin",
        "--sector-public",
        "good/sector-public-employment.key",
        bundle,
    ])
}

fn audit_args(log: &str, head: Option<&str>) -> Vec<String> {
    let mut parts = args(&["audit", "verify", log]);
    if let Some(head) = head {
        parts.extend(args(&["--head", head]));
    }
    parts
}

fn catalogue_args(catalogue: &str) -> Vec<String> {
    args(&["catalogue", "--catalogue", catalogue])
}

/// The corpus being written.
struct Corpus {
    dir: PathBuf,
    cases: Vec<Value>,
    controls: Vec<Value>,
    files: BTreeSet<String>,
}

impl Corpus {
    fn write(&mut self, name: &str, bytes: impl AsRef<[u8]>) {
        assert!(self.files.insert(name.to_owned()), "{name} written twice");
        let path = self.dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn good(&mut self, name: &str, bytes: impl AsRef<[u8]>) {
        self.write(&format!("good/{name}"), bytes);
    }

    /// A command on good files only, which must succeed: it shows the bad file is the cause.
    fn control(&mut self, what: &str, args: Vec<String>) {
        self.controls.push(json!({ "what": what, "args": args }));
    }

    fn case(
        &mut self,
        file: &str,
        bytes: impl AsRef<[u8]>,
        mistake: &str,
        args: Vec<String>,
        outputs: &[&str],
        expect: Value,
    ) {
        self.case_with_mode(file, bytes, mistake, args, outputs, expect, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn case_with_mode(
        &mut self,
        file: &str,
        bytes: impl AsRef<[u8]>,
        mistake: &str,
        args: Vec<String>,
        outputs: &[&str],
        expect: Value,
        mode: Option<&str>,
    ) {
        assert!(
            args.iter().any(|a| a == file),
            "the command of {file} names it"
        );
        self.write(file, bytes);
        self.cases.push(json!({
            "file": file,
            "mistake": mistake,
            "args": args,
            "mode": mode,
            "outputs": outputs,
            "expect": expect,
        }));
    }
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-inputs");
    clear(&dir);
    let mut corpus = Corpus {
        dir: dir.clone(),
        cases: Vec::new(),
        controls: Vec::new(),
        files: BTreeSet::new(),
    };
    let good = Good::write(&mut corpus);
    exports(&mut corpus);
    relations_and_mappings(&mut corpus);
    key_files(&mut corpus);
    publications(&mut corpus, &good);
    flag_files(&mut corpus, &good);
    criteria_and_catalogues(&mut corpus);
    work_lists_and_verdicts(&mut corpus, &good);
    check_files(&mut corpus, &good);
    receipts_and_bundles(&mut corpus, &good);
    audit_logs(&mut corpus);
    wrong_kinds(&mut corpus, &good);
    let manifest = json!({
        "format": "samkoer-bad-inputs",
        "version": 1,
        "description": "Bad inputs, each a realistic mistake or attack, with the command that meets it and what must come of it (tests/bad-inputs/README.md).",
        "reference_date": REFERENCE_TEXT,
        "controls": corpus.controls,
        "cases": corpus.cases,
    });
    std::fs::write(dir.join("cases.json"), manifest_text(&manifest)).unwrap();
    println!(
        "wrote {} cases and {} controls to {}",
        manifest["cases"].as_array().unwrap().len(),
        manifest["controls"].as_array().unwrap().len(),
        dir.canonicalize().unwrap().display()
    );
}

/// The manifest as JSON with one field of a case per line, in the order a reader wants them.
fn manifest_text(manifest: &Value) -> String {
    let compact = |value: &Value| serde_json::to_string(value).unwrap();
    let object = |value: &Value, keys: &[&str], indent: &str| {
        let fields: Vec<String> = keys
            .iter()
            .map(|key| {
                format!(
                    "{indent}  {}: {}",
                    compact(&json!(key)),
                    compact(&value[key])
                )
            })
            .collect();
        format!("{indent}{{\n{}\n{indent}}}", fields.join(",\n"))
    };
    let list = |key: &str, keys: &[&str]| {
        let items: Vec<String> = manifest[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| object(item, keys, "    "))
            .collect();
        format!("  {}: [\n{}\n  ]", compact(&json!(key)), items.join(",\n"))
    };
    let head: Vec<String> = ["format", "version", "description", "reference_date"]
        .iter()
        .map(|key| format!("  {}: {}", compact(&json!(key)), compact(&manifest[key])))
        .collect();
    format!(
        "{{\n{},\n{},\n{}\n}}\n",
        head.join(",\n"),
        list("controls", &["what", "args"]),
        list(
            "cases",
            &["file", "mistake", "args", "mode", "outputs", "expect"]
        )
    )
}

/// Empties the corpus folder but its hand-written README.
fn clear(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "README.md") {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

/// The good files, kept in memory for the bad ones made from them.
struct Good {
    employment_export: String,
    check_index: Vec<u8>,
    check_request: String,
    adult_check_request: String,
    publications: Vec<(String, Vec<u8>)>,
    flag_files: Vec<(String, Vec<u8>)>,
    result: String,
    work_lists: Vec<(String, WorkList)>,
    receipt: Vec<u8>,
    bundle: Vec<u8>,
}

impl Good {
    fn write(corpus: &mut Corpus) -> Good {
        let catalogue = Catalogue::builtin();
        corpus.good("run.key", run_key().to_key_file().as_bytes());
        for code in ["employment", "children-family"] {
            corpus.good(
                &format!("sealing-{code}.key"),
                sealing(code).to_key_file().as_bytes(),
            );
        }
        let registry_public = consent::registry_public_key(&registry());
        corpus.good(
            "consent-registry-public.key",
            registry_public.to_key_file().as_bytes(),
        );
        corpus.good("subject.key", subject().to_key_file().as_bytes());
        corpus.good(
            "sector-public-employment.key",
            SectorPublicKey::of(&sealing("employment"))
                .to_key_file()
                .as_bytes(),
        );
        corpus.good("matcher.key", matcher().to_key_file().as_bytes());
        corpus.good("plan-team.key", plan_team().to_key_file().as_bytes());
        let plan_team_public = disclosure::plan_team_public_key(&plan_team());
        corpus.good(
            "plan-team-public.key",
            plan_team_public.to_key_file().as_bytes(),
        );

        let employment_export = export(&EMPLOYMENT_ROWS);
        corpus.good("export-employment.csv", &employment_export);
        let danish = "CPR-nr;Ydelse;Tilstand;Startdato;Slutdato;Sagsbehandler\n\
            1505803017;EMP-CASH-BENEFIT;Bevilget;01.02.2025;;Jens Hansen\n\
            2207751129;EMP-WAGE-SUBSIDY;Afsluttet;01.01.2023;31.12.2023;Mette Holm\n";
        corpus.good("export-employment-danish.csv", danish);
        corpus.good("mapping.toml", MAPPING);
        let children_export = export(&[
            "1212154022;CHF-HOME-SUPPORT;active;2025-08-01;;Lise Berg;B-2001;Stable daily routine",
        ]);
        corpus.good("export-children-family.csv", &children_export);
        let relations = "child_cpr;parent_cpr\n1212154022;0303901210\n";
        corpus.good("relations.csv", relations);
        corpus.good("criteria.toml", CRITERIA);
        corpus.good("catalogue.toml", CATALOGUE);

        let sector_exports = [
            ("employment", employment_export.clone(), None),
            (
                "adult-social",
                export(&[
                    "1505803017;ADS-SOCIO-PED;active;2025-04-01;;Ole Dahl;V-3001;Own flat",
                    "0303901210;ADS-CONTACT-PERSON;active;2025-05-01;;Ole Dahl;V-3002;",
                ]),
                None,
            ),
            (
                "health-elderly",
                export(&["0909851311;HEA-HOME-NURSING;active;2025-09-01;;Birte Lund;S-4001;"]),
                None,
            ),
            (
                "children-family",
                children_export.clone(),
                Some(relations.to_owned()),
            ),
        ];
        let publications: Vec<(String, Vec<u8>)> = sector_exports
            .iter()
            .map(|(code, text, relations)| {
                let bytes = publish_bytes(
                    &run_key(),
                    &sealing(code),
                    catalogue,
                    text,
                    relations.as_deref(),
                );
                ((*code).to_owned(), bytes)
            })
            .collect();
        for (code, bytes) in &publications {
            corpus.good(&format!("{code}.pub"), bytes);
        }

        let criteria = Criteria::parse(CRITERIA, "criteria.toml", catalogue).unwrap();
        let sources = publications
            .iter()
            .map(|(code, bytes)| Input::Bytes {
                name: format!("{code}.pub"),
                bytes: Arc::from(bytes.as_slice()),
            })
            .collect();
        let matched = Match::run(sources, catalogue, &criteria).unwrap();
        let result = matched.signed_report(&PartySigningKey::of_matcher(&matcher()), Head::EMPTY);
        corpus.good("result.json", &result);
        let mut index = Vec::new();
        matched
            .write_check_index(&mut index, "check-index")
            .unwrap();
        corpus.good("check-index", &index);
        corpus.good("check-persons.txt", format!("{ANNA}\n"));
        let ask = |key: &SealingKey, persons: &str| {
            let step = sector_flow::AskCheck {
                run_key: &run_key(),
                sealing_key: key,
                persons: Input::bytes("check-persons.txt", persons.as_bytes().to_vec()),
            };
            let asked = sector_flow::ask_check(&step, Place::memory("r"), &Audit::none()).unwrap();
            asked.summary.to_json()
        };
        let request = ask(&sealing("employment"), &format!("{ANNA}\n"));
        corpus.good("check-request.json", &request);
        let check = central_flow::Check {
            matcher: &matcher(),
            index: Input::bytes("check-index", index.clone()),
            request: Input::bytes("check-request.json", request.as_bytes().to_vec()),
        };
        let answer = central_flow::check(&check, Place::memory("a"), &Audit::none()).unwrap();
        corpus.good("check-answer.json", answer.summary.to_json());
        // Asked by adult-social (which also published ANNA) about the same citizen.
        let adult_request = ask(&sealing("adult-social"), &format!("{ANNA}\n"));
        let flag_files: Vec<(String, Vec<u8>)> = matched
            .write_flag_files(
                &PartySigningKey::of_matcher(&matcher()),
                Head::EMPTY,
                |code| Ok((Vec::new(), format!("{code}.flag"))),
            )
            .unwrap()
            .into_iter()
            .map(|flag| (flag.sector.to_string(), flag.writer))
            .collect();
        let mut work_lists = Vec::new();
        for (code, bytes) in &flag_files {
            let list = review(&bytes[..], "f.flag", &sealing(code), catalogue).unwrap();
            work_lists.push((code.clone(), list));
        }
        let employment_flag = &flag_files[0].1;
        corpus.good("employment.flag", employment_flag);
        let employment_list = work_lists[0].1.to_csv();
        assert_eq!(employment_list.lines().count(), 5, "four flagged services");
        corpus.good("employment.worklist.csv", &employment_list);
        corpus.good(
            "employment.worklist-filled.csv",
            all_suitable(&employment_list),
        );
        // The same, as Danish Excel saves it: ';' between cells, CRLF, Windows-1252.
        let excel = all_suitable(&employment_list)
            .lines()
            .map(|line| line.replace(',', ";") + "\r\n")
            .collect::<String>()
            .replace("Jens Hansen", "Jens Ærø");
        corpus.good("employment.worklist-excel.csv", windows_1252(&excel));
        for (code, list) in &work_lists[..2] {
            let verdicts =
                VerdictFile::from_work_list_csv(&all_suitable(&list.to_csv()), "w", list).unwrap();
            corpus.good(&format!("{code}.verdicts.json"), signed_verdicts(&verdicts));
        }

        let receipt = receipt_for(
            ANNA,
            &["employment", "adult-social"],
            datetime!(2025-01-01 0:00 UTC),
            datetime!(2099-01-01 0:00 UTC),
            [0x11; 16],
        );
        corpus.good("receipt.bin", &receipt);
        corpus.good("consent-registry.key", registry().to_key_file().as_bytes());
        corpus.good(
            "consent-state.bin",
            good_state(&registry(), 1, STATE_ISSUED),
        );
        let bundle = disclose_for(&receipt, &plan_team_public, &employment_export);
        corpus.good("employment.bundle", &bundle);
        corpus.good("audit.log", audit_text(&audit_steps()));

        corpus.control(
            "answer the good check request",
            check_answer_args("good/check-request.json", "good/check-index"),
        );
        corpus.control(
            "read the good check answer",
            check_read_args("good/check-persons.txt", "good/check-answer.json"),
        );
        corpus.control(
            "publish the good export",
            publish_export("good/export-employment.csv"),
        );
        corpus.control(
            "publish the good export with its relations",
            publish_args(
                "good/run.key",
                "good/sealing-children-family.key",
                "good/export-children-family.csv",
                &["--relations", "good/relations.csv"],
            ),
        );
        corpus.control(
            "publish the Danish export with its mapping",
            publish_args(
                "good/run.key",
                "good/sealing-employment.key",
                "good/export-employment-danish.csv",
                &["--mapping", "good/mapping.toml"],
            ),
        );
        corpus.control(
            "match the good publications",
            match_args(
                "good/criteria.toml",
                &[
                    "good/employment.pub",
                    "good/adult-social.pub",
                    "good/health-elderly.pub",
                    "good/children-family.pub",
                ],
            ),
        );
        corpus.control(
            "review the good flag file",
            review_args("good/employment.flag"),
        );
        corpus.control(
            "make verdicts of the filled work list",
            verdict_args("good/employment.worklist-filled.csv"),
        );
        corpus.control(
            "make verdicts of the filled work list as Danish Excel saves it",
            verdict_args("good/employment.worklist-excel.csv"),
        );
        corpus.control(
            "select with the good verdicts",
            select_args(
                "good/result.json",
                &[
                    "good/employment.verdicts.json",
                    "good/adult-social.verdicts.json",
                ],
            ),
        );
        corpus.control(
            "verify the good receipt",
            verify_args(
                "good/consent-registry-public.key",
                "good/receipt.bin",
                "good/consent-state.bin",
            ),
        );
        corpus.control(
            "disclose for the good receipt",
            disclose_args("good/receipt.bin"),
        );
        corpus.control(
            "publish the next consent state with the good withdrawal",
            state_args(&["good/receipt-withdrawn.withdrawal"]),
        );
        corpus.control("open the good bundle", open_args("good/employment.bundle"));
        corpus.control(
            "verify the good audit log",
            audit_args("good/audit.log", None),
        );
        corpus.control(
            "read the good catalogue",
            catalogue_args("good/catalogue.toml"),
        );

        Good {
            employment_export,
            check_index: index,
            check_request: request,
            adult_check_request: adult_request,
            publications,
            flag_files,
            result,
            work_lists,
            receipt,
            bundle,
        }
    }

    fn publication(&self, code: &str) -> &[u8] {
        &self.publications.iter().find(|(c, _)| c == code).unwrap().1
    }

    fn flag_file(&self, code: &str) -> &[u8] {
        &self.flag_files.iter().find(|(c, _)| c == code).unwrap().1
    }

    fn work_list(&self, code: &str) -> &WorkList {
        &self.work_lists.iter().find(|(c, _)| c == code).unwrap().1
    }
}

fn receipt_for(
    person: &str,
    sectors: &[&str],
    valid_from: OffsetDateTime,
    valid_until: OffsetDateTime,
    id: [u8; 16],
) -> Vec<u8> {
    receipt_signed_by(&registry(), person, sectors, valid_from, valid_until, id)
}

fn receipt_signed_by(
    registry: &ConsentRegistryKey,
    person: &str,
    sectors: &[&str],
    valid_from: OffsetDateTime,
    valid_until: OffsetDateTime,
    id: [u8; 16],
) -> Vec<u8> {
    let sectors: Vec<SectorCode> = sectors.iter().map(|s| sector(s)).collect();
    let subject = SubjectKey::from_bytes(registry.municipality(), key_bytes(0x90));
    consent::issue_with_id(
        registry,
        &subject,
        &Consent {
            cpr: &cpr(person),
            sectors: &sectors,
            issued_at: valid_from,
            valid_from,
            valid_until,
        },
        Head::EMPTY,
        id,
    )
    .unwrap()
}

/// The receipt the good consent state lists as withdrawn (from 2026-06-01).
const WITHDRAWN: [u8; 16] = [0x18; 16];

/// A consent state listing the one withdrawal of the corpus, signed by `registry`.
fn good_state(registry: &ConsentRegistryKey, sequence: u64, issued: OffsetDateTime) -> Vec<u8> {
    let list = [(
        WITHDRAWN,
        datetime!(2026-06-01 0:00 UTC).unix_timestamp() as u64,
    )]
    .into_iter()
    .collect();
    state::issue_state(registry, sequence, issued, &list).unwrap()
}

fn disclose_for(receipt: &[u8], plan_team: &PlanTeamPublicKey, export: &str) -> Vec<u8> {
    disclose_signed_by(receipt, plan_team, export, &sealing("employment"))
}

/// As [`disclose_for`], the bundle signed with the signing key of `signer`'s sealing key.
fn disclose_signed_by(
    receipt: &[u8],
    plan_team: &PlanTeamPublicKey,
    export: &str,
    signer: &SealingKey,
) -> Vec<u8> {
    let registry_public: ConsentRegistryPublicKey = consent::registry_public_key(&registry());
    let options = ExportOptions::default();
    let employment = sector("employment");
    let discloser = Discloser {
        registry: &registry_public,
        subject: &subject(),
        sector: &employment,
        signing: &PartySigningKey::of(signer),
        log_head: Head::EMPTY,
        plan_team,
        catalogue: Catalogue::builtin(),
        options: &options,
    };
    discloser
        .disclose(
            &Receipt::parse(receipt, "receipt.bin").unwrap(),
            &state::ConsentState::parse(&good_state(&registry(), 1, STATE_ISSUED), "s")
                .unwrap()
                .check(
                    &registry_public,
                    &state::Freshness {
                        now: NOW,
                        max_age: u64::MAX,
                        seen: None,
                    },
                    "s",
                )
                .unwrap(),
            "receipt.bin",
            Cursor::new(export.as_bytes().to_vec()),
            "export.csv",
            NOW,
            NOW.date(),
        )
        .unwrap()
        .bytes
}

fn audit_steps() -> Vec<Step> {
    let step = |minute: u8, party: &str, action: &str, counts: &[(&str, u64)]| Step {
        time: format!("2026-11-02T09:{minute:02}:00Z"),
        party: party.into(),
        action: action.into(),
        run: (action != "keygen").then(|| "2026-11".to_owned()),
        made: Vec::new(),
        counts: counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        outcome: samkoer_core::audit::DONE.into(),
    };
    vec![
        step(0, "custodian", "keygen", &[("keys", 1)]),
        step(
            10,
            "sector:employment",
            "publish",
            &[
                ("rows", 7),
                ("published", 5),
                ("excluded", 2),
                ("rejected", 0),
            ],
        ),
        step(
            12,
            "sector:adult-social",
            "publish",
            &[
                ("rows", 2),
                ("published", 2),
                ("excluded", 0),
                ("rejected", 0),
            ],
        ),
        step(
            30,
            "matcher",
            "match",
            &[("persons", 6), ("candidates", 3), ("deferred", 0)],
        ),
        step(45, "sector:employment", "review", &[("candidates", 3)]),
    ]
}

fn audit_lines(steps: &[Step]) -> Vec<String> {
    let mut log = AuditLog::continuing(Head::EMPTY);
    steps
        .iter()
        .map(|step| log.append(step.clone()).unwrap())
        .collect()
}

fn audit_text(steps: &[Step]) -> String {
    audit_lines(steps).concat()
}

// ---------------------------------------------------------------------------------------------
// Exports (spec §8.1, §8.2): file-level faults stop the publish; bad rows are rejected.

fn exports(corpus: &mut Corpus) {
    let out = &PUBLICATION_OUT;
    let fault = |corpus: &mut Corpus, file: &str, bytes: Vec<u8>, mistake: &str, rule: Rule| {
        corpus.case(
            file,
            bytes,
            mistake,
            publish_export(file),
            out,
            at_line(rule, file, 1),
        );
    };
    fault(
        corpus,
        "export-empty.csv",
        Vec::new(),
        "the export job failed and left an empty file",
        Rule::HeaderMissing,
    );
    fault(
        corpus,
        "export-blank-first-line.csv",
        format!("\r\n{}", export(&EMPLOYMENT_ROWS[..2])).into_bytes(),
        "a blank line before the header row (hand-edited in a text editor)",
        Rule::HeaderMissing,
    );
    fault(
        corpus,
        "export-tab-separated.csv",
        export(&EMPLOYMENT_ROWS[..2])
            .replace(';', "\t")
            .into_bytes(),
        "exported as tab-separated text: no ';' or ',' in the header",
        Rule::DelimiterAmbiguous,
    );
    fault(
        corpus,
        "export-ambiguous-delimiter.csv",
        export(&EMPLOYMENT_ROWS[..2])
            .replacen("goal", "goal, notes", 1)
            .into_bytes(),
        "a header with both ';' and ',' (a column named \"goal, notes\")",
        Rule::DelimiterAmbiguous,
    );
    fault(
        corpus,
        "export-missing-column.csv",
        "cpr;service;status;end\n1505803017;EMP-CASH-BENEFIT;active;\n".into(),
        "the start date column was left out of the export query",
        Rule::ColumnMissing,
    );
    fault(
        corpus,
        "export-duplicate-header.csv",
        "cpr;service;status;start;CPR\n1505803017;EMP-CASH-BENEFIT;active;2025-02-01;1505803017\n"
            .into(),
        "two columns named cpr (one upper-case) after a join in the export query",
        Rule::ColumnDuplicate,
    );
    fault(
        corpus,
        "export-danish-headers.csv",
        b"CPR-nr;Ydelse;Tilstand;Startdato\n1505803017;EMP-CASH-BENEFIT;Bevilget;01.02.2025\n"
            .to_vec(),
        "Danish column names given without the mapping file that names them",
        Rule::ColumnMissing,
    );
    fault(
        corpus,
        "export-relations-given.csv",
        b"child_cpr;parent_cpr\n1212154022;0303901210\n".to_vec(),
        "the relations file given where the export is asked for",
        Rule::ColumnMissing,
    );
    let mut utf16 = vec![0xff, 0xfe];
    for unit in export(&EMPLOYMENT_ROWS[..2]).encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    fault(
        corpus,
        "export-utf16.csv",
        utf16,
        "saved as \"Unicode text\" (UTF-16 with byte-order mark) by a spreadsheet",
        Rule::Encoding,
    );
    // Real UTF-8 first, then Windows-1252 bytes: neither encoding reads the whole file.
    let mut mixed =
        "cpr;service;status;start;caseworker\n2207751129;EMP-MENTOR;active;2025-03-15;Søren\n"
            .as_bytes()
            .to_vec();
    mixed.extend(windows_1252(
        "1505803017;EMP-CASH-BENEFIT;active;2025-02-01;Jens Ø\n",
    ));
    corpus.case(
        "export-mixed-encodings.csv",
        mixed,
        "two exports pasted together: a UTF-8 row, then a Windows-1252 one",
        publish_export("export-mixed-encodings.csv"),
        out,
        rows("export", 2, 1, &[(3, Rule::Encoding)]),
    );
    // Every status in Danish and no mapping: every row rejected, so nothing is published.
    let danish: Vec<String> = EMPLOYMENT_ROWS[..5]
        .iter()
        .map(|row| row.replace(";active;", ";Bevilget;"))
        .collect();
    let danish: Vec<&str> = danish.iter().map(String::as_str).collect();
    corpus.case(
        "export-statuses-danish.csv",
        export(&danish),
        "statuses in Danish (Bevilget) and no mapping file to say what they mean",
        publish_args(
            "good/run.key",
            "good/sealing-employment.key",
            "export-statuses-danish.csv",
            &["--max-rejected", "5"],
        ),
        out,
        refused(Rule::RejectedLimit, "export-statuses-danish.csv"),
    );
    // Another sector's export published with this sector's key: every row other-sector.
    corpus.case(
        "export-other-sectors.csv",
        export(&["1505803017;ADS-SOCIO-PED;active;2025-02-01;;Jens Hansen;S-1;"; 3]),
        "another sector's export given to this sector's publish",
        publish_args(
            "good/run.key",
            "good/sealing-employment.key",
            "export-other-sectors.csv",
            &["--max-rejected", "5"],
        ),
        out,
        refused(Rule::AllExcluded, "export-other-sectors.csv"),
    );
    fault(
        corpus,
        "export-header-quote-open.csv",
        format!("cpr;service;\"status;start\n{}\n", EMPLOYMENT_ROWS[0]).into_bytes(),
        "a quote typed into a column name and never closed",
        Rule::CsvSyntax,
    );
    fault(
        corpus,
        "export-cr-line-ends.csv",
        export(&EMPLOYMENT_ROWS[..3])
            .replace('\n', "\r")
            .into_bytes(),
        "classic Mac line ends (CR only): the whole file is one header line",
        Rule::CsvSyntax,
    );

    // Bad rows: rejected at their lines, and the rows around them still published.
    let bad_rows =
        |corpus: &mut Corpus, file: &str, bad: &[&str], mistake: &str, rules: &[Rule]| {
            let mut rows_in = vec![EMPLOYMENT_ROWS[0], EMPLOYMENT_ROWS[1]];
            rows_in.extend_from_slice(bad);
            rows_in.push(EMPLOYMENT_ROWS[4]);
            let rejected: Vec<(u64, Rule)> = rules
                .iter()
                .enumerate()
                .map(|(i, rule)| (4 + i as u64, *rule))
                .collect();
            let total = rows_in.len() as u64;
            corpus.case(
                file,
                export(&rows_in),
                mistake,
                publish_export(file),
                out,
                rows("export", total, total - rejected.len() as u64, &rejected),
            );
        };
    bad_rows(
        corpus,
        "export-cpr-letters.csv",
        &["15058O3017;EMP-MENTOR;active;2025-01-01;;;;"],
        "a CPR number typed with the letter O for a zero",
        &[Rule::CprCharacters],
    );
    bad_rows(
        corpus,
        "export-cpr-too-short.csv",
        &["303901210;EMP-MENTOR;active;2025-01-01;;;;"],
        "a spreadsheet dropped the CPR number's leading zero",
        &[Rule::CprLength],
    );
    bad_rows(
        corpus,
        "export-cpr-scientific.csv",
        &["1.5058E+09;EMP-MENTOR;active;2025-01-01;;;;"],
        "a spreadsheet turned the CPR number into a number in scientific notation",
        &[Rule::CprCharacters],
    );
    bad_rows(
        corpus,
        "export-cpr-impossible-date.csv",
        &["3102901234;EMP-MENTOR;active;2025-01-01;;;;"],
        "a CPR number whose birth date does not exist (31 February)",
        &[Rule::CprDate],
    );
    bad_rows(
        corpus,
        "export-cpr-future-birth.csv",
        &["0211264234;EMP-MENTOR;active;2025-01-01;;;;"],
        "a CPR number born after the reference date (a test record left in production)",
        &[Rule::CprFuture],
    );
    bad_rows(
        corpus,
        "export-cpr-empty.csv",
        &[";EMP-MENTOR;active;2025-01-01;;;;"],
        "a row without a CPR number (an anonymous enquiry)",
        &[Rule::FieldEmpty],
    );
    bad_rows(
        corpus,
        "export-nul-padding.csv",
        &["1505803017\0\0\0;EMP-MENTOR;active;2025-01-01;;;;"],
        "NUL bytes padding a field, from a fixed-width export converted to CSV",
        &[Rule::CprLength],
    );
    bad_rows(
        corpus,
        "export-spreadsheet-empty-rows.csv",
        &[";;;;;;;", ";;;;;;;"],
        "rows of empty cells that a spreadsheet saved after the data",
        &[Rule::FieldEmpty, Rule::FieldEmpty],
    );
    bad_rows(
        corpus,
        "export-end-before-start.csv",
        &["2207751129;EMP-GUIDANCE;active;2025-06-01;2025-05-01;;;"],
        "an end date before the start date (day and month swapped when typed)",
        &[Rule::DateOrder],
    );
    bad_rows(
        corpus,
        "export-date-us-format.csv",
        &["2207751129;EMP-GUIDANCE;active;06/15/2025;;;;"],
        "a start date in the American form MM/DD/YYYY",
        &[Rule::DateInvalid],
    );
    bad_rows(
        corpus,
        "export-unknown-service.csv",
        &["2207751129;EMP-MENTORING;active;2025-01-01;;;;"],
        "a service code that is not in the catalogue (a local code, misspelt)",
        &[Rule::ServiceUnknown],
    );
    bad_rows(
        corpus,
        "export-unknown-status.csv",
        &["2207751129;EMP-GUIDANCE;bevilget;2025-01-01;;;;"],
        "a Danish status value without a mapping for it",
        &[Rule::StatusUnknown],
    );
    bad_rows(
        corpus,
        "export-field-too-long.csv",
        &[&format!(
            "2207751129;EMP-GUIDANCE;active;2025-01-01;;;{};",
            "J-".repeat(2500)
        )],
        "a case reference of 5,000 bytes (a whole case history pasted into it)",
        &[Rule::FieldTooLong],
    );
    bad_rows(
        corpus,
        "export-wrong-field-count.csv",
        &["2207751129;EMP-GUIDANCE;active;2025-01-01;;Mette Holm;J-1;Job; then school"],
        "an unquoted ';' inside the goal text gives the row an extra field",
        &[Rule::CsvFieldCount],
    );
    bad_rows(
        corpus,
        "export-end-marker-inside.csv",
        &["\0samkoer-end-of-input\0"],
        "the reader's own end-of-input marker line inside the file, to cut the rows after it",
        &[Rule::CsvFieldCount],
    );
    bad_rows(
        corpus,
        "export-huge-line.csv",
        &[&format!(
            "2207751129;EMP-GUIDANCE;active;2025-01-01;;;;{}",
            "Long goal text. ".repeat(64 * 1024)
        )],
        "a 1 MiB line: a document pasted into the goal field",
        &[Rule::FieldTooLong],
    );
    let mut cp1252 = export(&EMPLOYMENT_ROWS[..2]).into_bytes();
    cp1252.extend(windows_1252(
        "0303901210;EMP-MENTOR;active;2025-01-01;;Søren Ærø;J-7;\n",
    ));
    cp1252.extend(format!("{}\n", EMPLOYMENT_ROWS[4]).bytes());
    corpus.case(
        "export-windows-1252-row.csv",
        cp1252,
        "a caseworker's name in Windows-1252 bytes, no mapping to say so: told from the bytes",
        publish_export("export-windows-1252-row.csv"),
        out,
        rows("export", 4, 4, &[]),
    );
    let mut cut_row = export(&EMPLOYMENT_ROWS[..3]);
    cut_row.push_str("0909851311;EMP-MEN");
    corpus.case(
        "export-truncated-mid-row.csv",
        cut_row,
        "the copy of the export was cut off in the middle of its last row",
        publish_export("export-truncated-mid-row.csv"),
        out,
        rows("export", 4, 3, &[(5, Rule::CsvFieldCount)]),
    );
    let mut cut_quote = export(&EMPLOYMENT_ROWS[..3]);
    cut_quote.push_str("0909851311;EMP-MENTOR;active;2025-01-10;;Mette Holm;J-1005;\"Back to");
    corpus.case(
        "export-truncated-mid-quote.csv",
        cut_quote,
        "the copy was cut off inside a quoted goal field",
        publish_export("export-truncated-mid-quote.csv"),
        out,
        rows("export", 4, 3, &[(5, Rule::CsvSyntax)]),
    );
    let formula = export(&[
        EMPLOYMENT_ROWS[0],
        "2207751129;EMP-MENTOR;active;2025-03-15;;Mette Holm;J-1002;=cmd|' /C calc'!A0",
    ]);
    corpus.case(
        "export-formula-injection.csv",
        formula,
        "a spreadsheet formula in the goal text: published sealed, never echoed, and neutralised in the work list",
        publish_export("export-formula-injection.csv"),
        out,
        rows("export", 2, 2, &[]),
    );
    corpus.case(
        "export-header-only.csv",
        EXPORT_HEADER,
        "an export query that matched nothing: accepted, and the report shows 0 rows",
        publish_export("export-header-only.csv"),
        out,
        rows("export", 0, 0, &[]),
    );
}

fn relations_and_mappings(corpus: &mut Corpus) {
    let out = &PUBLICATION_OUT;
    let relations_case = |corpus: &mut Corpus, file: &str, bytes: &str, mistake: &str, expect| {
        let command = publish_args(
            "good/run.key",
            "good/sealing-children-family.key",
            "good/export-children-family.csv",
            &["--relations", file],
        );
        corpus.case(file, bytes, mistake, command, out, expect);
    };
    relations_case(
        corpus,
        "relations-self.csv",
        "child_cpr;parent_cpr\n1212154022;0303901210\n0303901210;0303901210\n",
        "a person registered as their own parent",
        rows("relations", 2, 1, &[(3, Rule::RelationSelf)]),
    );
    relations_case(
        corpus,
        "relations-bad-cpr.csv",
        "child_cpr;parent_cpr\n1212154022;0303 901210\n",
        "a parent's CPR number with a space in the wrong place",
        rows("relations", 1, 0, &[(2, Rule::CprCharacters)]),
    );
    relations_case(
        corpus,
        "relations-unborn-child.csv",
        "child_cpr;parent_cpr\n0112264022;0303901210\n1212154022;0303901210\n",
        "a child registered before its birth date (a CPR number born after the reference date)",
        rows("relations", 2, 1, &[(2, Rule::CprFuture)]),
    );
    relations_case(
        corpus,
        "relations-short-names.csv",
        "child;parent\n1212154022;0303901210\n",
        "the relations columns named child and parent instead of child_cpr and parent_cpr",
        at_line(Rule::ColumnMissing, "relations-short-names.csv", 1),
    );

    let mapping_case = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, line| {
        let command = publish_args(
            "good/run.key",
            "good/sealing-employment.key",
            "good/export-employment-danish.csv",
            &["--mapping", file],
        );
        let expect = at_line(Rule::MappingInvalid, file, line);
        corpus.case(file, bytes, mistake, command, out, expect);
    };
    mapping_case(
        corpus,
        "mapping-unknown-key.toml",
        MAPPING.replacen("delimiter", "delimeter", 1).as_bytes(),
        "a misspelt key (delimeter)",
        1,
    );
    mapping_case(
        corpus,
        "mapping-bad-toml.toml",
        MAPPING.replacen("\"CPR-nr\"", "\"CPR-nr", 1).as_bytes(),
        "a value without its closing quote",
        5,
    );
    mapping_case(
        corpus,
        "mapping-two-columns-one-field.toml",
        MAPPING
            .replacen("service = ", "cpr = \"Personnummer\"\nservice = ", 1)
            .as_bytes(),
        "two columns given for one field (cpr twice)",
        6,
    );
    mapping_case(
        corpus,
        "mapping-one-column-two-fields.toml",
        MAPPING
            .replacen("end = \"Slutdato\"", "end = \"Startdato\"", 1)
            .as_bytes(),
        "one column mapped to two fields (start and end both read from Startdato)",
        9,
    );
    mapping_case(
        corpus,
        "mapping-unknown-status.toml",
        MAPPING.replacen("\"ended\"", "\"finished\"", 1).as_bytes(),
        "a status mapped to a value that is none of active, ended, pending, refused",
        14,
    );
    mapping_case(
        corpus,
        "mapping-unknown-field.toml",
        MAPPING
            .replacen("caseworker = ", "personnummer = ", 1)
            .as_bytes(),
        "a column mapping for a field samkoer does not know",
        10,
    );
    let mut cp1252 = MAPPING.as_bytes().to_vec();
    cp1252.extend(windows_1252("\"Ophørt\" = \"ended\"\n"));
    let file = "mapping-windows-1252.toml";
    corpus.case(
        file,
        cp1252,
        "the mapping saved in Windows-1252 by an old editor (a status with ø)",
        publish_args(
            "good/run.key",
            "good/sealing-employment.key",
            "good/export-employment-danish.csv",
            &["--mapping", file],
        ),
        out,
        at_line(Rule::Encoding, file, 15),
    );
}

// ---------------------------------------------------------------------------------------------
// Key files (spec §4.5).

fn key_files(corpus: &mut Corpus) {
    let out = &PUBLICATION_OUT;
    let run_text = run_key().to_key_file().to_string();
    let run_case = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, expect| {
        let command = publish_args(
            file,
            "good/sealing-employment.key",
            "good/export-employment.csv",
            &[],
        );
        corpus.case(file, bytes, mistake, command, out, expect);
    };
    let secret_line = run_text.lines().nth(6).unwrap();
    assert!(secret_line.starts_with("secret: "));
    let cut = &run_text[..run_text.find(secret_line).unwrap() + 30];
    run_case(
        corpus,
        "key-run-truncated.key",
        cut.as_bytes(),
        "the key file cut off in the middle of its secret line (a partial copy)",
        at_line(Rule::KeyFileSyntax, "key-run-truncated.key", 7),
    );
    let six_lines: String = run_text.lines().take(6).map(|l| format!("{l}\n")).collect();
    run_case(
        corpus,
        "key-run-lines-missing.key",
        six_lines.as_bytes(),
        "the key file's secret and check lines missing (only the top of it pasted)",
        at_line(Rule::KeyFileSyntax, "key-run-lines-missing.key", 0),
    );
    let digit = secret_line.as_bytes()[20];
    let edited_digit = if digit == b'0' { "1" } else { "0" };
    let edited_line = format!(
        "{}{}{}",
        &secret_line[..20],
        edited_digit,
        &secret_line[21..]
    );
    run_case(
        corpus,
        "key-run-secret-edited.key",
        run_text.replace(secret_line, &edited_line).as_bytes(),
        "one digit of the secret changed by hand, the old check kept",
        at_line(Rule::KeyFileCheck, "key-run-secret-edited.key", 8),
    );
    run_case(
        corpus,
        "key-run-uppercase.key",
        run_text
            .replace(
                secret_line,
                &secret_line.to_uppercase().replace("SECRET", "secret"),
            )
            .as_bytes(),
        "the secret retyped in upper case",
        at_line(Rule::KeyFileSyntax, "key-run-uppercase.key", 7),
    );
    run_case(
        corpus,
        "key-sealing-as-run.key",
        sealing("employment").to_key_file().as_bytes(),
        "swapped key files: the sector's sealing key given where the run key is asked for",
        at_line(Rule::KeyFileKind, "key-sealing-as-run.key", 2),
    );
    run_case(
        corpus,
        "key-master-as-run.key",
        master(town(), 0x10).to_key_file().as_bytes(),
        "the custodian's master key sent instead of the run key",
        at_line(Rule::KeyFileKind, "key-master-as-run.key", 2),
    );
    run_case(
        corpus,
        "key-run-version-3.key",
        run_text
            .replacen("samkoer-key-file 2", "samkoer-key-file 3", 1)
            .as_bytes(),
        "a key file of a newer format version",
        at_line(Rule::KeyFileVersion, "key-run-version-3.key", 1),
    );
    run_case(
        corpus,
        "key-run-version-1.key",
        run_text
            .replacen("samkoer-key-file 2", "samkoer-key-file 1", 1)
            .replace("reference-date: 2026-11-01\n", "")
            .as_bytes(),
        "a run key made by an earlier samkoer (key-file version 1, without the run's reference date)",
        at_line(Rule::KeyFileVersion, "key-run-version-1.key", 1),
    );
    run_case(
        corpus,
        "key-run-reference-date-edited.key",
        run_text
            .replace("reference-date: 2026-11-01", "reference-date: 2026-11-15")
            .as_bytes(),
        "the run's reference date changed by hand, to publish on another day than the other sectors",
        at_line(Rule::KeyFileCheck, "key-run-reference-date-edited.key", 8),
    );
    run_case(
        corpus,
        "key-run-reference-date-danish.key",
        run_text
            .replace("reference-date: 2026-11-01", "reference-date: 01-11-2026")
            .as_bytes(),
        "the reference date retyped in the Danish order (DD-MM-YYYY)",
        at_line(Rule::KeyFileSyntax, "key-run-reference-date-danish.key", 5),
    );
    run_case(
        corpus,
        "key-run-bom.key",
        format!("\u{feff}{run_text}").as_bytes(),
        "saved by an editor that puts a byte-order mark first",
        at_line(Rule::KeyFileSyntax, "key-run-bom.key", 1),
    );
    run_case(
        corpus,
        "key-run-comment-added.key",
        format!("{run_text}# received from the custodian on 2 November\n").as_bytes(),
        "a note added at the end of the key file",
        at_line(Rule::KeyFileSyntax, "key-run-comment-added.key", 9),
    );
    run_case(
        corpus,
        "key-run-empty.key",
        b"",
        "an empty key file (the transfer failed)",
        at_line(Rule::KeyFileSyntax, "key-run-empty.key", 1),
    );
    let mut not_utf8 = run_text.clone().into_bytes();
    not_utf8.extend(windows_1252("# nøgle\n"));
    run_case(
        corpus,
        "key-run-not-utf8.key",
        &not_utf8,
        "a Windows-1252 note appended to the key file",
        at_line(Rule::KeyFileSyntax, "key-run-not-utf8.key", 0),
    );
    let file = "key-run-world-readable.key";
    corpus.case_with_mode(
        file,
        run_text.as_bytes(),
        "the run key readable by every user of the machine (mode 0644, set by the test: git keeps no modes)",
        publish_args(file, "good/sealing-employment.key", "good/export-employment.csv", &[]),
        out,
        at_line(Rule::KeyFilePermissions, file, 0),
        Some("644"),
    );
    let file = "key-sealing-other-municipality.key";
    corpus.case(
        file,
        SealingKey::from_bytes(other_town(), sector("employment"), key_bytes(0x31))
            .to_key_file()
            .as_bytes(),
        "the neighbouring municipality's sealing key used with this municipality's run key",
        publish_args("good/run.key", file, "good/export-employment.csv", &[]),
        out,
        parameter(Rule::KeyMismatch, file),
    );
    let file = "key-sealing-unknown-sector.key";
    corpus.case(
        file,
        SealingKey::from_bytes(town(), sector("jobcenter"), key_bytes(0x32))
            .to_key_file()
            .as_bytes(),
        "a sealing key made for a sector the catalogue does not have (jobcenter)",
        publish_args("good/run.key", file, "good/export-employment.csv", &[]),
        out,
        parameter(Rule::SectorCode, file),
    );
    let file = "key-registry-secret-as-public.key";
    corpus.case(
        file,
        registry().to_key_file().as_bytes(),
        "the consent registry's secret signing key handed out where its public key belongs",
        verify_args(file, "good/receipt.bin", "good/consent-state.bin"),
        &[],
        at_line(Rule::KeyFileKind, file, 2),
    );
}

// ---------------------------------------------------------------------------------------------
// Publications (spec §7.5, §12.1): every fault stops the match; nothing is written.

fn publications(corpus: &mut Corpus, good: &Good) {
    let out = &["out/match"];
    let employment = good.publication("employment");
    let adult = good.publication("adult-social");
    let adult_records = record_spans(adult).len() as u64;
    assert_eq!(adult_records, 2);
    let trailer = adult_records + 1;
    let case = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, expect| {
        let command = match_args("good/criteria.toml", &["good/employment.pub", file]);
        corpus.case(file, bytes, mistake, command, out, expect);
    };
    let fault = |rule: Rule, file: &str, record: u64| at_record(rule, file, record);

    case(
        corpus,
        "pub-empty.pub",
        b"",
        "an empty file where the publication should be (the upload failed)",
        fault(Rule::PublicationMagic, "pub-empty.pub", 0),
    );
    case(
        corpus,
        "pub-csv-given.pub",
        good.employment_export.as_bytes(),
        "the sector's export (with CPR numbers) sent instead of its publication",
        wrong_kind("pub-csv-given.pub", Kind::Text, Kind::Publication),
    );
    let public_key = consent::registry_public_key(&registry()).to_key_file();
    case(
        corpus,
        "pub-public-key-given.pub",
        public_key.as_bytes(),
        "a public key file given where a publication is expected (both once ended in .pub)",
        wrong_kind(
            "pub-public-key-given.pub",
            Kind::KeyFile(Some(KeyKind::ConsentRegistryPublic)),
            Kind::Publication,
        ),
    );
    case(
        corpus,
        "pub-flag-file-given.pub",
        good.flag_file("adult-social"),
        "a flag file given where a publication is expected",
        wrong_kind("pub-flag-file-given.pub", Kind::FlagFile, Kind::Publication),
    );
    let mut version_3 = adult.to_vec();
    version_3[9] = 3;
    case(
        corpus,
        "pub-version-3.pub",
        &version_3,
        "a publication of a newer format version",
        fault(Rule::PublicationVersion, "pub-version-3.pub", 0),
    );
    let mut zeroed = adult.to_vec();
    zeroed[10..12].copy_from_slice(&[0, 0]);
    case(
        corpus,
        "pub-bad-header.pub",
        &zeroed,
        "a header whose municipality is 0 (a block of the file zeroed)",
        fault(Rule::PublicationHeader, "pub-bad-header.pub", 0),
    );
    case(
        corpus,
        "pub-truncated-in-header.pub",
        &adult[..30],
        "cut off inside the header",
        fault(Rule::PublicationTruncated, "pub-truncated-in-header.pub", 0),
    );
    let spans = record_spans(adult);
    case(
        corpus,
        "pub-truncated-mid-record.pub",
        &adult[..spans[1].start + 50],
        "cut off in the middle of the second record",
        fault(
            Rule::PublicationTruncated,
            "pub-truncated-mid-record.pub",
            2,
        ),
    );
    case(
        corpus,
        "pub-truncated-between-records.pub",
        &adult[..spans[0].end],
        "cut off exactly after the first record",
        fault(
            Rule::PublicationTruncated,
            "pub-truncated-between-records.pub",
            2,
        ),
    );
    case(
        corpus,
        "pub-truncated-in-trailer.pub",
        &adult[..adult.len() - 10],
        "cut off inside the trailer's digest",
        fault(
            Rule::PublicationTruncated,
            "pub-truncated-in-trailer.pub",
            trailer,
        ),
    );
    let mut flipped = adult.to_vec();
    flipped[spans[0].end - 20] ^= 0x01;
    case(
        corpus,
        "pub-byte-flipped.pub",
        &flipped,
        "one bit flipped inside an envelope (a damaged disk or transfer)",
        fault(Rule::PublicationDigest, "pub-byte-flipped.pub", trailer),
    );
    let mut trailing = adult.to_vec();
    trailing.extend_from_slice(b"\r\n");
    case(
        corpus,
        "pub-trailing-data.pub",
        &trailing,
        "a line end appended by a text-mode transfer",
        fault(
            Rule::PublicationTrailingData,
            "pub-trailing-data.pub",
            trailer,
        ),
    );
    let mut recounted = adult.to_vec();
    // The last byte of the service count: the trailer is T, two u64 counts, the digest, the
    // signature.
    let count_at = recounted.len() - 41 - 64;
    recounted[count_at] += 1;
    redigest(&mut recounted, FileKind::Publication);
    case(
        corpus,
        "pub-counts-edited.pub",
        &recounted,
        "the trailer's service count raised and the digest recomputed",
        fault(Rule::PublicationCount, "pub-counts-edited.pub", trailer),
    );
    let mut unsigned = adult.to_vec();
    unsigned[spans[0].end - 1] ^= 1;
    let body = unsigned.len() - 96;
    let digest = Sha256::new()
        .chain_update(labels::PUBLICATION_DIGEST)
        .chain_update(&unsigned[..body])
        .finalize();
    unsigned[body..body + 32].copy_from_slice(&digest);
    case(
        corpus,
        "pub-digest-recomputed.pub",
        &unsigned,
        "an envelope byte changed and the digest recomputed by someone without the sector's key",
        fault(
            Rule::PublicationSignature,
            "pub-digest-recomputed.pub",
            trailer,
        ),
    );
    let mut version_1 = adult.to_vec();
    version_1[8..10].copy_from_slice(&1u16.to_be_bytes());
    case(
        corpus,
        "pub-version-1.pub",
        &version_1,
        "a publication of format version 1, which is not signed",
        fault(Rule::PublicationVersion, "pub-version-1.pub", 0),
    );
    let mut bad_tag = adult.to_vec();
    bad_tag[spans[1].start] = b'X';
    case(
        corpus,
        "pub-bad-tag.pub",
        &bad_tag,
        "a record whose tag byte is none of S, R, T",
        fault(Rule::PublicationRecord, "pub-bad-tag.pub", 2),
    );
    let (header, mut forged) = records(adult, FileKind::Publication);
    if let Record::Service(record) = &mut forged[0] {
        record.service = "EMP-CASH-BENEFIT".into();
    }
    case(
        corpus,
        "pub-other-sectors-service.pub",
        &rewrite(FileKind::Publication, &header, &forged),
        "a forged publication (digest recomputed) in which adult-social claims an employment service",
        fault(Rule::PublicationService, "pub-other-sectors-service.pub", 1),
    );
    let (mut unknown, records_of_adult) = records(adult, FileKind::Publication);
    unknown.sector = sector("jobcenter");
    case(
        corpus,
        "pub-unknown-sector.pub",
        &rewrite(FileKind::Publication, &unknown, &records_of_adult),
        "a publication whose header names a sector the catalogue does not have",
        fault(Rule::PublicationSector, "pub-unknown-sector.pub", 0),
    );

    let adult_export =
        export(&["1505803017;ADS-SOCIO-PED;active;2025-04-01;;Ole Dahl;V-3001;Own flat"]);
    let catalogue = Catalogue::builtin();
    let adult_key = SealingKey::from_bytes(town(), sector("adult-social"), key_bytes(0x40));
    let mixed = |run_key: &RunKey, key: &SealingKey, catalogue: &Catalogue| {
        publish_bytes(run_key, key, catalogue, &adult_export, None)
    };
    case(
        corpus,
        "pub-other-run.pub",
        &mixed(
            &master(town(), 0x10).derive_run_key(&run_id("2026-12"), REFERENCE),
            &adult_key,
            catalogue,
        ),
        "mixed runs: a publication of next month's run",
        fault(Rule::MixedRun, "pub-other-run.pub", 0),
    );
    case(
        corpus,
        "pub-other-run-key.pub",
        &mixed(
            &master(town(), 0x11).derive_run_key(&run_id("2026-11"), REFERENCE),
            &adult_key,
            catalogue,
        ),
        "mixed run keys: the right run id, but a run key derived from another master key",
        fault(Rule::MixedRunKey, "pub-other-run-key.pub", 0),
    );
    case(
        corpus,
        "pub-other-municipality.pub",
        &mixed(
            &master(other_town(), 0x10).derive_run_key(&run_id("2026-11"), REFERENCE),
            &SealingKey::from_bytes(other_town(), sector("adult-social"), key_bytes(0x41)),
            catalogue,
        ),
        "mixed municipalities: the neighbouring municipality's publication",
        fault(Rule::MixedMunicipality, "pub-other-municipality.pub", 0),
    );
    case(
        corpus,
        "pub-other-reference-date.pub",
        &mixed(
            &master(town(), 0x10).derive_run_key(&run_id("2026-11"), date!(2026 - 10 - 01)),
            &adult_key,
            catalogue,
        ),
        "published with a run key file that carries another reference date than the rest of the run's",
        {
            // Both dates named, so the sector with the odd one is found at once.
            let mut expect = fault(Rule::MixedReferenceDate, "pub-other-reference-date.pub", 0);
            expect["message"] = json!("this file has reference date 2026-10-01, ");
            expect
        },
    );
    let builtin_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue/catalogue.toml"),
    )
    .unwrap();
    let old_version = format!("version = \"{}\"", catalogue.version);
    assert!(builtin_text.contains(&old_version));
    let older = Catalogue::parse(
        &builtin_text.replacen(&old_version, "version = \"2025.2\"", 1),
        "older.toml",
    )
    .unwrap();
    case(
        corpus,
        "pub-other-catalogue.pub",
        &mixed(&run_key(), &adult_key, &older),
        "published under last year's catalogue version",
        fault(Rule::MixedCatalogue, "pub-other-catalogue.pub", 0),
    );
    let again = publish_bytes(
        &run_key(),
        &sealing("employment"),
        catalogue,
        &good.employment_export,
        None,
    );
    assert_ne!(again.as_slice(), employment, "nonces are fresh");
    case(
        corpus,
        "pub-same-sector-again.pub",
        &again,
        "the same sector's publication given twice (published again after a fix, old one not removed)",
        fault(Rule::DuplicateSector, "pub-same-sector-again.pub", 0),
    );
}

// ---------------------------------------------------------------------------------------------
// Flag files (spec §7.6, §13.1).

fn flag_files(corpus: &mut Corpus, good: &Good) {
    let out = &["out/worklist.csv"];
    let flag = good.flag_file("employment");
    let spans = record_spans(flag);
    assert_eq!(spans.len(), 4, "four flagged employment services");
    let trailer = spans.len() as u64 + 1;
    let case = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, expect| {
        corpus.case(file, bytes, mistake, review_args(file), out, expect);
    };
    let mut edited = flag.to_vec();
    edited[spans[0].start + 1] ^= 0x20;
    case(
        corpus,
        "flag-candidate-edited.flag",
        &edited,
        "a candidate id edited by hand (digest not recomputed)",
        at_record(
            Rule::PublicationDigest,
            "flag-candidate-edited.flag",
            trailer,
        ),
    );
    let (header, mut forged) = records(flag, FileKind::FlagFile);
    if let Record::Flag(FlagRecord { service, .. }) = &mut forged[1] {
        *service = if service == "EMP-GUIDANCE" {
            "EMP-MENTOR".into()
        } else {
            "EMP-GUIDANCE".into()
        };
    }
    case(
        corpus,
        "flag-service-edited.flag",
        &rewrite(FileKind::FlagFile, &header, &forged),
        "a record's service code edited and the digest recomputed: only the envelope check sees it",
        open_failed("flag-service-edited.flag", 2),
    );
    let (header, mut swapped) = records(flag, FileKind::FlagFile);
    let envelope_of = |record: &Record| match record {
        Record::Flag(r) => r.envelope.clone(),
        _ => unreachable!("flag files hold flag records"),
    };
    let (first, last) = (envelope_of(&swapped[0]), envelope_of(&swapped[3]));
    if let Record::Flag(r) = &mut swapped[0] {
        r.envelope = last;
    }
    if let Record::Flag(r) = &mut swapped[3] {
        r.envelope = first;
    }
    case(
        corpus,
        "flag-envelopes-swapped.flag",
        &rewrite(FileKind::FlagFile, &header, &swapped),
        "two citizens' envelopes swapped and the digest recomputed (to show a caseworker the wrong person)",
        open_failed("flag-envelopes-swapped.flag", 1),
    );
    case(
        corpus,
        "flag-other-sector.flag",
        good.flag_file("adult-social"),
        "another sector's flag file opened with this sector's sealing key",
        at_record(Rule::ReviewKey, "flag-other-sector.flag", 0),
    );
    case(
        corpus,
        "flag-publication-given.flag",
        good.publication("employment"),
        "the sector's own publication given where its flag file is asked for",
        wrong_kind(
            "flag-publication-given.flag",
            Kind::Publication,
            Kind::FlagFile,
        ),
    );
    case(
        corpus,
        "flag-truncated.flag",
        &flag[..spans[2].start + 10],
        "the flag file cut off in its third record",
        at_record(Rule::PublicationTruncated, "flag-truncated.flag", 3),
    );
}

// ---------------------------------------------------------------------------------------------
// Criteria (spec §11) and catalogues (spec §9).

fn criteria_and_catalogues(corpus: &mut Corpus) {
    let out = &["out/match"];
    let case = |corpus: &mut Corpus, file: &str, text: &str, mistake: &str, rule: Rule, line| {
        let command = match_args(file, &["good/employment.pub", "good/adult-social.pub"]);
        corpus.case(file, text, mistake, command, out, at_line(rule, file, line));
    };
    case(
        corpus,
        "criteria-unknown-service.toml",
        &CRITERIA.replacen(
            "min_sectors = 2\n\n[family]",
            "min_sectors = 2\n\n[[person.combination]]\nall = [\"EMP-CASH-BENEFIT\", \"ADS-SOCIOPED\"]\n\n[family]",
            1,
        ),
        "a combination naming a misspelt service code",
        Rule::CriteriaServiceUnknown,
        9,
    );
    case(
        corpus,
        "criteria-excluded-service.toml",
        &format!("{CRITERIA}\n[defer]\nservices = [\"X-HOUSING-BENEFIT\"]\n"),
        "deferring on an excluded category, which is never published",
        Rule::CriteriaServiceUnknown,
        13,
    );
    case(
        corpus,
        "criteria-contradiction.toml",
        &CRITERIA.replacen(
            "min_sectors = 2\n\n[family]",
            "min_sectors = 2\n\n[[person.combination]]\nname = \"cash benefit twice\"\nany = [\"EMP-CASH-BENEFIT\"]\nwith_any = [\"EMP-CASH-BENEFIT\", \"ADS-SOCIO-PED\"]\n\n[family]",
            1,
        ),
        "a combination whose two lists share a service (a service is not together with itself)",
        Rule::CriteriaContradiction,
        8,
    );
    case(
        corpus,
        "criteria-too-many-sectors.toml",
        &CRITERIA.replacen("min_sectors = 2", "min_sectors = 6", 1),
        "at least 6 sectors asked for where the catalogue has 5",
        Rule::CriteriaContradiction,
        6,
    );
    case(
        corpus,
        "criteria-threshold-too-low.toml",
        &CRITERIA.replacen("threshold = 5", "threshold = 1", 1),
        "a statistics threshold of 1, which would publish counts of single persons",
        Rule::CriteriaContradiction,
        3,
    );
    case(
        corpus,
        "criteria-bad-toml.toml",
        &CRITERIA.replacen("min_sectors = 2", "min_sectors = 2,", 1),
        "a trailing comma after a value (not TOML)",
        Rule::CriteriaSyntax,
        6,
    );
    case(
        corpus,
        "criteria-unknown-key.toml",
        &CRITERIA.replacen("min_sectors = 2\n", "min_sector = 2\n", 1),
        "a misspelt key (min_sector)",
        Rule::CriteriaSyntax,
        6,
    );
    case(
        corpus,
        "criteria-nothing-selected.toml",
        "format = \"samkoer-criteria\"\nversion = 1\n\n[defer]\nmajor_change = true\n",
        "criteria that can select nobody (only a deferral)",
        Rule::CriteriaContradiction,
        1,
    );
    case(
        corpus,
        "criteria-unknown-age-band.toml",
        &CRITERIA.replacen(
            "min_sectors = 2\n\n[family]",
            "min_sectors = 2\nage_bands = [\"adult-18-30\"]\n\n[family]",
            1,
        ),
        "an age band that does not exist (the bands are adult-18-29 and adult-30-49)",
        Rule::CriteriaAgeBandUnknown,
        7,
    );
    case(
        corpus,
        "criteria-adult-child-band.toml",
        &format!("{CRITERIA}child_age_bands = [\"child-0-5\", \"adult-18-29\"]\n"),
        "an adult band among the bands of a family's children",
        Rule::CriteriaContradiction,
        11,
    );
    case(
        corpus,
        "criteria-empty-age-bands.toml",
        &CRITERIA.replacen(
            "min_sectors = 2\n\n[family]",
            "min_sectors = 2\nage_bands = []\n\n[family]",
            1,
        ),
        "an empty list of age bands, which would select nobody",
        Rule::CriteriaContradiction,
        7,
    );
    case(
        corpus,
        "criteria-version-2.toml",
        &CRITERIA.replacen("version = 1", "version = 2", 1),
        "criteria of a format version this build does not know",
        Rule::CriteriaSyntax,
        2,
    );
    case(
        corpus,
        "criteria-catalogue-given.toml",
        CATALOGUE,
        "the catalogue given where the criteria are asked for",
        Rule::WrongFileKind,
        0,
    );
    let mut cp1252 = CRITERIA.as_bytes().to_vec();
    cp1252.extend(windows_1252("# kriterier for samkøring\n"));
    let file = "criteria-windows-1252.toml";
    corpus.case(
        file,
        cp1252,
        "the criteria saved in Windows-1252 (a comment with ø)",
        match_args(file, &["good/employment.pub", "good/adult-social.pub"]),
        out,
        at_line(Rule::Encoding, file, 11),
    );

    let case = |corpus: &mut Corpus, file: &str, text: &str, mistake: &str, rule: Rule, line| {
        corpus.case(
            file,
            text,
            mistake,
            catalogue_args(file),
            &[],
            at_line(rule, file, line),
        );
    };
    case(
        corpus,
        "catalogue-duplicate-code.toml",
        &CATALOGUE.replacen("code = \"ADS-SOCIO-PED\"", "code = \"EMP-MENTOR\"", 1),
        "a service code listed twice (copied and not renamed)",
        Rule::CatalogueDuplicate,
        24,
    );
    case(
        corpus,
        "catalogue-unknown-sector.toml",
        &CATALOGUE.replacen("sector = \"adult-social\"", "sector = \"social\"", 1),
        "a service of a sector the catalogue does not define",
        Rule::CatalogueSector,
        25,
    );
    case(
        corpus,
        "catalogue-lowercase-code.toml",
        &CATALOGUE.replacen("code = \"EMP-MENTOR\"", "code = \"emp-mentor\"", 1),
        "a service code in lower case",
        Rule::CatalogueField,
        15,
    );
    case(
        corpus,
        "catalogue-missing-key.toml",
        &CATALOGUE.replacen("major_change = false\n", "", 1),
        "a service without its major_change key",
        Rule::CatalogueSyntax,
        14,
    );
    case(
        corpus,
        "catalogue-criteria-given.toml",
        CRITERIA,
        "the criteria given where a catalogue is asked for",
        Rule::WrongFileKind,
        0,
    );
}

// ---------------------------------------------------------------------------------------------
// Filled work lists and verdict files (spec §13.2, §13.3).

// ---------------------------------------------------------------------------------------------
// The one-citizen check (spec §12.8): person files, requests, the check index, answers. A
// refused step writes nothing.

fn check_files(corpus: &mut Corpus, good: &Good) {
    let answer_out = &["out/answer.json"];
    let request = |corpus: &mut Corpus, file: &str, text: &str, mistake: &str, expect| {
        let command = check_answer_args(file, "good/check-index");
        corpus.case(file, text, mistake, command, answer_out, expect);
    };
    let forged = good
        .adult_check_request
        .replace("\"adult-social\"", "\"employment\"");
    request(
        corpus,
        "check-request-other-sectors-name.json",
        &forged,
        "adult-social's request with its sector renamed employment: the signature is adult-social's",
        at_line(
            Rule::CheckSignature,
            "check-request-other-sectors-name.json",
            0,
        ),
    );
    let signature_at = good.check_request.find("\"signature\": \"").unwrap() + 14;
    let mut altered = good.check_request.clone();
    let flipped = if &altered[signature_at..signature_at + 1] == "0" {
        "1"
    } else {
        "0"
    };
    altered.replace_range(signature_at..signature_at + 1, flipped);
    request(
        corpus,
        "check-request-signature-altered.json",
        &altered,
        "one hex digit of the request's signature changed",
        at_line(
            Rule::CheckSignature,
            "check-request-signature-altered.json",
            0,
        ),
    );
    request(
        corpus,
        "check-request-version-1.json",
        &good
            .check_request
            .replace("\"version\": 2", "\"version\": 1"),
        "a request of version 1, which was not signed",
        at_line(Rule::CheckFormat, "check-request-version-1.json", 0),
    );
    request(
        corpus,
        "check-request-array.json",
        &format!("[{}]", good.check_request),
        "the request wrapped in a JSON array",
        at_line(Rule::CheckFormat, "check-request-array.json", 1),
    );
    let pseudonyms: Vec<String> = (0..=samkoer_core::formats::check::MAX_REQUEST)
        .map(|i| format!("\"{:064x}\"", i + 1))
        .collect();
    let start = good.check_request.find("\"pseudonyms\": [").unwrap() + 15;
    let end = start + good.check_request[start..].find(']').unwrap();
    let mut oversize = good.check_request.clone();
    oversize.replace_range(start..end, &pseudonyms.join(","));
    request(
        corpus,
        "check-request-too-many.json",
        &oversize,
        "a request naming 10,001 citizens, one more than a request may",
        at_line(Rule::CheckTooMany, "check-request-too-many.json", 0),
    );

    let index = &good.check_index;
    let index_case = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str| {
        let command = check_answer_args("good/check-request.json", file);
        let expect = at_record(Rule::CheckIndex, file, 0);
        corpus.case(file, bytes, mistake, command, answer_out, expect);
    };
    index_case(
        corpus,
        "check-index-cut.idx",
        &index[..index.len() - 1],
        "the match's check index cut short by one byte",
    );
    let mut magic = index.clone();
    magic[9] = 2;
    let file = "check-index-publication-given.idx";
    corpus.case(
        file,
        good.publication("employment"),
        "a publication given where the match's check index is asked for",
        check_answer_args("good/check-request.json", file),
        answer_out,
        at_line(Rule::WrongFileKind, file, 0),
    );
    index_case(
        corpus,
        "check-index-version-2.idx",
        &magic,
        "a check index of a format version this library does not read",
    );

    let ask = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, expect| {
        corpus.case(
            file,
            bytes,
            mistake,
            check_ask_args(file),
            &["out/request.json"],
            expect,
        );
    };
    ask(
        corpus,
        "check-persons-twice.txt",
        format!("{ANNA}\r\n{}-{}\r\n", &ANNA[..6], &ANNA[6..]).as_bytes(),
        "a person file naming one citizen twice, once with a dash",
        at_line(Rule::CheckRepeated, "check-persons-twice.txt", 2),
    );
    ask(
        corpus,
        "check-persons-empty.txt",
        b"\r\n\r\n",
        "a person file with blank lines only",
        at_line(Rule::CheckFormat, "check-persons-empty.txt", 1),
    );
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(
            format!("{ANNA}\r\n")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    ask(
        corpus,
        "check-persons-utf16.txt",
        &utf16,
        "a person file saved by Notepad as \"Unicode\" (UTF-16)",
        at_line(Rule::Encoding, "check-persons-utf16.txt", 1),
    );

    let other_persons = "check-persons-other.txt";
    corpus.case(
        other_persons,
        b"2207751129\n",
        "the answer read against another person file than the request was made from",
        check_read_args(other_persons, "good/check-answer.json"),
        &["out/check.csv"],
        at_line(Rule::CheckAnswerMismatch, "good/check-answer.json", 0),
    );
}

fn work_lists_and_verdicts(corpus: &mut Corpus, good: &Good) {
    let out = &["out/employment.verdicts.json"];
    let list = good.work_list("employment").to_csv();
    let case = |corpus: &mut Corpus, file: &str, text: &str, mistake: &str, rule: Rule, line| {
        corpus.case(
            file,
            text,
            mistake,
            verdict_args(file),
            out,
            at_line(rule, file, line),
        );
    };
    let second_row_is = |verdict: &str, from: &str| {
        let (verdict, from) = (verdict.to_owned(), from.to_owned());
        filled(&list, move |row| {
            if row == 1 {
                (verdict.clone(), from.clone())
            } else {
                ("suitable".into(), String::new())
            }
        })
    };
    case(
        corpus,
        "worklist-unknown-verdict.csv",
        &second_row_is("maybe", ""),
        "a verdict that is none of suitable, suitable-from, not-suitable",
        Rule::VerdictValue,
        3,
    );
    case(
        corpus,
        "worklist-danish-verdict.csv",
        &second_row_is("egnet", ""),
        "the verdict written in Danish",
        Rule::VerdictValue,
        3,
    );
    case(
        corpus,
        "worklist-formula.csv",
        &second_row_is("\"=cmd|' /C calc'!A0\"", ""),
        "a spreadsheet formula typed into the verdict cell",
        Rule::VerdictValue,
        3,
    );
    case(
        corpus,
        "worklist-month-missing.csv",
        &second_row_is("suitable-from", ""),
        "suitable-from without the month",
        Rule::VerdictValue,
        3,
    );
    case(
        corpus,
        "worklist-month-format.csv",
        &second_row_is("suitable-from", "03/2027"),
        "the month written 03/2027 instead of 2027-03",
        Rule::VerdictValue,
        3,
    );
    let foreign = CandidateId::random().unwrap().to_string();
    let mut lines: Vec<String> = all_suitable(&list).lines().map(str::to_owned).collect();
    let first_cell = lines[2].split(',').next().unwrap().to_owned();
    lines[2] = lines[2].replacen(&first_cell, &foreign, 1);
    case(
        corpus,
        "worklist-candidate-not-sent.csv",
        &(lines.join("\n") + "\n"),
        "a row pasted in from last month's work list: its candidate was never sent to this sector",
        Rule::VerdictNotSent,
        3,
    );
    let mut lines: Vec<String> = all_suitable(&list).lines().map(str::to_owned).collect();
    lines[2] = lines[2].replacen(&first_cell, &first_cell[..20], 1);
    case(
        corpus,
        "worklist-candidate-cut.csv",
        &(lines.join("\n") + "\n"),
        "a candidate id cut short by a too narrow spreadsheet column",
        Rule::VerdictSyntax,
        3,
    );
    let without_from: String = all_suitable(&list)
        .lines()
        .map(|line| line.rsplit_once(',').unwrap().0.to_owned() + "\n")
        .collect();
    case(
        corpus,
        "worklist-column-deleted.csv",
        &without_from,
        "the from column deleted before saving",
        Rule::VerdictSyntax,
        1,
    );
    // A spreadsheet's ';' between cells is read; one whose header kept a ',' is read by ','.
    let semicolons = all_suitable(&list)
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => line.replacen(',', ";", 10) + "\n",
            _ => line.replace(',', ";") + "\n",
        })
        .collect::<String>();
    case(
        corpus,
        "worklist-semicolons-half.csv",
        &semicolons,
        "a header half converted to ';' by hand, the rest all ';'",
        Rule::VerdictSyntax,
        1,
    );
    let mut lines: Vec<String> = all_suitable(&list).lines().map(str::to_owned).collect();
    lines[3].push_str(",see the case notes");
    case(
        corpus,
        "worklist-extra-cell.csv",
        &(lines.join("\n") + "\n"),
        "a remark typed into a cell right of the last column",
        Rule::VerdictSyntax,
        4,
    );

    // Verdict files at the central unit.
    let out = &["out/selection.json"];
    let employment_verdicts =
        VerdictFile::from_work_list_csv(&all_suitable(&list), "w", good.work_list("employment"))
            .map(|file| signed_verdicts(&file))
            .unwrap();
    let case = |corpus: &mut Corpus, file: &str, text: &str, mistake: &str, expect| {
        corpus.case(
            file,
            text,
            mistake,
            select_args("good/result.json", &["good/employment.verdicts.json", file]),
            out,
            expect,
        );
    };
    case(
        corpus,
        "verdicts-other-run.json",
        &signed_as(
            &employment_verdicts
                .replacen("\"2026-11\"", "\"2026-10\"", 1)
                .replacen("\"employment\"", "\"adult-social\"", 1),
            "adult-social",
        ),
        "last month's verdict file sent again",
        at_line(Rule::VerdictMismatch, "verdicts-other-run.json", 0),
    );
    case(
        corpus,
        "verdicts-second-of-sector.json",
        &resigned(
            &employment_verdicts.replace("\"suitable\"", "\"not-suitable\""),
            labels::VERDICTS_SIGNATURE,
            &PartySigningKey::of(&sealing("employment")),
        ),
        "a second verdict file of the same sector (a changed mind sent as a new file)",
        at_line(Rule::VerdictMismatch, "verdicts-second-of-sector.json", 0),
    );
    case(
        corpus,
        "verdicts-forged-sector.json",
        &signed_as(
            &employment_verdicts.replace("\"suitable\"", "\"not-suitable\""),
            "children-family",
        ),
        "verdicts in employment's name signed by another sector's key (a veto forged by another sector)",
        at_line(Rule::VerdictSignature, "verdicts-forged-sector.json", 0),
    );
    // Emil's candidate was sent to employment and health-elderly, never to adult-social.
    let adult_candidates = good.work_list("adult-social").candidates();
    let employment_candidates = good.work_list("employment").candidates();
    let emil = *employment_candidates
        .difference(&adult_candidates)
        .next()
        .unwrap();
    let mut verdicts = VerdictFile::from_work_list_csv(
        &all_suitable(&good.work_list("adult-social").to_csv()),
        "w",
        good.work_list("adult-social"),
    )
    .unwrap();
    verdicts
        .verdicts
        .insert(emil, samkoer_core::formats::verdicts::Verdict::NotSuitable);
    let position = verdicts.verdicts.keys().position(|c| *c == emil).unwrap() as u64 + 1;
    case(
        corpus,
        "verdicts-not-sent.json",
        &signed_verdicts(&verdicts),
        "a verdict on a candidate the sector was never sent (it tries to veto another sector's case)",
        at_line(Rule::VerdictNotSent, "verdicts-not-sent.json", position),
    );
    let adult_json = good_adult_verdicts(good);
    case(
        corpus,
        "verdicts-bad-value.json",
        &adult_json.replacen("\"suitable\"", "\"yes\"", 1),
        "a verdict file edited by hand: \"yes\" for a verdict (its signature no longer verifies)",
        at_line(Rule::VerdictSignature, "verdicts-bad-value.json", 0),
    );
    case(
        corpus,
        "verdicts-bad-value-signed.json",
        &resigned(
            &adult_json.replacen("\"suitable\"", "\"yes\"", 1),
            labels::VERDICTS_SIGNATURE,
            &PartySigningKey::of(&sealing("adult-social")),
        ),
        "\"yes\" for a verdict, in a file its sector signed",
        at_line(Rule::VerdictValue, "verdicts-bad-value-signed.json", 1),
    );
    let cut = &adult_json[..adult_json.len() / 2];
    let cut_line = 1 + cut.matches('\n').count() as u64;
    case(
        corpus,
        "verdicts-truncated.json",
        cut,
        "a verdict file cut off in transfer",
        at_line(Rule::VerdictSyntax, "verdicts-truncated.json", cut_line),
    );
    let with_cpr = adult_json.replacen(
        "\"verdict\": \"suitable\"",
        &format!("\"verdict\": \"suitable\",\n      \"cpr\": \"{CARL}\""),
        1,
    );
    let cpr_line = 1 + with_cpr[..with_cpr.find("\"cpr\"").unwrap()]
        .matches('\n')
        .count() as u64;
    case(
        corpus,
        "verdicts-with-cpr.json",
        &with_cpr,
        "a CPR number added to a verdict, which must never leave the sector",
        at_line(Rule::VerdictSyntax, "verdicts-with-cpr.json", cpr_line),
    );
    // JSON arrays in place of objects (spec §10): serde alone would read a struct from an
    // array of its fields in order, so these are each the good file with its values kept.
    let adult: Value = serde_json::from_str(&adult_json).unwrap();
    let fields = |object: &Value, names: &[&str]| -> Value {
        Value::Array(
            names
                .iter()
                .filter_map(|name| object.get(*name).cloned())
                .collect(),
        )
    };
    let entries: Vec<Value> = adult["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| fields(entry, &["candidate", "verdict", "from"]))
        .collect();
    let mut as_array = fields(
        &adult,
        &["format", "version", "municipality", "run", "sector"],
    );
    as_array.as_array_mut().unwrap().push(Value::Array(entries));
    let file = "verdicts-array.json";
    case(
        corpus,
        file,
        &(serde_json::to_string_pretty(&as_array).unwrap() + "\n"),
        "a verdict file written by a script as one JSON array of the values, not an object",
        at_line(Rule::VerdictSyntax, file, 1),
    );
    let first_entry = adult["verdicts"][0].clone();
    let mut entry_array = adult.clone();
    entry_array["verdicts"][0] = fields(&first_entry, &["candidate", "verdict", "from"]);
    let text = serde_json::to_string_pretty(&entry_array).unwrap() + "\n";
    let entry_line = 1
        + text[..text.find("\"verdicts\"").unwrap()]
            .matches('\n')
            .count() as u64
        + 1;
    let file = "verdicts-entry-array.json";
    case(
        corpus,
        file,
        &text,
        "one verdict written as an array [candidate, verdict] instead of an object",
        at_line(Rule::VerdictSyntax, file, entry_line),
    );
    let result: Value = serde_json::from_str(&good.result).unwrap();
    let mut run_array = result.clone();
    run_array["run"] = Value::Array(vec![
        result["run"]["municipality"].clone(),
        result["run"]["run"].clone(),
    ]);
    let text = serde_json::to_string_pretty(&run_array).unwrap() + "\n";
    let run_line = 1 + text[..text.find("\"run\"").unwrap()].matches('\n').count() as u64;
    let file = "result-run-array.json";
    corpus.case(
        file,
        &text,
        "the match result's run written as an array [municipality, run] by a reporting script",
        select_args(file, &["good/employment.verdicts.json"]),
        out,
        at_line(Rule::VerdictSyntax, file, run_line),
    );
    let statistics = "{\n  \"threshold\": 5,\n  \"tables\": []\n}\n";
    let file = "result-statistics-given.json";
    corpus.case(
        file,
        statistics,
        "the statistics file given where the match result is asked for",
        select_args(file, &["good/employment.verdicts.json"]),
        out,
        wrong_kind(file, Kind::Statistics, Kind::MatchResult),
    );
    let file = "result-edited-run.json";
    corpus.case(
        file,
        good.result
            .replacen("\"run\": \"2026-11\"", "\"run\": \"2026 11\"", 1),
        "the match result edited by hand: a run id with a space (its signature no longer verifies)",
        select_args(file, &["good/employment.verdicts.json"]),
        out,
        at_line(Rule::MatchResultSignature, file, 0),
    );
    let matcher_signing = PartySigningKey::of_matcher(&matcher());
    let file = "result-signed-bad-run.json";
    corpus.case(
        file,
        resigned(
            &good
                .result
                .replacen("\"run\": \"2026-11\"", "\"run\": \"2026 11\"", 1),
            labels::MATCH_RESULT_SIGNATURE,
            &matcher_signing,
        ),
        "a run id with a space, in a result its matcher signed",
        select_args(file, &["good/employment.verdicts.json"]),
        out,
        at_line(Rule::VerdictSyntax, file, 0),
    );
    let other_matcher =
        PartySigningKey::of_matcher(&MatcherKey::from_bytes(town(), key_bytes(0xa7)));
    let file = "result-other-matcher.json";
    corpus.case(
        file,
        resigned(&good.result, labels::MATCH_RESULT_SIGNATURE, &other_matcher),
        "a match result signed by another matcher key than the one given",
        select_args(file, &["good/employment.verdicts.json"]),
        out,
        at_line(Rule::MatchResultSignature, file, 0),
    );
}

fn good_adult_verdicts(good: &Good) -> String {
    let list = good.work_list("adult-social");
    signed_verdicts(
        &VerdictFile::from_work_list_csv(&all_suitable(&list.to_csv()), "w", list).unwrap(),
    )
}

/// A verdict file as its sector writes it: signed with the sector's key.
fn signed_verdicts(file: &VerdictFile) -> String {
    file.to_json(
        &PartySigningKey::of(&sealing(file.sector.as_str())),
        Head::EMPTY,
    )
}

/// Employment's verdict file `text`, changed, named as `sector`'s author and signed with its
/// key: a file that `sector`'s key did sign.
fn signed_as(text: &str, sector: &str) -> String {
    let employment = PartySigningKey::of(&sealing("employment")).public();
    let key = PartySigningKey::of(&sealing(sector));
    let renamed = text.replace(&employment.to_string(), &key.public().to_string());
    resigned(&renamed, labels::VERDICTS_SIGNATURE, &key)
}

/// `text`, a signed JSON file changed after signing, signed again by `key` under `label`: what
/// a forger holding the author's key makes, so that the change itself is judged.
fn resigned(text: &str, label: &[u8], key: &PartySigningKey) -> String {
    let (body, _) = text
        .rsplit_once(",\n  \"signature\"")
        .expect("a signed JSON file");
    signed_json::sign(&format!("{body}\n}}"), label, key)
}

// ---------------------------------------------------------------------------------------------
// Consent receipts, withdrawals and disclosure bundles (spec §14, §15).

fn receipts_and_bundles(corpus: &mut Corpus, good: &Good) {
    let from = datetime!(2025-01-01 0:00 UTC);
    let until = datetime!(2099-01-01 0:00 UTC);
    let verify = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, rule: Rule| {
        corpus.case(
            file,
            bytes,
            mistake,
            verify_args(
                "good/consent-registry-public.key",
                file,
                "good/consent-state.bin",
            ),
            &[],
            at_line(rule, file, 0),
        );
    };
    let impostor = ConsentRegistryKey::from_bytes(town(), key_bytes(0x81));
    verify(
        corpus,
        "receipt-forged.bin",
        &receipt_signed_by(&impostor, ANNA, &["employment"], from, until, [0x12; 16]),
        "a receipt signed with a key that is not the registry's",
        Rule::ConsentSignature,
    );
    let scoped = receipt_for(ANNA, &["health-elderly"], from, until, [0x13; 16]);
    let widened = {
        // Replace the one sector with employment and keep the old signature.
        let author_and_signature = &scoped[scoped.len() - 72 - 64..];
        let mut bytes = scoped[..84].to_vec();
        bytes.push(1);
        bytes.push(10);
        bytes.extend_from_slice(b"employment");
        bytes.extend_from_slice(author_and_signature);
        bytes
    };
    verify(
        corpus,
        "receipt-scope-altered.bin",
        &widened,
        "a receipt for health-elderly altered to name employment, its signature kept",
        Rule::ConsentSignature,
    );
    verify(
        corpus,
        "receipt-expired.bin",
        &receipt_for(
            ANNA,
            &["employment"],
            datetime!(2024-01-01 0:00 UTC),
            datetime!(2025-01-01 0:00 UTC),
            [0x14; 16],
        ),
        "a receipt whose validity ended",
        Rule::ConsentExpired,
    );
    verify(
        corpus,
        "receipt-not-yet-valid.bin",
        &receipt_for(
            ANNA,
            &["employment"],
            datetime!(2098-01-01 0:00 UTC),
            until,
            [0x15; 16],
        ),
        "a receipt that is valid only from a future date",
        Rule::ConsentNotYetValid,
    );
    verify(
        corpus,
        "receipt-other-sector.bin",
        &receipt_for(ANNA, &["adult-social"], from, until, [0x16; 16]),
        "a receipt for adult-social replayed to employment",
        Rule::ConsentScope,
    );
    let other_registry = ConsentRegistryKey::from_bytes(other_town(), key_bytes(0x82));
    verify(
        corpus,
        "receipt-other-municipality.bin",
        &receipt_signed_by(
            &other_registry,
            ANNA,
            &["employment"],
            from,
            until,
            [0x17; 16],
        ),
        "a receipt from the neighbouring municipality's registry",
        Rule::ConsentSignature,
    );
    verify(
        corpus,
        "receipt-garbage.bin",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "a scanned consent form (PDF) given where the receipt file is asked for",
        Rule::WrongFileKind,
    );
    verify(
        corpus,
        "receipt-truncated.bin",
        &good.receipt[..good.receipt.len() - 7],
        "a receipt cut short",
        Rule::ConsentFormat,
    );
    let withdrawn = receipt_for(ANNA, &["employment"], from, until, WITHDRAWN);
    let withdrawal = consent::withdraw(
        &registry(),
        &Receipt::parse(&withdrawn, "r").unwrap(),
        datetime!(2026-06-01 0:00 UTC),
    );
    corpus.good("receipt-withdrawn.withdrawal", &withdrawal);
    let file = "receipt-withdrawn.bin";
    corpus.case(
        file,
        &withdrawn,
        "a receipt whose consent the citizen withdrew: the consent state lists it, though no one handed this sector the withdrawal",
        verify_args(
            "good/consent-registry-public.key",
            file,
            "good/consent-state.bin",
        ),
        &[],
        at_line(Rule::ConsentWithdrawn, file, 0),
    );
    consent_states(corpus, good);
    let state_case = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, expect| {
        corpus.case(
            file,
            bytes,
            mistake,
            state_args(&[file]),
            &["out/consent-state.bin"],
            expect,
        );
    };
    state_case(
        corpus,
        "withdrawal-garbage.bin",
        b"withdrawn by phone 2026-11-03\n",
        "a note typed as a withdrawal file, given to the registry's consent state",
        wrong_kind("withdrawal-garbage.bin", Kind::Text, Kind::Withdrawal),
    );
    let impostor_withdrawal = consent::withdraw(
        &impostor,
        &Receipt::parse(&good.receipt, "r").unwrap(),
        datetime!(2026-06-01 0:00 UTC),
    );
    state_case(
        corpus,
        "withdrawal-forged.bin",
        &impostor_withdrawal,
        "a withdrawal not signed by the registry: the registry does not list it in its consent state",
        at_line(Rule::ConsentSignature, "withdrawal-forged.bin", 0),
    );
    let mut damaged = consent::withdraw(
        &registry(),
        &Receipt::parse(&good.receipt, "r").unwrap(),
        datetime!(2026-06-01 0:00 UTC),
    );
    let last = damaged.len() - 1;
    damaged[last] ^= 0x10;
    state_case(
        corpus,
        "withdrawal-damaged.bin",
        &damaged,
        "a genuine withdrawal damaged on the way: refused, so that it is sent again rather than left out",
        at_line(Rule::ConsentSignature, "withdrawal-damaged.bin", 0),
    );
    let file = "receipt-other-person.bin";
    corpus.case(
        file,
        receipt_for(FIE, &["employment"], from, until, [0x19; 16]),
        "a valid receipt for a citizen who has no services in this sector",
        disclose_args(file),
        &["out/employment.bundle"],
        at_line(Rule::ConsentOtherPerson, file, 0),
    );

    let open_case = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, expect| {
        corpus.case(file, bytes, mistake, open_args(file), &[], expect);
    };
    let bundle = &good.bundle;
    open_case(
        corpus,
        "bundle-truncated.bundle",
        &bundle[..bundle.len() - 40],
        "a bundle cut short in its ciphertext (its signature no longer verifies)",
        at_line(Rule::DisclosureSignature, "bundle-truncated.bundle", 0),
    );
    open_case(
        corpus,
        "bundle-cut-in-header.bundle",
        &bundle[..20],
        "a bundle cut off inside its header",
        at_line(Rule::DisclosureFormat, "bundle-cut-in-header.bundle", 0),
    );
    let mut tampered = bundle.clone();
    let middle = tampered.len() - 30;
    tampered[middle] ^= 0x04;
    open_case(
        corpus,
        "bundle-tampered.bundle",
        &tampered,
        "one byte of the sealed services changed (its signature no longer verifies)",
        at_line(Rule::DisclosureSignature, "bundle-tampered.bundle", 0),
    );
    let other_team =
        disclosure::plan_team_public_key(&PlanTeamKey::from_bytes(town(), key_bytes(0xa1)));
    open_case(
        corpus,
        "bundle-other-plan-team.bundle",
        &disclose_for(&good.receipt, &other_team, &good.employment_export),
        "a bundle sealed for another plan team",
        open_failed("bundle-other-plan-team.bundle", 0),
    );
    let mut relabelled = bundle.clone();
    let at = 27;
    assert_eq!(&relabelled[at..at + 10], b"employment");
    relabelled[at..at + 10].copy_from_slice(b"healthcare");
    open_case(
        corpus,
        "bundle-sector-relabelled.bundle",
        &relabelled,
        "a bundle relabelled as another sector's (its signature no longer verifies)",
        at_line(
            Rule::DisclosureSignature,
            "bundle-sector-relabelled.bundle",
            0,
        ),
    );
    let other_receipt = receipt_for(
        ANNA,
        &["employment", "adult-social"],
        datetime!(2025-01-01 0:00 UTC),
        datetime!(2099-01-01 0:00 UTC),
        [0x12; 16],
    );
    open_case(
        corpus,
        "bundle-other-receipt.bundle",
        &disclose_for(
            &other_receipt,
            &good_plan_team_public(),
            &good.employment_export,
        ),
        "a bundle the sector sealed for another receipt of the same citizen",
        at_line(Rule::DisclosureReceipt, "bundle-other-receipt.bundle", 0),
    );
    let forged = disclose_signed_by(
        &good.receipt,
        &good_plan_team_public(),
        &good.employment_export,
        &sealing("children-family"),
    );
    open_case(
        corpus,
        "bundle-forged-sector.bundle",
        &forged,
        "a bundle in employment's name, signed by another key (someone holding the plan team's public key)",
        at_line(Rule::DisclosureSignature, "bundle-forged-sector.bundle", 0),
    );
    open_case(
        corpus,
        "bundle-receipt-given.bundle",
        &good.receipt,
        "the consent receipt given where a bundle is asked for",
        wrong_kind("bundle-receipt-given.bundle", Kind::Receipt, Kind::Bundle),
    );
}

/// Consent states (spec §14.4), met by `consent verify` and by `disclose`.
fn consent_states(corpus: &mut Corpus, _good: &Good) {
    let verify = |corpus: &mut Corpus, file: &str, bytes: &[u8], mistake: &str, rule: Rule| {
        corpus.case(
            file,
            bytes,
            mistake,
            verify_args("good/consent-registry-public.key", "good/receipt.bin", file),
            &[],
            at_line(rule, file, 0),
        );
    };
    let good = good_state(&registry(), 1, STATE_ISSUED);
    verify(
        corpus,
        "consent-state-truncated.bin",
        &good[..good.len() - 10],
        "a consent state cut short in its signature",
        Rule::ConsentStateFormat,
    );
    verify(
        corpus,
        "consent-state-no-withdrawals-left.bin",
        &good[..state::HEADER_LEN + 64],
        "a consent state whose withdrawals were cut out, its count kept",
        Rule::ConsentStateFormat,
    );
    let impostor = ConsentRegistryKey::from_bytes(town(), key_bytes(0x83));
    verify(
        corpus,
        "consent-state-forged.bin",
        &state::issue_state(&impostor, 9, STATE_ISSUED, &Default::default()).unwrap(),
        "a consent state with no withdrawals, signed by a key that is not the registry's",
        Rule::ConsentStateSignature,
    );
    let mut emptied = good.clone();
    // The count set to 0 and the withdrawal removed, the signature kept.
    emptied[state::HEADER_LEN - 4..state::HEADER_LEN].copy_from_slice(&[0; 4]);
    emptied.drain(state::HEADER_LEN..state::HEADER_LEN + state::ENTRY_LEN);
    verify(
        corpus,
        "consent-state-withdrawal-removed.bin",
        &emptied,
        "a genuine consent state with its withdrawal taken out, the signature kept",
        Rule::ConsentStateSignature,
    );
    // Two withdrawals in the wrong order, signed by the registry itself: only the order is wrong.
    let mut unsorted = state::issue_state(
        &registry(),
        1,
        STATE_ISSUED,
        &[([0x01; 16], 1), ([0x02; 16], 2)].into_iter().collect(),
    )
    .unwrap();
    let (a, b) = (state::HEADER_LEN, state::HEADER_LEN + state::ENTRY_LEN);
    let first = unsorted[a..b].to_vec();
    unsorted.copy_within(b..b + state::ENTRY_LEN, a);
    unsorted[b..b + state::ENTRY_LEN].copy_from_slice(&first);
    let signed = unsorted.len() - 64;
    let signature = resign(&registry(), &unsorted[..signed]);
    unsorted[signed..].copy_from_slice(&signature);
    verify(
        corpus,
        "consent-state-unsorted.bin",
        &unsorted,
        "a consent state whose receipt ids are out of order, signed as it is",
        Rule::ConsentStateFormat,
    );
    let mut version = good.clone();
    version[9] = 2;
    let signed = version.len() - 64;
    let signature = resign(&registry(), &version[..signed]);
    version[signed..].copy_from_slice(&signature);
    verify(
        corpus,
        "consent-state-version-2.bin",
        &version,
        "a consent state of a version this samkoer does not read",
        Rule::ConsentStateFormat,
    );
    let file = "consent-state-stale.bin";
    corpus.case(
        file,
        good_state(&registry(), 1, datetime!(2025-01-01 0:00 UTC)),
        "a genuine consent state two days older than the 24 hours the municipality allows",
        verify_args_aged(
            "good/consent-registry-public.key",
            "good/receipt.bin",
            file,
            "24",
        ),
        &[],
        at_line(Rule::ConsentStateStale, file, 0),
    );
    let other_registry = ConsentRegistryKey::from_bytes(other_town(), key_bytes(0x82));
    verify(
        corpus,
        "consent-state-other-municipality.bin",
        &good_state(&other_registry, 1, STATE_ISSUED),
        "the neighbouring municipality's consent state",
        Rule::ConsentStateSignature,
    );
    verify(
        corpus,
        "consent-state-receipt-given.bin",
        &receipt_for(
            ANNA,
            &["employment"],
            datetime!(2025-01-01 0:00 UTC),
            datetime!(2099-01-01 0:00 UTC),
            [0x11; 16],
        ),
        "the consent receipt given where the consent state is asked for",
        Rule::ConsentStateFormat,
    );
    let file = "consent-state-future.bin";
    corpus.case(
        file,
        good_state(&registry(), 1, datetime!(2098-01-01 0:00 UTC)),
        "a consent state dated in 2098: the registry's clock is wrong",
        disclose_args_with_state(file),
        &["out/employment.bundle"],
        at_line(Rule::ConsentStateFuture, file, 0),
    );
}

/// A new Ed25519 signature by the registry over `signed`, as a consent state carries it.
fn resign(registry: &ConsentRegistryKey, signed: &[u8]) -> [u8; 64] {
    use ed25519_dalek::{Signer, SigningKey};
    let key = SigningKey::from_bytes(registry.expose_secret());
    key.sign(&[labels::CONSENT_STATE, signed].concat())
        .to_bytes()
}

fn disclose_args_with_state(state: &str) -> Vec<String> {
    let mut parts = disclose_args("good/receipt.bin");
    let at = parts
        .iter()
        .position(|p| p == "good/consent-state.bin")
        .unwrap();
    parts[at] = state.to_owned();
    parts
}

// ---------------------------------------------------------------------------------------------
// Files of the wrong kind (spec §10, `wrong-file-kind`): each a swap a person could make,
// named for what the file is.

fn wrong_kinds(corpus: &mut Corpus, good: &Good) {
    let public_key = disclosure::plan_team_public_key(&plan_team()).to_key_file();
    let registry_public = consent::registry_public_key(&registry()).to_key_file();
    let withdrawal = consent::withdraw(
        &registry(),
        &Receipt::parse(&good.receipt, "r").unwrap(),
        datetime!(2026-06-01 0:00 UTC),
    );
    let verdicts = good_adult_verdicts(good);
    let work_list = good.work_list("employment").to_csv();
    let publication = good.publication("employment");
    let flag_file = good.flag_file("employment");
    let verify = |receipt: &str| {
        verify_args(
            "good/consent-registry-public.key",
            receipt,
            "good/consent-state.bin",
        )
    };
    // file, its bytes, the mistake, the command, its outputs, what the file is, what was asked.
    type Swap<'a> = (
        &'a str,
        &'a [u8],
        &'a str,
        Vec<String>,
        &'a [&'a str],
        Kind,
        Kind,
    );
    let cases: Vec<Swap> = vec![
        (
            "flag-key-given.flag",
            public_key.as_bytes(),
            "the plan team's public key given where the flag file is asked for",
            review_args("flag-key-given.flag"),
            &["out/worklist.csv"],
            Kind::KeyFile(Some(KeyKind::PlanTeamPublic)),
            Kind::FlagFile,
        ),
        (
            "key-publication-given.key",
            publication,
            "the sector's publication given where its sealing key is asked for",
            args(&[
                "review",
                "--sealing-key",
                "key-publication-given.key",
                "--flag-file",
                "good/employment.flag",
                "--out",
                "out/worklist.csv",
            ]),
            &["out/worklist.csv"],
            Kind::Publication,
            Kind::KeyFile(None),
        ),
        (
            "key-receipt-given.key",
            &good.receipt,
            "the receipt given where the registry's public key is asked for",
            verify_args(
                "key-receipt-given.key",
                "good/receipt.bin",
                "good/consent-state.bin",
            ),
            &[],
            Kind::Receipt,
            Kind::KeyFile(None),
        ),
        (
            "receipt-withdrawal-given.bin",
            &withdrawal,
            "the withdrawal given where the receipt is asked for",
            verify("receipt-withdrawal-given.bin"),
            &[],
            Kind::Withdrawal,
            Kind::Receipt,
        ),
        (
            "receipt-bundle-given.bin",
            &good.bundle,
            "the disclosure bundle given where the receipt is asked for",
            verify("receipt-bundle-given.bin"),
            &[],
            Kind::Bundle,
            Kind::Receipt,
        ),
        (
            "receipt-key-given.bin",
            registry_public.as_bytes(),
            "the registry's public key given where the receipt is asked for",
            verify("receipt-key-given.bin"),
            &[],
            Kind::KeyFile(Some(KeyKind::ConsentRegistryPublic)),
            Kind::Receipt,
        ),
        (
            "withdrawal-receipt-given.bin",
            &good.receipt,
            "the receipt given a second time, where a withdrawal is asked for",
            state_args(&["withdrawal-receipt-given.bin"]),
            &["out/consent-state.bin"],
            Kind::Receipt,
            Kind::Withdrawal,
        ),
        (
            "bundle-key-given.bundle",
            public_key.as_bytes(),
            "the plan team's public key given where a bundle is asked for",
            open_args("bundle-key-given.bundle"),
            &[],
            Kind::KeyFile(Some(KeyKind::PlanTeamPublic)),
            Kind::Bundle,
        ),
        (
            "result-verdicts-given.json",
            verdicts.as_bytes(),
            "a sector's verdict file given where the match result is asked for",
            select_args(
                "result-verdicts-given.json",
                &["good/employment.verdicts.json"],
            ),
            &["out/selection.json"],
            Kind::Verdicts,
            Kind::MatchResult,
        ),
        (
            "verdicts-result-given.json",
            good.result.as_bytes(),
            "the match result given where a sector's verdict file is asked for",
            select_args("good/result.json", &["verdicts-result-given.json"]),
            &["out/selection.json"],
            Kind::MatchResult,
            Kind::Verdicts,
        ),
        (
            "criteria-result-given.toml",
            good.result.as_bytes(),
            "the match result given where the criteria are asked for",
            match_args(
                "criteria-result-given.toml",
                &["good/employment.pub", "good/adult-social.pub"],
            ),
            &["out/match"],
            Kind::MatchResult,
            Kind::Criteria,
        ),
        (
            "worklist-flag-given.csv",
            flag_file,
            "the flag file given where the filled work list is asked for",
            verdict_args("worklist-flag-given.csv"),
            &["out/employment.verdicts.json"],
            Kind::FlagFile,
            Kind::WorkList,
        ),
        (
            "export-worklist-given.csv",
            work_list.as_bytes(),
            "the work list given where the case system's export is asked for",
            publish_export("export-worklist-given.csv"),
            &PUBLICATION_OUT,
            Kind::WorkList,
            Kind::Export,
        ),
        (
            "mapping-criteria-given.toml",
            CRITERIA.as_bytes(),
            "the criteria given where the mapping file is asked for",
            publish_args(
                "good/run.key",
                "good/sealing-employment.key",
                "good/export-employment-danish.csv",
                &["--mapping", "mapping-criteria-given.toml"],
            ),
            &PUBLICATION_OUT,
            Kind::Criteria,
            Kind::Mapping,
        ),
        (
            "audit-publication-given.log",
            publication,
            "a publication given where the audit log is asked for",
            audit_args("audit-publication-given.log", None),
            &[],
            Kind::Publication,
            Kind::AuditLog,
        ),
    ];
    for (file, bytes, mistake, command, outputs, found, expected) in cases {
        corpus.case(
            file,
            bytes,
            mistake,
            command,
            outputs,
            wrong_kind(file, found, expected),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Audit logs (spec §16).

fn audit_logs(corpus: &mut Corpus) {
    let steps = audit_steps();
    let lines = audit_lines(&steps);
    let head = samkoer_core::audit::verify(lines.concat().as_bytes(), "audit.log", None).unwrap();
    let head_text = format!("{}:{}", head.seq, hex::encode(head.hash));
    let case = |corpus: &mut Corpus, file: &str, text: &[u8], mistake: &str, rule: Rule, line| {
        corpus.case(
            file,
            text,
            mistake,
            audit_args(file, None),
            &[],
            at_line(rule, file, line),
        );
    };
    let mut edited = lines.clone();
    edited[1] = edited[1].replacen("\"published\":5", "\"published\":50", 1);
    case(
        corpus,
        "audit-edited-entry.log",
        edited.concat().as_bytes(),
        "a count in the second entry edited",
        Rule::AuditChain,
        2,
    );
    let mut removed = lines.clone();
    removed.remove(2);
    case(
        corpus,
        "audit-removed-entry.log",
        removed.concat().as_bytes(),
        "the third entry deleted",
        Rule::AuditChain,
        3,
    );
    let mut reordered = lines.clone();
    reordered.swap(1, 2);
    case(
        corpus,
        "audit-reordered.log",
        reordered.concat().as_bytes(),
        "the second and third entries swapped",
        Rule::AuditChain,
        2,
    );
    let mut inserted = lines[..2].to_vec();
    let after_two =
        samkoer_core::audit::verify(lines[..2].concat().as_bytes(), "audit.log", None).unwrap();
    inserted.push(
        AuditLog::continuing(after_two)
            .append(Step {
                time: "2026-11-02T09:11:00Z".into(),
                party: "sector:health-elderly".into(),
                action: "publish".into(),
                run: Some("2026-11".into()),
                made: Vec::new(),
                counts: [("rows".to_owned(), 1)].into(),
                outcome: samkoer_core::audit::DONE.into(),
            })
            .unwrap(),
    );
    inserted.extend_from_slice(&lines[2..]);
    case(
        corpus,
        "audit-inserted-entry.log",
        inserted.concat().as_bytes(),
        "a well-formed entry inserted after the second, chained to it",
        Rule::AuditChain,
        4,
    );
    let mut cut_line = lines[..4].concat();
    cut_line.push_str(&lines[4][..40]);
    case(
        corpus,
        "audit-truncated-line.log",
        cut_line.as_bytes(),
        "the log cut off in the middle of its last entry (the disk ran full)",
        Rule::AuditEntry,
        5,
    );
    case(
        corpus,
        "audit-not-json.log",
        format!("{}publish done, 5 records\n", lines.concat()).as_bytes(),
        "a line of free text appended by hand",
        Rule::AuditEntry,
        6,
    );
    let pretty = lines[0].replace(",\"", ", \"");
    case(
        corpus,
        "audit-reformatted.log",
        format!("{pretty}{}", lines[1..].concat()).as_bytes(),
        "an entry re-spaced by a JSON tool (no longer its canonical form)",
        Rule::AuditEntry,
        1,
    );
    let unknown_action = lines[4].replacen("\"review\"", "\"delete\"", 1);
    case(
        corpus,
        "audit-unknown-action.log",
        format!("{}{unknown_action}", lines[..4].concat()).as_bytes(),
        "an entry naming an action that does not exist",
        Rule::AuditEntry,
        5,
    );
    let mut not_utf8 = lines[0].clone().into_bytes();
    let mut second = lines[1].clone().into_bytes();
    let at = second.windows(6).position(|w| w == b"sector").unwrap();
    second[at + 1] = 0xe6;
    not_utf8.extend(second);
    not_utf8.extend(lines[2..].concat().into_bytes());
    case(
        corpus,
        "audit-not-utf8.log",
        &not_utf8,
        "a byte changed into one that is not UTF-8 (a damaged copy)",
        Rule::AuditEntry,
        2,
    );
    let file = "audit-emptied.log";
    corpus.case(
        file,
        "",
        "the whole log emptied, caught by the head kept elsewhere",
        audit_args(file, Some(&head_text)),
        &[],
        at_line(Rule::AuditChain, file, 1),
    );
    let file = "audit-cut-at-end.log";
    corpus.case(
        file,
        lines[..3].concat(),
        "the last two entries removed, caught by the head kept elsewhere",
        audit_args(file, Some(&head_text)),
        &[],
        at_line(Rule::AuditChain, file, 4),
    );
    let mut rewritten_steps = steps.clone();
    rewritten_steps[1].counts.insert("rejected".to_owned(), 3);
    let file = "audit-rewritten.log";
    corpus.case(
        file,
        audit_text(&rewritten_steps),
        "the whole chain recomputed after an edit, caught by the head kept elsewhere",
        audit_args(file, Some(&head_text)),
        &[],
        at_line(Rule::AuditChain, file, 6),
    );
}

/// The corpus's plan team's public key.
fn good_plan_team_public() -> PlanTeamPublicKey {
    disclosure::plan_team_public_key(&plan_team())
}
