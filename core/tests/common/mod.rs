//! What the integration tests share: a synthetic municipality, published by every sector.

#![allow(dead_code)] // each test file uses its own part
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::io::Cursor;
use std::sync::Arc;

use samkoer_core::files::Input;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::sector::publish::Publisher;
use samkoer_core::synthetic::municipality::{SynthConfig, synthesise_in_memory};
use samkoer_core::{MasterKey, MunicipalityCode, RunId, RunKey, SealingKey};
use time::Date;
use time::macros::date;

pub const REFERENCE: Date = date!(2026 - 11 - 01);

pub const CRITERIA: &str = r#"format = "samkoer-criteria"
version = 1

[person]
min_sectors = 2
min_services = 3

[[person.combination]]
name = "cash benefit with social support"
any = ["EMP-CASH-BENEFIT"]
with_any = ["ADS-SOCIO-PED", "ADS-DRUG-OUTPATIENT", "ADS-CONTACT-PERSON"]

[[person.combination]]
all = ["HEA-HOME-NURSING", "ADS-SOCIO-PED"]

[defer]
services = ["CHF-PLACEMENT-CONSENT"]
major_change = true

[family]
require_child_and_adult = true
min_sectors = 3
"#;

pub struct Town {
    pub exports: Vec<Vec<u8>>,
    pub relations: Vec<u8>,
    pub run_key: RunKey,
    pub sealing: Vec<SealingKey>,
    pub publications: Vec<Vec<u8>>,
}

pub fn town(people: usize, seed: u64, run: &str) -> Town {
    let catalogue = Catalogue::builtin();
    let config = SynthConfig {
        people,
        seed,
        reference_date: REFERENCE,
        invalid_rate: 0.01,
    };
    let (_, writers) = synthesise_in_memory(&config, catalogue);
    let master = MasterKey::from_bytes(MunicipalityCode::new(219).unwrap(), [5; 32]);
    let run_key = master.derive_run_key(&RunId::new(run).unwrap(), REFERENCE);
    let sealing: Vec<SealingKey> = catalogue
        .sectors
        .iter()
        .enumerate()
        .map(|(i, s)| {
            SealingKey::from_bytes(
                MunicipalityCode::new(219).unwrap(),
                s.code.clone(),
                [i as u8 + 10; 32],
            )
        })
        .collect();
    let options = ExportOptions::default();
    let publications = sealing
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let publisher = Publisher::new(&run_key, key, catalogue, &options).unwrap();
            let relations = (key.sector().as_str() == "children-family").then(|| {
                (
                    Box::new(Cursor::new(writers.relations.clone())) as Box<dyn std::io::Read>,
                    "relations.csv",
                )
            });
            publisher
                .publish(
                    Cursor::new(writers.exports[i].clone()),
                    "export.csv",
                    relations,
                    Vec::new(),
                    "p",
                )
                .unwrap()
                .output
        })
        .collect();
    Town {
        exports: writers.exports,
        relations: writers.relations,
        run_key,
        sealing,
        publications,
    }
}

pub fn sources(publications: &[Vec<u8>]) -> Vec<Input> {
    let catalogue = Catalogue::builtin();
    publications
        .iter()
        .zip(&catalogue.sectors)
        .map(|(bytes, sector)| Input::Bytes {
            name: format!("{}.pub", sector.code),
            bytes: Arc::from(bytes.as_slice()),
        })
        .collect()
}

pub fn criteria() -> Criteria {
    Criteria::parse(CRITERIA, "criteria.toml", Catalogue::builtin()).unwrap()
}
