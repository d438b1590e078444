//! Review in the sector (spec §13.1): the sector opens its flag file with its own sealing key
//! and gets its caseworkers' work list — its own citizens among the candidates, with its own
//! services only. The work list holds CPR numbers: it stays in the sector.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;

use time::Date;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result, Rule};
use crate::formats::catalogue::{Catalogue, Category};
use crate::formats::publication::{FileKind, FileReader, RecordRef};
use crate::primitives::cpr::Cpr;
use crate::primitives::envelope::EnvelopeKey;
use crate::primitives::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::primitives::keys::SealingKey;

/// One of the sector's own services of a candidate, as its case system knows it.
///
/// Its texts are wiped on drop; `Debug` shows the catalogue's facts and the date, not the texts.
#[derive(ZeroizeOnDrop)]
pub struct ReviewedService {
    /// The service code.
    pub code: String,
    /// The law it is granted under.
    pub law: String,
    /// Its legal paragraph.
    pub paragraph: String,
    /// Its Danish name.
    pub name: String,
    /// The sector's case reference.
    pub case_ref: String,
    /// The caseworker.
    pub caseworker: String,
    /// The goal.
    pub goal: String,
    /// The start date.
    #[zeroize(skip)]
    pub start: Date,
}

impl fmt::Debug for ReviewedService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReviewedService")
            .field("code", &self.code)
            .field("law", &self.law)
            .field("paragraph", &self.paragraph)
            .field("name", &self.name)
            .field("case_ref", &"<redacted>")
            .field("caseworker", &"<redacted>")
            .field("goal", &"<redacted>")
            .field("start", &self.start)
            .finish()
    }
}

/// One citizen of the sector in one candidate (a family candidate may have several).
///
/// Wiped on drop; `Debug` is redacted (the CPR number's own, and the services').
#[derive(Debug, ZeroizeOnDrop)]
pub struct WorkItem {
    /// The candidate.
    #[zeroize(skip)]
    pub candidate: CandidateId,
    /// The citizen.
    pub cpr: Cpr,
    /// The sector's own services of the citizen.
    pub services: Vec<ReviewedService>,
}

/// A sector's work list for the suitability assessment.
///
/// Wiped on drop, item by item; `Debug` is the items' redacted one.
#[derive(Debug, ZeroizeOnDrop)]
pub struct WorkList {
    /// The municipality.
    #[zeroize(skip)]
    pub municipality: MunicipalityCode,
    /// The run.
    #[zeroize(skip)]
    pub run: RunId,
    /// The sector.
    #[zeroize(skip)]
    pub sector: SectorCode,
    /// The citizens, by candidate id, then in flag-file order.
    pub items: Vec<WorkItem>,
}

impl WorkList {
    /// The candidates the sector was sent.
    pub fn candidates(&self) -> BTreeSet<CandidateId> {
        self.items.iter().map(|item| item.candidate).collect()
    }

    /// Calls `row` with the cells of every row, one per service, in [`WORK_LIST_COLUMNS`]
    /// order (`verdict` and `from` empty). The CPR number's text is wiped afterwards.
    fn each_row(&self, mut row: impl FnMut(&[&str; 12])) {
        for item in &self.items {
            // The CPR number in its work-list form, wiped when dropped.
            let cpr = item.cpr.expose_dashed();
            for s in &item.services {
                let (candidate, start) = (item.candidate.to_string(), s.start.to_string());
                row(&[
                    candidate.as_str(),
                    cpr.as_str(),
                    &s.code,
                    &s.law,
                    &s.paragraph,
                    &s.name,
                    &s.case_ref,
                    &s.caseworker,
                    &s.goal,
                    &start,
                    "",
                    "",
                ]);
            }
        }
    }

    /// The work list as CSV for caseworkers, one row per service, with empty `verdict` and
    /// `from` columns to fill in (`suitable`, `suitable-from` with `from` as `YYYY-MM`, or
    /// `not-suitable`). It holds CPR numbers: it must stay in the sector.
    pub fn to_csv(&self) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = out.write_record(WORK_LIST_COLUMNS);
        self.each_row(|row| {
            // A cell a spreadsheet would run as a formula is quoted as text.
            let quoted = row.map(|cell| {
                cell.starts_with(['=', '+', '-', '@'])
                    .then(|| Zeroizing::new(format!("'{cell}")))
            });
            let cells = row.iter().zip(&quoted);
            let _ =
                out.write_record(cells.map(|(cell, quoted)| {
                    quoted.as_ref().map_or(cell.as_bytes(), |q| q.as_bytes())
                }));
        });
        // Every cell is text, so the bytes are UTF-8.
        out.into_inner()
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
    }

    /// The work list as JSON for tools: an array of one object per service, with the CSV's
    /// first ten columns as string fields. It holds CPR numbers: it must stay in the sector.
    pub fn to_json(&self) -> String {
        let mut rows = Vec::new();
        self.each_row(|row| {
            let object: serde_json::Map<String, serde_json::Value> = WORK_LIST_COLUMNS[..10]
                .iter()
                .zip(row)
                .map(|(name, cell)| ((*name).to_owned(), serde_json::Value::from(*cell)))
                .collect();
            rows.push(serde_json::Value::Object(object));
        });
        // Strings only: serialising cannot fail.
        serde_json::to_string(&rows).unwrap_or_default()
    }
}

/// The columns of a work list (spec §13.1), in order.
pub const WORK_LIST_COLUMNS: [&str; 12] = [
    "candidate",
    "cpr",
    "service",
    "law",
    "paragraph",
    "name",
    "case_ref",
    "caseworker",
    "goal",
    "start",
    "verdict",
    "from",
];

/// Opens a flag file with the sector's sealing key: the work list. A flag file for another
/// sector or municipality is refused (`review-key`); an envelope that does not open under the
/// key (another sector's, or altered) stops the review with `open-failed`.
pub fn review(
    flag_file: impl Read,
    file: &str,
    sealing: &SealingKey,
    catalogue: &Catalogue,
) -> Result<WorkList> {
    let mut reader = FileReader::new(flag_file, FileKind::FlagFile, file)?;
    let header = reader.header().clone();
    if header.sector != *sealing.sector() || header.municipality != sealing.municipality() {
        return Err(Error::format(file, 0, Rule::ReviewKey));
    }
    let envelopes = EnvelopeKey::derive(sealing, &header.run);
    let mut by_person: BTreeMap<(CandidateId, [u8; 32]), WorkItem> = BTreeMap::new();
    // A flag file holds flag records only, so the count is the record's number.
    let mut number = 0;
    while let Some(record) = reader.next_ref()? {
        number += 1;
        let RecordRef::Flag(flag) = record else {
            continue;
        };
        let content = envelopes
            .open(flag.service, &flag.pseudonym, flag.envelope)
            .map_err(|e| match e {
                Error::OpenFailed => Error::OpenFailedIn {
                    file: file.to_owned(),
                    record: number,
                },
                other => other,
            })?;
        let (law, paragraph, name) = match catalogue.lookup(flag.service) {
            Some(Category::Allowed(s)) => (s.law.clone(), s.paragraph.clone(), s.name.clone()),
            _ => (String::new(), String::new(), String::new()),
        };
        let service = ReviewedService {
            code: flag.service.to_owned(),
            law,
            paragraph,
            name,
            case_ref: content.case_ref.clone(),
            caseworker: content.caseworker.clone(),
            goal: content.goal.clone(),
            start: content.start,
        };
        by_person
            .entry((flag.candidate, flag.pseudonym.0))
            .or_insert_with(|| WorkItem {
                candidate: flag.candidate,
                cpr: content.cpr.clone(),
                services: Vec::new(),
            })
            .services
            .push(service);
    }
    Ok(WorkList {
        municipality: header.municipality,
        run: header.run,
        sector: header.sector,
        items: by_person.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_envelope_that_does_not_open_is_named_by_file_and_record() {
        use crate::formats::publication::tests::matcher_signing_key;
        use crate::formats::publication::{Author, FileHeader, FileWriter, FlagRef};
        use crate::primitives::envelope::EnvelopeContent;
        use crate::primitives::keys::Fingerprint;
        use crate::primitives::pseudonym::Pseudonym;

        let municipality = MunicipalityCode::new(219).unwrap();
        let sealing = SealingKey::from_bytes(
            municipality,
            SectorCode::new("employment").unwrap(),
            [3; 32],
        );
        let run = RunId::new("2026-11").unwrap();
        let envelopes = EnvelopeKey::derive(&sealing, &run);
        let content = EnvelopeContent {
            cpr: Cpr::parse_undated("0101901234", "test", 1).unwrap(),
            case_ref: "J-1".into(),
            caseworker: String::new(),
            goal: String::new(),
            start: date!(2025 - 01 - 15),
        };
        let (first, second) = (Pseudonym([1; 32]), Pseudonym([2; 32]));
        let sealed = envelopes.seal("EMP-MENTOR", &first, &content).unwrap();
        let header = FileHeader {
            municipality,
            run,
            sector: sealing.sector().clone(),
            run_key_fingerprint: Fingerprint([0; 16]),
            catalogue_version: "2026.1".into(),
            reference_date: date!(2026 - 11 - 01),
            author: Author::of(&matcher_signing_key()),
        };
        let mut writer = FileWriter::new(
            Vec::new(),
            FileKind::FlagFile,
            "f.flag",
            &header,
            &matcher_signing_key(),
        )
        .unwrap();
        // The second record carries the first one's envelope: moved, so it must not open.
        for pseudonym in [first, second] {
            writer
                .write_flag(FlagRef {
                    candidate: CandidateId([7; 16]),
                    pseudonym,
                    service: "EMP-MENTOR",
                    envelope: &sealed,
                })
                .unwrap();
        }
        let bytes = writer.finish().unwrap();
        let error = review(&bytes[..], "f.flag", &sealing, Catalogue::builtin()).unwrap_err();
        assert_eq!((error.code(), error.class()), (2, "open-failed"));
        assert!(
            error.to_string().starts_with("f.flag, record 2: "),
            "{error}"
        );
    }

    #[test]
    fn the_work_list_csv_quotes_what_a_spreadsheet_would_run() {
        let service = ReviewedService {
            code: "EMP-MENTOR".into(),
            law: "Lov".into(),
            paragraph: "§ 167".into(),
            name: "Mentorstøtte".into(),
            case_ref: "J-1".into(),
            caseworker: "@admin".into(),
            goal: "=HYPERLINK(\"http://x\")".into(),
            start: date!(2025 - 01 - 15),
        };
        let list = WorkList {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            sector: SectorCode::new("employment").unwrap(),
            items: vec![WorkItem {
                candidate: CandidateId([1; 16]),
                cpr: Cpr::parse_undated("0101901234", "test", 1).unwrap(),
                services: vec![service],
            }],
        };
        let csv = list.to_csv();
        assert!(csv.starts_with(
            "candidate,cpr,service,law,paragraph,name,case_ref,caseworker,goal,start,verdict,from\n"
        ));
        assert!(
            csv.contains("'@admin") && csv.contains("'=HYPERLINK"),
            "{csv}"
        );
        assert!(csv.contains("010190-1234"));
        let json: serde_json::Value = serde_json::from_str(&list.to_json()).unwrap();
        assert_eq!(json[0]["cpr"], "010190-1234");
        assert_eq!(
            json[0]["goal"], "=HYPERLINK(\"http://x\")",
            "JSON is not a spreadsheet"
        );
        assert_eq!(json[0].as_object().unwrap().len(), 10);
    }
}
