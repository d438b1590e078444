//! What every party shares: CPR numbers, identifiers, keys and their files, the protocol's
//! labels, pseudonyms and sealed envelopes.

pub mod cpr;
pub mod envelope;
pub mod ids;
pub mod keys;
pub mod labels;
pub mod pseudonym;
pub mod signing;
