//! One harness per parser of outside input. Each takes arbitrary bytes, runs them through the
//! core exactly as a surface would, and checks what must hold for any input: no panic, and an
//! error (if any) that names a rule and never echoes the input. The cargo-fuzz targets in
//! `fuzz_targets/` call these; `tests/regressions.rs` replays every kept crashing input.
//!
//! Keys are fixed test bytes: the fuzzer must reach past the key checks to the parsers.

use std::io::Cursor;

use samkoer_core::central::matcher::Match;
use samkoer_core::central::selection::sent_from_match_report;
use samkoer_core::consent::receipt::{Receipt, Withdrawal, registry_public_key};
use samkoer_core::consent::state::{ConsentState, Freshness};
use samkoer_core::files::Input;
use samkoer_core::files::kind::{self, Kind};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::check::{CheckIndex, CheckReply, CheckRequest};
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::{ExportOptions, RelationsReader};
use samkoer_core::formats::json::{Shape, array_for_object};
use samkoer_core::formats::publication::{FileKind, FileReader};
use samkoer_core::formats::verdicts::VerdictFile;
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, PlanTeamKey, PlanTeamPublicKey, SubjectKey,
};
use samkoer_core::sector::publish::Publisher;
use samkoer_core::sector::review::{ReviewedService, WorkItem, WorkList};
use samkoer_core::{
    Cpr, Error, KeyFileFormat, MasterKey, MunicipalityCode, Pseudonym, RunId, RunKey, SealingKey,
    SectorCode,
};
use time::macros::{date, datetime};

/// A harness: takes any bytes, panics only on a bug.
pub type Harness = fn(&[u8]);

/// Every harness by name, as the fuzz targets and the regression folders are named.
pub const HARNESSES: &[(&str, Harness)] = &[
    ("export_csv", export_csv),
    ("relations_csv", relations_csv),
    ("key_file", key_file),
    ("publication", publication),
    ("match_publications", match_publications),
    ("flag_file", flag_file),
    ("criteria", criteria),
    ("verdicts", verdicts),
    ("consent", consent),
    ("consent_state", consent_state),
    ("disclosure", disclosure),
    ("audit_log", audit_log),
    ("file_kind", file_kind),
    ("check_files", check_files),
    ("check_index", check_index),
    ("person_file", person_file),
];

const CRITERIA: &str = r#"format = "samkoer-criteria"
version = 1
threshold = 3

[person]
min_sectors = 2

[defer]
major_change = true

[family]
min_sectors = 2
"#;

fn municipality() -> MunicipalityCode {
    MunicipalityCode::new(219).unwrap_or_else(|_| unreachable!("219 is a municipality code"))
}

fn run_key() -> RunKey {
    let run = RunId::new("2026-11").unwrap_or_else(|_| unreachable!("a valid run id"));
    MasterKey::from_bytes(municipality(), [7; 32]).derive_run_key(&run, date!(2026 - 11 - 01))
}

fn sealing_key() -> SealingKey {
    let sector = SectorCode::new("employment").unwrap_or_else(|_| unreachable!("a sector code"));
    SealingKey::from_bytes(municipality(), sector, [9; 32])
}

/// What must hold of every error: it names a rule or is an I/O fault, and its message does
/// not repeat a run of the input long enough to be a CPR number.
fn check_error(error: &Error, input: &[u8]) {
    let message = error.to_string();
    assert!(!message.is_empty());
    for digits in message
        .as_bytes()
        .split(|b| !b.is_ascii_digit())
        .filter(|run| run.len() >= 10)
    {
        // A run of ten digits in a message is allowed only if the input never had it.
        assert!(
            !input.windows(digits.len()).any(|w| w == digits),
            "an error message repeats ten or more digits of the input: {message}"
        );
    }
}

fn checked<T>(result: samkoer_core::Result<T>, input: &[u8]) -> Option<T> {
    result.map_err(|e| check_error(&e, input)).ok()
}

/// The first byte picks: a case-system export in UTF-8 (0) or Windows-1252 (1), published with
/// fixed keys into memory (CSV parse, CPR and date checks, pseudonyms, envelopes,
/// accounting); or the mapping file that says how to read one (2).
pub fn export_csv(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut options = ExportOptions::default();
    match mode % 3 {
        0 => {}
        1 => options.encoding = samkoer_core::formats::export::TextEncoding::Windows1252,
        _ => return mapping(rest, data),
    }
    let csv = rest;
    let (run, sealing) = (run_key(), sealing_key());
    let Ok(publisher) = Publisher::new(&run, &sealing, Catalogue::builtin(), &options) else {
        unreachable!("the fixed keys belong together")
    };
    let published = publisher.with_threads(1).publish(
        Cursor::new(csv.to_vec()),
        "export.csv",
        None,
        Vec::new(),
        "out.pub",
    );
    if let Some(published) = checked(published, data) {
        assert!(
            published.report.export.is_balanced(),
            "every row is accounted for"
        );
        // What publish wrote must read back as a valid publication.
        let bytes = published.output;
        let mut reader = FileReader::new(&bytes[..], FileKind::Publication, "out.pub")
            .unwrap_or_else(|e| panic!("own publication unreadable: {e}"));
        while let Some(_record) = reader
            .next_ref()
            .unwrap_or_else(|e| panic!("own publication unreadable: {e}"))
        {}
    }
}

/// A relations file (child and parent CPR numbers).
pub fn relations_csv(data: &[u8]) {
    let options = ExportOptions::default();
    let reader = RelationsReader::new(
        Cursor::new(data.to_vec()),
        "relations.csv",
        &options,
        date!(2026 - 11 - 01),
    );
    if let Some(mut reader) = checked(reader, data) {
        while let Some(row) = reader.next_row() {
            if let Err(e) = row {
                check_error(&e, data);
                break;
            }
        }
    }
}

/// A mapping file (delimiter, encoding, column and status names).
fn mapping(text: &[u8], data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(text) {
        checked(ExportOptions::from_mapping(text, "mapping.toml"), data);
    }
}

/// A key file, read as every kind of key the CLI asks for.
pub fn key_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    checked(MasterKey::from_key_file(text, "k"), data);
    checked(RunKey::from_key_file(text, "k"), data);
    checked(SealingKey::from_key_file(text, "k"), data);
    checked(SubjectKey::from_key_file(text, "k"), data);
    checked(ConsentRegistryKey::from_key_file(text, "k"), data);
    checked(ConsentRegistryPublicKey::from_key_file(text, "k"), data);
    checked(PlanTeamKey::from_key_file(text, "k"), data);
    checked(PlanTeamPublicKey::from_key_file(text, "k"), data);
}

fn read_all(data: &[u8], kind: FileKind) {
    let Some(mut reader) = checked(FileReader::new(data, kind, "input"), data) else {
        return;
    };
    loop {
        match reader.next_ref() {
            Ok(Some(_)) => {}
            Ok(None) => {
                assert!(
                    reader.digest().is_some(),
                    "the end is reported after the trailer"
                );
                break;
            }
            Err(e) => {
                check_error(&e, data);
                break;
            }
        }
    }
}

/// A publication, read record by record to its verified trailer.
pub fn publication(data: &[u8]) {
    read_all(data, FileKind::Publication);
}

/// One or two publications (the first two bytes, big-endian, give the first one's length; 0 or
/// too long means one) matched with fixed criteria, flag files written: the matcher's refusals
/// and the flag-file pass.
pub fn match_publications(data: &[u8]) {
    let Some((split, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let source = |name: &str, bytes: &[u8]| Input::Bytes {
        name: name.into(),
        bytes: bytes.into(),
    };
    let split = usize::from(u16::from_be_bytes(*split));
    let sources = if split == 0 || split >= rest.len() {
        vec![source("a.pub", rest)]
    } else {
        let (a, b) = rest.split_at(split);
        vec![source("a.pub", a), source("b.pub", b)]
    };
    let catalogue = Catalogue::builtin();
    let criteria = Criteria::parse(CRITERIA, "criteria.toml", catalogue)
        .unwrap_or_else(|e| panic!("fixed criteria: {e}"));
    if let Some(matched) = checked(Match::run(sources, catalogue, &criteria), data) {
        checked(
            matched.write_flag_files(
                &samkoer_core::primitives::signing::PartySigningKey::of_matcher(
                    &samkoer_core::primitives::keys::MatcherKey::from_bytes(
                        municipality(),
                        [7; 32],
                    ),
                ),
                samkoer_core::audit::Head::EMPTY,
                |sector| Ok((Vec::new(), format!("{sector}.flag"))),
            ),
            data,
        );
    }
}

/// A flag file, read to its trailer and then reviewed with the fixed sealing key.
pub fn flag_file(data: &[u8]) {
    read_all(data, FileKind::FlagFile);
    checked(
        samkoer_core::sector::review::review(
            data,
            "input.flag",
            &sealing_key(),
            Catalogue::builtin(),
        ),
        data,
    );
}

/// The first byte picks: selection criteria against the builtin catalogue (0), or a service
/// catalogue (1).
pub fn criteria(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if mode % 2 == 0 {
        checked(
            Criteria::parse(text, "criteria.toml", Catalogue::builtin()),
            data,
        );
    } else {
        checked(Catalogue::parse(text, "catalogue.toml"), data);
    }
}

fn work_list() -> WorkList {
    let cpr = |text| {
        Cpr::parse_undated(text, "test", 1).unwrap_or_else(|_| unreachable!("synthetic CPR"))
    };
    let item = |byte, text| WorkItem {
        candidate: samkoer_core::primitives::ids::CandidateId([byte; 16]),
        cpr: cpr(text),
        services: vec![ReviewedService {
            code: "EMP-CASH-BENEFIT".into(),
            law: String::new(),
            paragraph: String::new(),
            name: String::new(),
            case_ref: String::new(),
            caseworker: String::new(),
            goal: String::new(),
            start: date!(2025 - 01 - 01),
        }],
    };
    WorkList {
        municipality: municipality(),
        run: RunId::new("2026-11").unwrap_or_else(|_| unreachable!("a valid run id")),
        sector: SectorCode::new("employment").unwrap_or_else(|_| unreachable!("a sector code")),
        items: vec![item(1, "0101701234"), item(2, "0202802345")],
    }
}

/// The first byte picks: a verdict file (0), a filled work list (1), or the matcher's result
/// file as the final selection reads what was sent from it (2).
pub fn verdicts(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match mode % 3 {
        0 => {
            checked(VerdictFile::parse(text, "verdicts.json"), data);
        }
        1 => {
            checked(
                VerdictFile::from_work_list_csv(text, "worklist.csv", &work_list()),
                data,
            );
        }
        _ => {
            checked(sent_from_match_report(text, "result.json"), data);
        }
    }
}

/// A consent receipt (parsed and checked with the fixed registry key, against an empty consent
/// state of its own) or a withdrawal.
pub fn consent(data: &[u8]) {
    let key = ConsentRegistryKey::from_bytes(municipality(), [5; 32]);
    let registry = registry_public_key(&key);
    if let Some(receipt) = checked(Receipt::parse(data, "receipt.bin"), data) {
        let sector = SectorCode::new("employment").unwrap_or_else(|_| unreachable!("a sector"));
        let now = datetime!(2026-11-20 12:00 UTC);
        // Its own state is the first the harness has seen (none before it).
        let first = Freshness {
            seen: None,
            ..freshness()
        };
        let state = samkoer_core::consent::state::issue_state(&key, 1, now, &Default::default())
            .and_then(|bytes| ConsentState::parse(&bytes, "state.bin"))
            .and_then(|state| state.check(&registry, &first, "state.bin"))
            .unwrap_or_else(|_| unreachable!("the harness's own state is good"));
        checked(
            receipt.check(&registry, &state, &sector, now, "receipt.bin"),
            data,
        );
        // Verified as the registry's, it is signed by the author it names.
        if receipt.verify(&registry, "receipt.bin").is_ok() {
            assert!(receipt.signed_by_its_author());
        }
    }
    checked(Withdrawal::parse(data, "withdrawal.bin"), data);
}

fn freshness() -> Freshness {
    Freshness {
        now: datetime!(2026-11-20 12:00 UTC),
        max_age: 24 * 3600,
        seen: Some(3),
    }
}

/// A consent state, parsed and checked with the fixed registry key, and looked up.
pub fn consent_state(data: &[u8]) {
    let registry = registry_public_key(&ConsentRegistryKey::from_bytes(municipality(), [5; 32]));
    if let Some(state) = checked(ConsentState::parse(data, "state.bin"), data) {
        assert!(
            state.withdrawals.windows(2).all(|w| w[0].0 < w[1].0),
            "a parsed state is sorted"
        );
        if let Some((id, from)) = state.withdrawals.first().copied() {
            assert_eq!(state.withdrawn_from(&id), Some(from));
        }
        checked(state.check(&registry, &freshness(), "state.bin"), data);
    }
}

/// A disclosure bundle: its header read (signature verified), and opened with the fixed
/// plan-team key as answering the fixed receipt, checked with the fixed employment key.
pub fn disclosure(data: &[u8]) {
    use samkoer_core::consent::disclosure::{Answering, bundle_header, open_disclosure};
    let plan_team = PlanTeamKey::from_bytes(municipality(), [3; 32]);
    let header = checked(bundle_header(data, "bundle"), data);
    let sealing = samkoer_core::SealingKey::from_bytes(
        municipality(),
        SectorCode::new("employment").unwrap_or_else(|_| unreachable!("a sector")),
        [4; 32],
    );
    let sectors = [samkoer_core::primitives::keys::SectorPublicKey::of(
        &sealing,
    )];
    let answering = Answering {
        receipt: &fixed_receipt(),
        sectors: &sectors,
    };
    if checked(
        open_disclosure(data, &plan_team, &answering, "bundle"),
        data,
    )
    .is_some()
    {
        assert!(header.is_some(), "a bundle that opens has a header");
    }
}

/// The receipt the disclosure harness's bundles answer: id `11…`, employment, of the fixed
/// registry key.
fn fixed_receipt() -> Receipt {
    use samkoer_core::consent::receipt::{Consent, issue_with_id};
    let registry = ConsentRegistryKey::from_bytes(municipality(), [5; 32]);
    let subject = samkoer_core::primitives::keys::SubjectKey::from_bytes(municipality(), [6; 32]);
    let cpr = samkoer_core::Cpr::parse_undated("0101901234", "person", 1)
        .unwrap_or_else(|_| unreachable!("a valid CPR"));
    let sectors = [SectorCode::new("employment").unwrap_or_else(|_| unreachable!("a sector"))];
    let consent = Consent {
        cpr: &cpr,
        sectors: &sectors,
        issued_at: datetime!(2026-11-20 12:00 UTC),
        valid_from: datetime!(2026-11-20 12:00 UTC),
        valid_until: datetime!(2027-11-20 12:00 UTC),
    };
    let bytes = issue_with_id(
        &registry,
        &subject,
        &consent,
        samkoer_core::audit::Head::EMPTY,
        [0x11; 16],
    )
    .unwrap_or_else(|_| unreachable!("the harness's own receipt"));
    Receipt::parse(&bytes, "receipt.bin").unwrap_or_else(|_| unreachable!("it parses"))
}

/// An audit log, verified entry by entry.
pub fn audit_log(data: &[u8]) {
    checked(samkoer_core::audit::verify(data, "audit.log", None), data);
}

/// What kind of file any bytes are (the table every reader asks first), checked against every
/// kind asked for; and the walk that finds an array where a JSON object is due, which must
/// name a line inside the text.
pub fn file_kind(data: &[u8]) {
    let found = kind::sniff(data);
    // As evidence of a log (spec §16.3): any kind, its author read once its signature verifies.
    checked(
        samkoer_core::flow::evidence::author_of(&samkoer_core::files::Input::bytes(
            "file",
            data.to_vec(),
        )),
        data,
    );
    let asked = [
        Kind::Publication,
        Kind::FlagFile,
        Kind::Receipt,
        Kind::Withdrawal,
        Kind::Bundle,
        Kind::KeyFile(None),
        Kind::MatchResult,
        Kind::Verdicts,
        Kind::CheckRequest,
        Kind::CheckAnswer,
        Kind::AuditLog,
        Kind::Criteria,
        Kind::Catalogue,
        Kind::Mapping,
        Kind::WorkList,
        Kind::Export,
    ];
    for expected in asked {
        match kind::expect(data, expected, "file") {
            Ok(()) => {}
            Err(error) => {
                // Refused only when the bytes are recognisably of another kind.
                assert!(found.is_some_and(|found| found != expected), "{error}");
                check_error(&error, data);
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        const SHAPE: Shape = Shape::Object(&[
            ("run", Shape::Object(&[])),
            ("verdicts", Shape::ArrayOf(&Shape::Object(&[]))),
        ]);
        if let Some(line) = array_for_object(text, &SHAPE) {
            assert!(line >= 1 && line <= 1 + text.matches('\n').count() as u64);
        }
    }
}

/// A one-citizen check's request (0) or answer (1), as the matcher and the sector read them.
pub fn check_files(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if mode % 2 == 0 {
        checked(CheckRequest::parse(text, "request.json"), data);
    } else {
        checked(CheckReply::parse(text, "answer.json"), data);
    }
}

/// A match's check index, opened as the matcher opens it, then asked about pseudonyms for
/// every sector it names and one it may not: the first and last possible pseudonyms and the
/// input's last 32-byte pieces (where the fence of first pseudonyms lies, so lookups reach
/// the blocks).
pub fn check_index(data: &[u8]) {
    let Some(mut index) = checked(
        CheckIndex::open(Cursor::new(data), data.len() as u64, "check-index"),
        data,
    ) else {
        return;
    };
    let mut sectors: Vec<SectorCode> = index
        .header()
        .sectors
        .iter()
        .map(|(sector, _)| sector.clone())
        .collect();
    sectors.push(sealing_key().sector().clone());
    let mut pseudonyms = vec![Pseudonym([0; 32]), Pseudonym([0xff; 32])];
    pseudonyms.extend(
        data.rchunks_exact(32)
            .take(4)
            .map(|piece| Pseudonym(piece.try_into().unwrap_or([0; 32]))),
    );
    for sector in &sectors {
        assert_eq!(
            index.signer(sector).is_some(),
            index.header().sectors.iter().any(|(s, _)| s == sector)
        );
        for pseudonym in &pseudonyms {
            checked(index.answer(sector, pseudonym), data);
        }
    }
}

/// A person file (the citizen check's CPR numbers, one per line; or the one CPR number of a
/// consent), read as the sector reads it: every number it gives was checked where it stands.
pub fn person_file(data: &[u8]) {
    let input = Input::bytes("persons.txt", data.to_vec());
    let reference = date!(2026 - 11 - 01);
    if let Some(numbers) = checked(Cpr::read_list(&input, reference), data) {
        let lines = 1 + data.iter().filter(|&&b| b == b'\n').count() as u64;
        assert!(numbers.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(numbers.iter().all(|(line, _)| (1..=lines).contains(line)));
    }
    checked(Cpr::read(&input, reference), data);
}
