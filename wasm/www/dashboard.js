import { download, loadPackage, readText, showError } from "./common.js";

// Loaded with the page, so that the match needs no network later.
const ready = loadPackage();

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function svg(width, height) {
  const element = document.createElementNS(SVG, "svg");
  element.setAttribute("viewBox", `0 0 ${width} ${height}`);
  element.setAttribute("width", width);
  element.setAttribute("height", height);
  const defs = document.createElementNS(SVG, "defs");
  defs.innerHTML = '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="3"/></pattern>';
  element.append(defs);
  return element;
}

function add(parent, name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  parent.append(element);
  return element;
}

function chart(title) {
  const box = document.createElement("div");
  box.className = "chart";
  const heading = document.createElement("h2");
  heading.textContent = title;
  box.append(heading);
  $("charts").append(box);
  return box;
}

/** A horizontal bar chart of a statistics table; suppressed cells hatched and labelled. */
function bars(table, title) {
  const box = chart(title);
  const cells = table.cells;
  const max = Math.max(1, ...cells.map((c) => c.value ?? 0));
  const rowHeight = 24, left = 190, width = 440;
  const element = svg(width, cells.length * rowHeight + 10);
  cells.forEach((cell, i) => {
    const y = 5 + i * rowHeight;
    add(element, "text", { x: left - 6, y: y + 16, "text-anchor": "end", "font-size": 12 }, cell.label);
    if (cell.value === null) {
      add(element, "rect", { x: left, y: y + 3, width: 60, height: 18, fill: "url(#hatch)", class: "suppressed" });
      add(element, "text", { x: left + 66, y: y + 16, "font-size": 12, fill: "#666" }, "suppressed");
    } else {
      const w = Math.max(1, (cell.value / max) * (width - left - 60));
      add(element, "rect", { x: left, y: y + 3, width: w, height: 18, fill: "#3b6ea8" });
      add(element, "text", { x: left + w + 6, y: y + 16, "font-size": 12 }, cell.value.toLocaleString("da-DK"));
    }
  });
  box.append(element);
  if (table.total) {
    const total = document.createElement("p");
    total.textContent = `total: ${table.total.value === null ? "suppressed" : table.total.value.toLocaleString("da-DK")}`;
    box.append(total);
  }
}

/** An UpSet-style chart of the sector pairs: a bar per pair over a matrix of its two sectors. */
function upset(table, sectors) {
  const box = chart("Persons in two sectors at once (UpSet-style: each column a pair of sectors)");
  const cells = table.cells;
  const columnWidth = 34, top = 150, left = 130;
  const element = svg(left + cells.length * columnWidth + 10, top + sectors.length * 22 + 10);
  const max = Math.max(1, ...cells.map((c) => c.value ?? 0));
  sectors.forEach((sector, row) => add(element, "text", { x: left - 8, y: top + row * 22 + 15, "text-anchor": "end", "font-size": 12 }, sector));
  cells.forEach((cell, column) => {
    const x = left + column * columnWidth + columnWidth / 2;
    const members = cell.label.split("+");
    if (cell.value === null) {
      add(element, "rect", { x: x - 10, y: top - 40, width: 20, height: 30, fill: "url(#hatch)", class: "suppressed" });
      add(element, "text", { x, y: top - 46, "text-anchor": "middle", "font-size": 10, fill: "#666" }, "supp.");
    } else {
      const h = Math.max(1, (cell.value / max) * (top - 40));
      add(element, "rect", { x: x - 10, y: top - 10 - h, width: 20, height: h, fill: "#3b6ea8" });
      add(element, "text", { x, y: top - 14 - h, "text-anchor": "middle", "font-size": 10 }, cell.value);
    }
    const rows = members.map((m) => sectors.indexOf(m));
    sectors.forEach((_, row) => add(element, "circle", { cx: x, cy: top + row * 22 + 11, r: 6, fill: rows.includes(row) ? "#1d2733" : "#d5d9df" }));
    add(element, "line", { x1: x, x2: x, y1: top + Math.min(...rows) * 22 + 11, y2: top + Math.max(...rows) * 22 + 11, stroke: "#1d2733", "stroke-width": 3 });
  });
  box.append(element);
}

$("run").addEventListener("click", async () => {
  $("error").textContent = "";
  $("result").hidden = true;
  $("charts").replaceChildren();
  $("downloads").replaceChildren();
  if (!$("matcher-key").files.length || !$("publications").files.length || !$("criteria").files.length)
    return showError($("error"), "choose the matcher's key, the publications and the criteria file");
  $("status").textContent = "matching…";
  await new Promise((resolve) => setTimeout(resolve, 30));
  try {
    const samkoer = await ready;
    const files = [...$("publications").files];
    const bytes = await Promise.all(files.map(async (f) => new Uint8Array(await f.arrayBuffer())));
    const started = performance.now();
    const matcher = samkoer.MatcherKey.fromKeyFile(await readText($("matcher-key")));
    const match = samkoer.matchPublications(matcher, bytes, files.map((f) => f.name), await readText($("criteria")), samkoer.AuditLog.none());
    const result = JSON.parse(match.resultJson());
    const statistics = JSON.parse(match.statisticsJson());
    const deferred = result.candidates.filter((c) => c.deferred).length;
    $("summary").textContent = `${result.persons.toLocaleString("da-DK")} persons with services in ${result.publications.length} publications; ` +
      `${result.candidates.length} candidates (${deferred} deferred), ${result.families} families. Matched in ${((performance.now() - started) / 1000).toFixed(2)} s.`;
    $("summary").dataset.candidates = result.candidates.length;
    const table = (name) => statistics.tables.find((t) => t.name === name);
    const sectors = [...new Set(table("persons-by-sector-pair").cells.flatMap((c) => c.label.split("+")))];
    bars(table("persons-by-sector-count"), "Persons by number of sectors");
    upset(table("persons-by-sector-pair"), sectors);
    bars(table("persons-by-service-count"), "Persons by number of distinct services");
    bars(table("persons-by-age-band"), "Persons by age band on the reference date");
    bars(table("families-by-composition"), "Families by who receives services");
    bars(table("families-by-sector-count"), "Families by number of sectors");
    bars(table("candidates"), "Candidates (not deferred)");
    for (const sector of match.flagSectors()) download($("downloads"), `${sector}.flag`, match.flagFile(sector));
    download($("downloads"), "statistics.json", match.statisticsJson(), "application/json");
    download($("downloads"), "statistics.csv", match.statisticsCsv(), "text/csv");
    $("status").textContent = "";
    $("result").hidden = false;
  } catch (error) {
    showError($("error"), error);
    $("status").textContent = "";
  }
});
