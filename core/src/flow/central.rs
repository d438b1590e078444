//! The central unit's steps: match the sectors' publications (the result, the statistics, one
//! flag file per sector, as one); answer a sector's one-citizen check; combine the sectors'
//! verdicts into the final selection.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::central::matcher::Match;
use crate::central::selection::{Selection, select as combine, sent_from_match_report};
use crate::error::{Error, Result, Rule};
use crate::files::kind::Kind;
use crate::files::outputs::Staging;
use crate::files::{Input, OutputKind, Place};
use crate::flow::step::{Audit, Completed, Counts, Party, Record, run};
use crate::formats::catalogue::Catalogue;
use crate::formats::check::{CheckIndex, CheckReply, CheckRequest};
use crate::formats::criteria::Criteria;
use crate::formats::verdicts::VerdictFile;
use crate::primitives::keys::MatcherKey;
use crate::primitives::signing::PartySigningKey;
use crate::progress::{Report, Tally};

/// What a match needs.
#[derive(Debug)]
pub struct MatchStep<'a> {
    /// The matcher's key: it signs the matcher's audit entries (§4.6).
    pub matcher: &'a MatcherKey,
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

/// The record of a matcher's step, signed with its key (§4.6); the run named once read.
fn matcher_record(matcher: &MatcherKey, action: &'static str) -> Record {
    Record {
        party: Party::Matcher,
        action,
        run: None,
        signing: Some(PartySigningKey::of_matcher(matcher)),
        noted: Vec::new(),
    }
}

/// The criteria read and checked against the catalogue.
fn criteria(input: &Input, catalogue: &Catalogue) -> Result<Criteria> {
    Criteria::parse(&input.text_of(Kind::Criteria)?, &input.name(), catalogue)
}

/// Reads and matches the publications without writing anything, counting what is read.
fn read_and_match(step: &MatchStep<'_>, tally: Option<&Tally>) -> Result<Match> {
    let criteria = criteria(&step.criteria, step.catalogue)?;
    Match::run_counted(step.publications.clone(), step.catalogue, &criteria, tally)
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
    match_publications_reporting(step, to, audit, None)
}

/// As [`match_publications`], telling `progress` how many of the publications' bytes have been
/// read of their total, from the threads that read them (a surface's progress bar). The
/// flag-file pass that follows (§12.9) reads only the flagged records again, and is not counted.
pub fn match_publications_reporting(
    step: &MatchStep<'_>,
    to: &MatchTo,
    audit: &Audit,
    progress: Option<Report>,
) -> Result<Completed<Match>> {
    let record = matcher_record(step.matcher, "match");
    run(
        audit,
        record,
        |staging: &mut Staging, record: &mut Record| {
            let result = staging.declare(OutputKind::MatchResult, to.place("result.json"))?;
            let json = staging.declare(OutputKind::StatisticsJson, to.place("statistics.json"))?;
            let csv = staging.declare(OutputKind::StatisticsCsv, to.place("statistics.csv"))?;
            let index = staging.declare(OutputKind::CheckIndex, to.place("check-index"))?;
            let tally = match progress.clone() {
                Some(report) => {
                    let lengths = step.publications.iter().map(Input::len);
                    Some(Tally::new(lengths.sum::<Result<u64>>()?, report))
                }
                None => None,
            };
            let matched = read_and_match(step, tally.as_ref())?;
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
            let signing = PartySigningKey::of_matcher(step.matcher);
            let written = matched.write_flag_files(&signing, staging.log_head(), |_| {
                // One slot was declared for each publication, in the same order.
                let slot = slots.next().ok_or(Error::parameter(Rule::NoPublications))?;
                Ok((staging.writer(slot)?, staging.name(slot)))
            });
            for flag in written? {
                staging.finish(flag.writer, hex::encode(flag.digest))?;
            }
            let index_name = staging.name(index);
            staging.write_streamed(index, |out| {
                matched.write_check_index(&mut BufWriter::new(out), &index_name)
            })?;
            let (head, result_name) = (staging.log_head(), staging.name(result));
            staging.write_streamed(result, |out| {
                let mut out = BufWriter::with_capacity(1 << 20, out);
                matched.write_signed_report(&mut out, &signing, head, &result_name)?;
                out.flush().map_err(|e| Error::io(&result_name, e))
            })?;
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

/// What a one-citizen check is answered from.
#[derive(Debug)]
pub struct Check<'a> {
    /// The matcher's key.
    pub matcher: &'a MatcherKey,
    /// The match's check index (`check-index` in its folder).
    pub index: Input,
    /// The sector's request.
    pub request: Input,
}

/// Answers a sector's one-citizen check (spec §12.8) from the match's check index, without
/// the publications: only a request signed with the key the sector's publication of this run
/// carries, and only about pseudonyms that sector itself published in this run.
pub fn check(step: &Check<'_>, answer: Place, audit: &Audit) -> Result<Completed<CheckReply>> {
    let record = matcher_record(step.matcher, "check");
    run(
        audit,
        record,
        |staging: &mut Staging, record: &mut Record| {
            let slot = staging.declare(OutputKind::CheckAnswer, answer)?;
            let index_name = step.index.name();
            let mut index =
                CheckIndex::open(step.index.seekable()?, step.index.len()?, &index_name)?;
            record.run = Some(index.header().run.clone());
            let request_name = step.request.name();
            let request =
                CheckRequest::parse(&step.request.text_of(Kind::CheckRequest)?, &request_name)?;
            let header = index.header();
            if request.municipality != header.municipality || request.run != header.run {
                return Err(Error::input(&request_name, 0, Rule::CheckMismatch));
            }
            let signed = index
                .signer(&request.sector)
                .is_some_and(|signer| request.signed_by(&signer));
            if !signed {
                return Err(Error::input(&request_name, 0, Rule::CheckSignature));
            }
            let answers = request
                .pseudonyms
                .iter()
                .map(
                    |pseudonym| match index.answer(&request.sector, pseudonym)? {
                        Some(answer) => Ok((*pseudonym, answer)),
                        None => Err(Error::parameter(Rule::NotOwnPseudonym)),
                    },
                )
                .collect::<Result<Vec<_>>>()?;
            let reply = CheckReply {
                municipality: request.municipality,
                run: request.run,
                sector: request.sector,
                request: request.id,
                answers,
            };
            staging.write(slot, reply.to_json().as_bytes(), None)?;
            let counts = vec![("checks", 1), ("citizens", reply.answers.len() as u64)];
            Ok((reply, counts))
        },
    )
}

/// What the final selection needs.
#[derive(Debug)]
pub struct Select<'a> {
    /// The matcher's key.
    pub matcher: &'a MatcherKey,
    /// The match's result file.
    pub match_result: Input,
    /// The sectors' verdict files.
    pub verdicts: Vec<Input>,
}

/// Combines the sectors' verdicts into the final selection (spec §13.3): any "not suitable"
/// removes a candidate; once every sector involved has answered it is selected with the latest
/// month given; until then it is outstanding.
pub fn select(step: &Select<'_>, out: Place, audit: &Audit) -> Result<Completed<Selection>> {
    let record = matcher_record(step.matcher, "select");
    run(
        audit,
        record,
        |staging: &mut Staging, record: &mut Record| {
            let slot = staging.declare(OutputKind::Selection, out)?;
            let result = &step.match_result;
            let sent = sent_from_match_report(&result.text_of(Kind::MatchResult)?, &result.name())?;
            if sent.author.signer != PartySigningKey::of_matcher(step.matcher).public() {
                return Err(Error::input(&result.name(), 0, Rule::MatchResultSignature));
            }
            record.run = Some(sent.run.clone());
            let files = step
                .verdicts
                .iter()
                .map(|input| {
                    let (file, author) =
                        VerdictFile::parse(&input.text_of(Kind::Verdicts)?, &input.name())?;
                    Ok((input.name(), file, author))
                })
                .collect::<Result<Vec<_>>>()?;
            let selection = combine(&sent, &files)?;
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
