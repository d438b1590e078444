//! Publishes a generated municipality: keys, one synthetic export per sector, a relations file,
//! and one publication with its accounting report per sector, in a folder it names.
//!
//! Usage: `cargo run --release -p samkoer-core --example publish_demo -- [PEOPLE] [FOLDER]`
//! (defaults: 50,000 people, `samkoer-demo`).

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Instant;

use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::sector::publish::Publisher;
use samkoer_core::synthetic::municipality::{SynthConfig, SynthWriters, synthesise};
use samkoer_core::{KeyFileFormat, MasterKey, MunicipalityCode, RunId, SealingKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(50_000);
    let folder = PathBuf::from(
        std::env::args()
            .nth(2)
            .unwrap_or_else(|| "samkoer-demo".into()),
    );
    if folder.exists() {
        return Err(format!(
            "{} exists already; remove it or name another folder",
            folder.display()
        )
        .into());
    }
    std::fs::create_dir_all(folder.join("keys"))?;
    let catalogue = Catalogue::builtin();
    let municipality = MunicipalityCode::new(219)?;
    let reference_date = time::OffsetDateTime::now_utc().date();
    let run = RunId::new(&format!(
        "{}-{:02}",
        reference_date.year(),
        reference_date.month() as u8
    ))?;

    let started = Instant::now();
    let master = MasterKey::generate(municipality)?;
    master.write_new(&folder.join("keys/master.key"))?;
    let run_key = master.derive_run_key(&run);
    run_key.write_new(&folder.join("keys/run.key"))?;
    println!(
        "keys      master {}  run {} ({})",
        master.fingerprint(),
        run_key.fingerprint(),
        run
    );

    let file = |name: String| -> std::io::Result<BufWriter<File>> {
        Ok(BufWriter::new(File::create(folder.join(name))?))
    };
    let mut writers = SynthWriters {
        exports: catalogue
            .sectors
            .iter()
            .map(|s| file(format!("export-{}.csv", s.code)))
            .collect::<Result<_, _>>()?,
        relations: file("relations.csv".into())?,
    };
    let config = SynthConfig {
        people,
        seed: 2026,
        reference_date,
        invalid_rate: 0.002,
    };
    let summary = synthesise(&config, catalogue, &mut writers)?;
    drop(writers);
    println!(
        "synth     {} people, {} families, {} export rows, {} relations  ({:.2} s)",
        summary.people,
        summary.families,
        summary.rows.iter().sum::<u64>(),
        summary.relations,
        started.elapsed().as_secs_f64()
    );

    let options = ExportOptions::default();
    println!(
        "{:<16} {:>9} {:>10} {:>9} {:>9} {:>8}",
        "sector", "rows", "published", "excluded", "rejected", "seconds"
    );
    for sector in &catalogue.sectors {
        let sealing = SealingKey::generate(municipality, sector.code.clone())?;
        sealing.write_new(&folder.join(format!("keys/sealing-{}.key", sector.code)))?;
        let publisher = Publisher::new(&run_key, &sealing, catalogue, &options, reference_date)?;
        let relations = folder.join("relations.csv");
        let relations = (sector.code.as_str() == "children-family").then_some(relations.as_path());
        let step = Instant::now();
        let report = publisher.publish_files(
            &folder.join(format!("export-{}.csv", sector.code)),
            relations,
            &folder.join(format!("{}.pub", sector.code)),
        )?;
        std::fs::write(
            folder.join(format!("{}.accounting.json", sector.code)),
            report.to_json(),
        )?;
        let e = &report.export;
        println!(
            "{:<16} {:>9} {:>10} {:>9} {:>9} {:>8.2}",
            sector.code,
            e.rows,
            e.published,
            e.excluded,
            e.rejected,
            step.elapsed().as_secs_f64()
        );
    }
    println!(
        "files in  {}  (publications *.pub, accounting reports *.accounting.json, keys/)",
        folder.display()
    );
    Ok(())
}
