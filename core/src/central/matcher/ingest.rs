//! The match's first pass (spec §12.1): every publication read and verified, on every core,
//! checked to belong to one run, and its records kept in 36 bytes each, bucketed by the
//! pseudonym's first bits, with where each record lies in its file.

use std::time::SystemTime;

use rustc_hash::FxHashMap;

use super::{PublicationSummary, RunInfo, on_every_core};
use crate::error::{Error, Result, Rule};
use crate::files::{Input, ReadSeek};
use crate::formats::catalogue::Catalogue;
use crate::formats::publication::{FileHeader, FileKind, FileReader, RecordRef};
use crate::primitives::cpr::AgeBand;
use crate::primitives::pseudonym::Pseudonym;
use crate::progress::Tally;

/// How many leading bits of a pseudonym pick its partition.
const PARTITION_BITS: u32 = 10;
/// The number of partitions.
pub(super) const PARTITIONS: usize = 1 << PARTITION_BITS;

pub(super) fn partition_of(pseudonym: &Pseudonym) -> usize {
    usize::from(u16::from_be_bytes([pseudonym.0[0], pseudonym.0[1]]) >> (16 - PARTITION_BITS))
}

/// One service record as the hot path keeps it: the pseudonym and a packed word.
#[derive(Clone, Copy)]
pub(super) struct Compact {
    pub(super) pseudonym: Pseudonym,
    /// Bits 0..16 service index, 16..22 sector index, 22..25 age band, 25 major change.
    pub(super) packed: u32,
    /// The record's ordinal among all service records of the match.
    pub(super) ordinal: u32,
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

/// The publications' records, read and verified, before grouping: the first half of a match,
/// separate so that a caller can time the two halves.
pub struct Ingested {
    pub(super) run: RunInfo,
    pub(super) publications: Vec<PublicationSummary>,
    pub(super) sources: Vec<Input>,
    pub(super) source_versions: Vec<Option<(u64, SystemTime)>>,
    /// Per publication, its records by partition, with ordinals counted from its own start.
    pub(super) source_partitions: Vec<Vec<Vec<Compact>>>,
    pub(super) relations: Vec<(Pseudonym, Pseudonym)>,
    /// Per service record, by ordinal: the file offset of its tag in its source.
    pub(super) record_offsets: Vec<u64>,
    /// Where each source's ordinals start, and one more entry for the end.
    pub(super) source_starts: Vec<u32>,
}

impl Ingested {
    /// Service records read.
    pub fn service_records(&self) -> u64 {
        self.publications.iter().map(|p| p.services).sum()
    }
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
                _ => return Err(Error::format(name, record_number, Rule::PublicationService)),
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
            author: header.author,
        },
    })
}

/// Reads every publication — on every core, a thread for each — checks
/// they belong together, and buckets the records. Errors are reported as reading the
/// publications one after the other would: the first publication's that has one.
pub(super) fn ingest(
    sources: Vec<Input>,
    catalogue: &Catalogue,
    tally: Option<&Tally>,
) -> Result<Ingested> {
    if sources.is_empty() {
        return Err(Error::parameter(Rule::NoPublications));
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
        .map(Input::version)
        .collect::<Result<Vec<_>>>()?;
    // Allocated here rather than on the reading threads: the selection frees these records,
    // and memory freed to this thread's allocator is what the selection then reuses.
    let buffers = sources
        .iter()
        .map(|source| Ok(SourceBuffers::for_file_of(source.len()?)))
        .collect::<Result<Vec<_>>>()?;
    let read_one = |source: &Input, buffers: SourceBuffers| -> Result<SourceRead> {
        let name = source.name();
        let input: Box<dyn ReadSeek + '_> = match tally {
            Some(tally) => Box::new(tally.reader(source.seekable()?)),
            None => source.seekable()?,
        };
        let mut reader = FileReader::new(input, FileKind::Publication, &name)?;
        let header = reader.header().clone();
        // A publication of an unknown sector is refused below, before its records count.
        let records = match catalogue
            .sectors
            .iter()
            .position(|s| s.code == header.sector)
        {
            Some(sector) => read_source(&name, &mut reader, sector, &service_index, buffers),
            None => Err(Error::format(&name, 0, Rule::PublicationSector)),
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
            // Both values named: which file is the odd one out is for the reader to tell.
            let mismatches = [
                (
                    Rule::MixedMunicipality,
                    "municipality",
                    this.municipality.to_string(),
                    first.municipality.to_string(),
                ),
                (
                    Rule::MixedRun,
                    "run",
                    this.run.to_string(),
                    first.run.to_string(),
                ),
                (
                    Rule::MixedRunKey,
                    "run key",
                    this.run_key_fingerprint.to_string(),
                    first.run_key_fingerprint.to_string(),
                ),
                (
                    Rule::MixedReferenceDate,
                    "reference date",
                    this.reference_date.to_string(),
                    first.reference_date.to_string(),
                ),
            ];
            if let Some((rule, what, this, first)) = mismatches.iter().find(|m| m.2 != m.3) {
                let first_file = sources[0].name();
                return Err(Error::format_mismatch(
                    &name,
                    *rule,
                    format_args!("{what} {this}"),
                    first,
                    &first_file,
                ));
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
    let run = run.ok_or(Error::parameter(Rule::NoPublications))?;
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
