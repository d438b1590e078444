//! The consent registry's steps: issue a receipt for a citizen's consent, scoped to sectors and
//! a validity period; withdraw it; publish the consent state that lists every withdrawal so far.

use time::OffsetDateTime;

use crate::consent::receipt::{self, Consent, Receipt, Withdrawal, registry_public_key};
use crate::consent::state::{ConsentState, issue_state};
use crate::error::{Error, Result, Rule};
use crate::files::kind::Kind;
use crate::files::outputs::Staging;
use crate::files::{Input, OutputKind, Place};
use crate::flow::step::{Audit, Completed, Party, Record, run};
use crate::primitives::cpr::Cpr;
use crate::primitives::ids::SectorCode;
use crate::primitives::keys::{ConsentRegistryKey, SubjectKey};
use crate::primitives::signing::PartySigningKey;

/// What a receipt is issued from.
#[derive(Debug)]
pub struct Issue<'a> {
    /// The registry's signing key.
    pub registry: &'a ConsentRegistryKey,
    /// The subject key: the receipt names its citizen by a tag under it, never by CPR.
    pub subject: &'a SubjectKey,
    /// The citizen (from a file: [`Cpr::read`]).
    pub person: &'a Cpr,
    /// The sectors in scope.
    pub sectors: Vec<SectorCode>,
    /// When the consent was given.
    pub issued_at: OffsetDateTime,
    /// From when it is valid.
    pub valid_from: OffsetDateTime,
    /// Until when it is valid (exclusive).
    pub valid_until: OffsetDateTime,
}

/// Issues a receipt (spec §14.2), signed by the registry; never written over another.
pub fn issue(step: &Issue<'_>, out: Place, audit: &Audit) -> Result<Completed<Receipt>> {
    let record = Record {
        party: Party::Registry,
        action: "consent",
        run: None,
        signing: Some(PartySigningKey::of_registry(step.registry)),
        noted: Vec::new(),
    };
    run(audit, record, |staging: &mut Staging, _: &mut Record| {
        let slot = staging.declare(OutputKind::Receipt, out)?;
        let consent = Consent {
            cpr: step.person,
            sectors: &step.sectors,
            issued_at: step.issued_at,
            valid_from: step.valid_from,
            valid_until: step.valid_until,
        };
        let bytes = receipt::issue(step.registry, step.subject, &consent, staging.log_head())?;
        let receipt = Receipt::parse(&bytes, &staging.name(slot))?;
        staging.write(slot, &bytes, None)?;
        Ok((receipt, vec![("sectors", step.sectors.len() as u64)]))
    })
}

/// What a withdrawal needs.
#[derive(Debug)]
pub struct Withdraw<'a> {
    /// The registry's signing key.
    pub registry: &'a ConsentRegistryKey,
    /// The receipt withdrawn.
    pub receipt: Input,
    /// From when.
    pub at: OffsetDateTime,
}

/// Withdraws a receipt from `at` on (spec §14.3); the withdrawal is signed by the registry and
/// never written over another.
pub fn withdraw(step: &Withdraw<'_>, out: Place, audit: &Audit) -> Result<Completed<Withdrawal>> {
    let record = Record {
        party: Party::Registry,
        action: "withdraw",
        run: None,
        signing: Some(PartySigningKey::of_registry(step.registry)),
        noted: Vec::new(),
    };
    run(audit, record, |staging: &mut Staging, _: &mut Record| {
        let slot = staging.declare(OutputKind::Withdrawal, out)?;
        let receipt = Receipt::parse(&step.receipt.read_of(Kind::Receipt)?, &step.receipt.name())?;
        let bytes = receipt::withdraw(step.registry, &receipt, step.at);
        let withdrawal = Withdrawal::parse(&bytes, &staging.name(slot))?;
        staging.write(slot, &bytes, None)?;
        Ok((withdrawal, vec![("receipts", 1)]))
    })
}

/// The count a consent state's sequence number is recorded under, in the registry's entry and
/// in every sector's entry that used it (spec §14.4).
pub const STATE_SEQUENCE: &str = "consent-state-seq";

/// What a consent state is made from.
#[derive(Debug)]
pub struct PublishState<'a> {
    /// The registry's signing key.
    pub registry: &'a ConsentRegistryKey,
    /// The last state the registry published; `None` only for its first.
    pub previous: Option<Input>,
    /// The withdrawals made since (those already listed may come again).
    pub withdrawals: Vec<Input>,
    /// Now: the state's issue time.
    pub now: OffsetDateTime,
}

/// What a published consent state holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatePublished {
    /// Its sequence number.
    pub sequence: u64,
    /// When it was issued (Unix seconds).
    pub issued_at: u64,
    /// The withdrawals it lists.
    pub withdrawals: u64,
    /// Of them, those the previous state did not list.
    pub added: u64,
}

/// Publishes the consent state (spec §14.4): every withdrawal of the previous state and the
/// ones given, each verified as the registry's, under the next sequence number, signed.
/// Refused without the previous state when the registry's log shows one was published, or
/// with one older than the last it published.
pub fn consent_state(
    step: &PublishState<'_>,
    out: Place,
    audit: &Audit,
) -> Result<Completed<StatePublished>> {
    let record = Record {
        party: Party::Registry,
        action: "consent-state",
        run: None,
        signing: Some(PartySigningKey::of_registry(step.registry)),
        noted: Vec::new(),
    };
    run(audit, record, |staging: &mut Staging, _: &mut Record| {
        let slot = staging.declare(OutputKind::ConsentState, out)?;
        let public = registry_public_key(step.registry);
        let published = audit.highest_count(STATE_SEQUENCE)?;
        let (sequence, mut list) = match &step.previous {
            None if published.is_some() => {
                return Err(Error::parameter(Rule::ConsentStatePrevious));
            }
            None => (0, Default::default()),
            Some(input) => {
                let name = input.name();
                let previous = ConsentState::parse(&input.read()?, &name)?;
                previous.verify(&public, &name)?;
                if published.is_some_and(|last| previous.sequence < last) {
                    return Err(Error::input(&name, 0, Rule::ConsentStateOlder));
                }
                (previous.sequence, previous.withdrawal_map())
            }
        };
        let before = list.len();
        for input in &step.withdrawals {
            let withdrawal = Withdrawal::parse(&input.read()?, &input.name())?;
            withdrawal.verify(&public)?;
            // Withdrawn twice: from the earlier time.
            list.entry(withdrawal.receipt)
                .and_modify(|from: &mut u64| *from = (*from).min(withdrawal.at))
                .or_insert(withdrawal.at);
        }
        let sequence = sequence
            .checked_add(1)
            .ok_or(Error::parameter(Rule::ConsentStateFull))?;
        let bytes = issue_state(step.registry, sequence, step.now, &list)?;
        let state = ConsentState::parse(&bytes, &staging.name(slot))?;
        staging.write(slot, &bytes, None)?;
        let summary = StatePublished {
            sequence,
            issued_at: state.issued_at,
            withdrawals: list.len() as u64,
            added: (list.len() - before) as u64,
        };
        let counts = vec![
            (STATE_SEQUENCE, sequence),
            ("withdrawals", summary.withdrawals),
            ("added", summary.added),
        ];
        Ok((summary, counts))
    })
}
