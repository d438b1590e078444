//! The plan team's subcommand `open`, and anyone's `audit verify`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use samkoer_core::audit::Head;
use samkoer_core::files::Input;
use samkoer_core::flow::plan_team::{self, Open};
use samkoer_core::flow::{VerifyAudit, party_signer, verify_audit};
use samkoer_core::primitives::keys::{ConsentRegistryPublicKey, PlanTeamKey, SectorPublicKey};

use crate::common::{audit, inputs, key, place, say};
use crate::error::CliResult;

/// `samkoer open`.
#[derive(Args)]
pub struct OpenArgs {
    /// The plan team's key.
    #[arg(long)]
    plan_team_key: PathBuf,
    /// The consent registry's public key.
    #[arg(long)]
    registry_public: PathBuf,
    /// The citizen's consent receipt, which the bundles answer.
    #[arg(long)]
    receipt: PathBuf,
    /// A consented sector's public key (`keygen public --key SECTOR.key`); once per sector.
    #[arg(long = "sector-public", required = true)]
    sector_public: Vec<PathBuf>,
    /// Write the opened disclosures here (owner-only) instead of printing them.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The bundles.
    #[arg(required = true)]
    bundles: Vec<PathBuf>,
}

/// Opens disclosure bundles: prints them as JSON, or writes them.
pub fn open(args: &OpenArgs, log: Option<&Path>) -> CliResult {
    let plan_team: PlanTeamKey = key(&args.plan_team_key)?;
    let registry: ConsentRegistryPublicKey = key(&args.registry_public)?;
    let sectors = args
        .sector_public
        .iter()
        .map(|path| key::<SectorPublicKey>(path))
        .collect::<Result<Vec<_>, _>>()?;
    let step = Open {
        plan_team: &plan_team,
        registry: &registry,
        receipt: Input::path(&args.receipt),
        sectors,
        bundles: inputs(&args.bundles),
    };
    let opened = plan_team::open(&step, args.out.as_deref().map(place), audit(log))?.summary;
    match &args.out {
        Some(out) => say!(
            "{} disclosures of receipt {} opened -> {}",
            opened.disclosures.len(),
            opened.receipt,
            out.display()
        ),
        None => crate::common::write_out(format_args!("{}", opened.to_json()), false),
    }
    Ok(())
}

/// Audit-log actions.
#[derive(Subcommand)]
pub enum AuditAction {
    /// Verify a log, its chain and its signatures; names the first bad entry.
    #[command(
        after_help = "Examples:\n  samkoer audit verify audit.log --head 12:3f9a…\n  samkoer audit verify employment.log --signer-key employment-public.key --evidence employment.pub --evidence employment.bundle"
    )]
    Verify {
        /// The log.
        log: PathBuf,
        /// The head kept elsewhere, as SEQ:HASH, to detect a log cut at its end.
        #[arg(long)]
        head: Option<String>,
        /// The party's key file (sealing, master, consent-registry, plan-team or matcher), or a
        /// public key that names its signer (sector-public, consent-registry-public): every
        /// entry must be signed with it.
        #[arg(long)]
        signer_key: Option<PathBuf>,
        /// A file the party handed on (publication, match result, flag file, verdict file,
        /// receipt, bundle): the log must still hold the entry whose head it carries, signed by
        /// the key it names.
        #[arg(long)]
        evidence: Vec<PathBuf>,
    },
}

/// Verifies an audit log.
pub fn audit_log(action: AuditAction) -> CliResult {
    let AuditAction::Verify {
        log,
        head,
        signer_key,
        evidence,
    } = action;
    let signer = match &signer_key {
        Some(path) => Some(party_signer(&Input::path(path))?),
        None => None,
    };
    let step = VerifyAudit {
        log: Input::path(&log),
        head: head.as_deref().map(Head::parse).transpose()?,
        signer,
        evidence: evidence.iter().map(Input::path).collect(),
    };
    let verified = verify_audit(&step)?;
    let head = verified.head;
    say!(
        "{}: {} entries verify; head {head}",
        log.display(),
        head.seq
    );
    for (party, signer) in &verified.signers {
        say!("  {party} signs with {signer}");
    }
    if verified.unsigned > 0 {
        say!("  {} entries are not signed", verified.unsigned);
    }
    for (file, party, held) in &verified.evidence {
        say!(
            "  {file}: {party}'s entry {} is held, as the file names it",
            held.seq
        );
    }
    Ok(())
}
