"""Futures and options REST (futures.md F1-F7, options.md O1-O7) on the default world.

Default clock: 2026-11-24 10:00 KST (a Tuesday). The KOSPI200 front contract is December 2026
(1016C000, last trading day 2026-12-10); contract codes are read from the lists where the test
is not about one specific contract.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.market import derivatives
from sandbox.world.market import calendar as cal
from sandbox.world.market import contracts
from sandbox.world.market.bars import Bar
from tests.conftest import assert_covers, example, market_get, set_clock

FUT = "/v2/market/futures"
OPT = "/v2/market/options"
FRONT = "1016C000"  # KOSPI200 futures 2612, front on the default clock
DAILY = {"trnsmCycleTpCd": "D", "inqStrtDd": "20260101", "inqEndDd": "20261231"}
NOT_PUBLISHED = {"error": "당일 종가 제공 시간이 아닙니다."}
UNKNOWN_MARKET = {"error": "조회유형이 존재 하지 않습니다"}
UNKNOWN_ISSUE = {"error": "종목코드가 존재 하지 않습니다"}
INPUT_ERROR = {"error": "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"}


def ok(client: FlaskClient, path: str, **query: Any) -> Any:
    response = market_get(client, path, **query)
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    return response.get_json()


def result(client: FlaskClient, path: str, **query: Any) -> dict[str, Any]:
    body = ok(client, path, **query)
    assert body["jsonrpc"] == "2.0"
    return body["result"]  # type: ignore[no-any-return]


def error(client: FlaskClient, path: str, **query: Any) -> Any:
    response = market_get(client, path, **query)
    assert response.status_code == 400, response.get_data(as_text=True)
    return response.get_json()


def option_pair(client: FlaskClient, market: str = "kospi200") -> tuple[str, str]:
    """A call and the put of the same month and strike, at the money, from the lists."""
    rows = ok(client, f"{OPT}/{market}/lists")["isuLists"]
    codes = [row["isuSrtCd"] for row in rows]
    month = [code for code in codes if code[:5] == codes[0][:5]]  # the first month's calls
    call = month[len(month) // 2]
    put = "3" + call[1:]
    assert call.startswith("2") and put in codes
    return call, put


def on_grid(value: float, tick: float) -> bool:
    return abs(value / tick - round(value / tick)) < 1e-6


DOCUMENTED_PATHS = [  # literal, as the manual writes them (contract test: one test per path)
    ("/v2/market/futures/kospi200/lists", {}),
    ("/v2/market/futures/kospi200/1016C000/master", {}),
    ("/v2/market/futures/kospi200/1016C000/closeprice", {}),
    ("/v2/market/futures/kospi200/1016C000/price", {}),
    ("/v2/market/futures/kospi200/1016C000/orderbook", {}),
    ("/v2/market/futures/kospi200/1016C000/intraday",
     {"inddCycleTpCd": "60", "strtTm": "090000", "endTm": "100000"}),
    ("/v2/market/futures/kospi200/1016C000/history", {"trnsmCycleTpCd": "W", **DAILY}),
    ("/v2/market/options/kospi200/lists", {}),
    ("/v2/market/options/kospi200/2016C412/master", {}),
    ("/v2/market/options/kospi200/2016C412/closeprice", {}),
    ("/v2/market/options/kospi200/2016C412/price", {}),
    ("/v2/market/options/kospi200/2016C412/orderbook", {}),
    ("/v2/market/options/kospi200/2016C412/intraday",
     {"inddCycleTpCd": "10", "strtTm": "0930", "endTm": "0940"}),
    ("/v2/market/options/kospi200/2016C412/history",
     {**DAILY, "trnsmCycleTpCd": "M", "reqCnt": "12"}),
]


@pytest.mark.parametrize(("path", "query"), DOCUMENTED_PATHS)
def test_every_endpoint_answers(client: FlaskClient, state: SandboxState, path: str,
                                query: dict[str, str]) -> None:
    set_clock(state, "2026-11-24T16:00:00+09:00")  # after every publication time
    body = ok(client, path, **query)
    if path.endswith("/lists"):
        assert body["trdDd"] == "20261124" and body["isuLists"]
    else:
        assert body["result"]["isuSrtCd"].split("*")[0] == path.split("/")[5]


# ------------------------------------------------------------------------------ documented examples
def test_futures_lists_cover_the_example_with_the_continuous_row(client: FlaskClient) -> None:
    body = ok(client, f"{FUT}/mini_kospi200/lists")
    assert_covers("market/futures_lists.response.json", body)
    assert (body["trdDd"], body["mktEndTm"]) == ("20261124", "1550")
    rows = body["isuLists"]
    continuous = [row for row in rows if row["isuSrtCd"] == "M2FA001"]
    assert len(continuous) == 1 and continuous[0]["map_to"] == "M2FA001"
    front = rows[0]  # contracts come nearest first
    assert continuous[0]["isuCd"] == front["isuCd"]
    assert continuous[0]["isuKorNm"] == front["isuKorNm"]
    assert all(row["map_to"] == f"{row['isuSrtCd']}*103" for row in rows[:-1])
    assert front["isuKorNm"].startswith("MINI KOSPI200 선물 ")


def test_futures_master_covers_the_example(client: FlaskClient) -> None:
    body = ok(client, f"{FUT}/kospi200/{FRONT}/master")
    assert_covers("market/futures_master.response.json", body)
    master = body["result"]
    assert master["BzDd"] == 20261124 and master["isuSrtCd"] == FRONT
    assert master["setlmult"] == 250000 and master["ulyId"] == "KOSPI200"
    assert master["opnintLmtQty"] is None
    assert master["setlTheoPrc"] is None and master["basTheoPrc"] is None
    assert (master["lsttrdDd"], master["expDd"]) == (20261210, 202612)
    assert master["isuKorNm"] == "KOSPI200 선물 2612" and master["isuKorAbbrv"] == "K200 선물 2612"


def test_options_lists_and_master_cover_the_examples(client: FlaskClient) -> None:
    body = ok(client, f"{OPT}/kospi200/lists")
    assert_covers("market/options_lists.response.json", body)
    call, _ = option_pair(client)
    master = ok(client, f"{OPT}/kospi200/{call}/master")
    assert_covers("market/options_master.response.json", master)
    result = master["result"]
    assert "opnintLmtQty" not in result
    assert isinstance(result["basTheoPrc"], float) and isinstance(result["setlTheoPrc"], float)
    assert result["exerPrc"] > 0 and 0 < result["impVolt"] < 200


def test_closeprice_covers_the_examples_after_15_50(client: FlaskClient,
                                                    state: SandboxState) -> None:
    call, _ = option_pair(client)
    assert error(client, f"{FUT}/kospi200/{FRONT}/closeprice") == NOT_PUBLISHED
    assert error(client, f"{OPT}/kospi200/{call}/closeprice") == NOT_PUBLISHED
    assert example("market/futures_closeprice.400.response.json") == NOT_PUBLISHED
    assert example("market/options_closeprice.400.response.json") == NOT_PUBLISHED
    set_clock(state, "2026-11-24T15:50:00+09:00")
    futures = ok(client, f"{FUT}/kospi200/{FRONT}/closeprice")
    assert_covers("market/futures_closeprice.response.json", futures)
    options = ok(client, f"{OPT}/kospi200/{call}/closeprice")
    assert_covers("market/options_closeprice.response.json", options)
    # the final values: the same as today's history row
    row = result(client, f"{FUT}/kospi200/{FRONT}/history", **DAILY, reqCnt="1")["hisLists"][0]
    close = futures["result"]
    assert row["BzDd"] == 20261124
    for key in ("trdPrc", "opnprc", "hgprc", "lwprc", "accTrdvol", "accTrdval", "cmpprevddPrc",
                "cmpprevddTpCd"):
        assert close[key] == row[key], key


def test_price_covers_the_examples(client: FlaskClient) -> None:
    futures = ok(client, f"{FUT}/kospi200/{FRONT}/price")
    assert_covers("market/futures_price.response.json", futures)
    call, _ = option_pair(client)
    options = ok(client, f"{OPT}/kospi200/{call}/price")
    assert_covers("market/options_price.response.json", options)
    result = options["result"]
    assert result["isuSrtCd"] == f"{call}*006"
    assert result["isuCd"].startswith("KR4" + call)
    assert "fstmmAgndaContrtPrc" not in result and "cmpprevddTpCd" not in result


def test_orderbook_covers_the_examples(client: FlaskClient) -> None:
    assert_covers("market/futures_orderbook.response.json",
                  ok(client, f"{FUT}/kospi200/{FRONT}/orderbook"))
    call, _ = option_pair(client)
    assert_covers("market/options_orderbook.response.json",
                  ok(client, f"{OPT}/kospi200/{call}/orderbook"))


def test_intraday_and_history_cover_the_examples(client: FlaskClient) -> None:
    intraday = ok(client, f"{FUT}/kospi200/{FRONT}/intraday", inddCycleTpCd="600",
                  strtTm="090000", endTm="153000")
    assert_covers("market/futures_intraday.response.json", intraday)
    bars = intraday["result"]["hisLists"]
    assert [b["inddTm"] for b in bars[-3:]] == ["9300000", "9200000", "9100000"]
    assert_covers("market/futures_history.response.json",
                  ok(client, f"{FUT}/kospi200/{FRONT}/history", **DAILY))
    call, _ = option_pair(client)
    history = ok(client, f"{OPT}/kospi200/{call}/history", **DAILY, reqCnt="5")
    assert_covers("market/options_history.response.json", history)
    assert len(history["result"]["hisLists"]) == 5
    # options intraday: no example anywhere (options.md O6); the futures shape
    options = ok(client, f"{OPT}/kospi200/{call}/intraday", inddCycleTpCd="60",
                 strtTm="0900", endTm="1000")
    assert_covers("market/futures_intraday.response.json", options)
    assert options["result"]["isuSrtCd"] == call


# --------------------------------------------------------------------------------------- invariants
def test_futures_limits_are_nested_on_the_grid_and_match_the_price(client: FlaskClient) -> None:
    master = result(client, f"{FUT}/kospi200/{FRONT}/master")
    base = master["basPrc"]
    ups = [master[f"prcLmtStep{k}Uplmtprc"] for k in (1, 2, 3)]
    lows = [master[f"prcLmtStep{k}Lwlmtprc"] for k in (1, 2, 3)]
    assert lows[2] < lows[1] < lows[0] < base < ups[0] < ups[1] < ups[2]
    for value, pct in zip(ups, (8, 15, 20), strict=True):
        assert on_grid(value, 0.05) and 0 <= base * (1 + pct / 100) - value < 0.05
    for value, pct in zip(lows, (8, 15, 20), strict=True):
        assert on_grid(value, 0.05) and 0 <= value - base * (1 - pct / 100) < 0.05
    assert master["prevddClsprc"] == base  # no corporate actions on index futures
    price = result(client, f"{FUT}/kospi200/{FRONT}/price")
    assert (price["realtmUplmtprc"], price["realtmLwlmtprc"]) == (ups[0], lows[0])
    assert lows[0] <= price["lwprc"] <= price["trdPrc"] <= price["hgprc"] <= ups[0]


def test_option_limits_follow_the_underlying(client: FlaskClient, state: SandboxState) -> None:
    """options.md Q4 with delta taken as 1 (rules.py): ±8/15/20% of the underlying's base,
    lower limits floored at the minimum tick; master, price and the model agree."""
    call, put = option_pair(client)
    for code in (call, put):
        master = result(client, f"{OPT}/kospi200/{code}/master")
        base = master["basPrc"]
        underlying = state.world.market.theory(
            state.world.universe.get(code), date(2026, 11, 23)).underlying  # type: ignore[arg-type]
        for k, pct in ((1, 8), (2, 15), (3, 20)):
            up, low = master[f"prcLmtStep{k}Uplmtprc"], master[f"prcLmtStep{k}Lwlmtprc"]
            assert abs(up - (base + underlying * pct / 100)) <= 0.05 + 1e-9
            floor = base - underlying * pct / 100
            assert low == 0.01 if floor < 0.01 else abs(low - floor) <= 0.05 + 1e-9
        price = result(client, f"{OPT}/kospi200/{code}/price")
        assert price["realtmUplmtprc"] == master["prcLmtStep1Uplmtprc"]
        assert price["realtmLwlmtprc"] == master["prcLmtStep1Lwlmtprc"]


def test_master_dates_remaining_days_and_previous_day(client: FlaskClient) -> None:
    master = result(client, f"{FUT}/kospi200/{FRONT}/master")

    def day(value: int) -> date:
        return datetime.strptime(str(value), "%Y%m%d").date()

    assert master["remainDys"] == (day(master["lsttrdDd"]) - day(master["BzDd"])).days + 1 == 17
    assert master["listDd"] < master["inlistLwstprcDd"] <= 20261123
    assert master["inlistLwstprc"] <= master["midyyLwstprc"] <= master["prevddLwprc"]
    assert master["inlistHgstprc"] >= master["midyyHgstprc"] >= master["prevddHgprc"]
    assert str(master["midyyHgstprcDd"]).startswith("2026")
    yesterday = result(client, f"{FUT}/kospi200/{FRONT}/history", trnsmCycleTpCd="D",
                       inqStrtDd="20261123", inqEndDd="20261123")["hisLists"][0]
    assert (master["prevddClsprc"], master["prevddOpnprc"], master["prevddHgprc"],
            master["prevddLwprc"], master["prevddAccTrdvol"], master["prevddAccTrdval"],
            master["prevddOpnintQty"]) == (
        yesterday["trdPrc"], yesterday["opnprc"], yesterday["hgprc"], yesterday["lwprc"],
        yesterday["accTrdvol"], yesterday["accTrdval"], yesterday["opnintQty"])
    assert 0.5 < master["cdInt"] < 4 and abs(master["setlPrcTheoPrcDivrgRt"]) < 1


def test_put_call_parity_across_the_masters(client: FlaskClient, state: SandboxState) -> None:
    call, put = option_pair(client)
    c = result(client, f"{OPT}/kospi200/{call}/master")
    p = result(client, f"{OPT}/kospi200/{put}/master")
    assert c["exerPrc"] == p["exerPrc"] and c["remainDys"] == p["remainDys"]
    assert c["cdInt"] == p["cdInt"] and c["impVolt"] == p["impVolt"]  # one surface per strike
    theory = state.world.market.theory(state.world.universe.get(call),  # type: ignore[arg-type]
                                       date(2026, 11, 23))
    tau = theory.days_left / 365
    parity = math.exp(-c["cdInt"] / 100 * tau) * (theory.forward - c["exerPrc"])
    assert abs(c["basTheoPrc"] - p["basTheoPrc"] - parity) < 0.1  # premiums are on the tick grid


def test_value_is_price_times_multiplier_times_quantity(client: FlaskClient,
                                                        state: SandboxState) -> None:
    call, _ = option_pair(client)
    at = datetime(2026, 11, 24, 10, 0)
    for path, code in ((FUT, FRONT), (OPT, call)):
        price = result(client, f"{path}/kospi200/{code}/price")
        inst = state.world.universe.get(code)
        assert inst is not None
        trades = state.world.market.trades(inst, date(2026, 11, 24), until=at)
        assert sum(t.qty for t in trades) == price["accTrdvol"]
        expected = sum(t.price * t.qty for t in trades) * 250_000
        assert abs(price["accTrdval"] - expected) <= 1
        assert price["lwprc"] <= price["accTrdval"] / price["accTrdvol"] / 250_000 \
            <= price["hgprc"]


def test_orderbook_levels_counts_and_totals(client: FlaskClient) -> None:
    call, _ = option_pair(client)
    for path, code in ((FUT, FRONT), (OPT, call)):
        book = result(client, f"{path}/kospi200/{code}/orderbook")
        asks = [book[f"askStep{n}BstordPrc"] for n in range(1, 6)]
        bids = [book[f"bidStep{n}BstordPrc"] for n in range(1, 6)]
        assert asks == sorted(asks) and len(set(asks)) == 5
        assert bids == sorted(bids, reverse=True) and len(set(bids)) == 5
        assert bids[0] < asks[0]
        for side in ("ask", "bid"):
            qtys = [book[f"{side}Step{n}BstordRqty"] for n in range(1, 6)]
            counts = [book[f"{side}Step{n}BstordCnt"] for n in range(1, 6)]
            assert all(0 < c <= q for c, q in zip(counts, qtys, strict=True))
            assert book[f"{side}TotOrdRqty"] >= sum(qtys)
            assert book[f"{side}ValidOrdCnt"] >= sum(counts)
        assert book["ordAcptTm"] == 10000000
        price = result(client, f"{path}/kospi200/{code}/price")
        assert price["trdPrc"] in (asks[0], bids[0])


def test_continuous_code_resolves_to_the_front_and_echoes(client: FlaskClient) -> None:
    by_code = result(client, f"{FUT}/kospi200/{FRONT}/price")
    for alias in ("K2FA001", "k2fa001", "KR41016C0003"):
        assert result(client, f"{FUT}/kospi200/{alias}/price") == by_code
        assert result(client, f"{FUT}/kospi200/{alias}/orderbook")["isuSrtCd"] == FRONT
        assert result(client, f"{FUT}/kospi200/{alias}/master")["isuSrtCd"] == FRONT
    intraday = result(client, f"{FUT}/kospi200/K2FA001/intraday", inddCycleTpCd="60",
                      strtTm="0900", endTm="1000")
    assert intraday["isuSrtCd"] == "K2FA001"
    direct = result(client, f"{FUT}/kospi200/{FRONT}/intraday", inddCycleTpCd="60",
                    strtTm="0900", endTm="1000")
    assert intraday["hisLists"] == direct["hisLists"]
    history = result(client, f"{FUT}/kospi200/K2FA001/history", **DAILY, reqCnt="3")
    assert history["isuSrtCd"] == "K2FA001"
    assert history["hisLists"][0]["trdPrc"] == by_code["trdPrc"]  # today's running row


def test_continuous_history_chains_the_front_contracts(client: FlaskClient) -> None:
    """Across the 2026-09-10 expiry the rows switch from 10169000 to 1016C000 (futures.md F7)."""
    window = {"trnsmCycleTpCd": "D", "inqStrtDd": "20260907", "inqEndDd": "20260915"}
    chained = result(client, f"{FUT}/kospi200/K2FA001/history", **window)["hisLists"]
    old = {r["BzDd"]: r for r in result(client, f"{FUT}/kospi200/10169000/history",
                                        **window)["hisLists"]}
    new = {r["BzDd"]: r for r in result(client, f"{FUT}/kospi200/{FRONT}/history",
                                        **window)["hisLists"]}
    assert [r["BzDd"] for r in chained] == sorted(new, reverse=True)
    for row in chained:
        assert row == (old[row["BzDd"]] if row["BzDd"] <= 20260910 else new[row["BzDd"]])
    monthly = result(client, f"{FUT}/kospi200/K2FA001/history", trnsmCycleTpCd="M",
                     inqStrtDd="20260901", inqEndDd="20260930")["hisLists"]
    daily = result(client, f"{FUT}/kospi200/K2FA001/history", trnsmCycleTpCd="D",
                   inqStrtDd="20260901", inqEndDd="20260930")["hisLists"]
    assert len(monthly) == 1 and monthly[0]["BzDd"] == daily[0]["BzDd"] == 20260930
    assert monthly[0]["accTrdvol"] == sum(r["accTrdvol"] for r in daily)
    assert monthly[0]["hgprc"] == max(r["hgprc"] for r in daily)
    assert monthly[0]["opnprc"] == daily[-1]["opnprc"]
    assert monthly[0]["trdPrc"] == daily[0]["trdPrc"]
    assert monthly[0]["cmpprevddTpCd"] in ("2", "3", "5")
    weekly = result(client, f"{FUT}/kospi200/K2FA001/history", trnsmCycleTpCd="W",
                    inqStrtDd="20260101", inqEndDd="20261231", reqCnt="7")["hisLists"]
    assert len(weekly) == 7 and weekly[0]["BzDd"] == 20261124


def test_lists_follow_the_batch_and_the_roll(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T06:29:00+09:00")
    assert ok(client, f"{FUT}/kospi200/lists")["trdDd"] == "20261123"
    assert result(client, f"{FUT}/kospi200/{FRONT}/master")["BzDd"] == 20261123
    set_clock(state, "2026-12-11T09:00:00+09:00")  # the day after the 2612 expiry
    rows = ok(client, f"{FUT}/kospi200/lists")["isuLists"]
    codes = [row["isuSrtCd"] for row in rows]
    assert FRONT not in codes and codes[0] == "10173000"
    assert rows[-1]["isuSrtCd"] == "K2FA001" and rows[-1]["isuCd"] == rows[0]["isuCd"]
    assert result(client, f"{FUT}/kospi200/K2FA001/price")["isuSrtCd"] == "10173000"
    # an expired code still answers with its last trading day
    assert result(client, f"{FUT}/kospi200/{FRONT}/master")["BzDd"] == 20261210
    assert result(client, f"{FUT}/kospi200/{FRONT}/master")["remainDys"] == 1


def test_option_strikes_are_centred_on_the_underlying(client: FlaskClient,
                                                      state: SandboxState) -> None:
    rows = ok(client, f"{OPT}/kospi200/lists")["isuLists"]
    first_month = rows[0]["isuSrtCd"][3:5]
    calls = [r for r in rows if r["isuSrtCd"][0] == "2" and r["isuSrtCd"][3:5] == first_month]
    strikes = [float(r["isuKorAbbr"].rsplit("C", 1)[1]) for r in calls]
    assert all(b - a == 2.5 for a, b in itertools.pairwise(strikes))
    k51 = state.world.universe.get("K51")
    assert k51 is not None
    close = state.world.market.closing_bar(k51, date(2026, 11, 23))
    assert close is not None
    assert abs((strikes[0] + strikes[-1]) / 2 - close.close) <= 1.25
    row = calls[0]
    assert row["isuKorNm"] == f"KOSPI 200 콜옵션 {row['isuKorAbbr'].split()[2]} {strikes[0]:.1f}"
    puts = [r for r in rows if r["isuSrtCd"][0] == "3"]
    assert puts and all(" 풋옵션 " in r["isuKorNm"] and " P" in r["isuKorAbbr"] for r in puts)
    assert all(r["map_to"] == r["isuSrtCd"] + "*006" for r in rows)


def test_after_the_close_trdtm_is_the_signal(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T15:46:00+09:00")
    call, _ = option_pair(client)
    for path, code in ((FUT, FRONT), (OPT, call)):
        assert result(client, f"{path}/kospi200/{code}/price")["trdTm"] == 31000000  # ERRATA 28
    set_clock(state, "2026-11-24T08:00:00+09:00")
    before = result(client, f"{FUT}/kospi200/{FRONT}/price")
    assert (before["opnprc"], before["accTrdvol"], before["trdTm"], before["lstTrdTpCd"]) == \
        (0, 0, 0, 0)
    assert before["fstmmAgndaContrtPrc"] == before["futrmmAgndaContrtPrc"] == 0


def test_closeprice_publication_and_weekend(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T15:49:59+09:00")
    assert error(client, f"{FUT}/kospi200/{FRONT}/closeprice") == NOT_PUBLISHED
    set_clock(state, "2026-11-28T11:00:00+09:00")  # Saturday: Friday's values
    friday = result(client, f"{FUT}/kospi200/{FRONT}/history", trnsmCycleTpCd="D",
                    inqStrtDd="20261127", inqEndDd="20261127")["hisLists"][0]
    close = result(client, f"{FUT}/kospi200/{FRONT}/closeprice")
    assert close["trdPrc"] == friday["trdPrc"] and close["accTrdvol"] == friday["accTrdvol"]


def test_negotiated_block_is_part_of_the_volume(client: FlaskClient, state: SandboxState) -> None:
    """2026-10-06 has a seeded block for 1016C000 (contracts.negotiated_block)."""
    inst = state.world.universe.get(FRONT)
    assert inst is not None
    day = date(2026, 10, 6)
    summary = state.world.market.model.summary(inst, cal.day_index(day))
    assert summary is not None
    block = contracts.negotiated_block(state.world.seed, inst, day, summary.volume)
    assert block is not None and 0 < block.qty < summary.volume * 0.03
    hhmmss = cal.hhmmsscc(block.time) // 100
    before = f"2026-10-06T{hhmmss // 10000:02d}:{hhmmss // 100 % 100:02d}:00+09:00"
    set_clock(state, before)
    assert result(client, f"{FUT}/kospi200/{FRONT}/price")["negoBlkAccTrdvol"] == 0
    set_clock(state, "2026-10-06T15:00:00+09:00")
    price = result(client, f"{FUT}/kospi200/{FRONT}/price")
    assert price["negoBlkAccTrdvol"] == block.qty <= price["accTrdvol"]
    quiet = sum(contracts.negotiated_block(42, inst, cal.day_at(n), 1000) is not None
                for n in range(cal.day_index(date(2026, 1, 2)), cal.day_index(day)))
    assert 0 < quiet < 60  # most days have none


def test_untraded_option_rows_show_code_zero() -> None:
    """options.md Q1: no trades → OHLC = the previous price, change 0, code "0"."""
    bar = Bar(date(2018, 3, 30), 0, 0, 0, 94.6, 0, 0, 94.6, 0, "3", 0)
    shown = derivatives.shown("option", bar)
    assert (shown.open, shown.high, shown.low, shown.close) == (94.6,) * 4
    assert (shown.change, shown.change_code) == (0, "0")
    assert derivatives.shown("future", bar) == bar
    traded = Bar(date(2018, 3, 30), 94, 95, 93, 94.6, 3, 7, 94.6, 0, "3", 1)
    assert derivatives.shown("option", traded) == traded


def test_other_markets(client: FlaskClient) -> None:
    for market, tick in (("usd", 0.1), ("stock", None), ("ktb10", 0.01)):
        rows = ok(client, f"{FUT}/{market}/lists")["isuLists"]
        code = rows[0]["isuSrtCd"]
        master = result(client, f"{FUT}/{market}/{code}/master")
        price = result(client, f"{FUT}/{market}/{code}/price")
        assert price["realtmUplmtprc"] == master["prcLmtStep1Uplmtprc"]
        if tick is None:
            assert isinstance(price["trdPrc"], int) and master["ulyId"].isdigit()
        else:
            assert on_grid(price["trdPrc"], tick)
    usd = ok(client, f"{OPT}/usd/lists")["isuLists"]
    code = usd[len(usd) // 8]["isuSrtCd"]
    assert result(client, f"{OPT}/usd/{code}/price")["isuSrtCd"].startswith(code + "*")
    mini = ok(client, f"{OPT}/mini_kospi200/lists")["isuLists"][0]
    assert mini["map_to"].endswith("*106")


# ------------------------------------------------------------------------------------------- errors
def test_path_errors(client: FlaskClient) -> None:
    call, _ = option_pair(client)
    assert error(client, f"{FUT}/nasdaq/lists") == UNKNOWN_MARKET
    assert error(client, f"{FUT}/KOSPI200/{FRONT}/price") == UNKNOWN_MARKET
    assert error(client, f"{OPT}/kosdaq150/lists") == UNKNOWN_MARKET  # futures-only market
    assert error(client, f"{OPT}/ktb3/{call}/price") == UNKNOWN_MARKET
    assert error(client, f"{FUT}/kospi200/{call}/price") == UNKNOWN_ISSUE  # an option code
    assert error(client, f"{OPT}/kospi200/{FRONT}/master") == UNKNOWN_ISSUE  # a future
    assert error(client, f"{FUT}/kospi200/005930/price") == UNKNOWN_ISSUE  # a stock
    assert error(client, f"{FUT}/kospi200/101Z6000/price") == UNKNOWN_ISSUE  # no such year
    assert error(client, f"{FUT}/mini_kospi200/{FRONT}/price") == UNKNOWN_ISSUE
    assert error(client, f"{FUT}/kospi200/M2FA001/price") == UNKNOWN_ISSUE  # another market's
    response = market_get(client, f"{FUT}/kospi200/ZZZ/orderbook")
    assert "kospi200" in response.headers["X-Sandbox-Error-Detail"]


def test_query_errors(client: FlaskClient) -> None:
    call, _ = option_pair(client)
    history = f"{FUT}/kospi200/{FRONT}/history"
    assert error(client, history, inqStrtDd="20260101", inqEndDd="20261231") == INPUT_ERROR
    assert error(client, history, **{**DAILY, "trnsmCycleTpCd": "Y"}) == INPUT_ERROR
    assert error(client, history, **{**DAILY, "inqEndDd": "2026-12-31"}) == INPUT_ERROR
    assert error(client, history, **{**DAILY, "inqEndDd": "20261332"}) == INPUT_ERROR
    assert error(client, history, **{**DAILY, "inqStrtDd": "20270101"}) == \
        {"error": "기간입력이 잘못되었습니다"}
    assert error(client, history, **DAILY, reqCnt="ten") == INPUT_ERROR
    assert len(result(client, history, **DAILY)["hisLists"]) == 100  # reqCnt optional (F7)
    assert len(result(client, history, **DAILY, reqCnt="500")["hisLists"]) == 100
    assert error(client, f"{OPT}/kospi200/{call}/history", **DAILY) == INPUT_ERROR  # O7: required
    intraday = f"{FUT}/kospi200/{FRONT}/intraday"
    assert error(client, intraday, inddCycleTpCd="600", strtTm="0900") == INPUT_ERROR
    assert error(client, intraday, inddCycleTpCd="30", strtTm="0900", endTm="1000") == INPUT_ERROR
    assert error(client, intraday, inddCycleTpCd="60", strtTm="9h", endTm="1000") == INPUT_ERROR
    assert error(client, intraday, inddCycleTpCd="60", strtTm="0900", endTm="1000",
                 inqStrtDd="20261125") == {"error": "미래일 이어서 Data가 없습니다"}
    assert error(client, intraday, inddCycleTpCd="60", strtTm="0900", endTm="1000",
                 inqStrtDd="20261122") == {"error": "비영업일 이어서 Data가 없습니다"}
    assert error(client, intraday, inddCycleTpCd="60", strtTm="0900", endTm="1000",
                 inqStrtDd="19990104") == {"error": "해당 년,월,일에 자료가 없습니다"}
    assert error(client, f"{FUT}/kospi200/K2FA001/intraday", inddCycleTpCd="60", strtTm="0900",
                 endTm="1000", inqStrtDd="20610105") == {"error": "미래일 이어서 Data가 없습니다"}


def test_continuous_intraday_reads_the_front_of_the_day_asked(client: FlaskClient) -> None:
    query = {"inddCycleTpCd": "600", "strtTm": "0900", "endTm": "1600", "inqStrtDd": "20260910"}
    chained = result(client, f"{FUT}/kospi200/K2FA001/intraday", **query)
    expiring = result(client, f"{FUT}/kospi200/10169000/intraday", **query)
    assert chained["isuSrtCd"] == "K2FA001" and chained["hisLists"] == expiring["hisLists"]
    # the expiring contract closes at 15:20 (its closing match is in the 15:20-15:30 bar)
    assert int(chained["hisLists"][0]["inddTm"]) <= 15300000
    later = result(client, f"{FUT}/kospi200/{FRONT}/intraday", **query)["hisLists"]
    assert later[0]["inddTm"] == "15500000"  # the others close at 15:45


def test_answers_are_deterministic(client: FlaskClient, state: SandboxState) -> None:
    call, _ = option_pair(client)
    paths = [f"{FUT}/kospi200/lists", f"{FUT}/kospi200/K2FA001/master",
             f"{OPT}/kospi200/{call}/price", f"{OPT}/kospi200/{call}/orderbook"]
    first = [ok(client, p) for p in paths]
    state.reset()
    assert [ok(client, p) for p in paths] == first


# ------------------------------------------------------------------------------------- properties
INSTANTS = st.integers(8 * 3600, 16 * 3600 + 1800).map(
    lambda s: f"2026-11-24T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+09:00")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=INSTANTS, second=INSTANTS)
def test_price_and_book_invariants_over_the_day(client: FlaskClient, state: SandboxState,
                                                first: str, second: str) -> None:
    earlier, later = sorted((first, second))
    seen = []
    for instant in (earlier, later):
        set_clock(state, instant)
        price = result(client, f"{FUT}/kospi200/K2FA001/price")
        book = result(client, f"{FUT}/kospi200/K2FA001/orderbook")
        seen.append(price)
        if price["accTrdvol"]:
            assert price["lwprc"] <= price["trdPrc"] <= price["hgprc"]
            assert price["lwprc"] <= price["opnprc"] <= price["hgprc"]
        assert price["realtmLwlmtprc"] <= price["trdPrc"] <= price["realtmUplmtprc"]
        assert 0 <= price["negoBlkAccTrdvol"] <= price["accTrdvol"]
        for side in ("ask", "bid"):
            for n in range(1, 6):
                count = book[f"{side}Step{n}BstordCnt"]
                assert count <= book[f"{side}Step{n}BstordRqty"]
                assert (count == 0) == (book[f"{side}Step{n}BstordPrc"] == 0)
    assert seen[0]["accTrdvol"] <= seen[1]["accTrdvol"]
    assert seen[0]["accTrdval"] <= seen[1]["accTrdval"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(end=st.dates(date(2024, 1, 2), date(2026, 11, 24)), count=st.integers(1, 40))
def test_continuous_history_rows(client: FlaskClient, end: date, count: int) -> None:
    rows = result(client, f"{FUT}/kospi200/K2FA001/history", trnsmCycleTpCd="D",
                  inqStrtDd="20230101", inqEndDd=f"{end:%Y%m%d}", reqCnt=str(count))["hisLists"]
    assert len(rows) == count
    days = [r["BzDd"] for r in rows]
    assert days == sorted(days, reverse=True) and days[0] <= int(f"{end:%Y%m%d}")
    for row in rows:
        assert row["lwprc"] <= row["trdPrc"] <= row["hgprc"] and row["opnintQty"] > 0
        assert on_grid(row["trdPrc"], 0.05)


@pytest.mark.parametrize("market", ["kospi200", "mini_kospi200", "usd"])
def test_every_listed_option_row_decodes(client: FlaskClient, state: SandboxState,
                                         market: str) -> None:
    rows = ok(client, f"{OPT}/{market}/lists")["isuLists"]
    assert len({r["isuSrtCd"] for r in rows}) == len(rows)
    for row in rows[:: max(1, len(rows) // 25)]:
        inst = state.world.universe.get(row["isuSrtCd"])
        assert inst is not None and inst.isin == row["isuCd"] and inst.market == market
