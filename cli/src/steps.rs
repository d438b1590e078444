//! The subcommands of one selection run, each a thin layer over `samkoer-core`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use samkoer_core::audit::{AuditLog, Head, Step};
use samkoer_core::central::matcher::{Match, Source};
use samkoer_core::central::selection as verdict;
use samkoer_core::consent::disclosure::{self, Discloser};
use samkoer_core::consent::receipt::{self as consent, Consent, Receipt, Withdrawal};
use samkoer_core::files::{create, partial_path, write_atomically};
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::{ExportOptions, parse_date};
use samkoer_core::formats::verdicts::VerdictFile;
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, PlanTeamKey, PlanTeamPublicKey, SubjectKey,
};
use samkoer_core::sector::publish::Publisher;
use samkoer_core::sector::review::WorkList;
use samkoer_core::{
    Cpr, KeyFileFormat, MasterKey, MunicipalityCode, RunId, RunKey, SealingKey, SectorCode,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{CliError, CliResult};

/// A spinner with a message and the elapsed time, for work that can take more than a second.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message.into());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A text input: UTF-8, or an `encoding` error at the line of the first other byte.
fn read_text(path: &Path) -> CliResult<String> {
    Ok(samkoer_core::files::read_text(path)?)
}

fn read_bytes(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        samkoer_core::Error::Io {
            file: path.display().to_string(),
            source: e,
        }
        .into()
    })
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

/// The built-in catalogue, or the one in `path`.
pub fn load_catalogue(path: Option<&Path>) -> CliResult<Catalogue> {
    match path {
        None => Ok(Catalogue::builtin().clone()),
        Some(path) => Ok(Catalogue::parse(&read_text(path)?, &name(path))?),
    }
}

/// Appends an entry for a finished step to the audit log, if one was named.
pub fn record(
    audit: Option<&Path>,
    party: String,
    action: &str,
    run: Option<String>,
    counts: &[(&str, u64)],
) -> CliResult {
    let Some(path) = audit else { return Ok(()) };
    let head = if path.exists() {
        samkoer_core::audit::verify(BufReader::new(File::open(path)?), &name(path), None)?
    } else {
        Head::EMPTY
    };
    let time = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    let counts = counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    AuditLog::continuing(head).append_to(
        &mut file,
        &name(path),
        Step {
            time,
            party,
            action: action.into(),
            run,
            counts,
        },
    )?;
    Ok(())
}

fn municipality(text: &str) -> CliResult<MunicipalityCode> {
    Ok(MunicipalityCode::parse(text)?)
}

/// What kind of key to make.
#[derive(Subcommand)]
pub enum KeygenKind {
    /// The municipality's master key (the key custodian's).
    #[command(after_help = "Example:\n  samkoer keygen master --municipality 219 --out master.key")]
    Master {
        /// The three-digit municipality code.
        #[arg(long)]
        municipality: String,
        /// Where to write it (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// A run key, derived from the master key.
    #[command(
        after_help = "Example:\n  samkoer keygen run --master master.key --run 2026-11 --out run.key"
    )]
    Run {
        /// The master key file.
        #[arg(long)]
        master: PathBuf,
        /// The run id, for instance 2026-11.
        #[arg(long)]
        run: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// A sector's sealing key.
    #[command(
        after_help = "Example:\n  samkoer keygen sealing --municipality 219 --sector employment --out sealing.key"
    )]
    Sealing {
        /// The municipality code.
        #[arg(long)]
        municipality: String,
        /// The sector's code in the catalogue.
        #[arg(long)]
        sector: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The consent registry's signing key.
    #[command(
        after_help = "Example:\n  samkoer keygen consent-registry --municipality 219 --out registry.key"
    )]
    ConsentRegistry {
        /// The municipality code.
        #[arg(long)]
        municipality: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The subject key (registry and sectors).
    #[command(
        after_help = "Example:\n  samkoer keygen subject --municipality 219 --out subject.key"
    )]
    Subject {
        /// The municipality code.
        #[arg(long)]
        municipality: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The plan team's key.
    #[command(
        after_help = "Example:\n  samkoer keygen plan-team --municipality 219 --out plan-team.key"
    )]
    PlanTeam {
        /// The municipality code.
        #[arg(long)]
        municipality: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The public key of a consent-registry or plan-team key.
    #[command(
        after_help = "Example:\n  samkoer keygen public --key plan-team.key --out plan-team.pub"
    )]
    Public {
        /// The private key file.
        #[arg(long)]
        key: PathBuf,
        /// Where to write the public key.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Makes a key and prints its fingerprint.
pub fn keygen(kind: KeygenKind, audit: Option<&Path>) -> CliResult {
    let (what, fingerprint, out) = match kind {
        KeygenKind::Master {
            municipality: m,
            out,
        } => {
            let key = MasterKey::generate(municipality(&m)?)?;
            key.write_new(&out)?;
            ("master", key.fingerprint(), out)
        }
        KeygenKind::Run { master, run, out } => {
            let key = MasterKey::read(&master)?.derive_run_key(&RunId::new(&run)?);
            key.write_new(&out)?;
            ("run", key.fingerprint(), out)
        }
        KeygenKind::Sealing {
            municipality: m,
            sector,
            out,
        } => {
            let key = SealingKey::generate(municipality(&m)?, SectorCode::new(&sector)?)?;
            key.write_new(&out)?;
            ("sealing", key.fingerprint(), out)
        }
        KeygenKind::ConsentRegistry {
            municipality: m,
            out,
        } => {
            let key = ConsentRegistryKey::generate(municipality(&m)?)?;
            key.write_new(&out)?;
            ("consent-registry", key.fingerprint(), out)
        }
        KeygenKind::Subject {
            municipality: m,
            out,
        } => {
            let key = SubjectKey::generate(municipality(&m)?)?;
            key.write_new(&out)?;
            ("subject", key.fingerprint(), out)
        }
        KeygenKind::PlanTeam {
            municipality: m,
            out,
        } => {
            let key = PlanTeamKey::generate(municipality(&m)?)?;
            key.write_new(&out)?;
            ("plan-team", key.fingerprint(), out)
        }
        KeygenKind::Public { key, out } => {
            let text = read_text(&key)?;
            let file = name(&key);
            if let Ok(registry) = ConsentRegistryKey::from_key_file(&text, &file) {
                let public = consent::registry_public_key(&registry);
                public.write_new(&out)?;
                ("consent-registry-public", public.fingerprint(), out)
            } else {
                let public =
                    disclosure::plan_team_public_key(&PlanTeamKey::from_key_file(&text, &file)?);
                public.write_new(&out)?;
                ("plan-team-public", public.fingerprint(), out)
            }
        }
    };
    println!(
        "wrote {what} key {}  fingerprint {fingerprint}",
        out.display()
    );
    record(audit, "custodian".into(), "keygen", None, &[("keys", 1)])
}

/// Prints the catalogue.
pub fn catalogue(json: bool, path: Option<&Path>) -> CliResult {
    let catalogue = load_catalogue(path)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&catalogue).unwrap_or_default()
        );
        return Ok(());
    }
    println!("service catalogue version {}", catalogue.version);
    for sector in &catalogue.sectors {
        println!("\n{} ({})", sector.code, sector.name);
        for s in catalogue
            .services
            .iter()
            .filter(|s| s.sector == sector.code)
        {
            let major = if s.major_change {
                "  [major change]"
            } else {
                ""
            };
            println!("  {:<24} {:<12} {}{major}", s.code, s.paragraph, s.name);
        }
    }
    println!("\nexcluded (never shared before consent)");
    for e in &catalogue.excluded {
        println!("  {:<24} {}", e.code, e.name);
    }
    Ok(())
}

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
    /// The reference date (YYYY-MM-DD); default today.
    #[arg(long)]
    reference_date: Option<String>,
    /// The publication to write.
    #[arg(long)]
    out: PathBuf,
    /// The accounting report (JSON); default OUT.accounting.json.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Worker threads for the export's rows; default one per core, 1 for this thread alone.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

fn reference_date(text: Option<&str>) -> CliResult<time::Date> {
    match text {
        None => Ok(OffsetDateTime::now_utc().date()),
        Some(text) => parse_date(text).map_err(|_| {
            CliError::usage(
                format!("--reference-date {text} is not a date"),
                "give it as YYYY-MM-DD",
            )
        }),
    }
}

fn export_options(mapping: Option<&Path>) -> CliResult<ExportOptions> {
    match mapping {
        None => Ok(ExportOptions::default()),
        Some(path) => Ok(ExportOptions::from_mapping(&read_text(path)?, &name(path))?),
    }
}

/// Publishes an export.
pub fn publish(args: &PublishArgs, audit: Option<&Path>) -> CliResult {
    let run_key = RunKey::read(&args.run_key)?;
    let sealing = SealingKey::read(&args.sealing_key)?;
    let catalogue = load_catalogue(args.catalogue.as_deref())?;
    let options = export_options(args.mapping.as_deref())?;
    let publisher = Publisher::new(
        &run_key,
        &sealing,
        &catalogue,
        &options,
        reference_date(args.reference_date.as_deref())?,
    )
    .map_err(|e| {
        // The core's refusal names no file: say which keys (or which sector) it is about.
        let files = match e.rule() {
            Some(samkoer_core::Rule::SectorCode) => name(&args.sealing_key),
            _ => format!("{} and {}", name(&args.run_key), name(&args.sealing_key)),
        };
        CliError::naming(&files, e)
    })?;
    let publisher = match args.threads {
        Some(threads) => publisher.with_threads(usize::from(threads)),
        None => publisher,
    };
    let bar = spinner(format!("publishing {}", args.export.display()));
    let report = publisher.publish_files(&args.export, args.relations.as_deref(), &args.out);
    bar.finish_and_clear();
    let report = report?;
    let report_path = args
        .report
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.accounting.json", args.out.display())));
    write_atomically(&report_path, report.to_json().as_bytes(), false)?;
    let e = &report.export;
    println!(
        "{}: {} rows: {} published, {} excluded, {} rejected -> {} (report {})",
        sealing.sector(),
        e.rows,
        e.published,
        e.excluded,
        e.rejected,
        args.out.display(),
        report_path.display()
    );
    if let Some(r) = &report.relations {
        println!(
            "relations: {} rows: {} published, {} excluded, {} rejected",
            r.rows, r.published, r.excluded, r.rejected
        );
    }
    let counts = e.counts();
    record(
        audit,
        format!("sector:{}", sealing.sector()),
        "publish",
        Some(run_key.run().to_string()),
        &counts,
    )
}

/// `samkoer match`.
#[derive(Args)]
pub struct MatchArgs {
    /// The selection criteria (TOML).
    #[arg(long)]
    criteria: PathBuf,
    /// A catalogue file instead of the built-in one.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// Where to write result.json, statistics.json, statistics.csv and flags/SECTOR.flag.
    #[arg(long)]
    out_dir: PathBuf,
    /// The publications of the run.
    #[arg(required = true)]
    publications: Vec<PathBuf>,
}

/// Matches publications.
pub fn matching(args: &MatchArgs, audit: Option<&Path>) -> CliResult {
    let catalogue = load_catalogue(args.catalogue.as_deref())?;
    let criteria = Criteria::parse(
        &read_text(&args.criteria)?,
        &name(&args.criteria),
        &catalogue,
    )?;
    let sources = args
        .publications
        .iter()
        .cloned()
        .map(Source::Path)
        .collect();
    let bar = spinner(format!("matching {} publications", args.publications.len()));
    let matched = Match::run(sources, &catalogue, &criteria);
    bar.finish_and_clear();
    let matched = matched?;
    let flags_dir = args.out_dir.join("flags");
    std::fs::create_dir_all(&flags_dir)?;
    let bar = spinner("writing flag files");
    let mut partials = Vec::new();
    let written = matched.write_flag_files(|sector| {
        let path = flags_dir.join(format!("{sector}.flag"));
        let file = create(&partial_path(&path), true).map_err(|e| samkoer_core::Error::Io {
            file: name(&path),
            source: e,
        })?;
        partials.push(path.clone());
        Ok((BufWriter::new(file), name(&path)))
    });
    bar.finish_and_clear();
    let flag_files = match written {
        Ok(files) => files,
        Err(error) => {
            // A failed pass leaves no flag file that looks finished.
            for path in &partials {
                let _ = std::fs::remove_file(partial_path(path));
            }
            return Err(error.into());
        }
    };
    for (flag, path) in flag_files.iter().zip(&partials) {
        std::fs::rename(partial_path(path), path)?;
        println!("flag file {}: {} records", path.display(), flag.records);
    }
    let report = matched.report_json();
    write_atomically(&args.out_dir.join("result.json"), report.as_bytes(), true)?;
    write_atomically(
        &args.out_dir.join("statistics.json"),
        matched.statistics.to_json().as_bytes(),
        false,
    )?;
    write_atomically(
        &args.out_dir.join("statistics.csv"),
        matched.statistics.to_csv().as_bytes(),
        false,
    )?;
    let deferred = matched.deferred_count();
    let candidates = matched.candidates().len() as u64;
    println!(
        "{} persons with services; {candidates} candidates ({deferred} deferred); results in {}",
        matched.person_count(),
        args.out_dir.display()
    );
    let counts = [
        ("persons", matched.person_count()),
        ("candidates", candidates),
        ("deferred", deferred),
    ];
    record(
        audit,
        "matcher".into(),
        "match",
        Some(matched.run.run.to_string()),
        &counts,
    )
}

/// `samkoer review`.
#[derive(Args)]
pub struct ReviewArgs {
    /// The sector's sealing key.
    #[arg(long)]
    sealing_key: PathBuf,
    /// The sector's flag file.
    #[arg(long)]
    flag_file: PathBuf,
    /// A catalogue file instead of the built-in one.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// The work list to write (CSV; holds CPR numbers; written owner-only).
    #[arg(long)]
    out: PathBuf,
}

fn open_work_list(
    sealing_key: &Path,
    flag_file: &Path,
    catalogue: Option<&Path>,
) -> CliResult<WorkList> {
    let sealing = SealingKey::read(sealing_key)?;
    let catalogue = load_catalogue(catalogue)?;
    let file = File::open(flag_file).map_err(|e| samkoer_core::Error::Io {
        file: name(flag_file),
        source: e,
    })?;
    Ok(samkoer_core::sector::review::review(
        BufReader::new(file),
        &name(flag_file),
        &sealing,
        &catalogue,
    )?)
}

/// Opens a flag file into a work list.
pub fn review(args: &ReviewArgs, audit: Option<&Path>) -> CliResult {
    let list = open_work_list(
        &args.sealing_key,
        &args.flag_file,
        args.catalogue.as_deref(),
    )?;
    write_atomically(&args.out, list.to_csv().as_bytes(), true)?;
    println!(
        "{}: {} candidates, {} citizens -> work list {} (fill in verdict and from)",
        list.sector,
        list.candidates().len(),
        list.items.len(),
        args.out.display()
    );
    let counts = [
        ("candidates", list.candidates().len() as u64),
        ("citizens", list.items.len() as u64),
    ];
    record(
        audit,
        format!("sector:{}", list.sector),
        "review",
        Some(list.run.to_string()),
        &counts,
    )
}

/// `samkoer verdict`.
#[derive(Args)]
pub struct VerdictArgs {
    /// The sector's sealing key.
    #[arg(long)]
    sealing_key: PathBuf,
    /// The sector's flag file (to check the verdicts against what was sent).
    #[arg(long)]
    flag_file: PathBuf,
    /// The filled-in work list (CSV).
    #[arg(long)]
    work_list: PathBuf,
    /// The verdict file to write (JSON; no CPR).
    #[arg(long)]
    out: PathBuf,
}

/// Turns a filled-in work list into a verdict file.
pub fn verdict(args: &VerdictArgs, audit: Option<&Path>) -> CliResult {
    let list = open_work_list(&args.sealing_key, &args.flag_file, None)?;
    let verdicts = VerdictFile::from_work_list_csv(
        &read_text(&args.work_list)?,
        &name(&args.work_list),
        &list,
    )?;
    write_atomically(&args.out, verdicts.to_json().as_bytes(), false)?;
    println!(
        "{}: {} verdicts -> {}",
        list.sector,
        verdicts.verdicts.len(),
        args.out.display()
    );
    record(
        audit,
        format!("sector:{}", list.sector),
        "verdict",
        Some(list.run.to_string()),
        &[("verdicts", verdicts.verdicts.len() as u64)],
    )
}

/// `samkoer select`.
#[derive(Args)]
pub struct SelectArgs {
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
pub fn select(args: &SelectArgs, audit: Option<&Path>) -> CliResult {
    let (municipality, run, sent) = verdict::sent_from_match_report(
        &read_text(&args.match_result)?,
        &name(&args.match_result),
    )?;
    let files = args
        .verdicts
        .iter()
        .map(|path| {
            Ok((
                name(path),
                VerdictFile::parse(&read_text(path)?, &name(path))?,
            ))
        })
        .collect::<CliResult<Vec<_>>>()?;
    let selection = verdict::select(municipality, &run, &sent, &files)?;
    write_atomically(&args.out, selection.to_json().as_bytes(), true)?;
    println!(
        "{} selected, {} removed, {} outstanding -> {}",
        selection.selected.len(),
        selection.removed.len(),
        selection.outstanding.len(),
        args.out.display()
    );
    let counts = selection.counts();
    record(
        audit,
        "matcher".into(),
        "select",
        Some(run.to_string()),
        &counts,
    )
}

/// Consent receipts.
#[derive(Subcommand)]
pub enum ConsentAction {
    /// Issue a receipt (in the consent registry).
    #[command(
        after_help = "Example:\n  samkoer consent issue --registry-key registry.key --subject-key subject.key --person person.txt --sectors employment,adult-social --out receipt.bin"
    )]
    Issue {
        /// The registry's key.
        #[arg(long)]
        registry_key: PathBuf,
        /// The subject key.
        #[arg(long)]
        subject_key: PathBuf,
        /// A file holding the person's CPR number (never on the command line).
        #[arg(long)]
        person: PathBuf,
        /// The sectors in scope, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        sectors: Vec<String>,
        /// How many days the consent is valid from now.
        #[arg(long, default_value_t = 365)]
        days: i64,
        /// The receipt to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Withdraw a receipt from now on (in the consent registry).
    #[command(
        after_help = "Example:\n  samkoer consent withdraw --registry-key registry.key --receipt receipt.bin --out withdrawal.bin"
    )]
    Withdraw {
        /// The registry's key.
        #[arg(long)]
        registry_key: PathBuf,
        /// The receipt.
        #[arg(long)]
        receipt: PathBuf,
        /// The withdrawal to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a receipt for a sector now.
    #[command(
        after_help = "Example:\n  samkoer consent verify --registry-public registry.pub --receipt receipt.bin --sector employment --withdrawal withdrawal.bin"
    )]
    Verify {
        /// The registry's public key.
        #[arg(long)]
        registry_public: PathBuf,
        /// The receipt.
        #[arg(long)]
        receipt: PathBuf,
        /// The sector asking.
        #[arg(long)]
        sector: String,
        /// Withdrawals received.
        #[arg(long)]
        withdrawal: Vec<PathBuf>,
    },
}

fn read_withdrawals(paths: &[PathBuf]) -> CliResult<Vec<Withdrawal>> {
    paths
        .iter()
        .map(|p| Ok(Withdrawal::parse(&read_bytes(p)?, &name(p))?))
        .collect()
}

/// Issues, withdraws or checks a receipt.
pub fn consent(action: ConsentAction, audit: Option<&Path>) -> CliResult {
    let now = OffsetDateTime::now_utc();
    match action {
        ConsentAction::Issue {
            registry_key,
            subject_key,
            person,
            sectors,
            days,
            out,
        } => {
            let registry = ConsentRegistryKey::read(&registry_key)?;
            let subject = SubjectKey::read(&subject_key)?;
            let text = read_text(&person)?;
            let cpr = Cpr::parse(&text, now.date(), &name(&person), 1)?;
            let sectors = sectors
                .iter()
                .map(|s| SectorCode::new(s.trim()))
                .collect::<samkoer_core::Result<Vec<_>>>()?;
            let consent = Consent {
                cpr: &cpr,
                sectors: &sectors,
                issued_at: now,
                valid_from: now,
                valid_until: now + time::Duration::days(days),
            };
            let bytes = consent::issue(&registry, &subject, &consent)?;
            write_atomically(&out, &bytes, false)?;
            let receipt = Receipt::parse(&bytes, &name(&out))?;
            println!(
                "receipt {} for {} sectors, valid {} days -> {}",
                receipt.id_hex(),
                sectors.len(),
                days,
                out.display()
            );
            record(
                audit,
                "registry".into(),
                "consent",
                None,
                &[("sectors", sectors.len() as u64)],
            )
        }
        ConsentAction::Withdraw {
            registry_key,
            receipt,
            out,
        } => {
            let registry = ConsentRegistryKey::read(&registry_key)?;
            let receipt = Receipt::parse(&read_bytes(&receipt)?, &name(&receipt))?;
            write_atomically(&out, &consent::withdraw(&registry, &receipt, now), false)?;
            println!(
                "withdrawal of receipt {} from now on -> {}",
                receipt.id_hex(),
                out.display()
            );
            record(
                audit,
                "registry".into(),
                "withdraw",
                None,
                &[("receipts", 1)],
            )
        }
        ConsentAction::Verify {
            registry_public,
            receipt,
            sector,
            withdrawal,
        } => {
            let public = ConsentRegistryPublicKey::read(&registry_public)?;
            let parsed = Receipt::parse(&read_bytes(&receipt)?, &name(&receipt))?;
            parsed.check(
                &public,
                &read_withdrawals(&withdrawal)?,
                &SectorCode::new(&sector)?,
                now,
                &name(&receipt),
            )?;
            println!("receipt {} is valid for {sector} now", parsed.id_hex());
            Ok(())
        }
    }
}

/// `samkoer disclose`.
#[derive(Args)]
pub struct DiscloseArgs {
    /// The consent receipt.
    #[arg(long)]
    receipt: PathBuf,
    /// Withdrawals received.
    #[arg(long)]
    withdrawal: Vec<PathBuf>,
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
    /// The bundle to write.
    #[arg(long)]
    out: PathBuf,
}

/// Discloses a sector's services for a consented person.
pub fn disclose(args: &DiscloseArgs, audit: Option<&Path>) -> CliResult {
    let sealing = SealingKey::read(&args.sealing_key)?;
    let registry = ConsentRegistryPublicKey::read(&args.registry_public)?;
    let subject = SubjectKey::read(&args.subject_key)?;
    let plan_team = PlanTeamPublicKey::read(&args.plan_team_public)?;
    let options = export_options(args.mapping.as_deref())?;
    let receipt = Receipt::parse(&read_bytes(&args.receipt)?, &name(&args.receipt))?;
    let discloser = Discloser {
        registry: &registry,
        subject: &subject,
        sector: sealing.sector(),
        plan_team: &plan_team,
        catalogue: Catalogue::builtin(),
        options: &options,
    };
    let export = BufReader::new(
        File::open(&args.export).map_err(|e| samkoer_core::Error::Io {
            file: name(&args.export),
            source: e,
        })?,
    );
    let bundle = discloser
        .disclose(
            &receipt,
            &read_withdrawals(&args.withdrawal)?,
            &name(&args.receipt),
            export,
            &name(&args.export),
            OffsetDateTime::now_utc(),
        )
        .map_err(|e| {
            let files = format!(
                "{}, {} and {}",
                name(&args.receipt),
                name(&args.subject_key),
                name(&args.plan_team_public)
            );
            CliError::naming(&files, e)
        })?;
    write_atomically(&args.out, &bundle, true)?;
    println!(
        "{}: disclosed for receipt {} -> {}",
        sealing.sector(),
        receipt.id_hex(),
        args.out.display()
    );
    record(
        audit,
        format!("sector:{}", sealing.sector()),
        "disclose",
        None,
        &[("bundles", 1)],
    )
}

/// `samkoer open`.
#[derive(Args)]
pub struct OpenArgs {
    /// The plan team's key.
    #[arg(long)]
    plan_team_key: PathBuf,
    /// The bundles.
    #[arg(required = true)]
    bundles: Vec<PathBuf>,
}

/// Opens disclosure bundles and prints them as JSON.
pub fn open(args: &OpenArgs) -> CliResult {
    let key = PlanTeamKey::read(&args.plan_team_key)?;
    let opened = args
        .bundles
        .iter()
        .map(|path| {
            Ok(disclosure::open_disclosure(
                &read_bytes(path)?,
                &key,
                &name(path),
            )?)
        })
        .collect::<CliResult<Vec<_>>>()?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&opened).unwrap_or_default()
    )?;
    Ok(())
}

/// Audit-log actions.
#[derive(Subcommand)]
pub enum AuditAction {
    /// Verify a log; names the first bad entry.
    #[command(after_help = "Example:\n  samkoer audit verify audit.log --head 12:3f9a…")]
    Verify {
        /// The log.
        log: PathBuf,
        /// The head kept elsewhere, as SEQ:HASH, to detect a log cut at its end.
        #[arg(long)]
        head: Option<String>,
    },
}

/// Verifies an audit log.
pub fn audit(action: AuditAction) -> CliResult {
    let AuditAction::Verify { log, head } = action;
    let expected = match head {
        None => None,
        Some(text) => {
            let bad = || {
                CliError::usage(
                    format!("--head {text} is not SEQ:HASH"),
                    "copy the head that audit verify printed",
                )
            };
            let (seq, hash) = text.split_once(':').ok_or_else(bad)?;
            let mut bytes = [0u8; 32];
            hex::decode_to_slice(hash, &mut bytes).map_err(|_| bad())?;
            Some(Head {
                seq: seq.parse().map_err(|_| bad())?,
                hash: bytes,
            })
        }
    };
    let file = File::open(&log).map_err(|e| samkoer_core::Error::Io {
        file: name(&log),
        source: e,
    })?;
    let head = samkoer_core::audit::verify(BufReader::new(file), &name(&log), expected)?;
    println!(
        "{}: {} entries verify; head {}:{}",
        log.display(),
        head.seq,
        head.seq,
        hex::encode(head.hash)
    );
    Ok(())
}
