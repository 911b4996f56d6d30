"""The hub: every open session, what it follows, and the pump that turns the world clock into
pushes.

One pump thread wakes every ``tick_s`` seconds (real time) while anything is subscribed, reads
the world clock once, advances every :class:`~models.Topic` and :class:`~models.FeedCursor`,
encodes each message once and appends it to the outboxes of the sessions that follow it. It
never writes to a socket: each session's writer drains its own bounded
:class:`~outbox.Outbox`, so a slow client loses its own oldest data and nobody else's.

A frozen clock produces nothing but the subscription snapshots; ``--speed X`` makes the pump
cover X virtual seconds per real second. Everything under one lock: a subscription's snapshot
and the pushes after it can never cross.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.families.streaming import exceptions as exc
from sandbox.families.streaming import presets
from sandbox.families.streaming.models import FeedCursor, Feeds, Topic, Values
from sandbox.families.streaming.outbox import Outbox
from sandbox.families.streaming.pump import Pump
from sandbox.world.clock import monotonic
from sandbox.world.market.instruments import Instrument
from sandbox.world.world import World

if TYPE_CHECKING:
    from sandbox.families.streaming.session import Session

log = logging.getLogger("sandbox.streaming")

MARKETS = {"/ws_ksp": "kospi", "/ws_kdq": "kosdaq"}


@dataclass(frozen=True)
class StreamSettings:
    """Limits and pacing of the market WebSockets (CLI ``--stream-*``; ERRATA 32)."""

    max_subscriptions: int = 20  # per /ws session: 20 in the platform's sandbox, 200 in production
    sessions_per_key: int = 1  # initialised /ws sessions per API key (0 = no limit)
    max_sessions: int = 200  # open WebSockets of all channels (beyond: 13004, then close)
    queue_size: int = 2000  # frames waiting per session before the oldest data is dropped
    heartbeat_s: float = 30.0  # server heartbeat after this long without outgoing traffic
    tick_s: float = 0.02  # pump period, real seconds
    batch_size: int = 50  # records per /ws_ksp, /ws_kdq frame (streaming.md §5)
    replay_cap: int = 200  # changes per subscription per tick (the latest are kept)
    feed_cap: int = 5000  # trades per market feed per tick
    window_s: float = 60.0  # longest virtual gap replayed (besides 4 ticks at the clock speed)
    max_message_bytes: int = 65536  # incoming frames beyond this close the session (1009)


def dumps(message: Any) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


@dataclass(eq=False)
class Subscribers:
    """A topic and the sessions following it (with their ``change`` items)."""

    topic: Topic
    sessions: dict[Session, tuple[str, ...] | None] = field(default_factory=dict)


class Hub(Pump):
    name = "stream-pump"

    def __init__(self, world_of: Callable[[], World], settings: StreamSettings) -> None:
        super().__init__()
        self.world_of = world_of
        self.settings = settings
        self._due = monotonic()  # the next tick, at a fixed rate
        self._sessions: dict[int, Session] = {}
        self._ids = itertools.count(1)
        self._topics: dict[tuple[str, str], Subscribers] = {}
        self._feeds: dict[str, tuple[FeedCursor, set[Session]]] = {}
        self._builder = Feeds()
        self.ticks = 0
        self.pushed = 0

    # ------------------------------------------------------------------------------ sessions
    def open(self, session: Session) -> int:
        """Register a new connection; 13004 beyond ``max_sessions`` (or after shutdown)."""
        with self._lock:
            if self._stopped or len(self._sessions) >= self.settings.max_sessions:
                raise exc.SessionTaken(
                    f"{self.settings.max_sessions} WebSocket sessions are open; try again later")
            number = next(self._ids)
            self._sessions[number] = session
            return number

    def close(self, session: Session) -> None:
        """Forget a connection and everything it followed."""
        with self._lock:
            self._sessions.pop(session.number, None)
            for key in list(session.subscriptions):
                self._leave(session, key)
            for market, (_, readers) in list(self._feeds.items()):
                readers.discard(session)
                if not readers:
                    del self._feeds[market]

    def claim(self, session: Session) -> None:
        """One initialised ``/ws`` session per API key (ERRATA 32), unless configured off."""
        limit = self.settings.sessions_per_key
        with self._lock:
            if limit and session.channel == "/ws":
                others = [s for s in self._sessions.values() if s is not session
                          and s.channel == "/ws" and s.api_key == session.api_key]
                if len(others) >= limit:
                    raise exc.SessionTaken(f"this API key already has {len(others)} open /ws "
                                           f"session(s); close it first")
            session.initialised = True

    def sessions(self) -> list[Session]:
        with self._lock:
            return list(self._sessions.values())

    # ------------------------------------------------------------------------- subscriptions
    def subscribe(self, session: Session, preset: str, inst: Instrument,
                  items: tuple[str, ...] | None, reply: str | None) -> None:
        """Add (or renew) a subscription: queue ``reply`` (None for a notification) and then
        the snapshot push."""
        key = (preset, inst.code)
        with self._lock:
            world = self.world_of()
            subs = self._topics.get(key)
            if subs is None:
                subs = self._topics[key] = Subscribers(Topic(preset, inst))
                subs.topic.start(world, world.now())
            subs.sessions[session] = items
            assert subs.topic.last is not None
            if reply is not None:
                session.outbox.reply(reply)
            session.outbox.data([dumps(_push(preset, inst, None, subs.topic.last, items))])
            self._start()

    def unsubscribe(self, session: Session, key: tuple[str, str]) -> None:
        with self._lock:
            self._leave(session, key)

    def _leave(self, session: Session, key: tuple[str, str]) -> None:
        subs = self._topics.get(key)
        if subs is not None:
            subs.sessions.pop(session, None)
            if not subs.sessions:
                del self._topics[key]

    def join_feed(self, session: Session, market: str) -> None:
        """Start streaming every trade of ``market`` to ``session`` from the next tick."""
        with self._lock:
            cursor, readers = self._feeds.setdefault(market, (FeedCursor(market), set()))
            readers.add(session)
            world = self.world_of()
            if cursor.since is None:
                cursor.advance(world, self._builder, world.now(), timedelta(0), 0)
            self._start()

    # ----------------------------------------------------------------------------- the pump
    def busy(self) -> bool:
        return bool(self._topics or self._feeds)

    def pause(self) -> None:
        """A fixed rate of ``tick_s``, never a backlog of ticks (a subscribe wakes it early)."""
        with self._lock:
            self._due = max(self._due + self.settings.tick_s, monotonic())
            self._lock.wait(max(0.0, self._due - monotonic()))

    def pump(self) -> None:
        """One tick: every change since the last tick, to every follower."""
        with self._lock:
            world = self.world_of()
            now = world.now()
            speed = world.clock.state().speed
            window = timedelta(seconds=self.settings.window_s + 4 * self.settings.tick_s * speed)
            self.ticks += 1
            out: dict[Session, list[str]] = {}
            for (preset, _), subs in self._topics.items():
                changes = subs.topic.advance(world, now, window, self.settings.replay_cap)
                if changes:
                    self._fan_out(subs, preset, changes, out)
            for cursor, readers in self._feeds.values():
                records = cursor.advance(world, self._builder, now, window,
                                         self.settings.feed_cap)
                if records:
                    frames = _batches(records, self.settings.batch_size)
                    for session in readers:
                        out.setdefault(session, []).extend(frames)
            for session, texts in out.items():
                self.pushed += len(texts)
                session.outbox.data(texts)

    def _fan_out(self, subs: Subscribers, preset: str,
                 changes: list[tuple[Values | None, Values]],
                 out: dict[Session, list[str]]) -> None:
        inst = subs.topic.inst
        encoded: dict[tuple[str, ...] | None, list[str]] = {}
        for session, items in subs.sessions.items():
            texts = encoded.get(items)
            if texts is None:
                texts = encoded[items] = [
                    dumps(push) for before, after in changes
                    if (push := _push(preset, inst, before, after, items)) is not None]
            if texts:
                out.setdefault(session, []).extend(texts)

    def outboxes(self) -> list[Outbox]:
        return [session.outbox for session in self._sessions.values()]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"sessions": len(self._sessions), "topics": len(self._topics),
                    "feeds": sorted(self._feeds), "ticks": self.ticks, "pushed": self.pushed}


def _push(preset: str, inst: Instrument, before: Values | None, after: Values,
          items: tuple[str, ...] | None) -> dict[str, Any] | None:
    """The push notification of one transition (``change``: only the items that changed;
    None when none of them did)."""
    if items is not None:
        shown = {k: after[k] for k in items
                 if k != "isuSrtCd" and (before is None or before.get(k) != after[k])}
        if not shown and before is not None:
            return None
        after = shown
    return {"jsonrpc": "2.0", "method": "push",
            "params": presets.push_params(preset, inst, after)}


def _batches(records: list[Any], size: int) -> list[str]:
    """``/ws_ksp`` frames: bare arrays of at most ``size`` string-typed trade records."""
    rows = [{"isuSrtCd": r.code, "trdPrc": str(r.price), "trdVol": str(r.qty),
             "trdTm": f"{r.time:08d}"} for r in records]
    return [dumps(rows[i:i + size]) for i in range(0, len(rows), size)]
