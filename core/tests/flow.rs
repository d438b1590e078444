//! The whole flow on a synthetic municipality — exports, publish, match, review, verdicts,
//! selection, consent, disclosure — with every step in the audit log, checked against a
//! plaintext reference of what each consented sector holds for the person.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use common::{REFERENCE, criteria, sources, town};
use samkoer_core::audit::{AuditLog, Head, Step, verify};
use samkoer_core::central::matcher::Match;
use samkoer_core::central::selection::select;
use samkoer_core::consent::disclosure::{Discloser, open_disclosure, plan_team_public_key};
use samkoer_core::consent::receipt::{
    Consent, Receipt, Withdrawal, issue, registry_public_key, withdraw,
};
use samkoer_core::formats::catalogue::{Catalogue, Category};
use samkoer_core::formats::export::{ExportOptions, parse_date};
use samkoer_core::formats::verdicts::VerdictFile;
use samkoer_core::primitives::keys::{ConsentRegistryKey, PlanTeamKey, SubjectKey};
use samkoer_core::sector::review::review;
use samkoer_core::synthetic::municipality::delimiter_of;
use samkoer_core::{Cpr, MunicipalityCode, Pseudonymiser, SectorCode};
use time::macros::datetime;

fn step(log: &mut AuditLog, text: &mut String, party: &str, action: &str, counts: &[(&str, u64)]) {
    let counts = counts.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let step = Step {
        time: "2026-11-01T12:00:00Z".into(),
        party: party.into(),
        action: action.into(),
        run: Some("2026-11".into()),
        counts,
    };
    text.push_str(&log.append(step).unwrap());
}

/// Reference: the person's ongoing services of the catalogue's sector in a sector's export.
fn ongoing_in_export(
    export: &[u8],
    sector: usize,
    digits: &str,
) -> BTreeSet<(String, String, String)> {
    let catalogue = Catalogue::builtin();
    let mut found = BTreeSet::new();
    for line in String::from_utf8(export.to_vec()).unwrap().lines().skip(1) {
        let f: Vec<&str> = line.split(delimiter_of(sector)).collect();
        let Ok(cpr) = Cpr::parse(f[0], REFERENCE, "test", 1) else {
            continue;
        };
        if cpr.expose_digits() != digits.as_bytes() || !f[2].eq_ignore_ascii_case("active") {
            continue;
        }
        let (Ok(start), end) = (parse_date(f[3]), f[4]) else {
            continue;
        };
        let ongoing_end =
            end.is_empty() || parse_date(end).is_ok_and(|e| e >= REFERENCE && e >= start);
        let Some(Category::Allowed(service)) = catalogue.lookup(f[1]) else {
            continue;
        };
        if service.sector == catalogue.sectors[sector].code && start <= REFERENCE && ongoing_end {
            found.insert((f[1].to_owned(), f[6].to_owned(), start.to_string()));
        }
    }
    found
}

#[test]
fn from_exports_to_disclosure() {
    let catalogue = Catalogue::builtin();
    let municipality = MunicipalityCode::new(219).unwrap();
    let town = town(3000, 31, "2026-11");
    let (mut log, mut text) = (AuditLog::continuing(Head::EMPTY), String::new());
    for key in &town.sealing {
        step(
            &mut log,
            &mut text,
            &format!("sector:{}", key.sector()),
            "publish",
            &[("publications", 1)],
        );
    }

    // Match, flag, review, verdicts (every caseworker finds every candidate suitable), select.
    let matched = Match::run(sources(&town.publications), catalogue, &criteria()).unwrap();
    step(
        &mut log,
        &mut text,
        "matcher",
        "match",
        &[("candidates", matched.candidates().len() as u64)],
    );
    let flags = matched
        .write_flag_files(|sector| Ok((Vec::new(), format!("{sector}.flag"))))
        .unwrap();
    let mut files = Vec::new();
    for (flag, key) in flags.iter().zip(&town.sealing) {
        let list = review(flag.writer.as_slice(), "f", key, catalogue).unwrap();
        step(
            &mut log,
            &mut text,
            &format!("sector:{}", key.sector()),
            "review",
            &[("citizens", list.items.len() as u64)],
        );
        let mut verdicts =
            VerdictFile::from_work_list_csv("candidate,verdict,from\n", "v.csv", &list).unwrap();
        for candidate in list.candidates() {
            verdicts.verdicts.insert(
                candidate,
                samkoer_core::formats::verdicts::Verdict::Suitable,
            );
        }
        step(
            &mut log,
            &mut text,
            &format!("sector:{}", key.sector()),
            "verdict",
            &[("verdicts", verdicts.verdicts.len() as u64)],
        );
        files.push((
            format!("{}.json", key.sector()),
            VerdictFile::parse(&verdicts.to_json(), "v.json").unwrap(),
        ));
    }
    let sent = matched.sent();
    let selection = select(municipality, &matched.run.run, &sent, &files).unwrap();
    step(
        &mut log,
        &mut text,
        "matcher",
        "select",
        &[("selected", selection.selected.len() as u64)],
    );
    assert_eq!(
        selection.selected.len(),
        sent.len(),
        "everyone found suitable by everyone is selected"
    );

    // A selected person candidate in at least two sectors: find their CPR.
    let pseudonymiser = Pseudonymiser::new(&town.run_key);
    let members = matched.candidate_pseudonyms();
    let index: BTreeMap<_, _> = matched
        .candidates()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    let chosen = selection
        .selected
        .iter()
        .find(|s| s.tell.len() >= 2 && members[index[&s.candidate]].len() == 1)
        .unwrap();
    let pseudonym = members[index[&chosen.candidate]][0];
    let digits = town
        .exports
        .iter()
        .enumerate()
        .flat_map(|(sector, export)| {
            let text = String::from_utf8(export.clone()).unwrap();
            text.lines()
                .skip(1)
                .filter_map(|l| {
                    Cpr::parse(l.split(delimiter_of(sector)).next()?, REFERENCE, "test", 1).ok()
                })
                .collect::<Vec<_>>()
        })
        .find(|cpr| pseudonymiser.pseudonym(cpr) == pseudonym)
        .map(|cpr| String::from_utf8(cpr.expose_digits().to_vec()).unwrap())
        .unwrap();
    let cpr = Cpr::parse_undated(&digits, "test", 1).unwrap();

    // Consent for all but the last of the candidate's sectors.
    let registry = ConsentRegistryKey::from_bytes(municipality, [41; 32]);
    let registry_public = registry_public_key(&registry);
    let subject = SubjectKey::from_bytes(municipality, [42; 32]);
    let plan_team = PlanTeamKey::from_bytes(municipality, [43; 32]);
    let plan_team_public = plan_team_public_key(&plan_team);
    let scope: Vec<SectorCode> = chosen.tell[..chosen.tell.len() - 1].to_vec();
    let outside = chosen.tell.last().unwrap().clone();
    let consent = Consent {
        cpr: &cpr,
        sectors: &scope,
        issued_at: datetime!(2026-10-30 9:00 UTC),
        valid_from: datetime!(2026-10-30 9:00 UTC),
        valid_until: datetime!(2027-10-30 9:00 UTC),
    };
    let receipt_bytes = issue(&registry, &subject, &consent).unwrap();
    step(
        &mut log,
        &mut text,
        "registry",
        "consent",
        &[("sectors", scope.len() as u64)],
    );
    let receipt = Receipt::parse(&receipt_bytes, "receipt").unwrap();
    let now = datetime!(2026-11-01 12:00 UTC);
    let options = ExportOptions::default();

    for (i, key) in town.sealing.iter().enumerate() {
        let discloser = Discloser {
            registry: &registry_public,
            subject: &subject,
            sector: key.sector(),
            plan_team: &plan_team_public,
            catalogue,
            options: &options,
        };
        let result = discloser.disclose(
            &receipt,
            &[],
            "receipt",
            Cursor::new(town.exports[i].clone()),
            "export.csv",
            now,
        );
        let expected = ongoing_in_export(&town.exports[i], i, &digits);
        if scope.contains(key.sector()) {
            let bundle = result.unwrap();
            step(
                &mut log,
                &mut text,
                &format!("sector:{}", key.sector()),
                "disclose",
                &[("services", expected.len() as u64)],
            );
            assert!(!bundle.windows(10).any(|w| w == digits.as_bytes()));
            let opened = open_disclosure(&bundle, &plan_team, "bundle").unwrap();
            let got: BTreeSet<_> = opened
                .services
                .iter()
                .map(|s| (s.code.clone(), s.case_ref.clone(), s.start.clone()))
                .collect();
            assert_eq!(got, expected, "sector {}", key.sector());
            assert!(opened.services.iter().all(|s| !s.paragraph.is_empty()));
            // Another key cannot open it; a changed byte fails.
            let other = PlanTeamKey::from_bytes(municipality, [44; 32]);
            assert_eq!(
                open_disclosure(&bundle, &other, "b").unwrap_err().class(),
                "open-failed"
            );
            let mut altered = bundle.clone();
            let last = altered.len() - 1;
            altered[last] ^= 1;
            assert!(open_disclosure(&altered, &plan_team, "b").is_err());
        } else {
            // Outside the consent, including the candidate's own last sector, which holds services.
            assert!(*key.sector() != outside || !expected.is_empty());
            assert_eq!(
                result.unwrap_err().class(),
                "consent-scope",
                "sector {} is outside the consent",
                key.sector()
            );
        }
    }

    // A receipt for someone else releases nothing.
    let stranger = Cpr::parse_undated("0101363234", "test", 1).unwrap();
    let other_consent = Consent {
        cpr: &stranger,
        ..consent
    };
    let other_receipt = Receipt::parse(
        &issue(&registry, &subject, &other_consent).unwrap(),
        "other",
    )
    .unwrap();
    let in_scope = town
        .sealing
        .iter()
        .position(|k| k.sector() == &scope[0])
        .unwrap();
    let discloser = Discloser {
        registry: &registry_public,
        subject: &subject,
        sector: &scope[0],
        plan_team: &plan_team_public,
        catalogue,
        options: &options,
    };
    let error = discloser
        .disclose(
            &other_receipt,
            &[],
            "other",
            Cursor::new(town.exports[in_scope].clone()),
            "export.csv",
            now,
        )
        .unwrap_err();
    assert_eq!(error.class(), "consent-other-person");

    // Withdrawn: nothing more is released from the withdrawal on.
    let withdrawal = Withdrawal::parse(
        &withdraw(&registry, &receipt, datetime!(2026-11-01 0:00 UTC)),
        "w",
    )
    .unwrap();
    step(
        &mut log,
        &mut text,
        "registry",
        "withdraw",
        &[("receipts", 1)],
    );
    let error = discloser
        .disclose(
            &receipt,
            &[withdrawal],
            "receipt",
            Cursor::new(town.exports[in_scope].clone()),
            "export.csv",
            now,
        )
        .unwrap_err();
    assert_eq!(error.class(), "consent-withdrawn");

    // The audit log of the whole flow verifies, holds no CPR, and any single change shows.
    let head = verify(text.as_bytes(), "audit.log", None).unwrap();
    assert!(head.seq >= 17);
    assert!(!text.contains(&digits));
    let edited = text.replacen("\"selected\":", "\"selected\":1", 1);
    assert_eq!(
        verify(edited.as_bytes(), "audit.log", None)
            .unwrap_err()
            .class(),
        "audit-chain"
    );
}
