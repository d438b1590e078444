//! `samkoer keygen`: every kind of key, by the party that holds it.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use samkoer_core::files::Input;
use samkoer_core::flow::{KeyRequest, keygen};
use samkoer_core::formats::export::date_or_today;
use samkoer_core::primitives::keys::ConsentRegistryKey;
use samkoer_core::{MasterKey, RunId, SectorCode};

use crate::common::say;
use crate::common::{audit, key, municipality, place};
use crate::error::CliResult;

/// What kind of key to make.
#[derive(Subcommand)]
pub enum KeygenKind {
    /// The municipality's master key (the key custodian's).
    #[command(after_help = "Example:\n  samkoer keygen master --municipality 219 --out master.key")]
    Master {
        /// The three-digit municipality code.
        #[arg(long)]
        municipality: String,
        /// Where to write it (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// A run key, derived from the master key, with the run's reference date (the custodian's;
    /// to every sector, never the matcher).
    #[command(
        after_help = "Example:\n  samkoer keygen run --master master.key --run 2026-11 --reference-date 2026-11-01 --out run.key"
    )]
    Run {
        /// The master key file.
        #[arg(long)]
        master: PathBuf,
        /// The run id, for instance 2026-11.
        #[arg(long)]
        run: String,
        /// The run's reference date (YYYY-MM-DD), on which every sector judges services
        /// ongoing and ages; default today.
        #[arg(long)]
        reference_date: Option<String>,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// A sector's sealing key (the sector's own).
    #[command(
        after_help = "Example:\n  samkoer keygen sealing --municipality 219 --sector employment --out sealing.key"
    )]
    Sealing {
        /// The municipality code.
        #[arg(long)]
        municipality: String,
        /// The sector's code in the catalogue.
        #[arg(long)]
        sector: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The consent registry's signing key.
    #[command(
        after_help = "Example:\n  samkoer keygen consent-registry --municipality 219 --out registry.key"
    )]
    ConsentRegistry {
        /// The municipality code.
        #[arg(long)]
        municipality: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The subject key (made by the registry, shared with the sectors).
    #[command(
        after_help = "Example:\n  samkoer keygen subject --registry-key consent-registry.key --out subject.key"
    )]
    Subject {
        /// The consent registry's key: it makes the subject key and signs the entry.
        #[arg(long)]
        registry_key: PathBuf,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The central matcher's key: it signs the matcher's audit entries.
    #[command(
        after_help = "Example:\n  samkoer keygen matcher --municipality 219 --out matcher.key"
    )]
    Matcher {
        /// The municipality code.
        #[arg(long)]
        municipality: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The plan team's key.
    #[command(
        after_help = "Example:\n  samkoer keygen plan-team --municipality 219 --out plan-team.key"
    )]
    PlanTeam {
        /// The municipality code.
        #[arg(long)]
        municipality: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// The public key of a consent-registry or plan-team key.
    #[command(
        after_help = "Example:\n  samkoer keygen public --key plan-team.key --out plan-team-public.key"
    )]
    Public {
        /// The private key file.
        #[arg(long)]
        key: PathBuf,
        /// Where to write the public key.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Makes a key and prints its fingerprint.
pub fn run(kind: KeygenKind, log: Option<&Path>) -> CliResult {
    let master: MasterKey;
    let registry: ConsentRegistryKey;
    let public: Input;
    let (request, out) = match kind {
        KeygenKind::Master {
            municipality: m,
            out,
        } => (KeyRequest::Master(municipality(&m)?), out),
        KeygenKind::Run {
            master: path,
            run,
            reference_date,
            out,
        } => {
            master = key(&path)?;
            let date = date_or_today(reference_date.as_deref())?;
            (KeyRequest::Run(&master, RunId::new(&run)?, date), out)
        }
        KeygenKind::Sealing {
            municipality: m,
            sector,
            out,
        } => (
            KeyRequest::Sealing(municipality(&m)?, SectorCode::new(&sector)?),
            out,
        ),
        KeygenKind::ConsentRegistry {
            municipality: m,
            out,
        } => (KeyRequest::ConsentRegistry(municipality(&m)?), out),
        KeygenKind::Subject { registry_key, out } => {
            registry = key(&registry_key)?;
            (KeyRequest::Subject(&registry), out)
        }
        KeygenKind::Matcher {
            municipality: m,
            out,
        } => (KeyRequest::Matcher(municipality(&m)?), out),
        KeygenKind::PlanTeam {
            municipality: m,
            out,
        } => (KeyRequest::PlanTeam(municipality(&m)?), out),
        KeygenKind::Public { key, out } => {
            public = Input::path(key);
            (KeyRequest::Public(&public), out)
        }
    };
    let made = keygen(request, place(&out), audit(log))?.summary;
    let dated = made
        .reference_date
        .map(|date| format!("  reference date {date}"))
        .unwrap_or_default();
    say!(
        "wrote {} key {}  fingerprint {}{dated}",
        made.kind.name(),
        out.display(),
        made.fingerprint
    );
    Ok(())
}
