//! CPR numbers: parsing, validation, normalisation and age bands (spec §3).
//!
//! A [`Cpr`] never shows its digits through `Debug` or `Display`, is not `Copy`, compares in
//! constant time, and is wiped from memory when dropped. The digits leave the type only through
//! [`Cpr::expose_digits`].

use std::fmt;

use subtle::ConstantTimeEq;
use time::{Date, Month};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result, Rule};

/// A validated CPR number in normal form: ten ASCII digits `DDMMYYSSSS`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Cpr {
    digits: [u8; 10],
}

impl PartialEq for Cpr {
    fn eq(&self, other: &Cpr) -> bool {
        self.digits.ct_eq(&other.digits).into()
    }
}

impl Eq for Cpr {}

impl std::hash::Hash for Cpr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
    }
}

impl Cpr {
    /// Parses a CPR number as case systems export it: `DDMMYYSSSS` or `DDMMYY-SSSS`, with any
    /// surrounding white space. The date must be real under the century rule of the seventh digit
    /// and not after `reference`. The modulus-11 check is deliberately not applied: numbers
    /// without it have been issued since 2007. An error names `file` and `line`, never the text.
    pub fn parse(text: &str, reference: Date, file: &str, line: u64) -> Result<Cpr> {
        Cpr::check(text, reference).map_err(|rule| Error::input(file, line, rule))
    }

    /// Parses and checks the form and the date, but not against a reference date.
    pub fn parse_undated(text: &str, file: &str, line: u64) -> Result<Cpr> {
        Cpr::check_undated(text).map_err(|rule| Error::input(file, line, rule))
    }

    /// The CPR number on the first line of a file (or of bytes in memory): how a command line
    /// takes one without showing it in the process list. The file may be as Notepad saves it:
    /// with a UTF-8 byte-order mark, CRLF line ends; UTF-16 is named as such.
    pub fn read(input: &crate::files::Input, reference: Date) -> Result<Cpr> {
        let bytes = zeroize::Zeroizing::new(input.read()?.to_vec());
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            return Err(Error::input_detail(
                &input.name(),
                1,
                Rule::Encoding,
                Some("the file is UTF-16: save it as UTF-8"),
            ));
        }
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
        let text = std::str::from_utf8(first)
            .map_err(|_| Error::input(&input.name(), 1, Rule::CprCharacters))?;
        Cpr::parse(text, reference, &input.name(), 1)
    }

    /// The CPR numbers of a person file, one per line (blank lines skipped; BOM and CRLF as in
    /// [`Cpr::read`]), with the line of each: each number is checked where it stands.
    pub fn read_list(input: &crate::files::Input, reference: Date) -> Result<Vec<(u64, Cpr)>> {
        let bytes = zeroize::Zeroizing::new(input.read()?.to_vec());
        let name = input.name();
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            let detail = Some("the file is UTF-16: save it as UTF-8");
            return Err(Error::input_detail(&name, 1, Rule::Encoding, detail));
        }
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut numbers = Vec::new();
        for (at, line) in text.split(|&b| b == b'\n').enumerate() {
            let line_number = at as u64 + 1;
            let line = std::str::from_utf8(line)
                .map_err(|_| Error::input(&name, line_number, Rule::CprCharacters))?;
            if !line.trim().is_empty() {
                numbers.push((
                    line_number,
                    Cpr::parse(line, reference, &name, line_number)?,
                ));
            }
        }
        Ok(numbers)
    }

    /// [`Cpr::parse`] for the hot paths, where the caller knows the place.
    pub(crate) fn check(text: &str, reference: Date) -> std::result::Result<Cpr, Rule> {
        let cpr = Cpr::check_undated(text)?;
        if cpr.birth_date() > reference {
            return Err(Rule::CprFuture);
        }
        Ok(cpr)
    }

    /// [`Cpr::parse_undated`] for the hot paths.
    pub(crate) fn check_undated(text: &str) -> std::result::Result<Cpr, Rule> {
        let mut digits = [0u8; 10];
        match normalise_into(text, &mut digits) {
            Ok(()) => Ok(Cpr { digits }),
            Err(rule) => {
                digits.zeroize();
                Err(rule)
            }
        }
    }

    /// The number as files for people write it, `DDMMYY-SSSS`; wiped when dropped. Handle with
    /// care: this is the secret.
    pub fn expose_dashed(&self) -> zeroize::Zeroizing<String> {
        let mut text = zeroize::Zeroizing::new(String::with_capacity(11));
        for (i, &digit) in self.digits.iter().enumerate() {
            if i == 6 {
                text.push('-');
            }
            text.push(char::from(digit));
        }
        text
    }

    /// The ten normalised ASCII digits. Handle with care: this is the secret.
    pub fn expose_digits(&self) -> &[u8; 10] {
        &self.digits
    }

    /// The birth date, with the century from the seventh digit (spec §3.2).
    pub fn birth_date(&self) -> Date {
        // A `Cpr` is made only of digits whose date was checked, so this is always `Ok`.
        birth_date_of(&self.digits).unwrap_or(Date::MIN)
    }

    /// The age band on `on` (spec §3.3).
    pub fn age_band(&self, on: Date) -> AgeBand {
        AgeBand::from_age(age_on(self.birth_date(), on))
    }
}

/// Normalises a CPR number's text into `digits` (spec §3.1) and checks its date (no reference
/// date). On an error, `digits` may hold part of the number: the caller wipes it.
// Part of the pseudonymiser's hot path (see `pseudonym.rs`).
#[cfg_attr(samkoer_wasm_speed, optimize(speed))]
pub(crate) fn normalise_into(text: &str, digits: &mut [u8; 10]) -> std::result::Result<(), Rule> {
    let bytes = text.trim().as_bytes();
    // One separator may stand after the sixth digit, as people type it (spec §3.1): a hyphen or
    // a space; a no-break space; a Unicode hyphen or dash, as word processors and spreadsheets
    // turn a typed hyphen into.
    let serial_start = match bytes.len() {
        10 => 6,
        11 if matches!(bytes[6], b'-' | b' ') => 7,
        11 => return Err(Rule::CprCharacters),
        12 if bytes[6..8] == [0xC2, 0xA0] => 8,
        13 if is_dash(&bytes[6..9]) => 9,
        _ => return Err(Rule::CprLength),
    };
    let parts = bytes[..6].iter().chain(&bytes[serial_start..]);
    for (slot, &byte) in digits.iter_mut().zip(parts) {
        if !byte.is_ascii_digit() {
            return Err(Rule::CprCharacters);
        }
        *slot = byte;
    }
    birth_date_of(digits).map(|_| ())
}

/// Whether three bytes are one of the dashes accepted after the sixth digit: U+2010 hyphen to
/// U+2014 em dash (E2 80 90–94), or U+2212 minus sign (E2 88 92).
fn is_dash(bytes: &[u8]) -> bool {
    matches!(bytes, [0xE2, 0x80, 0x90..=0x94] | [0xE2, 0x88, 0x92])
}

/// The birth date of ten validated-form digits (spec §3.2).
// Part of the pseudonymiser's hot path (see `pseudonym.rs`).
#[cfg_attr(samkoer_wasm_speed, optimize(speed))]
fn birth_date_of(digits: &[u8; 10]) -> std::result::Result<Date, Rule> {
    let d = |i: usize| u16::from(digits[i] - b'0');
    let day = d(0) * 10 + d(1);
    let month = d(2) * 10 + d(3);
    let year_in_century = d(4) * 10 + d(5);
    let century = century(digits[6] - b'0', year_in_century);
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(Rule::CprDate)?;
    let day = u8::try_from(day).map_err(|_| Rule::CprDate)?;
    Date::from_calendar_date(i32::from(century + year_in_century), month, day)
        .map_err(|_| Rule::CprDate)
}

/// The century of a birth year from the seventh digit of the CPR number (the CPR office's rule).
// Part of the pseudonymiser's hot path (see `pseudonym.rs`).
#[cfg_attr(samkoer_wasm_speed, optimize(speed))]
fn century(seventh: u8, year_in_century: u16) -> u16 {
    match seventh {
        0..=3 => 1900,
        4 | 9 if year_in_century <= 36 => 2000,
        4 | 9 => 1900,
        _ if year_in_century <= 57 => 2000,
        _ => 1800,
    }
}

/// Completed years between `born` and `on` (negative if `on` is before `born`).
pub fn age_on(born: Date, on: Date) -> i32 {
    let mut age = on.year() - born.year();
    if (on.month() as u8, on.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    age
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cpr(<redacted>)")
    }
}

impl fmt::Display for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted CPR>")
    }
}

/// A coarse age band: the only age information that leaves a sector (spec §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum AgeBand {
    /// 0 to 5 years.
    Child0To5 = 1,
    /// 6 to 17 years.
    Child6To17 = 2,
    /// 18 to 29 years.
    Adult18To29 = 3,
    /// 30 to 49 years.
    Adult30To49 = 4,
    /// 50 to 66 years.
    Adult50To66 = 5,
    /// 67 years and over.
    Adult67Plus = 6,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 6] = [
        AgeBand::Child0To5,
        AgeBand::Child6To17,
        AgeBand::Adult18To29,
        AgeBand::Adult30To49,
        AgeBand::Adult50To66,
        AgeBand::Adult67Plus,
    ];

    /// The band of a person of `age` completed years.
    pub fn from_age(age: i32) -> AgeBand {
        match age {
            i32::MIN..=5 => AgeBand::Child0To5,
            6..=17 => AgeBand::Child6To17,
            18..=29 => AgeBand::Adult18To29,
            30..=49 => AgeBand::Adult30To49,
            50..=66 => AgeBand::Adult50To66,
            _ => AgeBand::Adult67Plus,
        }
    }

    /// Under 18 on the reference date.
    pub fn is_child(self) -> bool {
        self <= AgeBand::Child6To17
    }

    /// The band's byte in publications.
    pub fn to_byte(self) -> u8 {
        self as u8
    }

    /// The band with this byte, if any.
    pub fn from_byte(byte: u8) -> Option<AgeBand> {
        AgeBand::ALL.get(usize::from(byte).checked_sub(1)?).copied()
    }

    /// The band's stable name, as in reports and vectors.
    pub fn name(self) -> &'static str {
        match self {
            AgeBand::Child0To5 => "child-0-5",
            AgeBand::Child6To17 => "child-6-17",
            AgeBand::Adult18To29 => "adult-18-29",
            AgeBand::Adult30To49 => "adult-30-49",
            AgeBand::Adult50To66 => "adult-50-66",
            AgeBand::Adult67Plus => "adult-67-plus",
        }
    }

    /// The band with this name, exactly as [`AgeBand::name`] writes it (case and all).
    pub fn from_name(name: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|band| band.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const REFERENCE: Date = date!(2026 - 11 - 01);

    fn digits(text: &str) -> Result<[u8; 10], Rule> {
        Cpr::check(text, REFERENCE).map(|c| *c.expose_digits())
    }

    /// A CPR number shown in a message says what it is and never its digits.
    #[test]
    fn a_cpr_number_shows_as_redacted() {
        let cpr = Cpr::check("0101901234", REFERENCE).unwrap();
        assert_eq!(cpr.to_string(), "<redacted CPR>");
        assert_eq!(format!("{cpr:?}"), "Cpr(<redacted>)");
    }

    #[test]
    fn accepts_the_exported_forms_and_normalises_them() {
        for form in [
            "0101901234",
            "010190-1234",
            "  010190-1234 ",
            "\t0101901234\r",
            "010190 1234",
            "010190\u{a0}1234",
            "010190\u{2010}1234",
            "010190\u{2011}1234",
            "010190\u{2012}1234",
            "010190\u{2013}1234",
            "010190\u{2014}1234",
            "010190\u{2212}1234",
        ] {
            assert_eq!(digits(form), Ok(*b"0101901234"), "{form:?}");
        }
    }

    #[test]
    fn a_person_file_may_be_as_notepad_saves_it() {
        let read = |bytes: &[u8]| {
            let input = crate::files::Input::bytes("person.txt", bytes.to_vec());
            let reference = time::macros::date!(2026 - 11 - 01);
            Cpr::read(&input, reference).map(|c| *c.expose_digits())
        };
        for bytes in [
            &b"0101901234"[..],
            b"010190-1234\n",
            b"010190-1234\r\n",
            b"\xEF\xBB\xBF010190 1234\r\nsomething else\r\n",
        ] {
            assert_eq!(read(bytes).unwrap(), *b"0101901234", "{bytes:?}");
        }
        let error = read(b"\xFF\xFE0\x001\x00").unwrap_err();
        assert_eq!(
            (error.class(), error.to_string().contains("UTF-16")),
            ("encoding", true)
        );
        assert_eq!(read(b"").unwrap_err().class(), "cpr-length");
    }

    #[test]
    fn rejects_malformed_numbers_by_rule() {
        assert_eq!(digits(""), Err(Rule::CprLength));
        assert_eq!(digits("010190123"), Err(Rule::CprLength));
        assert_eq!(digits("010190--1234"), Err(Rule::CprLength));
        assert_eq!(digits("0101 901234"), Err(Rule::CprCharacters));
        assert_eq!(digits("010190_1234"), Err(Rule::CprCharacters));
        assert_eq!(digits("010190  1234"), Err(Rule::CprLength));
        assert_eq!(digits("010190\u{2015}1234"), Err(Rule::CprLength));
        assert_eq!(digits("010190\u{2009}1234"), Err(Rule::CprLength));
        assert_eq!(digits("010190\u{a0}\u{a0}1234"), Err(Rule::CprLength));
        assert_eq!(digits("01019O1234"), Err(Rule::CprCharacters));
        assert_eq!(digits("０１０１９０１２３４"), Err(Rule::CprLength));
        assert_eq!(digits("3202901234"), Err(Rule::CprDate));
        assert_eq!(digits("0013901234"), Err(Rule::CprDate));
        assert_eq!(
            digits("2902011234"),
            Err(Rule::CprDate),
            "1901 is no leap year"
        );
        assert_eq!(
            digits("2902041234"),
            Ok(*b"2902041234"),
            "1904 is a leap year"
        );
        assert_eq!(
            digits("2902004234"),
            Ok(*b"2902004234"),
            "2000 is a leap year"
        );
    }

    #[test]
    fn century_follows_the_seventh_digit() {
        let year = |text: &str| Cpr::check_undated(text).map(|c| c.birth_date().year());
        assert_eq!(year("0101363234"), Ok(1936));
        assert_eq!(year("0101364234"), Ok(2036));
        assert_eq!(year("0101374234"), Ok(1937));
        assert_eq!(year("0101575234"), Ok(2057));
        assert_eq!(year("0101588234"), Ok(1858));
        assert_eq!(year("0101369234"), Ok(2036));
        assert_eq!(year("0101379234"), Ok(1937));
    }

    #[test]
    fn rejects_birth_dates_after_the_reference_date() {
        assert_eq!(digits("0211264234"), Err(Rule::CprFuture));
        assert_eq!(
            digits("0111264234"),
            Ok(*b"0111264234"),
            "born on the reference date"
        );
    }

    #[test]
    fn age_bands_turn_on_birthdays() {
        let band = |text: &str| Cpr::check(text, REFERENCE).map(|c| c.age_band(REFERENCE));
        assert_eq!(
            band("0111084234"),
            Ok(AgeBand::Adult18To29),
            "18 on the birthday itself"
        );
        assert_eq!(band("0211084234"), Ok(AgeBand::Child6To17), "18 tomorrow");
        assert_eq!(band("0111264234"), Ok(AgeBand::Child0To5), "born today");
        assert_eq!(band("0111596234"), Ok(AgeBand::Adult67Plus));
        assert!(AgeBand::Child6To17.is_child() && !AgeBand::Adult18To29.is_child());
        for band in AgeBand::ALL {
            assert_eq!(AgeBand::from_byte(band.to_byte()), Some(band));
        }
        assert_eq!(AgeBand::from_byte(0), None);
        assert_eq!(AgeBand::from_byte(7), None);
        for band in AgeBand::ALL {
            assert_eq!(AgeBand::from_name(band.name()), Some(band));
        }
        assert_eq!(AgeBand::from_name("Child-0-5"), None, "names are exact");
        assert_eq!(AgeBand::from_name("adult-67+"), None);
    }

    #[test]
    fn never_prints_its_digits() {
        let cpr = Cpr::parse("010190-1234", REFERENCE, "test", 1).unwrap();
        assert!(!format!("{cpr:?} {cpr}").contains("0101"));
    }
}
