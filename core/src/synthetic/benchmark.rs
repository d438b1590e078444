//! Deterministic inputs shared by the benchmarks and the cross-language comparison scripts in
//! `bench/`, so that every contender hashes exactly the same CPR numbers.

/// The `i`-th benchmark CPR number as ten ASCII digits: always a valid date (day 1 to 28).
///
/// `bench/pseudonyms_python.py` computes the same sequence; change both together.
pub fn benchmark_cpr(i: u64) -> [u8; 10] {
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let year = (i / 336) % 100;
    let serial = (i * 7919) % 10_000;
    let mut digits = [0u8; 10];
    let text = format!("{day:02}{month:02}{year:02}{serial:04}");
    digits.copy_from_slice(text.as_bytes());
    digits
}

/// The run key every benchmark uses: bytes 0, 1, 2, ..., 31.
pub fn benchmark_run_key_bytes() -> [u8; 32] {
    std::array::from_fn(|i| i as u8)
}

/// What [`write_benchmark_publications`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BenchPublications {
    /// Persons with services.
    pub persons: u64,
    /// Service records, all sectors.
    pub records: u64,
    /// Relation records.
    pub relations: u64,
    /// The publication files, in catalogue sector order.
    pub files: Vec<std::path::PathBuf>,
}

/// Writes one publication per catalogue sector with about `target_records` service records in
/// all: 70 % of persons in one sector, 20 % in two, 7 % in three, 2.5 % in four, 0.5 % in five,
/// with one to three services per sector (about 2.7 records per person); every tenth person a
/// child linked to the two persons before it. Pseudonyms are real (under
/// [`benchmark_run_key_bytes`]); envelopes are random bytes of real envelope lengths, since the
/// matcher never opens them. With `dump`, also writes `records.bin`: per service record its
/// pseudonym (32 bytes), sector index (1 byte) and service index (2 bytes, little-endian), for
/// the comparison with other engines in `bench/`.
pub fn write_benchmark_publications(
    target_records: u64,
    dir: &std::path::Path,
    dump: bool,
) -> crate::Result<BenchPublications> {
    use crate::formats::catalogue::Catalogue;
    use crate::formats::publication::{
        Author, FileHeader, FileKind, FileWriter, RelationRecord, ServiceRecord, YearMonth,
    };
    use crate::primitives::cpr::AgeBand;
    use crate::primitives::ids::{MunicipalityCode, RunId};
    use crate::primitives::keys::RunKey;
    use crate::primitives::keys::SealingKey;
    use crate::primitives::pseudonym::Pseudonymiser;
    use crate::primitives::signing::PartySigningKey;
    use rand::seq::index::sample;
    use rand::{Rng, RngCore, SeedableRng};
    use std::io::{BufWriter, Write};

    let catalogue = Catalogue::builtin();
    let io = |e: std::io::Error| crate::Error::Io {
        file: dir.display().to_string(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let reference_date = time::macros::date!(2026 - 11 - 01);
    let run_key = RunKey::from_bytes(
        MunicipalityCode::new(219)?,
        RunId::new("bench")?,
        reference_date,
        benchmark_run_key_bytes(),
    );
    let pseudonymiser = Pseudonymiser::new(&run_key);
    let mut writers = Vec::new();
    let mut summary = BenchPublications::default();
    for sector in &catalogue.sectors {
        let path = dir.join(format!("{}.pub", sector.code));
        let file = std::fs::File::create(&path).map_err(io)?;
        let sealing = SealingKey::from_bytes(run_key.municipality(), sector.code.clone(), [9; 32]);
        let signing = PartySigningKey::of(&sealing);
        let header = FileHeader {
            municipality: run_key.municipality(),
            run: run_key.run().clone(),
            sector: sector.code.clone(),
            run_key_fingerprint: run_key.fingerprint(),
            catalogue_version: catalogue.version.clone(),
            reference_date,
            author: Author::of(&signing),
        };
        let name = path.display().to_string();
        writers.push(FileWriter::new(
            BufWriter::with_capacity(1 << 20, file),
            FileKind::Publication,
            &name,
            &header,
            &signing,
        )?);
        summary.files.push(path);
    }
    let mut dump_file = if dump {
        Some(BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(dir.join("records.bin")).map_err(io)?,
        ))
    } else {
        None
    };
    let by_sector = catalogue.services_by_sector();
    let family_sector = catalogue
        .sectors
        .iter()
        .position(|s| s.code.as_str() == "children-family")
        .unwrap_or(0);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    let mut envelope = [0u8; 157];
    let mut person: u64 = 0;
    while summary.records < target_records {
        let pseudonym = pseudonymiser.pseudonym_of_digits(&benchmark_person_digits(person));
        let child = person % 10 == 9;
        let band = if child {
            AgeBand::Child6To17
        } else {
            AgeBand::Adult30To49
        };
        // Most persons in one sector, a tail in several (per mille).
        let sectors = match rng.random_range(0..1000) {
            0..700 => 1,
            700..900 => 2,
            900..970 => 3,
            970..995 => 4,
            _ => 5,
        }
        .min(catalogue.sectors.len());
        for sector in sample(&mut rng, catalogue.sectors.len(), sectors) {
            let services = match rng.random_range(0..100) {
                0..40 => 1,
                40..75 => 2,
                _ => 3,
            };
            for _ in 0..services {
                let (index, service) =
                    by_sector[sector][rng.random_range(0..by_sector[sector].len())];
                let length = if rng.random_bool(0.5) { 93 } else { 157 };
                rng.fill_bytes(&mut envelope[..length]);
                envelope[0] = 1;
                let record = ServiceRecord {
                    pseudonym,
                    service: service.code.clone(),
                    start: YearMonth {
                        year: 2025,
                        month: rng.random_range(1..=12),
                    },
                    age_band: band,
                    major_change: service.major_change,
                    envelope: envelope[..length].to_vec(),
                };
                writers[sector].write_service(&record)?;
                if let Some(out) = dump_file.as_mut() {
                    out.write_all(&pseudonym.0).map_err(io)?;
                    out.write_all(&[sector as u8]).map_err(io)?;
                    out.write_all(&index.to_le_bytes()).map_err(io)?;
                }
                summary.records += 1;
            }
        }
        if child && person >= 2 {
            for parent in [person - 1, person - 2] {
                let parent = pseudonymiser.pseudonym_of_digits(&benchmark_person_digits(parent));
                writers[family_sector].write_relation(&RelationRecord {
                    child: pseudonym,
                    parent,
                })?;
                summary.relations += 1;
            }
        }
        person += 1;
    }
    summary.persons = person;
    for writer in writers {
        writer.finish()?.flush().map_err(io)?;
    }
    if let Some(mut out) = dump_file {
        out.flush().map_err(io)?;
    }
    Ok(summary)
}

/// Ten digits naming benchmark person `i` (not a CPR number: pseudonyms do not check).
pub fn benchmark_person_digits(i: u64) -> [u8; 10] {
    let mut digits = [0u8; 10];
    digits.copy_from_slice(format!("{:010}", i % 10_000_000_000).as_bytes());
    digits
}
