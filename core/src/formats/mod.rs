//! The files the parties exchange and read: publications and flag files, case-system exports,
//! the service catalogue and the selection criteria.

pub mod catalogue;
pub mod check;
pub mod criteria;
pub(crate) mod encoding;
pub mod export;
pub mod json;
pub mod publication;
pub mod signed_json;
mod toml_file;
pub mod verdicts;
