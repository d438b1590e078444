//! The bad-input corpus `tests/bad-inputs/` through the library: every case's command is done
//! with the core calls the CLI makes for it, and must fail with the manifest's rule, code and
//! line or record (or, for bad rows of an export, reject exactly the manifest's lines), with a
//! message that holds no CPR number. The good companions' own commands must succeed.
//! Regenerate the corpus with `cargo run -p samkoer-core --example bad_inputs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use samkoer_core::audit::Head;
use samkoer_core::central::matcher::{Match, Source};
use samkoer_core::central::selection as verdict;
use samkoer_core::consent::disclosure::{Discloser, open_disclosure};
use samkoer_core::consent::receipt::{Receipt, Withdrawal};
use samkoer_core::files::read_text;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::{ExportOptions, parse_date};
use samkoer_core::formats::verdicts::VerdictFile;
use samkoer_core::primitives::keys::{
    ConsentRegistryPublicKey, PlanTeamKey, PlanTeamPublicKey, SubjectKey,
};
use samkoer_core::sector::publish::{AccountingReport, Publisher};
use samkoer_core::sector::review::{WorkList, review};
use samkoer_core::{Error, KeyFileFormat, RunKey, SealingKey, SectorCode};
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

fn open_work_list(at: &Path, command: &Command, catalogue: &Catalogue) -> Result<WorkList, Error> {
    let sealing = SealingKey::read(&at.join(command.flag("sealing-key").unwrap()))?;
    let flag_file = at.join(command.flag("flag-file").unwrap());
    let file = File::open(&flag_file).map_err(|e| Error::Io {
        file: name(&flag_file),
        source: e,
    })?;
    review(BufReader::new(file), &name(&flag_file), &sealing, catalogue)
}

/// Does what `samkoer` does for the command, with the library, in the folder `at`.
fn run(at: &Path, args: &[String]) -> Outcome {
    let command = Command::parse(args);
    let path = |flag: &str| at.join(command.flag(flag).unwrap());
    let catalogue = Catalogue::builtin();
    let words: Vec<&str> = command.words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["publish"] => {
            let run_key = RunKey::read(&path("run-key"))?;
            let sealing = SealingKey::read(&path("sealing-key"))?;
            let options = match command.flag("mapping") {
                Some(mapping) => {
                    let mapping = at.join(mapping);
                    ExportOptions::from_mapping(&read_text(&mapping)?, &name(&mapping))?
                }
                None => ExportOptions::default(),
            };
            let reference = parse_date(command.flag("reference-date").unwrap()).unwrap();
            let publisher = Publisher::new(&run_key, &sealing, catalogue, &options, reference)?;
            let relations = command.flag("relations").map(|r| at.join(r));
            let report =
                publisher.publish_files(&path("export"), relations.as_deref(), &path("out"))?;
            Ok(Some(report))
        }
        ["match", publications @ ..] => {
            let criteria = path("criteria");
            let criteria = Criteria::parse(&read_text(&criteria)?, &name(&criteria), catalogue)?;
            let sources = publications
                .iter()
                .map(|p| Source::Path(at.join(p)))
                .collect();
            Match::run(sources, catalogue, &criteria)?;
            Ok(None)
        }
        ["review"] => open_work_list(at, &command, catalogue).map(|_| None),
        ["verdict"] => {
            let list = open_work_list(at, &command, catalogue)?;
            let work_list = path("work-list");
            VerdictFile::from_work_list_csv(&read_text(&work_list)?, &name(&work_list), &list)?;
            Ok(None)
        }
        ["select", verdict_files @ ..] => {
            let result = path("match-result");
            let (municipality, run, sent) =
                verdict::sent_from_match_report(&read_text(&result)?, &name(&result))?;
            let files = verdict_files
                .iter()
                .map(|file| {
                    let file = at.join(file);
                    Ok((
                        name(&file),
                        VerdictFile::parse(&read_text(&file)?, &name(&file))?,
                    ))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            verdict::select(municipality, &run, &sent, &files)?;
            Ok(None)
        }
        ["consent", "verify"] => {
            let public = ConsentRegistryPublicKey::read(&path("registry-public"))?;
            let receipt = path("receipt");
            let parsed = Receipt::parse(&read_bytes(&receipt)?, &name(&receipt))?;
            let withdrawals = withdrawals(at, &command)?;
            let sector = SectorCode::new(command.flag("sector").unwrap())?;
            parsed.check(
                &public,
                &withdrawals,
                &sector,
                OffsetDateTime::now_utc(),
                &name(&receipt),
            )?;
            Ok(None)
        }
        ["disclose"] => {
            let sealing = SealingKey::read(&path("sealing-key"))?;
            let registry = ConsentRegistryPublicKey::read(&path("registry-public"))?;
            let subject = SubjectKey::read(&path("subject-key"))?;
            let plan_team = PlanTeamPublicKey::read(&path("plan-team-public"))?;
            let options = ExportOptions::default();
            let receipt = path("receipt");
            let parsed = Receipt::parse(&read_bytes(&receipt)?, &name(&receipt))?;
            let discloser = Discloser {
                registry: &registry,
                subject: &subject,
                sector: sealing.sector(),
                plan_team: &plan_team,
                catalogue,
                options: &options,
            };
            let export = path("export");
            let input = BufReader::new(File::open(&export).unwrap());
            discloser.disclose(
                &parsed,
                &withdrawals(at, &command)?,
                &name(&receipt),
                input,
                &name(&export),
                OffsetDateTime::now_utc(),
            )?;
            Ok(None)
        }
        ["open", bundles @ ..] => {
            let key = PlanTeamKey::read(&path("plan-team-key"))?;
            for bundle in bundles {
                let bundle = at.join(bundle);
                open_disclosure(&read_bytes(&bundle)?, &key, &name(&bundle))?;
            }
            Ok(None)
        }
        ["audit", "verify", log] => {
            let expected = command.flag("head").map(|head| {
                let (seq, hash) = head.split_once(':').unwrap();
                let mut bytes = [0; 32];
                hex::decode_to_slice(hash, &mut bytes).unwrap();
                Head {
                    seq: seq.parse().unwrap(),
                    hash: bytes,
                }
            });
            let log = at.join(log);
            let input = BufReader::new(File::open(&log).unwrap());
            samkoer_core::audit::verify(input, &name(&log), expected)?;
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

fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Io {
        file: name(path),
        source: e,
    })
}

fn withdrawals(at: &Path, command: &Command) -> Result<Vec<Withdrawal>, Error> {
    command
        .all("withdrawal")
        .iter()
        .map(|file| {
            let file = at.join(file);
            Withdrawal::parse(&read_bytes(&file)?, &name(&file))
        })
        .collect()
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
