//! Disclosure after consent (spec §15): a sector named in a valid, unexpired, unwithdrawn
//! receipt releases its ongoing services for the receipt's person, sealed for the plan team
//! with HPKE (RFC 9180: X25519, HKDF-SHA256, AES-256-GCM). A sector outside the receipt, an
//! expired or withdrawn receipt, or a receipt for someone else releases nothing, with the
//! reason as the error.

use std::fmt;
use std::io::Read;

use hpke::aead::AesGcm256;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::consent::receipt::Receipt;
use crate::consent::state::FreshState;
use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::catalogue::Catalogue;
use crate::formats::export::{ExportOptions, ExportReader};
use crate::primitives::ids::SectorCode;
use crate::primitives::keys::{
    ConsentRegistryPublicKey, PlanTeamKey, PlanTeamPublicKey, SubjectKey, push_short,
};
use crate::primitives::labels;
use crate::sector::publish::ongoing_service;

/// The first eight bytes of a disclosure bundle.
pub const MAGIC: &[u8; 8] = b"SAMKODSC";
/// The bundle format version.
pub const VERSION: u16 = 1;

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

/// The associated data binding a bundle to its receipt and sector.
fn associated_data(receipt: &[u8; 16], sector: &str) -> Vec<u8> {
    let mut ad = receipt.to_vec();
    push_short(&mut ad, sector);
    ad
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
        let ad = associated_data(&receipt.id, self.sector.as_str());
        let (encapped, ciphertext) = hpke::single_shot_seal::<
            AesGcm256,
            HkdfSha256,
            X25519HkdfSha256,
        >(
            &OpModeS::Base, &public, labels::DISCLOSURE, &plaintext, &ad
        )
        .map_err(|_| Error::Random)?;
        let mut bundle = MAGIC.to_vec();
        bundle.extend_from_slice(&VERSION.to_be_bytes());
        bundle.extend_from_slice(&receipt.id);
        push_short(&mut bundle, self.sector.as_str());
        bundle.extend_from_slice(&encapped.to_bytes());
        bundle.extend_from_slice(&ciphertext);
        Ok(Bundle {
            bytes: bundle,
            services: disclosure.services.len() as u64,
        })
    }
}

/// Opens a disclosure bundle with the plan team's key. Any other key, or any changed byte,
/// gives `open-failed`.
pub fn open_disclosure(bundle: &[u8], plan_team: &PlanTeamKey, file: &str) -> Result<Disclosure> {
    kind::expect(bundle, Kind::Bundle, file)?;
    let malformed = || Error::input(file, 0, Rule::DisclosureFormat);
    if bundle.get(..8) != Some(&MAGIC[..]) || bundle.get(8..10) != Some(&VERSION.to_be_bytes()[..])
    {
        return Err(malformed());
    }
    let receipt: [u8; 16] = bundle
        .get(10..26)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(malformed)?;
    let sector_len = usize::from(*bundle.get(26).ok_or_else(malformed)?);
    let sector = bundle
        .get(27..27 + sector_len)
        .and_then(|b| std::str::from_utf8(b).ok())
        .ok_or_else(malformed)?;
    let rest = &bundle[27 + sector_len..];
    let encapped = rest
        .get(..32)
        .and_then(|b| <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(b).ok())
        .ok_or_else(malformed)?;
    let (private, _) = X25519HkdfSha256::derive_keypair(plan_team.expose_secret());
    let plaintext = hpke::single_shot_open::<AesGcm256, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &private,
        &encapped,
        labels::DISCLOSURE,
        &rest[32..],
        &associated_data(&receipt, sector),
    )
    .map(Zeroizing::new)
    .map_err(|_| Error::OpenFailedIn {
        file: file.to_owned(),
        record: 0,
    })?;
    let disclosure: Disclosure = serde_json::from_slice(&plaintext).map_err(|_| malformed())?;
    if disclosure.receipt != hex::encode(receipt) || disclosure.sector != sector {
        return Err(malformed());
    }
    Ok(disclosure)
}
