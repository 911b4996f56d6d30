// Orders: an institution's order chains and the day's messages (GET /_sandbox/orders/{comId});
// new execution reports arrive live (order events) and are added at the top.

import { api } from "../api.js";
import { running } from "../clock.js";
import { debounce, errorBox, fill, h, num, table } from "../dom.js";
import { on } from "../live.js";

const SIDE = { 1: "buy", 2: "sell" };
const ORD_TYPE = { 1: "market", 2: "limit" };
const STATUS = { 0: "new", 1: "partially filled", 2: "filled", 4: "cancelled", 5: "replaced", 8: "rejected", C: "expired" };
const EXEC = { 0: "new", 4: "cancelled", 5: "replaced", 8: "rejected", F: "trade", C: "expired" };
const CATCH_UP_MS = 3000;

const statusBadge = (code) => h("span", {
  class: `badge ${code === "8" ? "bad" : code === "2" ? "ok" : code === "1" ? "info" : ""}`,
}, STATUS[code] || code);

function messageColumns() {
  const part = (m) => m.executionReport || m.orderCancelReject || {};
  return [
    { title: "seq", value: (m) => m.seqNo, num: true },
    { title: "sent (UTC)", value: (m) => h("span", { class: "mono small" }, m.sendingTime) },
    { title: "type", value: (m) => (m.msgType === "8" ? `report: ${EXEC[part(m).execType] || part(m).execType}` : "cancel reject") },
    { title: "clOrdID", value: (m) => h("code", { class: "small" }, part(m).clOrdID) },
    { title: "symbol", value: (m) => part(m).symbol },
    { title: "side", value: (m) => SIDE[part(m).side] || part(m).side || "" },
    { title: "status", value: (m) => (part(m).ordStatus ? statusBadge(part(m).ordStatus) : "") },
    { title: "last", value: (m) => (part(m).lastQty ? `${num(part(m).lastQty)} @ ${num(part(m).lastPx)}` : ""), num: true },
    { title: "cum / leaves", value: (m) => (part(m).cumQty !== undefined ? `${num(part(m).cumQty)} / ${num(part(m).leavesQty)}` : ""), num: true },
    { title: "text", value: (m) => part(m).text || part(m).cxlRejReason || "" },
  ];
}

const chainColumns = [
  { title: "clOrdID", value: (c) => h("code", { class: "small" }, c.clOrdID) },
  { title: "order no", value: (c) => h("code", {}, c.orderID || "") },
  { title: "account", value: (c) => `${c.broker} ${c.account}` },
  { title: "symbol", value: (c) => c.symbol },
  { title: "side", value: (c) => SIDE[c.side] || c.side },
  { title: "type", value: (c) => ORD_TYPE[c.ordType] || c.ordType },
  { title: "price", value: (c) => num(c.price), num: true },
  { title: "qty", value: (c) => num(c.orderQty), num: true },
  { title: "status", value: (c) => statusBadge(c.ordStatus) },
  { title: "filled", value: (c) => `${num(c.cumQty)} @ ${num(c.avgPx)}`, num: true },
  { title: "leaves", value: (c) => num(c.leavesQty), num: true },
];

export async function mount(root) {
  const chooser = h("select", { "data-testid": "orders-institution" });
  const date = h("input", { type: "text", placeholder: "YYYYMMDD (default: the clock's date)", pattern: "[0-9]{8}", size: 28, "data-testid": "orders-date" });
  const problem = h("div", {});
  const chainsBox = h("div", { class: "scroll" });
  const messagesBox = h("div", { class: "scroll" });
  const summary = h("span", { class: "muted small", "data-testid": "orders-summary" });
  let shown = { comId: null, date: null, seqNos: new Set() };

  async function load() {
    if (!chooser.value) return;
    try {
      const view = await api(`orders/${encodeURIComponent(chooser.value)}`, { params: { date: date.value.trim() } });
      fill(problem);
      shown = { comId: view.comId, date: view.date, seqNos: new Set(view.messages.map((m) => m.seqNo)) };
      fill(summary, `${view.comId} · ${view.date} · ${view.orders.length} orders · ${view.messages.length} messages`);
      fill(chainsBox, table(chainColumns, view.orders.slice().reverse(), { testid: "orders-chains", rowTestid: "order-chain", empty: "no orders" }));
      fill(messagesBox, table(messageColumns(), view.messages.slice().reverse(), { testid: "orders-messages", rowTestid: "order-message", empty: "no messages on this day" }));
    } catch (error) {
      fill(problem, errorBox(error));
    }
  }
  const reload = debounce(load, 300);

  function arrived(event) {
    if (event.comId !== shown.comId || event.date !== shown.date || shown.seqNos.has(event.message.seqNo)) return;
    shown.seqNos.add(event.message.seqNo);
    const body = messagesBox.querySelector("tbody");
    if (!body) return;
    body.querySelector("td.empty")?.parentElement.remove();
    const columns = messageColumns();
    const tr = h("tr", { "data-testid": "order-message", class: "fresh" }, columns.map((c) => h("td", { class: c.num ? "num" : null }, c.value(event.message))));
    body.prepend(tr);
    reload(); // the chains changed too
  }

  chooser.addEventListener("change", load);
  date.addEventListener("change", load);
  root.append(
    h("section", { class: "card" }, h("div", { class: "row" }, h("strong", {}, "Institution"), chooser, date,
      h("button", { onclick: load, "data-testid": "orders-refresh" }, "Refresh"), h("span", { class: "spacer" }), summary), problem),
    h("section", { class: "card" }, h("h2", {}, "Messages (execution reports, newest first, live)"), messagesBox),
    h("section", { class: "card" }, h("h2", {}, "Order chains"), chainsBox));

  try {
    const { apps } = await api("apps");
    const institutions = [...new Set(apps.filter((a) => a.discretionary).map((a) => a.comId))];
    fill(chooser, institutions.map((c) => h("option", { value: c }, c)));
  } catch (error) {
    fill(problem, errorBox(error));
  }
  const stops = [on("order", arrived), on("clock", reload), on("reset", reload), on("hello", reload)];
  // reading the orders makes resting orders catch up with a running clock (fills, expiries)
  const timer = setInterval(() => { if (running() && !document.hidden) load(); }, CATCH_UP_MS);
  await load();
  return () => {
    clearInterval(timer);
    reload.cancel();
    for (const stop of stops) stop();
  };
}
