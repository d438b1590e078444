//! The consent registry's steps (issue, withdraw, consent state), the plan team's (open), and anyone's audit
//! verify. Every path is a NUL-terminated UTF-8 string; `audit_log` may be NULL (no entry).

use std::ffi::c_char;

use samkoer_core::audit::Head;
use samkoer_core::files::{Input, Place};
use samkoer_core::flow::plan_team::{self, Open};
use samkoer_core::flow::registry::{self, Issue, PublishState, Withdraw};
use samkoer_core::flow::{VerifyAudit, party_signer, verify_audit};
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, ConsentRegistryPublicKey, PlanTeamKey, SectorPublicKey, SubjectKey,
};
use samkoer_core::{Cpr, SectorCode};

use crate::args::{audit, inputs, optional_text, path, text, texts, time, write, write_text};
use crate::error::guard;
use crate::keys::read;

/// Issues a receipt for the citizen `cpr` (held only for the call) and the `sector_count`
/// sectors, valid from `valid_from` until `valid_until` (seconds since 1970; 0 for now), into
/// `out` (never over another); its id (33 bytes with the NUL) goes to `receipt_id` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// The strings are NUL-terminated (`audit_log` may be NULL); `sectors` points to
/// `sector_count` of them; `receipt_id` is NULL or has `receipt_id_length` writable bytes.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // a C signature
pub unsafe extern "C" fn samkoer_consent_issue(
    registry_key: *const c_char,
    subject_key: *const c_char,
    cpr: *const c_char,
    sectors: *const *const c_char,
    sector_count: usize,
    valid_from: i64,
    valid_until: i64,
    out: *const c_char,
    audit_log: *const c_char,
    receipt_id: *mut c_char,
    receipt_id_length: usize,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (registry, subject, cpr, sectors, out, audit) = unsafe {
            (
                path(registry_key)?,
                path(subject_key)?,
                text(cpr)?,
                texts(sectors, sector_count)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let registry: ConsentRegistryKey = read(&registry)?;
        let subject: SubjectKey = read(&subject)?;
        let now = time(0)?;
        let cpr = Cpr::parse(cpr, now.date(), "cpr", 1)?;
        let step = Issue {
            registry: &registry,
            subject: &subject,
            person: &cpr,
            sectors: sectors
                .iter()
                .map(|s| SectorCode::new(s.trim()))
                .collect::<samkoer_core::Result<_>>()?,
            issued_at: now,
            valid_from: time(valid_from)?,
            valid_until: time(valid_until)?,
        };
        let receipt = registry::issue(&step, Place::file(out), &audit)?.summary;
        // SAFETY: as the caller guarantees.
        unsafe { write_text(&receipt.id_hex(), receipt_id, receipt_id_length) }
    })
}

/// Withdraws a receipt from `at` (seconds since 1970; 0 for now) on, into `out`.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// The strings are NUL-terminated (`audit_log` may be NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_consent_withdraw(
    registry_key: *const c_char,
    receipt: *const c_char,
    at: i64,
    out: *const c_char,
    audit_log: *const c_char,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (registry, receipt, out, audit) = unsafe {
            (
                path(registry_key)?,
                path(receipt)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let registry: ConsentRegistryKey = read(&registry)?;
        let step = Withdraw {
            registry: &registry,
            receipt: Input::path(receipt),
            at: time(at)?,
        };
        registry::withdraw(&step, Place::file(out), &audit)?;
        Ok(())
    })
}

/// Publishes the registry's consent state into `out` at `now` (seconds since 1970; 0 for now):
/// every withdrawal of `previous` (the last state published; NULL only for the first) and of the
/// `withdrawal_count` files `withdrawals`, under the next sequence number, which goes to
/// `*sequence` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// The strings are NUL-terminated (`previous` and `audit_log` may be NULL); `withdrawals`
/// points to `withdrawal_count` of them; `sequence` is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // a C signature
pub unsafe extern "C" fn samkoer_consent_state(
    registry_key: *const c_char,
    previous: *const c_char,
    withdrawals: *const *const c_char,
    withdrawal_count: usize,
    now: i64,
    out: *const c_char,
    audit_log: *const c_char,
    sequence: *mut u64,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (registry, previous, withdrawals, out, audit) = unsafe {
            (
                path(registry_key)?,
                optional_text(previous)?,
                inputs(withdrawals, withdrawal_count)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let registry: ConsentRegistryKey = read(&registry)?;
        let step = PublishState {
            registry: &registry,
            previous: previous.map(Input::path),
            withdrawals,
            now: time(now)?,
        };
        let state = registry::consent_state(&step, Place::file(out), &audit)?.summary;
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe { write(sequence, state.sequence) };
        Ok(())
    })
}

/// Opens `count` bundles of one citizen with the plan team's key into `out` (JSON,
/// owner-only), once each is shown to be signed by its sector's public key (one of the
/// `sector_count` files of `sector_public_keys`) and to answer `receipt` (verified under the
/// registry's public key); the number of services disclosed goes to `*services` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// `bundles` points to `count` NUL-terminated paths and `sector_public_keys` to
/// `sector_count`; the other strings are NUL-terminated (`audit_log` may be NULL); `services`
/// is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn samkoer_open(
    plan_team_key: *const c_char,
    registry_public_key: *const c_char,
    receipt: *const c_char,
    sector_public_keys: *const *const c_char,
    sector_count: usize,
    bundles: *const *const c_char,
    count: usize,
    out: *const c_char,
    audit_log: *const c_char,
    services: *mut u64,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (key, registry, receipt, sector_keys, bundles, out, audit) = unsafe {
            (
                path(plan_team_key)?,
                path(registry_public_key)?,
                path(receipt)?,
                texts(sector_public_keys, sector_count)?,
                inputs(bundles, count)?,
                path(out)?,
                audit(audit_log)?,
            )
        };
        let plan_team: PlanTeamKey = read(&key)?;
        let registry: ConsentRegistryPublicKey = read(&registry)?;
        let sectors = sector_keys
            .iter()
            .map(|file| read::<SectorPublicKey>(std::path::Path::new(file)))
            .collect::<Result<Vec<_>, _>>()?;
        let step = Open {
            plan_team: &plan_team,
            registry: &registry,
            receipt: Input::path(receipt),
            sectors,
            bundles,
        };
        let opened = plan_team::open(&step, Some(Place::file(out)), &audit)?.summary;
        // SAFETY: NULL or writable, as the caller guarantees.
        unsafe {
            write(
                services,
                opened
                    .disclosures
                    .iter()
                    .map(|d| d.services.len() as u64)
                    .sum(),
            )
        };
        Ok(())
    })
}

/// Verifies an audit log with its signatures — against `head` (`SEQ:HASH`, kept elsewhere)
/// unless NULL; with `signer_key` (the party's own key file) unless NULL, every entry must be
/// signed by it; each of the `count` files of `evidence` (publications the party handed on)
/// names an entry the log must still hold — and copies its head (at most 86 bytes with the
/// NUL) to `head_out` unless NULL.
///
/// Ownership: nothing kept. Thread safety: any thread.
///
/// # Safety
/// `log` is NUL-terminated; `head` and `signer_key` are NULL or NUL-terminated; `evidence`
/// points to `count` NUL-terminated paths (or is NULL with `count` 0); `head_out` is NULL or
/// has `head_out_length` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn samkoer_audit_verify(
    log: *const c_char,
    head: *const c_char,
    signer_key: *const c_char,
    evidence: *const *const c_char,
    count: usize,
    head_out: *mut c_char,
    head_out_length: usize,
) -> i32 {
    guard(|| {
        // SAFETY: as the caller guarantees.
        let (log, expected, signer_key) =
            unsafe { (path(log)?, optional_text(head)?, optional_text(signer_key)?) };
        let evidence = match count {
            0 => Vec::new(),
            // SAFETY: as the caller guarantees.
            _ => unsafe { inputs(evidence, count)? },
        };
        let signer = match signer_key {
            Some(key) => Some(party_signer(&Input::path(key))?),
            None => None,
        };
        let step = VerifyAudit {
            log: Input::path(log),
            head: expected.map(Head::parse).transpose()?,
            signer,
            evidence,
        };
        let head = verify_audit(&step)?.head;
        // SAFETY: as the caller guarantees.
        unsafe { write_text(&head.to_string(), head_out, head_out_length) }
    })
}
