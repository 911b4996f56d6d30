// Scenarios: the library (activate with parameters), the active ones with their state and
// rule counters (deactivate one, or all). Refreshed live when a call meets a scenario.

import { api } from "../api.js";
import { debounce, errorBox, fill, h, isoText, toast } from "../dom.js";
import { on } from "../live.js";

/** A parameter's input value, typed like its default (numbers stay numbers). */
function typed(raw, fallback) {
  if (typeof fallback === "number" && raw.trim() !== "" && !Number.isNaN(Number(raw))) return Number(raw);
  if (typeof fallback === "boolean") return raw === "true";
  return raw;
}

export async function mount(root) {
  const activeBox = h("div", { "data-testid": "scenario-active" });
  const libraryBox = h("div", { "data-testid": "scenario-library" });
  const problem = h("div", {});

  async function load() {
    try {
      const { library, active } = await api("scenarios");
      fill(problem);
      renderActive(active);
      if (!libraryBox.childElementCount) renderLibrary(library);
    } catch (error) {
      fill(problem, errorBox(error));
    }
  }
  const refresh = debounce(load, 400);

  async function act(call, done) {
    try {
      const answer = await call();
      toast(done(answer));
      fill(problem);
    } catch (error) {
      fill(problem, errorBox(error, "scenario-error"));
    }
    load();
  }

  function renderActive(active) {
    const clear = h("button", { class: "danger", "data-testid": "scenarios-clear", disabled: !active.length,
      onclick: () => act(() => api("scenarios", { method: "DELETE" }), (a) => `deactivated ${a.deactivated.length}`) }, "Deactivate all");
    fill(activeBox, h("div", { class: "row" }, h("h2", {}, `Active (${active.length})`), h("span", { class: "spacer" }), clear),
      active.length ? null : h("p", { class: "empty" }, "No scenario is active: the sandbox behaves as documented."),
      active.map((s) => h("div", { class: "scenario-item", "data-testid": "active-scenario", "data-name": s.name },
        h("div", { class: "row" }, h("strong", {}, s.name), h("span", { class: "badge" }, s.origin),
          s.state ? h("span", { class: "badge info", "data-testid": "scenario-state" }, `state: ${typeof s.state === "string" ? s.state : JSON.stringify(s.state)}`) : null,
          h("span", { class: "muted small" }, `since ${isoText(s.activatedAt)}`), h("span", { class: "spacer" }),
          h("button", { "data-testid": `deactivate-${s.name}`,
            onclick: () => act(() => api(`scenarios/${encodeURIComponent(s.name)}`, { method: "DELETE" }), () => `${s.name} deactivated`) }, "Deactivate")),
        h("div", { class: "small mono" }, Object.entries(s.params || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("  ")),
        h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "rule"), h("th", { class: "num" }, "matched"), h("th", { class: "num" }, "applied"), h("th", { class: "num" }, "times"))),
          h("tbody", {}, (s.rules || []).map((r) => h("tr", { "data-testid": "scenario-rule" }, h("td", {}, r.name),
            h("td", { class: "num" }, r.matched), h("td", { class: "num" }, r.applied), h("td", { class: "num" }, r.times ?? "∞"))))))));
  }

  function renderLibrary(library) {
    fill(libraryBox, h("h2", {}, `Library (${library.length})`), library.map((s) => {
      const inputs = Object.entries(s.params || {}).map(([name, p]) => {
        const input = h("input", { name, value: String(p.default ?? ""), title: p.description || "", "data-testid": `param-${s.name}-${name}`, size: 14 });
        return { name, input, fallback: p.default, label: h("label", {}, name, input) };
      });
      const [headline, ...more] = (s.description || "").trim().split("\n\n");
      const form = h("form", { class: "row" }, inputs.map((i) => i.label),
        h("button", { type: "submit", class: "primary", "data-testid": `activate-${s.name}` }, "Activate"));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const params = Object.fromEntries(inputs.map((i) => [i.name, typed(i.input.value, i.fallback)]));
        act(() => api("scenarios", { method: "POST", body: { name: s.name, params } }), () => `${s.name} activated`);
      });
      return h("div", { class: "scenario-item", "data-testid": "library-scenario", "data-name": s.name },
        h("strong", {}, s.name), h("p", { class: "small" }, headline.replace(/\n/g, " ")),
        more.length ? h("details", { class: "small" }, h("summary", {}, "more"), h("p", {}, more.join("\n\n"))) : null,
        form);
    }));
  }

  root.append(problem, h("div", { class: "cols" }, h("section", { class: "card" }, activeBox), h("section", { class: "card" }, libraryBox)));
  const stops = [
    on("journal", (e) => { if ((e.scenario && e.scenario.length) || (e.operationId || "").startsWith("admin.scenario")) refresh(); }),
    on("reset", refresh), on("hello", refresh),
  ];
  await load();
  return () => { refresh.cancel(); stops.forEach((stop) => stop()); };
}
