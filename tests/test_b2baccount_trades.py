"""The orders, settlements and ledger of a discretionary account (b2baccount.md §2, §4, §6):
``b2baccount.orderdetail_search``, ``b2baccount.settlelist_search`` and
``b2baccount.tradebook_search``.

The account's generated history (``discretionary.book_of``) is the oracle for which rows exist;
prices come from the market simulator and costs from the rules of order.md §6.5, so the
arithmetic checks do not reuse the code under test.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from sandbox.world.accounts import discretionary, ledger
from sandbox.world.accounts.ledger import ASK, BID, Book, Txn
from sandbox.world.accounts.products import EQTY, ETC, FUND, FUND_UNITS
from sandbox.world.market import calendar as cal
from tests.conftest import (
    B2B_KEY,
    assert_covers,
    assert_platform_error,
    example,
    key_paths,
    needs_shared,
    set_clock,
)
from tests.conftest import b2b_body as body
from tests.conftest import b2b_headers as headers

OPERATIONS = {"orderdetail": "b2baccount.orderdetail_search",
              "settlelist": "b2baccount.settlelist_search",
              "tradebook": "b2baccount.tradebook_search"}
BLOCKS = {"orderdetail": ("orderDetailListRequestBody", "orderDetailListResponseBody",
                          "orderDetailList", "orderDetail"),
          "settlelist": ("settleListRequestBody", "settleListResponseBody", "settleList",
                         "settleInfo"),
          "tradebook": ("tradeBookListRequestBody", "tradeBookListResponseBody",
                        "tradeBookList", "tradeBook")}
ACC_00995 = "0019923122221"  # 홍길동, 00995 @ samsung
ACC_UBERPLE = "099240776543"  # 이지선, uberple @ samsung
ACCOUNTS = {ACC_00995: "00995", ACC_UBERPLE: "uberple", "40113387510": "uberple"}
QP = "queryParameter"
TODAY = date(2026, 11, 24)  # the frozen clock of tests/conftest.py
COMMISSION, SELL_TAX = 0.00015, 0.003  # order.md §6.5


# ------------------------------------------------------------------------------ helpers
def post(client: FlaskClient, api: str, payload: dict[str, Any], com_id: str = "00995",
         broker: str = "samsung", hdrs: dict[str, str] | None = None) -> Any:
    return client.post(f"/v1/{broker}/b2baccount/{api}/search", json=payload,
                       headers=headers(com_id) if hdrs is None else hdrs)


def answer(client: FlaskClient, api: str, acc_no: str = ACC_00995, **query: Any) -> Any:
    """The 200 answer of a search on ``acc_no`` (its institution's credentials)."""
    defaults: dict[str, Any] = ({"qrAccNo": acc_no, "count": 50} if api == "tradebook" else
                                {"qrAssetType": "EQTY", "qrSellBuyType": "0", "qrAccNo": acc_no,
                                 "count": 50})
    response = post(client, api, body(api, {**defaults, **query}), ACCOUNTS[acc_no])
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def rows_of(api: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    _, _, block, item = BLOCKS[api]
    return data[block][item]  # type: ignore[no-any-return]


def result_of(api: str, data: dict[str, Any]) -> dict[str, Any]:
    return data[BLOCKS[api][1]]["queryResult"]  # type: ignore[no-any-return]


def walk(client: FlaskClient, api: str, acc_no: str, **query: Any) -> Iterator[dict[str, Any]]:
    """Every answer of a paged search, following ``queryResult.page`` until ``"null"``."""
    page: Any = "null"
    for _ in range(500):
        data = answer(client, api, acc_no, **{**query, "page": page})
        yield data
        page = result_of(api, data)["page"]
        if page == "null":
            return
    raise AssertionError("more than 500 pages")


def book(state: SandboxState, acc_no: str = ACC_00995) -> Book:
    account = discretionary.account_of(state.world, ACCOUNTS[acc_no], "samsung", acc_no)
    assert account is not None
    return discretionary.book_of(state.world, account)


def group_of(state: SandboxState, code: str) -> str | None:
    found = ledger.classify(state.world.universe, code) if code else None
    return None if found is None else found[0]


def orders(state: SandboxState, acc_no: str, day: date) -> list[Txn]:
    """The buys and sells of ``day`` that are orders (maturity redemptions are not)."""
    return [t for t in book(state, acc_no).txns if t.day == day and t.kind in (ASK, BID)
            and not (t.kind == BID and group_of(state, t.code) == ETC)]


def trade_days(state: SandboxState, acc_no: str, group: str, year: int) -> list[date]:
    return sorted({t.day for t in book(state, acc_no).txns if t.day.year == year
                   and t.kind in (ASK, BID) and group_of(state, t.code) == group})


def close(state: SandboxState, isin: str, day: date) -> int:
    inst = state.world.universe.by_isin(isin)
    assert inst is not None
    bar = state.world.market.closing_bar(inst, day)
    assert bar is not None
    return int(bar.close)


def cash_effect(kind: str, gross: int) -> int:
    """order.md §6.5: commission 0.015 % rounded down, sell taxes 0.30 % rounded down."""
    commission = int(gross * COMMISSION)
    return -(gross + commission) if kind == ASK else gross - commission - int(gross * SELL_TAX)


def ymd(day: date) -> str:
    return f"{day:%Y%m%d}"


def unsettled_day(state: SandboxState, acc_no: str) -> date:
    """Move the clock to 17:00 of the trading day after the account's last equity trade day
    and return that trade day (its executions settle T+2, after the clock's date)."""
    day = max(t.day for t in book(state, acc_no).txns
              if t.kind in (ASK, BID) and group_of(state, t.code) == EQTY)
    set_clock(state, f"{cal.next_trading_day(day)}T17:00:00+09:00")
    return day


# ------------------------------------------------------------------ documented examples
EXAMPLES = [(api, variant) for api in OPERATIONS for variant in ("", ".javasample-v1.1")]


@needs_shared
@pytest.mark.parametrize(("api", "variant"), EXAMPLES)
def test_documented_request_replays_verbatim(client: FlaskClient, api: str,
                                             variant: str) -> None:
    request = example(f"b2baccount/{api}_search{variant}.request.json")
    com_id = "uberple" if variant else "00995"
    response = post(client, api, request, com_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    sent = request[BLOCKS[api][0]]["queryParameter"]
    assert data[BLOCKS[api][1]]["queryParameter"] == sent  # echoed exactly (Q9)
    assert data["commonHeader"]["reqIdConsumer"] == request["commonHeader"]["reqIdConsumer"]
    result = result_of(api, data)
    assert result["count"] == len(rows_of(api, data)) <= result["totalCnt"]
    assert result["page"] == "null"
    rows = frozenset() if rows_of(api, data) else frozenset(
        path for path in _documented_paths(api, variant) if f".{BLOCKS[api][3]}[]" in path)
    assert_covers(f"b2baccount/{api}_search{variant}.response.json", data, ignore=rows)


def _documented_paths(api: str, variant: str) -> set[str]:
    return key_paths(example(f"b2baccount/{api}_search{variant}.response.json"))


def documented(client: FlaskClient, api: str, variant: str, **change: Any) -> Any:
    """The documented request of ``api`` with ``change`` in its queryParameter (every
    documented key kept, so the echo covers them), sent with its institution's credentials."""
    request = example(f"b2baccount/{api}_search{variant}.request.json")
    request[BLOCKS[api][0]][QP].update(change)
    response = post(client, api, request, "uberple" if variant else "00995")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@needs_shared
@pytest.mark.parametrize("variant", ["", ".javasample-v1.1"])
def test_rows_cover_the_documented_rows(client: FlaskClient, state: SandboxState,
                                        variant: str) -> None:
    acc_no = ACC_UBERPLE if variant else ACC_00995
    day = trade_days(state, acc_no, EQTY, 2017)[0]
    change = {"qrAccNo": acc_no, "qrSellBuyType": "0", "qrIsinCode": None}
    for api, query in (("orderdetail", {**change, "qrOrderDate": ymd(day)}),
                       ("tradebook", {"qrAccNo": acc_no, "qrFromDate": "20170101",
                                      "qrToDate": "20171231"})):
        data = documented(client, api, variant, **query)
        assert rows_of(api, data)
        assert_covers(f"b2baccount/{api}_search{variant}.response.json", data)
    day = unsettled_day(state, acc_no)
    data = documented(client, "settlelist", variant, **change, qrOrderDate=ymd(day))
    assert rows_of("settlelist", data)
    assert_covers(f"b2baccount/settlelist_search{variant}.response.json", data)


# ------------------------------------------------------------------------- orderdetail
@pytest.mark.parametrize("acc_no", [ACC_00995, ACC_UBERPLE])
def test_orderdetail_prices_and_costs_give_the_ledger_amounts(
        client: FlaskClient, state: SandboxState, acc_no: str) -> None:
    days = trade_days(state, acc_no, EQTY, 2017)
    assert len(days) >= 10
    for day in days:
        txns = [t for t in orders(state, acc_no, day) if group_of(state, t.code) == EQTY]
        rows = rows_of("orderdetail", answer(client, "orderdetail", acc_no,
                                             qrOrderDate=ymd(day)))
        assert len(rows) == len(txns)
        for row, txn in zip(rows, txns, strict=True):
            (execution,) = row["execList"]
            price = close(state, txn.code, day)
            assert row["orderPrice"] == execution["execPrice"] == price
            assert row["orderQty"] == row["execSumQty"] == execution["execQty"] == txn.qty
            assert cash_effect(txn.kind, price * txn.qty) == txn.amount
            assert row["sellBuyType"] == ("1" if txn.kind == BID else "2")
            assert row["isinInfo"][0] == {"isinType": "표준코드", "isinCode": txn.code,
                                          "isinName": row["isinInfo"][1]["isinName"]}
            assert row["orderTime"][:8] == execution["execTime"][:8] == ymd(day)
            assert row["orderTime"] < execution["execTime"] == f"{ymd(day)}15300000"


def scripted(monkeypatch: pytest.MonkeyPatch, state: SandboxState, day: date,
             trades: list[tuple[str, str, int, int]]) -> Book:
    """Replace the accounts' history by a deposit and ``trades`` (kind, ISIN, qty, price) on
    ``day``, with the cash amounts of order.md §6.5 (rows of the order service look so)."""
    rows: list[dict[str, Any]] = [{"day": ymd(day), "kind": "DEP", "amount": 10**9}]
    rows += [{"day": ymd(day), "kind": kind, "code": isin, "qty": qty,
              "amount": abs(cash_effect(kind, qty * price))} for kind, isin, qty, price in trades]
    scripted_book = ledger.replay(state.world.universe, rows)
    monkeypatch.setattr(discretionary, "book_of", lambda world, account: scripted_book)
    return scripted_book


SAMSUNG, DONGWHA = "KR7005930003", "KR7000020008"


def test_orderdetail_numbers_a_day_of_several_orders(client: FlaskClient, state: SandboxState,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    set_clock(state, f"{TODAY}T17:00:00+09:00")
    samsung, dongwha = close(state, SAMSUNG, TODAY), close(state, DONGWHA, TODAY)
    off_close = samsung + 1000  # not the close: the price comes from the cash amount
    scripted(monkeypatch, state, TODAY, [(ASK, SAMSUNG, 10, samsung), (ASK, DONGWHA, 5, dongwha),
                                         (BID, SAMSUNG, 4, off_close)])
    data = answer(client, "orderdetail")  # qrOrderDate defaults to the clock's date
    assert "qrOrderDate" not in data["orderDetailListResponseBody"]["queryParameter"]
    assert data == {**answer(client, "orderdetail", qrOrderDate=ymd(TODAY)),
                    "commonHeader": data["commonHeader"],
                    "orderDetailListResponseBody": data["orderDetailListResponseBody"]}
    rows = rows_of("orderdetail", data)
    assert [r["orderNo"] for r in rows] == ["0000012345", "0000012346", "0000012347"]
    assert [r["execList"][0]["execNo"] for r in rows] == [1, 2, 3]
    assert [r["orderPrice"] for r in rows] == [samsung, dongwha, off_close]
    assert [r["sellBuyType"] for r in rows] == ["2", "2", "1"]
    assert [r["isinInfo"][1]["isinCode"] for r in rows] == ["A005930", "A000020", "A005930"]
    times = [r["orderTime"] for r in rows]
    assert times == sorted(times) and len(set(times)) == 3
    for row in rows:
        assert (row["modifyType"], row["cancelType"], row["orgOrderNo"]) == ("0", "0", None)
        assert (row["orderType"], row["orderExecType"], row["cmsnType"]) == ("지정가", "체결",
                                                                             "일반")
        assert (row["exchange"], row["crcyCode"], row["orderRejectReason"]) == (None,) * 3
        assert (row["buyQtyUnit"], row["sellQtyUnit"], row["settDays"]) == (1, 1, 2)
        assert (row["accNo"], row["accName"]) == (ACC_00995, "홍길동")
        assert len(row["orderTime"]) == 16 and row["orderTime"].startswith(ymd(TODAY))
    only = answer(client, "orderdetail", qrOrderNo="0000012346")
    assert rows_of("orderdetail", only) == [rows[1]]
    sells = answer(client, "orderdetail", qrSellBuyType="1", qrIsinCode="A005930")
    assert rows_of("orderdetail", sells) == [rows[2]]


def test_settlelist_one_row_per_issue_and_side(client: FlaskClient, state: SandboxState,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    set_clock(state, f"{TODAY}T17:00:00+09:00")
    samsung, dongwha = close(state, SAMSUNG, TODAY), close(state, DONGWHA, TODAY)
    scripted(monkeypatch, state, TODAY, [(ASK, SAMSUNG, 10, samsung), (ASK, DONGWHA, 5, dongwha),
                                         (ASK, SAMSUNG, 7, samsung), (BID, SAMSUNG, 3, samsung)])
    rows = rows_of("settlelist", answer(client, "settlelist"))
    assert [(r["isinInfo"][0]["isinCode"], r["sellBuyType"], r["settQty"]) for r in rows] == [
        (SAMSUNG, "2", 17), (DONGWHA, "2", 5), (SAMSUNG, "1", 3)]
    first = rows[0]
    gross = 17 * samsung
    fees = int(10 * samsung * COMMISSION) + int(7 * samsung * COMMISSION)
    assert first["costInfo"] == [{"costName": "일반수수료", "cost": fees}]
    assert first["settAmt"] == gross + fees == -(cash_effect(ASK, 10 * samsung)
                                                  + cash_effect(ASK, 7 * samsung))
    assert {r["settDate"] for r in rows} == {ymd(ledger.t_plus(TODAY, 2))}
    set_clock(state, f"{ledger.t_plus(TODAY, 2)}T17:00:00+09:00")
    assert rows_of("settlelist", answer(client, "settlelist", qrOrderDate=ymd(TODAY))) == []


def test_orderdetail_fund_orders(client: FlaskClient, state: SandboxState) -> None:
    day = trade_days(state, ACC_UBERPLE, FUND, 2017)[0]
    data = answer(client, "orderdetail", ACC_UBERPLE, qrAssetType="FUND", qrOrderDate=ymd(day))
    txns = [t for t in orders(state, ACC_UBERPLE, day) if group_of(state, t.code) == FUND]
    rows = rows_of("orderdetail", data)
    assert len(rows) == len(txns) >= 1
    for row, txn in zip(rows, txns, strict=True):
        assert row["isinInfo"][0]["isinType"] == "펀드코드"
        assert row["isinInfo"][0]["isinCode"] == txn.code
        assert row["settDays"] == 0
        assert int(txn.qty * row["orderPrice"] / FUND_UNITS) == abs(txn.amount)
    equities = answer(client, "orderdetail", ACC_UBERPLE, qrOrderDate=ymd(day))
    assert all(r["isinInfo"][0]["isinType"] == "표준코드"
               for r in rows_of("orderdetail", equities))


def test_orderdetail_side_filter_splits_the_day(client: FlaskClient,
                                                state: SandboxState) -> None:
    days = trade_days(state, ACC_00995, EQTY, 2017)
    counted = {"0": 0, "1": 0, "2": 0}
    for day in days:
        for side, wanted in (("0", {"1", "2"}), ("1", {"1"}), ("2", {"2"})):
            rows = rows_of("orderdetail", answer(client, "orderdetail", qrSellBuyType=side,
                                                 qrOrderDate=ymd(day)))
            assert {r["sellBuyType"] for r in rows} <= wanted
            counted[side] += len(rows)
    assert counted["0"] == counted["1"] + counted["2"]
    assert counted["1"] > 0 and counted["2"] > 0


def test_orderdetail_issue_and_order_number_filters(client: FlaskClient,
                                                    state: SandboxState) -> None:
    day = trade_days(state, ACC_00995, EQTY, 2017)[0]
    (row, *_) = rows_of("orderdetail", answer(client, "orderdetail", qrOrderDate=ymd(day)))
    short = row["isinInfo"][1]["isinCode"]
    for code in (row["isinInfo"][0]["isinCode"], short, short[1:]):
        rows = rows_of("orderdetail", answer(client, "orderdetail", qrOrderDate=ymd(day),
                                             qrIsinCode=code))
        assert rows and {r["isinInfo"][1]["isinCode"] for r in rows} == {short}
    other = "KR7000020008" if short != "A000020" else "KR7005930003"
    data = answer(client, "orderdetail", qrOrderDate=ymd(day), qrIsinCode=other)
    assert rows_of("orderdetail", data) == [] and result_of("orderdetail", data)["totalCnt"] == 0
    found = rows_of("orderdetail", answer(client, "orderdetail", qrOrderDate=ymd(day),
                                          qrOrderNo=row["orderNo"]))
    assert found == [row]
    assert rows_of("orderdetail", answer(client, "orderdetail", qrOrderDate=ymd(day),
                                         qrOrderNo="9999999999")) == []


# -------------------------------------------------------------------------- settlelist
@pytest.mark.parametrize("acc_no", [ACC_00995, ACC_UBERPLE, "40113387510"])
def test_settlelist_aggregates_the_unsettled_executions(client: FlaskClient,
                                                        state: SandboxState,
                                                        acc_no: str) -> None:
    day = unsettled_day(state, acc_no)
    txns = [t for t in orders(state, acc_no, day) if group_of(state, t.code) == EQTY]
    rows = rows_of("settlelist", answer(client, "settlelist", acc_no, qrOrderDate=ymd(day)))
    assert len(rows) == len({(t.code, t.kind) for t in txns}) >= 1
    for row in rows:
        isin = row["isinInfo"][0]["isinCode"]
        kind = BID if row["sellBuyType"] == "1" else ASK
        mine = [t for t in txns if t.code == isin and t.kind == kind]
        gross = sum(t.qty for t in mine) * close(state, isin, day)
        assert row["settQty"] == sum(t.qty for t in mine)
        assert row["settAmt"] == abs(sum(t.amount for t in mine))
        assert row["costTotal"] == sum(c["cost"] for c in row["costInfo"])
        assert row["settAmt"] == (gross + row["costTotal"] if kind == ASK
                                  else gross - row["costTotal"])
        assert row["settDate"] == ymd(mine[0].settles) == ymd(ledger.t_plus(day, 2))
        names = [c["costName"] for c in row["costInfo"]]
        assert "일반수수료" in names and (("거래세" in names) == (kind == BID))
        assert (row["tradeType"], row["loanCreditDate"], row["loanCreditAmt"]) == ("보통", None,
                                                                                   0)


def test_settlelist_kospi_sale_costs(client: FlaskClient, state: SandboxState) -> None:
    """A KOSPI stock sale: 거래세 0.15 % and 농특세 for the rest of the 0.30 %."""
    for acc_no in ACCOUNTS:
        for txn in book(state, acc_no).txns:
            inst = state.world.universe.by_isin(txn.code) if txn.kind == BID else None
            if inst is not None and inst.kind == "stock" and inst.market == "kospi" \
                    and txn.day.year == 2017:
                set_clock(state, f"{cal.next_trading_day(txn.day)}T17:00:00+09:00")
                data = answer(client, "settlelist", acc_no, qrOrderDate=ymd(txn.day),
                              qrSellBuyType="1", qrIsinCode=txn.code)
                (row,) = rows_of("settlelist", data)
                gross = txn.qty * close(state, txn.code, txn.day)
                costs = {c["costName"]: c["cost"] for c in row["costInfo"]}
                assert costs == {"거래세": int(gross * 0.0015),
                                 "농특세": int(gross * SELL_TAX) - int(gross * 0.0015),
                                 "일반수수료": int(gross * COMMISSION)}
                return
    raise AssertionError("no KOSPI stock sale in 2017")


def test_settled_trades_leave_the_settlelist(client: FlaskClient, state: SandboxState) -> None:
    day = unsettled_day(state, ACC_00995)
    assert rows_of("settlelist", answer(client, "settlelist", qrOrderDate=ymd(day)))
    set_clock(state, f"{ledger.t_plus(day, 2)}T17:00:00+09:00")
    data = answer(client, "settlelist", qrOrderDate=ymd(day))
    assert rows_of("settlelist", data) == [] and result_of("settlelist", data)["totalCnt"] == 0
    assert rows_of("orderdetail", answer(client, "orderdetail", qrOrderDate=ymd(day)))


# --------------------------------------------------------------------------- tradebook
def test_tradebook_is_a_running_balance(client: FlaskClient, state: SandboxState) -> None:
    txns = book(state, ACC_UBERPLE).txns
    start, end = date(2017, 1, 1), date(2017, 12, 31)
    rows = [r for data in walk(client, "tradebook", ACC_UBERPLE, qrFromDate=ymd(start),
                               qrToDate=ymd(end)) for r in rows_of("tradebook", data)]
    inside = [t for t in txns if start <= t.day <= end]
    assert len(rows) == len(inside) > 50
    before = sum(t.amount for t in txns if t.day < start)
    assert rows[0]["amt"] == before + rows[0]["changeAmt"]
    for previous, row in itertools.pairwise(rows):
        assert row["amt"] == previous["amt"] + row["changeAmt"]
        assert row["transDate"] >= previous["transDate"]
    assert [r["changeAmt"] for r in rows] == [t.amount for t in inside]


def test_tradebook_quantities_follow_the_trades(client: FlaskClient,
                                                state: SandboxState) -> None:
    data = answer(client, "tradebook", ACC_00995, qrFromDate="20160104", qrToDate="20161231")
    assert result_of("tradebook", data)["totalCnt"] > 50  # walks below cover every page
    held: dict[str, int] = {}
    kinds = set()
    for data in walk(client, "tradebook", ACC_00995, qrFromDate="20160104",
                     qrToDate="20161231"):
        for row in rows_of("tradebook", data):
            kinds.add((row["transType"], row["summary"]))
            if not row["isinInfo"]:
                assert (row["changeQty"], row["qty"], row["costInfo"]) == (0, 0, [])
                continue
            code = row["isinInfo"][0]["isinCode"]
            assert row["qty"] == held.get(code, 0) + row["changeQty"]
            held[code] = row["qty"]
            sign = 1 if row["transType"] == "ASK" else -1
            assert sign * row["changeQty"] > 0 and -sign * row["changeAmt"] > 0
    assert {("ASK", "매수"), ("BID", "매도"), ("DEP", "이체입금"), ("DEP", "이자")} <= kinds


def test_tradebook_costs_match_the_market_price(client: FlaskClient,
                                                state: SandboxState) -> None:
    checked = 0
    for data in walk(client, "tradebook", ACC_UBERPLE, qrFromDate="20170101",
                     qrToDate="20171231"):
        for row in rows_of("tradebook", data):
            if not row["isinInfo"] or row["isinInfo"][0]["isinType"] != "표준코드":
                continue
            day = date.fromisoformat(f"{row['transDate'][:4]}-{row['transDate'][4:6]}-"
                                     f"{row['transDate'][6:]}")
            gross = abs(row["changeQty"]) * close(state, row["isinInfo"][0]["isinCode"], day)
            costs = sum(c["cost"] for c in row["costInfo"])
            expected = -(gross + costs) if row["transType"] == "ASK" else gross - costs
            assert row["changeAmt"] == expected == cash_effect(row["transType"], gross)
            assert (row["exchange"], row["crcyCode"], row["subject"]) == (None, "KRW", "위탁자")
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("count", [1, 7, 50, "7", 0, None])
def test_tradebook_pages_walk_every_row_once(client: FlaskClient, state: SandboxState,
                                             count: Any) -> None:
    query = {"qrFromDate": "20170301", "qrToDate": "20170831", "count": count}
    pages = list(walk(client, "tradebook", ACC_00995, **query))
    rows = [r for data in pages for r in rows_of("tradebook", data)]
    size = 50 if count in (0, None) else int(count)
    assert all(result_of("tradebook", d)["count"] == len(rows_of("tradebook", d)) <= size
               for d in pages)
    assert {result_of("tradebook", d)["totalCnt"] for d in pages} == {len(rows)}
    expected = [t for t in book(state).txns if date(2017, 3, 1) <= t.day <= date(2017, 8, 31)]
    assert len(rows) == len(expected) > 7
    assert [r["changeAmt"] for r in rows] == [t.amount for t in expected]
    assert pages[-1][BLOCKS["tradebook"][1]]["queryResult"]["page"] == "null"


def test_tradebook_one_year_is_allowed(client: FlaskClient) -> None:
    data = answer(client, "tradebook", qrFromDate="20160101", qrToDate="20161231")
    assert result_of("tradebook", data)["totalCnt"] > 0


# ------------------------------------------------------------------------------ errors
def _without(api: str, *path: str) -> dict[str, Any]:
    payload = body(api, {"qrAssetType": "EQTY", "qrSellBuyType": "0", "qrAccNo": ACC_00995,
                         "qrFromDate": "20170101", "qrToDate": "20170131", "count": 0})
    target = payload
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return payload


MISSING = [
    ("orderdetail", ("orderDetailListRequestBody", QP)),
    ("settlelist", ("settleListRequestBody", QP)),
    ("tradebook", ("tradeBookListRequestBody", QP)),
    ("orderdetail", ("orderDetailListRequestBody",)),
    ("orderdetail", ("partner",)),
    ("orderdetail", ("orderDetailListRequestBody", QP, "qrAccNo")),
    ("settlelist", ("settleListRequestBody", QP, "qrAccNo")),
    ("tradebook", ("tradeBookListRequestBody", QP, "qrAccNo")),
    ("tradebook", ("tradeBookListRequestBody", QP, "qrFromDate")),
    ("tradebook", ("tradeBookListRequestBody", QP, "qrToDate")),
    ("orderdetail", ("orderDetailListRequestBody", QP, "qrAssetType")),
    ("settlelist", ("settleListRequestBody", QP, "qrAssetType")),
    ("orderdetail", ("orderDetailListRequestBody", QP, "qrSellBuyType")),
    ("settlelist", ("settleListRequestBody", QP, "qrSellBuyType")),
]


@pytest.mark.parametrize(("api", "path"), MISSING)
def test_missing_required_field_is_3003(client: FlaskClient, api: str,
                                        path: tuple[str, ...]) -> None:
    error = assert_platform_error(post(client, api, _without(api, *path)), 400, "op-exco", 3003)
    assert error["description"] == ".".join(path)


@pytest.mark.parametrize("value", ["", None, "  "])
def test_blank_required_field_is_3003(client: FlaskClient, value: Any) -> None:
    payload = body("tradebook", {"qrAccNo": ACC_00995, "qrFromDate": value,
                                 "qrToDate": "20170131"})
    error = assert_platform_error(post(client, "tradebook", payload), 400, "op-exco", 3003)
    assert error["description"] == "tradeBookListRequestBody.queryParameter.qrFromDate"


BAD_QUERIES = [  # (api, query change, code, message)
    ("orderdetail", {"qrAccNo": ACC_UBERPLE}, 4001, "Account Not Found"),
    ("settlelist", {"qrAccNo": "001-01-992323232"}, 4001, "Account Not Found"),
    ("tradebook", {"qrAccNo": ACC_UBERPLE}, 4001, "Account Not Found"),
    ("orderdetail", {"qrAssetType": "KSP"}, 6001, "Invalid Asset Type"),
    ("settlelist", {"qrAssetType": "CASH"}, 6001, "Invalid Asset Type"),
    ("orderdetail", {"qrSellBuyType": "3"}, 7000, "Bad Request,[qrSellBuyType]"),
    ("settlelist", {"qrSellBuyType": "BID"}, 7000, "Bad Request,[qrSellBuyType]"),
    ("orderdetail", {"qrOrderDate": "2017-06-22"}, 7000, "Bad Request,[qrOrderDate]"),
    ("tradebook", {"qrFromDate": "20170201", "qrToDate": "20170131"}, 7000,
     "Bad Request,[qrFromDate > qrToDate]"),
    ("tradebook", {"qrFromDate": "201701"}, 7000, "Bad Request,[qrFromDate]"),
    ("tradebook", {"qrFromDate": "20160101", "qrToDate": "20170101"}, 6006,
     "Date Range Exceeded,[366]"),
    ("orderdetail", {"page": "abc"}, 6003, "Invalid Page Value"),
    ("settlelist", {"page": "201706220000000001"}, 6003, "Invalid Page Value"),
    ("tradebook", {"page": "201701020000000999"}, 6003, "Invalid Page Value"),
    ("orderdetail", {"qrIsinCode": "KR7999999999"}, 6007, "Invalid Isincode"),
    ("settlelist", {"qrIsinCode": "A999999"}, 6007, "Invalid Isincode"),
    # several faults: ERRATA 1 step 14 order 4001, 6001, 6003, 6006, 6007, 7000
    ("orderdetail", {"qrAssetType": "X", "page": "abc", "qrAccNo": ACC_UBERPLE}, 4001,
     "Account Not Found"),
    ("orderdetail", {"qrAssetType": "X", "page": "abc"}, 6001, "Invalid Asset Type"),
    ("orderdetail", {"qrIsinCode": "KR7999999999", "page": "abc"}, 6003, "Invalid Page Value"),
    ("orderdetail", {"qrIsinCode": "KR7999999999", "qrSellBuyType": "9"}, 6007,
     "Invalid Isincode"),
    ("tradebook", {"qrFromDate": "20180101", "qrToDate": "20160101", "page": "x"}, 6003,
     "Invalid Page Value"),
]


@pytest.mark.parametrize(("api", "change", "code", "message"), BAD_QUERIES)
def test_broker_errors(client: FlaskClient, api: str, change: dict[str, Any], code: int,
                       message: str) -> None:
    query = {"qrAccNo": ACC_00995, "count": 0, **(
        {"qrFromDate": "20170101", "qrToDate": "20170131"} if api == "tradebook" else
        {"qrAssetType": "EQTY", "qrSellBuyType": "0", "qrOrderDate": "20170622"}), **change}
    error = assert_platform_error(post(client, api, body(api, query)), 500, "samsung", code)
    assert error["message"] == message


@pytest.mark.parametrize("api", list(OPERATIONS))
def test_unknown_broker_is_3002(client: FlaskClient, api: str) -> None:
    payload = body(api, {"qrAccNo": ACC_00995, "qrAssetType": "EQTY", "qrSellBuyType": "0",
                         "qrFromDate": "20170101", "qrToDate": "20170131"})
    assert_platform_error(post(client, api, payload, broker="kyobo"), 400, "op-exco", 3002)


@pytest.mark.parametrize("api", list(OPERATIONS))
def test_credentials_and_com_id_header(client: FlaskClient, api: str) -> None:
    payload = body(api, {"qrAccNo": ACC_00995, "qrAssetType": "EQTY", "qrSellBuyType": "0",
                         "qrFromDate": "20170101", "qrToDate": "20170131"})
    wrong = {**headers("00995"), "comId": "uberple"}
    assert_platform_error(post(client, api, payload, hdrs=wrong), 403, "op-auth", 2100)
    missing = {k: v for k, v in headers("00995").items() if k != "comId"}
    error = assert_platform_error(post(client, api, payload, hdrs=missing), 400, "op-exco", 3003)
    assert error["description"] == "comId"
    assert_platform_error(post(client, api, payload, hdrs={"comId": "00995"}), 401, "op-apim",
                          401)
    bad = {**headers("00995"), "Authorization": "Basic " + base64.b64encode(
        f"{B2B_KEY}:wrong".encode()).decode()}
    assert_platform_error(post(client, api, payload, hdrs=bad), 401, "op-apim", 401)


def test_a_uberple_account_is_not_00995s_and_vice_versa(client: FlaskClient) -> None:
    for api in OPERATIONS:
        query = {"qrAssetType": "EQTY", "qrSellBuyType": "0", "qrFromDate": "20170101",
                 "qrToDate": "20170131", "qrAccNo": ACC_00995}
        response = post(client, api, body(api, query), "uberple")
        assert_platform_error(response, 500, "samsung", 4001)
        assert post(client, api, body(api, {**query, "qrAccNo": ACC_UBERPLE}),
                    "uberple").status_code == 200


def test_future_dates_give_no_rows(client: FlaskClient) -> None:
    later = ymd(TODAY + timedelta(days=30))
    for api in ("orderdetail", "settlelist"):
        assert rows_of(api, answer(client, api, qrOrderDate=later)) == []
    data = answer(client, "tradebook", qrFromDate=ymd(TODAY), qrToDate=later)
    assert rows_of("tradebook", data) == []
