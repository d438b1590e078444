//! A step's outputs (spec §18): each written to a partial file beside where it goes, with the
//! mode the spec fixes for its kind, and all of them committed as one together with the step's
//! audit entry. A commit of more than one thing writes a journal first: from the moment the
//! journal is in place the step has happened, and whoever finds a journal of a step that did
//! not finish (the next step reading or writing in that folder) finishes it. Killed at any
//! moment, a step therefore leaves all of its outputs and its entry, or none of them.
//!
//! An output may also go to memory instead (the file-free form of the steps, for WebAssembly
//! and callers that hold their data in memory): the same step, the bytes handed back.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{AuditLog, Entry, Head, MadeEntry, Step, verify};
use crate::error::{Error, Result, Rule};
use crate::files::{create, partial_path};
use crate::formats::json::{self, Shape};
use crate::primitives::keys::KeyKind;
use crate::primitives::signing::PartySigningKey;

/// Where an output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A file.
    File(PathBuf),
    /// Memory: the bytes come back with the step's summary, under this name.
    Memory(String),
}

impl Place {
    /// A file.
    pub fn file(path: impl Into<PathBuf>) -> Place {
        Place::File(path.into())
    }

    /// Memory, under `name`.
    pub fn memory(name: impl Into<String>) -> Place {
        Place::Memory(name.into())
    }

    /// The name errors and audit entries use.
    pub fn name(&self) -> String {
        match self {
            Place::File(path) => path.display().to_string(),
            Place::Memory(name) => name.clone(),
        }
    }

    /// `name` in the folder `dir`, or in memory when `dir` is `None`.
    pub(crate) fn in_folder(dir: Option<&Path>, name: &str) -> Place {
        match dir {
            Some(dir) => Place::File(dir.join(name)),
            None => Place::Memory(name.to_owned()),
        }
    }
}

/// What an output is; its kind fixes its file mode and whether an existing file is replaced
/// (spec §18.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutputKind {
    /// A key file of this kind.
    Key(KeyKind),
    /// A sector's publication (§7).
    Publication,
    /// A publish's accounting report (§8.5).
    AccountingReport,
    /// A sector's request for the one-citizen check (§12.8).
    CheckRequest,
    /// The matcher's answer to it (§12.8).
    CheckAnswer,
    /// The match's check index, what checks are answered from (§12.8).
    CheckIndex,
    /// A sector's check answers by CPR number (§12.8): it holds CPR numbers.
    CheckResults,
    /// The matcher's result file (§12.6).
    MatchResult,
    /// The statistics as JSON (§12.7).
    StatisticsJson,
    /// The statistics as CSV (§12.7).
    StatisticsCsv,
    /// One sector's flag file (§7.6).
    FlagFile,
    /// The caseworkers' work list (§13.1): it holds CPR numbers.
    WorkList,
    /// A sector's verdict file (§13.2).
    Verdicts,
    /// The final selection (§13.3).
    Selection,
    /// A consent receipt (§14.2).
    Receipt,
    /// A withdrawal (§14.3).
    Withdrawal,
    /// The consent registry's consent state (§14.4): public, replaced by the next.
    ConsentState,
    /// A disclosure bundle (§15).
    Bundle,
    /// The plan team's opened disclosures (§18.2).
    Opened,
}

impl OutputKind {
    /// The kind's name in audit entries.
    pub fn name(self) -> &'static str {
        match self {
            OutputKind::Key(kind) => match kind {
                KeyKind::Master => "master-key",
                KeyKind::Run => "run-key",
                KeyKind::Sealing => "sealing-key",
                KeyKind::ConsentRegistry => "consent-registry-key",
                KeyKind::ConsentRegistryPublic => "consent-registry-public-key",
                KeyKind::Subject => "subject-key",
                KeyKind::PlanTeam => "plan-team-key",
                KeyKind::PlanTeamPublic => "plan-team-public-key",
                KeyKind::Matcher => "matcher-key",
                KeyKind::SectorPublic => "sector-public-key",
            },
            OutputKind::Publication => "publication",
            OutputKind::AccountingReport => "accounting-report",
            OutputKind::CheckRequest => "check-request",
            OutputKind::CheckAnswer => "check-answer",
            OutputKind::CheckIndex => "check-index",
            OutputKind::CheckResults => "check-results",
            OutputKind::MatchResult => "match-result",
            OutputKind::StatisticsJson => "statistics-json",
            OutputKind::StatisticsCsv => "statistics-csv",
            OutputKind::FlagFile => "flag-file",
            OutputKind::WorkList => "work-list",
            OutputKind::Verdicts => "verdicts",
            OutputKind::Selection => "selection",
            OutputKind::Receipt => "receipt",
            OutputKind::Withdrawal => "withdrawal",
            OutputKind::ConsentState => "consent-state",
            OutputKind::Bundle => "bundle",
            OutputKind::Opened => "opened",
        }
    }

    /// Whether only its owner may read the file (0600; else 0644): anything that, with a key
    /// some party holds, re-identifies a person, or holds case data.
    pub fn private(self) -> bool {
        match self {
            OutputKind::Key(kind) => !kind.is_public(),
            OutputKind::AccountingReport
            | OutputKind::StatisticsJson
            | OutputKind::StatisticsCsv
            | OutputKind::Verdicts
            | OutputKind::Receipt
            | OutputKind::Withdrawal
            | OutputKind::ConsentState => false,
            OutputKind::Publication
            | OutputKind::CheckRequest
            | OutputKind::CheckAnswer
            | OutputKind::CheckIndex
            | OutputKind::CheckResults
            | OutputKind::MatchResult
            | OutputKind::FlagFile
            | OutputKind::WorkList
            | OutputKind::Selection
            | OutputKind::Bundle
            | OutputKind::Opened => true,
        }
    }

    /// Whether an existing file is replaced. Never for keys, receipts and withdrawals (they
    /// are issued once), a match's results (verdicts refer to its candidate ids) and a work
    /// list (the caseworkers may have filled it in).
    pub fn replaces(self) -> bool {
        !matches!(
            self,
            OutputKind::Key(_)
                | OutputKind::Receipt
                | OutputKind::Withdrawal
                | OutputKind::MatchResult
                | OutputKind::CheckIndex
                | OutputKind::StatisticsJson
                | OutputKind::StatisticsCsv
                | OutputKind::FlagFile
                | OutputKind::WorkList
        )
    }

    fn exists_error(self, name: &str) -> Error {
        match self {
            OutputKind::Key(_) => Error::input(name, 0, Rule::KeyFileExists),
            _ => Error::input(name, 0, Rule::OutputExists),
        }
    }
}

/// An output a step made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Made {
    /// What it is.
    pub kind: OutputKind,
    /// Its file as the caller named it, or its name in memory.
    pub name: String,
    /// For a key file the key's fingerprint; for a publication or flag file its trailer
    /// digest; otherwise SHA-256 of its bytes (hex).
    pub digest: String,
    /// Its bytes, when it went to memory.
    pub bytes: Option<Vec<u8>>,
}

impl Made {
    /// The output as an audit entry names it.
    pub fn entry(&self) -> MadeEntry {
        MadeEntry {
            file: self.name.clone(),
            kind: self.kind.name().to_owned(),
            digest: self.digest.clone(),
        }
    }
}

/// Writes one streamed output: a partial file, or memory.
pub(crate) struct OutputWriter {
    slot: Slot,
    sink: Sink,
}

enum Sink {
    File(BufWriter<File>),
    Memory(Vec<u8>),
}

impl Write for OutputWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::File(file) => file.write(buf),
            Sink::Memory(bytes) => bytes.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::File(file) => file.write_all(buf),
            Sink::Memory(bytes) => bytes.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::File(file) => file.flush(),
            Sink::Memory(_) => Ok(()),
        }
    }
}

/// An output declared by [`Staging::declare`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot(usize);

struct Staged {
    kind: OutputKind,
    place: Place,
    partial: Option<PathBuf>,
    made: Option<Made>,
}

/// A step's outputs on their way: declared, written, then committed as one. Dropped without
/// a commit, it removes its partial files.
pub(crate) struct Staging {
    staged: Vec<Staged>,
    /// The head of the step's audit log before the step: what the files it hands on carry as
    /// evidence of their author's log (spec §16.3).
    log_head: Head,
    /// The commit point was passed: the partial files belong to a journal now.
    committed: bool,
}

/// Why a commit failed, and whether it had passed its commit point (the step then counts as
/// done: a later step finishes it).
pub(crate) struct CommitError {
    pub(crate) error: Error,
    pub(crate) past_commit_point: bool,
}

impl From<Error> for CommitError {
    fn from(error: Error) -> CommitError {
        CommitError {
            error,
            past_commit_point: false,
        }
    }
}

/// An audit entry to append with a commit: the log and the step (its `made` filled in by the
/// commit).
pub(crate) struct LogStep<'a> {
    pub(crate) log: &'a Path,
    pub(crate) step: Step,
    /// The party's key the entry is signed with, if it signs (spec §16).
    pub(crate) signing: Option<&'a PartySigningKey>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn io_of(place: &Place) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(&place.name(), e)
}

impl Staging {
    /// Outputs of a step whose audit log's head before it is `log_head`.
    pub(crate) fn after(log_head: Head) -> Staging {
        Staging {
            staged: Vec::new(),
            log_head,
            committed: false,
        }
    }

    /// The head of the step's audit log before the step (empty without a log).
    pub(crate) fn log_head(&self) -> Head {
        self.log_head
    }

    /// Declares an output before any work is done, so that one which may not be replaced and
    /// exists already stops the step at once.
    pub(crate) fn declare(&mut self, kind: OutputKind, place: Place) -> Result<Slot> {
        if let Place::File(path) = &place {
            settle(folder_of(path))?;
            if !kind.replaces() && path.exists() {
                return Err(kind.exists_error(&place.name()));
            }
            if self.staged.iter().any(|s| s.place == place) {
                return Err(Error::input(&place.name(), 0, Rule::OutputExists));
            }
        }
        self.staged.push(Staged {
            kind,
            place,
            partial: None,
            made: None,
        });
        Ok(Slot(self.staged.len() - 1))
    }

    /// The place a slot writes to.
    pub(crate) fn name(&self, slot: Slot) -> String {
        self.staged[slot.0].place.name()
    }

    /// Starts writing a streamed output (making its folder if need be).
    pub(crate) fn writer(&mut self, slot: Slot) -> Result<OutputWriter> {
        let staged = &mut self.staged[slot.0];
        let sink = match &staged.place {
            Place::File(path) => {
                let partial = partial_path(path);
                std::fs::create_dir_all(folder_of(path)).map_err(io_of(&staged.place))?;
                let file = create(&partial, staged.kind.private()).map_err(io_of(&staged.place))?;
                staged.partial = Some(partial);
                fault_point();
                Sink::File(BufWriter::with_capacity(1 << 20, file))
            }
            Place::Memory(_) => Sink::Memory(Vec::new()),
        };
        Ok(OutputWriter { slot, sink })
    }

    /// Finishes a streamed output whose digest its writer computed.
    pub(crate) fn finish(&mut self, writer: OutputWriter, digest: String) -> Result<()> {
        let staged = &mut self.staged[writer.slot.0];
        let bytes = match writer.sink {
            Sink::File(buffered) => {
                let file = buffered
                    .into_inner()
                    .map_err(|e| Error::io(&staged.place.name(), e.into_error()))?;
                file.sync_all().map_err(io_of(&staged.place))?;
                fault_point();
                None
            }
            Sink::Memory(bytes) => Some(bytes),
        };
        staged.made = Some(Made {
            kind: staged.kind,
            name: staged.place.name(),
            digest,
            bytes,
        });
        Ok(())
    }

    /// Writes a whole output; its digest is SHA-256 of `bytes` unless given (a key's
    /// fingerprint).
    pub(crate) fn write(&mut self, slot: Slot, bytes: &[u8], digest: Option<String>) -> Result<()> {
        let digest = digest.unwrap_or_else(|| sha256_hex(bytes));
        let mut writer = self.writer(slot)?;
        writer
            .write_all(bytes)
            .map_err(|e| Error::io(&self.name(slot), e))?;
        self.finish(writer, digest)
    }

    /// Writes an output as `body` streams it, its digest the SHA-256 of what was written: for
    /// an output too large to hold in memory first.
    pub(crate) fn write_streamed(
        &mut self,
        slot: Slot,
        body: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        struct Hashing<'w> {
            inner: &'w mut OutputWriter,
            hasher: Sha256,
        }
        impl Write for Hashing<'_> {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                let written = self.inner.write(bytes)?;
                self.hasher.update(&bytes[..written]);
                Ok(written)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                self.inner.flush()
            }
        }
        let mut writer = self.writer(slot)?;
        let mut hashing = Hashing {
            inner: &mut writer,
            hasher: Sha256::new(),
        };
        body(&mut hashing)?;
        let digest = hex::encode(hashing.hasher.finalize());
        self.finish(writer, digest)
    }

    /// What was made so far, in the order declared (every output once committed).
    fn made(&self) -> Vec<Made> {
        self.staged.iter().filter_map(|s| s.made.clone()).collect()
    }

    /// Commits every output and, if `log` names one, the step's audit entry, as one. Memory
    /// outputs just come back.
    pub(crate) fn commit(mut self, log: Option<LogStep<'_>>) -> Result<Vec<Made>, CommitError> {
        if self.staged.iter().any(|s| s.made.is_none()) {
            // A step declares only what it writes; one left unwritten is a bug, not a commit.
            return Err(Error::parameter(Rule::AuditStep).into());
        }
        let made = self.made();
        let renames: Vec<(PathBuf, PathBuf, OutputKind)> = self
            .staged
            .iter()
            .filter_map(|s| match (&s.place, &s.partial) {
                (Place::File(path), Some(partial)) => Some((partial.clone(), path.clone(), s.kind)),
                _ => None,
            })
            .collect();
        // Checked again: another process may have made one since the step began.
        for (_, path, kind) in &renames {
            if !kind.replaces() && path.exists() {
                return Err(kind.exists_error(&path.display().to_string()).into());
            }
        }
        let mut locked = match &log {
            Some(log) => Some(LockedLog::open(log.log)?),
            None => None,
        };
        let line = match (&log, &locked) {
            (Some(log), Some(locked)) => {
                let mut step = log.step.clone();
                step.made = made.iter().map(Made::entry).collect();
                Some(AuditLog::continuing(locked.head).append_signed(step, log.signing)?)
            }
            _ => None,
        };
        if renames.len() + usize::from(line.is_some()) <= 1 {
            // One thing to do: a rename, or an append, is atomic on its own.
            self.committed = true;
            for (partial, path, _) in &renames {
                std::fs::rename(partial, path)
                    .map_err(|e| past(Error::io(&path.display().to_string(), e)))?;
                sync_folder(folder_of(path));
            }
            if let (Some(locked), Some(line)) = (locked.as_mut(), &line) {
                locked.append(line).map_err(past)?;
            }
            return Ok(made);
        }
        let audit = match (&log, &line) {
            (Some(log), Some(line)) => Some((log.log, line.as_str())),
            _ => None,
        };
        let journal = Journal::write(&renames, audit)?;
        self.committed = true;
        journal.apply().map_err(past)?;
        if let (Some(locked), Some(line)) = (locked.as_mut(), &line) {
            locked.append(line).map_err(past)?;
            fault_point();
        }
        journal.remove();
        Ok(made)
    }
}

fn past(error: Error) -> CommitError {
    CommitError {
        error,
        past_commit_point: true,
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for partial in self.staged.iter().filter_map(|s| s.partial.as_ref()) {
            // Best effort: the partial file is incomplete by construction.
            let _ = std::fs::remove_file(partial);
        }
    }
}

/// The folder a file is in ("." for a bare name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Makes the renames in `dir` durable (best effort: not every system can sync a folder).
fn sync_folder(dir: &Path) {
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
}

/// Counts the steps of a commit and, with the `fault-injection` feature and
/// `SAMKOER_FAULT_AT=N`, aborts the process at the N-th: how the tests kill a step at every
/// moment.
pub(crate) fn fault_point() {
    #[cfg(feature = "fault-injection")]
    {
        use std::sync::atomic::{AtomicU64, Ordering};
        static POINTS: AtomicU64 = AtomicU64::new(0);
        let at = std::env::var("SAMKOER_FAULT_AT")
            .ok()
            .and_then(|n| n.parse::<u64>().ok());
        if at == Some(POINTS.fetch_add(1, Ordering::SeqCst) + 1) {
            std::process::abort();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The audit log, locked while a step appends to it.

/// An audit log opened for appending: locked against other steps, verified, its head known.
pub(crate) struct LockedLog {
    file: File,
    name: String,
    pub(crate) head: Head,
    text: Vec<u8>,
}

impl LockedLog {
    /// Opens (or creates) the log, locks it and verifies it.
    pub(crate) fn open(path: &Path) -> Result<LockedLog> {
        let name = path.display().to_string();
        let io = |e| Error::io(&name, e);
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o644);
        }
        let mut file = options.open(path).map_err(io)?;
        file.lock().map_err(io)?;
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(io)?;
        let head = verify(&text[..], &name, None)?;
        Ok(LockedLog {
            file,
            name,
            head,
            text,
        })
    }

    /// Appends a line made on this head.
    pub(crate) fn append(&mut self, line: &str) -> Result<()> {
        let io = |e| Error::io(&self.name, e);
        self.file.write_all(line.as_bytes()).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.text.extend_from_slice(line.as_bytes());
        Ok(())
    }

    /// Whether the log holds this line already.
    fn holds(&self, line: &str) -> bool {
        let line = line.trim_end_matches('\n').as_bytes();
        self.text.split(|&b| b == b'\n').any(|l| l == line)
    }
}

// ---------------------------------------------------------------------------------------------
// Commit journals (spec §18.3).

const JOURNAL_PREFIX: &str = ".samkoer-commit-";
const JOURNAL_FORMAT: &str = "samkoer-commit";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalFile {
    format: String,
    version: u32,
    renames: Vec<JournalRename>,
    audit: Option<JournalAudit>,
    copies: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalRename {
    from: String,
    to: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalAudit {
    log: String,
    line: String,
}

/// A journal in place: a copy in every folder the commit touches, each held locked by this
/// process until the commit is done, so that no other process finishes it meanwhile.
struct Journal {
    file: JournalFile,
    copies: Vec<(PathBuf, File)>,
}

fn text_of(path: &Path) -> Result<String> {
    let absolute =
        std::path::absolute(path).map_err(|e| Error::io(&path.display().to_string(), e))?;
    absolute.to_str().map(str::to_owned).ok_or_else(|| {
        Error::io(
            &path.display().to_string(),
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path is not UTF-8"),
        )
    })
}

impl Journal {
    /// Writes the journal's copies: the commit point is the first one in place.
    fn write(
        renames: &[(PathBuf, PathBuf, OutputKind)],
        audit: Option<(&Path, &str)>,
    ) -> Result<Journal> {
        let mut id = [0u8; 8];
        getrandom::fill(&mut id).map_err(|_| Error::Random)?;
        let name = format!("{JOURNAL_PREFIX}{}", hex::encode(id));
        let mut folders: Vec<PathBuf> = Vec::new();
        let mut wanted = renames
            .iter()
            .map(|(_, to, _)| folder_of(to).to_path_buf())
            .collect::<Vec<_>>();
        if let Some((log, _)) = audit {
            wanted.push(folder_of(log).to_path_buf());
        }
        for folder in wanted {
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        let copies: Vec<PathBuf> = folders.iter().map(|f| f.join(&name)).collect();
        let file = JournalFile {
            format: JOURNAL_FORMAT.into(),
            version: 1,
            renames: renames
                .iter()
                .map(|(from, to, _)| {
                    Ok(JournalRename {
                        from: text_of(from)?,
                        to: text_of(to)?,
                    })
                })
                .collect::<Result<_>>()?,
            audit: match audit {
                Some((log, line)) => Some(JournalAudit {
                    log: text_of(log)?,
                    line: line.to_owned(),
                }),
                None => None,
            },
            copies: copies.iter().map(|c| text_of(c)).collect::<Result<_>>()?,
        };
        // Paths and a line of counts: serialising cannot fail.
        let bytes = serde_json::to_vec(&file).unwrap_or_default();
        let mut journal = Journal {
            file,
            copies: Vec::new(),
        };
        for copy in copies {
            let name = copy.display().to_string();
            let partial = partial_path(&copy);
            let mut handle = create(&partial, false).map_err(|e| Error::io(&name, e))?;
            let written = handle
                .lock()
                .and_then(|()| handle.write_all(&bytes))
                .and_then(|()| handle.sync_all())
                .and_then(|()| std::fs::rename(&partial, &copy));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&partial);
                // The copies already in place are this commit's: take them back.
                journal.remove();
                return Err(Error::io(&name, e));
            }
            sync_folder(folder_of(&copy));
            fault_point();
            journal.copies.push((copy, handle));
        }
        Ok(journal)
    }

    /// Makes the renames (those already made are skipped).
    fn apply(&self) -> Result<()> {
        apply_renames(&self.file.renames)
    }

    /// Removes every copy; the locks go with the handles.
    fn remove(self) {
        for (copy, _) in &self.copies {
            let _ = std::fs::remove_file(copy);
            sync_folder(folder_of(copy));
            fault_point();
        }
    }
}

fn apply_renames(renames: &[JournalRename]) -> Result<()> {
    for rename in renames {
        let (from, to) = (Path::new(&rename.from), Path::new(&rename.to));
        if from.exists() {
            std::fs::rename(from, to).map_err(|e| Error::io(&rename.to, e))?;
            sync_folder(folder_of(to));
            fault_point();
        }
    }
    Ok(())
}

/// Finishes every step whose commit journal lies in `dir` and whose process is gone (its
/// lock is free): the renames it did not make, and its audit entry if the log does not hold
/// it yet (chained on the log's head as it is now). A journal held locked is a commit in
/// progress and is left to its process.
pub fn settle(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        // No folder, or one that cannot be listed: there is nothing of ours to finish there.
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        if !name.starts_with(JOURNAL_PREFIX) {
            continue;
        }
        let path = entry.path();
        if name.ends_with(".partial") {
            // A journal that was never put in place: its step never reached its commit point.
            if let Ok(handle) = File::open(&path)
                && handle.try_lock().is_ok()
            {
                let _ = std::fs::remove_file(&path);
            }
            continue;
        }
        finish_journal(&path)?;
    }
    Ok(())
}

fn finish_journal(path: &Path) -> Result<()> {
    let name = path.display().to_string();
    let Ok(mut handle) = File::open(path) else {
        return Ok(());
    };
    if handle.try_lock().is_err() || !path.exists() {
        // Held by its process, or finished by another while this one waited.
        return Ok(());
    }
    let mut text = String::new();
    handle
        .read_to_string(&mut text)
        .map_err(|_| Error::input(&name, 0, Rule::CommitJournal))?;
    const SHAPE: Shape = Shape::Object(&[
        ("renames", Shape::ArrayOf(&Shape::Object(&[]))),
        ("audit", Shape::Object(&[])),
    ]);
    let journal: JournalFile = json::parse(&text, &name, Rule::CommitJournal, &SHAPE)
        .ok()
        .filter(|j: &JournalFile| j.format == JOURNAL_FORMAT && j.version == 1)
        .ok_or_else(|| Error::input(&name, 0, Rule::CommitJournal))?;
    apply_renames(&journal.renames)?;
    if let Some(audit) = &journal.audit {
        let mut log = LockedLog::open(Path::new(&audit.log))?;
        if !log.holds(&audit.line) {
            let entry: Entry = serde_json::from_str(audit.line.trim_end())
                .map_err(|_| Error::input(&name, 0, Rule::CommitJournal))?;
            // Made on the head the log still has: appended as it is, its signature with it.
            if entry.seq == log.head.seq + 1 && entry.prev == hex::encode(log.head.hash) {
                log.append(&audit.line)?;
            } else {
                // The log moved on meanwhile: the entry is chained anew, and unsigned, since
                // the key is not here (verifying shows it as not signed by its party, §16).
                let step = Step {
                    time: entry.time,
                    party: entry.party,
                    action: entry.action,
                    run: entry.run,
                    made: entry.made,
                    counts: entry.counts,
                    outcome: entry.outcome,
                };
                let line = AuditLog::continuing(log.head).append(step)?;
                log.append(&line)?;
            }
        }
    }
    for copy in &journal.copies {
        let _ = std::fs::remove_file(copy);
    }
    Ok(())
}
