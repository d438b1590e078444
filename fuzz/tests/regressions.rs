//! Every input a fuzzer ever crashed a harness with, kept in `fuzz/regressions/TARGET/`, runs
//! through that harness again: what was fixed stays fixed.

use std::path::Path;

use samkoer_fuzz::HARNESSES;

#[test]
fn every_kept_crashing_input_runs_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&root).expect("fuzz/regressions exists") {
        let dir = entry.expect("a readable folder").path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let Some((_, harness)) = HARNESSES.iter().find(|(n, _)| *n == name) else {
            panic!("fuzz/regressions/{name} names no harness");
        };
        for input in std::fs::read_dir(&dir).expect("a readable folder") {
            let input = input.expect("a readable file").path();
            harness(&std::fs::read(&input).expect("a readable file"));
            replayed += 1;
        }
    }
    println!("{replayed} kept inputs replayed");
}

#[test]
fn every_harness_has_a_fuzz_target() {
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz_targets");
    for (name, _) in HARNESSES {
        assert!(
            targets.join(format!("{name}.rs")).is_file(),
            "fuzz_targets/{name}.rs is missing"
        );
    }
}
