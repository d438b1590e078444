//! `samkoer synth` and `samkoer demo`: a synthetic municipality, and the whole flow on one.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use samkoer_core::central::matcher::{Match, Source};
use samkoer_core::central::selection::select;
use samkoer_core::consent::disclosure::{self, Discloser};
use samkoer_core::consent::receipt::{self as consent, Consent, Receipt};
use samkoer_core::files::write_atomically;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::formats::verdicts::VerdictFile;
use samkoer_core::primitives::keys::{ConsentRegistryKey, PlanTeamKey, SubjectKey};
use samkoer_core::sector::publish::Publisher;
use samkoer_core::sector::review::review;
use samkoer_core::synthetic::municipality::{
    SynthConfig, SynthSummary, SynthWriters, simulated_verdict, synthesise,
};
use samkoer_core::{KeyFileFormat, MasterKey, MunicipalityCode, RunId, SealingKey};
use time::OffsetDateTime;

use crate::error::{CliError, CliResult};
use crate::steps::{record, spinner};

/// The criteria the demo uses, also a starting point for a municipality's own.
pub const DEMO_CRITERIA: &str = r#"format = "samkoer-criteria"
version = 1
threshold = 5

[person]
min_sectors = 3
min_services = 4

[[person.combination]]
name = "cash benefit with social support"
any = ["EMP-CASH-BENEFIT"]
with_any = ["ADS-SOCIO-PED", "ADS-DRUG-OUTPATIENT", "ADS-CONTACT-PERSON"]

[defer]
services = ["CHF-PLACEMENT-CONSENT", "CHF-PLACEMENT-NOCONSENT"]
major_change = true

[family]
require_child_and_adult = true
min_sectors = 3
"#;

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
    /// The folder to write export-SECTOR.csv and relations.csv into.
    #[arg(long)]
    pub out_dir: PathBuf,
}

/// Writes a synthetic municipality.
pub fn synth(args: &SynthArgs) -> CliResult<SynthSummary> {
    let reference_date = match &args.reference_date {
        None => OffsetDateTime::now_utc().date(),
        Some(text) => samkoer_core::formats::export::parse_date(text).map_err(|_| {
            CliError::usage(
                format!("--reference-date {text} is not a date"),
                "give it as YYYY-MM-DD",
            )
        })?,
    };
    let catalogue = Catalogue::builtin();
    std::fs::create_dir_all(&args.out_dir)?;
    let file = |name: String| -> std::io::Result<BufWriter<File>> {
        Ok(BufWriter::new(File::create(args.out_dir.join(name))?))
    };
    let mut writers = SynthWriters {
        exports: catalogue
            .sectors
            .iter()
            .map(|s| file(format!("export-{}.csv", s.code)))
            .collect::<std::io::Result<_>>()?,
        relations: file("relations.csv".into())?,
    };
    let bar = spinner(format!("synthesising {} people", args.people));
    let config = SynthConfig {
        people: args.people,
        seed: args.seed,
        reference_date,
        invalid_rate: 0.002,
    };
    let summary = synthesise(&config, catalogue, &mut writers)?;
    bar.finish_and_clear();
    println!(
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
        .map(|i| {
            PathBuf::from(if i == 1 {
                "samkoer-demo".to_owned()
            } else {
                format!("samkoer-demo-{i}")
            })
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| PathBuf::from("samkoer-demo"))
}

struct Timer(Vec<(&'static str, f64)>, Instant);

impl Timer {
    fn lap(&mut self, step: &'static str) {
        self.0.push((step, self.1.elapsed().as_secs_f64()));
        self.1 = Instant::now();
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> samkoer_core::Error + '_ {
    move |e| samkoer_core::Error::Io {
        file: path.display().to_string(),
        source: e,
    }
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
    for sub in [
        "keys",
        "exports",
        "publications",
        "match",
        "sectors",
        "consent",
    ] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let audit = dir.join("audit.log");
    let audit = Some(audit.as_path());
    let catalogue = Catalogue::builtin();
    let municipality = MunicipalityCode::new(219)?;
    let now = OffsetDateTime::now_utc();
    let today = now.date();
    let run = RunId::new(&format!("{}-{:02}", today.year(), today.month() as u8))?;
    let mut timer = Timer(Vec::new(), Instant::now());

    // Keys: the custodian, each sector, the consent registry, the plan team.
    let keys = dir.join("keys");
    let master = MasterKey::generate(municipality)?;
    master.write_new(&keys.join("master.key"))?;
    let run_key = master.derive_run_key(&run);
    run_key.write_new(&keys.join("run.key"))?;
    let sealing: Vec<SealingKey> = catalogue
        .sectors
        .iter()
        .map(|s| SealingKey::generate(municipality, s.code.clone()))
        .collect::<samkoer_core::Result<_>>()?;
    for key in &sealing {
        key.write_new(&keys.join(format!("sealing-{}.key", key.sector())))?;
    }
    let registry = ConsentRegistryKey::generate(municipality)?;
    registry.write_new(&keys.join("consent-registry.key"))?;
    let registry_public = consent::registry_public_key(&registry);
    registry_public.write_new(&keys.join("consent-registry.pub"))?;
    let subject = SubjectKey::generate(municipality)?;
    subject.write_new(&keys.join("subject.key"))?;
    let plan_team = PlanTeamKey::generate(municipality)?;
    plan_team.write_new(&keys.join("plan-team.key"))?;
    let plan_team_public = disclosure::plan_team_public_key(&plan_team);
    plan_team_public.write_new(&keys.join("plan-team.pub"))?;
    record(
        audit,
        "custodian".into(),
        "keygen",
        Some(run.to_string()),
        &[("keys", 6 + sealing.len() as u64)],
    )?;
    timer.lap("keys");

    // A synthetic municipality.
    let exports = dir.join("exports");
    let summary = synth(&SynthArgs {
        people: args.people,
        seed: 2026,
        reference_date: Some(today.to_string()),
        out_dir: exports.clone(),
    })?;
    timer.lap("synthesise");

    // Publish, in every sector.
    let options = ExportOptions::default();
    let mut publications = Vec::new();
    let (mut published, mut rejected) = (0, 0);
    let bar = spinner("publishing, sector by sector");
    for key in &sealing {
        let publisher = Publisher::new(&run_key, key, catalogue, &options, today)?;
        let out = dir
            .join("publications")
            .join(format!("{}.pub", key.sector()));
        let relations = exports.join("relations.csv");
        let relations = (key.sector().as_str() == "children-family").then_some(relations.as_path());
        let report = publisher.publish_files(
            &exports.join(format!("export-{}.csv", key.sector())),
            relations,
            &out,
        )?;
        write_atomically(
            &dir.join("publications")
                .join(format!("{}.accounting.json", key.sector())),
            report.to_json().as_bytes(),
            false,
        )?;
        let e = &report.export;
        (published, rejected) = (published + e.published, rejected + e.rejected);
        let counts = e.counts();
        record(
            audit,
            format!("sector:{}", key.sector()),
            "publish",
            Some(run.to_string()),
            &counts,
        )?;
        publications.push(out);
    }
    bar.finish_and_clear();
    timer.lap("publish");

    // Match: result, flag files, statistics.
    write_atomically(
        &dir.join("match").join("criteria.toml"),
        DEMO_CRITERIA.as_bytes(),
        false,
    )?;
    let criteria = Criteria::parse(DEMO_CRITERIA, "demo criteria", catalogue)?;
    let bar = spinner("matching");
    let matched = Match::run(
        publications.iter().cloned().map(Source::Path).collect(),
        catalogue,
        &criteria,
    )?;
    let flags = matched.write_flag_files(|sector| Ok((Vec::new(), format!("{sector}.flag"))))?;
    bar.finish_and_clear();
    for flag in &flags {
        write_atomically(
            &dir.join("match").join(format!("{}.flag", flag.sector)),
            &flag.writer,
            true,
        )?;
    }
    let result = matched.report_json();
    write_atomically(
        &dir.join("match").join("result.json"),
        result.as_bytes(),
        true,
    )?;
    write_atomically(
        &dir.join("match").join("statistics.json"),
        matched.statistics.to_json().as_bytes(),
        false,
    )?;
    write_atomically(
        &dir.join("match").join("statistics.csv"),
        matched.statistics.to_csv().as_bytes(),
        false,
    )?;
    let candidates = matched.candidates();
    let families = candidates
        .iter()
        .filter(|c| c.kind == samkoer_core::central::matcher::CandidateKind::Family)
        .count();
    let deferred = matched.deferred_count();
    let counts = [
        ("persons", matched.person_count()),
        ("candidates", candidates.len() as u64),
        ("deferred", deferred),
    ];
    record(
        audit,
        "matcher".into(),
        "match",
        Some(run.to_string()),
        &counts,
    )?;
    timer.lap("match");

    // Suitability: each sector reviews its flag file; simulated caseworkers give verdicts.
    let mut verdict_files = Vec::new();
    let mut work_lists = Vec::new();
    for (flag, key) in flags.iter().zip(&sealing) {
        let list = review(
            flag.writer.as_slice(),
            &format!("{}.flag", flag.sector),
            key,
            catalogue,
        )?;
        let sector_dir = dir.join("sectors");
        write_atomically(
            &sector_dir.join(format!("{}.worklist.csv", key.sector())),
            list.to_csv().as_bytes(),
            true,
        )?;
        let mut verdicts =
            VerdictFile::from_work_list_csv("candidate,verdict,from\n", "demo", &list)?;
        for candidate in list.candidates() {
            verdicts
                .verdicts
                .insert(candidate, simulated_verdict(&candidate, today));
        }
        let path = sector_dir.join(format!("{}.verdicts.json", key.sector()));
        write_atomically(&path, verdicts.to_json().as_bytes(), false)?;
        let sector = format!("sector:{}", key.sector());
        record(
            audit,
            sector.clone(),
            "review",
            Some(run.to_string()),
            &[("citizens", list.items.len() as u64)],
        )?;
        record(
            audit,
            sector,
            "verdict",
            Some(run.to_string()),
            &[("verdicts", verdicts.verdicts.len() as u64)],
        )?;
        verdict_files.push((path.display().to_string(), verdicts));
        work_lists.push(list);
    }
    let selection = select(municipality, &run, &matched.sent(), &verdict_files)?;
    write_atomically(
        &dir.join("match").join("selection.json"),
        selection.to_json().as_bytes(),
        true,
    )?;
    let counts = selection.counts();
    record(
        audit,
        "matcher".into(),
        "select",
        Some(run.to_string()),
        &counts,
    )?;
    timer.lap("review, verdicts, select");

    // Consent for the first selected citizen found in a work list, and disclosure.
    let chosen = selection.selected.iter().find_map(|s| {
        work_lists.iter().find_map(|list| {
            list.items
                .iter()
                .find(|i| i.candidate == s.candidate)
                .map(|i| (s, i.cpr.clone()))
        })
    });
    let mut disclosed = Vec::new();
    if let Some((selected, cpr)) = chosen {
        // The consent covers the sectors in which this citizen (not the whole family) has services.
        let scope: Vec<_> = work_lists
            .iter()
            .filter(|list| {
                list.items
                    .iter()
                    .any(|i| i.candidate == selected.candidate && i.cpr == cpr)
            })
            .map(|list| list.sector.clone())
            .collect();
        let consent = Consent {
            cpr: &cpr,
            sectors: &scope,
            issued_at: now,
            valid_from: now,
            valid_until: now + time::Duration::days(365),
        };
        let receipt_bytes = consent::issue(&registry, &subject, &consent)?;
        write_atomically(
            &dir.join("consent").join("receipt.bin"),
            &receipt_bytes,
            false,
        )?;
        record(
            audit,
            "registry".into(),
            "consent",
            None,
            &[("sectors", scope.len() as u64)],
        )?;
        let receipt = Receipt::parse(&receipt_bytes, "receipt.bin")?;
        for key in sealing.iter().filter(|k| scope.contains(k.sector())) {
            let discloser = Discloser {
                registry: &registry_public,
                subject: &subject,
                sector: key.sector(),
                plan_team: &plan_team_public,
                catalogue,
                options: &options,
            };
            let export_path = exports.join(format!("export-{}.csv", key.sector()));
            let export = BufReader::new(File::open(&export_path).map_err(io(&export_path))?);
            let bundle = discloser.disclose(
                &receipt,
                &[],
                "receipt.bin",
                export,
                &export_path.display().to_string(),
                now,
            )?;
            write_atomically(
                &dir.join("consent").join(format!("{}.bundle", key.sector())),
                &bundle,
                true,
            )?;
            let opened = disclosure::open_disclosure(&bundle, &plan_team, "bundle")?;
            record(
                audit,
                format!("sector:{}", key.sector()),
                "disclose",
                None,
                &[("services", opened.services.len() as u64)],
            )?;
            disclosed.push((key.sector().clone(), opened.services.len()));
        }
    }
    timer.lap("consent, disclose");

    let log = dir.join("audit.log");
    let head = samkoer_core::audit::verify(
        BufReader::new(File::open(&log).map_err(io(&log))?),
        "audit.log",
        None,
    )?;
    timer.lap("verify audit log");

    // The summary.
    println!(
        "\nsamkoer demo: municipality {municipality}, run {run}, {} people ({} families)",
        summary.people, summary.families
    );
    println!("\nwho holds what");
    println!(
        "  key custodian   keys/master.key, keys/run.key (the run key goes to the sectors, never the matcher)"
    );
    println!(
        "  each sector     its export, keys/sealing-SECTOR.key, the run key, subject key; its work list and verdicts"
    );
    println!(
        "  central matcher publications/*.pub only: pseudonyms, categories, months, age bands, sealed envelopes"
    );
    println!(
        "  consent registry keys/consent-registry.key; sectors verify with keys/consent-registry.pub"
    );
    println!("  plan team       keys/plan-team.key; opens consent/*.bundle");
    println!(
        "\npublished {published} records ({rejected} rows rejected as invalid, every row accounted for)"
    );
    println!(
        "candidates {} ({} families, {} deferred); selected {}, removed {}, outstanding {}",
        candidates.len(),
        families,
        deferred,
        selection.selected.len(),
        selection.removed.len(),
        selection.outstanding.len()
    );
    for (sector, services) in &disclosed {
        println!("disclosed by {sector}: {services} ongoing services, sealed for the plan team");
    }
    println!(
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
        println!("  {:<26} {}", table.name, cells.join("  "));
    }
    println!(
        "\naudit log: {} entries verify (head {}:{})",
        head.seq,
        head.seq,
        &hex::encode(head.hash)[..16]
    );
    println!("\ntime per step");
    for (step, seconds) in &timer.0 {
        println!("  {step:<26} {seconds:>7.2} s");
    }
    println!("\nfiles are in {}", dir.display());
    Ok(())
}
