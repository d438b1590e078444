//! What the integration tests share: a synthetic municipality, published by every sector.

#![allow(dead_code)] // each test file uses its own part
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::io::Cursor;
use std::sync::Arc;

use samkoer_core::files::Input;
use samkoer_core::formats::catalogue::{Catalogue, Category};
use samkoer_core::formats::criteria::Criteria;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::formats::publication::{
    Author, FileHeader, FileKind, FileWriter, RelationRecord, ServiceRecord, YearMonth,
};
use samkoer_core::primitives::envelope::{EnvelopeContent, EnvelopeKey};
use samkoer_core::primitives::signing::PartySigningKey;
use samkoer_core::sector::publish::Publisher;
use samkoer_core::synthetic::municipality::{SynthConfig, synthesise_in_memory};
use samkoer_core::{
    Cpr, MasterKey, MunicipalityCode, Pseudonym, Pseudonymiser, RunId, RunKey, SealingKey,
};
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

/// A person of a small hand-made population: a made-up CPR number (whose birth date gives the
/// age band on [`REFERENCE`]) and the service codes the person receives, each published by the
/// catalogue's sector of that service.
#[derive(Clone, Debug)]
pub struct Member {
    pub label: String,
    pub cpr: String,
    pub services: Vec<String>,
}

/// A hand-made population: its persons and relations (child label, parent label). A label in
/// a relation but not among the persons is a person without services.
#[derive(Clone, Debug)]
pub struct Population {
    pub members: Vec<Member>,
    pub relations: Vec<(String, String)>,
    /// Made-up CPR numbers of the persons known only from relations, by label.
    pub without_services: Vec<(String, String)>,
}

/// The fixed keys of the hand-made publications: made up, as every key of the tests.
pub fn population_keys() -> (RunKey, Vec<SealingKey>) {
    let town = MunicipalityCode::new(219).unwrap();
    let master = MasterKey::from_bytes(town, std::array::from_fn(|i| i as u8));
    let run_key = master.derive_run_key(&RunId::new("2026-11").unwrap(), REFERENCE);
    let sealing = Catalogue::builtin()
        .sectors
        .iter()
        .enumerate()
        .map(|(i, s)| SealingKey::from_bytes(town, s.code.clone(), [100 + i as u8; 32]))
        .collect();
    (run_key, sealing)
}

impl Population {
    /// Every person's pseudonym under the run key, by label.
    pub fn pseudonyms(&self, run_key: &RunKey) -> Vec<(String, Pseudonym)> {
        let pseudonymiser = Pseudonymiser::new(run_key);
        let of = |cpr: &str| pseudonymiser.pseudonym(&Cpr::parse_undated(cpr, "test", 1).unwrap());
        self.members
            .iter()
            .map(|m| (m.label.clone(), of(&m.cpr)))
            .chain(
                self.without_services
                    .iter()
                    .map(|(label, cpr)| (label.clone(), of(cpr))),
            )
            .collect()
    }

    /// The label of a pseudonym.
    pub fn label_of(&self, run_key: &RunKey, pseudonym: &Pseudonym) -> String {
        let labels = self.pseudonyms(run_key);
        labels.into_iter().find(|(_, p)| p == pseudonym).unwrap().0
    }

    /// One publication per catalogue sector, in catalogue order (`SECTOR.pub`), written record
    /// by record as publish would: the band from the CPR number on the reference date, the
    /// major-change flag from the catalogue, envelopes sealed with fixed nonces (these are test
    /// vectors), the relations in the children-family publication.
    pub fn publications(&self) -> Vec<(String, Vec<u8>)> {
        let catalogue = Catalogue::builtin();
        let (run_key, sealing) = population_keys();
        let run = RunId::new("2026-11").unwrap();
        let pseudonyms = self.pseudonyms(&run_key);
        let pseudonym = |label: &str| pseudonyms.iter().find(|(l, _)| l == label).unwrap().1;
        let mut nonce = 0u32;
        sealing
            .iter()
            .map(|key| {
                let header = FileHeader {
                    municipality: key.municipality(),
                    run: run.clone(),
                    sector: key.sector().clone(),
                    run_key_fingerprint: run_key.fingerprint(),
                    catalogue_version: catalogue.version.clone(),
                    reference_date: REFERENCE,
                    author: Author::of(&PartySigningKey::of(key)),
                };
                let file = format!("{}.pub", key.sector());
                let signing = PartySigningKey::of(key);
                let mut writer =
                    FileWriter::new(Vec::new(), FileKind::Publication, &file, &header, &signing)
                        .unwrap();
                let envelope_key = EnvelopeKey::derive(key, &run);
                for member in &self.members {
                    let cpr = Cpr::parse_undated(&member.cpr, "test", 1).unwrap();
                    for code in &member.services {
                        let Some(Category::Allowed(service)) = catalogue.lookup(code) else {
                            panic!("{code} is not an allowed service");
                        };
                        if service.sector != *key.sector() {
                            continue;
                        }
                        let start = date!(2026 - 01 - 15);
                        let content = EnvelopeContent {
                            cpr: Cpr::parse_undated(&member.cpr, "test", 1).unwrap(),
                            case_ref: String::new(),
                            caseworker: String::new(),
                            goal: String::new(),
                            start,
                        };
                        nonce += 1;
                        let mut nonce_bytes = [0u8; 12];
                        nonce_bytes[..4].copy_from_slice(&nonce.to_be_bytes());
                        let p = pseudonym(&member.label);
                        let envelope = envelope_key
                            .seal_with_nonce(code, &p, &content, nonce_bytes)
                            .unwrap();
                        writer
                            .write_service(&ServiceRecord {
                                pseudonym: p,
                                service: code.into(),
                                start: YearMonth::of(start),
                                age_band: cpr.age_band(REFERENCE),
                                major_change: service.major_change,
                                envelope,
                            })
                            .unwrap();
                    }
                }
                if key.sector().as_str() == "children-family" {
                    for (child, parent) in &self.relations {
                        let (child, parent) = (pseudonym(child), pseudonym(parent));
                        writer
                            .write_relation(&RelationRecord { child, parent })
                            .unwrap();
                    }
                }
                (file, writer.finish().unwrap())
            })
            .collect()
    }
}

/// Publications as the matcher's sources.
pub fn named_sources(publications: &[(String, Vec<u8>)]) -> Vec<Input> {
    publications
        .iter()
        .map(|(name, bytes)| Input::Bytes {
            name: name.clone(),
            bytes: Arc::from(bytes.as_slice()),
        })
        .collect()
}

/// Families and persons of every age band, around the band limits on [`REFERENCE`]
/// (2026-11-01): a child born 2020-11-01 is 6 today, one born a day later still 5; a person
/// born 2008-11-01 is 18 today, one born a day later 17. Made-up CPR numbers.
pub fn ages_population() -> Population {
    let m = |label: &str, cpr: &str, services: &[&str]| Member {
        label: label.into(),
        cpr: cpr.into(),
        services: services.iter().map(|&s| s.into()).collect(),
    };
    Population {
        members: vec![
            m(
                "A-child",
                "1003224101",
                &["CHF-SUPPORTED-DAYCARE", "SCH-LANGUAGE-SUPPORT"],
            ),
            m(
                "A-mother",
                "2005921102",
                &["EMP-CASH-BENEFIT", "ADS-SOCIO-PED"],
            ),
            m(
                "B-child",
                "0111204103",
                &["CHF-HOME-SUPPORT", "SCH-SUPPLEMENTARY"],
            ),
            m("B-father", "1402801104", &["EMP-MENTOR", "HEA-FREE-PHYSIO"]),
            m("C-child", "0211204105", &["CHF-PLACEMENT-CONSENT"]),
            m(
                "C-parent",
                "0707991106",
                &["EMP-GUIDANCE", "ADS-CONTACT-PERSON"],
            ),
            m(
                "D-child",
                "0909104107",
                &["CHF-YOUTH-DRUG", "SCH-SPECIAL-CLASS"],
            ),
            m(
                "D-parent",
                "0404701108",
                &["EMP-SICKNESS-BENEFIT", "HEA-HOME-NURSING"],
            ),
            m("E-child", "0106254109", &["CHF-INVESTIGATION"]),
            m(
                "P1",
                "0303014111",
                &[
                    "EMP-CASH-BENEFIT",
                    "ADS-DRUG-OUTPATIENT",
                    "HEA-ALCOHOL-OUTPATIENT",
                ],
            ),
            m(
                "P2",
                "0808861112",
                &["EMP-JOB-CLARIFICATION", "HEA-HOME-NURSING"],
            ),
            m(
                "P3",
                "1010561113",
                &["HEA-HOME-NURSING", "HEA-HOME-HELP", "ADS-PERSONAL-ASSIST"],
            ),
            m(
                "P4",
                "1212661114",
                &[
                    "EMP-JOB-CLARIFICATION",
                    "HEA-HOME-NURSING",
                    "ADS-DRUG-RESIDENTIAL",
                ],
            ),
            m(
                "P5",
                "0111084115",
                &["EMP-GUIDANCE", "ADS-SOCIO-PED", "SCH-SPECIAL-ED-CLASS"],
            ),
            m(
                "P6",
                "0211084116",
                &["SCH-SPECIAL-CLASS", "CHF-CONTACT-PERSON"],
            ),
        ],
        relations: [
            ("A-child", "A-mother"),
            ("B-child", "B-father"),
            ("C-child", "C-parent"),
            ("D-child", "D-parent"),
            ("E-child", "E-parent"),
            // A family in which no one has services: linked, never counted or selected.
            ("F-child", "F-parent"),
        ]
        .map(|(child, parent)| (child.into(), parent.into()))
        .to_vec(),
        without_services: vec![
            ("E-parent".into(), "0101951110".into()),
            ("F-child".into(), "0504154117".into()),
            ("F-parent".into(), "0601851118".into()),
        ],
    }
}

/// Criteria over [`ages_population`], each with the candidates it selects by member labels
/// (the members sorted; `*` marks a deferred candidate), found by hand from spec §11–§12.4.
pub const AGE_CRITERIA: [(&str, &str, &[&str]); 6] = [
    (
        "families with a child under 6",
        "format = \"samkoer-criteria\"\nversion = 1\n\n[family]\nchild_age_bands = [\"child-0-5\"]\n",
        &["A-child A-mother", "C-child C-parent", "E-child"],
    ),
    (
        "families with a child under 6 and an adult with services, deferred on a major change",
        "format = \"samkoer-criteria\"\nversion = 1\n\n[defer]\nmajor_change = true\n\n[family]\nrequire_child_and_adult = true\nchild_age_bands = [\"child-0-5\"]\n",
        &["A-child A-mother", "*C-child C-parent"],
    ),
    (
        "persons of two sectors aged 18 to 49",
        "format = \"samkoer-criteria\"\nversion = 1\n\n[person]\nmin_sectors = 2\nage_bands = [\"adult-18-29\", \"adult-30-49\"]\n",
        &["A-mother", "B-father", "C-parent", "P1", "P2", "P5"],
    ),
    (
        "a combination with its own band beside one for any band",
        "format = \"samkoer-criteria\"\nversion = 1\n\n[[person.combination]]\nname = \"job clarification with home nursing, 50 to 66\"\nall = [\"EMP-JOB-CLARIFICATION\", \"HEA-HOME-NURSING\"]\nage_bands = [\"adult-50-66\"]\n\n[[person.combination]]\nany = [\"EMP-CASH-BENEFIT\"]\nwith_any = [\"ADS-SOCIO-PED\", \"ADS-DRUG-OUTPATIENT\"]\n",
        &["A-mother", "P1", "P4"],
    ),
    (
        "families with a child of 6 to 17, then such children of two sectors alone",
        "format = \"samkoer-criteria\"\nversion = 1\n\n[person]\nmin_sectors = 2\nage_bands = [\"child-6-17\"]\n\n[family]\nchild_age_bands = [\"child-6-17\"]\n",
        &["B-child B-father", "D-child D-parent", "P6"],
    ),
    (
        "three sectors, any age",
        "format = \"samkoer-criteria\"\nversion = 1\nthreshold = 3\n\n[person]\nmin_sectors = 3\n",
        &["P1", "P4", "P5"],
    ),
];

/// The test matcher's signing key (§4.6), which signs flag files and match results.
#[allow(dead_code)]
pub fn matcher_signing() -> PartySigningKey {
    let municipality = samkoer_core::primitives::ids::MunicipalityCode::new(219).unwrap();
    PartySigningKey::of_matcher(&samkoer_core::primitives::keys::MatcherKey::from_bytes(
        municipality,
        [6; 32],
    ))
}
