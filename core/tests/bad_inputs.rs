//! The bad-input corpus `tests/bad-inputs/` through the library: every case's command is done
//! with the core calls the CLI makes for it, and must fail with the manifest's rule, code and
//! line or record (or, for bad rows of an export, reject exactly the manifest's lines), with a
//! message that holds no CPR number. The good companions' own commands must succeed.
//! Regenerate the corpus with `cargo run -p samkoer-core --example bad_inputs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::HashMap;
use std::path::Path;

use samkoer_core::audit::Head;
use samkoer_core::files::{Input, Place, read_text};
use samkoer_core::flow::{Audit, central, plan_team, registry, sector, verify_log};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::{ExportOptions, parse_date};
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, MatcherKey, PlanTeamKey, PlanTeamPublicKey,
    SectorPublicKey, SubjectKey,
};
use samkoer_core::sector::publish::AccountingReport;
use samkoer_core::sector::publish::PublishLimits;
use samkoer_core::{Error, KeyFileFormat, RunKey, SealingKey};
use serde_json::Value;

#[path = "../../tests/support/bad_inputs.rs"]
mod bad_inputs;
use bad_inputs::{leaks, run_corpus, working_copy};
use time::OffsetDateTime;

/// A command line of the manifest: its words (subcommands and positional arguments) and its
/// `--flag value` pairs.
struct Command {
    words: Vec<String>,
    flags: HashMap<String, Vec<String>>,
}

impl Command {
    fn parse(args: &[String]) -> Command {
        let mut command = Command {
            words: Vec::new(),
            flags: HashMap::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.strip_prefix("--") {
                Some(flag) => command
                    .flags
                    .entry(flag.to_owned())
                    .or_default()
                    .push(args.next().expect("every flag has a value").clone()),
                None => command.words.push(arg.clone()),
            }
        }
        command
    }

    fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .get(name)
            .and_then(|values| values.first())
            .map(String::as_str)
    }

    fn all(&self, name: &str) -> &[String] {
        self.flags.get(name).map_or(&[], Vec::as_slice)
    }
}

/// What a command gave: the accounting of a publish, or nothing to look at.
type Outcome = Result<Option<AccountingReport>, Error>;

fn name(path: &Path) -> String {
    path.display().to_string()
}

/// Does what `samkoer` does for the command, with the library's steps, in the folder `at`.
fn run(at: &Path, args: &[String]) -> Outcome {
    let command = Command::parse(args);
    let path = |flag: &str| at.join(command.flag(flag).unwrap());
    let input = |flag: &str| Input::path(path(flag));
    let inputs = |names: &[&str]| {
        names
            .iter()
            .map(|n| Input::path(at.join(n)))
            .collect::<Vec<_>>()
    };
    let all = |flag: &str| {
        inputs(
            &command
                .all(flag)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
    };
    let out = |flag: &str| Place::file(path(flag));
    let catalogue = Catalogue::builtin();
    let audit = Audit::none();
    let matcher = || MatcherKey::read(&path("matcher-key"));
    let now = OffsetDateTime::now_utc();
    // The CLI's `--state-max-age HOURS`, 24 when not given.
    let max_age = || {
        command
            .flag("state-max-age")
            .map_or(24, |hours| hours.parse::<u64>().unwrap())
            * 3600
    };
    let words: Vec<&str> = command.words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["publish"] => {
            let run_key = RunKey::read(&path("run-key"))?;
            let sealing_key = SealingKey::read(&path("sealing-key"))?;
            let options = match command.flag("mapping") {
                Some(_) => ExportOptions::from_mapping(
                    &read_text(&path("mapping"))?,
                    &name(&path("mapping")),
                )?,
                None => ExportOptions::default(),
            };
            let step = sector::Publish {
                run_key: &run_key,
                sealing_key: &sealing_key,
                catalogue,
                options: &options,
                export: input("export"),
                relations: command.flag("relations").map(|_| input("relations")),
                threads: None,
                progress: None,
                limits: PublishLimits::new(
                    command
                        .flag("max-rejected")
                        .map_or(5, |p| p.parse().unwrap_or(101)),
                    false,
                )?,
            };
            let done = sector::publish(&step, &sector::PublishTo::beside(&path("out")), &audit)?;
            Ok(Some(done.summary))
        }
        ["match", publications @ ..] => {
            let matcher = matcher()?;
            let step = central::MatchStep {
                matcher: &matcher,
                catalogue,
                criteria: input("criteria"),
                publications: inputs(publications),
            };
            central::match_publications(&step, &central::MatchTo::folder(path("out-dir")), &audit)?;
            Ok(None)
        }
        ["review"] | ["verdict"] => {
            let sealing_key = SealingKey::read(&path("sealing-key"))?;
            let step = sector::Review {
                sealing_key: &sealing_key,
                catalogue,
                flag_file: input("flag-file"),
            };
            if words == ["review"] {
                sector::review(&step, out("out"), &audit)?;
            } else {
                sector::verdict(&step, &input("work-list"), out("out"), &audit)?;
            }
            Ok(None)
        }
        ["check", "ask"] | ["check", "read"] => {
            let run_key = RunKey::read(&path("run-key"))?;
            let sealing_key = SealingKey::read(&path("sealing-key"))?;
            if words == ["check", "ask"] {
                let step = sector::AskCheck {
                    run_key: &run_key,
                    sealing_key: &sealing_key,
                    persons: input("persons"),
                };
                sector::ask_check(&step, out("out"), &audit)?;
            } else {
                let step = sector::ReadCheck {
                    run_key: &run_key,
                    sealing_key: &sealing_key,
                    persons: input("persons"),
                    answer: input("answer"),
                };
                sector::read_check(&step, out("out"), &audit)?;
            }
            Ok(None)
        }
        ["check", "answer"] => {
            let matcher = matcher()?;
            let step = central::Check {
                matcher: &matcher,
                index: input("index"),
                request: input("request"),
            };
            central::check(&step, out("out"), &audit)?;
            Ok(None)
        }
        ["select", verdict_files @ ..] => {
            let matcher = matcher()?;
            let step = central::Select {
                matcher: &matcher,
                match_result: input("match-result"),
                verdicts: inputs(verdict_files),
            };
            central::select(&step, out("out"), &audit)?;
            Ok(None)
        }
        ["consent", "verify"] => {
            let registry = ConsentRegistryPublicKey::read(&path("registry-public"))?;
            let sealing_key = SealingKey::read(&path("sealing-key"))?;
            let step = sector::VerifyConsent {
                registry: &registry,
                receipt: input("receipt"),
                consent_state: command
                    .flag("consent-state")
                    .map(|_| input("consent-state")),
                state_max_age: max_age(),
                sealing_key: &sealing_key,
                now,
            };
            sector::verify_consent(&step, &audit)?;
            Ok(None)
        }
        ["consent", "state"] => {
            let key = ConsentRegistryKey::read(&path("registry-key"))?;
            let step = registry::PublishState {
                registry: &key,
                previous: command.flag("previous").map(|_| input("previous")),
                withdrawals: all("withdrawal"),
                now,
            };
            registry::consent_state(&step, out("out"), &audit)?;
            Ok(None)
        }
        ["disclose"] => {
            let sealing_key = SealingKey::read(&path("sealing-key"))?;
            let registry = ConsentRegistryPublicKey::read(&path("registry-public"))?;
            let subject = SubjectKey::read(&path("subject-key"))?;
            let plan_team = PlanTeamPublicKey::read(&path("plan-team-public"))?;
            let step = sector::Disclose {
                registry: &registry,
                subject: &subject,
                sealing_key: &sealing_key,
                plan_team: &plan_team,
                catalogue,
                options: &ExportOptions::default(),
                receipt: input("receipt"),
                consent_state: command
                    .flag("consent-state")
                    .map(|_| input("consent-state")),
                state_max_age: max_age(),
                export: input("export"),
                now,
                ongoing_on: command.flag("ongoing-on").map(parse_date).transpose()?,
            };
            sector::disclose(&step, out("out"), &audit)?;
            Ok(None)
        }
        ["open", bundles @ ..] => {
            let plan_team = PlanTeamKey::read(&path("plan-team-key"))?;
            let registry = ConsentRegistryPublicKey::read(&path("registry-public"))?;
            let sectors = command
                .all("sector-public")
                .iter()
                .map(|p| SectorPublicKey::read(&at.join(p)))
                .collect::<Result<Vec<_>, _>>()?;
            let step = plan_team::Open {
                plan_team: &plan_team,
                registry: &registry,
                receipt: input("receipt"),
                sectors,
                bundles: inputs(bundles),
            };
            plan_team::open(&step, None, &audit)?;
            Ok(None)
        }
        ["audit", "verify", log] => {
            let expected = command.flag("head").map(Head::parse).transpose()?;
            verify_log(&Input::path(at.join(log)), expected)?;
            Ok(None)
        }
        ["catalogue"] => {
            let file = path("catalogue");
            Catalogue::parse(&read_text(&file)?, &name(&file))?;
            Ok(None)
        }
        other => panic!("no library equivalent for the command {other:?}"),
    }
}

/// Checks one case's outcome against its expectation; the reasons it does not match.
fn check(case: &Value, at: &Path, outcome: Outcome, cprs: &[String]) -> Vec<String> {
    let expect = &case["expect"];
    let mut wrong = Vec::new();
    match (expect["outcome"].as_str().unwrap(), outcome) {
        ("error", Err(error)) => {
            if error.class() != expect["class"].as_str().unwrap() {
                wrong.push(format!("class {} (message: {error})", error.class()));
            }
            if u64::from(error.code()) != expect["code"].as_u64().unwrap() {
                wrong.push(format!("code {}", error.code()));
            }
            let file = expect["file"].as_str().map(|f| name(&at.join(f)));
            let line = expect["line"].as_u64();
            let record = expect["record"].as_u64();
            let place_ok = match (expect["form"].as_str().unwrap(), &error) {
                (
                    "input",
                    Error::Input {
                        file: f, line: l, ..
                    },
                ) => Some(f) == file.as_ref() && Some(*l) == line,
                ("input", Error::Refused { file: f, .. }) => {
                    Some(f) == file.as_ref() && line.is_none()
                }
                (
                    "format",
                    Error::Format {
                        file: f, record: r, ..
                    },
                )
                | ("open-failed", Error::OpenFailedIn { file: f, record: r }) => {
                    Some(f) == file.as_ref() && Some(*r) == record
                }
                ("parameter", Error::Parameter { .. }) => true,
                _ => false,
            };
            if !place_ok {
                wrong.push(format!("place or form: {error:?}"));
            }
            let message = error.to_string();
            if !message.contains(expect["message"].as_str().unwrap()) {
                wrong.push(format!("message {message:?}"));
            }
            if let Some(leak) = leaks(&message, cprs) {
                wrong.push(format!("the message shows {leak}: {message}"));
            }
        }
        ("rows", Ok(Some(report))) => {
            let accounting = match expect["section"].as_str().unwrap() {
                "export" => &report.export,
                _ => report.relations.as_ref().unwrap(),
            };
            let rejected: Vec<(u64, String, u64)> = accounting
                .rejected_lines
                .iter()
                .map(|r| (r.line, r.rule.to_owned(), u64::from(r.code)))
                .collect();
            let expected: Vec<(u64, String, u64)> = expect["rejected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["line"].as_u64().unwrap(),
                        r["rule"].as_str().unwrap().to_owned(),
                        r["code"].as_u64().unwrap(),
                    )
                })
                .collect();
            if rejected != expected {
                wrong.push(format!("rejected {rejected:?}"));
            }
            let counts = (accounting.rows, accounting.published);
            let expected_counts = (
                expect["rows"].as_u64().unwrap(),
                expect["published"].as_u64().unwrap(),
            );
            if counts != expected_counts {
                wrong.push(format!("rows and published {counts:?}"));
            }
            if !accounting.is_balanced() {
                wrong.push("the accounting does not balance".into());
            }
            if let Some(leak) = leaks(&report.to_json(), cprs) {
                wrong.push(format!("the report shows {leak}"));
            }
        }
        (_, Ok(_)) => wrong.push("no error".into()),
        (_, Err(error)) => wrong.push(format!("unexpected error: {error}")),
    }
    wrong
}

#[test]
fn every_bad_input_gives_its_error_through_the_library() {
    let work = working_copy();
    let at = work.path();
    run_corpus(
        at,
        |args| run(at, args).map(|_| ()).map_err(|e| e.to_string()),
        |case, args, cprs| check(case, at, run(at, args), cprs),
    );
}
