//! Synthetic data, for demos, tests and benchmarks (feature `synthetic`): a generated
//! municipality and benchmark publications. Never part of a production build.

pub mod benchmark;
pub mod municipality;
