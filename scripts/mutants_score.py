#!/usr/bin/env python3
"""The score of a cargo-mutants run, per module, for scripts/mutants.

    mutants_score.py --exclusions      the equivalent mutants as cargo-mutants exclusions
    mutants_score.py OUTCOMES.json     the score per module; exit 1 if a mutant was missed

A module's score is the share of its viable mutants the tests caught (a mutant the tests time
out on counts as caught: it changed the behaviour). Mutants that do not build are not viable;
the equivalent ones (.cargo/mutants-equivalent.toml) are not run and are counted apart (each
entry once, or each time a run that did not exclude it tested it).
"""

import json
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / ".cargo" / "mutants-equivalent.toml"
NAME = re.compile(r"^(?P<file>[^:]+):\d+:\d+: (?P<mutation>.*)$")


def equivalents():
    """Each listed mutant: its file, its name after the position, and why it changes no output."""
    listed = tomllib.loads(EQUIVALENT.read_text("utf-8")).get("equivalent", [])
    for entry in listed:
        keys = set(entry) - {"line"}
        if keys != {"file", "mutant", "reason"} or not entry["reason"].strip():
            sys.exit(f"{EQUIVALENT.name}: every [[equivalent]] needs file, mutant and a reason "
                     f"(and a line only where the name is not unique in its file): {entry}")
    return listed


def pattern(entry):
    """The entry as a regex of the Rust regex crate (and of Python's): the file, its line if
    the entry gives one (else any), any column, the exact mutation."""
    line = str(entry["line"]) if "line" in entry else "\\d+"
    return f"^{rust_escape(entry['file'])}:{line}:\\d+: {rust_escape(entry['mutant'])}$"


def rust_escape(text):
    """Text as a literal of the Rust regex crate, which refuses an escaped space (re.escape's)."""
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$#&-~" else c for c in text)


def exclusions():
    for entry in equivalents():
        print(pattern(entry))


def module_of(file):
    return file.removeprefix("core/src/").removesuffix(".rs")


def score(outcomes_path):
    outcomes = json.loads(Path(outcomes_path).read_text("utf-8"))["outcomes"]
    counts = defaultdict(lambda: defaultdict(int))
    missed = []
    listed = [(entry, re.compile(pattern(entry))) for entry in equivalents()]
    seen = set()
    for outcome in outcomes:
        scenario = outcome["scenario"]
        if scenario == "Baseline":
            if outcome["summary"] != "Success":
                sys.exit("mutants: the tests fail without any mutant: see the baseline log")
            continue
        name = scenario["Mutant"]["name"]
        if re.search(r"\btests::", name):
            continue  # a test's own code, which mutation testing is not about
        module = module_of(NAME.match(name)["file"])
        # A listed mutant in a run that did not exclude it (listed since) counts as listed.
        equivalent = next((i for i, (_, regex) in enumerate(listed) if regex.match(name)), None)
        if equivalent is not None:
            seen.add(equivalent)
            counts[module]["equivalent"] += 1
            continue
        kind = {"CaughtMutant": "caught", "MissedMutant": "missed", "Timeout": "timeout",
                "Unviable": "unviable"}[outcome["summary"]]
        counts[module][kind] += 1
        if kind == "missed":
            missed.append(name)
    # Listed mutants the run excluded count once per entry (an entry may stand for a few).
    for i, (entry, _) in enumerate(listed):
        if i not in seen and module_of(entry["file"]) in counts:
            counts[module_of(entry["file"])]["equivalent"] += 1
    print(f"{'module':28} {'caught':>7} {'missed':>7} {'timeout':>8} {'unviable':>9} {'equivalent':>11} {'score':>7}")
    total = defaultdict(int)
    for module in sorted(counts):
        c = counts[module]
        for k, v in c.items():
            total[k] += v
        print(row(module, c))
    print(row("all", total))
    for name in missed:
        print(f"missed: {name}")
    return 1 if missed else 0


def row(module, c):
    viable = c["caught"] + c["timeout"] + c["missed"]
    share = f"{100 * (c['caught'] + c['timeout']) / viable:.1f} %" if viable else "–"
    return (f"{module:28} {c['caught']:7} {c['missed']:7} {c['timeout']:8} {c['unviable']:9} "
            f"{c['equivalent']:11} {share:>7}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--exclusions"]:
        exclusions()
    elif len(sys.argv) == 2:
        sys.exit(score(sys.argv[1]))
    else:
        sys.exit(__doc__)
