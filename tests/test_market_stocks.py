"""Stocks REST (market README §5 S1-S6, S12, S15) on the default world."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.world.market import rules
from sandbox.world.market.instruments import is_valid_isin, load_universe
from tests.conftest import assert_covers, error, example, market_get, ok, result, set_clock

KOSPI = "/v2/market/stocks/kospi"
SAMSUNG = f"{KOSPI}/005930"
KODEX200 = f"{KOSPI}/069500"
INPUT_ERROR = {"error": "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"}
NOT_YET = {"error": "당일 종가 제공 시간이 아닙니다."}
UNIVERSE = load_universe()
KONEX_CODE = UNIVERSE.select("stock", "konex")[0].code
KOSDAQ_CODE = UNIVERSE.select("stock", "kosdaq")[0].code
CONTINUOUS = st.integers(0, 6 * 3600 + 19 * 60).map(
    lambda s: datetime(2026, 11, 24, 9, 0, 5) + timedelta(seconds=s))
PROPS = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])








def history(client: FlaskClient, path: str, start: str, end: str, count: Any = 100,
            cycle: str = "D") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = result(client, f"{path}/history", trnsmCycleTpCd=cycle,
                                        inqStrtDd=start, inqEndDd=end, reqCnt=count)["hisLists"]
    return rows


# ------------------------------------------------------------------------------ S5 price
def test_price_carries_the_documented_keys(client: FlaskClient) -> None:
    response = market_get(client, "/v2/market/stocks/kospi/005930/price")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert_covers("market/stocks_price.response.json", body)
    assert_covers("market/stocks_price.sandbox-2018-12.response.json", body)
    result = body["result"]
    assert result["isuSrtCd"] == "005930"
    assert result["trdPrc"] - result["cmpprevddPrc"] > 0
    assert result["lwprc"] <= result["trdPrc"] <= result["hgprc"]


def test_price_errors_in_path_order(client: FlaskClient) -> None:
    unknown_market = market_get(client, "/v2/market/stocks/nasdaq/005930/price")
    assert unknown_market.status_code == 400
    assert unknown_market.get_json() == {"error": "조회유형이 존재 하지 않습니다"}
    unknown_issue = market_get(client, "/v2/market/stocks/kosdaq/005930/price")
    assert unknown_issue.get_json() == {"error": "종목코드가 존재 하지 않습니다"}
    assert "kosdaq" in unknown_issue.headers["X-Sandbox-Error-Detail"]
    assert market_get(client, "/v2/market/stocks/KOSPI/005930/price").status_code == 400


def test_price_accepts_the_isin_and_the_query_key(client: FlaskClient, state: SandboxState) -> None:
    from tests.conftest import F9999_KEY

    by_isin = market_get(client, "/v2/market/stocks/kospi/KR7005930003/price").get_json()
    by_query = client.get("/v2/market/stocks/kospi/005930/price",
                          query_string={"apikey": F9999_KEY}).get_json()
    assert by_isin == by_query
    assert by_isin["result"]["isuSrtCd"] == "005930"
    no_key = client.get("/v2/market/stocks/kospi/005930/price")
    assert no_key.status_code == 401


def test_price_before_the_open_reports_the_base(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:00:00+09:00")
    result = market_get(client, "/v2/market/stocks/kospi/005930/price").get_json()["result"]
    assert (result["opnprc"], result["accTrdvol"], result["trdTm"]) == (0, 0, 0)
    assert result["cmpprevddPrc"] == 0


# ------------------------------------------------------------------------------ S1 lists
def test_lists_cover_the_examples_sorted_with_valid_isins(client: FlaskClient) -> None:
    body = ok(market_get(client, "/v2/market/stocks/kospi/lists"))
    assert_covers("market/stocks_lists.response.json", body)
    assert_covers("market/stocks_lists.sandbox-2018-12.response.json", body)
    assert set(body) == {"trdDd", "mktEndTm", "isuLists"}  # bare object (README §3.1)
    assert (body["trdDd"], body["mktEndTm"]) == ("20261124", "1540")
    rows = body["isuLists"]
    codes = [row["isuSrtCd"] for row in rows]
    assert codes == sorted(set(codes))
    assert {"005930", "069500", "590012", "900140"} <= set(codes)  # share, ETF, ETN, foreign
    for row in rows:
        assert is_valid_isin(row["isuCd"]), row
        assert row["map_to"] == f"{row['isuSrtCd']}*001"
    foreign = next(row for row in rows if row["isuSrtCd"] == "900140")
    assert foreign["isuCd"] == "KYG5307W1015"


def test_lists_of_each_market_and_the_list_alias(client: FlaskClient) -> None:
    kosdaq = ok(market_get(client, "/v2/market/stocks/kosdaq/lists"))
    assert len(kosdaq["isuLists"]) == len(UNIVERSE.select("stock", "kosdaq"))
    assert all(row["map_to"].endswith("*003") for row in kosdaq["isuLists"])
    assert ok(market_get(client, "/v2/market/stocks/kosdaq/list")) == kosdaq  # ERRATA 29
    konex = ok(market_get(client, "/v2/market/stocks/konex/lists"))["isuLists"]
    assert KONEX_CODE in {row["isuSrtCd"] for row in konex}
    assert all(row["map_to"].endswith("*004") for row in konex)
    error(market_get(client, "/v2/market/stocks/nasdaq/lists"),
          {"error": "조회유형이 존재 하지 않습니다"})


def test_lists_show_the_0630_batch(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T06:29:59+09:00")
    assert ok(market_get(client, f"{KOSPI}/lists"))["trdDd"] == "20261123"
    set_clock(state, "2026-11-24T06:30:00+09:00")
    assert ok(market_get(client, f"{KOSPI}/lists"))["trdDd"] == "20261124"
    set_clock(state, "2026-11-28T12:00:00+09:00")  # Saturday: Friday's batch
    assert ok(market_get(client, f"{KOSPI}/lists"))["trdDd"] == "20261127"


def test_lists_leave_out_issues_listed_after_the_batch_day(client: FlaskClient,
                                                           state: SandboxState) -> None:
    set_clock(state, "2019-06-03T10:00:00+09:00")
    codes = {row["isuSrtCd"] for row in ok(market_get(client, f"{KOSPI}/lists"))["isuLists"]}
    assert "005930" in codes
    assert "373220" not in codes  # LG에너지솔루션, listed 2022-01-27


# ----------------------------------------------------------------------------- S2 master
def test_master_covers_the_example_and_agrees_with_price(client: FlaskClient) -> None:
    body = ok(market_get(client, f"{SAMSUNG}/master"))
    assert_covers("market/stocks_master.response.json", body)
    master = body["result"]
    seed_keys = set(example("market/stocks_master.response.json")["result"])
    assert set(master) == seed_keys | {"isuEngNm"}  # stocks.md S2 "Recommendation (v2)"
    price = result(client, f"{SAMSUNG}/price")
    base = price["trdPrc"] - price["cmpprevddPrc"]
    assert master["BzDd"] == 20261124
    assert master["basPrc"] == base == master["prevddClsprc"]
    samsung = UNIVERSE.get("005930")
    assert samsung is not None
    [(upper, lower)] = rules.daily_limits(samsung, date(2026, 11, 24), base)
    assert (master["uplmtprc"], master["lwlmtprc"]) == (upper, lower)
    yesterday = history(client, SAMSUNG, "20261123", "20261123")[0]
    assert (master["prevddAccTrdvol"], master["prevddAccTrdval"]) == (
        yesterday["accTrdvol"], yesterday["accTrdval"])
    assert master["prevddClsprc"] == yesterday["trdPrc"]
    assert master["isuEngNm"] == "SamsungElec" and master["isuKorAbbrv"] == "삼성전자"
    assert (master["secugrpId"], master["mktcapScaleCd"], master["isuTrdvol"]) == ("ST", 2, "Y")
    assert (master["kospiYn"], master["kospi100Yn"], master["kospi50Yn"]) == ("Y", "Y", "Y")
    assert (master["mfindYn"], master["haltYn"], master["isuPrc"]) == ("Y", "N", 0)
    assert master["idxIndMidclssCd"] == 13 and master["listDd"] == 19750611
    assert master["acntclsCd"][int(master["acntclsMm"]) - 1] == "1"


def test_master_ratios_and_collateral_arithmetic(client: FlaskClient) -> None:
    for code in ("005930", "000660", "000020", KOSDAQ_CODE):
        inst = UNIVERSE.get(code)
        assert inst is not None
        master = result(client, f"/v2/market/stocks/{inst.market}/{code}/master")
        base, eps, bps, dps = master["basPrc"], master["eps"], master["bps"], master["dps"]
        assert master["per"] == (round(base / eps, 2) if eps > 0 else 0)
        assert master["pbr"] == (round(base / bps, 2) if bps > 0 else 0)
        assert master["divYd"] == round(dps / base * 100, 2)
        assert 0.7 * base - rules.tick_size(inst, date(2026, 11, 24), base) <= master["sbPrc"]
        assert master["sbPrc"] <= 0.8 * base
        assert rules.round_to_tick(inst, date(2026, 11, 24), master["sbPrc"], "down") == \
            master["sbPrc"]
        assert master["mktcapScaleCd"] in (0, 2, 3, 4)


def test_master_before_the_batch_and_on_a_holiday(client: FlaskClient,
                                                  state: SandboxState) -> None:
    set_clock(state, "2026-11-24T06:00:00+09:00")
    early = result(client, f"{SAMSUNG}/master")
    friday = history(client, SAMSUNG, "20261120", "20261120")[0]
    assert early["BzDd"] == 20261123
    assert early["prevddClsprc"] == early["basPrc"] == friday["trdPrc"]
    set_clock(state, "2026-11-29T12:00:00+09:00")  # Sunday: Friday's batch
    assert result(client, f"{SAMSUNG}/master")["BzDd"] == 20261127


def test_master_of_an_etf_a_kosdaq_and_a_konex_issue(client: FlaskClient) -> None:
    etf = result(client, f"{KODEX200}/master")
    assert (etf["secugrpId"], etf["eps"], etf["per"], etf["mktcapScaleCd"]) == ("EF", 0, 0, 0)
    assert isinstance(etf["prevddNav"], float) and round(etf["prevddNav"], 2) == etf["prevddNav"]
    assert abs(etf["prevddNav"] / etf["prevddClsprc"] - 1) < 0.005  # NAV ≈ the close
    assert etf["basPrc"] % 5 == 0 and etf["uplmtprc"] % 5 == 0  # fund tick
    kosdaq = result(client, f"/v2/market/stocks/kosdaq/{KOSDAQ_CODE}/master")
    assert (kosdaq["kospiYn"], kosdaq["kospi100Yn"], kosdaq["mfindYn"]) == ("N", "N", "N")
    assert kosdaq["prevddNav"] == 0
    konex = result(client, f"/v2/market/stocks/konex/{KONEX_CODE}/master")
    assert (konex["smeYn"], konex["creditOrdPosblYn"], konex["sbPrc"]) == ("Y", "N", 0)
    assert konex["mktcapScaleCd"] == 0
    error(market_get(client, f"/v2/market/stocks/kospi/{KONEX_CODE}/master"),
          {"error": "종목코드가 존재 하지 않습니다"})


def test_master_is_deterministic(client: FlaskClient) -> None:
    assert ok(market_get(client, f"{SAMSUNG}/master")) == ok(market_get(client,
                                                                        f"{SAMSUNG}/master"))


# ------------------------------------------------------------------------- S4 closeprice
def test_closeprice_before_1540_is_the_documented_400(client: FlaskClient,
                                                      state: SandboxState) -> None:
    response = market_get(client, "/v2/market/stocks/kospi/005930/closeprice")  # 10:00
    assert response.status_code == 400
    assert response.get_json() == example("market/stocks_closeprice.400.response.json")
    set_clock(state, "2026-11-24T15:39:59+09:00")
    error(market_get(client, f"{SAMSUNG}/closeprice"), NOT_YET)


def test_closeprice_after_1540_is_the_days_history_row(client: FlaskClient,
                                                       state: SandboxState) -> None:
    set_clock(state, "2026-11-24T15:40:00+09:00")
    body = ok(market_get(client, f"{SAMSUNG}/closeprice"))
    assert_covers("market/stocks_closeprice.response.json", body)
    close = body["result"]
    set_clock(state, "2026-11-25T07:00:00+09:00")  # the next batch: the day is final
    row = history(client, SAMSUNG, "20261124", "20261124")[0]
    assert close == {"isuSrtCd": "005930", **{k: v for k, v in row.items() if k != "BzDd"}}
    assert close["lwprc"] <= min(close["opnprc"], close["trdPrc"])
    assert close["hgprc"] >= max(close["opnprc"], close["trdPrc"])


def test_closeprice_on_a_saturday_is_fridays(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-28T09:30:00+09:00")
    close = result(client, f"{KODEX200}/closeprice")
    row = history(client, KODEX200, "20261127", "20261127")[0]
    assert close["trdPrc"] == row["trdPrc"] and close["accTrdval"] == row["accTrdval"]


# -------------------------------------------------------------------------- S6 orderbook
def assert_book_invariants(book: dict[str, Any], code: str, day: date) -> None:
    inst = UNIVERSE.get(code)
    assert inst is not None
    asks = [book[f"askStep{n}BstordPrc"] for n in range(1, 11)]
    bids = [book[f"bidStep{n}BstordPrc"] for n in range(1, 11)]
    shown_asks = [p for p in asks if p]
    shown_bids = [p for p in bids if p]
    assert shown_asks == asks[:len(shown_asks)] and shown_bids == bids[:len(shown_bids)]
    assert all(a < b for a, b in pairwise(shown_asks))
    assert all(a > b for a, b in pairwise(shown_bids))
    for p in shown_asks + shown_bids:
        assert rules.round_to_tick(inst, day, p) == p, p
    assert shown_bids[0] < shown_asks[0]
    for side in ("ask", "bid"):
        levels = sum(book[f"{side}Step{n}BstordRqty"] for n in range(1, 11))
        assert book[f"{side}ordTotRqty"] >= levels
    empty = [n for n in range(1, 11) if not asks[n - 1]]
    assert all(book[f"askStep{n}BstordRqty"] == 0 for n in empty)


def test_orderbook_covers_the_examples_and_matches_price(client: FlaskClient) -> None:
    body = ok(market_get(client, f"{SAMSUNG}/orderbook"))
    assert_covers("market/stocks_orderbook.response.json", body)
    assert_covers("market/stocks_orderbook.sandbox-2018-12.response.json", body)
    book, price = body["result"], result(client, f"{SAMSUNG}/price")
    assert_book_invariants(book, "005930", date(2026, 11, 24))
    assert (book["bidStep1BstordPrc"], book["askStep1BstordPrc"]) == (
        price["bidordPrc_1"], price["askordPrc_1"])
    assert book["accTrdvol"] == price["accTrdvol"]
    assert (book["pstoffhrAskTotOrdRqty"], book["pstoffhrBidTotOrdRqty"]) == (0, 0)


@PROPS
@given(at=CONTINUOUS, code=st.sampled_from(["005930", "069500", "000020", KOSDAQ_CODE]))
def test_orderbook_invariants_during_continuous_trading(client: FlaskClient, state: SandboxState,
                                                        at: datetime, code: str) -> None:
    set_clock(state, at.isoformat() + "+09:00")
    inst = UNIVERSE.get(code)
    assert inst is not None
    book = result(client, f"/v2/market/stocks/{inst.market}/{code}/orderbook")
    assert book["isuSrtCd"] == code
    assert_book_invariants(book, code, at.date())


def test_orderbook_after_the_close_keeps_the_auction(client: FlaskClient,
                                                     state: SandboxState) -> None:
    set_clock(state, "2026-11-24T15:35:00+09:00")
    book = result(client, f"{SAMSUNG}/orderbook")
    close = result(client, f"{SAMSUNG}/price")
    assert book["deemTrdPrc"] == close["trdPrc"] and book["deemAccTrdvol"] > 0
    assert book["pstoffhrAskTotOrdRqty"] + book["pstoffhrBidTotOrdRqty"] > 0


# --------------------------------------------------------------------------- S12 intraday
def test_intraday_covers_the_example_newest_first(client: FlaskClient) -> None:
    body = ok(market_get(client, "/v2/market/stocks/kospi/005930/intraday", inddCycleTpCd="600",
                         inqStrtDd="20261124", strtTm="0900", endTm="1500"))
    assert_covers("market/stocks_intraday.sandbox-2018-12.response.json", body)
    bars = body["result"]["hisLists"]
    assert body["result"]["isuSrtCd"] == "005930"
    times = [int(bar["inddTm"]) for bar in bars]
    assert times == sorted(times, reverse=True) and times[-1] == 9100000
    assert times[0] <= 10000000  # 10:00: nothing after the instant
    price = result(client, f"{SAMSUNG}/price")
    assert bars[0]["inddClsprc"] == price["trdPrc"]
    assert bars[0]["inddTrdvol"] == price["accTrdvol"]  # running volume (2018 v2 shape)
    volumes = [bar["inddTrdvol"] for bar in bars]
    assert volumes == sorted(volumes, reverse=True)
    for bar in bars:
        assert bar["inddLwprc"] <= min(bar["inddOpnprc"], bar["inddClsprc"])
        assert bar["inddHgprc"] >= max(bar["inddOpnprc"], bar["inddClsprc"])


@PROPS
@given(at=CONTINUOUS, cycle=st.sampled_from(["10", "60", "600"]))
def test_intraday_last_bar_is_the_price(client: FlaskClient, state: SandboxState, at: datetime,
                                        cycle: str) -> None:
    set_clock(state, at.isoformat() + "+09:00")
    bars = result(client, f"{KODEX200}/intraday", inddCycleTpCd=cycle, strtTm="0800",
                  endTm="2400")["hisLists"]
    price = result(client, f"{KODEX200}/price")
    assert 0 < len(bars) <= 100
    assert (bars[0]["inddClsprc"], bars[0]["inddTrdvol"]) == (price["trdPrc"],
                                                              price["accTrdvol"])


def test_intraday_of_a_past_day_caps_at_100_bars(client: FlaskClient) -> None:
    bars = result(client, f"{SAMSUNG}/intraday", inddCycleTpCd="10", inqStrtDd="20261120",
                  strtTm="090000", endTm="153000")["hisLists"]
    assert len(bars) == 100
    assert int(bars[0]["inddTm"]) > int(bars[-1]["inddTm"])


def test_intraday_query_errors(client: FlaskClient) -> None:
    path = f"{SAMSUNG}/intraday"
    error(market_get(client, path, inddCycleTpCd="30", strtTm="0900", endTm="1500"), INPUT_ERROR)
    error(market_get(client, path, inddCycleTpCd="60", endTm="1500"), INPUT_ERROR)
    error(market_get(client, path, inddCycleTpCd="60", strtTm="9am", endTm="1500"), INPUT_ERROR)
    error(market_get(client, path, inddCycleTpCd="60", strtTm="0900", endTm="1500",
                     inqStrtDd="20261122"), {"error": "비영업일 이어서 Data가 없습니다"})
    error(market_get(client, path, inddCycleTpCd="60", strtTm="0900", endTm="1500",
                     inqStrtDd="20261125"), {"error": "미래일 이어서 Data가 없습니다"})


# ---------------------------------------------------------------------------- S15 history
def test_history_covers_the_examples_newest_first(client: FlaskClient) -> None:
    body = ok(market_get(client, f"{SAMSUNG}/history", trnsmCycleTpCd="D", inqStrtDd="20261001",
                         inqEndDd="20261231", reqCnt="20"))
    assert_covers("market/stocks_history.response.json", body)
    assert_covers("market/stocks_history.sandbox-2018-12.response.json", body)
    rows = body["result"]["hisLists"]
    assert len(rows) == 20
    days = [row["BzDd"] for row in rows]
    assert days == sorted(days, reverse=True) and days[0] == 20261124  # today's running bar
    price = result(client, f"{SAMSUNG}/price")
    assert (rows[0]["trdPrc"], rows[0]["accTrdvol"]) == (price["trdPrc"], price["accTrdvol"])
    for newer, older in pairwise(rows):
        assert newer["trdPrc"] - newer["cmpprevddPrc"] == older["trdPrc"]
    for row in rows:
        assert row["lwprc"] <= min(row["opnprc"], row["trdPrc"])
        assert row["hgprc"] >= max(row["opnprc"], row["trdPrc"])
        assert row["lwprc"] * row["accTrdvol"] <= row["accTrdval"] <= row["hgprc"] * \
            row["accTrdvol"]


def test_history_before_the_open_starts_yesterday(client: FlaskClient,
                                                  state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:00:00+09:00")
    assert history(client, SAMSUNG, "20261101", "20261130", 3)[0]["BzDd"] == 20261123


def test_history_weeks_and_months_agree_with_days(client: FlaskClient) -> None:
    daily = history(client, SAMSUNG, "20260801", "20261124")
    assert len(daily) < 100  # the whole span
    for cycle, key in (("W", lambda d: d.isocalendar()[:2]), ("M", lambda d: (d.year, d.month))):
        periods = history(client, SAMSUNG, "20260801", "20261124", cycle=cycle)
        groups: dict[Any, list[dict[str, Any]]] = {}
        for row in daily:
            day = datetime.strptime(str(row["BzDd"]), "%Y%m%d").date()
            groups.setdefault(key(day), []).append(row)
        for row in periods[:-1]:  # the oldest period may start before inqStrtDd
            day = datetime.strptime(str(row["BzDd"]), "%Y%m%d").date()
            days = groups[key(day)]  # newest first
            assert row["BzDd"] == days[0]["BzDd"]  # the period's last business day so far
            assert row["trdPrc"] == days[0]["trdPrc"] and row["opnprc"] == days[-1]["opnprc"]
            assert row["hgprc"] == max(d["hgprc"] for d in days)
            assert row["lwprc"] == min(d["lwprc"] for d in days)
            assert row["accTrdvol"] == sum(d["accTrdvol"] for d in days)
            assert row["accTrdval"] == sum(d["accTrdval"] for d in days)


def test_history_clamps_reqcnt_at_100(client: FlaskClient) -> None:
    rows = history(client, SAMSUNG, "20200101", "20261231", "500")
    assert len(rows) == 100


@PROPS
@given(start=st.dates(date(2019, 1, 1), date(2026, 11, 30)), span=st.integers(0, 400),
       count=st.integers(1, 150), cycle=st.sampled_from(["D", "W", "M"]))
def test_history_rows_lie_in_the_period(client: FlaskClient, start: date, span: int, count: int,
                                        cycle: str) -> None:
    end = start + timedelta(days=span)
    rows = history(client, f"/v2/market/stocks/konex/{KONEX_CODE}", f"{start:%Y%m%d}",
                   f"{end:%Y%m%d}", count, cycle)
    days = [row["BzDd"] for row in rows]
    assert len(rows) <= min(count, 100)
    assert days == sorted(set(days), reverse=True)
    assert all(int(f"{start:%Y%m%d}") <= d <= min(int(f"{end:%Y%m%d}"), 20261124) for d in days)


def test_history_query_errors(client: FlaskClient) -> None:
    path = f"{SAMSUNG}/history"
    full = {"trnsmCycleTpCd": "D", "inqStrtDd": "20261101", "inqEndDd": "20261130",
            "reqCnt": "10"}
    error(market_get(client, path, **{**full, "inqStrtDd": "20261201"}),
          {"error": "기간입력이 잘못되었습니다"})
    error(market_get(client, path, **{**full, "inqEndDd": "20261332"}), INPUT_ERROR)
    error(market_get(client, path, **{**full, "inqEndDd": "2026-11-30"}), INPUT_ERROR)
    error(market_get(client, path, **{**full, "trnsmCycleTpCd": "Y"}), INPUT_ERROR)
    error(market_get(client, path, **{**full, "reqCnt": "0"}), INPUT_ERROR)
    for missing in full:
        error(market_get(client, path, **{k: v for k, v in full.items() if k != missing}),
              INPUT_ERROR)
    error(market_get(client, "/v2/market/stocks/kospi/999999/history", **full),
          {"error": "종목코드가 존재 하지 않습니다"})


def test_history_of_an_etf_stays_on_the_fund_grid(client: FlaskClient) -> None:
    rows = history(client, KODEX200, "20260101", "20261124", 30)
    assert len(rows) == 30
    assert all(row[k] % 5 == 0 for row in rows for k in ("trdPrc", "opnprc", "hgprc", "lwprc"))


# ----------------------------------------------------------------------- S3b selectivereal
def test_selectivereal_was_never_delivered(client: FlaskClient) -> None:
    response = market_get(client, f"{SAMSUNG}/selectivereal")
    assert response.status_code == 404
    assert response.get_json()["category"] == "op-apim"


def test_intraday_boundaries(client: FlaskClient, state: SandboxState) -> None:
    """Bars hold (end - cycle, end]: the 15:30 closing match closes the 15:30 bar, the opening
    match starts the first bar, and no two bars share a label (an instant on a boundary)."""
    set_clock(state, "2026-11-24T15:45:00+09:00")
    bars = result(client, "/v2/market/stocks/kospi/005930/intraday", inddCycleTpCd="600",
                  strtTm="0900", endTm="1540")["hisLists"]
    close = result(client, "/v2/market/stocks/kospi/005930/history", trnsmCycleTpCd="D",
                   inqStrtDd="20261124", inqEndDd="20261124", reqCnt="1")["hisLists"][0]
    by_label = {b["inddTm"]: b for b in bars}
    assert by_label["15300000"]["inddClsprc"] == close["trdPrc"]
    assert bars[-1]["inddTm"] == "9100000"
    for cycle in ("10", "60", "600"):
        set_clock(state, "2026-11-24T10:00:00+09:00")
        labels = [b["inddTm"] for b in result(client, "/v2/market/stocks/kospi/005930/intraday",
                                              inddCycleTpCd=cycle, strtTm="0900",
                                              endTm="1530")["hisLists"]]
        assert len(labels) == len(set(labels)), cycle
