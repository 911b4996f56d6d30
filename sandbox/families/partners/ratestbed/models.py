"""The RA testbed's answers (partners.md F3 §8-10): algorithm list, NAV and period returns,
risk indicators. The proposed performance summary (§11) is in :mod:`.perf`; the registry and
the NAV series in :mod:`sandbox.world.partners.ratestbed` and ``ratestbed_series``.

Rules (PROPOSED where the manual is silent):

* Every answer echoes the request in ``paramVO`` (the documented parameters given, as the
  strings sent, then ``siteName`` ``portal``, ``targetMethod``, ``programId`` ``mainavg``);
  rateapi puts ``paramVO`` after ``listrate``, the others first (documented key order).
* A business day's NAV is published at 12:00 KST on the next trading day: later days have no
  rows. An unknown algorithm, one not yet started or a range without data → an empty list.
* ``startDate``/``endDate`` must be real ``yyyymmdd`` dates with ``startDate <= endDate``
  and at most three years apart (``endDate`` before ``startDate`` plus 3 years; the emulator's
  bound on the work of one call — the manual sets none); otherwise 400 ``ratestbed`` naming
  the parameter (``endDate`` for the order and the span). Missing or non-numeric parameters
  are rejected by the request schema the same way.
* rateapi: ``fewdayContProfitRate = NAV_t − NAV_{t−1}``, ``dayProfitRate = (NAV_t / NAV_{t−1}
  − 1) × 100``; week/1/3/6-month returns against the NAV of the last trading day on or before
  the same date one week/n months earlier, or against the first NAV (1000) if the account is
  younger; 1/2/3-year returns likewise but ``null`` until the account is that old;
  ``accumProfitRate = (NAV / 1000 − 1) × 100``. On the inception day the day's change is 0.
* riskapi: one row per day × account × window ``periodSe`` 1, 3, 6, 12 (months: the trading
  days after the same date n months earlier), 99 (the calendar year to date) and 999 (since
  inception), formulas in :mod:`sandbox.world.partners.ratestbed_series`.
* All figures 2 decimals, half away from zero; integral values are JSON integers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.errors import PartnerError
from sandbox.families.partners.params import yyyymmdd
from sandbox.world.market import calendar as cal
from sandbox.world.partners import ratestbed as rt
from sandbox.world.partners.ratestbed_series import INCEPTION_CENTS, Series, risk, series

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market
    from sandbox.world.world import World

FAMILY = "ratestbed"
MAX_RANGE_YEARS = 3
QUERY_PARAMS = ("algrthSn", "startDate", "endDate")
PERIODS = (1, 3, 6, 12, 99, 999)
YTD, SINCE_INCEPTION = 99, 999
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Query:
    """A validated rateapi/riskapi/perfapi request."""

    sn: int
    start: date
    end: date
    investor_type: str | None
    echo: dict[str, str]  # the documented parameters as sent


@dataclass(frozen=True)
class Scope:
    """The trading days of a request that have data: ``n_first..n_last`` (calendar indices)."""

    algo: rt.Algorithm
    n_first: int
    n_last: int


def param_vo(method: str, echo: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {**(echo or {}), "siteName": "portal", "targetMethod": method, "programId": "mainavg"}


def _plus_years(d: date, years: int) -> date:
    if d.year + years > date.max.year:
        return date.max
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def parse(body: Mapping[str, Any], extra: tuple[str, ...] = ()) -> Query:
    """Check the parameters the schema cannot (calendar dates, order, span)."""
    text = str(body.get("algrthSn", ""))
    if not (text.isascii() and text.isdigit()):
        raise PartnerError(FAMILY, "algrthSn", "not a number")
    start = yyyymmdd(FAMILY, body, "startDate", required=True)
    end = yyyymmdd(FAMILY, body, "endDate", required=True)
    if end < start:
        raise PartnerError(FAMILY, "endDate", "endDate is before startDate")
    if end >= _plus_years(start, MAX_RANGE_YEARS):
        raise PartnerError(FAMILY, "endDate", f"the range is limited to {MAX_RANGE_YEARS} years")
    echo = {name: str(body[name]) for name in (*QUERY_PARAMS, *extra) if name in body}
    investor_type = body.get("invtTyCd") if "invtTyCd" in extra else None
    return Query(int(text), start, end, str(investor_type) if investor_type else None, echo)


def scope(sn: int, start: date, end: date, through: date) -> Scope | None:
    """The algorithm and the trading days in ``[start, end]`` with a published NAV."""
    algo = rt.algorithm(sn)
    if algo is None:
        return None
    first, last = max(start, algo.inception), min(end, rt.last_day(algo, through))
    if first > last:
        return None
    n_first, n_last = cal.index_on_or_after(first), cal.index_on_or_before(last)
    return Scope(algo, n_first, n_last) if n_first <= n_last else None


def _ymd(d: date) -> str:
    return d.strftime("%Y%m%d")


# ------------------------------------------------------------------------------- algoapi
def algoapi(world: World) -> dict[str, Any]:
    today = world.now().astimezone(cal.KST).date()
    return {"paramVO": param_vo("algoapi"),
            "listalgo": [{"algrthSn": a.sn, "odrSn": a.round, "algrthNm": a.name,
                          "hbrdAssetsAt": a.assets, "compositionAssetsAt": a.composition}
                         for a in rt.listed(today)]}


# ------------------------------------------------------------------------------- rateapi
def _identity(s: Series, day: date) -> dict[str, Any]:
    return {"basicDate": _ymd(day), "algrthNm": s.algo.name, "odrSn": s.algo.round,
            "invtTyCd": s.account.investor_type, "sortOrdr": s.account.order}


def _since(s: Series, i: int, ref: date, full: bool) -> float | None:
    """Return % of position ``i`` against the NAV on ``ref`` (the last trading day on or
    before it); before inception: against 1000, or None when ``full`` periods are required."""
    if ref < s.algo.inception:
        return None if full else rt.r2((s.navs[i] / INCEPTION_CENTS - 1.0) * 100.0)
    base = s.navs[cal.index_on_or_before(ref) - s.n0]
    return rt.r2((s.navs[i] / base - 1.0) * 100.0)


def rate_row(s: Series, n: int) -> dict[str, Any]:
    """The rateapi row of trading day ``n`` (the series reaches it)."""
    day, i = cal.day_at(n), s.position(n)
    nav = s.navs[i]
    prev = s.navs[i - 1] if i > 0 else nav
    return {
        **_identity(s, day),
        "standardPrice": rt.r2(nav / 100.0),
        "fewdayContProfitRate": rt.r2((nav - prev) / 100.0),
        "dayProfitRate": rt.r2((nav / prev - 1.0) * 100.0),
        "weekProfitRate": _since(s, i, day - WEEK, False),
        "monProfitRate1": _since(s, i, rt.minus_months(day, 1), False),
        "monProfitRate3": _since(s, i, rt.minus_months(day, 3), False),
        "monProfitRate6": _since(s, i, rt.minus_months(day, 6), False),
        "yearProfitRate1": _since(s, i, rt.minus_months(day, 12), True),
        "yearProfitRate2": _since(s, i, rt.minus_months(day, 24), True),
        "yearProfitRate3": _since(s, i, rt.minus_months(day, 36), True),
        "accumProfitRate": rt.r2((nav / INCEPTION_CENTS - 1.0) * 100.0),
    }


def account_series(market: Market, sc: Scope, investor_type: str | None = None) -> list[Series]:
    return [series(market, sc.algo, account, sc.n_last)
            for account in sc.algo.accounts_of(investor_type)]


def rate_rows(market: Market, sc: Scope | None) -> list[dict[str, Any]]:
    """listrate: by day, then investor type and account order."""
    if sc is None:
        return []
    accounts = account_series(market, sc)
    return [rate_row(s, n) for n in range(sc.n_first, sc.n_last + 1) for s in accounts]


def rateapi(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    q = parse(body)
    sc = scope(q.sn, q.start, q.end, rt.published_through(world.now()))
    return {"listrate": rate_rows(world.base_market, sc), "paramVO": param_vo("rateapi", q.echo)}


# ------------------------------------------------------------------------------- riskapi
def window_start(day: date, period: int, inception: date) -> date:
    """The first day whose return enters the window ``periodSe`` ending on ``day``."""
    if period == SINCE_INCEPTION:
        return inception + timedelta(days=1)
    if period == YTD:
        return date(day.year, 1, 1)
    return rt.minus_months(day, period) + timedelta(days=1)


def risk_rows_of(s: Series, n: int) -> list[dict[str, Any]]:
    """The riskapi rows of one account on trading day ``n``, one per window."""
    day, i = cal.day_at(n), s.position(n)
    identity = _identity(s, day)
    rows = []
    for period in PERIODS:
        i0 = cal.index_on_or_after(window_start(day, period, s.algo.inception)) - s.n0
        x = risk(s, i0, i)
        rows.append({**identity, "periodSe": period,
                     "standardDeviation": rt.r2(x.stdev), "betaValue": rt.r2(x.beta),
                     "sharpeRatio": rt.r2(x.sharpe), "jensensAlpha": rt.r2(x.jensens_alpha),
                     "inforRate": rt.r2(x.information_ratio),
                     "trackingErr": rt.r2(x.tracking_error)})
    return rows


def risk_rows(market: Market, sc: Scope | None) -> list[dict[str, Any]]:
    """listrisk: by day, investor type, account order, then window."""
    if sc is None:
        return []
    accounts = account_series(market, sc)
    return [row for n in range(sc.n_first, sc.n_last + 1) for s in accounts
            for row in risk_rows_of(s, n)]


def riskapi(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    q = parse(body)
    sc = scope(q.sn, q.start, q.end, rt.published_through(world.now()))
    return {"paramVO": param_vo("riskapi", q.echo), "listrisk": risk_rows(world.base_market, sc)}
