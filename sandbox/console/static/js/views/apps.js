// Apps: the world's developer apps (keys, secrets, redirect URIs) and its brokers.

import { api } from "../api.js";
import { errorBox, h, table } from "../dom.js";

const list = (values) => (values || []).join(", ");

export async function mount(root) {
  const appsCard = h("section", { class: "card" }, h("h2", {}, "Apps"), h("p", { class: "empty" }, "Loading…"));
  const brokersCard = h("section", { class: "card" }, h("h2", {}, "Brokers"));
  root.append(appsCard, brokersCard);
  try {
    const [{ apps }, { brokers }] = await Promise.all([api("apps"), api("brokers")]);
    appsCard.replaceChildren(h("h2", {}, `Apps (${apps.length})`), h("div", { class: "scroll" }, table([
      { title: "name", value: (a) => h("strong", {}, a.name) },
      { title: "API key", value: (a) => h("code", { class: "break" }, a.apiKey) },
      { title: "secret", value: (a) => h("code", { class: "break" }, a.secret) },
      { title: "comId / srvId", value: (a) => `${a.comId} / ${a.srvId}` },
      { title: "redirect URIs", value: (a) => h("span", { class: "break small" }, list(a.redirectUris)) },
      { title: "scopes", value: (a) => list(a.scopes) },
      { title: "families", value: (a) => list(a.families) },
      { title: "discretionary", value: (a) => (a.discretionary ? h("span", { class: "badge info" }, "yes") : "") },
    ], apps, { testid: "apps-table", rowTestid: "app-row", empty: "no apps" })));
    brokersCard.replaceChildren(h("h2", {}, `Brokers (${brokers.length})`), h("div", { class: "scroll" }, table([
      { title: "short name", value: (b) => h("code", {}, b.shortName) },
      { title: "code", value: (b) => b.code },
      { title: "name", value: (b) => b.name },
      { title: "status", value: (b) => b.status },
      { title: "aliases", value: (b) => list(b.aliases) },
      { title: "max range (days)", value: (b) => b.maxRangeDays, num: true },
      { title: "page size", value: (b) => b.maxPageSize, num: true },
    ], brokers, { testid: "brokers-table", rowTestid: "broker-row" })));
  } catch (error) {
    appsCard.append(errorBox(error));
  }
  return null;
}
