import { download, readBytes, readText, ready, row, showError } from "./common.js";

const $ = (id) => document.getElementById(id);
$("reference-date").valueAsDate = new Date();

$("tokenise").addEventListener("click", async () => {
  $("error").textContent = "";
  $("result").hidden = true;
  for (const id of ["run-key", "sealing-key", "export"]) {
    if (!$(id).files.length) return showError($("error"), `choose the ${id.replace("-", " ")} file`);
  }
  $("progress").hidden = false;
  const started = performance.now();
  const ticker = setInterval(() => ($("status").textContent = `working… ${((performance.now() - started) / 1000).toFixed(1)} s`), 100);
  // Let the progress show before the work starts.
  await new Promise((resolve) => setTimeout(resolve, 30));
  try {
    const samkoer = await ready;
    const runKey = samkoer.RunKey.fromKeyFile(await readText($("run-key")));
    const sealingKey = samkoer.SealingKey.fromKeyFile(await readText($("sealing-key")));
    const exportFile = $("export").files[0];
    let bytes = await readBytes($("export"));
    if ($("encoding").value === "windows-1252") {
      // The browser's own decoder; the package reads UTF-8.
      bytes = new TextEncoder().encode(new TextDecoder("windows-1252").decode(bytes));
    }
    const published = samkoer.publish(runKey, sealingKey, bytes, exportFile.name, $("reference-date").value, undefined);
    const report = JSON.parse(published.report);
    const e = report.export;
    $("accounting").replaceChildren();
    for (const [name, value] of [["rows", e.rows], ["published", e.published], ["excluded by policy", e.excluded], ["rejected as invalid", e.rejected]]) {
      row($("accounting"), [name, value]);
    }
    for (const [rule, count] of Object.entries(e.excluded_by_rule)) row($("accounting"), [`  excluded: ${rule}`, count]);
    $("rejected").replaceChildren();
    for (const line of e.rejected_lines) row($("rejected"), [line.line, line.rule]);
    $("downloads").replaceChildren();
    download($("downloads"), `${sealingKey.sector}.pub`, published.publication);
    download($("downloads"), `${sealingKey.sector}.accounting.json`, published.report, "application/json");
    $("status").textContent = `${e.published} records published in ${((performance.now() - started) / 1000).toFixed(2)} s`;
    $("result").hidden = false;
  } catch (error) {
    showError($("error"), error);
    $("status").textContent = "";
  } finally {
    clearInterval(ticker);
    $("progress").hidden = true;
  }
});
