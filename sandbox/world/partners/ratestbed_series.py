"""NAV series of the RA testbed's model accounts (partners.md F3) and the statistics of
riskapi and perfapi.

**NAV model.** A model account's NAV (기준가) is 1000.00 on the algorithm's inception day;
on each later KRX trading day the account earns (in %)

    x_t = β · b_t + α + σ · ε_t

where ``b_t`` is the benchmark's daily return (KOSPI200 or MSCI ACWI(KRW),
:mod:`sandbox.world.partners.ratestbed`), ``ε_t`` a standard normal hashed from
``(seed, account, trading day)``, and β, α, σ account constants hashed from
``(seed, account)``: β and σ grow with the investor type (conservative low, aggressive high)
and are small for algorithms without equities (bond-like accounts). The published NAV is
rounded to the cent every day and the next day compounds on the published NAV, so every
published figure (daily return, period returns) is exact arithmetic on published NAVs.

The series is a cumulative product: it is computed once per ``(seed, account)`` up to the
last day anybody asked for, kept in a :class:`BoundedCache` and extended incrementally, with
prefix sums of the daily returns, their squares and cross-products so that any window's
statistics cost O(1).

**Statistics** (sample statistics, n − 1) over the daily % returns ``r`` of a window (the
trading days after the inception day), benchmark returns ``b`` and daily risk-free rates
``rf`` (CD 91-day / 250): ``stdev(r)``; ``β = cov(r, b) / var(b)``; Sharpe
``mean(r − rf) / stdev(r) · √250``; Jensen's alpha ``mean(r) − [mean(rf) + β (mean(b) −
mean(rf))]``; tracking error ``stdev(r − b)``; information ratio ``mean(r − b) / stdev(r − b)
· √250``. A window with fewer than two returns gives 0 for every indicator, and a ratio whose
denominator is 0 is 0 (the emulator's choice; the spec is silent).
"""

from __future__ import annotations

import math
import threading
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandbox.world.market import calendar as cal
from sandbox.world.market.noise import BoundedCache, normal, uniform
from sandbox.world.partners.ratestbed import (
    DAYS_A_YEAR,
    EQUITY,
    Account,
    Algorithm,
    benchmark_returns,
    daily_risk_free,
)

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market

INCEPTION_CENTS = 100_000  # 1000.00
_TINY = 1e-9  # a standard deviation below this is 0 (float noise)

# (β low, β high, σ low, σ high) per investor type; σ in daily %
_EQUITY_PROFILES = {"01": (0.18, 0.35, 0.10, 0.18), "02": (0.40, 0.60, 0.18, 0.30),
                    "03": (0.65, 0.95, 0.28, 0.45)}
_BOND_PROFILES = {"01": (0.01, 0.05, 0.025, 0.05), "02": (0.03, 0.09, 0.04, 0.08),
                  "03": (0.06, 0.15, 0.06, 0.11)}
# α (daily %): mean and spread of N(0, 1) (truncated at ±3): bonds 0.25-3.3 % a year above
# β × benchmark, equity accounts -4 … +5 %
_ALPHAS = {False: (0.007, 0.002), True: (0.002, 0.006)}


@dataclass(frozen=True)
class Profile:
    beta: float
    alpha: float  # daily %
    vol: float  # daily % (idiosyncratic)


def profile(seed: int, algo: Algorithm, account: Account) -> Profile:
    """The account's constants, a pure function of ``(seed, account)``."""
    table = _EQUITY_PROFILES if algo.composition == EQUITY else _BOND_PROFILES
    b_lo, b_hi, s_lo, s_hi = table[account.investor_type]
    key = ("ratestbed-profile", algo.sn, account.investor_type, account.order)
    beta = b_lo + (b_hi - b_lo) * uniform(seed, *key, "beta")
    vol = s_lo + (s_hi - s_lo) * uniform(seed, *key, "vol")
    mean, spread = _ALPHAS[algo.composition == EQUITY]
    alpha = mean + spread * normal(seed, *key, "alpha")
    return Profile(beta, alpha, vol)


class Series:
    """One account's published NAVs (cents) and daily returns from its inception day.

    Position ``i`` is trading day ``n0 + i``; position 0 is the inception day (NAV 1000.00,
    no return). ``b[i]`` is the benchmark's daily % return of position ``i``; the prefix sums
    ``s_*[i]`` add the account's (``r``), the benchmark's (``b``) and the risk-free (``rf``)
    daily % returns, squares and cross-products of positions ``1..i`` (so the inception day
    never enters a statistic). Compact arrays: a ten-year series takes about 160 KB.
    """

    def __init__(self, market: Market, algo: Algorithm, account: Account) -> None:
        self.seed, self.algo, self.account = market.seed, algo, account
        self.profile = profile(market.seed, algo, account)
        self.n0 = cal.day_index(algo.inception)
        self.navs: array[int] = array("q", [INCEPTION_CENTS])
        self.b: array[float] = array("d", benchmark_returns(market, algo.assets, self.n0,
                                                            self.n0))
        self.s_r, self.s_rr, self.s_b = array("d", [0.0]), array("d", [0.0]), array("d", [0.0])
        self.s_bb, self.s_rb, self.s_rf = array("d", [0.0]), array("d", [0.0]), array("d", [0.0])
        self._lock = threading.Lock()

    def ensure(self, market: Market, n: int) -> None:
        """Extend the series up to trading day ``n`` (absolute index); ``market`` is a market
        of the series' seed (the benchmark)."""
        if n - self.n0 < len(self.navs):
            return
        with self._lock:
            start = self.n0 + len(self.navs)
            if n < start:
                return
            bench = benchmark_returns(market, self.algo.assets, start, n)
            p, seed = self.profile, self.seed
            key = ("ratestbed-nav", self.algo.sn, self.account.investor_type, self.account.order)
            nav = self.navs[-1]
            for offset, b in enumerate(bench):
                day = start + offset
                x = p.beta * b + p.alpha + p.vol * normal(seed, *key, day)
                new = max(1, round(nav * (1.0 + x / 100.0)))
                r = (new / nav - 1.0) * 100.0
                self.s_r.append(self.s_r[-1] + r)
                self.s_rr.append(self.s_rr[-1] + r * r)
                self.s_b.append(self.s_b[-1] + b)
                self.s_bb.append(self.s_bb[-1] + b * b)
                self.s_rb.append(self.s_rb[-1] + r * b)
                self.s_rf.append(self.s_rf[-1] + daily_risk_free(day))
                self.b.append(b)
                self.navs.append(new)  # last: readers check the length of navs
                nav = new

    def position(self, n: int) -> int:
        """Position of trading day ``n`` (:func:`series` extended the series to it)."""
        return n - self.n0

    def nav(self, i: int) -> float:
        """The NAV at position ``i`` in KRW with 2 decimals."""
        return self.navs[i] / 100.0


# the default world's 111 accounts fit; about 40 MB at most with ten-year series
_cache: BoundedCache[tuple[int, int, str, int], Series] = BoundedCache(256)


def series(market: Market, algo: Algorithm, account: Account, through: int) -> Series:
    """The account's series, computed at least up to trading day ``through``."""
    key = (market.seed, algo.sn, account.investor_type, account.order)
    found = _cache.get(key)
    if found is None:
        found = _cache.put(key, Series(market, algo, account))
    found.ensure(market, max(through, found.n0))
    return found


@dataclass(frozen=True)
class Risk:
    """The indicators of riskapi (unrounded; daily figures in %)."""

    count: int
    mean_r: float
    mean_b: float
    mean_rf: float
    stdev: float
    beta: float
    sharpe: float
    jensens_alpha: float
    information_ratio: float
    tracking_error: float


ZERO_RISK = Risk(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def _variance(sum_xy: float, sum_x: float, sum_y: float, m: int) -> float:
    return (sum_xy - sum_x * sum_y / m) / (m - 1)


def _ratio(num: float, den: float) -> float:
    return num / den if den > _TINY else 0.0


def risk(s: Series, i0: int, i1: int) -> Risk:
    """The indicators over the returns of positions ``i0..i1`` (``i0`` is raised to 1: the
    inception day has no return). Fewer than two returns → every indicator 0."""
    i0 = max(i0, 1)
    m = i1 - i0 + 1
    if m < 1:
        return ZERO_RISK
    a = i0 - 1
    sr, sb = s.s_r[i1] - s.s_r[a], s.s_b[i1] - s.s_b[a]
    srf = s.s_rf[i1] - s.s_rf[a]
    mean_r, mean_b, mean_rf = sr / m, sb / m, srf / m
    if m < 2:
        return Risk(m, mean_r, mean_b, mean_rf, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    srr, sbb, srb = s.s_rr[i1] - s.s_rr[a], s.s_bb[i1] - s.s_bb[a], s.s_rb[i1] - s.s_rb[a]
    var_r = max(_variance(srr, sr, sr, m), 0.0)
    var_b = max(_variance(sbb, sb, sb, m), 0.0)
    cov = _variance(srb, sr, sb, m)
    sd, sdd = sr - sb, srr - 2.0 * srb + sbb
    var_d = max(_variance(sdd, sd, sd, m), 0.0)
    stdev, te = math.sqrt(var_r), math.sqrt(var_d)
    beta = _ratio(cov, var_b)
    root = math.sqrt(DAYS_A_YEAR)
    return Risk(
        count=m, mean_r=mean_r, mean_b=mean_b, mean_rf=mean_rf, stdev=stdev, beta=beta,
        sharpe=_ratio(mean_r - mean_rf, stdev) * root,
        jensens_alpha=mean_r - (mean_rf + beta * (mean_b - mean_rf)),
        information_ratio=_ratio(sd / m, te) * root,
        tracking_error=te)
