//! The stable error codes of the core (spec §10) as a C enum: generated from the core's
//! one error table by `tests/rules.rs` (`SAMKOER_UPDATE_VECTORS=1 cargo test -p samkoer-c
//! --test rules`). Do not edit.

/// Every error code a function can return besides `SAMKOER_OK` and the C-side codes
/// below zero: the classes that are not rules, then every rule.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum samkoer_code {
    /// `io` (not a rule).
    SAMKOER_IO = 1,
    /// `open-failed` (not a rule).
    SAMKOER_OPEN_FAILED = 2,
    /// `random` (not a rule).
    SAMKOER_RANDOM = 3,
    /// `cpr-length` (input): a CPR number has 10 digits, optionally with a hyphen after the sixth.
    SAMKOER_RULE_CPR_LENGTH = 101,
    /// `cpr-characters` (input): a CPR number holds only digits and one optional hyphen.
    SAMKOER_RULE_CPR_CHARACTERS = 102,
    /// `cpr-date` (input): the CPR number's first six digits are not a real birth date.
    SAMKOER_RULE_CPR_DATE = 103,
    /// `cpr-future` (input): the CPR number's birth date lies after the reference date.
    SAMKOER_RULE_CPR_FUTURE = 104,
    /// `csv-syntax` (input): the line is not valid CSV.
    SAMKOER_RULE_CSV_SYNTAX = 201,
    /// `csv-field-count` (input): the row has a different number of fields than the header.
    SAMKOER_RULE_CSV_FIELD_COUNT = 202,
    /// `encoding` (input): the bytes are not valid in the file's encoding.
    SAMKOER_RULE_ENCODING = 203,
    /// `header-missing` (input): the file has no header row.
    SAMKOER_RULE_HEADER_MISSING = 204,
    /// `delimiter-ambiguous` (input): the header shows neither or both of ';' and ','.
    SAMKOER_RULE_DELIMITER_AMBIGUOUS = 205,
    /// `column-missing` (input): a required column is missing.
    SAMKOER_RULE_COLUMN_MISSING = 206,
    /// `column-duplicate` (input): two columns map to the same field, or one column to two fields.
    SAMKOER_RULE_COLUMN_DUPLICATE = 207,
    /// `field-empty` (input): a required field is empty.
    SAMKOER_RULE_FIELD_EMPTY = 208,
    /// `field-too-long` (input): a field is longer than the format allows.
    SAMKOER_RULE_FIELD_TOO_LONG = 209,
    /// `service-unknown` (input): the service code is not in the service catalogue.
    SAMKOER_RULE_SERVICE_UNKNOWN = 210,
    /// `status-unknown` (input): the status is not a known value.
    SAMKOER_RULE_STATUS_UNKNOWN = 211,
    /// `date-invalid` (input): the date is not a real date from 1800 to 9999 as YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY.
    SAMKOER_RULE_DATE_INVALID = 212,
    /// `date-order` (input): the end date lies before the start date.
    SAMKOER_RULE_DATE_ORDER = 213,
    /// `relation-self` (input): a relation links a person to themself.
    SAMKOER_RULE_RELATION_SELF = 214,
    /// `mapping-invalid` (input): the column or status mapping is malformed.
    SAMKOER_RULE_MAPPING_INVALID = 215,
    /// `rejected-limit` (input): more of the export's rows are invalid than the limit allows, so nothing was published.
    SAMKOER_RULE_REJECTED_LIMIT = 216,
    /// `all-excluded` (input): every row of the export was excluded by one rule, so nothing was published.
    SAMKOER_RULE_ALL_EXCLUDED = 217,
    /// `key-file-syntax` (input): the key file is not of the key-file form.
    SAMKOER_RULE_KEY_FILE_SYNTAX = 301,
    /// `key-file-version` (input): the key file's version is not supported.
    SAMKOER_RULE_KEY_FILE_VERSION = 302,
    /// `key-file-kind` (input): the key file holds another kind of key.
    SAMKOER_RULE_KEY_FILE_KIND = 303,
    /// `key-file-check` (input): the key file's check does not match: it was altered or damaged.
    SAMKOER_RULE_KEY_FILE_CHECK = 304,
    /// `key-file-permissions` (input): other users than the key file's owner have access to it.
    SAMKOER_RULE_KEY_FILE_PERMISSIONS = 305,
    /// `key-file-exists` (input): a file already exists there; keys are never overwritten.
    SAMKOER_RULE_KEY_FILE_EXISTS = 306,
    /// `key-mismatch` (parameter): the keys belong to different municipalities, runs or sectors.
    SAMKOER_RULE_KEY_MISMATCH = 307,
    /// `publication-magic` (format): the file is not a samkoer publication or flag file of the kind expected.
    SAMKOER_RULE_PUBLICATION_MAGIC = 401,
    /// `publication-version` (format): the publication's format version is not supported.
    SAMKOER_RULE_PUBLICATION_VERSION = 402,
    /// `publication-header` (format): the publication's header is malformed.
    SAMKOER_RULE_PUBLICATION_HEADER = 403,
    /// `publication-record` (format): a publication record is malformed.
    SAMKOER_RULE_PUBLICATION_RECORD = 404,
    /// `publication-truncated` (format): the publication ends before its trailer: it was cut short.
    SAMKOER_RULE_PUBLICATION_TRUNCATED = 405,
    /// `publication-digest` (format): the publication's digest does not match: it was altered.
    SAMKOER_RULE_PUBLICATION_DIGEST = 406,
    /// `publication-count` (format): the trailer's record counts do not match the records.
    SAMKOER_RULE_PUBLICATION_COUNT = 407,
    /// `publication-trailing-data` (format): bytes follow the publication's trailer.
    SAMKOER_RULE_PUBLICATION_TRAILING_DATA = 408,
    /// `publication-sector` (format): the publication's sector is not a sector of the catalogue.
    SAMKOER_RULE_PUBLICATION_SECTOR = 409,
    /// `publication-service` (format): a record names a service that is not one of its sector's in the catalogue.
    SAMKOER_RULE_PUBLICATION_SERVICE = 410,
    /// `publication-signature` (format): the publication's signature does not verify under the signing key its header names.
    SAMKOER_RULE_PUBLICATION_SIGNATURE = 411,
    /// `catalogue-syntax` (input): the catalogue is not valid catalogue TOML.
    SAMKOER_RULE_CATALOGUE_SYNTAX = 501,
    /// `catalogue-duplicate` (input): a code appears twice in the catalogue.
    SAMKOER_RULE_CATALOGUE_DUPLICATE = 502,
    /// `catalogue-sector` (input): a service names a sector the catalogue does not define.
    SAMKOER_RULE_CATALOGUE_SECTOR = 503,
    /// `catalogue-field` (input): a catalogue field is empty or malformed.
    SAMKOER_RULE_CATALOGUE_FIELD = 504,
    /// `municipality-code` (parameter): a municipality code is three digits, 100 to 999.
    SAMKOER_RULE_MUNICIPALITY_CODE = 601,
    /// `run-id` (parameter): a run id is 1 to 64 characters from A-Z a-z 0-9 . _ -.
    SAMKOER_RULE_RUN_ID = 602,
    /// `sector-code` (parameter): a sector code is 1 to 32 characters from a-z 0-9 - and in the catalogue.
    SAMKOER_RULE_SECTOR_CODE = 603,
    /// `date-given` (parameter): a date given is not a real date from 1800 to 9999 as YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY.
    SAMKOER_RULE_DATE_GIVEN = 604,
    /// `envelope-content` (parameter): an envelope's service code, text fields (at most 4096 bytes each) or start date (1800 to 9999) is out of range.
    SAMKOER_RULE_ENVELOPE_CONTENT = 605,
    /// `limit-given` (parameter): a limit is out of its range (a percentage from 0 to 100).
    SAMKOER_RULE_LIMIT_GIVEN = 606,
    /// `mixed-municipality` (format): the publications belong to different municipalities.
    SAMKOER_RULE_MIXED_MUNICIPALITY = 701,
    /// `mixed-run` (format): the publications belong to different runs.
    SAMKOER_RULE_MIXED_RUN = 702,
    /// `mixed-run-key` (format): the publications were made with different run keys.
    SAMKOER_RULE_MIXED_RUN_KEY = 703,
    /// `mixed-catalogue` (format): the publications or the matcher use different catalogue versions.
    SAMKOER_RULE_MIXED_CATALOGUE = 704,
    /// `mixed-reference-date` (format): the publications have different reference dates.
    SAMKOER_RULE_MIXED_REFERENCE_DATE = 705,
    /// `duplicate-sector` (format): two publications come from the same sector.
    SAMKOER_RULE_DUPLICATE_SECTOR = 706,
    /// `not-own-pseudonym` (parameter): the asking sector did not publish this pseudonym in this run.
    SAMKOER_RULE_NOT_OWN_PSEUDONYM = 707,
    /// `no-publications` (parameter): a match needs at least one publication.
    SAMKOER_RULE_NO_PUBLICATIONS = 708,
    /// `criteria-syntax` (input): the criteria file is not valid criteria TOML.
    SAMKOER_RULE_CRITERIA_SYNTAX = 801,
    /// `criteria-service-unknown` (input): the criteria name a service code the catalogue does not allow.
    SAMKOER_RULE_CRITERIA_SERVICE_UNKNOWN = 802,
    /// `criteria-contradiction` (input): the criteria contradict themselves or can never select anyone.
    SAMKOER_RULE_CRITERIA_CONTRADICTION = 803,
    /// `criteria-age-band-unknown` (input): the criteria name an age band that is not one of the six bands.
    SAMKOER_RULE_CRITERIA_AGE_BAND_UNKNOWN = 804,
    /// `audit-entry` (input): an audit-log entry is malformed or names an unknown party or action.
    SAMKOER_RULE_AUDIT_ENTRY = 1001,
    /// `audit-chain` (input): an audit-log entry does not follow the one before: the log was changed.
    SAMKOER_RULE_AUDIT_CHAIN = 1002,
    /// `audit-step` (parameter): an audit step names an unknown action, a malformed party or no time.
    SAMKOER_RULE_AUDIT_STEP = 1003,
    /// `audit-head` (parameter): a head is SEQ:HASH, the entry number and 64 hex digits that audit verify printed.
    SAMKOER_RULE_AUDIT_HEAD = 1004,
    /// `audit-signature` (input): the audit entry's signature does not verify: the entry was altered or forged.
    SAMKOER_RULE_AUDIT_SIGNATURE = 1005,
    /// `audit-signer` (input): the audit entry is not signed by its party's key.
    SAMKOER_RULE_AUDIT_SIGNER = 1006,
    /// `audit-evidence` (input): the log does not hold the entry a file its party handed on names: it was cut or rewritten since.
    SAMKOER_RULE_AUDIT_EVIDENCE = 1007,
    /// `review-key` (format): the flag file is for another sector or municipality than the sealing key.
    SAMKOER_RULE_REVIEW_KEY = 1101,
    /// `verdict-syntax` (input): the verdict file is not of the verdict form.
    SAMKOER_RULE_VERDICT_SYNTAX = 1102,
    /// `verdict-value` (input): a verdict is not suitable, suitable-from with a YYYY-MM month, or not-suitable.
    SAMKOER_RULE_VERDICT_VALUE = 1103,
    /// `verdict-not-sent` (input): a verdict names a candidate the sector was never sent.
    SAMKOER_RULE_VERDICT_NOT_SENT = 1104,
    /// `verdict-mismatch` (input): the verdict file belongs to another run, or its sector already gave verdicts.
    SAMKOER_RULE_VERDICT_MISMATCH = 1105,
    /// `verdict-signature` (input): the verdict file is not signed by its sector's key, or changed since it was signed.
    SAMKOER_RULE_VERDICT_SIGNATURE = 1106,
    /// `match-result-signature` (input): the match result is not signed by this central unit's matcher key, or changed since it was signed.
    SAMKOER_RULE_MATCH_RESULT_SIGNATURE = 1107,
    /// `consent-format` (input): the receipt or withdrawal is malformed.
    SAMKOER_RULE_CONSENT_FORMAT = 1201,
    /// `consent-signature` (input): the receipt or withdrawal is not signed by the consent registry: forged or altered.
    SAMKOER_RULE_CONSENT_SIGNATURE = 1202,
    /// `consent-not-yet-valid` (input): the receipt is not valid yet.
    SAMKOER_RULE_CONSENT_NOT_YET_VALID = 1203,
    /// `consent-expired` (input): the receipt has expired.
    SAMKOER_RULE_CONSENT_EXPIRED = 1204,
    /// `consent-scope` (input): the receipt does not name this sector.
    SAMKOER_RULE_CONSENT_SCOPE = 1205,
    /// `consent-withdrawn` (input): the consent was withdrawn.
    SAMKOER_RULE_CONSENT_WITHDRAWN = 1206,
    /// `consent-other-person` (input): the receipt concerns none of this sector's citizens.
    SAMKOER_RULE_CONSENT_OTHER_PERSON = 1207,
    /// `disclosure-format` (input): the disclosure bundle is malformed.
    SAMKOER_RULE_DISCLOSURE_FORMAT = 1208,
    /// `consent-request` (parameter): a receipt needs 1 to 64 sectors, a validity that ends after it begins, and keys of one municipality.
    SAMKOER_RULE_CONSENT_REQUEST = 1209,
    /// `consent-state-format` (input): the consent state is malformed.
    SAMKOER_RULE_CONSENT_STATE_FORMAT = 1210,
    /// `consent-state-signature` (input): the consent state is not signed by this municipality's consent registry: forged or altered.
    SAMKOER_RULE_CONSENT_STATE_SIGNATURE = 1211,
    /// `consent-state-stale` (input): the consent state is older than the maximum age the municipality set.
    SAMKOER_RULE_CONSENT_STATE_STALE = 1212,
    /// `consent-state-older` (input): the consent state is older than one already used here.
    SAMKOER_RULE_CONSENT_STATE_OLDER = 1213,
    /// `consent-state-missing` (parameter): a disclosure or consent check needs the consent registry's current consent state.
    SAMKOER_RULE_CONSENT_STATE_MISSING = 1214,
    /// `consent-state-future` (input): the consent state is dated in the future.
    SAMKOER_RULE_CONSENT_STATE_FUTURE = 1215,
    /// `consent-state-previous` (parameter): the registry has published a consent state before: a new one must continue the last.
    SAMKOER_RULE_CONSENT_STATE_PREVIOUS = 1216,
    /// `consent-state-full` (parameter): the consent state cannot hold more withdrawals or a higher sequence number.
    SAMKOER_RULE_CONSENT_STATE_FULL = 1217,
    /// `disclosure-signature` (input): the bundle is not signed by the key of the sector it names.
    SAMKOER_RULE_DISCLOSURE_SIGNATURE = 1218,
    /// `disclosure-receipt` (input): the bundle does not answer this receipt: another receipt, a sector outside its scope, or a second bundle from one sector.
    SAMKOER_RULE_DISCLOSURE_RECEIPT = 1219,
    /// `output-exists` (input): an output of this step already exists there and is never overwritten.
    SAMKOER_RULE_OUTPUT_EXISTS = 1301,
    /// `commit-journal` (input): the record of an interrupted step's outputs is damaged.
    SAMKOER_RULE_COMMIT_JOURNAL = 1302,
    /// `check-format` (input): the check request or answer is not of its form.
    SAMKOER_RULE_CHECK_FORMAT = 1401,
    /// `check-mismatch` (input): the check request belongs to another municipality or run than the match.
    SAMKOER_RULE_CHECK_MISMATCH = 1402,
    /// `check-signature` (input): the check request is not signed by the key the sector's publication of this run carries.
    SAMKOER_RULE_CHECK_SIGNATURE = 1403,
    /// `check-index` (format): the match's check index is damaged or of another run.
    SAMKOER_RULE_CHECK_INDEX = 1404,
    /// `check-too-many` (input): the check request names more citizens than one request may (10,000).
    SAMKOER_RULE_CHECK_TOO_MANY = 1405,
    /// `check-answer-mismatch` (input): the check answer does not answer a request made from this person file with this run key.
    SAMKOER_RULE_CHECK_ANSWER_MISMATCH = 1406,
    /// `check-repeated` (input): the check names a citizen twice.
    SAMKOER_RULE_CHECK_REPEATED = 1407,
    /// `wrong-file-kind` (input): the file is of another kind than the one asked for.
    SAMKOER_RULE_WRONG_FILE_KIND = 1501,
}
