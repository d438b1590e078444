//! The one-citizen check's answer once the match has run (issue target: at most 10 ms per
//! request), against matching the publications again to answer it (how it was answered before
//! the check index), in the same run.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use criterion::{Criterion, criterion_group, criterion_main};
use samkoer_core::files::{Input, Place};
use samkoer_core::flow::Audit;
use samkoer_core::flow::central::{self, Check, MatchStep, MatchTo};
use samkoer_core::formats::check::CheckRequest;
use samkoer_core::formats::publication::{FileKind, FileReader, Record};
use samkoer_core::primitives::keys::{MatcherKey, SealingKey};
use samkoer_core::primitives::signing::PartySigningKey;
use samkoer_core::synthetic::benchmark::write_benchmark_publications;
use samkoer_core::{Catalogue, MunicipalityCode, Pseudonym, RunId};

/// Service records in the benchmark match (about 370,000 persons).
const RECORDS: u64 = 1_000_000;

fn check(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let written = write_benchmark_publications(RECORDS, &dir.path().join("pubs"), false).unwrap();
    let criteria = "format = \"samkoer-criteria\"\nversion = 1\n[person]\nmin_sectors = 2\n";
    let matcher = MatcherKey::from_bytes(MunicipalityCode::new(219).unwrap(), [3; 32]);
    let step = MatchStep {
        matcher: &matcher,
        catalogue: Catalogue::builtin(),
        criteria: Input::bytes("criteria.toml", criteria.as_bytes().to_vec()),
        publications: written.files.iter().map(Input::path).collect(),
    };
    let folder = dir.path().join("match");
    central::match_publications(&step, &MatchTo::folder(&folder), &Audit::none()).unwrap();

    // The first sector's own pseudonyms, as it would ask about them, signed with its key (the
    // benchmark publications are signed with the sealing key of bytes 9).
    let catalogue = Catalogue::builtin();
    let sector = catalogue.sectors[0].code.clone();
    let bytes = std::fs::read(&written.files[0]).unwrap();
    let mut reader = FileReader::new(&bytes[..], FileKind::Publication, "p").unwrap();
    let mut own: Vec<Pseudonym> = Vec::new();
    while let Some(record) = reader.next_record().unwrap() {
        if let Record::Service(service) = record {
            own.push(service.pseudonym);
        }
    }
    own.dedup();
    let municipality = MunicipalityCode::new(219).unwrap();
    let signing = PartySigningKey::of(&SealingKey::from_bytes(
        municipality,
        sector.clone(),
        [9; 32],
    ));
    let request = |n: usize| {
        let pseudonyms = own.iter().step_by(own.len() / n).take(n).copied().collect();
        let request = CheckRequest::signed(
            municipality,
            RunId::new("bench").unwrap(),
            sector.clone(),
            pseudonyms,
            &signing,
            "persons.txt",
        )
        .unwrap();
        Input::bytes("request.json", request.to_json().into_bytes())
    };
    let answer = |request: &Input| {
        let check = Check {
            matcher: &matcher,
            index: Input::path(folder.join("check-index")),
            request: request.clone(),
        };
        central::check(&check, Place::memory("answer.json"), &Audit::none()).unwrap()
    };

    let mut group = c.benchmark_group("check");
    group.sample_size(20);
    let one = request(1);
    group.bench_function("answer one citizen from the check index", |b| {
        b.iter(|| answer(&one))
    });
    let many = request(1000);
    group.bench_function("answer 1,000 citizens from the check index", |b| {
        b.iter(|| answer(&many))
    });
    group.sample_size(10);
    group.bench_function("match the publications again (baseline)", |b| {
        b.iter(|| central::match_publications(&step, &MatchTo::memory(), &Audit::none()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
