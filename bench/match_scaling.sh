#!/usr/bin/env bash
# The match's scaling curve: the whole match of 1 to 40 million records from 5 sectors, on every
# core, with each phase's cost per million records, to show the cost grows linearly.
# Usage: bench/match_scaling.sh [SIZES...]   (default 1000000 2500000 5000000 10000000 20000000 40000000)
# Publications are generated under target/ (40 million records take 7.6 GB of disk; sizes above
# 10 million are removed again unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 2500000 5000000 10000000 20000000 40000000)
runs="${RUNS:-3}"
cargo build --release -q -p samkoer-core --example match_bench
bench=target/release/examples/match_bench
log=$(mktemp)
for records in "${sizes[@]}"; do
  dir="target/bench-match-$records"
  [ -f "$dir/employment.pub" ] || "$bench" generate "$records" "$dir" >/dev/null
  # Read once first: the figures are of the match, not of the disk.
  cat "$dir"/*.pub >/dev/null
  for _ in $(seq "$runs"); do
    echo "size $records" >>"$log"
    /usr/bin/time -v "$bench" run "$dir" >>"$log" 2>&1
  done
  if [ "$records" -gt 10000000 ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$dir"; fi
done
python3 - "$log" <<'PY'
import re, statistics, sys
runs = {}
size = None
for line in open(sys.argv[1]):
    if line.startswith("size "):
        size = int(line.split()[1])
        runs.setdefault(size, []).append({})
        continue
    for key, pattern in (("read", r"read and verify: ([0-9.]+) s"),
                         ("select", r"group, families, select, statistics: ([0-9.]+) s"),
                         ("flags", r"flag files and statistics output: ([0-9.]+) s"),
                         ("whole", r"whole match from files: ([0-9.]+) s"),
                         ("peak", r"Maximum resident set size \(kbytes\): (\d+)")):
        m = re.search(pattern, line)
        if m:
            runs[size][-1][key] = float(m.group(1))
print(f"{'records':>11} {'read s':>7} {'select s':>8} {'flags s':>7} {'whole s':>7} {'peak MiB':>8} {'whole s per M':>13}")
for size, rs in sorted(runs.items()):
    med = {k: statistics.median(r[k] for r in rs) for k in ("read", "select", "flags", "whole")}
    peak = max(r["peak"] for r in rs) / 1024
    print(f"{size:>11,} {med['read']:>7.2f} {med['select']:>8.2f} {med['flags']:>7.2f} "
          f"{med['whole']:>7.2f} {peak:>8.0f} {med['whole'] / (size / 1e6):>13.3f}")
PY
rm -f "$log"
