"""ETF endpoints: NAV after the close, NAV now, NAV history, PDF (stocks.md S10, S16-S18).

The NAV and the basket are :mod:`sandbox.world.market.etf`'s. Rules of the endpoints:

* S10 ``closenav``: the time check comes first (ERRATA 26): before 16:00 on a business day
  the 400 "당일 종가 제공 시간이 아닙니다."; after it (or on a non-business day, the last
  business day) a non-ETF → 400 20050 "해당 조회 코드에 자료가 없습니다";
* S17 ``nav`` real time, S18 ``navhistory`` with ``history`` semantics (today's running row
  while trading; W/M rows dated on the period's last business day, the change against the
  final NAV before the period), S16 ``pdf`` of the 06:30 batch (bare object, spec-workbook
  shape with ``Cnt`` and ``InqDd`` as strings); a non-ETF → 20050.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from sandbox.families.market import exceptions as exc
from sandbox.families.market import params, payloads, series
from sandbox.families.market.params import Target
from sandbox.world.market import etf
from sandbox.world.market.bars import period_start
from sandbox.world.market.instruments import Instrument
from sandbox.world.world import World

CLOSENAV = time(16, 0)


def _etf(target: Target) -> Instrument:
    inst = target.inst
    if not etf.is_etf(inst):
        raise exc.NoDataForQuery(f"{inst.code} is not an ETF: no NAV or PDF")
    return inst


def _nav_result(code: str, point: etf.NavPoint) -> dict[str, Any]:
    return payloads.envelope({"isuSrtCd": code, "nav": point.nav, "cmpprevddNav": point.change})


def closenav(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S10: the day's final NAV (after 16:00; the last business day's on holidays)."""
    day = params.published_day(at, CLOSENAV)
    inst = _etf(target)
    return _nav_result(inst.code, etf.nav_point(world.market, inst, day))


def nav(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S17: the NAV now (the previous final NAV before the day's first trade)."""
    inst = _etf(target)
    return _nav_result(inst.code, etf.nav_point(world.market, inst, params.session_day(at), at))


def navhistory(world: World, target: Target, query: Mapping[str, Any],
               at: datetime) -> dict[str, Any]:
    """S18: daily/weekly/monthly NAV with the ETF's close, newest first."""
    inst = _etf(target)
    cycle = str(query.get("trnsmCycleTpCd"))
    market, today = world.market, at.date()
    rows = []
    for bar in series.history_bars(world, inst, query, at):
        value = etf.nav(market, inst, bar.day, at if bar.day == today else None)
        before = etf.previous_nav(market, inst, period_start(bar.day, cycle))
        rows.append({"trdDd": payloads.yyyymmdd(bar.day), "trdPrc": bar.close, "nav": value,
                     "cmpprevddNav": round(value - before, 2) if before else 0.0})
    return payloads.his_lists(inst.code, rows)


def pdf(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S16 (bare object): the creation unit's basket of the 06:30 batch."""
    inst = _etf(target)
    inquiry = params.batch_day(at)
    found = etf.pdf_of(world.market, world.universe, inst, inquiry)
    return {"Cnt": str(len(found.holdings)), "InqDd": f"{payloads.yyyymmdd(inquiry)}",
            "Lists": [{"isuCd": h.isin, "Unit": h.unit, "isuNm": h.name, "SetAmt": h.amount}
                      for h in found.holdings]}

