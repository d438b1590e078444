//! The final selection (spec §13.3): the central unit combines the verdicts of every sector
//! involved with a candidate. Any "not suitable" removes it; otherwise, once every involved
//! sector has answered, it is selected with the latest month given as its start; until then it
//! is outstanding, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::audit::{Author, AuthorJson};
use crate::central::matcher::MATCH_RESULT_VERSION;
use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::json::{self, Shape};
use crate::formats::publication::YearMonth;
use crate::formats::signed_json;
use crate::formats::verdicts::{Verdict, VerdictFile, show_month};
use crate::primitives::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::primitives::labels;
use crate::primitives::signing::SignerKey;

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

/// Combines the verdicts of the sectors with the candidates they were sent (`result.sent`: per
/// candidate that was flagged, the sectors involved). A verdict file of another run, a second
/// file of one sector, a verdict on a candidate its sector was not sent, or a file not signed
/// by the key its sector's publication carried, is refused, naming the file (`files` gives
/// each file's name, its content and its author).
pub fn select(
    result: &SentCandidates,
    files: &[(String, VerdictFile, Author)],
) -> Result<Selection> {
    let sent = &result.sent;
    let mut by_sector: BTreeMap<&SectorCode, &VerdictFile> = BTreeMap::new();
    for (name, file, author) in files {
        // Who sent it is settled first: a forged file is no second file of its sector.
        if result.signers.get(&file.sector) != Some(&author.signer) {
            return Err(Error::input(name, 0, Rule::VerdictSignature));
        }
        if file.municipality != result.municipality
            || file.run != result.run
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
struct ReportPublication {
    sector: String,
    author: AuthorJson,
}

#[derive(Deserialize)]
struct Report {
    format: String,
    version: u32,
    run: ReportRun,
    publications: Vec<ReportPublication>,
    candidates: Vec<ReportCandidate>,
    author: Option<AuthorJson>,
}

/// What the final selection needs of the matcher's result file (spec §12.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentCandidates {
    /// The run's municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// Per flagged candidate, the sectors it was sent to.
    pub sent: BTreeMap<CandidateId, BTreeSet<SectorCode>>,
    /// Each sector that published, with the signing key its publication carried: the key
    /// its verdicts must be signed with.
    pub signers: BTreeMap<SectorCode, SignerKey>,
    /// The result's author, whose signature over it verified.
    pub author: Author,
}

/// Reads [`SentCandidates`] from the matcher's result file, verifying its signature under the
/// author it names (whether that is this central unit's matcher is for the caller to judge).
/// A version 1 result, or one changed since it was signed, is `match-result-signature`.
pub fn sent_from_match_report(text: &str, file: &str) -> Result<SentCandidates> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    kind::expect(text.as_bytes(), Kind::MatchResult, file)?;
    const SHAPE: Shape = Shape::Object(&[
        ("run", Shape::Object(&[])),
        (
            "publications",
            Shape::ArrayOf(&Shape::Object(&[("author", Shape::Object(&[]))])),
        ),
        ("candidates", Shape::ArrayOf(&Shape::Object(&[]))),
        ("author", Shape::Object(&[])),
    ]);
    let report: Report = json::parse(text, file, Rule::VerdictSyntax, &SHAPE)?;
    let bad = || Error::input(file, 0, Rule::VerdictSyntax);
    if report.format != "samkoer-match" {
        return Err(bad());
    }
    if report.version != MATCH_RESULT_VERSION {
        let detail = (report.version == 1)
            .then_some("a version 1 match result is not signed: match the run again");
        return Err(Error::input_detail(
            file,
            0,
            Rule::MatchResultSignature,
            detail,
        ));
    }
    let author = report
        .author
        .as_ref()
        .and_then(AuthorJson::author)
        .ok_or_else(bad)?;
    if !signed_json::verifies(text, labels::MATCH_RESULT_SIGNATURE, &author.signer) {
        return Err(Error::input(file, 0, Rule::MatchResultSignature));
    }
    let municipality = MunicipalityCode::parse(&report.run.municipality).map_err(|_| bad())?;
    let run = RunId::new(&report.run.run).map_err(|_| bad())?;
    let sector = |s: &str| SectorCode::new(s).map_err(|_| bad());
    let mut signers = BTreeMap::new();
    for publication in &report.publications {
        let signer = publication.author.author().ok_or_else(bad)?.signer;
        signers.insert(sector(&publication.sector)?, signer);
    }
    let mut sent = BTreeMap::new();
    for candidate in report.candidates.iter().filter(|c| !c.deferred) {
        let id = CandidateId::parse(&candidate.id).ok_or_else(bad)?;
        let sectors = candidate
            .sectors
            .iter()
            .map(|s| sector(s))
            .collect::<Result<_>>()?;
        sent.insert(id, sectors);
    }
    Ok(SentCandidates {
        municipality,
        run,
        sent,
        signers,
        author,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Head;
    use crate::formats::publication::tests::{matcher_signing_key, signing_key};

    fn signed_report(version: u32) -> String {
        let report = serde_json::json!({
            "format": "samkoer-match",
            "version": version,
            "run": {"municipality": "219", "run": "2026-11"},
            "publications": [{"sector": "employment", "author": AuthorJson::from(Author::of(&signing_key()))}],
            "candidates": [{"id": CandidateId([0; 16]).to_string(), "deferred": false, "sectors": ["employment"]}],
            "author": AuthorJson::from(Author::at(&matcher_signing_key(), Head { seq: 3, hash: [1; 32] })),
        });
        let pretty = serde_json::to_string_pretty(&report).unwrap();
        signed_json::sign(
            &pretty,
            labels::MATCH_RESULT_SIGNATURE,
            &matcher_signing_key(),
        )
    }

    #[test]
    fn a_byte_order_mark_before_the_result_is_no_fault() {
        let read = sent_from_match_report(&format!("\u{feff}{}", signed_report(2)), "result.json")
            .unwrap();
        assert_eq!(read.author.signer, matcher_signing_key().public());
        assert_eq!(read.author.log_head.seq, 3);
        assert_eq!(
            read.signers.values().collect::<Vec<_>>(),
            [&signing_key().public()]
        );
        assert_eq!(read.sent.len(), 1);
    }

    #[test]
    fn a_result_unsigned_or_changed_since_signing_is_refused() {
        let changed = signed_report(2).replace("\"deferred\": false", "\"deferred\": true");
        for bad in [signed_report(1), changed] {
            assert_eq!(
                sent_from_match_report(&bad, "result.json")
                    .unwrap_err()
                    .rule(),
                Some(Rule::MatchResultSignature)
            );
        }
    }

    #[test]
    fn a_version_1_result_is_told_to_be_matched_again() {
        let shown = |version| {
            sent_from_match_report(&signed_report(version), "result.json")
                .unwrap_err()
                .to_string()
        };
        assert!(
            shown(1).ends_with("[a version 1 match result is not signed: match the run again]"),
            "{}",
            shown(1)
        );
        assert!(!shown(3).contains("version 1"), "{}", shown(3));
    }
}
