"""The pieces of ``bench/soak.py`` besides its loop: the state-growing requests, the
WebSocket churn, the record counts and the in-process server with tracemalloc.

* ``state_group``: requests that add records on every call (admin tokens, OAuth refreshes
  through the token endpoint, custom users); the mixed families add orders, tokens and
  journal entries of their own;
* ``Churn``: a thread that opens a ``/ws`` session, subscribes to a tick and a quote,
  unsubscribes and closes, again and again (the hub must forget every session);
* ``counts_*``: the store's records per kind, from the SQLite state file (``--state``), from
  the admin API when it reports them, or from the world itself (in process);
* ``InProcess``: the emulator served by werkzeug in a thread of the soak's own process, so
  tracemalloc can say which lines hold the memory that grew.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from servers import call_json
from workload import F0995_KEY, F9999_KEY, Req, _json
from wrk import HOST

#: The seeded refresh token of app-f0995-sandbox (hwanny; auth.md §4.4): a refresh keeps it.
REFRESH_TOKEN = "1f58350a-7c99-4140-8352-ac741aa96adf"
F0995_SECRET = "6f6082006d81483da871da1bd82a93d7"
STATE_WEIGHT = 5  # the state group's share next to workload.MIX_WEIGHTS (100)


def state_group() -> list[Req]:
    """Requests that store something new on every call."""
    form = urlencode({"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN,
                      "client_id": F0995_KEY, "client_secret": F0995_SECRET,
                      "scope": "account"})
    return [
        Req("state", "state.admin_token", "POST", "/_sandbox/oauth/token",
            {"Content-Type": "application/json"},
            _json({"userId": "gildong", "apiKey": F9999_KEY})),
        Req("state", "state.oauth_refresh", "POST", "/auth/oauth/v3/token",
            {"Content-Type": "application/x-www-form-urlencoded"}, form),
        Req("state", "state.custom_user", "POST", "/_sandbox/users",
            {"Content-Type": "application/json"}, "{}"),
    ]


# --------------------------------------------------------------------------- WebSocket churn

class Churn(threading.Thread):
    """Open, subscribe, unsubscribe, close a ``/ws`` session in a loop until stopped."""

    def __init__(self, port: int, pause_s: float = 0.2) -> None:
        super().__init__(daemon=True, name="ws-churn")
        self.url = f"ws://{HOST}:{port}/ws"
        self.pause_s = pause_s
        self.cycles = 0
        self.errors: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.cycle()
                self.cycles += 1
            except Exception as exc:  # a failed cycle is reported, the soak goes on
                self.errors.append(f"{type(exc).__name__}: {exc}")
                if len(self.errors) > 100:
                    return
            self.halt.wait(self.pause_s)

    def cycle(self) -> None:
        from websockets.sync.client import connect

        with connect(self.url, open_timeout=10, close_timeout=5) as ws:
            for n, (method, params) in enumerate((
                    ("init", {"key": F9999_KEY, "membername": "bench soak"}),
                    ("subscribe", {"preset": "tick", "isuSrtCd": "005930"}),
                    ("subscribe", {"preset": "quote", "isuSrtCd": "000660"}),
                    ("unsubscribe", {"preset": "tick", "isuSrtCd": "005930"}),
                    ("unsubscribe", {"preset": "quote", "isuSrtCd": "000660"})), start=1):
                ws.send(json.dumps({"jsonrpc": "2.0", "id": n, "method": method,
                                    "params": params}))
                self._reply(ws, n)

    @staticmethod
    def _reply(ws: Any, wanted: int) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=10))
            if isinstance(message, dict) and message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"request {wanted} answered {message['error']}")
                return
        raise TimeoutError(f"no answer to request {wanted}")

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=15)


# --------------------------------------------------------------------------- record counts

def counts_from_file(path: Path) -> dict[str, int] | None:
    """Records per kind in a ``--state`` SQLite file (read-only; the server keeps writing)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as db:
            rows = db.execute("SELECT kind, n FROM record_count").fetchall()
    except sqlite3.Error:
        return None
    return {str(kind): int(n) for kind, n in sorted(rows)}


def counts_from_admin(port: int) -> dict[str, int] | None:
    """Records per kind from ``GET /_sandbox/health`` (``records``); None if it fails."""
    try:
        records = call_json(port, "GET", "/_sandbox/health", timeout=30)["records"]
        return {str(kind): int(n) for kind, n in sorted(records.items())}
    except Exception:
        return None


def counts_in_process(state: Any) -> dict[str, int]:
    """Records per kind of the world's store, plus the in-memory structures that grow with
    traffic outside it (users, journal, stream sessions)."""
    world, out = state.world, {}
    data = getattr(world.store, "_data", None)
    if isinstance(data, dict):
        out = {str(kind): len(records) for kind, records in sorted(data.items())}
    else:
        path = getattr(state.config, "state", None)
        out = (counts_from_file(Path(path)) or {}) if path else {}
    out["(ids.users)"] = len(world.ids.users)
    out["(journal)"] = len(state.journal.latest(10 ** 9))
    out["(stream sessions)"] = len(state.streams.sessions())
    return out


def store_kib(state: Any) -> dict[str, int]:
    """Approximate memory of the in-memory store per kind, KiB (key, JSON text, entry)."""
    data = getattr(state.world.store, "_data", None)
    if not isinstance(data, dict):
        return {}
    entry = sys.getsizeof((0, "")) + sys.getsizeof(0) + 32  # tuple, number, dict slot
    out = {}
    for kind, records in sorted(list(data.items())):  # copies: the server keeps writing
        out[str(kind)] = round(sum(sys.getsizeof(k) + sys.getsizeof(v[1]) + entry
                                   for k, v in list(records.items())) / 1024)
    return out


def journal_latency(port: int) -> dict[str, float]:
    """Server-side p50 latency (ms) per family over the journal's newest entries (the last
    second or so of traffic): which family slows down as the state grows."""
    try:
        entries = call_json(port, "GET", "/_sandbox/requests?limit=100000", timeout=30)
    except Exception:
        return {}
    by_family: dict[str, list[float]] = {}
    for entry in entries.get("requests", []):
        family = str(entry.get("operationId") or "-").split(".")[0]
        if isinstance(entry.get("latencyMs"), int | float):
            by_family.setdefault(family, []).append(float(entry["latencyMs"]))
    return {family: round(statistics.median(values), 2)
            for family, values in sorted(by_family.items())}


# --------------------------------------------------------------------------- in process

class InProcess:
    """The emulator (``create_app``) on werkzeug's threaded server in this process."""

    def __init__(self, port: int, clock: str, state_file: Path | None,
                 caps: dict[str, int]) -> None:
        from werkzeug.serving import make_server

        from sandbox.app import Config, create_app
        from sandbox.families.streaming.hub import StreamSettings
        from sandbox.world.world import Limits, WorldSettings

        config = Config(world=WorldSettings(seed=42, clock=clock), response_validation="off",
                        streams=StreamSettings(sessions_per_key=0),
                        state=None if state_file is None else str(state_file),
                        limits=Limits(**caps))
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log
        self.app = create_app(config)
        self.state = self.app.extensions["sandbox"]
        self.server = make_server(HOST, port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name="in-process-server")

    def __enter__(self) -> InProcess:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def trimmed_rss(rss: Any) -> float | None:
    """RSS after a full collection and glibc ``malloc_trim(0)`` (freed memory handed back to
    the system): what is left is live; the difference was retained by the allocator."""
    import ctypes
    import gc
    import os

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return float(rss(os.getpid()))


def top_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot,
               limit: int = 15) -> list[dict[str, Any]]:
    """Where the traced memory grew between two snapshots, summed by the innermost frame of
    the project (sandbox/, bench/) of each allocation: KiB, blocks, and the project frames
    (innermost first) of the largest allocation site there."""
    filters = [tracemalloc.Filter(False, tracemalloc.__file__),
               tracemalloc.Filter(False, "<frozen importlib._bootstrap>")]
    stats = after.filter_traces(filters).compare_to(before.filter_traces(filters),
                                                    "traceback")
    sites: dict[str, dict[str, Any]] = {}
    for stat in stats:
        frames = [f"{Path(f.filename).name}:{f.lineno}" for f in reversed(stat.traceback)
                  if "/sandbox/" in f.filename or "/bench/" in f.filename]
        site = frames[0] if frames else f"{stat.traceback[-1].filename}:" \
                                         f"{stat.traceback[-1].lineno}"
        entry = sites.setdefault(site, {"at": site, "kib": 0.0, "blocks": 0, "largest": 0,
                                        "project_frames": frames[:5]})
        entry["kib"] += stat.size_diff / 1024
        entry["blocks"] += stat.count_diff
        if abs(stat.size_diff) > entry["largest"]:
            entry["largest"], entry["project_frames"] = abs(stat.size_diff), frames[:5]
    ranked = sorted(sites.values(), key=lambda e: -abs(e["kib"]))[:limit]
    return [{"at": e["at"], "kib": round(e["kib"], 1), "blocks": e["blocks"],
             "project_frames": e["project_frames"]} for e in ranked]
