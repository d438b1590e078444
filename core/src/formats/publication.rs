//! The run's binary files (spec §7): the publication a sector hands the matcher, and the flag
//! file the matcher hands a sector back.
//!
//! Both are a header, records, and a trailer with the record counts and a SHA-256 digest of
//! everything before it, so a reader detects a file that was cut short or altered. A
//! publication holds one record per (person, service) and optional relation records; a flag
//! file holds, per candidate record of its sector, the candidate id and that sector's own
//! envelope. Writer and reader both stream; the reader scans a large buffer so that the
//! matcher's hot path does not copy envelopes.
//!
//! The digest detects accidents and careless edits; it is not a signature. A publication
//! (version 2) and a flag file (version 2) are also signed: the header carries its author's
//! signing key (§4.6: the sector's, or the matcher's) and the head of the author's audit log
//! when it was written, and the trailer a signature over the digest, so the matcher can later
//! tell a sector's own requests from anyone else's, and a receiver keeps evidence of its
//! author's log (§16.3).

use std::io::{self, Read, Seek, Write};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Date, Month};

pub use crate::audit::Author;
use crate::error::{Error, Result, Rule};
use crate::files::kind;
use crate::formats::catalogue::is_service_code;
use crate::primitives::cpr::AgeBand;
use crate::primitives::envelope::{NONCE_LEN, PADDING_BLOCK, TAG_LEN};
use crate::primitives::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::primitives::keys::{Fingerprint, push_short};
use crate::primitives::labels;
use crate::primitives::pseudonym::Pseudonym;
use crate::primitives::signing::{PartySigningKey, SIGNATURE_LEN, SignerKey};

/// The format version of publications written by this library.
pub const PUBLICATION_VERSION: u16 = 2;
/// The format version of flag files written by this library.
pub const FLAG_FILE_VERSION: u16 = 2;
/// The tag byte of a service record.
pub const TAG_SERVICE: u8 = b'S';
/// The tag byte of a relation record.
pub const TAG_RELATION: u8 = b'R';
/// The tag byte of a flag record (flag files only).
pub const TAG_FLAG: u8 = b'F';
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

/// Which of the two file kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A sector's publication, read by the matcher.
    Publication,
    /// The matcher's flag file for one sector.
    FlagFile,
}

impl FileKind {
    /// The first eight bytes of a file of this kind.
    pub fn magic(self) -> &'static [u8; 8] {
        match self {
            FileKind::Publication => b"SAMKOPUB",
            FileKind::FlagFile => b"SAMKOFLG",
        }
    }

    /// The version this library writes and reads.
    pub fn version(self) -> u16 {
        match self {
            FileKind::Publication => PUBLICATION_VERSION,
            FileKind::FlagFile => FLAG_FILE_VERSION,
        }
    }

    /// The kind of file, as [`kind::sniff`] tells it.
    pub fn file_kind(self) -> kind::Kind {
        match self {
            FileKind::Publication => kind::Kind::Publication,
            FileKind::FlagFile => kind::Kind::FlagFile,
        }
    }

    /// The label hashed before the file's bytes for its digest.
    pub fn digest_label(self) -> &'static [u8] {
        match self {
            FileKind::Publication => labels::PUBLICATION_DIGEST,
            FileKind::FlagFile => labels::FLAG_FILE_DIGEST,
        }
    }

    /// The label the trailer's signature is made under.
    pub fn signature_label(self) -> &'static [u8] {
        match self {
            FileKind::Publication => labels::PUBLICATION_SIGNATURE,
            FileKind::FlagFile => labels::FLAG_FILE_SIGNATURE,
        }
    }

    fn allows(self, tag: u8) -> bool {
        match self {
            FileKind::Publication => tag == TAG_SERVICE || tag == TAG_RELATION,
            FileKind::FlagFile => tag == TAG_FLAG,
        }
    }
}

/// A file's header: which run, municipality, sector, key and catalogue it belongs to. In a
/// flag file, the sector is the one the file is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHeader {
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
    /// Who made and signed it: in a publication its sector, in a flag file the matcher
    /// (spec §7.1, §7.6).
    pub author: Author,
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

/// One of a sector's own records of a candidate, in that sector's flag file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagRecord {
    /// The candidate (a person or a family) the record belongs to.
    pub candidate: CandidateId,
    /// The person's pseudonym, needed to open the envelope.
    pub pseudonym: Pseudonym,
    /// The service code, needed to open the envelope.
    pub service: String,
    /// The sector's own envelope, as it published it.
    pub envelope: Vec<u8>,
}

/// A record of either file kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A service record.
    Service(ServiceRecord),
    /// A relation record.
    Relation(RelationRecord),
    /// A flag record.
    Flag(FlagRecord),
}

/// A service record as it lies in the reader's buffer: nothing is copied but the pseudonym.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceRef<'a> {
    /// The person's pseudonym.
    pub pseudonym: Pseudonym,
    /// The service category's code.
    pub service: &'a str,
    /// The month the service started.
    pub start: YearMonth,
    /// The person's age band on the reference date.
    pub age_band: AgeBand,
    /// Whether the service marks a pending major change.
    pub major_change: bool,
    /// The sealed envelope.
    pub envelope: &'a [u8],
}

/// A flag record as it lies in the reader's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagRef<'a> {
    /// The candidate.
    pub candidate: CandidateId,
    /// The person's pseudonym.
    pub pseudonym: Pseudonym,
    /// The service code.
    pub service: &'a str,
    /// The envelope.
    pub envelope: &'a [u8],
}

/// A record borrowed from the reader's buffer, valid until the next read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordRef<'a> {
    /// A service record.
    Service(ServiceRef<'a>),
    /// A relation record.
    Relation(RelationRecord),
    /// A flag record.
    Flag(FlagRef<'a>),
}

impl RecordRef<'_> {
    /// The record, copied out of the buffer.
    pub fn to_owned(&self) -> Record {
        match *self {
            RecordRef::Service(r) => Record::Service(ServiceRecord {
                pseudonym: r.pseudonym,
                service: r.service.to_owned(),
                start: r.start,
                age_band: r.age_band,
                major_change: r.major_change,
                envelope: r.envelope.to_vec(),
            }),
            RecordRef::Relation(r) => Record::Relation(r),
            RecordRef::Flag(r) => Record::Flag(FlagRecord {
                candidate: r.candidate,
                pseudonym: r.pseudonym,
                service: r.service.to_owned(),
                envelope: r.envelope.to_vec(),
            }),
        }
    }
}

/// Appends a service record's bytes (spec §7.3); `false`, with nothing appended, if the record
/// cannot be written (an envelope of the wrong size, a service code or start month out of range).
fn encode_service(record: &ServiceRecord, bytes: &mut Vec<u8>) -> bool {
    let copy_envelope = |bytes: &mut Vec<u8>| {
        bytes.extend_from_slice(&record.envelope);
        Ok(())
    };
    let head = ServiceHead {
        pseudonym: &record.pseudonym,
        service: &record.service,
        start: record.start,
        age_band: record.age_band,
        major_change: record.major_change,
    };
    matches!(head.encode_with(bytes, copy_envelope), Ok(true))
}

/// A service record but its envelope.
pub(crate) struct ServiceHead<'a> {
    pub(crate) pseudonym: &'a Pseudonym,
    pub(crate) service: &'a str,
    pub(crate) start: YearMonth,
    pub(crate) age_band: AgeBand,
    pub(crate) major_change: bool,
}

impl ServiceHead<'_> {
    /// Appends the record with the envelope that `seal` appends in place. `Ok(false)`, with
    /// nothing appended, if the record cannot be written; an error of `seal` is passed on.
    fn encode_with(
        &self,
        bytes: &mut Vec<u8>,
        seal: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<bool> {
        let valid_start = YEARS.contains(&self.start.year) && (1..=12).contains(&self.start.month);
        if !valid_start || !is_service_code(self.service) {
            return Ok(false);
        }
        let begin = bytes.len();
        bytes.push(TAG_SERVICE);
        bytes.extend_from_slice(&self.pseudonym.0);
        push_short(bytes, self.service);
        bytes.extend_from_slice(&self.start.year.to_be_bytes());
        bytes.push(self.start.month);
        bytes.push(self.age_band.to_byte());
        bytes.push(if self.major_change {
            FLAG_MAJOR_CHANGE
        } else {
            0
        });
        let length_at = bytes.len();
        bytes.extend_from_slice(&[0, 0]);
        if let Err(e) = seal(bytes) {
            bytes.truncate(begin);
            return Err(e);
        }
        match u16::try_from(bytes.len() - length_at - 2) {
            Ok(len) if usize::from(len) >= MIN_ENVELOPE_LEN => {
                bytes[length_at..length_at + 2].copy_from_slice(&len.to_be_bytes());
                Ok(true)
            }
            _ => {
                bytes.truncate(begin);
                Ok(false)
            }
        }
    }
}

/// Service records encoded for [`FileWriter::write_services`]: encoding can then happen on
/// another thread than writing and hashing.
#[derive(Debug, Default)]
pub struct EncodedServices {
    bytes: Vec<u8>,
    count: u64,
    /// The index of the first record that could not be encoded; none after it is kept.
    invalid: Option<u64>,
}

impl EncodedServices {
    /// Encodes a record after the others.
    pub fn push(&mut self, record: &ServiceRecord) {
        if self.invalid.is_none() {
            let encoded = encode_service(record, &mut self.bytes);
            self.count_encoded(encoded);
        }
    }

    /// Encodes a record after the others with the envelope that `seal` appends in place.
    pub(crate) fn push_sealed(
        &mut self,
        head: &ServiceHead<'_>,
        seal: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        if self.invalid.is_none() {
            let encoded = head.encode_with(&mut self.bytes, seal)?;
            self.count_encoded(encoded);
        }
        Ok(())
    }

    fn count_encoded(&mut self, encoded: bool) {
        if encoded {
            self.count += 1;
        } else {
            self.invalid = Some(self.count);
        }
    }

    /// Empties the batch, keeping its buffer.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.count = 0;
        self.invalid = None;
    }
}

/// Writes a file record by record; [`FileWriter::finish`] writes the trailer.
pub struct FileWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    /// The author's signing key.
    signing: PartySigningKey,
    kind: FileKind,
    file: String,
    primary: u64,
    relations: u64,
    scratch: Vec<u8>,
}

impl<W: Write> FileWriter<W> {
    /// Starts a file by writing its header, to be signed with `signing`, whose public half
    /// must be the header's author's signer; `file` names the output in errors.
    pub fn new(
        inner: W,
        kind: FileKind,
        file: &str,
        header: &FileHeader,
        signing: &PartySigningKey,
    ) -> Result<Self> {
        let mut hasher = Sha256::new();
        hasher.update(kind.digest_label());
        let reference_year = u16::try_from(header.reference_date.year()).ok();
        if header.catalogue_version.is_empty()
            || header.catalogue_version.len() > 255
            || !reference_year.is_some_and(|y| YEARS.contains(&y))
            || header.author.signer != signing.public()
        {
            return Err(Error::format(file, 0, Rule::PublicationHeader));
        }
        let mut writer = FileWriter {
            inner,
            hasher,
            signing: signing.clone(),
            kind,
            file: file.to_owned(),
            primary: 0,
            relations: 0,
            scratch: Vec::with_capacity(512),
        };
        let mut bytes = kind.magic().to_vec();
        bytes.extend_from_slice(&kind.version().to_be_bytes());
        bytes.extend_from_slice(&header.municipality.get().to_be_bytes());
        push_short(&mut bytes, header.run.as_str());
        push_short(&mut bytes, header.sector.as_str());
        bytes.extend_from_slice(&header.run_key_fingerprint.0);
        push_short(&mut bytes, &header.catalogue_version);
        bytes.extend_from_slice(&(header.reference_date.year() as u16).to_be_bytes());
        bytes.push(header.reference_date.month() as u8);
        bytes.push(header.reference_date.day());
        bytes.extend_from_slice(&header.author.to_bytes());
        writer.emit(&bytes)?;
        Ok(writer)
    }

    fn emit(&mut self, bytes: &[u8]) -> Result<()> {
        self.hasher.update(bytes);
        self.inner
            .write_all(bytes)
            .map_err(|e| Error::io(&self.file, e))
    }

    fn bad_record(&self) -> Error {
        Error::format(
            &self.file,
            self.primary + self.relations + 1,
            Rule::PublicationRecord,
        )
    }

    /// Emits the record assembled by `fill` in the scratch buffer.
    fn emit_scratch(&mut self, fill: impl FnOnce(&mut Vec<u8>)) -> Result<()> {
        let mut bytes = std::mem::take(&mut self.scratch);
        bytes.clear();
        fill(&mut bytes);
        let written = self.emit(&bytes);
        self.scratch = bytes;
        written
    }

    fn check_tag(&self, tag: u8) -> Result<()> {
        if self.kind.allows(tag) {
            Ok(())
        } else {
            Err(self.bad_record())
        }
    }

    fn envelope_len(&self, service: &str, envelope: &[u8]) -> Result<u16> {
        match u16::try_from(envelope.len()) {
            Ok(len) if usize::from(len) >= MIN_ENVELOPE_LEN && is_service_code(service) => Ok(len),
            _ => Err(self.bad_record()),
        }
    }

    /// Writes one service record (publications only).
    pub fn write_service(&mut self, record: &ServiceRecord) -> Result<()> {
        self.check_tag(TAG_SERVICE)?;
        let mut bytes = std::mem::take(&mut self.scratch);
        bytes.clear();
        let written = if encode_service(record, &mut bytes) {
            self.emit(&bytes)
        } else {
            Err(self.bad_record())
        };
        self.scratch = bytes;
        written?;
        self.primary += 1;
        Ok(())
    }

    /// Writes service records encoded elsewhere (publications only), as
    /// [`FileWriter::write_service`] would one by one.
    pub fn write_services(&mut self, records: &EncodedServices) -> Result<()> {
        self.check_tag(TAG_SERVICE)?;
        if let Some(index) = records.invalid {
            return Err(Error::format(
                &self.file,
                self.primary + self.relations + index + 1,
                Rule::PublicationRecord,
            ));
        }
        self.emit(&records.bytes)?;
        self.primary += records.count;
        Ok(())
    }

    /// Writes one relation record (publications only).
    pub fn write_relation(&mut self, record: &RelationRecord) -> Result<()> {
        self.check_tag(TAG_RELATION)?;
        if record.child == record.parent {
            return Err(self.bad_record());
        }
        let mut bytes = [0u8; 65];
        bytes[0] = TAG_RELATION;
        bytes[1..33].copy_from_slice(&record.child.0);
        bytes[33..].copy_from_slice(&record.parent.0);
        self.emit(&bytes)?;
        self.relations += 1;
        Ok(())
    }

    /// Writes one flag record (flag files only).
    pub fn write_flag(&mut self, record: FlagRef<'_>) -> Result<()> {
        self.check_tag(TAG_FLAG)?;
        let envelope_len = self.envelope_len(record.service, record.envelope)?;
        self.emit_scratch(|bytes| {
            bytes.push(TAG_FLAG);
            bytes.extend_from_slice(&record.candidate.0);
            bytes.extend_from_slice(&record.pseudonym.0);
            push_short(bytes, record.service);
            bytes.extend_from_slice(&envelope_len.to_be_bytes());
            bytes.extend_from_slice(record.envelope);
        })?;
        self.primary += 1;
        Ok(())
    }

    /// Writes the trailer and returns the underlying writer, flushed.
    pub fn finish(self) -> Result<W> {
        self.finish_with_digest().map(|(inner, _)| inner)
    }

    /// Writes the trailer and returns the underlying writer, flushed, and the file's digest.
    pub fn finish_with_digest(mut self) -> Result<(W, [u8; 32])> {
        let mut bytes = vec![TAG_TRAILER];
        bytes.extend_from_slice(&self.primary.to_be_bytes());
        bytes.extend_from_slice(&self.relations.to_be_bytes());
        self.emit(&bytes)?;
        let digest: [u8; 32] = self.hasher.finalize_reset().into();
        let name = &self.file;
        let signature = self.signing.sign(self.kind.signature_label(), &digest);
        self.inner
            .write_all(&digest)
            .and_then(|()| self.inner.write_all(&signature))
            .and_then(|()| self.inner.flush())
            .map_err(|e| Error::io(name, e))?;
        Ok((self.inner, digest))
    }
}

/// The reader's buffer size; the largest record (about 66 KiB) always fits.
const BUFFER_LEN: usize = 1 << 20;

/// Reads a file record by record, checking the trailer at the end.
///
/// Records are handed out as they are read, before the trailer is checked: a caller must treat
/// them as provisional until [`FileReader::next_ref`] (or [`FileReader::next_record`]) has
/// returned `Ok(None)`, which it does only after the counts and the digest have been verified.
pub struct FileReader<R: Read> {
    input: R,
    kind: FileKind,
    file: String,
    buf: Box<[u8]>,
    /// Where the next unread byte is.
    pos: usize,
    /// The file offset of `buf[0]`.
    base: u64,
    /// Where the valid bytes end.
    end: usize,
    /// Bytes before this index are in the hasher.
    hashed: usize,
    hasher: Sha256,
    header: FileHeader,
    header_read: bool,
    primary: u64,
    relations: u64,
    finished: bool,
    digest: Option<[u8; 32]>,
}

impl<R: Read> FileReader<R> {
    /// Reads and checks the header of a file of `kind`; `file` names the input in errors.
    pub fn new(input: R, kind: FileKind, file: &str) -> Result<Self> {
        let mut hasher = Sha256::new();
        hasher.update(kind.digest_label());
        let placeholder = FileHeader {
            municipality: MunicipalityCode::new(100)?,
            run: RunId::new("-")?,
            sector: SectorCode::new("-")?,
            run_key_fingerprint: Fingerprint([0; 16]),
            catalogue_version: String::new(),
            reference_date: Date::MIN,
            author: Author {
                signer: SignerKey([0; 32]),
                log_head: crate::audit::Head::EMPTY,
            },
        };
        let mut reader = FileReader {
            input,
            kind,
            file: file.to_owned(),
            buf: vec![0u8; BUFFER_LEN].into_boxed_slice(),
            pos: 0,
            base: 0,
            end: 0,
            hashed: 0,
            hasher,
            header: placeholder,
            header_read: false,
            primary: 0,
            relations: 0,
            finished: false,
            digest: None,
        };
        reader.header = reader.read_header()?;
        reader.header_read = true;
        Ok(reader)
    }

    /// The file's header.
    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// Service or flag records read so far.
    pub fn service_count(&self) -> u64 {
        self.primary
    }

    /// Relation records read so far.
    pub fn relation_count(&self) -> u64 {
        self.relations
    }

    /// The file offset of the next unread byte: after [`FileReader::next_ref`], the end of the
    /// record it returned.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// The file's digest, once the trailer has been read and verified.
    pub fn digest(&self) -> Option<[u8; 32]> {
        self.digest
    }

    /// An error at the record being read; record 0 is the header.
    fn error(&self, rule: Rule) -> Error {
        let record = if self.header_read {
            self.primary + self.relations + 1
        } else {
            0
        };
        Error::format(&self.file, record, rule)
    }

    /// Makes at least `n` unread bytes available; `false` if the input ends first.
    #[inline]
    fn fill(&mut self, n: usize) -> Result<bool> {
        if self.end - self.pos >= n {
            return Ok(true);
        }
        self.refill(n)
    }

    /// The slow path of [`FileReader::fill`]: hashes what was consumed, compacts, reads.
    #[inline(never)]
    fn refill(&mut self, n: usize) -> Result<bool> {
        // Hash what was consumed, then move the unread rest to the front.
        self.hasher.update(&self.buf[self.hashed..self.pos]);
        self.base += self.pos as u64;
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        self.hashed = 0;
        while self.end < n {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(read) => self.end += read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(&self.file, e)),
            }
        }
        Ok(true)
    }

    /// The next `n` bytes, consumed; `rule` if the input ends first.
    fn take(&mut self, n: usize, rule: Rule) -> Result<&[u8]> {
        if !self.fill(n)? {
            return Err(self.error(rule));
        }
        self.pos += n;
        Ok(&self.buf[self.pos - n..self.pos])
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.take(N, Rule::PublicationTruncated)?;
        let mut array = [0u8; N];
        array.copy_from_slice(bytes);
        Ok(array)
    }

    fn read_header(&mut self) -> Result<FileHeader> {
        // A file of another kind is named for what it is (`wrong-file-kind`).
        self.fill(kind::SNIFF_LEN)?;
        let start = &self.buf[self.pos..self.end.min(self.pos + kind::SNIFF_LEN)];
        kind::expect(start, self.kind.file_kind(), &self.file)?;
        let magic = self.kind.magic();
        if self.take(8, Rule::PublicationMagic)? != magic {
            return Err(self.error(Rule::PublicationMagic));
        }
        let version = u16::from_be_bytes(self.take_array()?);
        if version != self.kind.version() {
            let detail = (version == 1).then_some(match self.kind {
                FileKind::Publication => "a version 1 publication is not signed: publish it again",
                FileKind::FlagFile => {
                    "a version 1 flag file is not signed: ask the central unit for it again"
                }
            });
            return Err(Error::format_detail(
                &self.file,
                0,
                Rule::PublicationVersion,
                detail,
            ));
        }
        let municipality = MunicipalityCode::new(u16::from_be_bytes(self.take_array()?)).ok();
        let run = self.short_text()?.and_then(|r| RunId::new(&r).ok());
        let sector = self.short_text()?.and_then(|s| SectorCode::new(&s).ok());
        let run_key_fingerprint = Fingerprint(self.take_array()?);
        let catalogue_version = self.short_text()?.filter(|v| !v.is_empty());
        let [y0, y1, month, day] = self.take_array::<4>()?;
        let year = u16::from_be_bytes([y0, y1]);
        let reference_date = Month::try_from(month)
            .ok()
            .filter(|_| YEARS.contains(&year))
            .and_then(|m| Date::from_calendar_date(i32::from(year), m, day).ok());
        let author = Author::from_bytes(&self.take_array()?);
        match (municipality, run, sector, catalogue_version, reference_date) {
            (
                Some(municipality),
                Some(run),
                Some(sector),
                Some(catalogue_version),
                Some(reference_date),
            ) => Ok(FileHeader {
                municipality,
                run,
                sector,
                run_key_fingerprint,
                catalogue_version,
                reference_date,
                author,
            }),
            _ => Err(self.error(Rule::PublicationHeader)),
        }
    }

    /// A one-byte-length-prefixed text; `None` if it is not UTF-8.
    fn short_text(&mut self) -> Result<Option<String>> {
        let [len] = self.take_array::<1>()?;
        let bytes = self.take(usize::from(len), Rule::PublicationTruncated)?;
        Ok(std::str::from_utf8(bytes).ok().map(str::to_owned))
    }

    /// The next record, copied out; `Ok(None)` once the trailer has been read and verified.
    pub fn next_record(&mut self) -> Result<Option<Record>> {
        Ok(self.next_ref()?.map(|r| r.to_owned()))
    }

    /// The next record, borrowed from the buffer; `Ok(None)` once the trailer has been read and
    /// verified.
    pub fn next_ref(&mut self) -> Result<Option<RecordRef<'_>>> {
        if self.finished {
            return Ok(None);
        }
        let [tag] = self.take_array::<1>()?;
        if tag == TAG_TRAILER {
            self.trailer()?;
            self.finished = true;
            return Ok(None);
        }
        if !self.kind.allows(tag) {
            return Err(self.error(Rule::PublicationRecord));
        }
        match tag {
            TAG_RELATION => {
                let pair = self.take_array::<64>()?;
                let child = Pseudonym(pair[..32].try_into().unwrap_or([0; 32]));
                let parent = Pseudonym(pair[32..].try_into().unwrap_or([0; 32]));
                if child == parent {
                    return Err(self.error(Rule::PublicationRecord));
                }
                self.relations += 1;
                Ok(Some(RecordRef::Relation(RelationRecord { child, parent })))
            }
            TAG_SERVICE => self.service_record().map(Some),
            _ => self.flag_record().map(Some),
        }
    }

    /// Lengths of a record whose variable parts follow `fixed_before_code` bytes: the code,
    /// then `fixed_after_code` bytes ending in the two-byte envelope length.
    fn record_span(
        &mut self,
        fixed_before_code: usize,
        fixed_after_code: usize,
    ) -> Result<(usize, usize)> {
        if !self.fill(fixed_before_code + 1)? {
            return Err(self.error(Rule::PublicationTruncated));
        }
        let code_len = usize::from(self.buf[self.pos + fixed_before_code]);
        let head = fixed_before_code + 1 + code_len + fixed_after_code;
        if !self.fill(head)? {
            return Err(self.error(Rule::PublicationTruncated));
        }
        let envelope_len = usize::from(u16::from_be_bytes([
            self.buf[self.pos + head - 2],
            self.buf[self.pos + head - 1],
        ]));
        if !self.fill(head + envelope_len)? {
            return Err(self.error(Rule::PublicationTruncated));
        }
        Ok((code_len, envelope_len))
    }

    fn service_record(&mut self) -> Result<RecordRef<'_>> {
        let (code_len, envelope_len) = self.record_span(32, 7)?;
        let start = self.pos;
        self.pos += service_body_len(code_len, envelope_len);
        self.primary += 1;
        match parse_service_body(&self.buf[start..self.pos]) {
            Some(record) => Ok(RecordRef::Service(record)),
            None => Err(Error::format(
                &self.file,
                self.primary + self.relations,
                Rule::PublicationRecord,
            )),
        }
    }

    fn flag_record(&mut self) -> Result<RecordRef<'_>> {
        let (code_len, envelope_len) = self.record_span(16 + 32, 2)?;
        let start = self.pos;
        let total = 48 + 1 + code_len + 2 + envelope_len;
        self.pos += total;
        self.primary += 1;
        let b = &self.buf[start..start + total];
        let service = std::str::from_utf8(&b[49..49 + code_len])
            .ok()
            .filter(|c| is_service_code(c));
        match service {
            Some(service) if envelope_len >= MIN_ENVELOPE_LEN => Ok(RecordRef::Flag(FlagRef {
                candidate: CandidateId(b[..16].try_into().unwrap_or([0; 16])),
                pseudonym: Pseudonym(b[16..48].try_into().unwrap_or([0; 32])),
                service,
                envelope: &b[49 + code_len + 2..],
            })),
            _ => Err(Error::format(
                &self.file,
                self.primary + self.relations,
                Rule::PublicationRecord,
            )),
        }
    }

    fn trailer(&mut self) -> Result<()> {
        let primary = u64::from_be_bytes(self.take_array()?);
        let relations = u64::from_be_bytes(self.take_array()?);
        // Everything up to here is covered by the digest; the digest itself is not.
        self.hasher.update(&self.buf[self.hashed..self.pos]);
        self.hashed = self.pos;
        let expected = self.hasher.finalize_reset();
        let digest = self.take_array::<32>()?;
        self.hashed = self.pos;
        if !bool::from(expected.as_slice().ct_eq(&digest)) {
            return Err(self.error(Rule::PublicationDigest));
        }
        let signature = self.take_array::<SIGNATURE_LEN>()?;
        self.hashed = self.pos;
        if !self
            .header
            .author
            .signer
            .verifies(self.kind.signature_label(), &digest, &signature)
        {
            return Err(self.error(Rule::PublicationSignature));
        }
        if primary != self.primary || relations != self.relations {
            return Err(self.error(Rule::PublicationCount));
        }
        if self.fill(1)? {
            return Err(self.error(Rule::PublicationTrailingData));
        }
        self.digest = Some(digest);
        Ok(())
    }
}

/// The length of a service record after its tag.
fn service_body_len(code_len: usize, envelope_len: usize) -> usize {
    32 + 1 + code_len + 7 + envelope_len
}

/// Parses and checks a service record after its tag (spec §7.2); `None` if a field is invalid.
#[inline]
fn parse_service_body(b: &[u8]) -> Option<ServiceRef<'_>> {
    let code_len = usize::from(*b.get(32)?);
    let service = std::str::from_utf8(b.get(33..33 + code_len)?)
        .ok()
        .filter(|c| is_service_code(c))?;
    let at = 33 + code_len;
    let fixed = b.get(at..at + 7)?;
    let year = u16::from_be_bytes([fixed[0], fixed[1]]);
    let (month, band, flags) = (fixed[2], fixed[3], fixed[4]);
    let envelope = b.get(at + 7..)?;
    let valid = (1..=12).contains(&month)
        && YEARS.contains(&year)
        && flags & !FLAG_MAJOR_CHANGE == 0
        && envelope.len() >= MIN_ENVELOPE_LEN
        && envelope.len() == usize::from(u16::from_be_bytes([fixed[5], fixed[6]]));
    valid.then_some(ServiceRef {
        pseudonym: Pseudonym(b[..32].try_into().ok()?),
        service,
        start: YearMonth { year, month },
        age_band: AgeBand::from_byte(band)?,
        major_change: flags != 0,
        envelope,
    })
}

/// Reads single service records of a publication at offsets found by a [`FileReader`] before
/// (see [`FileReader::offset`]), in increasing order: the matcher's second pass, which fetches
/// only the records it flags. It does not verify the digest again: the caller checks that the
/// file has not changed since it was verified.
pub struct ServiceRecordFetcher<R: Read + Seek> {
    input: io::BufReader<R>,
    file: String,
    position: u64,
    record: Vec<u8>,
}

impl<R: Read + Seek> ServiceRecordFetcher<R> {
    /// A fetcher over `input`, positioned at its start; `file` names it in errors.
    pub fn new(input: R, file: &str) -> Self {
        // Records are fetched in increasing order, so a forward skip mostly stays in the buffer.
        let input = io::BufReader::with_capacity(1 << 16, input);
        ServiceRecordFetcher {
            input,
            file: file.to_owned(),
            position: 0,
            record: Vec::with_capacity(256),
        }
    }

    /// The service record whose tag is at `offset`.
    pub fn fetch(&mut self, offset: u64) -> Result<ServiceRef<'_>> {
        let changed = |file: &str| Error::format(file, 0, Rule::PublicationDigest);
        let io = |file: &str, e: io::Error| match e.kind() {
            io::ErrorKind::UnexpectedEof => changed(file),
            _ => Error::io(file, e),
        };
        let skip = offset
            .checked_sub(self.position)
            .and_then(|d| i64::try_from(d).ok())
            .ok_or_else(|| changed(&self.file))?;
        self.input
            .seek_relative(skip)
            .map_err(|e| io(&self.file, e))?;
        self.record.resize(1 + 33, 0);
        self.input
            .read_exact(&mut self.record)
            .map_err(|e| io(&self.file, e))?;
        if self.record[0] != TAG_SERVICE {
            return Err(changed(&self.file));
        }
        let code_len = usize::from(self.record[33]);
        self.record.resize(1 + 33 + code_len + 7, 0);
        self.input
            .read_exact(&mut self.record[34..])
            .map_err(|e| io(&self.file, e))?;
        let head = self.record.len();
        let envelope_len = usize::from(u16::from_be_bytes([
            self.record[head - 2],
            self.record[head - 1],
        ]));
        self.record.resize(head + envelope_len, 0);
        self.input
            .read_exact(&mut self.record[head..])
            .map_err(|e| io(&self.file, e))?;
        self.position = offset + self.record.len() as u64;
        parse_service_body(&self.record[1..]).ok_or_else(|| changed(&self.file))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    pub(crate) fn header() -> FileHeader {
        FileHeader {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            sector: SectorCode::new("employment").unwrap(),
            run_key_fingerprint: Fingerprint([7; 16]),
            catalogue_version: "2026.1".into(),
            reference_date: date!(2026 - 11 - 01),
            author: Author::of(&signing_key()),
        }
    }

    pub(crate) fn signing_key() -> PartySigningKey {
        let sealing = crate::primitives::keys::SealingKey::from_bytes(
            MunicipalityCode::new(219).unwrap(),
            SectorCode::new("employment").unwrap(),
            [5; 32],
        );
        PartySigningKey::of(&sealing)
    }

    /// The test header as a flag file's, the matcher's.
    pub(crate) fn flag_header() -> FileHeader {
        FileHeader {
            author: Author::of(&matcher_signing_key()),
            ..header()
        }
    }

    pub(crate) fn matcher_signing_key() -> PartySigningKey {
        let matcher = crate::primitives::keys::MatcherKey::from_bytes(
            MunicipalityCode::new(219).unwrap(),
            [6; 32],
        );
        PartySigningKey::of_matcher(&matcher)
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
            major_change: i.is_multiple_of(2),
            envelope: vec![i; MIN_ENVELOPE_LEN + usize::from(i) * 300],
        }
    }

    fn write(services: u8, relations: u8) -> Vec<u8> {
        let mut writer = FileWriter::new(
            Vec::new(),
            FileKind::Publication,
            "out.pub",
            &header(),
            &signing_key(),
        )
        .unwrap();
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

    fn read_all(bytes: &[u8], kind: FileKind) -> Result<(FileHeader, Vec<Record>)> {
        let mut reader = FileReader::new(bytes, kind, "in.pub")?;
        let mut records = Vec::new();
        while let Some(record) = reader.next_record()? {
            records.push(record);
        }
        Ok((reader.header().clone(), records))
    }

    /// A reader that hands out one byte at a time, to cross every buffer boundary.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((&first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = first;
            self.0 = rest;
            Ok(1)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn round_trips(services in 0u8..20, relations in 0u8..5) {
            let (header_back, records) = read_all(&write(services, relations), FileKind::Publication).unwrap();
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
            let error = read_all(&bytes[..cut], FileKind::Publication).unwrap_err();
            prop_assert!(matches!(error.rule(), Some(Rule::PublicationTruncated | Rule::PublicationMagic)), "{error}");
        }

        #[test]
        fn every_changed_byte_is_detected(flip in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut bytes = write(4, 2);
            let at = flip.index(bytes.len());
            bytes[at] ^= 1 << bit;
            prop_assert!(read_all(&bytes, FileKind::Publication).is_err());
        }
    }

    #[test]
    fn records_larger_than_any_read_and_buffer_boundaries_are_fine() {
        let bytes = write(200, 3);
        let mut reader = FileReader::new(Trickle(&bytes), FileKind::Publication, "t").unwrap();
        let mut count = 0;
        while reader.next_ref().unwrap().is_some() {
            count += 1;
        }
        assert_eq!(count, 203);
        assert!(bytes.len() > 5 * 1000, "records span many reads");
    }

    #[test]
    fn flag_files_round_trip_and_are_not_publications() {
        let mut writer = FileWriter::new(
            Vec::new(),
            FileKind::FlagFile,
            "s.flag",
            &flag_header(),
            &matcher_signing_key(),
        )
        .unwrap();
        let envelope = vec![9u8; MIN_ENVELOPE_LEN];
        let flag = FlagRef {
            candidate: CandidateId([3; 16]),
            pseudonym: Pseudonym([4; 32]),
            service: "EMP-MENTOR",
            envelope: &envelope,
        };
        writer.write_flag(flag).unwrap();
        assert_eq!(
            writer.write_service(&service(1)).unwrap_err().rule(),
            Some(Rule::PublicationRecord)
        );
        let bytes = writer.finish().unwrap();
        let (_, records) = read_all(&bytes, FileKind::FlagFile).unwrap();
        assert_eq!(records, vec![RecordRef::Flag(flag).to_owned()]);
        assert_eq!(
            read_all(&bytes, FileKind::Publication).unwrap_err().rule(),
            Some(Rule::WrongFileKind)
        );
        let publication = write(1, 0);
        assert_eq!(
            read_all(&publication, FileKind::FlagFile)
                .unwrap_err()
                .rule(),
            Some(Rule::WrongFileKind)
        );
        // A file of the wrong kind is named for what it is.
        let said = |bytes: &[u8]| {
            read_all(bytes, FileKind::Publication)
                .unwrap_err()
                .to_string()
        };
        assert!(
            said(&bytes).contains("this is a flag file"),
            "{}",
            said(&bytes)
        );
        let flag_for_publication = read_all(&publication, FileKind::FlagFile).unwrap_err();
        assert!(
            flag_for_publication
                .to_string()
                .contains("this is a publication")
        );
        let key = b"samkoer-key-file 1\nkind: consent-registry-public\n";
        assert!(
            said(key).contains("this is a consent registry public key file, not a publication"),
            "{}",
            said(key)
        );
        assert!(said(b"{\n  \"format\": \"samkoer-accounting\"").contains("accounting report"));
        assert!(said(b"cpr;service;status;start\n").contains("CSV export"));
        assert!(said(b"PK\x03\x04\x14\x00\x06\x00").contains("spreadsheet"));
        assert!(!said(b"\x00\x01\x02\x03\x04\x05\x06\x07").contains("this is"));
    }

    fn publication_writer() -> FileWriter<Vec<u8>> {
        FileWriter::new(
            Vec::new(),
            FileKind::Publication,
            "out.pub",
            &header(),
            &signing_key(),
        )
        .unwrap()
    }

    fn record_of(error: Error) -> (u64, Option<Rule>) {
        match error {
            Error::Format { record, rule, .. } => (record, Some(rule)),
            other => (u64::MAX, other.rule()),
        }
    }

    #[test]
    fn a_refused_record_is_numbered_after_every_record_before_it() {
        // Two services and a relation written: the next record is the fourth.
        let written = || {
            let mut writer = publication_writer();
            writer.write_service(&service(1)).unwrap();
            writer.write_service(&service(2)).unwrap();
            let relation = RelationRecord {
                child: Pseudonym([1; 32]),
                parent: Pseudonym([2; 32]),
            };
            writer.write_relation(&relation).unwrap();
            writer
        };
        let own_parent = RelationRecord {
            child: Pseudonym([1; 32]),
            parent: Pseudonym([1; 32]),
        };
        let refused = written().write_relation(&own_parent).unwrap_err();
        assert_eq!(record_of(refused), (4, Some(Rule::PublicationRecord)));
        // Of a batch, the first record that could not be encoded: its second, the fifth.
        let mut batch = EncodedServices::default();
        batch.push(&service(3));
        batch.push(&ServiceRecord {
            envelope: vec![0; MIN_ENVELOPE_LEN - 1],
            ..service(4)
        });
        let refused = written().write_services(&batch).unwrap_err();
        assert_eq!(record_of(refused), (5, Some(Rule::PublicationRecord)));
    }

    #[test]
    fn a_flag_record_needs_a_service_code_and_an_envelope_of_the_least_length() {
        let flag_with = |service: &str, envelope_len: usize| {
            let mut writer = FileWriter::new(
                Vec::new(),
                FileKind::FlagFile,
                "s.flag",
                &flag_header(),
                &matcher_signing_key(),
            )
            .unwrap();
            let envelope = vec![9u8; envelope_len];
            writer
                .write_flag(FlagRef {
                    candidate: CandidateId([3; 16]),
                    pseudonym: Pseudonym([4; 32]),
                    service,
                    envelope: &envelope,
                })
                .map_err(record_of)
        };
        assert_eq!(flag_with("EMP-MENTOR", MIN_ENVELOPE_LEN), Ok(()));
        let refused = Err((1, Some(Rule::PublicationRecord)));
        assert_eq!(flag_with("EMP-MENTOR", MIN_ENVELOPE_LEN - 1), refused);
        assert_eq!(flag_with("emp-mentor", MIN_ENVELOPE_LEN), refused);
    }

    #[test]
    fn a_read_file_gives_the_digest_its_writer_gave() {
        let mut writer = publication_writer();
        writer.write_service(&service(1)).unwrap();
        let (bytes, digest) = writer.finish_with_digest().unwrap();
        let mut reader =
            FileReader::new(bytes.as_slice(), FileKind::Publication, "in.pub").unwrap();
        assert_eq!(reader.digest(), None, "not before the trailer is verified");
        while reader.next_record().unwrap().is_some() {}
        assert_eq!(reader.digest(), Some(digest));
    }

    /// A reader that hands out one byte at a time, and is interrupted before each.
    struct Interrupted<'a> {
        bytes: &'a [u8],
        interrupt: bool,
    }

    impl Read for Interrupted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::ErrorKind::Interrupted.into());
            }
            Trickle(self.bytes)
                .read(buf)
                .inspect(|&n| self.bytes = &self.bytes[n..])
        }
    }

    #[test]
    fn records_of_several_lengths_read_byte_by_byte_and_interrupted() {
        // Service codes of different lengths in turn, so that no byte of an earlier record
        // left in the buffer can stand in for a record's own code length.
        let mut writer = publication_writer();
        let codes = [
            "EMP-MENTOR",
            "ADS-SOCIO-PED",
            "EMP-JOB-TRAINING",
            "CHF-FAMILY-TREATMENT",
        ];
        for (i, code) in codes.iter().cycle().take(12).enumerate() {
            writer
                .write_service(&ServiceRecord {
                    service: (*code).into(),
                    ..service(i as u8)
                })
                .unwrap();
        }
        let bytes = writer.finish().unwrap();
        let (_, whole) = read_all(&bytes, FileKind::Publication).unwrap();
        let input = Interrupted {
            bytes: &bytes,
            interrupt: false,
        };
        let mut reader = FileReader::new(input, FileKind::Publication, "t").unwrap();
        let (mut records, mut offsets) = (Vec::new(), Vec::new());
        while let Some(record) = reader.next_record().unwrap() {
            records.push(record);
            offsets.push(reader.offset());
        }
        assert_eq!(records, whole);
        assert!(offsets.is_sorted() && offsets.len() == 12);
        assert_eq!(
            reader.offset(),
            bytes.len() as u64,
            "the offset counts every byte read"
        );
    }

    #[test]
    fn only_a_version_1_file_is_told_to_be_made_again() {
        let detail_of = |version: u16| {
            let mut bytes = write(1, 0);
            bytes[8..10].copy_from_slice(&version.to_be_bytes());
            match read_all(&bytes, FileKind::Publication).unwrap_err() {
                Error::Format { rule, detail, .. } => (rule, detail.map(String::from)),
                other => panic!("{other}"),
            }
        };
        assert_eq!(
            detail_of(1),
            (
                Rule::PublicationVersion,
                Some("a version 1 publication is not signed: publish it again".into())
            )
        );
        assert_eq!(detail_of(3), (Rule::PublicationVersion, None));
    }

    #[test]
    fn a_service_record_out_of_range_is_refused_where_it_is_read() {
        // Refused at the record itself, before the trailer's digest could show the change.
        let bytes = write(1, 0);
        let tag = FileReader::new(bytes.as_slice(), FileKind::Publication, "in.pub")
            .unwrap()
            .offset() as usize;
        let fixed = tag + 1 + 32 + 1 + "EMP-MENTOR".len();
        for (at, value, what) in [
            (fixed + 2, 13, "month 13"),
            (fixed + 2, 0, "month 0"),
            (fixed, 0, "the year 233 (0x00e9), before 1800"),
            (fixed + 4, 2, "an unknown flag"),
        ] {
            let mut changed = bytes.clone();
            changed[at] = value;
            let error = read_all(&changed, FileKind::Publication).unwrap_err();
            assert_eq!(
                record_of(error),
                (1, Some(Rule::PublicationRecord)),
                "{what}"
            );
        }
    }

    #[test]
    fn a_fetched_record_of_a_file_cut_since_it_was_read_is_a_changed_file() {
        let bytes = write(3, 0);
        let mut reader =
            FileReader::new(bytes.as_slice(), FileKind::Publication, "in.pub").unwrap();
        let mut offsets = vec![reader.offset()];
        while reader.next_ref().unwrap().is_some() {
            offsets.push(reader.offset());
        }
        let mut fetcher = ServiceRecordFetcher::new(io::Cursor::new(&bytes), "in.pub");
        let third = fetcher.fetch(offsets[2]).unwrap();
        assert_eq!(
            RecordRef::Service(third).to_owned(),
            Record::Service(service(2))
        );
        let cut = &bytes[..offsets[2] as usize + 40];
        let mut fetcher = ServiceRecordFetcher::new(io::Cursor::new(cut), "in.pub");
        let error = fetcher.fetch(offsets[2]).unwrap_err();
        assert_eq!(record_of(error), (0, Some(Rule::PublicationDigest)));
    }

    #[test]
    fn trailing_bytes_and_wrong_counts_are_detected() {
        let mut bytes = write(2, 1);
        bytes.push(0);
        assert_eq!(
            read_all(&bytes, FileKind::Publication).unwrap_err().rule(),
            Some(Rule::PublicationTrailingData)
        );
        assert_eq!(
            read_all(b"NOTAPUB\x00xxxx", FileKind::Publication)
                .unwrap_err()
                .rule(),
            Some(Rule::PublicationMagic)
        );
        let error = read_all(&write(3, 0)[..200], FileKind::Publication).unwrap_err();
        assert!(error.to_string().starts_with("in.pub, record "), "{error}");
    }
}
