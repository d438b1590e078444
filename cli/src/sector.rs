//! A sector's subcommands: `publish`, `check ask`, `review`, `verdict`, `consent verify`,
//! `disclose`. Each turns its arguments into the core step's inputs and prints its summary.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::Args;
use samkoer_core::files::{Input, Place};
use samkoer_core::flow::sector::{self, Progress, PublishTo};
use samkoer_core::formats::check::CheckAnswer;
use samkoer_core::formats::export::parse_date;
use samkoer_core::primitives::keys::{ConsentRegistryPublicKey, PlanTeamPublicKey, SubjectKey};
use samkoer_core::sector::publish::PublishLimits;
use samkoer_core::{RunKey, SealingKey};
use time::OffsetDateTime;

use crate::common::say;
use crate::common::{audit, catalogue, key, options, place, reading_bar};
use crate::error::{CliError, CliResult};

/// `samkoer publish`.
#[derive(Args)]
pub struct PublishArgs {
    /// The run key file (from the key custodian).
    #[arg(long)]
    run_key: PathBuf,
    /// The sector's sealing key file.
    #[arg(long)]
    sealing_key: PathBuf,
    /// The case-system export (CSV).
    #[arg(long)]
    export: PathBuf,
    /// A relations file (child_cpr, parent_cpr).
    #[arg(long)]
    relations: Option<PathBuf>,
    /// A mapping file for exports that name columns or statuses otherwise.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// A catalogue file instead of the built-in one.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// The publication to write.
    #[arg(long)]
    out: PathBuf,
    /// The accounting report (JSON); default OUT.accounting.json.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Worker threads for the export's rows; default one per core, 1 for this thread alone.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Fail, publishing nothing, when more than this percentage of the rows is rejected
    /// (100: never).
    #[arg(long, value_name = "PERCENT", default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=100))]
    max_rejected: u32,
    /// Publish even when every row is excluded by one rule (publishing nothing of it).
    #[arg(long)]
    allow_all_excluded: bool,
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

/// Publishes an export.
pub fn publish(args: &PublishArgs, log: Option<&Path>) -> CliResult {
    let run_key: RunKey = key(&args.run_key)?;
    let sealing_key: SealingKey = key(&args.sealing_key)?;
    let bar = reading_bar(format!("publishing {}", args.export.display()));
    let step = sector::Publish {
        run_key: &run_key,
        sealing_key: &sealing_key,
        catalogue: &catalogue(args.catalogue.as_deref())?,
        options: &options(args.mapping.as_deref())?,
        export: Input::path(&args.export),
        relations: args.relations.as_ref().map(Input::path),
        threads: args.threads.map(usize::from),
        progress: Some(Progress(Rc::new({
            let bar = bar.clone();
            move |read, total| {
                bar.set_length(total);
                bar.set_position(read);
            }
        }))),
        limits: PublishLimits::new(args.max_rejected, args.allow_all_excluded)?,
    };
    let mut to = PublishTo::beside(&args.out);
    if let Some(report) = &args.report {
        to.report = place(report);
    }
    let done = sector::publish(&step, &to, audit(log));
    bar.finish_and_clear();
    let done = done.map_err(|e| {
        // The core's refusal of keys names no file: say which keys (or which sector) it is about.
        let files = match e.rule() {
            Some(samkoer_core::Rule::SectorCode) => name(&args.sealing_key),
            _ => format!("{} and {}", name(&args.run_key), name(&args.sealing_key)),
        };
        CliError::naming(&files, e)
    })?;
    let (e, report) = (&done.summary.export, to.report.name());
    say!(
        "{} on reference date {}: {} rows ({}): {} published, {} excluded, {} rejected -> {} (report {report})",
        sealing_key.sector(),
        run_key.reference_date(),
        e.rows,
        e.encoding,
        e.published,
        e.excluded,
        e.rejected,
        args.out.display(),
    );
    if let Some(r) = &done.summary.relations {
        say!(
            "relations: {} rows: {} published, {} excluded, {} rejected",
            r.rows,
            r.published,
            r.excluded,
            r.rejected
        );
    }
    Ok(())
}

/// The keys and person file both sides of a sector's check take.
#[derive(Args)]
pub struct CheckPersonsArgs {
    /// The run key file.
    #[arg(long)]
    run_key: PathBuf,
    /// The sector's sealing key: it names the sector and signs the request.
    #[arg(long)]
    sealing_key: PathBuf,
    /// A person file: the citizens' CPR numbers, one per line (never on the command line).
    #[arg(long)]
    persons: PathBuf,
}

impl CheckPersonsArgs {
    fn keys(&self) -> CliResult<(RunKey, SealingKey)> {
        Ok((key(&self.run_key)?, key(&self.sealing_key)?))
    }
}

/// `samkoer check ask`.
#[derive(Args)]
pub struct AskArgs {
    #[command(flatten)]
    asking: CheckPersonsArgs,
    /// The request to write (JSON; give it to the matcher).
    #[arg(long)]
    out: PathBuf,
}

/// Writes a signed one-citizen check request.
pub fn ask(args: &AskArgs, log: Option<&Path>) -> CliResult {
    let (run_key, sealing_key) = args.asking.keys()?;
    let step = sector::AskCheck {
        run_key: &run_key,
        sealing_key: &sealing_key,
        persons: Input::path(&args.asking.persons),
    };
    let request = sector::ask_check(&step, place(&args.out), audit(log))?.summary;
    say!(
        "{}: check request for {} citizens -> {}",
        request.sector,
        request.pseudonyms.len(),
        args.out.display()
    );
    Ok(())
}

/// `samkoer check read`.
#[derive(Args)]
pub struct ReadCheckArgs {
    /// The run key, sealing key and person file the request was made with.
    #[command(flatten)]
    asked: CheckPersonsArgs,
    /// The matcher's answer.
    #[arg(long)]
    answer: PathBuf,
    /// The answers by citizen to write (CSV `cpr;answer`; holds CPR numbers; owner-only).
    #[arg(long)]
    out: PathBuf,
}

/// Reads a check answer back onto the person file.
pub fn read_check(args: &ReadCheckArgs, log: Option<&Path>) -> CliResult {
    let (run_key, sealing_key) = args.asked.keys()?;
    let step = sector::ReadCheck {
        run_key: &run_key,
        sealing_key: &sealing_key,
        persons: Input::path(&args.asked.persons),
        answer: Input::path(&args.answer),
    };
    let results = sector::read_check(&step, place(&args.out), audit(log))?.summary;
    say!(
        "{}: {} candidates, {} deferred, {} not candidates -> {}",
        sealing_key.sector(),
        results.count(CheckAnswer::Candidate),
        results.count(CheckAnswer::Deferred),
        results.count(CheckAnswer::NotCandidate),
        args.out.display()
    );
    Ok(())
}

/// The sealing key and flag file of `review` and `verdict`.
#[derive(Args)]
pub struct FlagFileArgs {
    /// The sector's sealing key.
    #[arg(long)]
    sealing_key: PathBuf,
    /// The sector's flag file.
    #[arg(long)]
    flag_file: PathBuf,
    /// A catalogue file instead of the built-in one.
    #[arg(long)]
    catalogue: Option<PathBuf>,
}

/// `samkoer review`.
#[derive(Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    flag: FlagFileArgs,
    /// The work list to write (CSV; holds CPR numbers; owner-only; never overwritten).
    #[arg(long)]
    out: PathBuf,
}

/// Opens a flag file into a work list.
pub fn review(args: &ReviewArgs, log: Option<&Path>) -> CliResult {
    let sealing_key: SealingKey = key(&args.flag.sealing_key)?;
    let step = sector::Review {
        sealing_key: &sealing_key,
        catalogue: &catalogue(args.flag.catalogue.as_deref())?,
        flag_file: Input::path(&args.flag.flag_file),
    };
    let bar = reading_bar(format!("opening {}", args.flag.flag_file.display()));
    let progress = Progress(Rc::new({
        let bar = bar.clone();
        move |read, total| {
            bar.set_length(total);
            bar.set_position(read);
        }
    }));
    let list = sector::review_reporting(&step, place(&args.out), audit(log), Some(&progress));
    bar.finish_and_clear();
    let list = list?.summary;
    say!(
        "{}: {} candidates, {} citizens -> work list {} (fill in verdict and from)",
        list.sector,
        list.candidates().len(),
        list.items.len(),
        args.out.display()
    );
    Ok(())
}

/// `samkoer verdict`.
#[derive(Args)]
pub struct VerdictArgs {
    #[command(flatten)]
    flag: FlagFileArgs,
    /// The filled-in work list (CSV).
    #[arg(long)]
    work_list: PathBuf,
    /// The verdict file to write (JSON; no CPR).
    #[arg(long)]
    out: PathBuf,
}

/// Turns a filled-in work list into a verdict file.
pub fn verdict(args: &VerdictArgs, log: Option<&Path>) -> CliResult {
    let sealing_key: SealingKey = key(&args.flag.sealing_key)?;
    let step = sector::Review {
        sealing_key: &sealing_key,
        catalogue: &catalogue(args.flag.catalogue.as_deref())?,
        flag_file: Input::path(&args.flag.flag_file),
    };
    let work_list = Input::path(&args.work_list);
    let file = sector::verdict(&step, &work_list, place(&args.out), audit(log))?.summary;
    say!(
        "{}: {} verdicts -> {}",
        file.sector,
        file.verdicts.len(),
        args.out.display()
    );
    Ok(())
}

/// `samkoer consent verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The registry's public key.
    #[arg(long)]
    registry_public: PathBuf,
    /// The receipt.
    #[arg(long)]
    receipt: PathBuf,
    /// The asking sector's sealing key: it names the sector and signs the entry.
    #[arg(long)]
    sealing_key: PathBuf,
    #[command(flatten)]
    state: StateArgs,
}

/// The consent state a sector judges by (spec §14.4).
#[derive(Args)]
pub struct StateArgs {
    /// The consent registry's current consent state (required: without it nothing is
    /// released).
    #[arg(long)]
    consent_state: Option<PathBuf>,
    /// The oldest the consent state may be, in hours, as the municipality set it.
    #[arg(long, value_name = "HOURS", default_value_t = samkoer_core::consent::state::DEFAULT_MAX_AGE_HOURS)]
    state_max_age: u64,
}

impl StateArgs {
    fn input(&self) -> Option<Input> {
        self.consent_state.as_ref().map(Input::path)
    }

    fn max_age(&self) -> u64 {
        self.state_max_age.saturating_mul(3600)
    }
}

/// Checks a receipt for a sector now.
pub fn verify_consent(args: &VerifyArgs, log: Option<&Path>) -> CliResult {
    let registry: ConsentRegistryPublicKey = key(&args.registry_public)?;
    let sealing_key: SealingKey = key(&args.sealing_key)?;
    let step = sector::VerifyConsent {
        registry: &registry,
        receipt: Input::path(&args.receipt),
        consent_state: args.state.input(),
        state_max_age: args.state.max_age(),
        sealing_key: &sealing_key,
        now: OffsetDateTime::now_utc(),
    };
    let receipt = sector::verify_consent(&step, audit(log))?.summary;
    say!(
        "receipt {} is valid for {} now, and not withdrawn in the consent state",
        receipt.id_hex(),
        sealing_key.sector()
    );
    Ok(())
}

/// `samkoer disclose`.
#[derive(Args)]
pub struct DiscloseArgs {
    /// The consent receipt.
    #[arg(long)]
    receipt: PathBuf,
    #[command(flatten)]
    state: StateArgs,
    /// The registry's public key.
    #[arg(long)]
    registry_public: PathBuf,
    /// The subject key.
    #[arg(long)]
    subject_key: PathBuf,
    /// The sector's sealing key (names the sector).
    #[arg(long)]
    sealing_key: PathBuf,
    /// The sector's case-system export.
    #[arg(long)]
    export: PathBuf,
    /// A mapping file for the export.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// The plan team's public key.
    #[arg(long)]
    plan_team_public: PathBuf,
    /// The date on which a service must be ongoing to be disclosed (YYYY-MM-DD); default today.
    #[arg(long)]
    ongoing_on: Option<String>,
    /// The bundle to write.
    #[arg(long)]
    out: PathBuf,
}

/// Discloses a sector's services for a consented person.
pub fn disclose(args: &DiscloseArgs, log: Option<&Path>) -> CliResult {
    let sealing_key: SealingKey = key(&args.sealing_key)?;
    let registry: ConsentRegistryPublicKey = key(&args.registry_public)?;
    let subject: SubjectKey = key(&args.subject_key)?;
    let plan_team: PlanTeamPublicKey = key(&args.plan_team_public)?;
    let step = sector::Disclose {
        registry: &registry,
        subject: &subject,
        sealing_key: &sealing_key,
        plan_team: &plan_team,
        catalogue: samkoer_core::Catalogue::builtin(),
        options: &options(args.mapping.as_deref())?,
        receipt: Input::path(&args.receipt),
        consent_state: args.state.input(),
        state_max_age: args.state.max_age(),
        export: Input::path(&args.export),
        now: OffsetDateTime::now_utc(),
        ongoing_on: args.ongoing_on.as_deref().map(parse_date).transpose()?,
    };
    let done = sector::disclose(&step, Place::file(&args.out), audit(log)).map_err(|e| {
        let files = format!(
            "{}, {} and {}",
            name(&args.receipt),
            name(&args.subject_key),
            name(&args.plan_team_public)
        );
        CliError::naming(&files, e)
    })?;
    say!(
        "{}: {} services ongoing on {} disclosed for receipt {} -> {}",
        done.summary.sector,
        done.summary.services,
        done.summary.ongoing_on,
        done.summary.receipt,
        args.out.display()
    );
    Ok(())
}
