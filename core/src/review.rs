//! Review in the sector (spec §13.1): the sector opens its flag file with its own sealing key
//! and gets its caseworkers' work list — its own citizens among the candidates, with its own
//! services only. The work list holds CPR numbers: it stays in the sector.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use time::Date;

use crate::catalogue::{Catalogue, Category};
use crate::cpr::Cpr;
use crate::envelope::EnvelopeKey;
use crate::error::{Error, Result, Rule};
use crate::ids::{CandidateId, MunicipalityCode, RunId, SectorCode};
use crate::keys::SealingKey;
use crate::publication::{FileKind, FileReader, RecordRef};

/// One of the sector's own services of a candidate, as its case system knows it.
#[derive(Debug)]
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
    pub start: Date,
}

/// One citizen of the sector in one candidate (a family candidate may have several).
#[derive(Debug)]
pub struct WorkItem {
    /// The candidate.
    pub candidate: CandidateId,
    /// The citizen.
    pub cpr: Cpr,
    /// The sector's own services of the citizen.
    pub services: Vec<ReviewedService>,
}

/// A sector's work list for the suitability assessment.
#[derive(Debug)]
pub struct WorkList {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// The sector.
    pub sector: SectorCode,
    /// The citizens, by candidate id, then in flag-file order.
    pub items: Vec<WorkItem>,
}

impl WorkList {
    /// The candidates the sector was sent.
    pub fn candidates(&self) -> BTreeSet<CandidateId> {
        self.items.iter().map(|item| item.candidate).collect()
    }

    /// The work list as CSV for caseworkers, one row per service, with empty `verdict` and
    /// `from` columns to fill in (`suitable`, `suitable-from` with `from` as `YYYY-MM`, or
    /// `not-suitable`). It holds CPR numbers: it must stay in the sector.
    pub fn to_csv(&self) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        let header = [
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
        let mut rows = vec![header.map(str::to_owned).to_vec()];
        for item in &self.items {
            let cpr = String::from_utf8_lossy(item.cpr.expose_digits()).into_owned();
            for s in &item.services {
                rows.push(vec![
                    item.candidate.to_string(),
                    format!("{}-{}", &cpr[..6], &cpr[6..]),
                    s.code.clone(),
                    s.law.clone(),
                    s.paragraph.clone(),
                    s.name.clone(),
                    s.case_ref.clone(),
                    s.caseworker.clone(),
                    s.goal.clone(),
                    s.start.to_string(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        for row in rows {
            // A cell a spreadsheet would run as a formula is quoted as text.
            let row: Vec<String> = row
                .into_iter()
                .map(|cell| {
                    if cell.starts_with(['=', '+', '-', '@']) {
                        format!("'{cell}")
                    } else {
                        cell
                    }
                })
                .collect();
            // Writing to memory cannot fail.
            let _ = out.write_record(&row);
        }
        out.into_inner()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }
}

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
        use crate::envelope::EnvelopeContent;
        use crate::keys::Fingerprint;
        use crate::pseudonym::Pseudonym;
        use crate::publication::{FileHeader, FileWriter, FlagRef};

        let municipality = MunicipalityCode::new(219).unwrap();
        let sealing = SealingKey::from_bytes(
            municipality,
            SectorCode::new("employment").unwrap(),
            [3; 32],
        );
        let run = RunId::new("2026-11").unwrap();
        let envelopes = EnvelopeKey::derive(&sealing, &run);
        let content = EnvelopeContent {
            cpr: Cpr::parse_undated("0101901234").unwrap(),
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
        };
        let mut writer =
            FileWriter::new(Vec::new(), FileKind::FlagFile, "f.flag", &header).unwrap();
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
                cpr: Cpr::parse_undated("0101901234").unwrap(),
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
    }
}
