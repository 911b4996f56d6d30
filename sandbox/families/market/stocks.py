"""Stocks (market README §5 S1-S6, S12, S15): the model's answers in the documented shapes.

* S1 ``lists`` and S2 ``master`` show the 06:30 batch (README §7): the business day of
  :func:`params.batch_day`.
* S4 ``closeprice``: the day's final bar from 15:40 (ERRATA 26: HTTP 400 before it on a
  business day, the last business day's values on other days).
* S5 ``price``, S6 ``orderbook``, S12 ``intraday``: real time, read off the price model at the
  world clock's instant; S15 ``history`` adds today's running bar while trading (README §6).
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from sandbox.families.market import params, payloads, series
from sandbox.families.market.params import Target
from sandbox.world.market import calendar as cal
from sandbox.world.market import constituents, etf, events
from sandbox.world.market.daily import DaySummary
from sandbox.world.market.instruments import ETF, Instrument
from sandbox.world.market.reference import fundamentals, reference
from sandbox.world.market.rules import from_units
from sandbox.world.market.universe import Universe
from sandbox.world.world import World

CLOSE_PUBLICATION = time(15, 40)  # stocks closeprice (README §7, ERRATA 26)
LISTS_END_TIME = "1540"  # lists ``mktEndTm`` of the stock markets (stocks.md S1)


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


# -------------------------------------------------------------------------------------- S1
@lru_cache(maxsize=32)
def list_rows(universe: Universe, market: str, day: date) -> tuple[dict[str, Any], ...]:
    """S1 rows: every cash issue of ``market`` listed on ``day``, by short code (stocks.md S1);
    built once per (universe, market, day) and shared read-only by every answer."""
    return tuple(payloads.list_row(inst) for inst in params.cash_issues(universe, market, day))


def lists(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S1: the bare ``{trdDd, mktEndTm, isuLists}`` object of the 06:30 batch."""
    day = params.batch_day(at)
    return payloads.lists(day, LISTS_END_TIME, list(list_rows(world.universe, target.market, day)))


# -------------------------------------------------------------------------------------- S2
def _batch_summary(world: World, inst: Instrument, day: date) -> DaySummary:
    """The model's summary of the batch day (the first listing day when the batch predates
    the listing: a new issue's master shows its first base price)."""
    model = world.market.model
    summary = model.summary(inst, cal.day_index(day))
    if summary is None:
        summary = model.summary(inst, max(1, model.life(inst)[0]))
    assert summary is not None, f"{inst.code} never trades"
    return summary


def _industry(inst: Instrument) -> int:
    """``idxIndMidclssCd``: the numeric part of the industry index code (K13 → 13)."""
    sector = inst.sector or ""
    return int(sector[1:]) if sector[1:].isdigit() else 0


def master_fields(world: World, inst: Instrument, at: datetime) -> dict[str, Any]:
    """S2's ``result`` object at ``at`` (also the item source of ``selectivemaster``).

    The seed payload's key set (``BzDd``, ``isuTrdvol`` = KRX100 flag, ``idxIndUpclssCd``/
    ``idxIndLwclssCd``, ``acntclsMm``) plus ``isuEngNm`` (stocks.md S2 "Recommendation (v2)").
    Prices agree with the model: ``basPrc`` and the limits are those of the batch day,
    ``prevdd*`` the previous trading day's final bar (``basPrc`` = ``prevddClsprc``: no
    corporate actions are modelled, so ``adjStkprcCalcYn`` is always N). ``per``/``pbr``/
    ``divYd`` are recomputed from ``basPrc``; ``mktcapScaleCd`` uses the ERRATA 27 numbering;
    ``isuPrc`` is 0 (ERRATA 30); ``prevddNav`` the ETF's previous final NAV (etf.py).
    """
    s = _batch_summary(world, inst, params.batch_day(at))
    base = int(from_units(s.base, s.scale))
    prev = world.market.closing_bar(inst, cal.previous_trading_day(s.day))
    prev_close = int(prev.close) if prev is not None else 0
    ref = reference(world.seed, inst)
    figures = fundamentals(world.market, inst, s.day)
    member = constituents.of(world.universe).membership(inst)
    per, pbr, div_yd = figures.ratios(base)
    industry = _industry(inst)
    return {
        "BzDd": payloads.yyyymmdd(s.day), "isuCd": inst.isin or "", "isuSrtCd": inst.code,
        "isuKorAbbrv": inst.name, "isuEngNm": inst.name_en, "secugrpId": ref.group,
        "mktWarnTpCd": ref.warning, "admisuYn": _yn(ref.administrative),
        "haltYn": _yn(ref.halted or events.halted(world, inst.code, at)),
        "idxIndUpclssCd": industry, "idxIndMidclssCd": industry,
        "idxIndLwclssCd": industry, "mktcapScaleCd": member.size_class,
        "mfindYn": _yn(ref.manufacturing), "smeYn": _yn(ref.sme), "isuTrdvol": _yn(member.krx100),
        "kospiYn": _yn(member.kospi200), "kospi100Yn": _yn(member.kospi100),
        "kospi50Yn": _yn(member.kospi50), "basPrc": base, "prevddClsprc": prev_close,
        "prevddAccTrdvol": prev.volume if prev is not None else 0,
        "prevddAccTrdval": prev.value if prev is not None else 0,
        "uplmtprc": int(from_units(s.upper, s.scale)),
        "lwlmtprc": int(from_units(s.lower, s.scale)),
        "sbPrc": ref.collateral(inst, s.day, base), "parval": inst.par_value, "isuPrc": 0,
        "listDd": payloads.yyyymmdd(inst.list_date) if inst.list_date else 0,
        "listShrs": inst.shares, "arrantrdYn": "N", "creditOrdPosblYn": _yn(ref.credit),
        "regulssQtyUnit": 1, "invstcautnRemndIsuYn": _yn(ref.caution_reminder),
        "srttrmOverheatIsuTpCd": ref.overheat, "eps": figures.eps, "per": per,
        "bps": figures.bps, "pbr": pbr, "dps": figures.dps, "divYd": div_yd,
        "acntclsCd": ref.fiscal_mask, "acntclsMm": f"{ref.fiscal_month:02d}",
        "adjStkprcCalcYn": "N",
        "prevddNav": etf.previous_nav(world.market, inst, s.day) if inst.kind == ETF else 0,
    }


def master(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S2: the 58-item master of the 06:30 batch (:func:`master_fields`)."""
    return payloads.envelope(master_fields(world, target.inst, at))


# ---------------------------------------------------------------------------- real time
def closeprice(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S4: the final OHLCV of the day published at 15:40 (ERRATA 26)."""
    return series.closeprice(world, target.inst, at, CLOSE_PUBLICATION)


def price(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S5: the last trade with the day's OHLCV and best quotes."""
    return payloads.envelope(payloads.stock_price(world.market.quote(target.inst, at)))


def orderbook(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S6: ten levels each side (LP quotes are not modelled), totals and the expected match."""
    return payloads.envelope(payloads.stock_book(world.market.book(target.inst, at)))
