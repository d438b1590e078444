//! samkoer-core: every step of every party of a selection run, and all that they share.
//!
//! The byte-level protocol is specified in `docs/spec.md`; each module names its clause. The
//! modules, from what every party shares to the flow that ties them together:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`primitives`] | shared by every party: CPR numbers and age bands, identifiers, keys and key files, the protocol's labels, pseudonyms, sealed envelopes |
//! | [`formats`] | the files the parties exchange: publications and flag files, case-system exports, the service catalogue, criteria, verdict files, check requests and answers |
//! | [`sector`] | what a sector computes: publish with accounting, review into the work list, verdicts |
//! | [`central`] | what the central unit computes: the match (ingest, grouping, selection, flag files), suppressed statistics, the final selection |
//! | [`consent`] | the registry's receipts, withdrawals and consent state, a consented sector's disclosure to the plan team |
//! | [`audit`] | the chained log every step appends to |
//! | [`files`] | inputs from files or memory; outputs written atomically with their modes and committed as one |
//! | [`flow`] | **one function per step of every party**: reads the inputs, computes with the modules above, writes the outputs, appends the audit entry. Every surface (CLI, Python, C, WebAssembly) calls these and nothing else |
//! | [`progress`] | progress of a long read, for the surfaces that show it |
//! | [`error`] | the one error type and the one table of rules (code, name, form, remedy) |
//! | `synthetic` | (feature `synthetic`) generated municipalities and benchmark inputs; never in a production build |
//!
//! A run, in the order of [`flow`]: keys ([`flow::keygen`]); each sector publishes
//! ([`flow::sector::publish`]); the central unit matches ([`flow::central::match_publications`]);
//! each sector reviews its flag file and returns verdicts ([`flow::sector::review`],
//! [`flow::sector::verdict`]); the central unit selects ([`flow::central::select`]); the consent
//! registry issues a receipt ([`flow::registry::issue`]); each consented sector discloses
//! ([`flow::sector::disclose`]); the plan team opens the bundles ([`flow::plan_team::open`]);
//! anyone verifies the log ([`flow::verify_log`]).

#![forbid(unsafe_code)]
// wasm/build.sh (a nightly-enabled rustc) sets this cfg to optimise the hashing loops for speed in a
// module otherwise optimised for size.
#![cfg_attr(samkoer_wasm_speed, feature(optimize_attribute))]

pub mod audit;
pub mod central;
pub mod consent;
pub mod error;
pub mod files;
pub mod flow;
pub mod formats;
pub mod primitives;
pub mod progress;
pub mod sector;
#[cfg(feature = "synthetic")]
pub mod synthetic;

pub use error::{Error, Result, Rule};
pub use formats::catalogue::{Catalogue, Category};
pub use primitives::cpr::{AgeBand, Cpr};
pub use primitives::envelope::{EnvelopeContent, EnvelopeKey};
pub use primitives::ids::{MunicipalityCode, RunId, SectorCode};
pub use primitives::keys::{Fingerprint, KeyFileFormat, KeyKind, MasterKey, RunKey, SealingKey};
pub use primitives::pseudonym::{Pseudonym, Pseudonymiser};
