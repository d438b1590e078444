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
/// The exit code for a publish that would publish much less than it was given (spec §8.6).
pub const EXIT_LOSS: i32 = 5;

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

impl From<Error> for CliError {
    fn from(error: Error) -> CliError {
        let code = match error.rule() {
            None if matches!(error, Error::OpenFailed | Error::OpenFailedIn { .. }) => EXIT_REFUSED,
            None => EXIT_IO,
            Some(
                Rule::ConsentSignature
                | Rule::ConsentStateSignature
                | Rule::PublicationDigest
                | Rule::KeyFileCheck
                | Rule::AuditChain,
            ) => EXIT_REFUSED,
            Some(Rule::RejectedLimit | Rule::AllExcluded) => EXIT_LOSS,
            Some(_) => EXIT_INPUT,
        };
        CliError {
            message: error.to_string(),
            remedy: error.remedy(),
            code,
            error_code: Some(error.code()),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> CliError {
        CliError {
            message: error.to_string(),
            remedy: samkoer_core::error::io_remedy(error.kind()),
            code: EXIT_IO,
            error_code: Some(1),
        }
    }
}

/// The summary for `--json`: the step's entry, and the error when the command failed (a step
/// that failed before its core step began has no entry; its outcome is then `error`).
pub fn summary(step: Option<samkoer_core::audit::Step>, error: Option<&CliError>) -> String {
    let mut value = step.map_or_else(
        || serde_json::json!({ "outcome": if error.is_some() { "error" } else { "done" } }),
        |step| serde_json::to_value(step).unwrap_or_default(),
    );
    if let (Some(error), Some(fields)) = (error, value.as_object_mut()) {
        fields.insert(
            "error".into(),
            serde_json::json!({
                "code": error.error_code, "message": error.message, "remedy": error.remedy,
                "exit": error.code,
            }),
        );
    }
    value.to_string()
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
