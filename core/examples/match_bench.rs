//! Times a whole match of benchmark publications on one core: read and verify, group, link
//! families and select, count statistics, write flag files.
//!
//! Usage:
//!   match_bench generate RECORDS DIR [--dump]   write benchmark publications (and records.bin)
//!   match_bench run DIR                          match them and print the figures

use std::path::PathBuf;
use std::time::Instant;

use samkoer_core::central::matcher::Match;
use samkoer_core::files::Input;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::synthetic::benchmark::write_benchmark_publications;

const CRITERIA: &str = r#"format = "samkoer-criteria"
version = 1

[person]
min_sectors = 3
min_services = 4

[[person.combination]]
any = ["EMP-CASH-BENEFIT"]
with_any = ["ADS-SOCIO-PED", "ADS-DRUG-OUTPATIENT"]

[defer]
services = ["CHF-PLACEMENT-CONSENT"]
major_change = true

[family]
require_child_and_adult = true
min_sectors = 3
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let records: u64 = args.get(1).ok_or("RECORDS missing")?.parse()?;
            let dir = PathBuf::from(args.get(2).ok_or("DIR missing")?);
            let started = Instant::now();
            let written =
                write_benchmark_publications(records, &dir, args.iter().any(|a| a == "--dump"))?;
            println!(
                "generated {} records of {} persons and {} relations in {:.1} s",
                written.records,
                written.persons,
                written.relations,
                started.elapsed().as_secs_f64()
            );
        }
        Some("run") => {
            let dir = PathBuf::from(args.get(1).ok_or("DIR missing")?);
            let catalogue = Catalogue::builtin();
            let criteria = Criteria::parse(CRITERIA, "bench criteria", catalogue)?;
            let sources: Vec<Input> = catalogue
                .sectors
                .iter()
                .map(|s| Input::Path(dir.join(format!("{}.pub", s.code))))
                .collect();
            let started = Instant::now();
            let ingested = Match::ingest(sources, catalogue)?;
            let read = started.elapsed().as_secs_f64();
            let records = ingested.service_records();
            let selecting = Instant::now();
            let matched = Match::evaluate(ingested, catalogue, &criteria)?;
            let select = selecting.elapsed().as_secs_f64();
            let flagging = Instant::now();
            let matcher = samkoer_core::primitives::signing::PartySigningKey::of_matcher(
                &samkoer_core::primitives::keys::MatcherKey::from_bytes(
                    matched.run.municipality,
                    [0xa0; 32],
                ),
            );
            let head = samkoer_core::audit::Head::EMPTY;
            let flags = matched.write_flag_files(&matcher, head, |sector| {
                let path = dir.join(format!("{sector}.flag"));
                let file = std::fs::File::create(&path).map_err(|e| samkoer_core::Error::Io {
                    file: path.display().to_string(),
                    source: e,
                })?;
                Ok((
                    std::io::BufWriter::with_capacity(1 << 20, file),
                    path.display().to_string(),
                ))
            })?;
            let flagged: u64 = flags.iter().map(|f| f.records).sum();
            drop(flags);
            let stats = matched.statistics.to_json();
            let flag = flagging.elapsed().as_secs_f64();
            let total = started.elapsed().as_secs_f64();
            // The check index the match step also leaves (spec §12.8), timed on its own.
            let indexing = Instant::now();
            let path = dir.join("check-index");
            let file = std::fs::File::create(&path).map_err(|e| samkoer_core::Error::Io {
                file: path.display().to_string(),
                source: e,
            })?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            matched.write_check_index(&mut out, &path.display().to_string())?;
            drop(out);
            let index = indexing.elapsed().as_secs_f64();
            // The result file, as the match step writes it (signed, streamed), against the
            // same report unsigned: what the signature costs. Written to a counting sink, so
            // that the disk is not timed.
            let reporting = Instant::now();
            let mut unsigned = Counting(0);
            serde_json::to_writer_pretty(std::io::BufWriter::new(&mut unsigned), &matched.report())
                .map_err(|e| e.to_string())?;
            let report_unsigned = reporting.elapsed().as_secs_f64();
            let signing = Instant::now();
            let mut signed = Counting(0);
            {
                let mut out = std::io::BufWriter::with_capacity(1 << 20, &mut signed);
                matched.write_signed_report(&mut out, &matcher, head, "result.json")?;
                std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
            }
            let report_signed = signing.elapsed().as_secs_f64();
            println!(
                "records {records}, persons {}, candidates {}, flagged records {flagged}, statistics {} bytes",
                matched.person_count(),
                matched.candidates().len(),
                stats.len()
            );
            println!(
                "read and verify: {read:.3} s ({:.1} M records/s)",
                records as f64 / read / 1e6
            );
            println!("group, families, select, statistics: {select:.3} s");
            println!("flag files and statistics output: {flag:.3} s");
            println!("whole match from files: {total:.3} s");
            println!("check index: {index:.3} s");
            println!(
                "result file: {report_signed:.3} s signed ({} bytes), {report_unsigned:.3} s unsigned ({} bytes)",
                signed.0, unsigned.0
            );
        }
        _ => {
            return Err(
                "usage: match_bench generate RECORDS DIR [--dump] | match_bench run DIR".into(),
            );
        }
    }
    Ok(())
}

/// A sink that counts what is written to it.
struct Counting(u64);

impl std::io::Write for Counting {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len() as u64;
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
