// Pseudonyms per second through the WebAssembly package's batch call, in Node and in headless
// Chromium, against WebCrypto's HMAC on the same inputs in the same run; and the .wasm size.
// Usage: node bench/wasm.mjs [COUNT]   (after wasm/build.sh; playwright-core in wasm/tests)
import { createServer } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { createRequire } from "node:module";

const root = new URL("..", import.meta.url).pathname;
const www = join(root, "wasm/www");
const count = Number(process.argv[2] ?? 1000000);
const require = createRequire(import.meta.url);
const samkoer = require(join(root, "wasm/pkg-node/samkoer_wasm.js"));
const { run } = await import(join(www, "bench.js"));

const node = await run(samkoer, globalThis.crypto.subtle, count, 100000);
console.log(`Node: wasm ${(node.wasmRate / 1e6).toFixed(2)} M/s, WebCrypto ${(node.webCryptoRate / 1e6).toFixed(3)} M/s, ${node.ratio.toFixed(1)}x`);

const { chromium } = require(join(root, "wasm/tests/node_modules/playwright-core"));
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer((request, response) => {
  const path = join(www, new URL(request.url, "http://x").pathname);
  if (!path.startsWith(www) || !existsSync(path)) return response.writeHead(404).end();
  response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/bench.html?count=${count}&webcrypto=100000`);
  const chrome = await page.waitForFunction(() => window.benchResult, null, { timeout: 120000 }).then((h) => h.jsonValue());
  console.log(`Chromium: wasm ${(chrome.wasmRate / 1e6).toFixed(2)} M/s, WebCrypto ${(chrome.webCryptoRate / 1e6).toFixed(3)} M/s, ${chrome.ratio.toFixed(1)}x`);
} finally {
  await browser.close();
  server.close();
}
const size = (pkg) => statSync(join(root, pkg, "samkoer_wasm_bg.wasm")).size;
console.log(`.wasm after wasm-opt: export tool ${size("wasm/pkg-export")} bytes (${(size("wasm/pkg-export") / 1024).toFixed(0)} KiB); every step ${size("wasm/pkg")} bytes (${(size("wasm/pkg") / 1024).toFixed(0)} KiB)`);
