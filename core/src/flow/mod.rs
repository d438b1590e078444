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
//! | each sector | [`keygen`] (sealing), [`sector::publish`], [`sector::ask_check`], [`sector::review`], [`sector::verdict`], [`sector::verify_consent`], [`sector::disclose`] |
//! | central unit | [`central::match_publications`], [`central::check`], [`central::select`] |
//! | consent registry | [`keygen`] (consent registry, subject, public), [`registry::issue`], [`registry::withdraw`], [`registry::consent_state`] |
//! | plan team | [`keygen`] (plan team, public), [`plan_team::open`] |
//! | anyone | [`verify_log`] |
//!
//! [`KeyFileFormat::from_input`]: crate::primitives::keys::KeyFileFormat::from_input

pub mod central;
mod keygen;
pub mod plan_team;
pub mod registry;
pub mod sector;
mod step;

pub use crate::files::{Input, Made, OutputKind, Place};
pub use keygen::{KeyRequest, KeySummary, keygen};
pub use step::{Audit, Completed, Party};

use crate::audit::{Head, verify};
use crate::error::Result;

/// Verifies an audit log (spec §16) and returns its head; with `expected` (a head kept
/// elsewhere), a log cut at its end is found too.
pub fn verify_log(log: &Input, expected: Option<Head>) -> Result<Head> {
    verify(&log.read()?[..], &log.name(), expected)
}
