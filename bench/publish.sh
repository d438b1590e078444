#!/usr/bin/env bash
# The publish benchmark: `samkoer publish` of a 2-million-row export, end to end (parse,
# validate, pseudonymise, seal, hash, write, flush), on every core and on one thread, in the same
# run; then a profile of the one-thread publish (with perf, where it is installed).
# Usage: bench/publish.sh [RUNS]   (default 5; the export is generated once under target/)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
dir=target/bench-publish
cargo build --release -q -p samkoer-cli
samkoer="$PWD/target/release/samkoer"
mkdir -p "$dir"
if [ ! -f "$dir/export.csv" ]; then
  # 5 million people give a little over 2 million health and elderly rows; keep exactly 2 million.
  "$samkoer" synth --people 5000000 --seed 11 --reference-date 2026-11-01 --out-dir "$dir/town" >/dev/null
  head -n 2000001 "$dir/town/export-health-elderly.csv" >"$dir/export.csv"
  rm -rf "$dir/town"
fi
cd "$dir"
# Keys of an earlier key-file version (a run key without its reference date) are made again.
if ! grep -qs '^reference-date: ' run.key; then
  rm -f master.key run.key sealing.key
  "$samkoer" keygen master --municipality 219 --out master.key >/dev/null
  "$samkoer" keygen run --master master.key --run 2026-11 --reference-date 2026-11-01 --out run.key >/dev/null
  "$samkoer" keygen sealing --municipality 219 --sector health-elderly --out sealing.key >/dev/null
fi
publish() {
  rm -f out.pub out.pub.accounting.json
  /usr/bin/time -f "%e %U %S %M" "$samkoer" publish --threads "$1" --run-key run.key --sealing-key sealing.key \
    --export export.csv --out out.pub 2>&1 >/dev/null | tail -1
}
log=$(mktemp)
# Alternate the two, so that a drift of the machine's speed touches both alike.
cores=$(nproc)
for _ in $(seq "$runs"); do
  echo "all $(publish "$cores")" >>"$log"
  echo "one $(publish 1)" >>"$log"
done
python3 - "$log" "$cores" <<'PY'
import statistics, sys
rows = 2_000_000
runs = {"all": [], "one": []}
for line in open(sys.argv[1]):
    kind, wall, user, system, peak = line.split()
    runs[kind].append((float(wall), float(user) + float(system), int(peak) / 1024))
for kind, label in (("all", f"{sys.argv[2]} threads"), ("one", "one thread")):
    wall = statistics.median(r[0] for r in runs[kind])
    cpu = statistics.median(r[1] for r in runs[kind])
    peak = max(r[2] for r in runs[kind])
    print(f"publish, {label}: median {wall:.2f} s wall = {rows / wall / 1e6:.2f} M rows/s "
          f"(cpu {cpu:.2f} s, peak {peak:.0f} MiB)")
ratio = statistics.median(o[0] / a[0] for a, o in zip(runs["all"], runs["one"]))
print(f"speed-up of all threads over one, median of paired runs: {ratio:.2f}x")
PY
rm -f "$log"
if command -v perf >/dev/null; then
  rm -f out.pub out.pub.accounting.json
  perf record -q -o perf.data "$samkoer" publish --threads 1 --run-key run.key --sealing-key sealing.key \
    --export export.csv --out out.pub >/dev/null 2>&1
  echo "where one thread's time goes (perf, top 25 symbols):"
  perf report -i perf.data --no-children --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25
fi
