//! What every step shares: where its audit entry goes, who it is done by, and the frame that
//! checks the log first, runs the step, commits its outputs with its entry, and records a
//! failure as what it is.

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::audit::{AuditLog, DONE, Head, Step, verify};
use crate::error::{Error, Result};
use crate::files::outputs::{LockedLog, LogStep, Staging};
use crate::files::{Made, OutputKind};
use crate::primitives::ids::{RunId, SectorCode};
use crate::primitives::signing::PartySigningKey;

/// Where a step appends its audit entry (spec §16), and by whose clock.
#[derive(Debug)]
pub struct Audit {
    log: Log,
    time: Option<OffsetDateTime>,
    /// The last step's entry, as it was (or would have been) appended: its summary for machines.
    last: Mutex<Option<Step>>,
}

#[derive(Debug)]
enum Log {
    None,
    File(PathBuf),
    /// A log held in memory (a browser tool's), appended in place.
    Memory(Mutex<Vec<u8>>),
}

impl Audit {
    /// No audit log: the step leaves no entry.
    pub fn none() -> Audit {
        Audit {
            log: Log::None,
            time: None,
            last: Mutex::new(None),
        }
    }

    /// The log in this file (created if missing, verified before every step).
    pub fn file(path: impl Into<PathBuf>) -> Audit {
        Audit {
            log: Log::File(path.into()),
            time: None,
            last: Mutex::new(None),
        }
    }

    /// A log held in memory: `log` is its text so far (empty for a new one); read it back with
    /// [`Audit::memory_log`] after the steps.
    pub fn memory(log: Vec<u8>) -> Audit {
        Audit {
            log: Log::Memory(Mutex::new(log)),
            time: None,
            last: Mutex::new(None),
        }
    }

    /// Entries timed by `time` rather than the system clock (for tests and vectors).
    pub fn at(mut self, time: OffsetDateTime) -> Audit {
        self.time = Some(time);
        self
    }

    /// The entry of the last step run with this log — what it made with each output's digest,
    /// its counts and its outcome (`done` or the rule that stopped it) — whether or not a log is
    /// kept: the summary a scheduled job reads. `None` before any step.
    pub fn last_step(&self) -> Option<Step> {
        lock(&self.last).clone()
    }

    /// The in-memory log's text now; `None` for a file or no log.
    pub fn memory_log(&self) -> Option<Vec<u8>> {
        match &self.log {
            Log::Memory(text) => Some(lock(text).clone()),
            _ => None,
        }
    }

    /// The entry's time; none without a log (so that a step without one needs no clock: the
    /// WebAssembly build has none of its own).
    fn time(&self) -> String {
        if matches!(self.log, Log::None) {
            return String::new();
        }
        let time = self.time.unwrap_or_else(OffsetDateTime::now_utc);
        // RFC 3339 formats every representable UTC time.
        time.format(&Rfc3339).unwrap_or_default()
    }

    /// Verifies the log, so that a step does no work it could not record, and gives its head
    /// (empty without a log): what a file handed on carries as evidence of its author's log.
    pub(crate) fn check(&self) -> Result<Head> {
        match &self.log {
            Log::None => Ok(Head::EMPTY),
            Log::File(path) if !path.exists() => Ok(Head::EMPTY),
            Log::File(path) => LockedLog::open(path).map(|log| log.head),
            Log::Memory(text) => verify(&lock(text)[..], "audit log", None),
        }
    }

    /// The highest value of the count `name` among this log's entries (spec §14.4: the consent
    /// state's sequence a party has already used); `None` without a log, or when no entry has
    /// it.
    pub(crate) fn highest_count(&self, name: &str) -> Result<Option<u64>> {
        match &self.log {
            Log::None => Ok(None),
            Log::File(path) if !path.exists() => Ok(None),
            Log::File(path) => {
                let file = path.display().to_string();
                let text = std::fs::read(path).map_err(|e| Error::io(&file, e))?;
                crate::audit::highest_count(&text, &file, name)
            }
            Log::Memory(text) => crate::audit::highest_count(&lock(text), "audit log", name),
        }
    }

    /// Appends a step to the in-memory log.
    fn append_in_memory(
        &self,
        text: &Mutex<Vec<u8>>,
        step: Step,
        signing: Option<&PartySigningKey>,
    ) -> Result<()> {
        let mut text = lock(text);
        let head = verify(&text[..], "audit log", None)?;
        let line = AuditLog::continuing(head).append_signed(step, signing)?;
        text.extend_from_slice(line.as_bytes());
        Ok(())
    }
}

fn lock<T>(held: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A step that panicked while appending left whole lines or none: the text is still a log
    // (and the last step's summary is whole or none).
    held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Who does a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Party {
    /// The key custodian.
    Custodian,
    /// The central matcher.
    Matcher,
    /// The consent registry.
    Registry,
    /// The plan team.
    PlanTeam,
    /// A sector.
    Sector(SectorCode),
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Party::Custodian => f.write_str("custodian"),
            Party::Matcher => f.write_str("matcher"),
            Party::Registry => f.write_str("registry"),
            Party::PlanTeam => f.write_str("plan-team"),
            Party::Sector(sector) => write!(f, "sector:{sector}"),
        }
    }
}

/// A step's entry before its outcome: who, what, which run, the party's key it is signed with
/// (spec §16), and what it noted on the way.
pub(crate) struct Record {
    pub(crate) party: Party,
    pub(crate) action: &'static str,
    pub(crate) run: Option<RunId>,
    pub(crate) signing: Option<PartySigningKey>,
    /// Counts the entry carries whether the step is done or refused (the consent state a
    /// refused disclosure was judged against).
    pub(crate) noted: Counts,
}

/// Counts a step reports, by name.
pub(crate) type Counts = Vec<(&'static str, u64)>;

impl Record {
    fn step(&self, time: String, counts: &Counts, outcome: &str) -> Step {
        Step {
            time,
            party: self.party.to_string(),
            action: self.action.into(),
            run: self.run.as_ref().map(RunId::to_string),
            made: Vec::new(),
            counts: self
                .noted
                .iter()
                .chain(counts)
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect(),
            outcome: outcome.into(),
        }
    }
}

/// A step done: its summary, and what it made (in memory, with the bytes).
#[derive(Debug)]
pub struct Completed<S> {
    /// What the step found and did.
    pub summary: S,
    /// Every output, in order.
    pub made: Vec<Made>,
}

impl<S> Completed<S> {
    /// The first output of `kind`.
    pub fn output(&self, kind: OutputKind) -> Option<&Made> {
        self.made.iter().find(|m| m.kind == kind)
    }

    /// The bytes of the first output of `kind` that went to memory.
    pub fn bytes(&self, kind: OutputKind) -> Option<&[u8]> {
        self.output(kind).and_then(|m| m.bytes.as_deref())
    }
}

/// Runs a step: checks the log, runs `body` (which declares and writes its outputs, may name
/// the run once it has read it, and gives its summary and counts), commits the outputs with
/// the entry, and on a failure removes what was begun and appends the failure's class as the
/// outcome.
pub(crate) fn run<S>(
    audit: &Audit,
    mut record: Record,
    body: impl FnOnce(&mut Staging, &mut Record) -> Result<(S, Counts)>,
) -> Result<Completed<S>> {
    let mut staging = Staging::after(audit.check()?);
    let (summary, counts) = match body(&mut staging, &mut record) {
        Ok(done) => done,
        Err(error) => {
            drop(staging);
            return Err(failed(audit, &record, error));
        }
    };
    let step = record.step(audit.time(), &counts, DONE);
    let mut summary_step = step.clone();
    let made = match &audit.log {
        Log::File(path) => staging.commit(Some(LogStep {
            log: path,
            step,
            signing: record.signing.as_ref(),
        })),
        Log::None => staging.commit(None),
        Log::Memory(text) => staging.commit(None).and_then(|made| {
            let mut step = step;
            step.made = made.iter().map(Made::entry).collect();
            match audit.append_in_memory(text, step, record.signing.as_ref()) {
                Ok(()) => Ok(made),
                Err(error) => Err(error.into()),
            }
        }),
    };
    match made {
        Ok(made) => {
            summary_step.made = made.iter().map(Made::entry).collect();
            *lock(&audit.last) = Some(summary_step);
            Ok(Completed { summary, made })
        }
        // Past its commit point the step has happened: whoever comes next finishes it.
        Err(e) if e.past_commit_point => Err(e.error),
        Err(e) => Err(failed(audit, &record, e.error)),
    }
}

/// Records a failed step (best effort: the step's own error is what the caller needs), and
/// gives its error back.
fn failed(audit: &Audit, record: &Record, error: Error) -> Error {
    // What the step noted before it was refused stays in its entry.
    let step = record.step(audit.time(), &Vec::new(), error.class());
    *lock(&audit.last) = Some(step.clone());
    let _ = match &audit.log {
        Log::None => Ok(()),
        Log::File(path) => LockedLog::open(path).and_then(|mut log| {
            let line =
                AuditLog::continuing(log.head).append_signed(step, record.signing.as_ref())?;
            log.append(&line)
        }),
        Log::Memory(text) => audit.append_in_memory(text, step, record.signing.as_ref()),
    };
    error
}
