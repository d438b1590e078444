#!/usr/bin/env bash
# The match benchmark: samkoer's whole match on one core against DuckDB's and pandas' group-by
# on the same pseudonyms, measured in the same run.
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
for _ in $(seq "$runs"); do
  pin /usr/bin/time -v "$bench" run "$dir" >>"$log" 2>&1
done
grep -m1 '^records' "$log"
engines=$(pin python3 bench/match_engines.py "$dir/records.bin" 1)
echo "$engines"
python3 - "$log" "$engines" <<'PY'
import re, statistics, sys
log = open(sys.argv[1]).read()
def median(pattern):
    return statistics.median(float(v) for v in re.findall(pattern, log))
read = median(r"read and verify: ([0-9.]+) s")
select = median(r"group, families, select, statistics: ([0-9.]+) s")
flags = median(r"flag files and statistics output: ([0-9.]+) s")
whole = median(r"whole match from files: ([0-9.]+) s")
peak = max(int(v) for v in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", log)) / 1024
duckdb = float(re.search(r"duckdb group-by \(1 thread\): ([0-9.]+) s", sys.argv[2]).group(1))
pandas = float(re.search(r"pandas group-by: ([0-9.]+) s", sys.argv[2]).group(1))
print(f"samkoer, one core, median of runs: read and verify {read:.2f} s; group, families, select, statistics {select:.2f} s; flag files {flags:.2f} s; whole match from files {whole:.2f} s; peak memory {peak:.0f} MiB")
print(f"group-by alone vs samkoer's whole selection phase: DuckDB {duckdb / select:.1f}x slower, pandas {pandas / select:.1f}x slower")
PY
rm -f "$log"
