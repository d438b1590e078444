// Pseudonyms per second through the package's batch call against WebCrypto's HMAC, on the same
// CPR numbers as bench/pseudonyms_python.py; run by bench/wasm.mjs in Node and in Chromium.
export const LABEL = "samkoer/v1/pseudonym";
export const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);

export function benchmarkCpr(i) {
  const pad = (n, w) => String(n).padStart(w, "0");
  return pad(1 + (i % 28), 2) + pad(1 + (Math.floor(i / 28) % 12), 2) + pad(Math.floor(i / 336) % 100, 2) + pad((i * 7919) % 10000, 4);
}

/** A run-key file for the benchmark key (the spec's format, §4.5), made with WebCrypto. */
export async function benchmarkKeyFile(subtle) {
  const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const hmacKey = await subtle.importKey("raw", KEY, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const fpMessage = new Uint8Array([...new TextEncoder().encode("samkoer/v1/fingerprint"), 2]);
  const fp = hex(await subtle.sign("HMAC", hmacKey, fpMessage)).slice(0, 32);
  const body = `samkoer-key-file 1\nkind: run\nmunicipality: 219\nrun: bench\nfingerprint: ${fp.slice(0, 8)}-${fp.slice(8, 16)}-${fp.slice(16, 24)}-${fp.slice(24)}\nsecret: ${hex(KEY)}\n`;
  const check = hex(await subtle.digest("SHA-256", new TextEncoder().encode("samkoer/v1/key-file" + body))).slice(0, 32);
  return `${body}check: ${check}\n`;
}

export async function run(samkoer, subtle, count, webCryptoCount) {
  const cprs = Array.from({ length: count }, (_, i) => benchmarkCpr(i));
  const lines = new TextEncoder().encode(cprs.join("\n"));
  const key = samkoer.RunKey.fromKeyFile(await benchmarkKeyFile(subtle));
  let best = Infinity, packed;
  for (let r = 0; r < 3; r++) {
    const started = performance.now();
    packed = samkoer.pseudonymiseLines(key, lines);
    best = Math.min(best, performance.now() - started);
  }
  const hmacKey = await subtle.importKey("raw", KEY, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const label = new TextEncoder().encode(LABEL);
  const started = performance.now();
  const signed = [];
  for (let i = 0; i < webCryptoCount; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(i + 1000, webCryptoCount); j++) {
      const message = new Uint8Array(label.length + 10);
      message.set(label);
      message.set(new TextEncoder().encode(cprs[j]), label.length);
      batch.push(subtle.sign("HMAC", hmacKey, message));
    }
    signed.push(...(await Promise.all(batch)));
  }
  const webCryptoMs = performance.now() - started;
  // The same pseudonyms both ways.
  for (let i = 0; i < webCryptoCount; i += 997) {
    const a = new Uint8Array(signed[i]), b = packed.subarray(32 * i, 32 * i + 32);
    if (a.some((x, k) => x !== b[k])) throw new Error(`pseudonym ${i} differs`);
  }
  const wasmRate = count / (best / 1000), webCryptoRate = webCryptoCount / (webCryptoMs / 1000);
  return { wasmRate, webCryptoRate, ratio: wasmRate / webCryptoRate };
}
