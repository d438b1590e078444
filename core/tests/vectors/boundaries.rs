//! `boundaries.json`: every limit the spec names, with a case on each side of it, so that
//! another implementation is held to the same edges. The limits of criteria (§11), of the
//! suppression threshold (§12.7) and of the consent state's times (§14.4) are in
//! `criteria.json`, `statistics.json` and `consent_state.json`.

use samkoer_core::formats::check::CheckRequest;
use samkoer_core::sector::publish::PublishLimits;

use super::*;

/// One limit: its name, the spec section, the kind of case (which says how to read a case),
/// and the cases, each with its outcome.
fn limit(name: &str, section: &str, kind: &str, cases: Vec<Value>) -> Value {
    json!({ "limit": name, "section": section, "kind": kind, "cases": cases })
}

pub(super) fn vectors() -> Value {
    json!({
        "description": "Each limit of the spec with a case on each side of it (spec §17). The limits of criteria (§11) are in criteria.json, of the suppression threshold (§12.7) in statistics.json, of the consent state's times (§14.4) in consent_state.json.",
        "limits": [
            age_band_edges(),
            reference_date_edge(),
            century_edges(),
            identifier_edges(),
            envelope_edges(),
            header_edges(),
            record_edges(),
            export_edges(),
            rejected_limit_edges(),
            check_request_edges(),
            receipt_issue_edges(),
            receipt_check_edges(),
            receipt_parse_edges(),
            bundle_length_edges(),
            catalogue_edges(),
            unknown_status_edges(),
        ],
    })
}

// ---------------------------------------------------------------------------------------------
// §3 CPR numbers.

fn cpr_case(cpr: &str, on: Date) -> Value {
    match Cpr::parse(cpr, on, "test", 1) {
        Ok(parsed) => json!({
            "cpr": cpr, "reference_date": on.to_string(),
            "birth_date": parsed.birth_date().to_string(),
            "age_band": parsed.age_band(on).name(),
        }),
        Err(error) => {
            json!({ "cpr": cpr, "reference_date": on.to_string(), "expect": error.class() })
        }
    }
}

/// The day before and the day of the birthdays at which a band ends (6, 18, 30, 50, 67), and a
/// child born on 29 February turning 18 in a year without one.
fn age_band_edges() -> Value {
    let on = date!(2026 - 11 - 15);
    let mut cases = Vec::new();
    for (age, century_digit) in [(6, 4), (18, 4), (30, 1), (50, 1), (67, 1)] {
        let yy = (2026 - age) % 100;
        cases.push(cpr_case(&format!("1611{yy:02}{century_digit}234"), on));
        cases.push(cpr_case(&format!("1511{yy:02}{century_digit}234"), on));
    }
    cases.push(cpr_case("2902084234", date!(2026 - 02 - 28)));
    cases.push(cpr_case("2902084234", date!(2026 - 03 - 01)));
    limit(
        "age bands end on a birthday: 5/6, 17/18, 29/30, 49/50, 66/67 completed years; born 29 February, one year older on 1 March",
        "§3.3",
        "cpr",
        cases,
    )
}

fn reference_date_edge() -> Value {
    let on = date!(2026 - 11 - 15);
    limit(
        "born on the reference date is accepted, the day after is not",
        "§3.1",
        "cpr",
        vec![cpr_case("1511264234", on), cpr_case("1611264234", on)],
    )
}

fn century_edges() -> Value {
    let on = date!(2099 - 12 - 31);
    let cases = [
        "0101363234",
        "0101364234",
        "0101374234",
        "0101579234",
        "0101584234",
        "0101575234",
        "0101585234",
        "0101998234",
    ]
    .iter()
    .map(|cpr| cpr_case(cpr, on))
    .collect();
    limit(
        "the century of YY 36/37 and 57/58 by the seventh digit",
        "§3.2",
        "cpr",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// §2.2 identifiers.

fn identifier_edges() -> Value {
    let mut cases = Vec::new();
    for text in ["099", "100", "999", "1000"] {
        cases.push(json!({ "identifier": "municipality", "text": text, "expect": class(MunicipalityCode::parse(text)) }));
    }
    for text in [String::new(), "r".repeat(64), "r".repeat(65)] {
        cases
            .push(json!({ "identifier": "run", "text": text, "expect": class(RunId::new(&text)) }));
    }
    for text in [String::new(), "s".repeat(32), "s".repeat(33)] {
        cases.push(json!({ "identifier": "sector", "text": text, "expect": class(SectorCode::new(&text)) }));
    }
    limit(
        "municipality 100–999 in three digits, run id 1–64 bytes, sector code 1–32 bytes",
        "§2.2",
        "identifier",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// §6 envelopes: text fields of at most 4096 bytes, starts from 1800 to 9999, service codes of
// 2 to 24 bytes. A field of 2048 two-byte characters is 4096 bytes: the limit is in bytes.

fn envelope_edges() -> Value {
    let key = sealing("adult-social", 200);
    let envelope_key = EnvelopeKey::derive(&key, &run());
    let pseudonym = Pseudonymiser::new(&master().derive_run_key(&run(), REFERENCE))
        .pseudonym(&Cpr::parse_undated("0101901234", "test", 1).unwrap());
    let at_limit = "æ".repeat(2048);
    let past_limit = format!("{at_limit}a");
    let fields = |case_ref: &str, caseworker: &str, goal: &str, start: Date| {
        (
            "ADS-SOCIO-PED".to_owned(),
            content("0101901234", case_ref, caseworker, goal, start),
        )
    };
    let mut inputs = vec![
        fields(&at_limit, &at_limit, &at_limit, date!(2025 - 03 - 14)),
        fields(&past_limit, "", "", date!(2025 - 03 - 14)),
        fields("", &past_limit, "", date!(2025 - 03 - 14)),
        fields("", "", &past_limit, date!(2025 - 03 - 14)),
        fields("", "", "", date!(1800 - 01 - 01)),
        fields("", "", "", date!(1799 - 12 - 31)),
        fields("", "", "", date!(9999 - 12 - 31)),
    ];
    for service in [
        "AB",
        "A2345678901234567890BCDE",
        "A",
        "A2345678901234567890BCDEF",
    ] {
        inputs.push((
            service.to_owned(),
            content("0101901234", "", "", "", date!(2025 - 03 - 14)),
        ));
    }
    let cases: Vec<Value> = inputs
        .into_iter()
        .enumerate()
        .map(|(i, (service, content))| {
            let nonce = [i as u8 + 1; 12];
            let sealed = envelope_key.seal_with_nonce(&service, &pseudonym, &content, nonce);
            let expect = match &sealed {
                Ok(_) => "ok",
                Err(error) => error.class(),
            };
            let mut case = json!({
                "service": service, "nonce": hex::encode(nonce),
                "content": {
                    "cpr": "0101901234", "case_ref": content.case_ref, "caseworker": content.caseworker,
                    "goal": content.goal, "start": content.start.to_string(),
                },
                "expect": expect,
            });
            if let Ok(envelope) = sealed {
                case["envelope"] = hex::encode(envelope).into();
            }
            case
        })
        .collect();
    json!({
        "limit": "envelope text fields of at most 4096 bytes, starts in 1800–9999, service codes of 2–24 bytes",
        "section": "§6.3", "kind": "envelope",
        "municipality": 219, "run": "2026-11", "sector": "adult-social",
        "sealing_key": hex::encode(key.expose_secret()), "pseudonym": pseudonym.to_string(),
        "cases": cases,
    })
}

// ---------------------------------------------------------------------------------------------
// §7.1–7.2 what a writer refuses in a header and in a service record.

fn header_edges() -> Value {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let key = sealing("employment", 9);
    let signing = PartySigningKey::of(&key);
    let header = |version: usize, reference_date: Date| FileHeader {
        catalogue_version: "v".repeat(version),
        reference_date,
        ..vector_header(&run_key, &key)
    };
    let cases = [
        (0, REFERENCE),
        (1, REFERENCE),
        (255, REFERENCE),
        (256, REFERENCE),
        (6, date!(1799 - 12 - 31)),
        (6, date!(1800 - 01 - 01)),
        (6, date!(9999 - 12 - 31)),
    ]
    .into_iter()
    .map(|(version, reference_date)| {
        let written = FileWriter::new(
            Vec::new(),
            FileKind::Publication,
            "out.pub",
            &header(version, reference_date),
            &signing,
        );
        json!({
            "catalogue_version_length": version, "reference_date": reference_date.to_string(),
            "expect": class(written),
        })
    })
    .collect();
    limit(
        "a header's catalogue version of 1–255 bytes, a reference year 1800–9999",
        "§7.1",
        "publication-header",
        cases,
    )
}

fn record_edges() -> Value {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let key = sealing("employment", 9);
    let signing = PartySigningKey::of(&key);
    let record = |service: &str, year: u16, month: u8, envelope: usize| ServiceRecord {
        pseudonym: Pseudonym([0x11; 32]),
        service: service.into(),
        start: YearMonth { year, month },
        age_band: AgeBand::Adult30To49,
        major_change: false,
        envelope: vec![1; envelope],
    };
    let cases = [
        ("EMP-MENTOR", 2025, 1, 92),
        ("EMP-MENTOR", 2025, 1, 93),
        ("EMP-MENTOR", 2025, 1, 65_535),
        ("EMP-MENTOR", 2025, 1, 65_536),
        ("EMP-MENTOR", 1799, 12, 93),
        ("EMP-MENTOR", 1800, 1, 93),
        ("EMP-MENTOR", 9999, 12, 93),
        ("EMP-MENTOR", 10_000, 1, 93),
        ("EMP-MENTOR", 2025, 0, 93),
        ("EMP-MENTOR", 2025, 12, 93),
        ("EMP-MENTOR", 2025, 13, 93),
        ("E", 2025, 1, 93),
        ("EM", 2025, 1, 93),
        ("E2345678901234567890BCDE", 2025, 1, 93),
        ("E2345678901234567890BCDEF", 2025, 1, 93),
    ]
    .into_iter()
    .map(|(service, year, month, envelope)| {
        let mut writer = FileWriter::new(
            Vec::new(),
            FileKind::Publication,
            "out.pub",
            &vector_header(&run_key, &key),
            &signing,
        )
        .unwrap();
        let written = writer.write_service(&record(service, year, month, envelope));
        json!({
            "service": service, "start_year": year, "start_month": month,
            "envelope_length": envelope, "expect": class(written),
        })
    })
    .collect();
    limit(
        "a service record's code of 2–24 bytes, start year 1800–9999 and month 1–12, envelope of 93–65 535 bytes",
        "§7.2",
        "publication-record",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// §8 exports: text fields of at most 4096 bytes, the reference date's edges for start and end,
// relations only of a child under 18, and the share of rejected rows.

fn accounting(published: &samkoer_core::sector::publish::Accounting) -> Value {
    json!({
        "rows": published.rows, "published": published.published, "excluded": published.excluded,
        "rejected": published.rejected, "excluded_by_rule": published.excluded_by_rule,
        "rejected_lines": published.rejected_lines.iter().map(|r| json!([r.line, r.rule])).collect::<Vec<_>>(),
    })
}

fn export_edges() -> Value {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let key = sealing("employment", 9);
    let at_limit = "ø".repeat(2048);
    let past_limit = format!("{at_limit}x");
    let mut export = String::from("cpr;service;status;start;end;caseworker;case_ref;goal\n");
    let rows = [
        (
            "2025-01-15",
            "",
            at_limit.as_str(),
            at_limit.as_str(),
            at_limit.as_str(),
        ),
        ("2025-01-15", "", past_limit.as_str(), "", ""),
        ("2025-01-15", "", "", past_limit.as_str(), ""),
        ("2025-01-15", "", "", "", past_limit.as_str()),
        ("2026-11-01", "", "", "", ""),
        ("2026-11-02", "", "", "", ""),
        ("2025-01-15", "2026-11-01", "", "", ""),
        ("2025-01-15", "2026-10-31", "", "", ""),
        ("1800-01-01", "", "", "", ""),
        ("1799-12-31", "", "", "", ""),
    ];
    for (start, end, caseworker, case_ref, goal) in rows {
        export.push_str(&format!(
            "0101901234;EMP-MENTOR;active;{start};{end};{caseworker};{case_ref};{goal}\n"
        ));
    }
    // The children: 18 the day after the reference date (17), and 18 on it.
    let relations = "child_cpr;parent_cpr\n0211084234;0101901234\n0111084234;0101901234\n";
    let options = ExportOptions::default();
    let publisher = Publisher::new(&run_key, &key, Catalogue::builtin(), &options).unwrap();
    let published = publisher
        .publish(
            Cursor::new(export.clone().into_bytes()),
            "export.csv",
            Some((
                Box::new(Cursor::new(relations.as_bytes().to_vec())),
                "relations.csv",
            )),
            Vec::new(),
            "out.pub",
        )
        .unwrap();
    let report = published.report;
    json!({
        "limit": "export fields of at most 4096 bytes; a start on the reference date published, the day after excluded; an end on it published, the day before excluded; start years from 1800; a relation only of a child under 18",
        "section": "§8.2, §8.4", "kind": "export",
        "municipality": 219, "run": "2026-11", "sector": "employment", "reference_date": REFERENCE.to_string(),
        "catalogue_version": Catalogue::builtin().version,
        "export": export, "relations": relations,
        "export_accounting": accounting(&report.export),
        "relations_accounting": accounting(report.relations.as_ref().unwrap()),
    })
}

/// An export of 100 rows, `rejected` of them with a CPR number that is no date, published
/// against `limit`.
fn rejected_limit_case(rows: usize, rejected: usize, limit: u32) -> Value {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let key = sealing("employment", 9);
    let mut export = String::from("cpr;service;status;start\n");
    for i in 0..rows {
        let day = if i < rejected { 32 } else { 1 + i % 28 };
        export.push_str(&format!(
            "{day:02}0190{i:04};EMP-MENTOR;active;2025-01-15\n"
        ));
    }
    let options = ExportOptions::default();
    let outcome = PublishLimits::new(limit, false).and_then(|limits| {
        let publisher = Publisher::new(&run_key, &key, Catalogue::builtin(), &options)?;
        let published = publisher.publish(
            Cursor::new(export.into_bytes()),
            "export.csv",
            None,
            Vec::new(),
            "out.pub",
        )?;
        limits.check(&published.report.export)
    });
    json!({ "rows": rows, "rejected": rejected, "limit": limit, "expect": class(outcome) })
}

fn rejected_limit_edges() -> Value {
    limit(
        "a publish refuses more rejected rows than the limit's share (5 of 100 pass at 5 %, 6 do not); a limit of 0–100",
        "§8.6",
        "rejected-limit",
        vec![
            rejected_limit_case(100, 5, 5),
            rejected_limit_case(100, 6, 5),
            rejected_limit_case(100, 0, 0),
            rejected_limit_case(100, 1, 0),
            rejected_limit_case(100, 100, 100),
            rejected_limit_case(100, 0, 101),
        ],
    )
}

// ---------------------------------------------------------------------------------------------
// §12.8 the one-citizen check: 1 to 10,000 pseudonyms a request.

fn check_request_edges() -> Value {
    let signing = PartySigningKey::of(&sealing("employment", 9));
    let cases = [0usize, 1, 10_000, 10_001]
        .into_iter()
        .map(|count| {
            let pseudonyms = (0..count as u64)
                .map(|i| Pseudonym(Sha256::digest(i.to_be_bytes()).into()))
                .collect();
            let request = CheckRequest::signed(
                town(),
                run(),
                SectorCode::new("employment").unwrap(),
                pseudonyms,
                &signing,
                "request.json",
            );
            json!({ "count": count, "expect": class(request) })
        })
        .collect();
    limit(
        "a check request of 1–10,000 distinct pseudonyms (here SHA-256 of u64(i) for i from 0)",
        "§12.8",
        "check-request",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// §14.2 receipts: 1 to 64 sectors, a validity that ends after it begins; valid from its first
// second to before its last; withdrawn from a time at or before now.

fn receipt_issue_edges() -> Value {
    let registry = ConsentRegistryKey::from_bytes(town(), key_bytes(60));
    let subject = SubjectKey::from_bytes(town(), key_bytes(90));
    let cpr = Cpr::parse_undated("0101901234", "test", 1).unwrap();
    let sectors: Vec<SectorCode> = (0..65)
        .map(|i| SectorCode::new(&format!("sector-{i}")).unwrap())
        .collect();
    let from = datetime!(2026-11-20 10:00 UTC);
    let cases = [(0, 1), (1, 1), (64, 1), (65, 1), (1, 0)]
        .into_iter()
        .map(|(count, seconds)| {
            let consent = Consent {
                cpr: &cpr,
                sectors: &sectors[..count],
                issued_at: from,
                valid_from: from,
                valid_until: from + time::Duration::seconds(seconds),
            };
            let issued = issue_with_id(
                &registry,
                &subject,
                &consent,
                Head {
                    seq: 7,
                    hash: [0x7e; 32],
                },
                [0xa5; 16],
            );
            json!({
                "sectors": count, "valid_from": from.unix_timestamp(),
                "valid_until": (from + time::Duration::seconds(seconds)).unix_timestamp(),
                "expect": class(issued),
            })
        })
        .collect();
    limit(
        "a receipt of 1–64 sectors whose validity ends after it begins",
        "§14.2",
        "receipt-issue",
        cases,
    )
}

fn receipt_check_edges() -> Value {
    let registry = ConsentRegistryKey::from_bytes(town(), key_bytes(60));
    let public = registry_public_key(&registry);
    let bytes = vector_receipt_bytes();
    let receipt = Receipt::parse(&bytes, "r").unwrap();
    let sector = SectorCode::new("employment").unwrap();
    let (from, until) = (receipt.valid_from as i64, receipt.valid_until as i64);
    let check = |now: i64, withdrawn_from: Option<i64>| {
        let now_time = time::OffsetDateTime::from_unix_timestamp(now).unwrap();
        let list = withdrawn_from
            .map(|at| (receipt.id, at as u64))
            .into_iter()
            .collect();
        let state = issue_state(&registry, 1, now_time, &list).unwrap();
        let freshness = Freshness {
            now: now_time,
            max_age: 0,
            seen: None,
        };
        let fresh = ConsentState::parse(&state, "s")
            .unwrap()
            .check(&public, &freshness, "s")
            .unwrap();
        let outcome = receipt.check(&public, &fresh, &sector, now_time, "r");
        json!({ "now": now, "withdrawn_from": withdrawn_from, "expect": class(outcome) })
    };
    let middle = from + 86_400;
    let cases = vec![
        check(from - 1, None),
        check(from, None),
        check(until - 1, None),
        check(until, None),
        check(middle, Some(middle)),
        check(middle, Some(middle + 1)),
    ];
    json!({
        "limit": "a receipt is valid from its valid-from second to the second before valid until; withdrawn from a time at or before now",
        "section": "§14.2", "kind": "receipt-check",
        "receipt": hex::encode(&bytes), "registry_public": hex::encode(public.expose_secret()),
        "sector": "employment", "cases": cases,
    })
}

/// The receipt of `consent.json` with its sectors and validity replaced (unsigned: parsing
/// checks the layout, not the signature).
fn receipt_with(sectors: &[&str], valid_from: u64, valid_until: u64) -> Vec<u8> {
    let bytes = vector_receipt_bytes();
    let tail = &bytes[bytes.len() - 72 - 64..];
    let mut receipt = bytes[..68].to_vec();
    receipt.extend_from_slice(&valid_from.to_be_bytes());
    receipt.extend_from_slice(&valid_until.to_be_bytes());
    receipt.push(sectors.len() as u8);
    for sector in sectors {
        receipt.push(sector.len() as u8);
        receipt.extend_from_slice(sector.as_bytes());
    }
    receipt.extend_from_slice(tail);
    receipt
}

fn receipt_parse_edges() -> Value {
    let from = 1_795_168_800;
    let cases = [
        (&[][..], from, from + 1),
        (&["employment"][..], from, from + 1),
        (&["employment"][..], from, from),
    ]
    .into_iter()
    .map(|(sectors, valid_from, valid_until)| {
        let bytes = receipt_with(sectors, valid_from, valid_until);
        json!({
            "receipt": hex::encode(&bytes),
            "expect": class(Receipt::parse(&bytes, "r")),
        })
    })
    .collect();
    limit(
        "a receipt read names at least one sector and a validity that ends after it begins",
        "§14.2",
        "receipt-parse",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// §15 a bundle holds at least an encapsulated key, an AEAD tag and a signature after its
// header.

fn bundle_length_edges() -> Value {
    let signing = PartySigningKey::of(&sealing("employment", 9));
    let mut header = b"SAMKODSC".to_vec();
    header.extend_from_slice(&2u16.to_be_bytes());
    header.extend_from_slice(&[0xa5; 16]);
    header.push(10);
    header.extend_from_slice(b"employment");
    header.extend_from_slice(&Author::of(&signing).to_bytes());
    let cases = [32 + 16 + 64 - 1, 32 + 16 + 64]
        .into_iter()
        .map(|after| {
            let mut bundle = header.clone();
            bundle.resize(header.len() + after, 0);
            json!({
                "after_header": after, "bundle": hex::encode(&bundle),
                "expect": class(samkoer_core::consent::disclosure::bundle_header(&bundle, "b")),
            })
        })
        .collect();
    limit(
        "a bundle of at least 32 + 16 + 64 bytes after its header (one fewer is malformed; so many reach the signature check)",
        "§15",
        "bundle-length",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// §9 a catalogue of at most 64 sectors; §8.5 at most 20 unknown statuses kept.

/// A catalogue of `sectors` sectors, one service of the first and one excluded category.
fn catalogue_of(sectors: usize) -> String {
    let mut text = String::from("format = \"samkoer-catalogue\"\nversion = \"test\"\n");
    for i in 0..sectors {
        text.push_str(&format!(
            "[[sector]]\ncode = \"sector-{i}\"\nname = \"Sektor {i}\"\nname_en = \"Sector {i}\"\n"
        ));
    }
    text.push_str("[[service]]\ncode = \"AB\"\nsector = \"sector-0\"\nlaw = \"L\"\nparagraph = \"§ 1\"\nname = \"Ydelse\"\nname_en = \"Service\"\nmajor_change = false\n");
    text.push_str("[[excluded]]\ncode = \"X-AB\"\nname = \"Ydelse\"\nname_en = \"Service\"\nlaw = \"L\"\nparagraph = \"§ 2\"\nreason = \"Ingen\"\n");
    text
}

fn catalogue_edges() -> Value {
    let cases = [1usize, 64, 65]
        .into_iter()
        .map(|sectors| {
            let text = catalogue_of(sectors);
            let (expect, line) = match Catalogue::parse(&text, "catalogue.toml") {
                Ok(_) => ("ok".to_owned(), None),
                Err(Error::Input { rule, line, .. }) => (rule.name().to_owned(), Some(line)),
                Err(other) => panic!("{other:?}"),
            };
            json!({ "sectors": sectors, "catalogue": text, "expect": expect, "line": line })
        })
        .collect();
    limit(
        "a catalogue of at most 64 sectors",
        "§9",
        "catalogue-sectors",
        cases,
    )
}

/// Exports of rows whose statuses are unknown: 20 distinct values are all kept, of 21 the
/// first 20 met (one batch), in byte order.
fn unknown_status_edges() -> Value {
    let run_key = master().derive_run_key(&run(), REFERENCE);
    let key = sealing("employment", 9);
    let options = ExportOptions::default();
    let publisher = Publisher::new(&run_key, &key, Catalogue::builtin(), &options).unwrap();
    let cases = [20usize, 21]
        .into_iter()
        .map(|distinct| {
            let mut export = String::from("cpr;service;status;start\n");
            for i in 0..distinct {
                let status = format!("ukendt {}", char::from(b'z' - i as u8));
                export.push_str(&format!("0101901234;EMP-MENTOR;{status};2025-01-15\n"));
            }
            let published = publisher
                .publish(
                    Cursor::new(export.clone().into_bytes()),
                    "export.csv",
                    None,
                    Vec::new(),
                    "out.pub",
                )
                .unwrap();
            json!({
                "export": export,
                "unknown_statuses": published.report.export.unknown_statuses,
            })
        })
        .collect();
    limit(
        "at most 20 unknown statuses kept in the accounting",
        "§8.5",
        "unknown-statuses",
        cases,
    )
}
