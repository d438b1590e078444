//! The whole flow through the core's steps (`samkoer_core::flow`), on a synthetic municipality:
//! keys, publish, match, the one-citizen check, review, verdicts, selection, consent, disclosure
//! and opening, with files in a folder and every step in one audit log. Checked: what each
//! consented sector releases against a plaintext reference, the refusals, the file mode of every
//! output, what every audit entry says it made (its digest) against the files, that outputs
//! which must not be replaced are not, that the file-free form gives the same results, and that
//! a step killed at any moment leaves all of its outputs and its entry, or none.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{CRITERIA, REFERENCE, town};
use samkoer_core::audit::Entry;
use samkoer_core::central::matcher::{CandidateKind, Match};
use samkoer_core::consent::disclosure::Disclosure;
use samkoer_core::files::{Input, OutputKind, Place, settle};
use samkoer_core::flow::{
    Audit, Completed, KeyRequest, VerifyAudit, central, keygen, party_signer, party_signing_key,
    plan_team, registry, sector, verify_audit, verify_log,
};
use samkoer_core::formats::catalogue::{Catalogue, Category};
use samkoer_core::formats::check::CheckAnswer;
use samkoer_core::formats::export::{ExportOptions, parse_date};
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, MatcherKey, PlanTeamKey, PlanTeamPublicKey,
    SectorPublicKey, SubjectKey,
};
use samkoer_core::primitives::signing::PartySigningKey;
use samkoer_core::sector::publish::PublishLimits;
use samkoer_core::synthetic::municipality::delimiter_of;
use samkoer_core::{
    Cpr, KeyFileFormat, MasterKey, MunicipalityCode, RunId, RunKey, SealingKey, SectorCode,
};
use sha2::{Digest, Sha256};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-01 12:00 UTC);

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
        let Ok(cpr) = Cpr::parse(f[0], REFERENCE, "export", 1) else {
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

fn municipality() -> MunicipalityCode {
    MunicipalityCode::new(219).unwrap()
}

fn sectors() -> Vec<SectorCode> {
    Catalogue::builtin()
        .sectors
        .iter()
        .map(|s| s.code.clone())
        .collect()
}

/// A folder with a synthetic municipality's exports and the keys of every party, all made by
/// the keygen steps, and the audit log they were recorded in.
struct Town {
    dir: tempfile::TempDir,
    exports: Vec<Vec<u8>>,
    audit: Audit,
}

impl Town {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn input(&self, name: &str) -> Input {
        Input::path(self.path(name))
    }

    fn place(&self, name: &str) -> Place {
        Place::file(self.path(name))
    }

    fn key<K: KeyFileFormat>(&self, name: &str) -> K {
        K::read(&self.path(&format!("keys/{name}"))).unwrap()
    }

    fn new(people: usize) -> Town {
        let dir = tempfile::tempdir().unwrap();
        let generated = town(people, 31, "2026-11");
        std::fs::create_dir_all(dir.path().join("exports")).unwrap();
        for (export, sector) in generated.exports.iter().zip(sectors()) {
            let path = dir.path().join(format!("exports/{sector}.csv"));
            std::fs::write(path, export).unwrap();
        }
        std::fs::write(
            dir.path().join("exports/relations.csv"),
            &generated.relations,
        )
        .unwrap();
        let audit = Audit::file(dir.path().join("audit.log")).at(NOW);
        let town = Town {
            dir,
            exports: generated.exports,
            audit,
        };
        town.make_keys();
        town
    }

    fn make_keys(&self) {
        let m = municipality();
        let key = |request: KeyRequest<'_>, name: &str| {
            keygen(request, self.place(&format!("keys/{name}")), &self.audit).unwrap();
        };
        std::fs::create_dir_all(self.path("keys")).unwrap();
        key(KeyRequest::Master(m), "master.key");
        let master: MasterKey = self.key("master.key");
        key(
            KeyRequest::Run(&master, RunId::new("2026-11").unwrap(), REFERENCE),
            "run.key",
        );
        for sector in sectors() {
            key(
                KeyRequest::Sealing(m, sector.clone()),
                &format!("{sector}.key"),
            );
        }
        key(KeyRequest::ConsentRegistry(m), "registry.key");
        key(
            KeyRequest::Public(&self.input("keys/registry.key")),
            "registry.pub",
        );
        let registry: ConsentRegistryKey = self.key("registry.key");
        key(KeyRequest::Subject(&registry), "subject.key");
        key(KeyRequest::Matcher(m), "matcher.key");
        key(KeyRequest::PlanTeam(m), "plan-team.key");
        key(
            KeyRequest::Public(&self.input("keys/plan-team.key")),
            "plan-team.pub",
        );
    }

    fn publish(
        &self,
        sector: &SectorCode,
        audit: &Audit,
    ) -> Completed<samkoer_core::sector::publish::AccountingReport> {
        let run_key: RunKey = self.key("run.key");
        let sealing_key: SealingKey = self.key(&format!("{sector}.key"));
        let step = sector::Publish {
            run_key: &run_key,
            sealing_key: &sealing_key,
            catalogue: Catalogue::builtin(),
            options: &ExportOptions::default(),
            export: self.input(&format!("exports/{sector}.csv")),
            relations: (sector.as_str() == "children-family")
                .then(|| self.input("exports/relations.csv")),
            threads: Some(2),
            progress: None,
            limits: PublishLimits::default(),
        };
        let to = sector::PublishTo::beside(&self.path(&format!("{sector}.pub")));
        sector::publish(&step, &to, audit).unwrap()
    }

    fn publications(&self) -> Vec<Input> {
        sectors()
            .iter()
            .map(|s| self.input(&format!("{s}.pub")))
            .collect()
    }

    /// The matcher's key, for the steps that borrow it for as long as the test runs.
    fn matcher(&self) -> &'static MatcherKey {
        Box::leak(Box::new(self.key("matcher.key")))
    }

    fn match_step(&self) -> central::MatchStep<'static> {
        std::fs::write(self.path("criteria.toml"), CRITERIA).unwrap();
        central::MatchStep {
            matcher: self.matcher(),
            catalogue: Catalogue::builtin(),
            criteria: self.input("criteria.toml"),
            publications: self.publications(),
        }
    }
}

/// The audit log's entries.
fn entries(log: &Path) -> Vec<Entry> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// What an entry's `made` says of a file must be true of it: its mode is its kind's, and its
/// digest is the key's fingerprint, the file's trailer digest, or SHA-256 of its bytes.
fn check_made(entry: &Entry) {
    for made in &entry.made {
        let path = Path::new(&made.file);
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", made.file));
        let (expected_digest, private) = match made.kind.as_str() {
            kind if kind.ends_with("-key") => {
                let fingerprint = String::from_utf8(bytes.clone())
                    .unwrap()
                    .lines()
                    .find_map(|l| l.strip_prefix("fingerprint: ").map(str::to_owned))
                    .unwrap();
                (fingerprint, !kind.ends_with("public-key"))
            }
            // A publication's or flag file's digest is followed by its signature (spec §7.5).
            "publication" | "flag-file" => (
                hex::encode(&bytes[bytes.len() - 96..bytes.len() - 64]),
                true,
            ),
            kind => (
                hex::encode(Sha256::digest(&bytes)),
                matches!(
                    kind,
                    "check-request"
                        | "check-answer"
                        | "check-index"
                        | "check-results"
                        | "match-result"
                        | "work-list"
                        | "selection"
                        | "bundle"
                        | "opened"
                ),
            ),
        };
        assert_eq!(
            made.digest, expected_digest,
            "{} of {:?}",
            made.file, entry.action
        );
        assert_eq!(
            mode(path),
            if private { 0o600 } else { 0o644 },
            "{} ({})",
            made.file,
            made.kind
        );
        assert!(!Path::new(&format!("{}.partial", made.file)).exists());
    }
}

/// Fills in a work list as a caseworker would: every candidate suitable.
fn filled(work_list: &Path) -> String {
    let text = std::fs::read_to_string(work_list).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines {
        // The last two cells, verdict and from, are empty.
        out.push_str(&format!("{}suitable,\n", line.strip_suffix(",").unwrap()));
    }
    out
}

#[test]
fn every_step_through_files_with_its_audit_entry() {
    let town = Town::new(3000);
    let audit = &town.audit;
    let catalogue = Catalogue::builtin();
    for sector in sectors() {
        let report = town.publish(&sector, audit).summary;
        assert!(report.export.is_balanced() && report.export.published > 0);
    }
    // Publishing again replaces the publication: a sector may publish again before the match.
    town.publish(&sectors()[0], audit);

    // The match, all its outputs in its folder; its progress counts every publication's bytes.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let progress: samkoer_core::progress::Report = {
        let seen = std::sync::Arc::clone(&seen);
        std::sync::Arc::new(move |read, total| seen.lock().unwrap().push((read, total)))
    };
    let matched = central::match_publications_reporting(
        &town.match_step(),
        &central::MatchTo::folder(town.path("match")),
        audit,
        Some(progress),
    )
    .unwrap();
    let bytes: u64 = sectors()
        .iter()
        .map(|s| {
            std::fs::metadata(town.path(&format!("{s}.pub")))
                .unwrap()
                .len()
        })
        .sum();
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() > 1, "{seen:?}");
    assert!(
        seen.iter()
            .all(|&(read, total)| total == bytes && read <= total)
    );
    assert_eq!(seen.iter().map(|s| s.0).max(), Some(bytes));
    assert_eq!(matched.made.len(), 4 + sectors().len());
    let matched = matched.summary;
    assert!(!matched.candidates().is_empty());

    // Each sector reviews its flag file; its caseworkers find every candidate suitable.
    std::fs::create_dir_all(town.path("sectors")).unwrap();
    let mut work_lists = Vec::new();
    let mut verdict_files = Vec::new();
    for sector in sectors() {
        let sealing_key: SealingKey = town.key(&format!("{sector}.key"));
        let step = sector::Review {
            sealing_key: &sealing_key,
            catalogue,
            flag_file: town.input(&format!("match/flags/{sector}.flag")),
        };
        let list_path = town.path(&format!("sectors/{sector}.worklist.csv"));
        let opened = std::rc::Rc::new(std::cell::Cell::new((0, 0)));
        let progress = sector::Progress(std::rc::Rc::new({
            let opened = std::rc::Rc::clone(&opened);
            move |read, total| opened.set((read, total))
        }));
        let list = sector::review_reporting(&step, Place::file(&list_path), audit, Some(&progress))
            .unwrap()
            .summary;
        let length = std::fs::metadata(town.path(&format!("match/flags/{sector}.flag")))
            .unwrap()
            .len();
        assert_eq!(
            opened.get(),
            (length, length),
            "the review's progress ends at the end"
        );
        let filled_path = town.path(&format!("sectors/{sector}.filled.csv"));
        std::fs::write(&filled_path, filled(&list_path)).unwrap();
        let verdicts = town.place(&format!("sectors/{sector}.verdicts.json"));
        let file = sector::verdict(&step, &Input::path(&filled_path), verdicts, audit)
            .unwrap()
            .summary;
        assert_eq!(file.verdicts.len(), list.candidates().len());
        verdict_files.push(town.input(&format!("sectors/{sector}.verdicts.json")));
        work_lists.push(list);
    }
    let select = central::Select {
        matcher: town.matcher(),
        match_result: town.input("match/result.json"),
        verdicts: verdict_files,
    };
    let selection = central::select(&select, town.place("selection.json"), audit)
        .unwrap()
        .summary;
    assert_eq!(selection.selected.len(), matched.sent().len());

    // A selected person (not a family) in at least two sectors, found by the sectors' lists.
    let person_ids: BTreeSet<_> = matched
        .candidates()
        .iter()
        .filter(|c| c.kind == CandidateKind::Person)
        .map(|c| c.id)
        .collect();
    let chosen = selection
        .selected
        .iter()
        .find(|s| s.tell.len() >= 2 && person_ids.contains(&s.candidate))
        .unwrap();
    let item = work_lists
        .iter()
        .flat_map(|l| &l.items)
        .find(|i| i.candidate == chosen.candidate)
        .unwrap();
    let digits = String::from_utf8(item.cpr.expose_digits().to_vec()).unwrap();

    // The one-citizen check: one of the sectors asks about them (from a person file, with a
    // BOM and CRLF as Notepad saves it), the matcher answers from the check index, the sector
    // reads the answer back by CPR number.
    let run_key: RunKey = town.key("run.key");
    let asking: SealingKey = town.key(&format!("{}.key", chosen.tell[0]));
    let dashed = item.cpr.expose_dashed();
    std::fs::write(
        town.path("check-persons.txt"),
        format!("\u{feff}{}\r\n", dashed.as_str()),
    )
    .unwrap();
    let ask = sector::AskCheck {
        run_key: &run_key,
        sealing_key: &asking,
        persons: town.input("check-persons.txt"),
    };
    sector::ask_check(&ask, town.place("check-request.json"), audit).unwrap();
    let check = central::Check {
        matcher: town.matcher(),
        index: town.input("match/check-index"),
        request: town.input("check-request.json"),
    };
    let reply = central::check(&check, town.place("check-answer.json"), audit)
        .unwrap()
        .summary;
    assert_eq!(reply.answers.len(), 1);
    assert_eq!(reply.answers[0].1, CheckAnswer::Candidate);
    let read = sector::ReadCheck {
        run_key: &run_key,
        sealing_key: &asking,
        persons: town.input("check-persons.txt"),
        answer: town.input("check-answer.json"),
    };
    sector::read_check(&read, town.place("check.csv"), audit).unwrap();
    assert_eq!(
        std::fs::read_to_string(town.path("check.csv")).unwrap(),
        format!("cpr;answer\n{};candidate\n", dashed.as_str())
    );

    // Consent for all but the last of the candidate's sectors; the CPR read from a file.
    std::fs::write(town.path("person.txt"), format!("{digits}\n")).unwrap();
    let registry: ConsentRegistryKey = town.key("registry.key");
    let subject: SubjectKey = town.key("subject.key");
    let scope: Vec<SectorCode> = chosen.tell[..chosen.tell.len() - 1].to_vec();
    let issue = registry::Issue {
        registry: &registry,
        subject: &subject,
        person: &Cpr::read(&town.input("person.txt"), REFERENCE).unwrap(),
        sectors: scope.clone(),
        issued_at: datetime!(2026-10-30 9:00 UTC),
        valid_from: datetime!(2026-10-30 9:00 UTC),
        valid_until: datetime!(2027-10-30 9:00 UTC),
    };
    registry::issue(&issue, town.place("receipt.bin"), audit).unwrap();
    // The registry publishes its first consent state: no withdrawal yet.
    let state = |previous: Option<&str>, withdrawals: &[&str], out: &str| {
        let step = registry::PublishState {
            registry: &registry,
            previous: previous.map(|p| town.input(p)),
            withdrawals: withdrawals.iter().map(|w| town.input(w)).collect(),
            now: NOW,
        };
        registry::consent_state(&step, town.place(out), audit)
    };
    let first = state(None, &[], "state-1.bin").unwrap().summary;
    assert_eq!((first.sequence, first.withdrawals), (1, 0));

    // Every sector is asked to disclose: those in scope do, the others refuse.
    let registry_public: ConsentRegistryPublicKey = town.key("registry.pub");
    let plan_team_public: PlanTeamPublicKey = town.key("plan-team.pub");
    let disclose_on =
        |sealing_key: &SealingKey, state: Option<&str>, out: &str, ongoing_on: Option<Date>| {
            let step = sector::Disclose {
                registry: &registry_public,
                subject: &subject,
                sealing_key,
                plan_team: &plan_team_public,
                catalogue,
                options: &ExportOptions::default(),
                receipt: town.input("receipt.bin"),
                consent_state: state.map(|s| town.input(s)),
                state_max_age: 24 * 3600,
                export: town.input(&format!("exports/{}.csv", sealing_key.sector())),
                now: NOW,
                ongoing_on,
            };
            sector::disclose(&step, town.place(out), audit)
        };
    let disclose = |sealing_key: &SealingKey, state: &str, out: &str| {
        disclose_on(sealing_key, Some(state), out, None)
    };
    let verifying: SealingKey = town.key(&format!("{}.key", scope[0]));
    let verify = |state: &str, now: OffsetDateTime| {
        let step = sector::VerifyConsent {
            registry: &registry_public,
            receipt: town.input("receipt.bin"),
            consent_state: Some(town.input(state)),
            state_max_age: 24 * 3600,
            sealing_key: &verifying,
            now,
        };
        sector::verify_consent(&step, audit)
    };
    verify("state-1.bin", NOW).unwrap();
    let mut bundles = Vec::new();
    for (i, sector) in sectors().into_iter().enumerate() {
        let sealing_key: SealingKey = town.key(&format!("{sector}.key"));
        let expected = ongoing_in_export(&town.exports[i], i, &digits);
        let result = disclose(&sealing_key, "state-1.bin", &format!("{sector}.bundle"));
        if scope.contains(&sector) {
            let summary = result.unwrap().summary;
            assert_eq!(summary.services, expected.len() as u64);
            assert_eq!(summary.ongoing_on, NOW.date(), "judged on the date of now");
            bundles.push((town.input(&format!("{sector}.bundle")), expected));
            // On a date before any service began, none is ongoing: nothing to release.
            let long_ago = disclose_on(
                &sealing_key,
                Some("state-1.bin"),
                &format!("{sector}-1990.bundle"),
                Some(date!(1990 - 01 - 01)),
            );
            assert_eq!(long_ago.unwrap_err().class(), "consent-other-person");
        } else {
            assert_eq!(result.unwrap_err().class(), "consent-scope", "{sector}");
            assert!(!town.path(&format!("{sector}.bundle")).exists());
        }
    }
    let plan_team: PlanTeamKey = town.key("plan-team.key");
    let sector_public = |sector: &SectorCode| {
        SectorPublicKey::of(&town.key::<SealingKey>(&format!("{sector}.key")))
    };
    let open_with = |receipt: &str, sectors: Vec<SectorPublicKey>, bundles: Vec<Input>| {
        let open = plan_team::Open {
            plan_team: &plan_team,
            registry: &registry_public,
            receipt: town.input(receipt),
            sectors,
            bundles,
        };
        plan_team::open(&open, None, audit)
    };
    let bundle_inputs: Vec<Input> = bundles.iter().map(|(b, _)| b.clone()).collect();
    let scope_keys: Vec<SectorPublicKey> = scope.iter().map(sector_public).collect();
    // A bundle is opened only as its sector's, for this receipt, once.
    let error = open_with(
        "receipt.bin",
        scope_keys[1..].to_vec(),
        bundle_inputs.clone(),
    );
    assert_eq!(error.unwrap_err().class(), "disclosure-signature");
    let outside = sectors().into_iter().find(|s| !scope.contains(s)).unwrap();
    let mut impostor = scope_keys.clone();
    impostor[0] = SectorPublicKey::of(&SealingKey::from_bytes(
        municipality(),
        scope[0].clone(),
        [7; 32],
    ));
    let error = open_with("receipt.bin", impostor, bundle_inputs.clone());
    assert_eq!(error.unwrap_err().class(), "disclosure-signature");
    let twice = [bundle_inputs.clone(), bundle_inputs[..1].to_vec()].concat();
    let error = open_with("receipt.bin", scope_keys.clone(), twice);
    assert_eq!(error.unwrap_err().class(), "disclosure-receipt");
    let other_receipt = registry::Issue {
        sectors: [scope.clone(), vec![outside]].concat(),
        ..issue
    };
    registry::issue(&other_receipt, town.place("other-receipt.bin"), audit).unwrap();
    let error = open_with(
        "other-receipt.bin",
        scope_keys.clone(),
        bundle_inputs.clone(),
    );
    assert_eq!(error.unwrap_err().class(), "disclosure-receipt");
    let open = plan_team::Open {
        plan_team: &plan_team,
        registry: &registry_public,
        receipt: town.input("receipt.bin"),
        sectors: scope_keys,
        bundles: bundle_inputs,
    };
    let opened = plan_team::open(&open, Some(town.place("opened.json")), audit)
        .unwrap()
        .summary;
    assert_eq!(
        opened.consented,
        scope.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    let opened: Vec<Disclosure> = opened.disclosures;
    for (disclosure, (_, expected)) in opened.iter().zip(&bundles) {
        let got: BTreeSet<_> = disclosure
            .services
            .iter()
            .map(|s| (s.code.clone(), s.case_ref.clone(), s.start.clone()))
            .collect();
        assert_eq!(&got, expected, "{}", disclosure.sector);
    }

    // Withdrawn: the registry lists the withdrawal in its next consent state, and no sector
    // releases anything more, though none was handed the withdrawal itself.
    let withdraw = registry::Withdraw {
        registry: &registry,
        receipt: town.input("receipt.bin"),
        at: datetime!(2026-11-01 0:00 UTC),
    };
    registry::withdraw(&withdraw, town.place("withdrawal.bin"), audit).unwrap();
    assert_eq!(
        state(None, &["withdrawal.bin"], "state-x.bin")
            .unwrap_err()
            .class(),
        "consent-state-previous",
        "the next state continues the last"
    );
    let second = state(Some("state-1.bin"), &["withdrawal.bin"], "state-2.bin")
        .unwrap()
        .summary;
    assert_eq!(
        (second.sequence, second.withdrawals, second.added),
        (2, 1, 1)
    );
    // The state after it, with no new withdrawal, still lists the one before.
    let third = state(Some("state-2.bin"), &[], "state-3.bin")
        .unwrap()
        .summary;
    assert_eq!((third.sequence, third.withdrawals, third.added), (3, 1, 0));
    let sealing_key: SealingKey = town.key(&format!("{}.key", scope[0]));
    let error = disclose(&sealing_key, "state-3.bin", "late.bundle").unwrap_err();
    assert_eq!(error.class(), "consent-withdrawn");
    // The old state, handed on again, is refused: this sector has used a later one.
    let error = disclose(&sealing_key, "state-1.bin", "late.bundle").unwrap_err();
    assert_eq!(error.class(), "consent-state-older");
    let error = disclose_on(&sealing_key, None, "late.bundle", None).unwrap_err();
    assert_eq!(error.class(), "consent-state-missing");
    assert!(!town.path("late.bundle").exists());
    assert_eq!(
        verify("state-3.bin", NOW).unwrap_err().class(),
        "consent-withdrawn"
    );
    assert_eq!(
        verify("state-3.bin", NOW + time::Duration::days(2))
            .unwrap_err()
            .class(),
        "consent-state-stale"
    );

    // The log: every step once, by its party, what it made true of the files, no CPR.
    let log = town.path("audit.log");
    let head = verify_log(&Input::path(&log), None).unwrap();
    let entries = entries(&log);
    assert_eq!(head.seq, entries.len() as u64);
    // Each file as the last entry that made it says (a publication was made twice).
    for (i, entry) in entries.iter().enumerate() {
        let remade = |file: &str| {
            entries[i + 1..]
                .iter()
                .any(|e| e.made.iter().any(|m| m.file == file))
        };
        let mut latest = entry.clone();
        latest.made.retain(|m| !remade(&m.file));
        check_made(&latest);
    }
    let actions: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| (e.party.clone(), e.action.clone(), e.outcome.clone()))
        .collect();
    let count = |action: &str, outcome: &str| {
        actions
            .iter()
            .filter(|(_, a, o)| a == action && o == outcome)
            .count()
    };
    // Master and run key, five sealing keys, registry and subject key, the matcher's key, the
    // plan-team key, two public.
    assert_eq!(count("keygen", "done"), 2 + 5 + 2 + 1 + 1 + 2);
    assert_eq!(count("publish", "done"), 6);
    assert_eq!(count("match", "done"), 1);
    assert_eq!((count("review", "done"), count("verdict", "done")), (5, 5));
    assert_eq!(
        (
            count("select", "done"),
            count("check-request", "done"),
            count("check", "done")
        ),
        (1, 1, 1)
    );
    assert_eq!(
        (
            count("consent", "done"),
            count("withdraw", "done"),
            count("consent-state", "done"),
            count("consent-state", "consent-state-previous")
        ),
        (2, 1, 3, 1)
    );
    assert_eq!(count("disclose", "done"), scope.len());
    assert_eq!(count("disclose", "consent-scope"), 5 - scope.len());
    assert_eq!(count("disclose", "consent-withdrawn"), 1);
    assert_eq!(count("disclose", "consent-state-older"), 1);
    assert_eq!(count("disclose", "consent-state-missing"), 1);
    assert_eq!(
        (count("open", "done"), count("verify-consent", "done")),
        (1, 1)
    );
    assert_eq!(
        (
            count("open", "disclosure-signature"),
            count("open", "disclosure-receipt")
        ),
        (2, 2)
    );
    assert_eq!(count("verify-consent", "consent-withdrawn"), 1);
    // Each use of a state is recorded with its sequence number, refused or not.
    let refused = entries
        .iter()
        .find(|e| e.action == "disclose" && e.outcome == "consent-withdrawn")
        .unwrap();
    assert_eq!(refused.counts["consent-state-seq"], 3);
    let parties: BTreeSet<&str> = actions.iter().map(|(p, _, _)| p.as_str()).collect();
    assert!(
        parties.contains("custodian")
            && parties.contains("registry")
            && parties.contains("plan-team")
    );
    assert!(
        entries
            .iter()
            .filter(|e| e.action == "keygen" && e.made[0].kind == "sealing-key")
            .all(|e| e.party.starts_with("sector:"))
    );
    let matched_entry = entries.iter().find(|e| e.action == "match").unwrap();
    assert_eq!(matched_entry.run.as_deref(), Some("2026-11"));
    assert_eq!(
        matched_entry.counts["candidates"],
        matched.candidates().len() as u64
    );
    let selected_entry = entries.iter().find(|e| e.action == "select").unwrap();
    assert_eq!(
        [
            selected_entry.counts["selected"],
            selected_entry.counts["removed"],
            selected_entry.counts["outstanding"]
        ],
        [
            selection.selected.len() as u64,
            selection.removed.len() as u64,
            selection.outstanding.len() as u64
        ]
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(&digits), "no CPR in the log");

    // Every entry is signed, each party's by its own key (spec §16).
    let verified =
        samkoer_core::audit::verify_signed(text.as_bytes(), "audit.log", None, None).unwrap();
    assert_eq!(verified.unsigned, 0);
    let signer_of = |file: &str| {
        party_signing_key(&town.input(&format!("keys/{file}")))
            .unwrap()
            .public()
    };
    assert_eq!(verified.signers["custodian"], signer_of("master.key"));
    assert_eq!(verified.signers["matcher"], signer_of("matcher.key"));
    assert_eq!(verified.signers["registry"], signer_of("registry.key"));
    assert_eq!(verified.signers["plan-team"], signer_of("plan-team.key"));
    // An auditor needs no secret: the public keys that hold a signer name it.
    let public_signer = |file: &str| party_signer(&town.input(&format!("keys/{file}"))).unwrap();
    assert_eq!(verified.signers["registry"], public_signer("registry.pub"));
    keygen(
        KeyRequest::Public(&town.input("keys/employment.key")),
        town.place("keys/employment-public.key"),
        &Audit::none(),
    )
    .unwrap();
    assert_eq!(
        verified.signers["sector:employment"],
        public_signer("employment-public.key")
    );
    assert_eq!(
        party_signer(&town.input("keys/plan-team.pub"))
            .unwrap_err()
            .class(),
        "key-file-kind"
    );
    for sector in sectors() {
        assert_eq!(
            verified.signers[&format!("sector:{sector}")],
            signer_of(&format!("{sector}.key"))
        );
    }
    // Every file handed on carries its author's log head, which the log holds: publications,
    // flag files, the match result, verdict files, receipts and bundles.
    let mut evidence = town.publications();
    for sector in sectors() {
        evidence.push(town.input(&format!("match/flags/{sector}.flag")));
        evidence.push(town.input(&format!("sectors/{sector}.verdicts.json")));
    }
    evidence.push(town.input("match/result.json"));
    evidence.push(town.input("receipt.bin"));
    evidence.extend(bundles.iter().map(|(b, _)| b.clone()));
    let step = VerifyAudit {
        log: Input::path(&log),
        head: None,
        signer: None,
        evidence,
    };
    let shown = verify_audit(&step).unwrap().evidence;
    assert_eq!(shown.len(), 3 * sectors().len() + 2 + scope.len());
    let parties: BTreeSet<&str> = shown.iter().map(|(_, party, _)| party.as_str()).collect();
    assert!(parties.contains("matcher") && parties.contains("registry"));
    assert!(shown.iter().all(|(_, _, head)| head.seq > 0));
    // A file that names no author is no evidence.
    let step = VerifyAudit {
        evidence: vec![town.input("selection.json")],
        ..step
    };
    assert_eq!(verify_audit(&step).unwrap_err().class(), "wrong-file-kind");
}

#[test]
fn outputs_that_must_not_be_replaced_are_not() {
    let town = Town::new(600);
    let audit = &town.audit;
    for sector in sectors() {
        town.publish(&sector, audit);
    }
    let to = central::MatchTo::folder(town.path("match"));
    central::match_publications(&town.match_step(), &to, audit).unwrap();
    let result = std::fs::read(town.path("match/result.json")).unwrap();
    // A second match into the same folder would orphan the candidate ids the sectors hold.
    let error = central::match_publications(&town.match_step(), &to, audit).unwrap_err();
    assert_eq!(error.class(), "output-exists");
    assert_eq!(
        std::fs::read(town.path("match/result.json")).unwrap(),
        result
    );

    // A work list the caseworkers may have filled in is never written over.
    let sealing_key: SealingKey = town.key("employment.key");
    let step = sector::Review {
        sealing_key: &sealing_key,
        catalogue: Catalogue::builtin(),
        flag_file: town.input("match/flags/employment.flag"),
    };
    sector::review(&step, town.place("worklist.csv"), audit).unwrap();
    std::fs::write(town.path("worklist.csv"), "filled in by hand\n").unwrap();
    let error = sector::review(&step, town.place("worklist.csv"), audit).unwrap_err();
    assert_eq!((error.class(), error.code()), ("output-exists", 1301));
    assert_eq!(
        std::fs::read_to_string(town.path("worklist.csv")).unwrap(),
        "filled in by hand\n"
    );

    // Keys are never written over either, and the refusal is recorded as the step's outcome.
    let error = keygen(
        KeyRequest::Master(municipality()),
        town.place("keys/master.key"),
        audit,
    )
    .unwrap_err();
    assert_eq!(error.class(), "key-file-exists");
    let entries = entries(&town.path("audit.log"));
    let outcomes: Vec<(&str, &str)> = entries
        .iter()
        .rev()
        .take(3)
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("keygen", "key-file-exists"),
            ("review", "output-exists"),
            ("review", "done")
        ]
    );
    assert!(entries.iter().rev().take(2).all(|e| e.made.is_empty()));
    // No partial file is left by any of it.
    for entry in walk(town.dir.path()) {
        assert!(
            !entry.to_string_lossy().ends_with(".partial"),
            "{}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn the_file_free_form_is_the_same_step() {
    let town = Town::new(1500);
    let memory = Audit::memory(Vec::new()).at(NOW);
    let (mut in_files, mut in_memory) = (Vec::new(), Vec::new());
    for sector in sectors() {
        let run_key: RunKey = town.key("run.key");
        let sealing_key: SealingKey = town.key(&format!("{sector}.key"));
        let export = std::fs::read(town.path(&format!("exports/{sector}.csv"))).unwrap();
        let relations = std::fs::read(town.path("exports/relations.csv")).unwrap();
        let step = sector::Publish {
            run_key: &run_key,
            sealing_key: &sealing_key,
            catalogue: Catalogue::builtin(),
            options: &ExportOptions::default(),
            export: Input::bytes(format!("exports/{sector}.csv"), export),
            relations: (sector.as_str() == "children-family")
                .then(|| Input::bytes("exports/relations.csv", relations)),
            threads: Some(1),
            progress: None,
            limits: PublishLimits::default(),
        };
        let done = sector::publish(&step, &sector::PublishTo::memory(), &memory).unwrap();
        let file = town.publish(&sector, &town.audit);
        assert_eq!(
            serde_json::to_value(&done.summary.export).unwrap()["rejected_lines"],
            serde_json::to_value(&file.summary.export).unwrap()["rejected_lines"]
        );
        assert_eq!(done.summary.export.counts(), file.summary.export.counts());
        in_memory.push(Input::bytes(
            format!("{sector}.pub"),
            done.bytes(OutputKind::Publication).unwrap().to_vec(),
        ));
        in_files.push(town.input(&format!("{sector}.pub")));
    }
    std::fs::write(town.path("criteria.toml"), CRITERIA).unwrap();
    let step = |publications| central::MatchStep {
        matcher: town.matcher(),
        catalogue: Catalogue::builtin(),
        criteria: town.input("criteria.toml"),
        publications,
    };
    let from_memory =
        central::match_publications(&step(in_memory), &central::MatchTo::memory(), &memory)
            .unwrap();
    let from_files = central::match_publications(
        &step(in_files),
        &central::MatchTo::folder(town.path("match")),
        &town.audit,
    )
    .unwrap();
    assert_eq!(
        from_memory.bytes(OutputKind::StatisticsJson).unwrap(),
        std::fs::read(town.path("match/statistics.json")).unwrap()
    );
    assert_eq!(
        from_memory.summary.statistics,
        from_files.summary.statistics
    );
    let names: Vec<&str> = from_memory.made.iter().map(|m| m.name.as_str()).collect();
    assert!(names.contains(&"result.json") && names.contains(&"flags/employment.flag"));
    // The memory log verifies and says the same steps as the file log, by the same parties.
    let text = memory.memory_log().unwrap();
    let head = verify_log(&Input::bytes("audit log", text.clone()), None).unwrap();
    assert_eq!(head.seq, 6);
    // The file log begins with every party's keys.
    let said = |text: &str| -> Vec<(String, String)> {
        text.lines()
            .map(|l| serde_json::from_str::<Entry>(l).unwrap())
            .filter(|e| e.action != "keygen")
            .map(|e| (e.party, e.action))
            .collect()
    };
    let file_log = std::fs::read_to_string(town.path("audit.log")).unwrap();
    assert_eq!(said(&String::from_utf8(text).unwrap()), said(&file_log));
}

// ---------------------------------------------------------------------------------------------
// Killed at any moment.

/// Run by `a_step_killed_at_any_moment_leaves_all_or_nothing` as a child process, with
/// `SAMKOER_FAULT_AT` set: does one step in the folder it is given, and is aborted inside it.
#[test]
fn killed_child() {
    let Some(dir) = std::env::var_os("SAMKOER_KILL_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let audit = Audit::file(dir.join("audit.log")).at(NOW);
    let key = |name: &str| Input::path(dir.join("keys").join(name));
    match std::env::var("SAMKOER_KILL_STEP").unwrap().as_str() {
        "match" => {
            let matcher = MatcherKey::from_input(&key("matcher.key")).unwrap();
            let step = central::MatchStep {
                matcher: &matcher,
                catalogue: Catalogue::builtin(),
                criteria: Input::path(dir.join("criteria.toml")),
                publications: sectors()
                    .iter()
                    .map(|s| Input::path(dir.join(format!("{s}.pub"))))
                    .collect(),
            };
            central::match_publications(
                &step,
                &central::MatchTo::folder(dir.join("match")),
                &audit,
            )
            .unwrap();
        }
        _ => {
            let run_key = RunKey::from_input(&key("run.key")).unwrap();
            let sealing_key = SealingKey::from_input(&key("employment.key")).unwrap();
            let step = sector::Publish {
                run_key: &run_key,
                sealing_key: &sealing_key,
                catalogue: Catalogue::builtin(),
                options: &ExportOptions::default(),
                export: Input::path(dir.join("exports/employment.csv")),
                relations: None,
                threads: Some(1),
                progress: None,
                limits: PublishLimits::default(),
            };
            let to = sector::PublishTo::beside(&dir.join("out/employment.pub"));
            sector::publish(&step, &to, &audit).unwrap();
        }
    }
}

/// Kills one step at each of its fault points in turn, lets the next reader settle what it
/// left, and checks that all of the step's outputs and its entry are there, or none.
fn kill_at_every_point(step: &str, outputs: &[&str]) -> u64 {
    let town = Town::new(400);
    for sector in sectors() {
        town.publish(&sector, &Audit::none());
    }
    std::fs::write(town.path("criteria.toml"), CRITERIA).unwrap();
    let log = town.path("audit.log");
    let before = entries(&log).len();
    let pristine = std::fs::read(&log).unwrap();
    for at in 1.. {
        let run = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "killed_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("SAMKOER_KILL_DIR", town.dir.path())
            .env("SAMKOER_KILL_STEP", step)
            .env("SAMKOER_FAULT_AT", at.to_string())
            .output()
            .unwrap();
        // Whoever reads next finishes a step that passed its commit point.
        for folder in ["", "match", "match/flags", "out"] {
            settle(&town.path(folder)).unwrap();
        }
        let there: Vec<bool> = outputs.iter().map(|o| town.path(o).exists()).collect();
        let logged = entries(&log).len() - before;
        let all = there.iter().all(|&t| t) && logged == 1;
        let none = there.iter().all(|&t| !t) && logged == 0;
        assert!(
            all || none,
            "{step} killed at point {at}: outputs {there:?}, {logged} entries"
        );
        for path in walk(town.dir.path()) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                !name.starts_with(".samkoer-commit-"),
                "{step} at {at}: {name} left"
            );
        }
        verify_log(&Input::path(&log), None).unwrap();
        if all {
            check_made(entries(&log).last().unwrap());
        }
        if run.status.success() {
            assert!(all, "a step that was not killed finished");
            return at;
        }
        // Back to before the step, for the next point.
        for output in outputs {
            let _ = std::fs::remove_file(town.path(output));
        }
        std::fs::write(&log, &pristine).unwrap();
    }
    unreachable!()
}

#[test]
fn a_step_killed_at_any_moment_leaves_all_or_nothing() {
    let mut match_outputs = vec![
        "match/result.json",
        "match/statistics.json",
        "match/statistics.csv",
        "match/check-index",
    ];
    let flags: Vec<String> = sectors()
        .iter()
        .map(|s| format!("match/flags/{s}.flag"))
        .collect();
    match_outputs.extend(flags.iter().map(String::as_str));
    let points = kill_at_every_point("match", &match_outputs);
    assert!(points > 20, "the match's commit was cut at {points} points");
    let points = kill_at_every_point(
        "publish",
        &["out/employment.pub", "out/employment.pub.accounting.json"],
    );
    assert!(
        points > 6,
        "the publish's commit was cut at {points} points"
    );
}

#[test]
fn a_failed_step_leaves_no_output_and_records_its_outcome() {
    let town = Town::new(300);
    let run_key: RunKey = town.key("run.key");
    let sealing_key: SealingKey = town.key("employment.key");
    std::fs::write(town.path("bad.csv"), "cpr;service\n0101901234;EMP-MENTOR\n").unwrap();
    let step = sector::Publish {
        run_key: &run_key,
        sealing_key: &sealing_key,
        catalogue: Catalogue::builtin(),
        options: &ExportOptions::default(),
        export: town.input("bad.csv"),
        relations: None,
        threads: None,
        progress: None,
        limits: PublishLimits::default(),
    };
    let to = sector::PublishTo::beside(&town.path("employment.pub"));
    let error = sector::publish(&step, &to, &town.audit).unwrap_err();
    assert_eq!(error.class(), "column-missing");
    assert!(!town.path("employment.pub").exists());
    assert!(!town.path("employment.pub.accounting.json").exists());
    assert!(!town.path("employment.pub.partial").exists());
    let last = entries(&town.path("audit.log")).pop().unwrap();
    assert_eq!(
        (
            last.party.as_str(),
            last.action.as_str(),
            last.outcome.as_str()
        ),
        ("sector:employment", "publish", "column-missing")
    );
    assert_eq!(last.run.as_deref(), Some("2026-11"));
    // An audit log that does not verify stops a step before it does anything.
    std::fs::write(town.path("audit.log"), "not a log\n").unwrap();
    let error = keygen(
        KeyRequest::Matcher(municipality()),
        town.place("keys/other.key"),
        &town.audit,
    )
    .unwrap_err();
    assert_eq!(
        (error.class(), error.to_string().contains("line 1")),
        ("audit-entry", true)
    );
    assert!(!town.path("keys/other.key").exists());
}

/// A match of the town, published without logs, with its check index in `match/`.
fn matched_town(people: usize) -> (Town, Match) {
    let town = Town::new(people);
    for sector in sectors() {
        town.publish(&sector, &Audit::none());
    }
    let to = central::MatchTo::folder(town.path("match"));
    let matched = central::match_publications(&town.match_step(), &to, &Audit::none())
        .unwrap()
        .summary;
    (town, matched)
}

/// Asks the check about `cprs` as `sector` with `run_key`; the matcher's answer or refusal.
fn ask_and_answer(
    town: &Town,
    run_key: &RunKey,
    sector: &SealingKey,
    cprs: &[String],
) -> Result<samkoer_core::formats::check::CheckReply, samkoer_core::Error> {
    let persons = Input::bytes("persons.txt", cprs.join("\n").into_bytes());
    let ask = sector::AskCheck {
        run_key,
        sealing_key: sector,
        persons,
    };
    let request = sector::ask_check(&ask, Place::memory("request.json"), &Audit::none())?;
    let bytes = request.bytes(OutputKind::CheckRequest).unwrap().to_vec();
    let check = central::Check {
        matcher: town.matcher(),
        index: town.input("match/check-index"),
        request: Input::bytes("request.json", bytes),
    };
    Ok(central::check(&check, Place::memory("answer.json"), &Audit::none())?.summary)
}

#[test]
fn the_check_index_answers_as_the_match_would_and_only_the_asking_sector_s_own() {
    let (town, matched) = matched_town(400);
    let run_key: RunKey = town.key("run.key");
    for (index, sector) in sectors().into_iter().enumerate() {
        let key: SealingKey = town.key(&format!("{sector}.key"));
        let export = std::fs::read_to_string(town.path(&format!("exports/{sector}.csv"))).unwrap();
        let delimiter = delimiter_of(index);
        // Every CPR number of the sector's export that it published (valid and ongoing).
        let pseudonymiser = samkoer_core::Pseudonymiser::new(&run_key);
        let mut own: Vec<String> = export
            .lines()
            .skip(1)
            .filter_map(|row| row.split(delimiter).next())
            .filter_map(|cpr| Cpr::parse(cpr, REFERENCE, "e", 1).ok())
            .filter(|c| matched.check(&sector, &pseudonymiser.pseudonym(c)).is_ok())
            .map(|c| c.expose_dashed().to_string())
            .collect();
        own.sort();
        own.dedup();
        assert!(!own.is_empty(), "{sector}");
        let reply = ask_and_answer(&town, &run_key, &key, &own).unwrap();
        for ((pseudonym, answer), text) in reply.answers.iter().zip(&own) {
            let cpr = Cpr::parse(text, REFERENCE, "e", 1).unwrap();
            assert_eq!(*pseudonym, pseudonymiser.pseudonym(&cpr));
            assert_eq!(
                *answer,
                matched.check(&sector, pseudonym).unwrap(),
                "{sector}"
            );
        }
        // A citizen the sector did not publish refuses the whole request.
        let stranger = vec![own[0].clone(), "0101001234".to_owned()];
        let error = ask_and_answer(&town, &run_key, &key, &stranger).unwrap_err();
        assert_eq!(error.class(), "not-own-pseudonym");
    }
}

#[test]
fn a_check_in_another_sector_s_name_or_of_another_run_is_refused() {
    let (town, _) = matched_town(300);
    let run_key: RunKey = town.key("run.key");
    let cpr = vec!["0101901234".to_owned()];
    // A sector whose key did not publish in this run (same name, another key).
    let impostor = SealingKey::from_bytes(
        municipality(),
        SectorCode::new("employment").unwrap(),
        [0x77; 32],
    );
    let error = ask_and_answer(&town, &run_key, &impostor, &cpr).unwrap_err();
    assert_eq!(error.class(), "check-signature");
    let other = MasterKey::from_bytes(municipality(), [9; 32])
        .derive_run_key(&RunId::new("2026-12").unwrap(), REFERENCE);
    let employment: SealingKey = town.key("employment.key");
    let error = ask_and_answer(&town, &other, &employment, &cpr).unwrap_err();
    assert_eq!(
        (
            error.class(),
            error.to_string().starts_with("request.json, line 0")
        ),
        ("check-mismatch", true)
    );
    // A person file naming a citizen twice (in two spellings) is refused at its line.
    let twice = vec!["0101901234".to_owned(), "010190-1234".to_owned()];
    let error = ask_and_answer(&town, &run_key, &employment, &twice).unwrap_err();
    assert_eq!(
        (
            error.class(),
            error.to_string().starts_with("persons.txt, line 2")
        ),
        ("check-repeated", true)
    );
}

#[test]
fn a_log_rewritten_after_a_publication_is_found_by_the_publication_it_handed_on() {
    let town = Town::new(200);
    let employment = SectorCode::new("employment").unwrap();
    let log = Audit::file(town.path("employment.log"));
    let sealing: SealingKey = town.key("employment.key");
    let signer = PartySigningKey::of(&sealing).public();
    // Two publishes: the second publication carries the log's head after the first.
    town.publish(&employment, &log);
    town.publish(&employment, &log);
    let evidence = std::fs::read(town.path("employment.pub")).unwrap();
    let step = |evidence: Vec<u8>, signer| VerifyAudit {
        log: town.input("employment.log"),
        head: None,
        signer,
        evidence: vec![Input::bytes("employment.pub", evidence)],
    };
    let verified = verify_audit(&step(evidence.clone(), Some(signer))).unwrap();
    assert_eq!(
        verified.evidence[0].2.seq, 1,
        "the head before the second publish"
    );

    // The sector cuts its log back to nothing and publishes again: a log that verifies, with
    // the sector's own signatures, but no longer the one the matcher holds evidence of.
    std::fs::write(town.path("employment.log"), "").unwrap();
    let other = MasterKey::from_bytes(municipality(), [4; 32]);
    keygen(
        KeyRequest::Run(&other, RunId::new("2026-11").unwrap(), REFERENCE),
        town.place("other-run.key"),
        &Audit::file(town.path("employment.log")),
    )
    .unwrap();
    let error = verify_audit(&step(evidence, None)).unwrap_err();
    assert_eq!(error.class(), "audit-evidence");
    // And a log not signed by the sector the publication names is refused, evidence or not.
    let error = verify_audit(&step(Vec::new(), Some(signer)));
    assert_eq!(error.unwrap_err().class(), "audit-signer");
}

#[test]
fn a_public_key_is_made_of_the_three_kinds_that_have_one_and_a_faulty_key_is_named_for_its_fault() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let sector = SectorCode::new("employment").unwrap();
    keygen(
        KeyRequest::Sealing(municipality(), sector.clone()),
        Place::file(at("employment.key")),
        &Audit::none(),
    )
    .unwrap();
    let public = keygen(
        KeyRequest::Public(&Input::path(at("employment.key"))),
        Place::file(at("employment-public.key")),
        &Audit::none(),
    )
    .unwrap()
    .summary;
    assert_eq!(
        (public.kind, public.sector),
        (samkoer_core::KeyKind::SectorPublic, Some(sector))
    );
    // A sealing key others can read is refused as that, not as a key of another kind.
    std::fs::set_permissions(at("employment.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let error = keygen(
        KeyRequest::Public(&Input::path(at("employment.key"))),
        Place::file(at("again-public.key")),
        &Audit::none(),
    )
    .unwrap_err();
    assert_eq!(error.class(), "key-file-permissions");
    // A key of a kind without a public key is refused at its kind line.
    keygen(
        KeyRequest::Master(municipality()),
        Place::file(at("master.key")),
        &Audit::none(),
    )
    .unwrap();
    let error = keygen(
        KeyRequest::Public(&Input::path(at("master.key"))),
        Place::file(at("master-public.key")),
        &Audit::none(),
    )
    .unwrap_err();
    assert_eq!(error.class(), "key-file-kind");
    assert!(error.to_string().contains("line 2"), "{error}");
}
