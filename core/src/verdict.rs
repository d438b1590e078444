//! Verdicts (spec §13.2) and the final selection (spec §13.3).
//!
//! A sector's verdict file says, per candidate it was sent, suitable, suitable from a month, or
//! not suitable — and nothing else: no CPR, no pseudonym. The central unit combines the
//! verdicts of every sector involved with a candidate: any "not suitable" removes it; otherwise,
//! once every involved sector has answered, it is selected with the latest month given as its
//! start; until then it is outstanding, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Rule};
use crate::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::publication::YearMonth;
use crate::review::WorkList;

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
    fn and(self, other: Verdict) -> Verdict {
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

fn show_month(month: YearMonth) -> String {
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

impl VerdictFile {
    /// Reads the work list's CSV as the caseworkers filled it in: each row's `verdict` and
    /// `from` for its candidate; rows left empty give no verdict; several rows of one candidate
    /// combine (not suitable wins, else the later month). Only candidates of `sent` are
    /// accepted. Errors name the line.
    pub fn from_work_list_csv(text: &str, file: &str, sent: &WorkList) -> Result<VerdictFile> {
        let candidates = sent.candidates();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|_| Error::input(file, 1, Rule::VerdictSyntax))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| Error::input(file, 1, Rule::VerdictSyntax))
        };
        let (candidate_at, verdict_at, from_at) =
            (column("candidate")?, column("verdict")?, column("from")?);
        let mut verdicts: BTreeMap<CandidateId, Verdict> = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                Error::input(
                    file,
                    e.position().map_or(0, |p| p.line()),
                    Rule::VerdictSyntax,
                )
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            if field(verdict_at).is_empty() && field(from_at).is_empty() {
                continue;
            }
            let candidate = CandidateId::parse(field(candidate_at))
                .ok_or_else(|| Error::input(file, line, Rule::VerdictSyntax))?;
            if !candidates.contains(&candidate) {
                return Err(Error::input(file, line, Rule::VerdictNotSent));
            }
            let verdict = Verdict::parse(field(verdict_at), field(from_at))
                .ok_or_else(|| Error::input(file, line, Rule::VerdictValue))?;
            let combined = verdicts
                .get(&candidate)
                .map_or(verdict, |&earlier| earlier.and(verdict));
            verdicts.insert(candidate, combined);
        }
        Ok(VerdictFile {
            municipality: sent.municipality,
            run: sent.run.clone(),
            sector: sent.sector.clone(),
            verdicts,
        })
    }

    /// The verdict file (JSON) sent to the central unit: candidate ids and verdicts only.
    pub fn to_json(&self) -> String {
        let raw = RawVerdictFile {
            format: VERDICT_FORMAT.into(),
            version: 1,
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
        };
        // Plain strings and numbers: serialising cannot fail.
        serde_json::to_string_pretty(&raw).unwrap_or_default() + "\n"
    }

    /// Parses a verdict file (JSON). A malformed file is `verdict-syntax` at the line of the
    /// fault; a bad verdict is `verdict-value`, with the entry's number as the line.
    pub fn parse(text: &str, file: &str) -> Result<VerdictFile> {
        // A byte-order mark, as editors on Windows write, is no part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: RawVerdictFile = serde_json::from_str(text)
            .map_err(|e| Error::input(file, e.line() as u64, Rule::VerdictSyntax))?;
        let syntax = || Error::input(file, 0, Rule::VerdictSyntax);
        if raw.format != VERDICT_FORMAT || raw.version != 1 {
            return Err(syntax());
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
        Ok(VerdictFile {
            municipality,
            run,
            sector,
            verdicts,
        })
    }
}

/// A candidate selected by every sector involved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Selected {
    /// The candidate.
    pub candidate: CandidateId,
    /// The month to start: the latest month any sector gave; `None` means now.
    pub start: Option<String>,
    /// The sectors that must be told: every sector involved.
    pub tell: Vec<SectorCode>,
}

/// A candidate that a sector found not suitable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The candidate.
    pub candidate: CandidateId,
    /// The sectors that found it not suitable.
    pub by: Vec<SectorCode>,
}

/// A candidate still waiting for verdicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outstanding {
    /// The candidate.
    pub candidate: CandidateId,
    /// The sectors whose verdict is missing.
    pub missing: Vec<SectorCode>,
}

/// The final selection (spec §13.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// Selected, with start month and the sectors to tell.
    pub selected: Vec<Selected>,
    /// Removed by a "not suitable".
    pub removed: Vec<Removed>,
    /// Waiting for verdicts.
    pub outstanding: Vec<Outstanding>,
}

impl Selection {
    /// The selection as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Strings only: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Its three counts by name, as audit entries and summaries give them.
    pub fn counts(&self) -> [(&'static str, u64); 3] {
        [
            ("selected", self.selected.len() as u64),
            ("removed", self.removed.len() as u64),
            ("outstanding", self.outstanding.len() as u64),
        ]
    }
}

/// Combines the verdicts of the sectors with the candidates they were sent (`sent`: per
/// candidate that was flagged, the sectors involved). A verdict file of another run, a second
/// file of one sector, or a verdict on a candidate its sector was not sent, is refused, naming
/// the file (`files` pairs each file's name with its content).
pub fn select(
    municipality: MunicipalityCode,
    run: &RunId,
    sent: &BTreeMap<CandidateId, BTreeSet<SectorCode>>,
    files: &[(String, VerdictFile)],
) -> Result<Selection> {
    let mut by_sector: BTreeMap<&SectorCode, &VerdictFile> = BTreeMap::new();
    for (name, file) in files {
        if file.municipality != municipality
            || file.run != *run
            || by_sector.insert(&file.sector, file).is_some()
        {
            return Err(Error::input(name, 0, Rule::VerdictMismatch));
        }
        if let Some((i, _)) = file
            .verdicts
            .keys()
            .enumerate()
            .find(|(_, c)| !sent.get(c).is_some_and(|s| s.contains(&file.sector)))
        {
            return Err(Error::input(name, i as u64 + 1, Rule::VerdictNotSent));
        }
    }
    let mut selection = Selection::default();
    for (candidate, sectors) in sent {
        let (mut start, mut by, mut missing) = (None::<YearMonth>, Vec::new(), Vec::new());
        for sector in sectors {
            match by_sector
                .get(sector)
                .and_then(|f| f.verdicts.get(candidate))
            {
                None => missing.push(sector.clone()),
                Some(Verdict::NotSuitable) => by.push(sector.clone()),
                Some(Verdict::Suitable) => {}
                Some(Verdict::SuitableFrom(month)) => {
                    start = Some(start.map_or(*month, |s| s.max(*month)))
                }
            }
        }
        let candidate = *candidate;
        if !by.is_empty() {
            selection.removed.push(Removed { candidate, by });
        } else if !missing.is_empty() {
            selection
                .outstanding
                .push(Outstanding { candidate, missing });
        } else {
            selection.selected.push(Selected {
                candidate,
                start: start.map(show_month),
                tell: sectors.iter().cloned().collect(),
            });
        }
    }
    Ok(selection)
}

#[derive(Deserialize)]
struct ReportRun {
    municipality: String,
    run: String,
}

#[derive(Deserialize)]
struct ReportCandidate {
    id: String,
    deferred: bool,
    sectors: Vec<String>,
}

#[derive(Deserialize)]
struct Report {
    format: String,
    run: ReportRun,
    candidates: Vec<ReportCandidate>,
}

/// The run's municipality, run id, and per flagged candidate the sectors it was sent to, read
/// from the matcher's result file (spec §12.6).
pub type SentCandidates = (
    MunicipalityCode,
    RunId,
    BTreeMap<CandidateId, BTreeSet<SectorCode>>,
);

/// Reads [`SentCandidates`] from the matcher's result file.
pub fn sent_from_match_report(text: &str, file: &str) -> Result<SentCandidates> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let report: Report = serde_json::from_str(text)
        .map_err(|e| Error::input(file, e.line() as u64, Rule::VerdictSyntax))?;
    let bad = || Error::input(file, 0, Rule::VerdictSyntax);
    if report.format != "samkoer-match" {
        return Err(bad());
    }
    let municipality = MunicipalityCode::parse(&report.run.municipality).map_err(|_| bad())?;
    let run = RunId::new(&report.run.run).map_err(|_| bad())?;
    let mut sent = BTreeMap::new();
    for candidate in report.candidates.iter().filter(|c| !c.deferred) {
        let id = CandidateId::parse(&candidate.id).ok_or_else(bad)?;
        let sectors = candidate
            .sectors
            .iter()
            .map(|s| SectorCode::new(s).map_err(|_| bad()))
            .collect::<Result<_>>()?;
        sent.insert(id, sectors);
    }
    Ok((municipality, run, sent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_before_the_json_is_no_fault() {
        let file = VerdictFile {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            sector: SectorCode::new("employment").unwrap(),
            verdicts: [(CandidateId([3; 16]), Verdict::Suitable)].into(),
        };
        let saved = format!("\u{feff}{}", file.to_json());
        assert_eq!(VerdictFile::parse(&saved, "v.json").unwrap(), file);
        let report = "\u{feff}{\"format\": \"samkoer-match\", \"run\": {\"municipality\": \"219\", \"run\": \"2026-11\"}, \"candidates\": []}";
        assert!(sent_from_match_report(report, "result.json").is_ok());
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
