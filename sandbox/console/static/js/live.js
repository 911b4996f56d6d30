// The admin event stream (GET /_sandbox/events, server-sent events) shared by every view.
// EventSource reconnects by itself with Last-Event-ID, so nothing the server still holds is
// missed when the server ends a stream at its timeout.

const KINDS = ["hello", "journal", "order", "clock", "reset", "bye"];
const listeners = new Map(KINDS.map((kind) => [kind, new Set()]));
let source = null;
let statusEl = null;

function setState(state) {
  if (statusEl) {
    statusEl.dataset.state = state;
    statusEl.title = `event stream: ${state}`;
  }
}

/** Open the stream once; status (an element) shows whether it is connected. */
export function connect(status) {
  statusEl = status;
  if (source) return;
  source = new EventSource("/_sandbox/events?timeout=600");
  source.onopen = () => setState("open");
  source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "error" : "connecting");
  for (const kind of KINDS) {
    source.addEventListener(kind, (event) => {
      const data = JSON.parse(event.data);
      for (const fn of listeners.get(kind)) fn(data, event);
    });
  }
}

/** on("journal", fn) -> a function that removes the listener. */
export function on(kind, fn) {
  listeners.get(kind).add(fn);
  return () => listeners.get(kind).delete(fn);
}
