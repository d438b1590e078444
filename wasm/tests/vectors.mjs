// The shared vectors through the WebAssembly package in Node: the same bytes as Rust.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import test from "node:test";

const require = createRequire(import.meta.url);
const samkoer = require("../pkg-node/samkoer_wasm.js");
const vectors = (name) => JSON.parse(readFileSync(new URL(`../../tests/vectors/${name}`, import.meta.url), "utf8"));
const keyFile = (kind) => vectors("key_files.json").cases.find((c) => c.kind === kind && !("expect" in c)).text;
const hex = (bytes) => Buffer.from(bytes).toString("hex");

test("pseudonyms equal the vectors", () => {
  const key = samkoer.RunKey.fromKeyFile(keyFile("run"));
  const run = vectors("pseudonyms.json").runs.find((r) => r.run === key.run);
  const lines = new TextEncoder().encode(run.cases.map((c) => c.cpr).join("\n"));
  const packed = samkoer.pseudonymiseLines(key, lines);
  assert.equal(packed.length, 32 * run.cases.length);
  run.cases.forEach((c, i) => assert.equal(hex(packed.subarray(32 * i, 32 * i + 32)), c.pseudonym));
});

test("errors are Error objects with a code, rule and line, and no value", () => {
  const key = samkoer.RunKey.fromKeyFile(keyFile("run"));
  assert.throws(
    () => samkoer.pseudonymiseLines(key, new TextEncoder().encode("0101901234\n3202901234")),
    (e) => e instanceof Error && e.code === 103 && e.rule === "cpr-date" && e.line === 2 && !e.message.includes("3202901234"),
  );
  for (const c of vectors("key_files.json").cases.filter((c) => c.kind === "run" && "expect" in c)) {
    assert.throws(() => samkoer.RunKey.fromKeyFile(c.text), (e) => e.rule === c.expect);
  }
});

test("publications read as the vectors say, and every damaged one is refused", () => {
  const data = vectors("publications.json");
  const read = JSON.parse(samkoer.readPublication(Buffer.from(data.bytes, "hex"), "vector.pub"));
  assert.equal(read.header.run_key_fingerprint, data.decoded.header.run_key_fingerprint);
  const services = data.decoded.records.filter((r) => r.type === "service");
  assert.deepEqual(read.services.map((s) => s.pseudonym), services.map((s) => s.pseudonym));
  for (const c of data.negative) {
    assert.throws(() => samkoer.readPublication(Buffer.from(c.bytes, "hex"), "bad.pub"), (e) => e.rule === c.expect, c.case);
  }
});

test("a published export accounts for every row and carries the vector pseudonyms", () => {
  const run = samkoer.RunKey.fromKeyFile(keyFile("run"));
  const sealing = samkoer.SealingKey.fromKeyFile(keyFile("sealing"));
  const csv = [
    "cpr;service;status;start;end;caseworker;case_ref;goal",
    "010190-1234;ADS-SOCIO-PED;active;2025-01-15;;Mette Hansen;A-1;Bolig",
    "0202024321;ADS-SOCIO-PED;active;2025-01-15;;;;",
    "0202024321;X-TRANSPORT;active;2025-01-15;;;;",
    "01019O1234;ADS-SOCIO-PED;active;2025-01-15;;;;",
  ].join("\n");
  const publish = (limit) => samkoer.publish(run, sealing, new TextEncoder().encode(csv), "export.csv", undefined, undefined, limit, samkoer.AuditLog.none());
  // One rejected row of four is 25 %: refused by the default 5 % and by 24 %, published at 25 %.
  for (const limit of [undefined, 24]) {
    assert.throws(() => publish(limit), (e) => e.code === 216 && e.rule === "rejected-limit" && e.message.includes("1 rejected (25 %"));
  }
  const published = publish(25);
  const report = JSON.parse(published.report);
  assert.equal(report.export.encoding, "utf-8");
  assert.deepEqual([report.export.rows, report.export.published, report.export.excluded, report.export.rejected], [4, 2, 1, 1]);
  assert.ok(!published.report.includes("01019O1234") && !published.report.includes("0101901234"));
  const read = JSON.parse(samkoer.readPublication(published.publication, "p.pub"));
  const expected = samkoer.pseudonymiseLines(run, new TextEncoder().encode("0101901234\n0202024321"));
  assert.deepEqual(read.services.map((s) => s.pseudonym), [hex(expected.subarray(0, 32)), hex(expected.subarray(32, 64))]);
  assert.equal(read.header.sector, "adult-social");
});

/** Matches a population's publications (match.json, statistics.json) under a criteria text. */
const matcher = () => samkoer.MatcherKey.fromKeyFile(keyFile("matcher"));
const matchPopulation = (population, criteria) =>
  samkoer.matchPublications(
    matcher(),
    population.publications.map((p) => new Uint8Array(Buffer.from(p.bytes, "hex"))),
    population.publications.map((p) => p.file),
    criteria,
    samkoer.AuditLog.none(),
  );

/** Candidates as a multiset: without the random ids (and the members, which only the vectors name). */
const withoutIds = (candidates) =>
  candidates
    .map(({ id, members, ...rest }) => JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)))))
    .sort();

test("criteria are refused at the line of their first mistake, before any publication is read", () => {
  const population = vectors("match.json").population;
  const data = vectors("criteria.json");
  for (const c of data.valid) matchPopulation(population, c.text);
  for (const c of data.negative) {
    assert.throws(() => matchPopulation(population, c.text), (e) => e.rule === c.expect && e.line === c.line, c.case);
  }
});

test("the match selects the vectors' candidates, ids aside", () => {
  const data = vectors("match.json");
  for (const c of data.cases) {
    const result = JSON.parse(matchPopulation(data.population, c.criteria).resultJson());
    assert.deepEqual([result.persons, result.families], [c.result.persons, c.result.families], c.case);
    assert.deepEqual(withoutIds(result.candidates), withoutIds(c.result.candidates), c.case);
  }
});

test("statistics are suppressed cell for cell as the vectors say", () => {
  for (const c of vectors("statistics.json").cases) {
    const match = matchPopulation(c.population, c.criteria);
    assert.deepEqual(JSON.parse(match.statisticsJson()), c.statistics, c.case);
    assert.equal(match.statisticsCsv(), c.csv, c.case);
  }
});

// This package reads UTF-8 only (no `windows-1252` feature): what is Windows-1252 is refused.
const isUtf8 = (bytes) => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};
const fromHex = (text) => new Uint8Array(Buffer.from(text, "hex"));
const saysWindows1252 = (mapping) => /windows-1252|cp1252/i.test(mapping);

test("a reviewed flag file gives the work list's bytes; each saved form of it filled in, the one verdict file", () => {
  const data = vectors("work_lists.json");
  const key = samkoer.SealingKey.fromKeyFile(data.sealing_key_file);
  const flag = fromHex(data.flag_file);
  const reviewed = samkoer.review(flag, "adult-social.flag", key, samkoer.AuditLog.none());
  assert.equal(reviewed.csv, data.work_list);
  assert.deepEqual(JSON.parse(reviewed.json), data.work_list_json);
  for (const c of data.filled) {
    const verdict = () => samkoer.verdict(flag, "adult-social.flag", key, fromHex(c.bytes), samkoer.AuditLog.none());
    if (c.without_windows_1252) {
      assert.throws(verdict, (e) => e.rule === c.without_windows_1252.expect && e.line === c.without_windows_1252.line, c.case);
    } else {
      assert.equal(verdict(), data.verdicts, c.case);
    }
  }
  for (const c of data.negative.filter((c) => isUtf8(fromHex(c.bytes)))) {
    assert.throws(
      () => samkoer.verdict(flag, "adult-social.flag", key, fromHex(c.bytes), samkoer.AuditLog.none()),
      (e) => e.rule === c.expect && e.line === c.line,
      c.case,
    );
  }
});

test("the selection is the vectors', byte for byte, and each bad verdict file is refused", () => {
  const data = vectors("selection.json");
  const select = (files) =>
    samkoer.select(
      samkoer.MatcherKey.fromKeyFile(data.matcher_key_file),
      new TextEncoder().encode(data.match_result),
      files.map((f) => new TextEncoder().encode(f.text)),
      files.map((f) => f.file),
      samkoer.AuditLog.none(),
    );
  assert.equal(select(data.verdicts), data.selection);
  for (const c of data.negative) {
    assert.throws(() => select([...data.verdicts, ...c.before, c]), (e) => e.rule === c.expect && e.line === c.line, c.case);
  }
});

/** Publishes an export's bytes under a mapping's text (undefined for none), with no rejected limit. */
const publishWith = (sealingKeyFile, export_, mapping) =>
  samkoer.publish(
    samkoer.RunKey.fromKeyFile(keyFile("run")),
    samkoer.SealingKey.fromKeyFile(sealingKeyFile),
    export_,
    "export.csv",
    mapping || undefined,
    undefined,
    100,
    samkoer.AuditLog.none(),
  );

const checkPublished = (c, published) => {
  assert.deepEqual(JSON.parse(published.report).export, c.accounting, c.case);
  const read = JSON.parse(samkoer.readPublication(published.publication, "out.pub"));
  assert.deepEqual(read.services.map((s) => [s.pseudonym, s.service]), c.records.map((r) => [r.pseudonym, r.service]), c.case);
};

test("mappings read exports as the vectors say; bad mappings are refused at their line", () => {
  const data = vectors("mappings.json");
  const keyOf = (sector) => data.sealing_keys.find((k) => k.sector === sector).key_file;
  for (const c of data.cases) {
    const publish = () => publishWith(keyOf(c.sector), fromHex(c.export), c.mapping);
    if (saysWindows1252(c.mapping)) {
      assert.throws(publish, (e) => e.rule === "encoding" && e.line === 0, c.case);
    } else {
      checkPublished(c, publish());
    }
  }
  for (const c of data.negative) {
    assert.throws(
      () => publishWith(keyOf("employment"), new TextEncoder().encode("cpr;service;status;start\n"), c.mapping),
      (e) => e.rule === c.expect && e.line === c.line,
      c.case,
    );
  }
  for (const c of data.header_faults) {
    const [rule, line] = saysWindows1252(c.mapping) ? ["encoding", 0] : [c.expect, c.line];
    assert.throws(() => publishWith(keyOf(c.sector), fromHex(c.export), c.mapping), (e) => e.rule === rule && e.line === line, c.case);
  }
});

test("exports in UTF-8 with and without a byte-order mark read as the vectors say; UTF-16 is refused", () => {
  const data = vectors("encodings.json");
  for (const c of data.cases.filter((c) => c.accounting.encoding !== "windows-1252")) {
    checkPublished(c, publishWith(data.sealing_key_file, fromHex(c.export), undefined));
  }
  for (const c of data.negative) {
    const [rule, line] = saysWindows1252(c.mapping) ? ["encoding", 0] : [c.expect, c.line];
    assert.throws(() => publishWith(data.sealing_key_file, fromHex(c.export), c.mapping), (e) => e.rule === rule && e.line === line, c.case);
  }
});
