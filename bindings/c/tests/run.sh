#!/usr/bin/env bash
# Builds the C library, checks the committed header is current, compiles the C test program and
# the example programs against the static library, runs the test program on the shared vectors
# and then every party's steps through the example programs on a synthetic municipality, all
# under valgrind, so that a leak or an invalid access fails it.
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v cbindgen >/dev/null || cargo install --quiet --locked cbindgen
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
cargo build --release --quiet -p samkoer-c -p samkoer-cli
cbindgen --quiet --config bindings/c/cbindgen.toml --crate samkoer-c --output target/samkoer.h.generated
diff -u bindings/c/include/samkoer.h target/samkoer.h.generated || {
  echo "bindings/c/include/samkoer.h is stale: regenerate it with cbindgen (see bindings/c/README.md)" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build() {
  gcc -std=c11 -Wall -Wextra -Werror -O1 -g -Ibindings/c/include -Ibindings/c/examples "$1" \
    target/release/libsamkoer.a -lpthread -ldl -lm -o "$2"
}
build bindings/c/tests/test_samkoer.c "$work/test_samkoer"
for example in sector central parties; do build "bindings/c/examples/$example.c" "$work/$example"; done
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
vectors = os.path.join("tests", "vectors")
key_files = json.load(open(os.path.join(vectors, "key_files.json")))["cases"]
for kind in ("run", "sealing"):
    text = next(c["text"] for c in key_files if c["kind"] == kind and "expect" not in c)
    path = os.path.join(work, f"{kind}.key")
    open(path, "w").write(text)
    os.chmod(path, 0o600)
run = json.load(open(os.path.join(vectors, "pseudonyms.json")))["runs"][0]
with open(os.path.join(work, "vectors.txt"), "w") as out:
    for case in run["cases"]:
        out.write(f"{case['cpr']} {case['pseudonym']}\n")
with open(os.path.join(work, "rules.txt"), "w") as out:
    for rule in json.load(open(os.path.join(vectors, "rules.json")))["rules"]:
        out.write(f"{rule['code']} {rule['name']} {rule['form']}\n")
open(os.path.join(work, "export.csv"), "w").write(
    "cpr;service;status;start;end;caseworker;case_ref;goal\n"
    "010190-1234;ADS-SOCIO-PED;active;2025-01-15;;Mette Hansen;A-1;Bolig\n"
    "0101901234;ADS-CONTACT-PERSON;active;2025-03-01;;Mette Hansen;A-2;Netvaerk\n"
    "0202024321;ADS-SOCIO-PED;active;2025-01-15;;Lars Nielsen;A-3;Bolig\n"
    "0202024321;X-TRANSPORT;active;2025-01-15;;;;\n"
    "3112999999;ADS-SOCIO-PED;ended;2024-01-15;2024-06-30;;;\n"
    "01019O1234;ADS-SOCIO-PED;active;2025-01-15;;;;\n")
open(os.path.join(work, "criteria.toml"), "w").write('format = "samkoer-criteria"\nversion = 1\n[person]\nmin_services = 2\n')
PY
# The README's example compiles as it stands.
python3 -c "import re, sys; print(re.findall(r'\`\`\`c\n(.*?)\`\`\`', open('bindings/c/README.md').read(), re.S)[0])" > "$work/example.c"
gcc -std=c11 -Wall -Wextra -Werror -Ibindings/c/include "$work/example.c" target/release/libsamkoer.a -lpthread -ldl -lm -o "$work/example"

grind() { valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite "$@"; }
grind "$work/test_samkoer" "$work/run.key" "$work/sealing.key" "$work/export.csv" "$work/criteria.toml" "$work" "$work/rules.txt" \
  < "$work/vectors.txt"

# Every party's run through the example programs, under valgrind, into one audit log each.
samkoer=$PWD/target/release/samkoer
(
  cd "$work"
  mkdir flow && cd flow
  "$samkoer" synth --people 400 --seed 9 --reference-date 2026-11-01 --out-dir town >/dev/null
  grind ../parties master 219 master.key custodian.log
  grind ../parties run master.key 2026-11 2026-11-01 run.key custodian.log
  grind ../parties key consent-registry 219 registry.key registry.log
  grind ../parties public registry.key registry-public.key registry.log
  grind ../parties subject registry.key subject.key registry.log
  grind ../parties key matcher 219 matcher.key central.log
  grind ../parties key plan-team 219 plan-team.key plan-team.log
  grind ../parties public plan-team.key plan-team-public.key plan-team.log
  sectors="employment adult-social children-family health-elderly school-daycare"
  for s in $sectors; do
    grind ../sector keygen 219 "$s" "$s.key" "$s.log"
    relations=-
    [ "$s" = children-family ] && relations=town/relations.csv
    grind ../sector publish run.key "$s.key" "town/export-$s.csv" "$relations" "$s.pub" "$s.log"
  done
  printf 'format = "samkoer-criteria"\nversion = 1\n[person]\nmin_sectors = 2\n' > criteria.toml
  grind ../central match matcher.key criteria.toml match central.log $(for s in $sectors; do echo "$s.pub"; done)
  for s in $sectors; do
    grind ../sector review "$s.key" "match/flags/$s.flag" "$s.worklist.csv" "$s.log"
    # The caseworkers find every candidate suitable.
    python3 -c "import sys; rows = open(sys.argv[1]).read().splitlines(); open(sys.argv[2], 'w').write('\n'.join([rows[0]] + [r[:-1] + 'suitable,' for r in rows[1:]]) + '\n')" "$s.worklist.csv" "$s.filled.csv"
    grind ../sector verdict "$s.key" "match/flags/$s.flag" "$s.filled.csv" "$s.verdicts.json" "$s.log"
  done
  grind ../central select matcher.key match/result.json selection.json central.log $(for s in $sectors; do echo "$s.verdicts.json"; done)
  grind ../central statistics match | head -3
  # A selected citizen of employment's list: asked about, consented, verified, disclosed, opened.
  python3 -c "import csv; print(next(csv.DictReader(open('employment.worklist.csv')))['cpr'])" > person.txt
  grind ../sector ask run.key employment.key person.txt request.json employment.log
  grind ../central answer matcher.key match/check-index request.json answer.json central.log | grep -q '^1 citizens answered'
  grind ../sector read-check run.key employment.key person.txt answer.json check.csv employment.log | grep -q '^1 candidates'
  # Another sector cannot ask in employment's name: the request is signed with its own key.
  grind ../sector ask run.key adult-social.key person.txt forged.json adult-social.log
  sed 's/"adult-social"/"employment"/' forged.json > forged-renamed.json
  if ../central answer matcher.key match/check-index forged-renamed.json forged-answer.json central.log 2>refusal.txt; then exit 1; fi
  grep -q "check-signature" refusal.txt
  grind ../parties issue registry.key subject.key person.txt receipt.bin registry.log employment
  grind ../parties state registry.key - state-1.bin registry.log
  grind ../sector verify registry-public.key receipt.bin state-1.bin employment.key employment.log
  if ../sector verify registry-public.key receipt.bin state-1.bin adult-social.key adult-social.log 2>refusal.txt; then exit 1; fi
  grep -q "consent-scope" refusal.txt
  grind ../sector disclose registry-public.key subject.key employment.key plan-team-public.key receipt.bin state-1.bin town/export-employment.csv - employment.bundle employment.log
  grind ../parties public employment.key employment-public.key employment.log
  grind ../parties public adult-social.key adult-social-public.key adult-social.log
  # Checked against another sector's key, the bundle is not employment's: refused.
  if ../parties open plan-team.key registry-public.key receipt.bin opened.json plan-team.log adult-social-public.key -- employment.bundle 2>refusal.txt; then exit 1; fi
  grep -q "disclosure-signature" refusal.txt
  grind ../parties open plan-team.key registry-public.key receipt.bin opened.json plan-team.log employment-public.key -- employment.bundle
  # Withdrawn: only the registry is told; its next consent state stops the sector, and the old
  # state, handed on again, is refused as older than the one the sector's log shows it used.
  grind ../parties withdraw registry.key receipt.bin withdrawal.bin registry.log
  grind ../parties state registry.key state-1.bin state-2.bin registry.log withdrawal.bin
  if ../sector verify registry-public.key receipt.bin state-2.bin employment.key employment.log 2>refusal.txt; then exit 1; fi
  grep -q "consent-withdrawn" refusal.txt
  if ../sector verify registry-public.key receipt.bin state-1.bin employment.key employment.log 2>refusal.txt; then exit 1; fi
  grep -q "consent-state-older" refusal.txt
  for log in custodian registry plan-team central; do grind ../central verify "$log.log" >/dev/null; done
  grind ../central verify registry.log - registry.key >/dev/null
  grind ../central verify central.log - matcher.key >/dev/null
  # Each sector's log, signed by its key, still holds the entry its publication names.
  for s in $sectors; do grind ../central verify "$s.log" - "$s.key" "$s.pub" >/dev/null; done
  if ../central verify employment.log - adult-social.key 2>refusal.txt; then exit 1; fi
  grep -q "audit-signer" refusal.txt
  # The command line reads the same logs, and they name every step.
  "$samkoer" audit verify central.log >/dev/null
  grep -q '"action":"select"' central.log && grep -q '"action":"disclose"' employment.log
  grep -q '"outcome":"consent-scope"' adult-social.log
) > "$work/flow.out" 2>&1 || { cat "$work/flow.out"; echo "the example programs' flow failed" >&2; exit 1; }
echo "the C test program and every party's steps through the example programs pass under valgrind"
