#!/usr/bin/env bash
# Cross-language conformance: the shared vectors in Rust, Python, C (and WASM once it is built);
# a cross test: one sector publishes through Python, one through C, the rest through the Rust
# CLI, and the Rust CLI matches them all; the statistics and candidates must equal those of the
# same exports published all through Rust; and parity (parity.py): the whole flow through the
# CLI, through Python and through C, compared step by step.
# Needs: the Python package installed in target/pyenv (scripts/test-all does that).
set -euo pipefail
cd "$(dirname "$0")/../.."
python=target/pyenv/bin/python
passed=0
failed=0
result() { if [ "$1" = 0 ]; then passed=$((passed + 1)); echo "ok: $2"; else failed=$((failed + 1)); echo "FAILED: $2"; fi; }

work_log=$(mktemp)
set +e
cargo test --quiet -p samkoer-core --test vectors >/dev/null 2>&1; result $? "Rust: the vectors are current and open"
"$python" -m pytest -q bindings/python/tests/test_vectors.py >/dev/null 2>&1; result $? "Python: the shared vectors"
# An independent reading of the spec: tests/conformance/reference.py recomputes the vectors from
# docs/spec.md alone (standard library and `cryptography`), not through the Rust core.
"$python" tests/conformance/reference.py >"$work_log" 2>&1; result $? "Python reference from the spec alone: $(grep -c '^ok:' "$work_log") families agree, $(grep -c '^skipped:' "$work_log") skipped"
grep '^FAIL' "$work_log" || true
bindings/c/tests/run.sh >/dev/null 2>&1; result $? "C: the shared vectors, under valgrind"
if [ -f wasm/pkg/package.json ]; then
  node --test wasm/tests/vectors.mjs >/dev/null 2>&1; result $? "WASM: the shared vectors (Node)"
else
  echo "WASM: no package built yet (wasm/pkg); nothing to check"
fi
set -e

cargo build --release --quiet -p samkoer-cli -p samkoer-c
samkoer=target/release/samkoer
work=$(mktemp -d)
trap 'rm -rf "$work" "$work_log"' EXIT
for example in sector central parties; do
  gcc -std=c11 -Wall -Werror -Ibindings/c/include -Ibindings/c/examples "bindings/c/examples/$example.c" \
    target/release/libsamkoer.a -lpthread -ldl -lm -o "$work/$example"
done
set +e
(
  set -e
  cd "$work"
  "$OLDPWD/$samkoer" synth --people 4000 --seed 11 --reference-date 2026-11-01 --out-dir town >/dev/null
  "$OLDPWD/$samkoer" keygen master --municipality 219 --out master.key >/dev/null
  "$OLDPWD/$samkoer" keygen run --master master.key --run 2026-11 --reference-date 2026-11-01 --out run.key >/dev/null
  printf 'format = "samkoer-criteria"\nversion = 1\n[person]\nmin_sectors = 2\nmin_services = 3\n[family]\nrequire_child_and_adult = true\nmin_sectors = 3\n' > criteria.toml
  mkdir rust mixed
  for sector in employment adult-social children-family health-elderly school-daycare; do
    "$OLDPWD/$samkoer" keygen sealing --municipality 219 --sector "$sector" --out "$sector.key" >/dev/null
    relations=-
    [ "$sector" = children-family ] && relations=town/relations.csv
    rust_args=(publish --run-key run.key --sealing-key "$sector.key" --export "town/export-$sector.csv" --out "rust/$sector.pub")
    [ "$relations" != - ] && rust_args+=(--relations "$relations")
    "$OLDPWD/$samkoer" "${rust_args[@]}" >/dev/null
    case "$sector" in
      employment)
        "$OLDPWD/$python" - "$sector" <<'PY'
import sys, samkoer
sector = sys.argv[1]
report = samkoer.publish(samkoer.RunKey.from_file("run.key"), samkoer.SealingKey.from_file(f"{sector}.key"),
                         f"town/export-{sector}.csv", f"mixed/{sector}.pub")
print(f"published {report['export']['published']} rows through Python")
PY
        ;;
      children-family)
        ./sector publish run.key "$sector.key" "town/export-$sector.csv" "$relations" "mixed/$sector.pub" c.log ;;
      *)
        cp "rust/$sector.pub" "mixed/$sector.pub" ;;
    esac
  done
  "$OLDPWD/$samkoer" keygen matcher --municipality 219 --out matcher.key >/dev/null
  "$OLDPWD/$samkoer" match --matcher-key matcher.key --criteria criteria.toml --out-dir rust-match rust/*.pub >/dev/null
  "$OLDPWD/$samkoer" match --matcher-key matcher.key --criteria criteria.toml --out-dir mixed-match mixed/*.pub >/dev/null
) > "$work/cross.log" 2>&1
status=$?
set -e
cat "$work/cross.log" | sed 's/^/  /'
if [ $status = 0 ] && cmp -s "$work/rust-match/statistics.json" "$work/mixed-match/statistics.json"; then
  rust_candidates=$("$python" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['candidates']))" "$work/rust-match/result.json")
  mixed_candidates=$("$python" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['candidates']))" "$work/mixed-match/result.json")
  [ "$rust_candidates" = "$mixed_candidates" ] && [ "$rust_candidates" -gt 0 ]
  result $? "cross: Python + C + Rust publications match like all-Rust ones ($mixed_candidates candidates)"
else
  result 1 "cross: Python + C + Rust publications match like all-Rust ones"
fi
set +e
"$python" tests/conformance/parity.py "$samkoer" "$work" "$work/parity" > "$work/parity.log" 2>&1
status=$?
set -e
sed 's/^/  /' "$work/parity.log"
result $status "parity: the whole flow through the command line, Python and C agrees"
echo "conformance: $passed passed, $failed failed"
[ "$failed" = 0 ]
