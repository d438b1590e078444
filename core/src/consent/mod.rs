//! Consent and what follows it: the registry's receipts and withdrawals, and a consented
//! sector's disclosure sealed for the plan team.

pub mod disclosure;
pub mod receipt;
