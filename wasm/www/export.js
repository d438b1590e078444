import { download, readBytes, readText, row, showError } from "./common.js";

const $ = (id) => document.getElementById(id);

$("tokenise").addEventListener("click", async () => {
  $("error").textContent = "";
  $("result").hidden = true;
  for (const id of ["run-key", "sealing-key", "export"]) {
    if (!$(id).files.length) return showError($("error"), `choose the ${id.replace("-", " ")} file`);
  }
  $("progress").hidden = false;
  $("progress").value = 0;
  const started = performance.now();
  try {
    const published = await tokenise({
      runKey: await readText($("run-key")),
      sealingKey: await readText($("sealing-key")),
      bytes: await readBytes($("export")),
      name: $("export").files[0].name,
      encoding: $("encoding").value,
    });
    const report = JSON.parse(published.report);
    const e = report.export;
    $("accounting").replaceChildren();
    for (const [name, value] of [["reference date (the run key's)", report.reference_date], ["rows", e.rows], ["published", e.published], ["excluded by policy", e.excluded], ["rejected as invalid", e.rejected]]) {
      row($("accounting"), [name, value]);
    }
    for (const [rule, count] of Object.entries(e.excluded_by_rule)) row($("accounting"), [`  excluded: ${rule}`, count]);
    $("rejected").replaceChildren();
    for (const line of e.rejected_lines) row($("rejected"), [line.line, line.rule]);
    $("downloads").replaceChildren();
    download($("downloads"), `${published.sector}.pub`, published.publication);
    download($("downloads"), `${published.sector}.accounting.json`, published.report, "application/json");
    $("status").textContent = `${e.published} records published in ${((performance.now() - started) / 1000).toFixed(2)} s`;
    $("result").hidden = false;
  } catch (error) {
    showError($("error"), error);
    $("status").textContent = "";
  } finally {
    $("progress").hidden = true;
  }
});

// One worker for the page's life, started with the page: it loads the package now, so that
// tokenising later needs no network at all.
const worker = new Worker("./export-worker.js", { type: "module" });

/** Runs the package's publish in the worker, showing its progress; resolves with its result. */
function tokenise(job) {
  $("tokenise").disabled = true;
  let reports = 0;
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if ("progress" in data) {
        reports += 1;
        $("progress").value = data.progress;
        $("progress").dataset.reports = reports;
        $("status").textContent = `read ${Math.round(100 * data.progress)} % of the export`;
        return;
      }
      if (data.error) reject(Object.assign(new Error(data.error.message), data.error));
      else resolve(data);
    };
    worker.onerror = (event) => reject(new Error(event.message || "the tokeniser stopped"));
    worker.postMessage(job, [job.bytes.buffer]);
  }).finally(() => ($("tokenise").disabled = false));
}
