//! The `samkoer` binary through the whole flow on generated data, compared with the library,
//! and the error paths a user can hit.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use samkoer_core::central::matcher::Match;
use samkoer_core::files::Input;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::criteria::Criteria;

fn samkoer(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samkoer"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = samkoer(dir, args);
    assert!(
        out.status.success(),
        "samkoer {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a failing command: its exit code and what it printed on standard error.
fn fails(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = samkoer(dir, args);
    assert!(!out.status.success(), "samkoer {args:?} should fail");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const SECTORS: [&str; 5] = [
    "employment",
    "adult-social",
    "children-family",
    "health-elderly",
    "school-daycare",
];

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Keys, a synthetic municipality and every sector's publication, all through the binary.
    fn published(people: &str) -> Run {
        let run = Run {
            dir: tempfile::tempdir().unwrap(),
        };
        let d = run.dir.path();
        ok(
            d,
            &[
                "synth",
                "--people",
                people,
                "--seed",
                "5",
                "--reference-date",
                "2026-11-01",
                "--out-dir",
                "town",
            ],
        );
        ok(
            d,
            &[
                "--audit-log",
                "audit.log",
                "keygen",
                "master",
                "--municipality",
                "219",
                "--out",
                "master.key",
            ],
        );
        ok(
            d,
            &[
                "keygen",
                "matcher",
                "--municipality",
                "219",
                "--out",
                "matcher.key",
            ],
        );
        ok(
            d,
            &[
                "keygen",
                "run",
                "--master",
                "master.key",
                "--run",
                "2026-11",
                "--reference-date",
                "2026-11-01",
                "--out",
                "run.key",
            ],
        );
        for sector in SECTORS {
            ok(
                d,
                &[
                    "keygen",
                    "sealing",
                    "--municipality",
                    "219",
                    "--sector",
                    sector,
                    "--out",
                    &format!("{sector}.key"),
                ],
            );
            let export = format!("town/export-{sector}.csv");
            let mut args = vec![
                "--audit-log",
                "audit.log",
                "publish",
                "--run-key",
                "run.key",
                "--sealing-key",
            ];
            let key = format!("{sector}.key");
            let out = format!("{sector}.pub");
            args.extend([
                key.as_str(),
                "--export",
                export.as_str(),
                "--out",
                out.as_str(),
            ]);
            if sector == "children-family" {
                args.extend(["--relations", "town/relations.csv"]);
            }
            let printed = ok(d, &args);
            assert!(printed.contains("published"), "{printed}");
        }
        std::fs::write(run.path("criteria.toml"), CRITERIA).unwrap();
        run
    }

    fn publications(&self) -> Vec<String> {
        SECTORS.iter().map(|s| format!("{s}.pub")).collect()
    }
}

const CRITERIA: &str = "format = \"samkoer-criteria\"\nversion = 1\n[person]\nmin_sectors = 2\nmin_services = 3\n[family]\nrequire_child_and_adult = true\nmin_sectors = 3\n";

#[test]
fn the_whole_flow_through_the_binary_agrees_with_the_library() {
    let run = Run::published("3000");
    let d = run.dir.path();
    let publications = run.publications();
    let mut args = vec![
        "--audit-log",
        "audit.log",
        "match",
        "--matcher-key",
        "matcher.key",
        "--criteria",
        "criteria.toml",
        "--out-dir",
        "match",
    ];
    args.extend(publications.iter().map(String::as_str));
    ok(d, &args);

    // The library on the same publications gives the same statistics and candidate counts.
    let catalogue = Catalogue::builtin();
    let criteria = Criteria::parse(CRITERIA, "c", catalogue).unwrap();
    let library = Match::run(
        publications
            .iter()
            .map(|p| Input::Path(run.path(p)))
            .collect(),
        catalogue,
        &criteria,
    )
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(run.path("match/statistics.json")).unwrap(),
        library.statistics.to_json()
    );
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.path("match/result.json")).unwrap())
            .unwrap();
    assert_eq!(
        result["candidates"].as_array().unwrap().len(),
        library.candidates().len()
    );
    let accounting: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.path("employment.pub.accounting.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        accounting["export"]["rows"],
        accounting["export"]["published"].as_u64().unwrap()
            + accounting["export"]["excluded"].as_u64().unwrap()
            + accounting["export"]["rejected"].as_u64().unwrap()
    );

    // Review, verdicts (every candidate suitable), select.
    let mut verdict_files = Vec::new();
    let mut person = None;
    for sector in SECTORS {
        let flag = format!("match/flags/{sector}.flag");
        let list = format!("{sector}.worklist.csv");
        ok(
            d,
            &[
                "--audit-log",
                "audit.log",
                "review",
                "--sealing-key",
                &format!("{sector}.key"),
                "--flag-file",
                &flag,
                "--out",
                &list,
            ],
        );
        let text = std::fs::read_to_string(run.path(&list)).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(reader.headers().unwrap()).unwrap();
        for record in reader.records() {
            let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
            person.get_or_insert((sector, row[1].clone()));
            row[10] = "suitable".into();
            writer.write_record(&row).unwrap();
        }
        std::fs::write(run.path(&list), writer.into_inner().unwrap()).unwrap();
        let verdicts = format!("{sector}.verdicts.json");
        ok(
            d,
            &[
                "--audit-log",
                "audit.log",
                "verdict",
                "--sealing-key",
                &format!("{sector}.key"),
                "--flag-file",
                &flag,
                "--work-list",
                &list,
                "--out",
                &verdicts,
            ],
        );
        verdict_files.push(verdicts);
    }
    let mut args = vec![
        "--audit-log",
        "audit.log",
        "select",
        "--matcher-key",
        "matcher.key",
        "--match-result",
        "match/result.json",
        "--out",
        "selection.json",
    ];
    args.extend(verdict_files.iter().map(String::as_str));
    let printed = ok(d, &args);
    assert!(printed.contains("0 removed, 0 outstanding"), "{printed}");

    // Consent and disclosure for a citizen of the first sector with candidates.
    let (sector, cpr) = person.unwrap();
    let sector_key = format!("{sector}.key");
    std::fs::write(run.path("person.txt"), &cpr).unwrap();
    for (kind, out) in [
        ("consent-registry", "registry.key"),
        ("plan-team", "plan.key"),
    ] {
        ok(d, &["keygen", kind, "--municipality", "219", "--out", out]);
    }
    ok(
        d,
        &[
            "keygen",
            "subject",
            "--registry-key",
            "registry.key",
            "--out",
            "subject.key",
        ],
    );
    ok(
        d,
        &[
            "keygen",
            "public",
            "--key",
            "registry.key",
            "--out",
            "registry.pub",
        ],
    );
    ok(
        d,
        &["keygen", "public", "--key", "plan.key", "--out", "plan.pub"],
    );
    ok(
        d,
        &[
            "--audit-log",
            "audit.log",
            "consent",
            "issue",
            "--registry-key",
            "registry.key",
            "--subject-key",
            "subject.key",
            "--person",
            "person.txt",
            "--sectors",
            sector,
            "--out",
            "receipt.bin",
        ],
    );
    // Without the registry's consent state, nothing is checked and nothing released.
    let (code, message) = fails(
        d,
        &[
            "consent",
            "verify",
            "--registry-public",
            "registry.pub",
            "--receipt",
            "receipt.bin",
            "--sealing-key",
            &sector_key,
        ],
    );
    assert_eq!(code, 1, "{message}");
    assert!(message.contains("consent-state-missing"), "{message}");
    ok(
        d,
        &[
            "--audit-log",
            "registry.log",
            "consent",
            "state",
            "--registry-key",
            "registry.key",
            "--out",
            "state.bin",
        ],
    );
    ok(
        d,
        &[
            "--audit-log",
            "sector.log",
            "consent",
            "verify",
            "--registry-public",
            "registry.pub",
            "--receipt",
            "receipt.bin",
            "--consent-state",
            "state.bin",
            "--state-max-age",
            "1",
            "--sealing-key",
            &sector_key,
        ],
    );
    let other = SECTORS.iter().find(|s| **s != sector).unwrap();
    let other_key = format!("{other}.key");
    let (code, message) = fails(
        d,
        &[
            "consent",
            "verify",
            "--registry-public",
            "registry.pub",
            "--receipt",
            "receipt.bin",
            "--consent-state",
            "state.bin",
            "--sealing-key",
            &other_key,
        ],
    );
    assert_eq!(code, 1);
    assert!(
        message.contains("consent-scope") && message.contains("what to do"),
        "{message}"
    );
    // Disclosure is on today's date, so the export of the run's reference date may hold no
    // ongoing service any more; both outcomes are answers, never a crash.
    let disclosed = samkoer(
        d,
        &[
            "--audit-log",
            "audit.log",
            "disclose",
            "--receipt",
            "receipt.bin",
            "--consent-state",
            "state.bin",
            "--registry-public",
            "registry.pub",
            "--subject-key",
            "subject.key",
            "--sealing-key",
            &format!("{sector}.key"),
            "--export",
            &format!("town/export-{sector}.csv"),
            "--plan-team-public",
            "plan.pub",
            "--out",
            "bundle.bin",
        ],
    );
    if disclosed.status.success() {
        let sealing = format!("{sector}.key");
        let args = |sector_public: &'static str| {
            [
                "open",
                "--plan-team-key",
                "plan.key",
                "--registry-public",
                "registry.pub",
                "--receipt",
                "receipt.bin",
                "--sector-public",
                sector_public,
                "bundle.bin",
            ]
        };
        // Checked against a key that is not the sector's (the registry's public key is no
        // sector key): refused by kind, naming the file.
        let (_, message) = fails(d, &args("plan.pub"));
        assert!(message.contains("plan.pub"), "{message}");
        ok(
            d,
            &[
                "keygen",
                "public",
                "--key",
                &sealing,
                "--out",
                "sector-public.key",
            ],
        );
        let opened = ok(d, &args("sector-public.key"));
        assert!(opened.contains("samkoer-disclosure") && !opened.contains(&cpr.replace('-', "")));
        assert!(opened.contains("\"consented\""));
        // The log (all parties' here) is cross-checked against the bundle the sector handed on.
        let verified = ok(
            d,
            &["audit", "verify", "audit.log", "--evidence", "bundle.bin"],
        );
        assert!(verified.contains("bundle.bin"), "{verified}");
    } else {
        assert!(String::from_utf8_lossy(&disclosed.stderr).contains("consent-other-person"));
    }
    // The citizen withdraws; the registry's next state lists it, and the sector, never handed
    // the withdrawal, refuses; the old state, handed on again, is refused as older.
    ok(
        d,
        &[
            "--audit-log",
            "registry.log",
            "consent",
            "withdraw",
            "--registry-key",
            "registry.key",
            "--receipt",
            "receipt.bin",
            "--out",
            "withdrawal.bin",
        ],
    );
    let (code, message) = fails(
        d,
        &[
            "--audit-log",
            "registry.log",
            "consent",
            "state",
            "--registry-key",
            "registry.key",
            "--withdrawal",
            "withdrawal.bin",
            "--out",
            "state-2.bin",
        ],
    );
    assert_eq!(code, 1, "{message}");
    assert!(message.contains("consent-state-previous"), "{message}");
    let published = ok(
        d,
        &[
            "--audit-log",
            "registry.log",
            "consent",
            "state",
            "--registry-key",
            "registry.key",
            "--previous",
            "state.bin",
            "--withdrawal",
            "withdrawal.bin",
            "--out",
            "state-2.bin",
        ],
    );
    assert!(
        published.contains("consent state 2: 1 withdrawals (1 new)"),
        "{published}"
    );
    let verify_with = |state: &str| {
        fails(
            d,
            &[
                "--audit-log",
                "sector.log",
                "consent",
                "verify",
                "--registry-public",
                "registry.pub",
                "--receipt",
                "receipt.bin",
                "--consent-state",
                state,
                "--sealing-key",
                &sector_key,
            ],
        )
    };
    let (code, message) = verify_with("state-2.bin");
    assert_eq!(code, 1);
    assert!(message.contains("consent-withdrawn"), "{message}");
    let (code, message) = verify_with("state.bin");
    assert_eq!(code, 1);
    assert!(message.contains("consent-state-older"), "{message}");
    let printed = ok(d, &["audit", "verify", "audit.log"]);
    assert!(printed.contains("entries verify"), "{printed}");
    let log = std::fs::read_to_string(run.path("audit.log")).unwrap();
    assert!(!log.contains(&cpr) && !log.contains(&cpr.replace('-', "")));
}

#[test]
fn errors_a_user_can_hit_say_what_and_what_to_do() {
    let run = Run::published("800");
    let d = run.dir.path();

    // A missing file.
    let (code, message) = fails(
        d,
        &[
            "publish",
            "--run-key",
            "run.key",
            "--sealing-key",
            "employment.key",
            "--export",
            "nope.csv",
            "--out",
            "x.pub",
        ],
    );
    assert_eq!(code, 3);
    assert!(
        message.contains("nope.csv") && message.contains("what to do"),
        "{message}"
    );

    // The wrong key: another sector's sealing key for a flag file.
    let mut args = vec![
        "match",
        "--matcher-key",
        "matcher.key",
        "--criteria",
        "criteria.toml",
        "--out-dir",
        "match",
    ];
    let publications = run.publications();
    args.extend(publications.iter().map(String::as_str));
    ok(d, &args);
    let (code, message) = fails(
        d,
        &[
            "review",
            "--sealing-key",
            "adult-social.key",
            "--flag-file",
            "match/flags/employment.flag",
            "--out",
            "w.csv",
        ],
    );
    assert_eq!(code, 1);
    assert!(message.contains("review-key"), "{message}");

    // Mixed runs.
    ok(
        d,
        &[
            "keygen",
            "run",
            "--master",
            "master.key",
            "--run",
            "2026-12",
            "--reference-date",
            "2026-11-01",
            "--out",
            "run-12.key",
        ],
    );
    ok(
        d,
        &[
            "publish",
            "--run-key",
            "run-12.key",
            "--sealing-key",
            "adult-social.key",
            "--export",
            "town/export-adult-social.csv",
            "--out",
            "adult-12.pub",
        ],
    );
    let (code, message) = fails(
        d,
        &[
            "match",
            "--matcher-key",
            "matcher.key",
            "--criteria",
            "criteria.toml",
            "--out-dir",
            "m2",
            "employment.pub",
            "adult-12.pub",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        message.contains("adult-12.pub") && message.contains("mixed-run"),
        "{message}"
    );

    // One run, two reference dates: a sector given a run key made on another day. The match
    // refuses and names both dates.
    ok(
        d,
        &[
            "keygen",
            "run",
            "--master",
            "master.key",
            "--run",
            "2026-11",
            "--reference-date",
            "2026-11-15",
            "--out",
            "run-15.key",
        ],
    );
    let publish_15 = [
        "publish",
        "--run-key",
        "run-15.key",
        "--sealing-key",
        "adult-social.key",
        "--export",
        "town/export-adult-social.csv",
        "--out",
        "adult-15.pub",
    ];
    ok(d, &publish_15);
    let (code, message) = fails(
        d,
        &[
            "match",
            "--matcher-key",
            "matcher.key",
            "--criteria",
            "criteria.toml",
            "--out-dir",
            "m3",
            "employment.pub",
            "adult-15.pub",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        message.contains("adult-15.pub")
            && message.contains("mixed-reference-date")
            && message
                .contains("this file has reference date 2026-11-15, employment.pub has 2026-11-01"),
        "{message}"
    );

    // A bad CSV row is rejected with its line and rule, and the rest is published — when the
    // rejected share is within the limit (spec §8.6): one row of two is 50 %, refused by the
    // default 5 % and by 49 %, published at 50 %.
    std::fs::write(run.path("bad.csv"), "cpr;service;status;start\n0101901234;EMP-MENTOR;active;2025-01-01\n01019O1234;EMP-MENTOR;active;2025-01-01\n").unwrap();
    let publish_bad = |limit: Option<&str>| {
        let mut args = vec![
            "publish",
            "--run-key",
            "run.key",
            "--sealing-key",
            "employment.key",
            "--export",
            "bad.csv",
            "--out",
            "bad.pub",
        ];
        args.extend(limit.map(|l| ["--max-rejected", l]).into_iter().flatten());
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    fn strs(args: &[String]) -> Vec<&str> {
        args.iter().map(String::as_str).collect()
    }
    for limit in [None, Some("49")] {
        let (code, message) = fails(d, &strs(&publish_bad(limit)));
        assert_eq!(code, 5, "{message}");
        assert!(
            message.contains("(rejected-limit)")
                && message.contains("1 rejected (50 %")
                && message.contains("cpr-characters 1"),
            "{message}"
        );
        assert!(!run.path("bad.pub").exists() && !run.path("bad.pub.accounting.json").exists());
    }
    let printed = ok(d, &strs(&publish_bad(Some("50"))));
    assert!(
        printed.contains("1 published") && printed.contains("1 rejected"),
        "{printed}"
    );
    let report = std::fs::read_to_string(run.path("bad.pub.accounting.json")).unwrap();
    assert!(
        report.contains("\"line\": 3")
            && report.contains("cpr-characters")
            && !report.contains("01019O1234")
    );

    // A file-level fault names file, line and rule.
    std::fs::write(run.path("nocol.csv"), "cpr;service;status\n").unwrap();
    let (code, message) = fails(
        d,
        &[
            "publish",
            "--run-key",
            "run.key",
            "--sealing-key",
            "employment.key",
            "--export",
            "nocol.csv",
            "--out",
            "n.pub",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        message.contains("nocol.csv, line 1") && message.contains("column-missing"),
        "{message}"
    );
    assert!(!run.path("n.pub").exists() && !run.path("n.pub.partial").exists());

    // A tampered publication.
    let mut bytes = std::fs::read(run.path("employment.pub")).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(run.path("tampered.pub"), bytes).unwrap();
    let (code, message) = fails(
        d,
        &[
            "match",
            "--matcher-key",
            "matcher.key",
            "--criteria",
            "criteria.toml",
            "--out-dir",
            "m3",
            "tampered.pub",
        ],
    );
    assert!(code == 4 || code == 1, "{code}");
    assert!(message.contains("tampered.pub"), "{message}");

    // A key file others can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(run.path("run.key"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let (code, message) = fails(
            d,
            &[
                "publish",
                "--run-key",
                "run.key",
                "--sealing-key",
                "employment.key",
                "--export",
                "bad.csv",
                "--out",
                "p.pub",
            ],
        );
        assert_eq!(code, 1);
        assert!(
            message.contains("key-file-permissions") && message.contains("chmod 600"),
            "{message}"
        );
    }

    // Keys are never overwritten.
    let (_, message) = fails(
        d,
        &[
            "keygen",
            "master",
            "--municipality",
            "219",
            "--out",
            "master.key",
        ],
    );
    assert!(message.contains("key-file-exists"), "{message}");
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    // `samkoer catalogue | head -1`: the reader is gone before the command writes.
    for args in [&["catalogue"][..], &["catalogue", "--json"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_samkoer"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn json_gives_a_steps_summary_for_scheduled_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let json = |out: &[u8]| -> serde_json::Value {
        let text = String::from_utf8(out.to_vec()).unwrap();
        assert_eq!(
            text.lines().count(),
            1,
            "one JSON line and nothing else: {text}"
        );
        serde_json::from_str(&text).unwrap()
    };
    // A step done: its entry, with what it made and the file's digest.
    let out = samkoer(
        d,
        &[
            "--json",
            "keygen",
            "master",
            "--municipality",
            "219",
            "--out",
            "master.key",
        ],
    );
    assert!(out.status.success());
    let summary = json(&out.stdout);
    assert_eq!(
        (summary["action"].as_str(), summary["outcome"].as_str()),
        (Some("keygen"), Some("done"))
    );
    assert_eq!(summary["made"][0]["kind"], "master-key");
    // A key file is named by its fingerprint, never by a digest of its secret.
    assert_eq!(
        summary["made"][0]["digest"].as_str().map(str::len),
        Some(35)
    );
    ok(
        d,
        &[
            "keygen",
            "run",
            "--master",
            "master.key",
            "--run",
            "2026-11",
            "--reference-date",
            "2026-11-01",
            "--out",
            "run.key",
        ],
    );
    ok(
        d,
        &[
            "keygen",
            "sealing",
            "--municipality",
            "219",
            "--sector",
            "employment",
            "--out",
            "employment.key",
        ],
    );
    // A step refused: the rule as outcome, the error with its code and remedy, the exit code.
    std::fs::write(
        d.join("bad.csv"),
        "cpr;service;status;start\n01019O1234;EMP-MENTOR;active;2025-01-01\n",
    )
    .unwrap();
    let out = samkoer(
        d,
        &[
            "--json",
            "publish",
            "--run-key",
            "run.key",
            "--sealing-key",
            "employment.key",
            "--export",
            "bad.csv",
            "--out",
            "bad.pub",
        ],
    );
    assert_eq!(out.status.code(), Some(5));
    let summary = json(&out.stdout);
    assert_eq!(
        (summary["party"].as_str(), summary["outcome"].as_str()),
        (Some("sector:employment"), Some("rejected-limit"))
    );
    assert_eq!(
        (
            summary["error"]["code"].as_u64(),
            summary["error"]["exit"].as_i64()
        ),
        (Some(216), Some(5))
    );
    assert!(
        summary["error"]["remedy"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    // The catalogue as JSON, as before; a command with no single step says --json is not for it.
    let out = samkoer(d, &["catalogue", "--json"]);
    assert!(
        out.status.success() && serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok()
    );
    let out = samkoer(
        d,
        &["--json", "synth", "--people", "10", "--out-dir", "town"],
    );
    assert_eq!(out.status.code(), Some(2));
}
