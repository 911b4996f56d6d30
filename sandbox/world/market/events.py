"""Market events: trading halts, limit locks and price shocks laid over the simulated market.

Scenario rules (and tests) add events to a world; the world's market then shows them on
every surface that reads ``world.market``: REST quotes, books, trades, intraday bars and daily
history, the master's ``haltYn``, the WebSocket streams, order matching and the valuations
of balances. Events live in the world's store (kind ``market_event``, JSON records keyed by a
zero-padded sequence number, so insertion order survives any store), and a reset clears them.

    add(world, MarketEvent("halt", "005930", start))       # until the end of start's day
    add(world, MarketEvent("shock", "K1", start, percent=-8.5, source="crash"))
    resume(world, "005930", at)                            # ends every open event of 005930
    remove(world, "crash")                                 # the scenario was deactivated

Semantics (``start`` inclusive, ``end`` exclusive; naive datetimes are KST; ``end`` None = the
end of start's KST calendar day, i.e. after every session of that trading day):

* **halt** (issues only): no trade prints in the window. Quotes show the last trade before
  ``start`` (with the session signals as usual) and no best bid/ask; the book is *empty*
  (every level 0, no expected match) while the halt lasts; the master's ``haltYn`` is ``Y``.
  Trades after the window print again; running volume and value are recomputed without the
  removed trades, so they stay monotone. A day whose closing auction is halted has no
  closing price and closes at its last print; a day without any print keeps the previous
  close as its open/high/low/close with volume 0 (shown in history once the day is over).
* **limit_up** / **limit_down** (issues only): every trade of the window prints at the day's
  upper/lower limit (the quote's ``upper_limit``/``lower_limit``: the first step for
  derivatives), so the change code shows 1/4 and highs/lows follow. A locked trade is
  seller-initiated at the upper limit and buyer-initiated at the lower one (the bid wall is
  hit, the ask wall lifted), which empties the other side of a stock's book. Orders: buys do
  not fill while locked up (no sellers), sells do not fill while locked down.
* **shock**: every price of the window is multiplied by ``1 + percent/100``, put on the tick
  grid and clamped into the day's limits (indices: rounded to 0.01 point, no limits).
  ``percent`` is in (-100, 1000] and not 0. Works on issues and indices.
* Several events on one code compose in insertion order (a shock after a limit lock moves
  the locked price; a lock after a shock pins it again).
* The summary (open/high/low/close/volume/value) of an affected day is derived from the
  modified tape, so history, intraday bars, trades, quotes and the running bar agree.
  **Events last for their day**: later days follow the model as before, their ``basPrc`` is
  the model's previous close, not the modified one.

Where the emulator differs: derivatives do not follow a shocked underlying (and an index
shock moves no constituent), index-derived tables (constituent totals, investor flows) keep
the model's figures, the partner services and the generated account histories read the
plain model, and the 06:30 master batch shows ``haltYn`` at the request's instant.

Implementation: :class:`EventMarket` is a :class:`~sandbox.world.market.prices.Market` that
shares the plain market's daily model caches and tapes and rebuilds only the tapes of the
(issue, day) pairs an event touches; ``World.market`` returns the plain shared market while
the world has no events (the very same object), else an EventMarket cached per world and
events version (rebuilt when the events change).
"""

from __future__ import annotations

import bisect
import math
import threading
import weakref
from array import array
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from operator import mul
from typing import TYPE_CHECKING, Any, NamedTuple

from sandbox.world.market import calendar as cal
from sandbox.world.market import rules
from sandbox.world.market.daily import DailyModel, DaySummary, krw_value
from sandbox.world.market.instruments import FUTURE, INDEX, OPTION, Instrument
from sandbox.world.market.noise import BoundedCache
from sandbox.world.market.prices import Book, Market, Quote
from sandbox.world.market.snapshot import close_of
from sandbox.world.market.tape import CLOSE_AUCTION, Tape
from sandbox.world.store import CapacityError

if TYPE_CHECKING:
    from sandbox.world.world import World

__all__ = ["KINDS", "EventMarket", "MarketEvent", "MarketEventError", "active", "add",
           "all_events", "halted", "locked", "market_for", "remove", "resume", "validate"]

HALT, LIMIT_UP, LIMIT_DOWN, SHOCK = "halt", "limit_up", "limit_down", "shock"
KINDS = (HALT, LIMIT_UP, LIMIT_DOWN, SHOCK)
KIND = "market_event"  # store kind of the events; key: the sequence number, 10 digits
META, META_KEY = "market_event_meta", "state"  # {"version": int, "count": int}
MAX_SHOCK = 1000.0  # percent
CS_END = cal.CS_DAY + 1  # past every trade of a day


@dataclass(frozen=True)
class MarketEvent:
    """One event on an issue or an index (see the module docstring)."""

    kind: str  # "halt" | "limit_up" | "limit_down" | "shock"
    code: str  # instrument short code (005930, 101N6000 ...) or index code (K1)
    start: datetime  # KST instant it takes effect
    end: datetime | None = None  # None: until the end of start's trading day
    percent: float = 0.0  # shock size in percent (e.g. -8.5)
    source: str = ""  # who added it (a scenario name); "" = admin/other


class MarketEventError(ValueError):
    """An event that cannot apply: unknown kind or code, halt/limit on an index, bad
    percent, or an end not after the start."""


# ----------------------------------------------------------------------------- the store
def _instrument(world: World, code: str) -> Instrument:
    inst = world.universe.get(str(code).strip())
    if inst is None:
        raise MarketEventError(f"unknown instrument or index code {code!r}")
    return inst


def validate(world: World, kind: str, code: str, percent: float = 0.0) -> str:
    """The canonical short code of an event's target (an ISIN names its issue), or raise
    :class:`MarketEventError`."""
    if kind not in KINDS:
        raise MarketEventError(f"unknown market event {kind!r} (one of {', '.join(KINDS)})")
    inst = _instrument(world, code)
    if inst.kind == INDEX and kind != SHOCK:
        raise MarketEventError(f"{kind} applies to issues, not to the index {inst.code}")
    if kind == SHOCK:
        if not (isinstance(percent, int | float) and math.isfinite(percent)
                and -100.0 < percent <= MAX_SHOCK and percent != 0):
            raise MarketEventError(f"a shock's percent must be in (-100, {MAX_SHOCK:g}] and "
                                   f"not 0, not {percent!r}")
    elif percent:
        raise MarketEventError(f"percent is for shocks only, not for {kind}")
    return inst.code


def _end_of(event: MarketEvent) -> datetime:
    """The exclusive end: ``end``, or midnight after start's KST day."""
    if event.end is not None:
        return cal.kst(event.end)
    return datetime.combine(cal.kst(event.start).date() + timedelta(days=1), time(0), cal.KST)


def _in_force(event: MarketEvent, at: datetime) -> bool:
    return cal.kst(event.start) <= at < _end_of(event)


def _record(event: MarketEvent) -> dict[str, Any]:
    return {"kind": event.kind, "code": event.code, "start": cal.kst(event.start).isoformat(),
            "end": None if event.end is None else cal.kst(event.end).isoformat(),
            "percent": float(event.percent), "source": event.source}


def _event(record: dict[str, Any]) -> MarketEvent:
    end = record["end"]
    return MarketEvent(record["kind"], record["code"], datetime.fromisoformat(record["start"]),
                       None if end is None else datetime.fromisoformat(end),
                       float(record["percent"]), record["source"])


def _bump(world: World, added: int) -> int:
    """Count ``added`` more events and move the version on; returns the new version."""
    meta = world.store.get(META, META_KEY) or {"version": 0, "count": 0}
    meta["version"] += 1
    meta["count"] += added
    world.store.put(META, META_KEY, meta)
    return int(meta["version"])


def add(world: World, event: MarketEvent) -> None:
    """Validate ``event`` and store it (canonical code, KST instants)."""
    code = validate(world, event.kind, event.code, event.percent)
    event = replace(event, code=code, start=cal.kst(event.start),
                    end=None if event.end is None else cal.kst(event.end))
    if event.end is not None and event.end <= event.start:
        raise MarketEventError(f"end {event.end.isoformat()} is not after start "
                               f"{event.start.isoformat()}")
    with world.store.transaction():
        if world.store.count(KIND) >= world.limits.market_events:  # 503 (--cap)
            raise CapacityError("market events", world.limits.market_events, "market_events")
        version = _bump(world, 1)
        world.store.put(KIND, f"{version:010d}", _record(event))


def _scan(world: World) -> list[tuple[str, MarketEvent]]:
    return [(key, _event(rec)) for key, rec in sorted(world.store.scan(KIND))]


def all_events(world: World) -> list[MarketEvent]:
    """Every stored event (ended ones included), in insertion order."""
    return [event for _, event in _scan(world)]


def resume(world: World, code: str, at: datetime) -> int:
    """End every event of ``code`` in force at ``at`` (halts, locks and shocks) at ``at``;
    returns how many. Events scheduled to start later are kept."""
    code, at = _instrument(world, code).code, cal.kst(at)
    ended = 0
    with world.store.transaction():
        for key, event in _scan(world):
            if event.code == code and _in_force(event, at):
                world.store.put(KIND, key, _record(replace(event, end=at)))
                ended += 1
        if ended:
            _bump(world, 0)
    return ended


def remove(world: World, source: str) -> int:
    """Delete the events ``source`` added (a scenario deactivated); returns how many."""
    removed = 0
    with world.store.transaction():
        for key, event in _scan(world):
            if event.source == source:
                world.store.delete(KIND, key)
                removed += 1
        if removed:
            _bump(world, -removed)
    return removed


def _events(world: World) -> tuple[MarketEvent, ...]:
    market = market_for(world)
    return market.events if isinstance(market, EventMarket) else ()


def active(world: World, at: datetime) -> list[MarketEvent]:
    """The events in force at ``at``, in insertion order."""
    at = cal.kst(at)
    return [event for event in _events(world) if _in_force(event, at)]


def _short(world: World, market: EventMarket, code: str) -> str:
    """``code`` as the events name it (an ISIN or a padded code: its short code)."""
    if code in market.codes:
        return code
    inst = world.universe.get(str(code).strip())
    return inst.code if inst is not None else code


def halted(world: World, code: str, at: datetime) -> bool:
    """True while a halt of ``code`` is in force at ``at``."""
    market = market_for(world)
    return isinstance(market, EventMarket) and market.halted(_short(world, market, code), at)


def locked(world: World, code: str, at: datetime) -> int:
    """+1 while ``code`` is locked at its upper limit at ``at``, -1 at its lower, else 0."""
    market = market_for(world)
    if not isinstance(market, EventMarket):
        return 0
    return market.locked(_short(world, market, code), at)


# ------------------------------------------------------------------------ world.market
_MARKETS: weakref.WeakKeyDictionary[World, tuple[int, EventMarket]] = \
    weakref.WeakKeyDictionary()
_MARKETS_LOCK = threading.Lock()


def market_for(world: World) -> Market:
    """``World.market``: the shared market of the seed while the world has no events (the
    very same object), else an :class:`EventMarket` built once per events version."""
    from sandbox.world.world import market_of

    base = market_of(world.seed)
    meta = world.store.get(META, META_KEY)
    if meta is None or not meta["count"]:
        return base
    version = int(meta["version"])
    with _MARKETS_LOCK:
        found = _MARKETS.get(world)
    if found is not None and found[0] == version and found[1].base is base:
        return found[1]
    market = EventMarket(base, tuple(all_events(world)))
    with _MARKETS_LOCK:
        _MARKETS[world] = (version, market)
    return market


# ------------------------------------------------------------------------ event market
class Span(NamedTuple):
    """An event's part of one day: centiseconds [lo, hi)."""

    kind: str
    percent: float
    lo: int
    hi: int


def _cs_ceil(at: datetime) -> tuple[date, int]:
    """``(KST day, first centisecond at or after at)``: a trade at ``t`` is at or after
    ``at`` exactly when ``t`` is at least this."""
    day, cs = cal.split_instant(at)
    return day, cs + (1 if cal.kst(at).microsecond % 10_000 else 0)


def _span(event: MarketEvent, day: date) -> Span | None:
    d0, lo = _cs_ceil(event.start)
    d1, hi = _cs_ceil(_end_of(event))
    if not d0 <= day <= d1:
        return None
    lo, hi = (lo if day == d0 else 0), (hi if day == d1 else CS_END)
    return Span(event.kind, event.percent, lo, hi) if lo < hi else None


class EventModel(DailyModel):
    """The daily model of an :class:`EventMarket`: the plain model's summaries (and caches,
    shared), those of the days events touch derived from their modified tapes."""

    def __init__(self, base: DailyModel, market: EventMarket) -> None:
        self.__dict__.update(base.__dict__)  # the same caches, factors and lookups
        self._base = base
        self._market = market

    def summary(self, inst: Instrument, n: int) -> DaySummary | None:
        return self._market.day_summary(inst, n)

    def summaries(self, inst: Instrument, n0: int, n1: int) -> list[DaySummary]:
        rows = self._base.summaries(inst, n0, n1)
        if inst.code not in self._market.codes:
            return rows
        return [s if not self._market.spans(inst.code, s.n) else self._market.summarize(inst, s.n)
                for s in rows]


class EventMarket(Market):
    """A :class:`Market` with market events laid over it (see the module docstring).

    Shares the plain market's model caches and tapes; only the tapes of (issue, day) pairs
    that an event touches are rebuilt (from the plain tape) and kept in a small cache of its
    own. Never builds its base's caches from modified data.
    """

    def __init__(self, base: Market, events: tuple[MarketEvent, ...]) -> None:
        # no Market.__init__: everything below is shared with ``base``
        self.seed = base.seed
        self.base = base
        self.events = events
        self._tapes = base._tapes
        self._patched: BoundedCache[tuple[str, int], Tape] = BoundedCache(1024)
        by_code: dict[str, list[MarketEvent]] = {}
        for event in events:
            by_code.setdefault(event.code, []).append(event)
        self._by_code = {code: tuple(found) for code, found in by_code.items()}
        self.codes = frozenset(self._by_code)
        self.model = EventModel(base.model, self)

    # ------------------------------------------------------------------------ state
    def halted(self, code: str, at: datetime) -> bool:
        at = cal.kst(at)
        return any(e.kind == HALT and _in_force(e, at) for e in self._by_code.get(code, ()))

    def locked(self, code: str, at: datetime) -> int:
        """+1 locked at the upper limit, -1 at the lower, 0 free (the last lock or shock in
        force decides)."""
        at, state = cal.kst(at), 0
        for e in self._by_code.get(code, ()):
            if e.kind != HALT and _in_force(e, at):
                state = {LIMIT_UP: 1, LIMIT_DOWN: -1}.get(e.kind, 0)
        return state

    def spans(self, code: str, n: int) -> list[Span]:
        """The parts of trading day ``n`` the events of ``code`` cover, in insertion order."""
        found = self._by_code.get(code)
        if not found:
            return []
        day = cal.day_at(n)
        return [s for s in (_span(e, day) for e in found) if s is not None]

    # ------------------------------------------------------------------ tapes and days
    def tape(self, inst: Instrument, n: int) -> Tape:
        spans = self.spans(inst.code, n)
        if not spans:
            return self.base.tape(inst, n)
        key = (inst.code, n)
        found = self._patched.get(key)
        if found is None:
            found = self._patched.put(key, patch(self.base.tape(inst, n), spans, inst))
        return found

    def summarize(self, inst: Instrument, n: int) -> DaySummary:
        """The summary of an affected day, read off its modified tape."""
        return summarize(self.tape(inst, n), inst)

    def day_summary(self, inst: Instrument, n: int) -> DaySummary | None:
        s = self.base.model.summary(inst, n)
        if s is None or not self.spans(inst.code, n):
            return s
        return self.summarize(inst, n)

    # ------------------------------------------------------------------ snapshots
    def quote(self, inst: Instrument, at: datetime) -> Quote:
        q = super().quote(inst, at)
        return replace(q, bid=0, ask=0) if self.halted(inst.code, at) else q

    def book(self, inst: Instrument, at: datetime) -> Book:
        if inst.kind != INDEX and inst.code in self.codes:
            n, cs, phase = self.resolve(inst, at)
            tape = self.tape(inst, n)
            if self.halted(inst.code, at) or (len(tape) == 0 and self.spans(inst.code, n)):
                return _empty_book(inst, tape, cs, phase)
        return super().book(inst, at)


def _empty_book(inst: Instrument, tape: Tape, cs: int, phase: str) -> Book:
    """The book of a halted issue: no levels, no expected match; the day's volume so far."""
    levels = 5 if inst.kind in (FUTURE, OPTION) else 10
    zeros = (0,) * levels
    i = tape.last_at(cs)
    stamp = cal.hhmmsscc(tape.times[i]) if i >= 0 else 0
    volume = tape.cum_vol[i] if i >= 0 else 0
    return Book(inst.code, tape.summary.day, phase, stamp, zeros, zeros, zeros, zeros, zeros,
                zeros, 0, 0, 0, 0, 0, 0, volume, 0, 0, 0)


# --------------------------------------------------------------------------- patching
def _shocked(p: int, factor: float, s: DaySummary, index: bool) -> int:
    value = s.grid.nearest(p * factor)
    if index:
        return min(max(value, s.grid.min_price), 2**31 - 1)
    return min(max(value, s.lower), s.upper)


def patch(tape: Tape, spans: list[Span], inst: Instrument) -> Tape:
    """``tape`` with the events' ``spans`` applied in order (module docstring). The result
    keeps the plain day summary (limits, grid, book sizes); :func:`summarize` gives the
    modified day's OHLCV."""
    s, times, index = tape.summary, tape.times, inst.kind == INDEX
    count = len(tape)
    prices = list(tape.prices)
    removed = [False] * count
    lock = [0] * count  # +1 locked at the upper limit, -1 at the lower
    moved = [False] * count
    for span in spans:
        a, b = bisect.bisect_left(times, span.lo), bisect.bisect_left(times, span.hi)
        for i in range(a, b):
            if span.kind == HALT:
                removed[i] = True
            elif span.kind in (LIMIT_UP, LIMIT_DOWN):
                up = span.kind == LIMIT_UP
                prices[i], lock[i], moved[i] = (s.upper, 1, False) if up else (s.lower, -1, False)
            else:
                prices[i] = _shocked(prices[i], 1.0 + span.percent / 100.0, s, index)
                lock[i], moved[i] = 0, True
    rows = [i for i in range(count) if not removed[i]]
    sides = _sides(tape, rows, prices, lock, moved, index)
    ps = [prices[i] for i in rows]
    qs = [tape.qtys[i] for i in rows]
    kinds = [tape.kinds[i] for i in rows]
    new_times = array("i", (times[i] for i in rows))
    if index:
        cum_vol = array("q", (tape.cum_vol[i] for i in rows))
        cum_raw = array("q", (tape.cum_raw[i] for i in rows))
    else:
        cum_vol, cum_raw = array("q", accumulate(qs)), array("q", accumulate(map(mul, ps, qs)))
    if CLOSE_AUCTION in kinds:
        close_index = kinds.index(CLOSE_AUCTION)
    else:  # no closing match: the last print of the regular session (close_of says None)
        close_index = max(bisect.bisect_right(new_times, tape.schedule.close) - 1, 0)
    return Tape(s, tape.schedule, new_times, array("i", ps), array("i", qs), array("b", sides),
                array("b", kinds), cum_vol, cum_raw, array("i", accumulate(ps, max)),
                array("i", accumulate(ps, min)), close_index)


def _sides(tape: Tape, rows: list[int], prices: list[int], lock: list[int],
           moved: list[bool], index: bool) -> list[int]:
    """Trade sides: locked trades hit the wall (1 at the upper limit, 2 at the lower), moved
    ones follow the tick (and the widest limits, as in tape.py), others keep theirs."""
    if index:
        return [0] * len(rows)
    s = tape.summary
    hi_cap, lo_cap = s.steps[-1]
    out, prev = [], s.base
    for i in rows:
        p, side = prices[i], tape.sides[i]
        if lock[i]:
            side = 1 if lock[i] > 0 else 2
        elif moved[i]:
            side = 2 if p > prev else 1 if p < prev else side
            side = 2 if p == hi_cap else 1 if p == lo_cap else side
        out.append(side)
        prev = p
    return out


def summarize(tape: Tape, inst: Instrument) -> DaySummary:
    """The day summary of a (modified) tape: OHLC, volume and value of its prints; the
    previous close for every price of a day without a print."""
    s = tape.summary
    if len(tape) == 0:
        return s._replace(open=s.base, high=s.base, low=s.base, close=s.base, volume=0,
                          value=0, raw_value=0)
    last = len(tape) - 1
    close = close_of(tape, last)
    raw = tape.cum_raw[last]
    if inst.kind == INDEX:
        value, raw = raw, s.raw_value
    else:
        value = krw_value(raw, rules.multiplier(inst, s.day), s.scale)
    return s._replace(open=tape.prices[0], high=tape.highs[last], low=tape.lows[last],
                      close=tape.prices[last] if close is None else close,
                      volume=tape.cum_vol[last], value=value, raw_value=raw)
