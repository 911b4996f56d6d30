"""Futures and options masters (futures.md F2, options.md O2) from the price model.

The master of a business day D (the 06:30 batch, README §7) describes D before its open:

* ``basPrc`` and the three limit steps are D's (the model's day summary: futures ±8/15/20% of
  ``basPrc``, options ``basPrc`` ± 8/15/20% of the underlying's base, rules.py), so they equal
  the ``realtmUplmtprc``/``realtmLwlmtprc`` of ``price`` on D;
* ``prevdd*`` are D-1's final bar and open interest; ``inlist*``/``midyy*`` the extremes of the
  days before D (:func:`sandbox.world.market.contracts.extremes`);
* theoretical values come from the model's pricing at D-1's close (``Market.theory``): the
  CD rate (``cdInt``, %), ``basTheoPrc`` and, for options, ``setlTheoPrc`` and the surface
  volatility (``impVolt``, %); futures carry ``null`` for both theoretical prices and for
  ``opnintLmtQty`` (futures.md Q7);
* ``remainDys`` = calendar days from D to ``lsttrdDd`` plus one (futures.md F2).

A contract asked for outside its life (an expired code) shows the master of its last trading
day; one asked for before its first trading day shows that first day's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sandbox.families.market import params, payloads
from sandbox.families.market.params import Target
from sandbox.world.market import calendar as cal
from sandbox.world.market import rules
from sandbox.world.market.contracts import Extreme, extremes
from sandbox.world.market.instruments import FUTURE, INDEX, Instrument
from sandbox.world.market.prices import Market
from sandbox.world.world import World


def master_day(market: Market, inst: Instrument, at: datetime) -> date:
    """The batch day of ``at`` moved into the contract's life."""
    first, last = market.model.life(inst)
    n = cal.day_index(params.batch_day(at))
    return cal.day_at(min(max(n, first, 1), last))


def underlying_id(world: World, inst: Instrument) -> str:
    """``ulyId``: an index's name without spaces (``KOSPI200``), a stock's short code, else the
    product's underlying code (``USDKRW``)."""
    und = world.universe.get(inst.underlying) if inst.underlying else None
    if und is None:
        return inst.underlying or inst.market
    if und.kind == INDEX:
        return (und.name_en or und.name).replace(" ", "").upper()
    return und.code


def _extreme(key: str, found: Extreme) -> dict[str, Any]:
    day = payloads.yyyymmdd(found.day) if found.day is not None else 0
    return {key: found.price, f"{key}Dd": day}


def master(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """F2/O2 in the seed payloads' key order (options add ``impVolt`` and ``exerPrc`` and drop
    ``opnintLmtQty``)."""
    inst, market = target.inst, world.market
    assert inst.expiry is not None
    day = master_day(market, inst, at)
    n = cal.day_index(day)
    summary = market.model.summary(inst, n)
    assert summary is not None  # master_day is inside the contract's life
    scale = summary.scale

    def shown(units: int) -> int | float:
        return rules.from_units(units, scale)

    prev_day = cal.day_at(n - 1)
    prev = market.closing_bar(inst, prev_day)
    theory = market.theory(inst, prev_day)
    future = inst.kind == FUTURE
    found = extremes(market, inst, day)

    out: dict[str, Any] = {"isuSrtCd": inst.code}
    out.update(_extreme("midyyHgstprc", found.year_high))
    out.update(_extreme("midyyLwstprc", found.year_low))
    out.update(_extreme("inlistHgstprc", found.life_high))
    out.update(_extreme("inlistLwstprc", found.life_low))
    out.update({
        "prevddClsprc": prev.close if prev else 0, "prevddOpnprc": prev.open if prev else 0,
        "prevddHgprc": prev.high if prev else 0, "prevddLwprc": prev.low if prev else 0,
        "prevddAccTrdvol": prev.volume if prev else 0,
        "prevddAccTrdval": prev.value if prev else 0,
        "prevddOpnintQty": prev.open_interest if prev else 0,
        "setlPrcTheoPrcDivrgRt": divergence(prev.close if prev else 0, theory.theoretical),
    })
    if not future:
        out["impVolt"] = round(theory.volatility * 100, 2)
    out.update({
        "BzDd": payloads.yyyymmdd(day), "basPrc": shown(summary.base),
        "isuKorNm": inst.korean_name, "isuKorAbbrv": inst.name, "isuCd": inst.isin,
        "listDd": payloads.yyyymmdd(inst.list_date) if inst.list_date else 0,
        "remainDys": (inst.expiry - day).days + 1,
        "cdInt": round(theory.rate * 100, 3),
        "lsttrdDd": payloads.yyyymmdd(inst.expiry),
        "expDd": inst.expiry.year * 100 + inst.expiry.month,
    })
    if not future:
        out["exerPrc"] = inst.strike
    out["ulyId"] = underlying_id(world, inst)
    for k, (upper, _) in enumerate(summary.steps, 1):
        out[f"prcLmtStep{k}Uplmtprc"] = shown(upper)
    for k, (_, lower) in enumerate(summary.steps, 1):
        out[f"prcLmtStep{k}Lwlmtprc"] = shown(lower)
    if future:
        out["opnintLmtQty"] = None
    out["setlmult"] = round(rules.multiplier(inst, day))
    if future:
        out["setlTheoPrc"] = out["basTheoPrc"] = None
    else:
        out["setlTheoPrc"] = theory.theoretical if prev and prev.volume else 0
        out["basTheoPrc"] = theory.theoretical
    return payloads.envelope(out)


def divergence(settlement: float, theoretical: float) -> float:
    """``setlPrcTheoPrcDivrgRt``: (settlement - theoretical) / theoretical, in %, 2 decimals
    (0 when either is missing)."""
    if not settlement or not theoretical:
        return 0.0
    return round((settlement - theoretical) / theoretical * 100, 2)
