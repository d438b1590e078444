#!/usr/bin/env bash
# Pseudonyms per second: the core's batch API against Python's hmac, same inputs, same run.
# Usage: bench/pseudonyms.sh [COUNT]   (default 2,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-2000000}"
cargo build --release -q -p samkoer-core --example pseudonym_rate
rust_out=$(taskset -c 0 target/release/examples/pseudonym_rate "$count" 2>/dev/null || target/release/examples/pseudonym_rate "$count")
python_out=$(taskset -c 0 python3 bench/pseudonyms_python.py "$count" 2>/dev/null || python3 bench/pseudonyms_python.py "$count")
echo "$rust_out"
echo "$python_out"
rust_digest=$(echo "$rust_out" | sed -n 's/^digest of all pseudonyms: //p')
python_digest=$(echo "$python_out" | sed -n 's/^digest of all pseudonyms: //p')
if [ "$rust_digest" != "$python_digest" ]; then
  echo "MISMATCH: the two implementations disagree" >&2
  exit 1
fi
rust_rate=$(echo "$rust_out" | sed -n 's/.*, \([0-9]*\) per second$/\1/p')
python_rate=$(echo "$python_out" | sed -n 's/.*, \([0-9]*\) per second$/\1/p')
python3 -c "print(f'same pseudonyms; samkoer is {$rust_rate / $python_rate:.1f}x Python hmac ({$rust_rate/1e6:.2f} M/s vs {$python_rate/1e6:.2f} M/s, one core)')"
