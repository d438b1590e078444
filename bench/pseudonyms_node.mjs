// Node's own HMAC on the same CPR numbers and key as the core's benchmark (bench_inputs.rs):
// crypto.createHmac per item (OpenSSL underneath) and WebCrypto's HMAC. Prints each rate and a
// digest of all pseudonyms, which must equal the Rust example's.
// Usage: node bench/pseudonyms_node.mjs [COUNT]
import { createHash, createHmac, webcrypto } from "node:crypto";
import { benchmarkCpr, KEY, LABEL } from "../wasm/www/bench.js";

const count = Number(process.argv[2] ?? 2000000);
const cprs = Array.from({ length: count }, (_, i) => Buffer.from(benchmarkCpr(i)));
const label = Buffer.from(LABEL);
const key = Buffer.from(KEY);

let best = Infinity;
let out;
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  out = cprs.map((cpr) => createHmac("sha256", key).update(label).update(cpr).digest());
  best = Math.min(best, performance.now() - started);
}
const digest = createHash("sha256").update(Buffer.concat(out)).digest("hex");
console.log(`node createHmac: ${count} pseudonyms, best of 3: ${(best / 1000).toFixed(4)} s, ${Math.round(count / (best / 1000))} per second`);
console.log(`digest of all pseudonyms: ${digest}`);

// WebCrypto signs asynchronously; batches of 1,000 in flight, as a page would.
const hmacKey = await webcrypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
const webCount = Math.min(count, 200000);
const started = performance.now();
const signed = [];
for (let i = 0; i < webCount; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(i + 1000, webCount); j++) {
    batch.push(webcrypto.subtle.sign("HMAC", hmacKey, Buffer.concat([label, cprs[j]])));
  }
  signed.push(...(await Promise.all(batch)));
}
const seconds = (performance.now() - started) / 1000;
for (let i = 0; i < webCount; i += 997) {
  if (!Buffer.from(signed[i]).equals(out[i])) throw new Error(`WebCrypto pseudonym ${i} differs`);
}
console.log(`node webcrypto: ${webCount} pseudonyms: ${seconds.toFixed(4)} s, ${Math.round(webCount / seconds)} per second`);
