"""Investor flows, member ranking, short selling, foreign holdings and holidays (stocks.md S7,
S8, S11, S13, S14, S19; index.md I5; futures.md F8; options.md O8) on the default world."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.market import flows
from sandbox.world.market import calendar as cal
from sandbox.world.market import contracts
from sandbox.world.market import flows as wf
from sandbox.world.market.instruments import load_universe
from tests.conftest import SPEC, assert_covers, error, example, market_get, ok, result, set_clock

UNIVERSE = load_universe()
KOSPI = "/v2/market/stocks/kospi"
SAMSUNG = f"{KOSPI}/005930"
KOSDAQ_CODE = UNIVERSE.select("stock", "kosdaq")[0].code
NOT_YET = {"error": "당일 종가 제공 시간이 아닙니다."}
NO_DATA = {"error": "해당 조회 코드에 자료가 없습니다"}
INPUT_ERROR = {"error": "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"}
UNKNOWN_MARKET = {"error": "조회유형이 존재 하지 않습니다"}
UNKNOWN_ISSUE = {"error": "종목코드가 존재 하지 않습니다"}
BAD_PERIOD = {"error": "기간입력이 잘못되었습니다"}
CODES = [f"{n:02d}" for n in range(1, 17)]
PROPS = settings(max_examples=20, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])
ISSUES = ["005930", "000660", "069500", "590003", KOSDAQ_CODE]








def kst(text: str) -> datetime:
    return cal.kst(datetime.fromisoformat(text))


def market_of(code: str) -> str:
    inst = UNIVERSE.get(code)
    assert inst is not None
    return inst.market


def assert_aggregates(rows: list[dict[str, Any]], prefix: str = "", sides: tuple[str, ...] = (
        "AskTrdvol", "AskTrdval", "BidTrdvol", "BidTrdval")) -> dict[str, dict[str, int]]:
    """codes.md §3: 16 rows in code order, 08 = 01+…+07+13, 11 = 14+15, 12 = 08+09+10+11,
    16 = 09, every cell ≥ 0; returns {code: row}."""
    assert [r["invstCd"] for r in rows] == CODES
    by = {r["invstCd"]: r for r in rows}
    for field in sides:
        key = prefix + (field if prefix else field[0].lower() + field[1:])
        cell = {code: by[code][key] for code in CODES}
        assert all(v >= 0 for v in cell.values()), key
        assert cell["08"] == sum(cell[c] for c in ("01", "02", "03", "04", "05", "06", "07", "13"))
        assert cell["11"] == cell["14"] + cell["15"]
        assert cell["12"] == cell["08"] + cell["09"] + cell["10"] + cell["11"]
        assert cell["16"] == cell["09"]
    return by


def leaf_values_follow_volumes(by: dict[str, dict[str, Any]], vol: str, val: str) -> None:
    for row in by.values():
        if row[vol] == 0:
            assert row[val] == 0


# ----------------------------------------------------------------------- S7 issue investors
def test_issue_investors_zero_filled_during_the_session(client: FlaskClient) -> None:
    body = ok(market_get(client, f"{SAMSUNG}/investors"))
    assert_covers("market/stocks_investors.sandbox-2018-12.response.json", body)
    assert body["result"]["invstLists"] == \
        example("market/stocks_investors.sandbox-2018-12.response.json")["result"]["invstLists"]
    assert (body["result"]["isuCd"], body["result"]["isuSrtCd"]) == ("KR7005930003", "005930")


def test_issue_investors_after_1530_split_the_traded_volume(client: FlaskClient,
                                                            state: SandboxState) -> None:
    set_clock(state, "2026-11-24T16:30:00+09:00")
    body = ok(market_get(client, f"{SAMSUNG}/investors"))
    assert_covers("market/stocks_investors.response.json", body)
    by = assert_aggregates(body["result"]["invstLists"])
    price = result(client, f"{SAMSUNG}/price")
    total = by["12"]
    assert total["askTrdvol"] == total["bidTrdvol"] == price["accTrdvol"]
    assert total["askTrdval"] == total["bidTrdval"] == wf.thousand(price["accTrdval"])
    assert by["10"]["bidTrdvol"] > 0 and by["14"]["askTrdvol"] > 0
    leaf_values_follow_volumes(by, "askTrdvol", "askTrdval")
    set_clock(state, "2026-11-24T15:29:59+09:00")
    zeros = result(client, f"{SAMSUNG}/investors")["invstLists"]
    assert all(r["askTrdvol"] == r["bidTrdval"] == 0 for r in zeros)


def test_issue_investors_on_a_holiday_report_the_last_session(client: FlaskClient,
                                                              state: SandboxState) -> None:
    set_clock(state, "2026-11-28T11:00:00+09:00")  # Saturday
    rows = result(client, f"{KOSPI}/069500/investors")["invstLists"]
    by = assert_aggregates(rows)
    final = state.world.market.closing_bar(UNIVERSE.get("069500"), date(2026, 11, 27))  # type: ignore[arg-type]
    assert final is not None and by["12"]["bidTrdvol"] == final.volume
    # liquidity providers (01) dominate ETF trading (own modelling)
    assert by["01"]["bidTrdvol"] + by["01"]["askTrdvol"] > by["11"]["bidTrdvol"]


def test_issue_investors_errors(client: FlaskClient) -> None:
    error(market_get(client, "/v2/market/stocks/nyse/005930/investors"), UNKNOWN_MARKET)
    error(market_get(client, "/v2/market/stocks/kosdaq/005930/investors"), UNKNOWN_ISSUE)


@PROPS
@given(code=st.sampled_from(ISSUES), seconds=st.integers(0, 8 * 3600))
def test_issue_investor_identities_over_issues_and_instants(
        client: FlaskClient, state: SandboxState, code: str, seconds: int) -> None:
    at = datetime(2026, 11, 24, 15, 30) + timedelta(seconds=seconds)
    set_clock(state, at.isoformat())
    path = f"/v2/market/stocks/{market_of(code)}/{code}"
    by = assert_aggregates(result(client, f"{path}/investors")["invstLists"])
    price = result(client, f"{path}/price")
    assert by["12"]["askTrdvol"] == by["12"]["bidTrdvol"] == price["accTrdvol"]
    assert by["12"]["askTrdval"] == wf.thousand(price["accTrdval"])


@settings(max_examples=30, deadline=None)
@given(volume=st.integers(0, 10**10), price=st.integers(1, 10**6),
       profile=st.sampled_from(["kospi", "kosdaq", "konex", "etf", "futures", "options"]),
       key=st.sampled_from(["005930", "K1", "future:kospi200:MktAcc"]), n=st.integers(1, 14000))
def test_investor_split_identities(volume: int, price: int, profile: str, key: str,
                                   n: int) -> None:
    rows = wf.investor_rows(42, key, profile, n, volume, volume * price)
    by = assert_aggregates([{"invstCd": r.code, "askTrdvol": r.ask_volume,
                             "askTrdval": r.ask_value, "bidTrdvol": r.bid_volume,
                             "bidTrdval": r.bid_value} for r in rows])
    assert by["12"]["askTrdvol"] == by["12"]["bidTrdvol"] == volume
    assert by["12"]["askTrdval"] == by["12"]["bidTrdval"] == wf.thousand(volume * price)
    leaf_values_follow_volumes(by, "bidTrdvol", "bidTrdval")
    assert rows == wf.investor_rows(42, key, profile, n, volume, volume * price)


def test_apportion_is_exact_and_respects_zero_weights() -> None:
    assert wf.apportion(10, [1.0, 1.0, 1.0]) == [4, 3, 3]
    assert wf.apportion(7, [0.0, 2.0, 0.0, 1.0]) == [0, 5, 0, 2]
    assert wf.apportion(5, [0.0, 0.0]) == [0, 0]
    assert sum(wf.apportion(123_456_789, [0.3, 1e-6, 0.7, 0.01])) == 123_456_789


# ----------------------------------------------------------------- S8 market-wide investors
def test_market_investors_400_before_1540(client: FlaskClient, state: SandboxState) -> None:
    response = market_get(client, f"{KOSPI}/investors")
    error(response, example("market/stocks_market_investors.400.sandbox-2018-12.response.json"))
    set_clock(state, "2026-11-24T15:39:59+09:00")
    error(market_get(client, f"{KOSPI}/investors"), NOT_YET)
    error(market_get(client, "/v2/market/stocks/konex/investors"), NOT_YET)  # time check first


def test_market_investors_after_1540_are_the_composite_index_flows(
        client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T15:40:00+09:00")
    body = ok(market_get(client, f"{KOSPI}/investors"))
    assert_covers("market/stocks_market_investors.response.json", body)
    res = body["result"]
    k1 = state.world.market.quote(UNIVERSE.get("K1"), kst("2026-11-24T15:40:00"))  # type: ignore[arg-type]
    assert (res["Tm"], res["isuSrtCd"]) == (str(k1.trade_time), "K1")
    assert res["Tm"] == "15300000"
    by = assert_aggregates(res["invstLists"])
    assert by["12"]["askTrdvol"] == by["12"]["bidTrdvol"] == k1.volume * 1000
    assert by["12"]["askTrdval"] == k1.value * 1000
    # the same figures as the K1 index investors at that instant (README §8.6)
    assert result(client, "/v2/market/index/kospi/K1/investors") == res
    kosdaq = result(client, "/v2/market/stocks/kosdaq/investors")
    assert kosdaq["isuSrtCd"] == "Q1"
    error(market_get(client, "/v2/market/stocks/konex/investors"), NO_DATA)
    error(market_get(client, "/v2/market/stocks/nasdaq/investors"), UNKNOWN_MARKET)


def test_market_investors_on_a_holiday(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-12-25T09:00:00+09:00")  # Christmas
    res = result(client, f"{KOSPI}/investors")
    bar = state.world.market.closing_bar(UNIVERSE.get("K1"), date(2026, 12, 24))  # type: ignore[arg-type]
    assert bar is not None
    assert res["invstLists"][11]["bidTrdvol"] == bar.volume * 1000


# ------------------------------------------------------------------------ I5 index investors
def test_index_investors_real_time(client: FlaskClient, state: SandboxState) -> None:
    body = ok(market_get(client, "/v2/market/index/kospi/K1/investors"))
    assert_covers("market/index_investors.response.json", body)
    assert_covers("market/index_investors.sandbox-2018-12.response.json", body)
    res = body["result"]
    assert res["Tm"] == "10000000"  # the index figures of 10:00:00 (10 s steps)
    set_clock(state, "2026-11-24T10:14:37+09:00")
    later = result(client, "/v2/market/index/kospi/K1/investors")
    assert later["Tm"] == "10143000"
    before, after = (assert_aggregates(r["invstLists"]) for r in (res, later))
    assert after["12"]["bidTrdvol"] > before["12"]["bidTrdvol"]
    sector = result(client, "/v2/market/index/sector/S50/investors")
    assert sector["isuSrtCd"] == "S50"
    assert_aggregates(sector["invstLists"])


def test_index_investors_before_the_open_are_zero(client: FlaskClient,
                                                  state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:10:00+09:00")
    res = result(client, "/v2/market/index/kosdaq/Q1/investors")
    assert res["Tm"] == "0"
    assert all(r["askTrdvol"] == r["bidTrdval"] == 0 for r in res["invstLists"])


def test_index_investors_errors(client: FlaskClient) -> None:
    error(market_get(client, "/v2/market/index/kospi/Q1/investors"), UNKNOWN_ISSUE)
    error(market_get(client, "/v2/market/index/nyse/K1/investors"), UNKNOWN_MARKET)


# --------------------------------------------------------------- F8/O8 derivatives investors
def contract_totals(state: SandboxState, kind: str, market: str, at: datetime,
                    option_type: str | None = None) -> tuple[int, int]:
    listed = contracts.listed(state.world.market, UNIVERSE, kind, market, at.date())
    quotes = [state.world.market.quote(c, at) for c in listed
              if option_type is None or c.option_type == option_type]
    return sum(q.volume for q in quotes), sum(q.value for q in quotes)


def test_futures_market_investors(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T10:35:43+09:00")
    body = ok(market_get(client, "/v2/market/futures/kospi200/market/investors"))
    assert_covers("market/futures_market_investors.response.json", body)
    res = body["result"]
    assert res["Tm"] == "10353000"  # the last 30 s refresh
    by = assert_aggregates(res["invstLists"], "MktAcc")
    volume, value = contract_totals(state, "future", "kospi200", kst("2026-11-24T10:35:30"))
    assert by["12"]["MktAccAskTrdvol"] == by["12"]["MktAccBidTrdvol"] == volume > 0
    assert by["12"]["MktAccBidTrdval"] == wf.thousand(value)
    set_clock(state, "2026-11-24T10:35:59+09:00")
    assert result(client, "/v2/market/futures/kospi200/market/investors") == res
    set_clock(state, "2026-11-24T17:00:00+09:00")
    assert result(client, "/v2/market/futures/kospi200/market/investors")["Tm"] == "15450000"


def test_options_market_investors(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T10:41:59+09:00")
    body = ok(market_get(client, "/v2/market/options/kospi200/market/investors"))
    assert_covers("market/options_market_investors.response.json", body)
    res = body["result"]
    assert res["Tm"] == "10413000"
    by = assert_aggregates(res["invstLists"], "CallAcc")
    assert_aggregates(res["invstLists"], "PutAcc")
    at = kst("2026-11-24T10:41:30")
    calls, _ = contract_totals(state, "option", "kospi200", at, "C")
    puts, _ = contract_totals(state, "option", "kospi200", at, "P")
    assert by["12"]["CallAccBidTrdvol"] == calls > 0
    assert by["12"]["PutAccAskTrdvol"] == puts > 0


def test_derivatives_investors_before_the_open_and_errors(client: FlaskClient,
                                                          state: SandboxState) -> None:
    set_clock(state, "2026-11-24T07:00:00+09:00")
    res = result(client, "/v2/market/futures/usd/market/investors")
    assert res["Tm"] == "0"
    assert all(r["MktAccAskTrdvol"] == 0 for r in res["invstLists"])
    error(market_get(client, "/v2/market/options/ktb3/market/investors"), UNKNOWN_MARKET)
    error(market_get(client, "/v2/market/futures/KOSPI200/market/investors"), UNKNOWN_MARKET)


# ------------------------------------------------------------------------ S13 traderanking
def ranks(res: dict[str, Any], side: str) -> list[dict[str, Any]]:
    return [{key: res[f"{side}{key}{r}"] for key in
             ("TrdMbr", "TrdVolMbr", "TrdAmtMbr", "TrdPrcMbr", "TrdWtMbr")} for r in range(1, 6)]


def check_ranking(res: dict[str, Any], price: dict[str, Any]) -> None:
    volume = price["accTrdvol"]
    for side in ("bid", "ask"):
        rows = ranks(res, side)
        assert len({r["TrdMbr"] for r in rows}) == 5
        assert all(r["TrdMbr"] in wf.MEMBERS for r in rows)
        # strictly decreasing while there is volume to rank (a thin day may end in zeros)
        assert all(a["TrdVolMbr"] > b["TrdVolMbr"] or a["TrdVolMbr"] == b["TrdVolMbr"] == 0
                   for a, b in pairwise(rows))
        assert sum(r["TrdVolMbr"] for r in rows) <= volume
        for r in rows:
            if r["TrdVolMbr"] == 0:
                assert r["TrdAmtMbr"] == r["TrdPrcMbr"] == r["TrdWtMbr"] == 0
                continue
            assert r["TrdPrcMbr"] == round(r["TrdAmtMbr"] / r["TrdVolMbr"])
            assert price["lwprc"] <= r["TrdPrcMbr"] <= price["hgprc"]
            assert r["TrdWtMbr"] == round(r["TrdVolMbr"] * 100 / volume, 2)


def test_traderanking_covers_the_examples(client: FlaskClient) -> None:
    body = ok(market_get(client, f"{SAMSUNG}/traderanking"))
    assert_covers("market/stocks_traderanking.response.json", body)
    assert_covers("market/stocks_traderanking.sandbox-2018-12.response.json", body)
    res = body["result"]
    assert res["isuSrtCd"] == "005930*001"
    check_ranking(res, result(client, f"{SAMSUNG}/price"))
    assert res["bidTrdVolMbr5"] > 0 and res["askTrdVolMbr5"] > 0
    alias = market_get(client, "/v2/market/stocks/kospi/005930/traderaking")  # README §5
    assert ok(alias) == body
    error(market_get(client, "/v2/market/stocks/kospi/005935X/traderanking"), UNKNOWN_ISSUE)


@PROPS
@given(code=st.sampled_from(ISSUES), seconds=st.integers(60, 9 * 3600))
def test_traderanking_invariants(client: FlaskClient, state: SandboxState, code: str,
                                 seconds: int) -> None:
    set_clock(state, (datetime(2026, 11, 24, 9, 0) + timedelta(seconds=seconds)).isoformat())
    path = f"/v2/market/stocks/{market_of(code)}/{code}"
    res = result(client, f"{path}/traderanking")
    assert res["isuSrtCd"].startswith(f"{code}*")
    check_ranking(res, result(client, f"{path}/price"))


def test_traderanking_before_the_first_trade(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:00:00+09:00")
    res = result(client, f"/v2/market/stocks/kosdaq/{KOSDAQ_CODE}/traderanking")
    assert res["isuSrtCd"] == f"{KOSDAQ_CODE}*003"
    assert all(res[f"bidTrdVolMbr{r}"] == res[f"askTrdWtMbr{r}"] == 0 for r in range(1, 6))


# --------------------------------------------------------------------------- S11 shortsell
def test_shortsell_covers_the_examples(client: FlaskClient) -> None:
    body = ok(market_get(client, f"{SAMSUNG}/shortsell", inqStrtDd="20261001",
                         inqEndDd="20261231"))
    assert_covers("market/stocks_shortsell.response.json", body)
    assert_covers("market/stocks_shortsell.sandbox-2018-12.response.json", body)
    rows = body["result"]["hisLists"]
    assert rows[0] == {"BzDd": 20261124, "lendBalQty": 0, "lendBalAmt": 0, "srtsellTrdVol": 0,
                       "srtsellTrdAmt": 0}  # today's row before 18:00 (ERRATA 26)
    days = [r["BzDd"] for r in rows]
    assert days == sorted(days, reverse=True) and days[-1] == 20261001
    history = {r["BzDd"]: r for r in result(
        client, f"{SAMSUNG}/history", trnsmCycleTpCd="D", inqStrtDd="20261001",
        inqEndDd="20261123", reqCnt=100)["hisLists"]}
    for row in rows[1:]:
        bar = history[row["BzDd"]]
        assert 0 < row["srtsellTrdVol"] <= bar["accTrdvol"]
        assert bar["lwprc"] * row["srtsellTrdVol"] <= row["srtsellTrdAmt"] \
            <= bar["hgprc"] * row["srtsellTrdVol"]
        assert abs(row["lendBalAmt"] - row["lendBalQty"] * bar["trdPrc"] / 1000) <= 1
    for newer, older in pairwise(rows[1:]):  # a smooth balance: small daily changes
        assert abs(newer["lendBalQty"] - older["lendBalQty"]) < 0.1 * older["lendBalQty"]


def test_shortsell_today_after_1800(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T18:00:00+09:00")
    rows = result(client, f"{SAMSUNG}/shortsell", inqEndDd="20261124")["hisLists"]
    assert len(rows) == 100 and rows[0]["BzDd"] == 20261124  # no start: the 100-row limit
    assert rows[0]["srtsellTrdVol"] > 0 and rows[0]["lendBalQty"] > 0
    for row in rows[:3]:  # the helper the selectable master reads (selective.md items 42-45)
        day = datetime.strptime(str(row["BzDd"]), "%Y%m%d").date()
        sale = flows.short_sale(state.world, UNIVERSE.get("005930"), day)  # type: ignore[arg-type]
        assert (sale.volume, sale.amount, sale.lend_qty, sale.lend_amount) == (
            row["srtsellTrdVol"], row["srtsellTrdAmt"], row["lendBalQty"], row["lendBalAmt"])


def test_shortsell_respects_the_krx_bans(client: FlaskClient) -> None:
    def row(code: str, day: str) -> dict[str, Any]:
        path = f"/v2/market/stocks/{market_of(code)}/{code}/shortsell"
        found: dict[str, Any] = result(client, path, inqStrtDd=day, inqEndDd=day)["hisLists"][0]
        return found

    assert row("005930", "20240115")["srtsellTrdVol"] == 0  # full ban 2023-11-06 .. 2025-03-30
    assert row("069500", "20240115")["srtsellTrdVol"] > 0  # liquidity providers exempt
    assert row("005930", "20220104")["srtsellTrdVol"] > 0  # KOSPI200 allowed 2021-05 .. 2023-11
    assert row(UNIVERSE.select("stock", "kosdaq")[-1].code, "20220104")["srtsellTrdVol"] == 0
    assert row("005930", "20180102")["srtsellTrdVol"] > 0


def test_shortsell_errors(client: FlaskClient) -> None:
    error(market_get(client, "/v2/market/stocks/kospi/999999/shortsell", inqEndDd="20261124"),
          UNKNOWN_ISSUE)
    error(market_get(client, f"{SAMSUNG}/shortsell"), INPUT_ERROR)
    error(market_get(client, f"{SAMSUNG}/shortsell", inqEndDd="2026-11-24"), INPUT_ERROR)
    error(market_get(client, f"{SAMSUNG}/shortsell", inqEndDd="20261341"), INPUT_ERROR)
    error(market_get(client, f"{SAMSUNG}/shortsell", inqStrtDd="20261124",
                     inqEndDd="20261101"), BAD_PERIOD)
    future = result(client, f"{SAMSUNG}/shortsell", inqStrtDd="20261201", inqEndDd="20261231")
    assert future["hisLists"] == []


# ---------------------------------------------------------------------- S14 foreignhistory
def check_holdings(rows: list[dict[str, Any]], shares: int) -> None:
    for newer, older in pairwise(rows):
        assert newer["BzDd"] > older["BzDd"]
        assert newer["FornHdVol"] - older["FornHdVol"] == newer["cmpprevddFornHdVol"]
    for row in rows:
        assert row["FornHdVolRt"] == round(row["FornHdVol"] * 100 / shares, 2)


def test_foreignhistory_covers_the_examples(client: FlaskClient) -> None:
    body = ok(market_get(client, f"{SAMSUNG}/foreignhistory", inqStrtDd="20261001",
                         inqEndDd="20261231", reqCnt="20"))
    assert_covers("market/stocks_foreignhistory.response.json", body)
    assert_covers("market/stocks_foreignhistory.sandbox-2018-12.response.json", body)
    rows = body["result"]["hisLists"]
    assert len(rows) == 20
    today, yesterday = rows[0], rows[1]
    assert today["BzDd"] == 20261124 and yesterday["BzDd"] == 20261123
    assert today["FornHdVol"] == yesterday["FornHdVol"] and today["cmpprevddFornHdVol"] == 0
    samsung = UNIVERSE.get("005930")
    assert samsung is not None
    check_holdings(rows, samsung.shares)
    assert 20 < today["FornHdVolRt"] < 70  # a large cap is much foreign-held


def test_foreignhistory_batch_times(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T06:29:00+09:00")
    early = result(client, f"{SAMSUNG}/foreignhistory", inqStrtDd="20261101",
                   inqEndDd="20261130")["hisLists"]
    assert early[0]["BzDd"] == 20261123  # the previous batch, final
    set_clock(state, "2026-11-25T06:29:00+09:00")
    final = result(client, f"{SAMSUNG}/foreignhistory", inqStrtDd="20261101",
                   inqEndDd="20261130")["hisLists"]
    assert final[0]["BzDd"] == 20261124 and final[0]["cmpprevddFornHdVol"] != 0
    assert final[1:] == early
    assert len(result(client, f"{SAMSUNG}/foreignhistory", inqStrtDd="20250101",
                      inqEndDd="20261130", reqCnt="500")["hisLists"]) == 100


@PROPS
@given(code=st.sampled_from(ISSUES), end=st.dates(date(2005, 1, 1), date(2026, 11, 24)),
       count=st.integers(1, 100))
def test_foreign_holding_identities(client: FlaskClient, code: str, end: date,
                                    count: int) -> None:
    inst = UNIVERSE.get(code)
    assert inst is not None
    rows = result(client, f"/v2/market/stocks/{inst.market}/{code}/foreignhistory",
                  inqStrtDd="20000101", inqEndDd=f"{end:%Y%m%d}", reqCnt=str(count))["hisLists"]
    assert len(rows) <= count
    check_holdings(rows, inst.shares)


def test_foreignhistory_errors(client: FlaskClient) -> None:
    error(market_get(client, f"{SAMSUNG}/foreignhistory", inqEndDd="20261124"), INPUT_ERROR)
    error(market_get(client, f"{SAMSUNG}/foreignhistory", inqStrtDd="20261124",
                     inqEndDd="20261124", reqCnt="ten"), INPUT_ERROR)
    error(market_get(client, f"{SAMSUNG}/foreignhistory", inqStrtDd="20261125",
                     inqEndDd="20261124"), BAD_PERIOD)
    error(market_get(client, "/v2/market/stocks/kospi/999999/foreignhistory",
                     inqStrtDd="20261101", inqEndDd="20261124"), UNKNOWN_ISSUE)


# ----------------------------------------------------------------------------- S19 holiday
def test_holiday_kr_is_the_krx_calendar(client: FlaskClient) -> None:
    body = ok(market_get(client, "/v2/market/stocks/KR/holiday"))
    assert_covers("market/stocks_holiday.spec-workbook.response.json", body)
    assert set(body) == {"Cnt", "Lists"}  # bare object (README §3.1)
    days = [datetime.strptime(d, "%Y%m%d").date() for d in body["Lists"]]
    assert body["Cnt"] == str(len(days))
    assert days == sorted(days) and date(2026, 11, 24) <= days[0] and days[-1] < date(2027, 11, 24)
    expected = [d for d in (date(2026, 11, 24) + timedelta(n) for n in range(365))
                if d.weekday() < 5 and not cal.is_trading_day(d)]
    assert days == expected
    assert {date(2026, 12, 25), date(2026, 12, 31), date(2027, 1, 1)} <= set(days)


def test_holiday_other_nations(client: FlaskClient) -> None:
    us = result_bare(client, "/v2/market/stocks/US/holiday")
    assert "20261126" in us["Lists"] and "20261225" in us["Lists"]  # NYSE Thanksgiving
    for nation in flows.NATIONS:
        body = result_bare(client, f"/v2/market/stocks/{nation}/holiday")
        assert all(datetime.strptime(d, "%Y%m%d").weekday() < 5 for d in body["Lists"])
        assert int(body["Cnt"]) == len(body["Lists"]) > 0, nation
    error(market_get(client, "/v2/market/stocks/XX/holiday"), UNKNOWN_MARKET)
    error(market_get(client, "/v2/market/stocks/kr/holiday"), UNKNOWN_MARKET)


def result_bare(client: FlaskClient, path: str) -> Any:
    return ok(market_get(client, path))


def test_holiday_nations_are_the_code_table() -> None:
    table = SPEC / "market" / "codes" / "nations.json"
    if not table.is_file():
        pytest.skip("../shared/spec is absent")
    codes = {row["code"] for row in json.loads(table.read_text(encoding="utf-8"))["codes"]}
    assert codes == set(flows.NATIONS)
