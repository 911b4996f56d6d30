"""ETF NAV and PDF (stocks.md S10, S16-S18; ERRATA 26) on the default world."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.world.market import calendar as cal
from sandbox.world.market import constituents, etf
from sandbox.world.market.instruments import is_valid_isin, load_universe
from sandbox.world.world import market_of
from tests.conftest import assert_covers, error, example, market_get, ok, result, set_clock

UNIVERSE = load_universe()
MARKET = market_of(42)
KOSPI = "/v2/market/stocks/kospi"
KODEX200 = f"{KOSPI}/069500"
VIRTUAL = f"{KOSPI}/590003"  # the closenav example's ETF
SAMSUNG = f"{KOSPI}/005930"
ETFS = [i.code for i in UNIVERSE.select("etf", "kospi")]
NOT_YET = {"error": "당일 종가 제공 시간이 아닙니다."}
NO_DATA = {"error": "해당 조회 코드에 자료가 없습니다"}
INPUT_ERROR = {"error": "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"}
BAD_PERIOD = {"error": "기간입력이 잘못되었습니다"}
PROPS = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])








def inst(code: str) -> Any:
    found = UNIVERSE.get(code)
    assert found is not None
    return found


def navs(client: FlaskClient, path: str, start: str, end: str, cycle: str = "D",
         count: str = "100") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = result(client, f"{path}/navhistory", trnsmCycleTpCd=cycle,
                                        inqStrtDd=start, inqEndDd=end, reqCnt=count)["hisLists"]
    return rows


# --------------------------------------------------------------------------- S10 closenav
def test_closenav_before_1600_is_the_400_even_for_a_non_etf(client: FlaskClient,
                                                            state: SandboxState) -> None:
    expected = example("market/stocks_closenav.400.sandbox-2018-12.response.json")
    error(market_get(client, "/v2/market/stocks/kospi/005930/closenav"), expected)  # as captured
    error(market_get(client, f"{VIRTUAL}/closenav"), NOT_YET)
    set_clock(state, "2026-11-24T15:59:59+09:00")
    error(market_get(client, f"{VIRTUAL}/closenav"), NOT_YET)


def test_closenav_after_1600(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T16:00:00+09:00")
    body = ok(market_get(client, f"{VIRTUAL}/closenav"))
    assert_covers("market/stocks_closenav.response.json", body)
    res = body["result"]
    assert res["isuSrtCd"] == "590003"
    assert res["nav"] == etf.nav(MARKET, inst("590003"), date(2026, 11, 24))
    before = etf.nav(MARKET, inst("590003"), date(2026, 11, 23))
    assert res["cmpprevddNav"] == round(res["nav"] - before, 2)
    close = MARKET.closing_bar(inst("590003"), date(2026, 11, 24))
    assert close is not None and abs(close.close / res["nav"] - 1) < etf.PREMIUM_BOUND + 1e-4
    error(market_get(client, f"{SAMSUNG}/closenav"), NO_DATA)  # ERRATA 26: after the time


def test_closenav_on_a_holiday_is_the_last_session(client: FlaskClient,
                                                   state: SandboxState) -> None:
    set_clock(state, "2026-11-29T10:00:00+09:00")  # Sunday
    res = result(client, f"{KODEX200}/closenav")
    assert res["nav"] == etf.nav(MARKET, inst("069500"), date(2026, 11, 27))


# -------------------------------------------------------------------------------- S17 nav
def test_nav_follows_the_price(client: FlaskClient, state: SandboxState) -> None:
    res = result(client, f"{KODEX200}/nav")
    price = result(client, f"{KODEX200}/price")
    assert res["isuSrtCd"] == "069500"
    assert abs(price["trdPrc"] / res["nav"] - 1) < etf.PREMIUM_BOUND + 1e-4
    before = etf.nav(MARKET, inst("069500"), date(2026, 11, 23))
    assert res["cmpprevddNav"] == round(res["nav"] - before, 2)
    set_clock(state, "2026-11-24T16:30:00+09:00")  # after the close: the final NAV
    assert result(client, f"{KODEX200}/nav")["nav"] == result(client, f"{KODEX200}/closenav")["nav"]


def test_nav_before_the_first_trade_is_yesterdays(client: FlaskClient,
                                                  state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:00:00+09:00")
    res = result(client, f"{KODEX200}/nav")
    assert res["nav"] == etf.nav(MARKET, inst("069500"), date(2026, 11, 23))
    assert res["cmpprevddNav"] == 0


def test_nav_errors(client: FlaskClient) -> None:
    error(market_get(client, f"{SAMSUNG}/nav"), NO_DATA)
    error(market_get(client, "/v2/market/stocks/kospi/005930/pdf"), NO_DATA)
    error(market_get(client, "/v2/market/stocks/kospi/005930/navhistory", trnsmCycleTpCd="D",
                     inqStrtDd="20261101", inqEndDd="20261124"), NO_DATA)
    error(market_get(client, "/v2/market/stocks/kosdaq/069500/nav"),
          {"error": "종목코드가 존재 하지 않습니다"})


@settings(max_examples=30, deadline=None)
@given(code=st.sampled_from(ETFS), day=st.dates(date(2019, 1, 1), date(2026, 11, 23)))
def test_final_nav_is_the_close_within_the_premium_bound(code: str, day: date) -> None:
    fund = inst(code)
    if not cal.is_trading_day(day) or (fund.list_date and fund.list_date >= day):
        return
    value = etf.nav(MARKET, fund, day)
    bar = MARKET.closing_bar(fund, day)
    assert bar is not None and value == round(value, 2)
    assert abs(bar.close / value - 1) < etf.PREMIUM_BOUND + 1e-4
    assert etf.nav(MARKET, fund, day) == value  # deterministic


# ------------------------------------------------------------------------- S18 navhistory
def test_navhistory_daily(client: FlaskClient) -> None:
    rows = navs(client, KODEX200, "20261001", "20261130")
    assert [r["trdDd"] for r in rows][:2] == [20261124, 20261123]  # today's running row first
    assert rows[0]["nav"] == result(client, f"{KODEX200}/nav")["nav"]
    bars = result(client, f"{KODEX200}/history", trnsmCycleTpCd="D", inqStrtDd="20261001",
                  inqEndDd="20261130", reqCnt=100)["hisLists"]
    assert [r["trdPrc"] for r in rows] == [b["trdPrc"] for b in bars]
    for newer, older in pairwise(rows):
        assert newer["cmpprevddNav"] == round(newer["nav"] - older["nav"], 2)
    assert len(navs(client, KODEX200, "20200101", "20261130", count="7")) == 7


def test_navhistory_weekly_and_monthly(client: FlaskClient) -> None:
    weekly = navs(client, KODEX200, "20260901", "20261120", cycle="W")
    for newer, older in pairwise(weekly):
        assert newer["cmpprevddNav"] == round(newer["nav"] - older["nav"], 2)
    monthly = navs(client, KODEX200, "20260101", "20261031", cycle="M")
    assert [r["trdDd"] for r in monthly][:2] == [20261030, 20260930]
    assert monthly[0]["nav"] == etf.nav(MARKET, inst("069500"), date(2026, 10, 30))


def test_navhistory_errors(client: FlaskClient) -> None:
    error(market_get(client, f"{KODEX200}/navhistory", trnsmCycleTpCd="Y",
                     inqStrtDd="20261101", inqEndDd="20261124"), INPUT_ERROR)
    error(market_get(client, f"{KODEX200}/navhistory", inqStrtDd="20261101",
                     inqEndDd="20261124"), INPUT_ERROR)
    error(market_get(client, f"{KODEX200}/navhistory", trnsmCycleTpCd="D",
                     inqStrtDd="20261125", inqEndDd="20261124"), BAD_PERIOD)


# -------------------------------------------------------------------------------- S16 pdf
def test_pdf_of_an_index_etf_holds_its_index(client: FlaskClient) -> None:
    body = ok(market_get(client, f"{KODEX200}/pdf"))
    assert_covers("market/stocks_pdf.spec-workbook.response.json", body)
    assert set(body) == {"Cnt", "InqDd", "Lists"}  # bare object
    assert body["InqDd"] == "20261124" and body["Cnt"] == str(len(body["Lists"]))
    rows = body["Lists"]
    cash = rows[-1]
    assert (cash["isuCd"], cash["isuNm"]) == (etf.CASH_ISIN, etf.CASH_NAME)
    reference = date(2026, 11, 23)
    k200 = constituents.of(UNIVERSE).members("K51", reference)
    assert {r["isuCd"] for r in rows[:-1]} == {m.isin for m in k200}
    by_isin = {m.isin: m for m in k200}
    for row in rows[:-1]:
        assert is_valid_isin(row["isuCd"]) and row["Unit"] >= 1
        bar = MARKET.closing_bar(by_isin[row["isuCd"]], reference)
        assert bar is not None and row["SetAmt"] == row["Unit"] * bar.close
        assert row["isuNm"] == by_isin[row["isuCd"]].name
    fund = inst("069500")
    total = etf.creation_unit(fund) * etf.nav(MARKET, fund, reference)
    assert sum(r["SetAmt"] for r in rows) == round(total)  # the basket is one creation unit
    assert 0 < cash["SetAmt"] < 0.02 * total


def test_pdf_baskets_and_batch_time(client: FlaskClient, state: SandboxState) -> None:
    samsung = ok(market_get(client, f"{KOSPI}/102780/pdf"))["Lists"]
    assert all(r["isuNm"].startswith("삼성") for r in samsung[:-1]) and len(samsung) > 5
    for code in ETFS:
        body = ok(market_get(client, f"{KOSPI}/{code}/pdf"))
        assert int(body["Cnt"]) == len(body["Lists"]) >= 2, code
    set_clock(state, "2026-11-24T06:00:00+09:00")
    assert ok(market_get(client, f"{KODEX200}/pdf"))["InqDd"] == "20261123"


@PROPS
@given(code=st.sampled_from(ETFS))
def test_pdf_is_deterministic(client: FlaskClient, code: str) -> None:
    first = ok(market_get(client, f"{KOSPI}/{code}/pdf"))
    assert ok(market_get(client, f"{KOSPI}/{code}/pdf")) == first
    fund = inst(code)
    fresh = etf.pdf(MARKET, UNIVERSE, fund, date(2026, 11, 24))  # uncached: the same basket
    assert [h.amount for h in fresh.holdings] == [r["SetAmt"] for r in first["Lists"]]
    assert datetime.strptime(first["InqDd"], "%Y%m%d").date() == date(2026, 11, 24)
