//! The one-citizen check's files (spec §12.8): a sector's signed request naming some of its
//! own citizens by pseudonym, the matcher's check index (what the match left to answer from),
//! and the matcher's answer. Requests and answers are JSON; the index is binary. None holds a
//! CPR number.

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom, Write};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::json::{self, Shape};
use crate::primitives::ids::{MunicipalityCode, RunId, SectorCode};
use crate::primitives::keys::{Fingerprint, push_short};
use crate::primitives::labels;
use crate::primitives::lower_hex;
use crate::primitives::pseudonym::Pseudonym;
use crate::primitives::signing::{PartySigningKey, SIGNATURE_LEN, SignerKey};

/// The value of a request's `format` field.
pub const REQUEST_FORMAT: &str = "samkoer-check-request";
/// The value of an answer's `format` field.
pub const ANSWER_FORMAT: &str = "samkoer-check-answer";
/// The version of requests and answers this library writes and reads.
pub const CHECK_VERSION: u32 = 2;
/// The most citizens one request may name.
pub const MAX_REQUEST: usize = 10_000;
/// The check index's magic bytes.
pub const INDEX_MAGIC: &[u8; 8] = b"SAMKOCIX";
/// The check index's format version.
pub const INDEX_VERSION: u16 = 1;
/// The length of one index entry: pseudonym, sector mask, answer.
pub const INDEX_ENTRY_LEN: u64 = 32 + 8 + 1;
/// The entries of one block of the index: the fence after the entries names each block's
/// first pseudonym, so that a lookup reads the fence once and then one block.
pub const INDEX_BLOCK: u64 = 256;

/// The answer of a one-citizen check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckAnswer {
    /// A candidate of this run (alone or in a family) that is not deferred.
    Candidate,
    /// A candidate deferred to a later run.
    Deferred,
    /// Not a candidate.
    NotCandidate,
}

impl CheckAnswer {
    /// The answer's name in files: `candidate`, `deferred` or `not-candidate`.
    pub fn name(self) -> &'static str {
        match self {
            CheckAnswer::Candidate => "candidate",
            CheckAnswer::Deferred => "deferred",
            CheckAnswer::NotCandidate => "not-candidate",
        }
    }

    /// The answer's byte in the check index.
    fn byte(self) -> u8 {
        match self {
            CheckAnswer::NotCandidate => 0,
            CheckAnswer::Candidate => 1,
            CheckAnswer::Deferred => 2,
        }
    }

    fn from_byte(byte: u8) -> Option<CheckAnswer> {
        match byte {
            0 => Some(CheckAnswer::NotCandidate),
            1 => Some(CheckAnswer::Candidate),
            2 => Some(CheckAnswer::Deferred),
            _ => None,
        }
    }
}

/// A sector's signed question about some of its citizens in one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRequest {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// The asking sector.
    pub sector: SectorCode,
    /// The request's id: random, so that an answer names the request it answers.
    pub id: [u8; 16],
    /// The citizens' pseudonyms in this run, in the order asked (no two equal).
    pub pseudonyms: Vec<Pseudonym>,
    /// The sector's signature (§4.6) over [`CheckRequest::signed_message`].
    pub signature: [u8; SIGNATURE_LEN],
}

/// The matcher's answer to a [`CheckRequest`]: one answer per pseudonym, in the request's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReply {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// The asking sector.
    pub sector: SectorCode,
    /// The id of the request answered.
    pub request: [u8; 16],
    /// Each pseudonym asked about with its answer.
    pub answers: Vec<(Pseudonym, CheckAnswer)>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    format: String,
    version: u32,
    municipality: String,
    run: String,
    sector: String,
    request: String,
    pseudonyms: Vec<String>,
    signature: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReply {
    format: String,
    version: u32,
    municipality: String,
    run: String,
    sector: String,
    request: String,
    answers: Vec<RawAnswer>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    pseudonym: String,
    answer: CheckAnswer,
}

impl CheckRequest {
    /// A request of `sector` about `pseudonyms` (read from `file`), with a fresh random id,
    /// signed with the sector's key. Refuses an empty list, more than [`MAX_REQUEST`] or a
    /// repeated pseudonym.
    pub fn signed(
        municipality: MunicipalityCode,
        run: RunId,
        sector: SectorCode,
        pseudonyms: Vec<Pseudonym>,
        signing: &PartySigningKey,
        file: &str,
    ) -> Result<CheckRequest> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|_| Error::Random)?;
        let mut request = CheckRequest {
            municipality,
            run,
            sector,
            id,
            pseudonyms,
            signature: [0; SIGNATURE_LEN],
        };
        request.check_list(file)?;
        request.signature = signing.sign(labels::CHECK_REQUEST, &request.signed_message());
        Ok(request)
    }

    /// What the signature covers (after the label): `u16` municipality, `lp8` run, `lp8`
    /// sector, the 16-byte id, `u32` count, the pseudonyms.
    pub fn signed_message(&self) -> Vec<u8> {
        let mut bytes = self.municipality.get().to_be_bytes().to_vec();
        push_short(&mut bytes, self.run.as_str());
        push_short(&mut bytes, self.sector.as_str());
        bytes.extend_from_slice(&self.id);
        bytes.extend_from_slice(&(self.pseudonyms.len() as u32).to_be_bytes());
        for pseudonym in &self.pseudonyms {
            bytes.extend_from_slice(&pseudonym.0);
        }
        bytes
    }

    /// Whether the request is signed by `signer`.
    pub fn signed_by(&self, signer: &SignerKey) -> bool {
        signer.verifies(
            labels::CHECK_REQUEST,
            &self.signed_message(),
            &self.signature,
        )
    }

    fn check_list(&self, file: &str) -> Result<()> {
        let error = |rule, detail| Error::input_detail(file, 0, rule, detail);
        if self.pseudonyms.is_empty() {
            return Err(error(
                Rule::CheckFormat,
                Some("the request names no citizen"),
            ));
        }
        if self.pseudonyms.len() > MAX_REQUEST {
            return Err(error(Rule::CheckTooMany, None));
        }
        let mut seen = HashSet::with_capacity(self.pseudonyms.len());
        if !self.pseudonyms.iter().all(|p| seen.insert(p)) {
            return Err(error(Rule::CheckRepeated, None));
        }
        Ok(())
    }

    /// The request as JSON.
    pub fn to_json(&self) -> String {
        let raw = RawRequest {
            format: REQUEST_FORMAT.into(),
            version: CHECK_VERSION,
            municipality: self.municipality.to_string(),
            run: self.run.to_string(),
            sector: self.sector.to_string(),
            request: hex::encode(self.id),
            pseudonyms: self.pseudonyms.iter().map(|p| hex::encode(p.0)).collect(),
            signature: hex::encode(self.signature),
        };
        // Plain strings and a number: serialising cannot fail.
        serde_json::to_string_pretty(&raw).unwrap_or_default() + "\n"
    }

    /// Parses a request; a fault is `check-format` (at the line of a JSON error, else 0), more
    /// than [`MAX_REQUEST`] citizens `check-too-many`. The signature is checked by the matcher,
    /// which knows the sector's key.
    pub fn parse(text: &str, file: &str) -> Result<CheckRequest> {
        let raw: RawRequest = json_object(text, file, Kind::CheckRequest, &REQUEST_SHAPE)?;
        let bad =
            |detail: &'static str| Error::input_detail(file, 0, Rule::CheckFormat, Some(detail));
        if raw.format != REQUEST_FORMAT {
            return Err(bad("its format is not samkoer-check-request"));
        }
        if raw.version != CHECK_VERSION {
            return Err(bad(
                "only version 2 requests are read: make the request again",
            ));
        }
        let (municipality, run, sector) = ids(&raw.municipality, &raw.run, &raw.sector, file)?;
        let request = CheckRequest {
            municipality,
            run,
            sector,
            id: lower_hex(&raw.request).ok_or_else(|| bad("the request id"))?,
            pseudonyms: raw
                .pseudonyms
                .iter()
                .map(|p| lower_hex(p).map(Pseudonym))
                .collect::<Option<_>>()
                .ok_or_else(|| bad("a pseudonym"))?,
            signature: lower_hex(&raw.signature).ok_or_else(|| bad("the signature"))?,
        };
        request.check_list(file)?;
        Ok(request)
    }
}

impl CheckReply {
    /// The answer as JSON.
    pub fn to_json(&self) -> String {
        let raw = RawReply {
            format: ANSWER_FORMAT.into(),
            version: CHECK_VERSION,
            municipality: self.municipality.to_string(),
            run: self.run.to_string(),
            sector: self.sector.to_string(),
            request: hex::encode(self.request),
            answers: self
                .answers
                .iter()
                .map(|(pseudonym, answer)| RawAnswer {
                    pseudonym: hex::encode(pseudonym.0),
                    answer: *answer,
                })
                .collect(),
        };
        // Plain strings and a number: serialising cannot fail.
        serde_json::to_string_pretty(&raw).unwrap_or_default() + "\n"
    }

    /// Parses an answer.
    pub fn parse(text: &str, file: &str) -> Result<CheckReply> {
        let raw: RawReply = json_object(text, file, Kind::CheckAnswer, &ANSWER_SHAPE)?;
        let bad =
            |detail: &'static str| Error::input_detail(file, 0, Rule::CheckFormat, Some(detail));
        if raw.format != ANSWER_FORMAT {
            return Err(bad("its format is not samkoer-check-answer"));
        }
        if raw.version != CHECK_VERSION {
            return Err(bad("only version 2 answers are read"));
        }
        let (municipality, run, sector) = ids(&raw.municipality, &raw.run, &raw.sector, file)?;
        Ok(CheckReply {
            municipality,
            run,
            sector,
            request: lower_hex(&raw.request).ok_or_else(|| bad("the request id"))?,
            answers: raw
                .answers
                .iter()
                .map(|a| Some((Pseudonym(lower_hex(&a.pseudonym)?), a.answer)))
                .collect::<Option<_>>()
                .ok_or_else(|| bad("a pseudonym"))?,
        })
    }
}

/// The shape of a request: an object (its pseudonyms are strings).
const REQUEST_SHAPE: Shape = Shape::Object(&[]);
/// The shape of an answer: an object whose `answers` are objects.
const ANSWER_SHAPE: Shape = Shape::Object(&[("answers", Shape::ArrayOf(&Shape::Object(&[])))]);

/// A JSON file of `expected` kind read as `T`, after a BOM: a file of another kind is named for
/// what it is, an array where the spec says object is refused (spec §1.2).
fn json_object<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
    expected: Kind,
    shape: &Shape,
) -> Result<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    kind::expect(text.as_bytes(), expected, file)?;
    json::parse(text, file, Rule::CheckFormat, shape)
}

fn ids(
    municipality: &str,
    run: &str,
    sector: &str,
    file: &str,
) -> Result<(MunicipalityCode, RunId, SectorCode)> {
    let bad = |what: &'static str| Error::input_detail(file, 0, Rule::CheckFormat, Some(what));
    Ok((
        MunicipalityCode::parse(municipality).map_err(|_| bad("the municipality"))?,
        RunId::new(run).map_err(|_| bad("the run"))?,
        SectorCode::new(sector).map_err(|_| bad("the sector"))?,
    ))
}

/// The check index's header: the run, and each sector that published with its signing key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexHeader {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// The run key's fingerprint.
    pub run_key_fingerprint: Fingerprint,
    /// The sectors of the match, in the order of the entries' sector bits, with the signer
    /// of each one's publication.
    pub sectors: Vec<(SectorCode, SignerKey)>,
    /// The number of entries.
    pub entries: u64,
}

impl IndexHeader {
    fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = INDEX_MAGIC.to_vec();
        bytes.extend_from_slice(&INDEX_VERSION.to_be_bytes());
        bytes.extend_from_slice(&self.municipality.get().to_be_bytes());
        push_short(&mut bytes, self.run.as_str());
        bytes.extend_from_slice(&self.run_key_fingerprint.0);
        bytes.push(self.sectors.len() as u8);
        for (sector, signer) in &self.sectors {
            push_short(&mut bytes, sector.as_str());
            bytes.extend_from_slice(&signer.0);
        }
        bytes.extend_from_slice(&self.entries.to_be_bytes());
        bytes
    }
}

/// Writes the check index (spec §12.8): the header, then one entry per person in strictly
/// increasing pseudonym order — pseudonym, `u64` mask of the sectors that published them (bit
/// `i` for `header.sectors[i]`), answer byte (0 not a candidate, 1 candidate, 2 deferred) —
/// then the fence: the pseudonym of every [`INDEX_BLOCK`]-th entry, from the first.
pub fn write_index(
    out: &mut (impl Write + ?Sized),
    file: &str,
    header: &IndexHeader,
    entries: impl Iterator<Item = (Pseudonym, u64, CheckAnswer)>,
) -> Result<()> {
    let io = |e| Error::io(file, e);
    if header.sectors.is_empty() || header.sectors.len() > 64 {
        return Err(Error::format(file, 0, Rule::CheckIndex));
    }
    out.write_all(&header.to_bytes()).map_err(io)?;
    let (mut written, mut last) = (0u64, None::<Pseudonym>);
    let mut fence = Vec::with_capacity(header.entries.div_ceil(INDEX_BLOCK) as usize * 32);
    for (pseudonym, mask, answer) in entries {
        if last.is_some_and(|l| l >= pseudonym) || mask == 0 {
            return Err(Error::format(file, written + 1, Rule::CheckIndex));
        }
        if written % INDEX_BLOCK == 0 {
            fence.extend_from_slice(&pseudonym.0);
        }
        let mut entry = [0u8; INDEX_ENTRY_LEN as usize];
        entry[..32].copy_from_slice(&pseudonym.0);
        entry[32..40].copy_from_slice(&mask.to_be_bytes());
        entry[40] = answer.byte();
        out.write_all(&entry).map_err(io)?;
        (written, last) = (written + 1, Some(pseudonym));
    }
    if written != header.entries {
        return Err(Error::format(file, written, Rule::CheckIndex));
    }
    out.write_all(&fence).map_err(io)?;
    out.flush().map_err(io)
}

/// An opened check index: its fence in memory, a block read per lookup.
pub struct CheckIndex<R> {
    input: R,
    file: String,
    header: IndexHeader,
    entries_at: u64,
    /// The first pseudonym of each block.
    fence: Vec<[u8; 32]>,
}

impl<R: Read + Seek> CheckIndex<R> {
    /// Reads the header and the fence of an index of `len` bytes, and checks that the entries
    /// and the fence fill the rest exactly and the fence is in order (`check-index` otherwise).
    pub fn open(mut input: R, len: u64, file: &str) -> Result<CheckIndex<R>> {
        let bad = || Error::format(file, 0, Rule::CheckIndex);
        let mut reader = HeaderReader {
            input: &mut input,
            file,
            read: 0,
        };
        let magic = reader.array::<8>()?;
        // Another samkoer binary file is named for what it is; anything else is damage.
        let other = kind::sniff(&magic).filter(|k| *k != Kind::CheckIndex);
        if let Some(found) = other.filter(|k| kind::magic(*k).is_some()) {
            return Err(kind::wrong(file, found, Kind::CheckIndex));
        }
        if &magic != INDEX_MAGIC || u16::from_be_bytes(reader.array()?) != INDEX_VERSION {
            return Err(bad());
        }
        let municipality =
            MunicipalityCode::new(u16::from_be_bytes(reader.array()?)).map_err(|_| bad())?;
        let run = RunId::new(&reader.short()?).map_err(|_| bad())?;
        let run_key_fingerprint = Fingerprint(reader.array()?);
        let [count] = reader.array::<1>()?;
        let sectors = (0..count)
            .map(|_| {
                let sector = SectorCode::new(&reader.short()?).map_err(|_| bad())?;
                Ok((sector, SignerKey(reader.array()?)))
            })
            .collect::<Result<Vec<_>>>()?;
        let entries = u64::from_be_bytes(reader.array()?);
        let entries_at = reader.read;
        let blocks = entries.div_ceil(INDEX_BLOCK);
        let fence_at = entries
            .checked_mul(INDEX_ENTRY_LEN)
            .and_then(|n| n.checked_add(entries_at));
        let exact = fence_at.and_then(|at| at.checked_add(blocks * 32)) == Some(len);
        if sectors.is_empty() || sectors.len() > 64 || !exact {
            return Err(bad());
        }
        let mut fence_bytes = vec![0u8; (blocks * 32) as usize];
        input
            .seek(SeekFrom::Start(fence_at.unwrap_or_default()))
            .and_then(|_| input.read_exact(&mut fence_bytes))
            .map_err(|e| Error::io(file, e))?;
        let fence: Vec<[u8; 32]> = fence_bytes
            .chunks_exact(32)
            .map(|c| c.try_into().unwrap_or([0; 32]))
            .collect();
        if !fence.windows(2).all(|w| w[0] < w[1]) {
            return Err(bad());
        }
        Ok(CheckIndex {
            input,
            file: file.to_owned(),
            header: IndexHeader {
                municipality,
                run,
                run_key_fingerprint,
                sectors,
                entries,
            },
            entries_at,
            fence,
        })
    }

    /// The index's header.
    pub fn header(&self) -> &IndexHeader {
        &self.header
    }

    /// The signer of `sector`'s publication of this run, if it published.
    pub fn signer(&self, sector: &SectorCode) -> Option<SignerKey> {
        self.header
            .sectors
            .iter()
            .find(|(s, _)| s == sector)
            .map(|(_, signer)| *signer)
    }

    /// The answer for `pseudonym` if `sector` published it in this run; `None` otherwise.
    pub fn answer(
        &mut self,
        sector: &SectorCode,
        pseudonym: &Pseudonym,
    ) -> Result<Option<CheckAnswer>> {
        let Some(bit) = self.header.sectors.iter().position(|(s, _)| s == sector) else {
            return Ok(None);
        };
        // The block whose first pseudonym is the last one not above this one.
        let block = self.fence.partition_point(|first| first <= &pseudonym.0);
        let Some(block) = block.checked_sub(1) else {
            return Ok(None);
        };
        let first = block as u64 * INDEX_BLOCK;
        let count = INDEX_BLOCK.min(self.header.entries - first);
        let bytes = self.entries(first, count)?;
        let entries: Vec<&[u8]> = bytes.chunks_exact(INDEX_ENTRY_LEN as usize).collect();
        let bad = |at: u64| Error::format(&self.file, first + at + 1, Rule::CheckIndex);
        // The block's entries are in order and begin with its fence (a damaged index says so).
        if entries[0][..32] != self.fence[block]
            || !entries.windows(2).all(|w| w[0][..32] < w[1][..32])
        {
            return Err(bad(0));
        }
        let Ok(at) = entries.binary_search_by(|entry| entry[..32].cmp(&pseudonym.0[..])) else {
            return Ok(None);
        };
        let entry = entries[at];
        let mask = u64::from_be_bytes(entry[32..40].try_into().unwrap_or_default());
        let answer = CheckAnswer::from_byte(entry[40])
            .filter(|_| mask != 0)
            .ok_or_else(|| bad(at as u64))?;
        Ok((mask >> bit & 1 == 1).then_some(answer))
    }

    fn entries(&mut self, first: u64, count: u64) -> Result<Vec<u8>> {
        let mut bytes = vec![0u8; (count * INDEX_ENTRY_LEN) as usize];
        let file = &self.file;
        self.input
            .seek(SeekFrom::Start(self.entries_at + first * INDEX_ENTRY_LEN))
            .and_then(|_| self.input.read_exact(&mut bytes))
            .map_err(|e| Error::io(file, e))?;
        Ok(bytes)
    }
}

/// Reads the index header's fields, counting the bytes.
struct HeaderReader<'a, R> {
    input: &'a mut R,
    file: &'a str,
    read: u64,
}

impl<R: Read> HeaderReader<'_, R> {
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut bytes = [0u8; N];
        self.input
            .read_exact(&mut bytes)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => Error::format(self.file, 0, Rule::CheckIndex),
                _ => Error::io(self.file, e),
            })?;
        self.read += N as u64;
        Ok(bytes)
    }

    fn short(&mut self) -> Result<String> {
        let [len] = self.array::<1>()?;
        let mut bytes = vec![0u8; usize::from(len)];
        self.input
            .read_exact(&mut bytes)
            .map_err(|_| Error::format(self.file, 0, Rule::CheckIndex))?;
        self.read += u64::from(len);
        String::from_utf8(bytes).map_err(|_| Error::format(self.file, 0, Rule::CheckIndex))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::primitives::keys::SealingKey;

    fn signing(sector: &str) -> PartySigningKey {
        PartySigningKey::of(&SealingKey::from_bytes(
            MunicipalityCode::new(219).unwrap(),
            SectorCode::new(sector).unwrap(),
            [sector.len() as u8; 32],
        ))
    }

    fn request(n: usize) -> Result<CheckRequest> {
        CheckRequest::signed(
            MunicipalityCode::new(219).unwrap(),
            RunId::new("2026-11").unwrap(),
            SectorCode::new("employment").unwrap(),
            (0..n)
                .map(|i| {
                    let pair = [(i % 251) as u8 ^ 0xab, (i / 251) as u8 ^ 0xcd];
                    Pseudonym(pair.repeat(16).try_into().unwrap())
                })
                .collect(),
            &signing("employment"),
            "persons.txt",
        )
    }

    #[test]
    fn requests_read_back_signed_by_their_sector_only() {
        let request = request(3).unwrap();
        let text = request.to_json();
        let read = CheckRequest::parse(&text, "r.json").unwrap();
        assert_eq!(read, request);
        assert!(read.signed_by(&signing("employment").public()));
        assert!(!read.signed_by(&signing("adult-social").public()));
        let mut renamed = read.clone();
        renamed.sector = SectorCode::new("adult-social").unwrap();
        assert!(!renamed.signed_by(&signing("employment").public()));
        let mut reordered = read;
        reordered.pseudonyms.swap(0, 1);
        assert!(!reordered.signed_by(&signing("employment").public()));
        let swapped = CheckReply::parse(&text, "r.json").unwrap_err();
        assert_eq!(swapped.rule(), Some(Rule::WrongFileKind));
        assert!(
            swapped.to_string().contains(
                "this is a one-citizen check's request, not a one-citizen check's answer"
            ),
            "{swapped}"
        );
    }

    #[test]
    fn a_request_names_one_to_ten_thousand_distinct_citizens() {
        assert!(request(1).is_ok());
        assert!(request(MAX_REQUEST).is_ok());
        assert_eq!(request(0).unwrap_err().rule(), Some(Rule::CheckFormat));
        assert_eq!(
            request(MAX_REQUEST + 1).unwrap_err().rule(),
            Some(Rule::CheckTooMany)
        );
        let mut twice = request(2).unwrap();
        twice.pseudonyms[1] = twice.pseudonyms[0];
        let error = CheckRequest::parse(&twice.to_json(), "r.json").unwrap_err();
        assert_eq!(error.rule(), Some(Rule::CheckRepeated));
    }

    #[test]
    fn a_request_not_of_its_form_is_refused() {
        let request = request(1).unwrap();
        let text = request.to_json();
        let pseudonym = hex::encode(request.pseudonyms[0].0);
        for bad in [
            text.replace(&pseudonym, &pseudonym.to_uppercase()),
            text.replace(&pseudonym, &pseudonym[2..]),
            text.replace("\"version\": 2", "\"version\": 1"),
            text.replace("employment", "Employment"),
            text.replace("\"run\"", "\"runs\""),
            format!("[{text}]"),
            text[..text.len() - 3].to_owned(),
        ] {
            let error = CheckRequest::parse(&bad, "r.json").unwrap_err();
            assert_eq!(error.rule(), Some(Rule::CheckFormat), "{bad}");
        }
        assert!(CheckReply::parse(&text, "r.json").is_err());
    }

    #[test]
    fn answers_read_back() {
        let request = request(3).unwrap();
        let reply = CheckReply {
            municipality: request.municipality,
            run: request.run.clone(),
            sector: request.sector.clone(),
            request: request.id,
            answers: request
                .pseudonyms
                .iter()
                .zip([
                    CheckAnswer::Candidate,
                    CheckAnswer::Deferred,
                    CheckAnswer::NotCandidate,
                ])
                .map(|(p, a)| (*p, a))
                .collect(),
        };
        let text = reply.to_json();
        assert!(text.contains("not-candidate") && text.contains("deferred"));
        assert_eq!(CheckReply::parse(&text, "a.json").unwrap(), reply);
        assert!(CheckRequest::parse(&text, "a.json").is_err());
    }

    fn index(entries: &[(Pseudonym, u64, CheckAnswer)]) -> Vec<u8> {
        let header = IndexHeader {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            run_key_fingerprint: Fingerprint([1; 16]),
            sectors: vec![
                (
                    SectorCode::new("employment").unwrap(),
                    signing("employment").public(),
                ),
                (
                    SectorCode::new("adult-social").unwrap(),
                    signing("adult-social").public(),
                ),
            ],
            entries: entries.len() as u64,
        };
        let mut bytes = Vec::new();
        write_index(&mut bytes, "i", &header, entries.iter().copied()).unwrap();
        bytes
    }

    #[test]
    fn the_index_answers_only_for_the_sectors_that_published_the_pseudonym() {
        // Three blocks and a part, every other pseudonym: between, before and after them too.
        let pseudonym = |i: u16| {
            let mut bytes = [0x5a; 32];
            bytes[..2].copy_from_slice(&i.to_be_bytes());
            Pseudonym(bytes)
        };
        let answers = [
            CheckAnswer::NotCandidate,
            CheckAnswer::Candidate,
            CheckAnswer::Deferred,
        ];
        let entries: Vec<_> = (1..=(3 * INDEX_BLOCK as u16 + 7))
            .map(|i| {
                (
                    pseudonym(2 * i),
                    u64::from(i % 3) + 1,
                    answers[usize::from(i % 3)],
                )
            })
            .collect();
        let bytes = index(&entries);
        let len = bytes.len() as u64;
        let mut index = CheckIndex::open(Cursor::new(bytes), len, "i").unwrap();
        let (employment, adult) = (
            SectorCode::new("employment").unwrap(),
            SectorCode::new("adult-social").unwrap(),
        );
        assert_eq!(
            index.signer(&employment),
            Some(signing("employment").public())
        );
        for (pseudonym, mask, answer) in &entries {
            let by = |bit: u32| (mask >> bit & 1 == 1).then_some(*answer);
            assert_eq!(index.answer(&employment, pseudonym).unwrap(), by(0));
            assert_eq!(index.answer(&adult, pseudonym).unwrap(), by(1));
        }
        // Between, before and after the entries: nobody's.
        for absent in [0, 1, 3, 2 * 256 + 1, 2 * 257 + 1, 2000, u16::MAX] {
            assert_eq!(index.answer(&employment, &pseudonym(absent)).unwrap(), None);
        }
        let health = SectorCode::new("health-elderly").unwrap();
        assert_eq!(index.answer(&health, &entries[0].0).unwrap(), None);
    }

    /// An index names 1 to 64 sectors (a mask is 64 bits), written and read; a writer given
    /// entries out of order or of no sector names the entry.
    #[test]
    fn an_index_holds_1_to_64_sectors_and_its_entries_in_order() {
        let header = |sectors: usize| IndexHeader {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            run_key_fingerprint: Fingerprint([1; 16]),
            sectors: (0..sectors)
                .map(|i| {
                    let code = format!("sector-{i}");
                    (SectorCode::new(&code).unwrap(), signing(&code).public())
                })
                .collect(),
            entries: 1,
        };
        let entry = [(Pseudonym([3; 32]), 1, CheckAnswer::Candidate)];
        for (sectors, valid) in [(0, false), (1, true), (64, true), (65, false)] {
            let mut written = Vec::new();
            let result = write_index(&mut written, "i", &header(sectors), entry.into_iter());
            assert_eq!(result.is_ok(), valid, "{sectors} sectors written");
            // The same bytes as a writer that did not check would make them.
            let mut bytes = header(sectors).to_bytes();
            bytes.extend_from_slice(&[3; 32]);
            bytes.extend_from_slice(&1u64.to_be_bytes());
            bytes.push(1);
            bytes.extend_from_slice(&[3; 32]);
            if valid {
                assert_eq!(written, bytes);
            }
            let len = bytes.len() as u64;
            let read = CheckIndex::open(Cursor::new(bytes), len, "i").map(drop);
            assert_eq!(read.is_ok(), valid, "{sectors} sectors read");
        }
        let record_of = |entries: &[(Pseudonym, u64, CheckAnswer)]| {
            let mut sized = header(1);
            sized.entries = entries.len() as u64;
            match write_index(&mut Vec::new(), "i", &sized, entries.iter().copied()) {
                Err(Error::Format { record, rule, .. }) => (record, rule),
                other => panic!("{other:?}"),
            }
        };
        // Two blocks whose fence names the same first entry twice: not in order.
        let entries: Vec<_> = (0..=INDEX_BLOCK as u16)
            .map(|i| {
                let mut bytes = [0; 32];
                bytes[..2].copy_from_slice(&i.to_be_bytes());
                (Pseudonym(bytes), 1, CheckAnswer::Candidate)
            })
            .collect();
        let mut twice = index(&entries);
        let at = twice.len() - 32;
        twice.copy_within(at - 32..at, at);
        let len = twice.len() as u64;
        let read = CheckIndex::open(Cursor::new(twice), len, "i").map(drop);
        assert_eq!(read.unwrap_err().rule(), Some(Rule::CheckIndex));
        // In the second block: an unknown answer, and an entry repeated, named by number.
        let entries: Vec<_> = (0..INDEX_BLOCK as u16 + 3)
            .map(|i| {
                let mut bytes = [0; 32];
                bytes[..2].copy_from_slice(&i.to_be_bytes());
                (Pseudonym(bytes), 1, CheckAnswer::Candidate)
            })
            .collect();
        let n = entries.len();
        let bytes = index(&entries);
        let entry_at = |i: usize| bytes.len() - 2 * 32 - (n - i) * INDEX_ENTRY_LEN as usize;
        let refused = |bytes: Vec<u8>, asked: usize| {
            let len = bytes.len() as u64;
            let mut index = CheckIndex::open(Cursor::new(bytes), len, "i").unwrap();
            let employment = SectorCode::new("employment").unwrap();
            match index.answer(&employment, &entries[asked].0) {
                Err(Error::Format { record, rule, .. }) => (record, rule),
                other => panic!("{other:?}"),
            }
        };
        let mut unknown = bytes.clone();
        unknown[entry_at(n - 1) + 40] = 3;
        assert_eq!(refused(unknown, n - 1), (n as u64, Rule::CheckIndex));
        let mut repeated = bytes.clone();
        let (second, third) = (entry_at(n - 2), entry_at(n - 1));
        repeated.copy_within(second..second + 32, third);
        assert_eq!(
            refused(repeated, n - 2),
            (INDEX_BLOCK + 1, Rule::CheckIndex)
        );
        let p = |b: u8| Pseudonym([b; 32]);
        let candidate = CheckAnswer::Candidate;
        assert_eq!(record_of(&[(p(3), 0, candidate)]), (1, Rule::CheckIndex));
        assert_eq!(
            record_of(&[(p(3), 1, candidate), (p(2), 1, candidate)]),
            (2, Rule::CheckIndex)
        );
    }

    #[test]
    fn a_damaged_index_is_refused() {
        let entries = [(Pseudonym([3; 32]), 1, CheckAnswer::Candidate)];
        let bytes = index(&entries);
        let open = |b: Vec<u8>| {
            let len = b.len() as u64;
            CheckIndex::open(Cursor::new(b), len, "i").map(drop)
        };
        assert!(open(bytes.clone()).is_ok());
        let mut cut = bytes.clone();
        cut.pop();
        let mut longer = bytes.clone();
        longer.push(0);
        let mut magic = bytes.clone();
        magic[7] = b'Y';
        let mut version = bytes.clone();
        version[9] = 2;
        for bad in [cut, longer, magic, version, bytes[..20].to_vec()] {
            assert_eq!(open(bad).unwrap_err().rule(), Some(Rule::CheckIndex));
        }
        let mut answer = bytes.clone();
        let last_answer = answer.len() - 32 - 1;
        answer[last_answer] = 3;
        let len = answer.len() as u64;
        let mut index = CheckIndex::open(Cursor::new(answer), len, "i").unwrap();
        let error = index
            .answer(&SectorCode::new("employment").unwrap(), &Pseudonym([3; 32]))
            .unwrap_err();
        assert_eq!(error.rule(), Some(Rule::CheckIndex));
        // A fence that does not name its block's first entry.
        let mut fence = bytes.clone();
        let at = fence.len() - 32;
        fence[at..].copy_from_slice(&[1; 32]);
        let len = fence.len() as u64;
        let mut index = CheckIndex::open(Cursor::new(fence), len, "i").unwrap();
        let error = index
            .answer(&SectorCode::new("employment").unwrap(), &Pseudonym([3; 32]))
            .unwrap_err();
        assert_eq!(error.rule(), Some(Rule::CheckIndex));
        let unsorted = [
            (Pseudonym([3; 32]), 1, CheckAnswer::Candidate),
            (Pseudonym([3; 32]), 1, CheckAnswer::Candidate),
        ];
        let header = IndexHeader {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            run_key_fingerprint: Fingerprint([1; 16]),
            sectors: vec![(
                SectorCode::new("employment").unwrap(),
                signing("employment").public(),
            )],
            entries: 2,
        };
        let error = write_index(&mut Vec::new(), "i", &header, unsorted.into_iter()).unwrap_err();
        assert_eq!(error.rule(), Some(Rule::CheckIndex));
    }
}
