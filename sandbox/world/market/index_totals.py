"""Index extras the price model does not report: universe totals and the expected index.

**Universe totals** (index.md I1/I4, stocks.md S9): ``isuCnt`` (constituents listed on the
day), ``listShrs`` (their listed shares, thousand shares) and ``mktcap`` (million KRW, README
§3.8). Membership comes from :mod:`.constituents`. In the price model an index and its
constituents are separate factor processes (factors.py), so summing shares × price over the
members would neither move with the index nor be cheap (about 1,000 stocks per request).
The market cap is therefore tied to the index level (own modelling):

    mktcap(t) = C(day) × I(t) / I_anchor

with ``C(day)`` = Σ shares × ``anchor_price`` over the members listed on ``day`` (their
capitalisation on ``ANCHOR_DATE``, daily.py), ``I(t)`` the index value and ``I_anchor`` the
index's own ``anchor_price`` (its level on ``ANCHOR_DATE``). The cap moves exactly with the
index, equals the constituents' capitalisation on the anchor date, and steps up by a new
member's capitalisation on its listing day. Per index, the members are sorted once by
listing date with prefix sums, so a day's totals are a bisection: O(log n) per request.

**Expected index** (index.md I3, ``prospectindex``): the index's own auction state, read off
its tape (tape.py), mirroring the stocks' expected match (snapshot.py): during the opening
call auction (08:30-09:00) the value the opening match will print (the day's open) with an
expected quantity and value growing toward the opening volume; during the closing auction
(15:20-15:30) the closing value and volume likewise. Between and after the auctions the last
auction's values stay (README §8.3 recommendation); before the day's opening auction the
previous close with zero change and volume (as every real-time endpoint before the first
trade, README §7). Because every constituent's expected price is its auction price in the
model, this is also the index computed from the constituents' expected prices.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sandbox.world.market import calendar as cal
from sandbox.world.market import constituents
from sandbox.world.market.instruments import INDEX, Instrument
from sandbox.world.market.prices import Market
from sandbox.world.market.rules import change_code, from_units
from sandbox.world.market.snapshot import Price
from sandbox.world.market.universe import Universe

EXPECTED_STEP = 10 * cal.CS_SECOND  # the expected index is recalculated every 10 seconds


@dataclass(frozen=True)
class Totals:
    """The constituents of an index listed on one day."""

    count: int  # isuCnt
    shares: int  # Σ listed shares
    anchor_cap: float  # Σ shares × anchor_price, KRW (the members' cap on ANCHOR_DATE)
    anchor_level: float  # the index's anchor_price (its level on ANCHOR_DATE)

    @property
    def shares_thousands(self) -> int:
        """``listShrs``: thousand shares, rounded half up."""
        return (self.shares + 500) // 1000

    def mktcap_millions(self, level: float) -> int:
        """``mktcap`` in million KRW with the index at ``level`` (module docstring)."""
        if self.anchor_level <= 0:
            return 0
        return round(self.anchor_cap * float(level) / self.anchor_level / 1_000_000)


@dataclass(frozen=True)
class _Table:
    """An index's members sorted by listing date, with prefix sums."""

    dates: tuple[date, ...]  # listing date of member k (date.min when unknown)
    shares: tuple[int, ...]  # Σ shares of members 0..k-1 (len = members + 1)
    caps: tuple[float, ...]  # Σ shares × anchor_price of members 0..k-1
    anchor_level: float


class IndexTotals:
    """Universe totals of every index of one universe (see :func:`of`)."""

    def __init__(self, universe: Universe) -> None:
        self.universe = universe
        self._members = constituents.of(universe)
        self._tables: dict[str, _Table] = {}
        self._lock = threading.Lock()

    def _table(self, index: Instrument) -> _Table:
        found = self._tables.get(index.code)
        if found is not None:
            return found
        members = sorted(self._members.members(index.code),
                         key=lambda i: (i.list_date or date.min, i.code))
        shares, caps = [0], [0.0]
        for inst in members:
            shares.append(shares[-1] + inst.shares)
            caps.append(caps[-1] + inst.shares * inst.anchor_price)
        table = _Table(tuple(i.list_date or date.min for i in members), tuple(shares),
                       tuple(caps), index.anchor_price)
        with self._lock:
            return self._tables.setdefault(index.code, table)

    def on(self, index: Instrument, day: date) -> Totals:
        """The totals of ``index`` on ``day`` (members listed on or before ``day``)."""
        if index.kind != INDEX:
            raise ValueError(f"{index.code} is not an index")
        table = self._table(index)
        k = bisect.bisect_right(table.dates, day)
        return Totals(k, table.shares[k], table.caps[k], table.anchor_level)


@lru_cache(maxsize=4)  # a Universe hashes by identity
def of(universe: Universe) -> IndexTotals:
    """The totals tables of ``universe`` (one instance per universe object)."""
    return IndexTotals(universe)


# ------------------------------------------------------------------------- expected index
@dataclass(frozen=True)
class Expected:
    """The expected (auction) index at an instant (index.md I3)."""

    day: date  # the trading day the values belong to
    time: int  # deemTm as HHMMSSmm: the last recalculation, or the auction's match time; 0
    price: Price  # deemTrdPrc
    base: Price  # the previous close
    change: Price  # deemcmpprevddPrc = price - base
    change_code: str  # 2 up, 3 flat, 5 down (index.md Q2: the 1-character code)
    acc_volume: int  # deemAccTrdvol, thousand shares
    acc_value: int  # deemAccTrdval, million KRW


def _fraction(cs: int, start: int, end: int) -> float:
    """How far an auction has come: 0.1 at its start, 1.0 at its match (as snapshot.py)."""
    return min(1.0, 0.1 + (cs - start) / (end - start))


def expected(market: Market, index: Instrument, at: datetime) -> Expected:
    """The expected index of ``index`` at ``at`` (module docstring)."""
    if index.kind != INDEX:
        raise ValueError(f"{index.code} is not an index")
    n, cs, _ = market.resolve(index, at)
    tape = market.tape(index, n)
    s, sched, sc = tape.summary, tape.schedule, tape.summary.scale
    base = from_units(s.base, sc)
    if cs < sched.pre_open:
        return Expected(s.day, 0, base, base, 0, "3", 0, 0)
    ci = tape.close_index
    stamp = max(cs // EXPECTED_STEP * EXPECTED_STEP, sched.pre_open)
    if cs < sched.open:
        frac = _fraction(cs, sched.pre_open, sched.open)
        units, volume, value, when = (tape.prices[0], int(tape.qtys[0] * frac),
                                      int(tape.cum_raw[0] * frac), stamp)
    elif cs < sched.continuous_end:
        units, volume, value, when = tape.prices[0], tape.qtys[0], tape.cum_raw[0], sched.open
    else:
        close_value = tape.cum_raw[ci] - (tape.cum_raw[ci - 1] if ci > 0 else 0)
        frac = _fraction(cs, sched.continuous_end, sched.close) if cs < sched.close else 1.0
        when = stamp if cs < sched.close else sched.close
        units, volume, value = tape.prices[ci], int(tape.qtys[ci] * frac), int(close_value * frac)
    return Expected(s.day, cal.hhmmsscc(when), from_units(units, sc), base,
                    from_units(units - s.base, sc), change_code(units, s.base), volume, value)
