"""Path and query parameters of the market REST API (market README §4, §6, §7).

Path resolution runs as the pipeline's ``resolve`` step (after the API key, before the query
schema), so the errors come in the order a client expects: unknown ``{marketcode}`` → 10000,
unknown ``{issuecode}`` → 10040, then a malformed query → 20055. The query schema
(``schemas/market/*.request.json``) checks formats; this module checks meaning (calendar dates,
periods, limits) and raises :mod:`.exceptions` errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from sandbox.families.market import exceptions as exc
from sandbox.gateway.call import Call
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import ELW, ETF, ETN, FUTURE, INDEX, OPTION, STOCK, Instrument
from sandbox.world.market.universe import Universe

MAX_ROWS = 100  # reqCnt ceiling and the row limit of every list (README §6)
BATCH_TIME = time(6, 30)  # lists, master, history, foreignhistory are refreshed at 06:30

CASH_KINDS = (STOCK, ETF, ETN, ELW)
STOCK_MARKETS = ("kospi", "kosdaq", "konex")
MULTIQUOTE_MARKETS = ("kospi", "kosdaq")
INDEX_GROUPS = ("kospi", "kosdaq", "sector", "etc")


@dataclass(frozen=True)
class Target:
    """What the path names: the market code, and the instrument when the path has one."""

    market: str
    instrument: Instrument | None = None
    requested: str | None = None  # the issuecode as sent (a continuous code stays continuous)

    @property
    def inst(self) -> Instrument:
        assert self.instrument is not None, "this operation has no {issuecode}"
        return self.instrument


@lru_cache(maxsize=32)
def cash_issues(universe: Universe, market: str, day: date) -> tuple[Instrument, ...]:
    """Every cash issue (stock, ETF, ETN, ELW) of ``market`` listed on ``day``, by short code:
    the rows of the stocks ``lists`` (S1) and of the whole-market multi-quote tables."""
    found = [i for kind in CASH_KINDS for i in universe.select(kind, market, day)]
    return tuple(sorted(found, key=lambda i: i.code))


# ---------------------------------------------------------------------------------- time
def now(call: Call) -> datetime:
    """The world clock's instant (KST)."""
    return cal.kst(call.world.now())


def batch_day(at: datetime) -> date:
    """The business date of the 06:30 batch visible at ``at`` (lists, master, history)."""
    day = at.date()
    if cal.is_trading_day(day) and at.time() >= BATCH_TIME:
        return day
    return cal.previous_trading_day(day) if cal.is_trading_day(day) else \
        cal.last_trading_day_on_or_before(day)


def session_day(at: datetime) -> date:
    """The trading day whose state ``at`` shows: today on a business day, else the last one."""
    return cal.last_trading_day_on_or_before(at.date())


def published_day(at: datetime, publication: time) -> date:
    """The day of the closing-type data visible at ``at`` (ERRATA 26).

    On a business day before ``publication`` → HTTP 400 "당일 종가 제공 시간이 아닙니다.";
    after it, today; on a non-business day, the last business day.
    """
    day = at.date()
    if cal.is_trading_day(day):
        if at.time() < publication:
            raise exc.NotYetPublished(f"today's closing data is published at "
                                      f"{publication:%H:%M} KST")
        return day
    return cal.last_trading_day_on_or_before(day)


def day_is_final(at: datetime, publication: time) -> tuple[date, bool]:
    """``(session day, whether its figures are final)`` for endpoints that zero-fill instead
    of failing before ``publication`` (per-issue investors 15:30, shortsell 18:00)."""
    day = session_day(at)
    return day, day < at.date() or at.time() >= publication


# ------------------------------------------------------------------------------ path
def _market(call: Call, allowed: tuple[str, ...]) -> str:
    market = call.path_params.get("marketcode", "")
    if market not in allowed:
        raise exc.QueryTypeNotFound(f"unknown marketcode '{market[:40]}'")
    return market


def _issue(call: Call, market: str, kinds: tuple[str, ...]) -> tuple[Instrument, str]:
    """The instrument of ``{issuecode}`` in ``market``; continuous futures codes resolve to the
    front contract of the session day. A 12-character ISIN is accepted (README §4.2)."""
    requested = call.path_params.get("issuecode", "")
    universe, day = call.world.universe, session_day(now(call))
    inst = universe.resolve(requested, day) if universe.is_continuous(requested) else \
        universe.get(requested)
    if (inst is None or inst.kind not in kinds or inst.market != market
            or (inst.list_date is not None and inst.list_date > day)):
        raise exc.IssueNotFound(f"no issue '{requested[:40]}' in market '{market}'")
    return inst, requested


def resolver(family: str, *, issue: bool) -> Callable[[Call], None]:
    """The ``resolve`` step of an operation of ``family`` (stocks, multiquote, futures,
    options, index), with or without an ``{issuecode}`` segment."""
    kinds = {"stocks": CASH_KINDS, "multiquote": CASH_KINDS, "futures": (FUTURE,),
             "options": (OPTION,), "index": (INDEX,)}[family]

    def allowed(call: Call) -> tuple[str, ...]:
        if family == "stocks":
            return STOCK_MARKETS
        if family == "multiquote":
            return MULTIQUOTE_MARKETS
        if family == "index":
            return INDEX_GROUPS
        return call.world.universe.markets(kinds[0])

    def resolve(call: Call) -> None:
        market = _market(call, allowed(call))
        if issue:
            inst, requested = _issue(call, market, kinds)
            call.target = Target(market, inst, requested)
        else:
            call.target = Target(market)

    return resolve


def target(call: Call) -> Target:
    found = call.target
    assert isinstance(found, Target), "the operation has no resolve step"
    return found


# ----------------------------------------------------------------------------- query
def yyyymmdd(query: Mapping[str, Any], name: str, default: date | None = None) -> date:
    """A ``YYYYMMDD`` query date (the schema checked the digits; this checks the calendar)."""
    raw = query.get(name)
    if raw in (None, ""):
        if default is None:
            raise exc.InputError(f"{name} is required (YYYYMMDD)")
        return default
    try:
        return datetime.strptime(str(raw), "%Y%m%d").date()
    except ValueError:
        raise exc.InputError(f"{name}: '{str(raw)[:20]}' is not a calendar date") from None


def intraday_day(query: Mapping[str, Any], at: datetime) -> date:
    """The ``inqStrtDd`` of an intraday call (default: the session day): a future day → 20100,
    a day before the KRX calendar's span → 20020, a non-business day → 20110."""
    day = yyyymmdd(query, "inqStrtDd", session_day(at))
    if day > at.date():
        raise exc.FutureDate(f"inqStrtDd {day:%Y%m%d} is after today")
    if day.year < cal.FIRST_YEAR:
        raise exc.NoDataForDate(f"no intraday data before {cal.FIRST_YEAR}")
    if not cal.is_trading_day(day):
        raise exc.NonBusinessDay(f"{day:%Y%m%d} is not a KRX business day")
    return day


def period(query: Mapping[str, Any], *, start_required: bool = True) -> tuple[date, date]:
    """``(inqStrtDd, inqEndDd)``; start after end → 20010. Without a start: 1990-01-01."""
    end = yyyymmdd(query, "inqEndDd")
    start = yyyymmdd(query, "inqStrtDd", None if start_required else date(1990, 1, 1))
    if start > end:
        raise exc.BadPeriod(f"inqStrtDd {start:%Y%m%d} is after inqEndDd {end:%Y%m%d}")
    return start, end


def req_cnt(query: Mapping[str, Any]) -> int:
    """``reqCnt``: at most 100 rows (larger values are clamped, README §6)."""
    raw = query.get("reqCnt")
    if raw in (None, ""):
        return MAX_ROWS
    count = int(str(raw))  # the schema allows digits only
    if count < 1:
        raise exc.InputError("reqCnt must be at least 1")
    return min(count, MAX_ROWS)


def hhmm(query: Mapping[str, Any], name: str) -> time:
    """``strtTm``/``endTm`` as ``HHMM`` or ``HHMMSS`` (both widths are documented)."""
    raw = str(query.get(name, ""))
    try:
        hours, minutes = int(raw[0:2]), int(raw[2:4])
        seconds = int(raw[4:6]) if len(raw) == 6 else 0
        if hours == 24 and minutes == 0 and seconds == 0:
            return time(23, 59, 59, 990_000)
        return time(hours, minutes, seconds)
    except ValueError:
        raise exc.InputError(f"{name}: '{raw[:10]}' is not HHMM or HHMMSS") from None


def issue_codes(query: Mapping[str, Any]) -> list[str]:
    """The ``isuCd`` list of a multi-quote call: at most 20, duplicates once (multiquote.md)."""
    raw = str(query.get("isuCd") or "")
    codes = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
    if not codes:
        raise exc.IssueCodeMissing("isuCd is required: up to 20 short codes separated by ','")
    if len(codes) > 20:
        raise exc.TooManyIssues(f"{len(codes)} codes requested; at most 20")
    return codes
