//! The consent state (spec §14.4): the registry's signed list of every withdrawal so far, with
//! a sequence number and the time it was issued, so that a sector that was never handed a
//! withdrawal still honours it.
//!
//! A sector discloses, or checks a receipt, only against a state that verifies under the
//! registry's key, is no older than the maximum age the municipality set, and is not older
//! (by sequence number) than a state the sector has already used.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::consent::receipt::{Fields, seconds, sign, verify};
use crate::error::{Error, Result, Rule};
use crate::primitives::ids::MunicipalityCode;
use crate::primitives::keys::{ConsentRegistryKey, ConsentRegistryPublicKey};
use crate::primitives::labels;

/// The first eight bytes of a consent state.
pub const STATE_MAGIC: &[u8; 8] = b"SAMKOCST";
/// The consent state's format version.
pub const STATE_VERSION: u16 = 1;
/// The bytes before the withdrawals: magic (8), version (2), municipality (2), sequence (8),
/// issued-at (8), count (4).
pub const HEADER_LEN: usize = 32;
/// The bytes of one withdrawal: the receipt id and the time it is withdrawn from.
pub const ENTRY_LEN: usize = 16 + 8;
/// How far in the future a state's issued-at may lie, for clocks that disagree (seconds).
pub const CLOCK_SKEW: u64 = 300;
/// The maximum age a municipality sets when it sets none (hours).
pub const DEFAULT_MAX_AGE_HOURS: u64 = 24;

/// A consent state, parsed; [`ConsentState::check`] verifies it for use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentState {
    /// The municipality.
    pub municipality: MunicipalityCode,
    /// The sequence number: strictly increasing per registry, from 1.
    pub sequence: u64,
    /// When it was issued (Unix seconds).
    pub issued_at: u64,
    /// Every withdrawal so far: receipt id and the time it is withdrawn from (Unix seconds),
    /// sorted strictly by receipt id.
    pub withdrawals: Vec<([u8; 16], u64)>,
    signed: Vec<u8>,
    signature: [u8; 64],
}

/// What a state is checked against before a sector relies on it.
#[derive(Clone, Copy, Debug)]
pub struct Freshness {
    /// Now.
    pub now: OffsetDateTime,
    /// The oldest a state may be (seconds since it was issued), as the municipality set it.
    pub max_age: u64,
    /// The highest sequence number this sector has already used, if it knows one.
    pub seen: Option<u64>,
}

/// A state that verified and is fresh: the only form a receipt is checked against.
#[derive(Clone, Debug)]
pub struct FreshState {
    state: ConsentState,
}

impl FreshState {
    /// From when the receipt is withdrawn, if it is.
    pub fn withdrawn_from(&self, receipt: &[u8; 16]) -> Option<u64> {
        self.state.withdrawn_from(receipt)
    }

    /// The state's sequence number.
    pub fn sequence(&self) -> u64 {
        self.state.sequence
    }
}

/// Signs a consent state (in the consent registry). `withdrawals` maps receipt ids to the time
/// each is withdrawn from; the map's order is the format's.
pub fn issue_state(
    registry: &ConsentRegistryKey,
    sequence: u64,
    issued_at: OffsetDateTime,
    withdrawals: &BTreeMap<[u8; 16], u64>,
) -> Result<Vec<u8>> {
    let full = || Error::parameter(Rule::ConsentStateFull);
    let count = u32::try_from(withdrawals.len()).map_err(|_| full())?;
    if sequence == 0 {
        return Err(full());
    }
    let mut bytes = Vec::with_capacity(HEADER_LEN + ENTRY_LEN * withdrawals.len() + 64);
    bytes.extend_from_slice(STATE_MAGIC);
    bytes.extend_from_slice(&STATE_VERSION.to_be_bytes());
    bytes.extend_from_slice(&registry.municipality().get().to_be_bytes());
    bytes.extend_from_slice(&sequence.to_be_bytes());
    bytes.extend_from_slice(&seconds(issued_at).to_be_bytes());
    bytes.extend_from_slice(&count.to_be_bytes());
    for (id, from) in withdrawals {
        bytes.extend_from_slice(id);
        bytes.extend_from_slice(&from.to_be_bytes());
    }
    Ok(sign(registry, labels::CONSENT_STATE, bytes))
}

impl ConsentState {
    /// Parses a state's bytes (its signature is checked by [`ConsentState::verify`]); `file`
    /// names it in errors. The length must be exactly that of its count of withdrawals, and
    /// the receipt ids strictly increasing.
    pub fn parse(bytes: &[u8], file: &str) -> Result<ConsentState> {
        let parsed = || -> Option<ConsentState> {
            let signed_len = bytes.len().checked_sub(64)?;
            let mut f = Fields(&bytes[..signed_len]);
            if f.take(8)? != STATE_MAGIC || u16::from_be_bytes(f.array()?) != STATE_VERSION {
                return None;
            }
            let municipality = MunicipalityCode::new(u16::from_be_bytes(f.array()?)).ok()?;
            let (sequence, issued_at) = (f.u64()?, f.u64()?);
            let count = u32::from_be_bytes(f.array()?) as usize;
            // Exact length, checked before anything is allocated for the count.
            if f.0.len() != count.checked_mul(ENTRY_LEN)? || sequence == 0 {
                return None;
            }
            let mut withdrawals: Vec<([u8; 16], u64)> = Vec::with_capacity(count);
            for _ in 0..count {
                let (id, from) = (f.array::<16>()?, f.u64()?);
                if withdrawals.last().is_some_and(|(last, _)| *last >= id) {
                    return None;
                }
                withdrawals.push((id, from));
            }
            Some(ConsentState {
                municipality,
                sequence,
                issued_at,
                withdrawals,
                signed: bytes[..signed_len].to_vec(),
                signature: bytes[signed_len..].try_into().ok()?,
            })
        };
        parsed().ok_or_else(|| Error::input(file, 0, Rule::ConsentStateFormat))
    }

    /// Verifies the signature under the registry's key, and that the state is of its
    /// municipality.
    pub fn verify(&self, registry: &ConsentRegistryPublicKey, file: &str) -> Result<()> {
        let forged = || Error::input(file, 0, Rule::ConsentStateSignature);
        verify(
            registry,
            labels::CONSENT_STATE,
            &self.signed,
            &self.signature,
            file,
        )
        .map_err(|_| forged())?;
        if self.municipality != registry.municipality() {
            return Err(forged());
        }
        Ok(())
    }

    /// Checks the state for use at `freshness.now`: signed by the registry, issued no later
    /// than [`CLOCK_SKEW`] after now, at most `max_age` seconds before now, and with a sequence
    /// number no lower than one already seen.
    pub fn check(
        self,
        registry: &ConsentRegistryPublicKey,
        freshness: &Freshness,
        file: &str,
    ) -> Result<FreshState> {
        self.verify(registry, file)?;
        let now = seconds(freshness.now);
        let rule = if self.issued_at > now.saturating_add(CLOCK_SKEW) {
            Some(Rule::ConsentStateFuture)
        } else if now.saturating_sub(self.issued_at) > freshness.max_age {
            Some(Rule::ConsentStateStale)
        } else if freshness.seen.is_some_and(|seen| self.sequence < seen) {
            Some(Rule::ConsentStateOlder)
        } else {
            None
        };
        match rule {
            Some(rule) => Err(Error::input(file, 0, rule)),
            None => Ok(FreshState { state: self }),
        }
    }

    /// From when the receipt is withdrawn, if this state lists it.
    pub fn withdrawn_from(&self, receipt: &[u8; 16]) -> Option<u64> {
        self.withdrawals
            .binary_search_by(|(id, _)| id.cmp(receipt))
            .ok()
            .map(|i| self.withdrawals[i].1)
    }

    /// The withdrawals as a map, to build the next state on.
    pub fn withdrawal_map(&self) -> BTreeMap<[u8; 16], u64> {
        self.withdrawals.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::receipt::registry_public_key;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn town() -> MunicipalityCode {
        MunicipalityCode::new(219).unwrap()
    }

    fn registry() -> ConsentRegistryKey {
        ConsentRegistryKey::from_bytes(town(), [1; 32])
    }

    const ISSUED: OffsetDateTime = datetime!(2026-12-01 6:00 UTC);
    const DAY: u64 = 24 * 3600;

    fn state(sequence: u64) -> Vec<u8> {
        let withdrawals = [([3; 16], 100), ([1; 16], 50)].into_iter().collect();
        issue_state(&registry(), sequence, ISSUED, &withdrawals).unwrap()
    }

    fn check(bytes: &[u8], now: OffsetDateTime, seen: Option<u64>) -> Result<u64> {
        let parsed = ConsentState::parse(bytes, "s")?;
        let freshness = Freshness {
            now,
            max_age: DAY,
            seen,
        };
        let fresh = parsed.check(&registry_public_key(&registry()), &freshness, "s")?;
        Ok(fresh.sequence())
    }

    fn class(result: Result<u64>) -> &'static str {
        result.map_or_else(|e| e.class(), |_| "ok")
    }

    #[test]
    fn a_state_lists_its_withdrawals_sorted_and_is_read_back() {
        let bytes = state(7);
        assert_eq!(bytes.len(), HEADER_LEN + 2 * ENTRY_LEN + 64);
        let parsed = ConsentState::parse(&bytes, "s").unwrap();
        assert_eq!(parsed.sequence, 7);
        assert_eq!(parsed.withdrawals, vec![([1; 16], 50), ([3; 16], 100)]);
        assert_eq!(parsed.withdrawn_from(&[3; 16]), Some(100));
        assert_eq!(parsed.withdrawn_from(&[2; 16]), None);
        assert_eq!(check(&bytes, ISSUED, None).unwrap(), 7);
    }

    #[test]
    fn the_max_age_holds_at_the_limit_and_refuses_one_second_past() {
        let bytes = state(1);
        let at_limit = ISSUED + time::Duration::seconds(DAY as i64);
        assert_eq!(class(check(&bytes, at_limit, None)), "ok");
        assert_eq!(
            class(check(&bytes, at_limit + time::Duration::SECOND, None)),
            "consent-state-stale"
        );
    }

    #[test]
    fn a_state_from_the_future_is_taken_within_the_clock_skew_only() {
        let bytes = state(1);
        let skew = time::Duration::seconds(CLOCK_SKEW as i64);
        assert_eq!(class(check(&bytes, ISSUED - skew, None)), "ok");
        assert_eq!(
            class(check(&bytes, ISSUED - skew - time::Duration::SECOND, None)),
            "consent-state-future"
        );
    }

    #[test]
    fn a_sequence_equal_to_the_one_seen_is_taken_and_a_lower_one_refused() {
        let bytes = state(5);
        assert_eq!(class(check(&bytes, ISSUED, Some(4))), "ok");
        assert_eq!(class(check(&bytes, ISSUED, Some(5))), "ok");
        assert_eq!(class(check(&bytes, ISSUED, Some(6))), "consent-state-older");
    }

    #[test]
    fn a_state_signed_by_anyone_else_or_for_another_town_is_refused() {
        let impostor = ConsentRegistryKey::from_bytes(town(), [7; 32]);
        let forged = issue_state(&impostor, 1, ISSUED, &BTreeMap::new()).unwrap();
        assert_eq!(
            class(check(&forged, ISSUED, None)),
            "consent-state-signature"
        );
        let elsewhere =
            ConsentRegistryKey::from_bytes(MunicipalityCode::new(101).unwrap(), [1; 32]);
        let other = issue_state(&elsewhere, 1, ISSUED, &BTreeMap::new()).unwrap();
        assert_eq!(
            class(check(&other, ISSUED, None)),
            "consent-state-signature"
        );
    }

    #[test]
    fn malformed_states_are_refused_as_such() {
        let bytes = state(1);
        for cut in [0, 10, HEADER_LEN, bytes.len() - 65, bytes.len() - 1] {
            assert_eq!(
                class(check(&bytes[..cut], ISSUED, None)),
                "consent-state-format",
                "{cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(class(check(&longer, ISSUED, None)), "consent-state-format");
        let mut version = bytes.clone();
        version[9] = 2;
        assert_eq!(class(check(&version, ISSUED, None)), "consent-state-format");
        // The two ids swapped: not sorted (the signature would not matter).
        let mut unsorted = bytes.clone();
        let (a, b) = (HEADER_LEN, HEADER_LEN + ENTRY_LEN);
        let first = unsorted[a..b].to_vec();
        unsorted.copy_within(b..b + ENTRY_LEN, a);
        unsorted[b..b + ENTRY_LEN].copy_from_slice(&first);
        assert_eq!(
            class(check(&unsorted, ISSUED, None)),
            "consent-state-format"
        );
        // A count that claims more than the file holds.
        let mut count = bytes;
        count[HEADER_LEN - 1] = 3;
        assert_eq!(class(check(&count, ISSUED, None)), "consent-state-format");
        assert!(issue_state(&registry(), 0, ISSUED, &BTreeMap::new()).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn any_altered_byte_is_refused(at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut bytes = state(3);
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
            prop_assert!(check(&bytes, ISSUED, None).is_err());
        }
    }
}
