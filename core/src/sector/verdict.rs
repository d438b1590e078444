//! Verdicts in the sector (spec §13.2): the caseworkers' filled-in work list becomes the
//! verdict file the sector sends, holding candidate ids and verdicts only.

use std::collections::BTreeMap;

use crate::error::{Error, Result, Rule};
use crate::formats::verdicts::{Verdict, VerdictFile};
use crate::primitives::ids::CandidateId;
use crate::sector::review::WorkList;

impl VerdictFile {
    /// Reads the work list's CSV as the caseworkers filled it in: each row's `verdict` and
    /// `from` for its candidate; rows left empty give no verdict; several rows of one candidate
    /// combine (not suitable wins, else the later month). Only candidates of `sent` are
    /// accepted. The list may be as a spreadsheet saves it: `;` or `,` between fields (told
    /// from the header), column names in any case, CRLF line ends. Errors name the line.
    pub fn from_work_list_csv(text: &str, file: &str, sent: &WorkList) -> Result<VerdictFile> {
        let candidates = sent.candidates();
        let header = text.lines().next().unwrap_or_default();
        let delimiter = if header.contains(';') && !header.contains(',') {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|_| Error::input(file, 1, Rule::VerdictSyntax))?
            .clone();
        let column = |name: &'static str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
                .ok_or_else(|| Error::input_detail(file, 1, Rule::VerdictSyntax, Some(name)))
        };
        let (candidate_at, verdict_at, from_at) =
            (column("candidate")?, column("verdict")?, column("from")?);
        let mut verdicts: BTreeMap<CandidateId, Verdict> = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| line_at(text, p.byte()));
                Error::input(file, line, Rule::VerdictSyntax)
            })?;
            let line = || record.position().map_or(0, |p| line_at(text, p.byte()));
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            if field(verdict_at).is_empty() && field(from_at).is_empty() {
                continue;
            }
            let candidate = CandidateId::parse(field(candidate_at))
                .ok_or_else(|| Error::input(file, line(), Rule::VerdictSyntax))?;
            if !candidates.contains(&candidate) {
                return Err(Error::input(file, line(), Rule::VerdictNotSent));
            }
            let verdict = Verdict::parse(field(verdict_at), field(from_at))
                .ok_or_else(|| Error::input(file, line(), Rule::VerdictValue))?;
            let combined = verdicts
                .get(&candidate)
                .map_or(verdict, |&earlier| earlier.and(verdict));
            verdicts.insert(candidate, combined);
        }
        Ok(VerdictFile {
            municipality: sent.municipality,
            run: sent.run.clone(),
            sector: sent.sector.clone(),
            verdicts,
        })
    }
}

/// The 1-based physical line on which the record at `byte` starts. The CSV reader's own line
/// count is of records (a line break inside a quoted field, as a goal of two lines, would shift
/// every later line), and its byte offset may point at the line end before the record (the LF
/// of a CRLF): line ends there are skipped.
fn line_at(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut at = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
    while bytes.get(at).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
        at += 1;
    }
    let at = at.min(bytes.len());
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::line_at;

    #[test]
    fn lines_are_where_records_start_after_a_quoted_line_break() {
        let text = "a;b\r\n1;2\r\n3;\"x\ny\"\r\n\r\n5;6\r\n";
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(text.as_bytes());
        let lines: Vec<u64> = reader
            .records()
            .map(|r| line_at(text, r.unwrap().position().unwrap().byte()))
            .collect();
        assert_eq!(lines, [2, 3, 6]);
        let lf = text.replace("\r\n", "\n");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(lf.as_bytes());
        let lines: Vec<u64> = reader
            .records()
            .map(|r| line_at(&lf, r.unwrap().position().unwrap().byte()))
            .collect();
        assert_eq!(lines, [2, 3, 6]);
    }
}
