//! Consent and what follows it: the registry's receipts, withdrawals and consent state, and a consented
//! sector's disclosure sealed for the plan team.

pub mod disclosure;
pub mod receipt;
pub mod state;
