//! Publishing: a sector's case-system export (and relations file) in, a publication and an
//! accounting report out (spec §8.4). Every input row ends up in exactly one of published,
//! excluded by policy (with the rule), or rejected as invalid (with line and rule).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use serde::Serialize;
use time::Date;

use crate::catalogue::{Catalogue, Category, Service};
use crate::envelope::{EnvelopeContent, EnvelopeKey};
use crate::error::{Error, Result, Rule};
use crate::export::{
    ExportOptions, ExportReader, RejectedRow, RelationsReader, ServiceRow, Status,
};
use crate::ids::SectorCode;
use crate::keys::{RunKey, SealingKey};
use crate::pseudonym::Pseudonymiser;
use crate::publication::{
    FileHeader, FileKind, FileWriter, RelationRecord, ServiceRecord, YearMonth,
};

/// Applies the publishing policy to a valid row (spec §8.4): the row's allowed service of
/// `sector`, ongoing on `reference`; or why not — an exclusion, or the rule of an invalid row.
pub(crate) fn ongoing_service<'c>(
    catalogue: &'c Catalogue,
    sector: &SectorCode,
    reference: Date,
    row: &ServiceRow,
) -> std::result::Result<&'c Service, std::result::Result<Exclusion, Rule>> {
    // An unknown code is invalid data whatever the status, so it is checked first.
    let category = catalogue
        .lookup(&row.service)
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

/// Everything a sector needs to publish for one run.
pub struct Publisher<'a> {
    run_key: &'a RunKey,
    catalogue: &'a Catalogue,
    options: &'a ExportOptions,
    reference_date: Date,
    header: FileHeader,
    pseudonymiser: Pseudonymiser,
    envelope_key: EnvelopeKey,
}

impl std::fmt::Debug for Publisher<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

impl<'a> Publisher<'a> {
    /// Checks that the keys belong together and the sector is in the catalogue.
    pub fn new(
        run_key: &'a RunKey,
        sealing_key: &'a SealingKey,
        catalogue: &'a Catalogue,
        options: &'a ExportOptions,
        reference_date: Date,
    ) -> Result<Publisher<'a>> {
        if run_key.municipality() != sealing_key.municipality() {
            return Err(Error::Parameter {
                rule: Rule::KeyMismatch,
            });
        }
        if catalogue.sector(sealing_key.sector().as_str()).is_none() {
            return Err(Error::Parameter {
                rule: Rule::SectorCode,
            });
        }
        let header = FileHeader {
            municipality: run_key.municipality(),
            run: run_key.run().clone(),
            sector: sealing_key.sector().clone(),
            run_key_fingerprint: run_key.fingerprint(),
            catalogue_version: catalogue.version.clone(),
            reference_date,
        };
        Ok(Publisher {
            run_key,
            catalogue,
            options,
            reference_date,
            header,
            pseudonymiser: Pseudonymiser::new(run_key),
            envelope_key: EnvelopeKey::derive(sealing_key, run_key.run()),
        })
    }

    /// The header every publication of this publisher carries.
    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// Publishes an export (and optionally a relations file) into `out`.
    ///
    /// A file-level fault of an input (no header, a missing column, an I/O error) stops the
    /// publish with an error; a bad row is only rejected and counted.
    pub fn publish<W: Write>(
        &self,
        export: impl Read + 'static,
        export_name: &str,
        relations: Option<(Box<dyn Read>, &str)>,
        out: W,
        out_name: &str,
    ) -> Result<(W, AccountingReport)> {
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
        let mut writer = FileWriter::new(out, FileKind::Publication, out_name, &self.header)?;

        let mut export_accounting = Accounting::new(export_name);
        while let Some(row) = rows.next_row() {
            let row = match row? {
                Ok(row) => row,
                Err(rejected) => {
                    export_accounting.reject(rejected);
                    continue;
                }
            };
            match ongoing_service(
                self.catalogue,
                &self.header.sector,
                self.reference_date,
                &row,
            ) {
                Ok(service) => {
                    writer.write_service(&self.record(row, service.major_change)?)?;
                    export_accounting.publish();
                }
                Err(Ok(exclusion)) => export_accounting.exclude(exclusion),
                Err(Err(rule)) => export_accounting.reject(RejectedRow {
                    line: row.line,
                    rule,
                }),
            }
        }

        let relations_accounting = match relation_rows.as_mut() {
            None => None,
            Some(reader) => {
                let mut accounting = Accounting::new(reader.file());
                while let Some(row) = reader.next_row() {
                    match row? {
                        Err(rejected) => accounting.reject(rejected),
                        Ok(row) => match row.child.age_band(self.reference_date) {
                            Ok(band) if band.is_child() => {
                                let child = self.pseudonymiser.pseudonym(&row.child);
                                let parent = self.pseudonymiser.pseudonym(&row.parent);
                                writer.write_relation(&RelationRecord { child, parent })?;
                                accounting.publish();
                            }
                            Ok(_) => accounting.exclude(Exclusion::ChildNotMinor),
                            Err(rule) => accounting.reject(RejectedRow {
                                line: row.line,
                                rule,
                            }),
                        },
                    }
                }
                Some(accounting)
            }
        };
        let out = writer.finish()?;
        Ok((out, self.report(export_accounting, relations_accounting)))
    }

    fn record(&self, row: ServiceRow, major_change: bool) -> Result<ServiceRecord> {
        let pseudonym = self.pseudonymiser.pseudonym(&row.cpr);
        let age_band = row
            .cpr
            .age_band(self.reference_date)
            .map_err(|rule| Error::Parameter { rule })?;
        let start = YearMonth::of(row.start);
        let ServiceRow {
            cpr,
            service,
            caseworker,
            case_ref,
            goal,
            start: start_date,
            ..
        } = row;
        let content = EnvelopeContent {
            cpr,
            case_ref,
            caseworker,
            goal,
            start: start_date,
        };
        let envelope = self.envelope_key.seal(&service, &pseudonym, &content)?;
        Ok(ServiceRecord {
            pseudonym,
            service,
            start,
            age_band,
            major_change,
            envelope,
        })
    }

    fn report(&self, export: Accounting, relations: Option<Accounting>) -> AccountingReport {
        AccountingReport {
            format: "samkoer-accounting",
            version: 1,
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

    /// Publishes files: reads `export` (and `relations`), writes the publication to `out` by
    /// way of `out.partial`, renamed only when complete, so a failed publish leaves no file that
    /// looks finished and leaves an earlier `out` as it was. The publication is created readable
    /// by its owner only: with the run key, it re-identifies every person in it.
    pub fn publish_files(
        &self,
        export: &Path,
        relations: Option<&Path>,
        out: &Path,
    ) -> Result<AccountingReport> {
        let open = |path: &Path| -> Result<Box<dyn Read>> {
            let file = File::open(path).map_err(|e| Error::io(&path.display().to_string(), e))?;
            Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
        };
        let export_input = open(export)?;
        let relations_name = relations.map(|p| p.display().to_string());
        let relations_input = match relations {
            Some(path) => Some((open(path)?, relations_name.as_deref().unwrap_or_default())),
            None => None,
        };
        let out_name = out.display().to_string();
        let partial = crate::files::partial_path(out);
        let file = crate::files::create(&partial, true).map_err(|e| Error::io(&out_name, e))?;
        let result = self
            .publish(
                export_input,
                &export.display().to_string(),
                relations_input,
                BufWriter::new(file),
                &out_name,
            )
            .and_then(|(writer, report)| {
                let file = writer
                    .into_inner()
                    .map_err(|e| Error::io(&out_name, e.into_error()))?;
                file.sync_all().map_err(|e| Error::io(&out_name, e))?;
                std::fs::rename(&partial, out).map_err(|e| Error::io(&out_name, e))?;
                Ok(report)
            });
        if result.is_err() {
            // Best effort: the partial file is incomplete by construction.
            let _ = std::fs::remove_file(&partial);
        }
        result
    }
}
