"""Bars: daily bars from summaries or a running tape, W/M aggregation, intraday bars.

* A daily bar of a finished day is its DaySummary (identical to aggregating that day's
  tape - the tests check it); today's bar while trading is read off the tape. Bars are
  computed in price units (:class:`Row`) and converted for display last (:func:`to_bar`).
* Weekly and monthly bars aggregate daily bars: open of the first day, close of the last,
  max/min, sums; the row carries the last trading day of the period that is included
  (for the running period that is the latest day). ``change`` is against the close before
  the period (the first day's base); W/M change codes are 2/3/5 only.
* Intraday bars group the tape's trades into windows of ``cycle`` seconds aligned to
  midnight, labelled with the window's end (``9100000`` = 09:00-09:10); the window still
  open at the instant is labelled with the time of its last trade (README §6).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Protocol, TypeVar

from sandbox.world.market import calendar as cal
from sandbox.world.market.daily import DaySummary, krw_value
from sandbox.world.market.rules import change_code, from_units
from sandbox.world.market.snapshot import Price, close_of
from sandbox.world.market.tape import Tape


@dataclass(frozen=True)
class Bar:
    """One daily, weekly or monthly bar (history rows)."""

    day: date  # BzDd / trdDd
    open: Price
    high: Price
    low: Price
    close: Price
    volume: int  # shares / contracts (indices: thousand shares)
    value: int  # KRW (indices: million KRW)
    base: Price  # the close before the bar
    change: Price  # cmpprevddPrc
    change_code: str  # cmpprevddTpCd
    open_interest: int  # derivatives: at the end of the bar's last day (else 0)


@dataclass(frozen=True)
class IntradayBar:
    """One intraday bar; ``time`` is the bar's end (or last update) as HHMMSSmm."""

    time: int
    open: Price
    high: Price
    low: Price
    close: Price
    volume: int  # this bar's volume
    value: int  # this bar's value
    acc_volume: int  # the day's running totals at the bar's last trade
    acc_value: int


ValueOf = Callable[[int], int]


def value_function(s: DaySummary, mult: float, index: bool) -> ValueOf:
    """Turns a tape's running ``cum_raw`` into KRW (or million KRW for indices)."""
    if index:
        return lambda raw: raw
    return lambda raw: krw_value(raw, mult, s.scale)


class DayLike(Protocol):
    """A day in price units: a DaySummary, or a :class:`Row`."""

    @property
    def day(self) -> date: ...
    @property
    def open(self) -> int: ...
    @property
    def high(self) -> int: ...
    @property
    def low(self) -> int: ...
    @property
    def close(self) -> int: ...
    @property
    def volume(self) -> int: ...
    @property
    def value(self) -> int: ...
    @property
    def base(self) -> int: ...
    @property
    def upper(self) -> int: ...
    @property
    def lower(self) -> int: ...
    @property
    def open_interest(self) -> int: ...


class Row(NamedTuple):
    """A bar in price units (``upper``/``lower`` 0 = no limit codes, as for W/M bars)."""

    day: date
    open: int
    high: int
    low: int
    close: int
    volume: int
    value: int
    base: int
    upper: int
    lower: int
    open_interest: int


def to_bar(row: DayLike, scale: int) -> Bar:
    """The display bar of a row (prices converted, change and change code computed)."""
    if row.upper:
        code = change_code(row.close, row.base, row.upper, row.lower)
    else:
        code = change_code(row.close, row.base)
    return Bar(row.day, from_units(row.open, scale), from_units(row.high, scale),
               from_units(row.low, scale), from_units(row.close, scale), row.volume, row.value,
               from_units(row.base, scale), from_units(row.close - row.base, scale), code,
               row.open_interest)


def summary_bar(s: DaySummary) -> Bar:
    """The final bar of a finished day."""
    return to_bar(s, s.scale)


def tape_row(tape: Tape, i: int, value_of: ValueOf, open_interest: int) -> Row:
    """The running bar after trade ``i`` (``i`` >= 0); final once the day is over."""
    s = tape.summary
    close = close_of(tape, i)
    last = tape.prices[i] if close is None else close
    return Row(s.day, tape.prices[0], tape.highs[i], tape.lows[i], last, tape.cum_vol[i],
               value_of(tape.cum_raw[i]), s.base, s.upper, s.lower, open_interest)


def _period_key(d: date, cycle: str) -> tuple[int, int]:
    if cycle == "W":
        iso = d.isocalendar()
        return iso[0], iso[1]
    return d.year, d.month


D = TypeVar("D", bound="DayLike | Bar")


def periods(daily: Iterable[D], cycle: str) -> list[list[D]]:
    """Daily items (oldest first) grouped by ISO week (``W``) or month (``M``), oldest first."""
    groups: list[list[D]] = []
    key: tuple[int, int] | None = None
    for item in daily:
        k = _period_key(item.day, cycle)
        if k != key:
            groups.append([])
            key = k
        groups[-1].append(item)
    return groups


def aggregate(daily: Iterable[DayLike], cycle: str) -> list[Row]:
    """W or M rows from daily rows given oldest first; result oldest first."""
    out = []
    for g in periods(daily, cycle):
        first, last = g[0], g[-1]
        out.append(Row(last.day, first.open, max(r.high for r in g), min(r.low for r in g),
                       last.close, sum(r.volume for r in g), sum(r.value for r in g),
                       first.base, 0, 0, last.open_interest))
    return out


def period_start(d: date, cycle: str) -> date:
    """The first calendar day of ``d``'s week (Monday) or month."""
    if cycle == "W":
        return date.fromordinal(d.toordinal() - d.weekday())
    if cycle == "M":
        return d.replace(day=1)
    return d


def intraday(
    tape: Tape,
    upto: int,
    cycle_s: int,
    start_cs: int,
    end_cs: int,
    at_cs: int,
    value_of: ValueOf,
) -> list[IntradayBar]:
    """Bars of ``cycle_s`` seconds over trades ``<= upto`` timed in [start, end]; newest first.

    A bar is labelled with its end and holds the trades of (end - cycle, end]: a match printed
    exactly on a boundary (the 15:30 close, a single-price auction at 16:10) closes the bar
    ending there; the opening match at the open starts the first bar. The still-open bar is
    labelled with its last trade's time (stocks.md S12).
    """
    cyc = cycle_s * cal.CS_SECOND
    times = tape.times
    opening = tape.schedule.open

    def bar_end(t: int) -> int:
        return t if t % cyc == 0 and t != opening else (t // cyc + 1) * cyc

    lo = bisect.bisect_left(times, start_cs)
    hi = min(upto, bisect.bisect_right(times, end_cs) - 1)
    sc = tape.summary.scale
    out: list[IntradayBar] = []
    j = lo
    while j <= hi:
        label = bar_end(times[j])
        k = j
        high = low = tape.prices[j]
        while k + 1 <= hi and bar_end(times[k + 1]) == label:
            k += 1
            p = tape.prices[k]
            high, low = max(high, p), min(low, p)
        before_vol = tape.cum_vol[j - 1] if j else 0
        before_raw = tape.cum_raw[j - 1] if j else 0
        if at_cs < label:
            label = times[k]
        acc_vol, acc_val = tape.cum_vol[k], value_of(tape.cum_raw[k])
        out.append(IntradayBar(cal.hhmmsscc(label), from_units(tape.prices[j], sc),
                               from_units(high, sc), from_units(low, sc),
                               from_units(tape.prices[k], sc), acc_vol - before_vol,
                               acc_val - value_of(before_raw), acc_vol, acc_val))
        j = k + 1
    out.reverse()
    return out
