//! The one error type of the core, and the rules that input is checked against.
//!
//! An error names where (file and line, or file and record) and which [`Rule`] was broken, never
//! the offending value: the value may be a CPR number. Every variant and every rule has a stable
//! numeric code that the surfaces (CLI, WASM, Python, C) map once, in their own `error.rs`.

use std::fmt;

/// A rule that input must satisfy. Rejected export rows and file errors both name one.
///
/// The numbers returned by [`Rule::code`] are part of the public interface: they are never
/// renumbered or reused, and new rules get new numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    // CPR numbers (spec §3).
    /// A CPR number is 10 digits, optionally with a hyphen after the sixth.
    CprLength,
    /// A CPR number holds only digits (and the one optional hyphen).
    CprCharacters,
    /// The first six digits are a real calendar date under the century rule.
    CprDate,
    /// The birth date lies after the reference date.
    CprFuture,

    // Case-system exports and relations files (spec §8).
    /// The file is not valid CSV (for instance an unterminated quote).
    CsvSyntax,
    /// A row has a different number of fields than the header.
    CsvFieldCount,
    /// The bytes are not valid in the declared encoding.
    Encoding,
    /// The file is empty or has no header row.
    HeaderMissing,
    /// The delimiter could not be told from the header (neither or both of `;` and `,`).
    DelimiterAmbiguous,
    /// A required column is missing from the header.
    ColumnMissing,
    /// Two header columns map to the same field.
    ColumnDuplicate,
    /// A required field is empty.
    FieldEmpty,
    /// A field is longer than the format allows.
    FieldTooLong,
    /// The service code is not in the service catalogue.
    ServiceUnknown,
    /// The status is none of the known (or mapped) values.
    StatusUnknown,
    /// A date is not a real date in a supported form.
    DateInvalid,
    /// The end date lies before the start date.
    DateOrder,
    /// A relation links a person to themself.
    RelationSelf,
    /// The column mapping or status mapping is malformed.
    MappingInvalid,

    // Key files (spec §4.5).
    /// A key file line is not of the expected form.
    KeyFileSyntax,
    /// The key file's format version is not supported.
    KeyFileVersion,
    /// The key file holds another kind of key than the one asked for.
    KeyFileKind,
    /// The key file's integrity check or fingerprint does not match its content.
    KeyFileCheck,
    /// The key file can be read by other users than its owner.
    KeyFilePermissions,
    /// The key file already exists; keys are never overwritten.
    KeyFileExists,
    /// Two keys that must belong together (municipality, run or sector) do not.
    KeyMismatch,

    // Publications (spec §7).
    /// The file does not start with the publication magic bytes.
    PublicationMagic,
    /// The publication's format version is not supported.
    PublicationVersion,
    /// A header field is malformed.
    PublicationHeader,
    /// A record is malformed (unknown tag, bad length, bad value).
    PublicationRecord,
    /// The file ends before its trailer.
    PublicationTruncated,
    /// The trailer's digest does not match the content: the file was altered.
    PublicationDigest,
    /// The trailer's record counts do not match the records read.
    PublicationCount,
    /// Bytes follow the trailer.
    PublicationTrailingData,

    // Service catalogue (spec §9).
    /// The catalogue is not valid TOML of the catalogue's form.
    CatalogueSyntax,
    /// A code appears twice in the catalogue.
    CatalogueDuplicate,
    /// A service names a sector that the catalogue does not define.
    CatalogueSector,
    /// A catalogue field is empty or malformed.
    CatalogueField,

    // Parameters given by the caller.
    /// A municipality code is three digits, 100 to 999.
    MunicipalityCode,
    /// A run id is 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
    RunId,
    /// A sector code is 1 to 32 characters from `a-z 0-9 -` and must be in the catalogue.
    SectorCode,

    // Matching (spec §12) and criteria (spec §11).
    /// Publications of different municipalities were given to one match.
    MixedMunicipality,
    /// Publications of different runs were given to one match.
    MixedRun,
    /// Publications made with different run keys (fingerprints) were given to one match.
    MixedRunKey,
    /// Publications, or publications and the matcher, use different catalogue versions.
    MixedCatalogue,
    /// Publications with different reference dates were given to one match.
    MixedReferenceDate,
    /// Two publications of one match come from the same sector.
    DuplicateSector,
    /// A one-citizen check asked about a pseudonym the asking sector did not publish.
    NotOwnPseudonym,
    /// A match was given no publication.
    NoPublications,
    /// The criteria file is not valid TOML of the criteria's form.
    CriteriaSyntax,
    /// The criteria name a service code that is not an allowed service of the catalogue.
    CriteriaServiceUnknown,
    /// The criteria contradict themselves, or can never select anyone.
    CriteriaContradiction,

    // Audit log (spec §16).
    /// An audit-log entry is malformed or names an unknown party or action.
    AuditEntry,
    /// An audit-log entry's number, previous hash or hash does not match: the log was edited, cut, reordered or added to.
    AuditChain,

    // Suitability (spec §13).
    /// The flag file belongs to another sector or municipality than the sealing key.
    ReviewKey,
    /// The verdict file (or filled work list) is not of its form.
    VerdictSyntax,
    /// A verdict is none of suitable, suitable-from (with a month) or not-suitable.
    VerdictValue,
    /// A verdict names a candidate that the sector was never sent.
    VerdictNotSent,
    /// A verdict file belongs to another municipality or run, or a second file comes from the same sector.
    VerdictMismatch,

    // Consent and disclosure (spec §14, §15).
    /// A consent receipt or withdrawal is malformed.
    ConsentFormat,
    /// The signature does not verify under the consent registry's key: the receipt or withdrawal was forged or altered.
    ConsentSignature,
    /// The receipt's validity starts after now.
    ConsentNotYetValid,
    /// The receipt's validity ended before now.
    ConsentExpired,
    /// The receipt does not name the sector asked to disclose.
    ConsentScope,
    /// A signed withdrawal of the receipt takes effect at or before now.
    ConsentWithdrawn,
    /// The receipt's subject is none of the sector's citizens with ongoing services.
    ConsentOtherPerson,
    /// A disclosure bundle is malformed.
    DisclosureFormat,
}

impl Rule {
    /// Every rule, in code order.
    pub const ALL: &'static [Rule] = &[
        Rule::CprLength,
        Rule::CprCharacters,
        Rule::CprDate,
        Rule::CprFuture,
        Rule::CsvSyntax,
        Rule::CsvFieldCount,
        Rule::Encoding,
        Rule::HeaderMissing,
        Rule::DelimiterAmbiguous,
        Rule::ColumnMissing,
        Rule::ColumnDuplicate,
        Rule::FieldEmpty,
        Rule::FieldTooLong,
        Rule::ServiceUnknown,
        Rule::StatusUnknown,
        Rule::DateInvalid,
        Rule::DateOrder,
        Rule::RelationSelf,
        Rule::MappingInvalid,
        Rule::KeyFileSyntax,
        Rule::KeyFileVersion,
        Rule::KeyFileKind,
        Rule::KeyFileCheck,
        Rule::KeyFilePermissions,
        Rule::KeyFileExists,
        Rule::KeyMismatch,
        Rule::PublicationMagic,
        Rule::PublicationVersion,
        Rule::PublicationHeader,
        Rule::PublicationRecord,
        Rule::PublicationTruncated,
        Rule::PublicationDigest,
        Rule::PublicationCount,
        Rule::PublicationTrailingData,
        Rule::CatalogueSyntax,
        Rule::CatalogueDuplicate,
        Rule::CatalogueSector,
        Rule::CatalogueField,
        Rule::MunicipalityCode,
        Rule::RunId,
        Rule::SectorCode,
        Rule::MixedMunicipality,
        Rule::MixedRun,
        Rule::MixedRunKey,
        Rule::MixedCatalogue,
        Rule::MixedReferenceDate,
        Rule::DuplicateSector,
        Rule::NotOwnPseudonym,
        Rule::NoPublications,
        Rule::CriteriaSyntax,
        Rule::CriteriaServiceUnknown,
        Rule::CriteriaContradiction,
        Rule::AuditEntry,
        Rule::AuditChain,
        Rule::ReviewKey,
        Rule::VerdictSyntax,
        Rule::VerdictValue,
        Rule::VerdictNotSent,
        Rule::VerdictMismatch,
        Rule::ConsentFormat,
        Rule::ConsentSignature,
        Rule::ConsentNotYetValid,
        Rule::ConsentExpired,
        Rule::ConsentScope,
        Rule::ConsentWithdrawn,
        Rule::ConsentOtherPerson,
        Rule::DisclosureFormat,
    ];

    /// The rule's stable number. Never renumbered, never reused.
    pub const fn code(self) -> u32 {
        match self {
            Rule::CprLength => 101,
            Rule::CprCharacters => 102,
            Rule::CprDate => 103,
            Rule::CprFuture => 104,
            Rule::CsvSyntax => 201,
            Rule::CsvFieldCount => 202,
            Rule::Encoding => 203,
            Rule::HeaderMissing => 204,
            Rule::DelimiterAmbiguous => 205,
            Rule::ColumnMissing => 206,
            Rule::ColumnDuplicate => 207,
            Rule::FieldEmpty => 208,
            Rule::FieldTooLong => 209,
            Rule::ServiceUnknown => 210,
            Rule::StatusUnknown => 211,
            Rule::DateInvalid => 212,
            Rule::DateOrder => 213,
            Rule::RelationSelf => 214,
            Rule::MappingInvalid => 215,
            Rule::KeyFileSyntax => 301,
            Rule::KeyFileVersion => 302,
            Rule::KeyFileKind => 303,
            Rule::KeyFileCheck => 304,
            Rule::KeyFilePermissions => 305,
            Rule::KeyFileExists => 306,
            Rule::KeyMismatch => 307,
            Rule::PublicationMagic => 401,
            Rule::PublicationVersion => 402,
            Rule::PublicationHeader => 403,
            Rule::PublicationRecord => 404,
            Rule::PublicationTruncated => 405,
            Rule::PublicationDigest => 406,
            Rule::PublicationCount => 407,
            Rule::PublicationTrailingData => 408,
            Rule::CatalogueSyntax => 501,
            Rule::CatalogueDuplicate => 502,
            Rule::CatalogueSector => 503,
            Rule::CatalogueField => 504,
            Rule::MunicipalityCode => 601,
            Rule::RunId => 602,
            Rule::SectorCode => 603,
            Rule::MixedMunicipality => 701,
            Rule::MixedRun => 702,
            Rule::MixedRunKey => 703,
            Rule::MixedCatalogue => 704,
            Rule::MixedReferenceDate => 705,
            Rule::DuplicateSector => 706,
            Rule::NotOwnPseudonym => 707,
            Rule::NoPublications => 708,
            Rule::CriteriaSyntax => 801,
            Rule::CriteriaServiceUnknown => 802,
            Rule::CriteriaContradiction => 803,
            Rule::AuditEntry => 1001,
            Rule::AuditChain => 1002,
            Rule::ReviewKey => 1101,
            Rule::VerdictSyntax => 1102,
            Rule::VerdictValue => 1103,
            Rule::VerdictNotSent => 1104,
            Rule::VerdictMismatch => 1105,
            Rule::ConsentFormat => 1201,
            Rule::ConsentSignature => 1202,
            Rule::ConsentNotYetValid => 1203,
            Rule::ConsentExpired => 1204,
            Rule::ConsentScope => 1205,
            Rule::ConsentWithdrawn => 1206,
            Rule::ConsentOtherPerson => 1207,
            Rule::DisclosureFormat => 1208,
        }
    }

    /// The rule's stable name, used in reports, vectors and messages.
    pub const fn name(self) -> &'static str {
        match self {
            Rule::CprLength => "cpr-length",
            Rule::CprCharacters => "cpr-characters",
            Rule::CprDate => "cpr-date",
            Rule::CprFuture => "cpr-future",
            Rule::CsvSyntax => "csv-syntax",
            Rule::CsvFieldCount => "csv-field-count",
            Rule::Encoding => "encoding",
            Rule::HeaderMissing => "header-missing",
            Rule::DelimiterAmbiguous => "delimiter-ambiguous",
            Rule::ColumnMissing => "column-missing",
            Rule::ColumnDuplicate => "column-duplicate",
            Rule::FieldEmpty => "field-empty",
            Rule::FieldTooLong => "field-too-long",
            Rule::ServiceUnknown => "service-unknown",
            Rule::StatusUnknown => "status-unknown",
            Rule::DateInvalid => "date-invalid",
            Rule::DateOrder => "date-order",
            Rule::RelationSelf => "relation-self",
            Rule::MappingInvalid => "mapping-invalid",
            Rule::KeyFileSyntax => "key-file-syntax",
            Rule::KeyFileVersion => "key-file-version",
            Rule::KeyFileKind => "key-file-kind",
            Rule::KeyFileCheck => "key-file-check",
            Rule::KeyFilePermissions => "key-file-permissions",
            Rule::KeyFileExists => "key-file-exists",
            Rule::KeyMismatch => "key-mismatch",
            Rule::PublicationMagic => "publication-magic",
            Rule::PublicationVersion => "publication-version",
            Rule::PublicationHeader => "publication-header",
            Rule::PublicationRecord => "publication-record",
            Rule::PublicationTruncated => "publication-truncated",
            Rule::PublicationDigest => "publication-digest",
            Rule::PublicationCount => "publication-count",
            Rule::PublicationTrailingData => "publication-trailing-data",
            Rule::CatalogueSyntax => "catalogue-syntax",
            Rule::CatalogueDuplicate => "catalogue-duplicate",
            Rule::CatalogueSector => "catalogue-sector",
            Rule::CatalogueField => "catalogue-field",
            Rule::MunicipalityCode => "municipality-code",
            Rule::RunId => "run-id",
            Rule::SectorCode => "sector-code",
            Rule::MixedMunicipality => "mixed-municipality",
            Rule::MixedRun => "mixed-run",
            Rule::MixedRunKey => "mixed-run-key",
            Rule::MixedCatalogue => "mixed-catalogue",
            Rule::MixedReferenceDate => "mixed-reference-date",
            Rule::DuplicateSector => "duplicate-sector",
            Rule::NotOwnPseudonym => "not-own-pseudonym",
            Rule::NoPublications => "no-publications",
            Rule::CriteriaSyntax => "criteria-syntax",
            Rule::CriteriaServiceUnknown => "criteria-service-unknown",
            Rule::CriteriaContradiction => "criteria-contradiction",
            Rule::AuditEntry => "audit-entry",
            Rule::AuditChain => "audit-chain",
            Rule::ReviewKey => "review-key",
            Rule::VerdictSyntax => "verdict-syntax",
            Rule::VerdictValue => "verdict-value",
            Rule::VerdictNotSent => "verdict-not-sent",
            Rule::VerdictMismatch => "verdict-mismatch",
            Rule::ConsentFormat => "consent-format",
            Rule::ConsentSignature => "consent-signature",
            Rule::ConsentNotYetValid => "consent-not-yet-valid",
            Rule::ConsentExpired => "consent-expired",
            Rule::ConsentScope => "consent-scope",
            Rule::ConsentWithdrawn => "consent-withdrawn",
            Rule::ConsentOtherPerson => "consent-other-person",
            Rule::DisclosureFormat => "disclosure-format",
        }
    }

    /// What the rule says, in one sentence, for messages.
    pub const fn description(self) -> &'static str {
        match self {
            Rule::CprLength => {
                "a CPR number has 10 digits, optionally with a hyphen after the sixth"
            }
            Rule::CprCharacters => "a CPR number holds only digits and one optional hyphen",
            Rule::CprDate => "the CPR number's first six digits are not a real birth date",
            Rule::CprFuture => "the CPR number's birth date lies after the reference date",
            Rule::CsvSyntax => "the line is not valid CSV",
            Rule::CsvFieldCount => "the row has a different number of fields than the header",
            Rule::Encoding => "the bytes are not valid in the file's encoding",
            Rule::HeaderMissing => "the file has no header row",
            Rule::DelimiterAmbiguous => "the header shows neither or both of ';' and ','",
            Rule::ColumnMissing => "a required column is missing",
            Rule::ColumnDuplicate => "two columns map to the same field",
            Rule::FieldEmpty => "a required field is empty",
            Rule::FieldTooLong => "a field is longer than the format allows",
            Rule::ServiceUnknown => "the service code is not in the service catalogue",
            Rule::StatusUnknown => "the status is not a known value",
            Rule::DateInvalid => {
                "the date is not a real date from 1800 to 9999 as YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY"
            }
            Rule::DateOrder => "the end date lies before the start date",
            Rule::RelationSelf => "a relation links a person to themself",
            Rule::MappingInvalid => "the column or status mapping is malformed",
            Rule::KeyFileSyntax => "the key file is not of the key-file form",
            Rule::KeyFileVersion => "the key file's version is not supported",
            Rule::KeyFileKind => "the key file holds another kind of key",
            Rule::KeyFileCheck => "the key file's check does not match: it was altered or damaged",
            Rule::KeyFilePermissions => "other users than the key file's owner have access to it",
            Rule::KeyFileExists => "a file already exists there; keys are never overwritten",
            Rule::KeyMismatch => "the keys belong to different municipalities, runs or sectors",
            Rule::PublicationMagic => "the file is not a samkoer publication",
            Rule::PublicationVersion => "the publication's format version is not supported",
            Rule::PublicationHeader => "the publication's header is malformed",
            Rule::PublicationRecord => "a publication record is malformed",
            Rule::PublicationTruncated => {
                "the publication ends before its trailer: it was cut short"
            }
            Rule::PublicationDigest => "the publication's digest does not match: it was altered",
            Rule::PublicationCount => "the trailer's record counts do not match the records",
            Rule::PublicationTrailingData => "bytes follow the publication's trailer",
            Rule::CatalogueSyntax => "the catalogue is not valid catalogue TOML",
            Rule::CatalogueDuplicate => "a code appears twice in the catalogue",
            Rule::CatalogueSector => "a service names a sector the catalogue does not define",
            Rule::CatalogueField => "a catalogue field is empty or malformed",
            Rule::MunicipalityCode => "a municipality code is three digits, 100 to 999",
            Rule::RunId => "a run id is 1 to 64 characters from A-Z a-z 0-9 . _ -",
            Rule::SectorCode => {
                "a sector code is 1 to 32 characters from a-z 0-9 - and in the catalogue"
            }
            Rule::MixedMunicipality => "the publications belong to different municipalities",
            Rule::MixedRun => "the publications belong to different runs",
            Rule::MixedRunKey => "the publications were made with different run keys",
            Rule::MixedCatalogue => {
                "the publications or the matcher use different catalogue versions"
            }
            Rule::MixedReferenceDate => "the publications have different reference dates",
            Rule::DuplicateSector => "two publications come from the same sector",
            Rule::NotOwnPseudonym => "the asking sector did not publish this pseudonym in this run",
            Rule::NoPublications => "a match needs at least one publication",
            Rule::CriteriaSyntax => "the criteria file is not valid criteria TOML",
            Rule::CriteriaServiceUnknown => {
                "the criteria name a service code the catalogue does not allow"
            }
            Rule::CriteriaContradiction => {
                "the criteria contradict themselves or can never select anyone"
            }
            Rule::AuditEntry => {
                "an audit-log entry is malformed or names an unknown party or action"
            }
            Rule::AuditChain => {
                "an audit-log entry does not follow the one before: the log was changed"
            }
            Rule::ReviewKey => {
                "the flag file is for another sector or municipality than the sealing key"
            }
            Rule::VerdictSyntax => "the verdict file is not of the verdict form",
            Rule::VerdictValue => {
                "a verdict is not suitable, suitable-from with a YYYY-MM month, or not-suitable"
            }
            Rule::VerdictNotSent => "a verdict names a candidate the sector was never sent",
            Rule::VerdictMismatch => {
                "the verdict file belongs to another run, or its sector already gave verdicts"
            }
            Rule::ConsentFormat => "the receipt or withdrawal is malformed",
            Rule::ConsentSignature => {
                "the receipt or withdrawal is not signed by the consent registry: forged or altered"
            }
            Rule::ConsentNotYetValid => "the receipt is not valid yet",
            Rule::ConsentExpired => "the receipt has expired",
            Rule::ConsentScope => "the receipt does not name this sector",
            Rule::ConsentWithdrawn => "the consent was withdrawn",
            Rule::ConsentOtherPerson => "the receipt concerns none of this sector's citizens",
            Rule::DisclosureFormat => "the disclosure bundle is malformed",
        }
    }

    /// Looks a rule up by its stable name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.name() == name)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.description(), self.name())
    }
}

/// Everything that can go wrong in the core.
///
/// No variant holds an input value; positions and rule names only.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{file}: {source}")]
    Io {
        /// The file, as the caller named it.
        file: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A text file (export, relations, key file, catalogue) broke a rule at a line.
    #[error("{file}, line {line}: {rule}{}", detail_suffix(.detail))]
    Input {
        /// The file, as the caller named it.
        file: String,
        /// The 1-based line; 0 when the rule concerns the whole file.
        line: u64,
        /// The rule broken.
        rule: Rule,
        /// Safe context such as a field's name: text of the code's own, so it can never be a
        /// value from the input.
        detail: Option<&'static str>,
    },

    /// A binary file (publication) broke a rule at a record.
    #[error("{file}, record {record}: {rule}")]
    Format {
        /// The file, as the caller named it.
        file: String,
        /// The 1-based record number; 0 for the header.
        record: u64,
        /// The rule broken.
        rule: Rule,
    },

    /// A parameter given by the caller (municipality, run id, sector) is malformed.
    #[error("{rule}")]
    Parameter {
        /// The rule broken.
        rule: Rule,
    },

    /// Opening an envelope failed: wrong key, wrong record, or altered bytes. Deliberately opaque.
    #[error("the envelope could not be opened (wrong key, wrong record, or altered)")]
    OpenFailed,

    /// An envelope in a flag file, or a disclosure bundle, did not open: [`Error::OpenFailed`]
    /// with the file and record it happened at (record 0: the whole file). Deliberately opaque
    /// about the cause.
    #[error(
        "{file}, record {record}: the sealed content could not be opened: wrong key, another record's or sector's, or altered (open-failed)"
    )]
    OpenFailedIn {
        /// The file, as the caller named it.
        file: String,
        /// The 1-based record; 0 for the whole file.
        record: u64,
    },

    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

fn detail_suffix(detail: &Option<&'static str>) -> String {
    detail
        .as_ref()
        .map(|d| format!(" [{d}]"))
        .unwrap_or_default()
}

impl Error {
    /// The error's stable number: the rule's code for rule errors, a small number otherwise.
    pub fn code(&self) -> u32 {
        match self {
            Error::Io { .. } => 1,
            Error::OpenFailed | Error::OpenFailedIn { .. } => 2,
            Error::Random => 3,
            Error::Input { rule, .. } | Error::Format { rule, .. } | Error::Parameter { rule } => {
                rule.code()
            }
        }
    }

    /// The rule broken, if the error is about input.
    pub fn rule(&self) -> Option<Rule> {
        match self {
            Error::Input { rule, .. } | Error::Format { rule, .. } | Error::Parameter { rule } => {
                Some(*rule)
            }
            Error::Io { .. } | Error::OpenFailed | Error::OpenFailedIn { .. } | Error::Random => {
                None
            }
        }
    }

    /// The stable name of the error class, as used in the test vectors' `expect` fields.
    pub fn class(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::OpenFailed | Error::OpenFailedIn { .. } => "open-failed",
            Error::Random => "random",
            Error::Input { rule, .. } | Error::Format { rule, .. } | Error::Parameter { rule } => {
                rule.name()
            }
        }
    }

    pub(crate) fn io(file: &str, source: std::io::Error) -> Self {
        Error::Io {
            file: file.to_owned(),
            source,
        }
    }

    pub(crate) fn input(file: &str, line: u64, rule: Rule) -> Self {
        Error::Input {
            file: file.to_owned(),
            line,
            rule,
            detail: None,
        }
    }

    pub(crate) fn format(file: &str, record: u64, rule: Rule) -> Self {
        Error::Format {
            file: file.to_owned(),
            record,
            rule,
        }
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn rule_codes_and_names_are_unique_and_round_trip() {
        let codes: HashSet<u32> = Rule::ALL.iter().map(|r| r.code()).collect();
        let names: HashSet<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(codes.len(), Rule::ALL.len());
        assert_eq!(names.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.name()), Some(*rule));
            assert!(
                rule.code() > 100,
                "codes below 100 belong to non-rule errors"
            );
        }
        assert!(Rule::ALL.windows(2).all(|w| w[0].code() < w[1].code()));
    }

    #[test]
    fn messages_name_file_line_and_rule() {
        let error = Error::input("export.csv", 17, Rule::CprDate);
        let message = error.to_string();
        assert!(message.contains("export.csv"));
        assert!(message.contains("line 17"));
        assert!(message.contains("cpr-date"));
        assert_eq!(error.code(), 103);
        assert_eq!(error.class(), "cpr-date");
    }
}
