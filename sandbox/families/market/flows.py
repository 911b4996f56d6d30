"""Investor flows, member ranking, short selling, foreign holdings and market holidays
(stocks.md S7, S8, S11, S13, S14, S19; index.md I5; futures.md F8; options.md O8).

Totals come from the price model at the instant (so the investor row 12 equals the traded
volume of ``price``/``index`` at the same instant, README §8.6); the splits from
:mod:`sandbox.world.market.flows`. Publication rules (README §7, ERRATA 26):

* S7 per-issue investors: before 15:30 on a business day, 200 with 16 zero rows;
* S8 market investors: before 15:40 on a business day, the 400 "당일 종가 제공 시간이
  아닙니다."; the market's figures are its composite index's (K1, Q1: volume in thousand
  shares × 1000, value in million KRW × 1000 = thousand KRW), so they equal ``index`` (S9);
* I5 index investors: real time, ``Tm`` = the time of the index figures (10 s steps);
* F8/O8 derivatives market investors: real time refreshed every 30 s, the sum over the
  market's listed contracts; ``Tm`` = the refresh time ("0" before the first trade);
* S11 shortsell: today's row zero-filled before 18:00;
* S14 foreignhistory: 06:30 batch; today's row repeats the previous day's holdings with
  change 0 until the day is over (2018-12 capture), then the day's own holdings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import holidays

from sandbox.families.market import exceptions as exc
from sandbox.families.market import params, payloads
from sandbox.families.market.params import Target
from sandbox.gateway.call import Call
from sandbox.world.market import calendar as cal
from sandbox.world.market import constituents, contracts
from sandbox.world.market import flows as wf
from sandbox.world.market.bars import Bar
from sandbox.world.market.instruments import OPTION, Instrument
from sandbox.world.market.noise import BoundedCache
from sandbox.world.world import World

PER_ISSUE_INVESTORS = time(15, 30)
MARKET_INVESTORS = time(15, 40)
SHORTSELL = time(18, 0)
COMPOSITE = {"kospi": "K1", "kosdaq": "Q1"}
REFRESH_CS = 30 * cal.CS_SECOND  # derivatives market investors refresh every 30 s

# {nationcode} (codes/nations.json) -> the holidays library's exchange calendar, or None for
# the country's public holidays (no exchange calendar in holidays 0.109). EU is Eurex, which
# closes on the TARGET2 holidays (XECB).
NATIONS: dict[str, str | None] = {
    "DE": "XETR", "KR": "XKRX", "US": "XNYS", "VN": None, "GB": "XLON", "IN": "XNSE",
    "JP": "XJPX", "CN": "XSHG", "TW": "XTAI", "SG": "XSES", "AU": "XASX", "EU": "XECB",
}



def resolve_nation(call: Call) -> None:
    """The ``{nationcode}`` of S19 (codes/nations.json, upper case); else 10000."""
    nation = call.path_params.get("nationcode", "")
    if nation not in NATIONS:
        raise exc.QueryTypeNotFound(f"unknown nationcode '{nation[:40]}'")
    call.target = Target(nation)

# -------------------------------------------------------------------------------- investors
def _lists(rows: list[wf.InvestorRow]) -> list[dict[str, Any]]:
    return [{"invstCd": r.code, "askTrdvol": r.ask_volume, "askTrdval": r.ask_value,
             "bidTrdvol": r.bid_volume, "bidTrdval": r.bid_value} for r in rows]


def issue_investors(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S7: the issue's flows by investor type up to ``at`` once published (15:30)."""
    inst = target.inst
    _, final = params.day_is_final(at, PER_ISSUE_INVESTORS)
    rows = wf.zero_rows()
    if final:
        q = world.market.quote(inst, at)
        rows = wf.investor_rows(world.seed, inst.code, wf.profile_of(inst),
                                cal.day_index(q.day), q.volume, q.value)
    return payloads.envelope({"isuCd": inst.isin, "isuSrtCd": inst.code,
                              "invstLists": _lists(rows)})


def _index_flows(world: World, index: Instrument, at: datetime) -> dict[str, Any]:
    q = world.market.quote(index, at)
    rows = wf.investor_rows(world.seed, index.code, wf.profile_of(index), cal.day_index(q.day),
                            q.volume * 1000, q.value * 1_000_000)
    return payloads.envelope({"Tm": str(q.trade_time), "isuSrtCd": index.code,
                              "invstLists": _lists(rows)})


def market_investors(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S8: the market's final flows (400 before 15:40 on a business day; KONEX, which has no
    composite index, → 20050 after the time check)."""
    params.published_day(at, MARKET_INVESTORS)
    code = COMPOSITE.get(target.market)
    index = world.universe.get(code) if code else None
    if index is None:
        raise exc.NoDataForQuery(f"no market-wide investor data for '{target.market}'")
    return _index_flows(world, index, at)


def index_investors(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """I5: the index universe's flows in real time."""
    return _index_flows(world, target.inst, at)


_DERIVATIVE_CACHE: BoundedCache[tuple[object, str, str, int, int], tuple[str, list[Any]]] = \
    BoundedCache(256)


def _derivative_flows(world: World, kind: str, market: str, at: datetime) -> tuple[str, list[Any]]:
    """``(Tm, invstLists)`` of a derivatives market at the last 30 s refresh (cached; read-only)."""
    day = params.session_day(at)
    today, cs = cal.split_instant(at)
    slot = cs - cs % REFRESH_CS if today == day else cal.CS_DAY
    key = (world.market, kind, market, cal.day_index(day), slot)  # Market: events change it
    found = _DERIVATIVE_CACHE.get(key)
    if found is not None:
        return found
    instant = cal.instant(day, slot)
    groups = ("CallAcc", "PutAcc") if kind == OPTION else ("MktAcc",)
    totals = {g: [0, 0] for g in groups}
    for contract in contracts.listed(world.market, world.universe, kind, market, day):
        q = world.market.quote(contract, instant)
        group = ("PutAcc" if contract.option_type == "P" else "CallAcc") if kind == OPTION \
            else "MktAcc"
        totals[group][0] += q.volume
        totals[group][1] += q.value
    n = cal.day_index(day)
    split = [wf.investor_rows(world.seed, f"{kind}:{market}:{g}", f"{kind}s", n, v, w)
             for g, (v, w) in totals.items()]
    volume = sum(v for v, _ in totals.values())
    close = cal.schedule(day, cal.DERIVATIVE_SESSIONS).close
    tm = str(cal.hhmmsscc(min(slot, close))) if volume else "0"
    rows = []
    for i, code in enumerate(wf.INVESTOR_CODES):
        row: dict[str, Any] = {"invstCd": code}
        for g, side_rows in zip(groups, split, strict=True):
            r = side_rows[i]
            row.update({f"{g}AskTrdvol": r.ask_volume, f"{g}AskTrdval": r.ask_value,
                        f"{g}BidTrdvol": r.bid_volume, f"{g}BidTrdval": r.bid_value})
        rows.append(row)
    return _DERIVATIVE_CACHE.put(key, (tm, rows))


def derivative_investors(world: World, target: Target, at: datetime,
                         kind: str) -> dict[str, Any]:
    """F8 (``kind`` future) / O8 (option): the market's flows, refreshed every 30 s."""
    tm, rows = _derivative_flows(world, kind, target.market, at)
    return payloads.envelope({"Tm": tm, "invstLists": rows})


# ---------------------------------------------------------------------------- traderanking
def traderanking(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S13: the top-5 buying and selling members of the day up to ``at``."""
    inst = target.inst
    q = world.market.quote(inst, at)
    n = cal.day_index(q.day)
    ranks = {side: wf.member_ranking(world.seed, inst.code, inst.market, n, side, q.volume,
                                     q.value, int(q.low), int(q.high))
             for side in ("ask", "bid")}
    out: dict[str, Any] = {"isuSrtCd": payloads.map_to(inst)}
    fields = (("TrdVolMbr", "volume"), ("TrdAmtMbr", "amount"), ("TrdWtMbr", "weight"))
    for side in ("ask", "bid"):
        for key, attr in fields:
            out.update({f"{side}{key}{r}": getattr(m, attr)
                        for r, m in enumerate(ranks[side], 1)})
    for side in ("bid", "ask"):
        out.update({f"{side}TrdPrcMbr{r}": m.price for r, m in enumerate(ranks[side], 1)})
    for side in ("bid", "ask"):
        out.update({f"{side}TrdMbr{r}": m.name for r, m in enumerate(ranks[side], 1)})
    return payloads.envelope(out)


# ------------------------------------------------------------------------------- shortsell
def _short_row(world: World, inst: Instrument, bar: Bar) -> wf.ShortRow:
    membership = constituents.of(world.universe).membership(inst)
    banned = wf.short_banned(inst, bar.day, membership.kospi200 or membership.kosdaq150)
    return wf.short_row(world.seed, inst, bar.day, cal.day_index(bar.day), bar.volume,
                        bar.value, int(bar.low), int(bar.high), int(bar.close), banned)


def short_sale(world: World, inst: Instrument, day: date) -> wf.ShortRow:
    """The final short-selling and lending figures of trading day ``day`` (the ``shortsell``
    row of that day once published; zeros when the issue did not trade)."""
    bar = world.market.closing_bar(inst, day)
    return wf.ShortRow(day, 0, 0, 0, 0) if bar is None else _short_row(world, inst, bar)


def shortsell(world: World, target: Target, query: Mapping[str, Any],
              at: datetime) -> dict[str, Any]:
    """S11: daily short selling and lending, newest first, at most 100 rows; today's row is
    zero-filled until 18:00."""
    inst = target.inst
    start, end = params.period(query, start_required=False)
    day, final = params.day_is_final(at, SHORTSELL)
    rows: list[dict[str, Any]] = []
    if start <= min(end, day):
        for bar in world.market.history(inst, start, min(end, day), "D", limit=params.MAX_ROWS):
            r = _short_row(world, inst, bar) if bar.day != day or final else \
                wf.ShortRow(bar.day, 0, 0, 0, 0)
            rows.append({"BzDd": payloads.yyyymmdd(bar.day), "lendBalQty": r.lend_qty,
                         "lendBalAmt": r.lend_amount, "srtsellTrdVol": r.volume,
                         "srtsellTrdAmt": r.amount})
    return payloads.his_lists(inst.code, rows)


# -------------------------------------------------------------------------- foreignhistory
def foreignhistory(world: World, target: Target, query: Mapping[str, Any],
                   at: datetime) -> dict[str, Any]:
    """S14: foreign holdings of the 06:30 batch, newest first, at most ``reqCnt`` rows."""
    inst = target.inst
    start, end = params.period(query)
    count = params.req_cnt(query)
    first = max(1, cal.index_on_or_after(inst.list_date) if inst.list_date else 1)
    n1 = cal.index_on_or_before(min(end, params.batch_day(at)))
    n0 = max(cal.index_on_or_after(start), n1 - count + 1, first)
    today = at.date()

    holdings = {n: wf.foreign_holding(world.seed, inst, n) for n in range(n0 - 1, n1 + 1)
                if n >= first}

    def held(n: int) -> int:
        return holdings.get(n, 0)

    rows = []
    for n in range(n1, n0 - 1, -1):
        day = cal.day_at(n)
        if day == today:  # the batch of today: yesterday's holdings, no change yet
            volume, change = held(n - 1), 0
        else:
            volume = held(n)
            change = volume - held(n - 1) if n > first else 0
        rows.append({"FornHdVol": volume, "cmpprevddFornHdVol": change,
                     "FornHdVolRt": wf.holding_ratio(volume, inst.shares),
                     "BzDd": payloads.yyyymmdd(day)})
    return payloads.his_lists(inst.code, rows)


# --------------------------------------------------------------------------------- holiday
def _one_year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@lru_cache(maxsize=128)
def _closed(nation: str, year: int) -> frozenset[date]:
    """The holidays of ``nation``'s market in ``year`` (weekends not included)."""
    calendar = NATIONS[nation]
    found = holidays.financial_holidays(calendar, years=year) if calendar else \
        holidays.country_holidays(nation, years=year)
    return frozenset(found.keys())


def closed_weekdays(nation: str, start: date, end: date) -> list[date]:
    """Weekdays in ``[start, end)`` on which ``nation``'s market is closed (KR: the KRX
    calendar of the market model)."""
    out = []
    day = start
    while day < end:
        if day.weekday() < 5:
            closed = not cal.is_trading_day(day) if nation == "KR" else \
                day in _closed(nation, day.year)
            if closed:
                out.append(day)
        day += timedelta(days=1)
    return out


def holiday(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S19 (bare object, spec-workbook shape): the market's non-trading weekdays from today
    for the next twelve months."""
    del world
    today = at.date()
    days = closed_weekdays(target.market, today, _one_year_later(today))
    return {"Cnt": str(len(days)), "Lists": [f"{payloads.yyyymmdd(d)}" for d in days]}
