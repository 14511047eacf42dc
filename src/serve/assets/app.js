// ketasim serve: the page. Every number drawn comes from the server (the engine); this
// script only sends the scenario text, applies control changes through /api/edit and
// draws the PlotSpec it gets back, in the PNG's style (Okabe–Ito colours, dash patterns).
"use strict";

const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
const PATTERNS = [null, [14, 7], [2.5, 5], [26, 6]]; // as report/plot/draw.rs, px at 1200 wide
const TARGET_WIDTH = 1.5, TARGET_PATTERN = [8, 5]; // TCI target lines, as report/plot/draw.rs
const SHOW_BUSY_AFTER_MS = 100;
const TEXT_DEBOUNCE_MS = 400;

const $ = (id) => document.getElementById(id);
const state = { path: null, name: "scenario.toml", toml: "", choices: null, form: null, shape: "", running: false, again: false, result: null, seq: 0 };

async function request(method, url, body, type) {
  const init = { method, headers: {} };
  if (body !== undefined) { init.body = body; init.headers["Content-Type"] = type || "text/plain; charset=utf-8"; }
  const r = await fetch(url, init);
  if (!r.ok) throw new Error(await r.text() || r.statusText);
  return r;
}
const nameQuery = () => "?name=" + encodeURIComponent(state.name);

function showError(message) {
  const e = $("error");
  e.textContent = message || "";
  e.hidden = !message;
}

// ---- scenarios -------------------------------------------------------------------

async function loadList() {
  const list = await (await request("GET", "/api/scenarios")).json();
  const nav = $("scenarios");
  nav.textContent = "";
  let group = null;
  for (const s of list) {
    if (s.group !== group) {
      group = s.group;
      const h = document.createElement("h3");
      h.textContent = group || "scenarios";
      nav.appendChild(h);
    }
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.path = s.path;
    b.textContent = s.name || s.path.split("/").pop();
    if (s.error) { b.classList.add("invalid"); b.title = s.error; }
    b.addEventListener("click", () => open(s.path));
    nav.appendChild(b);
  }
  return list;
}

async function open(path) {
  try {
    const text = await (await request("GET", "/api/scenario?path=" + encodeURIComponent(path))).text();
    state.path = path;
    state.name = path;
    state.shape = ""; // new file: rebuild the controls
    for (const b of document.querySelectorAll("nav button")) b.classList.toggle("current", b.dataset.path === path);
    setToml(text);
    simulate();
  } catch (e) { showError(e.message); }
}

function setToml(text) {
  state.toml = text;
  if ($("toml").value !== text) $("toml").value = text;
}

// ---- simulate: one request in flight, the latest text always simulated last -------

async function simulate() {
  if (state.running) { state.again = true; return; }
  state.running = true;
  const busy = setTimeout(() => { $("busy").hidden = false; }, SHOW_BUSY_AFTER_MS);
  try {
    do {
      state.again = false;
      const text = state.toml;
      try {
        const r = await request("POST", "/api/simulate" + nameQuery(), text);
        const data = await r.json();
        if (state.toml === text || !state.again) show(data);
        showError("");
      } catch (e) { showError(e.message); }
    } while (state.again);
  } finally {
    clearTimeout(busy);
    $("busy").hidden = true;
    state.running = false;
    state.seq += 1;
    document.body.dataset.seq = String(state.seq); // lets a test wait for a redraw
    document.body.dataset.drawnAtMs = String(performance.now()); // and time it
  }
}

function show(data) {
  state.result = data;
  drawPlot(data.plot);
  drawTable(data.summary_table);
  $("lesson").textContent = data.lesson || "";
  $("lesson-wrap").hidden = !data.lesson;
  showControls(data.form);
}

// ---- controls --------------------------------------------------------------------

// Edits are applied one batch at a time, each to the text the previous one produced;
// changes made meanwhile (a dragged slider) wait and go together in the next batch.
const edits = { queued: [], running: false };
async function applyEdits(list) {
  edits.queued.push(...list);
  if (edits.running) return;
  edits.running = true;
  try {
    while (edits.queued.length) {
      const batch = edits.queued.splice(0);
      try {
        const r = await request("POST", "/api/edit", JSON.stringify({ toml: state.toml, edits: batch }), "application/json");
        setToml(await r.text());
        simulate();
      } catch (e) { showError(e.message); }
    }
  } finally { edits.running = false; }
}
const set = (at, value) => applyEdits([{ at, value }]);

// Which controls exist depends on the file's shape: rebuild only when it changes, so a
// slider being dragged or a field being typed in keeps its focus.
function shapeOf(form) {
  return JSON.stringify([form.model === null, form.population_size === null, form.schedules.map((s) => [s.weight === null, s.doses.map((d) => Object.keys(d).filter((k) => d[k] !== null)), s.max_rate === null, s.targets.map((t) => t.mode)])]);
}

function showControls(form) {
  state.form = form;
  const shape = shapeOf(form);
  if (shape === state.shape) {
    for (const el of $("controls").querySelectorAll("[data-at]")) {
      if (el === document.activeElement || el.type === "range") continue;
      const v = valueAt(form, JSON.parse(el.dataset.at));
      if (el.type === "checkbox") el.checked = !!v; else el.value = v === null || v === undefined ? "" : v;
    }
    return;
  }
  state.shape = shape;
  const c = $("controls");
  c.textContent = "";
  c.appendChild(scenarioControls(form));
  form.schedules.forEach((s, i) => c.appendChild(scheduleControls(s, i)));
}

function valueAt(form, at) {
  const k = at.join(".");
  if (k === "model") return form.model || "";
  if (k === "patient.weight") return form.weight;
  if (k === "simulation.solver") return form.solver || "exact";
  if (k === "plot.log_y") return form.log_y;
  if (k === "population.size") return form.population_size;
  if (at[0] === "schedule") {
    const s = form.schedules[at[1]];
    if (at[2] === "doses") return s.doses[at[3]][at[4]];
    if (at[2] === "targets") { const t = s.targets[at[3]]; return at[4] === "at" ? t.at : t.value; }
    if (at[2] === "pump") return s.max_rate;
    return s[at[2]];
  }
  return null;
}

function el(tag, props, children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const ch of children || []) e.appendChild(typeof ch === "string" ? document.createTextNode(ch) : ch);
  return e;
}
const labelled = (text, input) => el("label", {}, [text, input]);
const ticked = (input, text) => el("label", {}, [input, text]);

function textInput(at, value, opts) {
  const i = el("input", { type: (opts && opts.type) || "text", value: value === null || value === undefined ? "" : value, placeholder: (opts && opts.placeholder) || "" });
  i.dataset.at = JSON.stringify(at);
  i.addEventListener("change", () => {
    const raw = i.value.trim();
    const v = raw === "" ? null : (i.type === "number" ? parseInt(raw, 10) : raw);
    set(at, Number.isNaN(v) ? raw : v);
  });
  return i;
}

function select(at, options, value) {
  const s = el("select");
  s.dataset.at = JSON.stringify(at);
  for (const [v, text] of options) s.appendChild(el("option", { value: v, textContent: text }));
  s.value = value;
  return s;
}

function scenarioControls(form) {
  const ch = state.choices;
  const f = el("fieldset", {}, [el("legend", { textContent: "Patient, model, plot" })]);
  const models = (form.model === null ? [["", "as in the file"]] : []).concat(ch.models.map((m) => [m.id, m.id + " — " + m.title]));
  const model = select(["model"], models, form.model || "");
  model.id = "model";
  model.addEventListener("change", () => { if (model.value) set(["model"], { pk: model.value }); });
  f.appendChild(labelled("model", model));
  f.appendChild(labelled("weight", textInput(["patient", "weight"], form.weight, { placeholder: "70 kg" })));
  const solver = select(["simulation", "solver"], ch.solvers.map((s) => [s, s]), form.solver || "exact");
  solver.addEventListener("change", () => set(["simulation", "solver"], solver.value));
  f.appendChild(labelled("solver", solver));
  if (form.population_size !== null) {
    f.appendChild(labelled("population size", textInput(["population", "size"], form.population_size, { type: "number" })));
  }
  const checks = el("div", { className: "checks" });
  const log = el("input", { type: "checkbox", checked: form.log_y });
  log.dataset.at = JSON.stringify(["plot", "log_y"]);
  log.addEventListener("change", () => set(["plot", "log_y"], log.checked));
  checks.appendChild(ticked(log, "log axis"));
  checks.appendChild(el("span", { textContent: "bands:" }));
  const on = form.bands === null ? ch.bands : form.bands;
  for (const b of ch.bands) {
    const box = el("input", { type: "checkbox", checked: on.includes(b) });
    box.className = "band";
    box.value = b;
    box.addEventListener("change", () => {
      const picked = [...document.querySelectorAll("input.band")].filter((x) => x.checked).map((x) => x.value);
      set(["plot", "bands"], picked);
    });
    checks.appendChild(ticked(box, b));
  }
  f.appendChild(checks);
  return f;
}

// "0.5 mg/kg" → [0.5, "mg/kg"]; null when the text does not start with a number.
function splitQuantity(text) {
  const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(.*)$/.exec(text || "");
  return m ? [parseFloat(m[1]), m[2]] : null;
}
const roundForText = (x) => String(parseFloat(x.toPrecision(3)));

function doseControls(d, i, j) {
  const at = (k) => ["schedule", i, "doses", j, k];
  const row = el("div", { className: "dose" });
  row.dataset.dose = i + "." + j;
  const route = select(at("route"), state.choices.routes.map((r) => [r, r]), d.route);
  route.addEventListener("change", () => set(at("route"), route.value));
  row.appendChild(labelled("route", route));
  for (const k of ["amount", "rate"]) {
    if (d[k] === null && !(k === "amount" && d.rate === null)) continue;
    const input = textInput(at(k), d[k], { placeholder: k === "amount" ? "10 mg" : "5 mg/h" });
    input.classList.add(k);
    row.appendChild(labelled(k, input));
    const q = splitQuantity(d[k]);
    if (q && q[0] > 0) {
      // A slider from 0 to 4× the dose as loaded: the number changes, the unit stays.
      const slider = el("input", { type: "range", min: 0, max: q[0] * 4, step: q[0] / 50, value: q[0] });
      slider.dataset.at = JSON.stringify(at(k));
      slider.addEventListener("input", () => {
        const text = roundForText(parseFloat(slider.value)) + " " + q[1];
        input.value = text;
        set(at(k), text);
      });
      row.appendChild(labelled(k + " slider", slider));
    }
  }
  row.appendChild(labelled("at", textInput(at("at"), d.at, { placeholder: "0 h" })));
  row.appendChild(labelled("over (infusion)", textInput(at("over"), d.over, { placeholder: "bolus" })));
  row.appendChild(labelled("every (repeat)", textInput(at("every"), d.every, { placeholder: "once" })));
  row.appendChild(labelled("times", textInput(at("times"), d.times, { type: "number", placeholder: "" })));
  const remove = el("button", { type: "button", textContent: "remove dose", title: "Remove this dose" });
  remove.addEventListener("click", () => set(["schedule", i, "doses", j], null));
  row.appendChild(remove);
  if (d.other_keys.length) row.appendChild(el("span", { className: "other", textContent: "also in the file: " + d.other_keys.join(", ") }));
  return row;
}

// One TCI target: its time, plasma or effect site, and the concentration. The file holds
// the mode as the key's name, so a switch removes one key and sets the other. Removing
// the only target removes `targets` and `pump` (the validator refuses an empty list and
// a pump without targets).
function targetControls(t, i, j, only) {
  const at = (k) => ["schedule", i, "targets", j, k];
  const row = el("div", { className: "dose target" });
  row.dataset.target = i + "." + j;
  row.appendChild(labelled("at", textInput(at("at"), t.at, { placeholder: "0 min" })));
  const mode = el("select");
  mode.className = "mode";
  for (const [v, text] of [["plasma", "plasma target"], ["effect", "effect-site target"]]) mode.appendChild(el("option", { value: v, textContent: text }));
  mode.value = t.mode;
  mode.addEventListener("change", () => applyEdits([{ at: at(mode.value), value: t.value || "1 µg/mL" }, { at: at(t.mode), value: null }]));
  row.appendChild(labelled("target", mode));
  const conc = textInput(at(t.mode), t.value, { placeholder: "1 µg/mL" });
  conc.classList.add("concentration");
  row.appendChild(labelled("concentration", conc));
  const remove = el("button", { type: "button", textContent: "remove target", title: "Remove this target" });
  remove.addEventListener("click", () => only
    ? applyEdits([{ at: ["schedule", i, "targets"], value: null }, { at: ["schedule", i, "pump"], value: null }])
    : set(["schedule", i, "targets", j], null));
  row.appendChild(remove);
  return row;
}

function scheduleControls(s, i) {
  const f = el("fieldset", {}, [el("legend", { textContent: s.name || "schedule " + (i + 1) })]);
  f.style.borderLeft = "6px solid " + PALETTE[i % PALETTE.length];
  if (s.weight !== null) f.appendChild(labelled("weight of this schedule", textInput(["schedule", i, "weight"], s.weight)));
  s.doses.forEach((d, j) => f.appendChild(doseControls(d, i, j)));
  if (s.max_rate !== null) f.appendChild(labelled("pump max rate", textInput(["schedule", i, "pump", "max_rate"], s.max_rate, { placeholder: "1200 mL/h" })));
  s.targets.forEach((t, j) => f.appendChild(targetControls(t, i, j, s.targets.length === 1)));
  if (s.targets.length) {
    const addTarget = el("button", { type: "button", textContent: "add target" });
    const last = s.targets[s.targets.length - 1];
    addTarget.addEventListener("click", () => applyEdits([{ at: ["schedule", i, "targets"], value: { at: last.at || "0 min", [last.mode]: last.value || "1 µg/mL" }, push: true }]));
    f.appendChild(addTarget);
  }
  const add = el("button", { type: "button", textContent: "add dose" });
  add.addEventListener("click", () => applyEdits([{ at: ["schedule", i, "doses"], value: { route: "iv", amount: "10 mg" }, push: true }]));
  f.appendChild(add);
  return f;
}

// ---- summary -----------------------------------------------------------------------

function drawTable(t) {
  const table = el("table");
  table.id = "summary-table";
  table.appendChild(el("tr", {}, t.header.map((h) => el("th", { textContent: h.replace(/_/g, " ") }))));
  for (const row of t.rows) table.appendChild(el("tr", {}, row.map((c) => el("td", { textContent: c }))));
  $("summary").textContent = "";
  $("summary").appendChild(table);
}

// ---- plot: the PlotSpec drawn as SVG -----------------------------------------------

const SVG_NS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceTicks(lo, hi, count) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}
const fmtTick = (v) => String(parseFloat(v.toPrecision(6)));

function yScale(curves, log, extra) {
  let max = 0, minPos = Infinity;
  for (const c of curves) for (const v of c) { if (v > max) max = v; if (v > 0 && v < minPos) minPos = v; }
  for (const v of extra) if (v > max) max = v;
  if (!(max > 0)) max = 1;
  if (!log) return { lo: 0, hi: max * 1.08, log: false };
  const lo = Math.max(minPos === Infinity ? max / 1e3 : minPos, max / 1e4);
  return { lo: Math.pow(10, Math.floor(Math.log10(lo))), hi: Math.pow(10, Math.log10(max) + 0.08), log: true };
}

function panel(svg, box, spec, opts) {
  // box: {x0, y0, x1, y1}; spec: {series, bands?, y_label}
  const { k, xMax, days } = opts;
  const targets = spec.targets || [];
  const curves = spec.series.flatMap((s) => [s.conc_ng_ml].concat(s.ribbon || []))
    .concat(targets.map((t) => t.conc_ng_ml.filter((v) => v !== null)));
  const ys = yScale(curves, opts.log, []);
  const X = (t) => box.x0 + (days ? t / 24 : t) / xMax * (box.x1 - box.x0);
  const Yv = (v) => ys.log ? (Math.log10(Math.max(v, ys.lo)) - Math.log10(ys.lo)) / (Math.log10(ys.hi) - Math.log10(ys.lo)) : (v - ys.lo) / (ys.hi - ys.lo);
  const Y = (v) => box.y1 - Math.min(1, Math.max(0, Yv(v))) * (box.y1 - box.y0);
  const clip = "clip" + Math.round(box.y0);
  const cp = svgEl("clipPath", { id: clip });
  cp.appendChild(svgEl("rect", { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 }));
  svg.appendChild(cp);
  // Bands first, under the curves; only those inside the y range. A label that would
  // overlap the one below moves up.
  let below = Infinity;
  const bandLabels = []; // drawn over the curves, with a white halo
  (spec.bands || []).forEach((b, i) => {
    if (b.low_ng_ml >= ys.hi || b.high_ng_ml <= ys.lo) return;
    const top = Y(b.high_ng_ml), bottom = Y(b.low_ng_ml);
    const labelY = Math.min(top + 14 * k, below - 17 * k);
    below = labelY;
    svg.appendChild(svgEl("rect", { x: box.x0, y: top, width: box.x1 - box.x0, height: bottom - top, fill: b.fill, "data-band": b.name }));
    bandLabels.push(svgEl("text", { x: box.x1 - 6 * k, y: labelY, "text-anchor": "end", "font-size": 13 * k, fill: "#444", stroke: "#fff", "stroke-width": 4 * k, "paint-order": "stroke" }, b.name + " " + fmtTick(b.low_ng_ml) + "–" + fmtTick(b.high_ng_ml) + " ng/mL" + (b.note ? " (" + b.note + ")" : "")));
  });
  // Grid and ticks.
  const yt = ys.log ? logTicks(ys.lo, ys.hi) : niceTicks(ys.lo, ys.hi, 6);
  for (const v of yt) {
    const y = Y(v);
    svg.appendChild(svgEl("line", { x1: box.x0, x2: box.x1, y1: y, y2: y, stroke: "#e4e4e4", "stroke-width": k }));
    svg.appendChild(svgEl("text", { x: box.x0 - 6 * k, y: y + 4 * k, "text-anchor": "end", "font-size": 14 * k }, fmtTick(v)));
  }
  for (const t of niceTicks(0, xMax, 10)) {
    const x = box.x0 + t / xMax * (box.x1 - box.x0);
    svg.appendChild(svgEl("line", { x1: x, x2: x, y1: box.y0, y2: box.y1, stroke: "#f0f0f0", "stroke-width": k }));
    if (opts.xLabels) svg.appendChild(svgEl("text", { x, y: box.y1 + 16 * k, "text-anchor": "middle", "font-size": 14 * k }, fmtTick(t)));
  }
  svg.appendChild(svgEl("rect", { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0, fill: "none", stroke: "#333", "stroke-width": k }));
  svg.appendChild(svgEl("text", { transform: `translate(${box.x0 - 58 * k},${(box.y0 + box.y1) / 2}) rotate(-90)`, "text-anchor": "middle", "font-size": 15 * k }, spec.y_label));
  // Ribbons, then curves.
  spec.series.forEach((s, i) => {
    if (!s.ribbon) return;
    const [lo, hi] = s.ribbon;
    const pts = s.time_h.map((t, j) => `${X(t)},${Y(hi[j])}`).concat(s.time_h.map((t, j) => `${X(t)},${Y(lo[j])}`).reverse());
    svg.appendChild(svgEl("polygon", { points: pts.join(" "), fill: PALETTE[i % PALETTE.length], "fill-opacity": 0.18, "clip-path": `url(#${clip})` }));
  });
  // Target lines (TCI) under the curves, as the PNG draws them; null breaks the line.
  for (const t of targets) {
    let d = "", pen = "M";
    t.time_h.forEach((x, j) => {
      const v = t.conc_ng_ml[j];
      if (v === null) { pen = "M"; return; }
      d += pen + X(x).toFixed(2) + "," + Y(v).toFixed(2);
      pen = "L";
    });
    svg.appendChild(svgEl("path", { d, fill: "none", stroke: PALETTE[t.colour_of % PALETTE.length], "stroke-width": TARGET_WIDTH * k, "stroke-dasharray": TARGET_PATTERN.map((q) => q * k).join(" "), "clip-path": `url(#${clip})`, class: "target", "data-target": t.name }));
  }
  spec.series.forEach((s, i) => {
    const d = s.time_h.map((t, j) => (j ? "L" : "M") + X(t).toFixed(2) + "," + Y(s.conc_ng_ml[j]).toFixed(2)).join("");
    let peak = -Infinity, peakT = 0;
    s.conc_ng_ml.forEach((v, j) => { if (v > peak) { peak = v; peakT = s.time_h[j]; } });
    const pattern = PATTERNS[i % PATTERNS.length];
    svg.appendChild(svgEl("path", {
      d, fill: "none", stroke: PALETTE[i % PALETTE.length], "stroke-width": 2.5 * k, "stroke-linejoin": "round",
      "stroke-dasharray": pattern ? pattern.map((p) => p * k).join(" ") : "none", "clip-path": `url(#${clip})`,
      class: "curve " + opts.kind, "data-series": s.name || String(i), "data-peak-ng-ml": String(peak), "data-peak-time-h": String(peakT),
    }));
  });
  for (const l of bandLabels) svg.appendChild(l);
  return { X, Y };
}

function logTicks(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of (Math.log10(hi / lo) <= 2 ? [1, 2, 5] : [1])) {
      const v = m * Math.pow(10, e);
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

function drawPlot(p) {
  const present = document.body.classList.contains("presentation");
  const k = present ? 1.7 : 1; // presentation: larger text, thicker lines
  const W = 1200, H = present ? 1000 : 800; // taller, so larger text leaves the curves room
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, "font-family": "DejaVu Sans, sans-serif", role: "img" });
  svg.appendChild(svgEl("rect", { width: W, height: H, fill: "#fff" }));
  svg.appendChild(svgEl("text", { x: W / 2, y: 30 * k, "text-anchor": "middle", "font-size": 20 * k, "font-weight": "bold" }, p.title));
  const all = p.series.flatMap((s) => s.time_h);
  const tMax = Math.max(1e-9, ...all);
  const days = p.time_in_days;
  const xMax = days ? tMax / 24 : tMax;
  const left = 90 * k, right = W - 25, top = 50 * k;
  const bottom = H - 60 * k;
  const lower = p.lower_panel && p.lower_panel.series.length;
  const split = lower ? top + (bottom - top) * 0.68 : bottom;
  const doseRoom = 44 * k;
  const main = { x0: left, y0: top, x1: right, y1: split - (lower ? doseRoom + 18 * k : doseRoom) };
  const opts = { k, xMax, days, log: p.log_y };
  const m = panel(svg, main, p, Object.assign({ kind: "plasma", xLabels: !lower }, opts));
  // Dose markers under the main panel, labelled when few (as the PNG does).
  const distinct = new Map();
  for (const d of p.doses) distinct.set(d.time_h + "|" + d.label, d);
  const labelled = distinct.size <= 12;
  let row = 0;
  const atTime = new Map(); // markers at the same time stack, as in the PNG
  for (const d of distinct.values()) {
    const stack = atTime.get(d.time_h) || 0;
    atTime.set(d.time_h, stack + 1);
    const base = main.y1 + (lower ? 6 : 22) * k;
    const x = m.X(d.time_h), y = base - stack * 11 * k;
    svg.appendChild(svgEl("path", { d: `M${x},${y} l${-5 * k},${9 * k} l${10 * k},0 z`, fill: PALETTE[d.series % PALETTE.length] }));
    if (labelled) svg.appendChild(svgEl("text", { x: x + 6 * k, y: base + (9 + 12 * (row++ % 2)) * k, "font-size": 12 * k, fill: "#333" }, d.label));
  }
  if (lower) {
    const box = { x0: left, y0: split, x1: right, y1: bottom };
    panel(svg, box, p.lower_panel, Object.assign({ kind: "lower", xLabels: true }, opts));
  }
  svg.appendChild(svgEl("text", { x: (left + right) / 2, y: bottom + 38 * k, "text-anchor": "middle", "font-size": 15 * k }, days ? "Time (d)" : "Time (h)"));
  // Legend, top right of the main panel.
  // Curves, then target lines: [name, colour index, width, dash pattern].
  const named = p.series.map((s, i) => [s.name, i, 2.5, PATTERNS[i % PATTERNS.length]]).filter(([name]) => name)
    .concat((p.targets || []).map((t) => [t.name, t.colour_of, TARGET_WIDTH, TARGET_PATTERN]));
  const lh = 20 * k;
  const lw = Math.min(560 * k, 60 * k + 8.2 * k * Math.max(...named.map(([name]) => name.length), 0));
  const lg = svgEl("g", { class: "legend" });
  lg.appendChild(svgEl("rect", { x: right - lw - 8, y: main.y0 + 8, width: lw, height: lh * named.length + 8 * k, fill: "#fff", "fill-opacity": 0.85, stroke: "#ccc" }));
  named.forEach(([name, i, width, pattern], n) => {
    const y = main.y0 + 8 + 4 * k + lh * n + lh / 2;
    lg.appendChild(svgEl("line", { x1: right - lw, x2: right - lw + 40 * k, y1: y, y2: y, stroke: PALETTE[i % PALETTE.length], "stroke-width": width * k, "stroke-dasharray": pattern ? pattern.map((q) => q * k).join(" ") : "none" }));
    lg.appendChild(svgEl("text", { x: right - lw + 48 * k, y: y + 4 * k, "font-size": 14 * k }, name));
  });
  if (named.length) svg.appendChild(lg);
  svg.appendChild(svgEl("text", { x: W / 2, y: H - 8, "text-anchor": "middle", "font-size": 11 * Math.min(k, 1.3), fill: "#6e6e6e" }, p.footer));
  $("plot").textContent = "";
  $("plot").appendChild(svg);
}

// ---- downloads -------------------------------------------------------------------

function stem() {
  const base = state.name.split("/").pop().replace(/\.toml$/, "");
  return base.replace(/[^A-Za-z0-9_-]/g, "_") || "scenario";
}

function save(blob, filename) {
  const a = el("a", { href: URL.createObjectURL(blob), download: filename });
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function download(kind) {
  try {
    if (kind === "toml") return save(new Blob([state.toml], { type: "application/toml" }), stem() + ".toml");
    const ext = { png: "png", svg: "svg", csv: "csv", "summary-csv": "summary.csv" }[kind];
    const r = await request("POST", "/api/" + kind + nameQuery(), state.toml);
    save(await r.blob(), stem() + "." + ext);
  } catch (e) { showError(e.message); }
}

// ---- start -----------------------------------------------------------------------

async function start() {
  try {
    state.choices = await (await request("GET", "/api/choices")).json();
    $("disclaimer").textContent = "ketasim: " + state.choices.disclaimer + ". Never use it to dose a patient.";
    const list = await loadList();
    const first = list.find((s) => !s.error);
    if (first) await open(first.path);
  } catch (e) { showError(e.message); }
  let timer = null;
  $("toml").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.toml = $("toml").value; simulate(); }, TEXT_DEBOUNCE_MS);
  });
  for (const b of document.querySelectorAll("[data-download]")) b.addEventListener("click", () => download(b.dataset.download));
  $("present").addEventListener("click", () => {
    document.body.classList.toggle("presentation");
    $("present").textContent = document.body.classList.contains("presentation") ? "Normal mode" : "Presentation mode";
    if (state.result) drawPlot(state.result.plot);
  });
  document.body.dataset.ready = "true";
}

start();
