//! The central unit's steps: match the sectors' publications (the result, the statistics, one
//! flag file per sector, as one); answer a sector's one-citizen check; combine the sectors'
//! verdicts into the final selection.

use std::path::{Path, PathBuf};

use crate::central::matcher::Match;
use crate::central::selection::{Selection, select as combine, sent_from_match_report};
use crate::error::{Error, Result, Rule};
use crate::files::outputs::Staging;
use crate::files::{Input, OutputKind, Place};
use crate::flow::step::{Audit, Completed, Counts, Party, Record, run};
use crate::formats::catalogue::Catalogue;
use crate::formats::check::{CheckReply, CheckRequest};
use crate::formats::criteria::Criteria;
use crate::formats::verdicts::VerdictFile;

/// What a match needs.
#[derive(Debug)]
pub struct MatchStep<'a> {
    /// The service catalogue, the same version the sectors published with.
    pub catalogue: &'a Catalogue,
    /// The selection criteria (TOML).
    pub criteria: Input,
    /// The publications of the run, one per sector.
    pub publications: Vec<Input>,
}

/// Where a match puts its results: a folder of its own (spec §18.2) — `result.json`,
/// `statistics.json`, `statistics.csv` and `flags/SECTOR.flag` — or memory.
#[derive(Clone, Debug)]
pub struct MatchTo {
    folder: Option<PathBuf>,
}

impl MatchTo {
    /// The folder `dir` (made if missing); a match's results are never replaced.
    pub fn folder(dir: impl Into<PathBuf>) -> MatchTo {
        MatchTo {
            folder: Some(dir.into()),
        }
    }

    /// Memory: the outputs come back named `result.json`, `statistics.json`,
    /// `statistics.csv` and `flags/SECTOR.flag`.
    pub fn memory() -> MatchTo {
        MatchTo { folder: None }
    }

    fn place(&self, name: &str) -> Place {
        Place::in_folder(self.folder.as_deref(), name)
    }
}

/// The criteria read and checked against the catalogue.
fn criteria(input: &Input, catalogue: &Catalogue) -> Result<Criteria> {
    Criteria::parse(&input.text()?, &input.name(), catalogue)
}

/// Reads and matches the publications without writing anything: what a one-citizen check is
/// answered from when the match is not at hand.
pub fn rematch(step: &MatchStep<'_>) -> Result<Match> {
    let criteria = criteria(&step.criteria, step.catalogue)?;
    Match::run(step.publications.clone(), step.catalogue, &criteria)
}

/// Matches the publications of one run (spec §12): refuses a mix of runs, keys,
/// municipalities, catalogues or reference dates; writes the result and the statistics and
/// gives every sector its flag file, all committed as one. The match stays in memory for
/// one-citizen checks.
pub fn match_publications(
    step: &MatchStep<'_>,
    to: &MatchTo,
    audit: &Audit,
) -> Result<Completed<Match>> {
    let record = Record {
        party: Party::Matcher,
        action: "match",
        run: None,
        noted: Vec::new(),
    };
    run(
        audit,
        record,
        |staging: &mut Staging, record: &mut Record| {
            let result = staging.declare(OutputKind::MatchResult, to.place("result.json"))?;
            let json = staging.declare(OutputKind::StatisticsJson, to.place("statistics.json"))?;
            let csv = staging.declare(OutputKind::StatisticsCsv, to.place("statistics.csv"))?;
            let matched = rematch(step)?;
            record.run = Some(matched.run.run.clone());
            let flags = matched
                .publications
                .iter()
                .map(|p| {
                    let place = to.place(&format!("flags/{}.flag", p.sector));
                    staging.declare(OutputKind::FlagFile, place)
                })
                .collect::<Result<Vec<_>>>()?;
            let mut slots = flags.into_iter();
            let written = matched.write_flag_files(|_| {
                // One slot was declared for each publication, in the same order.
                let slot = slots.next().ok_or(Error::parameter(Rule::NoPublications))?;
                Ok((staging.writer(slot)?, staging.name(slot)))
            });
            for flag in written? {
                staging.finish(flag.writer, hex::encode(flag.digest))?;
            }
            staging.write(result, matched.report_json().as_bytes(), None)?;
            staging.write(json, matched.statistics.to_json().as_bytes(), None)?;
            staging.write(csv, matched.statistics.to_csv().as_bytes(), None)?;
            let counts = vec![
                ("publications", matched.publications.len() as u64),
                ("persons", matched.person_count()),
                ("candidates", matched.candidates().len() as u64),
                ("deferred", matched.deferred_count()),
            ];
            Ok((matched, counts))
        },
    )
}

/// Answers a sector's one-citizen check (spec §12.8) from the match: only about a pseudonym the
/// asking sector itself published in this run.
pub fn check(
    matched: &Match,
    request: &Input,
    answer: Place,
    audit: &Audit,
) -> Result<Completed<CheckReply>> {
    let record = Record {
        party: Party::Matcher,
        action: "check",
        run: Some(matched.run.run.clone()),
        noted: Vec::new(),
    };
    run(audit, record, |staging: &mut Staging, _: &mut Record| {
        let slot = staging.declare(OutputKind::CheckAnswer, answer)?;
        let request_input = request;
        let request = CheckRequest::parse(&request_input.text()?, &request_input.name())?;
        if request.municipality != matched.run.municipality || request.run != matched.run.run {
            return Err(Error::input(&request_input.name(), 0, Rule::CheckMismatch));
        }
        let reply = CheckReply {
            answer: matched.check(&request.sector, &request.pseudonym)?,
            request,
        };
        staging.write(slot, reply.to_json().as_bytes(), None)?;
        Ok((reply, vec![("checks", 1)]))
    })
}

/// What the final selection needs.
#[derive(Debug)]
pub struct Select {
    /// The match's result file.
    pub match_result: Input,
    /// The sectors' verdict files.
    pub verdicts: Vec<Input>,
}

/// Combines the sectors' verdicts into the final selection (spec §13.3): any "not suitable"
/// removes a candidate; once every sector involved has answered it is selected with the latest
/// month given; until then it is outstanding.
pub fn select(step: &Select, out: Place, audit: &Audit) -> Result<Completed<Selection>> {
    let record = Record {
        party: Party::Matcher,
        action: "select",
        run: None,
        noted: Vec::new(),
    };
    run(
        audit,
        record,
        |staging: &mut Staging, record: &mut Record| {
            let slot = staging.declare(OutputKind::Selection, out)?;
            let result = &step.match_result;
            let (municipality, run_id, sent) =
                sent_from_match_report(&result.text()?, &result.name())?;
            record.run = Some(run_id.clone());
            let files = step
                .verdicts
                .iter()
                .map(|input| {
                    Ok((
                        input.name(),
                        VerdictFile::parse(&input.text()?, &input.name())?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            let selection = combine(municipality, &run_id, &sent, &files)?;
            staging.write(slot, selection.to_json().as_bytes(), None)?;
            let counts: Counts = selection.counts().to_vec();
            Ok((selection, counts))
        },
    )
}

/// The folder a match writes its flag files into, for those who hand them on.
pub fn flags_folder(dir: &Path) -> PathBuf {
    dir.join("flags")
}
