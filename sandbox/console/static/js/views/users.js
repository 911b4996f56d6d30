// Users: portal users (search, paging), one user's CIs, accounts, links and holdings, and the
// "create custom user" form (POST /_sandbox/users).

import { api } from "../api.js";
import { errorBox, fill, h, num, table } from "../dom.js";

const PAGE = 20;

export async function mount(root) {
  const state = { q: "", origin: "", offset: 0, selected: null };
  const listBox = h("div", { class: "scroll" });
  const pager = h("div", { class: "row small" });
  const detail = h("section", { class: "card", "data-testid": "user-detail" },
    h("h2", {}, "User"), h("p", { class: "empty" }, "Pick a user in the list."));
  const search = h("input", { type: "search", placeholder: "id, name or CI", "data-testid": "users-search" });
  const origin = h("select", { "data-testid": "users-origin" },
    ["", "documented", "generated", "custom"].map((o) => h("option", { value: o }, o || "all origins")));
  const filters = h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); state.offset = 0; load(); } },
    search, origin, h("button", { type: "submit", class: "primary" }, "Search"));
  origin.addEventListener("change", () => { state.offset = 0; load(); });

  async function load() {
    state.q = search.value.trim();
    state.origin = origin.value;
    try {
      const page = await api("users", { params: { q: state.q, origin: state.origin, limit: PAGE, offset: state.offset } });
      fill(listBox, table([
        { title: "id", value: (u) => h("code", {}, u.id) },
        { title: "name", value: (u) => u.name },
        { title: "origin", value: (u) => h("span", { class: "badge" }, u.origin) },
        { title: "accounts", value: (u) => u.accounts.map((a) => `${a.broker} ${a.vtAccNo}`).join(", "), cls: "small" },
      ], page.users, {
        testid: "users-table", rowTestid: "user-row", empty: "no user matches",
        onRow: (u) => select(u.id), selected: (u) => u.id === state.selected,
      }));
      const last = Math.min(page.offset + page.users.length, page.total);
      fill(pager,
        h("span", { class: "muted", "data-testid": "users-count" }, `${page.total ? page.offset + 1 : 0}–${last} of ${num(page.total)}`),
        h("span", { class: "spacer" }),
        h("button", { disabled: page.offset === 0, "data-testid": "users-prev",
          onclick: () => { state.offset = Math.max(0, state.offset - PAGE); load(); } }, "‹ Prev"),
        h("button", { disabled: last >= page.total, "data-testid": "users-next",
          onclick: () => { state.offset += PAGE; load(); } }, "Next ›"));
    } catch (error) {
      fill(listBox, errorBox(error));
    }
  }

  async function select(id) {
    state.selected = id;
    for (const tr of listBox.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    fill(detail, h("h2", {}, id), h("p", { class: "empty" }, "Loading…"));
    try {
      renderUser(detail, await api(`users/${encodeURIComponent(id)}`));
    } catch (error) {
      fill(detail, h("h2", {}, id), errorBox(error));
    }
    load();
  }

  const form = createForm(async (created) => {
    search.value = created.id;
    origin.value = "";
    state.offset = 0;
    await select(created.id);
  });

  root.append(h("div", { class: "cols" },
    h("div", {},
      h("section", { class: "card" }, h("h2", {}, "Portal users"), filters, listBox, pager),
      form),
    detail));
  load();
  return null;
}

function renderUser(box, user) {
  const accounts = h("div", {});
  fill(box,
    h("h2", {}, `${user.name} `, h("code", {}, user.id), " ", h("span", { class: "badge" }, user.origin)),
    h("dl", { class: "kv" },
      h("dt", {}, "password"), h("dd", {}, h("code", {}, user.password)),
      h("dt", {}, "aliases"), h("dd", {}, (user.nameAliases || []).join(", ") || "—")),
    h("h3", {}, "CI"), h("code", { class: "break", "data-testid": "user-ci" }, user.ci),
    h("h3", {}, `Accounts (${user.accounts.length})`), accounts);
  if (!user.accounts.length) accounts.append(h("p", { class: "empty" }, "no virtual account"));
  for (const account of user.accounts) accounts.append(renderAccount(account));
}

function renderAccount(account) {
  const holdings = h("div", { "data-testid": "account-holdings" }, h("p", { class: "empty" }, "Loading holdings…"));
  const links = account.links.map((l) => h("span", {
    class: `badge ${l.state === "linked" ? "ok" : "warn"}`, title: `terms expire ${l.serviceTermsExpireDate}`,
  }, `${l.app}: ${l.state}`));
  api(`accounts/${account.vtAccNo}`).then((view) => fill(holdings, renderHoldings(view)))
    .catch((error) => fill(holdings, errorBox(error)));
  return h("div", { class: "card", "data-testid": "user-account" },
    h("div", { class: "row" }, h("strong", {}, account.broker), h("code", {}, account.vtAccNo),
      h("span", { class: "muted small" }, `${account.brokerCode} · ${account.alias} · real ${account.realAccNo}`),
      account.discarded ? h("span", { class: "badge bad" }, "discarded") : null),
    h("div", { class: "row small" }, links),
    holdings);
}

function renderHoldings(view) {
  return [
    h("dl", { class: "kv" },
      h("dt", {}, "cash D+0"), h("dd", {}, num(view.cash)), h("dt", {}, "D+2"), h("dd", {}, num(view.d2)),
      h("dt", {}, "valuation"), h("dd", {}, num(view.valuation)), h("dt", {}, "purchase"), h("dd", {}, num(view.purchase))),
    table([
      { title: "code", value: (p) => h("code", {}, p.code) },
      { title: "name", value: (p) => p.name },
      { title: "type", value: (p) => p.assetType },
      { title: "qty", value: (p) => num(p.qty), num: true },
      { title: "valuation", value: (p) => num(p.valuation), num: true },
      { title: "rate %", value: (p) => h("span", { class: p.earningRate >= 0 ? "up" : "down" }, num(p.earningRate)), num: true },
    ], view.positions, { testid: "holdings-table", rowTestid: "holding-row", empty: "no positions" }),
  ];
}

/** holdings text: one "CODE QTY [PRICE]" per line. */
function parseHoldings(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [code, qty, price] = line.split(/[\s,]+/);
    const holding = { code, qty: Number(qty) };
    if (price) holding.price = Number(price);
    return holding;
  });
}

function createForm(onCreated) {
  const result = h("div", {});
  const brokers = h("select", { name: "broker", "data-testid": "form-broker" });
  api("brokers").then(({ brokers: list }) => fill(brokers, list.map((b) =>
    h("option", { value: b.shortName, selected: b.shortName === "star" }, `${b.shortName} (${b.name})`))))
    .catch((error) => result.append(errorBox(error)));
  const field = (label, input) => h("label", {}, label, input);
  const form = h("form", { class: "stack", "data-testid": "user-form" },
    field("id", h("input", { name: "id", placeholder: "default qa + 6 digits", "data-testid": "form-id" })),
    field("name", h("input", { name: "name", placeholder: "e.g. 김테스트", "data-testid": "form-name" })),
    field("password", h("input", { name: "password", placeholder: "fintech123@", "data-testid": "form-password" })),
    field("broker", brokers),
    field("cash (KRW)", h("input", { name: "cash", type: "number", min: 0, value: "10000000", "data-testid": "form-cash" })),
    field("apps (names or keys, comma-separated)", h("input", { name: "apps", placeholder: "every account app", "data-testid": "form-apps" })),
    h("label", { class: "full" }, "holdings: one “code qty [price]” per line",
      h("textarea", { name: "holdings", rows: 3, placeholder: "005930 10\n000660 5 180000", "data-testid": "form-holdings" })),
    h("div", { class: "full row" }, h("button", { type: "submit", class: "primary", "data-testid": "form-submit" }, "Create custom user")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { accounts: [{ broker: data.get("broker"), cash: Number(data.get("cash") || 0), holdings: parseHoldings(data.get("holdings")) }] };
    for (const key of ["id", "name", "password"]) if (data.get(key).trim()) body[key] = data.get(key).trim();
    const apps = data.get("apps").split(",").map((a) => a.trim()).filter(Boolean);
    if (apps.length) body.apps = apps;
    fill(result);
    try {
      const created = await api("users", { method: "POST", body });
      fill(result, h("div", { class: "success", "data-testid": "user-created" },
        `Created ${created.id} (${created.name}), password ${created.password}: `,
        created.accounts.map((a) => `${a.broker} ${a.vtAccNo}`).join(", ")));
      await onCreated(created);
    } catch (error) {
      fill(result, errorBox(error, "form-error"));
    }
  });
  return h("section", { class: "card" }, h("h2", {}, "Create a custom user"),
    h("p", { class: "muted small" }, "QA users live until the next reset; holdings are bought three trading days before the clock."),
    form, result);
}
