#!/usr/bin/env bash
# The match benchmark: samkoer's whole match on one core and on every core, against DuckDB's and
# pandas' group-by on the same pseudonyms, measured in the same run.
# Usage: bench/match.sh [RECORDS]   (default 10,000,000 records from 5 sectors, about 4 million people)
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-10000000}"
runs="${RUNS:-3}"
dir="target/bench-match-$records"
python3 -c "import duckdb, pandas, numpy" 2>/dev/null || pip install --quiet duckdb pandas numpy
cargo build --release -q -p samkoer-core --example match_bench
bench=target/release/examples/match_bench
[ -f "$dir/records.bin" ] || "$bench" generate "$records" "$dir" --dump
pin() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }

log=$(mktemp)
all=$(mktemp)
cat "$dir"/*.pub >/dev/null  # read once first: the figures are of the match, not of the disk
# One core and every core in turn, so that a drift of the machine's speed touches both alike.
for _ in $(seq "$runs"); do
  pin /usr/bin/time -v "$bench" run "$dir" >>"$log" 2>&1
  /usr/bin/time -v "$bench" run "$dir" >>"$all" 2>&1
done
grep -m1 '^records' "$log"
engines=$(pin python3 bench/match_engines.py "$dir/records.bin" 1)
echo "$engines"
python3 - "$log" "$all" "$engines" <<'PY'
import re, statistics, sys
def figures(path):
    log = open(path).read()
    def median(pattern):
        return statistics.median(float(v) for v in re.findall(pattern, log))
    return (median(r"read and verify: ([0-9.]+) s"),
            median(r"group, families, select, statistics: ([0-9.]+) s"),
            median(r"flag files and statistics output: ([0-9.]+) s"),
            median(r"whole match from files: ([0-9.]+) s"),
            max(int(v) for v in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", log)) / 1024)
one, every = figures(sys.argv[1]), figures(sys.argv[2])
for label, (read, select, flags, whole, peak) in (("one core", one), ("every core", every)):
    print(f"samkoer, {label}, median of runs: read and verify {read:.2f} s; group, families, select, statistics {select:.2f} s; flag files {flags:.2f} s; whole match from files {whole:.2f} s; peak memory {peak:.0f} MiB")
duckdb = float(re.search(r"duckdb group-by \(1 thread\): ([0-9.]+) s", sys.argv[3]).group(1))
pandas = float(re.search(r"pandas group-by: ([0-9.]+) s", sys.argv[3]).group(1))
print(f"group-by alone (one core) vs samkoer's whole selection phase (one core): DuckDB {duckdb / one[1]:.1f}x slower, pandas {pandas / one[1]:.1f}x slower")
PY
rm -f "$log" "$all"
