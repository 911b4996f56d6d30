// Price charts on the vendored uPlot (window.uPlot, MIT): times are shown in KST whatever the
// browser's time zone.

const KST = (ts) => window.uPlot.tzDate(new Date(ts * 1e3), "Asia/Seoul");

function width(el) {
  return Math.max(280, el.clientWidth || el.parentElement.clientWidth || 600);
}

/**
 * A chart of the price (a line; with band, a high/low band around it) over volume bars.
 * update(rows) takes {t, close, high, low, volume} objects, oldest first.
 * Returns {update(rows), destroy()}.
 */
export function priceChart(el, { height = 260, band = false, dates = false } = {}) {
  let plot = null;
  const observer = new ResizeObserver(() => plot && plot.setSize({ width: width(el), height }));
  observer.observe(el);

  function options() {
    const series = [{ label: dates ? "day" : "time" },
      { label: dates ? "close" : "price", stroke: "#1f6feb", width: 2, scale: "p" }];
    if (band) {
      series.push({ label: "high", stroke: "#d0312d66", width: 1, scale: "p", points: { show: false } },
        { label: "low", stroke: "#1e5fd866", width: 1, scale: "p", points: { show: false } });
    }
    series.push({ label: "volume", stroke: "#9aa7b4", fill: "#9aa7b455", scale: "v",
      paths: window.uPlot.paths.bars({ size: [0.6, 16] }), points: { show: false } });
    return {
      width: width(el), height, tzDate: KST, series,
      bands: band ? [{ series: [2, 3], fill: "#1f6feb14" }] : [],
      scales: { x: { time: true }, v: { range: (u, lo, hi) => [0, (hi || 1) * 4] } },
      axes: [{}, { scale: "p", size: 64 }, { scale: "v", show: false }],
      cursor: { drag: { x: true, y: false } },
    };
  }

  function columns(rows) {
    const data = [rows.map((r) => r.t), rows.map((r) => r.close)];
    if (band) data.push(rows.map((r) => r.high), rows.map((r) => r.low));
    data.push(rows.map((r) => r.volume));
    return data;
  }

  return {
    update(rows) {
      if (!plot) {
        el.replaceChildren();
        plot = new window.uPlot(options(), columns(rows), el);
      } else {
        plot.setData(columns(rows));
      }
    },
    destroy() {
      observer.disconnect();
      if (plot) plot.destroy();
      plot = null;
    },
  };
}
