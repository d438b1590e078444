//! Pseudonyms: HMAC-SHA256 under the run key over a label and the normalised CPR (spec §5).
//!
//! The run key is absorbed once into the inner and outer SHA-256 states of HMAC. The label, the
//! ten digits and the padding then fit one block, so each pseudonym costs exactly two SHA-256
//! compressions and no per-item key setup. Tests and the vectors prove the result identical to
//! the plain `hmac` crate.

use std::fmt;

use sha2::block_api::compress256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result, Rule};
use crate::formats::export::RejectedRow;
use crate::primitives::cpr::Cpr;
use crate::primitives::keys::RunKey;
use crate::primitives::labels;

/// A pseudonym: 32 bytes, the same for one CPR number under one run key, unlinkable otherwise.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pseudonym(pub [u8; 32]);

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pseudonym({})", hex::encode(&self.0[..8]))
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// SHA-256's initial hash value (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const BLOCK: usize = 64;
const IPAD: u8 = 0x36;
const OPAD: u8 = 0x5c;
/// Where the ten digits go in the inner block, right after the label.
const DIGITS_AT: usize = labels::PSEUDONYM.len();
const INNER_MESSAGE_LEN: usize = DIGITS_AT + 10;
const _: () = assert!(
    INNER_MESSAGE_LEN <= BLOCK - 9,
    "label and CPR must fit one padded block"
);

/// A single-block message template: `message` then SHA-256 padding for a message that follows
/// one already-compressed key block.
const fn padded_block(message_len: usize) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    block[message_len] = 0x80;
    let bits = ((BLOCK + message_len) * 8) as u64;
    let len = bits.to_be_bytes();
    let mut i = 0;
    while i < 8 {
        block[BLOCK - 8 + i] = len[i];
        i += 1;
    }
    block
}

/// A run key's pre-keyed HMAC state: computes pseudonyms without touching the key again.
///
/// The two states are as secret as the run key itself: wiped on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Pseudonymiser {
    inner_state: [u32; 8],
    outer_state: [u32; 8],
    inner_template: [u8; BLOCK],
}

impl Pseudonymiser {
    /// Absorbs the run key into HMAC's inner and outer states (RFC 2104; the 32-byte key is
    /// shorter than a block, so it is zero-padded, not hashed).
    pub fn new(run_key: &RunKey) -> Pseudonymiser {
        let key = run_key.expose_secret();
        let keyed_state = |pad: u8| {
            let mut block = [pad; BLOCK];
            for (b, k) in block.iter_mut().zip(key) {
                *b ^= k;
            }
            let mut state = SHA256_IV;
            compress256(&mut state, &[block]);
            block.zeroize();
            state
        };
        let mut inner_template = padded_block(INNER_MESSAGE_LEN);
        inner_template[..DIGITS_AT].copy_from_slice(labels::PSEUDONYM);
        Pseudonymiser {
            inner_state: keyed_state(IPAD),
            outer_state: keyed_state(OPAD),
            inner_template,
        }
    }

    /// The pseudonym of one CPR number.
    pub fn pseudonym(&self, cpr: &Cpr) -> Pseudonym {
        self.pseudonym_of_digits(cpr.expose_digits())
    }

    /// The pseudonym of ten normalised ASCII digits (the caller has validated them).
    #[cfg_attr(samkoer_wasm_speed, optimize(speed))]
    pub fn pseudonym_of_digits(&self, digits: &[u8; 10]) -> Pseudonym {
        let mut block = self.inner_template;
        let pseudonym = self.compute(&mut block, digits);
        block.zeroize();
        pseudonym
    }

    /// The pseudonyms of a batch of CPR numbers, appended to `out` in order.
    #[cfg_attr(samkoer_wasm_speed, optimize(speed))]
    pub fn pseudonymise_batch(&self, cprs: &[Cpr], out: &mut Vec<Pseudonym>) {
        out.reserve(cprs.len());
        // One scratch block for the whole batch, wiped once at the end rather than per item.
        let mut block = self.inner_template;
        out.extend(
            cprs.iter()
                .map(|cpr| self.compute(&mut block, cpr.expose_digits())),
        );
        block.zeroize();
    }

    /// Pseudonymises a column of CPR numbers given as text, one per line (LF; a CR before it
    /// is white space): the 32-byte pseudonyms packed in order. The numbers are checked as
    /// [`Cpr::parse_undated`] does; the first invalid one stops it with its rule at its 1-based
    /// line of `name`. This is the fastest path for the bindings: no per-number allocation, one
    /// scratch block.
    pub fn pseudonymise_lines(&self, text: &[u8], name: &str) -> Result<Vec<u8>> {
        let mut first_bad = None;
        let out = self.each_line(text, |line, rule| {
            first_bad = Some((line, rule));
            false
        });
        match first_bad {
            Some((line, rule)) => Err(Error::input(name, line, rule)),
            None => Ok(out),
        }
    }

    /// As [`Pseudonymiser::pseudonymise_lines`], but an invalid number does not stop the
    /// column: its 32 bytes are zeros, and it is listed with its line and rule (never its
    /// value), in order.
    pub fn pseudonymise_lines_lenient(&self, text: &[u8]) -> (Vec<u8>, Vec<RejectedRow>) {
        let mut rejected = Vec::new();
        let out = self.each_line(text, |line, rule| {
            rejected.push(RejectedRow { line, rule });
            true
        });
        (out, rejected)
    }

    /// The pseudonym of every line, packed; an invalid line is passed to `bad`, which says
    /// whether to go on (its 32 bytes then zeros) or stop there.
    #[cfg_attr(samkoer_wasm_speed, optimize(speed))]
    fn each_line(&self, text: &[u8], mut bad: impl FnMut(u64, Rule) -> bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() / 11 * 32 + 32);
        if text.is_empty() {
            return out;
        }
        let mut block = self.inner_template;
        let mut digits = [0u8; 10];
        for (i, line) in text.split(|&b| b == b'\n').enumerate() {
            let parsed = std::str::from_utf8(line)
                .map_err(|_| Rule::CprCharacters)
                .and_then(|line| crate::primitives::cpr::normalise_into(line, &mut digits));
            match parsed {
                Ok(()) => out.extend_from_slice(&self.compute(&mut block, &digits).0),
                Err(rule) if bad(i as u64 + 1, rule) => out.extend_from_slice(&[0; 32]),
                Err(_) => break,
            }
        }
        block.zeroize();
        digits.zeroize();
        out
    }

    /// Two compressions: the inner block (label, digits, padding) on the pre-keyed inner state,
    /// then the inner hash (padded) on the pre-keyed outer state. `block` must hold the inner
    /// template; only its digits are overwritten, and they stay there for the caller to wipe.
    #[cfg_attr(samkoer_wasm_speed, optimize(speed))]
    #[inline]
    fn compute(&self, block: &mut [u8; BLOCK], digits: &[u8; 10]) -> Pseudonym {
        // Plain indexed loops: the size-optimised WebAssembly build does not inline slice
        // copies and iterator adapters, and these run twice per pseudonym.
        let mut i = 0;
        while i < digits.len() {
            block[DIGITS_AT + i] = digits[i];
            i += 1;
        }
        let mut inner = self.inner_state;
        compress256(&mut inner, std::slice::from_ref(block));

        const OUTER_TEMPLATE: [u8; BLOCK] = padded_block(32);
        let mut outer_block = OUTER_TEMPLATE;
        store_big_endian(&inner, &mut outer_block);
        let mut outer = self.outer_state;
        compress256(&mut outer, &[outer_block]);

        let mut pseudonym = [0u8; 32];
        store_big_endian(&outer, &mut pseudonym);
        Pseudonym(pseudonym)
    }
}

/// Writes a SHA-256 state as its 32-byte big-endian digest at the start of `out`.
#[inline(always)]
fn store_big_endian(state: &[u32; 8], out: &mut [u8]) {
    let mut i = 0;
    while i < state.len() {
        let [a, b, c, d] = state[i].to_be_bytes();
        out[4 * i] = a;
        out[4 * i + 1] = b;
        out[4 * i + 2] = c;
        out[4 * i + 3] = d;
        i += 1;
    }
}

impl fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonymiser(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::ids::{MunicipalityCode, RunId};
    use hmac::{Hmac, KeyInit, Mac};
    use proptest::prelude::*;
    use sha2::Sha256;

    fn plain_hmac(key: &[u8; 32], digits: &[u8; 10]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(labels::PSEUDONYM);
        mac.update(digits);
        mac.finalize().into_bytes().into()
    }

    fn run_key(bytes: [u8; 32]) -> RunKey {
        RunKey::from_bytes(
            MunicipalityCode::new(219).unwrap(),
            RunId::new("r1").unwrap(),
            time::macros::date!(2026 - 11 - 01),
            bytes,
        )
    }

    proptest! {
        #[test]
        fn equals_plain_hmac(key in any::<[u8; 32]>(), digits in proptest::array::uniform10(b'0'..=b'9')) {
            let pseudonymiser = Pseudonymiser::new(&run_key(key));
            prop_assert_eq!(pseudonymiser.pseudonym_of_digits(&digits).0, plain_hmac(&key, &digits));
        }
    }

    #[test]
    fn batch_equals_one_by_one() {
        let pseudonymiser = Pseudonymiser::new(&run_key([3; 32]));
        let cprs: Vec<Cpr> = ["0101901234", "0202024321", "3112999999"]
            .iter()
            .map(|t| Cpr::parse_undated(t, "test", 1).unwrap())
            .collect();
        let mut batch = Vec::new();
        pseudonymiser.pseudonymise_batch(&cprs, &mut batch);
        let single: Vec<Pseudonym> = cprs.iter().map(|c| pseudonymiser.pseudonym(c)).collect();
        assert_eq!(batch, single);
    }

    #[test]
    fn lines_equal_one_by_one_and_report_the_first_bad_line() {
        let pseudonymiser = Pseudonymiser::new(&run_key([3; 32]));
        let text = b"0101901234\n010190-1234\r\n 3112999999 ";
        let packed = pseudonymiser.pseudonymise_lines(text, "column").unwrap();
        let expected: Vec<u8> = ["0101901234", "0101901234", "3112999999"]
            .iter()
            .flat_map(|t| {
                pseudonymiser
                    .pseudonym(&Cpr::parse_undated(t, "test", 1).unwrap())
                    .0
            })
            .collect();
        assert_eq!(packed, expected);
        let error = pseudonymiser
            .pseudonymise_lines(b"0101901234\n3202901234", "column")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "column, line 2: the CPR number's first six digits are not a real birth date (cpr-date)"
        );
        assert_eq!(
            pseudonymiser.pseudonymise_lines(b"", "column").unwrap(),
            Vec::<u8>::new()
        );
    }

    #[test]
    fn a_lenient_column_zeroes_and_lists_its_bad_lines() {
        let pseudonymiser = Pseudonymiser::new(&run_key([3; 32]));
        let (packed, rejected) =
            pseudonymiser.pseudonymise_lines_lenient(b"0101901234\n3202901234\n\n0101901234");
        let good = pseudonymiser.pseudonym(&Cpr::parse_undated("0101901234", "test", 1).unwrap());
        assert_eq!(packed.len(), 4 * 32);
        assert_eq!(&packed[..32], &good.0);
        assert_eq!(&packed[32..96], &[0; 64]);
        assert_eq!(&packed[96..], &good.0);
        let rejected: Vec<(u64, Rule)> = rejected.iter().map(|r| (r.line, r.rule)).collect();
        assert_eq!(rejected, [(2, Rule::CprDate), (3, Rule::CprLength)]);
    }

    #[test]
    fn debug_is_redacted() {
        let shown = format!("{:?}", Pseudonymiser::new(&run_key([3; 32])));
        assert_eq!(shown, "Pseudonymiser(<redacted>)");
        // A pseudonym's Debug shows its first eight bytes, enough to tell them apart in a log.
        let mut bytes = [0xff; 32];
        bytes[..8].copy_from_slice(&[0, 1, 2, 3, 0xa4, 0xb5, 0xc6, 0xd7]);
        assert_eq!(
            format!("{:?}", Pseudonym(bytes)),
            "Pseudonym(00010203a4b5c6d7)"
        );
    }
}
