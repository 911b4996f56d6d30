"""PROPOSED ``GET /v1/ratestbed/perfapi.json`` (partners.md F3 §11): one performance summary
per model account over a date range, with the daily series, the maximum drawdown and the
benchmark. ``invtTyCd`` (optional) keeps one investor type.

Over the trading days ``firstDate..lastDate`` of the range that have a published NAV (an
account without any is left out):

* ``startPrice`` is the NAV of the trading day before ``firstDate`` (1000 when ``firstDate``
  is the inception day), ``endPrice`` the NAV of ``lastDate``;
  ``periodProfitRate = (endPrice / startPrice − 1) × 100``; ``accumProfitRate`` as rateapi;
* ``annlzVolatility = stdev(daily %) × √250`` and ``sharpeRatio`` (as riskapi) over the daily
  returns of the range (the inception day has none; fewer than two returns → 0);
* ``maxDrawdown = min_t (NAV_t / max_{s ≤ t} NAV_s − 1) × 100`` over the NAVs of
  ``dailySeries`` (≤ 0), ``mddPeakDate`` the day of that running maximum and
  ``mddTroughDate`` the day of the minimum (both ``firstDate`` when there is no drawdown);
* ``bmProfitRate``: the benchmark's return over the same interval as the NAV (the close
  before ``firstDate``, or the inception day's close, to the close of ``lastDate``);
  ``excessProfitRate = periodProfitRate − bmProfitRate`` (of the published, rounded figures);
* ``riskFreeRate``: the mean CD 91-day rate (% a year) of the return days (that of
  ``firstDate`` when there is none);
* ``dailySeries[]``: ``basicDate``, ``standardPrice``, ``dayProfitRate`` (0 on the inception
  day) and ``bmDayProfitRate`` (the benchmark's own daily return).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sandbox.families.partners.ratestbed.models import (
    Scope,
    account_series,
    param_vo,
    parse,
    scope,
)
from sandbox.world.market import calendar as cal
from sandbox.world.partners import ratestbed as rt
from sandbox.world.partners.ratestbed import DAYS_A_YEAR
from sandbox.world.partners.ratestbed_series import INCEPTION_CENTS, Series, risk

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market
    from sandbox.world.world import World


def _ymd(n: int) -> str:
    return cal.day_at(n).strftime("%Y%m%d")


def drawdown(navs: Sequence[int]) -> tuple[float, int, int]:
    """Maximum drawdown (%, ≤ 0) of ``navs`` with the positions of its peak and trough."""
    peak_i, best, trough = 0, 0.0, (0, 0)
    for i, nav in enumerate(navs):
        if nav > navs[peak_i]:
            peak_i = i
        dd = (nav / navs[peak_i] - 1.0) * 100.0
        if dd < best:
            best, trough = dd, (peak_i, i)
    return best, trough[0], trough[1]


def perf_row(s: Series, sc: Scope) -> dict[str, Any]:
    """The summary of one account over the scope's days."""
    algo, account = sc.algo, s.account
    i_first, i_last = s.position(sc.n_first), s.position(sc.n_last)
    start = s.navs[i_first - 1] if i_first > 0 else s.navs[0]
    end = s.navs[i_last]
    x = risk(s, i_first, i_last)
    bench = 1.0
    for i in range(max(i_first, 1), i_last + 1):
        bench *= 1.0 + s.b[i] / 100.0
    navs = s.navs[i_first : i_last + 1]
    mdd, peak, trough = drawdown(navs)
    period = rt.r2((end / start - 1.0) * 100.0)
    bm = rt.r2((bench - 1.0) * 100.0)
    rf = x.mean_rf * DAYS_A_YEAR if x.count else rt.cd91(cal.day_at(sc.n_first))
    return {
        "algrthSn": algo.sn, "odrSn": algo.round, "algrthNm": algo.name,
        "cmpnyNm": algo.company.name, "indutySe": algo.company.kind,
        "hbrdAssetsAt": algo.assets, "compositionAssetsAt": algo.composition,
        "invtTyCd": account.investor_type, "sortOrdr": account.order,
        "firstDate": _ymd(sc.n_first), "lastDate": _ymd(sc.n_last),
        "startPrice": rt.r2(start / 100.0), "endPrice": rt.r2(end / 100.0),
        "periodProfitRate": period,
        "accumProfitRate": rt.r2((end / INCEPTION_CENTS - 1.0) * 100.0),
        "annlzVolatility": rt.r2(x.stdev * math.sqrt(DAYS_A_YEAR)),
        "sharpeRatio": rt.r2(x.sharpe),
        "maxDrawdown": rt.r2(mdd),
        "mddPeakDate": _ymd(sc.n_first + peak), "mddTroughDate": _ymd(sc.n_first + trough),
        "bmNm": algo.benchmark, "bmProfitRate": bm,
        "excessProfitRate": rt.r2(period - bm),
        "riskFreeRate": rt.r2(rf),
        "dailySeries": [
            {"basicDate": _ymd(s.n0 + i), "standardPrice": rt.r2(s.navs[i] / 100.0),
             "dayProfitRate": rt.r2((s.navs[i] / s.navs[i - 1] - 1.0) * 100.0) if i else 0,
             "bmDayProfitRate": rt.r2(s.b[i])}
            for i in range(i_first, i_last + 1)],
    }


def perf_rows(market: Market, sc: Scope | None, investor_type: str | None) -> list[dict[str, Any]]:
    """listperf: by investor type, then account order."""
    if sc is None:
        return []
    return [perf_row(s, sc) for s in account_series(market, sc, investor_type)]


def perfapi(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    q = parse(body, extra=("invtTyCd",))
    sc = scope(q.sn, q.start, q.end, rt.published_through(world.now()))
    return {"paramVO": param_vo("perfapi", q.echo),
            "listperf": perf_rows(world.base_market, sc, q.investor_type)}
