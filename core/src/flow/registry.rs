//! The consent registry's steps: issue a receipt for a citizen's consent, scoped to sectors and
//! a validity period; withdraw it.

use time::OffsetDateTime;

use crate::consent::receipt::{self, Consent, Receipt, Withdrawal};
use crate::error::Result;
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
        let bytes = receipt::issue(step.registry, step.subject, &consent)?;
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
