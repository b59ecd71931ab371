// The page builds its form from /metadata, so it fits whatever dataset the model was trained on.
"use strict";
const $ = (id) => document.getElementById(id);
let meta = null;

function headers(extra = {}) {
  const key = sessionStorage.getItem("scorecast-key");
  return key ? { ...extra, "X-API-Key": key } : extra;
}

async function call(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers || {}) });
  if (response.status === 401) $("auth").hidden = false;
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    let detail = [];
    try {
      const body = await response.json();
      message = body.error || message;
      if (Array.isArray(body.detail)) detail = body.detail;
    } catch (_) { /* not JSON */ }
    throw Object.assign(new Error(message), { detail });
  }
  return response;
}

function band(score, target) {
  const hi = target.max ?? 100;
  const share = (score - (target.min ?? 0)) / (hi - (target.min ?? 0));
  if (share >= 0.9) return "excellent";
  if (share >= 0.7) return "good";
  if (share >= 0.5) return "fair";
  return "low";
}

const label = (name) => name.replaceAll("_", " ");  // a column name as the page shows it

// The model is not bounded: a linear one extrapolates past the target's configured range at extreme
// inputs. The page says so rather than show the number alone.
function rangeNote(score, target) {
  const name = label(target.name);
  const range = `${target.min ?? "−∞"}–${target.max ?? "∞"}`;
  const side = target.min !== undefined && score < target.min ? "below"
    : target.max !== undefined && score > target.max ? "above" : null;
  return side && `${score.toFixed(1)} is ${side} the range of ${name} (${range}): the model extrapolates for ` +
    `inputs like these, so read it as "${side === "below" ? "at the bottom" : "at the top"} of the range".`;
}

// One input per column type: a list for categories and bools, a text box for text, a number box otherwise.
function field(feature) {
  const box = document.createElement("label");
  box.textContent = label(feature.name);
  const typical = meta.typical?.[feature.name];
  let input;
  if (feature.categories || feature.type === "bool") {
    input = document.createElement("select");
    if (feature.allow_missing) input.add(new Option("(blank)", ""));
    for (const c of feature.type === "bool" ? ["true", "false"] : feature.categories) input.add(new Option(c, c));
    // (older models stored a bool's typical value as "True")
    if (typical !== undefined && typical !== null) input.value = feature.type === "bool" ? String(typical).toLowerCase() : String(typical);
  } else if (feature.type === "text") {
    input = document.createElement("input");
    input.type = "text";
    input.required = !feature.allow_missing;
    input.value = typical ?? "";
  } else {
    input = document.createElement("input");
    input.type = "number";
    if (feature.min !== undefined) input.min = feature.min;
    if (feature.max !== undefined) input.max = feature.max;
    input.step = feature.type === "int" ? "1" : "any";
    input.required = !feature.allow_missing;
    const middle = feature.min !== undefined && feature.max !== undefined ? Math.round((feature.min + feature.max) / 2) : "";
    input.value = typical ?? middle;
  }
  input.name = feature.name;
  input.id = `f-${feature.name}`;
  box.append(input);
  return box;
}

// The form as a JSON record, each value in its column's type (a blank is null).
function record() {
  const out = {};
  for (const f of meta.schema.features) {
    const raw = $(`f-${f.name}`).value;
    if (raw === "") out[f.name] = null;
    else if (f.type === "bool") out[f.name] = raw === "true";
    else if (f.type === "int" || f.type === "float") out[f.name] = Number(raw);
    else out[f.name] = raw;
  }
  return out;
}

// Each input's bar, largest first, then how they add up: base + contributions = the prediction.
function showExplanation(explanation, prediction) {
  const box = $("explain");
  box.replaceChildren();
  if (!explanation) { box.textContent = "not available for this model"; return; }
  const parts = Object.entries(explanation.contributions);
  const scale = Math.max(...parts.map(([, v]) => Math.abs(v)), 1e-9);
  for (const [name, value] of parts.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))) {
    const row = document.createElement("div");
    row.className = "bar-row";
    const bar = document.createElement("div");
    bar.className = `bar ${value >= 0 ? "pos" : "neg"}`;
    bar.style.width = `${(50 * Math.abs(value)) / scale}%`;
    const track = document.createElement("div");
    track.className = "bar-track";
    track.append(bar);
    row.append(Object.assign(document.createElement("span"), { textContent: label(name) }), track,
      Object.assign(document.createElement("span"), { textContent: (value >= 0 ? "+" : "") + value.toFixed(2) }));
    box.append(row);
  }
  const total = `base value ${explanation.base.toFixed(2)} (the prediction for an average training row) + these ` +
    `contributions = ${prediction.toFixed(2)}`;
  box.append(Object.assign(document.createElement("p"), { textContent: total }));
}

// Marks the inputs a failed request named (the error's detail lists each bad field), so a screen reader says
// which one is wrong and the first gets focus; the marks go with the next request.
function markInvalid(detail) {
  for (const input of $("form").querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
  const named = detail.map((p) => p.field && $(`f-${p.field}`)).filter(Boolean);
  for (const input of named) {
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "form-error");
  }
  named[0]?.focus();
}

// One request from a form: its button disabled until the answer (a double click sends it once), a failure
// shown in `errors` and handed to `failed`.
async function send(event, errors, work, failed = () => {}) {
  const button = event.submitter;
  if (button) button.disabled = true;
  try {
    await work();
  } catch (err) {
    errors.textContent = err.message;
    failed(err);
  } finally {
    if (button) button.disabled = false;
  }
}

async function predict(event) {
  event.preventDefault();
  $("form-error").textContent = "";
  $("result").hidden = true;  // an earlier answer must not stand beside this request's error
  markInvalid([]);
  const input = record();
  await send(event, $("form-error"), async () => {
    const response = await call("/predict?explain=true", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input),
    }).catch(async (err) => {
      if (!String(err.message).startsWith("explain:")) throw err;
      return call("/predict", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) });
    });
    const answer = await response.json();
    const value = answer.predictions[0];
    const score = $("score");
    score.textContent = value.toFixed(1);
    score.className = `score band-${band(value, meta.schema.target)}`;
    score.dataset.band = band(value, meta.schema.target);
    $("band").textContent = score.dataset.band;  // the band in words, not by colour alone
    $("interval").textContent = answer.intervals
      ? `${Math.round(100 * meta.interval.nominal)}% interval: ${answer.intervals[0][0].toFixed(1)} – ${answer.intervals[0][1].toFixed(1)}`
      : "";
    const note = rangeNote(value, meta.schema.target);
    $("range-note").textContent = note || "";
    $("range-note").hidden = !note;
    const summary = $("summary");
    summary.replaceChildren();
    for (const [k, v] of Object.entries(input)) {
      const tr = summary.insertRow();
      tr.insertCell().textContent = label(k);
      tr.insertCell().textContent = v ?? "(blank)";
    }
    showExplanation(answer.explanations && answer.explanations[0], value);
    $("result").hidden = false;
  }, (err) => markInvalid(err.detail || []));
}

async function scoreCsv(event) {
  event.preventDefault();
  $("csv-error").textContent = "";
  $("csv-status").textContent = "";
  const link = $("csv-download");
  link.hidden = true;
  if (link.href) URL.revokeObjectURL(link.href);
  const file = $("csv-file").files[0];
  if (!file) return;
  const body = new FormData();
  body.append("file", file, file.name);
  await send(event, $("csv-error"), async () => {
    const response = await call("/predict_csv", { method: "POST", body });
    const blob = await response.blob();
    link.href = URL.createObjectURL(blob);
    link.download = file.name.replace(/\.csv$/i, "") + "-scored.csv";
    link.hidden = false;
    const rows = Number(response.headers.get("X-Scorecast-Rows"));
    const invalid = Number(response.headers.get("X-Scorecast-Invalid-Rows"));
    $("csv-status").textContent = `${rows} rows: ${rows - invalid} scored, ${invalid} not scored` +
      (invalid ? " (the reasons are in the file's validation_error column)" : "");
  });
}

async function start() {
  try {
    meta = await (await call("/metadata")).json();
  } catch (err) {
    $("model").textContent = `cannot load the model: ${err.message}`;
    return;
  }
  $("model").textContent =
    `${meta.tag} · predicts ${meta.schema.target.name} · test R² ${meta.metrics.test.r2.toFixed(3)}`;
  const form = $("form");
  form.replaceChildren(...meta.schema.features.map(field));
  form.append(Object.assign(document.createElement("button"), { type: "submit", textContent: "Predict" }));
}

$("form").addEventListener("submit", predict);
$("csv-form").addEventListener("submit", scoreCsv);
$("auth").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("scorecast-key", $("api-key").value);
  $("auth").hidden = true;
  if (!meta) start();  // a key asked for mid-session keeps the form and what was typed in it
});
start();
