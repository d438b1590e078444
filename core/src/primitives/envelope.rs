//! Sealed envelopes: what a sector needs to find its own case again, readable by that sector
//! only (spec §6).
//!
//! An envelope is AES-256-GCM under a per-run key derived from the sector's sealing key, with a
//! fresh random nonce. The associated data binds it to the municipality, run, sector, service
//! code and pseudonym of its record, so it cannot be moved to another record, run or sector.
//! Opening fails with one opaque error whatever went wrong.

use std::fmt;

use aes_gcm::aead::{Aead, AeadInOut, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use time::{Date, Month};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result, Rule};
use crate::formats::catalogue::is_service_code;
use crate::primitives::cpr::Cpr;
use crate::primitives::ids::{MunicipalityCode, RunId, SectorCode};
use crate::primitives::keys::{SealingKey, hkdf_secret, push_short};
use crate::primitives::labels;
use crate::primitives::pseudonym::Pseudonym;

/// The envelope format version, the first byte of every envelope.
pub const ENVELOPE_VERSION: u8 = 1;
/// The length of the random nonce.
pub const NONCE_LEN: usize = 12;
/// The length of the authentication tag.
pub const TAG_LEN: usize = 16;
/// The longest case reference, caseworker or goal, in bytes of UTF-8.
pub const MAX_FIELD_LEN: usize = 4096;
/// The plaintext is padded with zeros to a multiple of this, so lengths leak little.
pub const PADDING_BLOCK: usize = 64;

/// What an envelope carries: what the owning sector needs to find its case.
///
/// Wiped on drop; `Debug` is redacted.
pub struct EnvelopeContent {
    /// The citizen's CPR number.
    pub cpr: Cpr,
    /// The sector's own case reference.
    pub case_ref: String,
    /// The caseworker responsible for the service.
    pub caseworker: String,
    /// The goal of the service.
    pub goal: String,
    /// The service's exact start date (the record itself has only the month).
    pub start: Date,
}

/// What sealing many envelopes keeps between them: a ChaCha20 generator seeded once from the
/// operating system for the nonces, so a large export makes one system call rather than one per
/// record (its nonces are as unpredictable, and as unlikely to repeat, as the operating
/// system's own), and a buffer for the associated data.
pub struct SealState {
    nonces: ChaCha20Rng,
    associated_data: Vec<u8>,
}

impl SealState {
    /// A state whose generator is seeded from the operating system's random number generator.
    pub fn from_os() -> Result<SealState> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|_| Error::Random)?;
        let state = SealState {
            nonces: ChaCha20Rng::from_seed(seed),
            associated_data: Vec::with_capacity(128),
        };
        seed.zeroize();
        Ok(state)
    }

    fn next_nonce(&mut self) -> [u8; NONCE_LEN] {
        let mut nonce = [0u8; NONCE_LEN];
        self.nonces.fill_bytes(&mut nonce);
        nonce
    }
}

impl fmt::Debug for SealState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealState(<redacted>)")
    }
}

/// An envelope's content borrowed from where it was read (the publisher's CSV buffer).
pub(crate) struct EnvelopeFields<'a> {
    pub(crate) cpr: &'a Cpr,
    pub(crate) case_ref: &'a str,
    pub(crate) caseworker: &'a str,
    pub(crate) goal: &'a str,
    pub(crate) start: Date,
}

impl EnvelopeFields<'_> {
    /// Appends the padded plaintext (spec §6.1); nothing on error.
    fn encode_into(&self, out: &mut Vec<u8>) -> std::result::Result<(), Rule> {
        let fields = [self.case_ref, self.caseworker, self.goal];
        if fields.iter().any(|f| f.len() > MAX_FIELD_LEN) {
            return Err(Rule::FieldTooLong);
        }
        if !(1800..=9999).contains(&self.start.year()) {
            return Err(Rule::DateInvalid);
        }
        let start = out.len();
        out.extend_from_slice(self.cpr.expose_digits());
        // Start dates come from the export, whose parser limits years to 1800..=9999.
        out.extend_from_slice(&(self.start.year() as u16).to_be_bytes());
        out.push(self.start.month() as u8);
        out.push(self.start.day());
        for field in fields {
            out.extend_from_slice(&(field.len() as u16).to_be_bytes());
            out.extend_from_slice(field.as_bytes());
        }
        let padded = start + (out.len() - start).div_ceil(PADDING_BLOCK) * PADDING_BLOCK;
        out.resize(padded, 0);
        Ok(())
    }
}

impl Drop for EnvelopeContent {
    fn drop(&mut self) {
        self.case_ref.zeroize();
        self.caseworker.zeroize();
        self.goal.zeroize();
    }
}

/// The texts are wiped by `Drop` above, the CPR number by its own drop; the start date is a
/// plain `Date`, which `zeroize` cannot reach.
impl ZeroizeOnDrop for EnvelopeContent {}

impl fmt::Debug for EnvelopeContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvelopeContent(<redacted>)")
    }
}

impl EnvelopeContent {
    /// The plaintext bytes (spec §6.3), or the rule a field breaks.
    fn encode(&self) -> std::result::Result<Vec<u8>, Rule> {
        let mut out = Vec::with_capacity(128);
        self.fields().encode_into(&mut out)?;
        Ok(out)
    }

    fn fields(&self) -> EnvelopeFields<'_> {
        EnvelopeFields {
            cpr: &self.cpr,
            case_ref: &self.case_ref,
            caseworker: &self.caseworker,
            goal: &self.goal,
            start: self.start,
        }
    }

    /// Parses plaintext bytes; only called on authenticated plaintext.
    fn decode(bytes: &[u8]) -> Option<EnvelopeContent> {
        let digits = std::str::from_utf8(bytes.get(..10)?).ok()?;
        let cpr = Cpr::check_undated(digits).ok()?;
        let year = u16::from_be_bytes(bytes.get(10..12)?.try_into().ok()?);
        let month = Month::try_from(*bytes.get(12)?).ok()?;
        let start = Date::from_calendar_date(i32::from(year), month, *bytes.get(13)?).ok()?;
        let mut rest = &bytes[14..];
        let mut field = || -> Option<String> {
            let len = usize::from(u16::from_be_bytes(rest.get(..2)?.try_into().ok()?));
            if len > MAX_FIELD_LEN {
                return None;
            }
            let text = String::from_utf8(rest.get(2..2 + len)?.to_vec()).ok()?;
            rest = &rest[2 + len..];
            Some(text)
        };
        let (case_ref, caseworker, goal) = (field()?, field()?, field()?);
        let content = EnvelopeContent {
            cpr,
            case_ref,
            caseworker,
            goal,
            start,
        };
        // Only the canonical encoding opens: padded with zeros to the next multiple of the
        // block, and no further.
        let canonical = bytes.len().is_multiple_of(PADDING_BLOCK)
            && rest.len() < PADDING_BLOCK
            && rest.iter().all(|&b| b == 0);
        canonical.then_some(content)
    }
}

/// One sector's envelope key for one run: seals and opens that sector's envelopes of that run.
///
/// The cipher's key schedule is wiped on drop (the `zeroize` feature of `aes-gcm`).
#[derive(ZeroizeOnDrop)]
pub struct EnvelopeKey {
    cipher: Aes256Gcm,
    #[zeroize(skip)]
    municipality: MunicipalityCode,
    #[zeroize(skip)]
    run: RunId,
    #[zeroize(skip)]
    sector: SectorCode,
}

impl fmt::Debug for EnvelopeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvelopeKey")
            .field("municipality", &self.municipality)
            .field("run", &self.run)
            .field("sector", &self.sector)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl EnvelopeKey {
    /// Derives the run's envelope key (spec §6.1): HKDF-SHA256 with salt
    /// [`labels::ENVELOPE_KEY_SALT`], the sealing key as input key material, and info =
    /// municipality (u16 big-endian) ‖ run id ‖ sector (each with a one-byte length).
    pub fn derive(sealing: &SealingKey, run: &RunId) -> EnvelopeKey {
        let mut info = sealing.municipality().get().to_be_bytes().to_vec();
        push_short(&mut info, run.as_str());
        push_short(&mut info, sealing.sector().as_str());
        let secret = hkdf_secret(labels::ENVELOPE_KEY_SALT, sealing.secret().bytes(), &info);
        let cipher = Aes256Gcm::new(secret.bytes().into());
        EnvelopeKey {
            cipher,
            municipality: sealing.municipality(),
            run: run.clone(),
            sector: sealing.sector().clone(),
        }
    }

    /// The associated data binding an envelope to its record (spec §6.2).
    fn associated_data(&self, service: &str, pseudonym: &Pseudonym) -> Vec<u8> {
        let mut ad = Vec::with_capacity(labels::ENVELOPE_AD.len() + 128);
        self.associated_data_into(service, pseudonym, &mut ad);
        ad
    }

    /// [`EnvelopeKey::associated_data`] into a buffer that is emptied first.
    fn associated_data_into(&self, service: &str, pseudonym: &Pseudonym, ad: &mut Vec<u8>) {
        ad.clear();
        ad.extend_from_slice(labels::ENVELOPE_AD);
        ad.push(ENVELOPE_VERSION);
        ad.extend_from_slice(&self.municipality.get().to_be_bytes());
        push_short(ad, self.run.as_str());
        push_short(ad, self.sector.as_str());
        push_short(ad, service);
        ad.extend_from_slice(&pseudonym.0);
    }

    /// Seals `content` for the record (`service`, `pseudonym`) with a fresh random nonce.
    pub fn seal(
        &self,
        service: &str,
        pseudonym: &Pseudonym,
        content: &EnvelopeContent,
    ) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| Error::Random)?;
        self.seal_with_nonce(service, pseudonym, content, nonce)
    }

    /// Seals like [`EnvelopeKey::seal`], appending the envelope to `out` and encrypting it
    /// there: the way to seal many, with no allocation per envelope.
    pub(crate) fn seal_into(
        &self,
        state: &mut SealState,
        service: &str,
        pseudonym: &Pseudonym,
        content: &EnvelopeFields<'_>,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if !is_service_code(service) {
            return Err(Error::parameter(Rule::EnvelopeContent));
        }
        let nonce = state.next_nonce();
        let start = out.len();
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&nonce);
        let plaintext_start = out.len();
        if content.encode_into(out).is_err() {
            out.truncate(start);
            return Err(Error::parameter(Rule::EnvelopeContent));
        }
        let mut aad = std::mem::take(&mut state.associated_data);
        self.associated_data_into(service, pseudonym, &mut aad);
        let sealed = self.cipher.encrypt_inout_detached(
            &Nonce::from(nonce),
            &aad,
            (&mut out[plaintext_start..]).into(),
        );
        state.associated_data = aad;
        match sealed {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(())
            }
            // AES-GCM encryption fails only for messages over 64 GiB; ours are under 13 KiB.
            Err(_) => {
                out.truncate(start);
                Err(Error::OpenFailed)
            }
        }
    }

    /// Seals with a given nonce. Only for test vectors: a nonce must never repeat under one
    /// key, so everything else calls [`EnvelopeKey::seal`].
    pub fn seal_with_nonce(
        &self,
        service: &str,
        pseudonym: &Pseudonym,
        content: &EnvelopeContent,
        nonce: [u8; NONCE_LEN],
    ) -> Result<Vec<u8>> {
        if !is_service_code(service) {
            return Err(Error::parameter(Rule::EnvelopeContent));
        }
        let mut plaintext = content
            .encode()
            .map_err(|_| Error::parameter(Rule::EnvelopeContent))?;
        let aad = self.associated_data(service, pseudonym);
        let sealed = self.cipher.encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &plaintext,
                aad: &aad,
            },
        );
        plaintext.zeroize();
        // AES-GCM encryption fails only for messages over 64 GiB; ours are under 13 KiB.
        let sealed = sealed.map_err(|_| Error::OpenFailed)?;
        let mut envelope = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        envelope.push(ENVELOPE_VERSION);
        envelope.extend_from_slice(&nonce);
        envelope.extend_from_slice(&sealed);
        Ok(envelope)
    }

    /// Opens an envelope of the record (`service`, `pseudonym`). Any other key, record, run or
    /// sector, and any changed byte, gives [`Error::OpenFailed`] and nothing else.
    pub fn open(
        &self,
        service: &str,
        pseudonym: &Pseudonym,
        envelope: &[u8],
    ) -> Result<EnvelopeContent> {
        let (&version, rest) = envelope.split_first().ok_or(Error::OpenFailed)?;
        if version != ENVELOPE_VERSION
            || rest.len() < NONCE_LEN + TAG_LEN
            || !is_service_code(service)
        {
            return Err(Error::OpenFailed);
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::OpenFailed)?;
        let aad = self.associated_data(service, pseudonym);
        let mut plaintext = self
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| Error::OpenFailed)?;
        let content = EnvelopeContent::decode(&plaintext);
        plaintext.zeroize();
        content.ok_or(Error::OpenFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn key(bytes: [u8; 32], sector: &str, run: &str) -> EnvelopeKey {
        let sealing = SealingKey::from_bytes(
            MunicipalityCode::new(219).unwrap(),
            SectorCode::new(sector).unwrap(),
            bytes,
        );
        EnvelopeKey::derive(&sealing, &RunId::new(run).unwrap())
    }

    fn content() -> EnvelopeContent {
        EnvelopeContent {
            cpr: Cpr::parse_undated("010190-1234", "test", 1).unwrap(),
            case_ref: "SAG-2026-0042".into(),
            caseworker: "Mette Hansen, tlf. 7200 1234".into(),
            goal: "Stabil bolig og ét fast behandlingstilbud".into(),
            start: date!(2025 - 03 - 14),
        }
    }

    const P: Pseudonym = Pseudonym([0x11; 32]);

    #[test]
    fn round_trip() {
        let k = key([1; 32], "adult-social", "2026-11");
        let sealed = k.seal("ADS-85", &P, &content()).unwrap();
        assert_eq!((sealed.len() - 1 - NONCE_LEN - TAG_LEN) % PADDING_BLOCK, 0);
        let opened = k.open("ADS-85", &P, &sealed).unwrap();
        assert_eq!(opened.cpr, content().cpr);
        assert_eq!(opened.case_ref, "SAG-2026-0042");
        assert_eq!(opened.goal, content().goal);
        assert_eq!(opened.start, date!(2025 - 03 - 14));
        assert_ne!(
            sealed,
            k.seal("ADS-85", &P, &content()).unwrap(),
            "fresh nonce each time"
        );
    }

    #[test]
    fn only_the_canonical_plaintext_decodes() {
        let c = content();
        let fields = EnvelopeFields {
            cpr: &c.cpr,
            case_ref: &c.case_ref,
            caseworker: &c.caseworker,
            goal: &c.goal,
            start: c.start,
        };
        let mut plaintext = Vec::new();
        fields.encode_into(&mut plaintext).unwrap();
        assert_eq!(plaintext.len() % PADDING_BLOCK, 0);
        assert!(EnvelopeContent::decode(&plaintext).is_some());
        let padding = plaintext.iter().rev().take_while(|&&b| b == 0).count();
        assert!(padding > 1, "the test content leaves padding to cut");
        // Short of the block by one byte, or a whole block more: not canonical.
        let short = &plaintext[..plaintext.len() - 1];
        let long = [plaintext.as_slice(), &[0; PADDING_BLOCK]].concat();
        let mut marked = plaintext.clone();
        *marked.last_mut().unwrap() = 1;
        for bad in [short, long.as_slice(), marked.as_slice()] {
            assert!(
                EnvelopeContent::decode(bad).is_none(),
                "{} bytes",
                bad.len()
            );
        }
        // Fields that fill their last block exactly take no padding: a block of zeros after
        // them is one too many.
        let aligned = (0..PADDING_BLOCK)
            .map(|n| {
                let goal = "x".repeat(n);
                let mut plaintext = Vec::new();
                EnvelopeFields {
                    goal: &goal,
                    ..fields
                }
                .encode_into(&mut plaintext)
                .unwrap();
                plaintext
            })
            .find(|plaintext| plaintext.last() != Some(&0))
            .unwrap();
        assert!(EnvelopeContent::decode(&aligned).is_some());
        let padded = [aligned.as_slice(), &[0; PADDING_BLOCK]].concat();
        assert!(EnvelopeContent::decode(&padded).is_none());
    }

    #[test]
    fn cannot_be_moved_or_opened_by_others() {
        let k = key([1; 32], "adult-social", "2026-11");
        let sealed = k.seal("ADS-85", &P, &content()).unwrap();
        let others = [
            key([2; 32], "adult-social", "2026-11"),
            key([1; 32], "employment", "2026-11"),
            key([1; 32], "adult-social", "2026-12"),
        ];
        for other in &others {
            assert!(matches!(
                other.open("ADS-85", &P, &sealed),
                Err(Error::OpenFailed)
            ));
        }
        assert!(matches!(
            k.open("ADS-83", &P, &sealed),
            Err(Error::OpenFailed)
        ));
        assert!(matches!(
            k.open("ADS-85", &Pseudonym([0x12; 32]), &sealed),
            Err(Error::OpenFailed)
        ));
        assert!(matches!(
            k.open("ADS-85", &P, &sealed[..20]),
            Err(Error::OpenFailed)
        ));
        assert!(matches!(k.open("ADS-85", &P, &[]), Err(Error::OpenFailed)));
        // Every envelope shorter than its version, nonce and tag, also one shorter than a nonce.
        for len in 0..1 + NONCE_LEN + TAG_LEN {
            assert!(
                matches!(k.open("ADS-85", &P, &sealed[..len]), Err(Error::OpenFailed)),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn over_long_fields_are_refused() {
        let k = key([1; 32], "adult-social", "r");
        let mut longest = content();
        longest.goal = "x".repeat(MAX_FIELD_LEN);
        let sealed = k.seal("ADS-85", &P, &longest).unwrap();
        assert_eq!(
            k.open("ADS-85", &P, &sealed).unwrap().goal.len(),
            MAX_FIELD_LEN
        );
        let mut long = content();
        long.goal = "x".repeat(MAX_FIELD_LEN + 1);
        let error = k.seal("ADS-85", &P, &long).unwrap_err();
        assert_eq!(error.rule(), Some(Rule::EnvelopeContent));
        assert_eq!(error.form(), Some(crate::error::Form::Parameter));
        assert_eq!(
            k.seal("ads 85", &P, &content()).unwrap_err().rule(),
            Some(Rule::EnvelopeContent)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_changed_byte_fails(flip_at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let k = key([1; 32], "adult-social", "2026-11");
            let mut sealed = k.seal("ADS-85", &P, &content()).unwrap();
            let at = flip_at.index(sealed.len());
            sealed[at] ^= 1 << bit;
            prop_assert!(matches!(k.open("ADS-85", &P, &sealed), Err(Error::OpenFailed)));
        }

        #[test]
        fn any_content_round_trips(case_ref in ".{0,40}", caseworker in ".{0,40}", goal in ".{0,200}") {
            let k = key([4; 32], "employment", "r");
            let mut c = content();
            c.case_ref = case_ref.clone();
            c.caseworker = caseworker.clone();
            c.goal = goal.clone();
            let opened = k.open("EMP-1", &P, &k.seal("EMP-1", &P, &c).unwrap()).unwrap();
            prop_assert_eq!((opened.case_ref.as_str(), opened.caseworker.as_str(), opened.goal.as_str()),
                (case_ref.as_str(), caseworker.as_str(), goal.as_str()));
        }
    }
}
