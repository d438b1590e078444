//! End-to-end publishing of a synthetic municipality: accounting, round trip, envelopes, and
//! that no input CPR number appears anywhere in what a sector hands out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::HashSet;
use std::io::Cursor;

use samkoer_core::files::Input;
use samkoer_core::flow::{self, Audit};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::formats::publication::{FileKind, FileReader, Record};
use samkoer_core::primitives::envelope::EnvelopeKey;
use samkoer_core::sector::publish::PublishLimits;
use samkoer_core::sector::publish::{AccountingReport, Publisher};
use samkoer_core::synthetic::municipality::{SynthConfig, synthesise_in_memory};
use samkoer_core::{
    Cpr, Error, MasterKey, MunicipalityCode, Pseudonymiser, RunId, RunKey, SealingKey, SectorCode,
};
use time::Date;
use time::macros::date;

const REFERENCE: Date = date!(2026 - 11 - 01);

struct Municipality {
    exports: Vec<Vec<u8>>,
    relations: Vec<u8>,
    invalid_rows: u64,
    rows: Vec<u64>,
}

fn municipality(people: usize, seed: u64) -> Municipality {
    let catalogue = Catalogue::builtin();
    let config = SynthConfig {
        people,
        seed,
        reference_date: REFERENCE,
        invalid_rate: 0.01,
    };
    let (summary, writers) = synthesise_in_memory(&config, catalogue);
    Municipality {
        exports: writers.exports,
        relations: writers.relations,
        invalid_rows: summary.invalid_rows,
        rows: summary.rows,
    }
}

fn run_key() -> RunKey {
    let master = MasterKey::from_bytes(MunicipalityCode::new(219).unwrap(), [42; 32]);
    master.derive_run_key(&RunId::new("2026-11").unwrap(), REFERENCE)
}

fn sealing_keys() -> Vec<SealingKey> {
    Catalogue::builtin()
        .sectors
        .iter()
        .enumerate()
        .map(|(i, s)| {
            SealingKey::from_bytes(
                MunicipalityCode::new(219).unwrap(),
                s.code.clone(),
                [i as u8 + 1; 32],
            )
        })
        .collect()
}

fn publish(
    run_key: &RunKey,
    sealing: &SealingKey,
    export: &[u8],
    relations: Option<&[u8]>,
) -> Result<(Vec<u8>, AccountingReport), Error> {
    publish_on(run_key, sealing, export, relations, 1)
}

fn publish_on(
    run_key: &RunKey,
    sealing: &SealingKey,
    export: &[u8],
    relations: Option<&[u8]>,
    threads: usize,
) -> Result<(Vec<u8>, AccountingReport), Error> {
    let options = ExportOptions::default();
    let publisher =
        Publisher::new(run_key, sealing, Catalogue::builtin(), &options)?.with_threads(threads);
    let relations = relations.map(|r| {
        (
            Box::new(Cursor::new(r.to_vec())) as Box<dyn std::io::Read>,
            "relations.csv",
        )
    });
    publisher
        .publish(
            Cursor::new(export.to_vec()),
            "export.csv",
            relations,
            Vec::new(),
            "out.pub",
        )
        .map(|published| (published.output, published.report))
}

/// Every valid CPR of a CSV file's lines, normalised (first field of each row).
fn cprs_in(csv: &[u8]) -> Vec<Cpr> {
    let text = String::from_utf8_lossy(csv);
    text.lines()
        .skip(1)
        .flat_map(|line| line.split([';', ',']).take(2).collect::<Vec<_>>())
        .filter_map(|field| Cpr::parse(field, REFERENCE, "test", 1).ok())
        .collect()
}

/// Fails if any input CPR, in either exported form, occurs anywhere in `output`.
fn assert_no_cpr(output: &[u8], cprs: &[Cpr], what: &str) {
    let windows10: HashSet<&[u8]> = output.windows(10).collect();
    let windows11: HashSet<&[u8]> = output.windows(11).collect();
    for cpr in cprs {
        let digits = cpr.expose_digits();
        let hyphenated = [&digits[..6], b"-", &digits[6..]].concat();
        assert!(
            !windows10.contains(&digits[..]),
            "a CPR number appears in {what}"
        );
        assert!(
            !windows11.contains(hyphenated.as_slice()),
            "a hyphenated CPR number appears in {what}"
        );
    }
}

#[test]
fn a_whole_municipality_publishes_with_every_row_accounted_for() {
    let town = municipality(4000, 11);
    let run_key = run_key();
    let keys = sealing_keys();
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let mut total_rejected = 0;
    for (i, sealing) in keys.iter().enumerate() {
        let relations =
            (sealing.sector().as_str() == "children-family").then_some(town.relations.as_slice());
        let (publication, report) =
            publish(&run_key, sealing, &town.exports[i], relations).unwrap();
        let export = &report.export;
        assert!(export.is_balanced(), "{export:?}");
        assert_eq!(export.rows, town.rows[i]);
        assert!(export.published > 0 && export.excluded > 0);
        total_rejected += export.rejected;

        // Read back: the records are exactly the published rows, pseudonyms as computed.
        let input_cprs = cprs_in(&town.exports[i]);
        let expected: HashSet<_> = input_cprs
            .iter()
            .map(|c| pseudonymiser.pseudonym(c))
            .collect();
        let mut reader =
            FileReader::new(publication.as_slice(), FileKind::Publication, "out.pub").unwrap();
        assert_eq!(reader.header().sector, *sealing.sector());
        assert_eq!(reader.header().run_key_fingerprint, run_key.fingerprint());
        let envelope_key = EnvelopeKey::derive(sealing, run_key.run());
        let other_key = EnvelopeKey::derive(&keys[(i + 1) % keys.len()], run_key.run());
        let (mut services, mut relations) = (0, 0);
        while let Some(record) = reader.next_record().unwrap() {
            match record {
                Record::Service(record) => {
                    services += 1;
                    assert!(expected.contains(&record.pseudonym));
                    let opened = envelope_key
                        .open(&record.service, &record.pseudonym, &record.envelope)
                        .unwrap();
                    assert_eq!(pseudonymiser.pseudonym(&opened.cpr), record.pseudonym);
                    assert!(
                        other_key
                            .open(&record.service, &record.pseudonym, &record.envelope)
                            .is_err()
                    );
                }
                Record::Relation(_) => relations += 1,
                Record::Flag(_) => panic!("a publication holds no flag records"),
            }
        }
        assert_eq!(services, export.published);
        if let Some(accounting) = &report.relations {
            assert!(accounting.is_balanced());
            // The relations' accounting names its own file, as the caller named it.
            assert_eq!(accounting.file, "relations.csv");
            assert_eq!(relations, accounting.published);
            assert!(
                accounting.excluded == 0,
                "synthetic children are all minors"
            );
        }

        // Nothing a sector hands out holds a CPR number.
        let relation_cprs = cprs_in(&town.relations);
        assert_no_cpr(&publication, &input_cprs, "a publication");
        assert_no_cpr(&publication, &relation_cprs, "a publication");
        assert_no_cpr(
            report.to_json().as_bytes(),
            &input_cprs,
            "an accounting report",
        );
    }
    assert_eq!(
        total_rejected, town.invalid_rows,
        "exactly the deliberately invalid rows are rejected"
    );
}

/// A publication's records with each envelope opened: what it says, apart from the nonces.
fn opened_records(publication: &[u8], sealing: &SealingKey) -> Vec<String> {
    let key = EnvelopeKey::derive(sealing, &RunId::new("2026-11").unwrap());
    let mut reader = FileReader::new(publication, FileKind::Publication, "p").unwrap();
    let mut records = Vec::new();
    while let Some(record) = reader.next_record().unwrap() {
        records.push(match record {
            Record::Service(s) => {
                let content = key.open(&s.service, &s.pseudonym, &s.envelope).unwrap();
                format!(
                    "{} {} {:?} {:?} {} {} {} {} {}",
                    s.pseudonym,
                    s.service,
                    s.start,
                    s.age_band,
                    s.major_change,
                    content.case_ref,
                    content.caseworker,
                    content.goal,
                    content.start,
                )
            }
            Record::Relation(r) => format!("{} {}", r.child, r.parent),
            Record::Flag(_) => panic!("a flag record in a publication"),
        });
    }
    records
}

#[test]
fn several_workers_publish_what_one_thread_does() {
    let town = municipality(30_000, 9);
    let run_key = run_key();
    let keys = sealing_keys();
    // The largest export, cut into many batches, with its invalid rows.
    let (i, export) = town
        .exports
        .iter()
        .enumerate()
        .max_by_key(|(_, e)| e.len())
        .unwrap();
    let (one, one_report) = publish_on(&run_key, &keys[i], export, None, 1).unwrap();
    // Batches are 2,048 rows: enough rows that every worker gets several, in turn.
    assert!(one_report.export.rows > 4 * 2048);
    for threads in [2, 3] {
        let (many, many_report) = publish_on(&run_key, &keys[i], export, None, threads).unwrap();
        assert_eq!(many_report.export, one_report.export, "{threads} workers");
        assert!(many_report.export.rejected > 0 && many_report.export.excluded > 0);
        assert_eq!(
            opened_records(&many, &keys[i]),
            opened_records(&one, &keys[i])
        );
        // Fresh nonces: the envelopes themselves differ.
        assert_ne!(many, one);
    }
}

#[test]
fn keys_of_different_municipalities_are_refused_together() {
    let run_key = run_key();
    let sealing = SealingKey::from_bytes(
        MunicipalityCode::new(217).unwrap(),
        sector("employment"),
        [1; 32],
    );
    let options = ExportOptions::default();
    let error = Publisher::new(&run_key, &sealing, Catalogue::builtin(), &options).unwrap_err();
    assert_eq!(error.class(), "key-mismatch");
    let unknown = SealingKey::from_bytes(
        MunicipalityCode::new(219).unwrap(),
        sector("police"),
        [1; 32],
    );
    let error = Publisher::new(&run_key, &unknown, Catalogue::builtin(), &options).unwrap_err();
    assert_eq!(error.class(), "sector-code");
}

#[test]
fn a_file_level_fault_writes_nothing_that_looks_finished() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    std::fs::write(
        &export,
        "cpr;service;status\n0101901234;EMP-MENTOR;active\n",
    )
    .unwrap();
    let out = dir.path().join("employment.pub");
    let run_key = run_key();
    let keys = sealing_keys();
    let options = ExportOptions::default();
    let publish = |export: &std::path::Path| {
        let step = flow::sector::Publish {
            run_key: &run_key,
            sealing_key: &keys[0],
            catalogue: Catalogue::builtin(),
            options: &options,
            export: Input::path(export),
            relations: None,
            threads: None,
            progress: None,
            limits: PublishLimits::default(),
        };
        flow::sector::publish(
            &step,
            &flow::sector::PublishTo::beside(&out),
            &Audit::none(),
        )
    };
    let missing = dir.path().join("no-such-export.csv");
    let error = publish(&missing).unwrap_err();
    assert_eq!(error.class(), "io");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing created for a missing input"
    );
    let error = publish(&export).unwrap_err();
    assert_eq!(error.class(), "column-missing");
    assert!(error.to_string().contains("export.csv, line 1"));
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no partial file is left"
    );

    std::fs::write(
        &export,
        "cpr;service;status;start\n0101901234;EMP-MENTOR;active;2025-01-01\n",
    )
    .unwrap();
    let report = publish(&export).unwrap().summary;
    assert_eq!(report.export.published, 1);
    let bytes = std::fs::read(&out).unwrap();
    let mut reader =
        FileReader::new(bytes.as_slice(), FileKind::Publication, "employment.pub").unwrap();
    while reader.next_record().unwrap().is_some() {}
}

fn sector(code: &str) -> SectorCode {
    SectorCode::new(code).unwrap()
}

/// An export of `good` valid active rows and `bad` rows with a CPR number of letters, the bad
/// ones given `status` as their status.
fn export_of(good: usize, bad: usize, status: &str) -> String {
    let mut text = String::from("cpr;service;status;start\n");
    for _ in 0..good {
        text.push_str("0101901234;EMP-MENTOR;active;2025-01-01\n");
    }
    for _ in 0..bad {
        text.push_str(&format!("01019O1234;EMP-MENTOR;{status};2025-01-01\n"));
    }
    text
}

/// Publishes `export` through the step with `limits`, into `dir`, logging to `dir/audit.log`.
fn publish_limited(
    dir: &std::path::Path,
    export: &str,
    limits: PublishLimits,
) -> samkoer_core::Result<samkoer_core::sector::publish::AccountingReport> {
    let (run_key, keys) = (run_key(), sealing_keys());
    let step = flow::sector::Publish {
        run_key: &run_key,
        sealing_key: &keys[0],
        catalogue: Catalogue::builtin(),
        options: &ExportOptions::default(),
        export: Input::bytes("export.csv", export.as_bytes().to_vec()),
        relations: None,
        threads: Some(2),
        progress: None,
        limits,
    };
    let to = flow::sector::PublishTo::beside(&dir.join("out.pub"));
    flow::sector::publish(&step, &to, &Audit::file(dir.join("audit.log"))).map(|c| c.summary)
}

#[test]
fn a_publish_that_would_reject_more_than_its_limit_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // 5 of 100 rows is the default limit exactly: published.
    let report = publish_limited(
        dir.path(),
        &export_of(95, 5, "active"),
        PublishLimits::default(),
    );
    assert_eq!(report.unwrap().export.rejected, 5);
    std::fs::remove_file(dir.path().join("out.pub")).unwrap();
    std::fs::remove_file(dir.path().join("out.pub.accounting.json")).unwrap();
    // 6 of 100 is over it: refused, with the counts and the rule, and nothing written.
    let error = publish_limited(
        dir.path(),
        &export_of(94, 6, "active"),
        PublishLimits::default(),
    )
    .unwrap_err();
    assert_eq!((error.class(), error.code()), ("rejected-limit", 216));
    let message = error.to_string();
    assert!(
        message.contains(
            "100 rows: 94 published, 0 excluded, 6 rejected (6 %, more than the limit of 5 %)"
        ) && message.contains("most often: cpr-characters 6"),
        "{message}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        left,
        ["audit.log"],
        "only the log, which records the refusal"
    );
    let log = std::fs::read_to_string(dir.path().join("audit.log")).unwrap();
    assert!(
        log.lines()
            .last()
            .unwrap()
            .contains("\"outcome\":\"rejected-limit\""),
        "{log}"
    );
    // Limit 0 refuses a single rejected row and publishes none rejected; 100 never refuses.
    let none = PublishLimits::new(0, false).unwrap();
    assert!(publish_limited(dir.path(), &export_of(99, 1, "active"), none).is_err());
    assert!(publish_limited(dir.path(), &export_of(3, 0, "active"), none).is_ok());
    let all = PublishLimits::new(100, false).unwrap();
    let other = tempfile::tempdir().unwrap();
    assert!(publish_limited(other.path(), &export_of(0, 4, "active"), all).is_ok());
    // A limit is a percentage.
    assert!(PublishLimits::new(100, false).is_ok());
    let error = PublishLimits::new(101, false).unwrap_err();
    assert_eq!(error.class(), "limit-given");
}

#[test]
fn unknown_statuses_are_shown_with_the_mapping_lines_to_add_but_never_with_digits() {
    let dir = tempfile::tempdir().unwrap();
    let mut export = export_of(0, 3, "Bevilget");
    // Rows whose CPR number is good but whose status is not understood.
    export.push_str("0101901234;EMP-MENTOR;Afsluttet;2025-01-01\n");
    export.push_str("0101901234;EMP-MENTOR;sag 0101901234;2025-01-01\n");
    let error = publish_limited(dir.path(), &export, PublishLimits::default()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("status values not understood: \"Afsluttet\" 1"),
        "{message}"
    );
    assert!(
        message.contains("[statuses]\n\"Afsluttet\" = \"active\""),
        "{message}"
    );
    assert!(
        !message.contains("0101901234") && !message.contains("sag"),
        "{message}"
    );
    // The bad CPR rows are rejected for their CPR number first: their status is not looked at.
    assert!(!message.contains("Bevilget"), "{message}");
}

#[test]
fn an_export_all_excluded_by_one_rule_fails_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let ended = "cpr;service;status;start\n0101901234;EMP-MENTOR;ended;2025-01-01\n0202024321;EMP-MENTOR;ended;2025-01-01\n";
    let error = publish_limited(dir.path(), ended, PublishLimits::default()).unwrap_err();
    assert_eq!(error.class(), "all-excluded");
    assert!(
        error.to_string().contains("most often: status-ended 2"),
        "{error}"
    );
    assert!(!dir.path().join("out.pub").exists());
    let report = publish_limited(dir.path(), ended, PublishLimits::new(5, true).unwrap()).unwrap();
    assert_eq!(report.export.excluded, 2);
    // Excluded by two rules, or with one row published, it is an ordinary export.
    let other = tempfile::tempdir().unwrap();
    let two = format!("{ended}0101901234;X-TRANSPORT;active;2025-01-01\n");
    assert!(publish_limited(other.path(), &two, PublishLimits::default()).is_ok());
}

#[test]
fn the_report_keeps_twenty_status_values_of_up_to_forty_characters() {
    let dir = tempfile::tempdir().unwrap();
    let mut export = String::from("cpr;service;status;start\n");
    let mut row = |status: &str| {
        export.push_str(&format!("0101901234;EMP-MENTOR;{status};2025-01-01\n"));
    };
    // 21 distinct values, the first one twice: 20 are kept, the first counted twice.
    let letters: Vec<String> = ('a'..='u').map(|c| format!("status {c}")).collect();
    row(&letters[0]);
    for value in &letters {
        row(value);
    }
    // 40 characters are shown, 41 are not; nor a value with a digit.
    row(&"x".repeat(40));
    row(&"y".repeat(41));
    row("sag 7");
    let report = publish_limited(dir.path(), &export, PublishLimits::new(100, false).unwrap())
        .unwrap()
        .export;
    let kept = &report.unknown_statuses;
    assert_eq!(kept.len(), 20, "{kept:?}");
    assert_eq!(kept.get("status a"), Some(&2));
    assert!(!kept.contains_key("status u") && !kept.contains_key(&"x".repeat(40)));
    let dir = tempfile::tempdir().unwrap();
    let two = "cpr;service;status;start\n0101901234;EMP-MENTOR;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;2025-01-01\n0101901234;EMP-MENTOR;yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy;2025-01-01\n0101901234;EMP-MENTOR;sag 7;2025-01-01\n";
    let report = publish_limited(dir.path(), two, PublishLimits::new(100, false).unwrap())
        .unwrap()
        .export;
    let kept: Vec<&String> = report.unknown_statuses.keys().collect();
    assert_eq!(kept, [&"x".repeat(40)]);
}

/// A writer that takes `room` bytes and then fails as a full disk does (`ENOSPC`).
struct FullDisk {
    room: usize,
}

impl std::io::Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            // ENOSPC on Linux and the BSDs, as the operating system reports it.
            return Err(std::io::Error::from_raw_os_error(28));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
#[cfg(unix)]
fn a_full_disk_is_named_as_such_with_what_to_do() {
    let town = municipality(300, 5);
    let (run_key, keys, options) = (run_key(), sealing_keys(), ExportOptions::default());
    let publisher = Publisher::new(&run_key, &keys[0], Catalogue::builtin(), &options).unwrap();
    for room in [0, 100, 5000] {
        let error = publisher
            .publish(
                Cursor::new(town.exports[0].clone()),
                "export.csv",
                None,
                FullDisk { room },
                "out.pub",
            )
            .err()
            .expect("a full disk fails the publish");
        assert_eq!(error.class(), "io", "{error}");
        assert!(error.to_string().starts_with("out.pub: "), "{error}");
        assert!(
            error.remedy().starts_with("the disk is full"),
            "{}",
            error.remedy()
        );
    }
}
