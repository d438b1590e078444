//! The C ABI of samkoer: every step of the flow as one function over the core's step, opaque key
//! handles, the core's error codes as an enum (`samkoer_code`, generated from its table) with
//! a predicate per error form, and a readable last error. Every function is behind a panic
//! boundary, checks its pointers for NULL and never aborts the host. Files by party: `keys.rs`
//! (handles and keygen), `columns.rs` (pseudonyms), `sector.rs`, `central.rs`, `consent.rs`;
//! `args.rs` converts the arguments, `error.rs` the results. The header is `include/samkoer.h`.

// C names for C types, as the header shows them.
#![allow(non_camel_case_types)]

mod args;
mod central;
mod columns;
mod consent;
mod error;
mod keys;
mod rules;
mod sector;

pub use central::*;
pub use columns::*;
pub use consent::*;
pub use error::*;
pub use keys::*;
pub use rules::*;
pub use sector::*;
