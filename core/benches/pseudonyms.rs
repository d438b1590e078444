//! Pseudonyms per second on one core, on 10-digit CPR numbers (issue target: 8 million).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use samkoer_core::synthetic::benchmark::{benchmark_cpr, benchmark_run_key_bytes};
use samkoer_core::{Cpr, MunicipalityCode, Pseudonymiser, RunId, RunKey};
use std::hint::black_box;

const BATCH: usize = 100_000;

fn pseudonyms(c: &mut Criterion) {
    let run_key = RunKey::from_bytes(
        MunicipalityCode::new(219).unwrap(),
        RunId::new("bench").unwrap(),
        time::macros::date!(2026 - 11 - 01),
        benchmark_run_key_bytes(),
    );
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let digits: Vec<[u8; 10]> = (0..BATCH as u64).map(benchmark_cpr).collect();
    let cprs: Vec<Cpr> = digits
        .iter()
        .map(|d| Cpr::parse_undated(std::str::from_utf8(d).unwrap(), "test", 1).unwrap())
        .collect();

    let mut group = c.benchmark_group("pseudonyms");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("batch of validated CPRs", |b| {
        let mut out = Vec::with_capacity(BATCH);
        b.iter(|| {
            out.clear();
            pseudonymiser.pseudonymise_batch(black_box(&cprs), &mut out);
            black_box(out.len())
        })
    });
    group.bench_function("plain hmac crate (baseline)", |b| {
        use hmac::{Hmac, KeyInit, Mac};
        let keyed = Hmac::<sha2::Sha256>::new_from_slice(&benchmark_run_key_bytes()).unwrap();
        b.iter(|| {
            for d in black_box(&digits) {
                let mut mac = keyed.clone();
                mac.update(samkoer_core::primitives::labels::PSEUDONYM);
                mac.update(d);
                black_box(mac.finalize().into_bytes());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, pseudonyms);
criterion_main!(benches);
