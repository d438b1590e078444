//! How the command line reports errors: the core's message, then what to do, and an exit code
//! by kind. Every core error maps here, once.

use std::fmt;

use samkoer_core::{Error, Rule};

/// An error of a command, with a remedy for the person at the terminal.
pub struct CliError {
    message: String,
    remedy: &'static str,
    code: i32,
    /// The core error's stable number (spec §10), printed so it can be looked up.
    error_code: Option<u32>,
}

/// The exit code for bad input (a file breaks a rule).
pub const EXIT_INPUT: i32 = 1;
/// The exit code for a file that cannot be read or written.
pub const EXIT_IO: i32 = 3;
/// The exit code for a cryptographic refusal: a key that does not fit, a forged or altered file.
pub const EXIT_REFUSED: i32 = 4;

impl CliError {
    /// An error with a message of the command's own.
    pub fn usage(message: impl Into<String>, remedy: &'static str) -> CliError {
        CliError {
            message: message.into(),
            remedy,
            code: EXIT_INPUT,
            error_code: None,
        }
    }

    /// A core error, with the files its parameters came from named in front when the core's
    /// message names none (a parameter error such as keys that do not belong together).
    pub fn naming(files: &str, error: Error) -> CliError {
        let parameter = matches!(error, Error::Parameter { .. });
        let mut cli = CliError::from(error);
        if parameter {
            cli.message = format!("{files}: {}", cli.message);
        }
        cli
    }

    /// The process exit code.
    pub fn code(&self) -> i32 {
        self.code
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error_code {
            Some(code) => write!(f, "error[{code}]: ")?,
            None => write!(f, "error: ")?,
        }
        write!(f, "{}\n  what to do: {}", self.message, self.remedy)
    }
}

/// What to do about a broken rule.
fn remedy(rule: Rule) -> &'static str {
    let name = rule.name();
    match rule {
        Rule::ColumnMissing
        | Rule::ColumnDuplicate
        | Rule::DelimiterAmbiguous
        | Rule::HeaderMissing => {
            "check the export's header row; name differently called columns in a mapping file (--mapping)"
        }
        Rule::MappingInvalid => {
            "fix the mapping file at the line named (see the README's mapping example)"
        }
        Rule::Encoding => {
            "save the file as UTF-8; for an export in Windows-1252, say so in a mapping file (encoding = \"windows-1252\")"
        }
        Rule::SectorCode => "use a sector of the catalogue (samkoer catalogue lists them)",
        Rule::KeyFilePermissions => "make the key file readable by its owner only: chmod 600 FILE",
        Rule::KeyFileExists => {
            "keys are never overwritten: choose another file name, or remove the old key deliberately"
        }
        Rule::KeyFileKind => {
            "this is another kind of key: check which key file the option asks for"
        }
        Rule::KeyMismatch | Rule::ReviewKey => {
            "the keys or files belong to different municipalities, runs or sectors: use the ones of the same run and sector"
        }
        Rule::MixedMunicipality
        | Rule::MixedRun
        | Rule::MixedRunKey
        | Rule::MixedReferenceDate
        | Rule::MixedCatalogue => {
            "match only publications of one run, made with the same run key, catalogue and reference date"
        }
        Rule::DuplicateSector => "give each sector's publication once",
        Rule::NoPublications => "name at least one publication",
        Rule::NotOwnPseudonym => "a sector may ask only about citizens it published in this run",
        Rule::ConsentExpired | Rule::ConsentNotYetValid => {
            "ask the consent registry for a receipt that is valid now"
        }
        Rule::ConsentScope => "this sector is not in the consent: it must release nothing",
        Rule::ConsentWithdrawn => "the citizen withdrew the consent: release nothing",
        Rule::ConsentOtherPerson => {
            "the receipt is for someone who has no ongoing services here: release nothing"
        }
        Rule::ConsentSignature => {
            "the receipt or withdrawal was not issued by the registry or was altered: do not trust it"
        }
        _ if name.starts_with("key-file") => {
            "check that the key file is the one given to you and undamaged; make keys with samkoer keygen"
        }
        _ if name.starts_with("publication") => {
            "the file was cut short or altered on the way: ask its sector for it again"
        }
        _ if name.starts_with("criteria") => {
            "fix the criteria file at the line named (see the README's criteria example)"
        }
        _ if name.starts_with("catalogue") => {
            "fix the catalogue at the line named, or use the built-in one"
        }
        _ if name.starts_with("verdict") => {
            "fix the verdict file at the line named; give verdicts only for candidates in your own work list"
        }
        _ if name.starts_with("audit") => {
            "the audit log was changed at or before the entry named: restore it from a copy"
        }
        _ if name.starts_with("consent") || name.starts_with("disclosure") => {
            "ask the sender for the file again"
        }
        _ => "fix the input at the place named and run the command again",
    }
}

impl From<Error> for CliError {
    fn from(error: Error) -> CliError {
        let (code, remedy) = match &error {
            Error::Io { .. } => (
                EXIT_IO,
                "check that the file exists and can be read (or written)",
            ),
            Error::OpenFailed | Error::OpenFailedIn { .. } => (
                EXIT_REFUSED,
                "the key does not fit this file, or the file was altered: check you used your own key",
            ),
            Error::Random => (
                EXIT_IO,
                "the system's random number generator failed: try again",
            ),
            _ => {
                let rule = error.rule().unwrap_or(Rule::CsvSyntax);
                let refused = matches!(
                    rule,
                    Rule::ConsentSignature
                        | Rule::PublicationDigest
                        | Rule::KeyFileCheck
                        | Rule::AuditChain
                );
                (
                    if refused { EXIT_REFUSED } else { EXIT_INPUT },
                    remedy(rule),
                )
            }
        };
        CliError {
            message: error.to_string(),
            remedy,
            code,
            error_code: Some(error.code()),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> CliError {
        CliError {
            message: error.to_string(),
            remedy: "check the path and its permissions",
            code: EXIT_IO,
            error_code: Some(1),
        }
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
