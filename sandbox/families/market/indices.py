"""Indices (index.md I1-I4, I6, I7) and the stocks composite (stocks.md S9).

Values come from the price model's index instruments (points with 2 decimals, ``accTrdvol``
thousand shares, ``accTrdval`` million KRW, README §3.8); the universe totals ``isuCnt``,
``listShrs`` and ``mktcap`` and the expected index from :mod:`sandbox.world.market.index_totals`.
Key order follows the documented payloads (README §3.7).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sandbox.families.market import exceptions as exc
from sandbox.families.market import payloads, series
from sandbox.families.market.params import Target
from sandbox.world.market import index_totals
from sandbox.world.market.instruments import Instrument
from sandbox.world.market.snapshot import Price, Quote
from sandbox.world.world import World

CLOSE_PUBLICATION = time(15, 40)  # closeindex: previous day; today after 15:40 (README §7)
COMPOSITES = {"kospi": "K1", "kosdaq": "Q1"}  # stocks.md S9 (no KONEX composite in codes.md §5)


def _totals(world: World, inst: Instrument, day: date, level: Price) -> dict[str, int]:
    totals = index_totals.of(world.universe).on(inst, day)
    return {"isuCnt": totals.count, "mktcap": totals.mktcap_millions(level),
            "listShrs": totals.shares_thousands}


def _composite_fields(world: World, inst: Instrument, q: Quote) -> dict[str, Any]:
    """The I1 / S9 shape: the day's OHLC, volumes and universe totals."""
    totals = _totals(world, inst, q.day, q.price)
    return {"isuSrtCd": inst.code, "isuCnt": totals["isuCnt"], "trdPrc": q.price,
            "cmpprevddTpCd": q.change_code, "opnprc": q.open, "hgprc": q.high, "lwprc": q.low,
            "accTrdvol": q.volume, "accTrdval": q.value, "mktcap": totals["mktcap"],
            "cmpprevddPrc": q.change, "listShrs": totals["listShrs"]}


def close_index(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """I1: the day's final values with the universe totals at the close; HTTP 400 on a
    business day before 15:40 (ERRATA 26), the last business day's on other days."""
    inst = target.inst
    bar = series.closing_bar(world, inst, at, CLOSE_PUBLICATION)
    totals = _totals(world, inst, bar.day, bar.close)
    return payloads.envelope({
        "isuSrtCd": inst.code, "isuCnt": totals["isuCnt"], "trdPrc": bar.close,
        "cmpprevddTpCd": bar.change_code, "opnprc": bar.open, "hgprc": bar.high,
        "lwprc": bar.low, "accTrdvol": bar.volume, "accTrdval": bar.value,
        "mktcap": totals["mktcap"], "cmpprevddPrc": bar.change, "listShrs": totals["listShrs"],
    })


def index_now(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """I2: the index value, published every 10 seconds (``trdTm`` on a 10 s boundary; the
    closing value at 15:30; 0 before the day's first value)."""
    q = world.market.quote(target.inst, at)
    return payloads.envelope({
        "isuSrtCd": q.code, "trdPrc": q.price, "cmpprevddTpCd": q.change_code,
        "accTrdvol": q.volume, "trdTm": q.trade_time, "accTrdval": q.value,
        "cmpprevddPrc": q.change,
    })


def prospect(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """I3: the expected index of the call auctions (index_totals.expected). ``deemTm`` is a
    string; ``deemcmpprevddTpCd`` the 1-character 2/3/5 code (index.md Q2)."""
    e = index_totals.expected(world.market, target.inst, at)
    return payloads.envelope({
        "isuSrtCd": target.inst.code, "deemTm": str(e.time), "deemTrdPrc": e.price,
        "deemAccTrdvol": e.acc_volume, "deemcmpprevddPrc": e.change,
        "deemcmpprevddTpCd": e.change_code, "deemAccTrdval": e.acc_value,
    })


def market_cap(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """I4: constituents, listed shares, running volume/value and market cap (real time)."""
    inst = target.inst
    q = world.market.quote(inst, at)
    totals = _totals(world, inst, q.day, q.price)
    return payloads.envelope({
        "isuSrtCd": inst.code, "isuCnt": totals["isuCnt"], "accTrdvol": q.volume,
        "accTrdval": q.value, "mktcap": totals["mktcap"], "listShrs": totals["listShrs"],
    })






def composite(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S9: the market's composite (K1 for kospi, Q1 for kosdaq) in real time with the
    universe totals; the same values as I2 at the same instant. KONEX has no composite in
    the code tables (codes.md §5): 10000."""
    code = COMPOSITES.get(target.market)
    inst = world.universe.get(code) if code else None
    if inst is None:
        raise exc.QueryTypeNotFound(f"no composite index for market '{target.market}'")
    return payloads.envelope(_composite_fields(world, inst, world.market.quote(inst, at)))
