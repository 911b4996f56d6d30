"""The market model's API: prices, books, trades and bars as a pure function of the seed.

    market = Market(seed, instruments)          # a Mapping code -> Instrument, or a lookup
    q = market.quote(inst, at)                  # Quote: trdPrc, OHLCV, trdTm, side, best bid/ask
    b = market.book(inst, at)                   # Book: 10 levels (5 + counts for derivatives)
    market.trades(inst, day, until=at)          # [Trade] of the day, oldest first
    market.history(inst, start, end, "D"|"W"|"M", at=at, limit=100)   # [Bar], newest first
    market.intraday_bars(inst, day, 60, time(9), time(15, 30), at=at)  # [IntradayBar], newest first
    market.theory(inst, day)                    # carry/volatility inputs of a derivative

Every answer depends only on (seed, instrument, trading day, instant): ``at`` is always an
argument (the world clock is the caller's), and naive datetimes are KST. Prices are ``int``
KRW for stocks, funds and stock futures, ``float`` points (2 decimals) for indices, futures
and options; indices report volume in thousand shares and value in million KRW.

Conventions (README §8.2, §7):

* before the day's first trade: price = basPrc (the previous close), open/high/low 0, volume
  and value 0, trade_time 0, side 0;
* on a non-trading day, or after a derivative's expiry, everything reports the last trading
  day's final state; before a listing, the first listing day's pre-open state;
* ``trade_time`` carries the session signal 31000000 after the regular close, 41000000 after
  the closing-price session (16:00) and 81000000 after the after-hours session (18:00) when
  no trade printed since; derivatives use 31000000 after their close;
* history includes the running bar of the instant's day once it has traded.

Days' summaries are O(1) (daily.py); a day's trades are generated on first use and kept in a
bounded LRU (tape.py). Caches never change results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sandbox.world.market import calendar as cal
from sandbox.world.market import derivatives as dv
from sandbox.world.market import rules
from sandbox.world.market.bars import (
    Bar,
    DayLike,
    IntradayBar,
    Row,
    aggregate,
    intraday,
    period_start,
    summary_bar,
    tape_row,
    to_bar,
    value_function,
)
from sandbox.world.market.daily import ANCHOR_DATE, DailyModel, DaySummary
from sandbox.world.market.instruments import FUTURE, INDEX, OPTION, Instrument
from sandbox.world.market.noise import BoundedCache
from sandbox.world.market.rules import change_code, from_units
from sandbox.world.market.snapshot import Book, Price, Quote, best_quotes, build_book, close_of
from sandbox.world.market.tape import (
    AFTER_HOURS,
    CLOSE_AUCTION,
    CLOSING_PRICE,
    CONTINUOUS,
    OPEN_AUCTION,
    Tape,
    build_index_tape,
    build_tape,
)

__all__ = ["ANCHOR_DATE", "Bar", "Book", "IntradayBar", "Market", "Quote", "Theory", "Trade"]

SESSION_NAMES = {
    OPEN_AUCTION: "opening_auction",
    CONTINUOUS: "continuous",
    CLOSE_AUCTION: "closing_auction",
    CLOSING_PRICE: "closing_price",
    AFTER_HOURS: "after_hours",
}


@dataclass(frozen=True)
class Trade:
    """One trade (for indices: one published value, quantity = volume since the last one)."""

    time: int  # HHMMSSmm
    price: Price
    qty: int
    side: int  # 1 sell-initiated, 2 buy-initiated (0 for indices)
    session: str  # opening_auction | continuous | closing_auction | closing_price | after_hours
    acc_volume: int
    acc_value: int


@dataclass(frozen=True)
class Theory:
    """Pricing inputs of a derivative at a day's close."""

    day: date
    underlying: Price  # the underlying's close
    rate: float  # CD rate, decimal (0.0225)
    days_left: int  # remainDys: calendar days to the last trading day + 1
    forward: float  # carry-only forward of the underlying (no basis noise)
    volatility: float  # options: the surface volatility of the strike (decimal); else 0
    theoretical: Price  # futures: the forward; options: the Black-76 premium (on the grid)


Instruments = Mapping[str, Instrument] | Callable[[str], Instrument | None] | None


def _lookup(instruments: Instruments) -> Callable[[str], Instrument | None]:
    if instruments is None:
        return lambda code: None
    if isinstance(instruments, Mapping):
        return instruments.get
    return instruments


class Market:
    """The simulated market of one seed (see the module docstring).

    An instrument code identifies one instrument for the life of a Market (the caches are
    keyed by code): build a new Market when the universe changes. ``tape_cache`` should hold
    one day of the whole universe (8192 tapes, about 150 MB with the default universe);
    ``summary_cache`` counts blocks of 64 daily summaries (history requests).
    """

    def __init__(
        self,
        seed: int,
        instruments: Instruments = None,
        tape_cache: int = 8192,
        summary_cache: int = 1024,
    ) -> None:
        self.seed = seed
        self.model = DailyModel(seed, _lookup(instruments), summary_cache)
        self._tapes: BoundedCache[tuple[str, int], Tape] = BoundedCache(tape_cache)

    # ------------------------------------------------------------------ days and tapes
    def _expiring(self, inst: Instrument, n: int) -> bool:
        return inst.kind in (FUTURE, OPTION) and n == self.model.life(inst)[1]

    def _family(self, inst: Instrument) -> str:
        return cal.DERIVATIVE_SESSIONS if inst.kind in (FUTURE, OPTION) else cal.STOCK_SESSIONS

    def _summary(self, inst: Instrument, n: int) -> DaySummary:
        s = self.model.summary(inst, n)
        if s is None:
            raise ValueError(f"{inst.code} does not trade on {cal.day_at(n).isoformat()}")
        return s

    def tape(self, inst: Instrument, n: int) -> Tape:
        """The trade tape of trading day index ``n`` (built once, then cached)."""
        key = (inst.code, n)
        found = self._tapes.get(key)
        if found is None:
            s = self._summary(inst, n)
            sched = cal.schedule(s.day, self._family(inst), self._expiring(inst, n))
            build = build_index_tape if inst.kind == INDEX else build_tape
            found = self._tapes.put(key, build(self.seed, inst.code, s, sched))
        return found

    def resolve(self, inst: Instrument, at: datetime) -> tuple[int, int, str]:
        """``(trading-day index, centiseconds, phase)`` whose state ``at`` shows."""
        d, cs = cal.split_instant(at)
        first, last = self.model.life(inst)
        first = max(first, 1)
        if cal.is_trading_day(d):
            n = cal.day_index(d)
            if first <= n <= last:
                sched = cal.schedule(d, self._family(inst), self._expiring(inst, n))
                return n, cs, sched.phase(cs)
        n = min(cal.index_on_or_before(d), last)
        if n < first:
            return first, -1, cal.CLOSED
        return n, cal.CS_DAY, cal.CLOSED

    def _value_of(self, inst: Instrument, s: DaySummary) -> Callable[[int], int]:
        return value_function(s, rules.multiplier(inst, s.day), inst.kind == INDEX)

    def _prev_oi(self, inst: Instrument, n: int) -> int:
        if inst.kind not in (FUTURE, OPTION):
            return 0
        prev = self.model.summary(inst, n - 1)
        return prev.open_interest if prev is not None else 0

    # --------------------------------------------------------------------- snapshots
    def quote(self, inst: Instrument, at: datetime) -> Quote:
        """The last-trade snapshot at ``at``."""
        n, cs, phase = self.resolve(inst, at)
        tape = self.tape(inst, n)
        s, sched, sc = tape.summary, tape.schedule, tape.summary.scale
        i = tape.last_at(cs)
        bid, ask = best_quotes(tape, i, cs)
        steps = tuple((from_units(u, sc), from_units(lo, sc)) for u, lo in s.steps)
        base = from_units(s.base, sc)
        upper, lower = from_units(s.upper, sc), from_units(s.lower, sc)
        oi = self._prev_oi(inst, n)
        if i < 0:
            return Quote(inst.code, s.day, phase, base, base, 0, "3", 0, 0, 0, 0, 0, 0, 0, 0,
                         from_units(bid, sc), from_units(ask, sc), upper, lower, steps, None,
                         oi)
        p = tape.prices[i]
        trade_time = cal.hhmmsscc(tape.times[i])
        signal = sched.signal(cs) if inst.kind != INDEX else None
        if signal is not None and signal[1] >= tape.times[i]:
            trade_time = signal[0]
        if inst.kind == INDEX:
            code = change_code(p, s.base)
        else:
            code = change_code(p, s.base, s.upper, s.lower)
        close = close_of(tape, i)
        change = from_units(p - s.base, sc)
        return Quote(
            inst.code, s.day, phase, from_units(p, sc), base, change, code,
            from_units(tape.prices[0], sc), from_units(tape.highs[i], sc),
            from_units(tape.lows[i], sc), tape.cum_vol[i], self._value_of(inst, s)(tape.cum_raw[i]),
            trade_time, tape.qtys[i], tape.sides[i], from_units(bid, sc), from_units(ask, sc),
            upper, lower, steps, None if close is None else from_units(close, sc), oi,
        )

    def book(self, inst: Instrument, at: datetime) -> Book:
        """The order book at ``at`` (not for indices)."""
        if inst.kind == INDEX:
            raise ValueError("indices have no order book")
        n, cs, phase = self.resolve(inst, at)
        derivative = inst.kind in (FUTURE, OPTION)
        book = build_book(self.seed, inst.code, self.tape(inst, n), cs, 5 if derivative else 10,
                          derivative)
        return book if book.phase == phase else _with_phase(book, phase)

    def trades(self, inst: Instrument, day: date, until: datetime | None = None) -> list[Trade]:
        """The trades of ``day`` (up to ``until``), oldest first; [] on non-trading days."""
        s = self.model.summary(inst, cal.day_index(day)) if cal.is_trading_day(day) else None
        if s is None:
            return []
        tape = self.tape(inst, s.n)
        last = len(tape) - 1
        if until is not None:
            d, cs = cal.split_instant(until)
            if d < day:
                return []
            if d == day:
                last = tape.last_at(cs)
        value_of, sc = self._value_of(inst, s), s.scale
        return [Trade(cal.hhmmsscc(tape.times[i]), from_units(tape.prices[i], sc), tape.qtys[i],
                      tape.sides[i], SESSION_NAMES[tape.kinds[i]], tape.cum_vol[i],
                      value_of(tape.cum_raw[i])) for i in range(last + 1)]

    # -------------------------------------------------------------------------- bars
    def _rows(
        self, inst: Instrument, start: date, end: date, at: datetime | None, limit: int | None
    ) -> list[DayLike]:
        """Daily rows of [start, end] up to ``at`` (the last ``limit`` of them), oldest first."""
        n0, n1 = cal.index_on_or_after(start), cal.index_on_or_before(end)
        running: Row | None = None
        if at is not None:
            na, cs, _ = self.resolve(inst, at)
            if cs < cal.CS_DAY and n0 <= na <= n1:
                tape = self.tape(inst, na)
                i = tape.last_at(cs)
                if i >= 0:
                    closed = cs >= tape.schedule.close
                    oi = tape.summary.open_interest if closed else self._prev_oi(inst, na)
                    running = tape_row(tape, i, self._value_of(inst, tape.summary), oi)
                n1 = min(n1, na - 1)
            else:
                n1 = min(n1, na if cs >= cal.CS_DAY else na - 1)
        if limit is not None:
            n0 = max(n0, n1 - limit + 1 + (running is not None))
        rows: list[DayLike] = list(self.model.summaries(inst, n0, n1))
        if running is not None:
            rows.append(running)
        return rows

    def daily_bars(
        self, inst: Instrument, start: date, end: date, at: datetime | None = None
    ) -> list[Bar]:
        """Daily bars of the trading days in [start, end] (up to ``at``), newest first."""
        return self.history(inst, start, end, "D", at)

    def history(
        self,
        inst: Instrument,
        start: date,
        end: date,
        cycle: str = "D",
        at: datetime | None = None,
        limit: int | None = None,
    ) -> list[Bar]:
        """``D``/``W``/``M`` bars overlapping [start, end], newest first, at most ``limit``.

        Today's running bar is included once the instant's day has traded; W/M rows cover
        whole periods (days before ``start`` in the first period count) up to ``end``/``at``.
        """
        scale = rules.price_scale(inst)
        if cycle == "D":
            rows = self._rows(inst, start, end, at, limit)
        elif cycle in ("W", "M"):
            daily = self._rows(inst, period_start(start, cycle), end, at, None)
            rows = [r for r in aggregate(daily, cycle) if r.day >= start]
        else:
            raise ValueError(f"unknown cycle {cycle!r} (D, W or M)")
        rows.reverse()
        return [to_bar(r, scale) for r in (rows if limit is None else rows[:limit])]

    def closing_bar(self, inst: Instrument, day: date) -> Bar | None:
        """The final bar of trading day ``day`` (None if the instrument did not trade)."""
        if not cal.is_trading_day(day):
            return None
        s = self.model.summary(inst, cal.day_index(day))
        return None if s is None else summary_bar(s)

    def intraday_bars(
        self,
        inst: Instrument,
        day: date,
        cycle_s: int,
        start: time | None = None,
        end: time | None = None,
        at: datetime | None = None,
        limit: int = 100,
    ) -> list[IntradayBar]:
        """Intraday bars of ``cycle_s`` seconds (10, 60, 600) of ``day``, newest first."""
        if not cal.is_trading_day(day):
            return []
        s = self.model.summary(inst, cal.day_index(day))
        if s is None:
            return []
        tape = self.tape(inst, s.n)
        at_cs = cal.CS_DAY
        if at is not None:
            d, cs = cal.split_instant(at)
            if d < day:
                return []
            at_cs = cs if d == day else cal.CS_DAY
        upto = tape.last_at(at_cs)
        lo = _cs(start) if start is not None else 0
        hi = _cs(end) if end is not None else cal.CS_DAY
        bars = intraday(tape, upto, cycle_s, lo, hi, at_cs, self._value_of(inst, s))
        return bars[:limit]

    # ------------------------------------------------------------------- derivatives
    def open_interest(self, inst: Instrument, day: date) -> int:
        """Open interest at the end of trading day ``day`` (0 for cash instruments)."""
        s = self.model.summary(inst, cal.day_index(day)) if cal.is_trading_day(day) else None
        return s.open_interest if s is not None else 0

    def theory(self, inst: Instrument, day: date) -> Theory:
        """Carry and volatility inputs of a future or option at the close of ``day``."""
        if inst.kind not in (FUTURE, OPTION) or inst.expiry is None:
            raise ValueError("theory() is for futures and options")
        n = cal.day_index(day)
        und = self.model.underlying(inst)
        us = self._summary(und, n)
        spot = us.close / us.scale
        rate = dv.cd_rate(self.model.factors, n)
        tau = dv.tau_years(day, inst.expiry)
        fwd = dv.forward(spot, rate, tau)
        grid = rules.grid_for(inst, day, und.market)
        sc = grid.scale
        if inst.kind == FUTURE:
            return Theory(day, from_units(us.close, us.scale), rate, (inst.expiry - day).days + 1,
                          fwd, 0.0, from_units(grid.nearest(fwd * sc), sc))
        assert inst.strike is not None
        atm = dv.atm_vol(self.model.factors, und.code, und.volatility or 0.18, n)
        vol = dv.surface_vol(atm, inst.strike, fwd, tau)
        prem = dv.black76(fwd, inst.strike, vol, tau, rate, inst.option_type != "P")
        theo = max(grid.nearest(prem * sc), grid.min_price)
        return Theory(day, from_units(us.close, us.scale), rate, (inst.expiry - day).days + 1,
                      fwd, vol, from_units(theo, sc))

    def discount(self, inst: Instrument, day: date) -> float:
        """``exp(-r * tau)`` of a derivative on ``day`` (for put-call parity)."""
        assert inst.expiry is not None
        n = cal.day_index(day)
        return math.exp(-dv.cd_rate(self.model.factors, n) * dv.tau_years(day, inst.expiry))


def _cs(t: time) -> int:
    return (t.hour * cal.CS_HOUR + t.minute * cal.CS_MINUTE + t.second * cal.CS_SECOND
            + t.microsecond // 10_000)


def _with_phase(book: Book, phase: str) -> Book:
    return replace(book, phase=phase)
