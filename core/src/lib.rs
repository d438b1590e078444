//! samkoer-core: everything a sector export job and the central matcher need.
//!
//! The byte-level protocol is specified in `docs/spec.md`; each module names its clause.

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
