//! Signed JSON files (spec §10.4): a JSON file one party hands on — the match result, a
//! verdict file — names its author (signing key and audit-log head) and ends with the author's
//! signature as its last member, so that the receiver can tell who made it and keeps evidence
//! of the author's log.
//!
//! The file is `P ‖ ,\n  "signature": "HEX"\n}\n`, where `P` is the object pretty-printed
//! (two-space indent) without its closing `\n}`, and `HEX` the 128 lower-case hex digits of the
//! Ed25519 signature (§4.6) over `label ‖ SHA-256(P)`. The signature covers the bytes as
//! written, so a file re-indented or re-encoded since no longer verifies.

use std::io::Write;

use sha2::{Digest, Sha256};

use crate::primitives::lower_hex;
use crate::primitives::signing::{PartySigningKey, SIGNATURE_LEN, SignerKey};

/// What comes between the signed part and the signature's digits.
const SIGNATURE_START: &str = ",\n  \"signature\": \"";
/// What follows the signature's digits: the end of the file.
const SIGNATURE_END: &str = "\"\n}\n";

/// Signs `pretty` (an object as `serde_json::to_string_pretty` writes it, with no
/// `signature` member) with `key` under `label`: the file's text.
pub fn sign(pretty: &str, label: &[u8], key: &PartySigningKey) -> String {
    // The pretty printer closes an object that has members with "\n}".
    let signed = pretty.strip_suffix("\n}").unwrap_or(pretty);
    let signature = key.sign(label, &Sha256::digest(signed.as_bytes()));
    format!(
        "{signed}{SIGNATURE_START}{}{SIGNATURE_END}",
        hex::encode(signature)
    )
}

/// Writes `value` (a struct with members and no `signature` member) pretty-printed to `out`,
/// signed with `key` under `label`, as [`sign`] would of its text — streaming, for a file too
/// large to hold twice (a match result of a large municipality).
pub fn write_signed<T: serde::Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
    label: &[u8],
    key: &PartySigningKey,
) -> std::io::Result<()> {
    let mut held = HeldBack {
        inner: out,
        hasher: Sha256::new(),
        tail: Vec::with_capacity(CLOSE.len() + 1),
    };
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut held);
        serde_json::to_writer_pretty(&mut buffered, value)?;
        buffered.flush()?;
    }
    if held.tail != CLOSE {
        return Err(std::io::Error::other("not a JSON object with members"));
    }
    let signature = key.sign(label, &held.hasher.finalize());
    write!(
        held.inner,
        "{SIGNATURE_START}{}{SIGNATURE_END}",
        hex::encode(signature)
    )
}

/// How the pretty printer closes an object with members: left out of the signed part.
const CLOSE: &[u8] = b"\n}";

/// Passes bytes on, hashing them, but holds back the last two: the object's close, which the
/// signature member replaces.
struct HeldBack<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
    tail: Vec<u8>,
}

impl HeldBack<'_> {
    fn pass(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hasher.update(bytes);
        self.inner.write_all(bytes)
    }
}

impl Write for HeldBack<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if bytes.len() >= CLOSE.len() {
            let tail = std::mem::take(&mut self.tail);
            self.pass(&tail)?;
            let (body, last) = bytes.split_at(bytes.len() - CLOSE.len());
            self.pass(body)?;
            self.tail.extend_from_slice(last);
        } else {
            self.tail.extend_from_slice(bytes);
            let excess = self.tail.len().saturating_sub(CLOSE.len());
            let passed: Vec<u8> = self.tail.drain(..excess).collect();
            self.pass(&passed)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Whether `text` (a byte-order mark already removed) ends with a signature of `signer` under
/// `label` over the rest, as [`sign`] writes it.
pub fn verifies(text: &str, label: &[u8], signer: &SignerKey) -> bool {
    let Some(body) = text.strip_suffix(SIGNATURE_END) else {
        return false;
    };
    let Some(digits_at) = body.len().checked_sub(2 * SIGNATURE_LEN) else {
        return false;
    };
    let Some(signature) = body.get(digits_at..).and_then(lower_hex::<SIGNATURE_LEN>) else {
        return false;
    };
    match body[..digits_at].strip_suffix(SIGNATURE_START) {
        Some(signed) => signer.verifies(label, &Sha256::digest(signed.as_bytes()), &signature),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::ids::MunicipalityCode;
    use crate::primitives::keys::MatcherKey;

    fn key(byte: u8) -> PartySigningKey {
        PartySigningKey::of_matcher(&MatcherKey::from_bytes(
            MunicipalityCode::new(219).unwrap(),
            [byte; 32],
        ))
    }

    #[test]
    fn a_signed_file_verifies_as_written_and_only_so() {
        let pretty =
            serde_json::to_string_pretty(&serde_json::json!({"format": "x", "n": 1})).unwrap();
        let text = sign(&pretty, b"label", &key(1));
        assert!(text.ends_with("\"\n}\n"));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["n"], 1);
        assert_eq!(value["signature"].as_str().map(str::len), Some(128));
        assert!(verifies(&text, b"label", &key(1).public()));
        assert!(!verifies(&text, b"lobel", &key(1).public()));
        assert!(!verifies(&text, b"label", &key(2).public()));
        for changed in [
            text.replace("\"n\": 1", "\"n\": 2"),
            text.replace('\n', "\r\n"),
            text.trim_end().to_owned(),
            text.replace("\"x\"", "\"y\""),
            format!(" {text}"),
        ] {
            assert!(!verifies(&changed, b"label", &key(1).public()), "{changed}");
        }
        assert!(!verifies("", b"label", &key(1).public()));
        assert!(!verifies(&pretty, b"label", &key(1).public()));
    }

    /// Writes through a writer that takes at most `step` bytes at a time.
    struct Trickle(Vec<u8>, usize);

    impl Write for Trickle {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let n = bytes.len().min(self.1);
            self.0.extend_from_slice(&bytes[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn streamed_signing_writes_what_signing_the_text_writes() {
        let value = serde_json::json!({"format": "x", "list": (0..5000).collect::<Vec<u32>>()});
        let text = sign(
            &serde_json::to_string_pretty(&value).unwrap(),
            b"label",
            &key(1),
        );
        let mut out = Vec::new();
        write_signed(&mut out, &value, b"label", &key(1)).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
        // Through a sink that takes a byte at a time, and held back across its writes.
        let mut trickle = Trickle(Vec::new(), 1);
        write_signed(&mut trickle, &value, b"label", &key(1)).unwrap();
        assert_eq!(String::from_utf8(trickle.0).unwrap(), text);
        // A value that is not an object with members is refused, not signed.
        assert!(write_signed(&mut Vec::new(), &serde_json::json!([1]), b"l", &key(1)).is_err());
        assert!(write_signed(&mut Vec::new(), &serde_json::json!({}), b"l", &key(1)).is_err());
        // Shorter than the close it holds back, too.
        assert!(write_signed(&mut Vec::new(), &serde_json::json!(1), b"l", &key(1)).is_err());
    }
}
