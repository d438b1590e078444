#!/usr/bin/env bash
# samkoer against its peers, in one run on one machine, printed as ratios:
# - pseudonyms per second on one core: samkoer's batch API vs Python's hmac, Node's createHmac,
#   WebCrypto (in Node) and the OpenSSL SHA-256 limit (two compressions per pseudonym), all on
#   the same CPR numbers and key, the pseudonyms checked equal;
# - the match vs DuckDB and pandas on the same pseudonyms (bench/match.sh);
# - the per-item cost of clkhash, openmined-psi and libpep-py where they install from PyPI.
# Usage: bench/compare.sh [COUNT]   (default 2,000,000 pseudonyms; RUNS=3 match runs)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-2000000}"
venv=target/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import duckdb, pandas, numpy" 2>/dev/null || "$venv/bin/pip" install -q duckdb pandas numpy
for peer in clkhash openmined-psi libpep-py; do
  "$venv/bin/pip" show -q "$peer" >/dev/null 2>&1 || "$venv/bin/pip" install -q "$peer" >/dev/null 2>&1 \
    || echo "($peer does not install here; it is left out)"
done
cargo build --release -q -p samkoer-core --example pseudonym_rate
pin() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }

echo "== pseudonyms, one core, $count CPR numbers"
samkoer=$(pin target/release/examples/pseudonym_rate "$count")
python=$(pin "$venv/bin/python" bench/pseudonyms_python.py "$count")
node=$(pin node bench/pseudonyms_node.mjs "$count")
openssl=$(pin openssl speed -seconds 3 -bytes 16384 -evp sha256 2>/dev/null | tail -1)
echo "$samkoer"; echo "$python"; echo "$node"; echo "openssl speed sha256 (16 KiB blocks): $openssl"
digests=$(printf '%s\n%s\n%s\n' "$samkoer" "$python" "$node" | sed -n 's/^digest of all pseudonyms: //p' | sort -u | wc -l)
if [ "$digests" != 1 ]; then
  echo "MISMATCH: the implementations disagree on the pseudonyms" >&2
  exit 1
fi
rate() { sed -n "s/^$1.* \([0-9]*\) per second$/\1/p"; }
samkoer_rate=$(echo "$samkoer" | rate "samkoer batch")
python_rate=$(echo "$python" | rate "python hmac")
createhmac_rate=$(echo "$node" | rate "node createHmac")
webcrypto_rate=$(echo "$node" | rate "node webcrypto")
openssl_bytes=$(echo "$openssl" | awk '{ sub("k", "", $2); print $2 * 1000 }')
python3 - "$samkoer_rate" "$python_rate" "$createhmac_rate" "$webcrypto_rate" "$openssl_bytes" <<'PY'
import sys
samkoer, python, createhmac, webcrypto, openssl_bytes = map(float, sys.argv[1:])
limit = openssl_bytes / 64 / 2  # SHA-256 compressions per second, two per pseudonym
print(f"samkoer {samkoer / 1e6:.2f} M/s: {samkoer / python:.1f}x Python hmac, {samkoer / createhmac:.1f}x Node createHmac, "
      f"{samkoer / webcrypto:.0f}x WebCrypto; the OpenSSL SHA-256 limit is {limit / 1e6:.2f} M/s, samkoer reaches {samkoer / limit:.0%} of it")
print(f"samkoer_ns_per_item={1e9 / samkoer:.1f}")
PY
samkoer_ns=$(python3 -c "print(1e9 / $samkoer_rate)")

echo "== the match, 10 million records (bench/match.sh)"
PATH="$PWD/$venv/bin:$PATH" RUNS="${RUNS:-3}" bench/match.sh

echo "== other linkage approaches, per item"
pin "$venv/bin/python" bench/peers.py "$samkoer_ns" 20000
