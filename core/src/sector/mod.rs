//! What a sector does: publish its export, review its flag file into the caseworkers' work
//! list, and turn the filled-in work list into verdicts.

pub mod publish;
pub mod review;
pub mod verdict;
