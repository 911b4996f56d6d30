// Small DOM helpers shared by the views: an element builder, tables, number and time formats.

/** h("div", {class: "card", "data-testid": "x", onclick: fn}, child, "text", [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "value") {
      el.value = value;
    } else if (name === "checked" || name === "disabled" || name === "selected") {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A table: columns are {title, value: row => text|Node, num?: bool}; options: testid,
 * rowTestid, onRow(row, tr), selected(row) => bool, empty text.
 */
export function table(columns, rows, options = {}) {
  const head = h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : null }, c.title)));
  const body = h("tbody");
  for (const row of rows) body.append(tableRow(columns, row, options));
  const el = h("table", { "data-testid": options.testid }, h("thead", {}, head), body);
  if (!rows.length && options.empty) {
    body.append(h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, options.empty)));
  }
  return el;
}

export function tableRow(columns, row, options = {}) {
  const tr = h("tr", { "data-testid": options.rowTestid, class: options.onRow ? "clickable" : null },
    columns.map((c) => h("td", { class: [c.num ? "num" : "", c.cls || ""].join(" ").trim() || null },
      c.value(row))));
  if (options.onRow) tr.addEventListener("click", () => options.onRow(row, tr));
  if (options.selected && options.selected(row)) tr.classList.add("selected");
  return tr;
}

const NUMBER = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 2 });

/** 1234567 -> "1,234,567"; null/undefined -> "" */
export function num(value) {
  if (value === null || value === undefined || value === "") return "";
  return typeof value === "number" ? NUMBER.format(value) : String(value);
}

/** "2026-11-24T10:00:00+09:00" -> "2026-11-24 10:00:00" (times are KST throughout). */
export function isoText(iso) {
  return iso ? iso.replace("T", " ").replace(/(\.\d+)?([+-]\d\d:\d\d|Z)$/, "") : "";
}

/** Epoch milliseconds -> "YYYY-MM-DD HH:MM:SS" in KST, whatever the browser's zone. */
export function kstText(ms) {
  const d = new Date(ms + 9 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A platform error (or any failure) as an element. */
export function errorBox(error, testid = "error") {
  const body = error && error.body;
  if (body && body.category !== undefined) {
    return h("div", { class: "error", "data-testid": testid, role: "alert" },
      h("strong", {}, `${error.status} ${body.category} ${body.code}: ${body.message}`),
      body.description ? h("div", {}, body.description) : null);
  }
  return h("div", { class: "error", "data-testid": testid, role: "alert" }, String(error && error.message || error));
}

/** A short-lived note in the corner. */
export function toast(text, bad = false) {
  const box = document.getElementById("toast");
  const note = h("div", { class: bad ? "note bad" : "note" }, text);
  box.append(note);
  setTimeout(() => note.remove(), 4000);
}

/** fn at most once per wait ms (the last call wins). */
export function debounce(fn, wait) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/** A badge for an HTTP status. */
export function statusBadge(status) {
  const kind = status === 0 || status >= 500 ? "bad" : status >= 400 ? "warn" : "ok";
  return h("span", { class: `badge ${kind}` }, status === 0 ? "reset" : String(status));
}

/** Pretty JSON if the text parses, else the text. */
export function pretty(text) {
  if (text === null || text === undefined) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
