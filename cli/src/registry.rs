//! The consent registry's subcommands: `consent issue`, `consent withdraw`, `consent state`.

use std::path::{Path, PathBuf};

use clap::Args;
use samkoer_core::Cpr;
use samkoer_core::SectorCode;
use samkoer_core::files::Input;
use samkoer_core::flow::registry::{self, Issue, PublishState, Withdraw};
use samkoer_core::primitives::keys::{ConsentRegistryKey, SubjectKey};
use time::OffsetDateTime;

use crate::common::say;
use crate::common::{audit, key, place};
use crate::error::CliResult;

/// `samkoer consent issue`.
#[derive(Args)]
pub struct IssueArgs {
    /// The registry's key.
    #[arg(long)]
    registry_key: PathBuf,
    /// The subject key.
    #[arg(long)]
    subject_key: PathBuf,
    /// A file holding the person's CPR number (never on the command line).
    #[arg(long)]
    person: PathBuf,
    /// The sectors in scope, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    sectors: Vec<String>,
    /// How many days the consent is valid from now.
    #[arg(long, default_value_t = 365)]
    days: i64,
    /// The receipt to write (never overwritten).
    #[arg(long)]
    out: PathBuf,
}

/// Issues a receipt.
pub fn issue(args: &IssueArgs, log: Option<&Path>) -> CliResult {
    let registry: ConsentRegistryKey = key(&args.registry_key)?;
    let subject: SubjectKey = key(&args.subject_key)?;
    let now = OffsetDateTime::now_utc();
    let cpr = Cpr::read(&Input::path(&args.person), now.date())?;
    let step = Issue {
        registry: &registry,
        subject: &subject,
        person: &cpr,
        sectors: args
            .sectors
            .iter()
            .map(|s| SectorCode::new(s.trim()))
            .collect::<samkoer_core::Result<_>>()?,
        issued_at: now,
        valid_from: now,
        valid_until: now + time::Duration::days(args.days),
    };
    let receipt = registry::issue(&step, place(&args.out), audit(log))?.summary;
    say!(
        "receipt {} for {} sectors, valid {} days -> {}",
        receipt.id_hex(),
        receipt.sectors.len(),
        args.days,
        args.out.display()
    );
    Ok(())
}

/// `samkoer consent withdraw`.
#[derive(Args)]
pub struct WithdrawArgs {
    /// The registry's key.
    #[arg(long)]
    registry_key: PathBuf,
    /// The receipt.
    #[arg(long)]
    receipt: PathBuf,
    /// The withdrawal to write.
    #[arg(long)]
    out: PathBuf,
}

/// Withdraws a receipt from now on.
pub fn withdraw(args: &WithdrawArgs, log: Option<&Path>) -> CliResult {
    let registry: ConsentRegistryKey = key(&args.registry_key)?;
    let step = Withdraw {
        registry: &registry,
        receipt: Input::path(&args.receipt),
        at: OffsetDateTime::now_utc(),
    };
    let withdrawal = registry::withdraw(&step, place(&args.out), audit(log))?.summary;
    say!(
        "withdrawal of receipt {} from now on -> {}",
        hex::encode(withdrawal.receipt),
        args.out.display()
    );
    Ok(())
}

/// `samkoer consent state`.
#[derive(Args)]
pub struct StateArgs {
    /// The registry's key.
    #[arg(long)]
    registry_key: PathBuf,
    /// The last consent state the registry published (not for its first).
    #[arg(long)]
    previous: Option<PathBuf>,
    /// A withdrawal made since the previous state (repeat the option for more).
    #[arg(long)]
    withdrawal: Vec<PathBuf>,
    /// The consent state to write (it may be the previous one's file: it is replaced).
    #[arg(long)]
    out: PathBuf,
}

/// Publishes the consent state: every withdrawal so far, under the next sequence number.
pub fn state(args: &StateArgs, log: Option<&Path>) -> CliResult {
    let registry: ConsentRegistryKey = key(&args.registry_key)?;
    let step = PublishState {
        registry: &registry,
        previous: args.previous.as_ref().map(Input::path),
        withdrawals: args.withdrawal.iter().map(Input::path).collect(),
        now: OffsetDateTime::now_utc(),
    };
    let state = registry::consent_state(&step, place(&args.out), audit(log))?.summary;
    say!(
        "consent state {}: {} withdrawals ({} new) -> {}",
        state.sequence,
        state.withdrawals,
        state.added,
        args.out.display()
    );
    Ok(())
}
