//! `samkoer synth` and `samkoer demo`: a synthetic municipality, and the whole flow on one — a
//! short script over the core's steps, every one of them in the demo's audit log.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use samkoer_core::central::matcher::Match;
use samkoer_core::central::selection::Selection;
use samkoer_core::consent::state::DEFAULT_MAX_AGE_HOURS;
use samkoer_core::files::{Input, Place};
use samkoer_core::flow::central::{Check, MatchStep, MatchTo, Select};
use samkoer_core::flow::plan_team::Open;
use samkoer_core::flow::registry::{Issue, PublishState, Withdraw};
use samkoer_core::flow::sector::{AskCheck, Disclose, Publish, PublishTo, ReadCheck, Review};
use samkoer_core::flow::{
    Audit, KeyRequest, VerifyAudit, central, keygen, party_signing_key, plan_team, registry,
    sector, verify_audit,
};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::check::CheckAnswer;
use samkoer_core::formats::criteria::{Criteria, FamilyRule};
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, MatcherKey, PlanTeamKey, PlanTeamPublicKey,
    SectorPublicKey, SubjectKey,
};
use samkoer_core::sector::publish::PublishLimits;
use samkoer_core::sector::review::WorkList;
use samkoer_core::synthetic::municipality::{
    DEMO_CRITERIA, SynthConfig, SynthSummary, fill_work_list, synthesise_to_folder,
};
use samkoer_core::{Cpr, KeyFileFormat, MasterKey, MunicipalityCode, RunId, RunKey, SealingKey};
use time::OffsetDateTime;

use crate::common::say;
use crate::common::with_spinner;
use crate::error::{CliError, CliResult};
use samkoer_core::formats::export::date_or_today;

/// `samkoer synth`.
#[derive(Args)]
pub struct SynthArgs {
    /// How many people.
    #[arg(long, default_value_t = 50_000)]
    pub people: usize,
    /// The seed: the same seed gives the same files.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// The reference date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub reference_date: Option<String>,
    /// The folder to write export-SECTOR.csv, relations.csv and the demo's criteria.toml into.
    #[arg(long)]
    pub out_dir: PathBuf,
}

/// Writes a synthetic municipality.
pub fn synth(args: &SynthArgs) -> CliResult<SynthSummary> {
    let config = SynthConfig {
        people: args.people,
        seed: args.seed,
        reference_date: date_or_today(args.reference_date.as_deref())?,
        invalid_rate: 0.002,
    };
    let summary = with_spinner(format!("synthesising {} people", args.people), || {
        synthesise_to_folder(&config, Catalogue::builtin(), &args.out_dir)
    })?;
    say!(
        "{} people, {} families, {} export rows ({} invalid on purpose), {} relations -> {}",
        summary.people,
        summary.families,
        summary.rows.iter().sum::<u64>(),
        summary.invalid_rows,
        summary.relations,
        args.out_dir.display()
    );
    Ok(summary)
}

/// `samkoer demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// How many people the generated municipality has.
    #[arg(long, default_value_t = 50_000)]
    people: usize,
    /// The folder to leave the files in; default a new samkoer-demo folder.
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// A new folder name: samkoer-demo, or samkoer-demo-2, -3, ... if taken.
fn fresh_dir() -> PathBuf {
    (1..)
        .map(|i| match i {
            1 => PathBuf::from("samkoer-demo"),
            i => PathBuf::from(format!("samkoer-demo-{i}")),
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| PathBuf::from("samkoer-demo"))
}

/// The demo's folder, each party's own audit log, and the time of each step.
struct Demo {
    dir: PathBuf,
    logs: std::collections::BTreeMap<String, Audit>,
    now: OffsetDateTime,
    laps: Vec<(&'static str, f64)>,
    started: Instant,
}

impl Demo {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn place(&self, name: &str) -> Place {
        Place::file(self.path(name))
    }

    fn input(&self, name: &str) -> Input {
        Input::path(self.path(name))
    }

    /// The audit log of `party` (`custodian`, `matcher`, `registry`, `plan-team` or a sector
    /// code): `audit/PARTY.log`, each party's own, signed with its key.
    fn log(&self, party: &str) -> &Audit {
        // Every party's log is made when the demo starts.
        &self.logs[party]
    }

    fn key<K: KeyFileFormat>(&self, name: &str) -> CliResult<K> {
        Ok(K::read(&self.path(&format!("keys/{name}")))?)
    }

    fn lap(&mut self, step: &'static str) {
        self.laps.push((step, self.started.elapsed().as_secs_f64()));
        self.started = Instant::now();
    }
}

fn sectors() -> impl Iterator<Item = &'static samkoer_core::SectorCode> {
    Catalogue::builtin().sectors.iter().map(|s| &s.code)
}

/// Every party makes its keys.
fn make_keys(demo: &Demo, municipality: MunicipalityCode, run: &RunId) -> CliResult {
    let make = |request, name: &str, party: &str| {
        keygen(
            request,
            demo.place(&format!("keys/{name}")),
            demo.log(party),
        )
    };
    make(KeyRequest::Master(municipality), "master.key", "custodian")?;
    let master: MasterKey = demo.key("master.key")?;
    make(
        KeyRequest::Run(&master, run.clone(), demo.now.date()),
        "run.key",
        "custodian",
    )?;
    for sector in sectors() {
        let sealing = format!("sealing-{sector}.key");
        make(
            KeyRequest::Sealing(municipality, sector.clone()),
            &sealing,
            sector.as_str(),
        )?;
        // Its public signing key, which the plan team checks the sector's bundles with.
        keygen(
            KeyRequest::Public(&demo.input(&format!("keys/{sealing}"))),
            demo.place(&format!("keys/sector-public-{sector}.key")),
            demo.log(sector.as_str()),
        )?;
    }
    make(KeyRequest::Matcher(municipality), "matcher.key", "matcher")?;
    make(
        KeyRequest::ConsentRegistry(municipality),
        "consent-registry.key",
        "registry",
    )?;
    let registry = demo.input("keys/consent-registry.key");
    make(
        KeyRequest::Public(&registry),
        "consent-registry-public.key",
        "registry",
    )?;
    let registry_key: ConsentRegistryKey = demo.key("consent-registry.key")?;
    make(
        KeyRequest::Subject(&registry_key),
        "subject.key",
        "registry",
    )?;
    make(
        KeyRequest::PlanTeam(municipality),
        "plan-team.key",
        "plan-team",
    )?;
    let plan_team = demo.input("keys/plan-team.key");
    make(
        KeyRequest::Public(&plan_team),
        "plan-team-public.key",
        "plan-team",
    )?;
    Ok(())
}

/// Every sector publishes its export: (published, rejected) records in all.
fn publish_all(demo: &Demo) -> CliResult<(u64, u64)> {
    let run_key: RunKey = demo.key("run.key")?;
    let (mut published, mut rejected) = (0, 0);
    for sector in sectors() {
        let sealing_key: SealingKey = demo.key(&format!("sealing-{sector}.key"))?;
        let step = Publish {
            run_key: &run_key,
            sealing_key: &sealing_key,
            catalogue: Catalogue::builtin(),
            options: &ExportOptions::default(),
            export: demo.input(&format!("exports/export-{sector}.csv")),
            relations: (sector.as_str() == "children-family")
                .then(|| demo.input("exports/relations.csv")),
            threads: None,
            progress: None,
            limits: PublishLimits::default(),
        };
        let to = PublishTo::beside(&demo.path(&format!("publications/{sector}.pub")));
        let report = sector::publish(&step, &to, demo.log(sector.as_str()))?.summary;
        (published, rejected) = (
            published + report.export.published,
            rejected + report.export.rejected,
        );
    }
    Ok((published, rejected))
}

/// Each sector reviews its flag file; simulated caseworkers fill in its work list; its
/// verdicts go to the central unit, which selects.
fn suitability(demo: &Demo) -> CliResult<(Vec<WorkList>, Selection)> {
    let mut lists = Vec::new();
    for sector in sectors() {
        let sealing_key: SealingKey = demo.key(&format!("sealing-{sector}.key"))?;
        let step = Review {
            sealing_key: &sealing_key,
            catalogue: Catalogue::builtin(),
            flag_file: demo.input(&format!("match/flags/{sector}.flag")),
        };
        let list = demo.place(&format!("sectors/{sector}.worklist.csv"));
        let list = sector::review(&step, list, demo.log(sector.as_str()))?.summary;
        let filled = fill_work_list(&list.to_csv(), demo.now.date())?;
        let filled = Input::bytes(format!("{sector}, filled in"), filled.into_bytes());
        let out = demo.place(&format!("sectors/{sector}.verdicts.json"));
        sector::verdict(&step, &filled, out, demo.log(sector.as_str()))?;
        lists.push(list);
    }
    let matcher: MatcherKey = demo.key("matcher.key")?;
    let step = Select {
        matcher: &matcher,
        match_result: demo.input("match/result.json"),
        verdicts: sectors()
            .map(|s| demo.input(&format!("sectors/{s}.verdicts.json")))
            .collect(),
    };
    let selection = central::select(
        &step,
        demo.place("match/selection.json"),
        demo.log("matcher"),
    )?;
    Ok((lists, selection.summary))
}

/// Of the selected citizens found in the work lists, the one with services in the most
/// sectors, and those sectors.
fn chosen(
    lists: &[WorkList],
    selection: &Selection,
) -> Option<(Cpr, Vec<samkoer_core::SectorCode>)> {
    let scope_of = |candidate, cpr: &Cpr| -> Vec<_> {
        lists
            .iter()
            .filter(|l| {
                l.items
                    .iter()
                    .any(|i| i.candidate == candidate && i.cpr == *cpr)
            })
            .map(|l| l.sector.clone())
            .collect()
    };
    selection
        .selected
        .iter()
        .flat_map(|s| {
            lists
                .iter()
                .flat_map(|l| &l.items)
                .filter(move |i| i.candidate == s.candidate)
        })
        .map(|item| (item.cpr.clone(), scope_of(item.candidate, &item.cpr)))
        .max_by_key(|(_, scope)| scope.len())
}

/// What the demo's one-citizen check found.
struct CheckShown {
    sector: samkoer_core::SectorCode,
    citizens: u64,
    candidates: u64,
    answer_seconds: f64,
}

/// A sector's caseworker asks the one-citizen check ("cpr-knap") about every citizen on the
/// sector's work list: the person file, the signed request, the matcher's answer from the
/// check index, the answer read back by CPR number.
fn citizen_check(demo: &Demo, list: &WorkList) -> CliResult<CheckShown> {
    let persons = demo.path("sectors/check-persons.txt");
    // A citizen with several services is on the list once per service: asked about once.
    let mut cprs: Vec<&Cpr> = list.items.iter().map(|i| &i.cpr).collect();
    cprs.sort_by_key(|c| c.expose_digits());
    cprs.dedup_by_key(|c| c.expose_digits());
    cprs.truncate(samkoer_core::formats::check::MAX_REQUEST);
    let mut text = zeroize::Zeroizing::new(String::new());
    for cpr in cprs {
        text.push_str(&cpr.expose_dashed());
        text.push('\n');
    }
    // The caseworker's person file holds CPR numbers: owner-only, as the work list is.
    samkoer_core::files::create(&persons, true)?.write_all(text.as_bytes())?;
    let run_key: RunKey = demo.key("run.key")?;
    let sealing_key: SealingKey = demo.key(&format!("sealing-{}.key", list.sector))?;
    let ask = AskCheck {
        run_key: &run_key,
        sealing_key: &sealing_key,
        persons: Input::path(&persons),
    };
    let sector_log = demo.log(list.sector.as_str());
    sector::ask_check(&ask, demo.place("sectors/check-request.json"), sector_log)?;
    let matcher: MatcherKey = demo.key("matcher.key")?;
    let check = Check {
        matcher: &matcher,
        index: demo.input("match/check-index"),
        request: demo.input("sectors/check-request.json"),
    };
    let started = Instant::now();
    central::check(
        &check,
        demo.place("match/check-answer.json"),
        demo.log("matcher"),
    )?;
    let answer_seconds = started.elapsed().as_secs_f64();
    let read = ReadCheck {
        run_key: &run_key,
        sealing_key: &sealing_key,
        persons: Input::path(&persons),
        answer: demo.input("match/check-answer.json"),
    };
    let results = sector::read_check(&read, demo.place("sectors/check.csv"), sector_log)?;
    Ok(CheckShown {
        sector: list.sector.clone(),
        citizens: results.summary.answers.len() as u64,
        candidates: results.summary.count(CheckAnswer::Candidate),
        answer_seconds,
    })
}

/// What the consent part of the demo did.
struct Consented {
    /// (sector, services) per disclosure.
    disclosed: Vec<(String, usize)>,
    /// The sector whose disclosure after the withdrawal was refused, and the rule.
    refused: (String, &'static str),
    /// The sequence number of the consent state that listed the withdrawal.
    state: u64,
}

/// Consent for the citizen's sectors; the registry publishes its consent state; each sector
/// discloses; the plan team opens. Then the
/// citizen withdraws: the registry's next consent state lists it, and the first sector, never
/// handed the withdrawal, refuses to disclose again.
fn consent_and_disclose(
    demo: &Demo,
    cpr: &Cpr,
    scope: &[samkoer_core::SectorCode],
) -> CliResult<Consented> {
    let registry: ConsentRegistryKey = demo.key("consent-registry.key")?;
    let subject: SubjectKey = demo.key("subject.key")?;
    let issue = Issue {
        registry: &registry,
        subject: &subject,
        person: cpr,
        sectors: scope.to_vec(),
        issued_at: demo.now,
        valid_from: demo.now,
        valid_until: demo.now + time::Duration::days(365),
    };
    registry::issue(
        &issue,
        demo.place("consent/receipt.bin"),
        demo.log("registry"),
    )?;
    let publish_state = |previous: Option<&str>, withdrawals: &[&str], out: &str| {
        let step = PublishState {
            registry: &registry,
            previous: previous.map(|p| demo.input(p)),
            withdrawals: withdrawals.iter().map(|w| demo.input(w)).collect(),
            now: demo.now,
        };
        registry::consent_state(&step, demo.place(out), demo.log("registry"))
    };
    publish_state(None, &[], "consent/state-1.bin")?;
    let registry_public: ConsentRegistryPublicKey = demo.key("consent-registry-public.key")?;
    let plan_team_public: PlanTeamPublicKey = demo.key("plan-team-public.key")?;
    let disclose = |sector: &samkoer_core::SectorCode, state: &str, out: &str| {
        let sealing_key: SealingKey = demo.key(&format!("sealing-{sector}.key"))?;
        let step = Disclose {
            registry: &registry_public,
            subject: &subject,
            sealing_key: &sealing_key,
            plan_team: &plan_team_public,
            catalogue: Catalogue::builtin(),
            options: &ExportOptions::default(),
            receipt: demo.input("consent/receipt.bin"),
            consent_state: Some(demo.input(state)),
            state_max_age: DEFAULT_MAX_AGE_HOURS * 3600,
            export: demo.input(&format!("exports/export-{sector}.csv")),
            now: demo.now,
            ongoing_on: None,
        };
        CliResult::Ok(sector::disclose(
            &step,
            demo.place(out),
            demo.log(sector.as_str()),
        ))
    };
    let mut bundles = Vec::new();
    for sector in scope {
        let out = format!("consent/{sector}.bundle");
        disclose(sector, "consent/state-1.bin", &out)??;
        bundles.push(demo.input(&out));
    }
    let plan_team: PlanTeamKey = demo.key("plan-team.key")?;
    let sector_keys = scope
        .iter()
        .map(|sector| demo.key::<SectorPublicKey>(&format!("sector-public-{sector}.key")))
        .collect::<CliResult<Vec<_>>>()?;
    let open = Open {
        plan_team: &plan_team,
        registry: &registry_public,
        receipt: demo.input("consent/receipt.bin"),
        sectors: sector_keys,
        bundles,
    };
    let opened = plan_team::open(
        &open,
        Some(demo.place("consent/opened.json")),
        demo.log("plan-team"),
    )?;
    // The citizen withdraws; only the registry is told, and it publishes its next state.
    let withdraw = Withdraw {
        registry: &registry,
        receipt: demo.input("consent/receipt.bin"),
        at: demo.now,
    };
    registry::withdraw(
        &withdraw,
        demo.place("consent/withdrawal.bin"),
        demo.log("registry"),
    )?;
    let state = publish_state(
        Some("consent/state-1.bin"),
        &["consent/withdrawal.bin"],
        "consent/state-2.bin",
    )?
    .summary
    .sequence;
    let again = disclose(
        &scope[0],
        "consent/state-2.bin",
        "consent/after-withdrawal.bundle",
    )?;
    let refused = match again {
        Err(error) => (scope[0].to_string(), error.class()),
        Ok(_) => {
            return Err(CliError::usage(
                "a disclosure after the withdrawal was not refused".to_owned(),
                "report this: the consent state must stop it",
            ));
        }
    };
    Ok(Consented {
        disclosed: opened
            .summary
            .disclosures
            .iter()
            .map(|d| (d.sector.clone(), d.services.len()))
            .collect(),
        refused,
        state,
    })
}

/// Runs the whole flow on a generated municipality and prints a summary.
pub fn demo(args: &DemoArgs) -> CliResult {
    let dir = args.dir.clone().unwrap_or_else(fresh_dir);
    if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
        return Err(CliError::usage(
            format!("{} is not empty", dir.display()),
            "name an empty or new folder with --dir",
        ));
    }
    let now = OffsetDateTime::now_utc();
    let parties = ["custodian", "matcher", "registry", "plan-team"]
        .into_iter()
        .chain(sectors().map(|s| s.as_str()));
    std::fs::create_dir_all(dir.join("audit"))?;
    let logs = parties
        .map(|party| {
            let log = Audit::file(dir.join(format!("audit/{party}.log")));
            (party.to_owned(), log)
        })
        .collect();
    let mut demo = Demo {
        logs,
        dir,
        now,
        laps: Vec::new(),
        started: Instant::now(),
    };
    let municipality = MunicipalityCode::new(219)?;
    let run = RunId::new(&format!("{}-{:02}", now.year(), now.month() as u8))?;
    make_keys(&demo, municipality, &run)?;
    demo.lap("keys");
    let town = synth(&SynthArgs {
        people: args.people,
        seed: 2026,
        reference_date: Some(now.date().to_string()),
        out_dir: demo.path("exports"),
    })?;
    demo.lap("synthesise");
    let (published, rejected) =
        with_spinner("publishing, sector by sector", || publish_all(&demo))?;
    demo.lap("publish");
    let matcher: MatcherKey = demo.key("matcher.key")?;
    let step = MatchStep {
        matcher: &matcher,
        catalogue: Catalogue::builtin(),
        criteria: demo.input("exports/criteria.toml"),
        publications: sectors()
            .map(|s| demo.input(&format!("publications/{s}.pub")))
            .collect(),
    };
    let to = MatchTo::folder(demo.path("match"));
    let matched = with_spinner("matching", || {
        central::match_publications(&step, &to, demo.log("matcher"))
    })?
    .summary;
    demo.lap("match");
    let (lists, selection) = suitability(&demo)?;
    demo.lap("review, verdicts, select");
    let checked = match lists.iter().find(|l| !l.items.is_empty()) {
        Some(list) => Some(citizen_check(&demo, list)?),
        None => None,
    };
    let consented = match chosen(&lists, &selection) {
        Some((cpr, scope)) => Some(consent_and_disclose(&demo, &cpr, &scope)?),
        None => None,
    };
    demo.lap("check, consent, withdraw");
    let audits = verify_logs(&demo)?;
    demo.lap("verify audit logs");
    let counts = Counts {
        published,
        rejected,
        town: &town,
        matched: &matched,
        selection: &selection,
    };
    print_summary(
        &demo,
        municipality,
        &run,
        &counts,
        consented.as_ref(),
        checked,
        &audits,
    );
    Ok(())
}

/// What verifying every party's log showed.
struct AuditsShown {
    logs: usize,
    entries: u64,
    evidence: usize,
}

/// Verifies every party's log: each entry signed by that party's key (derived from the key
/// file it holds), and holding the head each file it handed on carries.
fn verify_logs(demo: &Demo) -> CliResult<AuditsShown> {
    let key_of = |party: &str| match party {
        "custodian" => "master.key".to_owned(),
        "matcher" => "matcher.key".to_owned(),
        "registry" => "consent-registry.key".to_owned(),
        "plan-team" => "plan-team.key".to_owned(),
        sector => format!("sealing-{sector}.key"),
    };
    let mut shown = AuditsShown {
        logs: 0,
        entries: 0,
        evidence: 0,
    };
    // The files each party handed on, which carry its log's head.
    let handed_on = |party: &str| -> Vec<String> {
        match party {
            "matcher" => std::iter::once("match/result.json".to_owned())
                .chain(sectors().map(|s| format!("match/flags/{s}.flag")))
                .collect(),
            "registry" => vec!["consent/receipt.bin".to_owned()],
            sector => vec![
                format!("publications/{sector}.pub"),
                format!("sectors/{sector}.verdicts.json"),
                format!("consent/{sector}.bundle"),
            ],
        }
    };
    for party in demo.logs.keys() {
        let signing = party_signing_key(&demo.input(&format!("keys/{}", key_of(party))))?;
        let step = VerifyAudit {
            log: demo.input(&format!("audit/{party}.log")),
            head: None,
            signer: Some(signing.public()),
            evidence: handed_on(party)
                .iter()
                .map(|file| demo.path(file))
                .filter(|path| path.exists())
                .map(Input::path)
                .collect(),
        };
        let verified = verify_audit(&step)?;
        shown.logs += 1;
        shown.entries += verified.head.seq;
        shown.evidence += verified.evidence.len();
    }
    Ok(shown)
}

/// What the summary reports.
struct Counts<'a> {
    published: u64,
    rejected: u64,
    town: &'a SynthSummary,
    matched: &'a Match,
    selection: &'a Selection,
}

/// A family rule in words, as the demo's summary gives it.
fn family_rule(rule: &FamilyRule) -> String {
    let mut parts = Vec::new();
    if rule.require_child_and_adult {
        parts.push("a child and an adult receiving services".to_owned());
    }
    parts.push(format!(
        "services from {} or more sectors between them",
        rule.min_sectors
    ));
    if let Some(bands) = rule.child_age_bands {
        let names: Vec<&str> = bands.iter().map(|band| band.name()).collect();
        parts.push(format!("a child in band {}", names.join(" or ")));
    }
    let last = parts.pop().unwrap_or_default();
    match parts.is_empty() {
        true => last,
        false => format!("{} and {last}", parts.join(", ")),
    }
}

fn print_summary(
    demo: &Demo,
    municipality: MunicipalityCode,
    run: &RunId,
    counts: &Counts<'_>,
    consented: Option<&Consented>,
    checked: Option<CheckShown>,
    audits: &AuditsShown,
) {
    let (matched, selection) = (counts.matched, counts.selection);
    say!(
        "\nsamkoer demo: municipality {municipality}, run {run}, {} people ({} families)",
        counts.town.people,
        counts.town.families
    );
    say!("\nwho holds what");
    say!(
        "  key custodian   keys/master.key, keys/run.key (the run key goes to the sectors, never the matcher)"
    );
    say!(
        "  each sector     its export, keys/sealing-SECTOR.key, the run key, subject key; its work list and verdicts"
    );
    say!(
        "  central matcher publications/*.pub only: pseudonyms, categories, months, age bands, sealed envelopes;"
    );
    say!("                  keys/matcher.key signs its audit entries");
    say!(
        "  consent registry keys/consent-registry.key; sectors verify with keys/consent-registry-public.key"
    );
    say!("  plan team       keys/plan-team.key; opens consent/*.bundle");
    say!(
        "\npublished {} records ({} rows rejected as invalid, every row accounted for)",
        counts.published,
        counts.rejected
    );
    let families = matched
        .candidates()
        .iter()
        .filter(|c| c.kind == samkoer_core::central::matcher::CandidateKind::Family)
        .count();
    say!(
        "candidates {} ({families} families, {} deferred); selected {}, removed {}, outstanding {}",
        matched.candidates().len(),
        matched.deferred_count(),
        selection.selected.len(),
        selection.removed.len(),
        selection.outstanding.len()
    );
    // The demo wrote these criteria itself, so they parse; say what made a family a candidate.
    let criteria = Criteria::parse(DEMO_CRITERIA, "criteria.toml", Catalogue::builtin());
    if let Some(rule) = criteria.ok().and_then(|c| c.family) {
        say!(
            "  a family is a candidate with {} (exports/criteria.toml)",
            family_rule(&rule)
        );
    }
    if let Some(check) = checked {
        say!(
            "citizen check by {}: {} citizens asked (signed request), {} candidates, answered from match/check-index in {:.1} ms",
            check.sector,
            check.citizens,
            check.candidates,
            check.answer_seconds * 1000.0
        );
    }
    if let Some(consented) = consented {
        for (sector, services) in &consented.disclosed {
            say!("disclosed by {sector}: {services} ongoing services, sealed for the plan team");
        }
        let (sector, rule) = &consented.refused;
        say!(
            "withdrawn: consent state {} (consent/state-{}.bin) lists the withdrawal; {sector}, never handed it, refused to disclose again ({rule})",
            consented.state,
            consented.state
        );
    }
    say!(
        "\nstatistics (counts below {} suppressed, shown as -)",
        matched.statistics.threshold
    );
    for table in &matched.statistics.tables {
        let cells: Vec<String> = table
            .cells
            .iter()
            .map(|c| {
                format!(
                    "{}={}",
                    c.label,
                    c.value.map_or("-".into(), |v| v.to_string())
                )
            })
            .collect();
        say!("  {:<26} {}", table.name, cells.join("  "));
    }
    say!(
        "\naudit: {} logs, one per party in audit/, {} entries, each signed by its party's key; \
         the log heads of the {} files they handed on (publications, flag files, the match \
         result, verdicts, the receipt, bundles) held by their authors' logs",
        audits.logs,
        audits.entries,
        audits.evidence
    );
    say!("\ntime per step");
    for (step, seconds) in &demo.laps {
        say!("  {step:<26} {seconds:>7.2} s");
    }
    say!("\nfiles are in {}", demo.dir.display());
}
