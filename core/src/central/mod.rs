//! What the central unit does: match the publications into candidates, flag files and
//! statistics, and combine the sectors' verdicts into the final selection.

pub mod matcher;
pub mod selection;
pub mod stats;
