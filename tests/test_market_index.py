"""Indices (index.md I1-I4, I6, I7) and the stocks composite (stocks.md S9) on the default world.

Default clock: Tuesday 2026-11-24 10:00 KST (a business day), seed 42.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.world.market import constituents, index_totals
from sandbox.world.market.calendar import KST
from sandbox.world.market.instruments import load_universe
from tests.conftest import assert_covers, example, market_get, set_clock

INDEX = "/v2/market/index"
PROPS = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])


def ok(client: FlaskClient, path: str, **query: Any) -> dict[str, Any]:
    response = market_get(client, path, **query)
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    body: dict[str, Any] = response.get_json()
    return body


def result(client: FlaskClient, path: str, **query: Any) -> dict[str, Any]:
    found: dict[str, Any] = ok(client, path, **query)["result"]
    return found


def error(client: FlaskClient, path: str, **query: Any) -> str:
    response = market_get(client, path, **query)
    assert response.status_code == 400, (path, response.get_data(as_text=True))
    message: str = response.get_json()["error"]
    return message


def prev_close(row: dict[str, Any]) -> float:
    return round(row["trdPrc"] - row["cmpprevddPrc"], 2)


def sign_code(change: float) -> str:
    return "2" if change > 0 else "5" if change < 0 else "3"


# ------------------------------------------------------------------------- documented examples
def test_closeindex_examples(client: FlaskClient, state: SandboxState) -> None:
    before = market_get(client, f"{INDEX}/kospi/K1/closeindex")
    assert before.status_code == 400
    assert before.get_json() == example("market/index_closeindex.400.response.json")
    set_clock(state, "2026-11-24T15:40:00+09:00")
    body = ok(client, f"{INDEX}/kospi/K1/closeindex")
    assert_covers("market/index_closeindex.response.json", body)
    assert list(body["result"]) == list(example("market/index_closeindex.response.json")["result"])


def test_index_examples(client: FlaskClient) -> None:
    body = ok(client, f"{INDEX}/kospi/K1/index")
    assert_covers("market/index_index.response.json", body)
    assert_covers("market/index_index.sandbox-2018-12.response.json", body)
    assert list(body["result"]) == list(example("market/index_index.response.json")["result"])


def test_prospectindex_examples(client: FlaskClient) -> None:
    body = ok(client, f"{INDEX}/kospi/K1/prospectindex")
    assert_covers("market/index_prospectindex.response.json", body)
    assert_covers("market/index_prospectindex.sandbox-2018-12.response.json", body)
    documented = example("market/index_prospectindex.response.json")["result"]
    assert list(body["result"]) == list(documented)
    assert isinstance(body["result"]["deemTm"], str)


def test_marketcap_examples(client: FlaskClient) -> None:
    body = ok(client, f"{INDEX}/kospi/K1/marketcap")
    assert_covers("market/index_marketcap.response.json", body)
    assert_covers("market/index_marketcap.sandbox-2018-12.response.json", body)
    documented = example("market/index_marketcap.sandbox-2018-12.response.json")["result"]
    assert list(body["result"]) == list(documented)


def test_intraday_examples(client: FlaskClient) -> None:
    body = ok(client, f"{INDEX}/kospi/K1/intraday", inddCycleTpCd="600", strtTm="0900",
              endTm="1530")
    assert_covers("market/index_intraday.response.json", body)
    assert_covers("market/index_intraday.sandbox-2018-12.response.json", body)


def test_history_examples(client: FlaskClient) -> None:
    body = ok(client, f"{INDEX}/kospi/K1/history", trnsmCycleTpCd="D", inqStrtDd="20261101",
              inqEndDd="20261124", reqCnt="20")
    assert_covers("market/index_history.response.json", body)
    assert_covers("market/index_history.sandbox-2018-12.response.json", body)


def test_stocks_index_examples(client: FlaskClient) -> None:
    body = ok(client, "/v2/market/stocks/kospi/index")
    assert_covers("market/stocks_index.response.json", body)
    assert_covers("market/stocks_index.sandbox-2018-12.response.json", body)
    assert list(body["result"]) == list(example("market/stocks_index.response.json")["result"])


# ------------------------------------------------------------------------------ I1 closeindex
def test_closeindex_is_the_final_day_and_the_alias_agrees(client: FlaskClient,
                                                          state: SandboxState) -> None:
    set_clock(state, "2026-11-24T15:45:00+09:00")
    final = result(client, f"{INDEX}/kospi/K1/closeindex")
    assert result(client, f"{INDEX}/kospi/K1/closeprice") == final
    # after the close the composite shows the same final values (README §8.6)
    assert result(client, "/v2/market/stocks/kospi/index") == final
    assert final["lwprc"] <= min(final["opnprc"], final["trdPrc"])
    assert max(final["opnprc"], final["trdPrc"]) <= final["hgprc"]
    assert final["cmpprevddTpCd"] == sign_code(final["cmpprevddPrc"])
    # today's daily history row is the same day
    row = result(client, f"{INDEX}/kospi/K1/history", trnsmCycleTpCd="D", inqStrtDd="20261124",
                 inqEndDd="20261124", reqCnt="1")["hisLists"][0]
    assert row["BzDd"] == 20261124
    assert {k: row[k] for k in ("trdPrc", "opnprc", "hgprc", "lwprc", "accTrdvol", "accTrdval",
                                "cmpprevddPrc")} == \
        {k: final[k] for k in ("trdPrc", "opnprc", "hgprc", "lwprc", "accTrdvol", "accTrdval",
                               "cmpprevddPrc")}


def test_closeindex_on_a_holiday_is_the_last_business_day(client: FlaskClient,
                                                          state: SandboxState) -> None:
    set_clock(state, "2026-11-20T16:00:00+09:00")  # Friday
    friday = result(client, f"{INDEX}/kosdaq/Q1/closeindex")
    set_clock(state, "2026-11-21T11:00:00+09:00")  # Saturday: no 400, Friday's values
    assert result(client, f"{INDEX}/kosdaq/Q1/closeindex") == friday
    set_clock(state, "2026-11-23T15:39:59+09:00")  # Monday before 15:40
    assert error(client, f"{INDEX}/kosdaq/Q1/closeindex") == "당일 종가 제공 시간이 아닙니다."


# --------------------------------------------------------------------------------- I2 index
def test_index_before_the_first_value(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:10:00+09:00")
    now = result(client, f"{INDEX}/kospi/K1/index")
    assert (now["trdTm"], now["accTrdvol"], now["accTrdval"], now["cmpprevddPrc"]) == (0, 0, 0, 0)
    assert now["cmpprevddTpCd"] == "3"


def test_index_after_the_close_reports_the_closing_value(client: FlaskClient,
                                                         state: SandboxState) -> None:
    set_clock(state, "2026-11-24T17:00:00+09:00")
    now = result(client, f"{INDEX}/sector/S50/index")
    assert now["trdTm"] == 15300000
    assert now["isuSrtCd"] == "S50"


@PROPS
@given(offset=st.integers(min_value=0, max_value=6 * 3600 + 20 * 60 - 1))
def test_index_time_is_on_a_10_second_boundary(client: FlaskClient, state: SandboxState,
                                               offset: int) -> None:
    at = datetime(2026, 11, 24, 9, 0, tzinfo=KST) + timedelta(seconds=offset)
    set_clock(state, at.isoformat())
    now = result(client, f"{INDEX}/kospi/K1/index")
    stamp = now["trdTm"]
    assert stamp % 1000 == 0  # HHMMSSmm: seconds a multiple of 10, no hundredths
    assert 9000000 <= stamp <= int(at.strftime("%H%M%S")) * 100
    assert now["cmpprevddTpCd"] == sign_code(now["cmpprevddPrc"])
    composite = result(client, "/v2/market/stocks/kospi/index")
    for key in ("trdPrc", "cmpprevddTpCd", "cmpprevddPrc", "accTrdvol", "accTrdval"):
        assert composite[key] == now[key], key  # S9 = I2 for K1 (README §8.6)


def test_composites_and_the_pre_2017_alias(client: FlaskClient) -> None:
    kosdaq = result(client, "/v2/market/stocks/kosdaq/index")
    assert kosdaq["isuSrtCd"] == "Q1"
    assert result(client, "/v2/market/stocks/kosdaq/closeindex") == kosdaq
    q1 = result(client, f"{INDEX}/kosdaq/Q1/index")
    assert (kosdaq["trdPrc"], kosdaq["accTrdval"]) == (q1["trdPrc"], q1["accTrdval"])
    assert error(client, "/v2/market/stocks/konex/index") == "조회유형이 존재 하지 않습니다"


# -------------------------------------------------------------------------- I3 prospectindex
def test_expected_index_during_the_opening_auction(client: FlaskClient,
                                                   state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:20:00+09:00")  # before the auction: the previous close
    early = result(client, f"{INDEX}/kospi/K51/prospectindex")
    base = prev_close(result(client, f"{INDEX}/kospi/K51/index"))
    assert (early["deemTm"], early["deemAccTrdvol"], early["deemcmpprevddPrc"]) == ("0", 0, 0)
    assert early["deemTrdPrc"] == base
    set_clock(state, "2026-11-24T08:40:05+09:00")
    first = result(client, f"{INDEX}/kospi/K51/prospectindex")
    assert first["deemTm"] == "8400000"
    set_clock(state, "2026-11-24T08:59:59+09:00")
    last = result(client, f"{INDEX}/kospi/K51/prospectindex")
    assert last["deemTm"] == "8595000"
    assert 0 < first["deemAccTrdvol"] < last["deemAccTrdvol"]
    assert first["deemAccTrdval"] < last["deemAccTrdval"]
    assert first["deemTrdPrc"] == last["deemTrdPrc"]
    set_clock(state, "2026-11-24T13:00:00+09:00")  # after the auction: its values stay
    kept = result(client, f"{INDEX}/kospi/K51/prospectindex")
    assert kept == dict(last, deemTm="9000000")
    day = result(client, f"{INDEX}/kospi/K51/history", trnsmCycleTpCd="D", inqStrtDd="20261124",
                 inqEndDd="20261124", reqCnt="1")["hisLists"][0]
    assert kept["deemTrdPrc"] == day["opnprc"]  # the opening match printed the expected value


def test_expected_index_during_the_closing_auction(client: FlaskClient,
                                                   state: SandboxState) -> None:
    set_clock(state, "2026-11-24T15:25:03+09:00")
    auction = result(client, f"{INDEX}/kosdaq/Q1/prospectindex")
    assert auction["deemTm"] == "15250000"
    set_clock(state, "2026-11-24T15:45:00+09:00")
    after = result(client, f"{INDEX}/kosdaq/Q1/prospectindex")
    close = result(client, f"{INDEX}/kosdaq/Q1/closeindex")
    assert after["deemTm"] == "15300000"
    assert auction["deemTrdPrc"] == after["deemTrdPrc"] == close["trdPrc"]
    assert auction["deemAccTrdvol"] < after["deemAccTrdvol"]
    assert after["deemcmpprevddPrc"] == close["cmpprevddPrc"]


@PROPS
@given(day=st.sampled_from([date(2026, 11, 24), date(2026, 11, 22), date(2018, 12, 28)]),
       seconds=st.integers(min_value=0, max_value=24 * 3600 - 1),
       code=st.sampled_from([("kospi", "K1"), ("kosdaq", "Q203"), ("sector", "S300"),
                             ("etc", "E60001")]))
def test_expected_change_is_against_the_previous_close(client: FlaskClient, state: SandboxState,
                                                       day: date, seconds: int,
                                                       code: tuple[str, str]) -> None:
    """index.md I3 invariant: deemTrdPrc - previous close = deemcmpprevddPrc, 1-char code."""
    at = datetime(day.year, day.month, day.day, tzinfo=KST) + timedelta(seconds=seconds)
    set_clock(state, at.isoformat())
    group, index = code
    expected = result(client, f"{INDEX}/{group}/{index}/prospectindex")
    now = result(client, f"{INDEX}/{group}/{index}/index")
    change = expected["deemcmpprevddPrc"]
    assert round(expected["deemTrdPrc"] - prev_close(now), 2) == round(change, 2)
    assert expected["deemcmpprevddTpCd"] == sign_code(change)
    assert expected["deemAccTrdvol"] >= 0 and expected["deemAccTrdval"] >= 0


# ------------------------------------------------------------------------------ I4 marketcap
def test_marketcap_counts_the_listed_constituents(client: FlaskClient,
                                                  state: SandboxState) -> None:
    universe = load_universe()
    members = constituents.of(universe).members("K1", date(2026, 11, 24))
    cap = result(client, f"{INDEX}/kospi/K1/marketcap")
    assert cap["isuCnt"] == len(members)
    assert cap["listShrs"] == round(sum(i.shares for i in members) / 1000)
    now = result(client, f"{INDEX}/kospi/K1/index")
    assert (cap["accTrdvol"], cap["accTrdval"]) == (now["accTrdvol"], now["accTrdval"])
    anchor_cap = sum(i.shares * i.anchor_price for i in members)
    level = universe.get("K1")
    assert level is not None
    assert cap["mktcap"] == round(anchor_cap * now["trdPrc"] / level.anchor_price / 1e6)
    set_clock(state, "2018-12-28T10:00:00+09:00")  # fewer stocks were listed in 2018
    older = result(client, f"{INDEX}/kospi/K1/marketcap")
    assert older["isuCnt"] == len(constituents.of(universe).members("K1", date(2018, 12, 28)))
    assert older["isuCnt"] < cap["isuCnt"]


def test_marketcap_moves_with_the_index(client: FlaskClient, state: SandboxState) -> None:
    ratios = []
    for instant in ("09:30", "11:00", "14:50"):
        set_clock(state, f"2026-11-24T{instant}:00+09:00")
        cap = result(client, f"{INDEX}/kospi/K2/marketcap")
        level = result(client, f"{INDEX}/kospi/K2/index")["trdPrc"]
        ratios.append(cap["mktcap"] / level)
        assert cap["listShrs"] > 0 and cap["isuCnt"] == 100
    assert max(ratios) - min(ratios) < 1e-6 * max(ratios)


@settings(max_examples=30, deadline=None)
@given(code=st.sampled_from([i.code for i in load_universe().indices()]),
       day=st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 31)))
def test_totals_match_the_constituents(code: str, day: date) -> None:
    universe = load_universe()
    inst = universe.get(code)
    assert inst is not None
    members = constituents.of(universe).members(code, day)
    totals = index_totals.of(universe).on(inst, day)
    assert totals.count == len(members)
    assert totals.shares == sum(i.shares for i in members)
    assert totals.mktcap_millions(inst.anchor_price) == \
        round(sum(i.shares * i.anchor_price for i in members) / 1e6)


# --------------------------------------------------------------------- I6 intraday, I7 history
def test_intraday_ends_at_the_current_value(client: FlaskClient) -> None:
    bars = result(client, f"{INDEX}/kospi/K1/intraday", inddCycleTpCd="60", strtTm="0900",
                  endTm="153000")["hisLists"]
    now = result(client, f"{INDEX}/kospi/K1/index")
    assert 0 < len(bars) <= 100
    assert bars[0]["inddClsprc"] == now["trdPrc"]
    assert bars[0]["inddTrdvol"] == now["accTrdvol"]
    assert [int(b["inddTm"]) for b in bars] == sorted((int(b["inddTm"]) for b in bars),
                                                      reverse=True)


def test_history_rows_and_the_running_day(client: FlaskClient) -> None:
    rows = result(client, f"{INDEX}/kospi/K1/history", trnsmCycleTpCd="D", inqStrtDd="20200101",
                  inqEndDd="20261231", reqCnt="500")["hisLists"]
    assert len(rows) == 100  # reqCnt clamped (README §6)
    now = result(client, "/v2/market/stocks/kospi/index")
    assert rows[0]["BzDd"] == 20261124 and rows[0]["trdPrc"] == now["trdPrc"]
    assert rows[0]["accTrdvol"] == now["accTrdvol"]
    for newer, older in pairwise(rows):
        assert newer["BzDd"] > older["BzDd"]
        assert round(newer["trdPrc"] - newer["cmpprevddPrc"], 2) == older["trdPrc"]
    weeks = result(client, f"{INDEX}/kosdaq/Q1/history", trnsmCycleTpCd="W", inqStrtDd="20261001",
                   inqEndDd="20261124", reqCnt="5")["hisLists"]
    assert len(weeks) == 5 and weeks[0]["BzDd"] == 20261124


# ---------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(("path", "query", "message"), [
    (f"{INDEX}/nasdaq/K1/index", {}, "조회유형이 존재 하지 않습니다"),
    (f"{INDEX}/KOSPI/K1/index", {}, "조회유형이 존재 하지 않습니다"),
    (f"{INDEX}/kospi/Q1/index", {}, "종목코드가 존재 하지 않습니다"),
    (f"{INDEX}/kosdaq/K1/marketcap", {}, "종목코드가 존재 하지 않습니다"),
    (f"{INDEX}/sector/K999/prospectindex", {}, "종목코드가 존재 하지 않습니다"),
    (f"{INDEX}/kospi/005930/index", {}, "종목코드가 존재 하지 않습니다"),
    (f"{INDEX}/kospi/K1/history", {"trnsmCycleTpCd": "D", "inqStrtDd": "20261101",
                                   "inqEndDd": "20261124"},
     "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"),
    (f"{INDEX}/kospi/K1/history", {"trnsmCycleTpCd": "Y", "inqStrtDd": "20261101",
                                   "inqEndDd": "20261124", "reqCnt": "5"},
     "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"),
    (f"{INDEX}/kospi/K1/history", {"trnsmCycleTpCd": "D", "inqStrtDd": "20261125",
                                   "inqEndDd": "20261124", "reqCnt": "5"},
     "기간입력이 잘못되었습니다"),
    (f"{INDEX}/kospi/K1/intraday", {"inddCycleTpCd": "30", "strtTm": "0900", "endTm": "1530"},
     "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"),
    (f"{INDEX}/kospi/K1/intraday", {"inddCycleTpCd": "60", "strtTm": "0900"},
     "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"),
    (f"{INDEX}/kospi/K1/intraday", {"inddCycleTpCd": "60", "strtTm": "1500", "endTm": "0900"},
     "기간입력이 잘못되었습니다"),
    (f"{INDEX}/kospi/K1/intraday", {"inddCycleTpCd": "60", "strtTm": "0900", "endTm": "1530",
                                    "inqStrtDd": "20261122"},
     "비영업일 이어서 Data가 없습니다"),
    ("/v2/market/stocks/nasdaq/index", {}, "조회유형이 존재 하지 않습니다"),
])
def test_errors(client: FlaskClient, path: str, query: dict[str, str], message: str) -> None:
    assert error(client, path, **query) == message


def test_the_api_key_is_required(client: FlaskClient) -> None:
    assert client.get(f"{INDEX}/kospi/K1/index").status_code == 401


def test_answers_are_deterministic(client: FlaskClient, state: SandboxState) -> None:
    paths = [f"{INDEX}/kospi/K1/index", f"{INDEX}/etc/E60001/marketcap",
             f"{INDEX}/sector/S50/prospectindex", "/v2/market/stocks/kosdaq/index"]
    first = [result(client, p) for p in paths]
    state.reset()
    index_totals.of(load_universe())._tables.clear()
    assert [result(client, p) for p in paths] == first


def test_every_canonical_path_answers(client: FlaskClient, state: SandboxState) -> None:
    """One call per operation on its documented path (README §5 I1-I4, I6, I7, S9)."""
    set_clock(state, "2026-11-24T16:00:00+09:00")
    calls: list[tuple[str, dict[str, str]]] = [
        ("/v2/market/index/kospi/K1/closeindex", {}),
        ("/v2/market/index/kospi/K1/index", {}),
        ("/v2/market/index/kospi/K1/prospectindex", {}),
        ("/v2/market/index/kospi/K1/marketcap", {}),
        ("/v2/market/index/kospi/K1/intraday", {"inddCycleTpCd": "600", "strtTm": "0900",
                                                "endTm": "1530"}),
        ("/v2/market/index/kospi/K1/history", {"trnsmCycleTpCd": "M", "inqStrtDd": "20260101",
                                               "inqEndDd": "20261124", "reqCnt": "12"}),
        ("/v2/market/stocks/kospi/index", {}),
    ]
    for path, query in calls:
        assert ok(client, path, **query)["result"]["isuSrtCd"] == "K1", path
