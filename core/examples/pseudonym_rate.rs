//! Prints how many pseudonyms per second the core's batch API makes on one core, and a digest
//! of all of them so that `bench/pseudonyms.sh` can check other implementations agree.
//!
//! Usage: `cargo run --release -p samkoer-core --example pseudonym_rate -- [COUNT]`

use std::time::Instant;

use samkoer_core::synthetic::benchmark::{benchmark_cpr, benchmark_run_key_bytes};
use samkoer_core::{Cpr, MunicipalityCode, Pseudonymiser, RunId, RunKey};
use sha2::{Digest, Sha256};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: u64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(2_000_000);
    let run_key = RunKey::from_bytes(
        MunicipalityCode::new(219)?,
        RunId::new("bench")?,
        time::macros::date!(2026 - 11 - 01),
        benchmark_run_key_bytes(),
    );
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let cprs = (0..count)
        .map(|i| {
            Ok(Cpr::parse_undated(
                std::str::from_utf8(&benchmark_cpr(i))?,
                "benchmark",
                i + 1,
            )?)
        })
        .collect::<Result<Vec<Cpr>, Box<dyn std::error::Error>>>()?;
    let mut out = Vec::with_capacity(cprs.len());
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        out.clear();
        let started = Instant::now();
        pseudonymiser.pseudonymise_batch(&cprs, &mut out);
        best = best.min(started.elapsed().as_secs_f64());
    }
    let mut digest = Sha256::new();
    for pseudonym in &out {
        digest.update(pseudonym.0);
    }
    println!(
        "samkoer batch: {count} pseudonyms, best of 5: {best:.4} s, {:.0} per second",
        count as f64 / best
    );
    println!(
        "digest of all pseudonyms: {}",
        hex::encode(digest.finalize())
    );
    Ok(())
}
