// Market: search an instrument, its quote, today's chart up to the clock, the daily history
// and the order book (GET /_sandbox/market/instruments[/{code}]). Live: reloads on clock and
// reset events, and every few seconds while the world clock runs.

import { api } from "../api.js";
import { priceChart } from "../chart.js";
import { running } from "../clock.js";
import { debounce, errorBox, fill, h, isoText, num } from "../dom.js";
import { on } from "../live.js";

const REFRESH_MS = 3000;
const KIND = { stock: "주식", etf: "ETF", etn: "ETN", elw: "ELW", index: "지수", future: "선물", option: "옵션" };

export async function mount(root) {
  const params = new URLSearchParams(location.search);
  let code = params.get("code") || localStorage.getItem("console.market.code") || "005930";
  let loading = false;

  const input = h("input", { type: "search", placeholder: "code, ISIN or name (삼성, K1, K2FA001…)", "data-testid": "market-search", autocomplete: "off", size: 44 });
  const results = h("ul", { class: "results", "data-testid": "market-results", hidden: true });
  const header = h("div", { "data-testid": "market-quote" }, h("p", { class: "empty" }, "Loading…"));
  const problem = h("div", {});
  const intradayBox = h("div", { class: "chart", "data-testid": "chart-intraday" });
  const historyBox = h("div", { class: "chart", "data-testid": "chart-history" });
  const bookBox = h("div", { "data-testid": "order-book" });
  const intraday = priceChart(intradayBox, { height: 260 });
  const historyChart = priceChart(historyBox, { height: 240, band: true, dates: true });

  const find = debounce(async () => {
    const q = input.value.trim();
    if (!q) { results.hidden = true; return; }
    try {
      const found = await api("market/instruments", { params: { q, limit: 30 } });
      fill(results, found.instruments.map((i) => h("li", { "data-testid": "market-result", "data-code": i.code,
        onclick: () => { results.hidden = true; input.value = ""; choose(i.code); } },
      h("code", {}, i.code), h("span", {}, i.name), h("span", { class: "muted small" }, `${KIND[i.kind] || i.kind} · ${i.market}`))));
      if (!found.instruments.length) results.append(h("li", { class: "empty" }, "no instrument matches"));
      results.hidden = false;
    } catch (error) {
      fill(results, h("li", {}, errorBox(error)));
      results.hidden = false;
    }
  }, 200);
  input.addEventListener("input", find);
  input.addEventListener("keydown", (event) => {
    const first = results.querySelector("li[data-code]");
    if (event.key === "Enter" && first) { event.preventDefault(); first.click(); }
  });

  function choose(next) {
    code = next;
    localStorage.setItem("console.market.code", code);
    load();
  }

  async function load() {
    if (loading) return;
    loading = true;
    try {
      const view = await api(`market/instruments/${encodeURIComponent(code)}`, { params: { days: 60, cycle: 60 } });
      fill(problem);
      render(view);
    } catch (error) {
      fill(problem, errorBox(error));
    } finally {
      loading = false;
    }
  }

  function render(view) {
    const q = view.quote;
    const direction = q.change > 0 ? "up" : q.change < 0 ? "down" : "";
    const sign = q.change > 0 ? "▲" : q.change < 0 ? "▼" : "";
    fill(header,
      h("div", { class: "row" }, h("h2", {}, view.instrument.name, " ", h("code", {}, view.instrument.code)),
        h("span", { class: "badge" }, `${KIND[view.instrument.kind] || view.instrument.kind} · ${view.instrument.market}`),
        h("span", { class: "badge info", "data-testid": "market-phase" }, view.phase),
        h("span", { class: "spacer" }),
        h("span", { class: "muted small", "data-testid": "market-at" }, `at ${isoText(view.clock.now)} KST`)),
      h("div", { class: "quote" },
        h("span", { class: `price ${direction}`, "data-testid": "quote-price" }, num(q.price)),
        h("span", { class: direction, "data-testid": "quote-change" }, `${sign} ${num(Math.abs(q.change))} (${num(q.changeRate)}%)`),
        h("dl", { class: "kv" },
          h("dt", {}, "open"), h("dd", {}, num(q.open)), h("dt", {}, "high"), h("dd", {}, num(q.high)),
          h("dt", {}, "low"), h("dd", {}, num(q.low)), h("dt", {}, "base"), h("dd", {}, num(q.base)),
          h("dt", {}, "volume"), h("dd", {}, num(q.volume)), h("dt", {}, "last trade"), h("dd", {}, q.tradeTime || "—"),
          h("dt", {}, "limits"), h("dd", {}, q.upperLimit ? `${num(q.lowerLimit)} – ${num(q.upperLimit)}` : "—"),
          h("dt", {}, "bid / ask"), h("dd", {}, `${num(q.bid)} / ${num(q.ask)}`))));
    const bars = view.intraday.bars;
    intradayBox.dataset.points = String(bars.length);
    intradayBox.dataset.last = bars.length ? String(bars[bars.length - 1].close) : "";
    intraday.update(bars);
    const days = view.history;
    historyBox.dataset.points = String(days.length);
    historyChart.update(days);
    renderBook(view.book);
  }

  function renderBook(book) {
    if (!book) {
      fill(bookBox, h("p", { class: "empty" }, "Indices have no order book."));
      return;
    }
    const most = Math.max(1, ...book.asks.map((l) => l.qty), ...book.bids.map((l) => l.qty));
    const bar = (side, qty) => h("td", { class: `num bar ${side}` },
      h("span", { class: `fill ${side}`, style: `width:${(qty / most) * 100}%` }), qty ? num(qty) : "");
    const rows = [
      ...book.asks.slice().reverse().map((l) => h("tr", { "data-testid": "book-ask" }, bar("ask", l.qty), h("td", { class: "num ask" }, l.price ? num(l.price) : ""), h("td", {}))),
      ...book.bids.map((l) => h("tr", { "data-testid": "book-bid" }, h("td", {}), h("td", { class: "num bid" }, l.price ? num(l.price) : ""), bar("bid", l.qty))),
    ];
    fill(bookBox,
      h("table", { class: "book" }, h("thead", {}, h("tr", {}, h("th", { class: "num" }, "ask qty"), h("th", { class: "num" }, "price"), h("th", { class: "num" }, "bid qty"))),
        h("tbody", {}, rows)),
      h("p", { class: "muted small" }, `${book.phase} · ${book.time} · totals ask ${num(book.askTotal)} / bid ${num(book.bidTotal)}`,
        book.expectedPrice ? ` · expected ${num(book.expectedPrice)} × ${num(book.expectedVolume)}` : ""));
  }

  root.append(
    h("section", { class: "card" }, h("div", { class: "row" }, h("strong", {}, "Instrument"), input), results, problem, header),
    h("div", { class: "cols wide-left" },
      h("div", {},
        h("section", { class: "card" }, h("h2", {}, "Today, up to the clock (1-minute bars)"), intradayBox),
        h("section", { class: "card" }, h("h2", {}, "Daily history (60 trading days)"), historyBox)),
      h("section", { class: "card" }, h("h2", {}, "Order book"), bookBox)));

  const stops = [on("clock", load), on("reset", load), on("hello", load)];
  const timer = setInterval(() => { if (running() && !document.hidden) load(); }, REFRESH_MS);
  await load();
  return () => {
    clearInterval(timer);
    find.cancel();
    for (const stop of stops) stop();
    intraday.destroy();
    historyChart.destroy();
  };
}

