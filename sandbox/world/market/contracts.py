"""Per-contract facts of futures and options that the price model does not carry itself.

* :func:`extremes`: the life-of-contract and year-to-date highs and lows with their dates, as a
  master published on a business day shows them (futures.md F2 ``inlist*``/``midyy*``): every
  daily bar of the contract *before* that day, read from the model's O(1) daily summaries.
* :func:`listed`: the contracts of a derivatives market on a day, option strikes centred on
  the underlying's previous close (the money), as the ``lists`` endpoints and the market-wide
  investor flows see them.
* :func:`negotiated_block`: the day's negotiated block trade (협의대량매매, futures.md F4
  ``negoBlkAccTrdvol``). Most days have none; on a seeded share of days one block of a small
  share of the day's volume prints at a seeded time. The block is counted *inside* the
  model's ``accTrdvol`` (the spec says ``accTrdvol`` = regular + negotiated block + EFP), so it
  never adds to the day's volume and never exceeds what has traded so far.

Both are pure functions of (seed, contract, day, instant): randomness comes from
:mod:`.noise`, caches never change a result.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sandbox.world.market import calendar as cal
from sandbox.world.market import rules
from sandbox.world.market.instruments import CALL, FUTURE, OPTION, Instrument
from sandbox.world.market.noise import BoundedCache, uniform
from sandbox.world.market.prices import Market
from sandbox.world.market.rules import from_units
from sandbox.world.market.snapshot import Price
from sandbox.world.market.universe import Universe

# negotiated block trades: probability of a block day, share of the day's volume, time window
BLOCK_DAY_PROBABILITY = {FUTURE: 0.12}  # options: none (their books are thin)
BLOCK_SHARE = (0.002, 0.02)
BLOCK_WINDOW = (10 * cal.CS_HOUR, 15 * cal.CS_HOUR)  # 10:00-15:00


@dataclass(frozen=True)
class Extreme:
    """A high or a low and its day (``price`` 0 and ``day`` None when there is no bar yet)."""

    price: Price
    day: date | None


@dataclass(frozen=True)
class Extremes:
    """Highs and lows of a contract before a business day: over its life and in the year."""

    life_high: Extreme
    life_low: Extreme
    year_high: Extreme
    year_low: Extreme


NONE = Extreme(0, None)

_CACHES: weakref.WeakKeyDictionary[Market, dict[str, BoundedCache[Any, Any]]] = \
    weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def market_cache(market: Market, name: str, size: int) -> BoundedCache[Any, Any]:
    """A bounded cache living as long as ``market`` (results keyed by instrument code and day
    are only valid for one Market; a weak key never keeps a dropped Market's caches alive)."""
    with _CACHES_LOCK:
        caches = _CACHES.get(market)
        if caches is None:
            caches = _CACHES[market] = {}
        found = caches.get(name)
        if found is None:
            found = caches[name] = BoundedCache(size)
        return found


def underlying_close(market: Market, sample: Instrument, day: date) -> float:
    """The underlying's close on the trading day before ``day`` (points), from the model."""
    und = market.model.underlying(sample)
    prev = cal.index_on_or_before(day - timedelta(days=1))
    return market.model.close_units(und, prev) / rules.price_scale(und)


def listed(market: Market, universe: Universe, kind: str, code: str,
           day: date) -> tuple[Instrument, ...]:
    """The contracts of derivatives market ``code`` listed on ``day`` (cached per day): option
    strikes every step around the underlying's previous close (options.md O1)."""
    cache = market_cache(market, "listed", 256)
    key = (id(universe), kind, code, day)
    found: tuple[Instrument, ...] | None = cache.get(key)
    if found is None:
        atm: float | None = None
        if kind == OPTION:
            for product in universe.products_of(OPTION, code):
                months = product.listed_months(day)
                if months:
                    sample = product.contract(*months[0], CALL, product.strikes()[0])
                    atm = underlying_close(market, sample, day)
                    break
        found = cache.put(key, tuple(universe.select(kind, code, day, atm=atm)))
    return found


def extremes(market: Market, inst: Instrument, day: date) -> Extremes:
    """Extremes of the daily highs/lows of ``inst`` on its trading days strictly before ``day``
    (ties: the earliest day holds the record). Cached per (market, contract, day)."""
    cache = market_cache(market, "extremes", 4096)
    key = (inst.code, day)
    found: Extremes | None = cache.get(key)
    if found is None:
        found = cache.put(key, _extremes(market, inst, day))
    return found


def _extremes(market: Market, inst: Instrument, day: date) -> Extremes:
    first, _ = market.model.life(inst)
    n1 = cal.index_on_or_before(day) - (1 if cal.is_trading_day(day) else 0)
    rows = market.model.summaries(inst, max(first, 1), n1) if n1 >= first else []
    if not rows:
        return Extremes(NONE, NONE, NONE, NONE)
    scale = rows[0].scale

    def pick(subset: list[int], high: bool) -> Extreme:
        if not subset:
            return NONE
        if high:  # max() and min() keep the first (earliest) of equal values
            best = max(subset, key=lambda i: rows[i].high)
            return Extreme(from_units(rows[best].high, scale), rows[best].day)
        best = min(subset, key=lambda i: rows[i].low)
        return Extreme(from_units(rows[best].low, scale), rows[best].day)

    every = list(range(len(rows)))
    year = [i for i in every if rows[i].day.year == day.year]
    return Extremes(pick(every, True), pick(every, False), pick(year, True), pick(year, False))


@dataclass(frozen=True)
class Block:
    """A negotiated block trade: when (centiseconds since midnight) and how many contracts."""

    time: int
    qty: int


def negotiated_block(seed: int, inst: Instrument, day: date, day_volume: int) -> Block | None:
    """The negotiated block of ``inst`` on ``day`` (None on most days), ``day_volume`` being the
    model's final volume of that day."""
    probability = BLOCK_DAY_PROBABILITY.get(inst.kind, 0.0)
    key = day.toordinal()
    if day_volume <= 0 or uniform(seed, "nego", inst.code, key) >= probability:
        return None
    lo, hi = BLOCK_SHARE
    share = lo + (hi - lo) * uniform(seed, "nego-size", inst.code, key)
    start, end = BLOCK_WINDOW
    when = start + int((end - start) * uniform(seed, "nego-time", inst.code, key))
    return Block(when, max(1, int(day_volume * share)))


def negotiated_volume(seed: int, inst: Instrument, day: date, day_volume: int, cs: int,
                      acc_volume: int) -> int:
    """``negoBlkAccTrdvol`` at ``cs`` centiseconds of ``day``: the block once it printed, never
    more than the ``acc_volume`` traded so far (the block is part of it)."""
    block = negotiated_block(seed, inst, day, day_volume)
    if block is None or cs < block.time:
        return 0
    return min(block.qty, acc_volume)
