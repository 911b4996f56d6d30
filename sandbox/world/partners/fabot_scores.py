"""The Fabot rank (파봇랭크, partners.md H1 endpoint 43): six 0-100 sub-scores per stock and
trading day, their mean and the stock's rank over the market.

The provider never documented what the six scores measure (Open question 8). The emulator
reads them as follows, every one a pure function of ``(seed, stock, trading day)``:

* ``EAS`` earnings: the operating margin of the last four published quarters (Σ operating
  profit / Σ revenue), ``100 / (1 + e^(−margin/8))`` — 50 at break-even; 2 decimals (it only
  moves when new statements are published, as in the documented sample);
* ``GAS`` growth: revenue of the newest quarter against the oldest of the four,
  ``100 / (1 + e^(−growth/20 %))``;
* ``IAS`` (financial) stability: the newest debt ratio, ``100 / (1 + (ratio/120)^1.5)``
  (0 without positive equity);
* ``MLS`` the provider's model score: a seeded level per stock, a weekly and a daily draw;
* ``TAS`` technical: the 20-trading-day price momentum, ``100 / (1 + e^(−return/12 %))``;
* ``VAS`` value: the price-to-book ratio at the day's close (book value per share of the
  master's published settlement), ``100 / (1 + PBR^1.2)`` — 50 at book value.

``GAS`` to ``VAS`` are whole numbers. ``avg_score`` = the mean of the six, 2 decimals; the rank
orders the day's stocks by ``avg_score`` (descending, ties by stock code), 1 = the best.

Ranked stocks: KOSPI and KOSDAQ stocks listed on the day that traded and have four published
quarters. The scores of a trading day are published by FABOT's nightly batch at 18:00 KST:
before that the latest ranking is the previous trading day's. One day's ranking of the whole
market is computed once per ``(seed, day)`` (about a second cold once the statements are
built, a lookup warm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sandbox.world.market import calendar as cal
from sandbox.world.market.noise import BoundedCache, normal
from sandbox.world.market.reference import fundamentals
from sandbox.world.partners.fabot_ratios import debt_ratio, stock_quarters
from sandbox.world.partners.fabot_sectors import market_stocks

if TYPE_CHECKING:
    from sandbox.world.market.instruments import Instrument
    from sandbox.world.market.prices import Market
    from sandbox.world.market.universe import Universe

NAMES = ("EAS", "GAS", "IAS", "MLS", "TAS", "VAS")
BATCH = time(18, 0)  # the nightly batch publishes the day's scores
MOMENTUM_DAYS = 20


@dataclass(frozen=True)
class Scores:
    """The six sub-scores of one stock on one trading day."""

    code: str
    values: tuple[float, float, float, float, float, float]  # in the order of NAMES

    @property
    def average(self) -> float:
        """The mean of the six sub-scores, 2 decimals (``avg_score``)."""
        return round(sum(self.values) / len(self.values), 2)

    def as_dict(self) -> dict[str, float]:
        return dict(zip(NAMES, self.values, strict=True))


@dataclass(frozen=True)
class Ranking:
    """One trading day's scores of the market, best first."""

    day: date
    rows: tuple[Scores, ...]
    ranks: dict[str, int]  # stock code → rank (1 = the best)

    def scores(self, code: str) -> Scores | None:
        rank = self.ranks.get(code)
        return None if rank is None else self.rows[rank - 1]


def score_day(at: datetime) -> date:
    """The trading day whose ranking is the latest published at ``at`` (the 18:00 batch)."""
    local = cal.kst(at)
    day = local.date()
    if cal.is_trading_day(day) and local.time() >= BATCH:
        return day
    return cal.previous_trading_day(day)


def _logistic(x: float) -> float:
    return 100.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


def _close(market: Market, inst: Instrument, n: int) -> int | None:
    if n < 0:
        return None
    bar = market.closing_bar(inst, cal.day_at(n))
    return None if bar is None else int(bar.close)


def scores(market: Market, inst: Instrument, day: date) -> Scores | None:
    """The stock's sub-scores on trading day ``day`` (None: it is not ranked that day)."""
    quarters = stock_quarters(market, inst, day)
    n = cal.day_index(day)
    close = _close(market, inst, n)
    if len(quarters) < 4 or close is None or close <= 0:
        return None
    seed, code = market.seed, inst.code
    revenue = sum(q.revenue for q in quarters)
    margin = sum(q.operating_profit for q in quarters) / revenue * 100 if revenue > 0 else 0.0
    eas = round(_logistic(margin / 8.0), 2)
    newest, oldest = quarters[0].revenue, quarters[-1].revenue
    growth = (newest / oldest - 1.0) * 100 if oldest > 0 else 0.0
    gas = round(_logistic(growth / 20.0))
    ratio = debt_ratio(quarters[0])
    ias = 0 if ratio is None else round(100.0 / (1.0 + (ratio / 120.0) ** 1.5))
    week = day.isocalendar()
    mls_raw = (50.0 + 14.0 * normal(seed, "fabot", code, "mls")
               + 9.0 * normal(seed, "fabot", code, "mls", week[0], week[1])
               + 5.0 * normal(seed, "fabot", code, "mls", day))
    mls = round(min(100.0, max(0.0, mls_raw)))
    before = _close(market, inst, n - MOMENTUM_DAYS)
    momentum = (close / before - 1.0) * 100 if before else 0.0
    tas = round(_logistic(momentum / 12.0))
    bps = fundamentals(market, inst, day).bps
    vas = round(100.0 / (1.0 + (close / bps) ** 1.2)) if bps > 0 else 0
    return Scores(code, (eas, float(gas), float(ias), float(mls), float(tas), float(vas)))


_RANKINGS: BoundedCache[tuple[int, Universe, date], Ranking] = BoundedCache(16)


def ranking(market: Market, universe: Universe, day: date) -> Ranking:
    """The whole market's scores on trading day ``day``, best first (cached per seed, universe
    and day; a Universe hashes by identity)."""
    key = (market.seed, universe, day)
    found = _RANKINGS.get(key)
    if found is None:
        found = _RANKINGS.put(key, _ranking(market, universe, day))
    return found


def _ranking(market: Market, universe: Universe, day: date) -> Ranking:
    rows = [s for inst in market_stocks(universe, day)
            if (s := scores(market, inst, day)) is not None]
    rows.sort(key=lambda s: (-s.average, s.code))
    return Ranking(day, tuple(rows), {s.code: k for k, s in enumerate(rows, 1)})
