//! A sector's signing key (spec §4.6): an Ed25519 key derived from its sealing key, so that a
//! sector holds one secret and every publication carries the public half that authenticates
//! what the sector signs later (its one-citizen check requests).

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::primitives::keys::{SealingKey, hkdf_secret};
use crate::primitives::labels;

/// The length of an Ed25519 public key.
pub const PUBLIC_LEN: usize = 32;
/// The length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// A sector's Ed25519 signing key, derived from its sealing key (never stored on its own).
#[derive(Clone)]
pub struct SectorSigningKey {
    signing: SigningKey,
}

impl SectorSigningKey {
    /// The signing key of the sector whose sealing key this is: the Ed25519 seed is
    /// HKDF-SHA256 (salt [`labels::SECTOR_SIGNING_SALT`], the sealing secret, no info).
    pub fn of(sealing: &SealingKey) -> SectorSigningKey {
        // The seed is wiped when dropped, the key by ed25519-dalek's `zeroize` feature.
        let seed = hkdf_secret(labels::SECTOR_SIGNING_SALT, sealing.expose_secret(), b"");
        SectorSigningKey {
            signing: SigningKey::from_bytes(seed.bytes()),
        }
    }

    /// The public half, as publications carry it (RFC 8032 §5.1.5).
    pub fn public(&self) -> SignerKey {
        SignerKey(self.signing.verifying_key().to_bytes())
    }

    /// Signs `label ‖ message` (pure Ed25519, RFC 8032 §5.1.6).
    pub fn sign(&self, label: &[u8], message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.signing.sign(&[label, message].concat()).to_bytes()
    }
}

impl fmt::Debug for SectorSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SectorSigningKey")
            .field("public", &self.public())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The public half of a signing key, as a publication's header carries it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignerKey(pub [u8; PUBLIC_LEN]);

impl SignerKey {
    /// Whether `signature` is this key's over `label ‖ message`, verified strictly (spec §14.2:
    /// small-order keys and `R`, and non-canonical `S`, fail).
    pub fn verifies(&self, label: &[u8], message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
        VerifyingKey::from_bytes(&self.0).is_ok_and(|key| {
            key.verify_strict(
                &[label, message].concat(),
                &Signature::from_bytes(signature),
            )
            .is_ok()
        })
    }
}

impl fmt::Display for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignerKey({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::ids::{MunicipalityCode, SectorCode};

    fn sealing(byte: u8, sector: &str) -> SealingKey {
        let municipality = MunicipalityCode::new(219).unwrap();
        SealingKey::from_bytes(municipality, SectorCode::new(sector).unwrap(), [byte; 32])
    }

    #[test]
    fn a_signature_verifies_only_under_its_key_label_and_message() {
        let key = SectorSigningKey::of(&sealing(7, "employment"));
        let other = SectorSigningKey::of(&sealing(8, "employment"));
        let signature = key.sign(b"label", b"message");
        assert!(key.public().verifies(b"label", b"message", &signature));
        assert!(!other.public().verifies(b"label", b"message", &signature));
        assert!(!key.public().verifies(b"label", b"massage", &signature));
        assert!(!key.public().verifies(b"lobel", b"message", &signature));
        let mut flipped = signature;
        flipped[63] ^= 1;
        assert!(!key.public().verifies(b"label", b"message", &flipped));
    }

    #[test]
    fn the_key_is_derived_from_the_sealing_secret_alone() {
        let a = SectorSigningKey::of(&sealing(7, "employment")).public();
        assert_eq!(
            a,
            SectorSigningKey::of(&sealing(7, "health-elderly")).public()
        );
        assert_ne!(a, SectorSigningKey::of(&sealing(9, "employment")).public());
    }

    #[test]
    fn a_small_order_key_verifies_nothing() {
        // The identity point: every signature "verifies" under it without strict checks.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let key = SignerKey(identity);
        let mut signature = [0u8; 64];
        signature[0] = 1;
        assert!(!key.verifies(b"", b"", &signature));
    }

    #[test]
    fn debug_shows_no_secret() {
        let key = SectorSigningKey::of(&sealing(7, "employment"));
        let shown = format!("{key:?}");
        assert!(shown.contains("<redacted>"));
        assert!(!shown.contains(&hex::encode(sealing(7, "employment").expose_secret())));
    }
}
