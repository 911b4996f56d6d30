"""Financial statements of the listed companies: the one source of Fabotdw's debt ratios and
operating margins, Bookkeeper's statements, NICE's tables and ratios and BIGBOT's scores.

A company's statements are a pure function of ``(seed, stock, fiscal year)`` tied to what the
stock master already publishes (:mod:`sandbox.world.market.reference`):

* the fiscal year's net income is ``eps × shares`` and its closing equity ``bps × shares`` of
  the master's annual settlement, so a PER or PBR worked out from the statements equals the
  master's; dividends of the previous year (``dps × shares``) are paid in the first quarter;
* equity between two year-ends moves with the cumulated net income; other comprehensive
  income is the balancing item that lands the year on the master's equity;
* liabilities follow the master's debt ratio (``DebtRt``), wobbling ±12 % per quarter, so the
  quarterly debt ratio is near the master's static figure (the master does not move);
* revenue comes from asset turnover (company level, about 0.75; financial companies 0.08),
  split over the quarters with a seasonal profile; SG&A and non-operating items are company
  rates of revenue; the operating profit is what makes the year's net income come out, so
  margins, ROE and growth rates are all worked out of the same numbers.

Identities that always hold (property-tested): assets = liabilities + equity; gross profit =
revenue − cost of sales; operating profit = gross profit − SG&A; pretax = operating profit +
non-operating; net income = pretax − tax; the four quarters sum to the year; the change in
cash equals the three cash flows. All amounts are KRW integers.

Publication: a quarter is published 45 days after its end; the fiscal year's last quarter
with the annual report on the master's publication day (December → 1 April). Statements
exist from fiscal year 2001 (the calendar's span) and from the company's listing year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sandbox.world.market.instruments import STOCK, Instrument
from sandbox.world.market.noise import BoundedCache, normal
from sandbox.world.market.reference import (
    FINANCIAL,
    annual_publication,
    fundamentals,
    reference,
)

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market

FIRST_FISCAL_YEAR = 2001
QUARTER_PUBLICATION_DAYS = 45
TAX_RATE = 0.22

_FLOWS = ("revenue", "cost_of_sales", "sga", "non_operating", "tax",
          "operating_cf", "investing_cf", "financing_cf")


class NoStatements(ValueError):
    """The company published no statements for that period (not a stock, too early)."""


@dataclass(frozen=True)
class Period:
    """The statements of one fiscal quarter (``months`` 3) or fiscal year (``months`` 12)."""

    code: str
    end: date  # last day of the period
    months: int
    fiscal_year_end: date
    quarter: int  # fiscal quarter 1-4 (4 for a year)
    published: date
    shares: int
    # income statement (the period's flows)
    revenue: int
    cost_of_sales: int
    sga: int
    non_operating: int
    tax: int
    # balance sheet (at ``end``)
    cash: int
    other_current_assets: int
    non_current_assets: int
    current_liabilities: int
    non_current_liabilities: int
    capital: int
    capital_surplus: int
    retained_earnings: int
    # cash flow statement (the period's flows)
    operating_cf: int
    investing_cf: int
    financing_cf: int

    # ------------------------------------------------------------------ derived lines
    @property
    def gross_profit(self) -> int:
        return self.revenue - self.cost_of_sales

    @property
    def operating_profit(self) -> int:
        return self.gross_profit - self.sga

    @property
    def pretax_income(self) -> int:
        return self.operating_profit + self.non_operating

    @property
    def net_income(self) -> int:
        return self.pretax_income - self.tax

    @property
    def current_assets(self) -> int:
        return self.cash + self.other_current_assets

    @property
    def total_assets(self) -> int:
        return self.current_assets + self.non_current_assets

    @property
    def total_liabilities(self) -> int:
        return self.current_liabilities + self.non_current_liabilities

    @property
    def total_equity(self) -> int:
        return self.capital + self.capital_surplus + self.retained_earnings

    # ------------------------------------------------------------------ ratios (%)
    @property
    def debt_ratio(self) -> float:
        """Liabilities / equity × 100 (Fabot's 부채율); 0 when equity is not positive."""
        return _pct(self.total_liabilities, self.total_equity)

    @property
    def operating_margin(self) -> float:
        """Operating profit / revenue × 100 (Fabot's 영업이익률)."""
        return _pct(self.operating_profit, self.revenue)

    @property
    def net_margin(self) -> float:
        return _pct(self.net_income, self.revenue)

    @property
    def roe(self) -> float:
        """Net income (annualised) / closing equity × 100."""
        return _pct(self.net_income * 12 // self.months, self.total_equity)

    @property
    def eps(self) -> int:
        return round(self.net_income / self.shares) if self.shares else 0


def _pct(numerator: int, denominator: int) -> float:
    return numerator / denominator * 100 if denominator > 0 else 0.0


# ------------------------------------------------------------------------------ periods
def quarter_ends(fiscal_year_end: date) -> list[date]:
    """The four quarter ends of the fiscal year ending ``fiscal_year_end``, oldest first."""
    ends = []
    for back in (9, 6, 3, 0):
        month = (fiscal_year_end.month - back - 1) % 12 + 1
        year = fiscal_year_end.year - (1 if month > fiscal_year_end.month else 0)
        ends.append(_month_end(year, month))
    return ends


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def publication(period_end: date, fiscal_year_end: date) -> date:
    """When a quarter ending ``period_end`` is published (the year's last: the annual day)."""
    if period_end == fiscal_year_end:
        return annual_publication(fiscal_year_end)
    return period_end + timedelta(days=QUARTER_PUBLICATION_DAYS)


def latest_quarters(market: Market, inst: Instrument, day: date, count: int) -> list[Period]:
    """The ``count`` latest quarters published on or before ``day``, newest first (fewer
    when the company has no older statements)."""
    ref = reference(market.seed, inst)
    year = ref.settlement(day).year + 1  # the fiscal year in progress at ``day``
    out: list[Period] = []
    while len(out) < count:
        try:
            quarters = fiscal_year(market, inst, ref.fiscal_year_end(year))
        except NoStatements:
            break
        out.extend(q for q in reversed(quarters) if q.published <= day)
        year -= 1
    return out[:count]


def latest_years(market: Market, inst: Instrument, day: date, count: int) -> list[Period]:
    """The ``count`` latest fiscal years published on or before ``day``, newest first."""
    ref = reference(market.seed, inst)
    year = ref.settlement(day).year
    out: list[Period] = []
    while len(out) < count:
        try:
            out.append(annual(market, inst, ref.fiscal_year_end(year)))
        except NoStatements:
            break
        year -= 1
    return out


def annual(market: Market, inst: Instrument, fiscal_year_end: date) -> Period:
    """The fiscal year as one period: flows summed, the balance sheet of its last quarter."""
    quarters = fiscal_year(market, inst, fiscal_year_end)
    last = quarters[-1]
    values = {f.name: getattr(last, f.name) for f in fields(Period)}
    values.update({name: sum(getattr(q, name) for q in quarters) for name in _FLOWS})
    values["months"] = 12
    return Period(**values)


_YEARS: BoundedCache[tuple[int, str, date], tuple[Period, ...]] = BoundedCache(16384)


def fiscal_year(market: Market, inst: Instrument, fiscal_year_end: date) -> tuple[Period, ...]:
    """The four quarters of a fiscal year, oldest first (module docstring)."""
    key = (market.seed, inst.code, fiscal_year_end)
    found = _YEARS.get(key)
    if found is None:
        found = _YEARS.put(key, _build_year(market, inst, fiscal_year_end))
    return found


# ------------------------------------------------------------------------------ the model
def _z(seed: int, code: str, *parts: object) -> float:
    return normal(seed, "financials", code, *parts)


def _lognormal(median: float, sigma: float, z: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, median * math.exp(sigma * z)))


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` into integers that add up exactly."""
    scale = sum(weights)
    parts = [round(total * w / scale) for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _weights(seed: int, code: str, year: int, item: str, spread: float) -> list[float]:
    return [max(0.05, 1.0 + spread * (0.8 * _z(seed, code, "season", item, k)
                                      + 0.6 * _z(seed, code, item, year, k)))
            for k in range(4)]


@dataclass(frozen=True)
class _Balance:
    equity: int
    liabilities: int
    cash: int
    other_current: int
    non_current: int
    current_liabilities: int


def _equity_bounds(market: Market, inst: Instrument, fiscal_year_end: date
                   ) -> tuple[int, int, int, int]:
    """(opening equity, closing equity, net income, dividends paid) of the fiscal year."""
    ref = reference(market.seed, inst)
    this = fundamentals(market, inst, annual_publication(fiscal_year_end))
    before = fundamentals(market, inst, annual_publication(
        ref.fiscal_year_end(fiscal_year_end.year - 1)))
    shares = inst.shares
    return before.bps * shares, this.bps * shares, this.eps * shares, before.dps * shares


def _balance(seed: int, inst: Instrument, end: date, equity: int, debt_ratio: float,
             financial: bool) -> _Balance:
    code = inst.code
    ratio = debt_ratio * math.exp(0.12 * _z(seed, code, "debt", end))
    liabilities = round(max(equity, 1) * ratio / 100)
    assets = liabilities + equity
    cash_share = _lognormal(0.12, 0.4, _z(seed, code, "cash") + 0.3 * _z(seed, code, "cash", end),
                            0.02, 0.4)
    current_share = (0.25 if financial else 0.45) * math.exp(0.2 * _z(seed, code, "current"))
    cash = round(assets * cash_share)
    current = max(cash, round(assets * min(0.9, current_share + cash_share)))
    current_liabilities = round(liabilities * min(0.9, 0.55 * math.exp(
        0.25 * _z(seed, code, "cl"))))
    return _Balance(equity, liabilities, cash, current - cash, assets - current,
                    current_liabilities)


def has_statements(inst: Instrument, fiscal_year_end: date) -> bool:
    """Whether the company publishes statements for that fiscal year: stocks, from fiscal
    year 2001 (the calendar's span) and from the listing year."""
    listed = inst.list_date.year if inst.list_date else FIRST_FISCAL_YEAR
    return inst.kind == STOCK and fiscal_year_end.year >= max(FIRST_FISCAL_YEAR, listed)


def _build_year(market: Market, inst: Instrument, fiscal_year_end: date) -> tuple[Period, ...]:
    year = fiscal_year_end.year
    if not has_statements(inst, fiscal_year_end):
        raise NoStatements(f"{inst.code} has no statements for the fiscal year ending "
                           f"{fiscal_year_end}")
    seed, code = market.seed, inst.code
    ref = reference(seed, inst)
    financial = inst.sector in FINANCIAL
    opening, closing, net, dividends = _equity_bounds(market, inst, fiscal_year_end)
    ends = quarter_ends(fiscal_year_end)

    # balance sheets: equity interpolated along the cumulated net income weights
    net_w = _weights(seed, code, year, "net", 0.25)
    cum = [sum(net_w[: k + 1]) / sum(net_w) for k in range(4)]
    floor = max(1, opening // 100)
    equities = [max(floor, round(opening + c * (closing - opening + dividends) - dividends))
                for c in cum[:-1]] + [closing]
    balances = [_balance(seed, inst, end, eq, ref.debt_ratio, financial)
                for end, eq in zip(ends, equities, strict=True)]
    # the previous year's closing balance sheet (equal to its last quarter's)
    prior = _balance(seed, inst, ref.fiscal_year_end(year - 1), max(1, opening),
                     ref.debt_ratio, financial)

    # income statement of the year, then its quarters
    avg_assets = (prior.equity + prior.liabilities + balances[-1].equity
                  + balances[-1].liabilities) / 2
    turnover = _lognormal(0.08 if financial else 0.75, 0.45,
                          _z(seed, code, "turnover") + 0.3 * _z(seed, code, "turnover", year),
                          0.02, 3.0)
    sga_rate = _lognormal(0.12, 0.4, _z(seed, code, "sga"), 0.02, 0.35)
    nonop_rate = 0.006 * (_z(seed, code, "nonop") + _z(seed, code, "nonop", year))
    pretax = round(net / (1 - TAX_RATE)) if net > 0 else net
    revenue = max(1, round(avg_assets * turnover))
    non_operating = round(revenue * nonop_rate)
    operating = pretax - non_operating
    revenue = max(revenue, math.ceil(max(operating, 0) / max(0.05, 0.92 - sga_rate)))
    non_operating = pretax - operating  # unchanged by the revenue floor
    sga = round(revenue * sga_rate)
    cost = revenue - (operating + sga)
    tax = pretax - net

    rev_w = _weights(seed, code, year, "revenue", 0.08)
    rev_q = _split(revenue, rev_w)  # costs follow revenue closely: margins move a little
    cost_q = _split(cost, [w * v for w, v in zip(rev_w, _weights(seed, code, year, "cost",
                                                                  0.012), strict=True)])
    sga_q = _split(sga, [w * v for w, v in zip(rev_w, _weights(seed, code, year, "sga", 0.05),
                                               strict=True)])
    non_q = _split(non_operating, _weights(seed, code, year, "nonop", 0.3))
    tax_q = _split(tax, net_w)

    periods: list[Period] = []
    before = prior
    for k, (end, bal) in enumerate(zip(ends, balances, strict=True)):
        net_k = rev_q[k] - cost_q[k] - sga_q[k] + non_q[k] - tax_q[k]
        depreciation = round(before.non_current * 0.02)
        operating_cf = net_k + depreciation + round(0.05 * (before.other_current
                                                            - bal.other_current))
        investing_cf = -(bal.non_current - before.non_current + depreciation)
        financing_cf = (bal.cash - before.cash) - operating_cf - investing_cf
        capital = ref.capital
        surplus = round(capital * _lognormal(1.2, 0.6, _z(seed, code, "surplus"), 0.0, 8.0))
        periods.append(Period(
            code=code, end=end, months=3, fiscal_year_end=fiscal_year_end, quarter=k + 1,
            published=publication(end, fiscal_year_end), shares=inst.shares,
            revenue=rev_q[k], cost_of_sales=cost_q[k], sga=sga_q[k], non_operating=non_q[k],
            tax=tax_q[k], cash=bal.cash, other_current_assets=bal.other_current,
            non_current_assets=bal.non_current, current_liabilities=bal.current_liabilities,
            non_current_liabilities=bal.liabilities - bal.current_liabilities,
            capital=capital, capital_surplus=surplus,
            retained_earnings=bal.equity - capital - surplus,
            operating_cf=operating_cf, investing_cf=investing_cf, financing_cf=financing_cf,
        ))
        before = bal
    return tuple(periods)
