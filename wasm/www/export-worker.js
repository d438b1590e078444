// Tokenises an export off the page's thread, so the page stays responsive and shows real
// progress. Messages in: { runKey, sealingKey, bytes, name, encoding }; out:
// { progress: fraction }, then { publication, report, sector } or { error: { message, rule } }.
import init, * as samkoer from "./pkg-export/samkoer_wasm.js";

const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const runKey = samkoer.RunKey.fromKeyFile(data.runKey);
    const sealingKey = samkoer.SealingKey.fromKeyFile(data.sealingKey);
    let bytes = data.bytes;
    if (data.encoding === "windows-1252") {
      // The browser's own decoder; the package reads UTF-8.
      bytes = new TextEncoder().encode(new TextDecoder("windows-1252").decode(bytes));
    }
    const onProgress = (read, total) => self.postMessage({ progress: total ? read / total : 1 });
    const published = samkoer.publish(runKey, sealingKey, bytes, data.name, undefined, onProgress, undefined, samkoer.AuditLog.none());
    const publication = published.publication;
    self.postMessage({ publication, report: published.report, sector: sealingKey.sector }, [publication.buffer]);
  } catch (error) {
    self.postMessage({ error: { message: `${error.message ?? error}`, rule: error.rule ?? null, code: error.code ?? null } });
  }
};
