//! The audit log: every step of every party appends an entry, chained by SHA-256, so that an
//! edited, removed, reordered or inserted entry is found by [`verify`] (spec §16).
//!
//! A log is a text file of JSON lines. Each entry names who (the party), what (the action),
//! which run, what it made (each output's file, kind and digest), counts, how it ended, and
//! when; its `hash` is SHA-256 over the label, the previous entry's hash and the entry's
//! canonical JSON without the hash. The first entry's previous hash is 32 zero bytes. Entries
//! hold no CPR number: counts, names and digests only. Version 1 entries (without `made` and
//! `outcome`) still verify, and a log may continue them with version 2 entries.

use std::collections::BTreeMap;
use std::io::BufRead;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result, Rule};
use crate::primitives::labels;
use crate::primitives::lower_hex;
use crate::primitives::signing::{PartySigningKey, SignerKey};

/// One output a step made, as its entry names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MadeEntry {
    /// The output's file (or name, in memory), as the caller named it.
    pub file: String,
    /// What it is: `publication`, `flag-file`, `run-key`, ... (spec §18).
    pub kind: String,
    /// For a key file the key's fingerprint; for a publication or flag file its trailer digest;
    /// otherwise SHA-256 of its bytes (lower-case hex).
    pub digest: String,
}

/// One step of one party (version 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The entry's number, from 1.
    pub seq: u64,
    /// When, as the appending party's clock gave it (RFC 3339).
    pub time: String,
    /// Who: `custodian`, `matcher`, `registry`, `plan-team` or `sector:<code>`.
    pub party: String,
    /// What: one of [`ACTIONS`].
    pub action: String,
    /// Which run, if any.
    pub run: Option<String>,
    /// What the step made, in order; empty for a step that failed or makes nothing.
    pub made: Vec<MadeEntry>,
    /// How many of what: names of counts and their values.
    pub counts: BTreeMap<String, u64>,
    /// `done`, or the class of the error that stopped the step (spec §10).
    pub outcome: String,
    /// Version 3: the party's signing key (§4.6, hex) that signed this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The previous entry's hash (hex), zeros for the first.
    pub prev: String,
    /// This entry's hash (hex).
    pub hash: String,
    /// Version 3: the signature (hex) over the label and this entry's hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// An entry of version 1: no `made`, no `outcome` (only read, never written).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryV1 {
    seq: u64,
    time: String,
    party: String,
    action: String,
    run: Option<String>,
    counts: BTreeMap<String, u64>,
    prev: String,
    hash: String,
}

/// The actions an entry may name (version 2; version 1 knew the first nine).
pub const ACTIONS: &[&str] = &[
    "keygen",
    "publish",
    "match",
    "review",
    "verdict",
    "select",
    "consent",
    "withdraw",
    "disclose",
    "check-request",
    "check",
    "verify-consent",
    "open",
    "check-read",
    "consent-state",
];

/// The actions a version 1 entry may name.
const ACTIONS_V1: usize = 9;

/// The outcome of a step that did what it was asked.
pub const DONE: &str = "done";

/// What a party appends; [`AuditLog::append`] numbers and chains it. Also a step's summary for
/// machines (its JSON form: the entry without `seq`, `prev` and `hash`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// When (RFC 3339), from the caller's clock.
    pub time: String,
    /// Who.
    pub party: String,
    /// What (one of [`ACTIONS`]).
    pub action: String,
    /// Which run, if any.
    pub run: Option<String>,
    /// What it made.
    pub made: Vec<MadeEntry>,
    /// Counts.
    pub counts: BTreeMap<String, u64>,
    /// [`DONE`], or the class of the error that stopped it.
    pub outcome: String,
}

/// SHA-256 over `label`, the previous hash and the canonical JSON of an entry with `hash`
/// empty.
fn chain_hash(label: &[u8], prev: &str, canonical: &[u8]) -> Option<[u8; 32]> {
    let prev: [u8; 32] = lower_hex(prev)?;
    Some(
        Sha256::new()
            .chain_update(label)
            .chain_update(prev)
            .chain_update(canonical)
            .finalize()
            .into(),
    )
}

fn valid_party(party: &str) -> bool {
    matches!(party, "custodian" | "matcher" | "registry" | "plan-team")
        || party
            .strip_prefix("sector:")
            .is_some_and(|s| crate::primitives::ids::SectorCode::new(s).is_ok())
}

/// The outcome of a version 2 entry: `done` or an error class (lower-case letters, digits and
/// `-`, as every class is).
fn valid_outcome(outcome: &str) -> bool {
    !outcome.is_empty()
        && outcome.len() <= 64
        && outcome
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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

    /// The head after the entries appended so far.
    pub fn head(&self) -> Head {
        self.head
    }

    /// The entry for `step`, chained to the head, as one line of JSON (with its newline); the
    /// head moves on. Write the line to the end of the log.
    pub fn append(&mut self, step: Step) -> Result<String> {
        self.append_signed(step, None)
    }

    /// As [`AuditLog::append`], signed with the party's key when one is given (version 3).
    pub fn append_signed(
        &mut self,
        step: Step,
        signing: Option<&PartySigningKey>,
    ) -> Result<String> {
        let valid = ACTIONS.contains(&step.action.as_str())
            && valid_party(&step.party)
            && !step.time.is_empty()
            && valid_outcome(&step.outcome);
        if !valid {
            return Err(Error::parameter(Rule::AuditStep));
        }
        let mut entry = Entry {
            seq: self.head.seq + 1,
            time: step.time,
            party: step.party,
            action: step.action,
            run: step.run,
            made: step.made,
            counts: step.counts,
            outcome: step.outcome,
            signer: signing.map(|key| key.public().to_string()),
            prev: hex::encode(self.head.hash),
            hash: String::new(),
            signature: signing.map(|_| String::new()),
        };
        let canonical =
            serde_json::to_vec(&entry).map_err(|_| Error::parameter(Rule::AuditStep))?;
        let label = match signing {
            Some(_) => labels::AUDIT_ENTRY_V3,
            None => labels::AUDIT_ENTRY_V2,
        };
        let hash =
            chain_hash(label, &entry.prev, &canonical).ok_or(Error::parameter(Rule::AuditStep))?;
        entry.hash = hex::encode(hash);
        if let Some(key) = signing {
            entry.signature = Some(hex::encode(key.sign(labels::AUDIT_SIGNATURE, &hash)));
        }
        let mut line =
            serde_json::to_string(&entry).map_err(|_| Error::parameter(Rule::AuditStep))?;
        line.push('\n');
        self.head = Head {
            seq: entry.seq,
            hash,
        };
        Ok(line)
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

    /// Parses the form [`Head`]'s `Display` writes: `SEQ:HASH`, the entry number and 64
    /// lower-case hex digits.
    pub fn parse(text: &str) -> Result<Head> {
        let bad = || Error::parameter(Rule::AuditHead);
        let (seq, hash) = text.trim().split_once(':').ok_or_else(bad)?;
        if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        Ok(Head {
            seq: seq.parse().map_err(|_| bad())?,
            hash: lower_hex(hash).ok_or_else(bad)?,
        })
    }
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, hex::encode(self.hash))
    }
}

/// A file's author (spec §16.3): the signing key of the party that made it, which the file's
/// signature verifies under, and the head of that party's audit log just before the step
/// that made it — the evidence a receiver keeps that the log was not later cut or rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Author {
    /// The public half of the party's signing key (§4.6).
    pub signer: SignerKey,
    /// The party's audit-log head before the step (zeros without a log).
    pub log_head: Head,
}

/// The length of an author in binary files: signer, entry number, hash.
pub const AUTHOR_LEN: usize = 32 + 8 + 32;

impl Author {
    /// The author signing with `key`, with an empty log head.
    pub fn of(key: &PartySigningKey) -> Author {
        Author {
            signer: key.public(),
            log_head: Head::EMPTY,
        }
    }

    /// The author signing with `key`, whose log head is `head`.
    pub fn at(key: &PartySigningKey, head: Head) -> Author {
        Author {
            signer: key.public(),
            log_head: head,
        }
    }

    /// Its bytes in binary files: signer, `u64` entry number, hash.
    pub fn to_bytes(&self) -> [u8; AUTHOR_LEN] {
        let mut bytes = [0u8; AUTHOR_LEN];
        bytes[..32].copy_from_slice(&self.signer.0);
        bytes[32..40].copy_from_slice(&self.log_head.seq.to_be_bytes());
        bytes[40..].copy_from_slice(&self.log_head.hash);
        bytes
    }

    /// Reads [`Author::to_bytes`]'s form.
    pub fn from_bytes(bytes: &[u8; AUTHOR_LEN]) -> Author {
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&bytes[32..40]);
        let mut signer = [0u8; 32];
        signer.copy_from_slice(&bytes[..32]);
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&bytes[40..]);
        Author {
            signer: SignerKey(signer),
            log_head: Head {
                seq: u64::from_be_bytes(seq),
                hash,
            },
        }
    }
}

/// An author as JSON files carry it: `signer` (hex), `log_seq`, `log_head` (hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorJson {
    /// The signer's public key, 64 lower-case hex digits.
    pub signer: String,
    /// The log head's entry number.
    pub log_seq: u64,
    /// The log head's hash, 64 lower-case hex digits.
    pub log_head: String,
}

impl From<Author> for AuthorJson {
    fn from(author: Author) -> AuthorJson {
        AuthorJson {
            signer: author.signer.to_string(),
            log_seq: author.log_head.seq,
            log_head: hex::encode(author.log_head.hash),
        }
    }
}

impl AuthorJson {
    /// The author, if both keys are 64 lower-case hex digits.
    pub fn author(&self) -> Option<Author> {
        Some(Author {
            signer: SignerKey(lower_hex(&self.signer)?),
            log_head: Head {
                seq: self.log_seq,
                hash: lower_hex(&self.log_head)?,
            },
        })
    }
}

/// What a verified line holds: its number, party, previous hash and hash, and its signer.
struct Chained {
    seq: u64,
    party: String,
    prev: [u8; 32],
    hash: [u8; 32],
    computed: Option<[u8; 32]>,
    /// The signer, for a version 3 entry whose signature verifies (`Err` when it does not).
    signer: Option<std::result::Result<SignerKey, ()>>,
}

/// Checks one line's form (spec §16 checks 1–4) and computes its hash; `None` if it breaks one.
fn chained(line: &str) -> Option<Chained> {
    let mut signed = None;
    let (seq, action, party, prev, hash, canonical, label, v1) =
        if let Ok(entry) = serde_json::from_str::<Entry>(line) {
            if !valid_outcome(&entry.outcome) {
                return None;
            }
            let mut unhashed = entry.clone();
            unhashed.hash = String::new();
            let canonical = serde_json::to_string(&entry).ok()?;
            if canonical != line {
                return None;
            }
            let label = match (&entry.signer, &entry.signature) {
                (None, None) => labels::AUDIT_ENTRY_V2,
                (Some(signer), Some(signature)) => {
                    let signer = SignerKey(lower_hex(signer)?);
                    let signature: [u8; 64] = lower_hex(signature)?;
                    signed = Some((signer, signature));
                    unhashed.signature = Some(String::new());
                    labels::AUDIT_ENTRY_V3
                }
                _ => return None,
            };
            (
                entry.seq,
                entry.action,
                entry.party,
                entry.prev,
                entry.hash,
                serde_json::to_vec(&unhashed).ok()?,
                label,
                false,
            )
        } else {
            let entry = serde_json::from_str::<EntryV1>(line).ok()?;
            let mut unhashed = entry.clone();
            unhashed.hash = String::new();
            if serde_json::to_string(&entry).ok()? != line {
                return None;
            }
            (
                entry.seq,
                entry.action,
                entry.party,
                entry.prev,
                entry.hash,
                serde_json::to_vec(&unhashed).ok()?,
                labels::AUDIT_ENTRY,
                true,
            )
        };
    let actions = if v1 { &ACTIONS[..ACTIONS_V1] } else { ACTIONS };
    if !actions.contains(&action.as_str()) || !valid_party(&party) {
        return None;
    }
    let hash = lower_hex(&hash)?;
    let signer = signed.map(|(signer, signature)| {
        match signer.verifies(labels::AUDIT_SIGNATURE, &hash, &signature) {
            true => Ok(signer),
            false => Err(()),
        }
    });
    Some(Chained {
        seq,
        party,
        prev: lower_hex(&prev)?,
        hash,
        computed: chain_hash(label, &prev, &canonical),
        signer,
    })
}

/// What [`verify_signed`] found: the head, each party's signer, and every entry's head (so
/// that a head another party kept as evidence can be looked up).
#[derive(Clone, Debug)]
pub struct Verified {
    /// The last entry's head.
    pub head: Head,
    /// Each party that signed, with its key (a party's entries all carry the same one).
    pub signers: BTreeMap<String, SignerKey>,
    /// Entries not signed (version 1 and 2, or a party that does not sign).
    pub unsigned: u64,
    heads: Vec<[u8; 32]>,
}

impl Verified {
    /// Whether the log holds the entry `head` names, with that hash: a file that carries its
    /// author's log head shows the log was not cut before it or rewritten up to it.
    pub fn holds(&self, head: &Head) -> bool {
        head.seq == 0
            || (head.seq as usize)
                .checked_sub(1)
                .and_then(|i| self.heads.get(i))
                .is_some_and(|hash| bool::from(hash.ct_eq(&head.hash)))
    }
}

/// Verifies a whole log and returns its head. The first entry that is malformed, out of
/// sequence, or whose chain or hash does not match is named by its line, with the rule
/// `audit-entry` or `audit-chain`. A log cut short at its end verifies: compare the head with
/// one kept elsewhere (`expected`) to detect that.
pub fn verify(input: impl BufRead, file: &str, expected: Option<Head>) -> Result<Head> {
    verify_signed(input, file, expected, None).map(|verified| verified.head)
}

/// As [`verify`], and checks the signatures (spec §16): a version 3 entry's must verify under
/// the key it names (`audit-signature`); once a party has signed, each of its later entries is
/// signed by the same key (`audit-signer`); with `signer`, every entry is signed by it.
pub fn verify_signed(
    input: impl BufRead,
    file: &str,
    expected: Option<Head>,
    signer: Option<SignerKey>,
) -> Result<Verified> {
    let mut verified = Verified {
        head: Head::EMPTY,
        signers: BTreeMap::new(),
        unsigned: 0,
        heads: Vec::new(),
    };
    for (index, line) in input.split(b'\n').enumerate() {
        let number = index as u64 + 1;
        let mut line = line.map_err(|e| Error::io(file, e))?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let bad = |rule| Error::input(file, number, rule);
        // Bytes that are not UTF-8 are a damaged entry, at its line like any other.
        let line = String::from_utf8(line).map_err(|_| bad(Rule::AuditEntry))?;
        let entry = chained(&line).ok_or_else(|| bad(Rule::AuditEntry))?;
        let computed = entry.computed.unwrap_or_default();
        let head = verified.head;
        let chained = entry.prev.ct_eq(&head.hash) & computed.ct_eq(&entry.hash);
        if entry.seq != head.seq + 1 || !bool::from(chained) {
            return Err(bad(Rule::AuditChain));
        }
        let known = verified.signers.get(&entry.party).copied();
        match entry.signer {
            Some(Err(())) => return Err(bad(Rule::AuditSignature)),
            Some(Ok(key)) => {
                if known.is_some_and(|k| k != key) || signer.is_some_and(|s| s != key) {
                    return Err(bad(Rule::AuditSigner));
                }
                verified.signers.insert(entry.party, key);
            }
            None if known.is_some() || signer.is_some() => return Err(bad(Rule::AuditSigner)),
            None => verified.unsigned += 1,
        }
        verified.head = Head {
            seq: entry.seq,
            hash: entry.hash,
        };
        verified.heads.push(entry.hash);
    }
    if expected.is_some_and(|e| !bool::from(e.ct_eq(&verified.head))) {
        return Err(Error::input(file, verified.head.seq + 1, Rule::AuditChain));
    }
    Ok(verified)
}

/// The highest value of the count `name` among the entries of a log, done or refused, after
/// verifying the whole log; `None` when no entry has it. A party reads what it has already
/// seen from its own log this way (the consent state's sequence number, spec §14.4).
pub fn highest_count(log: &[u8], file: &str, name: &str) -> Result<Option<u64>> {
    verify(log, file, None)?;
    let counts = |line: &[u8]| -> Option<u64> {
        if let Ok(entry) = serde_json::from_slice::<Entry>(line) {
            return entry.counts.get(name).copied();
        }
        let entry = serde_json::from_slice::<EntryV1>(line).ok()?;
        entry.counts.get(name).copied()
    };
    Ok(log
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .filter_map(counts)
        .max())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(i: u64) -> Step {
        let party = if i.is_multiple_of(3) {
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
            made: vec![MadeEntry {
                file: format!("out-{i}.json"),
                kind: "verdicts".into(),
                digest: hex::encode([i as u8; 32]),
            }],
            counts,
            outcome: if i.is_multiple_of(4) {
                "consent-scope"
            } else {
                DONE
            }
            .into(),
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

    /// A version 1 log of three entries, as the first version wrote it (tests/vectors/audit.json).
    const V1: &str = concat!(
        r#"{"seq":1,"time":"2026-11-23T12:00:00Z","party":"sector:employment","action":"publish","run":"2026-11","counts":{"published":1200},"prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"45f9bb3ccef7eb722aa739b2efbf53e83a822ccbe8fc022079737ce454e593ce"}"#,
        "\n",
        r#"{"seq":2,"time":"2026-11-23T12:00:00Z","party":"matcher","action":"match","run":"2026-11","counts":{"candidates":37},"prev":"45f9bb3ccef7eb722aa739b2efbf53e83a822ccbe8fc022079737ce454e593ce","hash":"9c7525c871ba82cbf4af9b695be228111e671e1aa3aaa14492202ff58c467072"}"#,
        "\n"
    );

    #[test]
    fn the_highest_count_of_a_name_is_read_from_done_and_refused_entries_alike() {
        let mut log = AuditLog::continuing(Head::EMPTY);
        let mut text = String::new();
        for (seq, outcome) in [(3, DONE), (7, "consent-withdrawn"), (5, DONE)] {
            let mut entry = step(1);
            entry.counts.insert("consent-state-seq".into(), seq);
            entry.outcome = outcome.into();
            text.push_str(&log.append(entry).unwrap());
        }
        text.push_str(&log.append(step(2)).unwrap());
        let highest = |text: &str| highest_count(text.as_bytes(), "audit.log", "consent-state-seq");
        assert_eq!(highest(&text).unwrap(), Some(7));
        assert_eq!(highest("").unwrap(), None);
        assert_eq!(
            highest(&text.replacen("\"seq\":2", "\"seq\":9", 1))
                .unwrap_err()
                .class(),
            "audit-chain",
            "a log is verified before it is believed"
        );
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
        for bad in [
            Step {
                action: "delete".into(),
                ..step(1)
            },
            Step {
                outcome: String::new(),
                ..step(1)
            },
            Step {
                outcome: "Done".into(),
                ..step(1)
            },
            Step {
                time: String::new(),
                ..step(1)
            },
            Step {
                party: "sector:".into(),
                ..step(1)
            },
        ] {
            let error = AuditLog::continuing(head).append(bad).unwrap_err();
            assert_eq!(error.rule(), Some(Rule::AuditStep));
        }
    }

    #[test]
    fn heads_are_equal_only_in_both_number_and_hash() {
        let (_, head) = log(3);
        let mut other_hash = head;
        other_hash.hash[31] ^= 1;
        let other_seq = Head {
            seq: head.seq + 1,
            ..head
        };
        let same = Head { ..head };
        assert!(head == same);
        assert!(head != other_hash);
        assert!(head != other_seq);
    }

    #[test]
    fn heads_print_and_parse_back() {
        let (_, head) = log(3);
        let shown = head.to_string();
        assert_eq!(Head::parse(&shown).unwrap(), head);
        for bad in [
            "3",
            ":ab",
            "x:00",
            "3:ABCD",
            &shown[..shown.len() - 1],
            &shown.to_uppercase(),
            &format!("+{shown}"),
        ] {
            assert_eq!(
                Head::parse(bad).unwrap_err().rule(),
                Some(Rule::AuditHead),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_version_1_log_verifies_and_continues_in_version_2() {
        let head = check(V1).unwrap();
        assert_eq!(head.seq, 2);
        let mut continued = AuditLog::continuing(head);
        let longer = V1.to_owned() + &continued.append(step(3)).unwrap();
        assert_eq!(check(&longer).unwrap(), continued.head());
        // A version 1 entry may not name the actions version 2 added.
        let newer = V1.replacen("\"publish\"", "\"open\"", 1);
        assert_eq!(check(&newer).unwrap_err().rule(), Some(Rule::AuditEntry));
        // Nor be read as version 2 with the fields added: the hash label differs.
        let (text, _) = log(1);
        let as_v1: String = text.replacen(",\"made\":[", ",\"x\":[", 1);
        assert_eq!(check(&as_v1).unwrap_err().rule(), Some(Rule::AuditEntry));
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

    fn signing(byte: u8) -> PartySigningKey {
        let municipality = crate::primitives::ids::MunicipalityCode::new(219).unwrap();
        PartySigningKey::of_matcher(&crate::primitives::keys::MatcherKey::from_bytes(
            municipality,
            [byte; 32],
        ))
    }

    /// A log of `entries` entries, each signed with the key of its line's byte (0: unsigned).
    fn signed_log(keys: &[u8]) -> (String, Head) {
        let mut log = AuditLog::continuing(Head::EMPTY);
        let text: String = keys
            .iter()
            .enumerate()
            .map(|(i, &byte)| {
                let key = (byte != 0).then(|| signing(byte));
                let step = Step {
                    party: "matcher".into(),
                    ..step(i as u64 + 1)
                };
                log.append_signed(step, key.as_ref()).unwrap()
            })
            .collect();
        (text, log.head)
    }

    fn signed_check(text: &str, signer: Option<SignerKey>) -> Result<Verified> {
        verify_signed(text.as_bytes(), "audit.log", None, signer)
    }

    #[test]
    fn a_signed_log_verifies_under_its_party_s_key_only() {
        let (text, head) = signed_log(&[1, 1, 1]);
        let verified = signed_check(&text, Some(signing(1).public())).unwrap();
        assert_eq!((verified.head, verified.unsigned), (head, 0));
        assert_eq!(verified.signers["matcher"], signing(1).public());
        // Rewritten whole by someone with another key: it chains, but not under the party's.
        let (forged, _) = signed_log(&[2, 2, 2]);
        assert!(signed_check(&forged, None).is_ok());
        let error = signed_check(&forged, Some(signing(1).public())).unwrap_err();
        assert_eq!((error.rule(), line_of(error)), (Some(Rule::AuditSigner), 1));
    }

    #[test]
    fn a_changed_key_a_dropped_signature_or_a_bad_one_is_found_at_its_line() {
        let (switched, _) = signed_log(&[1, 1, 2]);
        let error = signed_check(&switched, None).unwrap_err();
        assert_eq!((error.rule(), line_of(error)), (Some(Rule::AuditSigner), 3));
        let (downgraded, _) = signed_log(&[1, 0]);
        let error = signed_check(&downgraded, None).unwrap_err();
        assert_eq!((error.rule(), line_of(error)), (Some(Rule::AuditSigner), 2));
        // Unsigned entries before the first signed one are counted, not refused.
        let (upgraded, _) = signed_log(&[0, 1]);
        assert_eq!(signed_check(&upgraded, None).unwrap().unsigned, 1);
        assert_eq!(
            signed_check(&upgraded, Some(signing(1).public()))
                .unwrap_err()
                .rule(),
            Some(Rule::AuditSigner)
        );
        // One hex digit of the second signature changed: the chain holds, the signature not.
        let (text, _) = signed_log(&[1, 1]);
        let second = text.lines().nth(1).unwrap();
        let at = second.find("\"signature\":\"").unwrap() + 13;
        let digit = if &second[at..at + 1] == "0" { "1" } else { "0" };
        let altered = format!("{}{digit}{}", &second[..at], &second[at + 1..]);
        let text = text.replacen(second, &altered, 1);
        let error = signed_check(&text, None).unwrap_err();
        assert_eq!(
            (error.rule(), line_of(error)),
            (Some(Rule::AuditSignature), 2)
        );
        // A signature without a signer (or the reverse) is not an entry.
        let (text, _) = signed_log(&[1]);
        let unsigned = text.replacen("\"signer\":", "\"signed\":", 1);
        assert_eq!(
            signed_check(&unsigned, None).unwrap_err().rule(),
            Some(Rule::AuditEntry)
        );
    }

    #[test]
    fn a_verified_log_holds_the_heads_it_had() {
        let (text, _) = signed_log(&[1, 1, 1, 1]);
        let verified = signed_check(&text, None).unwrap();
        let (short, two) = signed_log(&[1, 1]);
        assert_eq!(&text[..short.len()], short, "a log's beginning is a log");
        assert!(verified.holds(&two));
        assert!(verified.holds(&Head::EMPTY));
        assert!(!verified.holds(&Head {
            seq: 2,
            hash: [0; 32]
        }));
        assert!(!verified.holds(&Head { seq: 5, ..two }));
        // A log rewritten from entry 2 on no longer holds the head a file kept of entry 2.
        let rewritten = short.lines().next().unwrap().to_owned() + "\n";
        let mut log = AuditLog::continuing(check(&rewritten).unwrap());
        let other = Step {
            party: "matcher".into(),
            ..step(9)
        };
        let rewritten = rewritten + &log.append_signed(other, Some(&signing(1))).unwrap();
        assert!(!signed_check(&rewritten, None).unwrap().holds(&two));
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
