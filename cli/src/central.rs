//! The central unit's subcommands: `match`, `check answer`, `select`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use samkoer_core::files::Input;
use samkoer_core::flow::central::{self, MatchStep, MatchTo, Select};

use crate::common::say;
use crate::common::{audit, catalogue, inputs, key, place, reading_bar};
use crate::error::CliResult;
use samkoer_core::primitives::keys::MatcherKey;

/// The criteria, catalogue and publications of `match` and `check answer`.
#[derive(Args)]
pub struct PublicationsArgs {
    /// The matcher's key file: it signs the matcher's audit entries.
    #[arg(long)]
    matcher_key: PathBuf,
    /// The selection criteria (TOML).
    #[arg(long)]
    criteria: PathBuf,
    /// A catalogue file instead of the built-in one.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// The publications of the run.
    #[arg(required = true)]
    publications: Vec<PathBuf>,
}

/// `samkoer match`.
#[derive(Args)]
pub struct MatchArgs {
    #[command(flatten)]
    run: PublicationsArgs,
    /// The folder for result.json, statistics.json, statistics.csv and flags/SECTOR.flag; its
    /// results are never overwritten.
    #[arg(long)]
    out_dir: PathBuf,
}

/// Matches publications.
pub fn matching(args: &MatchArgs, log: Option<&Path>) -> CliResult {
    let catalogue = catalogue(args.run.catalogue.as_deref())?;
    let matcher: MatcherKey = key(&args.run.matcher_key)?;
    let step = MatchStep {
        matcher: &matcher,
        catalogue: &catalogue,
        criteria: Input::path(&args.run.criteria),
        publications: inputs(&args.run.publications),
    };
    // Bytes of the publications read, their rate and the time left; then the matching itself.
    let bar = reading_bar(format!(
        "reading {} publications",
        args.run.publications.len()
    ));
    let progress: samkoer_core::progress::Report = Arc::new({
        let bar = bar.clone();
        move |read, total| {
            bar.set_length(total);
            bar.set_position(read);
            if read == total {
                bar.set_message("matching");
            }
        }
    });
    let done = central::match_publications_reporting(
        &step,
        &MatchTo::folder(&args.out_dir),
        audit(log),
        Some(progress),
    );
    bar.finish_and_clear();
    let done = done?;
    for flag in &done.summary.publications {
        say!("flag file for {}", flag.sector);
    }
    let matched = &done.summary;
    say!(
        "{} persons with services; {} candidates ({} deferred); results in {}",
        matched.person_count(),
        matched.candidates().len(),
        matched.deferred_count(),
        args.out_dir.display()
    );
    Ok(())
}

/// `samkoer check answer`.
#[derive(Args)]
pub struct AnswerArgs {
    /// The matcher's key file.
    #[arg(long)]
    matcher_key: PathBuf,
    /// The match's check index (`check-index` in the match's folder).
    #[arg(long)]
    index: PathBuf,
    /// A sector's check request.
    #[arg(long)]
    request: PathBuf,
    /// The answer to write (JSON; back to the asking sector).
    #[arg(long)]
    out: PathBuf,
}

/// Answers a one-citizen check from the match's check index.
pub fn answer(args: &AnswerArgs, log: Option<&Path>) -> CliResult {
    let matcher: MatcherKey = key(&args.matcher_key)?;
    let step = central::Check {
        matcher: &matcher,
        index: Input::path(&args.index),
        request: Input::path(&args.request),
    };
    let reply = central::check(&step, place(&args.out), audit(log))?.summary;
    say!(
        "{}: {} citizens answered -> {}",
        reply.sector,
        reply.answers.len(),
        args.out.display()
    );
    Ok(())
}

/// `samkoer select`.
#[derive(Args)]
pub struct SelectArgs {
    /// The matcher's key file.
    #[arg(long)]
    matcher_key: PathBuf,
    /// The matcher's result file.
    #[arg(long)]
    match_result: PathBuf,
    /// The selection to write (JSON).
    #[arg(long)]
    out: PathBuf,
    /// The sectors' verdict files.
    verdicts: Vec<PathBuf>,
}

/// Combines the verdicts.
pub fn select(args: &SelectArgs, log: Option<&Path>) -> CliResult {
    let matcher: MatcherKey = key(&args.matcher_key)?;
    let step = Select {
        matcher: &matcher,
        match_result: Input::path(&args.match_result),
        verdicts: inputs(&args.verdicts),
    };
    let selection = central::select(&step, place(&args.out), audit(log))?.summary;
    say!(
        "{} selected, {} removed, {} outstanding -> {}",
        selection.selected.len(),
        selection.removed.len(),
        selection.outstanding.len(),
        args.out.display()
    );
    Ok(())
}
