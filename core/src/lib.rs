//! samkoer-core: everything a sector export job and the central matcher need.
//!
//! The byte-level protocol is specified in `docs/spec.md`; each module names its clause.

#![forbid(unsafe_code)]
// wasm/build.sh (a nightly-enabled rustc) sets this cfg to optimise the hashing loops for speed in a
// module otherwise optimised for size.
#![cfg_attr(samkoer_wasm_speed, feature(optimize_attribute))]

pub mod audit;
pub mod bench_inputs;
pub mod catalogue;
pub mod consent;
pub mod cpr;
pub mod criteria;
pub mod disclosure;
pub mod envelope;
pub mod error;
pub mod export;
pub mod files;
pub mod ids;
pub mod keys;
pub mod labels;
pub mod matcher;
pub mod progress;
pub mod pseudonym;
pub mod publication;
pub mod publish;
pub mod review;
pub mod stats;
pub mod synth;
mod toml_file;
pub mod verdict;

pub use catalogue::{Catalogue, Category};
pub use cpr::{AgeBand, Cpr};
pub use envelope::{EnvelopeContent, EnvelopeKey};
pub use error::{Error, Result, Rule};
pub use ids::{MunicipalityCode, RunId, SectorCode};
pub use keys::{Fingerprint, KeyFileFormat, KeyKind, MasterKey, RunKey, SealingKey};
pub use pseudonym::{Pseudonym, Pseudonymiser};
