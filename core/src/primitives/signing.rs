//! A party's signing key (spec §4.6): an Ed25519 key derived from the secret the party holds
//! anyway — a sector's sealing key, the custodian's master key, the registry's, the plan
//! team's or the matcher's key — so that each party holds one secret. A sector's publications
//! carry its public half, which authenticates its one-citizen check requests later; every
//! party signs its audit entries with it (§16).

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::primitives::keys::{
    ConsentRegistryKey, MasterKey, MatcherKey, PlanTeamKey, SealingKey, hkdf_secret,
};
use crate::primitives::labels;

/// The length of an Ed25519 public key.
pub const PUBLIC_LEN: usize = 32;
/// The length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// A party's Ed25519 signing key, derived from the party's own key (never stored on its own).
#[derive(Clone)]
pub struct PartySigningKey {
    signing: SigningKey,
}

impl PartySigningKey {
    /// The signing key of the sector whose sealing key this is: the Ed25519 seed is
    /// HKDF-SHA256 (salt [`labels::SECTOR_SIGNING_SALT`], the sealing secret, no info).
    pub fn of(sealing: &SealingKey) -> PartySigningKey {
        Self::derived(labels::SECTOR_SIGNING_SALT, sealing.expose_secret(), b"")
    }

    /// The key custodian's, from its master key.
    pub fn of_master(master: &MasterKey) -> PartySigningKey {
        Self::derived(
            labels::PARTY_SIGNING_SALT,
            master.expose_secret(),
            b"custodian",
        )
    }

    /// The consent registry's: its key itself, the Ed25519 seed its receipts, withdrawals and
    /// consent states are signed with — so that a receipt it hands on names the key its log is
    /// signed with (§16.3). Labels keep the messages apart.
    pub fn of_registry(registry: &ConsentRegistryKey) -> PartySigningKey {
        PartySigningKey {
            signing: SigningKey::from_bytes(registry.expose_secret()),
        }
    }

    /// The plan team's, from its key.
    pub fn of_plan_team(plan_team: &PlanTeamKey) -> PartySigningKey {
        Self::derived(
            labels::PARTY_SIGNING_SALT,
            plan_team.expose_secret(),
            b"plan-team",
        )
    }

    /// The central matcher's, from its key.
    pub fn of_matcher(matcher: &MatcherKey) -> PartySigningKey {
        Self::derived(
            labels::PARTY_SIGNING_SALT,
            matcher.expose_secret(),
            b"matcher",
        )
    }

    fn derived(salt: &[u8], secret: &[u8], info: &[u8]) -> PartySigningKey {
        // The seed is wiped when dropped, the key by ed25519-dalek's `zeroize` feature.
        let seed = hkdf_secret(salt, secret, info);
        PartySigningKey {
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

impl fmt::Debug for PartySigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartySigningKey")
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
        let key = PartySigningKey::of(&sealing(7, "employment"));
        let other = PartySigningKey::of(&sealing(8, "employment"));
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
        let a = PartySigningKey::of(&sealing(7, "employment")).public();
        assert_eq!(
            a,
            PartySigningKey::of(&sealing(7, "health-elderly")).public()
        );
        assert_ne!(a, PartySigningKey::of(&sealing(9, "employment")).public());
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
        let key = PartySigningKey::of(&sealing(7, "employment"));
        let shown = format!("{key:?}");
        assert!(shown.contains("<redacted>"));
        assert!(!shown.contains(&hex::encode(sealing(7, "employment").expose_secret())));
        // The public half's Debug is its hex, as displayed.
        let public = key.public();
        assert_eq!(format!("{public:?}"), format!("SignerKey({public})"));
    }
}
