//! Measures what a dictionary attack on pseudonyms costs (docs/threat-model.md): every
//! syntactically valid CPR number is enumerated and hashed.
//!
//! 1. Unkeyed SHA-256 of every number in its ten-digit text form, on one core and on every core:
//!    what an attacker pays to reverse pseudonyms if they were plain hashes.
//! 2. The expected work when the hash is keyed with a 256-bit run key the attacker lacks.
//! 3. The full dictionary (CPR → pseudonym) with the core's own [`Pseudonymiser`], as an attacker
//!    who has stolen a run key would compute it, on one core.
//!
//! Each measurement folds its digests into a checksum that is printed, so none of the work can be
//! optimised away. A measurement whose full run would take more than two minutes on one core is
//! made on every 16th date-and-century prefix instead and extrapolated; the output says so.
//!
//! Usage: `cargo run --release -p samkoer-core --example cpr_space`

use std::thread;
use std::time::{Duration, Instant};

use samkoer_core::synthetic::benchmark::benchmark_run_key_bytes;
use samkoer_core::{Cpr, MunicipalityCode, Pseudonym, Pseudonymiser, RunId, RunKey};
use sha2::{Digest, Sha256};

/// Serials per prefix: the last three digits, which never affect validity (spec §3.2).
const SERIALS_PER_PREFIX: u64 = 1_000;
/// The sample takes every this-many-th prefix.
const SAMPLE_STRIDE: usize = 16;
/// Above this projected time on one core, the sample is reported instead of a full run.
const FULL_RUN_LIMIT: Duration = Duration::from_secs(120);
const SECONDS_PER_YEAR: f64 = 365.25 * 24.0 * 3600.0;

/// The first seven digits `DDMMYYS` of a valid CPR number. The seventh digit chooses the century
/// together with `YY`; the remaining three serial digits are free.
type Prefix = [u8; 7];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prefixes = valid_prefixes();
    let numbers = prefixes.len() as u64 * SERIALS_PER_PREFIX;
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "valid CPR numbers (every DDMMYY that is a real date for its 7th digit, every serial):"
    );
    println!(
        "  {numbers} numbers ({} date-and-century prefixes x 1000)",
        prefixes.len()
    );

    println!("\nunkeyed SHA-256 of the ten-digit text (sha2 crate):");
    let one_core = measure(&prefixes, |subset| Ok(sha256_checksum(subset)))?;
    one_core.print("one core", numbers);
    let all_cores = measure(&prefixes, |subset| {
        Ok(on_every_core(subset, cores, sha256_checksum))
    })?;
    all_cores.print(&format!("{cores} cores"), numbers);
    // Both runs covered the same numbers, so XOR-folded checksums must agree.
    if one_core.sampled == all_cores.sampled && one_core.checksum != all_cores.checksum {
        return Err(
            "the one-core and all-core checksums differ: the runs did not do the same work".into(),
        );
    }

    println!("\nkeyed (HMAC-SHA256 under a 256-bit run key the attacker does not have):");
    let key_space = 2f64.powi(256);
    let expected_keys = key_space / 2.0;
    let rate = numbers as f64 / all_cores.seconds;
    println!("  keys to try: 2^256 = {key_space:.3e}, on average half: {expected_keys:.3e}");
    println!(
        "  each guess is tested by hashing CPR numbers under it: at least one hash per guess (with one \
         known CPR and its pseudonym), up to the whole space ({numbers}) without"
    );
    println!(
        "  expected work: at least {expected_keys:.3e} hashes, at {rate:.3e} per second: {:.3e} years \
         (up to {numbers} times that)",
        expected_keys / rate / SECONDS_PER_YEAR
    );

    println!(
        "\nfull dictionary with a stolen run key (the core's Pseudonymiser, batches of 1000):"
    );
    let run_key = RunKey::from_bytes(
        MunicipalityCode::new(219)?,
        RunId::new("cpr-space")?,
        time::macros::date!(2026 - 11 - 01),
        benchmark_run_key_bytes(),
    );
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let dictionary = measure(&prefixes, |subset| {
        pseudonym_checksum(&pseudonymiser, subset)
    })?;
    dictionary.print("one core", numbers);
    Ok(())
}

/// Every `DDMMYYS` prefix whose date exists under the century rule of its seventh digit, as the
/// core's own parser decides. The serial's last three digits play no part in that rule, so one
/// parse per prefix stands for its thousand numbers.
fn valid_prefixes() -> Vec<Prefix> {
    let mut prefixes = Vec::new();
    for day in 1..=31u32 {
        for month in 1..=12u32 {
            for year in 0..=99u32 {
                for seventh in 0..=9u32 {
                    let text = format!("{day:02}{month:02}{year:02}{seventh}000");
                    if Cpr::parse_undated(&text, "test", 1).is_ok() {
                        let mut prefix = [0u8; 7];
                        prefix.copy_from_slice(&text.as_bytes()[..7]);
                        prefixes.push(prefix);
                    }
                }
            }
        }
    }
    prefixes
}

/// The ten digits of the prefix followed by `serial` (0 to 999).
fn digits_of(prefix: &Prefix, serial: u64) -> [u8; 10] {
    let mut digits = [0u8; 10];
    digits[..7].copy_from_slice(prefix);
    digits[7] = b'0' + (serial / 100) as u8;
    digits[8] = b'0' + (serial / 10 % 10) as u8;
    digits[9] = b'0' + (serial % 10) as u8;
    digits
}

/// The first eight bytes of a digest, to fold into a checksum.
fn fold(bytes: &[u8]) -> u64 {
    let mut head = [0u8; 8];
    head.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(head)
}

/// Unkeyed SHA-256 of every number under `prefixes`; the timed work is all of it.
fn sha256_checksum(prefixes: &[Prefix]) -> Timed {
    let started = Instant::now();
    let mut checksum = 0u64;
    for prefix in prefixes {
        for serial in 0..SERIALS_PER_PREFIX {
            checksum ^= fold(&Sha256::digest(digits_of(prefix, serial)));
        }
    }
    Timed {
        checksum,
        busy: started.elapsed(),
    }
}

/// The pseudonym of every number under `prefixes`, a prefix's thousand numbers per batch. Only
/// `pseudonymise_batch` is timed: parsing the numbers into the batch is not the attacker's cost.
fn pseudonym_checksum(
    pseudonymiser: &Pseudonymiser,
    prefixes: &[Prefix],
) -> Result<Timed, Box<dyn std::error::Error>> {
    let mut batch = Vec::with_capacity(SERIALS_PER_PREFIX as usize);
    let mut pseudonyms: Vec<Pseudonym> = Vec::with_capacity(batch.capacity());
    let mut checksum = 0u64;
    let mut busy = Duration::ZERO;
    for prefix in prefixes {
        batch.clear();
        for serial in 0..SERIALS_PER_PREFIX {
            let digits = digits_of(prefix, serial);
            let text = std::str::from_utf8(&digits)?;
            batch.push(Cpr::parse_undated(text, "cpr space", 1).map_err(|e| e.class())?);
        }
        pseudonyms.clear();
        let started = Instant::now();
        pseudonymiser.pseudonymise_batch(&batch, &mut pseudonyms);
        busy += started.elapsed();
        checksum = pseudonyms
            .iter()
            .fold(checksum, |sum, pseudonym| sum ^ fold(&pseudonym.0));
    }
    Ok(Timed { checksum, busy })
}

/// Runs `work` on one chunk of `prefixes` per core at once; wall-clock time of the whole.
fn on_every_core(prefixes: &[Prefix], cores: usize, work: fn(&[Prefix]) -> Timed) -> Timed {
    let started = Instant::now();
    let chunk = prefixes.len().div_ceil(cores).max(1);
    let checksum = thread::scope(|scope| {
        let workers: Vec<_> = prefixes
            .chunks(chunk)
            .map(|part| scope.spawn(move || work(part).checksum))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .fold(0, |sum, part| sum ^ part)
    });
    Timed {
        checksum,
        busy: started.elapsed(),
    }
}

/// A checksum of digests and the time spent making them.
struct Timed {
    checksum: u64,
    busy: Duration,
}

/// The result of a measurement, full or extrapolated from the sample.
struct Measured {
    seconds: f64,
    checksum: u64,
    sampled: Option<u64>,
}

impl Measured {
    fn print(&self, on: &str, numbers: u64) {
        let how = match self.sampled {
            None => "measured over the whole space".to_string(),
            Some(sample) => format!(
                "extrapolated from every {SAMPLE_STRIDE}th prefix ({sample} numbers): a full run \
                 would take more than {} s",
                FULL_RUN_LIMIT.as_secs()
            ),
        };
        println!(
            "  {on}: {:.2} s, {:.3e} hashes per second, checksum {:016x} ({how})",
            self.seconds,
            numbers as f64 / self.seconds,
            self.checksum
        );
    }
}

/// Times `run` on every 16th prefix first; if the whole space then projects to at most
/// [`FULL_RUN_LIMIT`], times it over the whole space, else reports the extrapolated sample.
fn measure(
    prefixes: &[Prefix],
    run: impl Fn(&[Prefix]) -> Result<Timed, Box<dyn std::error::Error>>,
) -> Result<Measured, Box<dyn std::error::Error>> {
    let sample: Vec<Prefix> = prefixes.iter().step_by(SAMPLE_STRIDE).copied().collect();
    let sampled = run(&sample)?;
    let scale = prefixes.len() as f64 / sample.len() as f64;
    let projected = sampled.busy.as_secs_f64() * scale;
    if projected <= FULL_RUN_LIMIT.as_secs_f64() {
        let full = run(prefixes)?;
        Ok(Measured {
            seconds: full.busy.as_secs_f64(),
            checksum: full.checksum,
            sampled: None,
        })
    } else {
        Ok(Measured {
            seconds: projected,
            checksum: sampled.checksum,
            sampled: Some(sample.len() as u64 * SERIALS_PER_PREFIX),
        })
    }
}
