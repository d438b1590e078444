//! Selection (spec §12.4, §12.5): the criteria applied to families first and then to persons,
//! each candidate given a random id, and the records to flag listed.

use super::group::{Families, Persons};
use super::{
    Candidate, CandidateKind, Flagged, NONE, REASON_FAMILY, REASON_MINIMUMS, pseudonym_check,
};
use crate::error::{Error, Result};
use crate::formats::criteria::{Combination, Criteria, ServiceSet};
use crate::primitives::ids::CandidateId;
use crate::primitives::pseudonym::Pseudonym;

/// Applies the criteria to persons.
struct Selector<'a> {
    persons: &'a Persons,
    criteria: &'a Criteria,
    /// The criteria's combinations, in order, as masks over a person's service words.
    combinations: Vec<CombinationMask>,
    /// The deferring services as a mask.
    defer: Vec<u64>,
}

/// A [`Combination`] as masks over a person's service words, tested word by word.
enum CombinationMask {
    All(Vec<u64>),
    AnyWithAny(Vec<u64>, Vec<u64>),
}

/// A set of services as a mask of `words` 64-bit words.
fn service_mask(set: &ServiceSet, words: usize) -> Vec<u64> {
    let mut mask = vec![0u64; words];
    for &s in set {
        mask[usize::from(s / 64)] |= 1 << (s % 64);
    }
    mask
}

/// Whether `words` has any bit of `mask`.
fn any_of(words: &[u64], mask: &[u64]) -> bool {
    words.iter().zip(mask).any(|(w, m)| w & m != 0)
}

impl<'a> Selector<'a> {
    fn new(persons: &'a Persons, criteria: &'a Criteria) -> Selector<'a> {
        let words = persons.words;
        let combinations = criteria
            .combinations
            .iter()
            .take(62)
            .map(|named| match &named.combination {
                Combination::All(all) => CombinationMask::All(service_mask(all, words)),
                Combination::AnyWithAny(any, with) => {
                    CombinationMask::AnyWithAny(service_mask(any, words), service_mask(with, words))
                }
            })
            .collect();
        Selector {
            persons,
            criteria,
            combinations,
            defer: service_mask(&criteria.defer_services, words),
        }
    }

    /// Why a person qualifies on their own, as reason bits; 0 if they do not.
    fn person_reasons(&self, p: usize) -> u64 {
        let criteria = self.criteria;
        let band = self.persons.band[p];
        // The person rule's bands hold for the minimums and every combination alike.
        if criteria
            .age_bands
            .is_some_and(|bands| !bands.contains_byte(band))
        {
            return 0;
        }
        let mut reasons = 0;
        let has_minimums = criteria.min_sectors.is_some() || criteria.min_services.is_some();
        let sectors = self.persons.sectors[p].count_ones();
        if has_minimums
            && criteria.min_sectors.is_none_or(|m| sectors >= m)
            && criteria
                .min_services
                .is_none_or(|m| self.persons.service_count(p) >= m)
        {
            reasons |= 1 << REASON_MINIMUMS;
        }
        let words = self.persons.service_words(p);
        for (i, mask) in self.combinations.iter().enumerate() {
            let matches = match mask {
                CombinationMask::All(all) => words.iter().zip(all).all(|(w, m)| w & m == *m),
                CombinationMask::AnyWithAny(any, with) => any_of(words, any) && any_of(words, with),
            };
            let in_band = criteria.combinations[i]
                .age_bands
                .is_none_or(|bands| bands.contains_byte(band));
            if matches && in_band {
                reasons |= 1 << (i + 1);
            }
        }
        reasons
    }

    fn deferred(&self, p: usize) -> bool {
        (self.criteria.defer_major_change && self.persons.major_change[p])
            || any_of(self.persons.service_words(p), &self.defer)
    }

    /// A candidate of the members `range` of `members`; its id is drawn later.
    fn candidate(
        &self,
        kind: CandidateKind,
        range: std::ops::Range<u32>,
        members: &[u32],
        reasons: u64,
    ) -> Candidate {
        let (mut sectors, mut children, mut deferred) = (0u64, 0, false);
        for &m in &members[range.start as usize..range.end as usize] {
            let m = m as usize;
            sectors |= self.persons.sectors[m];
            children += u32::from(self.persons.is_child(m));
            deferred |= self.deferred(m);
        }
        let persons = range.end - range.start;
        Candidate {
            id: CandidateId([0; 16]),
            kind,
            deferred,
            persons,
            children,
            adults: persons - children,
            sectors,
            reasons,
            members: range,
        }
    }
}

/// The candidates chosen, in the order of their ids, with their members.
pub(super) struct Chosen {
    pub(super) candidates: Vec<Candidate>,
    /// Every candidate's members, candidate after candidate.
    pub(super) members: Vec<u32>,
    /// Each person's candidate (an index into `candidates`), or [`NONE`].
    pub(super) person_candidate: Vec<u32>,
}

/// Families first; a person in a selected family is flagged with it. Then the ids, drawn at
/// once and listed in id order, so that the order tells nothing either.
pub(super) fn choose_candidates(
    persons: &Persons,
    families: &Families,
    criteria: &Criteria,
) -> Result<Chosen> {
    let selector = Selector::new(persons, criteria);
    let mut candidates = Vec::new();
    let mut members = Vec::new();
    let mut person_candidate = vec![NONE; persons.len()];
    if let Some(rule) = &criteria.family {
        for (f, family) in families.families.iter().enumerate() {
            let qualifies = family.with_services > 0
                && (!rule.require_child_and_adult || (family.children > 0 && family.adults > 0))
                && family.sectors.count_ones() >= rule.min_sectors
                && rule
                    .child_age_bands
                    .is_none_or(|bands| bands.bits() & family.bands != 0);
            if qualifies {
                let with_services = families
                    .members(f)
                    .iter()
                    .copied()
                    .filter(|&p| persons.has_services(p as usize));
                let start = members.len() as u32;
                members.extend(with_services);
                candidates.push(selector.candidate(
                    CandidateKind::Family,
                    start..members.len() as u32,
                    &members,
                    1 << REASON_FAMILY,
                ));
            }
        }
    }
    // Mark the members of selected families as taken; the real indices follow below.
    for &m in &members {
        person_candidate[m as usize] = 0;
    }
    if criteria.selects_persons() {
        for (person, &taken) in person_candidate.iter().enumerate() {
            if !persons.has_services(person) || taken != NONE {
                continue;
            }
            let reasons = selector.person_reasons(person);
            if reasons != 0 {
                let start = members.len() as u32;
                members.push(person as u32);
                candidates.push(selector.candidate(
                    CandidateKind::Person,
                    start..start + 1,
                    &members,
                    reasons,
                ));
            }
        }
    }
    let mut ids = vec![0u8; 16 * candidates.len()];
    getrandom::fill(&mut ids).map_err(|_| Error::Random)?;
    for (candidate, id) in candidates.iter_mut().zip(ids.chunks_exact(16)) {
        candidate.id = CandidateId(id.try_into().unwrap_or_default());
    }
    candidates.sort_unstable_by_key(|c| c.id);
    for (index, candidate) in candidates.iter().enumerate() {
        for &m in &members[candidate.members.start as usize..candidate.members.end as usize] {
            person_candidate[m as usize] = index as u32;
        }
    }
    Ok(Chosen {
        candidates,
        members,
        person_candidate,
    })
}

/// The records to flag: those of candidates that are not deferred, in file order.
pub(super) fn records_to_flag(
    record_person: Vec<Vec<(u32, u32)>>,
    chosen: &Chosen,
    pseudonyms: &[Pseudonym],
) -> Vec<Flagged> {
    let flag_of: Vec<u32> = chosen
        .person_candidate
        .iter()
        .map(|&c| match chosen.candidates.get(c as usize) {
            Some(candidate) if !candidate.deferred => c,
            _ => NONE,
        })
        .collect();
    let mut flagged: Vec<Flagged> = record_person
        .iter()
        .flatten()
        .filter_map(|&(ordinal, person)| {
            let candidate = flag_of[person as usize];
            (candidate != NONE).then(|| Flagged {
                ordinal,
                candidate,
                check: pseudonym_check(&pseudonyms[person as usize]),
            })
        })
        .collect();
    drop(record_person);
    flagged.sort_unstable_by_key(|f| f.ordinal);
    flagged
}

/// The names of the reason bits: the minimums, each combination, the family rule.
pub(super) fn reason_names(criteria: &Criteria) -> Vec<String> {
    let mut names = vec![String::new(); 64];
    names[REASON_MINIMUMS as usize] = "minimum sectors and services".into();
    names[REASON_FAMILY as usize] = "family".into();
    for (i, combination) in criteria.combinations.iter().enumerate().take(62) {
        names[i + 1] = combination.name.clone();
    }
    names
}
