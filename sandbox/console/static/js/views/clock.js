// Clock & reset: the world clock (set, advance, speed, freeze: POST /_sandbox/clock), the
// world's seed and version (GET /_sandbox/health) and a reset with a confirmation.

import { api } from "../api.js";
import { currentClock, onClock, running, setClock, worldNow } from "../clock.js";
import { errorBox, fill, h, kstText, toast } from "../dom.js";

const STEPS = [["+1 min", "PT1M"], ["+10 min", "PT10M"], ["+1 h", "PT1H"], ["+1 day", "P1D"], ["−1 h", "-PT1H"]];

export async function mount(root) {
  const now = h("div", { class: "quote" }, h("span", { class: "price", "data-testid": "clock-now" }, "…"));
  const mode = h("span", { class: "badge info", "data-testid": "clock-mode" });
  const problem = h("div", {});
  const health = h("dl", { class: "kv", "data-testid": "health" });

  async function change(body, what) {
    try {
      setClock(await api("clock", { method: "POST", body }));
      fill(problem);
      toast(what);
    } catch (error) {
      fill(problem, errorBox(error, "clock-error"));
    }
  }

  function paint() {
    const clock = currentClock();
    const at = worldNow();
    if (!clock || at === null) return;
    now.firstChild.textContent = `${kstText(at)} KST`;
    fill(mode, clock.mode === "speed" ? `speed ×${clock.speed}` : clock.mode);
  }

  const setInput = h("input", { type: "text", size: 22, placeholder: "2026-11-24T09:00:00", "data-testid": "clock-set-input" });
  const advanceInput = h("input", { type: "text", size: 10, value: "PT1H", "data-testid": "clock-advance-input" });
  const speedInput = h("input", { type: "number", min: 0, step: "any", size: 6, value: "60", "data-testid": "clock-speed-input" });
  const submit = (fn) => (event) => { event.preventDefault(); fn(); };

  const confirmBox = h("div", { class: "row", hidden: true, "data-testid": "reset-confirm-box" },
    h("span", {}, "Rebuild the world from its seed? Custom users, orders, tokens and run-time scenarios are lost (the journal is kept)."),
    h("button", { class: "danger", "data-testid": "reset-confirm", onclick: reset }, "Yes, reset"),
    h("button", { "data-testid": "reset-cancel", onclick: () => { confirmBox.hidden = true; } }, "Cancel"));
  const resetResult = h("div", {});

  async function reset() {
    confirmBox.hidden = true;
    try {
      const answer = await api("reset", { method: "POST" });
      setClock(answer.clock);
      fill(resetResult, h("div", { class: "success", "data-testid": "reset-done" }, `World reset (seed ${answer.seed}).`));
    } catch (error) {
      fill(resetResult, errorBox(error));
    }
  }

  root.append(h("div", { class: "cols" },
    h("div", {},
      h("section", { class: "card" }, h("h2", {}, "World clock (KST)"), h("div", { class: "row" }, now, mode), problem,
        h("form", { class: "row", onsubmit: submit(() => change({ set: setInput.value.trim() }, "clock set")) },
          h("label", {}, "set to (ISO, naive = KST)", setInput), h("button", { type: "submit", class: "primary", "data-testid": "clock-set" }, "Set")),
        h("form", { class: "row", onsubmit: submit(() => change({ advance: advanceInput.value.trim() }, `advanced ${advanceInput.value.trim()}`)) },
          h("label", {}, "advance by (ISO duration)", advanceInput), h("button", { type: "submit", class: "primary", "data-testid": "clock-advance" }, "Advance"),
          STEPS.map(([label, step]) => h("button", { type: "button", "data-testid": `clock-step-${step}`, onclick: () => change({ advance: step }, `advanced ${step}`) }, label))),
        h("form", { class: "row", onsubmit: submit(() => change({ speed: Number(speedInput.value) }, `speed ×${speedInput.value}`)) },
          h("label", {}, "speed (virtual seconds per second)", speedInput), h("button", { type: "submit", class: "primary", "data-testid": "clock-speed" }, "Run"),
          h("button", { type: "button", "data-testid": "clock-freeze", onclick: () => change({ speed: 0 }, "clock frozen") }, "Freeze"),
          h("button", { type: "button", "data-testid": "clock-realtime", onclick: () => change({ speed: 1 }, "speed ×1") }, "×1")))),
    h("div", {},
      h("section", { class: "card" }, h("h2", {}, "World"), health),
      h("section", { class: "card" }, h("h2", {}, "Reset"),
        h("p", { class: "muted small" }, "Rebuilds the world from its seed: state, pre-seeded grants, the configured clock and the start-up scenarios."),
        h("button", { class: "danger", "data-testid": "reset", onclick: () => { confirmBox.hidden = false; } }, "Reset the world…"),
        confirmBox, resetResult))));

  const stop = onClock(paint);
  const timer = setInterval(() => running() && paint(), 1000);
  paint();
  try {
    const info = await api("health");
    fill(health, h("dt", {}, "seed"), h("dd", {}, info.seed), h("dt", {}, "version"), h("dd", {}, info.version),
      h("dt", {}, "operations"), h("dd", {}, info.operations), h("dt", {}, "status"), h("dd", {}, info.status));
    if (!currentClock()) setClock(info.clock);
  } catch (error) {
    fill(health, errorBox(error));
  }
  return () => { stop(); clearInterval(timer); };
}
