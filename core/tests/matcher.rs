//! The matcher against a plaintext reference implementation (raw CPR numbers, no cryptography)
//! on a synthetic municipality with families, plus the properties of flag files, statistics,
//! candidate ids, the one-citizen check and the refusals of mixed input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use samkoer_core::central::matcher::{CandidateKind, Match};
use samkoer_core::formats::catalogue::{Catalogue, Category};
use samkoer_core::formats::check::CheckAnswer;
use samkoer_core::formats::criteria::{Combination, Criteria, FamilyRule, NamedCombination};
use samkoer_core::formats::export::parse_date;
use samkoer_core::formats::publication::{FileKind, FileReader, Record};
use samkoer_core::primitives::cpr::AgeBand;
use samkoer_core::primitives::envelope::EnvelopeKey;
use samkoer_core::synthetic::municipality::delimiter_of;
use samkoer_core::{Cpr, Pseudonym, Pseudonymiser, RunId, SectorCode};

mod common;
use common::{REFERENCE, Town, criteria, matcher_signing, sources, town};
use samkoer_core::audit::Head;

// ---------------------------------------------------------------------------------------------
// The plaintext reference: the same rules, on raw CPR numbers, written independently.

#[derive(Default, Clone)]
struct RefPerson {
    sectors: BTreeSet<usize>,
    services: BTreeSet<String>,
    band: Option<AgeBand>,
    major_change: bool,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RefCandidate {
    kind: &'static str,
    deferred: bool,
    members: BTreeSet<Pseudonym>,
}

fn digits(text: &str) -> Option<String> {
    Cpr::parse(text, REFERENCE, "test", 1)
        .ok()
        .map(|c| String::from_utf8(c.expose_digits().to_vec()).unwrap())
}

fn reference(
    town: &Town,
    criteria: &Criteria,
) -> (Vec<RefCandidate>, BTreeMap<&'static str, Vec<u64>>) {
    let catalogue = Catalogue::builtin();
    let mut people: HashMap<String, RefPerson> = HashMap::new();
    for (sector, export) in town.exports.iter().enumerate() {
        let text = String::from_utf8(export.clone()).unwrap();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(delimiter_of(sector)).collect();
            let (Some(cpr), [_, code, status, start, end, ..]) = (digits(f[0]), f.as_slice())
            else {
                continue;
            };
            let (Ok(start), end) = (
                parse_date(start),
                (!end.is_empty()).then(|| parse_date(end)),
            ) else {
                continue;
            };
            if matches!(end, Some(Err(_)))
                || end
                    .as_ref()
                    .is_some_and(|e| e.as_ref().is_ok_and(|e| *e < start))
            {
                continue;
            }
            let Some(Category::Allowed(service)) = catalogue.lookup(code) else {
                continue;
            };
            let ended = end.is_some_and(|e| e.unwrap() < REFERENCE);
            if !status.eq_ignore_ascii_case("active")
                || service.sector != catalogue.sectors[sector].code
                || ended
                || start > REFERENCE
            {
                continue;
            }
            let person = people.entry(cpr.clone()).or_default();
            person.sectors.insert(sector);
            person.services.insert(service.code.clone());
            person.band = Some(
                Cpr::parse(&cpr, REFERENCE, "test", 1)
                    .unwrap()
                    .age_band(REFERENCE),
            );
            person.major_change |= service.major_change;
        }
    }
    // Families: union-find over CPR strings, from links to minors.
    let mut parent_of: HashMap<String, String> = HashMap::new();
    fn root(parent_of: &mut HashMap<String, String>, x: &str) -> String {
        let mut x = x.to_owned();
        while let Some(p) = parent_of.get(&x).filter(|p| **p != x).cloned() {
            x = p;
        }
        x
    }
    for line in String::from_utf8(town.relations.clone())
        .unwrap()
        .lines()
        .skip(1)
    {
        let (child, parent) = line.split_once(',').unwrap();
        let (Some(child), Some(parent)) = (digits(child), digits(parent)) else {
            continue;
        };
        if child == parent
            || !Cpr::parse(&child, REFERENCE, "test", 1)
                .unwrap()
                .age_band(REFERENCE)
                .is_child()
        {
            continue;
        }
        parent_of.entry(child.clone()).or_insert(child.clone());
        parent_of.entry(parent.clone()).or_insert(parent.clone());
        let (a, b) = (root(&mut parent_of, &child), root(&mut parent_of, &parent));
        if a != b {
            parent_of.insert(a.clone().max(b.clone()), a.min(b));
        }
    }
    let everyone: Vec<String> = parent_of.keys().cloned().collect();
    let mut families: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for cpr in everyone {
        families
            .entry(root(&mut parent_of, &cpr))
            .or_default()
            .push(cpr);
    }

    let pseudonymiser = Pseudonymiser::new(&town.run_key);
    let pseudonym =
        |cpr: &str| pseudonymiser.pseudonym(&Cpr::parse_undated(cpr, "test", 1).unwrap());
    let index = |code: &str| {
        catalogue
            .services
            .iter()
            .position(|s| s.code == code)
            .unwrap() as u16
    };
    let deferred = |p: &RefPerson| {
        (criteria.defer_major_change && p.major_change)
            || p.services
                .iter()
                .any(|s| criteria.defer_services.contains(&index(s)))
    };
    let mut candidates = Vec::new();
    let mut in_family = HashSet::new();
    let family_rule = criteria.family.clone().unwrap_or(FamilyRule {
        require_child_and_adult: false,
        min_sectors: u32::MAX,
        child_age_bands: None,
    });
    let mut composition = vec![0u64; 3];
    let mut families_by_sectors = vec![0u64; catalogue.sectors.len()];
    for members in families.values() {
        let with: Vec<&String> = members.iter().filter(|m| people.contains_key(*m)).collect();
        if with.is_empty() {
            continue;
        }
        let band = |m: &String| people[m].band.unwrap();
        let children = with.iter().filter(|m| band(m).is_child()).count();
        let adults = with.len() - children;
        let sectors: BTreeSet<usize> = with
            .iter()
            .flat_map(|m| people[*m].sectors.clone())
            .collect();
        composition[if children > 0 && adults > 0 {
            0
        } else if children > 0 {
            1
        } else {
            2
        }] += 1;
        families_by_sectors[sectors.len() - 1] += 1;
        let composition_holds =
            !family_rule.require_child_and_adult || (children > 0 && adults > 0);
        let child_band_holds = family_rule
            .child_age_bands
            .is_none_or(|bands| with.iter().any(|m| bands.contains(band(m))));
        if composition_holds && child_band_holds && sectors.len() as u32 >= family_rule.min_sectors
        {
            in_family.extend(with.iter().map(|m| (*m).clone()));
            candidates.push(RefCandidate {
                kind: "family",
                deferred: with.iter().any(|m| deferred(&people[*m])),
                members: with.iter().map(|m| pseudonym(m)).collect(),
            });
        }
    }
    for (cpr, person) in &people {
        if in_family.contains(cpr) {
            continue;
        }
        let band = person.band.unwrap();
        if criteria
            .age_bands
            .is_some_and(|bands| !bands.contains(band))
        {
            continue;
        }
        let minimums = (criteria.min_sectors.is_some() || criteria.min_services.is_some())
            && criteria
                .min_sectors
                .is_none_or(|m| person.sectors.len() as u32 >= m)
            && criteria
                .min_services
                .is_none_or(|m| person.services.len() as u32 >= m);
        let in_band = |c: &NamedCombination| c.age_bands.is_none_or(|bands| bands.contains(band));
        let combination = criteria
            .combinations
            .iter()
            .filter(|c| in_band(c))
            .any(|c| match &c.combination {
                Combination::All(all) => all.iter().all(|&s| {
                    person
                        .services
                        .contains(&catalogue.services[s as usize].code)
                }),
                Combination::AnyWithAny(any, with) => {
                    any.iter().any(|&s| {
                        person
                            .services
                            .contains(&catalogue.services[s as usize].code)
                    }) && with.iter().any(|&s| {
                        person
                            .services
                            .contains(&catalogue.services[s as usize].code)
                    })
                }
            });
        if minimums || combination {
            candidates.push(RefCandidate {
                kind: "person",
                deferred: deferred(person),
                members: [pseudonym(cpr)].into(),
            });
        }
    }
    candidates.sort();

    let mut stats = BTreeMap::new();
    let n = catalogue.sectors.len();
    let mut by_sectors = vec![0u64; n];
    let mut by_services = vec![0u64; 6];
    let mut by_band = vec![0u64; 6];
    let mut by_pair = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            by_pair.push(
                people
                    .values()
                    .filter(|p| p.sectors.contains(&a) && p.sectors.contains(&b))
                    .count() as u64,
            );
        }
    }
    for person in people.values() {
        by_sectors[person.sectors.len() - 1] += 1;
        by_services[(person.services.len() - 1).min(5)] += 1;
        by_band[AgeBand::ALL
            .iter()
            .position(|&b| Some(b) == person.band)
            .unwrap()] += 1;
    }
    let count = |kind: &str, deferred: bool| {
        candidates
            .iter()
            .filter(|c| c.kind == kind && c.deferred == deferred)
            .count() as u64
    };
    stats.insert("persons-by-sector-count", by_sectors);
    stats.insert("persons-by-service-count", by_services);
    stats.insert("persons-by-age-band", by_band);
    stats.insert("persons-by-sector-pair", by_pair);
    stats.insert("families-by-sector-count", families_by_sectors);
    stats.insert("families-by-composition", composition);
    stats.insert(
        "candidates",
        vec![count("person", false), count("family", false)],
    );
    stats.insert(
        "deferred",
        vec![count("person", true), count("family", true)],
    );
    (candidates, stats)
}

/// Matches the town under the criteria and checks candidates, statistics and suppression
/// against the reference; gives the reference's candidates.
fn agrees_with_the_reference(town: &Town, criteria: &Criteria) -> Vec<RefCandidate> {
    let matched = Match::run(sources(&town.publications), Catalogue::builtin(), criteria).unwrap();
    let (expected, expected_stats) = reference(town, criteria);

    let members = matched.candidate_pseudonyms();
    let mut got: Vec<RefCandidate> = matched
        .candidates()
        .iter()
        .zip(members)
        .map(|(c, members)| RefCandidate {
            kind: if c.kind == CandidateKind::Family {
                "family"
            } else {
                "person"
            },
            deferred: c.deferred,
            members: members.into_iter().collect(),
        })
        .collect();
    got.sort();
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);
    for table in &matched.statistics.tables {
        assert_eq!(
            table.unsuppressed(),
            expected_stats[table.name].as_slice(),
            "table {}",
            table.name
        );
    }
    let released = matched.statistics.to_json();
    for table in &matched.statistics.tables {
        for value in table
            .cells
            .iter()
            .filter_map(|c| c.value)
            .chain(table.total.as_ref().and_then(|t| t.value))
        {
            assert!(
                value == 0 || value >= matched.statistics.threshold,
                "{} releases {value}",
                table.name
            );
        }
    }
    // No suppressed cell follows from its table's released total by subtraction.
    for table in &matched.statistics.tables {
        let Some(total) = table.total.as_ref().and_then(|t| t.value) else {
            continue;
        };
        let hidden = table.cells.iter().filter(|c| c.value.is_none()).count() as u64;
        let shown: u64 = table.cells.iter().filter_map(|c| c.value).sum();
        assert!(
            hidden == 0 || (hidden >= 2 && total - shown > hidden),
            "{} gives a suppressed cell away",
            table.name
        );
    }
    assert!(released.contains("persons-by-sector-pair"));
    expected
}

/// Whether every kind of outcome occurs.
fn every_kind_of_outcome(candidates: &[RefCandidate]) {
    for (kind, deferred) in [
        ("person", false),
        ("person", true),
        ("family", false),
        ("family", true),
    ] {
        assert!(
            candidates
                .iter()
                .any(|c| c.kind == kind && c.deferred == deferred),
            "no {kind} deferred={deferred}"
        );
    }
}

#[test]
fn the_matcher_agrees_with_the_plaintext_reference() {
    let town = town(6000, 3, "2026-11");
    every_kind_of_outcome(&agrees_with_the_reference(&town, &criteria()));
}

#[test]
fn the_matcher_agrees_with_the_plaintext_reference_on_age_bands() {
    let town = town(6000, 3, "2026-11");
    let banded = common::CRITERIA
        .replace(
            "min_services = 3\n",
            "min_services = 3\nage_bands = [\"adult-18-29\", \"adult-30-49\", \"adult-50-66\"]\n",
        )
        .replace(
            "\"ADS-CONTACT-PERSON\"]\n",
            "\"ADS-CONTACT-PERSON\"]\nage_bands = [\"adult-18-29\"]\n",
        )
        .replace(
            "[family]\nrequire_child_and_adult = true\nmin_sectors = 3\n",
            "[family]\nrequire_child_and_adult = true\nmin_sectors = 2\nchild_age_bands = [\"child-0-5\"]\n",
        );
    assert!(banded.contains("child_age_bands") && banded.matches("age_bands").count() == 3);
    let criteria = Criteria::parse(&banded, "criteria.toml", Catalogue::builtin()).unwrap();
    let with_bands = agrees_with_the_reference(&town, &criteria);
    every_kind_of_outcome(&with_bands);
    // The bands change who is selected: fewer families, other persons alone.
    let unbanded = Criteria::parse(
        &banded
            .replace(
                "age_bands = [\"adult-18-29\", \"adult-30-49\", \"adult-50-66\"]\n",
                "",
            )
            .replace("age_bands = [\"adult-18-29\"]\n", "")
            .replace("child_age_bands = [\"child-0-5\"]\n", ""),
        "criteria.toml",
        Catalogue::builtin(),
    )
    .unwrap();
    let without_bands = agrees_with_the_reference(&town, &unbanded);
    let persons =
        |candidates: &[RefCandidate]| candidates.iter().filter(|c| c.kind == "person").count();
    let families =
        |candidates: &[RefCandidate]| candidates.iter().filter(|c| c.kind == "family").count();
    assert!(families(&with_bands) < families(&without_bands));
    assert!(persons(&with_bands) != persons(&without_bands));
}

#[test]
fn flag_files_hold_only_their_own_sectors_envelopes() {
    let town = town(3000, 4, "2026-11");
    let matched = Match::run(
        sources(&town.publications),
        Catalogue::builtin(),
        &criteria(),
    )
    .unwrap();
    let files = matched
        .write_flag_files(&matcher_signing(), Head::EMPTY, |sector| {
            Ok((Vec::new(), format!("{sector}.flag")))
        })
        .unwrap();
    assert_eq!(
        files.len(),
        town.publications.len(),
        "every sector gets a file"
    );
    let flagged_candidates: HashSet<_> = matched
        .candidates()
        .iter()
        .filter(|c| !c.deferred)
        .map(|c| c.id)
        .collect();
    for (flag_file, (key, publication)) in files
        .iter()
        .zip(town.sealing.iter().zip(&town.publications))
    {
        let (sector, count, bytes) = (&flag_file.sector, &flag_file.records, &flag_file.writer);
        assert_eq!(sector, key.sector());
        // What the sector published: (pseudonym, service, envelope).
        let mut reader =
            FileReader::new(publication.as_slice(), FileKind::Publication, "p").unwrap();
        let mut published = HashSet::new();
        while let Some(record) = reader.next_record().unwrap() {
            if let Record::Service(r) = record {
                published.insert((r.pseudonym, r.service, r.envelope));
            }
        }
        let envelope_key = EnvelopeKey::derive(key, &RunId::new("2026-11").unwrap());
        let mut reader = FileReader::new(bytes.as_slice(), FileKind::FlagFile, "f").unwrap();
        assert_eq!(reader.header().sector, *sector);
        let mut seen = 0;
        while let Some(record) = reader.next_record().unwrap() {
            let Record::Flag(flag) = record else {
                panic!("a flag file holds flag records only")
            };
            assert!(flagged_candidates.contains(&flag.candidate));
            assert!(
                published.contains(&(flag.pseudonym, flag.service.clone(), flag.envelope.clone())),
                "{sector} got a record it did not publish"
            );
            envelope_key
                .open(&flag.service, &flag.pseudonym, &flag.envelope)
                .unwrap();
            seen += 1;
        }
        assert_eq!(seen, *count);
    }
    assert!(files.iter().map(|f| f.records).sum::<u64>() > 0);
}

#[test]
fn candidate_ids_differ_between_runs_over_the_same_data() {
    let town = town(2000, 5, "2026-11");
    let first = Match::run(
        sources(&town.publications),
        Catalogue::builtin(),
        &criteria(),
    )
    .unwrap();
    let second = Match::run(
        sources(&town.publications),
        Catalogue::builtin(),
        &criteria(),
    )
    .unwrap();
    assert_eq!(first.candidates().len(), second.candidates().len());
    assert!(!first.candidates().is_empty());
    let ids: HashSet<_> = first.candidates().iter().map(|c| c.id).collect();
    assert!(second.candidates().iter().all(|c| !ids.contains(&c.id)));
    let report = serde_json::to_string(&first.report()).unwrap();
    for pseudonym in first.candidate_pseudonyms().iter().flatten() {
        assert!(
            !report.contains(&pseudonym.to_string()),
            "the result holds no pseudonym"
        );
    }
}

#[test]
fn the_one_citizen_check_answers_only_for_the_askers_own_citizens() {
    let town = town(2000, 6, "2026-11");
    let matched = Match::run(
        sources(&town.publications),
        Catalogue::builtin(),
        &criteria(),
    )
    .unwrap();
    let members = matched.candidate_pseudonyms();
    let (candidate, pseudonyms) = matched
        .candidates()
        .iter()
        .zip(&members)
        .find(|(c, _)| !c.deferred)
        .unwrap();
    let pseudonym = pseudonyms[0];
    let candidate_sectors: Vec<SectorCode> = matched
        .describe(candidate)
        .sectors
        .into_iter()
        .cloned()
        .collect();
    let own_sector = candidate_sectors.iter().find(|s| {
        let i = Catalogue::builtin()
            .sectors
            .iter()
            .position(|c| &c.code == *s)
            .unwrap();
        let mut reader =
            FileReader::new(town.publications[i].as_slice(), FileKind::Publication, "p").unwrap();
        let mut found = false;
        while let Some(record) = reader.next_record().unwrap() {
            found |= matches!(record, Record::Service(r) if r.pseudonym == pseudonym);
        }
        found
    });
    let own_sector = own_sector.unwrap();
    assert_eq!(
        matched.check(own_sector, &pseudonym).unwrap(),
        CheckAnswer::Candidate
    );
    let stranger = Pseudonym([0xee; 32]);
    assert_eq!(
        matched.check(own_sector, &stranger).unwrap_err().class(),
        "not-own-pseudonym"
    );
    let other_sectors: Vec<_> = Catalogue::builtin()
        .sectors
        .iter()
        .filter(|s| !candidate_sectors.contains(&s.code))
        .collect();
    for other in other_sectors {
        assert_eq!(
            matched.check(&other.code, &pseudonym).unwrap_err().class(),
            "not-own-pseudonym"
        );
    }
    let deferred = matched
        .candidates()
        .iter()
        .zip(&members)
        .find(|(c, _)| c.deferred && c.kind == CandidateKind::Person);
    if let Some((candidate, pseudonyms)) = deferred {
        let sector = matched.describe(candidate).sectors[0];
        assert_eq!(
            matched.check(sector, &pseudonyms[0]).unwrap(),
            CheckAnswer::Deferred
        );
    }
}

#[test]
fn mixed_or_damaged_publications_are_refused_naming_the_file() {
    let town = town(800, 7, "2026-11");
    let other_run = crate::town(800, 7, "2026-12");
    let catalogue = Catalogue::builtin();
    let refuse = |publications: Vec<Vec<u8>>| {
        Match::run(sources(&publications), catalogue, &criteria()).unwrap_err()
    };
    let mut mixed = town.publications.clone();
    mixed[1] = other_run.publications[1].clone();
    let error = refuse(mixed);
    assert_eq!(error.class(), "mixed-run");
    assert!(
        error.to_string().starts_with("adult-social.pub, record 0"),
        "{error}"
    );

    let mut duplicated = town.publications.clone();
    duplicated[2] = duplicated[1].clone();
    assert_eq!(refuse(duplicated).class(), "duplicate-sector");

    let mut damaged = town.publications.clone();
    // A byte of the last record (before the counts, digest and signature).
    let last = damaged[3].len() - 16 - 32 - 64 - 8;
    damaged[3][last] ^= 1;
    let error = refuse(damaged);
    assert_eq!(error.class(), "publication-digest");
    assert!(error.to_string().starts_with("health-elderly.pub"));

    let mut cut = town.publications.clone();
    let half = cut[0].len() / 2;
    cut[0].truncate(half);
    assert_eq!(refuse(cut).class(), "publication-truncated");

    let mut other_catalogue = catalogue.clone();
    other_catalogue.version = "2027.1".into();
    let error = Match::run(sources(&town.publications), &other_catalogue, &criteria()).unwrap_err();
    assert_eq!(error.class(), "mixed-catalogue");
    assert_eq!(
        Match::run(Vec::new(), catalogue, &criteria())
            .unwrap_err()
            .class(),
        "no-publications"
    );
}

/// The candidates of a match by member labels, as [`common::AGE_CRITERIA`] writes them.
fn labelled(matched: &Match, population: &common::Population) -> Vec<String> {
    let (run_key, _) = common::population_keys();
    let mut found: Vec<String> = matched
        .candidates()
        .iter()
        .zip(matched.candidate_pseudonyms())
        .map(|(candidate, members)| {
            let mut names: Vec<String> = members
                .iter()
                .map(|p| population.label_of(&run_key, p))
                .collect();
            names.sort();
            let deferred = if candidate.deferred { "*" } else { "" };
            format!("{deferred}{}", names.join(" "))
        })
        .collect();
    found.sort_by(|a, b| a.trim_start_matches('*').cmp(b.trim_start_matches('*')));
    found
}

#[test]
fn persons_and_families_are_selected_by_age_band() {
    let population = common::ages_population();
    let publications = population.publications();
    for (case, text, expected) in common::AGE_CRITERIA {
        let criteria = Criteria::parse(text, "criteria.toml", Catalogue::builtin()).unwrap();
        let matched = Match::run(
            common::named_sources(&publications),
            Catalogue::builtin(),
            &criteria,
        )
        .unwrap();
        assert_eq!(labelled(&matched, &population), expected, "{case}");
        let deferred = expected.iter().filter(|e| e.starts_with('*')).count();
        assert_eq!(matched.deferred_count(), deferred as u64, "{case}");
        // Children and adults are counted by band, whatever selected the candidate.
        for candidate in matched.candidates() {
            assert_eq!(candidate.children + candidate.adults, candidate.persons);
        }
    }
}

/// The match of `population` under [`common::AGE_CRITERIA`]'s "three sectors, any age".
fn any_age_match(population: &common::Population) -> Match {
    let (_, text, _) = common::AGE_CRITERIA[5];
    let criteria = Criteria::parse(text, "criteria.toml", Catalogue::builtin()).unwrap();
    Match::run(
        common::named_sources(&population.publications()),
        Catalogue::builtin(),
        &criteria,
    )
    .unwrap()
}

#[test]
fn the_age_band_table_counts_every_person_with_services_once() {
    let population = common::ages_population();
    let matched = any_age_match(&population);
    let table = matched
        .statistics
        .tables
        .iter()
        .find(|t| t.name == "persons-by-age-band")
        .unwrap();
    // A C E children under 6; B D P6 from 6 to 17; C P1 P5; A B P2; D P4; P3.
    assert_eq!(table.unsuppressed(), [3, 3, 3, 3, 2, 1]);
    // Threshold 3: a count of 3 is released, 2 and 1 are not; their sum 3 does not tell
    // which is which (1 + 2 or 2 + 1), so nothing more is suppressed.
    let released: Vec<Option<u64>> = table.cells.iter().map(|c| c.value).collect();
    assert_eq!(released, [Some(3), Some(3), Some(3), Some(3), None, None]);
    assert_eq!(table.total.as_ref().unwrap().value, Some(15));
}

/// A publication replaced between the match and its flag pass by one of the same size and
/// time (every record where it was, other persons in them) is refused, not flagged: the
/// flag pass checks that each record it fetches holds the pseudonym the match read there.
#[test]
fn a_publication_replaced_in_place_before_the_flag_pass_is_refused() {
    let population = common::ages_population();
    let mut others = population.clone();
    for member in &mut others.members {
        // The same birth date and century digit: the same band, other persons.
        member.cpr.replace_range(7..10, "999");
    }
    let (_, text, _) = common::AGE_CRITERIA[5];
    let criteria = Criteria::parse(text, "criteria.toml", Catalogue::builtin()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> = population
        .publications()
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let matched = Match::run(
        paths.iter().map(samkoer_core::files::Input::path).collect(),
        Catalogue::builtin(),
        &criteria,
    )
    .unwrap();
    assert!(matched.candidates().iter().any(|c| !c.deferred));
    for (path, (_, replacement)) in paths.iter().zip(others.publications()) {
        let modified = std::fs::metadata(path).unwrap().modified().unwrap();
        assert_eq!(
            std::fs::metadata(path).unwrap().len(),
            replacement.len() as u64
        );
        std::fs::write(path, replacement).unwrap();
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(modified).unwrap();
    }
    let error = matched
        .write_flag_files(&matcher_signing(), Head::EMPTY, |sector| {
            Ok((Vec::new(), format!("{sector}.flag")))
        })
        .unwrap_err();
    assert_eq!(error.class(), "publication-digest", "{error}");
}

/// A match shows its run, publications and number of candidates when debugged, and no
/// pseudonym.
#[test]
fn a_match_debugs_as_its_summary_without_pseudonyms() {
    let population = common::ages_population();
    let matched = any_age_match(&population);
    let shown = format!("{matched:?}");
    assert!(shown.starts_with("Match { run: "), "{shown}");
    assert!(shown.contains("children-family.pub"), "{shown}");
    assert!(
        shown.contains(&format!("candidates: {}, ..", matched.candidates().len())),
        "{shown}"
    );
    let (run_key, _) = common::population_keys();
    for (_, pseudonym) in population.pseudonyms(&run_key) {
        assert!(!shown.contains(&pseudonym.to_string()));
    }
}

/// The one-citizen check finds every person when pseudonyms share their first eight bytes (the
/// matcher sorts by those first, then ties by the whole pseudonym): five such pseudonyms in
/// descending order, so that a search among them unsorted misses some.
#[test]
fn the_check_finds_persons_whose_pseudonyms_share_a_prefix() {
    use samkoer_core::formats::publication::{
        Author, FileHeader, FileWriter, ServiceRecord, YearMonth,
    };
    use samkoer_core::primitives::signing::PartySigningKey;
    let (run_key, sealing) = common::population_keys();
    let key = &sealing[0];
    let header = FileHeader {
        municipality: key.municipality(),
        run: RunId::new("2026-11").unwrap(),
        sector: key.sector().clone(),
        run_key_fingerprint: run_key.fingerprint(),
        catalogue_version: Catalogue::builtin().version.clone(),
        reference_date: REFERENCE,
        author: Author::of(&PartySigningKey::of(key)),
    };
    let signing = PartySigningKey::of(key);
    let file = format!("{}.pub", key.sector());
    let mut writer =
        FileWriter::new(Vec::new(), FileKind::Publication, &file, &header, &signing).unwrap();
    let pseudonyms: Vec<Pseudonym> = (1..=5u8)
        .rev()
        .map(|last| {
            let mut bytes = [0x5a; 32];
            bytes[31] = last;
            Pseudonym(bytes)
        })
        .collect();
    for pseudonym in &pseudonyms {
        writer
            .write_service(&ServiceRecord {
                pseudonym: *pseudonym,
                service: "EMP-MENTOR".into(),
                start: YearMonth {
                    year: 2026,
                    month: 1,
                },
                age_band: AgeBand::Adult30To49,
                major_change: false,
                envelope: vec![1; 93],
            })
            .unwrap();
    }
    let publication = writer.finish().unwrap();
    let matched = Match::run(
        common::named_sources(&[(file, publication)]),
        Catalogue::builtin(),
        &criteria(),
    )
    .unwrap();
    for pseudonym in &pseudonyms {
        assert_eq!(
            matched.check(key.sector(), pseudonym).unwrap(),
            CheckAnswer::NotCandidate
        );
    }
}

/// A publication of one sector holding a record of another sector's service: refused at that
/// record, numbered after the services and the relation before it; the records before it are
/// counted as read.
#[test]
fn a_service_of_another_sector_is_refused_at_its_record() {
    use samkoer_core::formats::publication::{
        Author, FileHeader, FileWriter, RelationRecord, ServiceRecord, YearMonth,
    };
    use samkoer_core::primitives::signing::PartySigningKey;
    let (run_key, sealing) = common::population_keys();
    let key = &sealing[0];
    let header = FileHeader {
        municipality: key.municipality(),
        run: RunId::new("2026-11").unwrap(),
        sector: key.sector().clone(),
        run_key_fingerprint: run_key.fingerprint(),
        catalogue_version: Catalogue::builtin().version.clone(),
        reference_date: REFERENCE,
        author: Author::of(&PartySigningKey::of(key)),
    };
    let service = |code: &str, person: u8| ServiceRecord {
        pseudonym: Pseudonym([person; 32]),
        service: code.into(),
        start: YearMonth {
            year: 2026,
            month: 1,
        },
        age_band: AgeBand::Adult30To49,
        major_change: false,
        envelope: vec![1; 93],
    };
    let file = format!("{}.pub", key.sector());
    let publication = |foreign: bool| {
        let signing = PartySigningKey::of(key);
        let mut writer =
            FileWriter::new(Vec::new(), FileKind::Publication, &file, &header, &signing).unwrap();
        writer.write_service(&service("EMP-MENTOR", 1)).unwrap();
        writer
            .write_relation(&RelationRecord {
                child: Pseudonym([2; 32]),
                parent: Pseudonym([1; 32]),
            })
            .unwrap();
        let third = if foreign {
            "ADS-SOCIO-PED"
        } else {
            "EMP-MENTOR"
        };
        writer.write_service(&service(third, 3)).unwrap();
        writer.finish().unwrap()
    };
    assert_eq!(key.sector().as_str(), "employment");
    let sources = |bytes: Vec<u8>| common::named_sources(&[(file.clone(), bytes)]);
    let ingested = Match::ingest(sources(publication(false)), Catalogue::builtin()).unwrap();
    assert_eq!(ingested.service_records(), 2);
    let error = Match::ingest(sources(publication(true)), Catalogue::builtin())
        .err()
        .unwrap();
    assert_eq!(error.class(), "publication-service");
    assert!(
        error.to_string().starts_with("employment.pub, record 3"),
        "{error}"
    );
}
