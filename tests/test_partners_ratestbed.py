"""The RA testbed partner service (partners.md F3): ``partners.ratestbed_algoapi``,
``partners.ratestbed_rateapi``, ``partners.ratestbed_riskapi`` and the PROPOSED
``partners.ratestbed_perfapi``: documented examples, the registry, publication at 12:00 the
next business day, errors, determinism, and property tests of the arithmetic (the rate
identities, the risk formulas recomputed from the published NAVs, drawdown and benchmark)."""

from __future__ import annotations

import itertools
import json
import math
import statistics
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.partners.ratestbed import models, perf
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import load_universe
from sandbox.world.partners import ratestbed as rt
from sandbox.world.partners.ratestbed_series import series
from sandbox.world.world import market_of
from tests.conftest import (
    F0995_KEY,
    assert_covers,
    assert_partner_error,
    example,
    partner_call,
    partner_get,
    set_clock,
)

ALGO = "/v1/ratestbed/algoapi.json"
RATE = "/v1/ratestbed/rateapi.json"
RISK = "/v1/ratestbed/riskapi.json"
PERF = "/v1/ratestbed/perfapi.json"
OPERATIONS = {"partners.ratestbed_algoapi": ALGO, "partners.ratestbed_rateapi": RATE,
              "partners.ratestbed_riskapi": RISK, "partners.ratestbed_perfapi": PERF}
RANGED = (RATE, RISK, PERF)
JUNE = {"algrthSn": "35", "startDate": "20170601", "endDate": "20170610"}
ALGORITHMS = [a.sn for a in rt.registry().algorithms]
EPS = 1e-6


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def near(published: float | None, exact: float, step: float = 0.005) -> bool:
    """A published 2-decimal figure is the exact value rounded (float slack included)."""
    return published is not None and abs(published - exact) <= step + EPS


# ------------------------------------------------------------------------------ examples
@pytest.mark.parametrize("name", ["ratestbed_algoapi", "ratestbed_rateapi", "ratestbed_riskapi",
                                  "ratestbed_perfapi.proposed"])
def test_documented_requests_answer_the_documented_keys(client: FlaskClient, name: str) -> None:
    body = ok(partner_call(client, example(f"partners/{name}.request.json")))
    assert_covers(f"partners/{name}.response.json", body)
    documented = example(f"partners/{name}.response.json")
    assert list(body) == list(documented)  # key order: paramVO after listrate in rateapi
    assert body["paramVO"] == documented["paramVO"]


def test_example_algorithms_look_like_the_documented_ones(client: FlaskClient) -> None:
    listed = {a["algrthSn"]: a for a in ok(partner_get(client, ALGO))["listalgo"]}
    documented = example("partners/ratestbed_algoapi.response.json")["listalgo"]
    for entry in documented:
        assert listed[entry["algrthSn"]] == entry
    rows = ok(partner_get(client, RATE, **JUNE))["listrate"]
    sample = example("partners/ratestbed_rateapi.response.json")["listrate"]
    assert [(r["basicDate"], r["algrthNm"], r["odrSn"], r["invtTyCd"], r["sortOrdr"])
            for r in rows[:3]] == [(r["basicDate"], r["algrthNm"], r["odrSn"], r["invtTyCd"],
                                    r["sortOrdr"]) for r in sample]
    assert all(r["yearProfitRate1"] is None for r in rows)  # younger than a year in 2017-06


# ------------------------------------------------------------------------------ algoapi
def test_algoapi_lists_the_registry_by_number(client: FlaskClient) -> None:
    body = ok(partner_get(client, ALGO))
    assert list(body) == ["paramVO", "listalgo"]
    assert body["paramVO"] == {"siteName": "portal", "targetMethod": "algoapi",
                               "programId": "mainavg"}
    numbers = [a["algrthSn"] for a in body["listalgo"]]
    assert numbers == sorted(numbers) and 20 <= len(numbers) <= 40
    assert {a["hbrdAssetsAt"] for a in body["listalgo"]} == {"00", "99"}
    assert {a["compositionAssetsAt"] for a in body["listalgo"]} == {"1", "2"}
    for algo in rt.registry().algorithms:
        assert algo.accounts and {a.investor_type for a in algo.accounts} <= {"01", "02", "03"}
        assert algo.company.kind in ("증권", "은행", "자문일임", "자산운용", "기술업체")


def test_algoapi_lists_an_algorithm_from_its_inception(client: FlaskClient,
                                                       state: SandboxState) -> None:
    set_clock(state, "2016-06-01T12:00:00")
    assert ok(partner_get(client, ALGO))["listalgo"] == []
    set_clock(state, "2017-01-02T09:00:00")
    assert {a["odrSn"] for a in ok(partner_get(client, ALGO))["listalgo"]} == {1}
    set_clock(state, "2017-04-05T09:00:00")
    listed = {a["algrthSn"] for a in ok(partner_get(client, ALGO))["listalgo"]}
    assert {41, 43, 44, 47, 50} <= listed and 52 not in listed  # 52 starts on 2017-04-06


# ------------------------------------------------------------------------------ rateapi
def test_rateapi_rows_are_business_days_by_type_and_order(client: FlaskClient) -> None:
    rows = ok(partner_get(client, RATE, algrthSn="7", startDate="20170501",
                          endDate="20170612"))["listrate"]
    days = sorted({r["basicDate"] for r in rows})
    expected = [d.strftime("%Y%m%d") for d in cal.trading_days(date(2017, 5, 1),
                                                               date(2017, 6, 12))]
    assert days == expected
    assert "20170509" not in days and "20170606" not in days  # election day, Memorial Day
    keys = [(r["basicDate"], r["invtTyCd"], r["sortOrdr"]) for r in rows]
    assert keys == sorted(keys) and len(rows) == 6 * len(days)  # algorithm 7: 2 per type


def test_rateapi_inception_day_and_first_periods(client: FlaskClient) -> None:
    rows = ok(partner_get(client, RATE, algrthSn="35", startDate="20161001",
                          endDate="20161108"))["listrate"]
    first = rows[:3]
    assert {r["basicDate"] for r in first} == {"20161101"}  # inception (no earlier rows)
    for r in first:
        assert r["standardPrice"] == 1000 and r["fewdayContProfitRate"] == 0
        assert r["dayProfitRate"] == 0 and r["accumProfitRate"] == 0
        assert r["weekProfitRate"] == r["monProfitRate6"] == 0
    for r in rows[3:]:  # younger than a week/month: against the first NAV (1000)
        assert r["weekProfitRate"] == r["monProfitRate1"] == r["accumProfitRate"]
        assert r["yearProfitRate1"] is r["yearProfitRate3"] is None


def test_year_returns_appear_after_a_full_year(client: FlaskClient) -> None:
    rows = ok(partner_get(client, RATE, algrthSn="35", startDate="20171027",
                          endDate="20171103"))["listrate"]
    by_day = {r["basicDate"]: r for r in rows if r["invtTyCd"] == "02"}
    assert by_day["20171031"]["yearProfitRate1"] is None
    assert isinstance(by_day["20171101"]["yearProfitRate1"], (int, float))
    assert by_day["20171101"]["yearProfitRate2"] is None


def test_unknown_algorithm_and_empty_ranges_answer_empty_lists(client: FlaskClient) -> None:
    for path in RANGED:
        body = ok(partner_get(client, path, algrthSn="9999", startDate="20170601",
                              endDate="20170610"))
        assert body[{RATE: "listrate", RISK: "listrisk", PERF: "listperf"}[path]] == []
        assert body["paramVO"]["algrthSn"] == "9999"
    assert ok(partner_get(client, RATE, algrthSn="101", startDate="20200101",
                          endDate="20201231"))["listrate"] == []  # before inception
    assert ok(partner_get(client, RATE, algrthSn="35", startDate="20170603",
                          endDate="20170604"))["listrate"] == []  # a weekend


def test_a_withdrawn_algorithm_stops_but_stays_listed(client: FlaskClient) -> None:
    rows = ok(partner_get(client, RATE, algrthSn="29", startDate="20170901",
                          endDate="20171231"))["listrate"]
    assert max(r["basicDate"] for r in rows) == "20170929"
    assert 29 in {a["algrthSn"] for a in ok(partner_get(client, ALGO))["listalgo"]}


def test_publication_at_noon_of_the_next_business_day(client: FlaskClient,
                                                      state: SandboxState) -> None:
    def last(path: str = RATE) -> str:
        body = ok(partner_get(client, path, algrthSn="35", startDate="20170601",
                              endDate="20170630"))
        rows = body.get("listrate") or body.get("listrisk") or []
        return max(r["basicDate"] for r in rows)

    set_clock(state, "2017-06-12T11:59:59")  # Monday: Friday's NAV not out yet
    assert last() == "20170608" and last(RISK) == "20170608"
    set_clock(state, "2017-06-12T12:00:00")
    assert last() == "20170609"
    set_clock(state, "2017-06-07T13:00:00")  # the day after Memorial Day (06-06)
    assert last() == "20170605"
    body = ok(partner_get(client, PERF, algrthSn="35", startDate="20170601",
                          endDate="20170630"))
    assert {p["lastDate"] for p in body["listperf"]} == {"20170605"}


def test_param_vo_echoes_the_documented_parameters_as_sent(client: FlaskClient) -> None:
    body = ok(partner_get(client, RATE, algrthSn="035", startDate="20170601",
                          endDate="20170602", apikey=F0995_KEY, extra="x"))
    assert body["paramVO"] == {"algrthSn": "035", "startDate": "20170601",
                               "endDate": "20170602", "siteName": "portal",
                               "targetMethod": "rateapi", "programId": "mainavg"}
    assert body["listrate"][0]["algrthNm"] == "RA테스트베드"
    perf_body = ok(partner_get(client, PERF, algrthSn="35", startDate="20170601",
                               endDate="20170602"))
    assert "invtTyCd" not in perf_body["paramVO"] and len(perf_body["listperf"]) == 3


def test_trailing_slash_and_query_key(client: FlaskClient) -> None:
    slash = client.get(RATE + "/", query_string={**JUNE, "apikey": F0995_KEY})
    assert ok(slash) == ok(partner_get(client, RATE, **JUNE))


# ------------------------------------------------------------------------------ riskapi
def test_riskapi_rows_and_windows(client: FlaskClient) -> None:
    body = ok(partner_get(client, RISK, algrthSn="19", startDate="20170102",
                          endDate="20170104"))
    assert list(body) == ["paramVO", "listrisk"]
    rows = body["listrisk"]
    assert len(rows) == 3 * 3 * 6
    keys = [(r["basicDate"], r["invtTyCd"], r["sortOrdr"]) for r in rows]
    assert keys == sorted(keys)
    assert [r["periodSe"] for r in rows[:6]] == [1, 3, 6, 12, 99, 999]
    ytd = [r for r in rows if r["periodSe"] == 99 and r["basicDate"] == "20170102"]
    assert ytd and all(r["standardDeviation"] == r["betaValue"] == r["sharpeRatio"] == 0
                       for r in ytd)  # one return in the year: every indicator 0


def test_riskapi_on_the_inception_day_is_zero(client: FlaskClient) -> None:
    rows = ok(partner_get(client, RISK, algrthSn="35", startDate="20161101",
                          endDate="20161101"))["listrisk"]
    assert len(rows) == 18
    assert all(r[k] == 0 for r in rows for k in ("standardDeviation", "betaValue",
                                                 "sharpeRatio", "jensensAlpha", "inforRate",
                                                 "trackingErr"))


# ------------------------------------------------------------------------------ perfapi
def test_perfapi_filters_and_describes_the_company(client: FlaskClient) -> None:
    body = ok(partner_get(client, PERF, algrthSn="26", startDate="20180102",
                          endDate="20180330", invtTyCd="02"))
    rows = body["listperf"]
    assert [(r["invtTyCd"], r["sortOrdr"]) for r in rows] == [("02", 1), ("02", 2)]
    for r in rows:
        assert r["bmNm"] == "MSCI ACWI(KRW)" and r["hbrdAssetsAt"] == "99"
        assert r["cmpnyNm"] == "푸른별투자증권(가상)" and r["indutySe"] == "증권"
        assert r["firstDate"] == "20180102" and r["lastDate"] == "20180330"
        assert r["dailySeries"][0]["basicDate"] == r["firstDate"]
    assert body["paramVO"]["invtTyCd"] == "02"
    domestic = ok(partner_get(client, PERF, algrthSn="35", startDate="20170601",
                              endDate="20170609"))["listperf"]
    assert {r["bmNm"] for r in domestic} == {"KOSPI200"}
    assert {r["riskFreeRate"] for r in domestic} == {1.38}  # CD 91-day, June 2017


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("path", RANGED)
@pytest.mark.parametrize("missing", ["algrthSn", "startDate", "endDate"])
def test_missing_parameters(client: FlaskClient, path: str, missing: str) -> None:
    query = {k: v for k, v in JUNE.items() if k != missing}
    assert_partner_error(partner_get(client, path, **query), "ratestbed", missing)


@pytest.mark.parametrize("path", RANGED)
@pytest.mark.parametrize(("name", "value"), [
    ("algrthSn", "abc"), ("algrthSn", "-1"), ("algrthSn", ""), ("algrthSn", "3.5"),
    ("startDate", "2017-06-01"), ("startDate", "20171301"), ("startDate", "20170230"),
    ("startDate", "00000101"), ("endDate", "201706"), ("endDate", "２０１７０６１０"),
])
def test_invalid_parameters(client: FlaskClient, path: str, name: str, value: str) -> None:
    assert_partner_error(partner_get(client, path, **{**JUNE, name: value}), "ratestbed", name)


@pytest.mark.parametrize("path", RANGED)
def test_range_order_and_span(client: FlaskClient, path: str) -> None:
    reversed_range = {**JUNE, "startDate": "20170611"}
    assert_partner_error(partner_get(client, path, **reversed_range), "ratestbed", "endDate")
    too_long = {**JUNE, "startDate": "20170101", "endDate": "20200101"}
    assert_partner_error(partner_get(client, path, **too_long), "ratestbed", "endDate")
    ok(partner_get(client, path, **{**JUNE, "startDate": "20170101", "endDate": "20170110"}))
    assert models.parse({**JUNE, "startDate": "20160229", "endDate": "20190227"}).sn == 35


def test_perfapi_investor_type_must_be_known(client: FlaskClient) -> None:
    assert_partner_error(partner_get(client, PERF, **JUNE, invtTyCd="04"), "ratestbed",
                         "invtTyCd")


def test_down_and_timeout_faults(client: FlaskClient) -> None:
    for fault, status in (("down", 503), ("timeout", 408)):
        assert client.post("/_sandbox/partners/ratestbed/faults",
                           json={"fault": fault}).status_code == 200
        assert partner_get(client, RATE, **JUNE).status_code == status
        client.post("/_sandbox/partners/ratestbed/faults", json={"fault": fault, "on": False})
    ok(partner_get(client, RATE, **JUNE))


dates = st.dates(date(2017, 5, 1), date(2017, 8, 31)).map(lambda d: d.strftime("%Y%m%d"))
anything = st.text(max_size=12) | dates | st.sampled_from(["35", "26", "0", "99999999", "01"])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(RANGED), values=st.fixed_dictionaries(
    {}, optional={"algrthSn": anything, "startDate": anything, "endDate": anything,
                  "invtTyCd": anything}))
def test_any_query_answers_200_or_the_partner_error(client: FlaskClient, path: str,
                                                    values: dict[str, str]) -> None:
    response = partner_get(client, path, **values)
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert response.get_json()["category"] == "ratestbed"


# ------------------------------------------------------------------------------ determinism
def test_same_request_same_bytes_and_seed_dependence(client: FlaskClient) -> None:
    for path in OPERATIONS.values():
        query = {} if path == ALGO else JUNE
        assert partner_get(client, path, **query).data == partner_get(client, path,
                                                                      **query).data
    sc = models.scope(35, date(2017, 6, 1), date(2017, 6, 9), date(2017, 6, 30))
    a, b = models.rate_rows(market_of(42), sc), models.rate_rows(market_of(7), sc)
    assert [r["standardPrice"] for r in a] != [r["standardPrice"] for r in b]
    assert models.rate_rows(market_of(42), sc) == a


def test_random_access_equals_a_fresh_series() -> None:
    """A series extended piecemeal equals one computed in one go (the cache never changes a
    value)."""
    algo = rt.algorithm(44)
    assert algo is not None
    market, account = market_of(11), algo.accounts[0]
    n = cal.day_index(date(2018, 3, 2))
    piecemeal = series(market, algo, account, n - 200)
    series(market, algo, account, n)
    from sandbox.world.partners.ratestbed_series import Series

    fresh = Series(market, algo, account)
    fresh.ensure(market, n)
    assert piecemeal.navs[: n - fresh.n0 + 1] == fresh.navs
    assert piecemeal.s_rb[: len(fresh.s_rb)] == fresh.s_rb


# ------------------------------------------------------------------------------ properties
def _algo(sn: int) -> rt.Algorithm:
    algo = rt.algorithm(sn)
    assert algo is not None
    return algo


def _navs(market: Any, algo: rt.Algorithm, account: rt.Account, end: date) -> dict[date, float]:
    """NAV per day of one account, read from rateapi rows since inception."""
    s = series(market, algo, account, cal.index_on_or_before(end))
    return {cal.day_at(n): models.rate_row(s, n)["standardPrice"]
            for n in range(s.n0, cal.index_on_or_before(end) + 1)}


def _nav_on_or_before(navs: dict[date, float], ref: date) -> float:
    return navs[cal.last_trading_day_on_or_before(ref)]


def _bench(market: Any, algo: rt.Algorithm, day: date) -> float:
    """The benchmark's daily % return, from KOSPI 200's closes for domestic algorithms."""
    if algo.assets == rt.OVERSEAS:
        n = cal.day_index(day)
        return rt.benchmark_returns(market, rt.OVERSEAS, n, n)[0]
    bar = market.closing_bar(load_universe().get(rt.KOSPI200), day)
    return (bar.close / bar.base - 1.0) * 100.0


cases = st.tuples(st.integers(0, 5000), st.sampled_from(ALGORITHMS),
                  st.integers(0, 900), st.integers(0, 45))


@settings(max_examples=30, deadline=None)
@given(cases)
def test_rate_identities(case: tuple[int, int, int, int]) -> None:
    seed, sn, offset, length = case
    algo, market = _algo(sn), market_of(seed)
    start = algo.inception + timedelta(days=offset)
    end = start + timedelta(days=length)
    rows = models.rate_rows(market, models.scope(sn, start, end, date(2026, 11, 20)))
    account = algo.accounts[seed % len(algo.accounts)]
    navs = _navs(market, algo, account, end)
    days = sorted(navs)
    for r in rows:
        if (r["invtTyCd"], r["sortOrdr"]) != (account.investor_type, account.order):
            continue
        day = date(int(r["basicDate"][:4]), int(r["basicDate"][4:6]), int(r["basicDate"][6:]))
        nav = r["standardPrice"]
        assert nav == navs[day] and round(nav, 2) == nav
        prev = navs[days[days.index(day) - 1]] if day > algo.inception else 1000.0
        assert near(r["fewdayContProfitRate"], nav - prev)
        assert near(r["dayProfitRate"], (nav / prev - 1) * 100)
        assert near(r["accumProfitRate"], (nav / 1000 - 1) * 100)
        refs = {"weekProfitRate": day - timedelta(days=7)}
        refs |= {f"monProfitRate{m}": rt.minus_months(day, m) for m in (1, 3, 6)}
        for field, ref in refs.items():
            base = _nav_on_or_before(navs, ref) if ref >= algo.inception else 1000.0
            assert near(r[field], (nav / base - 1) * 100), field
        for years in (1, 2, 3):
            ref = rt.minus_months(day, 12 * years)
            value = r[f"yearProfitRate{years}"]
            if ref < algo.inception:
                assert value is None
            else:
                assert near(value, (nav / _nav_on_or_before(navs, ref) - 1) * 100)


def _indicators(r: list[float], b: list[float], rf: list[float]) -> dict[str, float]:
    """The riskapi formulas of partners.md F3 §10, written out with ``statistics``."""
    if len(r) < 2:
        return dict.fromkeys(("standardDeviation", "betaValue", "sharpeRatio", "jensensAlpha",
                              "inforRate", "trackingErr"), 0.0)
    d = [x - y for x, y in zip(r, b, strict=True)]
    sd, te = statistics.stdev(r), statistics.stdev(d)
    var_b = statistics.variance(b)
    beta = statistics.covariance(r, b) / var_b if var_b > 1e-12 else 0.0
    mr, mb, mrf = statistics.fmean(r), statistics.fmean(b), statistics.fmean(rf)
    return {"standardDeviation": sd, "betaValue": beta,
            "sharpeRatio": (mr - mrf) / sd * math.sqrt(250) if sd > 1e-9 else 0.0,
            "jensensAlpha": mr - (mrf + beta * (mb - mrf)),
            "inforRate": statistics.fmean(d) / te * math.sqrt(250) if te > 1e-9 else 0.0,
            "trackingErr": te}


@settings(max_examples=25, deadline=None)
@given(cases)
def test_risk_formulas_recomputed_from_the_published_navs(case: tuple[int, int, int, int]
                                                          ) -> None:
    seed, sn, offset, _ = case
    algo, market = _algo(sn), market_of(seed)
    day = cal.last_trading_day_on_or_before(algo.inception + timedelta(days=offset))
    if day < algo.inception:
        return
    account = algo.accounts[seed % len(algo.accounts)]
    navs = _navs(market, algo, account, day)
    days = sorted(navs)
    returns = {d: (navs[d] / navs[p] - 1) * 100 for p, d in itertools.pairwise(days)}
    bench = {d: _bench(market, algo, d) for d in days[1:]}
    s = series(market, algo, account, cal.day_index(day))
    for row in models.risk_rows_of(s, cal.day_index(day)):
        first = models.window_start(day, row["periodSe"], algo.inception)
        window = [d for d in days[1:] if d >= first]
        r, b = [returns[d] for d in window], [bench[d] for d in window]
        rf = [rt.cd91(d) / 250 for d in window]
        for field, value in _indicators(r, b, rf).items():
            assert near(row[field], value, 0.005 + 1e-7 * max(1.0, abs(value))), (
                row["periodSe"], field, row[field], value)


@settings(max_examples=30, deadline=None)
@given(cases)
def test_perf_drawdown_period_and_benchmark(case: tuple[int, int, int, int]) -> None:
    seed, sn, offset, length = case
    algo, market = _algo(sn), market_of(seed)
    start = algo.inception + timedelta(days=offset)
    sc = models.scope(sn, start, start + timedelta(days=length), date(2026, 11, 20))
    rows = perf.perf_rows(market, sc, None)
    if sc is None:
        assert rows == []
        return
    assert len(rows) == len(algo.accounts)
    for p in rows:
        series_ = p["dailySeries"]
        prices = [d["standardPrice"] for d in series_]
        assert p["endPrice"] == prices[-1] and p["lastDate"] == series_[-1]["basicDate"]
        assert near(p["periodProfitRate"], (p["endPrice"] / p["startPrice"] - 1) * 100)
        assert near(p["accumProfitRate"], (p["endPrice"] / 1000 - 1) * 100)
        assert p["excessProfitRate"] == rt.r2(p["periodProfitRate"] - p["bmProfitRate"])
        # maximum drawdown, recomputed from the daily series
        assert p["maxDrawdown"] <= 0 and p["mddPeakDate"] <= p["mddTroughDate"]
        dates = [d["basicDate"] for d in series_]
        peak, trough = dates.index(p["mddPeakDate"]), dates.index(p["mddTroughDate"])
        worst = min((prices[t] / max(prices[: t + 1]) - 1) * 100 for t in range(len(prices)))
        assert near(p["maxDrawdown"], worst)
        assert near(p["maxDrawdown"], (prices[trough] / prices[peak] - 1) * 100)
        assert prices[peak] == max(prices[: trough + 1])
        if p["maxDrawdown"] < 0:
            assert peak < trough
        # the benchmark over the NAV's interval; volatility from the daily series
        first = cal.day_at(sc.n_first)
        days = cal.trading_days(first, cal.day_at(sc.n_last))
        if first == algo.inception:
            days = days[1:]
        growth = math.prod(1 + _bench(market, algo, d) / 100 for d in days)
        assert near(p["bmProfitRate"], (growth - 1) * 100)
        navs = [p["startPrice"], *prices] if first != algo.inception else prices
        returns = [(y / x - 1) * 100 for x, y in itertools.pairwise(navs)]
        vol = statistics.stdev(returns) * math.sqrt(250) if len(returns) > 1 else 0.0
        assert near(p["annlzVolatility"], vol)


def test_perfapi_agrees_with_rateapi(client: FlaskClient) -> None:
    query = {"algrthSn": "62", "startDate": "20180105", "endDate": "20180320"}
    perfs = ok(partner_get(client, PERF, **query))["listperf"]
    rates = ok(partner_get(client, RATE, **query))["listrate"]
    for p in perfs:
        mine = [r for r in rates if (r["invtTyCd"], r["sortOrdr"]) == (p["invtTyCd"],
                                                                      p["sortOrdr"])]
        assert [(r["basicDate"], r["standardPrice"], r["dayProfitRate"]) for r in mine] == [
            (d["basicDate"], d["standardPrice"], d["dayProfitRate"]) for d in p["dailySeries"]]
        assert p["accumProfitRate"] == mine[-1]["accumProfitRate"]
        before = ok(partner_get(client, RATE, algrthSn="62", startDate="20180104",
                                endDate="20180104"))["listrate"]
        prev = [r for r in before if (r["invtTyCd"], r["sortOrdr"]) == (p["invtTyCd"],
                                                                       p["sortOrdr"])]
        assert p["startPrice"] == prev[0]["standardPrice"]


def test_r2_rounds_half_away_from_zero_and_drops_trailing_zeros() -> None:
    assert rt.r2(0.125) == 0.13 and rt.r2(-0.125) == -0.13 and rt.r2(2.675) == 2.68
    assert json.dumps([rt.r2(1.0), rt.r2(-0.001), rt.r2(10.1)]) == "[1, 0, 10.1]"
