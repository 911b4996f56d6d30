"""Futures and options (futures.md F1, F3-F7; options.md O1, O3-O7): the model in the documented
shapes. The masters (F2/O2) are in :mod:`.derivatives_master`.

Echo rule (futures.md Q4): ``price``, ``orderbook``, ``master`` and ``closeprice`` carry the
resolved contract's short code; ``intraday`` and ``history`` echo a requested continuous code
(``K2FA001``), whose history chains the contracts that were front on each day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sandbox.families.market import params, payloads, series
from sandbox.families.market.params import Target
from sandbox.world.market import calendar as cal
from sandbox.world.market import contracts, rules
from sandbox.world.market.bars import Bar, period_start, periods
from sandbox.world.market.instruments import FUTURE, OPTION, Instrument
from sandbox.world.market.prices import Market
from sandbox.world.market.snapshot import Price, Quote
from sandbox.world.market.universe import Universe
from sandbox.world.world import World

CLOSE_PUBLICATION = time(15, 50)  # futures/options closeprice (README §7, ERRATA 26)
MARKET_END_TIME = "1550"  # lists' mktEndTm (futures.md F1)
UNTRADED = "0"  # options.md Q1: cmpprevddTpCd of a series that did not trade


# ------------------------------------------------------------------------------------- helpers
def echo_code(world: World, target: Target) -> str:
    """What ``intraday``/``history`` echo: the continuous code as requested, else the contract."""
    if target.requested and world.universe.is_continuous(target.requested):
        return world.universe.continuous_code(target.market) or target.inst.code
    return target.inst.code


def shown(kind: str, bar: Bar) -> Bar:
    """A day bar as published: an option series without trades shows the previous price as
    OHLC, no change and ``cmpprevddTpCd`` "0" (options.md O3, O7, Q1)."""
    if kind != OPTION or bar.volume:
        return bar
    return replace(bar, open=bar.close, high=bar.close, low=bar.close, change=0,
                   change_code=UNTRADED)


def instant_cs(day: date, at: datetime) -> int:
    """Centiseconds of ``at`` on ``day``: -1 before that day, a full day after it."""
    d, cs = cal.split_instant(at)
    return cs if d == day else (-1 if d < day else cal.CS_DAY)


# --------------------------------------------------------------------------------------- lists
def list_rows(market: Market, universe: Universe, kind: str, code: str,
              day: date) -> tuple[dict[str, Any], ...]:
    """``isuLists`` of a market on a batch day (cached per market and day; treat as read-only)."""
    cache = contracts.market_cache(market, "lists", 256)
    key = (id(universe), kind, code, day)
    found: tuple[dict[str, Any], ...] | None = cache.get(key)
    if found is None:
        found = cache.put(key, _list_rows(market, universe, kind, code, day))
    return found


def _list_rows(market: Market, universe: Universe, kind: str, code: str,
               day: date) -> tuple[dict[str, Any], ...]:
    """The rows of :func:`list_rows`.

    Futures (F1): every listed contract, then one row per continuous code repeating the front
    contract's ISIN and names with ``map_to`` = the bare code. Options (O1): the series of the
    listed months with strikes every ``strike_step`` around the money, the money being the
    underlying's previous close.
    """
    rows = [payloads.list_row(inst)
            for inst in contracts.listed(market, universe, kind, code, day)]
    if kind == FUTURE:
        continuous = universe.continuous_code(code)
        front = universe.resolve(continuous, day) if continuous else None
        if continuous and front is not None:
            rows.append({**payloads.list_row(front), "isuSrtCd": continuous,
                         "map_to": continuous})
    return tuple(rows)


def lists(world: World, target: Target, at: datetime, kind: str) -> dict[str, Any]:
    """F1/O1 (bare object): the contracts listed by the 06:30 batch visible at ``at``."""
    day = params.batch_day(at)
    rows = list_rows(world.market, world.universe, kind, target.market, day)
    return payloads.lists(day, MARKET_END_TIME, list(rows))


# ------------------------------------------------------------------------------ closing price
def closeprice(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """F3/O3: the final bar, published 15:50 (400 before it on a business day)."""
    inst = target.inst
    bar = series.closing_bar(world, inst, at, CLOSE_PUBLICATION)
    return payloads.envelope(payloads.close_fields(shown(inst.kind, bar), inst.code))


# ---------------------------------------------------------------------------------- last trade
def negotiated_volume(world: World, inst: Instrument, q: Quote, at: datetime) -> int:
    """``negoBlkAccTrdvol``: the day's negotiated block once printed (0 on most days)."""
    summary = world.market.model.summary(inst, cal.day_index(q.day))
    if summary is None:
        return 0
    return contracts.negotiated_volume(world.seed, inst, q.day, summary.volume,
                                       instant_cs(q.day, at), q.volume)


def spread_legs(world: World, inst: Instrument, q: Quote, at: datetime) -> tuple[Price, Price]:
    """``(fstmmAgndaContrtPrc, futrmmAgndaContrtPrc)``: the legs of the product's last calendar
    spread, taken as the last prices of its two nearest contracts (0 for a leg that has not
    traded that day, or when there is no second contract)."""
    product = world.universe.product_of(inst)
    legs: list[Price] = []
    for year, month in product.listed_months(q.day)[:2] if product else ():
        leg = world.universe.get(product.code(year, month)) if product else None
        if leg is None:
            continue
        quote = q if leg.code == inst.code else world.market.quote(leg, at)
        legs.append(quote.price if quote.volume else 0)
    legs += [0, 0]
    return legs[0], legs[1]


def price(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """F4/O4: the last trade. After the close ``trdTm`` is the signal 31000000 (ERRATA 28);
    options echo ``isuSrtCd`` with the ``*006`` suffix and add ``isuCd`` (options.md Q2)."""
    inst = target.inst
    q = world.market.quote(inst, at)
    future = inst.kind == FUTURE
    out: dict[str, Any] = {
        "isuSrtCd": inst.code if future else payloads.map_to(inst),
        "trdPrc": q.price, "opnprc": q.open, "hgprc": q.high, "lwprc": q.low,
        "accTrdvol": q.volume, "trdTm": q.trade_time, "trdvol": q.last_qty,
        "lstTrdTpCd": q.side, "accTrdval": q.value,
    }
    if future:
        out["fstmmAgndaContrtPrc"], out["futrmmAgndaContrtPrc"] = spread_legs(world, inst, q, at)
    else:
        out["isuCd"] = inst.isin
    out["negoBlkAccTrdvol"] = negotiated_volume(world, inst, q, at)
    out["realtmUplmtprc"], out["realtmLwlmtprc"] = q.upper_limit, q.lower_limit
    return payloads.envelope(out)


# ---------------------------------------------------------------------------------- order book
def orderbook(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """F5/O5: five levels each side with order counts, totals, valid order counts, the quote
    time and the expected auction price (futures.md F5; key order of the seed payload)."""
    inst = target.inst
    b = world.market.book(inst, at)
    out: dict[str, Any] = {"isuSrtCd": inst.code}
    for side, prices, qtys in (("ask", b.ask_prices, b.ask_qtys),
                               ("bid", b.bid_prices, b.bid_qtys)):
        for n, level_price in enumerate(prices, 1):
            out[f"{side}Step{n}BstordPrc"] = level_price
        for n, qty in enumerate(qtys, 1):
            out[f"{side}Step{n}BstordRqty"] = qty
    out["askTotOrdRqty"], out["bidTotOrdRqty"] = b.ask_total, b.bid_total
    for n, (ask, bid) in enumerate(zip(b.ask_counts, b.bid_counts, strict=True), 1):
        out[f"askStep{n}BstordCnt"], out[f"bidStep{n}BstordCnt"] = ask, bid
    out.update({"askValidOrdCnt": b.ask_orders, "bidValidOrdCnt": b.bid_orders,
                "ordAcptTm": b.time, "deemTrdPrc": b.expected_price})
    return payloads.envelope(out)


# ------------------------------------------------------------------------------------- intraday
def intraday(world: World, target: Target, query: Mapping[str, Any],
             at: datetime) -> dict[str, Any]:
    """F6/O6: bars of ``inqStrtDd`` (default today). A continuous code reads the contract that
    was front on that day and is echoed as requested (futures.md Q4)."""
    inst = target.inst
    echo = echo_code(world, target)
    day = params.intraday_day(query, at)
    if echo != inst.code:
        inst = world.universe.front(target.market, day) or inst
    return series.intraday(world, inst, query, at, echo=echo, day=day)


# -------------------------------------------------------------------------------------- history
def history(world: World, target: Target, query: Mapping[str, Any],
            at: datetime) -> dict[str, Any]:
    """F7/O7: daily/weekly/monthly bars with ``opnintQty``, newest first (README §6)."""
    inst = target.inst
    echo = echo_code(world, target)
    if echo != inst.code:
        bars = chained_bars(world, target.market, query, at)
    else:
        bars = series.history_bars(world, inst, query, at)
    rows = [payloads.history_row(shown(inst.kind, bar), open_interest=True) for bar in bars]
    return payloads.his_lists(echo, rows)


def _walk_start(hi: date, start: date, cycle: str, limit: int) -> date:
    """The first day whose daily bar can matter for ``limit`` rows ending at ``hi``."""
    if cycle == "D":
        n = max(cal.index_on_or_after(start), cal.index_on_or_before(hi) - limit)
        return max(start, cal.day_at(max(n, 0)))
    if cycle == "W":
        return max(period_start(start, "W"), period_start(hi - timedelta(weeks=limit), "W"))
    months = hi.year * 12 + hi.month - 1 - limit
    return max(period_start(start, "M"), date(months // 12, months % 12 + 1, 1))


def chained_bars(world: World, market_code: str, query: Mapping[str, Any],
                 at: datetime) -> list[Bar]:
    """History of a continuous code: each day's bar is the bar of the contract that was front
    that day (futures.md F7: continuous codes chain the front contracts); W/M rows aggregate
    the chained days (unadjusted at the rolls). Newest first, at most ``reqCnt``."""
    start, end = params.period(query)
    cycle = str(query.get("trnsmCycleTpCd"))
    limit = params.req_cnt(query)
    hi = min(end, params.session_day(at))
    lo = _walk_start(hi, start, cycle, limit)
    daily: list[Bar] = []  # oldest first
    segments: list[tuple[Instrument, date, date]] = []
    n, n_hi = cal.index_on_or_after(lo), cal.index_on_or_before(hi)
    while n <= n_hi:  # a front contract stays front until its last trading day
        day = cal.day_at(n)
        front = world.universe.front(market_code, day)
        if front is None or front.expiry is None:
            break
        segments.append((front, day, min(hi, front.expiry)))
        n = cal.index_on_or_after(max(front.expiry, day) + timedelta(days=1))
    for contract, first, last in segments:
        daily.extend(reversed(world.market.history(contract, first, last, "D", at=at)))
    rows = daily if cycle == "D" else [bar for bar in aggregate(daily, cycle) if bar.day >= start]
    rows.reverse()
    return rows[:limit]


def aggregate(daily: list[Bar], cycle: str) -> list[Bar]:
    """W or M bars of display-unit daily bars given oldest first (as ``bars.aggregate``: open of
    the first day, close of the last, extremes, sums, change against the first day's base,
    change codes 2/3/5, the period's last included day and open interest)."""
    out = []
    for group in periods(daily, cycle):
        first, last = group[0], group[-1]
        change = last.close - first.base
        out.append(Bar(last.day, first.open, max(b.high for b in group),
                       min(b.low for b in group), last.close,
                       sum(b.volume for b in group), sum(b.value for b in group), first.base,
                       change if isinstance(change, int) else round(change, 3),
                       rules.change_code(last.close, first.base), last.open_interest))
    return out
