// The console's shell: navigation without reloads, the live connection, the clock badge,
// and one module per view (views/<name>.js exporting mount(root) -> cleanup function).

import { currentClock, onClock, refreshClock, running, worldNow } from "./clock.js";
import { kstText, toast } from "./dom.js";
import { connect } from "./live.js";

const BASE = document.body.dataset.base.replace(/\/$/, "");
const root = document.getElementById("view");
let cleanup = null;
let mounting = 0;

function viewOf(pathname) {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : "";
  return rest.replace(/^\/+|\/+$/g, "") || "apps";
}

async function mount(view) {
  const ticket = ++mounting;
  if (cleanup) cleanup();
  cleanup = null;
  document.body.dataset.view = view;
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  root.replaceChildren();
  root.setAttribute("data-testid", `view-${view}`);
  try {
    const module = await import(`./views/${view}.js`);
    if (ticket !== mounting) return;
    cleanup = (await module.mount(root)) || null;
  } catch (error) {
    console.error(error);
    toast(`${view}: ${error.message}`, true);
  }
}

document.querySelector("nav").addEventListener("click", (event) => {
  const link = event.target.closest("a[data-view]");
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  if (link.dataset.view !== document.body.dataset.view) {
    history.pushState({}, "", link.href);
    mount(link.dataset.view);
  }
});
window.addEventListener("popstate", () => mount(viewOf(location.pathname)));

// the clock badge: the world clock in KST, ticking while the clock runs
const badge = document.querySelector("[data-testid=clock-badge]");
function paintClock() {
  const now = worldNow();
  const clock = currentClock();
  if (now !== null) {
    const mode = clock.mode === "speed" ? `×${clock.speed}` : clock.mode;
    badge.textContent = `${kstText(now)} KST · ${mode}`;
  }
}
onClock(paintClock);
setInterval(() => running() && paintClock(), 1000);

connect(document.querySelector("[data-testid=live-status]"));
refreshClock().catch((error) => toast(`clock: ${error.message}`, true));
mount(document.body.dataset.view || viewOf(location.pathname));
