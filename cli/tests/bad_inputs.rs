//! The bad-input corpus `tests/bad-inputs/` through the `samkoer` binary: every case's command
//! must exit with the manifest's code and print an error naming the file, the line or record,
//! and the rule with its code, and no CPR number; a failed command leaves no output, not even a
//! partial one. Bad rows of an export are rejected in the accounting report at the manifest's
//! lines while the rest is published. The good companions' commands must succeed, and the
//! manifest must list exactly the files of the corpus.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "../../tests/support/bad_inputs.rs"]
mod bad_inputs;
use bad_inputs::{corpus_dir, leaks, manifest, run_corpus, working_copy};

fn samkoer(dir: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samkoer"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(
                    files_under(&path)
                        .into_iter()
                        .map(|p| PathBuf::from(path.file_name().unwrap()).join(p)),
                );
            } else {
                found.push(PathBuf::from(path.file_name().unwrap()));
            }
        }
    }
    found
}

#[test]
fn the_manifest_lists_exactly_the_corpus_files() {
    let manifest = manifest();
    let cases = manifest["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());
    let listed: Vec<&str> = cases.iter().map(|c| c["file"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a file is listed twice");
    let present: BTreeSet<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "cases.json" && name != "README.md")
        .collect();
    let listed: BTreeSet<String> = unique.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        present.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "files of the corpus that no case lists"
    );
    assert_eq!(
        listed.difference(&present).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "cases whose file is missing"
    );
    for case in cases {
        assert!(
            !case["mistake"].as_str().unwrap().is_empty(),
            "{case} says what it is"
        );
    }
}

/// Checks one case's run of the binary; the reasons it does not match the manifest.
fn check(case: &Value, at: &Path, output: &Output, cprs: &[String]) -> Vec<String> {
    let expect = &case["expect"];
    let mut wrong = Vec::new();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let code = output.status.code();
    if code != expect["exit"].as_i64().map(|c| c as i32) {
        wrong.push(format!("exit code {code:?}, stderr {stderr:?}"));
    }
    for (what, text) in [("stderr", &stderr), ("stdout", &stdout)] {
        if let Some(leak) = leaks(text, cprs) {
            wrong.push(format!("{what} shows {leak}"));
        }
    }
    let outputs: Vec<&str> = case["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    match expect["outcome"].as_str().unwrap() {
        "error" => {
            let mut wanted = vec![
                format!("error[{}]: ", expect["code"]),
                expect["file"].as_str().unwrap().to_owned(),
                format!("({})", expect["class"].as_str().unwrap()),
                expect["message"].as_str().unwrap().to_owned(),
            ];
            if let Some(line) = expect["line"].as_u64() {
                wanted.push(format!(", line {line}: "));
            }
            if let Some(record) = expect["record"].as_u64() {
                wanted.push(format!(", record {record}: "));
            }
            for fragment in wanted {
                if !stderr.contains(&fragment) {
                    wrong.push(format!("stderr lacks {fragment:?}: {stderr:?}"));
                }
            }
            for output in &outputs {
                if at.join(output).exists() && !at.join(output).is_dir() {
                    wrong.push(format!("{output} was written"));
                }
            }
            let left = files_under(&at.join("out"));
            if !left.is_empty() {
                wrong.push(format!("files left in out/: {left:?}"));
            }
        }
        "rows" => {
            for output in &outputs {
                if !at.join(output).is_file() {
                    wrong.push(format!("{output} was not written"));
                }
            }
            let report_path = at.join("out/publication.pub.accounting.json");
            let Ok(text) = std::fs::read_to_string(&report_path) else {
                wrong.push(format!("no report; stderr {stderr:?}"));
                return wrong;
            };
            if let Some(leak) = leaks(&text, cprs) {
                wrong.push(format!("the report shows {leak}"));
            }
            let report: Value = serde_json::from_str(&text).unwrap();
            let section = &report[expect["section"].as_str().unwrap()];
            for field in ["rows", "published"] {
                if section[field] != expect[field] {
                    wrong.push(format!("{field} {} in the report", section[field]));
                }
            }
            if section["rejected_lines"] != expect["rejected"] {
                wrong.push(format!("rejected lines {}", section["rejected_lines"]));
            }
        }
        other => wrong.push(format!("unknown outcome {other}")),
    }
    wrong.extend(partial_files_left(at));
    wrong
}

/// The `.partial` files a command left behind, as a reason a case fails.
fn partial_files_left(at: &Path) -> Option<String> {
    let partial: Vec<PathBuf> = files_under(at)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "partial"))
        .collect();
    (!partial.is_empty()).then(|| format!("partial files left: {partial:?}"))
}

/// Runs a failing case again over the results of an earlier run: they must be left as they
/// were (nothing already done is lost), with no partial file beside them.
fn earlier_results_survive(case: &Value, at: &Path, args: &[String]) -> Vec<String> {
    let out = at.join("out");
    std::fs::remove_dir_all(&out).unwrap();
    let mut earlier = Vec::new();
    for output in case["outputs"].as_array().unwrap() {
        let output = at.join(output.as_str().unwrap());
        // A folder output (the match's) gets the files a match writes there.
        let files = if output.extension().is_some() {
            vec![output]
        } else {
            ["result.json", "statistics.json", "flags/employment.flag"]
                .iter()
                .map(|f| output.join(f))
                .collect()
        };
        for file in files {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            let content = format!("earlier result at {}", file.display());
            std::fs::write(&file, &content).unwrap();
            earlier.push((file, content));
        }
    }
    std::fs::create_dir_all(&out).unwrap();
    let output = samkoer(at, args);
    let mut wrong = Vec::new();
    if output.status.success() {
        wrong.push("no error".into());
    }
    for (file, content) in earlier {
        if std::fs::read_to_string(&file).ok().as_deref() != Some(content.as_str()) {
            wrong.push(format!("{} was changed", file.display()));
        }
    }
    wrong.extend(partial_files_left(at));
    wrong
}

#[test]
fn every_bad_input_gives_a_clear_error_through_the_binary() {
    let work = working_copy();
    let at = work.path();
    run_corpus(
        at,
        |args| {
            let output = samkoer(at, args);
            match output.status.success() {
                true => Ok(()),
                false => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
            }
        },
        |case, args, cprs| {
            let output = samkoer(at, args);
            let mut wrong = check(case, at, &output, cprs);
            if case["expect"]["outcome"] == "error" {
                let earlier = earlier_results_survive(case, at, args);
                wrong.extend(
                    earlier
                        .into_iter()
                        .map(|why| format!("over earlier results: {why}")),
                );
            }
            wrong
        },
    );
}
