//! Secrets are wiped when dropped (spec §4.1): a type whose `Drop` forgets to wipe, or a field
//! that loses its wiping type, compiles and passes every other test. Here the allocator looks:
//! each secret-holding value is boxed with known secret bytes and dropped, and every block freed
//! during the drop — the box and the heap buffers of its texts — must no longer hold them.
//!
//! One test function: the checking allocator is armed for one drop at a time, and the harness
//! must not run other tests' allocations in between.
#![allow(unsafe_code)] // a global allocator is unsafe to implement; only this test has one
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use samkoer_core::consent::disclosure::{DisclosedService, Disclosure};
use samkoer_core::primitives::keys::{
    ConsentRegistryKey, MatcherKey, PlanTeamKey, PlanTeamPublicKey, SubjectKey,
};
use samkoer_core::sector::review::{ReviewedService, WorkItem, WorkList};
use samkoer_core::{
    Cpr, EnvelopeContent, MasterKey, MunicipalityCode, Pseudonymiser, RunId, RunKey, SealingKey,
    SectorCode,
};
use time::macros::date;

/// The system allocator, which, while armed, looks in every block freed for the secrets.
struct Checking;

static ARMED: AtomicBool = AtomicBool::new(false);
/// The byte strings no freed block may hold, and whether one did.
static SOUGHT: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
static FOUND: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Checking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: passed on as given.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // Disarmed first, so that looking (which takes a lock) allocates nothing checked.
        if ARMED.swap(false, Ordering::SeqCst) {
            // SAFETY: the block is the caller's, `layout.size()` bytes long, and not yet freed.
            let bytes = unsafe { std::slice::from_raw_parts(block, layout.size()) };
            let sought = SOUGHT.lock().unwrap_or_else(|e| e.into_inner());
            if sought
                .iter()
                .any(|s| bytes.windows(s.len()).any(|w| w == s.as_slice()))
            {
                FOUND.store(true, Ordering::SeqCst);
            }
            drop(sought);
            ARMED.store(true, Ordering::SeqCst);
        }
        // SAFETY: passed on as given.
        unsafe { System.dealloc(block, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Checking = Checking;

/// Drops `value`, boxed, and says whether a block freed meanwhile still held any of `secrets`.
fn left_behind<T>(value: T, secrets: &[&[u8]]) -> bool {
    let boxed = Box::new(value);
    *SOUGHT.lock().unwrap() = secrets.iter().map(|s| s.to_vec()).collect();
    FOUND.store(false, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    drop(boxed);
    ARMED.store(false, Ordering::SeqCst);
    FOUND.load(Ordering::SeqCst)
}

/// Secret key bytes no other value of the test holds.
const KEY: [u8; 32] = [
    0x5a, 0xc3, 0x17, 0x9e, 0x42, 0xd8, 0x6b, 0x01, 0xf4, 0x2c, 0x93, 0x7a, 0xe5, 0x38, 0xb6, 0x0d,
    0x71, 0xcf, 0x24, 0x8a, 0x5e, 0xb3, 0x06, 0xd9, 0x4f, 0xa2, 0x15, 0xe8, 0x3b, 0x97, 0x60, 0xcd,
];
/// A CPR number and texts no other value of the test holds.
const CPR: &str = "2110625629";
const CASE_REF: &str = "SAG-WIPE-7f3a9c11";
const CASEWORKER: &str = "Wipe Caseworker 91c4";
const GOAL: &str = "a goal to be wiped 4d2e8b";

fn town() -> MunicipalityCode {
    MunicipalityCode::new(219).unwrap()
}

fn cpr() -> Cpr {
    Cpr::parse_undated(CPR, "wipes", 1).unwrap()
}

fn texts() -> [&'static [u8]; 4] {
    [
        CPR.as_bytes(),
        CASE_REF.as_bytes(),
        CASEWORKER.as_bytes(),
        GOAL.as_bytes(),
    ]
}

fn reviewed() -> ReviewedService {
    ReviewedService {
        code: "EMP-MENTOR".into(),
        law: "Lov".into(),
        paragraph: "§ 1".into(),
        name: "Mentor".into(),
        case_ref: CASE_REF.into(),
        caseworker: CASEWORKER.into(),
        goal: GOAL.into(),
        start: date!(2025 - 01 - 15),
    }
}

#[test]
fn every_secret_is_gone_from_memory_once_dropped() {
    let sector = SectorCode::new("employment").unwrap();
    let run = RunId::new("2026-11").unwrap();
    let key: &[&[u8]] = &[&KEY];
    // The checker sees what it looks for: the same bytes in a plain box are found.
    assert!(left_behind(KEY, key), "the checker finds bytes left behind");
    assert!(left_behind(String::from(GOAL), &texts()));

    // Keys (their secret is a wiping `Secret`).
    assert!(!left_behind(MasterKey::from_bytes(town(), KEY), key));
    let run_key = RunKey::from_bytes(town(), run.clone(), date!(2026 - 11 - 01), KEY);
    assert!(!left_behind(run_key, key));
    assert!(!left_behind(
        SealingKey::from_bytes(town(), sector.clone(), KEY),
        key
    ));
    assert!(!left_behind(
        ConsentRegistryKey::from_bytes(town(), KEY),
        key
    ));
    assert!(!left_behind(SubjectKey::from_bytes(town(), KEY), key));
    assert!(!left_behind(PlanTeamKey::from_bytes(town(), KEY), key));
    assert!(!left_behind(MatcherKey::from_bytes(town(), KEY), key));
    // Public keys are held the same way, and wiped too.
    assert!(!left_behind(
        PlanTeamPublicKey::from_bytes(town(), KEY),
        key
    ));

    // The pseudonymiser's keyed states: as secret as the run key (snapshot while alive).
    let run_key = RunKey::from_bytes(town(), run.clone(), date!(2026 - 11 - 01), KEY);
    let pseudonymiser = Box::new(Pseudonymiser::new(&run_key));
    let state = {
        let size = std::mem::size_of::<Pseudonymiser>();
        let at: *const Pseudonymiser = &*pseudonymiser;
        // SAFETY: a live value of plain integer arrays, read as its `size` bytes.
        unsafe { std::slice::from_raw_parts(at.cast::<u8>(), size) }.to_vec()
    };
    let keyed_words: Vec<&[u8]> = state
        .chunks(16)
        .filter(|c| c.iter().any(|&b| b != 0))
        .collect();
    assert!(!keyed_words.is_empty());
    assert!(!left_behind(*pseudonymiser, &keyed_words));

    // The citizen's data: CPR numbers and the sectors' texts.
    assert!(!left_behind(cpr(), &texts()));
    let content = EnvelopeContent {
        cpr: cpr(),
        case_ref: CASE_REF.into(),
        caseworker: CASEWORKER.into(),
        goal: GOAL.into(),
        start: date!(2025 - 01 - 15),
    };
    assert!(!left_behind(content, &texts()));
    assert!(!left_behind(reviewed(), &texts()));
    let item = WorkItem {
        candidate: samkoer_core::primitives::ids::CandidateId([1; 16]),
        cpr: cpr(),
        services: vec![reviewed()],
    };
    assert!(!left_behind(item, &texts()));
    let list = WorkList {
        municipality: town(),
        run,
        sector,
        items: vec![WorkItem {
            candidate: samkoer_core::primitives::ids::CandidateId([2; 16]),
            cpr: cpr(),
            services: vec![reviewed()],
        }],
    };
    assert!(!left_behind(list, &texts()));
    let service = DisclosedService {
        code: "EMP-MENTOR".into(),
        law: "Lov".into(),
        paragraph: "§ 1".into(),
        name: "Mentor".into(),
        caseworker: CASEWORKER.into(),
        case_ref: CASE_REF.into(),
        goal: GOAL.into(),
        start: "2025-01-15".into(),
    };
    assert!(!left_behind(service.clone(), &texts()));
    let disclosure = Disclosure {
        format: "samkoer-disclosure".into(),
        receipt: "00".repeat(16),
        municipality: "219".into(),
        sector: "employment".into(),
        services: vec![service],
    };
    assert!(!left_behind(disclosure, &texts()));
}
