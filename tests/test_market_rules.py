"""KRX rules and calendar of the market model: tick grids, limits, change codes, sessions."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.world.market import calendar as cal
from sandbox.world.market import rules
from sandbox.world.market.instruments import Instrument

KOSPI = Instrument("005930", "KR7005930003", "삼성전자", "Samsung", "stock", "kospi", 50_000.0, 0.3)
KOSDAQ = Instrument("247540", "KR7247540008", "에코프로비엠", "EcoPro", "stock", "kosdaq", 5e5, 0.5)
ETF = Instrument("069500", "KR7069500007", "KODEX 200", "KODEX200", "etf", "kospi", 3e4, 0.15)
FUT = Instrument("101N6000", "KR4101N60009", "F", "F", "future", "kospi200", 300.0, 0.16,
                 underlying="K51", expiry=date(2018, 6, 14))
OPT = Instrument("201N6300", "KR4201N63001", "C", "C", "option", "kospi200", 300.0, 0.16,
                 underlying="K51", expiry=date(2018, 6, 14), strike=300.0, option_type="C")
OLD, NEW = date(2018, 5, 4), date(2024, 5, 3)


# ------------------------------------------------------------------------------ limits
@pytest.mark.parametrize(
    ("inst", "base", "upper", "lower"),
    [(KOSPI, 53_000, 68_900, 37_100), (KOSPI, 67_400, 87_600, 47_200),
     (KOSDAQ, 505_000, 656_500, 353_500)],
)
def test_verified_stock_limits(inst: Instrument, base: int, upper: int, lower: int) -> None:
    assert rules.daily_limits(inst, OLD, base) == [(upper, lower)]


def test_verified_futures_limits() -> None:
    steps = rules.daily_limits(FUT, OLD, 316.05)
    assert steps == [(341.3, 290.8), (363.45, 268.65), (379.25, 252.85)]


def test_option_limits_move_with_the_underlying() -> None:
    steps = rules.daily_limits(OPT, OLD, 97.15, underlying_base=316.25)
    assert steps[0] == (122.45, 71.85)
    assert all(lo >= 0.01 for _, lo in rules.daily_limits(OPT, OLD, 0.05, underlying_base=300))


CASH = st.sampled_from([KOSPI, KOSDAQ, ETF])
ERAS = st.sampled_from([OLD, NEW])


@given(st.integers(50, 3_000_000), CASH, ERAS)
def test_stock_limits_are_on_the_grid_and_toward_base(
    base: int, inst: Instrument, day: date
) -> None:
    grid = rules.grid_for(inst, day)
    base = grid.nearest(base)
    upper, lower = rules.stock_limits(base, grid)
    assert grid.on_grid(upper) and grid.on_grid(lower)
    assert upper <= base * 1.3 < upper + grid.tick(upper) + 1e-9
    assert lower >= base * 0.7 or lower == grid.min_price
    assert lower - grid.tick(lower) < base * 0.7 or lower == grid.min_price


# --------------------------------------------------------------------------- tick grid
@pytest.mark.parametrize(
    ("inst", "day", "price", "tick"),
    [(KOSPI, OLD, 999, 1), (KOSPI, OLD, 1_000, 5), (KOSPI, OLD, 49_950, 50),
     (KOSPI, OLD, 50_000, 100), (KOSPI, OLD, 499_500, 500), (KOSPI, OLD, 500_000, 1_000),
     (KOSDAQ, OLD, 700_000, 100),
     (KOSPI, NEW, 1_999, 1), (KOSPI, NEW, 2_000, 5), (KOSPI, NEW, 19_990, 10),
     (KOSDAQ, NEW, 199_900, 100), (KOSDAQ, NEW, 200_000, 500), (KOSDAQ, NEW, 700_000, 1_000),
     (ETF, OLD, 31_235, 5), (ETF, NEW, 150_005, 5), (FUT, OLD, 316.05, 0.05),
     (OPT, OLD, 9.99, 0.01), (OPT, OLD, 10.0, 0.05)],
)
def test_tick_tables(inst: Instrument, day: date, price: float, tick: float) -> None:
    assert rules.tick_size(inst, day, price) == tick


def test_reform_day_switches_the_table() -> None:
    assert rules.tick_size(KOSDAQ, date(2023, 1, 24), 250_000) == 100
    assert rules.tick_size(KOSDAQ, date(2023, 1, 25), 250_000) == 500


@given(st.floats(1.0, 2_000_000.0), CASH, ERAS)
def test_rounding_lands_on_the_grid(price: float, inst: Instrument, day: date) -> None:
    grid = rules.grid_for(inst, day)
    down, up, near = grid.floor(price), grid.ceil(price), grid.nearest(price)
    assert down <= price <= up
    assert near in (down, up) and all(grid.on_grid(p) for p in (down, up, near))
    assert grid.price(grid.index(down) + 1) >= up
    assert rules.round_to_tick(inst, day, price, "down") == down


def test_grid_index_and_range_sums_are_exact() -> None:
    grid = rules.KOSPI_GRID
    prices = [grid.price(i) for i in range(990, 1300)]
    assert all(grid.index(p) == i for i, p in zip(range(990, 1300), prices, strict=True))
    assert prices[9:12] == [999, 1000, 1005]
    assert grid.range_sum(990, 1299) == sum(prices)


def test_option_premium_grid() -> None:
    assert rules.round_to_tick(OPT, OLD, 9.996) == 10.0
    assert rules.round_to_tick(OPT, OLD, 10.07) == 10.05
    assert rules.round_to_tick(OPT, OLD, 0.014) == 0.01


def test_change_codes() -> None:
    assert rules.change_code(68_900, 53_000, 68_900, 37_100) == "1"
    assert rules.change_code(55_000, 53_000, 68_900, 37_100) == "2"
    assert rules.change_code(53_000, 53_000, 68_900, 37_100) == "3"
    assert rules.change_code(37_100, 53_000, 68_900, 37_100) == "4"
    assert rules.change_code(50_000, 53_000, 68_900, 37_100) == "5"
    assert rules.change_code(68_900, 53_000, 68_900, 37_100, traded=False) == "6"
    assert rules.change_code(50_000, 53_000, traded=False) == "9"
    assert rules.change_code(2_400.5, 2_400.0) == "2"


def test_multipliers() -> None:
    assert rules.multiplier(FUT, date(2018, 5, 30)) == 250_000
    assert rules.multiplier(FUT, date(2017, 3, 24)) == 500_000
    assert rules.multiplier(KOSPI, OLD) == 1


# ----------------------------------------------------------------------------- calendar
def test_holidays_and_weekends() -> None:
    closed = [date(2026, 1, 1), date(2026, 5, 1), date(2026, 12, 31), date(2025, 12, 31),
              date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 9, 24),
              date(2026, 9, 25), date(2025, 10, 6), date(2025, 10, 7), date(2026, 1, 3),
              date(2026, 1, 4), date(2017, 12, 29), date(2018, 6, 13)]
    assert not any(cal.is_trading_day(d) for d in closed)
    assert cal.is_trading_day(date(2026, 1, 2)) and cal.is_trading_day(date(2026, 2, 19))
    assert cal.holiday_name(date(2026, 2, 17)) is not None


def test_previous_and_next_trading_days() -> None:
    assert cal.previous_trading_day(date(2026, 1, 2)) == date(2025, 12, 30)
    assert cal.next_trading_day(date(2025, 12, 30)) == date(2026, 1, 2)
    assert cal.next_trading_day(date(2026, 2, 13)) == date(2026, 2, 19)
    assert cal.last_trading_day_on_or_before(date(2026, 1, 4)) == date(2026, 1, 2)
    days = cal.trading_days(date(2026, 1, 1), date(2026, 1, 31))
    assert days[0] == date(2026, 1, 2) and all(d.weekday() < 5 for d in days)
    assert [cal.day_at(cal.day_index(d)) for d in days] == days


def test_first_day_of_the_year_opens_at_ten() -> None:
    first = cal.schedule(date(2026, 1, 2))
    assert cal.is_first_trading_day_of_year(date(2026, 1, 2))
    assert cal.hhmmsscc(first.open) == 10000000 and cal.hhmmsscc(first.close) == 15300000
    assert cal.phase_at(datetime(2026, 1, 2, 9, 30)) == cal.PRE_OPEN_AUCTION
    assert cal.phase_at(datetime(2026, 1, 2, 10, 0)) == cal.CONTINUOUS
    assert cal.phase_at(datetime(2026, 1, 1, 11, 0)) == cal.CLOSED


def test_college_entrance_exam_shifts_the_session() -> None:
    csat = cal.schedule(date(2025, 11, 13))
    assert cal.is_csat_day(date(2025, 11, 13))
    assert cal.hhmmsscc(csat.open) == 10000000 and cal.hhmmsscc(csat.close) == 16300000
    assert cal.hhmmsscc(csat.after_hours_end) == 18000000
    derivatives = cal.schedule(date(2025, 11, 13), cal.DERIVATIVE_SESSIONS)
    assert cal.hhmmsscc(derivatives.close) == 16450000
    assert cal.csat_day(2017) == date(2017, 11, 23)


def test_stock_phases_and_signals() -> None:
    day = date(2018, 6, 5)
    sched = cal.schedule(day)
    expected = {(8, 0): cal.CLOSED, (8, 30): cal.PRE_OPEN_AUCTION, (9, 0): cal.CONTINUOUS,
                (15, 19): cal.CONTINUOUS, (15, 20): cal.CLOSING_AUCTION, (15, 35): cal.CLOSED,
                (15, 40): cal.POST_CLOSE, (16, 0): cal.AFTER_HOURS, (18, 0): cal.CLOSED}
    for (h, m), phase in expected.items():
        assert cal.phase_at(datetime(2018, 6, 5, h, m)) == phase, (h, m)
    assert sched.signal(cal.from_hhmmsscc(15295999)) is None
    assert sched.signal(cal.from_hhmmsscc(15300000)) == (31000000, sched.close)
    assert sched.signal(cal.from_hhmmsscc(16300000))[0] == 41000000  # type: ignore[index]
    assert sched.signal(cal.from_hhmmsscc(19000000))[0] == 81000000  # type: ignore[index]
    assert len(sched.after_hours_matches()) == 12


def test_derivative_sessions() -> None:
    regular = cal.schedule(date(2018, 6, 5), cal.DERIVATIVE_SESSIONS)
    expiring = cal.schedule(date(2018, 6, 14), cal.DERIVATIVE_SESSIONS, expiring=True)
    assert cal.hhmmsscc(regular.continuous_end) == 15350000
    assert cal.hhmmsscc(regular.close) == 15450000
    assert cal.hhmmsscc(expiring.close) == 15200000
    assert regular.after_hours_matches() == []


def test_times_and_instants() -> None:
    assert cal.hhmmsscc(cal.from_hhmmsscc(9544500)) == 9544500
    instant = datetime(2018, 6, 5, 0, 30, tzinfo=cal.KST)
    assert cal.split_instant(instant) == (date(2018, 6, 5), 180000)
    with pytest.raises(cal.CalendarError):
        cal.is_trading_day(date(1999, 1, 4))


@settings(max_examples=50)
@given(st.dates(date(2016, 1, 1), date(2027, 12, 31)))
def test_trading_days_are_weekdays_and_neighbours_agree(d: date) -> None:
    if cal.is_trading_day(d):
        assert d.weekday() < 5 and (d.month, d.day) not in ((5, 1), (12, 31), (1, 1))
        assert cal.next_trading_day(cal.previous_trading_day(d)) == d
    else:
        assert cal.previous_trading_day(d) < d < cal.next_trading_day(d)
