"""A whole market's trades of one day, in time order: the source of ``/ws_ksp`` and ``/ws_kdq``.

The feed merges the tapes (tape.py) of every cash issue (stock, ETF, ETN, ELW) of a market
listed on the day, so it carries exactly the trades the per-issue REST endpoints and ``/ws``
show: a record's price and size are the tape's, and the running sums of an issue's records are
its ``accTrdvol``. Ties in time are ordered by short code. Built once per (market, day) and
kept as parallel arrays (about 16 bytes a trade; 260,000 trades for KOSPI on a usual day).
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass
from datetime import date
from heapq import merge

from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import ELW, ETF, ETN, STOCK
from sandbox.world.market.prices import Market
from sandbox.world.market.rules import from_units
from sandbox.world.market.universe import Universe

CASH_KINDS = (STOCK, ETF, ETN, ELW)


@dataclass(frozen=True, slots=True)
class Record:
    """One trade of the feed."""

    code: str
    price: int  # KRW
    qty: int
    time: int  # HHMMSSmm


@dataclass(frozen=True, slots=True)
class DayFeed:
    market: str
    day: date
    codes: tuple[str, ...]  # the issues, by short code
    times: array[int]  # centiseconds since midnight, non-decreasing
    issue: array[int]  # index into ``codes``
    prices: array[int]  # KRW
    qtys: array[int]

    def __len__(self) -> int:
        return len(self.times)

    def upto(self, cs: int) -> int:
        """How many records are at or before ``cs`` (centiseconds since midnight)."""
        return bisect.bisect_right(self.times, cs)

    def records(self, start: int, stop: int) -> list[Record]:
        """Records ``start`` (inclusive) to ``stop`` (exclusive), oldest first."""
        codes, times = self.codes, self.times
        return [Record(codes[self.issue[i]], self.prices[i], self.qtys[i],
                       cal.hhmmsscc(times[i])) for i in range(start, stop)]


def build(market: Market, universe: Universe, market_code: str, day: date) -> DayFeed:
    """The feed of ``market_code`` (``kospi``/``kosdaq``/``konex``) on ``day`` (empty on days
    without trading)."""
    insts = sorted((i for kind in CASH_KINDS for i in universe.select(kind, market_code, day)),
                   key=lambda i: i.code)
    codes = tuple(i.code for i in insts)
    runs = []
    if cal.is_trading_day(day):
        n = cal.day_index(day)
        for k, inst in enumerate(insts):
            summary = market.model.summary(inst, n)
            if summary is None:
                continue
            tape, scale = market.tape(inst, n), summary.scale
            runs.append([(t, k, int(from_units(p, scale)), q)
                         for t, p, q in zip(tape.times, tape.prices, tape.qtys, strict=True)])
    rows = list(merge(*runs))
    return DayFeed(market_code, day, codes, array("i", (r[0] for r in rows)),
                   array("i", (r[1] for r in rows)), array("q", (r[2] for r in rows)),
                   array("q", (r[3] for r in rows)))
