// What both tools share: loading the package (every step; the export tool loads its own small
// one in its worker) once, reading files, offering downloads.
import init, * as samkoer from "./pkg/samkoer_wasm.js";

let loading;
/** The package, loaded once per page (the export tool loads it in its worker instead). */
export const loadPackage = () => (loading ??= init().then(() => samkoer));

export const readBytes = async (input) => new Uint8Array(await input.files[0].arrayBuffer());
export const readText = async (input) => input.files[0].text();

/** A link that saves `data` as `name`, made from a Blob in this tab: no network involved. */
export function download(container, name, data, type = "application/octet-stream") {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([data], { type }));
  link.download = name;
  link.textContent = `Download ${name}`;
  container.append(link);
  return link;
}

/** An error as the page shows it: the library's message (file, line, rule; never a value). */
export function showError(element, error) {
  element.textContent = error && error.rule ? `${error.message}` : `${error}`;
}

export function row(table, cells, header = false) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement(header ? "th" : "td");
    td.textContent = cell;
    tr.append(td);
  }
  table.append(tr);
}
