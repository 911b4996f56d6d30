"""Property tests of Fabotdw over many seeds and dates (hypothesis): the aggregate ratios equal
the sums recomputed from the members' statements, the stock routes are the stock's own
ratios, the desc and quarter formats hold, and the Fabot rank is a permutation whose
``avg_score`` is the mean of the six sub-scores."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from itertools import pairwise
from urllib.parse import quote

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.families.partners.fabotdw import models
from sandbox.world.clock import KST
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import STOCK, Instrument, load_universe
from sandbox.world.market.noise import derive
from sandbox.world.market.prices import Market
from sandbox.world.market.universe import Universe
from sandbox.world.partners import fabot_ratios, fabot_scores, fabot_sectors
from sandbox.world.partners.financials import latest_quarters
from sandbox.world.world import World, WorldSettings, market_of
from tests.conftest import partner_get

UNIVERSE = load_universe()
#: sectors with few members, so that a new seed stays cheap
SMALL = [s for s in fabot_sectors.table() if s.has_members
         and 0 < len(fabot_sectors.members(UNIVERSE, s, date(2026, 1, 5))) <= 40]
EMPTY = [s.code for s in fabot_sectors.table() if not s.has_members]
STOCKS = [i for m in ("kospi", "kosdaq") for i in UNIVERSE.select(STOCK, m)
          if i.list_date is not None and i.list_date.year < 2015]
seeds = st.integers(min_value=0, max_value=2**31 - 1)
days = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))


def _own(market: Market, inst: Instrument, day: date,
         end: date) -> tuple[int, int, int, int] | None:
    """(liabilities, equity, operating profit, revenue) of the member's published quarter
    ending ``end``, found among its latest quarters (independent of the model's lookup)."""
    for p in latest_quarters(market, inst, day, 6):
        if p.end == end:
            return p.total_liabilities, p.total_equity, p.operating_profit, p.revenue
    return None


@settings(max_examples=30, deadline=None)
@given(seed=seeds, day=days, index=st.integers(min_value=0, max_value=len(SMALL) - 1),
       market=st.sampled_from([None, "kospi", "kosdaq"]))
def test_sector_aggregates_are_the_members_sums(seed: int, day: date, index: int,
                                                market: str | None) -> None:
    mkt = market_of(seed)
    members = fabot_sectors.members(UNIVERSE, SMALL[index], day, market)
    sums = fabot_ratios.sums(mkt, members, day)
    ends = [s.end for s in sums]
    assert ends == list(fabot_ratios.aggregate_quarters(day))
    for newer, older in pairwise(ends):  # consecutive calendar quarters
        assert (newer.year * 12 + newer.month) - (older.year * 12 + older.month) == 3
    assert ends[0] <= day
    for s in sums:
        liabilities = equity = profit = revenue = 0
        for inst in members:
            own = _own(mkt, inst, day, s.end)
            if own is None:
                continue
            if own[1] > 0:
                liabilities += own[0]
                equity += own[1]
            profit += own[2]
            revenue += own[3]
        assert s.debt_ratio == (liabilities / equity * 100 if equity else None)
        assert s.operating_margin == (profit / revenue * 100 if revenue else None)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, day=days, inst=st.sampled_from(STOCKS))
def test_stock_routes_are_the_stocks_own_ratios(seed: int, day: date, inst: Instrument) -> None:
    world = World(WorldSettings(seed=seed, clock=f"{day.isoformat()}T12:00:00+09:00", users=0))
    debt = models.stock_debt(world, inst.code)["result"]
    sales = models.stock_sales(world, inst.code)["result"]
    quarters = latest_quarters(world.market, inst, day, 4)
    assert debt["data_length"] == sales["data_length"] == len(quarters) == 4
    for d_row, s_row, p in zip(debt["data"], sales["data"], quarters, strict=True):
        assert d_row["quarter"] == f"{s_row['year']}{s_row['quarter']}" == p.end.strftime("%Y%m")
        assert p.published <= day
        expected = (round(p.total_liabilities / p.total_equity * 100, 2)
                    if p.total_equity > 0 else None)
        assert d_row["debt"] == expected
        assert d_row["desc"] == f"{p.end:%Y/%m} 종목부채율(%)"
        assert s_row["sales"] == round(p.operating_profit / 100_000_000)
        assert s_row["sales_ratio"] == round(p.operating_profit / p.revenue * 100, 2)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, day=days, index=st.integers(min_value=0, max_value=len(SMALL) - 1),
       kind=st.sampled_from([models.DEBT, models.SALES]),
       market=st.sampled_from([None, "kospi", "kosdaq"]),
       empty=st.sampled_from(EMPTY))
def test_desc_and_quarter_formats(seed: int, day: date, index: int, kind: str,
                                  market: str | None, empty: str) -> None:
    world = World(WorldSettings(seed=seed, clock=f"{day.isoformat()}T12:00:00+09:00", users=0))
    entry = SMALL[index]
    body = models.sector_series(world, kind, entry.code, market)["result"]
    members = fabot_sectors.members(UNIVERSE, entry, day, market)
    assert body["data_length"] == len(body["data"]) == (4 if members else 0)
    scope = f"{models.MARKET_LABELS[market]} 시장에" if market else "시장 전체에"
    label = "부채율" if kind == models.DEBT else "영업이익률"
    for row in body["data"]:
        q = row["quarter"]
        assert re.fullmatch(r"20[0-9]{2}(03|06|09|12)", q)
        what = f"{entry.code}({entry.name}) 업종의 {label}(%)"
        assert row["desc"] == f"{q[:4]}/{q[4:]} {scope} {what}"
        assert (row["sector_code"], row["sector_name"]) == (entry.code, entry.name)
        value = row[kind]
        assert value is None or round(value, 2) == value
    assert models.sector_series(world, kind, empty, market)["result"] == {"data_length": 0,
                                                                          "data": []}


def _small_universe(seed: int) -> Universe:
    chosen = sorted(STOCKS, key=lambda i: derive(seed, "fabot-test", i.code))[:30]
    return Universe(instruments=tuple(chosen), products=())


trading_days = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)).map(
    cal.last_trading_day_on_or_before)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, day=trading_days)
def test_rank_is_a_permutation_and_avg_is_the_mean(seed: int, day: date) -> None:
    universe = _small_universe(seed)
    ranking = fabot_scores.ranking(market_of(seed), universe, day)
    n = len(ranking.rows)
    assert n > 0
    assert sorted(ranking.ranks.values()) == list(range(1, n + 1))
    averages = [s.average for s in ranking.rows]
    assert averages == sorted(averages, reverse=True)
    for k, s in enumerate(ranking.rows, 1):
        assert ranking.ranks[s.code] == k
        assert all(0 <= v <= 100 for v in s.values)
        assert all(v == int(v) for v in s.values[1:])  # GAS … VAS are whole numbers
        assert round(s.values[0], 2) == s.values[0]
        assert s.average == round(sum(s.values) / 6, 2)
    again = fabot_scores._ranking(market_of(seed), universe, day)
    assert again.rows == ranking.rows  # deterministic, the cache changes nothing


@settings(max_examples=50, deadline=None)
@given(at=st.datetimes(min_value=datetime(2019, 1, 2), max_value=datetime(2030, 12, 30)))
def test_score_day_is_the_latest_batch(at: datetime) -> None:
    local = at.replace(tzinfo=KST)
    day = fabot_scores.score_day(local)
    assert cal.is_trading_day(day) and day <= local.date()
    if day == local.date():
        assert local.hour >= 18
    else:
        later = [d for d in (day + timedelta(days=k) for k in range(1, 15))
                 if cal.is_trading_day(d) and d <= local.date()]
        assert later in ([], [local.date()]) and (not later or local.hour < 18)


ROUTES = ["sector/{}", "dept/fics/{}", "debt/kospi/fics/{}", "sales/kosdaq/fics/{}", "dept/{}",
          "sales/{}", "portfolio/{}", "fabot_rank/{}/1/3", "fabot_rank/mix_score/{}/2",
          "fabot_rank/mix_score/1/{}"]
segments = st.one_of(st.text(min_size=1, max_size=12), st.from_regex(r"[0-9]{1,12}",
                                                                     fullmatch=True))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), segment=segments)
def test_any_path_segment_never_breaks_the_service(client: FlaskClient, route: str,
                                                   segment: str) -> None:
    response = partner_get(client, "/v1/fabotdw/" + route.format(quote(segment, safe="")))
    assert response.status_code in (200, 400, 404), response.get_data(as_text=True)
    if response.status_code == 400:
        assert response.get_json()["category"] == "fabotdw"
