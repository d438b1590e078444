//! Property tests of the issue's invariants, on random CPR numbers, keys and export rows.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::HashSet;
use std::io::Cursor;

use proptest::prelude::*;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::sector::publish::Publisher;
use samkoer_core::{
    Cpr, MasterKey, MunicipalityCode, Pseudonymiser, RunId, SealingKey, SectorCode,
};
use time::macros::date;
use time::{Date, Duration};

const REFERENCE: Date = date!(2026 - 11 - 01);

/// A valid CPR number in normal form, born 1900 to the reference date.
fn valid_cpr() -> impl Strategy<Value = String> {
    (0i64..(126 * 365), 0u16..1000, any::<bool>()).prop_map(|(days_before, rest, alt)| {
        let born = REFERENCE - Duration::days(days_before);
        let seventh = match born.year() {
            1900..=1936 => 3,
            1937..=1999 => {
                if alt {
                    4
                } else {
                    0
                }
            }
            _ => {
                if alt {
                    9
                } else {
                    4
                }
            }
        };
        let year = born.year() % 100;
        format!(
            "{:02}{:02}{year:02}{seventh}{rest:03}",
            born.day(),
            born.month() as u8
        )
    })
}

/// One of the forms a case system exports a CPR in.
fn formatted(digits: &str, form: u8, pad: &str) -> String {
    let body = if form.is_multiple_of(2) {
        digits.to_owned()
    } else {
        format!("{}-{}", &digits[..6], &digits[6..])
    };
    format!("{pad}{body}{pad}")
}

fn hamming(a: &[u8; 32], b: &[u8; 32]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

fn town(code: u16) -> MunicipalityCode {
    MunicipalityCode::new(code).unwrap()
}

proptest! {
    #[test]
    fn every_accepted_form_of_a_cpr_gives_one_pseudonym(
        digits in valid_cpr(), form in 0u8..2, pad in "[ \t]{0,3}", key in any::<[u8; 32]>(),
    ) {
        let run_key = MasterKey::from_bytes(town(219), key).derive_run_key(&RunId::new("r").unwrap(), REFERENCE);
        let pseudonymiser = Pseudonymiser::new(&run_key);
        let plain = Cpr::parse(&digits, REFERENCE, "test", 1).unwrap();
        let other_form = Cpr::parse(&formatted(&digits, form, &pad), REFERENCE, "test", 1).unwrap();
        prop_assert_eq!(pseudonymiser.pseudonym(&plain), pseudonymiser.pseudonym(&other_form));
    }

    #[test]
    fn another_run_municipality_or_key_gives_an_unrelated_pseudonym(
        digits in valid_cpr(), key in any::<[u8; 32]>(), other_key in any::<[u8; 32]>(),
    ) {
        prop_assume!(key != other_key);
        let cpr = Cpr::parse(&digits, REFERENCE, "test", 1).unwrap();
        let run = |master: [u8; 32], municipality: u16, run: &str| {
            let run_key = MasterKey::from_bytes(town(municipality), master).derive_run_key(&RunId::new(run).unwrap(), REFERENCE);
            Pseudonymiser::new(&run_key).pseudonym(&cpr).0
        };
        let base = run(key, 219, "2026-11");
        for other in [run(key, 219, "2026-12"), run(key, 217, "2026-11"), run(other_key, 219, "2026-11")] {
            // Unrelated: about half the bits differ (mean 128, standard deviation 8).
            let distance = hamming(&base, &other);
            prop_assert!((64..=192).contains(&distance), "distance {}", distance);
        }
    }
}

/// A random export row: valid, invalid in one field, excluded, or blank.
fn export_row() -> impl Strategy<Value = String> {
    let catalogue = Catalogue::builtin();
    let codes: Vec<String> = catalogue
        .services
        .iter()
        .map(|s| s.code.clone())
        .chain(catalogue.excluded.iter().map(|e| e.code.clone()))
        .chain(["NO-SUCH".to_owned(), String::new()])
        .collect();
    let statuses = prop::sample::select(vec![
        "active", "ended", "pending", "refused", "Active", "??", "",
    ]);
    let dates = prop::sample::select(vec![
        "2025-01-31",
        "31-01-2025",
        "2027-06-01",
        "2025-02-30",
        "",
        "x",
    ]);
    let ends = prop::sample::select(vec!["", "2024-01-01", "2026-10-31", "2027-12-31", "bad"]);
    let cprs = prop_oneof![
        4 => (valid_cpr(), 0u8..2, "[ ]{0,1}").prop_map(|(d, f, p)| formatted(&d, f, &p)),
        1 => "[0-9A-Z-]{0,12}",
    ];
    (
        cprs,
        prop::sample::select(codes),
        statuses,
        dates,
        ends,
        "[a-zæøå ]{0,12}",
    )
        .prop_map(|(cpr, code, status, start, end, text)| {
            format!("{cpr};{code};{status};{start};{end};{text};{text};\"{text}\"")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_row_is_accounted_for_and_no_cpr_leaves_the_sector(
        rows in prop::collection::vec(export_row(), 0..60),
        sector in prop::sample::select(vec!["employment", "adult-social", "children-family", "health-elderly", "school-daycare"]),
    ) {
        let mut csv = String::from("cpr;service;status;start;end;caseworker;case_ref;goal\n");
        for row in &rows {
            csv.push_str(row);
            csv.push('\n');
        }
        let run_key = MasterKey::from_bytes(town(219), [1; 32]).derive_run_key(&RunId::new("r").unwrap(), REFERENCE);
        let sealing = SealingKey::from_bytes(town(219), SectorCode::new(sector).unwrap(), [2; 32]);
        let options = ExportOptions::default();
        let publisher = Publisher::new(&run_key, &sealing, Catalogue::builtin(), &options).unwrap();
        let published = publisher
            .publish(Cursor::new(csv.clone().into_bytes()), "export.csv", None, Vec::new(), "out.pub")
            .unwrap();
        let (publication, report) = (published.output, published.report);
        let accounting = &report.export;
        prop_assert!(accounting.is_balanced());
        prop_assert_eq!(accounting.rows, rows.len() as u64);

        // No CPR-shaped input value, valid or not, appears in the output bytes.
        let json = report.to_json();
        let outputs: [&[u8]; 2] = [&publication, json.as_bytes()];
        let cpr_fields: HashSet<String> = rows
            .iter()
            .filter_map(|r| r.split(';').next())
            .map(|f| f.trim().to_owned())
            .filter(|f| f.len() >= 10)
            .collect();
        for output in outputs {
            for field in &cpr_fields {
                let digits: String = field.chars().filter(char::is_ascii_digit).collect();
                for needle in [field.as_str(), digits.as_str()] {
                    prop_assert!(
                        needle.len() < 10 || !output.windows(needle.len()).any(|w| w == needle.as_bytes()),
                        "an input CPR field appears in the output"
                    );
                }
            }
        }
    }
}
