//! The central match (spec §12): publications of one run in; persons grouped by pseudonym,
//! families linked, criteria applied, candidates with random ids; then one flag file per
//! sector, the statistics, and the one-citizen check.
//!
//! The hot path holds no envelope. The first pass verifies every publication and keeps 36
//! bytes per record, bucketed by the pseudonym's first bits so that grouping works on
//! cache-sized hash tables, plus where each record lies in its file. The flag files are written
//! in a second pass that fetches only the records it flags and copies their envelopes
//! unopened.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Seek, Write};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde::ser::SerializeSeq;
use subtle::ConstantTimeEq;
use time::Date;

use crate::catalogue::Catalogue;
use crate::cpr::AgeBand;
use crate::criteria::{Combination, Criteria, ServiceSet};
use crate::error::{Error, Result, Rule};
use crate::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::keys::Fingerprint;
use crate::pseudonym::Pseudonym;
use crate::publication::{
    FileHeader, FileKind, FileReader, FileWriter, FlagRef, RecordRef, ServiceRecordFetcher,
};
use crate::stats::Statistics;

/// How many leading bits of a pseudonym pick its partition.
const PARTITION_BITS: u32 = 10;
const PARTITIONS: usize = 1 << PARTITION_BITS;
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

/// Where a publication is read from: read twice (every record, then the flagged ones).
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

/// A source opened for reading.
trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

impl Source {
    /// The name errors use.
    pub fn name(&self) -> String {
        match self {
            Source::Path(path) => path.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }

    fn open(&self) -> Result<Box<dyn ReadSeek + '_>> {
        match self {
            Source::Path(path) => {
                let file = std::fs::File::open(path).map_err(|e| Error::io(&self.name(), e))?;
                Ok(Box::new(file))
            }
            Source::Bytes { bytes, .. } => Ok(Box::new(std::io::Cursor::new(&bytes[..]))),
        }
    }

    /// The source's length in bytes.
    fn len(&self) -> Result<u64> {
        match self {
            Source::Path(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|e| Error::io(&self.name(), e)),
            Source::Bytes { bytes, .. } => Ok(bytes.len() as u64),
        }
    }

    /// What identifies this version of the source cheaply: a file's length and modification
    /// time (bytes in memory cannot change).
    fn version(&self) -> Result<Option<(u64, SystemTime)>> {
        match self {
            Source::Path(path) => {
                let metadata = std::fs::metadata(path).map_err(|e| Error::io(&self.name(), e))?;
                Ok(metadata
                    .modified()
                    .ok()
                    .map(|modified| (metadata.len(), modified)))
            }
            Source::Bytes { .. } => Ok(None),
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

    // A pseudonym hashes as its length, always 32, and then its bytes: the length adds nothing.
    fn write_usize(&mut self, _: usize) {}

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
    /// The record's ordinal among all service records of the match.
    ordinal: u32,
}

impl Compact {
    fn new(
        pseudonym: Pseudonym,
        service: u16,
        sector: u8,
        band: AgeBand,
        major_change: bool,
        ordinal: u32,
    ) -> Compact {
        let packed = u32::from(service)
            | u32::from(sector) << 16
            | u32::from(band.to_byte()) << 22
            | u32::from(major_change) << 25;
        Compact {
            pseudonym,
            packed,
            ordinal,
        }
    }
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

    fn service_words(&self, p: usize) -> &[u64] {
        &self.services[p * self.words..(p + 1) * self.words]
    }

    fn service_count(&self, p: usize) -> u32 {
        self.service_words(p).iter().map(|w| w.count_ones()).sum()
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
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Family {
    pub(crate) with_services: u32,
    pub(crate) children: u32,
    pub(crate) adults: u32,
    pub(crate) sectors: u64,
}

/// Every family, with its members in one flat list grouped by family.
struct Families {
    families: Vec<Family>,
    /// Family `f`'s members are `members[offsets[f]..offsets[f + 1]]`.
    offsets: Vec<u32>,
    members: Vec<u32>,
}

impl Families {
    fn members(&self, f: usize) -> &[u32] {
        &self.members[self.offsets[f] as usize..self.offsets[f + 1] as usize]
    }
}

/// The publications' records, read and verified, before grouping: the first half of a match,
/// separate so that a caller can time the two halves.
pub struct Ingested {
    run: RunInfo,
    publications: Vec<PublicationSummary>,
    sources: Vec<Source>,
    source_versions: Vec<Option<(u64, SystemTime)>>,
    /// Per publication, its records by partition, with ordinals counted from its own start.
    source_partitions: Vec<Vec<Vec<Compact>>>,
    relations: Vec<(Pseudonym, Pseudonym)>,
    /// Per service record, by ordinal: the file offset of its tag in its source.
    record_offsets: Vec<u64>,
    /// Where each source's ordinals start, and one more entry for the end.
    source_starts: Vec<u32>,
}

impl Ingested {
    /// Service records read.
    pub fn service_records(&self) -> u64 {
        self.publications.iter().map(|p| p.services).sum()
    }
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

/// One publication as read: its header, and its records or the error that stopped them.
struct SourceRead {
    header: FileHeader,
    records: Result<SourceRecords>,
}

/// The records of one publication, bucketed; ordinals count from the publication's first record.
struct SourceRecords {
    partitions: Vec<Vec<Compact>>,
    relations: Vec<(Pseudonym, Pseudonym)>,
    record_offsets: Vec<u64>,
    summary: PublicationSummary,
}

/// Buffers for one publication's records, allocated by the thread that will free them.
struct SourceBuffers {
    partitions: Vec<Vec<Compact>>,
    record_offsets: Vec<u64>,
}

impl SourceBuffers {
    /// Reserves for the most records a file of `bytes` can hold (a service record takes at
    /// least 146 bytes in practice), so that nothing is copied while they grow; untouched
    /// reserve costs no memory.
    fn for_file_of(bytes: u64) -> SourceBuffers {
        let most_records = usize::try_from(bytes / 146).unwrap_or(usize::MAX);
        SourceBuffers {
            partitions: (0..PARTITIONS)
                .map(|_| Vec::with_capacity(most_records / PARTITIONS * 5 / 4))
                .collect(),
            record_offsets: Vec::with_capacity(most_records),
        }
    }
}

/// Reads one publication's records into partitions.
fn read_source(
    name: &str,
    reader: &mut FileReader<Box<dyn ReadSeek + '_>>,
    sector: usize,
    service_index: &FxHashMap<&str, (u16, u8)>,
    buffers: SourceBuffers,
) -> Result<SourceRecords> {
    let SourceBuffers {
        mut partitions,
        mut record_offsets,
    } = buffers;
    let mut relations = Vec::new();
    loop {
        let record_number = reader.service_count() + reader.relation_count() + 1;
        let offset = reader.offset();
        match reader.next_ref()? {
            None => break,
            Some(RecordRef::Service(record)) => match service_index.get(record.service) {
                Some(&(service, service_sector)) if usize::from(service_sector) == sector => {
                    // Ordinals are u32: a match holds at most about 4 billion records.
                    let ordinal = u32::try_from(record_offsets.len())
                        .map_err(|_| Error::format(name, record_number, Rule::PublicationRecord))?;
                    record_offsets.push(offset);
                    partitions[partition_of(&record.pseudonym)].push(Compact::new(
                        record.pseudonym,
                        service,
                        service_sector,
                        record.age_band,
                        record.major_change,
                        ordinal,
                    ));
                }
                _ => return Err(Error::format(name, record_number, Rule::ServiceUnknown)),
            },
            Some(RecordRef::Relation(relation)) => {
                relations.push((relation.child, relation.parent))
            }
            Some(RecordRef::Flag(_)) => {
                return Err(Error::format(name, record_number, Rule::PublicationRecord));
            }
        }
    }
    let header = reader.header();
    Ok(SourceRecords {
        partitions,
        relations,
        record_offsets,
        summary: PublicationSummary {
            file: name.to_owned(),
            sector: header.sector.clone(),
            services: reader.service_count(),
            relations: reader.relation_count(),
            digest: reader.digest().unwrap_or_default(),
        },
    })
}

/// Reads every publication — on every core, a thread for each — checks
/// they belong together, and buckets the records. Errors are reported as reading the
/// publications one after the other would: the first publication's that has one.
fn ingest(sources: Vec<Source>, catalogue: &Catalogue) -> Result<Ingested> {
    if sources.is_empty() {
        return Err(Error::Parameter {
            rule: Rule::NoPublications,
        });
    }
    let service_index: FxHashMap<&str, (u16, u8)> = catalogue
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
    let source_versions = sources
        .iter()
        .map(Source::version)
        .collect::<Result<Vec<_>>>()?;
    // Allocated here rather than on the reading threads: the selection frees these records,
    // and memory freed to this thread's allocator is what the selection then reuses.
    let buffers = sources
        .iter()
        .map(|source| Ok(SourceBuffers::for_file_of(source.len()?)))
        .collect::<Result<Vec<_>>>()?;
    let read_one = |source: &Source, buffers: SourceBuffers| -> Result<SourceRead> {
        let name = source.name();
        let mut reader = FileReader::new(source.open()?, FileKind::Publication, &name)?;
        let header = reader.header().clone();
        // A publication of an unknown sector is refused below, before its records count.
        let records = match catalogue
            .sectors
            .iter()
            .position(|s| s.code == header.sector)
        {
            Some(sector) => read_source(&name, &mut reader, sector, &service_index, buffers),
            None => Err(Error::format(&name, 0, Rule::SectorCode)),
        };
        Ok(SourceRead { header, records })
    };
    let reads = on_every_core(buffers, |i, buffers| read_one(&sources[i], buffers));

    let mut run: Option<RunInfo> = None;
    let mut publications: Vec<PublicationSummary> = Vec::new();
    let mut source_partitions = Vec::with_capacity(sources.len());
    let mut relations = Vec::new();
    let total: usize = reads
        .iter()
        .filter_map(|read| read.as_ref().ok()?.records.as_ref().ok())
        .map(|records| records.record_offsets.len())
        .sum();
    let (mut record_offsets, mut source_starts) = (Vec::with_capacity(total), vec![0u32]);
    for (source, read) in sources.iter().zip(reads) {
        let name = source.name();
        let SourceRead { header, records } = read?;
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
        if publications.iter().any(|p| p.sector == header.sector) {
            return Err(whole_file(Rule::DuplicateSector));
        }
        let records = records?;
        record_offsets.extend_from_slice(&records.record_offsets);
        // Ordinals are u32: a match holds at most about 4 billion records.
        let end =
            u32::try_from(record_offsets.len()).map_err(|_| whole_file(Rule::PublicationRecord))?;
        source_starts.push(end);
        source_partitions.push(records.partitions);
        relations.extend(records.relations);
        publications.push(records.summary);
        run.get_or_insert(this);
    }
    let run = run.ok_or(Error::Parameter {
        rule: Rule::NoPublications,
    })?;
    Ok(Ingested {
        run,
        publications,
        sources,
        source_versions,
        source_partitions,
        relations,
        record_offsets,
        source_starts,
    })
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
    sources: Vec<Source>,
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
pub struct MatchReport<'a>(&'a Match);

impl Serialize for MatchReport<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let matched = self.0;
        let mut report = serializer.serialize_struct("MatchReport", 7)?;
        report.serialize_field("format", "samkoer-match")?;
        report.serialize_field("version", &1)?;
        report.serialize_field("run", &matched.run)?;
        report.serialize_field("publications", &matched.publications)?;
        report.serialize_field("persons", &matched.person_count())?;
        report.serialize_field("families", &matched.families)?;
        report.serialize_field("candidates", &Candidates(matched))?;
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
    /// The writer, flushed.
    pub writer: W,
}

impl Match {
    /// Matches the publications of one run under the criteria. Any publication that does not
    /// verify, or does not belong with the others, stops the match with an error naming it.
    pub fn run(sources: Vec<Source>, catalogue: &Catalogue, criteria: &Criteria) -> Result<Match> {
        Match::select(Match::ingest(sources, catalogue)?, catalogue, criteria)
    }

    /// The first half of [`Match::run`]: reads and verifies every publication and keeps the
    /// records the selection needs.
    pub fn ingest(sources: Vec<Source>, catalogue: &Catalogue) -> Result<Ingested> {
        ingest(sources, catalogue)
    }

    /// The second half of [`Match::run`]: groups by person, links families, applies the
    /// criteria and counts the statistics.
    pub fn select(ingested: Ingested, catalogue: &Catalogue, criteria: &Criteria) -> Result<Match> {
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
            return Err(Error::Parameter {
                rule: Rule::MixedCatalogue,
            });
        }
        let words = catalogue.services.len().div_ceil(64).max(1);
        let records: usize = source_partitions.iter().flatten().map(Vec::len).sum();
        let mut persons = Persons {
            sectors: Vec::with_capacity(records / 2),
            band: Vec::with_capacity(records / 2),
            major_change: Vec::with_capacity(records / 2),
            services: Vec::with_capacity(records / 2 * words),
            words,
        };

        // Group partition by partition in one small hash table, emptied for each partition so
        // that it stays in the cache (and its memory is touched once); each partition's records
        // are freed as soon as they are grouped. Every person's pseudonym is kept by number.
        let mut map =
            PseudonymMap::with_capacity_and_hasher(records / PARTITIONS / 2, Default::default());
        let mut pseudonyms: Vec<Pseudonym> = Vec::with_capacity(records / 2);
        // (ordinal, person) of every record, partition by partition.
        let mut record_person: Vec<Vec<(u32, u32)>> = Vec::with_capacity(PARTITIONS);
        let mut source_partitions: Vec<_> = source_partitions
            .into_iter()
            .map(|partitions| partitions.into_iter())
            .collect();
        // Relation ends by partition, to be found while their partition's table is at hand:
        // end 2i is relation i's child, 2i + 1 its parent.
        let mut relation_ends: Vec<Vec<(u32, Pseudonym)>> = vec![Vec::new(); PARTITIONS];
        for (i, (child, parent)) in relations.into_iter().enumerate() {
            let end = 2 * i as u32;
            relation_ends[partition_of(&child)].push((end, child));
            relation_ends[partition_of(&parent)].push((end + 1, parent));
        }
        let mut person_of_end = vec![NONE; relation_ends.iter().map(Vec::len).sum::<usize>()];
        for ends in relation_ends.iter_mut() {
            // This partition of every publication, its records freed once grouped.
            let buckets: Vec<(u32, Vec<Compact>)> = source_partitions
                .iter_mut()
                .zip(&source_starts)
                .map(|(partitions, &start)| (start, partitions.next().unwrap_or_default()))
                .collect();
            let size = buckets.iter().map(|(_, b)| b.len()).sum::<usize>();
            map.clear();
            let mut persons_of = Vec::with_capacity(size);
            for (start, bucket) in &buckets {
                for record in bucket {
                    let person = *map.entry(record.pseudonym).or_insert_with(|| {
                        pseudonyms.push(record.pseudonym);
                        persons.push()
                    });
                    persons_of.push((start + record.ordinal, person));
                    let (p, service) = (person as usize, (record.packed & 0xffff) as u16);
                    persons.sectors[p] |= 1 << ((record.packed >> 16) & 0x3f);
                    persons.band[p] = ((record.packed >> 22) & 0x7) as u8;
                    persons.major_change[p] |= record.packed >> 25 & 1 == 1;
                    persons.services[p * words + usize::from(service / 64)] |= 1 << (service % 64);
                }
            }
            // Relations link persons, some known only from them.
            for (end, pseudonym) in std::mem::take(ends) {
                person_of_end[end as usize] = *map.entry(pseudonym).or_insert_with(|| {
                    pseudonyms.push(pseudonym);
                    persons.push()
                });
            }
            record_person.push(persons_of);
        }

        let links: Vec<(u32, u32)> = person_of_end
            .chunks_exact(2)
            .map(|ends| (ends[0], ends[1]))
            .collect();
        let families = link_families(&persons, &links);

        // Selection: families first; a person in a selected family is flagged with it.
        let selector = Selector::new(&persons, criteria);
        let mut candidates = Vec::new();
        let mut members = Vec::new();
        let mut person_candidate = vec![NONE; persons.len()];
        if let Some(rule) = &criteria.family {
            for (f, family) in families.families.iter().enumerate() {
                let qualifies = family.with_services > 0
                    && (!rule.require_child_and_adult
                        || (family.children > 0 && family.adults > 0))
                    && family.sectors.count_ones() >= rule.min_sectors;
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
        // Random ids, drawn at once; listed in id order, so the order tells nothing either.
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

        let sectors: Vec<SectorCode> = catalogue.sectors.iter().map(|s| s.code.clone()).collect();
        let profiles = (0..persons.len())
            .filter(|&p| persons.has_services(p))
            .map(|p| (persons.sectors[p], persons.service_count(p)));
        let statistics = Statistics::compute(
            profiles,
            &families.families,
            &candidates,
            &sectors,
            criteria.threshold,
        );
        // The records to flag: those of candidates that are not deferred, in file order.
        let flag_of: Vec<u32> = person_candidate
            .iter()
            .map(|&c| match candidates.get(c as usize) {
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
        let mut reason_names = vec![String::new(); 64];
        reason_names[REASON_MINIMUMS as usize] = "minimum sectors and services".into();
        reason_names[REASON_FAMILY as usize] = "family".into();
        for (i, combination) in criteria.combinations.iter().enumerate().take(62) {
            reason_names[i + 1] = combination.name.clone();
        }
        Ok(Match {
            run,
            publications,
            statistics,
            candidates,
            members,
            families: families
                .families
                .iter()
                .filter(|f| f.with_services > 0)
                .count() as u64,
            sectors,
            services: catalogue.services.iter().map(|s| s.code.clone()).collect(),
            reason_names,
            sources,
            source_versions,
            pseudonyms,
            by_pseudonym: OnceLock::new(),
            persons,
            person_candidate,
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

    /// The matcher's own result (spec §12.6), to serialise: no pseudonym, no envelope.
    pub fn report(&self) -> MatchReport<'_> {
        MatchReport(self)
    }

    /// The matcher's own result as pretty-printed JSON.
    pub fn report_json(&self) -> String {
        // Strings, numbers and booleans only: serialising cannot fail.
        serde_json::to_string_pretty(&self.report()).unwrap_or_default()
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
        let by_pseudonym = self.by_pseudonym.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.pseudonyms.len() as u32).collect();
            order.sort_unstable_by_key(|&p| self.pseudonyms[p as usize]);
            order
        });
        let found = by_pseudonym.binary_search_by(|&p| self.pseudonyms[p as usize].cmp(pseudonym));
        let person = by_pseudonym[found.map_err(|_| refuse())?] as usize;
        if self.persons.sectors[person] >> sector_bit & 1 == 0 {
            return Err(refuse());
        }
        Ok(match self.person_candidate[person] {
            NONE => CheckAnswer::NotCandidate,
            c if self.candidates[c as usize].deferred => CheckAnswer::Deferred,
            _ => CheckAnswer::Candidate,
        })
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

    /// Writes one flag file per publication's sector (spec §7.6): for each record of a
    /// candidate that is not deferred, the candidate id and the sector's own envelope, fetched
    /// from the sector's publication in a second pass that reads only those records. Every
    /// sector gets a file, empty or not, so that none learns anything from whether it got one.
    /// `create` gives the writer and name for a sector's file. A publication file that changed
    /// since the match read it is refused.
    pub fn write_flag_files<W: Write + Send>(
        &self,
        mut create: impl FnMut(&SectorCode) -> Result<(W, String)>,
    ) -> Result<Vec<FlagFile<W>>> {
        let mut outputs = Vec::with_capacity(self.sources.len());
        for (s, (source, summary)) in self.sources.iter().zip(&self.publications).enumerate() {
            if source.version()? != self.source_versions[s] {
                return Err(Error::format(&source.name(), 0, Rule::PublicationDigest));
            }
            outputs.push(create(&summary.sector)?);
        }
        // A thread for each sector's flag file; the first error in sector order wins.
        on_every_core(outputs, |s, (out, file)| self.write_flag_file(s, out, file))
            .into_iter()
            .collect()
    }

    /// The flag file of publication `s`: its flagged records, fetched again by offset.
    fn write_flag_file<W: Write>(&self, s: usize, out: W, file: String) -> Result<FlagFile<W>> {
        let (source, summary) = (&self.sources[s], &self.publications[s]);
        let name = source.name();
        let header = FileHeader {
            municipality: self.run.municipality,
            run: self.run.run.clone(),
            sector: summary.sector.clone(),
            run_key_fingerprint: self.run.run_key_fingerprint,
            catalogue_version: self.run.catalogue_version.clone(),
            reference_date: self.run.reference_date,
        };
        let mut writer = FileWriter::new(out, FileKind::FlagFile, &file, &header)?;
        let mut fetcher = ServiceRecordFetcher::new(source.open()?, &name);
        let mut records = 0;
        let (start, end) = (self.source_starts[s], self.source_starts[s + 1]);
        let first = self.flagged.partition_point(|f| f.ordinal < start);
        let last = self.flagged.partition_point(|f| f.ordinal < end);
        for flag in &self.flagged[first..last] {
            let offset = self.record_offsets[flag.ordinal as usize];
            let candidate = &self.candidates[flag.candidate as usize];
            let record = fetcher.fetch(offset)?;
            // The record must still be the one read in the first pass.
            if !bool::from(pseudonym_check(&record.pseudonym).ct_eq(&flag.check)) {
                return Err(Error::format(&name, 0, Rule::PublicationDigest));
            }
            writer.write_flag(FlagRef {
                candidate: candidate.id,
                pseudonym: record.pseudonym,
                service: record.service,
                envelope: record.envelope,
            })?;
            records += 1;
        }
        Ok(FlagFile {
            sector: summary.sector.clone(),
            file,
            records,
            writer: writer.finish()?,
        })
    }
}

/// Groups persons linked by relation records into families, working only on the linked
/// persons, numbered densely, so that nothing is of the size of the whole population but one
/// index.
fn link_families(persons: &Persons, links: &[(u32, u32)]) -> Families {
    let mut dense = vec![NONE; persons.len()];
    let mut linked: Vec<u32> = Vec::new();
    let mut dense_of = |person: u32, linked: &mut Vec<u32>| {
        let slot = &mut dense[person as usize];
        if *slot == NONE {
            *slot = linked.len() as u32;
            linked.push(person);
        }
        *slot
    };
    let pairs: Vec<(u32, u32)> = links
        .iter()
        .map(|&(a, b)| (dense_of(a, &mut linked), dense_of(b, &mut linked)))
        .collect();
    let mut sets = UnionFind((0..linked.len() as u32).collect());
    for &(a, b) in &pairs {
        sets.union(a, b);
    }
    // Number the families by their roots, count their members, and lay the members out.
    let mut family_of_root = vec![NONE; linked.len()];
    let mut family_of = Vec::with_capacity(linked.len());
    let mut sizes: Vec<u32> = Vec::new();
    for d in 0..linked.len() as u32 {
        let root = sets.find(d) as usize;
        if family_of_root[root] == NONE {
            family_of_root[root] = sizes.len() as u32;
            sizes.push(0);
        }
        let family = family_of_root[root];
        sizes[family as usize] += 1;
        family_of.push(family);
    }
    let mut offsets = Vec::with_capacity(sizes.len() + 1);
    offsets.push(0u32);
    for size in &sizes {
        offsets.push(offsets[offsets.len() - 1] + size);
    }
    let mut next: Vec<u32> = offsets[..sizes.len()].to_vec();
    let mut members = vec![0u32; linked.len()];
    let mut families = vec![Family::default(); sizes.len()];
    for (d, &person) in linked.iter().enumerate() {
        let family = family_of[d] as usize;
        members[next[family] as usize] = person;
        next[family] += 1;
        let (p, f) = (person as usize, &mut families[family]);
        if persons.has_services(p) {
            f.with_services += 1;
            f.sectors |= persons.sectors[p];
            if persons.is_child(p) {
                f.children += 1;
            } else {
                f.adults += 1;
            }
        }
    }
    Families {
        families,
        offsets,
        members,
    }
}

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
            if matches {
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
