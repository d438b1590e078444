//! `samkoer`: every step of a selection run as a subcommand, a synthetic municipality, and a
//! demo of the whole flow. Each subcommand turns its arguments into a step of the core
//! (`samkoer_core::flow`) and prints the step's summary or error; nothing else.

#![forbid(unsafe_code)]

mod central;
mod common;
mod demo;
mod error;
mod keys;
mod plan_team;
mod registry;
mod sector;
mod show;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Privacy-preserving cross-sector matching for Danish municipalities.
#[derive(Parser)]
#[command(name = "samkoer", version, about, long_about = None)]
struct Cli {
    /// Append an entry for this step to this audit log (created if missing, verified first).
    #[arg(long, global = true, value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// Print the step's summary for machines instead of the text: one JSON object, the entry
    /// the step appends to the audit log (party, action, run, what it made with each output's
    /// digest, counts, outcome), with `error` (code, message, remedy) when it failed.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make keys; prints only their fingerprints.
    #[command(
        after_help = "Examples:\n  samkoer keygen master --municipality 219 --out master.key\n  samkoer keygen run --master master.key --run 2026-11 --out run.key\n  samkoer keygen sealing --municipality 219 --sector employment --out sealing.key\n  samkoer keygen public --key registry.key --out registry-public.key"
    )]
    Keygen {
        #[command(subcommand)]
        kind: keys::KeygenKind,
    },
    /// Show the service catalogue.
    #[command(after_help = "Example:\n  samkoer catalogue --json > catalogue.json")]
    Catalogue {
        /// A catalogue file instead of the built-in one.
        #[arg(long, value_name = "FILE")]
        catalogue: Option<PathBuf>,
    },
    /// Turn a case-system export (and relations file) into a publication and an accounting report.
    #[command(
        after_help = "Example:\n  samkoer publish --run-key run.key --sealing-key sealing.key --export export.csv --relations relations.csv --reference-date 2026-11-01 --out employment.pub"
    )]
    Publish(sector::PublishArgs),
    /// Match publications: the result, one flag file per sector, statistics.
    #[command(
        after_help = "Example:\n  samkoer match --matcher-key matcher.key --criteria criteria.toml --out-dir match *.pub"
    )]
    Match(central::MatchArgs),
    /// The one-citizen check: a sector asks about one of its citizens, the matcher answers.
    Check {
        #[command(subcommand)]
        action: CheckAction,
    },
    /// Open a sector's flag file: the caseworkers' work list (it holds CPR numbers).
    #[command(
        after_help = "Example:\n  samkoer review --sealing-key sealing.key --flag-file employment.flag --out worklist.csv"
    )]
    Review(sector::ReviewArgs),
    /// Turn a filled-in work list into the verdict file sent to the central unit.
    #[command(
        after_help = "Example:\n  samkoer verdict --sealing-key sealing.key --flag-file employment.flag --work-list worklist.csv --out employment.verdicts.json"
    )]
    Verdict(sector::VerdictArgs),
    /// Combine the sectors' verdicts into the final selection.
    #[command(
        after_help = "Example:\n  samkoer select --matcher-key matcher.key --match-result match/result.json --out selection.json *.verdicts.json"
    )]
    Select(central::SelectArgs),
    /// Consent receipts: issue, withdraw, publish the consent state, verify.
    Consent {
        #[command(subcommand)]
        action: ConsentAction,
    },
    /// Release a sector's services for a consented person, sealed for the plan team.
    #[command(
        after_help = "Example:\n  samkoer disclose --receipt receipt.bin --consent-state consent-state.bin --registry-public registry-public.key --subject-key subject.key --sealing-key sealing.key --export export.csv --plan-team-public plan-team-public.key --out employment.bundle"
    )]
    Disclose(sector::DiscloseArgs),
    /// Open disclosure bundles with the plan team's key.
    #[command(
        after_help = "Example:\n  samkoer open --plan-team-key plan-team.key --registry-public registry-public.key --receipt receipt.bin --sector-public employment-public.key --sector-public adult-social-public.key *.bundle"
    )]
    Open(plan_team::OpenArgs),
    /// Check an audit log.
    Audit {
        #[command(subcommand)]
        action: plan_team::AuditAction,
    },
    /// Write a synthetic municipality: one export per sector and a relations file.
    #[command(after_help = "Example:\n  samkoer synth --people 50000 --seed 7 --out-dir town")]
    Synth(demo::SynthArgs),
    /// Run the whole flow on a generated municipality and print a summary.
    #[command(after_help = "Example:\n  samkoer demo --people 50000")]
    Demo(demo::DemoArgs),
}

/// The one-citizen check's two sides.
#[derive(Subcommand)]
enum CheckAction {
    /// Ask (in a sector): a signed request naming the sector's citizens by pseudonym.
    #[command(
        after_help = "Example:\n  samkoer check ask --run-key run.key --sealing-key employment.key --persons persons.txt --out request.json"
    )]
    Ask(sector::AskArgs),
    /// Answer (central): whether each citizen is a candidate, from the match's check index.
    #[command(
        after_help = "Example:\n  samkoer check answer --matcher-key matcher.key --index match/check-index --request request.json --out answer.json"
    )]
    Answer(central::AnswerArgs),
    /// Read (in the sector): the answer by CPR number, onto the person file asked about.
    #[command(
        after_help = "Example:\n  samkoer check read --run-key run.key --sealing-key employment.key --persons persons.txt --answer answer.json --out check.csv"
    )]
    Read(sector::ReadCheckArgs),
}

/// Consent receipts.
#[derive(Subcommand)]
enum ConsentAction {
    /// Issue a receipt (in the consent registry).
    #[command(
        after_help = "Example:\n  samkoer consent issue --registry-key registry.key --subject-key subject.key --person person.txt --sectors employment,adult-social --out receipt.bin"
    )]
    Issue(registry::IssueArgs),
    /// Withdraw a receipt from now on (in the consent registry).
    #[command(
        after_help = "Example:\n  samkoer consent withdraw --registry-key registry.key --receipt receipt.bin --out withdrawal.bin"
    )]
    Withdraw(registry::WithdrawArgs),
    /// Publish the consent state: every withdrawal so far, signed (in the consent registry).
    #[command(
        after_help = "Example:\n  samkoer consent state --registry-key registry.key --previous consent-state.bin --withdrawal withdrawal.bin --out consent-state.bin"
    )]
    State(registry::StateArgs),
    /// Check a receipt for a sector now, against the registry's consent state.
    #[command(
        after_help = "Example:\n  samkoer consent verify --registry-public registry-public.key --receipt receipt.bin --consent-state consent-state.bin --sealing-key employment.key"
    )]
    Verify(sector::VerifyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = cli.audit_log.as_deref();
    common::set_up(log, cli.json);
    let no_summary = matches!(
        cli.command,
        Command::Synth(_) | Command::Demo(_) | Command::Audit { .. }
    );
    if cli.json && no_summary {
        let error = error::CliError::usage(
            "--json gives the summary of one step of the flow",
            "leave --json out for synth, demo and audit verify",
        );
        eprintln!("{error}");
        return ExitCode::from(2);
    }
    let catalogue_only = matches!(cli.command, Command::Catalogue { .. });
    let result = match cli.command {
        Command::Keygen { kind } => keys::run(kind, log),
        Command::Catalogue { catalogue } => show::catalogue(cli.json, catalogue.as_deref()),
        Command::Publish(args) => sector::publish(&args, log),
        Command::Match(args) => central::matching(&args, log),
        Command::Check {
            action: CheckAction::Ask(args),
        } => sector::ask(&args, log),
        Command::Check {
            action: CheckAction::Answer(args),
        } => central::answer(&args, log),
        Command::Check {
            action: CheckAction::Read(args),
        } => sector::read_check(&args, log),
        Command::Review(args) => sector::review(&args, log),
        Command::Verdict(args) => sector::verdict(&args, log),
        Command::Select(args) => central::select(&args, log),
        Command::Consent { action } => match action {
            ConsentAction::Issue(args) => registry::issue(&args, log),
            ConsentAction::Withdraw(args) => registry::withdraw(&args, log),
            ConsentAction::State(args) => registry::state(&args, log),
            ConsentAction::Verify(args) => sector::verify_consent(&args, log),
        },
        Command::Disclose(args) => sector::disclose(&args, log),
        Command::Open(args) => plan_team::open(&args, log),
        Command::Audit { action } => plan_team::audit_log(action),
        Command::Synth(args) => demo::synth(&args).map(drop),
        Command::Demo(args) => demo::demo(&args),
    };
    if cli.json && !catalogue_only {
        let summary = error::summary(common::last_step(), result.as_ref().err());
        common::write_any(format_args!("{summary}"), true);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(u8::try_from(error.code()).unwrap_or(1))
        }
    }
}
