//! Reading case-system exports and relations files (spec §8).
//!
//! Both are CSV with a header row; `;` or `,` is told from the header; UTF-8 with or without a
//! byte-order mark, or Windows-1252 when asked; quoted fields; LF or CRLF. A mapping names the
//! columns and status values of an export that calls them otherwise. Reading streams: memory
//! does not grow with the file. A bad row is reported with its line and rule and reading goes
//! on; only a file-level fault (no header, a missing column) stops it.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Cursor, Read};
use std::rc::Rc;

use csv::{ByteRecord, ReaderBuilder, StringRecord};
use time::{Date, Month};
use toml::Spanned;

use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
#[cfg(feature = "windows-1252")]
use crate::formats::encoding::Detecting;
pub use crate::formats::encoding::UsedEncoding;
use crate::formats::toml_file::TomlFile;
use crate::primitives::cpr::Cpr;
use crate::primitives::envelope::MAX_FIELD_LEN;

/// How fields are separated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// Told from the header: whichever of `;` and `,` it holds (not both).
    #[default]
    Auto,
    /// `;`, common in Danish spreadsheets.
    Semicolon,
    /// `,`.
    Comma,
}

/// How the bytes are encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextEncoding {
    /// Told from the bytes (spec §8.1): UTF-8 while they are UTF-8, Windows-1252 from the
    /// first byte that is not, when all before it was ASCII. (A build without the
    /// `windows-1252` feature reads UTF-8 only.)
    #[default]
    Auto,
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// Windows-1252, as older Danish systems export.
    Windows1252,
}

/// The status of a service row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Ongoing: the only status that is published.
    Active,
    /// Ended.
    Ended,
    /// Applied for or being processed.
    Pending,
    /// Refused.
    Refused,
}

impl Status {
    /// The status's name in exports.
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Ended => "ended",
            Status::Pending => "pending",
            Status::Refused => "refused",
        }
    }

    const ALL: [Status; 4] = [
        Status::Active,
        Status::Ended,
        Status::Pending,
        Status::Refused,
    ];

    fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The fields samkoer reads, by their default column names.
const EXPORT_FIELDS: [&str; 8] = [
    "cpr",
    "service",
    "status",
    "start",
    "end",
    "caseworker",
    "case_ref",
    "goal",
];
const REQUIRED_EXPORT_FIELDS: usize = 4;
const RELATION_FIELDS: [&str; 2] = ["child_cpr", "parent_cpr"];

/// How to read an export: delimiter, encoding, column and status names.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// The field delimiter.
    pub delimiter: Delimiter,
    /// The text encoding.
    pub encoding: TextEncoding,
    /// Column names by field (`cpr`, `service`, ...) where they differ from the field's name.
    pub columns: HashMap<String, String>,
    /// Status values (compared without regard to case) that mean one of the four statuses.
    pub statuses: HashMap<String, Status>,
}

impl ExportOptions {
    /// Reads a mapping file (TOML, spec §8.3): optional `delimiter` (`";"`, `","` or `"auto"`),
    /// `encoding` (`"auto"`, `"utf-8"` or `"windows-1252"`), a `[columns]` table from field to column
    /// name, and a `[statuses]` table from export value to status. A mistake is reported with
    /// its line.
    pub fn from_mapping_input(input: &crate::files::Input) -> Result<ExportOptions> {
        ExportOptions::from_mapping(&input.text_of(Kind::Mapping)?, &input.name())
    }

    /// [`ExportOptions::from_mapping_input`] of a mapping's text; `file` names it in errors.
    pub fn from_mapping(text: &str, file: &str) -> Result<ExportOptions> {
        kind::expect(text.as_bytes(), Kind::Mapping, file)?;
        let toml = TomlFile::new(text, file, Rule::MappingInvalid);
        let invalid = |value: &Spanned<String>| toml.error(value, Rule::MappingInvalid);
        let document = toml.parse()?;
        let root = toml.fields(&document, &["delimiter", "encoding", "columns", "statuses"])?;
        let delimiter = match &root.string("delimiter")? {
            None => Delimiter::Auto,
            Some(value) => match value.get_ref().trim().to_ascii_lowercase().as_str() {
                "auto" => Delimiter::Auto,
                ";" => Delimiter::Semicolon,
                "," => Delimiter::Comma,
                _ => return Err(invalid(value)),
            },
        };
        let encoding = match &root.string("encoding")? {
            None => TextEncoding::Auto,
            Some(value) => match value.get_ref().trim().to_ascii_lowercase().as_str() {
                "auto" => TextEncoding::Auto,
                "utf-8" | "utf8" => TextEncoding::Utf8,
                "windows-1252" | "cp1252" => TextEncoding::Windows1252,
                _ => return Err(invalid(value)),
            },
        };
        let mut columns = HashMap::new();
        let mut column_names = HashSet::new();
        for (field, column) in &root.string_entries("columns")? {
            let known = EXPORT_FIELDS.contains(&field.as_str())
                || RELATION_FIELDS.contains(&field.as_str());
            let name = column.get_ref().trim().to_lowercase();
            // Two fields read from one column would be a silent mistake.
            if !known || name.is_empty() || !column_names.insert(name) {
                return Err(invalid(column));
            }
            columns.insert(field.clone(), column.get_ref().clone());
        }
        let mut statuses = HashMap::new();
        for (value, status) in &root.string_entries("statuses")? {
            let parsed =
                Status::from_name(status.get_ref().trim()).ok_or_else(|| invalid(status))?;
            // Values are compared without case or surrounding space, so these must be unique.
            if statuses
                .insert(value.trim().to_lowercase(), parsed)
                .is_some()
            {
                return Err(invalid(status));
            }
        }
        Ok(ExportOptions {
            delimiter,
            encoding,
            columns,
            statuses,
        })
    }

    fn status(&self, value: &str) -> Option<Status> {
        if self.statuses.is_empty() {
            // Only the four names, compared without case: no lower-cased copy needed (none of
            // them has a letter whose Unicode lower case is ASCII but whose ASCII one is not).
            let value = value.trim();
            return Status::ALL
                .into_iter()
                .find(|s| s.name().eq_ignore_ascii_case(value));
        }
        let value = value.trim().to_lowercase();
        self.statuses
            .get(&value)
            .copied()
            .or_else(|| Status::from_name(&value))
    }
}

/// A CSV file opened for reading: header checked, columns located.
struct CsvTable {
    reader: csv::Reader<Box<dyn Read>>,
    file: String,
    /// Column index of each wanted field, `None` for an absent optional field.
    columns: Vec<Option<usize>>,
    width: usize,
    record: ByteRecord,
    /// The length of the first line as read after BOM removal; with [`CsvTable::rest_read`],
    /// where the input ends in the stream the CSV reader sees.
    first_line_len: u64,
    /// Bytes read so far from the input after its first line; final once the reader has
    /// reached the sentinel.
    rest_read: Rc<Cell<u64>>,
    /// The encoding the input is read in; final once it is read to its end.
    encoding: Rc<Cell<UsedEncoding>>,
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.count.set(self.count.get() + read as u64);
        Ok(read)
    }
}

/// One data row of a [`CsvTable`]: its line, its fields and the columns of the wanted fields, or
/// the line and the rule it broke.
type TableRow<'a> = std::result::Result<(u64, &'a ByteRecord, &'a [Option<usize>]), (u64, Rule)>;

/// The input decoded to UTF-8 as the options say; the encoding used goes to `used`.
fn decoded(
    input: impl Read + 'static,
    file: &str,
    options: &ExportOptions,
    // Set only where the build can decode Windows-1252.
    #[cfg_attr(not(feature = "windows-1252"), allow(unused_variables))] used: &Rc<
        Cell<UsedEncoding>,
    >,
) -> Result<Box<dyn Read>> {
    match options.encoding {
        #[cfg(feature = "windows-1252")]
        TextEncoding::Auto => Ok(Box::new(Detecting::new(input, Rc::clone(used)))),
        #[cfg(not(feature = "windows-1252"))]
        TextEncoding::Auto => Ok(Box::new(input)),
        TextEncoding::Utf8 => Ok(Box::new(input)),
        #[cfg(feature = "windows-1252")]
        TextEncoding::Windows1252 => {
            // A byte-order mark says the file is Unicode after all: a UTF-8 one is read as
            // UTF-8 (the header's reader removes it and names it), a UTF-16 one is refused
            // there as in a UTF-8 file.
            let mut input = input;
            let mut head = Vec::with_capacity(3);
            (&mut input)
                .take(3)
                .read_to_end(&mut head)
                .map_err(|e| Error::io(file, e))?;
            let input = Cursor::new(head.clone()).chain(input);
            if head.starts_with(b"\xEF\xBB\xBF")
                || head.starts_with(b"\xFF\xFE")
                || head.starts_with(b"\xFE\xFF")
            {
                return Ok(Box::new(input));
            }
            Ok(Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::WINDOWS_1252))
                    .build(SetsUsed(input, Rc::clone(used), UsedEncoding::Windows1252)),
            ))
        }
        #[cfg(not(feature = "windows-1252"))]
        TextEncoding::Windows1252 => Err(Error::input_detail(
            file,
            0,
            Rule::Encoding,
            Some("this build reads UTF-8 only: transcode the file first"),
        )),
    }
}

/// An input that, once read from, says which encoding it is in.
#[cfg(feature = "windows-1252")]
struct SetsUsed<R>(R, Rc<Cell<UsedEncoding>>, UsedEncoding);

#[cfg(feature = "windows-1252")]
impl<R: Read> Read for SetsUsed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.1.set(self.2);
        self.0.read(buf)
    }
}

/// Reads the header line, without a UTF-8 byte-order mark (and says so in `used`), and refuses
/// what makes the rest unreadable: UTF-16, no header, lines that end in CR alone.
fn header_line(input: &mut impl BufRead, file: &str, used: &Cell<UsedEncoding>) -> Result<Vec<u8>> {
    let mut first_line = Vec::new();
    input
        .read_until(b'\n', &mut first_line)
        .map_err(|e| Error::io(file, e))?;
    if first_line.starts_with(b"\xEF\xBB\xBF") {
        first_line.drain(..3);
        if used.get() == UsedEncoding::Utf8 {
            used.set(UsedEncoding::Utf8Bom);
        }
    }
    if first_line.starts_with(b"\xFF\xFE") || first_line.starts_with(b"\xFE\xFF") {
        // A UTF-16 byte-order mark: "Unicode text" from a spreadsheet.
        return Err(Error::input_detail(
            file,
            1,
            Rule::Encoding,
            Some("the file is UTF-16: save it as UTF-8"),
        ));
    }
    if first_line.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(file, 1, Rule::HeaderMissing));
    }
    // Lines end at LF. A CR inside the first line means lines that end in CR alone (old Mac
    // exports): the whole file would be one header row, and nothing read.
    let line = first_line.strip_suffix(b"\n").unwrap_or(&first_line);
    if line.strip_suffix(b"\r").unwrap_or(line).contains(&b'\r') {
        return Err(Error::input_detail(
            file,
            1,
            Rule::CsvSyntax,
            Some("lines end in CR alone: save with LF or CRLF line ends"),
        ));
    }
    Ok(first_line)
}

/// The delimiter the options name, or the one the header shows.
fn delimiter(options: &ExportOptions, header: &[u8], file: &str) -> Result<u8> {
    match options.delimiter {
        Delimiter::Semicolon => Ok(b';'),
        Delimiter::Comma => Ok(b','),
        Delimiter::Auto => match (header.contains(&b';'), header.contains(&b',')) {
            (true, false) => Ok(b';'),
            (false, true) => Ok(b','),
            _ => Err(Error::input(file, 1, Rule::DelimiterAmbiguous)),
        },
    }
}

/// The column of each wanted field (the first `required` must be there), by the header's
/// names as the options map them.
fn columns(
    header: &ByteRecord,
    file: &str,
    options: &ExportOptions,
    fields: &[&'static str],
    required: usize,
) -> Result<Vec<Option<usize>>> {
    let names: Vec<String> = header
        .iter()
        .map(|name| std::str::from_utf8(name).map(|n| n.trim().to_lowercase()))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::input(file, 1, Rule::Encoding))?;
    let mut columns = Vec::with_capacity(fields.len());
    for (i, &field) in fields.iter().enumerate() {
        let wanted = options.columns.get(field).map(|c| c.trim().to_lowercase());
        let wanted = wanted.as_deref().unwrap_or(field);
        let mut found = names
            .iter()
            .enumerate()
            .filter(|(_, name)| name.as_str() == wanted);
        let column = found.next().map(|(index, _)| index);
        // Two columns for one field, or one column for two fields (a mapped name that is
        // another field's own): either would read the wrong data without a word.
        let broken = if found.next().is_some() || column.is_some_and(|c| columns.contains(&Some(c)))
        {
            Some(Rule::ColumnDuplicate)
        } else if column.is_none() && i < required {
            Some(Rule::ColumnMissing)
        } else {
            None
        };
        if let Some(rule) = broken {
            return Err(Error::input_detail(file, 1, rule, Some(field)));
        }
        columns.push(column);
    }
    Ok(columns)
}

impl CsvTable {
    fn open(
        input: impl Read + 'static,
        file: &str,
        options: &ExportOptions,
        fields: &[&'static str],
        required: usize,
    ) -> Result<CsvTable> {
        let used = Rc::new(Cell::new(UsedEncoding::Utf8));
        let mut buffered = BufReader::new(decoded(input, file, options, &used)?);
        let first_line = header_line(&mut buffered, file, &used)?;
        let delimiter = delimiter(options, &first_line, file)?;
        // A sentinel line after the input makes every record end with an LF, which the line
        // numbering below relies on, and shows an unterminated quote: it swallows the sentinel.
        // The input is counted, so that the same bytes inside the input are not taken for it.
        let first_line_len = first_line.len() as u64;
        let rest_read = Rc::new(Cell::new(0));
        let rest = Counted {
            inner: buffered,
            count: Rc::clone(&rest_read),
        };
        let stream: Box<dyn Read> =
            Box::new(Cursor::new(first_line).chain(rest).chain(END_SENTINEL_LINE));
        // Lines end at LF only, so that the CSV reader's line numbers are right for CRLF files too;
        // a trailing CR is white space that every field is trimmed of.
        let mut reader = ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .has_headers(false)
            .from_reader(stream);

        let mut header = ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(Error::input(file, 1, Rule::HeaderMissing)),
            Err(e) => return Err(csv_error(file, 1, e)),
        }
        let table = CsvTable {
            reader,
            file: file.to_owned(),
            columns: Vec::new(),
            width: header.len(),
            record: ByteRecord::new(),
            first_line_len,
            rest_read,
            encoding: used,
        };
        // A quote the header opens and never closes swallows the whole file, the sentinel too.
        if table.at_end_of_stream() {
            return Err(Error::input_detail(
                file,
                1,
                Rule::CsvSyntax,
                Some("a quote in the header is never closed"),
            ));
        }
        Ok(CsvTable {
            columns: columns(&header, file, options, fields, required)?,
            ..table
        })
    }

    /// Whether the record just read ends where the stream ends, that is, after the sentinel.
    /// When the reader has got there, it has read the whole input, so the count is final.
    fn at_end_of_stream(&self) -> bool {
        let end = self.first_line_len + self.rest_read.get() + END_SENTINEL_LINE.len() as u64;
        self.reader.position().byte() == end
    }

    /// The next data row; `None` at the end of the file. Blank lines are skipped by the CSV
    /// reader and count as no row.
    fn next_row(&mut self) -> Option<Result<TableRow<'_>>> {
        let mut record = std::mem::take(&mut self.record);
        let read = self.read_into(&mut record);
        self.record = record;
        Some(read?.map(|row| row.map(|line| (line, &self.record, &self.columns[..]))))
    }

    /// Reads the next data row into `record`: its line, or the line and rule that make it
    /// unreadable; `None` at the end of the file.
    fn read_into(
        &mut self,
        record: &mut ByteRecord,
    ) -> Option<Result<std::result::Result<u64, (u64, Rule)>>> {
        let mut read = self.reader.read_byte_record(record);
        while matches!(read, Ok(true)) && is_blank(record) {
            read = self.reader.read_byte_record(record);
        }
        match read {
            Ok(false) => None,
            Ok(true)
                if record.len() == 1 && &record[0] == END_SENTINEL && self.at_end_of_stream() =>
            {
                None
            }
            Ok(true) => {
                // The CSV reader numbers a record by where it looked for it, before it skipped
                // blank lines. Count back from where the record ended instead: the line after
                // its final LF, less the LFs inside quoted fields.
                let next_line = self.reader.position().line();
                let inner_newlines = memchr_count(record.as_slice());
                let line = next_line.saturating_sub(1 + inner_newlines);
                let swallowed_sentinel = inner_newlines > 0
                    && self.at_end_of_stream()
                    && record
                        .as_slice()
                        .windows(END_SENTINEL.len())
                        .any(|w| w == END_SENTINEL);
                if swallowed_sentinel {
                    // That record ran to the end of the input, so no LF of its own ended it.
                    return Some(Ok(Err((line + 1, Rule::CsvSyntax))));
                }
                if record.len() != self.width {
                    return Some(Ok(Err((line, Rule::CsvFieldCount))));
                }
                Some(Ok(Ok(line)))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                match e.kind() {
                    csv::ErrorKind::Io(_) => Some(Err(csv_error(&self.file, line, e))),
                    _ => Some(Ok(Err((line, Rule::CsvSyntax)))),
                }
            }
        }
    }
}

impl CsvTable {
    /// The next row parsed by `parse`, or rejected with its line and rule.
    fn next_parsed<T>(
        &mut self,
        parse: impl FnOnce(u64, &ByteRecord, &[Option<usize>]) -> std::result::Result<T, Rule>,
    ) -> Option<Result<RowOutcome<T>>> {
        Some(self.next_row()?.map(|row| {
            let (line, record, columns) = row.map_err(|(line, rule)| RejectedRow { line, rule })?;
            parse(line, record, columns).map_err(|rule| RejectedRow { line, rule })
        }))
    }
}

/// Appended to every input; see [`CsvTable::open`].
const END_SENTINEL_LINE: &[u8] = b"\n\0samkoer-end-of-input\0\n";
const END_SENTINEL: &[u8] = b"\0samkoer-end-of-input\0";

/// The number of LF bytes in `bytes`.
fn memchr_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// A line holding nothing but white space (for instance the CR of an empty CRLF line).
fn is_blank(record: &ByteRecord) -> bool {
    record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace)
}

fn csv_error(file: &str, line: u64, error: csv::Error) -> Error {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(file, e),
        _ => Error::input(file, line, Rule::CsvSyntax),
    }
}

/// The fields of a CSV row as text: checked one by one (`ByteRecord`), or all at once
/// (`StringRecord`, the publisher's fast path).
pub(crate) trait RowFields {
    /// Field `index`, if the row has it, as text or the encoding rule.
    fn text(&self, index: usize) -> Option<std::result::Result<&str, Rule>>;
}

impl RowFields for ByteRecord {
    fn text(&self, index: usize) -> Option<std::result::Result<&str, Rule>> {
        self.get(index)
            .map(|bytes| std::str::from_utf8(bytes).map_err(|_| Rule::Encoding))
    }
}

impl RowFields for StringRecord {
    fn text(&self, index: usize) -> Option<std::result::Result<&str, Rule>> {
        self.get(index).map(Ok)
    }
}

/// The text of field `index` of a row, trimmed, or `""` for an absent optional column.
fn field<R: RowFields>(record: &R, column: Option<usize>) -> std::result::Result<&str, Rule> {
    match column.and_then(|c| record.text(c)) {
        Some(text) => text.map(trim_field),
        None => Ok(""),
    }
}

/// `text` without surrounding white space. Most fields start and end with a visible ASCII
/// character and need no look at the rest.
fn trim_field(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

fn required<R: RowFields>(record: &R, column: Option<usize>) -> std::result::Result<&str, Rule> {
    let text = field(record, column)?;
    if text.is_empty() {
        Err(Rule::FieldEmpty)
    } else {
        Ok(text)
    }
}

fn limited<R: RowFields>(record: &R, column: Option<usize>) -> std::result::Result<&str, Rule> {
    let text = field(record, column)?;
    if text.len() > MAX_FIELD_LEN {
        Err(Rule::FieldTooLong)
    } else {
        Ok(text)
    }
}

/// Parses a date given by the caller (a reference date): `YYYY-MM-DD`, `DD-MM-YYYY` or
/// `DD.MM.YYYY`, years 1800 to 9999; otherwise `date-given`.
pub fn parse_date(text: &str) -> Result<Date> {
    date_of(text).map_err(|_| Error::parameter(Rule::DateGiven))
}

/// A date given by the caller as [`parse_date`] reads it, or today's (UTC) when none is given.
pub fn date_or_today(text: Option<&str>) -> Result<Date> {
    text.map_or_else(|| Ok(time::OffsetDateTime::now_utc().date()), parse_date)
}

/// [`parse_date`] of a field, whose place the caller knows.
pub(crate) fn date_of(text: &str) -> std::result::Result<Date, Rule> {
    let text = text.trim();
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u16> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, &d| n * 10 + u16::from(d - b'0')))
    };
    let parts = match b.len() {
        10 if b[4] == b'-' && b[7] == b'-' => (digits(0..4), digits(5..7), digits(8..10)),
        10 if (b[2] == b'-' && b[5] == b'-') || (b[2] == b'.' && b[5] == b'.') => {
            (digits(6..10), digits(3..5), digits(0..2))
        }
        _ => return Err(Rule::DateInvalid),
    };
    let (Some(year), Some(month), Some(day)) = parts else {
        return Err(Rule::DateInvalid);
    };
    if !(1800..=9999).contains(&year) {
        return Err(Rule::DateInvalid);
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(Rule::DateInvalid)?;
    let day = u8::try_from(day).map_err(|_| Rule::DateInvalid)?;
    Date::from_calendar_date(i32::from(year), month, day).map_err(|_| Rule::DateInvalid)
}

/// One valid row of a case-system export.
///
/// Its texts are `String`s as [`ExportReader::next_row`] hands them out; the publisher reads
/// them as `&str` borrowed from the CSV reader's buffer. `Debug` shows neither the CPR number
/// nor the caseworker, case reference or goal.
pub struct ServiceRow<S = String> {
    /// The 1-based line the row starts on.
    pub line: u64,
    /// The citizen.
    pub cpr: Cpr,
    /// The service code, as in the catalogue.
    pub service: S,
    /// The status.
    pub status: Status,
    /// The start date.
    pub start: Date,
    /// The end date, if any.
    pub end: Option<Date>,
    /// The caseworker (may be empty).
    pub caseworker: S,
    /// The case reference (may be empty).
    pub case_ref: S,
    /// The goal (may be empty).
    pub goal: S,
}

impl<S: std::fmt::Debug> std::fmt::Debug for ServiceRow<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceRow")
            .field("line", &self.line)
            .field("cpr", &self.cpr)
            .field("service", &self.service)
            .field("status", &self.status)
            .field("start", &self.start)
            .field("end", &self.end)
            .field("caseworker", &"<redacted>")
            .field("case_ref", &"<redacted>")
            .field("goal", &"<redacted>")
            .finish()
    }
}

impl ServiceRow<&str> {
    fn into_owned(self) -> ServiceRow {
        ServiceRow {
            line: self.line,
            cpr: self.cpr,
            service: self.service.to_owned(),
            status: self.status,
            start: self.start,
            end: self.end,
            caseworker: self.caseworker.to_owned(),
            case_ref: self.case_ref.to_owned(),
            goal: self.goal.to_owned(),
        }
    }
}

/// A row that was rejected as invalid: where, and which rule. Never the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RejectedRow {
    /// The 1-based line the row starts on.
    pub line: u64,
    /// The rule the row broke.
    pub rule: Rule,
}

/// A row read: valid (`Ok`), or rejected with its line and rule (`Err`).
pub type RowOutcome<T> = std::result::Result<T, RejectedRow>;

/// Reads a case-system export row by row.
pub struct ExportReader {
    table: CsvTable,
    options: ExportOptions,
    reference: Date,
}

impl ExportReader {
    /// Opens an export; `file` names it in errors, `reference` is the run's reference date.
    pub fn new(
        input: impl Read + 'static,
        file: &str,
        options: &ExportOptions,
        reference: Date,
    ) -> Result<ExportReader> {
        let table = CsvTable::open(input, file, options, &EXPORT_FIELDS, REQUIRED_EXPORT_FIELDS)?;
        Ok(ExportReader {
            table,
            options: options.clone(),
            reference,
        })
    }

    /// The encoding the export is read in (spec §8.1): final once every row is read.
    pub fn encoding(&self) -> UsedEncoding {
        self.table.encoding.get()
    }

    /// The next row, valid or rejected; `None` at the end; `Err` only for a fault that stops
    /// reading (an I/O error).
    pub fn next_row(&mut self) -> Option<Result<RowOutcome<ServiceRow>>> {
        let (options, reference) = (&self.options, self.reference);
        self.table.next_parsed(|line, record, columns| {
            parse_service_row(line, record, columns, options, reference).map(ServiceRow::into_owned)
        })
    }

    /// Reads the next row into `slot`, its fields not yet checked, for
    /// [`ExportRowParser::parse`] on another thread; reuses the slot's buffers. `None` at the
    /// end of the file.
    pub(crate) fn next_raw_into(&mut self, slot: &mut RawRow) -> Option<Result<()>> {
        if slot.is_err() {
            *slot = Ok((0, ByteRecord::new()));
        }
        let Ok((line, record)) = slot else {
            return None;
        };
        match self.table.read_into(record)? {
            Err(e) => Some(Err(e)),
            Ok(Ok(read)) => {
                *line = read;
                Some(Ok(()))
            }
            Ok(Err((line, rule))) => {
                *slot = Err(RejectedRow { line, rule });
                Some(Ok(()))
            }
        }
    }

    /// What checks the fields of this export's raw rows.
    pub(crate) fn row_parser(&self) -> ExportRowParser {
        ExportRowParser {
            columns: self.table.columns.clone(),
            options: self.options.clone(),
            reference: self.reference,
        }
    }
}

/// A row as read, its fields not yet checked: its line and fields, or the line and rule that
/// made it unreadable.
pub(crate) type RawRow = RowOutcome<(u64, ByteRecord)>;

/// Checks the fields of an export's raw rows exactly as [`ExportReader::next_row`] does.
pub(crate) struct ExportRowParser {
    columns: Vec<Option<usize>>,
    options: ExportOptions,
    reference: Date,
}

impl ExportRowParser {
    pub(crate) fn parse<'r, R: RowFields>(
        &self,
        line: u64,
        record: &'r R,
    ) -> RowOutcome<ServiceRow<&'r str>> {
        parse_service_row(line, record, &self.columns, &self.options, self.reference)
            .map_err(|rule| RejectedRow { line, rule })
    }

    /// The row's status field as text, for the report of status values not understood.
    pub(crate) fn status<'r, R: RowFields>(&self, record: &'r R) -> Option<&'r str> {
        field(record, self.columns[2]).ok()
    }
}

fn parse_service_row<'r, R: RowFields>(
    line: u64,
    record: &'r R,
    columns: &[Option<usize>],
    options: &ExportOptions,
    reference: Date,
) -> std::result::Result<ServiceRow<&'r str>, Rule> {
    let cpr = Cpr::check(required(record, columns[0])?, reference)?;
    let service = required(record, columns[1])?;
    let status = options
        .status(required(record, columns[2])?)
        .ok_or(Rule::StatusUnknown)?;
    let start = date_of(required(record, columns[3])?)?;
    let end = match field(record, columns[4])? {
        "" => None,
        text => Some(date_of(text)?),
    };
    if end.is_some_and(|end| end < start) {
        return Err(Rule::DateOrder);
    }
    Ok(ServiceRow {
        line,
        cpr,
        service,
        status,
        start,
        end,
        caseworker: limited(record, columns[5])?,
        case_ref: limited(record, columns[6])?,
        goal: limited(record, columns[7])?,
    })
}

/// One valid row of a relations file: a child and one of its parents.
#[derive(Debug)]
pub struct RelationRow {
    /// The 1-based line the row starts on.
    pub line: u64,
    /// The child.
    pub child: Cpr,
    /// The parent.
    pub parent: Cpr,
}

/// Reads a relations file (`child_cpr`, `parent_cpr`) row by row.
pub struct RelationsReader {
    table: CsvTable,
    reference: Date,
}

impl RelationsReader {
    /// Opens a relations file; `file` names it in errors.
    pub fn new(
        input: impl Read + 'static,
        file: &str,
        options: &ExportOptions,
        reference: Date,
    ) -> Result<RelationsReader> {
        let table = CsvTable::open(
            input,
            file,
            options,
            &RELATION_FIELDS,
            RELATION_FIELDS.len(),
        )?;
        Ok(RelationsReader { table, reference })
    }

    /// The file, as the caller named it.
    pub fn file(&self) -> &str {
        &self.table.file
    }

    /// The encoding the file is read in: final once every row is read.
    pub fn encoding(&self) -> UsedEncoding {
        self.table.encoding.get()
    }

    /// The next row, valid or rejected; `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<RowOutcome<RelationRow>>> {
        let reference = self.reference;
        self.table.next_parsed(|line, record, columns| {
            let child = Cpr::check(required(record, columns[0])?, reference)?;
            let parent = Cpr::check(required(record, columns[1])?, reference)?;
            if child == parent {
                return Err(Rule::RelationSelf);
            }
            Ok(RelationRow {
                line,
                child,
                parent,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const REFERENCE: Date = date!(2026 - 11 - 01);

    fn rows(
        text: &'static [u8],
        options: &ExportOptions,
    ) -> Result<Vec<RowOutcome<(u64, String, Status)>>> {
        let mut reader = ExportReader::new(text, "export.csv", options, REFERENCE)?;
        let mut out = Vec::new();
        while let Some(row) = reader.next_row() {
            out.push(row?.map(|r| (r.line, r.service.clone(), r.status)));
        }
        Ok(out)
    }

    #[test]
    fn reads_semicolon_crlf_bom_and_quotes() {
        let text = b"\xEF\xBB\xBFcpr;service;status;start;goal\r\n010190-1234;EMP-MENTOR;active;2025-01-02;\"a; b\"\r\n\r\n 0101901234 ;ADS-SOCIO-PED;Ended;02-01-2025;x\r\n";
        let got = rows(text, &ExportOptions::default()).unwrap();
        assert_eq!(
            got,
            vec![
                Ok((2, "EMP-MENTOR".into(), Status::Active)),
                Ok((4, "ADS-SOCIO-PED".into(), Status::Ended))
            ]
        );
    }

    #[test]
    fn bad_rows_are_rejected_with_line_and_rule_and_reading_goes_on() {
        let text = b"cpr,service,status,start,end\n\
            0101901234,EMP-MENTOR,active,2025-01-02,\n\
            01019O1234,EMP-MENTOR,active,2025-01-02,\n\
            0101901234,,active,2025-01-02,\n\
            0101901234,EMP-MENTOR,maybe,2025-01-02,\n\
            0101901234,EMP-MENTOR,active,2025-02-30,\n\
            0101901234,EMP-MENTOR,active,2025-02-03,2025-02-01\n\
            0101901234,EMP-MENTOR,active\n\
            0101901234,EMP-MENTOR,active,2025-01-02,\n";
        let got = rows(text, &ExportOptions::default()).unwrap();
        let rules: Vec<_> = got
            .iter()
            .map(|r| r.as_ref().err().map(|e| (e.line, e.rule)))
            .collect();
        assert_eq!(
            rules,
            vec![
                None,
                Some((3, Rule::CprCharacters)),
                Some((4, Rule::FieldEmpty)),
                Some((5, Rule::StatusUnknown)),
                Some((6, Rule::DateInvalid)),
                Some((7, Rule::DateOrder)),
                Some((8, Rule::CsvFieldCount)),
                None
            ]
        );
    }

    #[test]
    fn line_numbers_survive_blank_lines_and_multi_line_fields() {
        let text = b"cpr,service,status,start,goal\n\n\n0101901234,EMP-MENTOR,active,2025-01-02,\"two\nlines\"\n\r\n0101901234,EMP-MENTOR,active\n0101901234,EMP-MENTOR,active,2025-01-02,x";
        let got = rows(text, &ExportOptions::default()).unwrap();
        let lines: Vec<_> = got
            .iter()
            .map(|r| r.as_ref().map(|r| r.0).map_err(|e| (e.line, e.rule)))
            .collect();
        assert_eq!(lines, vec![Ok(4), Err((7, Rule::CsvFieldCount)), Ok(8)]);
    }

    #[test]
    fn a_line_break_in_the_last_row_is_part_of_its_field() {
        // The last row ends where the reader's end marker begins: a quoted line break in it
        // must not make it look as if the quote had run on into the marker.
        let text = b"cpr,service,status,start,goal\n0101901234,EMP-MENTOR,active,2025-01-02,\"two\nlines\"\n";
        let got = rows(text, &ExportOptions::default()).unwrap();
        assert_eq!(got, vec![Ok((2, "EMP-MENTOR".into(), Status::Active))]);
    }

    /// An input that gives its bytes and then fails, as a file on a lost disk does.
    struct FailsAfter(&'static [u8]);

    impl Read for FailsAfter {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_in_the_rows_stops_the_export_and_is_no_rejected_row() {
        let input =
            FailsAfter(b"cpr,service,status,start\n0101901234,EMP-MENTOR,active,2025-01-02\n");
        let mut reader =
            ExportReader::new(input, "export.csv", &ExportOptions::default(), REFERENCE).unwrap();
        // (At most a few rows: a reader that took the error for a bad row would go on forever.)
        let mut outcomes = Vec::new();
        while let Some(row) = reader.next_row().filter(|_| outcomes.len() < 4) {
            let stop = row.is_err();
            outcomes.push(row.map(|r| r.map(|r| r.line)));
            if stop {
                break;
            }
        }
        assert!(matches!(outcomes[0], Ok(Ok(2))), "{outcomes:?}");
        assert!(
            matches!(outcomes.last(), Some(Err(Error::Io { .. }))),
            "{outcomes:?}"
        );
    }

    #[test]
    fn an_unterminated_quote_is_a_syntax_error_at_its_line() {
        let text = b"cpr;service;status;start;goal\n0101901234;EMP-MENTOR;active;2025-01-02;\"open\n0101901234;EMP-MENTOR;active;2025-01-02;x\n";
        let got = rows(text, &ExportOptions::default()).unwrap();
        assert_eq!(got.len(), 1, "the rest of the file is inside the quote");
        assert_eq!(
            got[0].as_ref().unwrap_err(),
            &RejectedRow {
                line: 2,
                rule: Rule::CsvSyntax
            }
        );
    }

    #[test]
    fn the_end_marker_inside_the_input_is_an_ordinary_bad_row() {
        // The reader's own end-of-input line, written into a file, must not end the file early:
        // the rows after it would be neither published nor accounted for.
        let text = b"cpr;service;status;start\n0101901234;EMP-MENTOR;active;2025-01-02\n\0samkoer-end-of-input\0\n0101901234;EMP-MENTOR;active;2025-01-02\n";
        let got = rows(text, &ExportOptions::default()).unwrap();
        let lines: Vec<_> = got
            .iter()
            .map(|r| r.as_ref().map(|r| r.0).map_err(|e| (e.line, e.rule)))
            .collect();
        assert_eq!(lines, vec![Ok(2), Err((3, Rule::CsvFieldCount)), Ok(4)]);
        let quoted = b"cpr;service;status;start;goal\n0101901234;EMP-MENTOR;active;2025-01-02;\"a\n\0samkoer-end-of-input\0\nb\"\n0101901234;EMP-MENTOR;active;2025-01-02;c\n";
        let got = rows(quoted, &ExportOptions::default()).unwrap();
        assert_eq!(got.len(), 2, "a closed quote holding the marker is one row");
        assert!(got.iter().all(Result::is_ok), "{got:?}");
    }

    #[test]
    fn file_level_faults_name_file_line_and_rule() {
        let rule = |text: &'static [u8]| rows(text, &ExportOptions::default()).unwrap_err().rule();
        assert_eq!(rule(b""), Some(Rule::HeaderMissing));
        // An unterminated quote in the header is the CSV's fault, not a missing column.
        assert_eq!(
            rule(b"cpr;service;\"status;start\n0101901234;EMP-MENTOR;active;2025-01-02\n"),
            Some(Rule::CsvSyntax)
        );
        // A header and no rows is a file with no rows.
        assert!(
            rows(b"cpr;service;status;start\n", &ExportOptions::default())
                .unwrap()
                .is_empty()
        );
        assert!(
            rows(b"cpr;service;status;start", &ExportOptions::default())
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            rule(b"\xFF\xFEc\0p\0r\0;\0"),
            Some(Rule::Encoding),
            "UTF-16 is named as such"
        );
        assert_eq!(
            rule(b"cpr;service;status;start\r0101901234;EMP-MENTOR;active;2025-01-02\r"),
            Some(Rule::CsvSyntax),
            "CR-only line ends would make the whole file one header"
        );
        assert_eq!(
            rule(b"cpr service status start\n"),
            Some(Rule::DelimiterAmbiguous)
        );
        assert_eq!(rule(b"cpr;service;status\n"), Some(Rule::ColumnMissing));
        assert_eq!(
            rule(b"cpr;service;status;start;CPR\n"),
            Some(Rule::ColumnDuplicate)
        );
        let error = rows(b"cpr;service;status\n", &ExportOptions::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "export.csv, line 1: a required column is missing (column-missing) [start]"
        );
    }

    #[cfg(feature = "windows-1252")]
    #[test]
    fn a_byte_order_mark_overrides_a_declared_windows_1252() {
        let options = ExportOptions {
            encoding: TextEncoding::Windows1252,
            ..Default::default()
        };
        let text = "\u{feff}cpr;service;status;start;caseworker\n0101901234;EMP-MENTOR;active;2025-01-02;Søren\n";
        let mut reader = ExportReader::new(text.as_bytes(), "e.csv", &options, REFERENCE).unwrap();
        assert_eq!(
            reader.next_row().unwrap().unwrap().unwrap().caseworker,
            "Søren"
        );
        assert_eq!(reader.encoding(), UsedEncoding::Utf8Bom);
        // A UTF-16 byte-order mark is refused as without the mapping's encoding.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text[3..].encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let error = ExportReader::new(Cursor::new(utf16), "e.csv", &options, REFERENCE)
            .err()
            .unwrap();
        assert_eq!(
            (error.code(), error.class()),
            (Rule::Encoding.code(), "encoding")
        );
    }

    #[cfg(feature = "windows-1252")]
    #[test]
    fn windows_1252_and_invalid_utf8() {
        let options = ExportOptions {
            encoding: TextEncoding::Windows1252,
            ..Default::default()
        };
        let mut reader = ExportReader::new(
            &b"cpr;service;status;start;caseworker\n0101901234;EMP-MENTOR;active;2025-01-02;S\xf8ren \xc6bel\n"[..],
            "e.csv",
            &options,
            REFERENCE,
        )
        .unwrap();
        let row = reader.next_row().unwrap().unwrap().unwrap();
        assert_eq!(row.caseworker, "Søren Æbel");
        // Said to be UTF-8, the same bytes break the rule; told from the bytes, they are
        // Windows-1252, as the reader reports.
        let text = b"cpr;service;status;start;caseworker\n0101901234;EMP-MENTOR;active;2025-01-02;S\xf8ren\n";
        let utf8 = ExportOptions {
            encoding: TextEncoding::Utf8,
            ..Default::default()
        };
        let got = rows(text, &utf8).unwrap();
        assert_eq!(got[0].as_ref().unwrap_err().rule, Rule::Encoding);
        let mut reader =
            ExportReader::new(&text[..], "e.csv", &ExportOptions::default(), REFERENCE).unwrap();
        assert_eq!(
            reader.next_row().unwrap().unwrap().unwrap().caseworker,
            "Søren"
        );
        assert!(reader.next_row().is_none());
        assert_eq!(reader.encoding(), UsedEncoding::Windows1252);
        let mut reader = ExportReader::new(
            &b"\xEF\xBB\xBFcpr;service;status;start\n"[..],
            "e.csv",
            &ExportOptions::default(),
            REFERENCE,
        )
        .unwrap();
        assert!(reader.next_row().is_none());
        assert_eq!(reader.encoding(), UsedEncoding::Utf8Bom);
    }

    #[test]
    fn one_column_for_two_fields_is_refused() {
        // `start` mapped to the column that `end` reads by its own name.
        let options =
            ExportOptions::from_mapping("[columns]\nstart = \"end\"\n", "m.toml").unwrap();
        let error = rows(
            b"cpr;service;status;start;end\n0101901234;EMP-MENTOR;active;2025-01-02;\n",
            &options,
        )
        .unwrap_err();
        assert_eq!(error.rule(), Some(Rule::ColumnDuplicate));
        assert!(error.to_string().contains("[end]"), "{error}");
    }

    /// Every spelling the spec allows for the delimiter and the encoding, read from a mapping
    /// file as from its text.
    #[test]
    fn mapping_names_each_delimiter_and_encoding() {
        let read = |delimiter: &str, encoding: &str| {
            let text = format!("delimiter = \"{delimiter}\"\nencoding = \"{encoding}\"\n");
            let input = crate::files::Input::Bytes {
                name: "mapping.toml".into(),
                bytes: std::sync::Arc::from(text.as_bytes()),
            };
            ExportOptions::from_mapping_input(&input).map(|o| (o.delimiter, o.encoding))
        };
        assert_eq!(
            read(" AUTO ", "Auto").unwrap(),
            (Delimiter::Auto, TextEncoding::Auto)
        );
        assert_eq!(
            read(";", "utf-8").unwrap(),
            (Delimiter::Semicolon, TextEncoding::Utf8)
        );
        assert_eq!(
            read(",", "UTF8").unwrap(),
            (Delimiter::Comma, TextEncoding::Utf8)
        );
        assert_eq!(
            read(";", "windows-1252").unwrap(),
            (Delimiter::Semicolon, TextEncoding::Windows1252)
        );
        assert_eq!(read(";", "cp1252").unwrap().1, TextEncoding::Windows1252);
        for (delimiter, encoding) in [("tab", "auto"), (";", "latin-1")] {
            let error = read(delimiter, encoding).unwrap_err();
            assert_eq!(
                (error.rule(), error.to_string().contains("line ")),
                (Some(Rule::MappingInvalid), true)
            );
        }
    }

    #[test]
    fn mapping_renames_columns_and_statuses() {
        let mapping = "delimiter = \";\"\n[columns]\ncpr = \"CPR-nr\"\nservice = \"Ydelse\"\nstatus = \"Tilstand\"\nstart = \"Startdato\"\n[statuses]\n\"Bevilget\" = \"active\"\n\"Afsluttet\" = \"ended\"\n";
        let options = ExportOptions::from_mapping(mapping, "mapping.toml").unwrap();
        let got = rows(b"CPR-nr;Ydelse;Tilstand;Startdato\n0101901234;EMP-MENTOR;bevilget;01.02.2025\n0101901234;EMP-MENTOR;AFSLUTTET;01.02.2025\n", &options).unwrap();
        assert_eq!(
            got,
            vec![
                Ok((2, "EMP-MENTOR".into(), Status::Active)),
                Ok((3, "EMP-MENTOR".into(), Status::Ended))
            ]
        );
        let bad =
            ExportOptions::from_mapping("[columns]\nnot_a_field = \"x\"\n", "m.toml").unwrap_err();
        assert_eq!(bad.rule(), Some(Rule::MappingInvalid));
        let bad = ExportOptions::from_mapping("[statuses]\n\"x\" = \"finished\"\n", "m.toml")
            .unwrap_err();
        assert_eq!(bad.rule(), Some(Rule::MappingInvalid));
    }

    #[test]
    fn relations_are_read_and_checked() {
        let text =
            b"child_cpr,parent_cpr\n0101151234,0101851234\n0101151234,0101151234\n0101151234,x\n";
        let mut reader =
            RelationsReader::new(&text[..], "rel.csv", &ExportOptions::default(), REFERENCE)
                .unwrap();
        let mut results = Vec::new();
        while let Some(row) = reader.next_row() {
            results.push(row.unwrap().map(|r| r.line).map_err(|r| (r.line, r.rule)));
        }
        assert_eq!(
            results,
            vec![
                Ok(2),
                Err((3, Rule::RelationSelf)),
                Err((4, Rule::CprLength))
            ]
        );
    }

    #[test]
    fn dates_in_three_forms() {
        assert_eq!(date_of("2025-03-14"), Ok(date!(2025 - 03 - 14)));
        assert_eq!(date_of("14-03-2025"), Ok(date!(2025 - 03 - 14)));
        assert_eq!(date_of("14.03.2025"), Ok(date!(2025 - 03 - 14)));
        for bad in [
            "2025-3-14",
            "14/03/2025",
            "2025-13-01",
            "1799-01-01",
            "20250314",
            "",
            "2025-03-1x",
            // One separator of each kind, or of the wrong kind in one place.
            "2025-03.14",
            "2025.03-14",
            "14-03.2025",
            "14.03-2025",
        ] {
            assert_eq!(date_of(bad), Err(Rule::DateInvalid), "{bad:?}");
        }
    }
}
