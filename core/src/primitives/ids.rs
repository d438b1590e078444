//! The public identifiers of a run: municipality code, run id and sector code (spec §2.2).

use std::fmt;

use crate::error::{Error, Result, Rule};

/// A municipality's three-digit code (for instance 219 for Hillerød).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MunicipalityCode(u16);

impl serde::Serialize for MunicipalityCode {
    /// As its three digits, the way reports and key files write it.
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl MunicipalityCode {
    /// A code from 100 to 999.
    pub fn new(code: u16) -> Result<Self> {
        if (100..=999).contains(&code) {
            Ok(MunicipalityCode(code))
        } else {
            Err(Error::parameter(Rule::MunicipalityCode))
        }
    }

    /// Parses the three digits.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::parameter(Rule::MunicipalityCode);
        if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        MunicipalityCode::new(text.parse().map_err(|_| bad())?)
    }

    /// The code as a number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// Checks a short identifier: 1 to `max` bytes, each allowed by `allowed`.
fn check_identifier(text: &str, max: usize, allowed: fn(u8) -> bool, rule: Rule) -> Result<()> {
    if text.is_empty() || text.len() > max || !text.bytes().all(allowed) {
        return Err(Error::parameter(rule));
    }
    Ok(())
}

/// The id of one selection run, chosen by the key custodian (for instance `2026-11`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RunId(String);

impl RunId {
    /// 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
    pub fn new(text: &str) -> Result<Self> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b"._-".contains(&b);
        check_identifier(text, 64, allowed, Rule::RunId)?;
        Ok(RunId(text.to_owned()))
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A sector's code, as listed in the service catalogue (for instance `employment`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct SectorCode(String);

impl SectorCode {
    /// 1 to 32 characters from `a-z 0-9 -`.
    pub fn new(text: &str) -> Result<Self> {
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        check_identifier(text, 32, allowed, Rule::SectorCode)?;
        Ok(SectorCode(text.to_owned()))
    }

    /// The code's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SectorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A candidate's id: 16 random bytes, unlinkable to any pseudonym and to any other run.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CandidateId(pub [u8; 16]);

impl CandidateId {
    /// A fresh random id.
    pub fn random() -> Result<CandidateId> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| Error::Random)?;
        Ok(CandidateId(bytes))
    }

    /// Parses the form written by `Display`: `K-` and 32 lower-case hex digits.
    pub fn parse(text: &str) -> Option<CandidateId> {
        super::lower_hex(text.strip_prefix("K-")?).map(CandidateId)
    }
}

impl fmt::Display for CandidateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "K-{}", hex::encode(self.0))
    }
}

impl fmt::Debug for CandidateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CandidateId({self})")
    }
}

impl serde::Serialize for CandidateId {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked() {
        assert_eq!(
            MunicipalityCode::parse("219").map(|m| m.get()).ok(),
            Some(219)
        );
        assert_eq!(
            MunicipalityCode::new(101)
                .map(|m| m.to_string())
                .ok()
                .as_deref(),
            Some("101")
        );
        for bad in ["", "99", "1000", "21a", "+21", "099"] {
            assert!(MunicipalityCode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(RunId::new("2026-11_a.b").is_ok());
        assert!(RunId::new("").is_err() && RunId::new("a b").is_err());
        assert!(RunId::new(&"x".repeat(65)).is_err());
        assert!(SectorCode::new("adult-social").is_ok());
        assert!(SectorCode::new("Adult").is_err() && SectorCode::new("").is_err());
        let id = CandidateId::random().unwrap();
        assert_eq!(CandidateId::parse(&id.to_string()), Some(id));
        assert_ne!(CandidateId::random().unwrap(), id);
        assert_eq!(CandidateId::parse(&id.to_string().to_uppercase()), None);
    }
}
