//! What the core's and the CLI's bad-input tests share: the corpus `tests/bad-inputs/` copied
//! where a test may write, its manifest, the CPR numbers a case's file holds, and the loop that
//! runs every control and case and collects what did not match. Included by both tests with
//! `#[path]`, as they live in two crates.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The corpus folder in the repository.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-inputs")
}

/// The manifest, `cases.json`.
pub fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(corpus_dir().join("cases.json")).unwrap())
        .unwrap()
}

/// The corpus copied where the test may write and set file modes: secret keys owner-only, as
/// samkoer writes them (git keeps no modes).
pub fn working_copy() -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    copy_tree(&corpus_dir(), work.path());
    work
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            if target.extension().is_some_and(|e| e == "key") {
                set_mode(&target, 0o600);
            }
        }
    }
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
pub fn set_mode(_: &Path, _: u32) {}

/// The CPR numbers a file holds, as ten digits: every run of exactly ten digits, and every six
/// digits, hyphen, four digits.
pub fn cpr_numbers(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run == 0 {
            i += 1;
            continue;
        }
        let digits = String::from_utf8_lossy(&bytes[i..i + run]).into_owned();
        if run == 10 {
            found.push(digits.clone());
        }
        let rest = &bytes[i + run..];
        let serial = rest
            .get(1..)
            .map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count());
        if run == 6 && rest.first() == Some(&b'-') && serial == 4 {
            found.push(format!("{digits}{}", String::from_utf8_lossy(&rest[1..5])));
        }
        i += run;
    }
    found
}

/// Why a text shown to a user is unsafe: a run of ten or more digits, or a CPR number of the
/// case's file in either form.
pub fn leaks(text: &str, cprs: &[String]) -> Option<&'static str> {
    if text
        .split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() >= 10)
    {
        return Some("a run of ten digits");
    }
    let shown = |cpr: &String| {
        text.contains(cpr.as_str()) || text.contains(&format!("{}-{}", &cpr[..6], &cpr[6..]))
    };
    cprs.iter().any(shown).then_some("a CPR number of the file")
}

/// Runs every control (which must succeed: `Err` says why not) and every case (`case` gives
/// the reasons it did not match) in the working copy `at`, each with a fresh `out/` folder and
/// the case's file mode; panics listing every failure.
pub fn run_corpus(
    at: &Path,
    mut control: impl FnMut(&[String]) -> Result<(), String>,
    mut case: impl FnMut(&Value, &[String], &[String]) -> Vec<String>,
) {
    let manifest = manifest();
    let fresh_out = || {
        let out = at.join("out");
        if out.exists() {
            std::fs::remove_dir_all(&out).unwrap();
        }
        std::fs::create_dir(&out).unwrap();
    };
    let mut failures = Vec::new();
    for entry in manifest["controls"].as_array().unwrap() {
        fresh_out();
        let args: Vec<String> = serde_json::from_value(entry["args"].clone()).unwrap();
        if let Err(why) = control(&args) {
            failures.push(format!("control {}: {why}", entry["what"]));
        }
    }
    let cases = manifest["cases"].as_array().unwrap();
    for entry in cases {
        fresh_out();
        let file = entry["file"].as_str().unwrap();
        let path = at.join(file);
        let mode = entry["mode"]
            .as_str()
            .map(|m| u32::from_str_radix(m, 8).unwrap());
        if let Some(mode) = mode {
            set_mode(&path, mode);
        }
        let args: Vec<String> = serde_json::from_value(entry["args"].clone()).unwrap();
        let cprs = cpr_numbers(&std::fs::read(&path).unwrap());
        for reason in case(entry, &args, &cprs) {
            failures.push(format!("{file}: {reason}"));
        }
        if mode.is_some() {
            set_mode(&path, 0o600);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures in {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
