//! Making keys (spec §4): each kind by the party that holds it — the custodian its master key
//! and the run keys, each sector its sealing key, the registry its signing key and the subject
//! key, the plan team its key — and the public keys of the registry's, the plan team's and each
//! sector's (its signing key's public half).

use time::Date;

use crate::consent::disclosure::plan_team_public_key;
use crate::consent::receipt::registry_public_key;
use crate::error::{Error, Result, Rule};
use crate::files::kind::Kind;
use crate::files::outputs::Staging;
use crate::files::{Input, OutputKind, Place};
use crate::flow::step::{Audit, Completed, Party, Record, run};
use crate::primitives::ids::{MunicipalityCode, RunId, SectorCode};
use crate::primitives::keys::{
    ConsentRegistryKey, Fingerprint, KeyFileFormat, KeyKind, MasterKey, MatcherKey, PlanTeamKey,
    SealingKey, SectorPublicKey, SubjectKey,
};
use crate::primitives::signing::PartySigningKey;

/// Which key to make.
#[derive(Debug)]
pub enum KeyRequest<'a> {
    /// The municipality's master key (the custodian's).
    Master(MunicipalityCode),
    /// A run key, derived from the master key, with the run's reference date (the custodian's,
    /// handed to the sectors).
    Run(&'a MasterKey, RunId, Date),
    /// A sector's sealing key (the sector's own).
    Sealing(MunicipalityCode, SectorCode),
    /// The consent registry's signing key.
    ConsentRegistry(MunicipalityCode),
    /// The subject key (made by the registry, whose key signs the entry; shared with the
    /// sectors).
    Subject(&'a ConsentRegistryKey),
    /// The plan team's key.
    PlanTeam(MunicipalityCode),
    /// The public key of a consent-registry, plan-team or sealing key (its key file).
    Public(&'a Input),
    /// The central matcher's key (the matcher's own).
    Matcher(MunicipalityCode),
}

/// A key made: what it is and its fingerprint (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySummary {
    /// The kind.
    pub kind: KeyKind,
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The run, for a run key.
    pub run: Option<RunId>,
    /// The run's reference date, for a run key.
    pub reference_date: Option<Date>,
    /// The sector, for a sealing key.
    pub sector: Option<SectorCode>,
    /// The fingerprint, to compare with other parties' without revealing the key.
    pub fingerprint: Fingerprint,
}

/// A key to write, as the step needs it.
struct Made {
    text: zeroize::Zeroizing<String>,
    summary: KeySummary,
}

fn made<K: KeyFileFormat>(key: &K, summary: KeySummary) -> Made {
    Made {
        text: key.to_key_file(),
        summary,
    }
}

fn summary(kind: KeyKind, municipality: MunicipalityCode, fingerprint: Fingerprint) -> KeySummary {
    KeySummary {
        kind,
        municipality,
        run: None,
        reference_date: None,
        sector: None,
        fingerprint,
    }
}

/// The public key of a consent-registry, plan-team or sealing key file, with the party that
/// owns it and its signing key.
fn public_of(input: &Input) -> Result<(Party, Made, PartySigningKey)> {
    // The kind is told first, so that a key file of the right kind with a fault (its mode,
    // its check) is named for that fault, not as another kind.
    match crate::files::kind::sniff(&input.read()?) {
        Some(Kind::KeyFile(Some(KeyKind::Sealing))) => {
            let sealing = SealingKey::from_input(input)?;
            let public = SectorPublicKey::of(&sealing);
            let about = KeySummary {
                sector: Some(sealing.sector().clone()),
                ..summary(
                    KeyKind::SectorPublic,
                    public.municipality(),
                    public.fingerprint(),
                )
            };
            let party = Party::Sector(sealing.sector().clone());
            Ok((party, made(&public, about), PartySigningKey::of(&sealing)))
        }
        Some(Kind::KeyFile(Some(KeyKind::ConsentRegistry))) => {
            let registry = ConsentRegistryKey::from_input(input)?;
            let public = registry_public_key(&registry);
            let about = summary(
                KeyKind::ConsentRegistryPublic,
                public.municipality(),
                public.fingerprint(),
            );
            let signing = PartySigningKey::of_registry(&registry);
            Ok((Party::Registry, made(&public, about), signing))
        }
        Some(Kind::KeyFile(Some(KeyKind::PlanTeam))) => {
            let plan_team = PlanTeamKey::from_input(input)?;
            let public = plan_team_public_key(&plan_team);
            let about = summary(
                KeyKind::PlanTeamPublic,
                public.municipality(),
                public.fingerprint(),
            );
            let signing = PartySigningKey::of_plan_team(&plan_team);
            Ok((Party::PlanTeam, made(&public, about), signing))
        }
        // Any other kind: a key of another kind, at its kind line; a damaged key file or a
        // file of another kind, read as a key file, for what it is.
        _ => Err(match PlanTeamKey::from_input(input) {
            Err(e) if e.rule() != Some(Rule::KeyFileKind) => e,
            _ => Error::input(&input.name(), 2, Rule::KeyFileKind),
        }),
    }
}

/// Makes a key and writes its key file to `out` (owner-only for a secret key, never over an
/// existing file); prints nothing, returns its fingerprint.
pub fn keygen(request: KeyRequest<'_>, out: Place, audit: &Audit) -> Result<Completed<KeySummary>> {
    let (party, run_id) = match &request {
        KeyRequest::Master(_) => (Party::Custodian, None),
        KeyRequest::Run(_, run, _) => (Party::Custodian, Some(run.clone())),
        KeyRequest::Sealing(_, sector) => (Party::Sector(sector.clone()), None),
        KeyRequest::ConsentRegistry(_) | KeyRequest::Subject(_) => (Party::Registry, None),
        KeyRequest::PlanTeam(_) => (Party::PlanTeam, None),
        KeyRequest::Matcher(_) => (Party::Matcher, None),
        // Known once the key file is read; a public key is its owner's.
        KeyRequest::Public(input) => (public_of(input)?.0, None),
    };
    let record = Record {
        party,
        action: "keygen",
        run: run_id,
        signing: None,
        noted: Vec::new(),
    };
    // Each entry is signed by its party's key (§4.6): the key made, or the one it is made with.
    run(
        audit,
        record,
        |staging: &mut Staging, record: &mut Record| {
            let key = match request {
                KeyRequest::Master(m) => {
                    let key = MasterKey::generate(m)?;
                    record.signing = Some(PartySigningKey::of_master(&key));
                    made(&key, summary(KeyKind::Master, m, key.fingerprint()))
                }
                KeyRequest::Run(master, run, reference_date) => {
                    record.signing = Some(PartySigningKey::of_master(master));
                    let key = master.derive_run_key(&run, reference_date);
                    let about = KeySummary {
                        run: Some(run),
                        reference_date: Some(reference_date),
                        ..summary(KeyKind::Run, key.municipality(), key.fingerprint())
                    };
                    made(&key, about)
                }
                KeyRequest::Sealing(m, sector) => {
                    let key = SealingKey::generate(m, sector.clone())?;
                    record.signing = Some(PartySigningKey::of(&key));
                    let about = KeySummary {
                        sector: Some(sector),
                        ..summary(KeyKind::Sealing, m, key.fingerprint())
                    };
                    made(&key, about)
                }
                KeyRequest::ConsentRegistry(m) => {
                    let key = ConsentRegistryKey::generate(m)?;
                    record.signing = Some(PartySigningKey::of_registry(&key));
                    made(
                        &key,
                        summary(KeyKind::ConsentRegistry, m, key.fingerprint()),
                    )
                }
                KeyRequest::Subject(registry) => {
                    record.signing = Some(PartySigningKey::of_registry(registry));
                    let m = registry.municipality();
                    let key = SubjectKey::generate(m)?;
                    made(&key, summary(KeyKind::Subject, m, key.fingerprint()))
                }
                KeyRequest::PlanTeam(m) => {
                    let key = PlanTeamKey::generate(m)?;
                    record.signing = Some(PartySigningKey::of_plan_team(&key));
                    made(&key, summary(KeyKind::PlanTeam, m, key.fingerprint()))
                }
                KeyRequest::Matcher(m) => {
                    let key = MatcherKey::generate(m)?;
                    record.signing = Some(PartySigningKey::of_matcher(&key));
                    made(&key, summary(KeyKind::Matcher, m, key.fingerprint()))
                }
                KeyRequest::Public(input) => {
                    let (_, made, signing) = public_of(input)?;
                    record.signing = Some(signing);
                    made
                }
            };
            let slot = staging.declare(OutputKind::Key(key.summary.kind), out)?;
            let fingerprint = key.summary.fingerprint.to_string();
            staging.write(slot, key.text.as_bytes(), Some(fingerprint))?;
            Ok((key.summary, vec![("keys", 1)]))
        },
    )
}
