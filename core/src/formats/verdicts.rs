//! Verdict files (spec §13.2): a sector's verdict per candidate it was sent — suitable,
//! suitable from a month, or not suitable — and nothing else: no CPR, no pseudonym. Version 2
//! names its author (the sector's signing key and audit-log head) and is signed (§10.4).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::audit::{Author, AuthorJson, Head};
use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::json::{self, Shape};
use crate::formats::publication::YearMonth;
use crate::formats::signed_json;
use crate::primitives::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::primitives::labels;
use crate::primitives::signing::PartySigningKey;

/// One sector's verdict on one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Suitable now.
    Suitable,
    /// Suitable from this month.
    SuitableFrom(YearMonth),
    /// Not suitable.
    NotSuitable,
}

impl Verdict {
    /// Parses `suitable`, `not-suitable`, or `suitable-from` with `from` as `YYYY-MM`.
    pub fn parse(verdict: &str, from: &str) -> Option<Verdict> {
        match (verdict.trim(), from.trim()) {
            ("suitable", "") => Some(Verdict::Suitable),
            ("not-suitable", "") => Some(Verdict::NotSuitable),
            ("suitable-from", month) => parse_month(month).map(Verdict::SuitableFrom),
            _ => None,
        }
    }

    /// Two verdicts of one sector on one candidate (a family's rows): not suitable wins, else
    /// the later month.
    pub(crate) fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::NotSuitable, _) | (_, Verdict::NotSuitable) => Verdict::NotSuitable,
            (Verdict::SuitableFrom(a), Verdict::SuitableFrom(b)) => Verdict::SuitableFrom(a.max(b)),
            (Verdict::SuitableFrom(m), Verdict::Suitable)
            | (Verdict::Suitable, Verdict::SuitableFrom(m)) => Verdict::SuitableFrom(m),
            (Verdict::Suitable, Verdict::Suitable) => Verdict::Suitable,
        }
    }
}

fn parse_month(text: &str) -> Option<YearMonth> {
    let (year, month) = text.split_once('-')?;
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if year.len() != 4 || month.len() != 2 || !digits(year) || !digits(month) {
        return None;
    }
    let (year, month): (u16, u8) = (year.parse().ok()?, month.parse().ok()?);
    ((1800..=9999).contains(&year) && (1..=12).contains(&month))
        .then_some(YearMonth { year, month })
}

pub(crate) fn show_month(month: YearMonth) -> String {
    format!("{:04}-{:02}", month.year, month.month)
}

/// One sector's verdicts for one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerdictFile {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// The sector giving the verdicts.
    pub sector: SectorCode,
    /// The verdicts, by candidate.
    pub verdicts: BTreeMap<CandidateId, Verdict>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVerdictFile {
    format: String,
    version: u32,
    municipality: String,
    run: String,
    sector: String,
    verdicts: Vec<RawVerdict>,
    author: AuthorJson,
    /// Written by [`signed_json::sign`] after the rest; read only to be allowed.
    #[serde(default, skip_serializing)]
    #[allow(dead_code)]
    signature: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVerdict {
    candidate: String,
    verdict: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    from: String,
}

/// The value of a verdict file's `format` field.
pub const VERDICT_FORMAT: &str = "samkoer-verdicts";
/// The verdict file's version written and read.
pub const VERDICT_VERSION: u32 = 2;

impl VerdictFile {
    /// The verdict file (JSON) sent to the central unit: candidate ids and verdicts only,
    /// signed with the sector's `signing` key, naming `log_head`, the sector's audit-log head
    /// before the step, as its author's.
    pub fn to_json(&self, signing: &PartySigningKey, log_head: Head) -> String {
        let raw = RawVerdictFile {
            format: VERDICT_FORMAT.into(),
            version: VERDICT_VERSION,
            municipality: self.municipality.to_string(),
            run: self.run.to_string(),
            sector: self.sector.to_string(),
            verdicts: self
                .verdicts
                .iter()
                .map(|(candidate, verdict)| {
                    let (verdict, from) = match verdict {
                        Verdict::Suitable => ("suitable", String::new()),
                        Verdict::SuitableFrom(month) => ("suitable-from", show_month(*month)),
                        Verdict::NotSuitable => ("not-suitable", String::new()),
                    };
                    RawVerdict {
                        candidate: candidate.to_string(),
                        verdict: verdict.into(),
                        from,
                    }
                })
                .collect(),
            author: Author::at(signing, log_head).into(),
            signature: String::new(),
        };
        // Plain strings and numbers: serialising cannot fail.
        let pretty = serde_json::to_string_pretty(&raw).unwrap_or_default();
        signed_json::sign(&pretty, labels::VERDICTS_SIGNATURE, signing)
    }

    /// Parses a verdict file (JSON) and verifies its signature under the author it names,
    /// which it gives with the verdicts (whether the author is the sector's is for the reader
    /// to judge). A malformed file is `verdict-syntax` at the line of the fault; a bad verdict
    /// is `verdict-value`, with the entry's number as the line; a version 1 file, or one whose
    /// signature does not verify, `verdict-signature`.
    pub fn parse(text: &str, file: &str) -> Result<(VerdictFile, Author)> {
        // A byte-order mark, as editors on Windows write, is no part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        kind::expect(text.as_bytes(), Kind::Verdicts, file)?;
        const SHAPE: Shape = Shape::Object(&[("verdicts", Shape::ArrayOf(&Shape::Object(&[])))]);
        let raw: RawVerdictFile = json::parse(text, file, Rule::VerdictSyntax, &SHAPE)?;
        let syntax = || Error::input(file, 0, Rule::VerdictSyntax);
        if raw.format != VERDICT_FORMAT {
            return Err(syntax());
        }
        if raw.version != VERDICT_VERSION {
            let detail = (raw.version == 1).then_some(
                "a version 1 verdict file is not signed: make it again with samkoer verdict",
            );
            return Err(Error::input_detail(file, 0, Rule::VerdictSignature, detail));
        }
        let author = raw.author.author().ok_or_else(syntax)?;
        if !signed_json::verifies(text, labels::VERDICTS_SIGNATURE, &author.signer) {
            return Err(Error::input(file, 0, Rule::VerdictSignature));
        }
        let municipality = MunicipalityCode::parse(&raw.municipality).map_err(|_| syntax())?;
        let run = RunId::new(&raw.run).map_err(|_| syntax())?;
        let sector = SectorCode::new(&raw.sector).map_err(|_| syntax())?;
        let mut verdicts = BTreeMap::new();
        for (i, entry) in raw.verdicts.iter().enumerate() {
            let entry_error = |rule| Error::input(file, i as u64 + 1, rule);
            let candidate = CandidateId::parse(&entry.candidate)
                .ok_or_else(|| entry_error(Rule::VerdictSyntax))?;
            let verdict = Verdict::parse(&entry.verdict, &entry.from)
                .ok_or_else(|| entry_error(Rule::VerdictValue))?;
            if verdicts.insert(candidate, verdict).is_some() {
                return Err(entry_error(Rule::VerdictSyntax));
            }
        }
        let verdicts = VerdictFile {
            municipality,
            run,
            sector,
            verdicts,
        };
        Ok((verdicts, author))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signing() -> PartySigningKey {
        crate::formats::publication::tests::signing_key()
    }

    fn file() -> VerdictFile {
        VerdictFile {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            sector: SectorCode::new("employment").unwrap(),
            verdicts: [(CandidateId([3; 16]), Verdict::Suitable)].into(),
        }
    }

    #[test]
    fn a_byte_order_mark_before_the_json_is_no_fault() {
        let head = Head {
            seq: 4,
            hash: [9; 32],
        };
        let saved = format!("\u{feff}{}", file().to_json(&signing(), head));
        let (read, author) = VerdictFile::parse(&saved, "v.json").unwrap();
        assert_eq!(read, file());
        assert_eq!(author, Author::at(&signing(), head));
    }

    #[test]
    fn a_verdict_file_changed_after_signing_or_of_version_1_is_refused() {
        let text = file().to_json(&signing(), Head::EMPTY);
        let changed = text.replace("\"suitable\"", "\"not-suitable\"");
        let old = text.replace("\"version\": 2", "\"version\": 1");
        for bad in [changed, old] {
            assert_eq!(
                VerdictFile::parse(&bad, "v.json").unwrap_err().rule(),
                Some(Rule::VerdictSignature)
            );
        }
        // Only a version 1 file is told how to be made again; another version is not one.
        let detail_of = |version: u32| {
            let text = text.replace("\"version\": 2", &format!("\"version\": {version}"));
            match VerdictFile::parse(&text, "v.json").unwrap_err() {
                Error::Input { rule, detail, .. } => (rule, detail.map(String::from)),
                other => panic!("{other}"),
            }
        };
        let remedy = "a version 1 verdict file is not signed: make it again with samkoer verdict";
        assert_eq!(detail_of(1), (Rule::VerdictSignature, Some(remedy.into())));
        assert_eq!(detail_of(3), (Rule::VerdictSignature, None));
    }

    #[test]
    fn verdicts_parse_strictly() {
        assert_eq!(
            Verdict::parse("suitable-from", "2027-03"),
            Some(Verdict::SuitableFrom(YearMonth {
                year: 2027,
                month: 3
            }))
        );
        for bad in ["2027-+3", "2027-3", "27-03", "2027-13", "2027-00", ""] {
            assert_eq!(Verdict::parse("suitable-from", bad), None, "{bad:?}");
        }
        assert_eq!(Verdict::parse("suitable", "2027-03"), None);
        assert_eq!(Verdict::parse("maybe", ""), None);
        let later = Verdict::SuitableFrom(YearMonth {
            year: 2027,
            month: 5,
        });
        assert_eq!(Verdict::Suitable.and(later), later);
        assert_eq!(later.and(Verdict::NotSuitable), Verdict::NotSuitable);
    }
}
