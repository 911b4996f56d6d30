"""The financial statements behind Fabotdw, Bookkeeper, NICE and BIGBOT
(:mod:`sandbox.world.partners.financials`): accounting identities for any seed and stock,
agreement with the stock master (eps, bps), publication dates and determinism."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.world.market.instruments import STOCK, load_universe
from sandbox.world.market.reference import annual_publication, fundamentals, reference
from sandbox.world.partners import financials
from sandbox.world.world import market_of

UNIVERSE = load_universe()
STOCKS = sorted(i.code for m in ("kospi", "kosdaq", "konex")
                for i in UNIVERSE.select(STOCK, m))
TODAY = date(2026, 11, 24)


def _check_period(p: financials.Period) -> None:
    assert p.total_assets == p.total_liabilities + p.total_equity
    assert p.gross_profit == p.revenue - p.cost_of_sales
    assert p.operating_profit == p.gross_profit - p.sga
    assert p.pretax_income == p.operating_profit + p.non_operating
    assert p.net_income == p.pretax_income - p.tax
    assert p.total_assets > 0 and p.total_liabilities >= 0 and p.cash >= 0
    assert p.current_assets <= p.total_assets
    assert p.revenue > 0 and p.tax >= 0 and p.shares > 0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), code=st.sampled_from(STOCKS),
       year=st.integers(2016, 2027))
def test_identities_hold_for_any_seed_stock_and_year(seed: int, code: str, year: int) -> None:
    market, inst = market_of(seed), UNIVERSE.get(code)
    assert inst is not None
    ref = reference(seed, inst)
    end = ref.fiscal_year_end(year)
    try:
        quarters = financials.fiscal_year(market, inst, end)
    except financials.NoStatements:
        assert inst.list_date is not None and inst.list_date.year > year
        return
    for q in quarters:
        _check_period(q)
    year_total = financials.annual(market, inst, end)
    _check_period(year_total)
    for line in ("revenue", "cost_of_sales", "sga", "non_operating", "tax"):
        assert getattr(year_total, line) == sum(getattr(q, line) for q in quarters)
    # the year lands on the master's published eps and bps
    master = fundamentals(market, inst, annual_publication(end))
    assert year_total.net_income == master.eps * inst.shares
    assert year_total.total_equity == master.bps * inst.shares
    # cash moves exactly by the three cash flows, across the year boundary too
    before = financials.fiscal_year(market, inst, ref.fiscal_year_end(year - 1))[-1] \
        if (inst.list_date is None or inst.list_date.year < year) and year > 2001 else None
    previous = before
    for q in quarters:
        if previous is not None:
            assert q.cash - previous.cash == q.operating_cf + q.investing_cf + q.financing_cf
        previous = q


def test_quarters_are_calendar_quarter_ends_of_the_fiscal_year() -> None:
    assert financials.quarter_ends(date(2026, 12, 31)) == [
        date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    assert financials.quarter_ends(date(2026, 3, 31)) == [
        date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)]


def test_latest_quarters_are_published_newest_first() -> None:
    market, inst = market_of(42), UNIVERSE.get("005930")
    assert inst is not None
    quarters = financials.latest_quarters(market, inst, TODAY, 6)
    assert len(quarters) == 6
    assert [q.end for q in quarters] == sorted((q.end for q in quarters), reverse=True)
    assert all(q.published <= TODAY for q in quarters)
    # Q3 is out 45 days after 30 September; the annual report on 1 April
    assert quarters[0].end == date(2026, 9, 30) and quarters[0].published == date(2026, 11, 14)
    on_the_eve = financials.latest_quarters(market, inst, date(2026, 11, 13), 1)
    assert on_the_eve[0].end == date(2026, 6, 30)
    annual_q = next(q for q in quarters if q.quarter == 4)
    assert annual_q.published == date(annual_q.end.year + 1, 4, 1)


def test_latest_years_follow_the_master_settlement() -> None:
    market, inst = market_of(42), UNIVERSE.get("000660")
    assert inst is not None
    years = financials.latest_years(market, inst, TODAY, 3)
    assert [y.months for y in years] == [12, 12, 12]
    assert years[0].fiscal_year_end == reference(42, inst).settlement(TODAY)
    assert years[0].eps == fundamentals(market, inst, TODAY).eps


def test_statements_are_deterministic_and_depend_on_the_seed() -> None:
    inst = UNIVERSE.get("035720")
    assert inst is not None
    end = date(2025, 12, 31)
    first = financials.fiscal_year(market_of(42), inst, end)
    financials._YEARS.clear()
    assert financials.fiscal_year(market_of(42), inst, end) == first
    assert financials.fiscal_year(market_of(7), inst, end) != first


def test_no_statements_before_listing_or_for_funds() -> None:
    market = market_of(42)
    etf = next(i for i in UNIVERSE.select("etf", "kospi"))
    with pytest.raises(financials.NoStatements):
        financials.fiscal_year(market, etf, date(2025, 12, 31))
    young = max((UNIVERSE.get(c) for c in STOCKS), key=lambda i: i.list_date or date.min)
    assert young is not None and young.list_date is not None
    with pytest.raises(financials.NoStatements):
        financials.fiscal_year(market, young, date(young.list_date.year - 1, 12, 31))
    found = financials.latest_quarters(market, young, young.list_date + timedelta(days=400), 12)
    assert 0 < len(found) < 12  # the history stops at the listing year
    assert all(q.fiscal_year_end.year >= young.list_date.year for q in found)


def test_ratios_are_worked_out_of_the_lines() -> None:
    market, inst = market_of(42), UNIVERSE.get("005930")
    assert inst is not None
    q = financials.latest_quarters(market, inst, TODAY, 1)[0]
    assert q.debt_ratio == pytest.approx(q.total_liabilities / q.total_equity * 100)
    assert q.operating_margin == pytest.approx(q.operating_profit / q.revenue * 100)
    assert q.roe == pytest.approx(q.net_income * 4 // 1 / q.total_equity * 100, rel=1e-6)
    # the quarterly debt ratio stays near the master's static DebtRt
    master = reference(42, inst).debt_ratio
    assert master * 0.6 < q.debt_ratio < master * 1.6
