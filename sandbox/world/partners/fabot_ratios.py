"""Fabotdw's quarterly debt ratios (부채율) and operating margins (영업이익률) of the whole
market, a market, a sector or a stock (partners.md H1, endpoints 26-41).

Everything comes from the companies' statements (:mod:`sandbox.world.partners.financials`):

* a **stock** shows its own last four published quarters (``latest_quarters`` at the world
  date), newest first: debt ratio = total liabilities / total equity × 100 (None when the
  equity is not positive), operating margin = operating profit / revenue × 100;
* an **aggregate** (the whole market, KOSPI, KOSDAQ, a sector) is sum-based over its members
  and works on **calendar quarters**: the four latest quarter ends whose statements of a
  December fiscal year are published on the day (a December quarter with the annual report on
  1 April, the others 45 days after the quarter end). Each member contributes its statements
  whose period ends in that calendar quarter, if they are published on the day (a company
  with another fiscal year publishes its fiscal year-end quarter later); debt ratio =
  Σ liabilities / Σ equity × 100 over the members with positive equity, operating margin =
  Σ operating profit / Σ revenue × 100. A quarter nobody contributes to has no value (None).

The per-stock figures of a quarter set are cached per ``(seed, stock, quarter set)`` and the
sums per ``(seed, day, scope)``: the whole market (about 2,650 stocks) costs about 2 s cold
(building the statements) and a few milliseconds warm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sandbox.world.market.noise import BoundedCache
from sandbox.world.market.reference import reference
from sandbox.world.partners.financials import (
    NoStatements,
    Period,
    fiscal_year,
    latest_quarters,
    publication,
)

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable

    from sandbox.world.market.instruments import Instrument
    from sandbox.world.market.prices import Market

QUARTERS = 4  # FABOT shows the last four quarters


def _quarter_end(year: int, month: int) -> date:
    return date(year, month, 30 if month in (6, 9) else 31)


def _previous_end(end: date) -> date:
    return _quarter_end(end.year, end.month - 3) if end.month > 3 else _quarter_end(end.year - 1,
                                                                                     12)


def aggregate_quarters(day: date, count: int = QUARTERS) -> tuple[date, ...]:
    """The ``count`` latest calendar quarter ends whose December-fiscal-year statements are
    published on ``day``, newest first."""
    month = (day.month - 1) // 3 * 3 + 3  # the calendar quarter containing ``day``
    end = _quarter_end(day.year, month)
    while end > day or publication(end, date(end.year, 12, 31)) > day:
        end = _previous_end(end)
    ends = [end]
    while len(ends) < count:
        ends.append(_previous_end(ends[-1]))
    return tuple(ends)


def quarter_key(end: date) -> str:
    """``YYYYMM`` of a quarter end (the ``quarter`` field of the series)."""
    return f"{end.year:04d}{end.month:02d}"


# ------------------------------------------------------------------------------ one stock
def stock_quarters(market: Market, inst: Instrument, day: date) -> list[Period]:
    """The stock's last four quarters published on ``day``, newest first (fewer for a young
    company)."""
    return latest_quarters(market, inst, day, QUARTERS)


def debt_ratio(period: Period) -> float | None:
    """Liabilities / equity × 100 of one company (None when the equity is not positive)."""
    if period.total_equity <= 0:
        return None
    return period.total_liabilities / period.total_equity * 100


def operating_margin(period: Period) -> float | None:
    """Operating profit / revenue × 100 of one company (None without revenue)."""
    if period.revenue <= 0:
        return None
    return period.operating_profit / period.revenue * 100


# ------------------------------------------------------------------------------ aggregates
@dataclass(frozen=True)
class Figures:
    """What one member contributes to one calendar quarter."""

    end: date  # the statements' period end (the calendar quarter end)
    published: date
    liabilities: int
    equity: int
    operating_profit: int
    revenue: int


_FIGURES: BoundedCache[tuple[int, str, date], tuple[Figures | None, ...]] = BoundedCache(16384)


def member_figures(market: Market, inst: Instrument,
                   quarters: tuple[date, ...]) -> tuple[Figures | None, ...]:
    """The member's statements of each calendar quarter of ``quarters`` (None: none exist),
    whatever their publication date (filtered by the caller)."""
    key = (market.seed, inst.code, quarters[0])
    found = _FIGURES.get(key)
    if found is None or len(found) != len(quarters):
        found = _FIGURES.put(key, tuple(_figures(market, inst, end) for end in quarters))
    return found


def _figures(market: Market, inst: Instrument, end: date) -> Figures | None:
    ref = reference(market.seed, inst)
    year = end.year if end.month <= ref.fiscal_month else end.year + 1
    try:
        periods = fiscal_year(market, inst, ref.fiscal_year_end(year))
    except NoStatements:
        return None
    for p in periods:
        if p.end == end:
            return Figures(p.end, p.published, p.total_liabilities, p.total_equity,
                           p.operating_profit, p.revenue)
    return None  # pragma: no cover - quarter ends are calendar quarter ends


@dataclass(frozen=True)
class Sums:
    """The sums of one calendar quarter over the contributing members."""

    end: date
    liabilities: int = 0
    equity: int = 0  # positive equities only (with their liabilities)
    debt_members: int = 0
    operating_profit: int = 0
    revenue: int = 0
    margin_members: int = 0

    @property
    def debt_ratio(self) -> float | None:
        """Σ liabilities / Σ equity × 100 (None when no member has positive equity)."""
        return self.liabilities / self.equity * 100 if self.debt_members else None

    @property
    def operating_margin(self) -> float | None:
        """Σ operating profit / Σ revenue × 100 (None when no member contributes)."""
        if not self.margin_members or self.revenue <= 0:
            return None
        return self.operating_profit / self.revenue * 100


def sums(market: Market, members: Iterable[Instrument], day: date) -> tuple[Sums, ...]:
    """The four quarters of :func:`aggregate_quarters` summed over ``members`` (newest first),
    each member counting with the statements published on ``day``."""
    quarters = aggregate_quarters(day)
    acc = [[0, 0, 0, 0, 0, 0] for _ in quarters]
    for inst in members:
        for k, fig in enumerate(member_figures(market, inst, quarters)):
            if fig is None or fig.published > day:
                continue
            row = acc[k]
            if fig.equity > 0:
                row[0] += fig.liabilities
                row[1] += fig.equity
                row[2] += 1
            if fig.revenue > 0:
                row[3] += fig.operating_profit
                row[4] += fig.revenue
                row[5] += 1
    return tuple(Sums(end, *row) for end, row in zip(quarters, acc, strict=True))


_SUMS: BoundedCache[tuple[int, date, Hashable], tuple[Sums, ...]] = BoundedCache(1024)


def cached_sums(market: Market, scope: Hashable, members: tuple[Instrument, ...],
                day: date) -> tuple[Sums, ...]:
    """:func:`sums` cached per ``(seed, day, scope)``; ``scope`` names the member set."""
    key = (market.seed, day, scope)
    found = _SUMS.get(key)
    if found is None:
        found = _SUMS.put(key, sums(market, members, day))
    return found
