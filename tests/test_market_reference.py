"""Reference data of cash instruments (world/market/reference.py): flags, fundamentals."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.world.market import calendar as cal
from sandbox.world.market import rules
from sandbox.world.market.instruments import ETF, ETN, STOCK, Instrument, load_universe
from sandbox.world.market.reference import (
    GRADES,
    MANUFACTURING,
    Fundamentals,
    fundamentals,
    reference,
)
from sandbox.world.world import market_of

UNIVERSE = load_universe()
CASH = [i for i in UNIVERSE if i.kind in (STOCK, ETF, ETN)]
STOCKS = [i for i in CASH if i.kind == STOCK]
MARKET = market_of(42)
PROPS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def inst(code: str) -> Instrument:
    found = UNIVERSE.get(code)
    assert found is not None
    return found


def test_reference_is_a_pure_cached_function_of_seed_and_instrument() -> None:
    samsung = inst("005930")
    assert reference(42, samsung) is reference(42, samsung)
    assert reference(42, samsung) == reference.__wrapped__(42, samsung)
    differs = [i for i in STOCKS[:200] if reference(42, i) != reference(7, i)]
    assert len(differs) > 150
    with pytest.raises(ValueError):
        reference(42, UNIVERSE.indices("kospi")[0])


def test_security_groups() -> None:
    assert reference(42, inst("005930")).group == "ST"
    assert reference(42, inst("069500")).group == "EF"
    assert reference(42, inst("590012")).group == "EN"
    assert reference(42, inst("900140")).group == "FS"  # KYG... ISIN: a foreign issuer
    groups = Counter(reference(42, i).group for i in CASH)
    assert set(groups) <= {"ST", "FS", "EF", "EN"}


def test_flags_are_rare_and_consistent() -> None:
    refs = [(i, reference(42, i)) for i in STOCKS]
    warnings = Counter(r.warning for _, r in refs)
    assert warnings["00"] > 0.95 * len(refs) and set(warnings) <= {"00", "01", "02", "03"}
    assert not any(r.halted for _, r in refs)  # the price model trades every issue
    assert sum(r.administrative for _, r in refs) < 0.04 * len(refs)
    assert Counter(r.overheat for _, r in refs)["0"] > 0.97 * len(refs)
    for i, r in refs:
        if r.administrative or r.warning in ("02", "03") or i.market == "konex":
            assert not r.credit, i.code
        if i.market == "konex":
            assert r.sme and r.collateral_rate == 0
        assert r.manufacturing == (i.market == "kospi" and i.sector in MANUFACTURING)
        assert 0.25 * i.shares <= r.free_float <= 0.92 * i.shares
        assert r.capital == i.par_value * i.shares
        assert r.credit_grade in ("", *GRADES)
        assert r.fiscal_mask.count("1") == 1 and r.fiscal_mask[r.fiscal_month - 1] == "1"
        assert 5.0 <= r.debt_ratio <= 2000.0
    kosdaq = [r for i, r in refs if i.market == "kosdaq"]
    assert sum(r.sme for r in kosdaq) > 0.6 * len(kosdaq)  # KOSDAQ: mostly SMEs
    assert Counter(r.fiscal_month for _, r in refs)[12] > 0.9 * len(refs)


def test_funds_have_no_fundamentals() -> None:
    etf = inst("069500")
    ref = reference(42, etf)
    assert (ref.warning, ref.administrative, ref.credit, ref.capital) == ("00", False, True, 0)
    assert fundamentals(MARKET, etf, date(2026, 11, 24)) == Fundamentals(date(2025, 12, 31), 0,
                                                                         0, 0)
    assert reference(42, inst("590012")).credit is False


def test_settlement_follows_the_publication_lag() -> None:
    december = reference(42, inst("005930"))
    assert december.fiscal_month == 12
    assert december.settlement(date(2026, 11, 24)) == date(2025, 12, 31)
    assert december.settlement(date(2026, 3, 31)) == date(2024, 12, 31)
    assert december.settlement(date(2026, 4, 1)) == date(2025, 12, 31)
    march = next(reference(42, i) for i in STOCKS if reference(42, i).fiscal_month == 3)
    assert march.settlement(date(2026, 6, 30)) == date(2025, 3, 31)
    assert march.settlement(date(2026, 7, 1)) == date(2026, 3, 31)


def test_ratios_arithmetic() -> None:
    figures = Fundamentals(date(2025, 12, 31), 4000, 40000, 1000)
    assert figures.ratios(50000) == (12.5, 1.25, 2.0)
    assert Fundamentals(date(2025, 12, 31), -300, 2500, 0).ratios(3000) == (0.0, 1.2, 0.0)
    assert figures.ratios(0) == (0.0, 0.0, 0.0)


def test_about_the_modelled_share_of_company_years_are_losses() -> None:
    day = date(2026, 11, 24)
    for market, low, high in (("kospi", 0.08, 0.24), ("kosdaq", 0.16, 0.34)):
        stocks = [i for i in STOCKS if i.market == market]
        losses = sum(fundamentals(MARKET, i, day).eps < 0 for i in stocks)
        assert low * len(stocks) < losses < high * len(stocks), (market, losses)


@PROPS
@given(code=st.sampled_from([i.code for i in STOCKS]),
       day=st.dates(date(2012, 1, 1), date(2030, 12, 31)))
def test_fundamentals_follow_the_price_level_of_the_settlement(code: str, day: date) -> None:
    stock = inst(code)
    figures = fundamentals(MARKET, stock, day)
    assert figures == fundamentals(MARKET, stock, day)
    assert figures.settlement < day
    n = cal.index_on_or_before(figures.settlement)
    level = MARKET.model.close_units(stock, n)
    per, pbr, div_yd = figures.ratios(level)
    assert figures.bps > 0 and 0.14 <= pbr <= 13
    if figures.eps > 0:
        assert 2.9 <= per <= 81 and 0 <= div_yd <= 0.6 / per * 100 + 0.5
    else:
        assert (per, figures.dps) == (0.0, 0)
    earlier = day - timedelta(days=20)  # the figures change only with the settlement
    if reference(42, stock).settlement(earlier) == figures.settlement:
        assert fundamentals(MARKET, stock, earlier) == figures


@PROPS
@given(code=st.sampled_from([i.code for i in CASH]),
       day=st.dates(date(2016, 1, 1), date(2030, 12, 31)).filter(cal.is_trading_day),
       base=st.integers(100, 2_000_000))
def test_collateral_is_70_to_80_percent_on_the_grid(code: str, day: date, base: int) -> None:
    instrument = inst(code)
    ref = reference(42, instrument)
    base = int(rules.round_to_tick(instrument, day, base))
    value = ref.collateral(instrument, day, base)
    if ref.collateral_rate == 0:
        assert value == 0
        return
    assert rules.round_to_tick(instrument, day, value, "down") == value
    tick = rules.tick_size(instrument, day, base)
    assert 0.7 * base - tick <= value <= 0.8 * base
