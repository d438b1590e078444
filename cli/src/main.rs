//! `samkoer`: every step of a selection run as a subcommand, a synthetic municipality, and a
//! demo of the whole flow. Each subcommand is a thin layer over `samkoer-core`.

#![forbid(unsafe_code)]

mod demo;
mod error;
mod steps;

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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make keys; prints only their fingerprints.
    #[command(
        after_help = "Examples:\n  samkoer keygen master --municipality 219 --out master.key\n  samkoer keygen run --master master.key --run 2026-11 --out run.key\n  samkoer keygen sealing --municipality 219 --sector employment --out sealing.key\n  samkoer keygen public --key registry.key --out registry.pub"
    )]
    Keygen {
        #[command(subcommand)]
        kind: steps::KeygenKind,
    },
    /// Show the service catalogue.
    #[command(after_help = "Example:\n  samkoer catalogue --json > catalogue.json")]
    Catalogue {
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
        /// A catalogue file instead of the built-in one.
        #[arg(long, value_name = "FILE")]
        catalogue: Option<PathBuf>,
    },
    /// Turn a case-system export (and relations file) into a publication and an accounting report.
    #[command(
        after_help = "Example:\n  samkoer publish --run-key run.key --sealing-key sealing.key --export export.csv --relations relations.csv --out employment.pub --report employment.accounting.json"
    )]
    Publish(steps::PublishArgs),
    /// Match publications: the result, one flag file per sector, statistics.
    #[command(
        after_help = "Example:\n  samkoer match --criteria criteria.toml --out-dir match *.pub"
    )]
    Match(steps::MatchArgs),
    /// Open a sector's flag file: the caseworkers' work list (it holds CPR numbers).
    #[command(
        after_help = "Example:\n  samkoer review --sealing-key sealing.key --flag-file employment.flag --out worklist.csv"
    )]
    Review(steps::ReviewArgs),
    /// Turn a filled-in work list into the verdict file sent to the central unit.
    #[command(
        after_help = "Example:\n  samkoer verdict --sealing-key sealing.key --flag-file employment.flag --work-list worklist.csv --out employment.verdicts.json"
    )]
    Verdict(steps::VerdictArgs),
    /// Combine the sectors' verdicts into the final selection.
    #[command(
        after_help = "Example:\n  samkoer select --match-result match/result.json --out selection.json *.verdicts.json"
    )]
    Select(steps::SelectArgs),
    /// Consent receipts: issue, withdraw, verify.
    Consent {
        #[command(subcommand)]
        action: steps::ConsentAction,
    },
    /// Release a sector's services for a consented person, sealed for the plan team.
    #[command(
        after_help = "Example:\n  samkoer disclose --receipt r.receipt --registry-public registry.pub --subject-key subject.key --sealing-key sealing.key --export export.csv --plan-team-public plan-team.pub --out employment.bundle"
    )]
    Disclose(steps::DiscloseArgs),
    /// Open disclosure bundles with the plan team's key.
    #[command(after_help = "Example:\n  samkoer open --plan-team-key plan-team.key *.bundle")]
    Open(steps::OpenArgs),
    /// Check an audit log.
    Audit {
        #[command(subcommand)]
        action: steps::AuditAction,
    },
    /// Write a synthetic municipality: one export per sector and a relations file.
    #[command(after_help = "Example:\n  samkoer synth --people 50000 --seed 7 --out-dir town")]
    Synth(demo::SynthArgs),
    /// Run the whole flow on a generated municipality and print a summary.
    #[command(after_help = "Example:\n  samkoer demo --people 50000")]
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let audit = cli.audit_log.as_deref();
    let result = match cli.command {
        Command::Keygen { kind } => steps::keygen(kind, audit),
        Command::Catalogue { json, catalogue } => steps::catalogue(json, catalogue.as_deref()),
        Command::Publish(args) => steps::publish(&args, audit),
        Command::Match(args) => steps::matching(&args, audit),
        Command::Review(args) => steps::review(&args, audit),
        Command::Verdict(args) => steps::verdict(&args, audit),
        Command::Select(args) => steps::select(&args, audit),
        Command::Consent { action } => steps::consent(action, audit),
        Command::Disclose(args) => steps::disclose(&args, audit),
        Command::Open(args) => steps::open(&args),
        Command::Audit { action } => steps::audit(action),
        Command::Synth(args) => demo::synth(&args).map(|_| ()),
        Command::Demo(args) => demo::demo(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(u8::try_from(error.code()).unwrap_or(1))
        }
    }
}
