//! The final selection (spec §13.3): the central unit combines the verdicts of every sector
//! involved with a candidate. Any "not suitable" removes it; otherwise, once every involved
//! sector has answered, it is selected with the latest month given as its start; until then it
//! is outstanding, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::json::{self, Shape};
use crate::formats::publication::YearMonth;
use crate::formats::verdicts::{Verdict, VerdictFile, show_month};
use crate::primitives::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};

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
    kind::expect(text.as_bytes(), Kind::MatchResult, file)?;
    const SHAPE: Shape = Shape::Object(&[
        ("run", Shape::Object(&[])),
        ("candidates", Shape::ArrayOf(&Shape::Object(&[]))),
    ]);
    let report: Report = json::parse(text, file, Rule::VerdictSyntax, &SHAPE)?;
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
    fn a_byte_order_mark_before_the_result_is_no_fault() {
        let report = "\u{feff}{\"format\": \"samkoer-match\", \"run\": {\"municipality\": \"219\", \"run\": \"2026-11\"}, \"candidates\": []}";
        assert!(sent_from_match_report(report, "result.json").is_ok());
    }
}
