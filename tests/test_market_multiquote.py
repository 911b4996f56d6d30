"""Multi-quote tables (multiquote.md M1-M6) on the default world.

Default clock: Tuesday 2026-11-24 10:00 KST (a business day), seed 42. The whole-market tables
build every issue's tape on the first call of a day (about 1,000 for KOSPI), so these tests
stay on a few days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.market import multiquote, payloads
from sandbox.families.market.params import CASH_KINDS
from sandbox.world.market.calendar import KST
from sandbox.world.market.instruments import Instrument, load_universe
from sandbox.world.world import market_of
from tests.conftest import assert_covers, example, market_get, set_clock

MULTI = "/v2/market/multiquote/stocks"
TODAY = datetime(2026, 11, 24, 10, 0, tzinfo=KST)
KOSPI_SAMPLE = ["005930", "000660", "035420", "005380", "051910"]


def ok(client: FlaskClient, path: str, **query: Any) -> dict[str, Any]:
    response = market_get(client, path, **query)
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    body: dict[str, Any] = response.get_json()
    return body


def error(client: FlaskClient, path: str, **query: Any) -> str:
    response = market_get(client, path, **query)
    assert response.status_code == 400, (path, response.get_data(as_text=True))
    message: str = response.get_json()["error"]
    return message


def listed(market: str, day: date) -> list[Instrument]:
    universe = load_universe()
    found = [i for kind in CASH_KINDS for i in universe.select(kind, market, day)]
    return sorted(found, key=lambda i: i.code)


def inst(code: str) -> Instrument:
    found = load_universe().get(code)
    assert found is not None
    return found


def kospi_codes() -> list[str]:
    return [i.code for i in listed("kospi", date(2026, 11, 24))]


# ------------------------------------------------------------------------- documented examples
def test_lists_examples(client: FlaskClient) -> None:
    body = ok(client, f"{MULTI}/kospi/lists")
    assert_covers("market/multiquote_lists.response.json", body)
    assert_covers("market/multiquote_lists.sandbox-2018-12.response.json", body)
    row = example("market/multiquote_lists.response.json")["isuLists"][0]
    assert list(body["isuLists"][0]) == list(row)
    assert list(body) == ["trdDd", "trdTm", "isuLists"]  # bare object (README §3.1)


def test_ohlclists_examples(client: FlaskClient) -> None:
    body = ok(client, f"{MULTI}/kospi/ohlclists")
    assert_covers("market/multiquote_ohlclists.response.json", body)
    assert_covers("market/multiquote_ohlclists.sandbox-2018-12.response.json", body)
    row = example("market/multiquote_ohlclists.response.json")["isuLists"][0]
    assert list(body["isuLists"][0]) == list(row)


def test_price_examples(client: FlaskClient) -> None:
    body = ok(client, f"{MULTI}/kospi/price", isuCd="005930,000660")
    for name in ("multiquote_price.response.json", "multiquote_price.sandbox-2018-12.response.json",
                 "multiquote_price.spec-workbook.response.json"):
        assert_covers(f"market/{name}", body)
    documented = example("market/multiquote_price.response.json")["result"]["isulist"]
    assert [list(row) for row in body["result"]["isulist"]] == [list(r) for r in documented]
    assert [row["isuSrtCd"] for row in body["result"]["isulist"]] == ["005930", "000660"]


def test_orderbook_examples(client: FlaskClient) -> None:
    body = ok(client, f"{MULTI}/kospi/orderbook", isuCd="005930,000660")
    assert_covers("market/multiquote_orderbook.response.json", body)
    assert_covers("market/multiquote_orderbook.sandbox-2018-12.response.json", body)
    documented = example("market/multiquote_orderbook.response.json")["result"]["isulist"][0]
    row = body["result"]["isulist"][0]
    # the documented order, plus askStep4BstordRqty (missing from the examples, multiquote.md Q3)
    assert [k for k in row if k != "askStep4BstordRqty"] == list(documented)
    assert list(row)[-1] == "isuSrtCd" and "askStep4BstordRqty" in row


# --------------------------------------------------------------------- whole-market tables
def test_lists_cover_every_issue_by_code_and_equal_the_price(client: FlaskClient) -> None:
    body = ok(client, f"{MULTI}/kospi/lists")
    assert (body["trdDd"], body["trdTm"]) == ("20261124", "100000")
    assert [row["isuSrtCd"] for row in body["isuLists"]] == kospi_codes()
    market = market_of(42)
    for row in body["isuLists"]:
        q = market.quote(inst(row["isuSrtCd"]), TODAY)
        assert row == {"isuSrtCd": q.code, "trdPrc": q.price, "accTrdvol": q.volume,
                       "accTrdval": q.value}
    rows = {row["isuSrtCd"]: row for row in body["isuLists"]}
    for code in KOSPI_SAMPLE:  # README §8.6: lists row = the per-issue price
        price = ok(client, f"/v2/market/stocks/kospi/{code}/price")["result"]
        assert rows[code] == {k: price[k] for k in rows[code]}


def test_ohlclists_agree_with_lists(client: FlaskClient) -> None:
    prices = ok(client, f"{MULTI}/kospi/lists")["isuLists"]
    ohlc = ok(client, f"{MULTI}/kospi/ohlclists")["isuLists"]
    assert [r["isuSrtCd"] for r in ohlc] == [r["isuSrtCd"] for r in prices]
    for a, b in zip(prices, ohlc, strict=True):
        assert a["trdPrc"] == b["trdPrc"]
        if b["opnprc"]:
            assert b["lwprc"] <= min(b["opnprc"], b["trdPrc"]) <= b["hgprc"]
        else:  # no trade yet: zeros and the previous close (multiquote.md M2)
            assert (b["hgprc"], b["lwprc"], a["accTrdvol"]) == (0, 0, 0)
    for code in KOSPI_SAMPLE:
        price = ok(client, f"/v2/market/stocks/kospi/{code}/price")["result"]
        row = next(r for r in ohlc if r["isuSrtCd"] == code)
        assert row == {k: price[k] for k in row}


def test_before_the_open_the_tables_show_the_previous_close(client: FlaskClient,
                                                            state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:00:00.730+09:00")
    body = ok(client, f"{MULTI}/kospi/ohlclists")
    assert body["trdTm"] == "080000"  # the snapshot second, HHMMSS with its leading zero
    assert all(r["opnprc"] == r["hgprc"] == r["lwprc"] == 0 for r in body["isuLists"])
    base = market_of(42).quote(inst("005930"), TODAY)
    assert next(r for r in body["isuLists"] if r["isuSrtCd"] == "005930")["trdPrc"] == \
        base.base


def test_quotelists_are_the_first_book_level(client: FlaskClient) -> None:
    body = ok(client, f"{MULTI}/kospi/quotelists")
    assert [row["isuSrtCd"] for row in body["isuLists"]] == kospi_codes()
    market = market_of(42)
    for row in body["isuLists"][:200]:
        book = market.book(inst(row["isuSrtCd"]), TODAY)
        assert row["askStep1BstordPrc"] == book.ask_prices[0]
        assert row["askStep1BstordRqty"] == book.ask_qtys[0]
        assert row["bidStep1BstordPrc"] == book.bid_prices[0]
        assert row["bidStep1BstordRqty"] == book.bid_qtys[0]
        if row["bidStep1BstordPrc"] and row["askStep1BstordPrc"]:
            assert row["bidStep1BstordPrc"] < row["askStep1BstordPrc"]
            assert row["bidStep1BstordPrc"] <= row["trdPrc"] <= row["askStep1BstordPrc"]
    books = ok(client, f"{MULTI}/kospi/orderbook", isuCd=",".join(KOSPI_SAMPLE))
    rows = {row["isuSrtCd"]: row for row in body["isuLists"]}
    for book_row in books["result"]["isulist"]:
        row = rows[book_row["isuSrtCd"]]
        assert {k: row[k] for k in row if k.startswith(("ask", "bid"))} == \
            {k: book_row[k] for k in row if k.startswith(("ask", "bid"))}


def test_tables_on_a_holiday_show_the_last_business_day(client: FlaskClient,
                                                        state: SandboxState) -> None:
    set_clock(state, "2026-11-20T19:00:00+09:00")  # Friday evening
    friday = ok(client, f"{MULTI}/kospi/lists")
    set_clock(state, "2026-11-21T11:30:00+09:00")  # Saturday
    saturday = ok(client, f"{MULTI}/kospi/lists")
    assert (saturday["trdDd"], saturday["trdTm"]) == ("20261120", "180000")
    assert saturday["isuLists"] == friday["isuLists"]
    assert friday["trdTm"] == "190000"


def after_hours_by_trades(code: str, at: datetime) -> dict[str, Any]:
    """M6 as the brief words it: the day's trades up to ``at`` of the after-hours session."""
    market, issue = market_of(42), inst(code)
    q = market.quote(issue, at)
    trades = market.trades(issue, q.day, until=at)
    late = [t for t in trades if t.session == "after_hours"]
    regular = q.close if q.close is not None else q.base
    if not late:
        return {"isuSrtCd": code, "opnprc": 0, "hgprc": 0, "lwprc": 0, "trdPrc": regular}
    prices = [t.price for t in late]
    return {"isuSrtCd": code, "opnprc": prices[0], "hgprc": max(prices), "lwprc": min(prices),
            "trdPrc": prices[-1]}


def test_after_hours_ohlc(client: FlaskClient, state: SandboxState) -> None:
    during = ok(client, f"{MULTI}/kospi/ahtohlclists")["isuLists"]  # 10:00: nothing yet
    market = market_of(42)
    for row in during[:50]:
        q = market.quote(inst(row["isuSrtCd"]), TODAY)
        assert row == {"isuSrtCd": q.code, "opnprc": 0, "hgprc": 0, "lwprc": 0, "trdPrc": q.base}
    evening = datetime(2026, 11, 24, 17, 5, 30, tzinfo=KST)
    set_clock(state, evening.isoformat())
    rows = ok(client, f"{MULTI}/kospi/ahtohlclists")["isuLists"]
    assert [r["isuSrtCd"] for r in rows] == kospi_codes()
    traded = [r for r in rows if r["opnprc"]]
    assert traded, "some issue matched in the after-hours session"
    for row in rows[::7]:
        assert row == after_hours_by_trades(row["isuSrtCd"], evening)
    for row in traded:
        assert row["lwprc"] <= min(row["opnprc"], row["trdPrc"]) <= row["hgprc"]
        close = market.quote(inst(row["isuSrtCd"]), evening).close
        assert close is not None and abs(row["trdPrc"] - close) * 10 <= close  # ±10% rule


def test_after_the_close_before_16_the_price_is_the_regular_close(client: FlaskClient,
                                                                  state: SandboxState) -> None:
    at = datetime(2026, 11, 24, 15, 50, tzinfo=KST)
    set_clock(state, at.isoformat())
    rows = ok(client, f"{MULTI}/kospi/ahtohlclists")["isuLists"]
    for row in rows[::11]:
        assert row == after_hours_by_trades(row["isuSrtCd"], at)
        assert row["opnprc"] == 0


# ------------------------------------------------------------------------- chosen issues
def test_price_rows_equal_the_per_issue_price(client: FlaskClient) -> None:
    body = ok(client, f"{MULTI}/kospi/price", isuCd=",".join(KOSPI_SAMPLE))
    rows = body["result"]["isulist"]
    assert [r["isuSrtCd"] for r in rows] == KOSPI_SAMPLE  # request order
    for row in rows:
        single = ok(client, f"/v2/market/stocks/kospi/{row['isuSrtCd']}/price")["result"]
        assert row == single
        keys = list(row)
        assert keys.index("isuSrtCd") == keys.index("cmpprevddPrc") + 1


def test_orderbook_rows_equal_the_per_issue_book(client: FlaskClient) -> None:
    body = ok(client, "/v2/market/list/kospi/orderbook", isuCd=",".join(KOSPI_SAMPLE[:3]))
    assert body == ok(client, f"{MULTI}/kospi/orderbook", isuCd=",".join(KOSPI_SAMPLE[:3]))
    market = market_of(42)
    for row in body["result"]["isulist"]:
        book = payloads.stock_book(market.book(inst(row["isuSrtCd"]), TODAY))
        assert row == book
        single = market_get(client, f"/v2/market/stocks/kospi/{row['isuSrtCd']}/orderbook")
        if single.status_code == 200:  # the S6 view, when registered
            result = single.get_json()["result"]
            assert {k: result[k] for k in row if k in result} == \
                {k: row[k] for k in row if k in result}


def test_unknown_duplicate_and_foreign_codes(client: FlaskClient) -> None:
    kosdaq = listed("kosdaq", date(2026, 11, 24))[0].code
    body = ok(client, f"{MULTI}/kospi/price",
              isuCd=f"000660,999999,005930,{kosdaq},000660,KR7005930003, 035420")
    assert [r["isuSrtCd"] for r in body["result"]["isulist"]] == ["000660", "005930", "035420"]
    other = ok(client, f"{MULTI}/kosdaq/orderbook", isuCd=f"005930,{kosdaq}")
    assert [r["isuSrtCd"] for r in other["result"]["isulist"]] == [kosdaq]


def test_alias_pricelist(client: FlaskClient) -> None:
    assert ok(client, f"{MULTI}/kospi/pricelist") == ok(client, f"{MULTI}/kospi/lists")


@pytest.mark.parametrize(("path", "query", "message"), [
    (f"{MULTI}/kospi/price", {"isuCd": ",".join(f"{n:06d}" for n in range(21))},
     "생성 가능한 종목수를 초과하였습니다"),
    (f"{MULTI}/kospi/orderbook", {"isuCd": ",".join(f"{n:06d}" for n in range(21))},
     "생성 가능한 종목수를 초과하였습니다"),
    (f"{MULTI}/kospi/price", {}, "종목코드를 입력하십시요"),
    (f"{MULTI}/kospi/orderbook", {"isuCd": " , "}, "종목코드를 입력하십시요"),
    (f"{MULTI}/kospi/price", {"isuCd": "999999,ABCDEF"}, "종목코드가 존재 하지 않습니다"),
    (f"{MULTI}/kosdaq/price", {"isuCd": "005930"}, "종목코드가 존재 하지 않습니다"),
    (f"{MULTI}/kosdaq/orderbook", {"isuCd": "005930,000660"}, "종목코드가 존재 하지 않습니다"),
    (f"{MULTI}/kospi/price", {"isuCd": "K1"}, "종목코드가 존재 하지 않습니다"),
    (f"{MULTI}/konex/lists", {}, "조회유형이 존재 하지 않습니다"),
    (f"{MULTI}/nasdaq/price", {"isuCd": "005930"}, "조회유형이 존재 하지 않습니다"),
    ("/v2/market/list/konex/orderbook", {"isuCd": "005930"}, "조회유형이 존재 하지 않습니다"),
])
def test_errors(client: FlaskClient, path: str, query: dict[str, str], message: str) -> None:
    assert error(client, path, **query) == message


def test_twenty_codes_are_accepted(client: FlaskClient) -> None:
    codes = kospi_codes()[:20]
    rows = ok(client, f"{MULTI}/kospi/price", isuCd=",".join(codes))["result"]["isulist"]
    assert [r["isuSrtCd"] for r in rows] == codes


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seconds=st.integers(min_value=8 * 3600, max_value=18 * 3600 + 600),
       picks=st.lists(st.sampled_from([*KOSPI_SAMPLE, "069500", "000020"]), min_size=1,
                      max_size=6))
def test_price_rows_are_the_model_at_any_instant(client: FlaskClient, state: SandboxState,
                                                 seconds: int, picks: list[str]) -> None:
    at = datetime(2026, 11, 24, tzinfo=KST) + timedelta(seconds=seconds)
    set_clock(state, at.isoformat())
    rows = ok(client, f"{MULTI}/kospi/price", isuCd=",".join(picks))["result"]["isulist"]
    wanted = list(dict.fromkeys(picks))
    assert [r["isuSrtCd"] for r in rows] == wanted
    market = market_of(42)
    for row in rows:
        expected = payloads.stock_price(market.quote(inst(row["isuSrtCd"]), at))
        assert row == expected
        assert row["lwprc"] <= row["trdPrc"] <= row["hgprc"] or row["opnprc"] == 0


def test_snapshot_stamp() -> None:
    assert multiquote.snapshot(datetime(2026, 11, 24, 9, 5, 7, 990_000, tzinfo=KST)) == (
        date(2026, 11, 24), datetime(2026, 11, 24, 9, 5, 7, tzinfo=KST), "090507")
    day, _, stamp = multiquote.snapshot(datetime(2026, 11, 22, 3, 0, tzinfo=KST))  # Sunday
    assert (day, stamp) == (date(2026, 11, 20), "180000")


def test_every_canonical_path_answers(client: FlaskClient) -> None:
    """One call per operation on its documented path (README §5 M1-M6)."""
    for table in ("lists", "ohlclists", "quotelists", "ahtohlclists"):
        body = ok(client, f"/v2/market/multiquote/stocks/kospi/{table}")
        assert body["isuLists"] and body["trdDd"] == "20261124", table
    calls = ["/v2/market/multiquote/stocks/kospi/lists",
             "/v2/market/multiquote/stocks/kospi/ohlclists",
             "/v2/market/multiquote/stocks/kospi/quotelists",
             "/v2/market/multiquote/stocks/kospi/ahtohlclists"]
    assert all(ok(client, path)["trdTm"] == "100000" for path in calls)
    for path in ("/v2/market/multiquote/stocks/kospi/price",
                 "/v2/market/multiquote/stocks/kospi/orderbook"):
        rows = ok(client, path, isuCd="005930")["result"]["isulist"]
        assert [row["isuSrtCd"] for row in rows] == ["005930"], path
