//! Keys: the run key and the sealing key as opaque handles, and `keygen` of every kind.

use std::ffi::c_char;

use samkoer_core::files::{Input, Place};
use samkoer_core::flow::{KeyRequest, keygen};
use samkoer_core::formats::export::date_or_today;
use samkoer_core::primitives::keys::ConsentRegistryKey;
use samkoer_core::{KeyFileFormat, MasterKey, MunicipalityCode, Pseudonymiser, RunId, SectorCode};

use crate::args::{audit, null, optional_text, path, text, write_text};
use crate::error::{Failure, guard};

/// A run key with its pre-keyed pseudonymiser. Read-only once made: one handle may be used
/// from several threads at once. Free with `samkoer_run_key_free`.
pub struct samkoer_run_key {
    pub(crate) key: samkoer_core::RunKey,
    pub(crate) pseudonymiser: Pseudonymiser,
}

/// A sector's sealing key. Read-only once made: one handle may be used from several threads at
/// once. Free with `samkoer_sealing_key_free`.
pub struct samkoer_sealing_key {
    pub(crate) key: samkoer_core::SealingKey,
}

/// Reads a run key file (refused if others than its owner may read it) into a new handle at
/// `*out`.
///
/// Ownership: the caller owns the handle and frees it with `samkoer_run_key_free`.
/// Thread safety: any thread.
///
/// # Safety
/// `path` is a NUL-terminated string; `out` points to a writable handle pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_run_key_read(
    path: *const c_char,
    out: *mut *mut samkoer_run_key,
) -> i32 {
    guard(|| {
        if out.is_null() {
            return Err(null());
        }
        // SAFETY: the caller gives a NUL-terminated path.
        let key = samkoer_core::RunKey::read(&unsafe { self::path(path) }?)?;
        let handle = Box::new(samkoer_run_key {
            pseudonymiser: Pseudonymiser::new(&key),
            key,
        });
        // SAFETY: `out` is not NULL and points to a writable pointer.
        unsafe { *out = Box::into_raw(handle) };
        Ok(())
    })
}

/// Frees a run key handle, wiping the key; NULL is ignored.
///
/// Ownership: takes the handle back. Thread safety: no other thread may still use it.
///
/// # Safety
/// `key` is NULL or a handle from `samkoer_run_key_read`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_run_key_free(key: *mut samkoer_run_key) {
    if !key.is_null() {
        // SAFETY: a handle made by Box::into_raw and not freed before; dropping zeroizes it.
        drop(unsafe { Box::from_raw(key) });
    }
}

/// Reads a sealing key file into a new handle at `*out`.
///
/// Ownership: the caller owns the handle and frees it with `samkoer_sealing_key_free`.
/// Thread safety: any thread.
///
/// # Safety
/// `path` is a NUL-terminated string; `out` points to a writable handle pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_sealing_key_read(
    path: *const c_char,
    out: *mut *mut samkoer_sealing_key,
) -> i32 {
    guard(|| {
        if out.is_null() {
            return Err(null());
        }
        // SAFETY: the caller gives a NUL-terminated path.
        let key = samkoer_core::SealingKey::read(&unsafe { self::path(path) }?)?;
        // SAFETY: `out` is not NULL and points to a writable pointer.
        unsafe { *out = Box::into_raw(Box::new(samkoer_sealing_key { key })) };
        Ok(())
    })
}

/// Frees a sealing key handle, wiping the key; NULL is ignored.
///
/// Ownership: takes the handle back. Thread safety: no other thread may still use it.
///
/// # Safety
/// `key` is NULL or a handle from `samkoer_sealing_key_read`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_sealing_key_free(key: *mut samkoer_sealing_key) {
    if !key.is_null() {
        // SAFETY: a handle made by Box::into_raw and not freed before.
        drop(unsafe { Box::from_raw(key) });
    }
}

/// Runs a keygen step and copies the key's fingerprint into the caller's buffer.
///
/// # Safety
/// `out` and `audit_log` as for [`text`]; `fingerprint` NULL or `length` writable bytes.
unsafe fn make(
    request: KeyRequest<'_>,
    out: *const c_char,
    audit_log: *const c_char,
    fingerprint: *mut c_char,
    length: usize,
) -> Result<(), Failure> {
    // SAFETY: the caller's guarantees carry over.
    let (out, audit) = unsafe { (path(out)?, audit(audit_log)?) };
    let made = keygen(request, Place::file(out), &audit)?.summary;
    // SAFETY: as the caller guarantees.
    unsafe { write_text(&made.fingerprint.to_string(), fingerprint, length) }
}

/// The municipality code given.
///
/// # Safety
/// As for [`text`].
unsafe fn municipality(value: *const c_char) -> Result<MunicipalityCode, Failure> {
    // SAFETY: the caller's guarantee carries over.
    Ok(MunicipalityCode::parse(unsafe { text(value) }?)?)
}

/// Writes the municipality's new master key (the key custodian's) to `out`, never over a file;
/// its fingerprint (36 bytes with the NUL) to `fingerprint` unless NULL. `audit_log` is NULL or
/// the log to append the step to.
///
/// Ownership: nothing kept. Thread safety: any thread (two steps on one audit log take turns).
///
/// # Safety
/// The strings are NUL-terminated (`audit_log` may be NULL); `fingerprint` is NULL or has
/// `fingerprint_length` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_keygen_master(
    municipality: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    fingerprint: *mut c_char,
    fingerprint_length: usize,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        unsafe {
            let request = KeyRequest::Master(self::municipality(municipality)?);
            make(request, out, audit_log, fingerprint, fingerprint_length)
        }
    })
}

/// Writes the run key of `run`, derived from the master key file `master`, to `out`, with the
/// run's reference date `reference_date` (`YYYY-MM-DD`, NULL for today), on which every sector
/// publishes; as `samkoer_keygen_master` otherwise.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// As for `samkoer_keygen_master`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_keygen_run(
    master: *const c_char,
    run: *const c_char,
    reference_date: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    fingerprint: *mut c_char,
    fingerprint_length: usize,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        unsafe {
            let master = MasterKey::read(&path(master)?)?;
            let reference_date = date_or_today(optional_text(reference_date)?)?;
            let request = KeyRequest::Run(&master, RunId::new(text(run)?)?, reference_date);
            make(request, out, audit_log, fingerprint, fingerprint_length)
        }
    })
}

/// Writes a sector's new sealing key (the sector's own) to `out`; as `samkoer_keygen_master`
/// otherwise.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// As for `samkoer_keygen_master`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_keygen_sealing(
    municipality: *const c_char,
    sector: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    fingerprint: *mut c_char,
    fingerprint_length: usize,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        unsafe {
            let request = KeyRequest::Sealing(
                self::municipality(municipality)?,
                SectorCode::new(text(sector)?)?,
            );
            make(request, out, audit_log, fingerprint, fingerprint_length)
        }
    })
}

/// Writes a municipal key of `kind` — `"consent-registry"`, `"plan-team"` or `"matcher"` — to
/// `out`; as `samkoer_keygen_master` otherwise. Another kind is `SAMKOER_ERROR_ARGUMENT` (the
/// subject key is made with `samkoer_keygen_subject`).
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// As for `samkoer_keygen_master`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_keygen_municipal(
    kind: *const c_char,
    municipality: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    fingerprint: *mut c_char,
    fingerprint_length: usize,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        unsafe {
            let m = self::municipality(municipality)?;
            let request = match text(kind)? {
                "consent-registry" => KeyRequest::ConsentRegistry(m),
                "plan-team" => KeyRequest::PlanTeam(m),
                "matcher" => KeyRequest::Matcher(m),
                other => {
                    crate::error::set_last_error(format!("no municipal key kind {other}"));
                    return Err(Failure(crate::error::SAMKOER_ERROR_ARGUMENT));
                }
            };
            make(request, out, audit_log, fingerprint, fingerprint_length)
        }
    })
}

/// Writes the subject key to `out`, made by the consent registry whose key file is `registry`
/// (its key signs the entry); as `samkoer_keygen_master` otherwise.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// As for `samkoer_keygen_master`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_keygen_subject(
    registry: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    fingerprint: *mut c_char,
    fingerprint_length: usize,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        unsafe {
            let registry: ConsentRegistryKey = read(&path(registry)?)?;
            let request = KeyRequest::Subject(&registry);
            make(request, out, audit_log, fingerprint, fingerprint_length)
        }
    })
}

/// Writes the public key of the consent-registry or plan-team key file `key` to `out`; as
/// `samkoer_keygen_master` otherwise.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// As for `samkoer_keygen_master`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_keygen_public(
    key: *const c_char,
    out: *const c_char,
    audit_log: *const c_char,
    fingerprint: *mut c_char,
    fingerprint_length: usize,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        unsafe {
            let key = Input::path(path(key)?);
            make(
                KeyRequest::Public(&key),
                out,
                audit_log,
                fingerprint,
                fingerprint_length,
            )
        }
    })
}

/// A key read from its key file (the other kinds, which no handle holds).
pub(crate) fn read<K: KeyFileFormat>(path: &std::path::Path) -> Result<K, Failure> {
    Ok(K::read(path)?)
}
