"""The market model: KRX invariants for any seed, instrument and day; consistency; determinism.

Instruments are built here directly (the universe has its own tests). Timings of a ten-year
history, a quote and a book are printed, never asserted (speed goals live in bench/).
"""

from __future__ import annotations

import itertools
import json
import time as timer
from dataclasses import asdict
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.world.market import calendar as cal
from sandbox.world.market import rules
from sandbox.world.market.daily import ANCHOR_DATE, krw_value
from sandbox.world.market.instruments import Instrument
from sandbox.world.market.prices import Market
from sandbox.world.market.tape import AFTER_HOURS, CLOSE_AUCTION, OPEN_AUCTION, Tape


def stock(code: str, market: str, price: float, vol: float, **kw: object) -> Instrument:
    return Instrument(code, None, code, code, "stock", market, price, vol, **kw)  # type: ignore[arg-type]


K200 = Instrument("K51", None, "코스피 200", "KOSPI200", "index", "kospi", 300.0, 0.16)
K13 = Instrument("K13", None, "전기전자", "Elec", "index", "kospi", 20_000.0, 0.22)
Q1 = Instrument("Q1", None, "코스닥", "KOSDAQ", "index", "kosdaq", 850.0, 0.2)
CASH = [
    stock("005930", "kospi", 47_000.0, 0.3, shares=5_969_782_550, sector="K13"),
    stock("000001", "kospi", 850.0, 0.45, shares=40_000_000, sector="K8"),
    stock("000002", "kospi", 520_000.0, 0.35, shares=3_000_000, sector="K13"),
    stock("247540", "kosdaq", 505_000.0, 0.55, shares=20_000_000),
    stock("000003", "kosdaq", 1_990.0, 0.6, shares=0),
    Instrument("069500", None, "KODEX 200", "KODEX200", "etf", "kospi", 31_000.0, 0.15,
               shares=80_000_000),
]
INDICES = [K200, K13, Q1]
UNIVERSE = {i.code: i for i in [*CASH, *INDICES]}
SEEDS = st.integers(0, 2**31)
DAYS = st.dates(date(2016, 1, 4), date(2027, 12, 30)).map(cal.last_trading_day_on_or_before)

_markets: dict[int, Market] = {}


def market(seed: int) -> Market:
    if seed not in _markets:
        _markets.clear() if len(_markets) > 8 else None
        _markets[seed] = Market(seed, UNIVERSE)
    return _markets[seed]


def second_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 7)


def contracts(mk: Market, day: date, offset: int) -> tuple[Instrument, Instrument, Instrument]:
    """A KOSPI200 future and a call/put pair expiring after ``day`` (codes are unique per
    contract, as the model's caches require)."""
    month = day.month + 1 + offset % 3
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    expiry = second_thursday(year, month)
    spot = mk.model.summary(K200, cal.day_index(day))
    assert spot is not None
    strike = round(spot.base / 1000 / 2.5) * 2.5 + 2.5 * (offset - 2)
    fut = Instrument(f"F{year}{month:02d}", None, "F", "F", "future", "kospi200", 300.0,
                     0.16, underlying="K51", expiry=expiry)
    kw = {"underlying": "K51", "expiry": expiry, "strike": strike}
    call = Instrument(f"C{year}{month:02d}{strike}", None, "C", "C", "option",
                      "kospi200", 300.0, 0.16, option_type="C", **kw)  # type: ignore[arg-type]
    put = Instrument(f"P{year}{month:02d}{strike}", None, "P", "P", "option",
                     "kospi200", 300.0, 0.16, option_type="P", **kw)  # type: ignore[arg-type]
    return fut, call, put


# --------------------------------------------------------------------------- checkers
def check_tape(mk: Market, inst: Instrument, tape: Tape) -> None:
    """The day's trades reproduce its summary and respect the grid, limits and sessions."""
    s, sched, grid = tape.summary, tape.schedule, tape.summary.grid
    prices, qtys = list(tape.prices), list(tape.qtys)
    assert s.low <= min(s.open, s.close) <= max(s.open, s.close) <= s.high
    assert prices[0] == s.open and max(prices) == s.high and min(prices) == s.low
    assert prices[tape.close_index] == s.close and tape.kinds[tape.close_index] == CLOSE_AUCTION
    assert tape.times[0] == sched.open and tape.times[tape.close_index] == sched.close
    assert all(a < b for a, b in zip(tape.times, tape.times[1:], strict=False))
    assert tape.times[-1] <= sched.end and min(qtys) >= (0 if inst.kind == "index" else 1)
    assert sum(qtys) == s.volume == tape.cum_vol[-1]
    if inst.kind == "index":
        assert tape.cum_raw[-1] == s.value
        assert all(a <= b for a, b in zip(tape.cum_raw, tape.cum_raw[1:], strict=False))
    else:
        raw = sum(p * q for p, q in zip(prices, qtys, strict=True))
        assert raw == s.raw_value == tape.cum_raw[-1]
        assert s.value == krw_value(raw, rules.multiplier(inst, s.day), s.scale)
        assert all(grid.on_grid(p) for p in (*prices, s.upper, s.lower))
        hi_cap, lo_cap = s.steps[-1]
        assert lo_cap <= s.low and s.high <= hi_cap
        assert s.lower <= s.low and s.high <= s.upper  # the model never needs a wider step
    for i, (t, p, k) in enumerate(zip(tape.times, prices, tape.kinds, strict=True)):
        if k == OPEN_AUCTION:
            assert i == 0
        elif k == AFTER_HOURS:
            assert sched.after_hours_start < t <= sched.after_hours_end
            assert abs(p - s.close) * 10 <= s.close
        elif k != CLOSE_AUCTION and t < sched.close:
            assert sched.open < t < sched.continuous_end + (inst.kind == "index")


def check_quote_and_book(mk: Market, inst: Instrument, at: datetime, prev_volume: int) -> int:
    """Quote and book at ``at`` agree with each other and with KRX rules; returns the volume."""
    q = mk.quote(inst, at)
    s = mk.model.summary(inst, cal.day_index(q.day))
    assert s is not None
    sc, grid = s.scale, s.grid
    if q.trade_time == 0:
        assert (q.open, q.high, q.low, q.volume, q.value, q.side) == (0, 0, 0, 0, 0, 0)
        assert q.price == q.base and q.change_code == "3"
        return 0
    assert q.low <= q.open <= q.high and q.low <= q.price <= q.high
    assert q.volume >= prev_volume and q.value > 0
    if inst.kind != "index":
        low, high = rules.to_units(q.low, sc), rules.to_units(q.high, sc)
        units_value = q.value if sc == 1 else q.value / rules.multiplier(inst, q.day) * sc
        slack = 1.000001
        assert low * q.volume <= units_value * slack <= high * q.volume * slack**2
        assert q.lower_limit <= q.low and q.high <= q.upper_limit
        expected = rules.change_code(q.price, q.base, q.upper_limit, q.lower_limit)
    else:
        expected = rules.change_code(q.price, q.base)
    assert q.change_code == expected and q.change == pytest.approx(q.price - q.base)
    if inst.kind == "index":
        return q.volume
    book = mk.book(inst, at)
    assert (book.bid_prices[0], book.ask_prices[0]) == (q.bid, q.ask)
    assert book.volume == q.volume
    asks = [p for p in book.ask_prices if p]
    bids = [p for p in book.bid_prices if p]
    assert all(a < b for a, b in itertools.pairwise(asks))
    assert all(a > b for a, b in itertools.pairwise(bids))
    assert all(grid.on_grid(rules.to_units(p, sc)) for p in asks + bids)
    if asks and bids:
        assert bids[0] < asks[0] and bids[0] <= q.price <= asks[0]
    if q.side == 1:
        assert q.price == q.bid
    if q.side == 2:
        assert q.price == q.ask
    assert book.ask_total >= sum(book.ask_qtys) and book.bid_total >= sum(book.bid_qtys)
    for prices, qtys, counts in ((book.ask_prices, book.ask_qtys, book.ask_counts),
                                 (book.bid_prices, book.bid_qtys, book.bid_counts)):
        for p, n, c in zip(prices, qtys, counts, strict=True):
            assert (p == 0) == (n == 0) and c <= n
    return q.volume


def instants(day: date) -> list[datetime]:
    moments = [(8, 0), (8, 45), (9, 0), (9, 0, 30), (10, 5), (11, 42), (13, 17), (15, 19),
               (15, 25), (15, 30), (15, 35), (15, 44), (15, 50), (16, 15), (17, 55), (18, 5)]
    return [datetime.combine(day, time(*m)) for m in moments]  # type: ignore[misc]


def check_day(mk: Market, inst: Instrument, day: date) -> None:
    n = cal.day_index(day)
    tape = mk.tape(inst, n)
    check_tape(mk, inst, tape)
    volume = 0
    for at in instants(day):
        volume = check_quote_and_book(mk, inst, at, volume)
    final = mk.quote(inst, datetime.combine(day, time(23, 0)))
    assert final.volume == tape.summary.volume
    # the daily bar of the day = the aggregate of its tape, whenever it is read
    (bar,) = mk.daily_bars(inst, day, day)
    (late,) = mk.daily_bars(inst, day, day, at=datetime.combine(day, time(23, 59)))
    assert bar == late == mk.closing_bar(inst, day)
    assert (bar.open, bar.high, bar.low, bar.close) == (
        final.open, final.high, final.low, final.close)
    assert (bar.volume, bar.value) == (final.volume, final.value)
    # intraday bars aggregate the trades; the last one closes at the last trade
    at = datetime.combine(day, time(11, 42))
    quote = mk.quote(inst, at)
    bars = mk.intraday_bars(inst, day, 60, at=at, limit=10_000)
    assert sum(b.volume for b in bars) == quote.volume
    assert bars[0].close == quote.price and bars[0].acc_volume == quote.volume
    assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in bars)
    trades = mk.trades(inst, day, until=at)
    assert trades[-1].acc_volume == quote.volume and trades[-1].price == quote.price


# -------------------------------------------------------------------------------- tests
PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(SEEDS, st.sampled_from(CASH), DAYS)
def test_cash_instruments_keep_krx_invariants(seed: int, inst: Instrument, day: date) -> None:
    check_day(market(seed), inst, day)


@PROPS
@given(SEEDS, st.sampled_from(INDICES), DAYS)
def test_indices_keep_their_invariants(seed: int, inst: Instrument, day: date) -> None:
    mk = market(seed)
    check_day(mk, inst, day)
    q = mk.quote(inst, datetime.combine(day, time(13, 6, 35)))
    assert q.trade_time % 1000 == 0 and q.change_code in "235"  # 10-second updates


@PROPS
@given(SEEDS, DAYS, st.integers(0, 4))
def test_derivatives_keep_invariants_and_parity(seed: int, day: date, offset: int) -> None:
    mk = market(seed)
    fut, call, put = contracts(mk, day, offset)
    for inst in (fut, call, put):
        check_day(mk, inst, day)
    theory = mk.theory(call, day)
    c, p = mk.closing_bar(call, day), mk.closing_bar(put, day)
    assert c is not None and p is not None
    ticks = rules.tick_size(call, day, c.close) + rules.tick_size(put, day, p.close)
    gap = c.close - p.close - mk.discount(call, day) * (theory.forward - float(call.strike or 0))
    assert abs(gap) <= ticks + 1e-9
    assert theory.theoretical == c.close
    # futures follow the index with carry; open interest changes only between days
    f_bar = mk.closing_bar(fut, day)
    spot = mk.closing_bar(K200, day)
    assert f_bar is not None and spot is not None
    assert abs(f_bar.close / spot.close - 1) < 0.03
    q1 = mk.quote(fut, datetime.combine(day, time(9, 30)))
    q2 = mk.quote(fut, datetime.combine(day, time(15, 0)))
    prev = mk.open_interest(fut, cal.previous_trading_day(day))
    assert q1.open_interest == q2.open_interest == prev > 0


@settings(max_examples=40, deadline=None)
@given(SEEDS, st.sampled_from([*CASH, K200]), DAYS, st.sampled_from(["W", "M"]))
def test_weekly_and_monthly_bars_agree_with_daily(
    seed: int, inst: Instrument, day: date, cycle: str
) -> None:
    mk = market(seed)
    start = day - timedelta(days=75)
    daily = mk.history(inst, start - timedelta(days=40), day, "D")
    periods = mk.history(inst, start, day, cycle)
    assert periods and periods[0].day == daily[0].day
    key = (lambda d: d.isocalendar()[:2]) if cycle == "W" else (lambda d: (d.year, d.month))
    for bar in periods:
        days = [d for d in daily if key(d.day) == key(bar.day)]
        assert bar.day == days[0].day  # the period's last trading day
        assert bar.open == days[-1].open and bar.close == days[0].close
        assert bar.high == max(d.high for d in days) and bar.low == min(d.low for d in days)
        assert bar.volume == sum(d.volume for d in days)
        assert bar.value == sum(d.value for d in days)
        assert bar.base == days[-1].base
    for newer, older in itertools.pairwise(daily):
        assert newer.base == older.close  # basPrc = previous close


def test_history_is_newest_first_and_includes_todays_running_bar() -> None:
    mk = market(7)
    inst = CASH[0]
    at = datetime(2018, 6, 5, 10, 10)
    rows = mk.history(inst, date(2018, 5, 1), date(2018, 6, 30), "D", at=at, limit=100)
    assert rows[0].day == date(2018, 6, 5) and rows[1].day == date(2018, 6, 4)
    assert all(a.day > b.day for a, b in itertools.pairwise(rows))
    q = mk.quote(inst, at)
    assert (rows[0].close, rows[0].volume, rows[0].high) == (q.price, q.volume, q.high)
    before = mk.history(inst, date(2018, 5, 1), date(2018, 6, 30), at=datetime(2018, 6, 5, 8, 0))
    assert before[0].day == date(2018, 6, 4)
    assert len(mk.history(inst, date(2010, 1, 1), date(2026, 1, 1), "M", limit=100)) == 100


def test_before_the_first_trade_and_on_closed_days() -> None:
    mk = market(11)
    inst = CASH[0]
    q = mk.quote(inst, datetime(2026, 1, 2, 9, 45))  # first day of 2026 opens at 10:00
    prev = mk.closing_bar(inst, date(2025, 12, 30))
    assert prev is not None
    assert q.trade_time == 0 and q.price == q.base == prev.close and q.volume == 0
    assert q.phase == cal.PRE_OPEN_AUCTION and q.bid and q.ask
    holiday = mk.quote(inst, datetime(2026, 1, 1, 11, 0))
    assert holiday.day == date(2025, 12, 30) and holiday.phase == cal.CLOSED
    assert holiday.close == prev.close and holiday.trade_time == cal.SIGNAL_AFTER_HOURS_CLOSED
    early = mk.book(inst, datetime(2026, 1, 2, 7, 0))
    assert early.ask_prices == (0,) * 10 and early.bid_total == 0


def test_session_signals_and_auction_values() -> None:
    mk = market(3)
    inst, day = CASH[0], date(2018, 6, 5)
    assert mk.quote(inst, datetime(2018, 6, 5, 15, 35)).trade_time == 31000000
    assert mk.quote(inst, datetime(2018, 6, 5, 16, 5)).trade_time == 41000000
    assert mk.quote(inst, datetime(2018, 6, 5, 18, 30)).trade_time == 81000000
    tape = mk.tape(inst, cal.day_index(day))
    pre = mk.book(inst, datetime(2018, 6, 5, 8, 50))
    assert pre.expected_price == tape.prices[0] and 0 < pre.expected_volume <= tape.qtys[0]
    mid = mk.book(inst, datetime(2018, 6, 5, 13, 35))
    assert (mid.expected_price, mid.expected_volume) == (tape.prices[0], 0)
    assert mid.expected_acc_volume == tape.qtys[0] and mid.post_close_bid_total == 0
    closing = mk.book(inst, datetime(2018, 6, 5, 15, 25))
    assert closing.expected_price == tape.prices[tape.close_index]
    after = mk.book(inst, datetime(2018, 6, 5, 15, 50))
    assert after.post_close_ask_total > 0
    fut, _, _ = contracts(mk, day, 0)
    assert mk.quote(fut, datetime(2018, 6, 5, 16, 0)).trade_time == 31000000


def test_indices_move_with_their_constituents() -> None:
    mk = market(5)
    days = cal.trading_days(date(2019, 1, 1), date(2020, 12, 31))

    def returns(inst: Instrument) -> list[float]:
        closes = [b.close for b in reversed(mk.daily_bars(inst, days[0], days[-1]))]
        return [b / a - 1 for a, b in itertools.pairwise(closes)]

    def corr(x: list[float], y: list[float]) -> float:
        mx, my = sum(x) / len(x), sum(y) / len(y)
        cov = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
        return cov / (sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y)) ** 0.5

    assert corr(returns(K200), returns(CASH[5])) > 0.8  # the ETF tracks the market
    assert corr(returns(K13), returns(CASH[0])) > 0.4  # Samsung and its industry index
    assert corr(returns(K200), returns(CASH[0])) > 0.3


def test_anchor_price_is_the_close_on_the_anchor_date() -> None:
    for inst in [*CASH, *INDICES]:
        bar = market(99).closing_bar(inst, ANCHOR_DATE)
        assert bar is not None
        scale = rules.price_scale(inst)
        expected = rules.grid_for(inst, ANCHOR_DATE).nearest(inst.anchor_price * scale)
        assert rules.to_units(bar.close, scale) == expected


@settings(max_examples=20, deadline=None)
@given(SEEDS, DAYS)
def test_same_seed_is_byte_identical_and_another_seed_differs(seed: int, day: date) -> None:
    at = datetime.combine(day, time(11, 11, 11))

    def dump(mk: Market) -> str:
        inst = CASH[0]
        fut, call, _ = contracts(mk, day, 1)
        payload = {
            "quotes": [asdict(mk.quote(i, at)) for i in (*CASH, K200, fut, call)],
            "book": asdict(mk.book(inst, at)),
            "history": [asdict(b) for b in mk.history(inst, day - timedelta(days=60), day, "W")],
            "intraday": [asdict(b) for b in mk.intraday_bars(inst, day, 10, at=at)],
            "trades": [asdict(t) for t in mk.trades(inst, day, until=at)],
        }
        return json.dumps(payload, default=str, ensure_ascii=False)

    first = dump(Market(seed, UNIVERSE))
    assert dump(Market(seed, UNIVERSE)) == first
    assert dump(market(seed)) == first  # warm caches answer the same
    other = Market(seed + 1, UNIVERSE)
    start = day - timedelta(days=30)
    mine = [b.close for b in market(seed).daily_bars(CASH[0], start, day)]
    theirs = [b.close for b in other.daily_bars(CASH[0], start, day)]
    assert mine != theirs


def test_print_timings() -> None:
    inst = CASH[0]
    mk = Market(2024, UNIVERSE)
    cal.trading_days(date(2016, 1, 1), date(2016, 1, 5))  # build the calendar once
    t0 = timer.perf_counter()
    rows = mk.daily_bars(inst, date(2016, 1, 1), date(2025, 12, 31))
    cold = timer.perf_counter() - t0
    t0 = timer.perf_counter()
    mk.daily_bars(inst, date(2016, 1, 1), date(2025, 12, 31))
    warm = timer.perf_counter() - t0
    at = datetime(2025, 6, 2, 10, 30)
    t0 = timer.perf_counter()
    mk.quote(inst, at)
    first_quote = timer.perf_counter() - t0
    t0 = timer.perf_counter()
    for _ in range(1000):
        mk.quote(inst, at)
    quote = (timer.perf_counter() - t0) / 1000
    t0 = timer.perf_counter()
    for _ in range(1000):
        mk.book(inst, at)
    book = (timer.perf_counter() - t0) / 1000
    print(f"\n10-year daily history ({len(rows)} bars): cold {cold * 1e3:.1f} ms, "
          f"warm {warm * 1e3:.2f} ms; first quote of a day (builds the tape) "
          f"{first_quote * 1e3:.2f} ms; quote {quote * 1e6:.0f} us; book {book * 1e6:.0f} us")
    assert len(rows) > 2000


def test_a_day_at_the_limits_forces_sides_and_clips_the_book() -> None:
    """The model never needs the limits, but a tape that reaches them must stay coherent."""
    from sandbox.world.market.daily import profile, trade_count
    from sandbox.world.market.snapshot import build_book
    from sandbox.world.market.tape import build_tape

    mk = market(1)
    inst, day = CASH[0], date(2018, 6, 5)
    s = mk.model.summary(inst, cal.day_index(day))
    assert s is not None
    a0, bulk, rem, total, raw = profile(s.grid, s.open, s.upper, s.lower, s.close, s.volume)
    edge = s._replace(high=s.upper, low=s.lower, a0=a0, bulk=bulk, rem=rem, volume=total,
                   value=raw, raw_value=raw, trades=trade_count(total))
    tape = build_tape(1, inst.code, edge, cal.schedule(day))
    check_tape(mk, inst, tape)
    at_upper = [i for i, p in enumerate(tape.prices) if p == s.upper]
    at_lower = [i for i, p in enumerate(tape.prices) if p == s.lower]
    assert at_upper and at_lower
    assert all(tape.sides[i] == 2 for i in at_upper) and all(tape.sides[i] == 1 for i in at_lower)
    book = build_book(1, inst.code, tape, tape.times[at_upper[0]], 10, False)
    assert book.ask_prices[0] == s.upper and book.ask_prices[1:] == (0,) * 9
    assert book.ask_qtys[1:] == (0,) * 9 and book.bid_prices[0] < s.upper
    book = build_book(1, inst.code, tape, tape.times[at_lower[0]], 10, False)
    assert book.bid_prices[0] == s.lower and book.bid_prices[1:] == (0,) * 9


@pytest.mark.parametrize("day", [date(2025, 11, 13), date(2026, 1, 2), date(2017, 11, 23)])
def test_special_days_shift_the_tape(day: date) -> None:
    mk = market(21)
    fut, call, _ = contracts(mk, day, 2)
    for inst in (CASH[0], CASH[3], K200, fut, call):
        check_day(mk, inst, day)
        tape = mk.tape(inst, cal.day_index(day))
        assert tape.times[0] == 10 * cal.CS_HOUR
    assert mk.quote(CASH[0], datetime.combine(day, time(9, 59))).trade_time == 0


def test_expiry_day_ends_at_1520_and_later_days_report_it() -> None:
    mk = market(8)
    expiry = date(2018, 6, 14)
    fut = Instrument("101N6000", None, "F", "F", "future", "kospi200", 300.0, 0.16,
                     underlying="K51", expiry=expiry)
    check_day(mk, fut, expiry)
    tape = mk.tape(fut, cal.day_index(expiry))
    assert cal.hhmmsscc(tape.times[-1]) == 15200000
    after = mk.quote(fut, datetime(2018, 6, 20, 11, 0))
    final = mk.closing_bar(fut, expiry)
    assert final is not None and after.day == expiry and after.price == final.close
    assert mk.daily_bars(fut, date(2018, 6, 1), date(2018, 6, 30))[0].day == expiry
    assert mk.closing_bar(fut, date(2018, 6, 15)) is None


def test_before_listing_shows_the_first_days_pre_open() -> None:
    mk = market(8)
    inst = stock("000004", "kosdaq", 12_000.0, 0.4, list_date=date(2020, 3, 2))
    q = mk.quote(inst, datetime(2019, 12, 2, 11, 0))
    assert q.day == date(2020, 3, 2) and q.trade_time == 0 and q.volume == 0
    assert mk.daily_bars(inst, date(2020, 1, 1), date(2020, 3, 3))[-1].day == date(2020, 3, 2)
    check_day(mk, inst, date(2020, 3, 2))


def test_far_out_of_the_money_options_sit_on_the_minimum_tick() -> None:
    mk = market(8)
    day = date(2021, 3, 3)
    _, call, _put = contracts(mk, day, 2)
    far = Instrument("201R4900", None, "C", "C", "option", "kospi200", 300.0, 0.16,
                     underlying="K51", expiry=call.expiry, strike=900.0, option_type="C")
    deep = Instrument("301R4900", None, "P", "P", "option", "kospi200", 300.0, 0.16,
                      underlying="K51", expiry=call.expiry, strike=900.0, option_type="P")
    for inst in (far, deep):
        check_day(mk, inst, day)
    bar = mk.closing_bar(far, day)
    assert bar is not None and bar.close == 0.01 and bar.low == 0.01
