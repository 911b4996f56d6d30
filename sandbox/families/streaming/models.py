"""What changed between two instants of the world clock, per subscription and per market feed.

A :class:`Topic` follows one (preset, issue) for every session subscribed to it: at each pump
tick it lists the instants in (last tick, now] where the preset's items can change (trades,
10-second book slots, session boundaries: the market model changes at no other instant),
reads the items there through :mod:`presets` (the REST builders) and keeps the transitions
whose items differ. A :class:`FeedCursor` does the same for a whole market's trades.

The clock can jump (``POST /_sandbox/clock``, a reset, a new day): when the gap since the last
tick is not contiguous — backwards, another day, or longer than ``window`` — nothing is
replayed and a subscription gets one push with the state at the new instant (if it differs),
a market feed resumes from the new instant. Within a contiguous gap, at most ``cap`` changes
per subscription (the latest) and ``cap`` trades per feed are kept per tick.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.families.streaming import presets
from sandbox.world.market import calendar as cal
from sandbox.world.market import feed as market_feed
from sandbox.world.market.instruments import Instrument
from sandbox.world.market.prices import Market
from sandbox.world.world import World

BOOK_SLOT = 10 * cal.CS_SECOND  # book quantities are redrawn every 10 s (snapshot.py)
Values = dict[str, Any]


def contiguous(since: datetime | None, until: datetime, window: timedelta) -> bool:
    return (since is not None and since < until and until - since <= window
            and cal.split_instant(since)[0] == cal.split_instant(until)[0])


def change_points(market: Market, inst: Instrument, preset: str, since: datetime,
                  until: datetime) -> list[int]:
    """Centiseconds of ``until``'s day in (since, until] (same day) where ``preset`` can change."""
    day, cs1 = cal.split_instant(until)
    cs0 = cal.split_instant(since)[1]
    n, cs, _ = market.resolve(inst, until)
    if cs != cs1 or cal.day_at(n) != day:  # not trading that day: nothing moves
        return []
    tape = market.tape(inst, n)
    times = tape.times
    points = set(times[bisect.bisect_right(times, cs0):bisect.bisect_right(times, cs1)])
    sched = tape.schedule
    points.update(b for b in (sched.pre_open, sched.open, sched.continuous_end, sched.close,
                              sched.post_close_end, sched.after_hours_end) if cs0 < b <= cs1)
    if preset not in presets.TRADE_PRESETS:
        first = max(cs0 // BOOK_SLOT + 1, -(-sched.pre_open // BOOK_SLOT))
        points.update(range(first * BOOK_SLOT, min(cs1, sched.end) + 1, BOOK_SLOT))
    return sorted(points)


@dataclass
class Topic:
    """One (preset, issue) and its last evaluated state."""

    preset: str
    inst: Instrument
    since: datetime | None = None
    last: Values | None = None

    def start(self, world: World, at: datetime) -> Values:
        """The state at ``at`` (the snapshot of a first subscriber)."""
        self.since, self.last = at, presets.values(world, self.inst, self.preset, at)
        return self.last

    def advance(self, world: World, until: datetime, window: timedelta,
                cap: int) -> list[tuple[Values | None, Values]]:
        """``(previous, new)`` item transitions in (since, until], oldest first."""
        if self.since is not None and until == self.since:
            return []
        if contiguous(self.since, until, window):
            assert self.since is not None
            day = cal.split_instant(until)[0]
            points = change_points(world.market, self.inst, self.preset, self.since, until)
            instants = [cal.instant(day, p) for p in points[-cap:]]
        else:
            instants = [until]
        self.since = until
        out: list[tuple[Values | None, Values]] = []
        for at in instants:
            values = presets.values(world, self.inst, self.preset, at)
            if values != self.last:
                out.append((self.last, values))
                self.last = values
        return out


class Feeds:
    """Market feeds built on a background thread (about a second for KOSPI), so the pump never
    waits: :meth:`get` answers None until the day's feed is ready. Keeps the last few."""

    def __init__(self, keep: int = 4) -> None:
        self._lock = threading.Lock()
        # keyed by the Market object: a world's market events give it another one
        self._ready: dict[tuple[Market, str, date], market_feed.DayFeed] = {}
        self._building: set[tuple[Market, str, date]] = set()
        self._keep = keep

    def get(self, world: World, market: str, day: date) -> market_feed.DayFeed | None:
        key = (world.market, market, day)
        with self._lock:
            found = self._ready.get(key)
            if found is not None or key in self._building:
                return found
            self._building.add(key)
        threading.Thread(target=self._build, args=(world, key), daemon=True,
                         name=f"feed-{market}-{day.isoformat()}").start()
        return None

    def _build(self, world: World, key: tuple[Market, str, date]) -> None:
        try:
            built = market_feed.build(key[0], world.universe, key[1], key[2])
        finally:
            with self._lock:
                self._building.discard(key)
        with self._lock:
            while len(self._ready) >= self._keep:
                self._ready.pop(next(iter(self._ready)))
            self._ready[key] = built


@dataclass
class FeedCursor:
    """A market's trades already handed out (``/ws_ksp``, ``/ws_kdq``)."""

    market: str
    since: datetime | None = None
    feed: market_feed.DayFeed | None = None
    done: int = 0  # records of ``feed`` already handed out
    skipped: int = 0  # records beyond the per-tick cap

    def advance(self, world: World, feeds: Feeds, until: datetime, window: timedelta,
                cap: int) -> list[market_feed.Record]:
        """The trades in (since, until], oldest first (none after a jump of the clock; none
        yet while the day's feed is being built: they follow once it is)."""
        if self.since is not None and until == self.since:
            return []
        day, cs = cal.split_instant(until)
        jump = not contiguous(self.since, until, window)
        if self.feed is None or self.feed.day != day:
            feed = feeds.get(world, self.market, day)
            if feed is None:
                if self.since is None or jump:
                    self.since = until
                return []
            since_day, since_cs = cal.split_instant(self.since) if self.since else (None, 0)
            self.done = feed.upto(since_cs) if since_day == day else 0  # resume where we were
            self.feed = feed
        stop = self.feed.upto(cs)
        start = stop if jump else min(self.done, stop)
        if stop - start > cap:
            self.skipped += stop - start - cap
            start = stop - cap
        self.since, self.done = until, stop
        return self.feed.records(start, stop)
