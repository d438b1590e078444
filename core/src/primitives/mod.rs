//! What every party shares: CPR numbers, identifiers, keys and their files, the protocol's
//! labels, pseudonyms and sealed envelopes.

pub mod cpr;
pub mod envelope;
pub mod ids;
pub mod keys;
pub mod labels;
pub mod pseudonym;
pub mod signing;

/// `N` bytes from exactly `2N` lower-case hex digits, the one form the protocol writes (an
/// upper-case digit is refused, so each value has one text form).
pub(crate) fn lower_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    hex::decode_to_slice(text, &mut bytes).ok()?;
    (!text.bytes().any(|b| b.is_ascii_uppercase())).then_some(bytes)
}
