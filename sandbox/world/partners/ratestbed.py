"""The RA testbed (partners.md F3): the algorithm registry, the benchmarks, the risk-free rate
and the publication clock. The NAV series of the model accounts are in
:mod:`sandbox.world.partners.ratestbed_series`.

* **Registry** (``fixtures/partners/ratestbed.yaml``, the emulator's own table): 36 algorithms
  of fictitious operating companies, test rounds 1-9 (2016-10 … 2022-05), domestic or
  overseas, with or without equities, one to three model accounts (``sortOrdr``) per investor
  type (``01`` 안정추구형, ``02`` 위험중립형, ``03`` 적극투자형). The documented examples'
  algorithms (18, 19, 20, 35) keep the documented name ``RA테스트베드`` and round 1.
  An algorithm's first NAV is on the first KRX trading day on or after its inception date;
  a withdrawn algorithm (``retired``) has no NAV after that day but stays listed.
* **Benchmarks**: ``KOSPI200`` for domestic algorithms is the market simulator's KOSPI 200
  (``K51``): daily returns are close-to-close of its daily bars, so they agree with the market
  APIs. ``MSCI ACWI(KRW)`` for overseas algorithms is synthetic (the universe has no foreign
  index): daily returns ``0.03 % + 0.85 % × N(0, 1)`` (truncated at ±3σ) hashed from
  ``(seed, trading day)``, about 7.5 % a year with 13.5 % volatility.
* **Risk-free rate**: the CD 91-day rate, a step function of approximate published levels
  (fixture ``cd91``, % a year); the daily rate used in the formulas is ``rate / 250``.
* **Publication** (partners.md §S "Data cadence"): a business day's NAV is published at 12:00
  KST on the next KRX trading day; :func:`published_through` is the last day out at an instant.

Numbers are published with two decimals, rounded half away from zero, and integral values as
JSON integers (``1``, ``0``) as in the documented samples (:func:`r2`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.market import calendar as cal
from sandbox.world.market.noise import BoundedCache, normal

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market

INVESTOR_TYPES = ("01", "02", "03")
INVESTOR_TYPE_NAMES = {"01": "안정추구형", "02": "위험중립형", "03": "적극투자형"}
DOMESTIC, OVERSEAS = "00", "99"
NO_EQUITY, EQUITY = "1", "2"
BENCHMARK_NAMES = {DOMESTIC: "KOSPI200", OVERSEAS: "MSCI ACWI(KRW)"}
KOSPI200 = "K51"
ACWI_DRIFT, ACWI_VOL = 0.03, 0.85  # daily %, synthetic MSCI ACWI in KRW
INCEPTION_NAV = 1000.0
PUBLICATION_TIME = time(12, 0)
DAYS_A_YEAR = 250  # annualisation and daily risk-free rate
BLOCK = 256  # trading days per cached benchmark block

_CENT = Decimal("0.01")


def r2(value: float) -> float:
    """``value`` rounded to 2 decimals, half away from zero (on its shortest decimal form);
    an integral result is an ``int`` so that JSON drops the trailing ``.0``."""
    rounded = float(Decimal(repr(value)).quantize(_CENT, rounding=ROUND_HALF_UP))
    return int(rounded) if rounded.is_integer() else rounded


@dataclass(frozen=True)
class Company:
    name: str  # cmpnyNm (fictitious)
    kind: str  # indutySe: 증권, 은행, 자문일임, 자산운용, 기술업체


@dataclass(frozen=True)
class Account:
    """One model account: algorithm, investor type (invtTyCd) and order (sortOrdr)."""

    algorithm: int
    investor_type: str
    order: int


@dataclass(frozen=True)
class Algorithm:
    sn: int  # algrthSn
    round: int  # odrSn
    name: str  # algrthNm
    assets: str  # hbrdAssetsAt: 00 domestic / 99 overseas
    composition: str  # compositionAssetsAt: 1 no equities / 2 equities
    company: Company
    inception: date  # the first NAV's day (a trading day)
    last_day: date | None  # the last NAV's day of a withdrawn algorithm
    accounts: tuple[Account, ...]  # by investor type, then order

    @property
    def benchmark(self) -> str:
        return BENCHMARK_NAMES[self.assets]

    def listed(self, day: date) -> bool:
        """Whether algoapi lists the algorithm on ``day`` (from its inception on)."""
        return self.inception <= day

    def accounts_of(self, investor_type: str | None) -> tuple[Account, ...]:
        if investor_type is None:
            return self.accounts
        return tuple(a for a in self.accounts if a.investor_type == investor_type)


@dataclass(frozen=True)
class Registry:
    algorithms: tuple[Algorithm, ...]  # by algrthSn
    by_sn: dict[int, Algorithm]
    cd91_days: tuple[int, ...]  # ordinals of the rate steps
    cd91_rates: tuple[float, ...]  # % a year


def _first_trading_day(d: date) -> date:
    return cal.day_at(cal.index_on_or_after(d))


def _algorithm(entry: dict[str, Any], companies: dict[str, Company]) -> Algorithm:
    sn = int(entry["algrthSn"])
    accounts = tuple(Account(sn, ty, order) for ty in INVESTOR_TYPES
                     for order in range(1, int(entry["accounts"].get(ty, 0)) + 1))
    retired = entry.get("retired")
    return Algorithm(
        sn=sn, round=int(entry["odrSn"]), name=str(entry["algrthNm"]),
        assets=str(entry["hbrdAssetsAt"]), composition=str(entry["compositionAssetsAt"]),
        company=companies[entry["company"]],
        inception=_first_trading_day(entry["inception"]),
        last_day=cal.last_trading_day_on_or_before(retired) if retired else None,
        accounts=accounts)


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The algorithm registry and the CD 91-day rates (read once per process)."""
    path = FIXTURES / "partners" / "ratestbed.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    companies = {key: Company(str(v["cmpnyNm"]), str(v["indutySe"]))
                 for key, v in data["companies"].items()}
    algorithms = tuple(sorted((_algorithm(e, companies) for e in data["algorithms"]),
                              key=lambda a: a.sn))
    steps = sorted((d, float(rate)) for d, rate in data["cd91"])
    return Registry(algorithms, {a.sn: a for a in algorithms},
                    tuple(d.toordinal() for d, _ in steps), tuple(rate for _, rate in steps))


def algorithm(sn: int) -> Algorithm | None:
    return registry().by_sn.get(sn)


def listed(day: date) -> list[Algorithm]:
    """The algorithms algoapi lists on ``day``, by algrthSn."""
    return [a for a in registry().algorithms if a.listed(day)]


def cd91(day: date) -> float:
    """The CD 91-day rate (% a year) in force on ``day``."""
    reg = registry()
    i = bisect.bisect_right(reg.cd91_days, day.toordinal()) - 1
    return reg.cd91_rates[max(i, 0)]


@lru_cache(maxsize=16384)
def daily_risk_free(n: int) -> float:
    """The daily risk-free rate (%) of trading day ``n``: CD 91-day / 250."""
    return cd91(cal.day_at(n)) / DAYS_A_YEAR


def _business_date(now: datetime) -> tuple[date, time]:
    local = now.astimezone(cal.KST) if now.tzinfo is not None else now
    day = min(max(local.date(), date(cal.FIRST_YEAR, 1, 10)), date(cal.LAST_YEAR, 12, 31))
    return day, local.time()


def published_through(now: datetime) -> date:
    """The last trading day whose NAV is published at ``now``: a day's NAV comes out at 12:00
    KST on the next trading day."""
    today, clock = _business_date(now)
    if cal.is_trading_day(today) and clock >= PUBLICATION_TIME:
        return cal.previous_trading_day(today)
    return cal.previous_trading_day(cal.previous_trading_day(today))


def last_day(algo: Algorithm, through: date) -> date:
    """The algorithm's last NAV day when ``through`` is the last published day."""
    return min(through, algo.last_day) if algo.last_day is not None else through


# ------------------------------------------------------------------------------ benchmarks
_benchmarks: BoundedCache[tuple[int, str, int], tuple[float, ...]] = BoundedCache(512)


def _last_index() -> int:
    return cal.index_on_or_before(date(cal.LAST_YEAR, 12, 31))


def _block(market: Market, assets: str, b: int) -> tuple[float, ...]:
    key = (market.seed, assets, b)
    cached = _benchmarks.get(key)
    if cached is not None:
        return cached
    n0, n1 = b * BLOCK, min(b * BLOCK + BLOCK - 1, _last_index())
    if assets == OVERSEAS:
        values = tuple(ACWI_DRIFT + ACWI_VOL * normal(market.seed, "ratestbed-acwi", n)
                       for n in range(n0, n1 + 1))
    else:
        from sandbox.world.market.instruments import load_universe

        inst = load_universe().get(KOSPI200)
        if inst is None:  # pragma: no cover - the universe always has KOSPI 200
            raise LookupError("the universe has no KOSPI 200 (K51)")
        by_day = {bar.day: (float(bar.close) / float(bar.base) - 1.0) * 100.0
                  if bar.base else 0.0
                  for bar in market.daily_bars(inst, cal.day_at(n0), cal.day_at(n1))}
        values = tuple(by_day.get(cal.day_at(n), 0.0) for n in range(n0, n1 + 1))
    return _benchmarks.put(key, values)


def benchmark_returns(market: Market, assets: str, n0: int, n1: int) -> list[float]:
    """Daily % returns of the benchmark of ``assets`` (00/99) on trading days ``n0..n1``."""
    out: list[float] = []
    for b in range(n0 // BLOCK, n1 // BLOCK + 1):
        block = _block(market, assets, b)
        lo, hi = max(n0 - b * BLOCK, 0), min(n1 - b * BLOCK, BLOCK - 1)
        out.extend(block[lo : hi + 1])
    return out


def minus_months(d: date, months: int) -> date:
    """``d`` moved back ``months`` calendar months (the day clamped to the month's length)."""
    total = d.year * 12 + d.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    length = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, length))
