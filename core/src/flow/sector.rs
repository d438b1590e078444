//! A sector's steps: publish its export; ask the one-citizen check; review its flag file into
//! the caseworkers' work list; turn the filled-in list into its verdicts; verify a consent
//! receipt; disclose a consented citizen's services to the plan team.

use std::path::Path;
use std::rc::Rc;

use time::{Date, OffsetDateTime};

use crate::consent::disclosure::Discloser;
use crate::consent::receipt::Receipt;
use crate::consent::state::{ConsentState, FreshState, Freshness};
use crate::error::{Error, Result, Rule};
use crate::files::kind::Kind;
use crate::files::outputs::Staging;
use crate::files::{Input, OutputKind, Place};
use crate::flow::registry::STATE_SEQUENCE;
use crate::flow::step::{Audit, Completed, Counts, Party, Record, run};
use crate::formats::catalogue::Catalogue;
use crate::formats::check::{CheckAnswer, CheckReply, CheckRequest, MAX_REQUEST};
use crate::formats::export::ExportOptions;
use crate::formats::verdicts::{Verdict, VerdictFile};
use crate::primitives::cpr::Cpr;
use crate::primitives::ids::SectorCode;
use crate::primitives::keys::{
    ConsentRegistryPublicKey, PlanTeamPublicKey, RunKey, SealingKey, SubjectKey,
};
use crate::primitives::pseudonym::{Pseudonym, Pseudonymiser};
use crate::primitives::signing::PartySigningKey;
use crate::progress::ProgressReader;
use crate::sector::publish::{AccountingReport, PublishLimits, Publisher};
use crate::sector::review::WorkList;

/// What a publish needs.
#[derive(Debug)]
pub struct Publish<'a> {
    /// The run key, from the custodian.
    pub run_key: &'a RunKey,
    /// The sector's own sealing key (it names the sector).
    pub sealing_key: &'a SealingKey,
    /// The service catalogue.
    pub catalogue: &'a Catalogue,
    /// How to read the export (a mapping file's).
    pub options: &'a ExportOptions,
    /// The case-system export.
    pub export: Input,
    /// The relations file (children and parents), if this sector has one.
    pub relations: Option<Input>,
    /// Worker threads for the export's rows; `None` for one per core.
    pub threads: Option<usize>,
    /// Told how far the export has been read, about a hundred times.
    pub progress: Option<Progress>,
    /// When the publish fails rather than publish much less than it was given (spec §8.6).
    pub limits: PublishLimits,
}

/// A report of how far an input has been read: called with the bytes read and the input's
/// length.
#[derive(Clone)]
pub struct Progress(pub Rc<dyn Fn(u64, u64)>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// Where a publish puts its publication and its accounting report.
#[derive(Clone, Debug)]
pub struct PublishTo {
    /// The publication (owner-only: with the run key it re-identifies everyone in it).
    pub publication: Place,
    /// The accounting report (no CPR number).
    pub report: Place,
}

impl PublishTo {
    /// The publication at `path`, its report beside it as `PATH.accounting.json`.
    pub fn beside(path: &Path) -> PublishTo {
        PublishTo {
            publication: Place::file(path),
            report: Place::file(format!("{}.accounting.json", path.display())),
        }
    }

    /// Both in memory.
    pub fn memory() -> PublishTo {
        PublishTo {
            publication: Place::memory("publication"),
            report: Place::memory("accounting.json"),
        }
    }
}

fn sector_party(key: &SealingKey) -> Party {
    Party::Sector(key.sector().clone())
}

/// The record of a sector's step, signed with its key (§4.6); the run named later.
fn sector_record(key: &SealingKey, action: &'static str) -> Record {
    Record {
        party: sector_party(key),
        action,
        run: None,
        signing: Some(PartySigningKey::of(key)),
        noted: Vec::new(),
    }
}

/// Publishes the export (spec §8.4): every row published, excluded by policy, or rejected with
/// its line and rule; the publication and its accounting report written as one.
pub fn publish(
    step: &Publish<'_>,
    to: &PublishTo,
    audit: &Audit,
) -> Result<Completed<AccountingReport>> {
    let record = Record {
        run: Some(step.run_key.run().clone()),
        ..sector_record(step.sealing_key, "publish")
    };
    run(audit, record, |staging: &mut Staging, _: &mut Record| {
        let publisher =
            Publisher::new(step.run_key, step.sealing_key, step.catalogue, step.options)?
                .with_log_head(staging.log_head());
        let publisher = match step.threads {
            Some(threads) => publisher.with_threads(threads),
            None => publisher,
        };
        let publication = staging.declare(OutputKind::Publication, to.publication.clone())?;
        let report = staging.declare(OutputKind::AccountingReport, to.report.clone())?;
        // The inputs are opened, and a file of another kind refused, before anything is
        // written.
        step.export.expect_kind(Kind::Export)?;
        if let Some(relations) = &step.relations {
            relations.expect_kind(Kind::Relations)?;
        }
        let export: Box<dyn std::io::Read> = match &step.progress {
            None => step.export.reader()?,
            Some(Progress(report)) => {
                let (total, report) = (step.export.len()?, Rc::clone(report));
                let step_bytes = total / 100;
                Box::new(ProgressReader::new(
                    step.export.reader()?,
                    step_bytes,
                    move |read| report(read, total),
                ))
            }
        };
        let relations_name = step.relations.as_ref().map(Input::name);
        let relations = match (&step.relations, &relations_name) {
            (Some(input), Some(name)) => {
                let reader: Box<dyn std::io::Read> = input.reader()?;
                Some((reader, name.as_str()))
            }
            _ => None,
        };
        let writer = staging.writer(publication)?;
        let published = publisher.publish(
            export,
            &step.export.name(),
            relations,
            writer,
            &staging.name(publication),
        )?;
        // Refused before anything is committed: the partial publication is removed.
        step.limits.check(&published.report.export)?;
        if let Some(relations) = &published.report.relations {
            step.limits.check(relations)?;
        }
        staging.finish(published.output, hex::encode(published.digest))?;
        staging.write(report, published.report.to_json().as_bytes(), None)?;
        let mut counts: Counts = published.report.export.counts().to_vec();
        if let Some(relations) = &published.report.relations {
            counts.push(("relations", relations.published));
        }
        Ok((published.report, counts))
    })
}

/// What the one-citizen check asks: some of the sector's own citizens in this run.
#[derive(Debug)]
pub struct AskCheck<'a> {
    /// The run key, to make the citizens' pseudonyms.
    pub run_key: &'a RunKey,
    /// The sector's sealing key: it names the sector and signs the request (spec §4.6).
    pub sealing_key: &'a SealingKey,
    /// The citizens: a person file, one CPR number per line (never the command line).
    pub persons: Input,
}

/// The person file's citizens as pseudonyms, in file order: each CPR number checked at its
/// line, none twice, at most [`MAX_REQUEST`].
fn pseudonyms_of(run_key: &RunKey, persons: &Input) -> Result<Vec<Pseudonym>> {
    let numbers = Cpr::read_list(persons, run_key.reference_date())?;
    let name = persons.name();
    if numbers.is_empty() {
        let detail = Some("the person file names no citizen");
        return Err(Error::input_detail(&name, 1, Rule::CheckFormat, detail));
    }
    if let Some((line, _)) = numbers.get(MAX_REQUEST) {
        return Err(Error::input(&name, *line, Rule::CheckTooMany));
    }
    let pseudonymiser = Pseudonymiser::new(run_key);
    let mut seen = std::collections::HashSet::with_capacity(numbers.len());
    numbers
        .iter()
        .map(|(line, cpr)| {
            let pseudonym = pseudonymiser.pseudonym(cpr);
            match seen.insert(pseudonym) {
                true => Ok(pseudonym),
                false => Err(Error::input(&name, *line, Rule::CheckRepeated)),
            }
        })
        .collect()
}

/// Writes the sector's signed request for the one-citizen check (spec §12.8, "cpr-knap"):
/// the citizens' pseudonyms, never their CPR numbers, for the matcher.
pub fn ask_check(
    step: &AskCheck<'_>,
    out: Place,
    audit: &Audit,
) -> Result<Completed<CheckRequest>> {
    let record = Record {
        run: Some(step.run_key.run().clone()),
        ..sector_record(step.sealing_key, "check-request")
    };
    run(audit, record, |staging: &mut Staging, _: &mut Record| {
        if step.run_key.municipality() != step.sealing_key.municipality() {
            return Err(Error::parameter(Rule::KeyMismatch));
        }
        let slot = staging.declare(OutputKind::CheckRequest, out)?;
        let request = CheckRequest::signed(
            step.run_key.municipality(),
            step.run_key.run().clone(),
            step.sealing_key.sector().clone(),
            pseudonyms_of(step.run_key, &step.persons)?,
            &PartySigningKey::of(step.sealing_key),
            &step.persons.name(),
        )?;
        staging.write(slot, request.to_json().as_bytes(), None)?;
        let citizens = request.pseudonyms.len() as u64;
        Ok((request, vec![("requests", 1), ("citizens", citizens)]))
    })
}

/// What reading a check answer needs: the request's own inputs again.
#[derive(Debug)]
pub struct ReadCheck<'a> {
    /// The run key the request was made with.
    pub run_key: &'a RunKey,
    /// The sector's sealing key.
    pub sealing_key: &'a SealingKey,
    /// The person file the request was made from.
    pub persons: Input,
    /// The matcher's answer.
    pub answer: Input,
}

/// The answers by citizen, as a sector reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResults {
    /// Per line of the person file that names a citizen: the line and the answer.
    pub answers: Vec<(u64, CheckAnswer)>,
}

impl CheckResults {
    /// How many citizens got `answer`.
    pub fn count(&self, answer: CheckAnswer) -> u64 {
        self.answers.iter().filter(|(_, a)| *a == answer).count() as u64
    }

    fn counts(&self) -> Counts {
        vec![
            ("candidates", self.count(CheckAnswer::Candidate)),
            ("deferred", self.count(CheckAnswer::Deferred)),
            ("not-candidates", self.count(CheckAnswer::NotCandidate)),
        ]
    }
}

/// Reads the matcher's answer back onto the person file (spec §12.8): writes `cpr;answer` per
/// citizen, owner-only, after checking that the answer is to a request made from this file
/// with this run key and sector.
pub fn read_check(
    step: &ReadCheck<'_>,
    out: Place,
    audit: &Audit,
) -> Result<Completed<CheckResults>> {
    let record = Record {
        run: Some(step.run_key.run().clone()),
        ..sector_record(step.sealing_key, "check-read")
    };
    run(audit, record, |staging: &mut Staging, _: &mut Record| {
        let slot = staging.declare(OutputKind::CheckResults, out)?;
        let answer_name = step.answer.name();
        let reply = CheckReply::parse(&step.answer.text()?, &answer_name)?;
        let numbers = Cpr::read_list(&step.persons, step.run_key.reference_date())?;
        let pseudonymiser = Pseudonymiser::new(step.run_key);
        let answers_this_file = reply.municipality == step.run_key.municipality()
            && reply.run == *step.run_key.run()
            && reply.sector == *step.sealing_key.sector()
            && reply.answers.len() == numbers.len()
            && reply
                .answers
                .iter()
                .zip(&numbers)
                .all(|((pseudonym, _), (_, cpr))| pseudonymiser.pseudonym(cpr) == *pseudonym);
        if !answers_this_file {
            return Err(Error::input(&answer_name, 0, Rule::CheckAnswerMismatch));
        }
        let mut csv = zeroize::Zeroizing::new(String::from("cpr;answer\n"));
        for ((_, answer), (_, cpr)) in reply.answers.iter().zip(&numbers) {
            csv.push_str(&cpr.expose_dashed());
            csv.push(';');
            csv.push_str(answer.name());
            csv.push('\n');
        }
        staging.write(slot, csv.as_bytes(), None)?;
        let results = CheckResults {
            answers: numbers
                .iter()
                .zip(&reply.answers)
                .map(|((line, _), (_, answer))| (*line, *answer))
                .collect(),
        };
        let counts = results.counts();
        Ok((results, counts))
    })
}

/// What a review needs.
#[derive(Debug)]
pub struct Review<'a> {
    /// The sector's sealing key.
    pub sealing_key: &'a SealingKey,
    /// The service catalogue (for the services' laws and names).
    pub catalogue: &'a Catalogue,
    /// The sector's flag file, from the matcher.
    pub flag_file: Input,
}

fn open_work_list(step: &Review<'_>, progress: Option<&Progress>) -> Result<WorkList> {
    let flag_file: Box<dyn std::io::Read> = match progress {
        None => step.flag_file.reader()?,
        Some(Progress(report)) => {
            let (total, report) = (step.flag_file.len()?, Rc::clone(report));
            Box::new(ProgressReader::new(
                step.flag_file.reader()?,
                total / 200,
                move |read| report(read, total),
            ))
        }
    };
    crate::sector::review::review(
        flag_file,
        &step.flag_file.name(),
        step.sealing_key,
        step.catalogue,
    )
}

/// Opens the flag file with the sector's own key (spec §13.1) into the caseworkers' work list:
/// written owner-only (it holds CPR numbers) and never over an existing one (it may have been
/// filled in).
pub fn review(step: &Review<'_>, work_list: Place, audit: &Audit) -> Result<Completed<WorkList>> {
    review_reporting(step, work_list, audit, None)
}

/// As [`review`], telling `progress` how many of the flag file's bytes have been read and
/// opened of its length (a surface's progress bar).
pub fn review_reporting(
    step: &Review<'_>,
    work_list: Place,
    audit: &Audit,
    progress: Option<&Progress>,
) -> Result<Completed<WorkList>> {
    run(
        audit,
        review_record(step, "review"),
        |staging: &mut Staging, record: &mut Record| {
            let slot = staging.declare(OutputKind::WorkList, work_list)?;
            let list = open_work_list(step, progress)?;
            record.run = Some(list.run.clone());
            staging.write(slot, list.to_csv().as_bytes(), None)?;
            let counts = vec![
                ("candidates", list.candidates().len() as u64),
                ("citizens", list.items.len() as u64),
            ];
            Ok((list, counts))
        },
    )
}

/// The record of a step on a flag file: its sector; its run is named once the file is read.
fn review_record(step: &Review<'_>, action: &'static str) -> Record {
    sector_record(step.sealing_key, action)
}

/// Turns the caseworkers' filled-in work list into the sector's verdict file (spec §13.2):
/// candidate ids and verdicts only, checked against the flag file the sector was sent.
pub fn verdict(
    step: &Review<'_>,
    work_list: &Input,
    out: Place,
    audit: &Audit,
) -> Result<Completed<VerdictFile>> {
    run(
        audit,
        review_record(step, "verdict"),
        |staging: &mut Staging, record: &mut Record| {
            let slot = staging.declare(OutputKind::Verdicts, out)?;
            let list = open_work_list(step, None)?;
            record.run = Some(list.run.clone());
            let verdicts = VerdictFile::from_work_list_csv(
                &work_list.spreadsheet_text_of(Kind::WorkList)?,
                &work_list.name(),
                &list,
            )?;
            let signing = PartySigningKey::of(step.sealing_key);
            let text = verdicts.to_json(&signing, staging.log_head());
            staging.write(slot, text.as_bytes(), None)?;
            let counts = verdict_counts(&verdicts);
            Ok((verdicts, counts))
        },
    )
}

fn verdict_counts(file: &VerdictFile) -> Counts {
    let of =
        |wanted: fn(&Verdict) -> bool| file.verdicts.values().filter(|v| wanted(v)).count() as u64;
    vec![
        ("verdicts", file.verdicts.len() as u64),
        (
            "suitable",
            of(|v| matches!(v, Verdict::Suitable | Verdict::SuitableFrom(_))),
        ),
        ("not-suitable", of(|v| matches!(v, Verdict::NotSuitable))),
    ]
}

/// What a sector checks a receipt with.
#[derive(Debug)]
pub struct VerifyConsent<'a> {
    /// The consent registry's public key.
    pub registry: &'a ConsentRegistryPublicKey,
    /// The receipt.
    pub receipt: Input,
    /// The consent registry's current consent state: required (`None` is refused, with the
    /// refusal recorded).
    pub consent_state: Option<Input>,
    /// The oldest the consent state may be, as the municipality set it (seconds).
    pub state_max_age: u64,
    /// The asking sector's sealing key: it names the sector and signs the entry.
    pub sealing_key: &'a SealingKey,
    /// Now.
    pub now: OffsetDateTime,
}

/// The consent state to judge by (spec §14.4): given, signed by the registry, no older than
/// `max_age`, and not older than the highest sequence number the party's log shows it used.
/// Its sequence number is noted in the step's entry, refused or not.
fn read_state(
    state: Option<&Input>,
    registry: &ConsentRegistryPublicKey,
    max_age: u64,
    now: OffsetDateTime,
    audit: &Audit,
    record: &mut Record,
) -> Result<FreshState> {
    let input = state.ok_or(Error::parameter(Rule::ConsentStateMissing))?;
    let name = input.name();
    let parsed = ConsentState::parse(&input.read()?, &name)?;
    parsed.verify(registry, &name)?;
    record.noted.push((STATE_SEQUENCE, parsed.sequence));
    let seen = audit.highest_count(STATE_SEQUENCE)?;
    let freshness = Freshness { now, max_age, seen };
    parsed.check(registry, &freshness, &name)
}

/// Checks a consent receipt for the sector now (spec §14): the consent state first (§14.4),
/// then the receipt: signed by the registry, valid, naming the sector, not withdrawn in the
/// state. Writes nothing; the entry records the check and the state's sequence number.
pub fn verify_consent(step: &VerifyConsent<'_>, audit: &Audit) -> Result<Completed<Receipt>> {
    let record = sector_record(step.sealing_key, "verify-consent");
    run(audit, record, |_: &mut Staging, record: &mut Record| {
        let receipt = Receipt::parse(&step.receipt.read_of(Kind::Receipt)?, &step.receipt.name())?;
        let state = read_state(
            step.consent_state.as_ref(),
            step.registry,
            step.state_max_age,
            step.now,
            audit,
            record,
        )?;
        receipt.check(
            step.registry,
            &state,
            step.sealing_key.sector(),
            step.now,
            &step.receipt.name(),
        )?;
        Ok((receipt, vec![("receipts", 1)]))
    })
}

/// What a disclosure needs.
#[derive(Debug)]
pub struct Disclose<'a> {
    /// The consent registry's public key.
    pub registry: &'a ConsentRegistryPublicKey,
    /// The subject key, to know the receipt's citizen among the sector's.
    pub subject: &'a SubjectKey,
    /// The sector's sealing key (it names the sector).
    pub sealing_key: &'a SealingKey,
    /// The plan team's public key, to seal for.
    pub plan_team: &'a PlanTeamPublicKey,
    /// The service catalogue.
    pub catalogue: &'a Catalogue,
    /// How to read the export.
    pub options: &'a ExportOptions,
    /// The receipt.
    pub receipt: Input,
    /// The consent registry's current consent state: required (`None` is refused, with the
    /// refusal recorded).
    pub consent_state: Option<Input>,
    /// The oldest the consent state may be, as the municipality set it (seconds).
    pub state_max_age: u64,
    /// The sector's case-system export.
    pub export: Input,
    /// Now: the receipt must be valid now.
    pub now: OffsetDateTime,
    /// The date on which a service must be ongoing to be disclosed; `None` for `now`'s date.
    pub ongoing_on: Option<Date>,
}

/// What a disclosure released.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disclosed {
    /// The receipt's id (hex).
    pub receipt: String,
    /// The sector.
    pub sector: SectorCode,
    /// The ongoing services sealed for the plan team.
    pub services: u64,
    /// The date on which they were judged ongoing.
    pub ongoing_on: Date,
}

/// Discloses the sector's ongoing services of the receipt's citizen, sealed for the plan team
/// (spec §15), after checking the consent state (§14.4) and the receipt; a refusal (no state, a
/// stale, forged or older state, another sector, expired, withdrawn, someone else) releases
/// nothing and is recorded as the step's outcome.
pub fn disclose(step: &Disclose<'_>, out: Place, audit: &Audit) -> Result<Completed<Disclosed>> {
    let record = sector_record(step.sealing_key, "disclose");
    run(
        audit,
        record,
        |staging: &mut Staging, record: &mut Record| {
            let slot = staging.declare(OutputKind::Bundle, out)?;
            let receipt =
                Receipt::parse(&step.receipt.read_of(Kind::Receipt)?, &step.receipt.name())?;
            let state = read_state(
                step.consent_state.as_ref(),
                step.registry,
                step.state_max_age,
                step.now,
                audit,
                record,
            )?;
            let discloser = Discloser {
                registry: step.registry,
                subject: step.subject,
                sector: step.sealing_key.sector(),
                signing: &PartySigningKey::of(step.sealing_key),
                log_head: staging.log_head(),
                plan_team: step.plan_team,
                catalogue: step.catalogue,
                options: step.options,
            };
            let ongoing_on = step.ongoing_on.unwrap_or_else(|| step.now.date());
            let bundle = discloser.disclose(
                &receipt,
                &state,
                &step.receipt.name(),
                {
                    step.export.expect_kind(Kind::Export)?;
                    step.export.reader()?
                },
                &step.export.name(),
                step.now,
                ongoing_on,
            )?;
            staging.write(slot, &bundle.bytes, None)?;
            let summary = Disclosed {
                receipt: receipt.id_hex(),
                sector: step.sealing_key.sector().clone(),
                services: bundle.services,
                ongoing_on,
            };
            Ok((summary, vec![("bundles", 1), ("services", bundle.services)]))
        },
    )
}
