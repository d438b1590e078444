//! The audit log: every step of every party appends an entry, chained by SHA-256, so that an
//! edited, removed, reordered or inserted entry is found by [`verify`] (spec §16).
//!
//! A log is a text file of JSON lines. Each entry names who (the party), what (the action),
//! which run, counts, and when; its `hash` is SHA-256 over the label, the previous entry's hash
//! and the entry's canonical JSON without the hash. The first entry's previous hash is 32 zero
//! bytes. Entries hold no CPR number: counts and identifiers only.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result, Rule};
use crate::primitives::labels;

/// One step of one party.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The entry's number, from 1.
    pub seq: u64,
    /// When, as the appending party's clock gave it (RFC 3339).
    pub time: String,
    /// Who: `custodian`, `matcher`, `registry`, `plan-team` or `sector:<code>`.
    pub party: String,
    /// What: `keygen`, `publish`, `match`, `review`, `verdict`, `select`, `consent`, `withdraw`,
    /// `disclose`.
    pub action: String,
    /// Which run, if any.
    pub run: Option<String>,
    /// How many of what: names of counts and their values.
    pub counts: BTreeMap<String, u64>,
    /// The previous entry's hash (hex), zeros for the first.
    pub prev: String,
    /// This entry's hash (hex).
    pub hash: String,
}

/// The actions an entry may name.
pub const ACTIONS: &[&str] = &[
    "keygen", "publish", "match", "review", "verdict", "select", "consent", "withdraw", "disclose",
];

/// What a party appends; [`AuditLog::append`] numbers and chains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// When (RFC 3339), from the caller's clock.
    pub time: String,
    /// Who.
    pub party: String,
    /// What (one of [`ACTIONS`]).
    pub action: String,
    /// Which run, if any.
    pub run: Option<String>,
    /// Counts.
    pub counts: BTreeMap<String, u64>,
}

/// The hash of an entry: SHA-256 over the label, the previous hash and the canonical JSON of
/// the entry with `hash` empty.
fn entry_hash(entry: &Entry) -> Result<[u8; 32]> {
    let mut unhashed = entry.clone();
    unhashed.hash = String::new();
    let canonical = serde_json::to_vec(&unhashed).map_err(|_| Error::parameter(Rule::AuditStep))?;
    let prev = hex_32(&entry.prev).ok_or(Error::parameter(Rule::AuditStep))?;
    Ok(Sha256::new()
        .chain_update(labels::AUDIT_ENTRY)
        .chain_update(prev)
        .chain_update(&canonical)
        .finalize()
        .into())
}

fn hex_32(text: &str) -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text, &mut bytes).ok()?;
    (!text.bytes().any(|b| b.is_ascii_uppercase())).then_some(bytes)
}

fn valid_party(party: &str) -> bool {
    matches!(party, "custodian" | "matcher" | "registry" | "plan-team")
        || party
            .strip_prefix("sector:")
            .is_some_and(|s| crate::primitives::ids::SectorCode::new(s).is_ok())
}

/// An audit log's head: the number and hash of its last entry.
///
/// Compared in constant time: `==` is [`ConstantTimeEq`].
#[derive(Clone, Copy, Debug)]
pub struct Head {
    /// The last entry's number (0 for an empty log).
    pub seq: u64,
    /// The last entry's hash (zeros for an empty log).
    pub hash: [u8; 32],
}

/// Appends entries to a log, given the head of what is there.
pub struct AuditLog {
    head: Head,
}

impl AuditLog {
    /// A log continuing after `head` (from [`verify`] of the existing file, or [`Head::EMPTY`]).
    pub fn continuing(head: Head) -> AuditLog {
        AuditLog { head }
    }

    /// The entry for `step`, chained to the head, as one line of JSON (with its newline); the
    /// head moves on. Write the line to the end of the log.
    pub fn append(&mut self, step: Step) -> Result<String> {
        if !ACTIONS.contains(&step.action.as_str())
            || !valid_party(&step.party)
            || step.time.is_empty()
        {
            return Err(Error::parameter(Rule::AuditStep));
        }
        let mut entry = Entry {
            seq: self.head.seq + 1,
            time: step.time,
            party: step.party,
            action: step.action,
            run: step.run,
            counts: step.counts,
            prev: hex::encode(self.head.hash),
            hash: String::new(),
        };
        let hash = entry_hash(&entry)?;
        entry.hash = hex::encode(hash);
        let mut line =
            serde_json::to_string(&entry).map_err(|_| Error::parameter(Rule::AuditStep))?;
        line.push('\n');
        self.head = Head {
            seq: entry.seq,
            hash,
        };
        Ok(line)
    }

    /// Appends `step` to the log written by `out`.
    pub fn append_to(&mut self, out: &mut impl Write, file: &str, step: Step) -> Result<()> {
        let line = self.append(step)?;
        out.write_all(line.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Error::io(file, e))
    }
}

impl ConstantTimeEq for Head {
    fn ct_eq(&self, other: &Head) -> subtle::Choice {
        self.seq.ct_eq(&other.seq) & self.hash.ct_eq(&other.hash)
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Head) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Head {}

impl Head {
    /// The head of an empty log.
    pub const EMPTY: Head = Head {
        seq: 0,
        hash: [0; 32],
    };
}

/// Verifies a whole log and returns its head. The first entry that is malformed, out of
/// sequence, or whose chain or hash does not match is named by its line, with the rule
/// `audit-entry` or `audit-chain`. A log cut short at its end verifies: compare the head with
/// one kept elsewhere (`expected`) to detect that.
pub fn verify(input: impl BufRead, file: &str, expected: Option<Head>) -> Result<Head> {
    let mut head = Head::EMPTY;
    for (index, line) in input.split(b'\n').enumerate() {
        let number = index as u64 + 1;
        let mut line = line.map_err(|e| Error::io(file, e))?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let bad = |rule| Error::input(file, number, rule);
        // Bytes that are not UTF-8 are a damaged entry, at its line like any other.
        let line = String::from_utf8(line).map_err(|_| bad(Rule::AuditEntry))?;
        let entry: Entry = serde_json::from_str(&line).map_err(|_| bad(Rule::AuditEntry))?;
        if !ACTIONS.contains(&entry.action.as_str()) || !valid_party(&entry.party) {
            return Err(bad(Rule::AuditEntry));
        }
        let (Some(prev), Some(hash)) = (hex_32(&entry.prev), hex_32(&entry.hash)) else {
            return Err(bad(Rule::AuditEntry));
        };
        // Canonical form: the line is exactly what append wrote.
        if serde_json::to_string(&entry).ok().as_deref() != Some(line.as_str()) {
            return Err(bad(Rule::AuditEntry));
        }
        let chained = prev.ct_eq(&head.hash) & entry_hash(&entry)?.ct_eq(&hash);
        if entry.seq != head.seq + 1 || !bool::from(chained) {
            return Err(bad(Rule::AuditChain));
        }
        head = Head {
            seq: entry.seq,
            hash,
        };
    }
    if expected.is_some_and(|e| !bool::from(e.ct_eq(&head))) {
        return Err(Error::input(file, head.seq + 1, Rule::AuditChain));
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(i: u64) -> Step {
        let party = if i % 3 == 0 {
            "matcher".to_owned()
        } else {
            format!("sector:s{}", i % 3)
        };
        let counts = [
            ("records".to_owned(), i * 10),
            ("rejected".to_owned(), i % 2),
        ]
        .into();
        Step {
            time: format!("2026-11-23T12:00:{:02}Z", i % 60),
            party,
            action: ACTIONS[i as usize % ACTIONS.len()].into(),
            run: Some("2026-11".into()),
            counts,
        }
    }

    fn log(entries: u64) -> (String, Head) {
        let mut log = AuditLog::continuing(Head::EMPTY);
        let text: String = (1..=entries)
            .map(|i| log.append(step(i)).unwrap())
            .collect();
        (text, log.head)
    }

    fn check(text: &str) -> Result<Head> {
        verify(text.as_bytes(), "audit.log", None)
    }

    #[test]
    fn a_log_verifies_and_continues() {
        let (text, head) = log(5);
        assert_eq!(check(&text).unwrap(), head);
        let mut more = AuditLog::continuing(head);
        let longer = text.clone() + &more.append(step(6)).unwrap();
        assert_eq!(check(&longer).unwrap().seq, 6);
        assert!(
            verify(text.as_bytes(), "audit.log", Some(more.head)).is_err(),
            "a cut end shows against a kept head"
        );
        assert!(
            AuditLog::continuing(head)
                .append(Step {
                    action: "delete".into(),
                    ..step(1)
                })
                .is_err()
        );
    }

    fn line_of(error: Error) -> u64 {
        match error {
            Error::Input { line, .. } => line,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_a_bad_entry_at_their_line() {
        let (text, _) = log(3);
        let mut bytes = text.into_bytes();
        let second = bytes.iter().position(|&b| b == b'\n').unwrap() + 10;
        bytes[second] = 0xff;
        let error = verify(&bytes[..], "audit.log", None).unwrap_err();
        assert_eq!(error.rule(), Some(Rule::AuditEntry));
        assert_eq!(line_of(error), 2);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_single_change_is_detected_at_or_before_it(
            entries in 2u64..8, which in any::<prop::sample::Index>(), change in 0u8..4, at in any::<prop::sample::Index>(),
        ) {
            let (text, _) = log(entries);
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let i = which.index(lines.len());
            match change {
                0 => {
                    // Edit one character of one entry.
                    let mut bytes = lines[i].clone().into_bytes();
                    let j = at.index(bytes.len());
                    bytes[j] = if bytes[j] == b'1' { b'2' } else { b'1' };
                    lines[i] = String::from_utf8(bytes).unwrap();
                }
                1 => { lines.remove(i.min(lines.len() - 2)); }
                2 => { let j = (i + 1) % lines.len(); lines.swap(i, j); }
                _ => { let copy = lines[i].clone(); lines.insert(i, copy); }
            }
            let changed = lines.join("\n") + "\n";
            prop_assume!(changed != text);
            let error = check(&changed).unwrap_err();
            prop_assert!(line_of(error) <= i as u64 + 2);
        }
    }
}
