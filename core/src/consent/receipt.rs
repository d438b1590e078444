//! Consent receipts and withdrawals (spec §14).
//!
//! The municipality's consent registry issues a receipt for one person, a set of sectors and a
//! validity period, signed with Ed25519 so that any sector verifies it offline and nobody
//! without the registry's key can issue or alter one. The receipt names its person by a tag —
//! HMAC-SHA256 under the subject key, which the registry and the sectors hold — never by the
//! CPR, so a sector checks that it concerns its own citizen by tagging its citizens. A signed
//! withdrawal ends the consent from its time on; the registry lists every withdrawal in its
//! consent state ([`crate::consent::state`]), which every sector checks receipts against.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::audit::{AUTHOR_LEN, Author, Head};
use crate::consent::state::FreshState;
use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::primitives::cpr::Cpr;
use crate::primitives::ids::{MunicipalityCode, SectorCode};
use crate::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, SubjectKey, push_short,
};
use crate::primitives::labels;
use crate::primitives::signing::{PartySigningKey, SignerKey};

/// The first eight bytes of a receipt.
pub const RECEIPT_MAGIC: &[u8; 8] = b"SAMKORCP";
/// The first eight bytes of a withdrawal.
pub const WITHDRAWAL_MAGIC: &[u8; 8] = b"SAMKOWDR";
/// The receipt's format version: 2 names its author (spec §14.2).
pub const RECEIPT_VERSION: u16 = 2;
/// The withdrawal's format version.
pub const WITHDRAWAL_VERSION: u16 = 1;

/// The subject tag of a person: HMAC-SHA256(subject key, label ‖ ten digits).
pub fn subject_tag(key: &SubjectKey, cpr: &Cpr) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(labels::CONSENT_SUBJECT);
    mac.update(cpr.expose_digits());
    mac.finalize().into_bytes().into()
}

/// The registry's public key, from its signing key.
pub fn registry_public_key(key: &ConsentRegistryKey) -> ConsentRegistryPublicKey {
    let signing = SigningKey::from_bytes(key.expose_secret());
    ConsentRegistryPublicKey::from_bytes(key.municipality(), signing.verifying_key().to_bytes())
}

pub(crate) fn seconds(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp()).unwrap_or(0)
}

/// A consent receipt, parsed; [`Receipt::check`] verifies it for a sector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The receipt's random id.
    pub id: [u8; 16],
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The person's subject tag.
    pub subject: [u8; 32],
    /// When it was issued (Unix seconds).
    pub issued_at: u64,
    /// From when it is valid (Unix seconds).
    pub valid_from: u64,
    /// Until when it is valid, exclusive (Unix seconds).
    pub valid_until: u64,
    /// The sectors the consent covers.
    pub sectors: Vec<SectorCode>,
    /// Its author: the registry's key and audit-log head when it was issued (§16.3).
    pub author: Author,
    signed: Vec<u8>,
    signature: [u8; 64],
}

/// A signed withdrawal of a receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    /// The receipt withdrawn.
    pub receipt: [u8; 16],
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// From when (Unix seconds).
    pub at: u64,
    signed: Vec<u8>,
    signature: [u8; 64],
    /// The file it was read from, named when it does not verify.
    file: String,
}

/// What the registry needs to issue a receipt.
pub struct Consent<'a> {
    /// The person.
    pub cpr: &'a Cpr,
    /// The sectors in scope.
    pub sectors: &'a [SectorCode],
    /// When the consent was given.
    pub issued_at: OffsetDateTime,
    /// From when it is valid.
    pub valid_from: OffsetDateTime,
    /// Until when it is valid (exclusive).
    pub valid_until: OffsetDateTime,
}

pub(crate) fn sign(registry: &ConsentRegistryKey, label: &[u8], mut bytes: Vec<u8>) -> Vec<u8> {
    let signature = PartySigningKey::of_registry(registry).sign(label, &bytes);
    bytes.extend_from_slice(&signature);
    bytes
}

/// Issues a receipt (in the consent registry), naming `log_head`, the registry's audit-log
/// head before the step, as its author's.
pub fn issue(
    registry: &ConsentRegistryKey,
    subject: &SubjectKey,
    consent: &Consent<'_>,
    log_head: Head,
) -> Result<Vec<u8>> {
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|_| Error::Random)?;
    issue_with_id(registry, subject, consent, log_head, id)
}

/// Issues a receipt with a given id. Only for test vectors: ids must be random.
pub fn issue_with_id(
    registry: &ConsentRegistryKey,
    subject: &SubjectKey,
    consent: &Consent<'_>,
    log_head: Head,
    id: [u8; 16],
) -> Result<Vec<u8>> {
    let invalid = || Error::parameter(Rule::ConsentRequest);
    if subject.municipality() != registry.municipality()
        || consent.sectors.is_empty()
        || consent.sectors.len() > 64
        || consent.valid_until <= consent.valid_from
    {
        return Err(invalid());
    }
    let mut bytes = RECEIPT_MAGIC.to_vec();
    bytes.extend_from_slice(&RECEIPT_VERSION.to_be_bytes());
    bytes.extend_from_slice(&id);
    bytes.extend_from_slice(&registry.municipality().get().to_be_bytes());
    bytes.extend_from_slice(&subject_tag(subject, consent.cpr));
    for at in [consent.issued_at, consent.valid_from, consent.valid_until] {
        bytes.extend_from_slice(&seconds(at).to_be_bytes());
    }
    bytes.push(consent.sectors.len() as u8);
    for sector in consent.sectors {
        push_short(&mut bytes, sector.as_str());
    }
    let author = Author::at(&PartySigningKey::of_registry(registry), log_head);
    bytes.extend_from_slice(&author.to_bytes());
    Ok(sign(registry, labels::CONSENT_RECEIPT, bytes))
}

/// Withdraws a receipt from `at` on (in the consent registry).
pub fn withdraw(registry: &ConsentRegistryKey, receipt: &Receipt, at: OffsetDateTime) -> Vec<u8> {
    let mut bytes = WITHDRAWAL_MAGIC.to_vec();
    bytes.extend_from_slice(&WITHDRAWAL_VERSION.to_be_bytes());
    bytes.extend_from_slice(&receipt.id);
    bytes.extend_from_slice(&registry.municipality().get().to_be_bytes());
    bytes.extend_from_slice(&seconds(at).to_be_bytes());
    sign(registry, labels::CONSENT_WITHDRAWAL, bytes)
}

/// Reads fixed fields off the front of a byte string.
pub(crate) struct Fields<'a>(pub(crate) &'a [u8]);

impl<'a> Fields<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_be_bytes)
    }
}

pub(crate) fn verify(
    public: &ConsentRegistryPublicKey,
    label: &[u8],
    signed: &[u8],
    signature: &[u8; 64],
    file: &str,
) -> Result<()> {
    let forged = || Error::input(file, 0, Rule::ConsentSignature);
    let key = VerifyingKey::from_bytes(public.expose_secret()).map_err(|_| forged())?;
    key.verify_strict(&[label, signed].concat(), &Signature::from_bytes(signature))
        .map_err(|_| forged())
}

impl Receipt {
    /// Parses a receipt's bytes; `file` names it in errors. A version 1 receipt (which names
    /// no author) is `consent-format`, saying so.
    pub fn parse(bytes: &[u8], file: &str) -> Result<Receipt> {
        kind::expect(bytes, Kind::Receipt, file)?;
        if bytes.get(8..10) == Some(&1u16.to_be_bytes()[..]) {
            return Err(Error::input_detail(
                file,
                0,
                Rule::ConsentFormat,
                Some(
                    "a version 1 receipt names no author: ask the consent registry to issue it again",
                ),
            ));
        }
        let parsed = || -> Option<Receipt> {
            let signed_len = bytes.len().checked_sub(64)?;
            let mut f = Fields(&bytes[..signed_len]);
            if f.take(8)? != RECEIPT_MAGIC || u16::from_be_bytes(f.array()?) != RECEIPT_VERSION {
                return None;
            }
            let id = f.array()?;
            let municipality = MunicipalityCode::new(u16::from_be_bytes(f.array()?)).ok()?;
            let subject = f.array()?;
            let (issued_at, valid_from, valid_until) = (f.u64()?, f.u64()?, f.u64()?);
            let count = f.array::<1>()?[0];
            let mut sectors = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                let len = usize::from(f.array::<1>()?[0]);
                sectors.push(SectorCode::new(std::str::from_utf8(f.take(len)?).ok()?).ok()?);
            }
            let author = Author::from_bytes(&f.array::<AUTHOR_LEN>()?);
            let valid = f.0.is_empty() && count > 0 && valid_from < valid_until;
            valid.then(|| Receipt {
                id,
                municipality,
                subject,
                issued_at,
                valid_from,
                valid_until,
                sectors,
                author,
                signed: bytes[..signed_len].to_vec(),
                signature: bytes[signed_len..].try_into().unwrap_or([0; 64]),
            })
        };
        parsed().ok_or_else(|| Error::input(file, 0, Rule::ConsentFormat))
    }

    /// The receipt's id as hex.
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// Checks the receipt for `sector` at `now`: signed by the registry, of its municipality,
    /// valid now, naming the sector, and not withdrawn in the consent state (which
    /// [`ConsentState::check`] made fresh) from a time at or before now.
    ///
    /// [`ConsentState::check`]: crate::consent::state::ConsentState::check
    pub fn check(
        &self,
        registry: &ConsentRegistryPublicKey,
        state: &FreshState,
        sector: &SectorCode,
        now: OffsetDateTime,
        file: &str,
    ) -> Result<()> {
        self.verify(registry, file)?;
        let now = seconds(now);
        let rule = if now < self.valid_from {
            Some(Rule::ConsentNotYetValid)
        } else if now >= self.valid_until {
            Some(Rule::ConsentExpired)
        } else if !self.sectors.contains(sector) {
            Some(Rule::ConsentScope)
        } else if state
            .withdrawn_from(&self.id)
            .is_some_and(|from| from <= now)
        {
            Some(Rule::ConsentWithdrawn)
        } else {
            None
        };
        match rule {
            Some(rule) => Err(Error::input(file, 0, rule)),
            None => Ok(()),
        }
    }

    /// Verifies that the registry issued the receipt: its signature under the registry's key,
    /// which its author must name, and the registry's municipality.
    pub fn verify(&self, registry: &ConsentRegistryPublicKey, file: &str) -> Result<()> {
        verify(
            registry,
            labels::CONSENT_RECEIPT,
            &self.signed,
            &self.signature,
            file,
        )?;
        if self.municipality != registry.municipality()
            || self.author.signer != SignerKey(*registry.expose_secret())
        {
            return Err(Error::input(file, 0, Rule::ConsentSignature));
        }
        Ok(())
    }

    /// Whether the receipt's signature verifies under the key its author names: the evidence
    /// that whoever holds that key issued it (§16.3).
    pub fn signed_by_its_author(&self) -> bool {
        self.author
            .signer
            .verifies(labels::CONSENT_RECEIPT, &self.signed, &self.signature)
    }

    /// Whether the receipt concerns this person (constant-time comparison of tags).
    pub fn concerns(&self, subject: &SubjectKey, cpr: &Cpr) -> bool {
        bool::from(subject_tag(subject, cpr).ct_eq(&self.subject))
    }
}

impl Withdrawal {
    /// Verifies the withdrawal's signature under the registry's key, and that it is of the
    /// registry's municipality (the registry checks this before it lists the withdrawal in a
    /// consent state).
    pub fn verify(&self, registry: &ConsentRegistryPublicKey) -> Result<()> {
        verify(
            registry,
            labels::CONSENT_WITHDRAWAL,
            &self.signed,
            &self.signature,
            &self.file,
        )?;
        if self.municipality != registry.municipality() {
            return Err(Error::input(&self.file, 0, Rule::ConsentSignature));
        }
        Ok(())
    }

    /// Parses a withdrawal's bytes (its signature is checked where it is used).
    pub fn parse(bytes: &[u8], file: &str) -> Result<Withdrawal> {
        kind::expect(bytes, Kind::Withdrawal, file)?;
        let parsed = || -> Option<Withdrawal> {
            let signed_len = bytes.len().checked_sub(64)?;
            let mut f = Fields(&bytes[..signed_len]);
            if f.take(8)? != WITHDRAWAL_MAGIC
                || u16::from_be_bytes(f.array()?) != WITHDRAWAL_VERSION
            {
                return None;
            }
            let receipt = f.array()?;
            let municipality = MunicipalityCode::new(u16::from_be_bytes(f.array()?)).ok()?;
            let at = f.u64()?;
            f.0.is_empty().then(|| Withdrawal {
                receipt,
                municipality,
                at,
                signed: bytes[..signed_len].to_vec(),
                signature: bytes[signed_len..].try_into().unwrap_or([0; 64]),
                file: file.to_owned(),
            })
        };
        parsed().ok_or_else(|| Error::input(file, 0, Rule::ConsentFormat))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn town() -> MunicipalityCode {
        MunicipalityCode::new(219).unwrap()
    }

    fn keys() -> (ConsentRegistryKey, ConsentRegistryPublicKey, SubjectKey) {
        let registry = ConsentRegistryKey::from_bytes(town(), [1; 32]);
        let public = registry_public_key(&registry);
        (registry, public, SubjectKey::from_bytes(town(), [2; 32]))
    }

    fn sectors() -> Vec<SectorCode> {
        vec![
            SectorCode::new("employment").unwrap(),
            SectorCode::new("adult-social").unwrap(),
        ]
    }

    fn receipt() -> Vec<u8> {
        let (registry, _, subject) = keys();
        let cpr = Cpr::parse_undated("0101901234", "test", 1).unwrap();
        let consent = Consent {
            cpr: &cpr,
            sectors: &sectors(),
            issued_at: datetime!(2026-11-20 10:00 UTC),
            valid_from: datetime!(2026-11-20 10:00 UTC),
            valid_until: datetime!(2027-11-20 10:00 UTC),
        };
        issue_with_id(&registry, &subject, &consent, Head::EMPTY, [9; 16]).unwrap()
    }

    const NOW: OffsetDateTime = datetime!(2026-12-01 9:00 UTC);

    /// Checks the receipt against a fresh consent state listing `withdrawn` (id, from).
    fn check(
        bytes: &[u8],
        sector: &str,
        now: OffsetDateTime,
        withdrawn: &[([u8; 16], u64)],
    ) -> Result<()> {
        use crate::consent::state::{ConsentState, Freshness, issue_state};
        let (registry, public, _) = keys();
        let list = withdrawn.iter().copied().collect();
        let state = issue_state(&registry, 1, now, &list)?;
        let state = ConsentState::parse(&state, "s")?;
        let freshness = Freshness {
            now,
            max_age: 3600,
            seen: None,
        };
        let fresh = state.check(&public, &freshness, "s")?;
        Receipt::parse(bytes, "r")?.check(
            &public,
            &fresh,
            &SectorCode::new(sector).unwrap(),
            now,
            "r",
        )
    }

    /// A receipt verifies as the registry's only under its key of its own municipality, and
    /// only when its author names that key: signed by the registry, a receipt naming another
    /// author is refused, and so is the same key given for another municipality.
    #[test]
    fn a_receipt_verifies_only_under_its_registry_of_its_municipality_as_its_author() {
        let (registry, public, _) = keys();
        let bytes = receipt();
        assert!(
            Receipt::parse(&bytes, "r")
                .unwrap()
                .verify(&public, "r")
                .is_ok()
        );
        let elsewhere = ConsentRegistryPublicKey::from_bytes(
            MunicipalityCode::new(101).unwrap(),
            *public.expose_secret(),
        );
        let refused = |receipt: &Receipt, key: &ConsentRegistryPublicKey| {
            receipt.verify(key, "r").unwrap_err().rule()
        };
        let receipt = Receipt::parse(&bytes, "r").unwrap();
        assert_eq!(refused(&receipt, &elsewhere), Some(Rule::ConsentSignature));
        // The author's signer replaced by another key, signed again by the registry.
        let mut signed = bytes[..bytes.len() - 64].to_vec();
        let author_at = signed.len() - AUTHOR_LEN;
        signed[author_at..author_at + 32].copy_from_slice(&[0x42; 32]);
        let other_author =
            Receipt::parse(&sign(&registry, labels::CONSENT_RECEIPT, signed), "r").unwrap();
        assert_eq!(
            refused(&other_author, &public),
            Some(Rule::ConsentSignature)
        );
    }

    /// Evidence of the registry's log: a receipt's signature verifies under the signer its
    /// author names, and an altered one does not.
    #[test]
    fn a_receipt_is_signed_by_its_author_until_altered() {
        let bytes = receipt();
        assert!(Receipt::parse(&bytes, "r").unwrap().signed_by_its_author());
        let mut altered = bytes.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(
            !Receipt::parse(&altered, "r")
                .unwrap()
                .signed_by_its_author()
        );
    }

    #[test]
    fn a_receipt_is_valid_for_its_sectors_and_its_person_only() {
        let bytes = receipt();
        assert!(check(&bytes, "employment", NOW, &[]).is_ok());
        assert_eq!(
            check(&bytes, "health-elderly", NOW, &[])
                .unwrap_err()
                .class(),
            "consent-scope"
        );
        assert_eq!(
            check(&bytes, "employment", datetime!(2027-11-20 10:00 UTC), &[])
                .unwrap_err()
                .class(),
            "consent-expired"
        );
        assert_eq!(
            check(&bytes, "employment", datetime!(2026-11-20 9:59 UTC), &[])
                .unwrap_err()
                .class(),
            "consent-not-yet-valid"
        );
        let (_, _, subject) = keys();
        let parsed = Receipt::parse(&bytes, "r").unwrap();
        assert!(parsed.concerns(
            &subject,
            &Cpr::parse_undated("010190-1234", "test", 1).unwrap()
        ));
        assert!(!parsed.concerns(
            &subject,
            &Cpr::parse_undated("0101901235", "test", 1).unwrap()
        ));
        assert!(
            !bytes.windows(10).any(|w| w == b"0101901234"),
            "no CPR in clear"
        );
    }

    #[test]
    fn a_withdrawal_in_the_state_is_honoured_from_its_time_on_exactly() {
        let bytes = receipt();
        let from = datetime!(2026-11-25 0:00 UTC);
        let listed = [([9; 16], seconds(from))];
        assert_eq!(
            check(&bytes, "employment", from, &listed)
                .unwrap_err()
                .class(),
            "consent-withdrawn",
            "withdrawn from its time on"
        );
        assert!(check(&bytes, "employment", from - time::Duration::SECOND, &listed).is_ok());
        assert!(
            check(&bytes, "employment", NOW, &[([0xee; 16], 0)]).is_ok(),
            "a withdrawal of another receipt is not looked at"
        );
    }

    #[test]
    fn a_withdrawal_verifies_only_under_the_registry_key() {
        let (registry, public, _) = keys();
        let parsed = Receipt::parse(&receipt(), "r").unwrap();
        let at = datetime!(2026-11-25 0:00 UTC);
        let genuine = Withdrawal::parse(&withdraw(&registry, &parsed, at), "w").unwrap();
        assert!(genuine.verify(&public).is_ok());
        let impostor = ConsentRegistryKey::from_bytes(town(), [7; 32]);
        let forged = Withdrawal::parse(&withdraw(&impostor, &parsed, at), "w").unwrap();
        let refused = forged.verify(&public).unwrap_err();
        assert_eq!(refused.class(), "consent-signature");
        assert!(refused.to_string().starts_with("w, line 0: "), "{refused}");
    }

    #[test]
    fn a_receipt_signed_by_anyone_else_is_refused() {
        let (_, _, subject) = keys();
        let impostor = ConsentRegistryKey::from_bytes(town(), [7; 32]);
        let cpr = Cpr::parse_undated("0101901234", "test", 1).unwrap();
        let consent = Consent {
            cpr: &cpr,
            sectors: &sectors(),
            issued_at: NOW,
            valid_from: datetime!(2026-11-01 0:00 UTC),
            valid_until: datetime!(2027-11-01 0:00 UTC),
        };
        let forged = issue(&impostor, &subject, &consent, Head::EMPTY).unwrap();
        assert_eq!(
            check(&forged, "employment", NOW, &[]).unwrap_err().class(),
            "consent-signature"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn any_altered_byte_is_refused(at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut bytes = receipt();
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
            prop_assert!(check(&bytes, "employment", NOW, &[]).is_err());
        }
    }
}
