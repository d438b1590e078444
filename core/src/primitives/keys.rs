//! Keys: the municipality's master key, a run key per selection run, a sector's sealing key;
//! their public fingerprints; and the key-file format (spec §4).
//!
//! Every key type holds its secret in a buffer that is wiped on drop, is neither `Copy` nor
//! `Clone`, prints only its kind, owner and fingerprint, and exposes the secret only through an
//! explicitly named method.

use std::fmt;
use std::io::Write;
use std::path::Path;

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::Date;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result, Rule};
use crate::files::Input;
use crate::files::kind::{self, Kind};
use crate::primitives::ids::{MunicipalityCode, RunId, SectorCode};
use crate::primitives::labels;

/// The length of every secret key, in bytes.
pub const KEY_LEN: usize = 32;

/// 32 secret bytes, wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Secret([u8; KEY_LEN]);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    fn random() -> Result<Secret> {
        let mut secret = Secret([0; KEY_LEN]);
        getrandom::fill(&mut secret.0).map_err(|_| Error::Random)?;
        Ok(secret)
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

/// HKDF-SHA256 with the given salt, expanded to one 32-byte secret.
pub(crate) fn hkdf_secret(salt: &[u8], ikm: &[u8], info: &[u8]) -> Secret {
    let mut okm = Secret([0; KEY_LEN]);
    // 32 bytes is far below HKDF-SHA256's limit of 255 * 32, so expand cannot fail.
    #[allow(clippy::expect_used)]
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, &mut okm.0)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// Appends `text` with a one-byte length prefix (callers have checked it fits).
pub(crate) fn push_short(out: &mut Vec<u8>, text: &str) {
    debug_assert!(text.len() <= usize::from(u8::MAX));
    out.push(text.len() as u8);
    out.extend_from_slice(text.as_bytes());
}

/// The kind of a key, as written in key files and mixed into fingerprints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The municipality's master key.
    Master,
    /// One selection run's key, derived from the master key.
    Run,
    /// One sector's sealing key for envelopes.
    Sealing,
    /// The consent registry's signing key (Ed25519 seed).
    ConsentRegistry,
    /// The consent registry's public verifying key.
    ConsentRegistryPublic,
    /// The key that tags a receipt's subject, held by the registry and the sectors.
    Subject,
    /// The plan team's decryption key (HPKE X25519 key material).
    PlanTeam,
    /// The plan team's public encryption key.
    PlanTeamPublic,
    /// The central matcher's key: it signs the matcher's audit entries (§4.6).
    Matcher,
    /// A sector's public signing key (§4.6), made from its sealing key: the plan team checks
    /// that a disclosure bundle is that sector's with it, an auditor the sector's log.
    SectorPublic,
}

impl KeyKind {
    /// The kind's name in key files.
    pub fn name(self) -> &'static str {
        match self {
            KeyKind::Master => "master",
            KeyKind::Run => "run",
            KeyKind::Sealing => "sealing",
            KeyKind::ConsentRegistry => "consent-registry",
            KeyKind::ConsentRegistryPublic => "consent-registry-public",
            KeyKind::Subject => "subject",
            KeyKind::PlanTeam => "plan-team",
            KeyKind::PlanTeamPublic => "plan-team-public",
            KeyKind::Matcher => "matcher",
            KeyKind::SectorPublic => "sector-public",
        }
    }

    /// Every kind.
    pub const ALL: [KeyKind; 10] = [
        KeyKind::Master,
        KeyKind::Run,
        KeyKind::Sealing,
        KeyKind::ConsentRegistry,
        KeyKind::ConsentRegistryPublic,
        KeyKind::Subject,
        KeyKind::PlanTeam,
        KeyKind::PlanTeamPublic,
        KeyKind::Matcher,
        KeyKind::SectorPublic,
    ];

    /// Whether the file holds a public key (line `public:`) rather than a secret.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            KeyKind::ConsentRegistryPublic | KeyKind::PlanTeamPublic | KeyKind::SectorPublic
        )
    }

    /// The kind's byte in fingerprints.
    pub fn byte(self) -> u8 {
        match self {
            KeyKind::Master => 1,
            KeyKind::Run => 2,
            KeyKind::Sealing => 3,
            KeyKind::ConsentRegistry => 4,
            KeyKind::ConsentRegistryPublic => 5,
            KeyKind::Subject => 6,
            KeyKind::PlanTeam => 7,
            KeyKind::PlanTeamPublic => 8,
            KeyKind::Matcher => 9,
            KeyKind::SectorPublic => 10,
        }
    }

    fn from_name(name: &str) -> Option<KeyKind> {
        KeyKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A key's public fingerprint: lets parties check they hold the same key without revealing it.
///
/// Compared in constant time: `==` is [`ConstantTimeEq`].
#[derive(Clone, Copy)]
pub struct Fingerprint(pub [u8; 16]);

impl ConstantTimeEq for Fingerprint {
    fn ct_eq(&self, other: &Fingerprint) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for Fingerprint {
    fn eq(&self, other: &Fingerprint) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Fingerprint {}

impl std::hash::Hash for Fingerprint {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Fingerprint {
    fn of(kind: KeyKind, secret: &Secret) -> Fingerprint {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(labels::FINGERPRINT);
        mac.update(&[kind.byte()]);
        let tag = mac.finalize().into_bytes();
        let mut fingerprint = [0; 16];
        fingerprint.copy_from_slice(&tag[..16]);
        Fingerprint(fingerprint)
    }

    /// Parses the form written by `Display`: four groups of eight hex digits joined by `-`.
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let compact: String = text.split('-').collect();
        if text.len() != 35 || compact.len() != 32 {
            return None;
        }
        let mut bytes = [0; 16];
        hex::decode_to_slice(compact, &mut bytes).ok()?;
        let fingerprint = Fingerprint(bytes);
        (fingerprint.to_string() == text).then_some(fingerprint)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = hex::encode(self.0);
        write!(
            f,
            "{}-{}-{}-{}",
            &hex[..8],
            &hex[8..16],
            &hex[16..24],
            &hex[24..]
        )
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// The municipality's master key, held by the key custodian only.
#[derive(ZeroizeOnDrop)]
pub struct MasterKey {
    secret: Secret,
    #[zeroize(skip)]
    municipality: MunicipalityCode,
}

impl MasterKey {
    /// A fresh random master key.
    pub fn generate(municipality: MunicipalityCode) -> Result<MasterKey> {
        Ok(MasterKey {
            secret: Secret::random()?,
            municipality,
        })
    }

    /// A master key from known bytes (for test vectors and recovery).
    pub fn from_bytes(municipality: MunicipalityCode, bytes: [u8; KEY_LEN]) -> MasterKey {
        MasterKey {
            secret: Secret(bytes),
            municipality,
        }
    }

    /// Derives the key of one run (spec §4.2): HKDF-SHA256 with salt [`labels::RUN_KEY_SALT`],
    /// the master key as input key material, and info = municipality (u16 big-endian) ‖ run id
    /// (one length byte, then the bytes).
    /// The reference date is the run's (§4.5): the date every sector judges services ongoing
    /// and ages on. It is carried with the key, not derived into it.
    pub fn derive_run_key(&self, run: &RunId, reference_date: Date) -> RunKey {
        let mut info = self.municipality.get().to_be_bytes().to_vec();
        push_short(&mut info, run.as_str());
        let secret = hkdf_secret(labels::RUN_KEY_SALT, self.secret.bytes(), &info);
        RunKey {
            secret,
            municipality: self.municipality,
            run: run.clone(),
            reference_date,
        }
    }

    /// The municipality the key belongs to.
    pub fn municipality(&self) -> MunicipalityCode {
        self.municipality
    }

    /// The key's public fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(KeyKind::Master, &self.secret)
    }

    /// The secret bytes. Handle with care.
    pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
        self.secret.bytes()
    }
}

/// The key of one selection run. Held by the sectors, never by the matcher.
#[derive(ZeroizeOnDrop)]
pub struct RunKey {
    secret: Secret,
    #[zeroize(skip)]
    municipality: MunicipalityCode,
    #[zeroize(skip)]
    run: RunId,
    #[zeroize(skip)]
    reference_date: Date,
}

impl RunKey {
    /// A run key from known bytes (for test vectors).
    pub fn from_bytes(
        municipality: MunicipalityCode,
        run: RunId,
        reference_date: Date,
        bytes: [u8; KEY_LEN],
    ) -> RunKey {
        RunKey {
            secret: Secret(bytes),
            municipality,
            run,
            reference_date,
        }
    }

    /// The municipality the run belongs to.
    pub fn municipality(&self) -> MunicipalityCode {
        self.municipality
    }

    /// The run the key belongs to.
    pub fn run(&self) -> &RunId {
        &self.run
    }

    /// The run's reference date, fixed by the custodian with the key: every sector publishes
    /// against it (spec §4.5, §8.4).
    pub fn reference_date(&self) -> Date {
        self.reference_date
    }

    /// The key's public fingerprint, written into every publication's header.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(KeyKind::Run, &self.secret)
    }

    /// The secret bytes. Handle with care.
    pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
        self.secret.bytes()
    }
}

/// A sector's key for sealing envelopes. Never leaves the sector.
#[derive(ZeroizeOnDrop)]
pub struct SealingKey {
    secret: Secret,
    #[zeroize(skip)]
    municipality: MunicipalityCode,
    #[zeroize(skip)]
    sector: SectorCode,
}

impl SealingKey {
    /// A fresh random sealing key.
    pub fn generate(municipality: MunicipalityCode, sector: SectorCode) -> Result<SealingKey> {
        Ok(SealingKey {
            secret: Secret::random()?,
            municipality,
            sector,
        })
    }

    /// A sealing key from known bytes (for test vectors).
    pub fn from_bytes(
        municipality: MunicipalityCode,
        sector: SectorCode,
        bytes: [u8; KEY_LEN],
    ) -> SealingKey {
        SealingKey {
            secret: Secret(bytes),
            municipality,
            sector,
        }
    }

    /// The municipality the sector belongs to.
    pub fn municipality(&self) -> MunicipalityCode {
        self.municipality
    }

    /// The sector that owns the key.
    pub fn sector(&self) -> &SectorCode {
        &self.sector
    }

    /// The key's public fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(KeyKind::Sealing, &self.secret)
    }

    /// The secret bytes. Handle with care.
    pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
        self.secret.bytes()
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }
}

macro_rules! redacted_debug {
    ($type:ident, $($field:ident),*) => {
        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))*
                    .field("fingerprint", &self.fingerprint())
                    .field("secret", &"<redacted>")
                    .finish()
            }
        }
    };
}
redacted_debug!(MasterKey, municipality);
redacted_debug!(RunKey, municipality, run, reference_date);

redacted_debug!(SealingKey, municipality, sector);

/// A sector's public signing key (§4.6): the public half of the signing key its sealing key
/// gives, with the sector it belongs to.
#[derive(Clone, PartialEq, Eq)]
pub struct SectorPublicKey {
    municipality: MunicipalityCode,
    sector: SectorCode,
    public: [u8; KEY_LEN],
}

impl SectorPublicKey {
    /// The public key of the sector whose sealing key this is.
    pub fn of(sealing: &SealingKey) -> SectorPublicKey {
        SectorPublicKey {
            municipality: sealing.municipality,
            sector: sealing.sector.clone(),
            public: crate::primitives::signing::PartySigningKey::of(sealing)
                .public()
                .0,
        }
    }

    /// The municipality the sector belongs to.
    pub fn municipality(&self) -> MunicipalityCode {
        self.municipality
    }

    /// The sector.
    pub fn sector(&self) -> &SectorCode {
        &self.sector
    }

    /// The signing key's public half.
    pub fn signer(&self) -> crate::primitives::signing::SignerKey {
        crate::primitives::signing::SignerKey(self.public)
    }

    /// The key's public fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(KeyKind::SectorPublic, &Secret(self.public))
    }
}

impl fmt::Debug for SectorPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SectorPublicKey")
            .field("municipality", &self.municipality)
            .field("sector", &self.sector)
            .field("signer", &self.signer())
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Key files (spec §4.5).

/// The first line of every key file written: version 2, whose run keys carry the run's
/// reference date.
const KEY_FILE_MAGIC: &str = "samkoer-key-file 2";

/// The first line of a key file of version 1, still read for every kind but the run key.
const KEY_FILE_MAGIC_V1: &str = "samkoer-key-file 1";

/// Why a run key file of version 1 is refused, and what to do.
const RUN_KEY_V1: &str = "a run key of key-file version 1 holds no reference date: derive it again with `samkoer keygen run` and the run's reference date; the pseudonyms stay the same";

/// A bound on a key file's length without its run and sector names (about 250 bytes).
const KEY_FILE_FIXED_LEN: usize = 320;

/// The parsed content of a key file, before it becomes a typed key.
struct KeyFile {
    version: u8,
    kind: KeyKind,
    municipality: MunicipalityCode,
    run: Option<(RunId, Date)>,
    sector: Option<SectorCode>,
    secret: Secret,
}

/// What a key file says, borrowed from a key for writing or from a parsed file for checking.
struct KeyFileView<'a> {
    /// 2 when written; 1 only when re-rendering a version 1 file to check it.
    version: u8,
    kind: KeyKind,
    municipality: MunicipalityCode,
    /// The run id and the reference date (version 2 only).
    run: Option<(&'a RunId, Date)>,
    sector: Option<&'a SectorCode>,
    secret: &'a Secret,
}

impl KeyFileView<'_> {
    /// The canonical text up to (not including) the `check:` line.
    fn body(&self) -> Zeroizing<String> {
        // Room for the whole file with its check line, so the text never moves once it holds
        // the secret: a reallocation would leave a copy behind, unwiped.
        let capacity = KEY_FILE_FIXED_LEN
            + self.run.map_or(0, |(r, _)| r.as_str().len())
            + self.sector.map_or(0, |s| s.as_str().len());
        let mut text = Zeroizing::new(String::with_capacity(capacity));
        text.push_str(if self.version == 1 {
            KEY_FILE_MAGIC_V1
        } else {
            KEY_FILE_MAGIC
        });
        text.push('\n');
        text.push_str(&format!("kind: {}\n", self.kind.name()));
        text.push_str(&format!("municipality: {}\n", self.municipality));
        if let Some((run, reference_date)) = self.run {
            text.push_str(&format!("run: {run}\n"));
            text.push_str(&format!("reference-date: {reference_date}\n"));
        }
        if let Some(sector) = self.sector {
            text.push_str(&format!("sector: {sector}\n"));
        }
        text.push_str(&format!(
            "fingerprint: {}\n",
            Fingerprint::of(self.kind, self.secret)
        ));
        text.push_str(if self.kind.is_public() {
            "public: "
        } else {
            "secret: "
        });
        let mut secret_hex = Zeroizing::new([0u8; 2 * KEY_LEN]);
        // The buffer is exactly twice the key's length, so encoding cannot fail.
        if hex::encode_to_slice(self.secret.bytes(), secret_hex.as_mut()).is_ok() {
            text.extend(secret_hex.iter().map(|&b| char::from(b)));
        }
        text.push('\n');
        text
    }

    fn check(body: &str) -> [u8; 16] {
        let digest = Sha256::new()
            .chain_update(labels::KEY_FILE_CHECK)
            .chain_update(body)
            .finalize();
        let mut check = [0; 16];
        check.copy_from_slice(&digest[..16]);
        check
    }

    fn render(&self) -> Zeroizing<String> {
        let mut text = self.body();
        let check = hex::encode(KeyFileView::check(&text));
        text.push_str(&format!("check: {check}\n"));
        text
    }
}

impl KeyFile {
    fn view(&self) -> KeyFileView<'_> {
        KeyFileView {
            version: self.version,
            kind: self.kind,
            municipality: self.municipality,
            run: self.run.as_ref().map(|(run, date)| (run, *date)),
            sector: self.sector.as_ref(),
            secret: &self.secret,
        }
    }

    fn parse(text: &str, file: &str) -> Result<KeyFile> {
        kind::expect(text.as_bytes(), Kind::KeyFile(None), file)?;
        let syntax = |line: usize| Error::input(file, line as u64, Rule::KeyFileSyntax);
        let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
        let version = match lines.next() {
            Some((_, KEY_FILE_MAGIC)) => 2,
            Some((_, KEY_FILE_MAGIC_V1)) => 1,
            Some((n, line)) if line.starts_with("samkoer-key-file ") => {
                return Err(Error::input(file, n as u64, Rule::KeyFileVersion));
            }
            _ => return Err(syntax(1)),
        };
        let mut field = |name: &str| -> Result<(usize, &str)> {
            let (n, line) = lines.next().ok_or_else(|| syntax(0))?;
            let value = line
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(": "));
            value.map(|v| (n, v)).ok_or_else(|| syntax(n))
        };
        let (n, kind) = field("kind")?;
        let kind = KeyKind::from_name(kind).ok_or_else(|| syntax(n))?;
        let (n, municipality) = field("municipality")?;
        let municipality = MunicipalityCode::parse(municipality).map_err(|_| syntax(n))?;
        let run = match kind {
            KeyKind::Run if version == 1 => {
                return Err(Error::input_detail(
                    file,
                    1,
                    Rule::KeyFileVersion,
                    Some(RUN_KEY_V1),
                ));
            }
            KeyKind::Run => {
                let (n, run) = field("run")?;
                let run = RunId::new(run).map_err(|_| syntax(n))?;
                let (n, date) = field("reference-date")?;
                let date = crate::formats::export::parse_date(date)
                    .ok()
                    .filter(|parsed| parsed.to_string() == date)
                    .ok_or_else(|| syntax(n))?;
                Some((run, date))
            }
            _ => None,
        };
        let sector = match kind {
            KeyKind::Sealing | KeyKind::SectorPublic => {
                let (n, sector) = field("sector")?;
                Some(SectorCode::new(sector).map_err(|_| syntax(n))?)
            }
            _ => None,
        };
        let (fingerprint_line, fingerprint) = field("fingerprint")?;
        let fingerprint =
            Fingerprint::parse(fingerprint).ok_or_else(|| syntax(fingerprint_line))?;
        // Hex is lowercase, as written: one key has one file text.
        let lowercase_hex = |text: &str| !text.bytes().any(|b| b.is_ascii_uppercase());
        let (n, secret_hex) = field(if kind.is_public() { "public" } else { "secret" })?;
        let mut secret = Secret([0; KEY_LEN]);
        hex::decode_to_slice(secret_hex, &mut secret.0)
            .ok()
            .filter(|()| lowercase_hex(secret_hex))
            .ok_or_else(|| syntax(n))?;
        let (check_line, check_hex) = field("check")?;
        let mut check = [0u8; 16];
        hex::decode_to_slice(check_hex, &mut check)
            .ok()
            .filter(|()| lowercase_hex(check_hex))
            .ok_or_else(|| syntax(check_line))?;
        if let Some((n, _)) = lines.find(|(_, line)| !line.trim().is_empty()) {
            return Err(syntax(n));
        }
        let key_file = KeyFile {
            version,
            kind,
            municipality,
            run,
            sector,
            secret,
        };
        let expected = KeyFileView::check(&key_file.view().body());
        if !bool::from(expected.ct_eq(&check)) {
            return Err(Error::input(file, check_line as u64, Rule::KeyFileCheck));
        }
        if !bool::from(Fingerprint::of(kind, &key_file.secret).ct_eq(&fingerprint)) {
            return Err(Error::input(
                file,
                fingerprint_line as u64,
                Rule::KeyFileCheck,
            ));
        }
        Ok(key_file)
    }

    fn expect_kind(self, wanted: KeyKind, file: &str) -> Result<KeyFile> {
        if self.kind == wanted {
            Ok(self)
        } else {
            let detail = format!(
                "this is {}, not {}",
                kind::key_file_what(self.kind),
                kind::key_file_what(wanted)
            );
            Err(Error::input_owned(file, 2, Rule::KeyFileKind, detail))
        }
    }
}

/// Writes `text` to a new file readable and writable by its owner only. Refuses to overwrite.
fn write_new_key_file(path: &Path, text: &str, mode: u32) -> Result<()> {
    let name = path.display().to_string();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::input(&name, 0, Rule::KeyFileExists),
        _ => Error::io(&name, e),
    })?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        // A half-written key file is worse than none, and would block the retry.
        let _ = std::fs::remove_file(path);
        return Err(Error::io(&name, e));
    }
    Ok(())
}

/// Reads a key file, refusing one that others than its owner may access. The permissions are
/// those of the opened file, so they cannot change between the check and the read.
fn read_key_file(path: &Path, secret: bool) -> Result<Zeroizing<String>> {
    use std::io::Read;
    let name = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(&name, e))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(&name, e))?;
    // A file of another kind (a publication, say) is named for what it is before its
    // permissions are judged: they are a key file's concern.
    kind::expect(&bytes, Kind::KeyFile(None), &name)?;
    #[cfg(not(unix))]
    let _ = secret;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file
            .metadata()
            .map_err(|e| Error::io(&name, e))?
            .permissions()
            .mode();
        if secret && mode & 0o077 != 0 {
            return Err(Error::input(&name, 0, Rule::KeyFilePermissions));
        }
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(Error::input(&name, 0, Rule::KeyFileSyntax)),
    }
}

/// Reading and writing a key type as a key file (spec §4.5).
pub trait KeyFileFormat: Sized {
    /// Whether the key is public: its file may be readable by others.
    const PUBLIC: bool = false;

    /// The key file's text. It holds the secret: write it only where the secret may be.
    fn to_key_file(&self) -> Zeroizing<String>;

    /// Parses a key file's text; `file` names it in errors.
    fn from_key_file(text: &str, file: &str) -> Result<Self>;

    /// Writes the key to a new file, owner-only for a secret key (0644 for a public one);
    /// never overwrites.
    fn write_new(&self, path: &Path) -> Result<()> {
        write_new_key_file(
            path,
            &self.to_key_file(),
            if Self::PUBLIC { 0o644 } else { 0o600 },
        )
    }

    /// Reads the key from a file, refusing a file that other users may read.
    fn read(path: &Path) -> Result<Self> {
        Self::from_key_file(
            &read_key_file(path, !Self::PUBLIC)?,
            &path.display().to_string(),
        )
    }

    /// Reads the key from a step's input: a file (as [`KeyFileFormat::read`]), or a key
    /// file's text in memory (a file picked in a browser).
    fn from_input(input: &Input) -> Result<Self> {
        match input {
            Input::Path(path) => Self::read(path),
            Input::Bytes { name, bytes } => {
                kind::expect(bytes, Kind::KeyFile(None), name)?;
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| Error::input(name, 0, Rule::KeyFileSyntax))?;
                Self::from_key_file(text, name)
            }
        }
    }
}

impl KeyFileFormat for MasterKey {
    fn to_key_file(&self) -> Zeroizing<String> {
        let (municipality, secret) = (self.municipality, &self.secret);
        KeyFileView {
            version: 2,
            kind: KeyKind::Master,
            municipality,
            run: None,
            sector: None,
            secret,
        }
        .render()
    }

    fn from_key_file(text: &str, file: &str) -> Result<Self> {
        let parsed = KeyFile::parse(text, file)?.expect_kind(KeyKind::Master, file)?;
        Ok(MasterKey {
            municipality: parsed.municipality,
            secret: parsed.secret,
        })
    }
}

impl KeyFileFormat for RunKey {
    fn to_key_file(&self) -> Zeroizing<String> {
        let (municipality, secret) = (self.municipality, &self.secret);
        KeyFileView {
            version: 2,
            kind: KeyKind::Run,
            municipality,
            run: Some((&self.run, self.reference_date)),
            sector: None,
            secret,
        }
        .render()
    }

    fn from_key_file(text: &str, file: &str) -> Result<Self> {
        let parsed = KeyFile::parse(text, file)?.expect_kind(KeyKind::Run, file)?;
        let (run, reference_date) = parsed
            .run
            .ok_or_else(|| Error::input(file, 0, Rule::KeyFileSyntax))?;
        Ok(RunKey {
            municipality: parsed.municipality,
            run,
            reference_date,
            secret: parsed.secret,
        })
    }
}

impl KeyFileFormat for SectorPublicKey {
    const PUBLIC: bool = true;

    fn to_key_file(&self) -> Zeroizing<String> {
        KeyFileView {
            version: 2,
            kind: KeyKind::SectorPublic,
            municipality: self.municipality,
            run: None,
            sector: Some(&self.sector),
            secret: &Secret(self.public),
        }
        .render()
    }

    fn from_key_file(text: &str, file: &str) -> Result<Self> {
        let parsed = KeyFile::parse(text, file)?.expect_kind(KeyKind::SectorPublic, file)?;
        let sector = parsed
            .sector
            .ok_or_else(|| Error::input(file, 0, Rule::KeyFileSyntax))?;
        Ok(SectorPublicKey {
            municipality: parsed.municipality,
            sector,
            public: *parsed.secret.bytes(),
        })
    }
}

impl KeyFileFormat for SealingKey {
    fn to_key_file(&self) -> Zeroizing<String> {
        let (municipality, secret) = (self.municipality, &self.secret);
        let sector = Some(&self.sector);
        KeyFileView {
            version: 2,
            kind: KeyKind::Sealing,
            municipality,
            run: None,
            sector,
            secret,
        }
        .render()
    }

    fn from_key_file(text: &str, file: &str) -> Result<Self> {
        let parsed = KeyFile::parse(text, file)?.expect_kind(KeyKind::Sealing, file)?;
        let sector = parsed
            .sector
            .ok_or_else(|| Error::input(file, 0, Rule::KeyFileSyntax))?;
        Ok(SealingKey {
            municipality: parsed.municipality,
            sector,
            secret: parsed.secret,
        })
    }
}

/// Defines a key of one municipality only (no run, no sector), with its key file.
macro_rules! municipal_key {
    ($(#[$doc:meta])* $name:ident, $kind:expr, public: $public:expr) => {
        $(#[$doc])*
        #[derive(ZeroizeOnDrop)]
        pub struct $name {
            secret: Secret,
            #[zeroize(skip)]
            municipality: MunicipalityCode,
        }

        impl $name {
            /// A key from known bytes.
            pub fn from_bytes(municipality: MunicipalityCode, bytes: [u8; KEY_LEN]) -> Self {
                $name { secret: Secret(bytes), municipality }
            }

            /// The municipality the key belongs to.
            pub fn municipality(&self) -> MunicipalityCode {
                self.municipality
            }

            /// The key's public fingerprint.
            pub fn fingerprint(&self) -> Fingerprint {
                Fingerprint::of($kind, &self.secret)
            }

            /// The key's bytes.
            pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
                self.secret.bytes()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("municipality", &self.municipality)
                    .field("fingerprint", &self.fingerprint())
                    .field("key", &if $public { "<public>" } else { "<redacted>" })
                    .finish()
            }
        }

        impl KeyFileFormat for $name {
            const PUBLIC: bool = $public;

            fn to_key_file(&self) -> Zeroizing<String> {
                let view = KeyFileView { version: 2, kind: $kind, municipality: self.municipality, run: None, sector: None, secret: &self.secret };
                view.render()
            }

            fn from_key_file(text: &str, file: &str) -> Result<Self> {
                let parsed = KeyFile::parse(text, file)?.expect_kind($kind, file)?;
                Ok($name { municipality: parsed.municipality, secret: parsed.secret })
            }
        }
    };
}

municipal_key!(
    /// The consent registry's signing key: an Ed25519 seed. Only the registry holds it.
    ConsentRegistryKey, KeyKind::ConsentRegistry, public: false
);
municipal_key!(
    /// The consent registry's public key: every sector verifies receipts with it.
    ConsentRegistryPublicKey, KeyKind::ConsentRegistryPublic, public: true
);
municipal_key!(
    /// The subject key: tags a receipt's person without the CPR. The registry and the sectors
    /// hold it; the plan team does not.
    SubjectKey, KeyKind::Subject, public: false
);
municipal_key!(
    /// The plan team's key material for opening disclosure bundles (HPKE, X25519).
    PlanTeamKey, KeyKind::PlanTeam, public: false
);
municipal_key!(
    /// The plan team's public key: sectors seal disclosure bundles to it.
    PlanTeamPublicKey, KeyKind::PlanTeamPublic, public: true
);

municipal_key!(
    /// The central matcher's key: only the matcher holds it; it signs the matcher's audit
    /// entries (§4.6, §16) and nothing else.
    MatcherKey, KeyKind::Matcher, public: false
);

impl MatcherKey {
    /// A fresh random key.
    pub fn generate(municipality: MunicipalityCode) -> Result<Self> {
        Ok(MatcherKey {
            secret: Secret::random()?,
            municipality,
        })
    }
}

impl ConsentRegistryKey {
    /// A fresh random key.
    pub fn generate(municipality: MunicipalityCode) -> Result<Self> {
        Ok(ConsentRegistryKey {
            secret: Secret::random()?,
            municipality,
        })
    }
}

impl SubjectKey {
    /// A fresh random key.
    pub fn generate(municipality: MunicipalityCode) -> Result<Self> {
        Ok(SubjectKey {
            secret: Secret::random()?,
            municipality,
        })
    }
}

impl PlanTeamKey {
    /// A fresh random key.
    pub fn generate(municipality: MunicipalityCode) -> Result<Self> {
        Ok(PlanTeamKey {
            secret: Secret::random()?,
            municipality,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn municipality() -> MunicipalityCode {
        MunicipalityCode::new(219).unwrap()
    }

    const NOVEMBER: Date = time::macros::date!(2026 - 11 - 01);

    #[test]
    fn run_keys_depend_on_master_municipality_and_run() {
        let master = MasterKey::from_bytes(municipality(), [7; 32]);
        let a = master.derive_run_key(&RunId::new("2026-11").unwrap(), NOVEMBER);
        let b = master.derive_run_key(&RunId::new("2026-12").unwrap(), NOVEMBER);
        let other_town = MasterKey::from_bytes(MunicipalityCode::new(217).unwrap(), [7; 32]);
        let c = other_town.derive_run_key(&RunId::new("2026-11").unwrap(), NOVEMBER);
        let other_master = MasterKey::from_bytes(municipality(), [8; 32]);
        let d = other_master.derive_run_key(&RunId::new("2026-11").unwrap(), NOVEMBER);
        let again = master.derive_run_key(&RunId::new("2026-11").unwrap(), NOVEMBER);
        assert_eq!(a.expose_secret(), again.expose_secret());
        for other in [&b, &c, &d] {
            assert_ne!(a.expose_secret(), other.expose_secret());
            assert_ne!(a.fingerprint(), other.fingerprint());
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = SealingKey::from_bytes(
            municipality(),
            SectorCode::new("employment").unwrap(),
            [0xab; 32],
        );
        let shown = format!("{key:?}");
        assert!(!shown.contains("abab") && !shown.contains("171"), "{shown}");
        assert!(shown.contains("redacted") && shown.contains("employment"));
    }

    #[test]
    fn the_secret_buffer_is_redacted_wiped_on_drop_and_not_comparable() {
        fn assert_zeroize_on_drop<T: ZeroizeOnDrop>() {}
        assert_zeroize_on_drop::<Secret>();
        static_assertions::assert_not_impl_any!(Secret: PartialEq, Clone, Copy);
        let secret = Secret([0xab; 32]);
        for shown in [format!("{secret:?}"), format!("{secret:#?}")] {
            assert_eq!(shown, "Secret(<redacted>)");
        }
    }

    #[test]
    fn key_file_text_never_moves_once_it_holds_the_secret() {
        let (run, sector) = (
            RunId::new(&"r".repeat(64)).unwrap(),
            SectorCode::new(&"s".repeat(32)).unwrap(),
        );
        let secret = Secret([0xab; 32]);
        for kind in KeyKind::ALL {
            let view = KeyFileView {
                version: 2,
                kind,
                municipality: municipality(),
                run: Some((&run, time::macros::date!(2026 - 11 - 01))),
                sector: Some(&sector),
                secret: &secret,
            };
            let text = view.render();
            // The capacity `body` asked for: unchanged, so the buffer was never reallocated.
            assert_eq!(text.capacity(), KEY_FILE_FIXED_LEN + 64 + 32, "{kind:?}");
        }
    }

    #[test]
    fn fingerprints_differ_by_kind_and_parse_back() {
        let secret = [5; 32];
        let master = MasterKey::from_bytes(municipality(), secret);
        let run = RunKey::from_bytes(municipality(), RunId::new("r").unwrap(), NOVEMBER, secret);
        assert_ne!(master.fingerprint(), run.fingerprint());
        let shown = master.fingerprint().to_string();
        assert_eq!(Fingerprint::parse(&shown), Some(master.fingerprint()));
        assert_eq!(Fingerprint::parse(&shown.to_uppercase()), None);
        assert_eq!(Fingerprint::parse(&shown.replace('-', "")), None);
        // Debug output (in a caller's logs) shows the fingerprint as it is displayed.
        assert_eq!(
            format!("{:?}", master.fingerprint()),
            format!("Fingerprint({shown})")
        );
    }

    #[test]
    fn key_files_round_trip_and_detect_changes() {
        let key = RunKey::from_bytes(
            municipality(),
            RunId::new("2026-11").unwrap(),
            NOVEMBER,
            [9; 32],
        );
        let text = key.to_key_file();
        let back = RunKey::from_key_file(&text, "run.key").unwrap();
        assert_eq!(back.expose_secret(), key.expose_secret());
        assert_eq!(back.run(), key.run());
        assert_eq!(back.reference_date(), NOVEMBER);
        assert!(text.contains("\nrun: 2026-11\nreference-date: 2026-11-01\n"));
        let crlf = text.replace('\n', "\r\n");
        assert!(
            RunKey::from_key_file(&crlf, "run.key").is_ok(),
            "CRLF line ends are tolerated"
        );

        let altered = text.replace("run: 2026-11", "run: 2026-12");
        let error = RunKey::from_key_file(&altered, "run.key").unwrap_err();
        assert_eq!(error.rule(), Some(Rule::KeyFileCheck));
        let wrong_kind = MasterKey::from_key_file(&text, "run.key").unwrap_err();
        assert_eq!(wrong_kind.rule(), Some(Rule::KeyFileKind));
        let lettered = RunKey::from_bytes(
            municipality(),
            RunId::new("r").unwrap(),
            NOVEMBER,
            [0xab; 32],
        );
        let upper = lettered
            .to_key_file()
            .replace(&"ab".repeat(32), &"AB".repeat(32));
        assert_eq!(
            RunKey::from_key_file(&upper, "f").unwrap_err().rule(),
            Some(Rule::KeyFileSyntax)
        );
        let newer = text.replace("samkoer-key-file 2", "samkoer-key-file 3");
        assert_eq!(
            RunKey::from_key_file(&newer, "f").unwrap_err().rule(),
            Some(Rule::KeyFileVersion)
        );
        // A reference date is exactly YYYY-MM-DD of an existing day.
        for date in ["01-11-2026", "2026-11-31", "2026-11-1", "1799-12-31"] {
            let other = text.replace("2026-11-01", date);
            let error = RunKey::from_key_file(&other, "f").unwrap_err();
            assert_eq!(error.rule(), Some(Rule::KeyFileSyntax), "{date}");
            assert!(error.to_string().contains("line 5"), "{error}");
        }
        let undated = text.replace("reference-date: 2026-11-01\n", "");
        let error = RunKey::from_key_file(&undated, "f").unwrap_err();
        assert_eq!(error.rule(), Some(Rule::KeyFileSyntax));
        assert!(error.to_string().starts_with("f, line 5: "), "{error}");
        let cut = &text[..text.len() - 40];
        assert_eq!(
            RunKey::from_key_file(cut, "f").unwrap_err().rule(),
            Some(Rule::KeyFileSyntax)
        );
    }

    #[test]
    fn version_1_key_files_are_read_but_a_version_1_run_key_is_refused_with_the_way_out() {
        let master = MasterKey::from_bytes(municipality(), [3; 32]);
        let view = |kind, run| KeyFileView {
            version: 1,
            kind,
            municipality: municipality(),
            run,
            sector: None,
            secret: &master.secret,
        };
        let old_master = view(KeyKind::Master, None).render();
        assert!(old_master.starts_with("samkoer-key-file 1\n"));
        let read = MasterKey::from_key_file(&old_master, "master.key").unwrap();
        assert_eq!(read.fingerprint(), master.fingerprint());
        // Its version 2 file differs in the first line and, since that is covered, the check.
        let new_master = master.to_key_file();
        let differ: Vec<usize> = (new_master.lines().zip(old_master.lines()))
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(n, _)| n + 1)
            .collect();
        assert_eq!(differ, [1, 6]);
        // A version 1 run key had no reference-date line; whatever follows, it is refused.
        let run = RunId::new("2026-11").unwrap();
        let old_run = view(KeyKind::Run, Some((&run, NOVEMBER))).render();
        let error = RunKey::from_key_file(&old_run, "run.key").unwrap_err();
        assert_eq!(error.rule(), Some(Rule::KeyFileVersion));
        assert!(
            error.to_string().starts_with("run.key, line 1: "),
            "{error}"
        );
        assert!(
            error.to_string().contains("pseudonyms stay the same"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_owner_only_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sealing.key");
        let key =
            SealingKey::generate(municipality(), SectorCode::new("employment").unwrap()).unwrap();
        key.write_new(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            key.write_new(&path).unwrap_err().rule(),
            Some(Rule::KeyFileExists)
        );
        let back = SealingKey::read(&path).unwrap();
        assert_eq!(back.fingerprint(), key.fingerprint());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            SealingKey::read(&path).unwrap_err().rule(),
            Some(Rule::KeyFilePermissions)
        );
    }
}
