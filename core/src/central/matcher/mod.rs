//! The central match (spec §12): publications of one run in; persons grouped by pseudonym,
//! families linked, criteria applied, candidates with random ids; then one flag file per
//! sector, the statistics, and the one-citizen check.
//!
//! The hot path holds no envelope. The first pass verifies every publication and keeps 36
//! bytes per record, bucketed by the pseudonym's first bits so that grouping works on
//! cache-sized hash tables, plus where each record lies in its file. The flag files are written
//! in a second pass that fetches only the records it flags and copies their envelopes
//! unopened.

mod flags;
mod group;
mod ingest;
mod select;

use std::io::Write;
use std::sync::OnceLock;
use std::time::SystemTime;

use serde::Serialize;
use serde::ser::SerializeSeq;
use time::Date;

use self::group::Persons;
use crate::audit::{Author, Head};
use crate::central::stats::{CandidateCounts, FamilyProfile, PersonProfile, Statistics};
use crate::error::{Error, Result, Rule};
use crate::files::Input;
use crate::formats::catalogue::Catalogue;
use crate::formats::check::{CheckAnswer, IndexHeader, write_index};
use crate::formats::criteria::Criteria;
use crate::formats::signed_json;
use crate::primitives::cpr::AgeBand;
use crate::primitives::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::primitives::keys::Fingerprint;
use crate::primitives::labels;
use crate::primitives::pseudonym::Pseudonym;
use crate::primitives::signing::PartySigningKey;
use crate::progress::Tally;

pub use ingest::Ingested;

/// No candidate.
const NONE: u32 = u32::MAX;
/// The reason bit of the minimum-sectors-and-services rule; combination `i` has bit `i + 1`.
const REASON_MINIMUMS: u32 = 0;
/// The reason bit of a family candidate.
const REASON_FAMILY: u32 = 63;

/// A record of the first pass that the flag pass will fetch.
#[derive(Clone, Copy)]
struct Flagged {
    /// The record's ordinal among all service records.
    ordinal: u32,
    /// Its candidate.
    candidate: u32,
    /// Bytes of its pseudonym, to see that the record fetched later is the same.
    check: u32,
}

/// Four bytes of a pseudonym (not the partition's): a cheap check that a record is the same.
fn pseudonym_check(pseudonym: &Pseudonym) -> u32 {
    u32::from_le_bytes([
        pseudonym.0[16],
        pseudonym.0[17],
        pseudonym.0[18],
        pseudonym.0[19],
    ])
}

pub(crate) fn display<T: std::fmt::Display, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

fn hex_digest<S: serde::Serializer>(
    digest: &[u8; 32],
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.collect_str(&hex::encode(digest))
}

fn author_json<S: serde::Serializer>(
    author: &Author,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    crate::audit::AuthorJson::from(*author).serialize(serializer)
}

/// The run every publication of a match belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunInfo {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// The run key's fingerprint, as the publications carry it.
    #[serde(serialize_with = "display")]
    pub run_key_fingerprint: Fingerprint,
    /// The catalogue version.
    pub catalogue_version: String,
    /// The reference date.
    #[serde(serialize_with = "display")]
    pub reference_date: Date,
}

/// What one publication contributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicationSummary {
    /// The file, as named.
    pub file: String,
    /// Its sector.
    pub sector: SectorCode,
    /// Its service records.
    pub services: u64,
    /// Its relation records.
    pub relations: u64,
    /// Its verified digest: which file the match used.
    #[serde(serialize_with = "hex_digest")]
    pub digest: [u8; 32],
    /// Its author: the sector's signing key and audit-log head (spec §7.1), which the check
    /// index keeps to authenticate the sector's check requests, and the final selection to
    /// authenticate its verdicts.
    #[serde(serialize_with = "author_json")]
    pub author: Author,
}

/// Whether a candidate is a person on their own or a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CandidateKind {
    /// A person selected on their own.
    Person,
    /// A family (children and parents linked by relation records) selected together.
    Family,
}

/// A selected person or family: what the matcher may know, and no envelope. Sectors, services
/// and reasons are sets of bits; [`Match::describe`] names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The random id, unlinkable to any pseudonym or other run.
    pub id: CandidateId,
    /// Person or family.
    pub kind: CandidateKind,
    /// Deferred to a later run (a deferring service or a pending major change).
    pub deferred: bool,
    /// Members receiving services (1 for a person).
    pub persons: u32,
    /// Of them, children.
    pub children: u32,
    /// Of them, adults.
    pub adults: u32,
    /// The sectors involved, as bits in catalogue order.
    pub sectors: u64,
    /// Why it was selected: bit 0 the minimums, bit `i + 1` combination `i`, bit 63 family.
    pub reasons: u64,
    /// Where its members are in the match's member list.
    members: std::ops::Range<u32>,
}

/// A candidate with its sectors, services and reasons named: one entry of the result file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CandidateView<'a> {
    /// The random id.
    pub id: CandidateId,
    /// Person or family.
    pub kind: CandidateKind,
    /// Deferred to a later run.
    pub deferred: bool,
    /// Members receiving services.
    pub persons: u32,
    /// Of them, children.
    pub children: u32,
    /// Of them, adults.
    pub adults: u32,
    /// The sectors involved.
    pub sectors: Vec<&'a SectorCode>,
    /// The distinct service codes involved.
    pub services: Vec<&'a str>,
    /// Which rules selected it.
    pub reasons: Vec<&'a str>,
}

/// Runs `work(i, item)` for every item on every core (on this thread alone where there is one
/// core, or threads are unavailable): one thread per item, so that the operating system spreads
/// uneven items over the cores evenly; the results in the items' order.
fn on_every_core<I: Send, T: Send>(items: Vec<I>, work: impl Fn(usize, I) -> T + Sync) -> Vec<T> {
    // WebAssembly has no threads here: its build leaves this path out altogether.
    #[cfg(not(target_arch = "wasm32"))]
    if items.len() > 1 && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        return std::thread::scope(|scope| {
            let work = &work;
            let handles: Vec<_> = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| scope.spawn(move || work(i, item)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| work(i, item))
        .collect()
}

/// The outcome of a match, held in memory.
pub struct Match {
    /// The run.
    pub run: RunInfo,
    /// What each publication contributed.
    pub publications: Vec<PublicationSummary>,
    /// The statistics, suppressed.
    pub statistics: Statistics,
    candidates: Vec<Candidate>,
    members: Vec<u32>,
    families: u64,
    sectors: Vec<SectorCode>,
    services: Vec<String>,
    reason_names: Vec<String>,
    sources: Vec<Input>,
    source_versions: Vec<Option<(u64, SystemTime)>>,
    /// Every person's pseudonym, by person number.
    pseudonyms: Vec<Pseudonym>,
    /// Person numbers in pseudonym order, made on the first one-citizen check.
    by_pseudonym: OnceLock<Vec<u32>>,
    persons: Persons,
    person_candidate: Vec<u32>,
    /// Per service record, by ordinal: the file offset of its tag.
    record_offsets: Vec<u64>,
    /// Where each source's ordinals start, and one more entry for the end.
    source_starts: Vec<u32>,
    /// (ordinal, candidate) of every record to flag, in ordinal order.
    flagged: Vec<Flagged>,
}

impl std::fmt::Debug for Match {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Match")
            .field("run", &self.run)
            .field("publications", &self.publications)
            .field("candidates", &self.candidates.len())
            .finish_non_exhaustive()
    }
}

/// The matcher's own result file (spec §12.6): the run, the publications, the candidates. No
/// pseudonym, no envelope.
pub struct MatchReport<'a>(&'a Match, Option<Author>);

/// The match result's version (spec §12.6): 2 names its author and is signed.
pub const MATCH_RESULT_VERSION: u32 = 2;

impl Serialize for MatchReport<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let matched = self.0;
        let mut report = serializer.serialize_struct("MatchReport", 8)?;
        report.serialize_field("format", "samkoer-match")?;
        report.serialize_field("version", &MATCH_RESULT_VERSION)?;
        report.serialize_field("run", &matched.run)?;
        report.serialize_field("publications", &matched.publications)?;
        report.serialize_field("persons", &matched.person_count())?;
        report.serialize_field("families", &matched.families)?;
        report.serialize_field("candidates", &Candidates(matched))?;
        if let Some(author) = self.1 {
            report.serialize_field("author", &crate::audit::AuthorJson::from(author))?;
        }
        report.end()
    }
}

/// The candidates, named one at a time as they are written.
struct Candidates<'a>(&'a Match);

impl Serialize for Candidates<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.candidates.len()))?;
        for candidate in &self.0.candidates {
            seq.serialize_element(&self.0.describe(candidate))?;
        }
        seq.end()
    }
}

/// What one sector's flag file got.
#[derive(Debug)]
pub struct FlagFile<W> {
    /// The sector.
    pub sector: SectorCode,
    /// The file, as named by the caller.
    pub file: String,
    /// Flag records written.
    pub records: u64,
    /// The flag file's trailer digest (spec §7.6).
    pub digest: [u8; 32],
    /// The writer, flushed.
    pub writer: W,
}

impl Match {
    /// Matches the publications of one run under the criteria. Any publication that does not
    /// verify, or does not belong with the others, stops the match with an error naming it.
    pub fn run(sources: Vec<Input>, catalogue: &Catalogue, criteria: &Criteria) -> Result<Match> {
        Match::run_counted(sources, catalogue, criteria, None)
    }

    /// As [`Match::run`], counting the publications' bytes as they are read to `tally`.
    pub fn run_counted(
        sources: Vec<Input>,
        catalogue: &Catalogue,
        criteria: &Criteria,
        tally: Option<&Tally>,
    ) -> Result<Match> {
        let ingested = ingest::ingest(sources, catalogue, tally)?;
        Match::evaluate(ingested, catalogue, criteria)
    }

    /// The first half of [`Match::run`]: reads and verifies every publication and keeps the
    /// records the selection needs.
    pub fn ingest(sources: Vec<Input>, catalogue: &Catalogue) -> Result<Ingested> {
        ingest::ingest(sources, catalogue, None)
    }

    /// The second half of [`Match::run`]: groups by person, links families, applies the
    /// criteria, draws the candidates' ids and counts the statistics.
    pub fn evaluate(
        ingested: Ingested,
        catalogue: &Catalogue,
        criteria: &Criteria,
    ) -> Result<Match> {
        let Ingested {
            run,
            publications,
            sources,
            source_versions,
            source_partitions,
            relations,
            record_offsets,
            source_starts,
        } = ingested;
        if run.catalogue_version != catalogue.version {
            let first = publications.first().map_or("", |p| p.file.as_str());
            return Err(Error::format(first, 0, Rule::MixedCatalogue));
        }
        let words = catalogue.services.len().div_ceil(64).max(1);
        let grouped = group::group_by_person(source_partitions, &source_starts, relations, words);
        let families = group::link_families(&grouped.persons, &grouped.links);
        let chosen = select::choose_candidates(&grouped.persons, &families, criteria)?;
        let sectors: Vec<SectorCode> = catalogue.sectors.iter().map(|s| s.code.clone()).collect();
        let statistics = statistics_of(
            &grouped.persons,
            &families,
            &chosen.candidates,
            &sectors,
            criteria.threshold,
        );
        let flagged = select::records_to_flag(grouped.record_person, &chosen, &grouped.pseudonyms);
        Ok(Match {
            run,
            publications,
            statistics,
            families: families
                .families
                .iter()
                .filter(|f| f.with_services > 0)
                .count() as u64,
            candidates: chosen.candidates,
            members: chosen.members,
            sectors,
            services: catalogue.services.iter().map(|s| s.code.clone()).collect(),
            reason_names: select::reason_names(criteria),
            sources,
            source_versions,
            pseudonyms: grouped.pseudonyms,
            by_pseudonym: OnceLock::new(),
            persons: grouped.persons,
            person_candidate: chosen.person_candidate,
            record_offsets,
            source_starts,
            flagged,
        })
    }

    /// Per candidate that is flagged (not deferred), the sectors it was sent to: what the
    /// final selection checks verdicts against.
    pub fn sent(
        &self,
    ) -> std::collections::BTreeMap<CandidateId, std::collections::BTreeSet<SectorCode>> {
        self.candidates
            .iter()
            .filter(|c| !c.deferred)
            .map(|c| {
                let sectors = self
                    .sectors
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| c.sectors >> i & 1 == 1);
                (c.id, sectors.map(|(_, s)| s.clone()).collect())
            })
            .collect()
    }

    /// The candidates, in the order of their random ids.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// A candidate with its sectors, services and reasons named.
    pub fn describe<'a>(&'a self, candidate: &Candidate) -> CandidateView<'a> {
        let mut services = vec![0u64; self.persons.words];
        for &m in self.members_of(candidate) {
            for (all, word) in services
                .iter_mut()
                .zip(self.persons.service_words(m as usize))
            {
                *all |= word;
            }
        }
        CandidateView {
            id: candidate.id,
            kind: candidate.kind,
            deferred: candidate.deferred,
            persons: candidate.persons,
            children: candidate.children,
            adults: candidate.adults,
            sectors: self
                .sectors
                .iter()
                .enumerate()
                .filter(|(i, _)| candidate.sectors >> i & 1 == 1)
                .map(|(_, s)| s)
                .collect(),
            services: self
                .services
                .iter()
                .enumerate()
                .filter(|(i, _)| services[i / 64] >> (i % 64) & 1 == 1)
                .map(|(_, s)| s.as_str())
                .collect(),
            reasons: (0..64)
                .filter(|i| candidate.reasons >> i & 1 == 1)
                .map(|i| self.reason_names[i].as_str())
                .collect(),
        }
    }

    fn members_of(&self, candidate: &Candidate) -> &[u32] {
        &self.members[candidate.members.start as usize..candidate.members.end as usize]
    }

    /// Candidates deferred to a later run.
    pub fn deferred_count(&self) -> u64 {
        self.candidates.iter().filter(|c| c.deferred).count() as u64
    }

    /// Persons receiving services, from all publications.
    pub fn person_count(&self) -> u64 {
        self.persons.sectors.iter().filter(|&&s| s != 0).count() as u64
    }

    /// The matcher's own result (spec §12.6), to serialise: no pseudonym, no envelope; no
    /// author or signature (the file's are [`Match::signed_report`]'s).
    pub fn report(&self) -> MatchReport<'_> {
        MatchReport(self, None)
    }

    /// The matcher's own result as pretty-printed JSON, unsigned: for a reader in memory.
    pub fn report_json(&self) -> String {
        // Strings, numbers and booleans only: serialising cannot fail.
        serde_json::to_string_pretty(&self.report()).unwrap_or_default()
    }

    /// Writes the result file (spec §12.6) to `out`, streaming: the report naming the matcher
    /// as its author with its audit-log head `log_head`, signed with the matcher's `signing`
    /// key (§10.4); `file` names the output in errors.
    pub fn write_signed_report(
        &self,
        out: &mut dyn std::io::Write,
        signing: &PartySigningKey,
        log_head: Head,
        file: &str,
    ) -> Result<()> {
        let report = MatchReport(self, Some(Author::at(signing, log_head)));
        signed_json::write_signed(out, &report, labels::MATCH_RESULT_SIGNATURE, signing)
            .map_err(|e| Error::io(file, e))
    }

    /// The result file as [`Match::write_signed_report`] writes it, in memory.
    pub fn signed_report(&self, signing: &PartySigningKey, log_head: Head) -> String {
        let mut out = Vec::new();
        // Writing to memory cannot fail; the report is an object with members.
        let _ = self.write_signed_report(&mut out, signing, log_head, "result.json");
        String::from_utf8(out).unwrap_or_default()
    }

    /// The one-citizen check in memory (spec §12.8): the answer for a pseudonym `sector`
    /// itself published in this run, `not-own-pseudonym` for any other. The check step answers
    /// from the [check index](Match::write_check_index) instead, which authenticates the sector.
    pub fn check(&self, sector: &SectorCode, pseudonym: &Pseudonym) -> Result<CheckAnswer> {
        let refuse = || Error::parameter(Rule::NotOwnPseudonym);
        let sector_bit = self
            .sectors
            .iter()
            .position(|s| s == sector)
            .ok_or_else(refuse)?;
        let by_pseudonym = self.by_pseudonym();
        let found = by_pseudonym.binary_search_by(|&p| self.pseudonyms[p as usize].cmp(pseudonym));
        let person = by_pseudonym[found.map_err(|_| refuse())?] as usize;
        if self.persons.sectors[person] >> sector_bit & 1 == 0 {
            return Err(refuse());
        }
        Ok(self.answer_of(person))
    }

    /// Person numbers in pseudonym order (pseudonyms are distinct: one per person).
    fn by_pseudonym(&self) -> &[u32] {
        self.by_pseudonym.get_or_init(|| {
            // Sorted by the first eight bytes (pseudonyms are uniform, so ties are rare), then
            // ties by the whole pseudonym: several times faster than comparing 32 bytes.
            let prefix =
                |p: &Pseudonym| u64::from_be_bytes(p.0[..8].try_into().unwrap_or_default());
            let mut keyed: Vec<(u64, u32)> = (self.pseudonyms.iter().enumerate())
                .map(|(i, p)| (prefix(p), i as u32))
                .collect();
            keyed.sort_unstable();
            for tied in keyed.chunk_by_mut(|a, b| a.0 == b.0) {
                if tied.len() > 1 {
                    tied.sort_unstable_by_key(|&(_, p)| self.pseudonyms[p as usize]);
                }
            }
            keyed.into_iter().map(|(_, p)| p).collect()
        })
    }

    fn answer_of(&self, person: usize) -> CheckAnswer {
        match self.person_candidate[person] {
            NONE => CheckAnswer::NotCandidate,
            c if self.candidates[c as usize].deferred => CheckAnswer::Deferred,
            _ => CheckAnswer::Candidate,
        }
    }

    /// Writes the check index (spec §12.8): what the match leaves for the one-citizen check —
    /// each sector's signing key and, per person with services, the sectors that published
    /// them and their answer — so that checks are answered later without the publications.
    pub fn write_check_index(&self, out: &mut (impl Write + ?Sized), file: &str) -> Result<()> {
        let mut published = Vec::with_capacity(self.publications.len());
        for summary in &self.publications {
            let bit = self.sectors.iter().position(|s| *s == summary.sector);
            match bit {
                Some(bit) => published.push((bit, summary.sector.clone(), summary.author.signer)),
                None => return Err(Error::format(&summary.file, 0, Rule::PublicationHeader)),
            }
        }
        let header = IndexHeader {
            municipality: self.run.municipality,
            run: self.run.run.clone(),
            run_key_fingerprint: self.run.run_key_fingerprint,
            sectors: published
                .iter()
                .map(|(_, sector, signer)| (sector.clone(), *signer))
                .collect(),
            entries: self.person_count(),
        };
        // The index's sector bits are the publications' order, not the catalogue's.
        let mask = |catalogue_bits: u64| {
            published
                .iter()
                .enumerate()
                .filter(|(_, (bit, _, _))| catalogue_bits >> bit & 1 == 1)
                .fold(0u64, |mask, (i, _)| mask | 1 << i)
        };
        let entries = self
            .by_pseudonym()
            .iter()
            .map(|&p| p as usize)
            .filter(|&p| self.persons.sectors[p] != 0)
            .map(|p| {
                let sectors = mask(self.persons.sectors[p]);
                (self.pseudonyms[p], sectors, self.answer_of(p))
            });
        write_index(out, file, &header, entries)
    }

    /// Every candidate's members by pseudonym, in candidate order. The matcher holds these
    /// anyway; they are for audits and tests, and never written to any file.
    pub fn candidate_pseudonyms(&self) -> Vec<Vec<Pseudonym>> {
        let mut members = vec![Vec::new(); self.candidates.len()];
        for (pseudonym, &candidate) in self.pseudonyms.iter().zip(&self.person_candidate) {
            if let Some(list) = members.get_mut(candidate as usize) {
                list.push(*pseudonym);
            }
        }
        members.iter_mut().for_each(|list| list.sort());
        members
    }
}

/// The statistics of persons with services, families with services and candidates.
fn statistics_of(
    persons: &group::Persons,
    families: &group::Families,
    candidates: &[Candidate],
    sectors: &[SectorCode],
    threshold: u64,
) -> Statistics {
    let profiles = (0..persons.len())
        .filter(|&p| persons.has_services(p))
        .filter_map(|p| {
            // A person with services has the band of its records, always a band (§7.5).
            Some(PersonProfile {
                sectors: persons.sectors[p],
                services: persons.service_count(p),
                band: AgeBand::from_byte(persons.band[p])?,
            })
        });
    let family_profiles = families
        .families
        .iter()
        .filter(|f| f.with_services > 0)
        .map(|f| FamilyProfile {
            sectors: f.sectors,
            children: f.children,
            adults: f.adults,
        });
    let mut counts = CandidateCounts::default();
    for c in candidates {
        let cell = match (c.kind, c.deferred) {
            (CandidateKind::Person, false) => &mut counts.persons,
            (CandidateKind::Family, false) => &mut counts.families,
            (CandidateKind::Person, true) => &mut counts.deferred_persons,
            (CandidateKind::Family, true) => &mut counts.deferred_families,
        };
        *cell += 1;
    }
    Statistics::compute(profiles, family_profiles, counts, sectors, threshold)
}
