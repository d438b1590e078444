// The two browser tools end to end in headless Chromium (Debian's, driven by playwright-core):
// the export tool's publication matches in the Rust CLI exactly as the CLI's own would (same
// pseudonyms), no network request is made after load, and the dashboard runs the match and
// draws its charts; a screenshot of it is kept in wasm/tests/artifacts/.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import test from "node:test";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const samkoer = require("../pkg-node/samkoer_wasm.js");
const root = new URL("../..", import.meta.url).pathname;
const www = join(root, "wasm/www");
const cli = join(root, "target/release/samkoer");
const SECTORS = ["employment", "adult-social", "children-family", "health-elderly", "school-daycare"];

function run(args, cwd) {
  const result = spawnSync(cli, args, { cwd, encoding: "utf8" });
  assert.equal(result.status, 0, `samkoer ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** A synthetic municipality, keys, and every sector's publication by the CLI. */
function fixtures() {
  if (!existsSync(cli)) spawnSync("cargo", ["build", "--release", "-q", "-p", "samkoer-cli"], { cwd: root, stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "samkoer-browser-"));
  run(["synth", "--people", "3000", "--seed", "3", "--reference-date", "2026-11-01", "--out-dir", "town"], dir);
  run(["keygen", "master", "--municipality", "219", "--out", "master.key"], dir);
  run(["keygen", "run", "--master", "master.key", "--run", "2026-11", "--reference-date", "2026-11-01", "--out", "run.key"], dir);
  run(["keygen", "matcher", "--municipality", "219", "--out", "matcher.key"], dir);
  for (const sector of SECTORS) {
    run(["keygen", "sealing", "--municipality", "219", "--sector", sector, "--out", `${sector}.key`], dir);
    const relations = sector === "children-family" ? ["--relations", "town/relations.csv"] : [];
    run(["publish", "--run-key", "run.key", "--sealing-key", `${sector}.key`, "--export", `town/export-${sector}.csv`, "--out", `${sector}.pub`, ...relations], dir);
  }
  const criteria = 'format = "samkoer-criteria"\nversion = 1\n[person]\nmin_sectors = 2\nmin_services = 3\n[defer]\nmajor_change = true\n[family]\nrequire_child_and_adult = true\nmin_sectors = 3\n';
  spawnSync("sh", ["-c", `printf '%s' '${criteria}' > criteria.toml`], { cwd: dir });
  return dir;
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".ts": "text/plain" };

function serve() {
  const server = createServer((request, response) => {
    const path = join(www, decodeURIComponent(new URL(request.url, "http://x").pathname));
    if (!path.startsWith(www) || !existsSync(path)) return response.writeHead(404).end();
    response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function browser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Opens a page and records every request it makes after loading. */
async function open(context, url) {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "networkidle" });
  const requests = [];
  // The context sees the requests of the page and of its workers.
  context.on("request", (r) => { if (/^https?:/.test(r.url())) requests.push(r.url()); });
  return { page, requests };
}

const pseudonyms = (bytes) => JSON.parse(samkoer.readPublication(bytes, "p")).services.map((s) => `${s.pseudonym} ${s.service}`);

test("the export tool and the dashboard, in Chromium", async () => {
  const dir = fixtures();
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const chrome = await browser();
  try {
    const context = await chrome.newContext({ acceptDownloads: true });

    // Export tool: tokenise one sector's export locally.
    const exporter = await open(context, `${base}/export.html`);
    const page = exporter.page;
    assert.match(await page.textContent("#local"), /Nothing is uploaded anywhere/);
    await page.setInputFiles("#run-key", join(dir, "run.key"));
    await page.setInputFiles("#sealing-key", join(dir, "employment.key"));
    await page.setInputFiles("#export", join(dir, "town/export-employment.csv"));
    await page.click("#tokenise");
    await page.waitForSelector("#result:not([hidden])");
    // The worker reported its progress through the export as it went.
    assert.ok(Number(await page.getAttribute("#progress", "data-reports")) >= 10, "progress was reported");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Download employment.pub")]);
    const saved = join(dir, "browser-employment.pub");
    await download.saveAs(saved);
    assert.ok(Number(await page.locator("#rejected tr").count()) >= 0);
    // A Windows-1252 export, transcoded by the browser.
    const latin = join(dir, "latin1.csv");
    writeFileSync(latin, Buffer.from("cpr;service;status;start;caseworker\n0101901234;EMP-MENTOR;active;2025-01-15;Søren Ærø\n", "latin1"));
    await page.setInputFiles("#export", latin);
    await page.selectOption("#encoding", "windows-1252");
    await page.click("#tokenise");
    await page.waitForSelector("#result:not([hidden])");
    assert.match(await page.textContent("#accounting"), /published1/);
    assert.equal(await page.locator("#rejected tr").count(), 0);
    // A swapped key file: the worker's error reaches the page with its rule.
    await page.setInputFiles("#run-key", join(dir, "employment.key"));
    await page.click("#tokenise");
    await page.waitForFunction(() => document.getElementById("error").textContent !== "");
    assert.match(await page.textContent("#error"), /key/i);
    assert.ok(await page.isHidden("#result"));
    assert.deepEqual(exporter.requests, [], "no network request after the page loaded");

    // The browser's publication: the CLI's pseudonyms and services, and it matches in the CLI.
    const browserBytes = readFileSync(saved);
    assert.deepEqual(pseudonyms(browserBytes), pseudonyms(readFileSync(join(dir, "employment.pub"))));
    const others = SECTORS.slice(1).map((s) => `${s}.pub`);
    run(["match", "--matcher-key", "matcher.key", "--criteria", "criteria.toml", "--out-dir", "m-cli", "employment.pub", ...others], dir);
    run(["match", "--matcher-key", "matcher.key", "--criteria", "criteria.toml", "--out-dir", "m-browser", "browser-employment.pub", ...others], dir);
    assert.equal(readFileSync(join(dir, "m-browser/statistics.json"), "utf8"), readFileSync(join(dir, "m-cli/statistics.json"), "utf8"));

    // Dashboard: the match in the browser, its charts, a flag file the CLI can review.
    const dashboard = await open(context, `${base}/dashboard.html`);
    const board = dashboard.page;
    await board.setViewportSize({ width: 1100, height: 1600 });
    await board.setInputFiles("#publications", SECTORS.map((s) => join(dir, `${s}.pub`)));
    await board.setInputFiles("#matcher-key", join(dir, "matcher.key"));
    await board.setInputFiles("#criteria", join(dir, "criteria.toml"));
    await board.click("#run");
    await board.waitForSelector("#result:not([hidden])");
    const expected = JSON.parse(readFileSync(join(dir, "m-cli/result.json"), "utf8")).candidates.length;
    assert.equal(Number(await board.getAttribute("#summary", "data-candidates")), expected);
    assert.ok((await board.locator(".chart svg").count()) >= 5, "the charts are drawn");
    const [flag] = await Promise.all([board.waitForEvent("download"), board.click("text=Download adult-social.flag")]);
    await flag.saveAs(join(dir, "adult-social.flag"));
    run(["review", "--sealing-key", "adult-social.key", "--flag-file", "adult-social.flag", "--out", "worklist.csv"], dir);
    const artifacts = new URL("artifacts/", import.meta.url).pathname;
    mkdirSync(artifacts, { recursive: true });
    await board.screenshot({ path: join(artifacts, "dashboard.png"), fullPage: true });
    assert.deepEqual(dashboard.requests, [], "no network request after the page loaded");
  } finally {
    await chrome.close();
    server.close();
  }
});
