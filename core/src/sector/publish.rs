//! Publishing: a sector's case-system export (and relations file) in, a publication and an
//! accounting report out (spec §8.4). Every input row ends up in exactly one of published,
//! excluded by policy (with the rule), or rejected as invalid (with line and rule).

use std::collections::BTreeMap;
#[cfg(not(target_arch = "wasm32"))]
use std::collections::VecDeque;
use std::io::{Read, Write};
#[cfg(not(target_arch = "wasm32"))]
use std::sync::mpsc;

use csv::ByteRecord;
#[cfg(not(target_arch = "wasm32"))]
use csv::StringRecord;
use serde::Serialize;
use time::Date;

use crate::audit::Head;
use crate::error::{Error, Refusal, Result, Rule};
use crate::formats::catalogue::{Catalogue, Category, Service};
use crate::formats::export::{
    ExportOptions, ExportReader, ExportRowParser, RawRow, RejectedRow, RelationsReader, RowOutcome,
    ServiceRow, Status,
};
use crate::formats::publication::{
    Author, EncodedServices, FileHeader, FileKind, FileWriter, RelationRecord, ServiceHead,
    YearMonth,
};
use crate::primitives::envelope::{EnvelopeFields, EnvelopeKey, SealState};
use crate::primitives::ids::SectorCode;
use crate::primitives::keys::{RunKey, SealingKey};
use crate::primitives::pseudonym::Pseudonymiser;
use crate::primitives::signing::PartySigningKey;

/// Applies the publishing policy to a valid row (spec §8.4): the row's allowed service of
/// `sector`, ongoing on `reference`; or why not — an exclusion, or the rule of an invalid row.
pub(crate) fn ongoing_service<'c, S: AsRef<str>>(
    catalogue: &'c Catalogue,
    sector: &SectorCode,
    reference: Date,
    row: &ServiceRow<S>,
) -> std::result::Result<&'c Service, std::result::Result<Exclusion, Rule>> {
    // An unknown code is invalid data whatever the status, so it is checked first.
    let category = catalogue
        .lookup(row.service.as_ref())
        .ok_or(Err(Rule::ServiceUnknown))?;
    match row.status {
        Status::Active => {}
        Status::Ended => return Err(Ok(Exclusion::StatusEnded)),
        Status::Pending => return Err(Ok(Exclusion::StatusPending)),
        Status::Refused => return Err(Ok(Exclusion::StatusRefused)),
    }
    let service = match category {
        Category::Excluded(_) => return Err(Ok(Exclusion::CategoryExcluded)),
        Category::Allowed(service) => service,
    };
    if service.sector != *sector {
        return Err(Ok(Exclusion::OtherSector));
    }
    if row.end.is_some_and(|end| end < reference) {
        return Err(Ok(Exclusion::EndedBeforeReference));
    }
    if row.start > reference {
        return Err(Ok(Exclusion::StartsAfterReference));
    }
    Ok(service)
}

/// Why a valid row is not published: the policy rules (spec §8.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exclusion {
    /// The service has ended.
    StatusEnded,
    /// The service is applied for, not granted.
    StatusPending,
    /// The service was refused.
    StatusRefused,
    /// The catalogue excludes the category (housing benefit, aids, transport, ...).
    CategoryExcluded,
    /// The category belongs to another sector.
    OtherSector,
    /// The row is active but its end date lies before the reference date.
    EndedBeforeReference,
    /// The row is active but starts after the reference date.
    StartsAfterReference,
    /// A relation whose child is 18 or over on the reference date.
    ChildNotMinor,
}

impl Exclusion {
    /// The rule's stable name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Exclusion::StatusEnded => "status-ended",
            Exclusion::StatusPending => "status-pending",
            Exclusion::StatusRefused => "status-refused",
            Exclusion::CategoryExcluded => "category-excluded",
            Exclusion::OtherSector => "other-sector",
            Exclusion::EndedBeforeReference => "ended-before-reference",
            Exclusion::StartsAfterReference => "starts-after-reference",
            Exclusion::ChildNotMinor => "child-not-minor",
        }
    }
}

/// A rejected line in a report: where, and which rule. Never the value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RejectedLine {
    /// The 1-based line.
    pub line: u64,
    /// The rule's stable name.
    pub rule: &'static str,
    /// The rule's stable code.
    pub code: u32,
}

/// The accounting of one input file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    /// The input file, as the caller named it.
    pub file: String,
    /// Data rows read (blank lines are no rows).
    pub rows: u64,
    /// Rows that became records.
    pub published: u64,
    /// Valid rows that policy kept back.
    pub excluded: u64,
    /// Invalid rows.
    pub rejected: u64,
    /// Excluded rows by policy rule.
    pub excluded_by_rule: BTreeMap<&'static str, u64>,
    /// Rejected rows by rule.
    pub rejected_by_rule: BTreeMap<&'static str, u64>,
    /// Every rejected row, in file order.
    pub rejected_lines: Vec<RejectedLine>,
    /// The encoding the file was read in (spec §8.1): `utf-8`, `utf-8-bom` or `windows-1252`.
    pub encoding: &'static str,
    /// Status values not understood (`status-unknown`) with their counts: only values that
    /// hold no digit, at most [`UNKNOWN_STATUSES_KEPT`] of them (spec §8.5).
    pub unknown_statuses: BTreeMap<String, u64>,
}

/// How many distinct status values not understood a report keeps.
pub const UNKNOWN_STATUSES_KEPT: usize = 20;

/// The limits a publish keeps to (spec §8.6), so that a scheduled job never publishes much
/// less than it was given and exits as if all were well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublishLimits {
    /// The most rows of a file that may be rejected, in percent of its rows (100: no limit).
    max_rejected_percent: u8,
    /// Whether a file whose rows are all excluded by one rule may publish (nothing of it).
    allow_all_excluded: bool,
}

impl Default for PublishLimits {
    fn default() -> PublishLimits {
        PublishLimits {
            max_rejected_percent: 5,
            allow_all_excluded: false,
        }
    }
}

impl PublishLimits {
    /// Limits of the caller's: `max_rejected_percent` from 0 to 100.
    pub fn new(max_rejected_percent: u32, allow_all_excluded: bool) -> Result<PublishLimits> {
        let max_rejected_percent = u8::try_from(max_rejected_percent)
            .ok()
            .filter(|p| *p <= 100)
            .ok_or(Error::parameter(Rule::LimitGiven))?;
        Ok(PublishLimits {
            max_rejected_percent,
            allow_all_excluded,
        })
    }

    /// The limit on rejected rows, in percent.
    pub fn max_rejected_percent(&self) -> u8 {
        self.max_rejected_percent
    }

    /// Refuses a file's accounting that breaks a limit: more rejected rows than the limit's
    /// share of its rows, or every row excluded by one rule.
    pub fn check(&self, accounting: &Accounting) -> Result<()> {
        let rows = accounting.rows;
        let too_many_rejected =
            accounting.rejected * 100 > u64::from(self.max_rejected_percent) * rows;
        let all_excluded_by_one = rows > 0
            && accounting.excluded == rows
            && accounting.excluded_by_rule.len() == 1
            && !self.allow_all_excluded;
        let (rule, by_rule) = if too_many_rejected {
            (Rule::RejectedLimit, &accounting.rejected_by_rule)
        } else if all_excluded_by_one {
            (Rule::AllExcluded, &accounting.excluded_by_rule)
        } else {
            return Ok(());
        };
        // The three most frequent, ties in byte order: picked one by one from the few rules
        // there are, which keeps a sort out of the WebAssembly module.
        let mut rules: Vec<(&'static str, u64)> = Vec::new();
        while rules.len() < 3 {
            let next = by_rule
                .iter()
                .filter(|(rule, _)| !rules.iter().any(|(taken, _)| taken == *rule))
                .fold(
                    None,
                    |best: Option<(&'static str, u64)>, (rule, n)| match best {
                        Some((_, most)) if most >= *n => best,
                        _ => Some((*rule, *n)),
                    },
                );
            match next {
                Some(rule) => rules.push(rule),
                None => break,
            }
        }
        let unknown_statuses: Vec<(String, u64)> = accounting
            .unknown_statuses
            .iter()
            .map(|(value, n)| (value.clone(), *n))
            .collect();
        Err(Error::Refused {
            file: accounting.file.clone(),
            rule,
            refusal: Box::new(Refusal {
                rows,
                published: accounting.published,
                excluded: accounting.excluded,
                rejected: accounting.rejected,
                limit_percent: self.max_rejected_percent,
                rules,
                unknown_statuses,
            }),
        })
    }
}

impl Accounting {
    fn new(file: &str) -> Accounting {
        Accounting {
            file: file.to_owned(),
            ..Accounting::default()
        }
    }

    fn publish(&mut self) {
        self.rows += 1;
        self.published += 1;
    }

    fn exclude(&mut self, why: Exclusion) {
        self.rows += 1;
        self.excluded += 1;
        *self.excluded_by_rule.entry(why.name()).or_default() += 1;
    }

    /// Counts a status value not understood, if it holds no digit (so never a CPR number or
    /// a part of one) and the report keeps fewer than its most.
    fn unknown_status(&mut self, value: Option<&str>) {
        let Some(value) = value.map(str::trim) else {
            return;
        };
        let shown = !value.is_empty()
            && value.chars().count() <= 40
            && !value.chars().any(|c| c.is_ascii_digit() || c.is_control());
        if shown {
            self.count_status(value, 1);
        }
    }

    /// Adds `count` rows to a status value's, if it is kept already or there is room for it.
    fn count_status(&mut self, value: &str, count: u64) {
        if let Some(kept) = self.unknown_statuses.get_mut(value) {
            *kept += count;
        } else if self.unknown_statuses.len() < UNKNOWN_STATUSES_KEPT {
            self.unknown_statuses.insert(value.to_owned(), count);
        }
    }

    fn reject(&mut self, row: RejectedRow) {
        self.rows += 1;
        self.rejected += 1;
        *self.rejected_by_rule.entry(row.rule.name()).or_default() += 1;
        self.rejected_lines.push(RejectedLine {
            line: row.line,
            rule: row.rule.name(),
            code: row.rule.code(),
        });
    }

    /// Adds the counts and rejected lines of rows read after this file's so far.
    fn absorb(&mut self, later: Accounting) {
        self.rows += later.rows;
        self.published += later.published;
        self.excluded += later.excluded;
        self.rejected += later.rejected;
        for (rule, count) in later.excluded_by_rule {
            *self.excluded_by_rule.entry(rule).or_default() += count;
        }
        for (rule, count) in later.rejected_by_rule {
            *self.rejected_by_rule.entry(rule).or_default() += count;
        }
        self.rejected_lines.extend(later.rejected_lines);
        for (value, count) in &later.unknown_statuses {
            self.count_status(value, *count);
        }
    }

    /// The four counts by name, as audit entries and summaries give them.
    pub fn counts(&self) -> [(&'static str, u64); 4] {
        [
            ("rows", self.rows),
            ("published", self.published),
            ("excluded", self.excluded),
            ("rejected", self.rejected),
        ]
    }

    /// Whether every row is accounted for exactly once.
    pub fn is_balanced(&self) -> bool {
        self.rows == self.published + self.excluded + self.rejected
            && self.excluded == self.excluded_by_rule.values().sum::<u64>()
            && self.rejected == self.rejected_by_rule.values().sum::<u64>()
            && self.rejected == self.rejected_lines.len() as u64
    }
}

/// The machine-readable report of one publish (spec §8.5).
#[derive(Clone, Debug, Serialize)]
pub struct AccountingReport {
    /// Always `samkoer-accounting`.
    pub format: &'static str,
    /// The report format's version.
    pub version: u32,
    /// The municipality.
    pub municipality: String,
    /// The run.
    pub run: String,
    /// The publishing sector.
    pub sector: String,
    /// The run key's fingerprint.
    pub run_key_fingerprint: String,
    /// The catalogue version applied.
    pub catalogue_version: String,
    /// The reference date, `YYYY-MM-DD`.
    pub reference_date: String,
    /// The export's accounting.
    pub export: Accounting,
    /// The relations file's accounting, if one was given.
    pub relations: Option<Accounting>,
}

impl AccountingReport {
    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings, numbers and maps with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// What a publish made: the publication (in its writer, flushed), its accounting report and
/// its trailer digest.
#[derive(Debug)]
pub struct Published<W> {
    /// The writer the publication went to.
    pub output: W,
    /// The accounting of every input row.
    pub report: AccountingReport,
    /// The publication's trailer digest (spec §7.4).
    pub digest: [u8; 32],
}

/// A publishing worker's two channels: batches of raw rows in, their results out.
#[cfg(not(target_arch = "wasm32"))]
type WorkerChannels = (mpsc::Sender<Vec<RawRow>>, mpsc::Receiver<Result<DoneBatch>>);

/// A batch done by a worker: its records, its accounting, and its rows' buffers for reuse.
#[cfg(not(target_arch = "wasm32"))]
struct DoneBatch {
    records: EncodedServices,
    accounting: Accounting,
    rows: Vec<RawRow>,
}

/// Reads up to a batch of raw rows into `batch`, reusing its rows' buffers; `false` at the end
/// of the export.
fn read_batch(rows: &mut ExportReader, batch: &mut Vec<RawRow>) -> Result<bool> {
    const BATCH: usize = 2048;
    let mut filled = 0;
    while filled < BATCH {
        if filled == batch.len() {
            batch.push(Ok((0, ByteRecord::new())));
        }
        match rows.next_raw_into(&mut batch[filled]) {
            Some(read) => read?,
            None => break,
        }
        filled += 1;
    }
    batch.truncate(filled);
    Ok(filled > 0)
}

/// Everything a sector needs to publish for one run.
///
/// Its keyed states (the pseudonymiser's and the envelope key's) are wiped on drop.
#[derive(zeroize::ZeroizeOnDrop)]
pub struct Publisher<'a> {
    #[zeroize(skip)]
    run_key: &'a RunKey,
    #[zeroize(skip)]
    catalogue: &'a Catalogue,
    #[zeroize(skip)]
    options: &'a ExportOptions,
    #[zeroize(skip)]
    reference_date: Date,
    #[zeroize(skip)]
    header: FileHeader,
    /// Wiped by ed25519-dalek on drop.
    #[zeroize(skip)]
    signing: PartySigningKey,
    pseudonymiser: Pseudonymiser,
    envelope_key: EnvelopeKey,
    #[zeroize(skip)]
    threads: usize,
}

impl std::fmt::Debug for Publisher<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("header", &self.header)
            .field("keys", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl<'a> Publisher<'a> {
    /// Checks that the keys belong together and the sector is in the catalogue. The reference
    /// date is the run key's: every sector of a run publishes against the same one.
    pub fn new(
        run_key: &'a RunKey,
        sealing_key: &'a SealingKey,
        catalogue: &'a Catalogue,
        options: &'a ExportOptions,
    ) -> Result<Publisher<'a>> {
        let reference_date = run_key.reference_date();
        if run_key.municipality() != sealing_key.municipality() {
            return Err(Error::parameter(Rule::KeyMismatch));
        }
        if catalogue.sector(sealing_key.sector().as_str()).is_none() {
            return Err(Error::parameter(Rule::SectorCode));
        }
        let signing = PartySigningKey::of(sealing_key);
        let header = FileHeader {
            municipality: run_key.municipality(),
            run: run_key.run().clone(),
            sector: sealing_key.sector().clone(),
            run_key_fingerprint: run_key.fingerprint(),
            catalogue_version: catalogue.version.clone(),
            reference_date,
            author: Author::of(&signing),
        };
        Ok(Publisher {
            run_key,
            catalogue,
            options,
            reference_date,
            header,
            signing,
            pseudonymiser: Pseudonymiser::new(run_key),
            envelope_key: EnvelopeKey::derive(sealing_key, run_key.run()),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        })
    }

    /// Uses `threads` workers for the export's rows (default: one per core; 1 publishes on the
    /// calling thread alone, as where threads are unavailable).
    pub fn with_threads(mut self, threads: usize) -> Publisher<'a> {
        self.threads = threads.max(1);
        self
    }

    /// Names `head` as the sector's audit-log head in the publications' headers (spec §7.1):
    /// the evidence the matcher keeps of the sector's log.
    pub fn with_log_head(mut self, head: Head) -> Publisher<'a> {
        self.header.author.log_head = head;
        self
    }

    /// The header every publication of this publisher carries.
    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// Publishes an export (and optionally a relations file) into `out`.
    ///
    /// A file-level fault of an input (no header, a missing column, an I/O error) stops the
    /// publish with an error; a bad row is only rejected and counted.
    pub fn publish<W: Write + Send>(
        &self,
        export: impl Read + 'static,
        export_name: &str,
        relations: Option<(Box<dyn Read>, &str)>,
        out: W,
        out_name: &str,
    ) -> Result<Published<W>> {
        let mut rows = ExportReader::new(export, export_name, self.options, self.reference_date)?;
        let mut relation_rows = match relations {
            Some((input, name)) => Some(RelationsReader::new(
                input,
                name,
                self.options,
                self.reference_date,
            )?),
            None => None,
        };
        let mut writer = FileWriter::new(
            out,
            FileKind::Publication,
            out_name,
            &self.header,
            &self.signing,
        )?;

        let mut export_accounting = Accounting::new(export_name);
        // WebAssembly has no threads here: its build leaves the parallel path out altogether.
        #[cfg(not(target_arch = "wasm32"))]
        if self.threads > 1 {
            self.publish_rows_in_parallel(&mut rows, &mut writer, &mut export_accounting)?;
        } else {
            self.publish_rows_here(&mut rows, &mut writer, &mut export_accounting)?;
        }
        #[cfg(target_arch = "wasm32")]
        self.publish_rows_here(&mut rows, &mut writer, &mut export_accounting)?;

        let relations_accounting = match relation_rows.as_mut() {
            None => None,
            Some(reader) => {
                let mut accounting = Accounting::new(reader.file());
                while let Some(row) = reader.next_row() {
                    match row? {
                        Err(rejected) => accounting.reject(rejected),
                        Ok(row) if row.child.age_band(self.reference_date).is_child() => {
                            let child = self.pseudonymiser.pseudonym(&row.child);
                            let parent = self.pseudonymiser.pseudonym(&row.parent);
                            writer.write_relation(&RelationRecord { child, parent })?;
                            accounting.publish();
                        }
                        Ok(_) => accounting.exclude(Exclusion::ChildNotMinor),
                    }
                }
                accounting.encoding = reader.encoding().name();
                Some(accounting)
            }
        };
        export_accounting.encoding = rows.encoding().name();
        let (output, digest) = writer.finish_with_digest()?;
        Ok(Published {
            output,
            report: self.report(export_accounting, relations_accounting),
            digest,
        })
    }

    /// The export's rows on this thread alone.
    fn publish_rows_here<W: Write>(
        &self,
        rows: &mut ExportReader,
        writer: &mut FileWriter<W>,
        accounting: &mut Accounting,
    ) -> Result<()> {
        let parser = rows.row_parser();
        let mut state = SealState::from_os()?;
        let (mut batch, mut records) = (Vec::new(), EncodedServices::default());
        while read_batch(rows, &mut batch)? {
            records.clear();
            // Counted batch by batch as on several threads, so that the report is the same.
            let mut counted = Accounting::default();
            self.process_batch(&mut state, &parser, &mut batch, &mut records, &mut counted)?;
            accounting.absorb(counted);
            writer.write_services(&records)?;
        }
        Ok(())
    }

    /// The export's rows on `self.threads` workers: this thread reads the CSV, the workers check
    /// the fields, pseudonymise, seal and encode, batch by batch, and one more thread hashes and
    /// writes. Batches are written and counted in the order they were read, so the publication
    /// and the accounting are those of one thread (envelope nonces apart, which are random
    /// either way).
    #[cfg(not(target_arch = "wasm32"))]
    fn publish_rows_in_parallel<W: Write + Send>(
        &self,
        rows: &mut ExportReader,
        writer: &mut FileWriter<W>,
        accounting: &mut Accounting,
    ) -> Result<()> {
        let parser = rows.row_parser();
        std::thread::scope(|scope| {
            let mut workers = Vec::with_capacity(self.threads);
            for _ in 0..self.threads {
                let (batches, inbox) = mpsc::channel::<Vec<RawRow>>();
                let (outbox, results) = mpsc::channel::<Result<DoneBatch>>();
                let parser = &parser;
                scope.spawn(move || {
                    let mut state = match SealState::from_os() {
                        Ok(state) => state,
                        Err(e) => return drop(outbox.send(Err(e))),
                    };
                    for rows in inbox {
                        let done = self.process_batch_alone(&mut state, parser, rows);
                        if outbox.send(done).is_err() {
                            return;
                        }
                    }
                });
                workers.push((batches, results));
            }
            let (to_writer, writer_inbox) = mpsc::sync_channel::<EncodedServices>(4);
            let writing = scope.spawn(move || -> Result<()> {
                writer_inbox
                    .into_iter()
                    .try_for_each(|records| writer.write_services(&records))
            });
            let read = self.hand_out_batches(rows, &workers, &to_writer, accounting);
            drop(to_writer);
            // The writer's own error, if it stopped, is what made the reading stop.
            let written = writing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            written.and(read)
        })
    }

    /// Reads the export in batches for the workers, in turn, and passes their results on to the
    /// writer in the same order.
    #[cfg(not(target_arch = "wasm32"))]
    fn hand_out_batches(
        &self,
        rows: &mut ExportReader,
        workers: &[WorkerChannels],
        to_writer: &mpsc::SyncSender<EncodedServices>,
        accounting: &mut Accounting,
    ) -> Result<()> {
        // Workers of the batches handed out and not yet passed on, oldest first. A few per
        // worker keep every worker busy and bound the memory in flight.
        let mut pending = VecDeque::new();
        let mut spare_batches: Vec<Vec<RawRow>> = Vec::new();
        let mut pass_on_oldest =
            |pending: &mut VecDeque<usize>, spare: &mut Vec<Vec<RawRow>>| -> Result<bool> {
                let Some(worker) = pending.pop_front() else {
                    return Ok(false);
                };
                // A worker hangs up without an answer only by panicking, which the scope then
                // raises again; its own errors arrive as answers.
                let done = workers[worker].1.recv().map_err(|_| Error::Random)??;
                accounting.absorb(done.accounting);
                spare.push(done.rows);
                // The writer hangs up only when it has failed; the caller reports why.
                Ok(to_writer.send(done.records).is_ok())
            };
        let mut next_worker = 0;
        loop {
            // Rows are read into the buffers of a batch already written, where there is one.
            let mut batch = spare_batches.pop().unwrap_or_default();
            if !read_batch(rows, &mut batch)? {
                break;
            }
            if pending.len() == 3 * workers.len()
                && !pass_on_oldest(&mut pending, &mut spare_batches)?
            {
                return Ok(());
            }
            // A worker stops receiving only when this thread has stopped sending.
            let _ = workers[next_worker].0.send(batch);
            pending.push_back(next_worker);
            next_worker = (next_worker + 1) % workers.len();
        }
        while pass_on_oldest(&mut pending, &mut spare_batches)? {}
        Ok(())
    }

    /// [`Publisher::process_batch`] on a worker: the batch's records and counts on their own.
    #[cfg(not(target_arch = "wasm32"))]
    fn process_batch_alone(
        &self,
        state: &mut SealState,
        parser: &ExportRowParser,
        mut rows: Vec<RawRow>,
    ) -> Result<DoneBatch> {
        let mut records = EncodedServices::default();
        let mut accounting = Accounting::default();
        self.process_batch(state, parser, &mut rows, &mut records, &mut accounting)?;
        Ok(DoneBatch {
            records,
            accounting,
            rows,
        })
    }

    /// One batch of raw rows: each row checked, published (pseudonymised, sealed and encoded
    /// into `records`), excluded or rejected, and counted.
    fn process_batch(
        &self,
        state: &mut SealState,
        parser: &ExportRowParser,
        rows: &mut [RawRow],
        records: &mut EncodedServices,
        accounting: &mut Accounting,
    ) -> Result<()> {
        for raw in rows {
            let (line, record) = match raw {
                Ok((line, record)) => (*line, record),
                Err(rejected) => {
                    accounting.reject(*rejected);
                    continue;
                }
            };
            // Every field checked as UTF-8 at once; a row with a bad byte anywhere is read
            // field by field instead, so that, as always, only the fields used count. (The
            // WebAssembly build, made for size, reads every row field by field.)
            #[cfg(not(target_arch = "wasm32"))]
            let record = match StringRecord::from_byte_record(std::mem::take(record)) {
                Ok(text) => {
                    let row = parser.parse(line, &text);
                    if matches!(&row, Err(r) if r.rule == Rule::StatusUnknown) {
                        accounting.unknown_status(parser.status(&text));
                    }
                    self.publish_row(state, row, records, accounting)?;
                    *record = text.into_byte_record();
                    continue;
                }
                Err(not_text) => {
                    *record = not_text.into_byte_record();
                    record
                }
            };
            let row = parser.parse(line, &*record);
            if matches!(&row, Err(r) if r.rule == Rule::StatusUnknown) {
                accounting.unknown_status(parser.status(&*record));
            }
            self.publish_row(state, row, records, accounting)?;
        }
        Ok(())
    }

    /// Publishes, excludes or rejects a row, and counts it.
    fn publish_row(
        &self,
        state: &mut SealState,
        row: RowOutcome<ServiceRow<&str>>,
        records: &mut EncodedServices,
        accounting: &mut Accounting,
    ) -> Result<()> {
        let row = match row {
            Ok(row) => row,
            Err(rejected) => {
                accounting.reject(rejected);
                return Ok(());
            }
        };
        let sector = &self.header.sector;
        match ongoing_service(self.catalogue, sector, self.reference_date, &row) {
            Ok(service) => {
                self.seal_record(state, &row, service.major_change, records)?;
                accounting.publish();
            }
            Err(Ok(exclusion)) => accounting.exclude(exclusion),
            Err(Err(rule)) => accounting.reject(RejectedRow {
                line: row.line,
                rule,
            }),
        }
        Ok(())
    }

    /// Appends the row's record — pseudonym, month, age band, sealed envelope — to `records`.
    fn seal_record(
        &self,
        state: &mut SealState,
        row: &ServiceRow<&str>,
        major_change: bool,
        records: &mut EncodedServices,
    ) -> Result<()> {
        let pseudonym = self.pseudonymiser.pseudonym(&row.cpr);
        let age_band = row.cpr.age_band(self.reference_date);
        let head = ServiceHead {
            pseudonym: &pseudonym,
            service: row.service,
            start: YearMonth::of(row.start),
            age_band,
            major_change,
        };
        let content = EnvelopeFields {
            cpr: &row.cpr,
            case_ref: row.case_ref,
            caseworker: row.caseworker,
            goal: row.goal,
            start: row.start,
        };
        records.push_sealed(&head, |out| {
            self.envelope_key
                .seal_into(state, row.service, &pseudonym, &content, out)
        })
    }

    fn report(&self, export: Accounting, relations: Option<Accounting>) -> AccountingReport {
        AccountingReport {
            format: "samkoer-accounting",
            version: 2,
            municipality: self.header.municipality.to_string(),
            run: self.run_key.run().to_string(),
            sector: self.header.sector.to_string(),
            run_key_fingerprint: self.header.run_key_fingerprint.to_string(),
            catalogue_version: self.catalogue.version.clone(),
            reference_date: self.reference_date.to_string(),
            export,
            relations,
        }
    }
}
