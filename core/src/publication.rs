//! The publication: what a sector hands the matcher for one run (spec §7).
//!
//! A binary file: a header, one record per (person, service), optional relation records, and a
//! trailer with the record counts and a SHA-256 digest of everything before it, so a reader
//! detects a file that was cut short or altered. Writer and reader both stream.
//!
//! The digest detects accidents and careless edits; it is not a signature. Someone who can
//! rewrite the whole file can recompute it (see `docs/threat-model.md`).

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Date, Month};

use crate::catalogue::is_service_code;
use crate::cpr::AgeBand;
use crate::envelope::{NONCE_LEN, PADDING_BLOCK, TAG_LEN};
use crate::error::{Error, Result, Rule};
use crate::ids::{MunicipalityCode, RunId, SectorCode};
use crate::keys::{Fingerprint, push_short};
use crate::labels;
use crate::pseudonym::Pseudonym;

/// The first eight bytes of every publication.
pub const MAGIC: &[u8; 8] = b"SAMKOPUB";
/// The publication format version written by this library.
pub const VERSION: u16 = 1;
/// The tag byte of a service record.
pub const TAG_SERVICE: u8 = b'S';
/// The tag byte of a relation record.
pub const TAG_RELATION: u8 = b'R';
/// The tag byte of the trailer.
pub const TAG_TRAILER: u8 = b'T';
/// The flag bit of a record whose service marks a pending major change.
pub const FLAG_MAJOR_CHANGE: u8 = 0x01;
/// The shortest possible envelope: version, nonce, one padded plaintext block, tag.
pub const MIN_ENVELOPE_LEN: usize = 1 + NONCE_LEN + PADDING_BLOCK + TAG_LEN;
/// The years a publication may carry, as exports' dates do.
const YEARS: std::ops::RangeInclusive<u16> = 1800..=9999;

/// A month, the only precision of timing that leaves a sector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    /// The year.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
}

impl YearMonth {
    /// The month of a date.
    pub fn of(date: Date) -> YearMonth {
        // Dates come from exports, whose parser limits years to 1800..=9999.
        YearMonth {
            year: date.year() as u16,
            month: date.month() as u8,
        }
    }
}

/// A publication's header: which run, municipality, sector, key and catalogue it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicationHeader {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The selection run.
    pub run: RunId,
    /// The publishing sector.
    pub sector: SectorCode,
    /// The fingerprint of the run key the pseudonyms were made with.
    pub run_key_fingerprint: Fingerprint,
    /// The version of the service catalogue applied.
    pub catalogue_version: String,
    /// The date on which services were ongoing and ages were taken.
    pub reference_date: Date,
}

/// One person's one ongoing service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRecord {
    /// The person's pseudonym.
    pub pseudonym: Pseudonym,
    /// The service category's code.
    pub service: String,
    /// The month the service started.
    pub start: YearMonth,
    /// The person's age band on the reference date.
    pub age_band: AgeBand,
    /// Whether the service marks a pending major change.
    pub major_change: bool,
    /// The sealed envelope, readable by the publishing sector only.
    pub envelope: Vec<u8>,
}

/// A link from a child to one of its parents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RelationRecord {
    /// The child's pseudonym.
    pub child: Pseudonym,
    /// The parent's pseudonym.
    pub parent: Pseudonym,
}

/// A record of a publication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A service record.
    Service(ServiceRecord),
    /// A relation record.
    Relation(RelationRecord),
}

/// A writer that hashes everything it writes.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> HashingWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.inner.write_all(bytes)
    }
}

/// Writes a publication record by record; [`PublicationWriter::finish`] writes the trailer.
pub struct PublicationWriter<W: Write> {
    out: HashingWriter<W>,
    file: String,
    services: u64,
    relations: u64,
    scratch: Vec<u8>,
}

impl<W: Write> PublicationWriter<W> {
    /// Starts a publication by writing its header; `file` names the output in errors.
    pub fn new(inner: W, file: &str, header: &PublicationHeader) -> Result<Self> {
        let mut hasher = Sha256::new();
        hasher.update(labels::PUBLICATION_DIGEST);
        let mut writer = PublicationWriter {
            out: HashingWriter { inner, hasher },
            file: file.to_owned(),
            services: 0,
            relations: 0,
            scratch: Vec::with_capacity(512),
        };
        let reference_year = u16::try_from(header.reference_date.year()).ok();
        if header.catalogue_version.is_empty()
            || header.catalogue_version.len() > 255
            || !reference_year.is_some_and(|y| YEARS.contains(&y))
        {
            return Err(Error::format(file, 0, Rule::PublicationHeader));
        }
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_be_bytes());
        bytes.extend_from_slice(&header.municipality.get().to_be_bytes());
        push_short(&mut bytes, header.run.as_str());
        push_short(&mut bytes, header.sector.as_str());
        bytes.extend_from_slice(&header.run_key_fingerprint.0);
        push_short(&mut bytes, &header.catalogue_version);
        push_date(&mut bytes, header.reference_date);
        writer.emit(&bytes)?;
        Ok(writer)
    }

    fn emit(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.put(bytes).map_err(|e| Error::io(&self.file, e))
    }

    /// Writes one service record.
    pub fn write_service(&mut self, record: &ServiceRecord) -> Result<()> {
        let number = self.services + self.relations + 1;
        let envelope_len = u16::try_from(record.envelope.len())
            .map_err(|_| Error::format(&self.file, number, Rule::PublicationRecord))?;
        if !is_service_code(&record.service)
            || usize::from(envelope_len) < MIN_ENVELOPE_LEN
            || !YEARS.contains(&record.start.year)
            || !(1..=12).contains(&record.start.month)
        {
            return Err(Error::format(&self.file, number, Rule::PublicationRecord));
        }
        let mut bytes = std::mem::take(&mut self.scratch);
        bytes.clear();
        bytes.push(TAG_SERVICE);
        bytes.extend_from_slice(&record.pseudonym.0);
        push_short(&mut bytes, &record.service);
        bytes.extend_from_slice(&record.start.year.to_be_bytes());
        bytes.push(record.start.month);
        bytes.push(record.age_band.to_byte());
        bytes.push(if record.major_change {
            FLAG_MAJOR_CHANGE
        } else {
            0
        });
        bytes.extend_from_slice(&envelope_len.to_be_bytes());
        bytes.extend_from_slice(&record.envelope);
        let written = self.emit(&bytes);
        self.scratch = bytes;
        written?;
        self.services += 1;
        Ok(())
    }

    /// Writes one relation record.
    pub fn write_relation(&mut self, record: &RelationRecord) -> Result<()> {
        let mut bytes = [0u8; 65];
        bytes[0] = TAG_RELATION;
        bytes[1..33].copy_from_slice(&record.child.0);
        bytes[33..].copy_from_slice(&record.parent.0);
        self.emit(&bytes)?;
        self.relations += 1;
        Ok(())
    }

    /// Writes the trailer and returns the underlying writer, flushed.
    pub fn finish(mut self) -> Result<W> {
        let mut bytes = vec![TAG_TRAILER];
        bytes.extend_from_slice(&self.services.to_be_bytes());
        bytes.extend_from_slice(&self.relations.to_be_bytes());
        self.emit(&bytes)?;
        let digest = self.out.hasher.finalize_reset();
        self.out
            .inner
            .write_all(&digest)
            .and_then(|()| self.out.inner.flush())
            .map_err(|e| Error::io(&self.file, e))?;
        Ok(self.out.inner)
    }
}

fn push_date(out: &mut Vec<u8>, date: Date) {
    out.extend_from_slice(&(date.year() as u16).to_be_bytes());
    out.push(date.month() as u8);
    out.push(date.day());
}

/// Reads a publication record by record, checking the trailer at the end.
///
/// Records are handed out as they are read, before the trailer is checked: a caller must treat
/// them as provisional until [`PublicationReader::next_record`] has returned `Ok(None)`, which
/// it does only after the counts and the digest have been verified.
pub struct PublicationReader<R: Read> {
    input: R,
    hasher: Sha256,
    file: String,
    header: PublicationHeader,
    services: u64,
    relations: u64,
    finished: bool,
}

impl<R: Read> PublicationReader<R> {
    /// Reads and checks the header; `file` names the input in errors.
    pub fn new(input: R, file: &str) -> Result<Self> {
        let mut hasher = Sha256::new();
        hasher.update(labels::PUBLICATION_DIGEST);
        let mut reader = HeaderReader {
            input,
            hasher,
            file,
        };
        let header = reader.header()?;
        let HeaderReader { input, hasher, .. } = reader;
        Ok(PublicationReader {
            input,
            hasher,
            file: file.to_owned(),
            header,
            services: 0,
            relations: 0,
            finished: false,
        })
    }

    /// The publication's header.
    pub fn header(&self) -> &PublicationHeader {
        &self.header
    }

    /// Service records read so far.
    pub fn service_count(&self) -> u64 {
        self.services
    }

    /// Relation records read so far.
    pub fn relation_count(&self) -> u64 {
        self.relations
    }

    fn record_number(&self) -> u64 {
        self.services + self.relations + 1
    }

    fn error(&self, rule: Rule) -> Error {
        Error::format(&self.file, self.record_number(), rule)
    }

    fn take(&mut self, buf: &mut [u8]) -> Result<()> {
        read_hashed(&mut self.input, &mut self.hasher, buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => self.error(Rule::PublicationTruncated),
            _ => Error::io(&self.file, e),
        })
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut bytes = [0u8; N];
        self.take(&mut bytes)?;
        Ok(bytes)
    }

    /// The next record; `Ok(None)` once the trailer has been read and verified.
    pub fn next_record(&mut self) -> Result<Option<Record>> {
        if self.finished {
            return Ok(None);
        }
        let [tag] = self.take_array::<1>()?;
        match tag {
            TAG_SERVICE => {
                let record = self.service_record()?;
                self.services += 1;
                Ok(Some(Record::Service(record)))
            }
            TAG_RELATION => {
                let child = Pseudonym(self.take_array()?);
                let parent = Pseudonym(self.take_array()?);
                if child == parent {
                    return Err(self.error(Rule::PublicationRecord));
                }
                self.relations += 1;
                Ok(Some(Record::Relation(RelationRecord { child, parent })))
            }
            TAG_TRAILER => {
                self.trailer()?;
                self.finished = true;
                Ok(None)
            }
            _ => Err(self.error(Rule::PublicationRecord)),
        }
    }

    fn service_record(&mut self) -> Result<ServiceRecord> {
        let pseudonym = Pseudonym(self.take_array()?);
        let [code_len] = self.take_array::<1>()?;
        let mut code = vec![0u8; usize::from(code_len)];
        self.take(&mut code)?;
        let service = String::from_utf8(code).ok().filter(|c| is_service_code(c));
        let [y0, y1, month, band, flags, l0, l1] = self.take_array::<7>()?;
        let start = YearMonth {
            year: u16::from_be_bytes([y0, y1]),
            month,
        };
        let envelope_len = usize::from(u16::from_be_bytes([l0, l1]));
        let mut envelope = vec![0u8; envelope_len];
        self.take(&mut envelope)?;
        let age_band = AgeBand::from_byte(band);
        let valid_month = (1..=12).contains(&month) && YEARS.contains(&start.year);
        match (service, age_band) {
            (Some(service), Some(age_band))
                if valid_month
                    && flags & !FLAG_MAJOR_CHANGE == 0
                    && envelope_len >= MIN_ENVELOPE_LEN =>
            {
                Ok(ServiceRecord {
                    pseudonym,
                    service,
                    start,
                    age_band,
                    major_change: flags != 0,
                    envelope,
                })
            }
            _ => Err(self.error(Rule::PublicationRecord)),
        }
    }

    fn trailer(&mut self) -> Result<()> {
        let services = u64::from_be_bytes(self.take_array()?);
        let relations = u64::from_be_bytes(self.take_array()?);
        let expected = self.hasher.finalize_reset();
        let mut digest = [0u8; 32];
        self.input
            .read_exact(&mut digest)
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => self.error(Rule::PublicationTruncated),
                _ => Error::io(&self.file, e),
            })?;
        if !bool::from(expected.as_slice().ct_eq(&digest)) {
            return Err(self.error(Rule::PublicationDigest));
        }
        if services != self.services || relations != self.relations {
            return Err(self.error(Rule::PublicationCount));
        }
        let mut extra = [0u8; 1];
        loop {
            match self.input.read(&mut extra) {
                Ok(0) => return Ok(()),
                Ok(_) => return Err(self.error(Rule::PublicationTrailingData)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(&self.file, e)),
            }
        }
    }
}

fn read_hashed(input: &mut impl Read, hasher: &mut Sha256, buf: &mut [u8]) -> io::Result<()> {
    input.read_exact(buf)?;
    hasher.update(&*buf);
    Ok(())
}

/// Reads the header fields, hashing them.
struct HeaderReader<'a, R> {
    input: R,
    hasher: Sha256,
    file: &'a str,
}

impl<R: Read> HeaderReader<'_, R> {
    fn take(&mut self, buf: &mut [u8]) -> Result<()> {
        read_hashed(&mut self.input, &mut self.hasher, buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => Error::format(self.file, 0, Rule::PublicationTruncated),
            _ => Error::io(self.file, e),
        })
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut bytes = [0u8; N];
        self.take(&mut bytes)?;
        Ok(bytes)
    }

    fn short_text(&mut self) -> Result<String> {
        let [len] = self.array::<1>()?;
        let mut bytes = vec![0u8; usize::from(len)];
        self.take(&mut bytes)?;
        String::from_utf8(bytes).map_err(|_| self.bad())
    }

    fn bad(&self) -> Error {
        Error::format(self.file, 0, Rule::PublicationHeader)
    }

    fn header(&mut self) -> Result<PublicationHeader> {
        let magic = self.array::<8>().map_err(|e| match e.rule() {
            Some(Rule::PublicationTruncated) => Error::format(self.file, 0, Rule::PublicationMagic),
            _ => e,
        })?;
        if &magic != MAGIC {
            return Err(Error::format(self.file, 0, Rule::PublicationMagic));
        }
        if u16::from_be_bytes(self.array()?) != VERSION {
            return Err(Error::format(self.file, 0, Rule::PublicationVersion));
        }
        let municipality =
            MunicipalityCode::new(u16::from_be_bytes(self.array()?)).map_err(|_| self.bad())?;
        let run = RunId::new(&self.short_text()?).map_err(|_| self.bad())?;
        let sector = SectorCode::new(&self.short_text()?).map_err(|_| self.bad())?;
        let run_key_fingerprint = Fingerprint(self.array()?);
        let catalogue_version = self.short_text()?;
        let [y0, y1, month, day] = self.array::<4>()?;
        let reference_date = Month::try_from(month)
            .ok()
            .and_then(|m| {
                Date::from_calendar_date(i32::from(u16::from_be_bytes([y0, y1])), m, day).ok()
            })
            .ok_or_else(|| self.bad())?;
        if catalogue_version.is_empty() || !YEARS.contains(&u16::from_be_bytes([y0, y1])) {
            return Err(self.bad());
        }
        Ok(PublicationHeader {
            municipality,
            run,
            sector,
            run_key_fingerprint,
            catalogue_version,
            reference_date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    pub(crate) fn header() -> PublicationHeader {
        PublicationHeader {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            sector: SectorCode::new("employment").unwrap(),
            run_key_fingerprint: Fingerprint([7; 16]),
            catalogue_version: "2026.1".into(),
            reference_date: date!(2026 - 11 - 01),
        }
    }

    fn service(i: u8) -> ServiceRecord {
        ServiceRecord {
            pseudonym: Pseudonym([i; 32]),
            service: "EMP-MENTOR".into(),
            start: YearMonth {
                year: 2025,
                month: 1 + i % 12,
            },
            age_band: AgeBand::ALL[usize::from(i) % 6],
            major_change: i % 2 == 0,
            envelope: vec![i; MIN_ENVELOPE_LEN + usize::from(i)],
        }
    }

    fn write(services: u8, relations: u8) -> Vec<u8> {
        let mut writer = PublicationWriter::new(Vec::new(), "out.pub", &header()).unwrap();
        for i in 0..services {
            writer.write_service(&service(i)).unwrap();
        }
        for i in 0..relations {
            writer
                .write_relation(&RelationRecord {
                    child: Pseudonym([i; 32]),
                    parent: Pseudonym([!i; 32]),
                })
                .unwrap();
        }
        writer.finish().unwrap()
    }

    fn read_all(bytes: &[u8]) -> Result<(PublicationHeader, Vec<Record>)> {
        let mut reader = PublicationReader::new(bytes, "in.pub")?;
        let mut records = Vec::new();
        while let Some(record) = reader.next_record()? {
            records.push(record);
        }
        Ok((reader.header().clone(), records))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn round_trips(services in 0u8..20, relations in 0u8..5) {
            let (header_back, records) = read_all(&write(services, relations)).unwrap();
            prop_assert_eq!(header_back, header());
            prop_assert_eq!(records.len(), usize::from(services) + usize::from(relations));
            for (i, record) in records.iter().take(usize::from(services)).enumerate() {
                prop_assert_eq!(record, &Record::Service(service(i as u8)));
            }
        }

        #[test]
        fn every_cut_is_detected(services in 0u8..6, cut in any::<prop::sample::Index>()) {
            let bytes = write(services, 2);
            let cut = cut.index(bytes.len());
            let error = read_all(&bytes[..cut]).unwrap_err();
            prop_assert!(matches!(error.rule(), Some(Rule::PublicationTruncated | Rule::PublicationMagic | Rule::PublicationRecord)), "{error}");
        }

        #[test]
        fn every_changed_byte_is_detected(flip in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut bytes = write(4, 2);
            let at = flip.index(bytes.len());
            bytes[at] ^= 1 << bit;
            prop_assert!(read_all(&bytes).is_err());
        }
    }

    #[test]
    fn trailing_bytes_and_wrong_counts_are_detected() {
        let mut bytes = write(2, 1);
        bytes.push(0);
        assert_eq!(
            read_all(&bytes).unwrap_err().rule(),
            Some(Rule::PublicationTrailingData)
        );
        assert_eq!(
            read_all(b"NOTAPUB!xxxx").unwrap_err().rule(),
            Some(Rule::PublicationMagic)
        );
        let error = read_all(&write(3, 0)[..200]).unwrap_err();
        assert!(error.to_string().starts_with("in.pub, record "), "{error}");
    }
}
