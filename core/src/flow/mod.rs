//! The flow of a selection run (spec §18): one function per step of every party.
//!
//! Each step takes typed inputs — keys already read ([`KeyFileFormat::from_input`]), files as
//! [`Input`]s — and a [`Place`] for each output; it reads its inputs, writes its outputs
//! (atomically, with the mode the spec fixes for each, never replacing what it must not),
//! commits them as one with its entry in the party's audit log ([`Audit`]), and returns a typed
//! summary. A failure removes what the step began and is recorded as the step's outcome. The
//! same function serves files and memory: a place is a file or a name in memory.
//!
//! | party | steps |
//! | --- | --- |
//! | key custodian | [`keygen`] (master, run) |
//! | each sector | [`keygen`] (sealing), [`sector::publish`], [`sector::ask_check`], [`sector::read_check`], [`sector::review`], [`sector::verdict`], [`sector::verify_consent`], [`sector::disclose`] |
//! | central unit | [`keygen`] (matcher), [`central::match_publications`], [`central::check`], [`central::select`] |
//! | consent registry | [`keygen`] (consent registry, subject, public), [`registry::issue`], [`registry::withdraw`], [`registry::consent_state`] |
//! | plan team | [`keygen`] (plan team, public), [`plan_team::open`] |
//! | anyone | [`verify_log`], [`verify_audit`] |
//!
//! [`KeyFileFormat::from_input`]: crate::primitives::keys::KeyFileFormat::from_input

pub mod central;
pub mod evidence;
mod keygen;
pub mod plan_team;
pub mod registry;
pub mod sector;
mod step;

pub use crate::files::{Input, Made, OutputKind, Place};
pub use keygen::{KeyRequest, KeySummary, keygen};
pub use step::{Audit, Completed, Party};

use std::collections::BTreeMap;

use crate::audit::{Head, verify, verify_signed};
use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::primitives::keys::{
    ConsentRegistryKey, KeyKind, MasterKey, MatcherKey, PlanTeamKey, SealingKey,
};
use crate::primitives::signing::{PartySigningKey, SignerKey};

/// Verifies an audit log (spec §16) and returns its head; with `expected` (a head kept
/// elsewhere), a log cut at its end is found too.
pub fn verify_log(log: &Input, expected: Option<Head>) -> Result<Head> {
    verify(&log.read_of(Kind::AuditLog)?[..], &log.name(), expected)
}

/// What an audit verification is given.
#[derive(Debug)]
pub struct VerifyAudit {
    /// The log.
    pub log: Input,
    /// A head kept elsewhere, to find a log cut at its end.
    pub head: Option<Head>,
    /// The key every entry must be signed by (a party's own log).
    pub signer: Option<SignerKey>,
    /// Files the log's party handed on (publications, flag files, match results, verdict
    /// files, receipts, bundles), whose author's log head the log must hold (spec §16.3).
    pub evidence: Vec<Input>,
}

/// What a verified log showed.
#[derive(Clone, Debug)]
pub struct AuditVerified {
    /// The last entry's head.
    pub head: Head,
    /// Each party that signed, with its key.
    pub signers: BTreeMap<String, SignerKey>,
    /// Entries not signed.
    pub unsigned: u64,
    /// Per evidence file: its name, the party and the head it names, all held by the log.
    pub evidence: Vec<(String, String, Head)>,
}

/// Verifies an audit log with its signatures (spec §16) and checks it against the evidence:
/// each file handed on names its author's signing key and log head, which the log must hold
/// with that party's entries signed by that key — else `audit-evidence`: the log was cut or
/// rewritten since the file was made.
pub fn verify_audit(step: &VerifyAudit) -> Result<AuditVerified> {
    let log = &step.log;
    let name = log.name();
    let verified = verify_signed(
        &log.read_of(Kind::AuditLog)?[..],
        &name,
        step.head,
        step.signer,
    )?;
    let mut evidence = Vec::new();
    for file in &step.evidence {
        let (party, author) = evidence::author_of(file)?;
        let party = party.to_string();
        let signed_by_author = verified.signers.get(&party) == Some(&author.signer);
        if !verified.holds(&author.log_head) || !signed_by_author {
            return Err(Error::input(
                &name,
                author.log_head.seq,
                Rule::AuditEvidence,
            ));
        }
        evidence.push((file.name(), party, author.log_head));
    }
    Ok(AuditVerified {
        head: verified.head,
        signers: verified.signers,
        unsigned: verified.unsigned,
        evidence,
    })
}

/// The public signing key of the party whose key file this is (§4.6): that of any secret key
/// [`party_signing_key`] takes, or read from a public key file that holds it — a sector's
/// public key, or the consent registry's (whose key is its signing key). What an auditor
/// checks a party's log with, without its secret.
pub fn party_signer(key_file: &Input) -> Result<SignerKey> {
    use crate::primitives::keys::{ConsentRegistryPublicKey, KeyFileFormat, SectorPublicKey};
    match kind::sniff(&key_file.read()?) {
        Some(Kind::KeyFile(Some(KeyKind::SectorPublic))) => {
            Ok(SectorPublicKey::from_input(key_file)?.signer())
        }
        Some(Kind::KeyFile(Some(KeyKind::ConsentRegistryPublic))) => Ok(SignerKey(
            *ConsentRegistryPublicKey::from_input(key_file)?.expose_secret(),
        )),
        _ => party_signing_key(key_file).map(|key| key.public()),
    }
}

/// The signing key of the party whose secret key file this is (§4.6): a sealing, master,
/// consent-registry, plan-team or matcher key.
pub fn party_signing_key(key_file: &Input) -> Result<PartySigningKey> {
    use crate::primitives::keys::KeyFileFormat;
    let start = key_file.read()?;
    match kind::sniff(&start) {
        Some(Kind::KeyFile(Some(KeyKind::Sealing))) => {
            Ok(PartySigningKey::of(&SealingKey::from_input(key_file)?))
        }
        Some(Kind::KeyFile(Some(KeyKind::Master))) => Ok(PartySigningKey::of_master(
            &MasterKey::from_input(key_file)?,
        )),
        Some(Kind::KeyFile(Some(KeyKind::ConsentRegistry))) => Ok(PartySigningKey::of_registry(
            &ConsentRegistryKey::from_input(key_file)?,
        )),
        Some(Kind::KeyFile(Some(KeyKind::PlanTeam))) => Ok(PartySigningKey::of_plan_team(
            &PlanTeamKey::from_input(key_file)?,
        )),
        Some(Kind::KeyFile(Some(KeyKind::Matcher))) => Ok(PartySigningKey::of_matcher(
            &MatcherKey::from_input(key_file)?,
        )),
        _ => Err(Error::input(&key_file.name(), 2, Rule::KeyFileKind)),
    }
}
