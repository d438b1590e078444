//! The one-citizen check's files (spec §12.8): a sector's request naming one of its own
//! citizens by pseudonym, and the matcher's answer. Both are JSON; neither holds a CPR number.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::json::{self, Shape};
use crate::primitives::ids::{MunicipalityCode, RunId, SectorCode};
use crate::primitives::pseudonym::Pseudonym;

/// The value of a request's `format` field.
pub const REQUEST_FORMAT: &str = "samkoer-check-request";
/// The value of an answer's `format` field.
pub const ANSWER_FORMAT: &str = "samkoer-check-answer";

/// The answer of a one-citizen check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckAnswer {
    /// A candidate of this run (alone or in a family) that is not deferred.
    Candidate,
    /// A candidate deferred to a later run.
    Deferred,
    /// Not a candidate.
    NotCandidate,
}

impl CheckAnswer {
    /// The answer's name in files: `candidate`, `deferred` or `not-candidate`.
    pub fn name(self) -> &'static str {
        match self {
            CheckAnswer::Candidate => "candidate",
            CheckAnswer::Deferred => "deferred",
            CheckAnswer::NotCandidate => "not-candidate",
        }
    }
}

/// A sector's question about one of its citizens in one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRequest {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run.
    pub run: RunId,
    /// The asking sector.
    pub sector: SectorCode,
    /// The citizen's pseudonym in this run.
    pub pseudonym: Pseudonym,
}

/// The matcher's answer to a [`CheckRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReply {
    /// The question.
    pub request: CheckRequest,
    /// The answer.
    pub answer: CheckAnswer,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    format: String,
    version: u32,
    municipality: String,
    run: String,
    sector: String,
    pseudonym: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answer: Option<CheckAnswer>,
}

impl CheckRequest {
    fn raw(&self, format: &str, answer: Option<CheckAnswer>) -> RawCheck {
        RawCheck {
            format: format.into(),
            version: 1,
            municipality: self.municipality.to_string(),
            run: self.run.to_string(),
            sector: self.sector.to_string(),
            pseudonym: hex::encode(self.pseudonym.0),
            answer,
        }
    }

    /// The request as JSON.
    pub fn to_json(&self) -> String {
        // Plain strings and a number: serialising cannot fail.
        serde_json::to_string_pretty(&self.raw(REQUEST_FORMAT, None)).unwrap_or_default() + "\n"
    }

    /// Parses a request; any fault is `check-format` at the line of the JSON error (0 for a
    /// field that is not of its form).
    pub fn parse(text: &str, file: &str) -> Result<CheckRequest> {
        let (request, answer) = parse(text, file, REQUEST_FORMAT)?;
        match answer {
            None => Ok(request),
            Some(_) => Err(Error::input(file, 0, Rule::CheckFormat)),
        }
    }
}

impl CheckReply {
    /// The answer as JSON.
    pub fn to_json(&self) -> String {
        let raw = self.request.raw(ANSWER_FORMAT, Some(self.answer));
        // Plain strings and a number: serialising cannot fail.
        serde_json::to_string_pretty(&raw).unwrap_or_default() + "\n"
    }

    /// Parses an answer.
    pub fn parse(text: &str, file: &str) -> Result<CheckReply> {
        match parse(text, file, ANSWER_FORMAT)? {
            (request, Some(answer)) => Ok(CheckReply { request, answer }),
            (_, None) => Err(Error::input(file, 0, Rule::CheckFormat)),
        }
    }
}

fn parse(text: &str, file: &str, format: &str) -> Result<(CheckRequest, Option<CheckAnswer>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let expected = if format == ANSWER_FORMAT {
        Kind::CheckAnswer
    } else {
        Kind::CheckRequest
    };
    kind::expect(text.as_bytes(), expected, file)?;
    let raw: RawCheck = json::parse(text, file, Rule::CheckFormat, &Shape::Object(&[]))?;
    let bad = || Error::input(file, 0, Rule::CheckFormat);
    if raw.format != format || raw.version != 1 {
        return Err(bad());
    }
    let mut pseudonym = [0u8; 32];
    if raw.pseudonym.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(bad());
    }
    hex::decode_to_slice(&raw.pseudonym, &mut pseudonym).map_err(|_| bad())?;
    let request = CheckRequest {
        municipality: MunicipalityCode::parse(&raw.municipality).map_err(|_| bad())?,
        run: RunId::new(&raw.run).map_err(|_| bad())?,
        sector: SectorCode::new(&raw.sector).map_err(|_| bad())?,
        pseudonym: Pseudonym(pseudonym),
    };
    Ok((request, raw.answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CheckRequest {
        CheckRequest {
            municipality: MunicipalityCode::new(219).unwrap(),
            run: RunId::new("2026-11").unwrap(),
            sector: SectorCode::new("employment").unwrap(),
            pseudonym: Pseudonym([0xab; 32]),
        }
    }

    #[test]
    fn requests_and_answers_read_back_and_are_not_each_other() {
        let request = request();
        let text = request.to_json();
        assert_eq!(CheckRequest::parse(&text, "r.json").unwrap(), request);
        let swapped = CheckReply::parse(&text, "r.json").unwrap_err();
        assert_eq!(swapped.rule(), Some(Rule::WrongFileKind));
        assert!(
            swapped.to_string().contains(
                "this is a one-citizen check's request, not a one-citizen check's answer"
            ),
            "{swapped}"
        );
        for answer in [
            CheckAnswer::Candidate,
            CheckAnswer::Deferred,
            CheckAnswer::NotCandidate,
        ] {
            let reply = CheckReply {
                request: request.clone(),
                answer,
            };
            let text = reply.to_json();
            assert!(text.contains(answer.name()));
            assert_eq!(CheckReply::parse(&text, "a.json").unwrap(), reply);
            assert!(CheckRequest::parse(&text, "a.json").is_err());
        }
    }

    #[test]
    fn a_request_not_of_its_form_is_refused() {
        let text = request().to_json();
        for bad in [
            text.replace(&"ab".repeat(32), &"AB".repeat(32)),
            text.replace(&"ab".repeat(32), &"ab".repeat(31)),
            text.replace("\"version\": 1", "\"version\": 2"),
            text.replace("employment", "Employment"),
            text.replace("\"run\"", "\"runs\""),
            text[..text.len() - 3].to_owned(),
        ] {
            let error = CheckRequest::parse(&bad, "r.json").unwrap_err();
            assert_eq!(error.rule(), Some(Rule::CheckFormat), "{bad}");
        }
    }
}
