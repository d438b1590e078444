//! Disclosure after consent (spec §15): a sector named in a valid, unexpired, unwithdrawn
//! receipt releases its ongoing services for the receipt's person, sealed for the plan team
//! with HPKE (RFC 9180: X25519, HKDF-SHA256, AES-256-GCM). A sector outside the receipt, an
//! expired or withdrawn receipt, or a receipt for someone else releases nothing, with the
//! reason as the error. A bundle (version 2) names its sector, the receipt it answers and its
//! author (the sector's signing key and audit-log head), and is signed by the sector, so the
//! plan team knows who sealed it and for which consent.

use std::fmt;
use std::io::Read;

use hpke::aead::AesGcm256;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::audit::{AUTHOR_LEN, Author, Head};
use crate::consent::receipt::Receipt;
use crate::consent::state::FreshState;
use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::catalogue::Catalogue;
use crate::formats::export::{ExportOptions, ExportReader};
use crate::primitives::ids::SectorCode;
use crate::primitives::keys::{
    ConsentRegistryPublicKey, PlanTeamKey, PlanTeamPublicKey, SectorPublicKey, SubjectKey,
    push_short,
};
use crate::primitives::labels;
use crate::primitives::signing::{PartySigningKey, SIGNATURE_LEN};
use crate::sector::publish::ongoing_service;

/// The first eight bytes of a disclosure bundle.
pub const MAGIC: &[u8; 8] = b"SAMKODSC";
/// The bundle format version.
pub const VERSION: u16 = 2;

/// One ongoing service, disclosed.
///
/// Wiped on drop; `Debug` shows the catalogue's facts, not the case's texts or date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct DisclosedService {
    /// The service code.
    pub code: String,
    /// The law.
    pub law: String,
    /// The legal paragraph.
    pub paragraph: String,
    /// The Danish name.
    pub name: String,
    /// The caseworker (contact).
    pub caseworker: String,
    /// The sector's case reference.
    pub case_ref: String,
    /// The goal.
    pub goal: String,
    /// The start date, `YYYY-MM-DD`.
    pub start: String,
}

/// What a sector discloses for one receipt. No CPR: the plan team knows the person by the
/// receipt.
///
/// Wiped on drop; `Debug` is the services' redacted one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// Always `samkoer-disclosure`.
    pub format: String,
    /// The receipt's id (hex).
    pub receipt: String,
    /// The municipality.
    pub municipality: String,
    /// The disclosing sector.
    pub sector: String,
    /// The ongoing services.
    pub services: Vec<DisclosedService>,
}

impl fmt::Debug for DisclosedService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DisclosedService")
            .field("code", &self.code)
            .field("law", &self.law)
            .field("paragraph", &self.paragraph)
            .field("name", &self.name)
            .field("caseworker", &"<redacted>")
            .field("case_ref", &"<redacted>")
            .field("goal", &"<redacted>")
            .field("start", &"<redacted>")
            .finish()
    }
}

/// The plan team's public key, from its key.
pub fn plan_team_public_key(key: &PlanTeamKey) -> PlanTeamPublicKey {
    let (_, public) = X25519HkdfSha256::derive_keypair(key.expose_secret());
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&public.to_bytes());
    PlanTeamPublicKey::from_bytes(key.municipality(), bytes)
}

/// A bundle's clear header (spec §15): the receipt it answers, the sector that sealed it and
/// its author. The bytes from the magic to the author are the HPKE associated data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleHeader {
    /// The receipt's id.
    pub receipt: [u8; 16],
    /// The disclosing sector.
    pub sector: SectorCode,
    /// The sector's signing key and audit-log head before the disclosure.
    pub author: Author,
}

impl BundleHeader {
    fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_be_bytes());
        bytes.extend_from_slice(&self.receipt);
        push_short(&mut bytes, self.sector.as_str());
        bytes.extend_from_slice(&self.author.to_bytes());
        bytes
    }
}

/// A bundle read as far as its signature: header, HPKE encapsulated key and ciphertext.
struct SignedBundle<'a> {
    header: BundleHeader,
    associated_data: &'a [u8],
    encapped: &'a [u8],
    ciphertext: &'a [u8],
}

/// Reads a bundle's parts and verifies its signature under the key its author names; a
/// version 1 bundle, which names none, says so.
fn signed_parts<'a>(bundle: &'a [u8], file: &str) -> Result<SignedBundle<'a>> {
    kind::expect(bundle, Kind::Bundle, file)?;
    let malformed = || Error::input(file, 0, Rule::DisclosureFormat);
    if bundle.get(..8) != Some(&MAGIC[..]) {
        return Err(malformed());
    }
    if bundle.get(8..10) != Some(&VERSION.to_be_bytes()[..]) {
        let detail = (bundle.get(8..10) == Some(&1u16.to_be_bytes()[..]))
            .then_some("a version 1 bundle is not signed: ask the sector to disclose again");
        return Err(Error::input_detail(file, 0, Rule::DisclosureFormat, detail));
    }
    let receipt: [u8; 16] = bundle
        .get(10..26)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(malformed)?;
    let sector_len = usize::from(*bundle.get(26).ok_or_else(malformed)?);
    let sector = bundle
        .get(27..27 + sector_len)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| SectorCode::new(s).ok())
        .ok_or_else(malformed)?;
    let header_len = 27 + sector_len + AUTHOR_LEN;
    let author: &[u8; AUTHOR_LEN] = bundle
        .get(27 + sector_len..header_len)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(malformed)?;
    let author = Author::from_bytes(author);
    // The encapsulated key, at least an AEAD tag, and the signature.
    let signed_len = bundle
        .len()
        .checked_sub(SIGNATURE_LEN)
        .filter(|&n| n >= header_len + 32 + 16)
        .ok_or_else(malformed)?;
    let signature: [u8; SIGNATURE_LEN] =
        bundle[signed_len..].try_into().map_err(|_| malformed())?;
    if !author
        .signer
        .verifies(labels::BUNDLE_SIGNATURE, &bundle[..signed_len], &signature)
    {
        return Err(Error::input(file, 0, Rule::DisclosureSignature));
    }
    Ok(SignedBundle {
        header: BundleHeader {
            receipt,
            sector,
            author,
        },
        associated_data: &bundle[..header_len],
        encapped: &bundle[header_len..header_len + 32],
        ciphertext: &bundle[header_len + 32..signed_len],
    })
}

/// A bundle's header, its signature verified under the key its author names (whether that is
/// its sector's is for the reader to judge): what anyone can check without opening it.
pub fn bundle_header(bundle: &[u8], file: &str) -> Result<BundleHeader> {
    signed_parts(bundle, file).map(|parts| parts.header)
}

/// A sealed disclosure bundle and how many services it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The bundle's bytes (spec §15).
    pub bytes: Vec<u8>,
    /// The ongoing services sealed in it.
    pub services: u64,
}

/// Everything a sector needs to disclose.
pub struct Discloser<'a> {
    /// The registry's public key.
    pub registry: &'a ConsentRegistryPublicKey,
    /// The subject key.
    pub subject: &'a SubjectKey,
    /// The disclosing sector.
    pub sector: &'a SectorCode,
    /// The sector's signing key (§4.6), which signs the bundle.
    pub signing: &'a PartySigningKey,
    /// The sector's audit-log head before the disclosure, named as the bundle's author's.
    pub log_head: Head,
    /// The plan team's public key.
    pub plan_team: &'a PlanTeamPublicKey,
    /// The service catalogue.
    pub catalogue: &'a Catalogue,
    /// How to read the sector's export.
    pub options: &'a ExportOptions,
}

impl Discloser<'_> {
    /// Checks the receipt for this sector at `now` against the consent state, then reads the sector's export and seals
    /// the services of the receipt's person that are ongoing on `ongoing_on` for the plan team.
    #[allow(clippy::too_many_arguments)]
    pub fn disclose(
        &self,
        receipt: &Receipt,
        state: &FreshState,
        receipt_file: &str,
        export: impl Read + 'static,
        export_name: &str,
        now: OffsetDateTime,
        ongoing_on: Date,
    ) -> Result<Bundle> {
        receipt.check(self.registry, state, self.sector, now, receipt_file)?;
        let municipality = receipt.municipality;
        if self.subject.municipality() != municipality
            || self.plan_team.municipality() != municipality
        {
            return Err(Error::parameter(Rule::KeyMismatch));
        }
        let mut rows = ExportReader::new(export, export_name, self.options, ongoing_on)?;
        let mut services = Vec::new();
        while let Some(row) = rows.next_row() {
            let Ok(row) = row? else { continue };
            if !receipt.concerns(self.subject, &row.cpr) {
                continue;
            }
            if let Ok(service) = ongoing_service(self.catalogue, self.sector, ongoing_on, &row) {
                services.push(DisclosedService {
                    code: service.code.clone(),
                    law: service.law.clone(),
                    paragraph: service.paragraph.clone(),
                    name: service.name.clone(),
                    caseworker: row.caseworker.clone(),
                    case_ref: row.case_ref.clone(),
                    goal: row.goal.clone(),
                    start: row.start.to_string(),
                });
            }
        }
        if services.is_empty() {
            return Err(Error::input(receipt_file, 0, Rule::ConsentOtherPerson));
        }
        let disclosure = Disclosure {
            format: "samkoer-disclosure".into(),
            receipt: receipt.id_hex(),
            municipality: receipt.municipality.to_string(),
            sector: self.sector.to_string(),
            services,
        };
        // Plain strings: serialising cannot fail.
        let plaintext = Zeroizing::new(serde_json::to_vec(&disclosure).unwrap_or_default());
        let public =
            <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(self.plan_team.expose_secret())
                .map_err(|_| Error::parameter(Rule::KeyMismatch))?;
        let header = BundleHeader {
            receipt: receipt.id,
            sector: self.sector.clone(),
            author: Author::at(self.signing, self.log_head),
        };
        let mut bundle = header.to_bytes();
        let (encapped, ciphertext) =
            hpke::single_shot_seal::<AesGcm256, HkdfSha256, X25519HkdfSha256>(
                &OpModeS::Base,
                &public,
                labels::DISCLOSURE,
                &plaintext,
                &bundle,
            )
            .map_err(|_| Error::Random)?;
        bundle.extend_from_slice(&encapped.to_bytes());
        bundle.extend_from_slice(&ciphertext);
        let signature = self.signing.sign(labels::BUNDLE_SIGNATURE, &bundle);
        bundle.extend_from_slice(&signature);
        Ok(Bundle {
            bytes: bundle,
            services: disclosure.services.len() as u64,
        })
    }
}

/// What a bundle must answer: the citizen's receipt (already verified as the registry's),
/// and each consented sector's public signing key.
pub struct Answering<'a> {
    /// The receipt the bundles answer.
    pub receipt: &'a Receipt,
    /// The public keys of the sectors, by sector.
    pub sectors: &'a [SectorPublicKey],
}

/// Opens a disclosure bundle with the plan team's key, once it has checked whom it is from
/// and what it answers: signed by the public key given for the sector it names
/// (`disclosure-signature`), for `answering`'s receipt and a sector in its scope
/// (`disclosure-receipt`). Any other key, or any changed byte, gives `open-failed`.
pub fn open_disclosure(
    bundle: &[u8],
    plan_team: &PlanTeamKey,
    answering: &Answering<'_>,
    file: &str,
) -> Result<Disclosure> {
    let malformed = || Error::input(file, 0, Rule::DisclosureFormat);
    let parts = signed_parts(bundle, file)?;
    let header = &parts.header;
    let receipt = answering.receipt;
    if header.receipt != receipt.id || !receipt.sectors.contains(&header.sector) {
        return Err(Error::input(file, 0, Rule::DisclosureReceipt));
    }
    let key = answering
        .sectors
        .iter()
        .find(|k| k.sector() == &header.sector && k.municipality() == receipt.municipality);
    match key {
        Some(key) if key.signer() == header.author.signer => {}
        Some(_) => return Err(Error::input(file, 0, Rule::DisclosureSignature)),
        None => {
            let detail = format!("no public key of sector {} was given", header.sector);
            return Err(Error::input_owned(
                file,
                0,
                Rule::DisclosureSignature,
                detail,
            ));
        }
    }
    let encapped = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(parts.encapped)
        .map_err(|_| malformed())?;
    let (private, _) = X25519HkdfSha256::derive_keypair(plan_team.expose_secret());
    let plaintext = hpke::single_shot_open::<AesGcm256, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &private,
        &encapped,
        labels::DISCLOSURE,
        parts.ciphertext,
        parts.associated_data,
    )
    .map(Zeroizing::new)
    .map_err(|_| Error::OpenFailedIn {
        file: file.to_owned(),
        record: 0,
    })?;
    let disclosure: Disclosure = serde_json::from_slice(&plaintext).map_err(|_| malformed())?;
    if disclosure.receipt != hex::encode(header.receipt)
        || disclosure.sector != header.sector.as_str()
    {
        return Err(malformed());
    }
    Ok(disclosure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::receipt::{Consent, issue_with_id, registry_public_key};
    use crate::consent::state::{ConsentState, Freshness, issue_state};
    use crate::primitives::cpr::Cpr;
    use crate::primitives::ids::MunicipalityCode;
    use crate::primitives::keys::{ConsentRegistryKey, SealingKey};
    use time::macros::{date, datetime};

    /// A disclosure needs the subject key and the plan team's key of the receipt's
    /// municipality: either of another is refused.
    #[test]
    fn a_key_of_another_municipality_is_refused() {
        let town = MunicipalityCode::new(219).unwrap();
        let neighbour = MunicipalityCode::new(101).unwrap();
        let registry = ConsentRegistryKey::from_bytes(town, [60; 32]);
        let public = registry_public_key(&registry);
        let employment = SectorCode::new("employment").unwrap();
        let cpr = Cpr::parse_undated("0101901234", "test", 1).unwrap();
        let subject = SubjectKey::from_bytes(town, [90; 32]);
        let now = datetime!(2026-12-01 9:00 UTC);
        let consent = Consent {
            cpr: &cpr,
            sectors: std::slice::from_ref(&employment),
            issued_at: now,
            valid_from: now,
            valid_until: datetime!(2027-12-01 9:00 UTC),
        };
        let receipt_bytes =
            issue_with_id(&registry, &subject, &consent, Head::EMPTY, [7; 16]).unwrap();
        let receipt = Receipt::parse(&receipt_bytes, "r").unwrap();
        let state = issue_state(&registry, 1, now, &Default::default()).unwrap();
        let freshness = Freshness {
            now,
            max_age: 60,
            seen: None,
        };
        let fresh = ConsentState::parse(&state, "s")
            .unwrap()
            .check(&public, &freshness, "s")
            .unwrap();
        let signing =
            PartySigningKey::of(&SealingKey::from_bytes(town, employment.clone(), [30; 32]));
        let (options, catalogue) = (ExportOptions::default(), Catalogue::builtin());
        let disclose = |subject: &SubjectKey, plan_team: &PlanTeamKey| {
            let plan_team = plan_team_public_key(plan_team);
            let discloser = Discloser {
                registry: &public,
                subject,
                sector: &employment,
                signing: &signing,
                log_head: Head::EMPTY,
                plan_team: &plan_team,
                catalogue,
                options: &options,
            };
            let export = "cpr;service;status;start\n0101901234;EMP-MENTOR;active;2025-01-15\n";
            discloser
                .disclose(
                    &receipt,
                    &fresh,
                    "r",
                    std::io::Cursor::new(export),
                    "export.csv",
                    now,
                    date!(2026 - 12 - 01),
                )
                .map(|bundle| bundle.services)
                .map_err(|e| e.rule())
        };
        let plan_team = PlanTeamKey::from_bytes(town, [120; 32]);
        assert_eq!(disclose(&subject, &plan_team), Ok(1));
        let (other_subject, other_plan_team) = (
            SubjectKey::from_bytes(neighbour, [90; 32]),
            PlanTeamKey::from_bytes(neighbour, [120; 32]),
        );
        assert_eq!(
            disclose(&subject, &other_plan_team),
            Err(Some(Rule::KeyMismatch))
        );
        assert_eq!(
            disclose(&other_subject, &plan_team),
            Err(Some(Rule::KeyMismatch))
        );
    }

    #[test]
    fn a_version_1_bundle_is_told_to_be_disclosed_again() {
        for (version, told) in [(1u16, true), (3, false)] {
            let mut bundle = MAGIC.to_vec();
            bundle.extend_from_slice(&version.to_be_bytes());
            bundle.extend_from_slice(&[0; 200]);
            let Err(error) = signed_parts(&bundle, "b.bundle") else {
                panic!("version {version} read");
            };
            assert_eq!(error.rule(), Some(Rule::DisclosureFormat));
            let shown = error.to_string();
            assert_eq!(
                shown.ends_with(
                    "[a version 1 bundle is not signed: ask the sector to disclose again]"
                ),
                told,
                "{shown}"
            );
        }
    }
}
