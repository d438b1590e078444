//! The central match (spec §12): publications of one run in; persons grouped by pseudonym,
//! families linked, criteria applied, candidates with random ids; then one flag file per
//! sector, the statistics, and the one-citizen check.
//!
//! The hot path holds no envelope: the first pass keeps 36 bytes per record, bucketed by the
//! pseudonym's first bits so that grouping works on cache-sized hash tables; the flag files are
//! written in a second pass that copies each candidate record's envelope straight from its
//! publication to its sector's flag file.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use time::Date;

use crate::catalogue::Catalogue;
use crate::cpr::AgeBand;
use crate::criteria::Criteria;
use crate::error::{Error, Result, Rule};
use crate::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::keys::Fingerprint;
use crate::pseudonym::Pseudonym;
use crate::publication::{FileHeader, FileKind, FileReader, FileWriter, FlagRef, RecordRef};
use crate::stats::Statistics;

/// How many leading bits of a pseudonym pick its partition.
const PARTITION_BITS: u32 = 10;
const PARTITIONS: usize = 1 << PARTITION_BITS;
/// No candidate.
const NONE: u32 = u32::MAX;

/// Where a publication is read from; read twice (records, then envelopes for the flag files).
#[derive(Clone, Debug)]
pub enum Source {
    /// A file.
    Path(PathBuf),
    /// Bytes in memory (for instance a file picked in a browser), with a name for errors.
    Bytes {
        /// The name errors use.
        name: String,
        /// The publication's bytes.
        bytes: Arc<[u8]>,
    },
}

impl Source {
    /// The name errors use.
    pub fn name(&self) -> String {
        match self {
            Source::Path(path) => path.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }

    fn open(&self) -> Result<Box<dyn Read + '_>> {
        match self {
            Source::Path(path) => {
                let file = std::fs::File::open(path).map_err(|e| Error::io(&self.name(), e))?;
                Ok(Box::new(file))
            }
            Source::Bytes { bytes, .. } => Ok(Box::new(&bytes[..])),
        }
    }
}

/// Hashes a pseudonym by 8 of its bytes: pseudonyms are HMAC outputs, uniform already.
#[derive(Default)]
struct PseudonymHasher(u64);

impl Hasher for PseudonymHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Bytes 8..16: the first bits pick the partition and are the same within it.
        match bytes.get(8..16) {
            Some(word) => self.0 = u64::from_le_bytes(word.try_into().unwrap_or_default()),
            None => {
                self.0 = bytes
                    .iter()
                    .fold(self.0, |h, &b| h.rotate_left(8) ^ u64::from(b))
            }
        }
    }
}

type PseudonymMap = HashMap<Pseudonym, u32, BuildHasherDefault<PseudonymHasher>>;

fn partition_of(pseudonym: &Pseudonym) -> usize {
    usize::from(u16::from_be_bytes([pseudonym.0[0], pseudonym.0[1]]) >> (16 - PARTITION_BITS))
}

/// One service record as the hot path keeps it: the pseudonym and a packed word.
#[derive(Clone, Copy)]
struct Compact {
    pseudonym: Pseudonym,
    /// Bits 0..16 service index, 16..22 sector index, 22..25 age band, 25 major change.
    packed: u32,
}

impl Compact {
    fn new(
        pseudonym: Pseudonym,
        service: u16,
        sector: u8,
        band: AgeBand,
        major_change: bool,
    ) -> Compact {
        let packed = u32::from(service)
            | u32::from(sector) << 16
            | u32::from(band.to_byte()) << 22
            | u32::from(major_change) << 25;
        Compact { pseudonym, packed }
    }
}

/// The run every publication of a match belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunInfo {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// The run key's fingerprint, as the publications carry it.
    #[serde(serialize_with = "crate::matcher::display")]
    pub run_key_fingerprint: Fingerprint,
    /// The catalogue version.
    pub catalogue_version: String,
    /// The reference date.
    #[serde(serialize_with = "crate::matcher::display")]
    pub reference_date: Date,
}

pub(crate) fn display<T: std::fmt::Display, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.collect_str(value)
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
    /// Its verified digest: the file the match used.
    #[serde(serialize_with = "crate::matcher::hex_digest")]
    pub digest: [u8; 32],
}

pub(crate) fn hex_digest<S: serde::Serializer>(
    digest: &[u8; 32],
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.collect_str(&hex::encode(digest))
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

/// A selected person or family: what the matcher may know, and no envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
    /// The sectors involved.
    pub sectors: Vec<SectorCode>,
    /// The distinct service codes involved.
    pub services: Vec<String>,
    /// Which rules selected it.
    pub reasons: Vec<String>,
    #[serde(skip)]
    members: Vec<u32>,
}

/// The answer of a one-citizen check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckAnswer {
    /// A candidate of this run (alone or in a family).
    Candidate,
    /// A candidate deferred to a later run.
    Deferred,
    /// Not a candidate.
    NotCandidate,
}

/// Per-person aggregates, indexed by person number.
struct Persons {
    sectors: Vec<u64>,
    /// Age band byte; 0 for a person known only from relation records.
    band: Vec<u8>,
    major_change: Vec<bool>,
    /// `words` 64-bit words of service bits per person.
    services: Vec<u64>,
    words: usize,
}

impl Persons {
    fn push(&mut self) -> u32 {
        self.sectors.push(0);
        self.band.push(0);
        self.major_change.push(false);
        self.services.resize(self.services.len() + self.words, 0);
        (self.sectors.len() - 1) as u32
    }

    fn len(&self) -> usize {
        self.sectors.len()
    }

    fn has_services(&self, p: usize) -> bool {
        self.sectors[p] != 0
    }

    fn has(&self, p: usize, service: u16) -> bool {
        let word = self.services[p * self.words + usize::from(service / 64)];
        word & (1 << (service % 64)) != 0
    }

    fn service_count(&self, p: usize) -> u32 {
        self.services[p * self.words..(p + 1) * self.words]
            .iter()
            .map(|w| w.count_ones())
            .sum()
    }

    fn is_child(&self, p: usize) -> bool {
        AgeBand::from_byte(self.band[p]).is_some_and(AgeBand::is_child)
    }
}

/// Disjoint sets over person numbers, for families.
struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let parent = self.0[x as usize];
            self.0[x as usize] = self.0[parent as usize];
            x = parent;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb) as usize] = ra.min(rb);
        }
    }
}

/// A family: a connected group of children and parents.
#[derive(Clone, Debug, Default)]
pub(crate) struct Family {
    pub(crate) members: Vec<u32>,
    pub(crate) with_services: u32,
    pub(crate) children: u32,
    pub(crate) adults: u32,
    pub(crate) sectors: u64,
}

/// The outcome of a match, held in memory.
pub struct Match {
    /// The run.
    pub run: RunInfo,
    /// What each publication contributed.
    pub publications: Vec<PublicationSummary>,
    /// The selected persons and families, in the order of their random ids.
    pub candidates: Vec<Candidate>,
    /// The statistics, suppressed.
    pub statistics: Statistics,
    sources: Vec<Source>,
    sectors: Vec<SectorCode>,
    maps: Vec<PseudonymMap>,
    persons: Persons,
    person_candidate: Vec<u32>,
    families: u64,
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

/// The matcher's own result file (spec §12.6): the run, the publications, the candidates.
#[derive(Serialize)]
pub struct MatchReport<'a> {
    /// Always `samkoer-match`.
    pub format: &'static str,
    /// The report format's version.
    pub version: u32,
    /// The run.
    pub run: &'a RunInfo,
    /// The publications.
    pub publications: &'a [PublicationSummary],
    /// Persons receiving services.
    pub persons: u64,
    /// Families.
    pub families: u64,
    /// The candidates.
    pub candidates: &'a [Candidate],
}

/// The publications' records, read and checked, before grouping.
struct Ingested {
    run: RunInfo,
    publications: Vec<PublicationSummary>,
    partitions: Vec<Vec<Compact>>,
    relations: Vec<(Pseudonym, Pseudonym)>,
}

/// Reads every publication, checks they belong together, and buckets the records.
fn ingest(sources: &[Source], catalogue: &Catalogue) -> Result<Ingested> {
    let service_index: HashMap<&str, (u16, u8)> = catalogue
        .services
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let sector = catalogue.sectors.iter().position(|c| c.code == s.sector)?;
            Some((
                s.code.as_str(),
                (u16::try_from(i).ok()?, u8::try_from(sector).ok()?),
            ))
        })
        .collect();
    let mut run: Option<RunInfo> = None;
    let mut publications: Vec<PublicationSummary> = Vec::new();
    let mut partitions: Vec<Vec<Compact>> = vec![Vec::new(); PARTITIONS];
    let mut relations = Vec::new();
    for source in sources {
        let name = source.name();
        let mut reader = FileReader::new(source.open()?, FileKind::Publication, &name)?;
        let header = reader.header().clone();
        let whole_file = |rule| Error::format(&name, 0, rule);
        let this = RunInfo {
            municipality: header.municipality,
            run: header.run.clone(),
            run_key_fingerprint: header.run_key_fingerprint,
            catalogue_version: header.catalogue_version.clone(),
            reference_date: header.reference_date,
        };
        if this.catalogue_version != catalogue.version {
            return Err(whole_file(Rule::MixedCatalogue));
        }
        if let Some(first) = &run {
            let mismatch = [
                (
                    first.municipality != this.municipality,
                    Rule::MixedMunicipality,
                ),
                (first.run != this.run, Rule::MixedRun),
                (
                    first.run_key_fingerprint != this.run_key_fingerprint,
                    Rule::MixedRunKey,
                ),
                (
                    first.reference_date != this.reference_date,
                    Rule::MixedReferenceDate,
                ),
            ];
            if let Some((_, rule)) = mismatch.iter().find(|(differs, _)| *differs) {
                return Err(whole_file(*rule));
            }
        }
        let sector = catalogue
            .sectors
            .iter()
            .position(|s| s.code == header.sector)
            .ok_or_else(|| whole_file(Rule::SectorCode))?;
        if publications.iter().any(|p| p.sector == header.sector) {
            return Err(whole_file(Rule::DuplicateSector));
        }
        loop {
            let record_number = reader.service_count() + reader.relation_count() + 1;
            match reader.next_ref()? {
                None => break,
                Some(RecordRef::Service(record)) => match service_index.get(record.service) {
                    Some(&(service, service_sector)) if usize::from(service_sector) == sector => {
                        let compact = Compact::new(
                            record.pseudonym,
                            service,
                            service_sector,
                            record.age_band,
                            record.major_change,
                        );
                        partitions[partition_of(&record.pseudonym)].push(compact);
                    }
                    _ => return Err(Error::format(&name, record_number, Rule::ServiceUnknown)),
                },
                Some(RecordRef::Relation(relation)) => {
                    relations.push((relation.child, relation.parent))
                }
                Some(RecordRef::Flag(_)) => {
                    return Err(Error::format(&name, record_number, Rule::PublicationRecord));
                }
            }
        }
        publications.push(PublicationSummary {
            file: name.clone(),
            sector: header.sector.clone(),
            services: reader.service_count(),
            relations: reader.relation_count(),
            digest: reader.digest().unwrap_or_default(),
        });
        run.get_or_insert(this);
    }
    let run = run.ok_or(Error::Parameter {
        rule: Rule::NoPublications,
    })?;
    Ok(Ingested {
        run,
        publications,
        partitions,
        relations,
    })
}

impl Match {
    /// Matches the publications of one run under the criteria. Any publication that does not
    /// verify, or does not belong with the others, stops the match with an error naming it.
    pub fn run(sources: Vec<Source>, catalogue: &Catalogue, criteria: &Criteria) -> Result<Match> {
        if sources.is_empty() {
            return Err(Error::Parameter {
                rule: Rule::NoPublications,
            });
        }
        let ingested = ingest(&sources, catalogue)?;
        Match::from_ingested(ingested, sources, catalogue, criteria)
    }

    fn from_ingested(
        ingested: Ingested,
        sources: Vec<Source>,
        catalogue: &Catalogue,
        criteria: &Criteria,
    ) -> Result<Match> {
        let Ingested {
            run,
            publications,
            partitions,
            relations,
        } = ingested;
        let words = catalogue.services.len().div_ceil(64).max(1);
        let mut persons = Persons {
            sectors: Vec::new(),
            band: Vec::new(),
            major_change: Vec::new(),
            services: Vec::new(),
            words,
        };
        let total: usize = partitions.iter().map(Vec::len).sum();
        persons.sectors.reserve(total / 2);

        // Group: one small hash table per partition.
        let mut maps: Vec<PseudonymMap> = Vec::with_capacity(PARTITIONS);
        for records in partitions {
            let mut map = PseudonymMap::with_capacity_and_hasher(records.len(), Default::default());
            for record in &records {
                let person = *map
                    .entry(record.pseudonym)
                    .or_insert_with(|| persons.push()) as usize;
                let service = (record.packed & 0xffff) as u16;
                persons.sectors[person] |= 1 << ((record.packed >> 16) & 0x3f);
                persons.band[person] = ((record.packed >> 22) & 0x7) as u8;
                persons.major_change[person] |= record.packed >> 25 & 1 == 1;
                persons.services[person * words + usize::from(service / 64)] |= 1 << (service % 64);
            }
            maps.push(map);
        }

        // Families: relation records link persons, some known only from them.
        let mut lookup_or_add = |pseudonym: Pseudonym, persons: &mut Persons| -> u32 {
            *maps[partition_of(&pseudonym)]
                .entry(pseudonym)
                .or_insert_with(|| persons.push())
        };
        let links: Vec<(u32, u32)> = relations
            .iter()
            .map(|&(child, parent)| {
                (
                    lookup_or_add(child, &mut persons),
                    lookup_or_add(parent, &mut persons),
                )
            })
            .collect();
        let mut sets = UnionFind((0..persons.len() as u32).collect());
        for &(child, parent) in &links {
            sets.union(child, parent);
        }
        let mut family_of_root: HashMap<u32, usize> = HashMap::new();
        let mut families: Vec<Family> = Vec::new();
        for &(child, _) in &links {
            let root = sets.find(child);
            let next = families.len();
            let family = *family_of_root.entry(root).or_insert(next);
            if family == next {
                families.push(Family::default());
            }
        }
        for person in 0..persons.len() {
            if let Some(&family) = family_of_root.get(&sets.find(person as u32)) {
                let f = &mut families[family];
                f.members.push(person as u32);
                if persons.has_services(person) {
                    f.with_services += 1;
                    f.sectors |= persons.sectors[person];
                    if persons.is_child(person) {
                        f.children += 1;
                    } else {
                        f.adults += 1;
                    }
                }
            }
        }

        // Selection: families first; a person in a selected family is flagged with it.
        let selector = Selector {
            persons: &persons,
            criteria,
            catalogue,
        };
        let mut candidates = Vec::new();
        let mut person_candidate = vec![NONE; persons.len()];
        if let Some(rule) = &criteria.family {
            for family in &families {
                let qualifies = family.with_services > 0
                    && (!rule.require_child_and_adult
                        || (family.children > 0 && family.adults > 0))
                    && family.sectors.count_ones() >= rule.min_sectors;
                if qualifies {
                    let members: Vec<u32> = family
                        .members
                        .iter()
                        .copied()
                        .filter(|&p| persons.has_services(p as usize))
                        .collect();
                    for &member in &members {
                        person_candidate[member as usize] = candidates.len() as u32;
                    }
                    candidates.push(selector.candidate(
                        CandidateKind::Family,
                        members,
                        vec!["family".into()],
                    )?);
                }
            }
        }
        if criteria.selects_persons() {
            for (person, flagged) in person_candidate.iter_mut().enumerate() {
                if !persons.has_services(person) || *flagged != NONE {
                    continue;
                }
                let reasons = selector.person_reasons(person);
                if !reasons.is_empty() {
                    *flagged = candidates.len() as u32;
                    candidates.push(selector.candidate(
                        CandidateKind::Person,
                        vec![person as u32],
                        reasons,
                    )?);
                }
            }
        }
        // Listed in the order of their random ids, so the order tells nothing either.
        candidates.sort_by_key(|c| c.id);
        for (index, candidate) in candidates.iter().enumerate() {
            for &member in &candidate.members {
                person_candidate[member as usize] = index as u32;
            }
        }
        let profiles = (0..persons.len())
            .filter(|&p| persons.has_services(p))
            .map(|p| (persons.sectors[p], persons.service_count(p)));
        let sectors = sectors_of(catalogue);
        let statistics = Statistics::compute(
            profiles,
            &families,
            &candidates,
            &sectors,
            criteria.threshold,
        );
        Ok(Match {
            run,
            publications,
            candidates,
            statistics,
            sources,
            sectors,
            maps,
            persons,
            person_candidate,
            families: families.len() as u64,
        })
    }

    /// Persons receiving services, from all publications.
    pub fn person_count(&self) -> u64 {
        (0..self.persons.len())
            .filter(|&p| self.persons.has_services(p))
            .count() as u64
    }

    /// The matcher's own result (spec §12.6): no pseudonym, no envelope.
    pub fn report(&self) -> MatchReport<'_> {
        MatchReport {
            format: "samkoer-match",
            version: 1,
            run: &self.run,
            publications: &self.publications,
            persons: self.person_count(),
            families: self.families,
            candidates: &self.candidates,
        }
    }

    /// The one-citizen check (spec §12.8): a sector asks about one of its own citizens by
    /// pseudonym. Only pseudonyms the asking sector itself published in this run are answered,
    /// so nobody can probe for anyone else.
    pub fn check(&self, sector: &SectorCode, pseudonym: &Pseudonym) -> Result<CheckAnswer> {
        let refuse = || Error::Parameter {
            rule: Rule::NotOwnPseudonym,
        };
        let sector_bit = self
            .sectors
            .iter()
            .position(|s| s == sector)
            .ok_or_else(refuse)?;
        let person = *self.maps[partition_of(pseudonym)]
            .get(pseudonym)
            .ok_or_else(refuse)? as usize;
        if self.persons.sectors[person] & (1 << sector_bit) == 0 {
            return Err(refuse());
        }
        Ok(match self.person_candidate[person] {
            NONE => CheckAnswer::NotCandidate,
            c if self.candidates[c as usize].deferred => CheckAnswer::Deferred,
            _ => CheckAnswer::Candidate,
        })
    }

    /// Every candidate's members by pseudonym. The matcher holds these anyway; they are for
    /// audits and tests, and never written to any file.
    pub fn candidate_pseudonyms(&self) -> Vec<Vec<Pseudonym>> {
        let mut members = vec![Vec::new(); self.candidates.len()];
        for map in &self.maps {
            for (pseudonym, &person) in map {
                if let Some(list) = members.get_mut(self.person_candidate[person as usize] as usize)
                {
                    list.push(*pseudonym);
                }
            }
        }
        members.iter_mut().for_each(|list| list.sort());
        members
    }

    /// Writes one flag file per sector of the match (spec §7.6): for each record of a candidate
    /// that is not deferred, the candidate id and the sector's own envelope, copied from the
    /// sector's publication in a second pass. Every sector gets a file, empty or not, so that
    /// none learns anything from whether it got one. `create` gives the writer and name for a
    /// sector's file.
    pub fn write_flag_files<W: Write>(
        &self,
        mut create: impl FnMut(&SectorCode) -> Result<(W, String)>,
    ) -> Result<Vec<(SectorCode, String, u64, W)>> {
        let mut done = Vec::with_capacity(self.sources.len());
        for (source, summary) in self.sources.iter().zip(&self.publications) {
            let name = source.name();
            let (out, out_name) = create(&summary.sector)?;
            let header = FileHeader {
                municipality: self.run.municipality,
                run: self.run.run.clone(),
                sector: summary.sector.clone(),
                run_key_fingerprint: self.run.run_key_fingerprint,
                catalogue_version: self.run.catalogue_version.clone(),
                reference_date: self.run.reference_date,
            };
            let mut writer = FileWriter::new(out, FileKind::FlagFile, &out_name, &header)?;
            let mut reader = FileReader::new(source.open()?, FileKind::Publication, &name)?;
            let mut flagged = 0;
            while let Some(record) = reader.next_ref()? {
                let RecordRef::Service(record) = record else {
                    continue;
                };
                let person = self.maps[partition_of(&record.pseudonym)].get(&record.pseudonym);
                let candidate = person.and_then(|&p| {
                    self.candidates
                        .get(self.person_candidate[p as usize] as usize)
                });
                if let Some(candidate) = candidate.filter(|c| !c.deferred) {
                    writer.write_flag(FlagRef {
                        candidate: candidate.id,
                        pseudonym: record.pseudonym,
                        service: record.service,
                        envelope: record.envelope,
                    })?;
                    flagged += 1;
                }
            }
            // The file must be the one matched: same digest as in the first pass.
            if reader.digest() != Some(summary.digest) {
                return Err(Error::format(&name, 0, Rule::PublicationDigest));
            }
            done.push((summary.sector.clone(), out_name, flagged, writer.finish()?));
        }
        Ok(done)
    }
}

/// Applies the criteria to persons.
struct Selector<'a> {
    persons: &'a Persons,
    criteria: &'a Criteria,
    catalogue: &'a Catalogue,
}

impl Selector<'_> {
    /// Why a person qualifies on their own; empty if they do not.
    fn person_reasons(&self, p: usize) -> Vec<String> {
        let criteria = self.criteria;
        let mut reasons = Vec::new();
        let has_minimums = criteria.min_sectors.is_some() || criteria.min_services.is_some();
        let sectors = self.persons.sectors[p].count_ones();
        if has_minimums
            && criteria.min_sectors.is_none_or(|m| sectors >= m)
            && criteria
                .min_services
                .is_none_or(|m| self.persons.service_count(p) >= m)
        {
            reasons.push("minimum sectors and services".to_owned());
        }
        for named in &criteria.combinations {
            if named.combination.matches(|s| self.persons.has(p, s)) {
                reasons.push(named.name.clone());
            }
        }
        reasons
    }

    fn deferred(&self, p: usize) -> bool {
        (self.criteria.defer_major_change && self.persons.major_change[p])
            || self
                .criteria
                .defer_services
                .iter()
                .any(|&s| self.persons.has(p, s))
    }

    fn candidate(
        &self,
        kind: CandidateKind,
        members: Vec<u32>,
        reasons: Vec<String>,
    ) -> Result<Candidate> {
        let persons = self.persons;
        let mut sectors = 0u64;
        let mut services = vec![0u64; persons.words];
        let (mut children, mut deferred) = (0, false);
        for &m in &members {
            let m = m as usize;
            sectors |= persons.sectors[m];
            for (all, &word) in services
                .iter_mut()
                .zip(&persons.services[m * persons.words..])
            {
                *all |= word;
            }
            children += u32::from(persons.is_child(m));
            deferred |= self.deferred(m);
        }
        let catalogue = self.catalogue;
        Ok(Candidate {
            id: CandidateId::random()?,
            kind,
            deferred,
            persons: members.len() as u32,
            children,
            adults: members.len() as u32 - children,
            sectors: catalogue
                .sectors
                .iter()
                .enumerate()
                .filter(|(i, _)| sectors & (1 << i) != 0)
                .map(|(_, s)| s.code.clone())
                .collect(),
            services: catalogue
                .services
                .iter()
                .enumerate()
                .filter(|(i, _)| services[i / 64] & (1 << (i % 64)) != 0)
                .map(|(_, s)| s.code.clone())
                .collect(),
            reasons,
            members,
        })
    }
}

fn sectors_of(catalogue: &Catalogue) -> Vec<SectorCode> {
    catalogue.sectors.iter().map(|s| s.code.clone()).collect()
}
