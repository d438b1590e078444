// Every step of the WebAssembly package in Node, in the file-free form, on a synthetic
// municipality: publish, match, review, verdicts, selection, the one-citizen check, consent issue,
// verify and withdraw, disclose, open — one audit log held in memory throughout. The keys and the
// exports are made by the `samkoer` command line (target/release/samkoer), which then checks what
// the browser steps made: it verifies their audit log and opens their bundles.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import test from "node:test";

const require = createRequire(import.meta.url);
const samkoer = require("../pkg-node/samkoer_wasm.js");
const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "target/release/samkoer");
const SECTORS = ["employment", "adult-social", "children-family", "health-elderly", "school-daycare"];
const DATE = new Date().toISOString().slice(0, 10);
const CRITERIA = 'format = "samkoer-criteria"\nversion = 1\n[person]\nmin_sectors = 2\nmin_services = 3\n[family]\nrequire_child_and_adult = true\nmin_sectors = 3\n';

/** A folder with keys of every kind and a synthetic municipality, made by the command line. */
function town() {
  assert.ok(existsSync(cli), "build the command line first: cargo build --release -p samkoer-cli");
  const dir = mkdtempSync(join(tmpdir(), "samkoer-wasm-"));
  const run = (...args) => execFileSync(cli, args, { cwd: dir, encoding: "utf8" });
  run("synth", "--people", "3000", "--seed", "3", "--reference-date", DATE, "--out-dir", "town");
  run("keygen", "master", "--municipality", "219", "--out", "master.key");
  run("keygen", "run", "--master", "master.key", "--run", "2026-11", "--reference-date", DATE, "--out", "run.key");
  for (const s of SECTORS) run("keygen", "sealing", "--municipality", "219", "--sector", s, "--out", `${s}.key`);
  for (const s of SECTORS) run("keygen", "public", "--key", `${s}.key`, "--out", `${s}-public.key`);
  run("keygen", "consent-registry", "--municipality", "219", "--out", "registry.key");
  run("keygen", "public", "--key", "registry.key", "--out", "registry-public.key");
  run("keygen", "subject", "--registry-key", "registry.key", "--out", "subject.key");
  run("keygen", "matcher", "--municipality", "219", "--out", "matcher.key");
  run("keygen", "plan-team", "--municipality", "219", "--out", "plan-team.key");
  run("keygen", "public", "--key", "plan-team.key", "--out", "plan-team-public.key");
  const text = (name) => readFileSync(join(dir, name), "utf8");
  const bytes = (name) => new Uint8Array(readFileSync(join(dir, name)));
  return { dir, run, text, bytes };
}

/** A caseworker's verdicts: every row suitable. */
const filled = (csv) => csv.trimEnd().split("\n").map((line, i) => (i === 0 ? line : line.replace(/,$/, "suitable,"))).join("\n") + "\n";

test("every step runs in the file-free form, logs its entry, and the command line reads what it made", () => {
  const t = town();
  const log = new samkoer.AuditLog();
  const runKey = samkoer.RunKey.fromKeyFile(t.text("run.key"));
  assert.equal(runKey.referenceDate, DATE, "the run key carries the run's reference date");
  const sealing = Object.fromEntries(SECTORS.map((s) => [s, samkoer.SealingKey.fromKeyFile(t.text(`${s}.key`))]));

  // Publish every sector; the accounting balances and holds no CPR number.
  const publications = SECTORS.map((s) => {
    const published = samkoer.publish(runKey, sealing[s], t.bytes(`town/export-${s}.csv`), `export-${s}.csv`, undefined, undefined, undefined, log);
    const report = JSON.parse(published.report);
    assert.equal(report.export.rows, report.export.published + report.export.excluded + report.export.rejected);
    return published.publication;
  });

  // Match; the flag files go to their sectors.
  const matcher = samkoer.MatcherKey.fromKeyFile(t.text("matcher.key"));
  const match = samkoer.matchPublications(matcher, publications, SECTORS.map((s) => `${s}.pub`), CRITERIA, log);
  const result = JSON.parse(match.resultJson());
  assert.ok(result.candidates.length > 0);
  assert.deepEqual(match.flagSectors(), SECTORS);

  // Review, verdicts, selection.
  const verdicts = [];
  let chosen;
  for (const s of SECTORS) {
    const flag = match.flagFile(s);
    const reviewed = samkoer.review(flag, `${s}.flag`, sealing[s], log);
    const rows = JSON.parse(reviewed.json);
    assert.equal(rows.length, reviewed.csv.trimEnd().split("\n").length - 1);
    chosen ??= rows[0] && { sector: s, cpr: rows[0].cpr };
    verdicts.push(new TextEncoder().encode(samkoer.verdict(flag, `${s}.flag`, sealing[s], new TextEncoder().encode(filled(reviewed.csv)), log)));
  }
  const selection = JSON.parse(samkoer.select(matcher, new TextEncoder().encode(match.resultJson()), verdicts, SECTORS.map((s) => `${s}.verdicts.json`), log));
  assert.equal(selection.selected.length, result.candidates.filter((c) => !c.deferred).length);

  // The one-citizen check, asked by a CPR number typed in, signed with the sector's key.
  const request = samkoer.askCheck(runKey, sealing[chosen.sector], `${chosen.cpr}\n`, log);
  assert.ok(!request.includes(chosen.cpr.replace("-", "")), "the request names no CPR number");
  const answer = samkoer.answerCheck(matcher, match.checkIndex(), new TextEncoder().encode(request), log);
  assert.equal(JSON.parse(answer).answers[0].answer, "candidate");
  assert.equal(samkoer.readCheck(runKey, sealing[chosen.sector], chosen.cpr, new TextEncoder().encode(answer), log), `cpr;answer\n${chosen.cpr};candidate\n`);
  // Asked in another sector's name, it is refused.
  const other_sector = SECTORS.find((s) => s !== chosen.sector);
  const forged = request.replace(`"${chosen.sector}"`, `"${other_sector}"`);
  assert.throws(() => samkoer.answerCheck(matcher, match.checkIndex(), new TextEncoder().encode(forged), log), (e) => e.rule === "check-signature");

  // Consent for that citizen in their sector; verified, disclosed, opened; withdrawn.
  const registry = samkoer.ConsentRegistryKey.fromKeyFile(t.text("registry.key"));
  const registryPublic = samkoer.ConsentRegistryPublicKey.fromKeyFile(t.text("registry-public.key"));
  const subject = samkoer.SubjectKey.fromKeyFile(t.text("subject.key"));
  const planTeam = samkoer.PlanTeamKey.fromKeyFile(t.text("plan-team.key"));
  const planTeamPublic = samkoer.PlanTeamPublicKey.fromKeyFile(t.text("plan-team-public.key"));
  const now = Date.now();
  const year = 365 * 24 * 3600 * 1000;
  const receipt = samkoer.consentIssue(registry, subject, chosen.cpr, [chosen.sector], now - 1000, now + year, now, log);
  assert.throws(() => samkoer.consentVerify(registryPublic, receipt, undefined, 24, sealing[chosen.sector], now, log), (e) => e.rule === "consent-state-missing" && e.code === 1214);
  const state1 = samkoer.consentState(registry, undefined, [], now, log);
  assert.match(samkoer.consentVerify(registryPublic, receipt, state1, 24, sealing[chosen.sector], now, log), /^[0-9a-f]{32}$/);
  const other = SECTORS.find((s) => s !== chosen.sector);
  assert.throws(() => samkoer.consentVerify(registryPublic, receipt, state1, 24, sealing[other], now, log), (e) => e.rule === "consent-scope" && e.code === 1205 && e.form === "input" && e.remedy.length > 0);
  const bundle = samkoer.disclose(registryPublic, subject, sealing[chosen.sector], planTeamPublic, receipt, state1, 24, t.bytes(`town/export-${chosen.sector}.csv`), "export.csv", now, DATE, log);
  // On a date before any service began, nothing is ongoing, so nothing is released.
  assert.throws(
    () => samkoer.disclose(registryPublic, subject, sealing[chosen.sector], planTeamPublic, receipt, state1, 24, t.bytes(`town/export-${chosen.sector}.csv`), "export.csv", now, "1990-01-01", log),
    (e) => e.rule === "consent-other-person",
  );
  const sectorPublic = t.text(`${chosen.sector}-public.key`);
  const otherPublic = t.text(`${other}-public.key`);
  assert.throws(() => samkoer.openBundles(planTeam, registryPublic, receipt, [otherPublic], [bundle], ["b.bundle"], log), (e) => e.rule === "disclosure-signature" && e.code === 1218);
  const opened = JSON.parse(samkoer.openBundles(planTeam, registryPublic, receipt, [sectorPublic], [bundle], ["b.bundle"], log));
  assert.equal(opened.format, "samkoer-opened");
  assert.deepEqual(opened.consented, [chosen.sector]);
  assert.ok(opened.disclosures[0].services.length > 0);
  // Withdrawn: only the registry is told; its next consent state stops the sector, and the
  // old state, handed on again, is refused as older than the one the log shows used.
  const withdrawal = samkoer.consentWithdraw(registry, receipt, now - 500, log);
  const state2 = samkoer.consentState(registry, state1, [withdrawal], now, log);
  const late = (state, at = now) => samkoer.disclose(registryPublic, subject, sealing[chosen.sector], planTeamPublic, receipt, state, 24, t.bytes(`town/export-${chosen.sector}.csv`), "export.csv", at, undefined, log);
  assert.throws(() => late(state2), (e) => e.rule === "consent-withdrawn");
  assert.throws(() => late(state1), (e) => e.rule === "consent-state-older");
  assert.throws(() => late(state2, now + 25 * 3600 * 1000), (e) => e.rule === "consent-state-stale");

  // The log verifies here and through the command line, and names every step and refusal.
  const head = samkoer.auditVerify(log.bytes, "audit.log");
  // Every entry is signed by its party; held to one party's key, the others' entries are refused.
  assert.throws(() => samkoer.auditVerify(log.bytes, "audit.log", undefined, t.text("employment.key")), (e) => e.rule === "audit-signer");
  const entries = new TextDecoder().decode(log.bytes).trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(head.split(":")[0], String(entries.length));
  const said = entries.map((e) => `${e.action}:${e.outcome}`);
  for (const step of ["publish:done", "match:done", "review:done", "verdict:done", "select:done", "check-request:done", "check:done", "consent:done", "verify-consent:done", "verify-consent:consent-scope", "disclose:done", "open:done", "withdraw:done", "consent-state:done", "verify-consent:consent-state-missing", "disclose:consent-withdrawn", "disclose:consent-state-older", "disclose:consent-state-stale"]) {
    assert.ok(said.includes(step), step);
  }
  assert.ok(!new TextDecoder().decode(log.bytes).includes(chosen.cpr.replace("-", "")), "no CPR in the log");
  writeFileSync(join(t.dir, "browser.log"), log.bytes);
  writeFileSync(join(t.dir, "b.bundle"), bundle);
  assert.match(t.run("audit", "verify", "browser.log"), new RegExp(`head ${head}`));
  writeFileSync(join(t.dir, "receipt.bin"), receipt);
  // The log is cross-checked against the files its parties handed on: the bundle names the
  // sector's log head, which the log holds; the same log cut back to nothing does not.
  assert.equal(samkoer.auditVerify(log.bytes, "audit.log", undefined, undefined, [bundle, receipt], ["b.bundle", "receipt.bin"]), head);
  assert.throws(() => samkoer.auditVerify(new Uint8Array(), "audit.log", undefined, undefined, [bundle], ["b.bundle"]), (e) => e.rule === "audit-evidence");
  const fromCli = JSON.parse(t.run("open", "--plan-team-key", "plan-team.key", "--registry-public", "registry-public.key", "--receipt", "receipt.bin", "--sector-public", `${chosen.sector}-public.key`, "b.bundle"));
  assert.deepEqual(fromCli.disclosures, opened.disclosures);
});

test("the rules table is the vector's, and a log that does not verify is refused", () => {
  const vector = JSON.parse(readFileSync(new URL("../../tests/vectors/rules.json", import.meta.url), "utf8"));
  const rules = JSON.parse(samkoer.rules());
  assert.deepEqual(rules.map((r) => [r.code, r.name, r.form]), vector.rules.map((r) => [r.code, r.name, r.form]));
  assert.throws(() => new samkoer.AuditLog(new TextEncoder().encode("not a log\n")), (e) => e.rule === "audit-entry" && e.line === 1);
  assert.throws(() => samkoer.auditVerify(new Uint8Array(), "audit.log", "3:zz"), (e) => e.rule === "audit-head");
  const none = samkoer.AuditLog.none();
  assert.equal(none.bytes.length, 0);
});
