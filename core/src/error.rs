//! The one error type of the core, and the rules that input is checked against.
//!
//! An error names where (file and line, or file and record) and which [`Rule`] was broken, never
//! the offending value: the value may be a CPR number. Every variant and every rule has a stable
//! numeric code that the surfaces (CLI, WASM, Python, C) map once, in their own `error.rs`.

use std::fmt;

/// Declares every rule once — its variant, stable code, name, form, description and remedy —
/// and derives from that one list the enum and every table of it the surfaces use.
macro_rules! rules {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $code:literal, $name:literal, $form:ident, $description:literal, $remedy:literal;
    )*) => {
        /// A rule that input must satisfy. Rejected export rows and file errors both name one.
        ///
        /// The numbers returned by [`Rule::code`] are part of the public interface: they are
        /// never renumbered or reused, and new rules get new numbers
        /// (`tests/vectors/rules.json` holds every one ever given, and the tests compare).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $($(#[$doc])* $variant,)*
        }

        impl Rule {
            /// Every rule, in code order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The rule's stable number. Never renumbered, never reused.
            pub const fn code(self) -> u32 {
                match self { $(Rule::$variant => $code,)* }
            }

            /// The rule's stable name, used in reports, vectors and messages.
            pub const fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* }
            }

            /// Where an error of this rule points: a line of a text file, a record of a
            /// binary file, or a value the caller gave (spec §10).
            pub const fn form(self) -> Form {
                match self { $(Rule::$variant => Form::$form,)* }
            }

            /// What the rule says, in one sentence, for messages.
            pub const fn description(self) -> &'static str {
                match self { $(Rule::$variant => $description,)* }
            }

            /// What the person who met the error can do about it, in one sentence.
            pub const fn remedy(self) -> &'static str {
                match self { $(Rule::$variant => $remedy,)* }
            }
        }
    };
}

rules! {
    // CPR numbers (spec §3).
    /// A CPR number is 10 digits, optionally with a hyphen after the sixth.
    CprLength = 101, "cpr-length", Input,
        "a CPR number has 10 digits, optionally with a hyphen after the sixth",
        "fix the CPR number at the line named in the case system, or leave the row out";
    /// A CPR number holds only digits (and the one optional hyphen).
    CprCharacters = 102, "cpr-characters", Input,
        "a CPR number holds only digits and one optional hyphen",
        "fix the CPR number at the line named in the case system, or leave the row out";
    /// The first six digits are a real calendar date under the century rule.
    CprDate = 103, "cpr-date", Input,
        "the CPR number's first six digits are not a real birth date",
        "fix the CPR number at the line named in the case system, or leave the row out";
    /// The birth date lies after the reference date.
    CprFuture = 104, "cpr-future", Input,
        "the CPR number's birth date lies after the reference date",
        "fix the CPR number at the line named in the case system, or leave the row out";
    // Case-system exports and relations files (spec §8).
    /// The file is not valid CSV (for instance an unterminated quote).
    CsvSyntax = 201, "csv-syntax", Input,
        "the line is not valid CSV",
        "fix the row at the line named in the case system and export again";
    /// A row has a different number of fields than the header.
    CsvFieldCount = 202, "csv-field-count", Input,
        "the row has a different number of fields than the header",
        "fix the row at the line named in the case system and export again";
    /// The bytes are not valid in the file's encoding.
    Encoding = 203, "encoding", Input,
        "the bytes are not valid in the file's encoding",
        "save the file again in one encoding, UTF-8 if you can (an export or work list wholly in Windows-1252 is read as such; a file that mixes the two is not)";
    /// The file is empty or has no header row.
    HeaderMissing = 204, "header-missing", Input,
        "the file has no header row",
        "check the export's header row; name differently called columns in a mapping file (--mapping)";
    /// The delimiter could not be told from the header (neither or both of `;` and `,`).
    DelimiterAmbiguous = 205, "delimiter-ambiguous", Input,
        "the header shows neither or both of ';' and ','",
        "check the export's header row; name differently called columns in a mapping file (--mapping)";
    /// A required column is missing from the header.
    ColumnMissing = 206, "column-missing", Input,
        "a required column is missing",
        "check the export's header row; name differently called columns in a mapping file (--mapping)";
    /// Two header columns map to the same field.
    ColumnDuplicate = 207, "column-duplicate", Input,
        "two columns map to the same field, or one column to two fields",
        "check the export's header row; name differently called columns in a mapping file (--mapping)";
    /// A required field is empty.
    FieldEmpty = 208, "field-empty", Input,
        "a required field is empty",
        "fix the row at the line named in the case system and export again";
    /// A field is longer than the format allows.
    FieldTooLong = 209, "field-too-long", Input,
        "a field is longer than the format allows",
        "fix the row at the line named in the case system and export again";
    /// The service code is not in the service catalogue.
    ServiceUnknown = 210, "service-unknown", Input,
        "the service code is not in the service catalogue",
        "use a service code of the catalogue (samkoer catalogue lists them), or map the case system's codes";
    /// The status is none of the known (or mapped) values.
    StatusUnknown = 211, "status-unknown", Input,
        "the status is not a known value",
        "use a known status, or map the case system's statuses in a mapping file ([statuses])";
    /// A date is not a real date in a supported form.
    DateInvalid = 212, "date-invalid", Input,
        "the date is not a real date from 1800 to 9999 as YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY",
        "fix the row at the line named in the case system and export again";
    /// The end date lies before the start date.
    DateOrder = 213, "date-order", Input,
        "the end date lies before the start date",
        "fix the row at the line named in the case system and export again";
    /// A relation links a person to themself.
    RelationSelf = 214, "relation-self", Input,
        "a relation links a person to themself",
        "fix the row at the line named in the case system and export again";
    /// The column mapping or status mapping is malformed.
    MappingInvalid = 215, "mapping-invalid", Input,
        "the column or status mapping is malformed",
        "fix the mapping file at the line named (see the README's mapping example)";
    /// More rows rejected than the publish's limit allows (spec §8.6): nothing is published.
    RejectedLimit = 216, "rejected-limit", Input,
        "more of the export's rows are invalid than the limit allows, so nothing was published",
        "see the rules the message names: another encoding, delimiter or other column or status names need a mapping file (the message shows lines to add); errors in the case system are fixed there; raise the limit only when the rows are truly bad";
    /// Every row excluded by one and the same policy rule (spec §8.6): nothing is published.
    AllExcluded = 217, "all-excluded", Input,
        "every row of the export was excluded by one rule, so nothing was published",
        "check that the export is this sector's own and current (other-sector: another sector's export or key; status-ended: an old export); allow it only to publish nothing on purpose";
    // Key files (spec §4.5).
    /// A key file line is not of the expected form.
    KeyFileSyntax = 301, "key-file-syntax", Input,
        "the key file is not of the key-file form",
        "check that the key file is the one given to you and undamaged; make keys with samkoer keygen";
    /// The key file's format version is not supported.
    KeyFileVersion = 302, "key-file-version", Input,
        "the key file's version is not supported",
        "this key file is of another samkoer version: make the key again with this one";
    /// The key file holds another kind of key than the one asked for.
    KeyFileKind = 303, "key-file-kind", Input,
        "the key file holds another kind of key",
        "this is another kind of key: check which key file the option asks for";
    /// The key file's integrity check or fingerprint does not match its content.
    KeyFileCheck = 304, "key-file-check", Input,
        "the key file's check does not match: it was altered or damaged",
        "check that the key file is the one given to you and undamaged; make keys with samkoer keygen";
    /// The key file can be read by other users than its owner.
    KeyFilePermissions = 305, "key-file-permissions", Input,
        "other users than the key file's owner have access to it",
        "make the key file readable by its owner only: chmod 600 FILE";
    /// The key file already exists; keys are never overwritten.
    KeyFileExists = 306, "key-file-exists", Input,
        "a file already exists there; keys are never overwritten",
        "keys are never overwritten: choose another file name, or remove the old key deliberately";
    /// Two keys that must belong together (municipality, run or sector) do not.
    KeyMismatch = 307, "key-mismatch", Parameter,
        "the keys belong to different municipalities, runs or sectors",
        "the keys or files belong to different municipalities, runs or sectors: use the ones of the same run and sector";
    // Publications and flag files (spec §7).
    /// The file does not start with the publication magic bytes.
    PublicationMagic = 401, "publication-magic", Format,
        "the file is not a samkoer publication or flag file of the kind expected",
        "check that it is the file meant (a publication ends in .pub, a flag file in .flag, a key file in .key); if it is, it was damaged on the way: ask its sender for it again";
    /// The publication's format version is not supported.
    PublicationVersion = 402, "publication-version", Format,
        "the publication's format version is not supported",
        "the publication is of another samkoer version: publish it again with this one";
    /// A header field is malformed.
    PublicationHeader = 403, "publication-header", Format,
        "the publication's header is malformed",
        "the file was cut short or altered on the way: ask its sector for it again";
    /// A record is malformed (unknown tag, bad length, bad value).
    PublicationRecord = 404, "publication-record", Format,
        "a publication record is malformed",
        "the file was cut short or altered on the way: ask its sector for it again";
    /// The file ends before its trailer.
    PublicationTruncated = 405, "publication-truncated", Format,
        "the publication ends before its trailer: it was cut short",
        "the file was cut short or altered on the way: ask its sector for it again";
    /// The trailer's digest does not match the content: the file was altered.
    PublicationDigest = 406, "publication-digest", Format,
        "the publication's digest does not match: it was altered",
        "the file was cut short or altered on the way: ask its sector for it again";
    /// The trailer's record counts do not match the records read.
    PublicationCount = 407, "publication-count", Format,
        "the trailer's record counts do not match the records",
        "the file was cut short or altered on the way: ask its sector for it again";
    /// Bytes follow the trailer.
    PublicationTrailingData = 408, "publication-trailing-data", Format,
        "bytes follow the publication's trailer",
        "the file was cut short or altered on the way: ask its sector for it again";
    /// A publication's header names a sector the matcher's catalogue does not define.
    PublicationSector = 409, "publication-sector", Format,
        "the publication's sector is not a sector of the catalogue",
        "the publication is of a sector this catalogue does not know: match with the catalogue the sectors published with";
    /// A service record names a code the catalogue does not allow for the publication's sector.
    PublicationService = 410, "publication-service", Format,
        "a record names a service that is not one of its sector's in the catalogue",
        "the publication holds a service of another sector: ask its sector to publish again with the shared catalogue";
    /// A publication's signature is not its header's signing key's over its digest.
    PublicationSignature = 411, "publication-signature", Format,
        "the publication's signature does not verify under the signing key its header names",
        "the file was altered or was not written by the sector it names: ask its sector for it again";
    // Service catalogue (spec §9).
    /// The catalogue is not valid TOML of the catalogue's form.
    CatalogueSyntax = 501, "catalogue-syntax", Input,
        "the catalogue is not valid catalogue TOML",
        "fix the catalogue at the line named, or use the built-in one";
    /// A code appears twice in the catalogue.
    CatalogueDuplicate = 502, "catalogue-duplicate", Input,
        "a code appears twice in the catalogue",
        "fix the catalogue at the line named, or use the built-in one";
    /// A service names a sector that the catalogue does not define.
    CatalogueSector = 503, "catalogue-sector", Input,
        "a service names a sector the catalogue does not define",
        "fix the catalogue at the line named, or use the built-in one";
    /// A catalogue field is empty or malformed.
    CatalogueField = 504, "catalogue-field", Input,
        "a catalogue field is empty or malformed",
        "fix the catalogue at the line named, or use the built-in one";
    // Values given by the caller.
    /// A municipality code is three digits, 100 to 999.
    MunicipalityCode = 601, "municipality-code", Parameter,
        "a municipality code is three digits, 100 to 999",
        "give the municipality's three-digit code, 100 to 999";
    /// A run id is 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
    RunId = 602, "run-id", Parameter,
        "a run id is 1 to 64 characters from A-Z a-z 0-9 . _ -",
        "give a run id of 1 to 64 characters from A-Z a-z 0-9 . _ -, for instance 2026-11";
    /// A sector code is 1 to 32 characters from `a-z 0-9 -` and must be in the catalogue.
    SectorCode = 603, "sector-code", Parameter,
        "a sector code is 1 to 32 characters from a-z 0-9 - and in the catalogue",
        "use a sector of the catalogue (samkoer catalogue lists them)";
    /// A date given by the caller (a reference date, a time) is not a real date in a supported form.
    DateGiven = 604, "date-given", Parameter,
        "a date given is not a real date from 1800 to 9999 as YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY",
        "give the date as YYYY-MM-DD";
    /// What is to be sealed in an envelope is out of the envelope's range.
    EnvelopeContent = 605, "envelope-content", Parameter,
        "an envelope's service code, text fields (at most 4096 bytes each) or start date (1800 to 9999) is out of range",
        "shorten the case's texts to 4096 bytes each and give a start date from 1800 to 9999";
    /// A limit given to a step is out of its range (spec §8.6).
    LimitGiven = 606, "limit-given", Parameter,
        "a limit is out of its range (a percentage from 0 to 100)",
        "give the limit as a whole percentage from 0 to 100";
    // Matching (spec §12).
    /// Publications of different municipalities were given to one match.
    MixedMunicipality = 701, "mixed-municipality", Format,
        "the publications belong to different municipalities",
        "match only publications of one run, made with the same run key, catalogue and reference date";
    /// Publications of different runs were given to one match.
    MixedRun = 702, "mixed-run", Format,
        "the publications belong to different runs",
        "match only publications of one run, made with the same run key, catalogue and reference date";
    /// Publications made with different run keys (fingerprints) were given to one match.
    MixedRunKey = 703, "mixed-run-key", Format,
        "the publications were made with different run keys",
        "match only publications of one run, made with the same run key, catalogue and reference date";
    /// Publications, or publications and the matcher, use different catalogue versions.
    MixedCatalogue = 704, "mixed-catalogue", Format,
        "the publications or the matcher use different catalogue versions",
        "match only publications of one run, made with the same run key, catalogue and reference date";
    /// Publications with different reference dates were given to one match.
    MixedReferenceDate = 705, "mixed-reference-date", Format,
        "the publications have different reference dates",
        "the sector whose date differs was given a run key of another date: ask it to publish again with the run's key file";
    /// Two publications of one match come from the same sector.
    DuplicateSector = 706, "duplicate-sector", Format,
        "two publications come from the same sector",
        "give each sector's publication once";
    /// A one-citizen check asked about a pseudonym the asking sector did not publish.
    NotOwnPseudonym = 707, "not-own-pseudonym", Parameter,
        "the asking sector did not publish this pseudonym in this run",
        "a sector may ask only about citizens it published in this run";
    /// A match was given no publication.
    NoPublications = 708, "no-publications", Parameter,
        "a match needs at least one publication",
        "name at least one publication";
    // Criteria (spec §11).
    /// The criteria file is not valid TOML of the criteria's form.
    CriteriaSyntax = 801, "criteria-syntax", Input,
        "the criteria file is not valid criteria TOML",
        "fix the criteria file at the line named (see the README's criteria example)";
    /// The criteria name a service code that is not an allowed service of the catalogue.
    CriteriaServiceUnknown = 802, "criteria-service-unknown", Input,
        "the criteria name a service code the catalogue does not allow",
        "fix the criteria file at the line named (see the README's criteria example)";
    /// The criteria contradict themselves, or can never select anyone.
    CriteriaContradiction = 803, "criteria-contradiction", Input,
        "the criteria contradict themselves or can never select anyone",
        "fix the criteria file at the line named (see the README's criteria example)";
    /// The criteria name an age band that is not one of the six bands of the spec (§3.3).
    CriteriaAgeBandUnknown = 804, "criteria-age-band-unknown", Input,
        "the criteria name an age band that is not one of the six bands",
        "write one of child-0-5, child-6-17, adult-18-29, adult-30-49, adult-50-66, adult-67-plus at the line named";
    // Audit log (spec §16).
    /// An audit-log entry is malformed or names an unknown party or action.
    AuditEntry = 1001, "audit-entry", Input,
        "an audit-log entry is malformed or names an unknown party or action",
        "the audit log was changed at or before the entry named: restore it from a copy";
    /// An audit-log entry's number, previous hash or hash does not match: the log was edited, cut, reordered or added to.
    AuditChain = 1002, "audit-chain", Input,
        "an audit-log entry does not follow the one before: the log was changed",
        "the audit log was changed at or before the entry named: restore it from a copy";
    /// A step to append to an audit log names an unknown action, a malformed party, or no time.
    AuditStep = 1003, "audit-step", Parameter,
        "an audit step names an unknown action, a malformed party or no time",
        "name one of the actions and parties of the audit log's form (docs/spec.md §16)";
    /// A head given to verify a log against is not of the form `audit verify` prints.
    AuditHead = 1004, "audit-head", Parameter,
        "a head is SEQ:HASH, the entry number and 64 hex digits that audit verify printed",
        "copy the head that audit verify printed";
    /// A signed audit entry's signature does not verify under the key it names.
    AuditSignature = 1005, "audit-signature", Input,
        "the audit entry's signature does not verify: the entry was altered or forged",
        "the log was altered after it was written: keep it as evidence and restore it from a backup";
    /// An audit entry is not signed by its party's key (another key, or none after a signed entry).
    AuditSigner = 1006, "audit-signer", Input,
        "the audit entry is not signed by its party's key",
        "entries were added or rewritten by someone without the party's key: keep the log as evidence and restore it from a backup";
    /// A file the log's party handed on names a log head the log does not hold.
    AuditEvidence = 1007, "audit-evidence", Input,
        "the log does not hold the entry a file its party handed on names: it was cut or rewritten since",
        "the log was cut or rewritten after the file was made: keep both as evidence and restore the log from a backup";
    // Suitability (spec §13).
    /// The flag file belongs to another sector or municipality than the sealing key.
    ReviewKey = 1101, "review-key", Format,
        "the flag file is for another sector or municipality than the sealing key",
        "the keys or files belong to different municipalities, runs or sectors: use the ones of the same run and sector";
    /// The verdict file (or filled work list) is not of its form.
    VerdictSyntax = 1102, "verdict-syntax", Input,
        "the verdict file is not of the verdict form",
        "fix the verdict file at the line named; give verdicts only for candidates in your own work list";
    /// A verdict is none of suitable, suitable-from (with a month) or not-suitable.
    VerdictValue = 1103, "verdict-value", Input,
        "a verdict is not suitable, suitable-from with a YYYY-MM month, or not-suitable",
        "fix the verdict file at the line named; give verdicts only for candidates in your own work list";
    /// A verdict names a candidate that the sector was never sent.
    VerdictNotSent = 1104, "verdict-not-sent", Input,
        "a verdict names a candidate the sector was never sent",
        "fix the verdict file at the line named; give verdicts only for candidates in your own work list";
    /// A verdict file belongs to another municipality or run, or a second file comes from the same sector.
    VerdictMismatch = 1105, "verdict-mismatch", Input,
        "the verdict file belongs to another run, or its sector already gave verdicts",
        "give each sector's verdict file of this run once";
    /// A verdict file is not signed (version 1), changed since it was signed, or is not signed by the key its sector's publication of this run carries.
    VerdictSignature = 1106, "verdict-signature", Input,
        "the verdict file is not signed by its sector's key, or changed since it was signed",
        "make the verdict file again with samkoer verdict and the sector's own sealing key, and send it unchanged";
    /// A match result is not signed (version 1), changed since it was signed, or is not signed by this central unit's matcher key.
    MatchResultSignature = 1107, "match-result-signature", Input,
        "the match result is not signed by this central unit's matcher key, or changed since it was signed",
        "give the result.json of this run's match folder unchanged, with the matcher key the match was run with";
    // Consent and disclosure (spec §14, §15).
    /// A consent receipt or withdrawal is malformed.
    ConsentFormat = 1201, "consent-format", Input,
        "the receipt or withdrawal is malformed",
        "ask the sender for the file again";
    /// The signature does not verify under the consent registry's key: the receipt or withdrawal was forged or altered.
    ConsentSignature = 1202, "consent-signature", Input,
        "the receipt or withdrawal is not signed by the consent registry: forged or altered",
        "the receipt or withdrawal was not issued by the registry or was altered: do not trust it";
    /// The receipt's validity starts after now.
    ConsentNotYetValid = 1203, "consent-not-yet-valid", Input,
        "the receipt is not valid yet",
        "ask the consent registry for a receipt that is valid now";
    /// The receipt's validity ended before now.
    ConsentExpired = 1204, "consent-expired", Input,
        "the receipt has expired",
        "ask the consent registry for a receipt that is valid now";
    /// The receipt does not name the sector asked to disclose.
    ConsentScope = 1205, "consent-scope", Input,
        "the receipt does not name this sector",
        "this sector is not in the consent: it must release nothing";
    /// A signed withdrawal of the receipt takes effect at or before now.
    ConsentWithdrawn = 1206, "consent-withdrawn", Input,
        "the consent was withdrawn",
        "the citizen withdrew the consent: release nothing";
    /// The receipt's subject is none of the sector's citizens with ongoing services.
    ConsentOtherPerson = 1207, "consent-other-person", Input,
        "the receipt concerns none of this sector's citizens",
        "the receipt is for someone who has no ongoing services here: release nothing";
    /// A disclosure bundle is malformed.
    DisclosureFormat = 1208, "disclosure-format", Input,
        "the disclosure bundle is malformed",
        "ask the sender for the file again";
    /// A receipt to issue has no sector or more than 64, a validity that ends before it begins, or keys of different municipalities.
    ConsentRequest = 1209, "consent-request", Parameter,
        "a receipt needs 1 to 64 sectors, a validity that ends after it begins, and keys of one municipality",
        "name 1 to 64 sectors, a validity that ends after it begins, and the registry's and subject keys of one municipality";
    /// A consent state is malformed: wrong magic or version, a length that is not its count's, receipt ids out of order.
    ConsentStateFormat = 1210, "consent-state-format", Input,
        "the consent state is malformed",
        "fetch the current consent state from the consent registry again";
    /// A consent state's signature does not verify under the consent registry's key, or it is of another municipality.
    ConsentStateSignature = 1211, "consent-state-signature", Input,
        "the consent state is not signed by this municipality's consent registry: forged or altered",
        "do not trust this consent state: fetch the current one from the consent registry itself";
    /// A consent state was issued longer ago than the maximum age the municipality set.
    ConsentStateStale = 1212, "consent-state-stale", Input,
        "the consent state is older than the maximum age the municipality set",
        "fetch the current consent state from the consent registry; if it is this old, ask the registry to publish a new one";
    /// A consent state's sequence number is lower than that of a state this party has already used.
    ConsentStateOlder = 1213, "consent-state-older", Input,
        "the consent state is older than one already used here",
        "an old consent state was handed on: release nothing, and fetch the current one from the consent registry itself";
    /// A disclosure or consent check was asked without a consent state.
    ConsentStateMissing = 1214, "consent-state-missing", Parameter,
        "a disclosure or consent check needs the consent registry's current consent state",
        "give the consent registry's current consent state (--consent-state)";
    /// A consent state's issue time lies further in the future than clocks may disagree.
    ConsentStateFuture = 1215, "consent-state-future", Input,
        "the consent state is dated in the future",
        "check the clocks of the consent registry and of this computer";
    /// The registry has published a consent state before, and the new one was not given the last.
    ConsentStatePrevious = 1216, "consent-state-previous", Parameter,
        "the registry has published a consent state before: a new one must continue the last",
        "give the last consent state the registry published (--previous)";
    /// A consent state would hold more withdrawals, or a higher sequence number, than its format can.
    ConsentStateFull = 1217, "consent-state-full", Parameter,
        "the consent state cannot hold more withdrawals or a higher sequence number",
        "make a new consent registry key and issue the receipts still in force again under it";
    /// A disclosure bundle is not signed by the public key given for the sector it names, or no key was given for that sector.
    DisclosureSignature = 1218, "disclosure-signature", Input,
        "the bundle is not signed by the key of the sector it names",
        "ask the sector for the bundle again, and give its sector public key (samkoer keygen public --key SECTOR.key makes it)";
    /// A disclosure bundle answers another receipt than the one given, names a sector outside its scope, or is the second from one sector.
    DisclosureReceipt = 1219, "disclosure-receipt", Input,
        "the bundle does not answer this receipt: another receipt, a sector outside its scope, or a second bundle from one sector",
        "open a citizen's bundles with that citizen's receipt, one bundle per consented sector";
    // Step outputs (spec §18).
    /// An output that a step must not overwrite (a filled work list, a match's results, a receipt) already exists.
    OutputExists = 1301, "output-exists", Input,
        "an output of this step already exists there and is never overwritten",
        "choose another file or folder, or remove the old one deliberately";
    /// A commit journal left by an interrupted step is not of its form.
    CommitJournal = 1302, "commit-journal", Input,
        "the record of an interrupted step's outputs is damaged",
        "an interrupted step left a damaged record of its outputs: remove the .samkoer-commit file named and run the step again";
    // The one-citizen check (spec §12.8).
    /// A one-citizen check's request or answer file is malformed.
    CheckFormat = 1401, "check-format", Input,
        "the check request or answer is not of its form",
        "ask the sender for the file again";
    /// A one-citizen check's request names another municipality or run than the publications it is asked of.
    CheckMismatch = 1402, "check-mismatch", Input,
        "the check request belongs to another municipality or run than the match",
        "ask with a request made for this run";
    /// A check request's signature is not that of the signing key the sector's publication of this run carries.
    CheckSignature = 1403, "check-signature", Input,
        "the check request is not signed by the key the sector's publication of this run carries",
        "a sector may ask only in its own name: make the request with that sector's own sealing key";
    /// The match's check index is not of its form.
    CheckIndex = 1404, "check-index", Format,
        "the match's check index is damaged or of another run",
        "give the check-index file of this run's match folder; if it is damaged, match the run again";
    /// A check request asks about more citizens than one request may.
    CheckTooMany = 1405, "check-too-many", Input,
        "the check request names more citizens than one request may (10,000)",
        "split the citizens into several requests of at most 10,000";
    /// A check answer does not answer the request made from this person file.
    CheckAnswerMismatch = 1406, "check-answer-mismatch", Input,
        "the check answer does not answer a request made from this person file with this run key",
        "read the answer with the same person file and run key the request was made from";
    /// A check request or its person file names one citizen twice.
    CheckRepeated = 1407, "check-repeated", Input,
        "the check names a citizen twice",
        "name each citizen once in the person file";
    // Files of the wrong kind (spec §10).
    /// The file is recognisably of another kind than the one asked for (a public key where a
    /// publication is asked for, a receipt where a withdrawal is): the detail says which.
    WrongFileKind = 1501, "wrong-file-kind", Input,
        "the file is of another kind than the one asked for",
        "give the file the option asks for (the message says what this one is): a publication ends in .pub, a flag file in .flag, a key file in .key, a public key in -public.key";
}

/// The three forms of a rule error (spec §10): each rule is always reported in its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// A text file (or a column of values) at a line: `<file>, line <n>: …`.
    Input,
    /// A binary file at a record: `<file>, record <n>: …`.
    Format,
    /// A value the caller gave, with no file: `<meaning> (<name>)`.
    Parameter,
}

impl Form {
    /// The form's name, as the spec and the vectors write it.
    pub const fn name(self) -> &'static str {
        match self {
            Form::Input => "input",
            Form::Format => "format",
            Form::Parameter => "parameter",
        }
    }
}

impl Rule {
    /// Looks a rule up by its stable name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.name() == name)
    }

    /// Looks a rule up by its stable code.
    pub fn from_code(code: u32) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.code() == code)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.description(), self.name())
    }
}

/// Everything that can go wrong in the core.
///
/// No variant holds an input value; positions and rule names only.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{file}: {source}")]
    Io {
        /// The file, as the caller named it.
        file: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A text file (export, relations, key file, catalogue) broke a rule at a line.
    #[error("{file}, line {line}: {rule}{}", detail_suffix(.detail))]
    Input {
        /// The file, as the caller named it.
        file: String,
        /// The 1-based line; 0 when the rule concerns the whole file.
        line: u64,
        /// The rule broken.
        rule: Rule,
        /// Safe context such as a field's name, or what a file of the wrong kind is: text of
        /// the code's own, so it can never be a value from the input.
        detail: Option<std::borrow::Cow<'static, str>>,
    },

    /// A binary file (publication) broke a rule at a record.
    #[error("{file}, record {record}: {rule}{}", detail_suffix(.detail))]
    Format {
        /// The file, as the caller named it.
        file: String,
        /// The 1-based record number; 0 for the header.
        record: u64,
        /// The rule broken.
        rule: Rule,
        /// Safe context of the code's own, such as what a file of the wrong kind is, or the
        /// two differing values of a run's identity (dates, municipality codes, run ids,
        /// fingerprints: never a value a case system wrote).
        detail: Option<std::borrow::Cow<'static, str>>,
    },

    /// A parameter given by the caller (municipality, run id, sector) is malformed.
    #[error("{rule}")]
    Parameter {
        /// The rule broken.
        rule: Rule,
    },

    /// Opening an envelope failed: wrong key, wrong record, or altered bytes. Deliberately opaque.
    #[error("the envelope could not be opened (wrong key, wrong record, or altered)")]
    OpenFailed,

    /// An envelope in a flag file, or a disclosure bundle, did not open: [`Error::OpenFailed`]
    /// with the file and record it happened at (record 0: the whole file). Deliberately opaque
    /// about the cause.
    #[error(
        "{file}, record {record}: the sealed content could not be opened: wrong key, another record's or sector's, or altered (open-failed)"
    )]
    OpenFailedIn {
        /// The file, as the caller named it.
        file: String,
        /// The 1-based record; 0 for the whole file.
        record: u64,
    },

    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,

    /// A publish that would publish much less than it was given (spec §8.6): nothing was
    /// written. The only error that shows text from an input: status values that hold no digit.
    #[error("{file}: {rule}: {refusal}")]
    Refused {
        /// The export (or relations file), as the caller named it.
        file: String,
        /// [`Rule::RejectedLimit`] or [`Rule::AllExcluded`].
        rule: Rule,
        /// The counts and what they are made of.
        refusal: Box<Refusal>,
    },
}

/// What a refused publish was given and would have published (spec §8.6).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refusal {
    /// Data rows read.
    pub rows: u64,
    /// Rows that would have been published.
    pub published: u64,
    /// Rows excluded by policy.
    pub excluded: u64,
    /// Rows rejected as invalid.
    pub rejected: u64,
    /// The limit on rejected rows, in percent of the rows.
    pub limit_percent: u8,
    /// The most frequent rules behind the refusal, most frequent first, with their counts.
    pub rules: Vec<(&'static str, u64)>,
    /// Status values not understood, with their counts: only values that hold no digit.
    pub unknown_statuses: Vec<(String, u64)>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows: {} published, {} excluded, {} rejected",
            self.rows, self.published, self.excluded, self.rejected
        )?;
        if self.excluded < self.rows {
            // Whole percent, rounded up, so that a refused share never reads as the limit.
            let percent = (self.rejected * 100).div_ceil(self.rows.max(1));
            write!(
                f,
                " ({percent} %, more than the limit of {} %)",
                self.limit_percent
            )?;
        } else {
            write!(f, " (every row excluded by one rule)")?;
        }
        for (i, (rule, n)) in self.rules.iter().enumerate() {
            let lead = if i == 0 { "; most often: " } else { ", " };
            write!(f, "{lead}{rule} {n}")?;
        }
        if !self.unknown_statuses.is_empty() {
            // Quoted as TOML strings are (the values hold no control character).
            let quoted =
                |value: &str| format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""));
            for (i, (value, n)) in self.unknown_statuses.iter().enumerate() {
                let lead = if i == 0 {
                    "; status values not understood: "
                } else {
                    ", "
                };
                write!(f, "{lead}{} {n}", quoted(value))?;
            }
            write!(f, ". Say what each means in the mapping file:\n[statuses]")?;
            for (value, _) in &self.unknown_statuses {
                write!(
                    f,
                    "\n{} = \"active\"   # or \"ended\", \"pending\", \"refused\"",
                    quoted(value)
                )?;
            }
        }
        Ok(())
    }
}

/// What to do about a failed read or write, by what the operating system said.
pub fn io_remedy(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind;
    match kind {
        ErrorKind::NotFound => "check the path: the file or a folder on the way does not exist",
        ErrorKind::PermissionDenied => {
            "check the permissions of the file and its folder for the account that runs samkoer"
        }
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
            "the disk is full (or the account's quota used up): free space and run the step again; nothing of the failed step was kept"
        }
        ErrorKind::ReadOnlyFilesystem => {
            "the file system is read-only: write the output to another place"
        }
        ErrorKind::IsADirectory => "a folder was named where a file is wanted: name the file",
        ErrorKind::AlreadyExists => "a file of that name is in the way: move it or name another",
        _ => "check that the file exists and can be read (or written)",
    }
}

fn detail_suffix(detail: &Option<impl AsRef<str>>) -> String {
    detail
        .as_ref()
        .map(|d| format!(" [{}]", d.as_ref()))
        .unwrap_or_default()
}

impl Error {
    /// The error's stable number: the rule's code for rule errors, a small number otherwise.
    pub fn code(&self) -> u32 {
        match self {
            Error::Io { .. } => 1,
            Error::OpenFailed | Error::OpenFailedIn { .. } => 2,
            Error::Random => 3,
            Error::Input { rule, .. }
            | Error::Format { rule, .. }
            | Error::Parameter { rule }
            | Error::Refused { rule, .. } => rule.code(),
        }
    }

    /// The rule broken, if the error is about input.
    pub fn rule(&self) -> Option<Rule> {
        match self {
            Error::Input { rule, .. }
            | Error::Format { rule, .. }
            | Error::Parameter { rule }
            | Error::Refused { rule, .. } => Some(*rule),
            Error::Io { .. } | Error::OpenFailed | Error::OpenFailedIn { .. } | Error::Random => {
                None
            }
        }
    }

    /// The stable name of the error class, as used in the test vectors' `expect` fields.
    pub fn class(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::OpenFailed | Error::OpenFailedIn { .. } => "open-failed",
            Error::Random => "random",
            Error::Input { rule, .. }
            | Error::Format { rule, .. }
            | Error::Parameter { rule }
            | Error::Refused { rule, .. } => rule.name(),
        }
    }

    /// The form of a rule error; `None` for the others.
    pub fn form(&self) -> Option<Form> {
        self.rule().map(Rule::form)
    }

    /// What to do about the error, in one sentence.
    pub fn remedy(&self) -> &'static str {
        match self {
            Error::Io { source, .. } => io_remedy(source.kind()),
            Error::OpenFailed | Error::OpenFailedIn { .. } => {
                "the key does not fit this file, or the file was altered: check you used your own key"
            }
            Error::Random => "the system's random number generator failed: try again",
            Error::Input { rule, .. }
            | Error::Format { rule, .. }
            | Error::Parameter { rule }
            | Error::Refused { rule, .. } => rule.remedy(),
        }
    }

    pub(crate) fn io(file: &str, source: std::io::Error) -> Self {
        Error::Io {
            file: file.to_owned(),
            source,
        }
    }

    /// A rule of form *input* broken at `line` of `file`.
    pub fn input(file: &str, line: u64, rule: Rule) -> Self {
        Error::input_detail(file, line, rule, None)
    }

    /// As [`Error::input`], with a detail of the code's own (a field's name).
    pub(crate) fn input_detail(
        file: &str,
        line: u64,
        rule: Rule,
        detail: Option<&'static str>,
    ) -> Self {
        debug_assert_eq!(rule.form(), Form::Input, "{rule:?}");
        Error::Input {
            file: file.to_owned(),
            line,
            rule,
            detail: detail.map(std::borrow::Cow::Borrowed),
        }
    }

    /// As [`Error::input_detail`], with a detail made of the code's own texts (what a file
    /// of the wrong kind is and what was asked for): never a value from the input.
    pub(crate) fn input_owned(file: &str, line: u64, rule: Rule, detail: String) -> Self {
        debug_assert_eq!(rule.form(), Form::Input, "{rule:?}");
        Error::Input {
            file: file.to_owned(),
            line,
            rule,
            detail: Some(detail.into()),
        }
    }

    /// A rule of form *format* broken at `record` of `file`.
    pub(crate) fn format(file: &str, record: u64, rule: Rule) -> Self {
        Error::format_detail(file, record, rule, None)
    }

    /// [`Error::format`] with a detail of the code's own.
    pub(crate) fn format_detail(
        file: &str,
        record: u64,
        rule: Rule,
        detail: Option<&'static str>,
    ) -> Self {
        debug_assert_eq!(rule.form(), Form::Format, "{rule:?}");
        Error::Format {
            file: file.to_owned(),
            record,
            rule,
            detail: detail.map(std::borrow::Cow::Borrowed),
        }
    }

    /// A file whose header differs from the first one's in a value of the run's identity:
    /// both values named, this file's first (spec §12.1).
    pub(crate) fn format_mismatch(
        file: &str,
        rule: Rule,
        this: impl fmt::Display,
        first: impl fmt::Display,
        first_file: &str,
    ) -> Self {
        debug_assert_eq!(rule.form(), Form::Format, "{rule:?}");
        Error::Format {
            file: file.to_owned(),
            record: 0,
            rule,
            detail: Some(format!("this file has {this}, {first_file} has {first}").into()),
        }
    }

    /// A rule of form *parameter* broken by a value the caller gave.
    pub fn parameter(rule: Rule) -> Self {
        debug_assert_eq!(rule.form(), Form::Parameter, "{rule:?}");
        Error::Parameter { rule }
    }
}

/// The error classes that are not rules, with their codes (spec §10): codes below 100.
pub const CLASSES: &[(u32, &str)] = &[(1, "io"), (2, "open-failed"), (3, "random")];

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_failed_read_or_write_is_told_what_to_do_by_its_cause() {
        use std::io::ErrorKind;
        let remedy = |kind| Error::io("out.pub", std::io::Error::from(kind)).remedy();
        assert!(remedy(ErrorKind::StorageFull).contains("disk is full"));
        assert!(remedy(ErrorKind::QuotaExceeded).contains("quota"));
        assert!(remedy(ErrorKind::PermissionDenied).contains("permissions"));
        assert!(remedy(ErrorKind::NotFound).contains("does not exist"));
        assert!(remedy(ErrorKind::ReadOnlyFilesystem).contains("read-only"));
        assert_eq!(
            remedy(ErrorKind::Interrupted),
            "check that the file exists and can be read (or written)"
        );
    }

    #[test]
    fn rule_codes_and_names_are_unique_and_round_trip() {
        let codes: HashSet<u32> = Rule::ALL.iter().map(|r| r.code()).collect();
        let names: HashSet<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(codes.len(), Rule::ALL.len());
        assert_eq!(names.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.name()), Some(*rule));
            assert!(
                rule.code() > 100,
                "codes below 100 belong to non-rule errors"
            );
        }
        assert!(Rule::ALL.windows(2).all(|w| w[0].code() < w[1].code()));
    }

    #[test]
    fn messages_name_file_line_and_rule() {
        let error = Error::input("export.csv", 17, Rule::CprDate);
        let message = error.to_string();
        assert!(message.contains("export.csv"));
        assert!(message.contains("line 17"));
        assert!(message.contains("cpr-date"));
        assert_eq!(error.code(), 103);
        assert_eq!(error.class(), "cpr-date");
    }
}
