//! What kind of samkoer file some bytes are, told by their first bytes: the one table of every
//! file kind's mark (magic bytes, key-file line, `format` field, header row), asked by every
//! reader before it reads a file of its own kind, so that a file given in the wrong place is
//! named for what it is: `this is a plan team public key file, not a publication`
//! (`wrong-file-kind`, spec §10).

use crate::error::{Error, Result, Rule};
use crate::primitives::keys::KeyKind;

/// How many of a file's first bytes [`sniff`] looks at, at most.
pub const SNIFF_LEN: usize = 1024;

/// A kind of file samkoer reads or writes, or a kind of file people give it by mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A sector's publication (`SAMKOPUB`, spec §7).
    Publication,
    /// The matcher's flag file for one sector (`SAMKOFLG`, spec §7.6).
    FlagFile,
    /// A consent receipt (`SAMKORCP`, spec §14.2).
    Receipt,
    /// A withdrawal of a consent (`SAMKOWDR`, spec §14.3).
    Withdrawal,
    /// A disclosure bundle (`SAMKODSC`, spec §15).
    Bundle,
    /// The match's check index (`SAMKOCIX`, spec §12.8).
    CheckIndex,
    /// A key file (spec §4.5); the kind of key when its `kind:` line names a known one.
    KeyFile(Option<KeyKind>),
    /// The matcher's result file (`"format": "samkoer-match"`, spec §12.6).
    MatchResult,
    /// The match's statistics (JSON, spec §12.7).
    Statistics,
    /// A sector's verdict file (`"format": "samkoer-verdicts"`, spec §13.2).
    Verdicts,
    /// The final selection (JSON, spec §13.3).
    Selection,
    /// A publish's accounting report (`"format": "samkoer-accounting"`, spec §8.5).
    Accounting,
    /// A one-citizen check's request (`"format": "samkoer-check-request"`, spec §12.8).
    CheckRequest,
    /// A one-citizen check's answer (`"format": "samkoer-check-answer"`, spec §12.8).
    CheckAnswer,
    /// The plan team's opened disclosures (`"format": "samkoer-opened"`, spec §18.2).
    Opened,
    /// An interrupted step's record of its outputs (`"format": "samkoer-commit"`, spec §18.3).
    CommitJournal,
    /// An audit log (JSON lines that begin `{"seq":`, spec §16).
    AuditLog,
    /// Selection criteria (`format = "samkoer-criteria"`, spec §11).
    Criteria,
    /// A service catalogue (`format = "samkoer-catalogue"`, spec §9).
    Catalogue,
    /// A work list (CSV whose header begins `candidate` and `cpr`, spec §13.1).
    WorkList,
    /// A case system's export (CSV, spec §8): no mark of its own, so only ever what was asked for.
    Export,
    /// A relations file (CSV, spec §8): no mark of its own, so only ever what was asked for.
    Relations,
    /// A mapping file (TOML, spec §8.3): no mark of its own, so only ever what was asked for.
    Mapping,
    /// A ZIP file, such as a spreadsheet saved as `.xlsx`.
    Zip,
    /// A PDF document, such as a scanned form.
    Pdf,
    /// JSON that is none of samkoer's files above.
    Json,
    /// Other text, such as a case system's CSV export.
    Text,
}

impl Kind {
    /// What the kind is, as a message names it: `a publication`.
    pub fn what(self) -> &'static str {
        match self {
            Kind::Publication => "a publication",
            Kind::FlagFile => "a flag file",
            Kind::Receipt => "a consent receipt",
            Kind::Withdrawal => "a withdrawal of a consent",
            Kind::Bundle => "a disclosure bundle",
            Kind::CheckIndex => "the match's check index",
            Kind::KeyFile(None) => "a key file",
            Kind::KeyFile(Some(key)) => key_file_what(key),
            Kind::MatchResult => "the match's result file",
            Kind::Statistics => "the match's statistics",
            Kind::Verdicts => "a verdict file",
            Kind::Selection => "the final selection",
            Kind::Accounting => "a publish's accounting report",
            Kind::CheckRequest => "a one-citizen check's request",
            Kind::CheckAnswer => "a one-citizen check's answer",
            Kind::Opened => "the opened disclosures",
            Kind::CommitJournal => "an interrupted step's record of its outputs",
            Kind::AuditLog => "an audit log",
            Kind::Criteria => "a criteria file",
            Kind::Catalogue => "a service catalogue",
            Kind::WorkList => "a work list",
            Kind::Export => "a case system's export",
            Kind::Relations => "a relations file",
            Kind::Mapping => "a mapping file",
            Kind::Zip => "a ZIP file, such as a spreadsheet",
            Kind::Pdf => "a PDF document",
            Kind::Json => "JSON of no samkoer file",
            Kind::Text => "text, such as a CSV export",
        }
    }

    /// Whether the kind is a text format that a parser reads and judges on its own: a file
    /// of unknown text given for it is left to that parser's rules.
    fn is_text(self) -> bool {
        !matches!(
            self,
            Kind::Publication
                | Kind::FlagFile
                | Kind::Receipt
                | Kind::Withdrawal
                | Kind::Bundle
                | Kind::Zip
                | Kind::Pdf
        )
    }

    /// Whether a file found to be `found` may be read where `self` is expected, for its own
    /// reader to judge further.
    fn admits(self, found: Kind) -> bool {
        match (self, found) {
            (expected, found) if expected == found => true,
            // Another kind of key is the key file's own rule (`key-file-kind`).
            (Kind::KeyFile(_), Kind::KeyFile(_)) => true,
            // Unknown text or JSON: the reader's own syntax rules say what is wrong with it.
            (expected, Kind::Text | Kind::Json) => expected.is_text(),
            _ => false,
        }
    }
}

/// What a key file of one kind is, as messages name it.
pub fn key_file_what(key: KeyKind) -> &'static str {
    match key {
        KeyKind::Master => "a master key file",
        KeyKind::Run => "a run key file",
        KeyKind::Sealing => "a sealing key file",
        KeyKind::ConsentRegistry => "a consent registry key file",
        KeyKind::ConsentRegistryPublic => "a consent registry public key file",
        KeyKind::Subject => "a subject key file",
        KeyKind::PlanTeam => "a plan team key file",
        KeyKind::PlanTeamPublic => "a plan team public key file",
        KeyKind::Matcher => "a matcher key file",
        KeyKind::SectorPublic => "a sector public key file",
    }
}

/// The magic bytes of the binary kinds.
const MAGICS: [(&[u8; 8], Kind); 6] = [
    (b"SAMKOPUB", Kind::Publication),
    (b"SAMKOFLG", Kind::FlagFile),
    (b"SAMKORCP", Kind::Receipt),
    (b"SAMKOWDR", Kind::Withdrawal),
    (b"SAMKODSC", Kind::Bundle),
    (b"SAMKOCIX", Kind::CheckIndex),
];

/// The `format` values of the JSON and TOML kinds.
const FORMATS: [(&str, Kind); 9] = [
    ("samkoer-match", Kind::MatchResult),
    ("samkoer-verdicts", Kind::Verdicts),
    ("samkoer-accounting", Kind::Accounting),
    ("samkoer-check-request", Kind::CheckRequest),
    ("samkoer-check-answer", Kind::CheckAnswer),
    ("samkoer-opened", Kind::Opened),
    ("samkoer-commit", Kind::CommitJournal),
    ("samkoer-criteria", Kind::Criteria),
    ("samkoer-catalogue", Kind::Catalogue),
];

/// The magic bytes of a binary kind (publication, flag file, receipt, withdrawal, bundle).
pub fn magic(kind: Kind) -> Option<&'static [u8; 8]> {
    MAGICS.iter().find(|(_, k)| *k == kind).map(|(m, _)| *m)
}

/// What kind of file `start` (a file's first bytes; [`SNIFF_LEN`] of them suffice) is, if it
/// is recognisably one; `None` for bytes of no known kind.
pub fn sniff(start: &[u8]) -> Option<Kind> {
    let start = &start[..start.len().min(SNIFF_LEN)];
    let start = start.strip_prefix(b"\xef\xbb\xbf").unwrap_or(start);
    if let Some((_, kind)) = MAGICS.iter().find(|(m, _)| start.starts_with(&m[..])) {
        return Some(*kind);
    }
    // Nothing, or the start of a binary kind's magic cut short: the reader's rules say so.
    if start.is_empty() || MAGICS.iter().any(|(m, _)| m.starts_with(start)) {
        return None;
    }
    if start.starts_with(b"samkoer-key-file ") {
        let kind = start
            .split(|&b| b == b'\n')
            .nth(1)
            .and_then(|line| line.strip_prefix(b"kind: "))
            .and_then(|name| std::str::from_utf8(name).ok())
            .and_then(|name| {
                KeyKind::ALL
                    .into_iter()
                    .find(|k| k.name() == name.trim_end())
            });
        return Some(Kind::KeyFile(kind));
    }
    if start.starts_with(b"PK\x03\x04") {
        return Some(Kind::Zip);
    }
    if start.starts_with(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    // Control bytes other than line ends and tabs: binary of no known kind.
    if start
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
    {
        return None;
    }
    // Text; a cut in the middle of a character at the end of the first bytes is still UTF-8.
    let text = match std::str::from_utf8(start) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&start[..e.valid_up_to()]).ok()?,
        // Text of another encoding, such as Windows-1252.
        Err(_) => return Some(Kind::Text),
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Some(json_kind(trimmed));
    }
    let toml_kind = toml_format(text).and_then(|format| FORMATS.iter().find(|(f, _)| *f == format));
    if let Some((_, kind)) = toml_kind {
        return Some(*kind);
    }
    let header = text.lines().next().unwrap_or_default().to_ascii_lowercase();
    if header.starts_with("candidate;cpr;") || header.starts_with("candidate,cpr,") {
        return Some(Kind::WorkList);
    }
    Some(Kind::Text)
}

/// The kind of JSON text: by its `format` field, or by the first key of the files that have
/// none (statistics, selection, audit log).
fn json_kind(json: &str) -> Kind {
    let body = json.strip_prefix('{').map(str::trim_start);
    let first_key = body
        .and_then(|b| b.strip_prefix('"'))
        .and_then(|b| b.split('"').next());
    match first_key {
        Some("threshold") => return Kind::Statistics,
        Some("selected") => return Kind::Selection,
        Some("seq") => return Kind::AuditLog,
        _ => {}
    }
    json_format(json)
        .and_then(|format| FORMATS.iter().find(|(f, _)| *f == format))
        .map_or(Kind::Json, |(_, kind)| *kind)
}

/// The value of the first `"format": "…"` in JSON text.
fn json_format(json: &str) -> Option<&str> {
    let (_, after) = json.split_once("\"format\"")?;
    let value = after.trim_start().strip_prefix(':')?.trim_start();
    value.strip_prefix('"')?.split('"').next()
}

/// The value of a top-level `format = "…"` line in TOML text.
fn toml_format(toml: &str) -> Option<&str> {
    toml.lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| {
            let value = line
                .strip_prefix("format")?
                .trim_start()
                .strip_prefix('=')?;
            value.trim().strip_prefix('"')?.split('"').next()
        })
}

/// Refuses `start` (a file's first bytes) where a file of kind `expected` is asked for, when it
/// is recognisably of another kind: `wrong-file-kind` at line 0 of `file`, with the detail
/// `this is …, not …`. Bytes of no known kind, and unknown text for a text kind, pass: the
/// reader's own rules judge them.
pub fn expect(start: &[u8], expected: Kind, file: &str) -> Result<()> {
    match sniff(start) {
        Some(found) if !expected.admits(found) => Err(wrong(file, found, expected)),
        _ => Ok(()),
    }
}

/// The error for a file that is `found` where `expected` is asked for.
pub fn wrong(file: &str, found: Kind, expected: Kind) -> Error {
    Error::input_owned(
        file,
        0,
        Rule::WrongFileKind,
        format!("this is {}, not {}", found.what(), expected.what()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_told_by_its_first_bytes() {
        let cases: &[(&[u8], Kind)] = &[
            (b"SAMKOPUB\x00\x01", Kind::Publication),
            (b"SAMKOFLG\x00\x01", Kind::FlagFile),
            (b"SAMKORCP\x00\x01", Kind::Receipt),
            (b"SAMKOWDR\x00\x01", Kind::Withdrawal),
            (b"SAMKODSC\x00\x01", Kind::Bundle),
            (
                b"samkoer-key-file 2\nkind: plan-team-public\n",
                Kind::KeyFile(Some(KeyKind::PlanTeamPublic)),
            ),
            (
                b"samkoer-key-file 1\r\nkind: run\r\n",
                Kind::KeyFile(Some(KeyKind::Run)),
            ),
            (b"samkoer-key-file 9\n", Kind::KeyFile(None)),
            (b"{\n  \"format\": \"samkoer-match\",", Kind::MatchResult),
            (
                b"\xef\xbb\xbf{\"format\":\"samkoer-verdicts\"",
                Kind::Verdicts,
            ),
            (
                b"{\"format\" : \"samkoer-check-request\"}",
                Kind::CheckRequest,
            ),
            (b"{\"format\": \"samkoer-check-answer\"}", Kind::CheckAnswer),
            (b"{\"format\": \"samkoer-accounting\"}", Kind::Accounting),
            (b"{\"format\": \"samkoer-opened\"}", Kind::Opened),
            (b"{\"format\": \"samkoer-commit\"}", Kind::CommitJournal),
            (
                b"{\n  \"threshold\": 5,\n  \"tables\": []",
                Kind::Statistics,
            ),
            (b"{\n  \"selected\": [],", Kind::Selection),
            (b"{\"seq\":1,\"time\":\"2026\"}\n", Kind::AuditLog),
            (b"[{\"candidate\": \"x\"}]", Kind::Json),
            (b"{\"format\": \"other\"}", Kind::Json),
            (
                b"# c\nformat = \"samkoer-criteria\"\nversion = 1\n",
                Kind::Criteria,
            ),
            (b"format = \"samkoer-catalogue\"\n", Kind::Catalogue),
            (b"candidate;cpr;service;law\n", Kind::WorkList),
            (b"Candidate,CPR,service\n", Kind::WorkList),
            (b"PK\x03\x04\x14\x00", Kind::Zip),
            (b"%PDF-1.7\n", Kind::Pdf),
            (b"cpr;service;status;start\n", Kind::Text),
            (b"cpr;navn\r\n1505803017;S\xf8ren\r\n", Kind::Text),
            (
                b"delimiter = \";\"\n[columns]\nformat = \"x\"\n",
                Kind::Text,
            ),
        ];
        for (bytes, kind) in cases {
            assert_eq!(
                sniff(bytes),
                Some(*kind),
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert_eq!(sniff(b"\x00\x01\x02\x03\xff"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"SAMKO"), None);
        // A character cut at the end of the first bytes is still text.
        let mut cut = vec![b'a'; SNIFF_LEN - 1];
        cut.extend_from_slice("ø".as_bytes());
        assert_eq!(sniff(&cut), Some(Kind::Text));
    }

    #[test]
    fn a_file_of_another_kind_is_named_for_what_it_is() {
        let error = expect(
            b"samkoer-key-file 2\nkind: plan-team-public\n",
            Kind::Publication,
            "x.pub",
        )
        .unwrap_err();
        assert_eq!(error.rule(), Some(Rule::WrongFileKind));
        assert!(error.to_string().contains("x.pub, line 0: "));
        assert!(
            error
                .to_string()
                .contains("[this is a plan team public key file, not a publication]"),
            "{error}"
        );
        // Its own kind, unknown bytes, and unknown text for a text kind pass.
        assert!(expect(b"SAMKOPUB", Kind::Publication, "x").is_ok());
        assert!(expect(b"\x00\x01", Kind::Publication, "x").is_ok());
        assert!(expect(b"not json", Kind::Verdicts, "x").is_ok());
        assert!(expect(b"[1, 2]", Kind::Verdicts, "x").is_ok());
        assert!(expect(b"samkoer-key-file 2\nkind: run\n", Kind::KeyFile(None), "x").is_ok());
        // Text where a binary file is asked for is named.
        let text = expect(b"cpr;service\n", Kind::Receipt, "r.bin").unwrap_err();
        assert!(
            text.to_string()
                .contains("this is text, such as a CSV export, not a consent receipt")
        );
        // Every binary kind's magic bytes are its own.
        for kind in [
            Kind::Publication,
            Kind::FlagFile,
            Kind::Receipt,
            Kind::Withdrawal,
            Kind::Bundle,
        ] {
            assert_eq!(sniff(magic(kind).unwrap()), Some(kind));
        }
    }
}
