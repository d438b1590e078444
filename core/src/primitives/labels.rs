//! Every domain-separation label of the protocol, in one place.
//!
//! Each label is listed with its exact bytes in `docs/spec.md` §2. A label is never reused for a
//! second purpose, and a new protocol version gets new labels.

/// HKDF salt for deriving a run key from a master key (spec §4.2).
pub const RUN_KEY_SALT: &[u8] = b"samkoer/v1/run-key";

/// HKDF salt for deriving one run's envelope key from a sector's sealing key (spec §6.1).
pub const ENVELOPE_KEY_SALT: &[u8] = b"samkoer/v1/envelope-key";

/// Prefix of the associated data that binds an envelope to its record (spec §6.2).
pub const ENVELOPE_AD: &[u8] = b"samkoer/v1/envelope";

/// Prefix of the message whose HMAC is a pseudonym (spec §5).
///
/// Label and CPR together must fit one SHA-256 block with its padding (at most 55 bytes), so that
/// a pseudonym costs exactly two compressions on a pre-keyed state.
pub const PSEUDONYM: &[u8] = b"samkoer/v1/pseudonym";

/// HMAC message prefix for a key's public fingerprint (spec §4.4); the key kind's byte follows.
pub const FINGERPRINT: &[u8] = b"samkoer/v1/fingerprint";

/// Prefix of the integrity check of a key file (spec §4.5).
pub const KEY_FILE_CHECK: &[u8] = b"samkoer/v1/key-file";

/// Prefix of the digest in a publication's trailer (spec §7.4).
pub const PUBLICATION_DIGEST: &[u8] = b"samkoer/v1/publication";

/// Prefix of the digest in a flag file's trailer (spec §7.6).
pub const FLAG_FILE_DIGEST: &[u8] = b"samkoer/v1/flag-file";

/// Prefix of a version 1 audit-log entry's hash (spec §16; read, no longer written).
pub const AUDIT_ENTRY: &[u8] = b"samkoer/v1/audit-entry";

/// Prefix of a version 2 audit-log entry's hash (spec §16).
pub const AUDIT_ENTRY_V2: &[u8] = b"samkoer/v2/audit-entry";

/// Prefix of the HMAC that tags a consent receipt's subject (spec §14.1).
pub const CONSENT_SUBJECT: &[u8] = b"samkoer/v1/consent-subject";

/// Prefix of the message a consent receipt's signature covers (spec §14.2).
pub const CONSENT_RECEIPT: &[u8] = b"samkoer/v1/consent-receipt";

/// Prefix of the message a withdrawal's signature covers (spec §14.3).
pub const CONSENT_WITHDRAWAL: &[u8] = b"samkoer/v1/consent-withdrawal";

/// Prefix of the message a consent state's signature covers (spec §14.4).
pub const CONSENT_STATE: &[u8] = b"samkoer/v1/consent-state";

/// HPKE `info` of a disclosure bundle (spec §15).
pub const DISCLOSURE: &[u8] = b"samkoer/v1/disclosure";

/// HKDF salt for deriving a sector's Ed25519 signing seed from its sealing key (spec §4.6).
pub const SECTOR_SIGNING_SALT: &[u8] = b"samkoer/v1/sector-signing";

/// HKDF salt for deriving the other parties' Ed25519 signing seeds (spec §4.6).
pub const PARTY_SIGNING_SALT: &[u8] = b"samkoer/v1/party-signing";

/// Prefix of a version 3 (signed) audit-log entry's hash (spec §16).
pub const AUDIT_ENTRY_V3: &[u8] = b"samkoer/v3/audit-entry";

/// Prefix of the message an audit entry's signature covers: its hash (spec §16).
pub const AUDIT_SIGNATURE: &[u8] = b"samkoer/v3/audit-signature";

/// Prefix of the message a publication's signature covers: its digest (spec §7.4).
pub const PUBLICATION_SIGNATURE: &[u8] = b"samkoer/v2/publication-signature";

/// Prefix of the message a one-citizen check request's signature covers (spec §12.8).
pub const CHECK_REQUEST: &[u8] = b"samkoer/v2/check-request";

/// Prefix of the message a flag file's signature covers: its digest (spec §7.6).
pub const FLAG_FILE_SIGNATURE: &[u8] = b"samkoer/v2/flag-file-signature";

/// Prefix of the message a match result's signature covers: the SHA-256 of its signed part
/// (spec §12.6).
pub const MATCH_RESULT_SIGNATURE: &[u8] = b"samkoer/v2/match-result-signature";

/// Prefix of the message a verdict file's signature covers: the SHA-256 of its signed part
/// (spec §13.2).
pub const VERDICTS_SIGNATURE: &[u8] = b"samkoer/v2/verdicts-signature";

/// Prefix of the message a disclosure bundle's signature covers: every byte before it
/// (spec §15).
pub const BUNDLE_SIGNATURE: &[u8] = b"samkoer/v2/bundle-signature";

/// Every label, for the spec test that checks `docs/spec.md` lists each one.
pub const ALL: &[(&str, &[u8])] = &[
    ("RUN_KEY_SALT", RUN_KEY_SALT),
    ("ENVELOPE_KEY_SALT", ENVELOPE_KEY_SALT),
    ("ENVELOPE_AD", ENVELOPE_AD),
    ("PSEUDONYM", PSEUDONYM),
    ("FINGERPRINT", FINGERPRINT),
    ("KEY_FILE_CHECK", KEY_FILE_CHECK),
    ("PUBLICATION_DIGEST", PUBLICATION_DIGEST),
    ("FLAG_FILE_DIGEST", FLAG_FILE_DIGEST),
    ("AUDIT_ENTRY", AUDIT_ENTRY),
    ("AUDIT_ENTRY_V2", AUDIT_ENTRY_V2),
    ("CONSENT_SUBJECT", CONSENT_SUBJECT),
    ("CONSENT_RECEIPT", CONSENT_RECEIPT),
    ("CONSENT_WITHDRAWAL", CONSENT_WITHDRAWAL),
    ("CONSENT_STATE", CONSENT_STATE),
    ("DISCLOSURE", DISCLOSURE),
    ("SECTOR_SIGNING_SALT", SECTOR_SIGNING_SALT),
    ("PUBLICATION_SIGNATURE", PUBLICATION_SIGNATURE),
    ("CHECK_REQUEST", CHECK_REQUEST),
    ("PARTY_SIGNING_SALT", PARTY_SIGNING_SALT),
    ("AUDIT_ENTRY_V3", AUDIT_ENTRY_V3),
    ("AUDIT_SIGNATURE", AUDIT_SIGNATURE),
    ("FLAG_FILE_SIGNATURE", FLAG_FILE_SIGNATURE),
    ("MATCH_RESULT_SIGNATURE", MATCH_RESULT_SIGNATURE),
    ("VERDICTS_SIGNATURE", VERDICTS_SIGNATURE),
    ("BUNDLE_SIGNATURE", BUNDLE_SIGNATURE),
];
