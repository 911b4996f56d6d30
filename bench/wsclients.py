"""WebSocket clients of bench/streaming.py: ``/ws`` subscribers and ``/ws_ksp``/``/ws_kdq``
readers on one asyncio loop, counting messages, bytes and the delivery lag of every message that
carries a trade time (receive time minus the real instant the trade was due)."""

from __future__ import annotations

import json
import time
from array import array
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from run import EMULATOR_APIKEY, percentile  # bench/ is the script's directory
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PRESETS = ("tick", "quote")
SETUP_TIMEOUT_S = 60.0
CLOSE_TIMEOUT_S = 2.0
KINDS = ("ws tick", "ws quote", "ws_ksp", "ws_kdq")


# --------------------------------------------------------------------------- counting

@dataclass
class Kind:
    """What one kind of message added up to inside the measured window."""

    name: str
    clients: int = 0
    frames: int = 0
    messages: int = 0
    bytes: int = 0
    lags_ms: array[float] = field(default_factory=lambda: array("d"))


@dataclass
class Window:
    """The measured window and the virtual-to-real mapping read from the world clock."""

    start: float = float("inf")  # real time (time.time()) of the clock reading
    end: float = float("inf")
    now0: float = 0.0  # virtual seconds since midnight (KST) at ``start``
    speed: float = 1.0

    def inside(self, t: float) -> bool:
        return self.start <= t < self.end

    def lag_ms(self, trd_tm: int, received: float) -> float | None:
        """Receive time minus the real instant the trade ``trd_tm`` (HHMMSScc) was due; None
        for a trade before the clock reading (snapshots, warm-up backlog) or a signal value."""
        hh, rest = divmod(trd_tm, 1_000_000)
        mm, rest = divmod(rest, 10_000)
        ss, cs = divmod(rest, 100)
        if hh > 23 or mm > 59 or ss > 59:
            return None
        virtual = hh * 3600 + mm * 60 + ss + cs / 100
        if virtual < self.now0:
            return None
        return (received - self.start - (virtual - self.now0) / self.speed) * 1000.0


@dataclass
class Tally:
    kinds: dict[str, Kind] = field(default_factory=lambda: {k: Kind(k) for k in KINDS})
    other_frames: int = 0  # replies, heartbeats inside the window
    heartbeats: int = 0
    error_replies: int = 0
    disconnects: list[str] = field(default_factory=list)


class ClientFailure(Exception):
    """A client could not connect or set up its session."""


# --------------------------------------------------------------------------- clients

def _rpc(request_id: int, method: str, params: dict[str, Any]) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})


def _on_ws_frame(raw: bytes, received: float, window: Window, tally: Tally) -> Any:
    message = json.loads(raw)
    if not window.inside(received):
        return message
    params = message.get("params") if message.get("method") == "push" else None
    kind = tally.kinds.get(f"ws {params.get('preset')}") if isinstance(params, dict) else None
    if kind is None or params is None:
        tally.other_frames += 1
        if message.get("method") == "heartbeat":
            tally.heartbeats += 1
        elif "error" in message:
            tally.error_replies += 1
        return message
    kind.frames += 1
    kind.messages += 1
    kind.bytes += len(raw)
    trd_tm = params.get("trdTm")
    if isinstance(trd_tm, int):
        lag = window.lag_ms(trd_tm, received)
        if lag is not None:
            kind.lags_ms.append(lag)
    return message


def _on_feed_frame(raw: bytes, received: float, window: Window, tally: Tally,
                   kind: Kind) -> Any:
    message = json.loads(raw)
    if not window.inside(received):
        return message
    if not isinstance(message, list):
        tally.other_frames += 1
        if isinstance(message, dict) and message.get("method") == "heartbeat":
            tally.heartbeats += 1
        elif isinstance(message, dict) and "error" in message:
            tally.error_replies += 1
        return message
    kind.frames += 1
    kind.messages += len(message)
    kind.bytes += len(raw)
    lags = kind.lags_ms
    for record in message:
        lag = window.lag_ms(int(record["trdTm"]), received)
        if lag is not None:
            lags.append(lag)
    return message


async def _expect_replies(ws: ClientConnection, ids: set[int], label: str,
                          on_frame: Callable[[bytes, float], Any]) -> None:
    """Read frames (counting the data ones) until every request in ``ids`` is answered ok."""
    while ids:
        raw = await ws.recv(decode=False)
        message = on_frame(raw, time.time())
        if isinstance(message, dict) and message.get("id") in ids:
            if "error" in message:
                raise ClientFailure(f"{label}: request {message['id']} answered "
                                    f"{message['error']}")
            ids.discard(message["id"])


async def _drain(ws: ClientConnection, on_frame: Callable[[bytes, float], Any]) -> None:
    while True:
        raw = await ws.recv(decode=False)
        on_frame(raw, time.time())


async def ws_client(url: str, number: int, issues: list[str], window: Window, tally: Tally,
                    ready: Callable[[], None], compression: str | None) -> None:
    label = f"/ws client {number}"

    def on_frame(raw: bytes, received: float) -> Any:
        return _on_ws_frame(raw, received, window, tally)

    async with _connect(url, compression) as ws:
        await ws.send(_rpc(1, "init", {"key": EMULATOR_APIKEY, "membername": f"bench {number}"}))
        await _expect_replies(ws, {1}, label, on_frame)
        ids: set[int] = set()
        for k, (code, preset) in enumerate((c, p) for c in issues for p in PRESETS):
            ids.add(k + 2)
            await ws.send(_rpc(k + 2, "subscribe", {"preset": preset, "isuSrtCd": code}))
        await _expect_replies(ws, ids, label, on_frame)
        ready()
        await _closed_is_counted(_drain(ws, on_frame), label, tally)


async def feed_reader(url: str, number: int, kind: Kind, window: Window, tally: Tally,
                      ready: Callable[[], None], compression: str | None) -> None:
    label = f"{url.rsplit('/', 1)[1]} reader {number}"

    def on_frame(raw: bytes, received: float) -> Any:
        return _on_feed_frame(raw, received, window, tally, kind)

    async with _connect(url, compression) as ws:
        await ws.send(_rpc(1, "init", {"key": EMULATOR_APIKEY, "membername": f"bench {number}"}))
        await _expect_replies(ws, {1}, label, on_frame)
        ready()
        await _closed_is_counted(_drain(ws, on_frame), label, tally)


def _connect(url: str, compression: str | None) -> connect:
    return connect(url, compression=compression, open_timeout=SETUP_TIMEOUT_S,
                   close_timeout=CLOSE_TIMEOUT_S, ping_interval=20, ping_timeout=60,
                   max_size=2**22)


async def _closed_is_counted(run: Awaitable[None], label: str, tally: Tally) -> None:
    try:
        await run
    except ConnectionClosed as exc:
        tally.disconnects.append(f"{label}: {exc}")



def lag_figures(lags: list[float]) -> dict[str, Any]:
    lags.sort()
    return {"lag_samples": len(lags), "p50_lag_ms": percentile(lags, 50),
            "p99_lag_ms": percentile(lags, 99), "max_lag_ms": round(lags[-1], 1) if lags else None}
