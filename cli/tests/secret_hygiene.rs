//! After a whole `samkoer demo` run, no input CPR number appears, in any formatting or encoding
//! the test knows, in anything the demo wrote or printed.
//!
//! The demo's inputs are the exports it generates (`exports/export-*.csv`,
//! `exports/relations.csv`): they stand in for the sectors' case systems, so they hold the CPR
//! numbers. The test reads the numbers from them, and does not scan them. Nor does it scan what
//! holds CPR numbers by design: the sectors' work lists (`sectors/*.worklist.csv`, where
//! caseworkers see their own citizens), the caseworker's person file for the citizen check and
//! its answers read back (`sectors/check-persons.txt`, `sectors/check.csv`, the sector's own
//! citizens), and the disclosure bundles (`consent/*.bundle`, sealed for the plan team). Everything else under the demo's
//! folder, its audit log included, and its standard output and standard error, is scanned as
//! bytes. To show that the scanner finds what it looks for, the test also scans the work lists
//! (which must contain CPR numbers) and a buffer holding one number in every encoding.
//!
//! A finding names the file, the format, and the input file and line the number came from;
//! never the number.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

// aho-corasick: a few thousand numbers times twenty-odd encodings are some 60,000 patterns of
// three lengths, searched in one pass per file; a window set per length would need a pass per
// length and its own bookkeeping. It is already in the lock file (a dependency of regex).
use aho_corasick::AhoCorasick;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// How many people the demo generates: enough for families, candidates and a disclosure, and
/// still a second or so in a debug build.
const PEOPLE: &str = "3000";

/// Where an input CPR number came from: what a finding names instead of the number.
#[derive(Clone)]
struct Origin {
    file: String,
    line: u64,
}

/// The input CPR numbers, as ten ASCII digits, each with the first row that holds it.
struct Inputs {
    numbers: Vec<([u8; 10], Origin)>,
}

impl Inputs {
    /// Every CPR cell of the exports and the relations file: the columns whose header ends in
    /// `cpr`. A cell that is not ten digits once trimmed and without the dash or space after
    /// the birth date (a deliberately invalid row) is not a number to look for.
    fn read(exports: &Path) -> Inputs {
        let mut first_seen: HashMap<[u8; 10], Origin> = HashMap::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(exports)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "csv"))
            .collect();
        files.sort();
        for path in &files {
            let bytes = std::fs::read(path).unwrap();
            let header_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
            let delimiter = if header_line.contains(&b';') {
                b';'
            } else {
                b','
            };
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_reader(bytes.as_slice());
            let cpr_columns: Vec<usize> = reader
                .byte_headers()
                .unwrap()
                .iter()
                .enumerate()
                .filter(|(_, name)| name.trim_ascii().to_ascii_lowercase().ends_with(b"cpr"))
                .map(|(i, _)| i)
                .collect();
            assert!(
                !cpr_columns.is_empty(),
                "{} has no CPR column",
                path.display()
            );
            let file = format!("exports/{}", path.file_name().unwrap().to_string_lossy());
            for record in reader.byte_records() {
                let record = record.unwrap();
                let line = record.position().map_or(0, |p| p.line());
                for &column in &cpr_columns {
                    if let Some(digits) = record.get(column).and_then(ten_digits) {
                        first_seen.entry(digits).or_insert_with(|| Origin {
                            file: file.clone(),
                            line,
                        });
                    }
                }
            }
        }
        let mut numbers: Vec<_> = first_seen.into_iter().collect();
        numbers.sort_by(|a, b| (&a.1.file, a.1.line).cmp(&(&b.1.file, b.1.line)));
        Inputs { numbers }
    }
}

/// The ten digits of a CPR cell as the exports write it (`DDMMYYSSSS`, `DDMMYY-SSSS`, with any
/// surrounding white space), if it is one.
fn ten_digits(cell: &[u8]) -> Option<[u8; 10]> {
    let cell = cell.trim_ascii();
    let joined: Vec<u8> = match cell.len() {
        10 => cell.to_vec(),
        11 if matches!(cell[6], b'-' | b' ') => [&cell[..6], &cell[7..]].concat(),
        _ => return None,
    };
    let digits: [u8; 10] = joined.try_into().ok()?;
    digits.iter().all(u8::is_ascii_digit).then_some(digits)
}

/// Every form of one number the scanner looks for, each with its format's name. The base64
/// forms are the part of the encoding that does not depend on the bytes around the text, for
/// each of the three positions the text can have relative to base64's three-byte groups.
fn encodings(digits: &[u8; 10]) -> Vec<(&'static str, Vec<u8>)> {
    let text = std::str::from_utf8(digits).unwrap();
    let (date, serial) = text.split_at(6);
    let (day, month, year) = (&date[..2], &date[2..4], &date[4..]);
    let number: u64 = text.parse().unwrap();
    let mut forms: Vec<(&'static str, Vec<u8>)> = vec![
        ("DDMMYYSSSS", text.into()),
        ("DDMMYY-SSSS", format!("{date}-{serial}").into()),
        ("DDMMYY SSSS", format!("{date} {serial}").into()),
        (
            "DD-MM-YY-SSSS",
            format!("{day}-{month}-{year}-{serial}").into(),
        ),
        (
            "DD.MM.YY-SSSS",
            format!("{day}.{month}.{year}-{serial}").into(),
        ),
        (
            "DD/MM/YY-SSSS",
            format!("{day}/{month}/{year}-{serial}").into(),
        ),
        (
            "DD.MM.YY SSSS",
            format!("{day}.{month}.{year} {serial}").into(),
        ),
        ("hex of the text", hex::encode(digits).into()),
        ("HEX of the text", hex::encode_upper(digits).into()),
        ("u64 little-endian", number.to_le_bytes().into()),
        ("u64 big-endian", number.to_be_bytes().into()),
        ("UTF-16LE text", utf16le(text)),
        ("UTF-16LE DDMMYY-SSSS", utf16le(&format!("{date}-{serial}"))),
    ];
    const BASE64_FORMATS: [[&str; 3]; 2] = [
        ["base64, offset 0", "base64, offset 1", "base64, offset 2"],
        [
            "base64url, offset 0",
            "base64url, offset 1",
            "base64url, offset 2",
        ],
    ];
    for (engine, names) in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD]
        .into_iter()
        .zip(BASE64_FORMATS)
    {
        for (offset, name) in names.into_iter().enumerate() {
            let mut shifted = vec![0u8; offset];
            shifted.extend_from_slice(digits);
            let encoded = engine.encode(&shifted);
            // Four characters per three bytes: the groups wholly inside the text.
            let first_group = offset.div_ceil(3);
            let end_group = (offset + digits.len()) / 3;
            forms.push((name, encoded[4 * first_group..4 * end_group].into()));
        }
    }
    forms
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Every encoding of every input number, searched at once.
struct Scanner {
    automaton: AhoCorasick,
    /// Per pattern: the number (by index into the inputs) and the format's name.
    patterns: Vec<(usize, &'static str)>,
}

impl Scanner {
    fn new(inputs: &Inputs) -> Scanner {
        let mut texts = Vec::new();
        let mut patterns = Vec::new();
        for (index, (digits, _)) in inputs.numbers.iter().enumerate() {
            for (format, bytes) in encodings(digits) {
                texts.push(bytes);
                patterns.push((index, format));
            }
        }
        Scanner {
            automaton: AhoCorasick::new(&texts).unwrap(),
            patterns,
        }
    }

    /// What `haystack` holds: (number index, format) of every match, overlapping ones included.
    fn find(&self, haystack: &[u8]) -> Vec<(usize, &'static str)> {
        self.automaton
            .find_overlapping_iter(haystack)
            .map(|found| self.patterns[found.pattern().as_usize()])
            .collect()
    }
}

/// A finding as the failure message shows it: where, which format, and whose row.
fn describe(inputs: &Inputs, place: &str, (index, format): (usize, &str)) -> String {
    let origin = &inputs.numbers[index].1;
    format!(
        "{place}: {format} of the CPR number of {} line {}",
        origin.file, origin.line
    )
}

/// Every file under `dir`, recursively, as a path relative to it with `/` separators.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                let parts: Vec<_> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.push(parts.join("/"));
            }
        }
    }
    found.sort();
    found
}

/// Why a file of the demo's folder is not scanned, if it is not.
fn excluded(file: &str) -> Option<&'static str> {
    let (folder, name) = file.split_once('/').unwrap_or(("", file));
    match folder {
        "exports" => Some("an input"),
        "sectors" if name.ends_with(".worklist.csv") => Some("a work list"),
        "sectors" if name == "check-persons.txt" => Some("the citizen check's person file"),
        "sectors" if name == "check.csv" => Some("the citizen check's answers by CPR number"),
        "consent" if name.ends_with(".bundle") => Some("a disclosure bundle"),
        _ => None,
    }
}

#[test]
fn a_demo_run_writes_and_prints_no_input_cpr_number_outside_work_lists_and_bundles() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let output = Command::new(env!("CARGO_BIN_EXE_samkoer"))
        .args(["demo", "--people", PEOPLE, "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "samkoer demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let inputs = Inputs::read(&dir.join("exports"));
    // Not everyone has a service or a family; most do.
    assert!(
        inputs.numbers.len() >= 1500,
        "only {} input CPR numbers read",
        inputs.numbers.len()
    );
    let scanner = Scanner::new(&inputs);

    let files = files_under(&dir);
    let (skipped, scanned): (Vec<&String>, Vec<&String>) =
        files.iter().partition(|f| excluded(f).is_some());
    // The scan covers every step's output; a demo that stopped writing some would not pass
    // unnoticed.
    for expected in [
        "audit/custodian.log",
        "audit/matcher.log",
        "audit/registry.log",
        "audit/plan-team.log",
        "audit/employment.log",
        "keys/master.key",
        "keys/matcher.key",
        "match/check-index",
        "keys/run.key",
        "publications/employment.pub",
        "publications/employment.pub.accounting.json",
        "match/flags/employment.flag",
        "match/check-answer.json",
        "sectors/check-request.json",
        "consent/opened.json",
        "match/result.json",
        "match/selection.json",
        "match/statistics.json",
        "sectors/employment.verdicts.json",
        "consent/receipt.bin",
        "consent/withdrawal.bin",
        "consent/state-1.bin",
        "consent/state-2.bin",
    ] {
        assert!(
            scanned.iter().any(|f| *f == expected),
            "{expected} was not written, or not scanned"
        );
    }
    assert!(
        skipped.iter().any(|f| f.ends_with(".bundle")),
        "the demo disclosed nothing: the consent step went untested"
    );

    let mut leaks = Vec::new();
    for file in &scanned {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        leaks.extend(
            scanner
                .find(&bytes)
                .into_iter()
                .map(|found| describe(&inputs, file, found)),
        );
    }
    for (stream, bytes) in [
        ("standard output", &output.stdout),
        ("standard error", &output.stderr),
    ] {
        leaks.extend(
            scanner
                .find(bytes)
                .into_iter()
                .map(|found| describe(&inputs, stream, found)),
        );
    }
    leaks.truncate(40);
    assert!(
        leaks.is_empty(),
        "input CPR numbers found:\n{}",
        leaks.join("\n")
    );

    // The scanner does find numbers where they are: every work list holds its citizens'.
    let work_lists: Vec<&&String> = skipped
        .iter()
        .filter(|f| f.ends_with(".worklist.csv"))
        .collect();
    assert!(!work_lists.is_empty(), "the demo wrote no work list");
    for file in work_lists {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        assert!(
            scanner
                .find(&bytes)
                .iter()
                .any(|&(_, format)| format == "DDMMYY-SSSS"),
            "the scanner found no CPR number in {file}, which holds them"
        );
    }
}

#[test]
fn the_scanner_finds_a_number_in_every_encoding_and_position() {
    let origin = Origin {
        file: "synthetic".into(),
        line: 1,
    };
    let numbers = [*b"0101901234", *b"3112999999"];
    let inputs = Inputs {
        numbers: numbers.iter().map(|&d| (d, origin.clone())).collect(),
    };
    let scanner = Scanner::new(&inputs);
    for (index, digits) in numbers.iter().enumerate() {
        let formats = encodings(digits);
        for (format, pattern) in &formats {
            // The whole encoding, with the text at a given offset in a longer byte string,
            // not the pattern itself: this is what a leak would look like.
            let haystack = match format.strip_prefix("base64") {
                Some(rest) => {
                    let offset = usize::from(rest.as_bytes()[rest.len() - 1] - b'0');
                    let mut text = b"xyz"[..offset].to_vec();
                    text.extend_from_slice(digits);
                    text.extend_from_slice(b"\n}");
                    let engine = if rest.starts_with("url") {
                        URL_SAFE_NO_PAD
                    } else {
                        STANDARD_NO_PAD
                    };
                    format!("data: {}=", engine.encode(&text)).into_bytes()
                }
                None => [b"\x00\x01 before ".as_slice(), pattern, b" after \xff"].concat(),
            };
            let found = scanner.find(&haystack);
            assert!(
                found.contains(&(index, *format)),
                "{format} of number {index} not found"
            );
        }
        assert!(
            formats.iter().all(|(_, pattern)| pattern.len() >= 8),
            "every pattern is long enough not to match by chance"
        );
    }
    assert!(scanner.find(b"0101901235 010190-123 3112999998").is_empty());
}
