"""The statement lines Wyverple's Bookkeeper and NICE publish (partners.md H2 and H3): one
set of numbers per company, period and consolidation, so both services, Fabotdw and BIGBOT
agree.

Source: :mod:`sandbox.world.partners.financials` (consolidated quarters and years). On top
of it this module adds what the two services need:

* **Year-to-date periods** (NICE's quarterly bases F/B/T): the fiscal year's first
  ``quarter`` quarters, flows summed, the balance sheet at the last one (``quarter`` 4 = the
  fiscal year, :func:`~sandbox.world.partners.financials.annual`).
* **Separate (parent-only) statements** (Bookkeeper ``consolidated=0``, NICE ``fatpcd=0``):
  the consolidated figures scaled by the company's parent share (0.55-0.97, a pure function
  of ``(seed, company)``); the paid-in capital and the share count are not scaled, retained
  earnings balance the sheet and the financing cash flow balances the change in cash, so
  every identity still holds. (The emulator has no subsidiaries; this is a stand-in.)
* **Detail lines**: current assets, non-current assets, tangible assets and both kinds of
  liabilities are split into the usual accounts with company weights (±5 % per period), in
  integers that add up exactly.

``standard`` (GAAP or IFRS) does not change the numbers: the emulator keeps one set of books.
Identities of :func:`lines` (property-tested): gross profit = revenue − cost of sales,
operating profit = gross profit − SG&A, pretax = operating profit + non-operating, net
income = pretax − tax; every total is the sum of its parts; assets = liabilities + equity;
cash at the end = cash at the start + the three cash flows = the balance sheet's cash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING

from sandbox.world.market.instruments import Instrument
from sandbox.world.market.noise import BoundedCache, normal, uniform
from sandbox.world.partners.financials import (
    NoStatements,
    Period,
    annual,
    fiscal_year,
    has_statements,
    publication,
    quarter_ends,
)

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market

INCOME_LINES = ("revenue", "cost_of_sales", "gross_profit", "sga", "operating_profit",
                "non_operating", "pretax_income", "tax", "net_income")
CASH_FLOW_LINES = ("operating_cf", "investing_cf", "financing_cf", "net_change_in_cash",
                   "cash_begin", "cash_end")
#: Lines that are flows of the period (annualised by ratios), the rest are balances.
FLOW_LINES = frozenset(INCOME_LINES) | frozenset(CASH_FLOW_LINES[:4])

_FLOWS = ("revenue", "cost_of_sales", "sga", "non_operating", "tax", "operating_cf",
          "investing_cf", "financing_cf")
#: part -> (base weight, weight of a financial company) of each split total
_SPLITS: dict[str, dict[str, tuple[float, float]]] = {
    "other_current_assets": {"short_term_investments": (0.25, 0.5), "receivables": (0.35, 0.35),
                             "inventories": (0.3, 0.01), "other_current": (0.1, 0.14)},
    "non_current_assets": {"investments": (0.2, 0.7), "tangible_assets": (0.55, 0.1),
                           "intangible_assets": (0.1, 0.05), "other_non_current": (0.15, 0.15)},
    "tangible_assets": {"land": (0.25, 0.4), "buildings": (0.3, 0.4), "machinery": (0.35, 0.05),
                        "other_tangible": (0.1, 0.15)},
    "current_liabilities": {"payables": (0.4, 0.2), "short_term_borrowings": (0.3, 0.3),
                            "other_current_liabilities": (0.3, 0.5)},
    "non_current_liabilities": {"bonds": (0.35, 0.3), "long_term_borrowings": (0.35, 0.2),
                                "other_non_current_liabilities": (0.3, 0.5)},
}


@dataclass(frozen=True)
class Statement:
    """One company's statements for one period in one consolidation."""

    code: str  # the stock code of the company
    end: date  # period end (the balance sheet date)
    fiscal_year_end: date
    quarter: int  # year-to-date quarters: 1 Q1 ... 4 the fiscal year
    months: int
    consolidated: bool
    published: date
    lines: dict[str, int]  # every line (module docstring) -> KRW (shares: a count)

    def __getitem__(self, line: str) -> int:
        return self.lines[line]


def parent_share(seed: int, code: str) -> float:
    """The parent company's share of the group, the scale of its separate statements."""
    return 0.55 + 0.42 * uniform(seed, "bookkeeper-separate", code)


def year_to_date(market: Market, inst: Instrument, fiscal_year_end: date,
                 quarter: int) -> Period:
    """The fiscal year's first ``quarter`` quarters as one period (4 = the fiscal year)."""
    if quarter == 4:
        return annual(market, inst, fiscal_year_end)
    quarters = fiscal_year(market, inst, fiscal_year_end)[:quarter]
    last = quarters[-1]
    values = {f.name: getattr(last, f.name) for f in fields(Period)}
    values.update({name: sum(getattr(q, name) for q in quarters) for name in _FLOWS})
    values["months"] = 3 * quarter
    return Period(**values)


def _base(period: Period, share: float | None) -> dict[str, int]:
    """The independent amounts of a period, scaled to the parent when ``share`` is given."""
    begin = period.cash - period.operating_cf - period.investing_cf - period.financing_cf
    base = {name: getattr(period, name) for name in (
        "revenue", "cost_of_sales", "sga", "non_operating", "tax", "cash",
        "other_current_assets", "non_current_assets", "current_liabilities",
        "non_current_liabilities", "capital", "capital_surplus", "operating_cf",
        "investing_cf")}
    base["cash_begin"] = begin
    if share is not None:
        base = {name: value if name == "capital" else round(value * share)
                for name, value in base.items()}
    assets = base["cash"] + base["other_current_assets"] + base["non_current_assets"]
    equity = assets - base["current_liabilities"] - base["non_current_liabilities"]
    base["retained_earnings"] = (period.retained_earnings if share is None
                                 else equity - base["capital"] - base["capital_surplus"])
    base["financing_cf"] = (base["cash"] - base["cash_begin"] - base["operating_cf"]
                            - base["investing_cf"])
    base["shares"] = period.shares
    return base


def split(total: int, weights: list[float]) -> list[int]:
    """``total`` (>= 0) split by positive ``weights`` into integers >= 0 that add up
    exactly (the first parts rounded down, the last takes the rest)."""
    scale = sum(weights)
    parts = [math.floor(total * w / scale) for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _weights(seed: int, inst: Instrument, end: date, total: str,
             financial: bool) -> list[float]:
    return [base[1 if financial else 0]
            * math.exp(0.25 * normal(seed, "bookkeeper-split", inst.code, part)
                       + 0.05 * normal(seed, "bookkeeper-split", inst.code, part, end))
            for part, base in _SPLITS[total].items()]


def lines(seed: int, inst: Instrument, period: Period, share: float | None) -> dict[str, int]:
    """Every line of a period (module docstring); ``share`` for the separate view."""
    from sandbox.world.market.reference import FINANCIAL

    base = _base(period, share)
    out = dict(base)
    out["gross_profit"] = base["revenue"] - base["cost_of_sales"]
    out["operating_profit"] = out["gross_profit"] - base["sga"]
    out["pretax_income"] = out["operating_profit"] + base["non_operating"]
    out["net_income"] = out["pretax_income"] - base["tax"]
    financial = inst.sector in FINANCIAL
    for total, parts in _SPLITS.items():
        amount = out[total]
        sign = -1 if amount < 0 else 1
        values = split(abs(amount), _weights(seed, inst, period.end, total, financial))
        out.update(zip(parts, (sign * v for v in values), strict=True))
    del out["other_current_assets"]  # the split of it; "other_current" is its last part
    out["current_assets"] = base["cash"] + base["other_current_assets"]
    out["total_assets"] = out["current_assets"] + base["non_current_assets"]
    out["total_liabilities"] = base["current_liabilities"] + base["non_current_liabilities"]
    out["total_equity"] = base["capital"] + base["capital_surplus"] + base["retained_earnings"]
    out["total_liabilities_and_equity"] = out["total_liabilities"] + out["total_equity"]
    out["net_change_in_cash"] = base["operating_cf"] + base["investing_cf"] + base["financing_cf"]
    out["cash_end"] = base["cash"]
    return out


_CACHE: BoundedCache[tuple[int, str, date, int, bool], Statement] = BoundedCache(16384)


def statement(market: Market, inst: Instrument, fiscal_year_end: date, quarter: int,
              consolidated: bool) -> Statement:
    """The statements of a fiscal year's first ``quarter`` quarters (raises
    :class:`~sandbox.world.partners.financials.NoStatements`)."""
    key = (market.seed, inst.code, fiscal_year_end, quarter, consolidated)
    found = _CACHE.get(key)
    if found is not None:
        return found
    if not has_statements(inst, fiscal_year_end):
        raise NoStatements(f"{inst.code} has no statements for {fiscal_year_end}")
    period = year_to_date(market, inst, fiscal_year_end, quarter)
    share = None if consolidated else parent_share(market.seed, inst.code)
    return _CACHE.put(key, Statement(
        code=inst.code, end=period.end, fiscal_year_end=fiscal_year_end, quarter=quarter,
        months=period.months, consolidated=consolidated, published=period.published,
        lines=lines(market.seed, inst, period, share)))


def period_end(fiscal_year_end: date, quarter: int) -> date:
    return quarter_ends(fiscal_year_end)[quarter - 1]


def published(fiscal_year_end: date, quarter: int) -> date:
    """When the statements of a fiscal year's first ``quarter`` quarters are published."""
    return publication(period_end(fiscal_year_end, quarter), fiscal_year_end)
