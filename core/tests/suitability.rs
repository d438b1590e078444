//! The suitability round trip on a synthetic municipality: review in each sector with its own
//! key, verdicts filled in the work lists, and the final selection, against a plaintext
//! reference of who each sector should see and what the combination rule gives.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use common::{REFERENCE, Town, criteria, matcher_signing, sources, town};
use samkoer_core::audit::Head;
use samkoer_core::central::matcher::Match;
use samkoer_core::central::selection::{select, sent_from_match_report};
use samkoer_core::files::Input;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::verdicts::VerdictFile;
use samkoer_core::primitives::ids::CandidateId;
use samkoer_core::primitives::signing::PartySigningKey;
use samkoer_core::sector::review::{WorkList, review};
use samkoer_core::synthetic::municipality::delimiter_of;
use samkoer_core::{Cpr, Pseudonym, Pseudonymiser};

struct Reviewed {
    matched: Match,
    flags: Vec<Vec<u8>>,
    lists: Vec<WorkList>,
}

fn reviewed(town: &Town) -> Reviewed {
    let catalogue = Catalogue::builtin();
    let matched = Match::run(sources(&town.publications), catalogue, &criteria()).unwrap();
    let flags: Vec<Vec<u8>> = matched
        .write_flag_files(&matcher_signing(), Head::EMPTY, |sector| {
            Ok((Vec::new(), format!("{sector}.flag")))
        })
        .unwrap()
        .into_iter()
        .map(|f| f.writer)
        .collect();
    let lists = flags
        .iter()
        .zip(&town.sealing)
        .map(|(bytes, key)| review(bytes.as_slice(), "s.flag", key, catalogue).unwrap())
        .collect();
    Reviewed {
        matched,
        flags,
        lists,
    }
}

/// The CPRs (normalised) of each sector's export, by pseudonym.
fn cprs_by_pseudonym(town: &Town, sector: usize) -> HashMap<Pseudonym, String> {
    let pseudonymiser = Pseudonymiser::new(&town.run_key);
    String::from_utf8(town.exports[sector].clone())
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|line| {
            Cpr::parse(
                line.split(delimiter_of(sector)).next()?,
                REFERENCE,
                "test",
                1,
            )
            .ok()
        })
        .map(|cpr| {
            (
                pseudonymiser.pseudonym(&cpr),
                String::from_utf8(cpr.expose_digits().to_vec()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn each_sector_reviews_exactly_its_own_flagged_citizens() {
    let town = town(3000, 21, "2026-11");
    let r = reviewed(&town);
    let members = r.matched.candidate_pseudonyms();
    for (sector, list) in r.lists.iter().enumerate() {
        assert_eq!(list.sector, *town.sealing[sector].sector());
        let own = cprs_by_pseudonym(&town, sector);
        // Reference: members of flagged candidates whom this sector published.
        let mut expected: BTreeSet<(CandidateId, String)> = BTreeSet::new();
        for (candidate, pseudonyms) in r.matched.candidates().iter().zip(&members) {
            if candidate.deferred {
                continue;
            }
            for pseudonym in pseudonyms {
                let published = r.matched.check(&list.sector, pseudonym).is_ok();
                if published {
                    expected.insert((candidate.id, own[pseudonym].clone()));
                }
            }
        }
        let got: BTreeSet<(CandidateId, String)> = list
            .items
            .iter()
            .map(|i| {
                (
                    i.candidate,
                    String::from_utf8(i.cpr.expose_digits().to_vec()).unwrap(),
                )
            })
            .collect();
        assert_eq!(got, expected, "sector {}", list.sector);
        // Only the sector's own services appear.
        let catalogue = Catalogue::builtin();
        for item in &list.items {
            for service in &item.services {
                let Some(samkoer_core::Category::Allowed(s)) = catalogue.lookup(&service.code)
                else {
                    panic!()
                };
                assert_eq!(s.sector, list.sector);
            }
        }
    }
    // Another sector's key opens nothing.
    let error = review(
        r.flags[0].as_slice(),
        "s.flag",
        &town.sealing[1],
        Catalogue::builtin(),
    )
    .unwrap_err();
    assert_eq!(error.class(), "review-key");
}

/// A caseworker's verdict for a candidate, chosen from its id so the test is deterministic.
/// A work list as a spreadsheet writes it back: fields between `;`, CRLF line ends, the column
/// names capitalised, a name with Danish letters.
fn as_excel_saves(filled: &str) -> String {
    let mut reader = csv::Reader::from_reader(filled.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h[..1].to_uppercase() + &h[1..])
        .collect();
    writer.write_record(&header).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        row[7] = "Søren Ærø".into();
        writer.write_record(&row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn chosen(candidate: CandidateId, sector: usize) -> (&'static str, &'static str) {
    match (candidate.0[0] as usize + sector) % 5 {
        0 => ("not-suitable", ""),
        1 => ("suitable-from", "2027-03"),
        2 => ("suitable-from", "2027-01"),
        3 => ("", ""),
        _ => ("suitable", ""),
    }
}

#[test]
fn verdicts_combine_into_the_final_selection_by_the_documented_rule() {
    let town = town(3000, 22, "2026-11");
    let r = reviewed(&town);
    let mut files = Vec::new();
    for (sector, list) in r.lists.iter().enumerate() {
        // Fill in the work list as a caseworker would.
        let csv = list.to_csv();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(reader.headers().unwrap()).unwrap();
        for record in reader.records() {
            let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
            let (verdict, from) = chosen(CandidateId::parse(&row[0]).unwrap(), sector);
            row[10] = verdict.into();
            row[11] = from.into();
            writer.write_record(&row).unwrap();
        }
        let filled = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let verdicts = VerdictFile::from_work_list_csv(&filled, "filled.csv", list).unwrap();
        // A column of the caseworkers' own whose name holds a `;`: the header holds both
        // separators, and `,` is the one that separates.
        let mut reader = csv::Reader::from_reader(filled.as_bytes());
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        header.push("note; intern".into());
        writer.write_record(&header).unwrap();
        for record in reader.records() {
            let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
            row.push("ok".into());
            writer.write_record(&row).unwrap();
        }
        let noted = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert!(noted.lines().next().unwrap().contains(';'));
        assert_eq!(
            VerdictFile::from_work_list_csv(&noted, "noted.csv", list).unwrap(),
            verdicts
        );
        // The same list as Danish Excel saves it ("CSV (semikolonsepareret)"): `;`, CRLF,
        // Windows-1252, capitalised column names; and as UTF-8 with a byte-order mark.
        let excel = as_excel_saves(&filled);
        let (windows_1252, _, _) = encoding_rs::WINDOWS_1252.encode(&excel);
        let bom = [b"\xEF\xBB\xBF".as_slice(), excel.as_bytes()].concat();
        for bytes in [windows_1252.to_vec(), bom] {
            let text = Input::bytes("filled.csv", bytes)
                .spreadsheet_text()
                .unwrap();
            let again = VerdictFile::from_work_list_csv(&text, "filled.csv", list).unwrap();
            assert_eq!(again, verdicts);
        }
        let sealing = town
            .sealing
            .iter()
            .find(|k| k.sector() == &list.sector)
            .unwrap();
        let json = verdicts.to_json(&PartySigningKey::of(sealing), Head::EMPTY);
        assert!(
            !json.contains(&String::from_utf8(list.items[0].cpr.expose_digits().to_vec()).unwrap())
        );
        let (back, author) = VerdictFile::parse(&json, "verdicts.json").unwrap();
        assert_eq!(back, verdicts);
        assert_eq!(author.signer, PartySigningKey::of(sealing).public());
        files.push((format!("{}.verdicts.json", list.sector), back, author));
    }
    let report = r.matched.signed_report(&matcher_signing(), Head::EMPTY);
    let result = sent_from_match_report(&report, "result.json").unwrap();
    assert_eq!(result.author.signer, matcher_signing().public());
    let sent = result.sent.clone();
    assert_eq!(sent, r.matched.sent());
    let selection = select(&result, &files).unwrap();

    // Reference: the rule applied to the chosen verdicts.
    let index_of = |s: &samkoer_core::SectorCode| {
        Catalogue::builtin()
            .sectors
            .iter()
            .position(|c| &c.code == s)
            .unwrap()
    };
    let (mut selected, mut removed, mut outstanding) =
        (BTreeMap::new(), BTreeSet::new(), BTreeSet::new());
    for (candidate, sectors) in &sent {
        let answers: Vec<(&str, &str)> = sectors
            .iter()
            .map(|s| chosen(*candidate, index_of(s)))
            .collect();
        if answers.iter().any(|(v, _)| *v == "not-suitable") {
            removed.insert(*candidate);
        } else if answers.iter().any(|(v, _)| v.is_empty()) {
            outstanding.insert(*candidate);
        } else {
            let start = answers
                .iter()
                .filter(|(v, _)| *v == "suitable-from")
                .map(|(_, f)| f.to_string())
                .max();
            selected.insert(*candidate, start);
        }
    }
    let got_selected: BTreeMap<_, _> = selection
        .selected
        .iter()
        .map(|s| (s.candidate, s.start.clone()))
        .collect();
    assert_eq!(got_selected, selected);
    assert_eq!(
        selection
            .removed
            .iter()
            .map(|r| r.candidate)
            .collect::<BTreeSet<_>>(),
        removed
    );
    assert_eq!(
        selection
            .outstanding
            .iter()
            .map(|o| o.candidate)
            .collect::<BTreeSet<_>>(),
        outstanding
    );
    assert!(!selected.is_empty() && !removed.is_empty() && !outstanding.is_empty());
    for s in &selection.selected {
        assert_eq!(
            s.tell.iter().cloned().collect::<BTreeSet<_>>(),
            sent[&s.candidate]
        );
    }

    // A verdict on a candidate the sector was never sent is refused, naming the file.
    let (name, mut file, author) = files[0].clone();
    let stranger = sent
        .iter()
        .find(|(_, sectors)| !sectors.contains(&file.sector))
        .map(|(c, _)| *c)
        .unwrap();
    file.verdicts
        .insert(stranger, samkoer_core::formats::verdicts::Verdict::Suitable);
    let mut tampered = files.clone();
    tampered[0] = (name.clone(), file, author);
    let error = select(&result, &tampered).unwrap_err();
    assert_eq!(error.class(), "verdict-not-sent");
    assert!(error.to_string().starts_with(&name));
    let mut doubled = files.clone();
    doubled.push(files[0].clone());
    assert_eq!(
        select(&result, &doubled).unwrap_err().class(),
        "verdict-mismatch"
    );
    // Verdicts signed by any key but the one the sector's publication carried are refused.
    let mut impostor = files.clone();
    impostor[0].2.signer = matcher_signing().public();
    let error = select(&result, &impostor).unwrap_err();
    assert_eq!(error.class(), "verdict-signature");
    assert!(error.to_string().starts_with(&files[0].0));
}
