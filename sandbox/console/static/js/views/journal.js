// Journal: the gateway's answers, newest first, filtered by operation, status, app and
// scenario (GET /_sandbox/requests); new entries arrive live (journal events); a click shows
// the full request and response (GET /_sandbox/requests/{id}).

import { api } from "../api.js";
import { errorBox, fill, h, isoText, pretty, statusBadge, table, tableRow } from "../dom.js";
import { on } from "../live.js";

const LIMIT = 300;

function matches(entry, filters) {
  if (!filters.admin && (entry.operationId || "").startsWith("admin.")) return false;
  if (filters.operation && entry.operationId !== filters.operation) return false;
  if (filters.status && String(entry.status) !== filters.status) return false;
  if (filters.app && entry.app !== filters.app) return false;
  if (filters.scenario && !(entry.scenario || []).some((s) => s.scenario === filters.scenario)) return false;
  return true;
}

const scenarioCell = (entry) => (entry.scenario || []).map((s) =>
  h("span", { class: "badge warn", title: s.actions.join(", ") }, `${s.scenario}/${s.rule}`));

export async function mount(root) {
  const filters = { operation: "", status: "", app: "", scenario: "", admin: false };
  const operation = h("input", { list: "journal-operations", placeholder: "operation id", "data-testid": "filter-operation", size: 28 });
  const operations = h("datalist", { id: "journal-operations" });
  const status = h("input", { placeholder: "status", size: 6, "data-testid": "filter-status", inputmode: "numeric" });
  const app = h("select", { "data-testid": "filter-app" }, h("option", { value: "" }, "any app"));
  const scenario = h("select", { "data-testid": "filter-scenario" }, h("option", { value: "" }, "any scenario"));
  const admin = h("input", { type: "checkbox", "data-testid": "filter-admin" });
  const listBox = h("div", { class: "scroll" });
  const detail = h("section", { class: "card", "data-testid": "journal-detail" }, h("h2", {}, "Request"),
    h("p", { class: "empty" }, "Click an entry to see its request and response."));
  let selected = null;
  let known = new Set();

  const columns = [
    { title: "id", value: (e) => h("code", { class: "small nowrap", title: e.id }, `#${Number(e.id.slice(4)) || e.id}`) },
    { title: "time", value: (e) => h("span", { class: "small nowrap" }, isoText(e.time).slice(11)) },
    { title: "request", value: (e) => h("span", { class: "small ellipsis", title: `${e.method} ${e.path}` }, `${e.method} ${e.path}`) },
    { title: "status", value: (e) => statusBadge(e.status) },
    { title: "operation · app", value: (e) => [h("code", { class: "small nowrap" }, e.operationId || "—"),
      e.app ? h("div", { class: "muted small nowrap" }, e.app) : null] },
    { title: "ms", value: (e) => e.latencyMs.toFixed(1), num: true },
    { title: "scenario", value: scenarioCell },
  ];
  const rowOptions = { rowTestid: "journal-row", onRow: (e, tr) => show(e, tr) };

  function readFilters() {
    Object.assign(filters, { operation: operation.value.trim(), status: status.value.trim(), app: app.value,
      scenario: scenario.value, admin: admin.checked });
  }

  async function load() {
    readFilters();
    try {
      const { requests } = await api("requests", { params: {
        limit: filters.admin ? LIMIT : 1000, operation: filters.operation, status: filters.status,
        app: filters.app, scenario: filters.scenario } });
      const rows = requests.filter((e) => matches(e, filters)).slice(0, LIMIT);
      known = new Set(rows.map((e) => e.id));
      for (const e of rows) if (e.operationId) remember(e.operationId);
      fill(listBox, table(columns, rows, { ...rowOptions, testid: "journal-table", empty: "no request matches", selected: (e) => e.id === selected }));
    } catch (error) {
      fill(listBox, errorBox(error));
    }
  }

  function remember(op) {
    if (![...operations.options].some((o) => o.value === op)) operations.append(h("option", { value: op }));
  }

  function arrived(entry) {
    if (entry.operationId) remember(entry.operationId);
    if (known.has(entry.id) || !matches(entry, filters)) return;
    const body = listBox.querySelector("tbody");
    if (!body) return;
    known.add(entry.id);
    body.querySelector("td.empty")?.parentElement.remove();
    const tr = tableRow(columns, entry, rowOptions);
    tr.classList.add("fresh");
    body.prepend(tr);
    while (body.children.length > LIMIT) body.lastElementChild.remove();
  }

  async function show(entry, tr) {
    selected = entry.id;
    for (const row of listBox.querySelectorAll("tr.selected")) row.classList.remove("selected");
    tr.classList.add("selected");
    fill(detail, h("h2", {}, entry.id), h("p", { class: "empty" }, "Loading…"));
    try {
      renderDetail(detail, await api(`requests/${encodeURIComponent(entry.id)}`));
    } catch (error) {
      fill(detail, h("h2", {}, entry.id), errorBox(error));
    }
  }

  const form = h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); load(); } },
    operation, operations, status, app, scenario, h("label", { class: "inline" }, admin, "admin calls"),
    h("button", { type: "submit", class: "primary", "data-testid": "filter-apply" }, "Filter"),
    h("button", { type: "button", onclick: () => { form.reset(); load(); } }, "Clear"));
  for (const el of [app, scenario, admin]) el.addEventListener("change", load);
  root.append(h("section", { class: "card" }, h("h2", {}, "Request journal (newest first, live)"), form),
    h("div", { class: "cols wide-left" }, h("section", { class: "card" }, listBox), detail));

  try {
    const [{ apps }, { library }] = await Promise.all([api("apps"), api("scenarios")]);
    app.append(...apps.map((a) => h("option", { value: a.name }, a.name)));
    scenario.append(...library.map((s) => h("option", { value: s.name }, s.name)));
  } catch (error) {
    listBox.append(errorBox(error));
  }
  const stops = [on("journal", arrived), on("hello", load)];
  await load();
  return () => stops.forEach((stop) => stop());
}

function part(title, lines, body) {
  return [h("h3", {}, title), h("pre", { class: "mono" }, lines.join("\n")),
    body && body.body ? h("pre", { "data-testid": `detail-${title.toLowerCase()}-body` },
      pretty(body.body) + (body.truncated ? `\n… (${body.size} bytes, cut)` : "")) : null];
}

function renderDetail(box, entry) {
  const request = entry.request || { headers: {}, query: "" };
  const response = entry.response || { headers: {} };
  const headers = (all) => Object.entries(all || {}).map(([k, v]) => `${k}: ${v}`);
  const rules = (entry.scenario || []).map((s) => h("li", {}, h("strong", {}, `${s.scenario} / ${s.rule}`), `: ${s.actions.join(", ")}`));
  const misses = (entry.nearMisses || []).map((s) => h("li", { class: "muted" }, `${s.scenario} / ${s.rule}: ${s.reason}`));
  fill(box,
    h("h2", {}, entry.id, " ", statusBadge(entry.status)),
    h("dl", { class: "kv" },
      h("dt", {}, "operation"), h("dd", {}, h("code", {}, entry.operationId || "—")),
      h("dt", {}, "app"), h("dd", {}, entry.app || "—"),
      h("dt", {}, "time"), h("dd", {}, isoText(entry.time)),
      h("dt", {}, "latency"), h("dd", {}, `${entry.latencyMs} ms${entry.delayMs ? ` (+${entry.delayMs} ms scenario delay)` : ""}`)),
    rules.length ? [h("h3", {}, "Scenario rules applied"), h("ul", { "data-testid": "detail-scenario" }, rules)] : null,
    misses.length ? [h("h3", {}, "Near misses"), h("ul", {}, misses)] : null,
    part("Request", [`${entry.method} ${entry.path}${request.query ? "?" + request.query : ""}`, ...headers(request.headers)], request),
    entry.response ? part("Response", [`HTTP ${response.status}`, ...headers(response.headers)], response)
      : h("p", { class: "muted" }, "No response: the connection was reset."));
}
