"""The order service (operations ``order.new``, ``order.replace``, ``order.cancel``,
``order.newlist``, ``order.listcancel``; order.md §3-§7 [proposed]): acknowledgements, the
messages the broker side produces, matching against the simulated market, the Korean modify
rules, every reject of §6.8, and the read-back through b2baccount."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from tests.conftest import (
    F9999_KEY,
    assert_covers,
    assert_platform_error,
    b2b_body,
    b2b_headers,
    b2b_post,
    example,
    market_get,
    ok,
    set_clock,
)

ACC = "0019923122221"
SAMSUNG = "KR7005930003"
_ids = itertools.count(1)


def fields(**more: Any) -> dict[str, Any]:
    """A limit buy of 10 Samsung Electronics far below the market (it rests)."""
    return {"msgType": "D", "clOrdID": f"T-{next(_ids):06d}", "account": ACC,
            "securityID": SAMSUNG, "securityIDSource": "4", "symbol": "005930", "side": "1",
            "ordType": "2", "price": 20000, "orderQty": 10, "timeInForce": "0",
            "transactTime": "20261124-01:00:00.000", **more}


def send(client: FlaskClient, api: str, body: dict[str, Any], com_id: str = "00995") -> Any:
    block = {"new": "newOrderSingleRequestBody", "replace": "orderCancelReplaceRequestBody",
             "cancel": "orderCancelRequestBody"}[api]
    payload = {"partner": {"comId": com_id, "srvId": "100"},
               "commonHeader": {"reqIdConsumer": body.get("clOrdID")}, block: body}
    return client.post(f"/v1/samsung/order/{api}", json=payload, headers=b2b_headers(com_id))


def place(client: FlaskClient, **more: Any) -> dict[str, Any]:
    body = fields(**more)
    ok(send(client, "new", body))
    return body


def messages(client: FlaskClient, com_id: str = "00995") -> list[dict[str, Any]]:
    return ok(client.get(f"/_sandbox/orders/{com_id}"))["messages"]  # type: ignore[no-any-return]


def reports_of(client: FlaskClient, cl_ord_id: str) -> list[dict[str, Any]]:
    return [m.get("executionReport") or m["orderCancelReject"] for m in messages(client)
            if (m.get("executionReport") or m["orderCancelReject"])["clOrdID"] == cl_ord_id]


def last_report(client: FlaskClient, cl_ord_id: str) -> dict[str, Any]:
    return reports_of(client, cl_ord_id)[-1]


def price_now(client: FlaskClient, code: str = "005930") -> Any:
    return ok(market_get(client, f"/v2/market/stocks/kospi/{code}/price"))["result"]


def orderdetail(client: FlaskClient, **query: Any) -> list[dict[str, Any]]:
    body = ok(b2b_post(client, "orderdetail", b2b_body("orderdetail", {
        "qrAccNo": ACC, "qrAssetType": "EQTY", "qrSellBuyType": "0", **query})))
    return body["orderDetailList"]["orderDetail"]  # type: ignore[no-any-return]


def holding(client: FlaskClient, isin: str = SAMSUNG) -> int:
    body = ok(b2b_post(client, "balancelist", b2b_body("balancelist", {
        "qrAccNo": ACC, "qrAssetType": "EQTY", "count": 100})))
    rows = body["balanceList"]["balance"][0]["securitiesBalInfo"]
    return sum(r["qty"] for r in rows if r["isinInfo"][0]["isinCode"] == isin)


# ---------------------------------------------------------------------- acknowledgements
def test_documented_new_order_is_acknowledged_then_reported(client: FlaskClient) -> None:
    response = ok(send(client, "new", example("order/new_order_single.request.json")
                       ["newOrderSingleRequestBody"]))
    assert_covers("order/new_order_single.response.json", response)
    ack = response["newOrderSingleResponseBody"]
    assert ack["ackStatus"] == "ACCEPTED" and ack["clOrdID"] == "ADV00995-20180615-000001"
    assert ack["platformRecvTime"] == "20261124-01:00:00.000"  # UTC of the frozen 10:00 KST
    (report,) = reports_of(client, "ADV00995-20180615-000001")
    # 51,000 is above 005930's simulated upper limit today: the broker rejects it
    assert (report["execType"], report["ordRejReason"]) == ("8", "99")
    assert report["text"].startswith("가격제한폭 초과")


def test_list_messages_are_refused(client: FlaskClient) -> None:
    for api in ("newlist", "listcancel"):
        body = assert_platform_error(client.post(f"/v1/samsung/order/{api}", json={},
                                                 headers=b2b_headers()), 400, "op-apim", 400)
        assert body["description"] == example("order/new_order_list.response.json")[
            "description"]


@pytest.mark.parametrize(("change", "status", "category", "code"), [
    ({"clOrdID": None}, 400, "op-exco", 3003),
    ({"account": "  "}, 400, "op-exco", 3003),
    ({"ordType": "X"}, 400, "op-apim", 400),
    ({"side": "Z"}, 400, "op-apim", 400),
    ({"orderQty": 0}, 400, "op-apim", 400),
    ({"orderQty": 1.5}, 400, "op-apim", 400),
    ({"price": None}, 400, "op-apim", 400),
    ({"timeInForce": "9"}, 400, "op-apim", 400),
])
def test_json_level_checks_answer_synchronously(client: FlaskClient, change: dict[str, Any],
                                                status: int, category: str, code: int) -> None:
    body = {k: v for k, v in fields(**change).items() if v is not None or k == "price"}
    assert_platform_error(send(client, "new", body), status, category, code)
    assert messages(client) == []  # nothing reached the broker


def test_only_discretionary_institutions_may_order(client: FlaskClient) -> None:
    payload = {"partner": {}, "newOrderSingleRequestBody": fields()}
    assert_platform_error(client.post("/v1/samsung/order/new", json=payload,
                                      headers={"apikey": F9999_KEY}), 401, "op-apim", 401)
    wrong = {**b2b_headers(), "comId": "uberple"}
    assert_platform_error(client.post("/v1/samsung/order/new", json=payload, headers=wrong),
                          403, "op-auth", 2100)
    assert_platform_error(client.post("/v1/kyobo/order/new", json=payload,
                                      headers=b2b_headers()), 400, "op-exco", 3002)


# ------------------------------------------------------------------------------ matching
def test_a_market_buy_fills_at_the_reference_price_and_moves_the_books(
        client: FlaskClient) -> None:
    before = holding(client)
    body = place(client, ordType="1", price=None, orderQty=7)
    new, fill = reports_of(client, body["clOrdID"])
    assert (new["execType"], new["ordStatus"], new["leavesQty"]) == ("0", "0", 7)
    reference = price_now(client)["trdPrc"]
    assert (fill["execType"], fill["ordStatus"], fill["lastQty"], fill["lastPx"]) == (
        "F", "2", 7, reference)
    assert (fill["cumQty"], fill["leavesQty"], fill["avgPx"]) == (7, 0, reference)
    assert holding(client) == before + 7
    (row,) = orderdetail(client)
    assert (row["orderExecType"], row["execSumQty"], row["orderType"]) == ("체결", 7, "시장가")
    assert row["execList"][0]["execPrice"] == reference and row["orderPrice"] == 0


def test_a_resting_limit_fills_at_the_first_trade_that_reaches_it(
        client: FlaskClient, state: SandboxState) -> None:
    inst = state.world.universe.get("005930")
    assert inst is not None
    from datetime import date

    trades = [t for t in state.world.market.trades(inst, date(2026, 11, 24))
              if 10000000 < t.time < 15200000]
    limit = min(t.price for t in trades)
    first = next(t for t in trades if t.price <= limit)
    body = place(client, price=limit)
    assert [r["execType"] for r in reports_of(client, body["clOrdID"])] == ["0"]
    set_clock(state, "2026-11-24T15:25:00+09:00")
    fill = last_report(client, body["clOrdID"])
    assert (fill["execType"], fill["lastPx"], fill["lastQty"]) == ("F", limit, 10)
    hh, mm, ss = first.time // 1_000_000, first.time // 10_000 % 100, first.time // 100 % 100
    assert fill["transactTime"][9:17] == f"{hh - 9:02d}:{mm:02d}:{ss:02d}"  # UTC
    (row,) = orderdetail(client)
    assert row["execList"][0]["execTime"] == f"20261124{first.time:08d}"


def test_unfilled_day_orders_expire_at_the_close(client: FlaskClient,
                                                 state: SandboxState) -> None:
    inst = state.world.universe.get("005930")
    assert inst is not None
    floor = state.world.market.quote(inst, state.world.now()).lower_limit
    body = place(client, price=floor)  # the lower limit: below the day's low
    set_clock(state, "2026-11-24T15:40:00+09:00")
    report = last_report(client, body["clOrdID"])
    assert (report["execType"], report["ordStatus"]) == ("4", "4")
    assert report["text"].startswith("장종료 자동취소")
    assert report["transactTime"] == "20261124-06:30:00.000"
    (row,) = orderdetail(client)
    assert row["orderExecType"] == "접수"


def test_ioc_and_fok_that_cannot_fill_are_cancelled_at_once(client: FlaskClient) -> None:
    for tif in ("3", "4"):
        body = place(client, timeInForce=tif)
        assert [r["execType"] for r in reports_of(client, body["clOrdID"])] == ["0", "4"]


# ------------------------------------------------------------------------------- rejects
@pytest.mark.parametrize(("change", "reason", "text"), [
    ({"securityID": "KR7999999999"}, "1", "종목코드 오류"),
    ({"symbol": "000660"}, "1", "종목코드 오류"),
    ({"account": "40113387510"}, "99", "일임계약 계좌가 아닙니다"),  # uberple's
    ({"ordType": "3"}, "11", "지원하지 않는 주문유형"),
    ({"timeInForce": "1"}, "11", "지원하지 않는 주문유형"),
    ({"side": "5"}, "11", "지원하지 않는 주문유형"),
    ({"price": 20001}, "99", "호가단위 오류"),
    ({"orderQty": 10_000_000}, "3", "주문가능금액 부족"),
    ({"side": "2", "orderQty": 1}, "3", "매도가능수량 부족"),
])
def test_business_rejects(client: FlaskClient, change: dict[str, Any], reason: str,
                          text: str) -> None:
    body = place(client, **change)
    (report,) = reports_of(client, body["clOrdID"])
    assert (report["execType"], report["ordStatus"], report["ordRejReason"]) == ("8", "8",
                                                                                  reason)
    assert report["text"].startswith(text) and report["orderID"]
    if change.get("account") is None:  # the read-back of the institution's own account
        (row,) = orderdetail(client)
        assert (row["orderExecType"], row["orderRejectReason"]) == ("거부", text)


def test_a_duplicate_cl_ord_id_is_rejected_without_an_order_number(client: FlaskClient) -> None:
    body = place(client)
    ok(send(client, "new", {**body, "price": 20050}))
    first, duplicate = reports_of(client, body["clOrdID"])
    assert first["execType"] == "0"
    assert (duplicate["execType"], duplicate["ordRejReason"], duplicate["orderID"]) == (
        "8", "6", None)
    assert len(orderdetail(client)) == 1


# ------------------------------------------------------------------- modify and cancel
def replace(client: FlaskClient, orig: dict[str, Any], **change: Any) -> dict[str, Any]:
    body = {**orig, "msgType": "G", "clOrdID": f"R-{next(_ids):06d}",
            "origClOrdID": orig["clOrdID"], **change}
    ok(send(client, "replace", body))
    return body


def test_a_re_price_gets_a_new_number_and_a_modify_row(client: FlaskClient) -> None:
    orig = place(client)
    new = reports_of(client, orig["clOrdID"])[0]
    body = replace(client, orig, price=20050)
    report = last_report(client, body["clOrdID"])
    assert (report["execType"], report["ordStatus"], report["origOrderID"]) == (
        "5", "0", new["orderID"])
    assert report["orderID"] != new["orderID"] and report["price"] == 20050
    first, modify = orderdetail(client)
    assert (modify["modifyType"], modify["orgOrderNo"], modify["orderQty"],
            modify["orderPrice"], modify["orderExecType"]) == ("1", first["orderNo"], 10, 20050,
                                                               "정정확인")


@pytest.mark.parametrize(("change", "text"), [
    ({"price": 20050, "orderQty": 8}, "가격정정은 잔량 전부에 대해서만 가능"),
    ({"orderQty": 11}, "수량 증가 정정 불가"),
    ({}, "정정 내용 없음"),
    ({"side": "2"}, "정정 불가 항목 변경"),
    ({"price": 20001}, "호가단위 오류"),
])
def test_korean_modify_rules(client: FlaskClient, change: dict[str, Any], text: str) -> None:
    orig = place(client)
    body = replace(client, orig, **change)
    report = last_report(client, body["clOrdID"])
    assert (report["cxlRejResponseTo"], report["cxlRejReason"]) == ("2", "99")
    assert report["text"].startswith(text) and report["ordStatus"] == "0"


def test_a_quantity_reduction_is_a_partial_cancel(client: FlaskClient) -> None:
    orig = place(client)
    body = replace(client, orig, orderQty=6)
    report = last_report(client, body["clOrdID"])
    assert (report["execType"], report["leavesQty"], report["orderQty"]) == ("5", 6, 6)


def test_cancel_and_the_too_late_and_unknown_answers(client: FlaskClient) -> None:
    orig = place(client)
    cancel = {**orig, "msgType": "F", "clOrdID": "C-1", "origClOrdID": orig["clOrdID"]}
    ok(send(client, "cancel", cancel))
    report = last_report(client, "C-1")
    assert (report["execType"], report["ordStatus"], report["leavesQty"]) == ("4", "4", 0)
    ok(send(client, "cancel", {**cancel, "clOrdID": "C-2", "origClOrdID": "C-1"}))
    late = last_report(client, "C-2")
    assert (late["cxlRejResponseTo"], late["cxlRejReason"]) == ("1", "0")
    ok(send(client, "cancel", {**cancel, "clOrdID": "C-3", "origClOrdID": "nope"}))
    assert last_report(client, "C-3")["cxlRejReason"] == "1"
    _, row = orderdetail(client)
    assert (row["cancelType"], row["orderQty"], row["orderPrice"], row["orderExecType"]) == (
        "1", 10, 0, "취소확인")


# ------------------------------------------------------------------------ sequencing
def test_sequence_numbers_per_institution_and_concurrent_orders(client: FlaskClient,
                                                                 app: Any) -> None:
    errors: list[BaseException] = []

    def burst() -> None:
        mine = app.test_client()
        try:
            for _ in range(10):
                assert send(mine, "new", fields()).status_code == 200
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=burst) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = [m["seqNo"] for m in messages(client)]
    assert seqs == list(range(1, 61))
    orders = ok(client.get("/_sandbox/orders/00995"))["orders"]
    numbers = [chain["orderID"] for chain in orders]
    assert len(numbers) == len(set(numbers)) == 60
    uberple = {**fields(account="40113387510"), "clOrdID": "U-1"}
    ok(send(client, "new", uberple, com_id="uberple"))
    assert [m["seqNo"] for m in messages(client, "uberple")] == [1]


def test_the_report_channel_is_in_openapi(client: FlaskClient) -> None:
    operation = ok(client.get("/openapi.json"))["paths"]["/v1/order/ws"]["get"]
    assert set(operation["responses"]) == {"101", "400", "401", "403", "426"}
    assert_platform_error(client.get("/v1/order/ws"), 426, "op-apim", 426)


# ------------------------------------------------------------------ the session table
@pytest.fixture
def sessions(state: SandboxState) -> SandboxState:
    """``--order-sessions``: the §6.2 session table is enforced."""
    state.world.settings = dataclasses.replace(state.world.settings, order_sessions=True)
    return state


def test_with_sessions_orders_outside_hours_are_rejected(client: FlaskClient,
                                                         sessions: SandboxState) -> None:
    resting = place(client)  # 10:00, continuous session: accepted
    assert last_report(client, resting["clOrdID"])["execType"] == "0"
    for instant in ("2026-11-24T16:00:00+09:00", "2026-11-24T08:00:00+09:00",
                    "2026-11-28T10:00:00+09:00"):  # after the close, before 08:30, Saturday
        set_clock(sessions, instant)
        body = place(client)
        report = last_report(client, body["clOrdID"])
        assert (report["execType"], report["ordRejReason"]) == ("8", "2")
        assert report["text"].startswith("장운영시간이 아닙니다")
    set_clock(sessions, "2026-11-24T16:00:00+09:00")
    ok(send(client, "cancel", {**resting, "msgType": "F", "clOrdID": "C-late",
                               "origClOrdID": resting["clOrdID"]}))
    late = last_report(client, "C-late")
    assert (late["cxlRejReason"], late["text"][:6]) == ("99", "장운영시간이")


def test_with_sessions_the_opening_auction_matches_at_the_open(client: FlaskClient,
                                                               sessions: SandboxState) -> None:
    set_clock(sessions, "2026-11-24T08:45:00+09:00")  # the opening call auction
    body = place(client, ordType="1", price=None, orderQty=2)
    assert [r["execType"] for r in reports_of(client, body["clOrdID"])] == ["0"]  # queued
    set_clock(sessions, "2026-11-24T09:05:00+09:00")
    fill = last_report(client, body["clOrdID"])
    inst = sessions.world.universe.get("005930")
    assert inst is not None
    from datetime import date

    opening = sessions.world.market.trades(inst, date(2026, 11, 24))[0]
    assert opening.session == "opening_auction"
    assert (fill["execType"], fill["lastPx"]) == ("F", opening.price)
    assert fill["transactTime"] == "20261124-00:00:00.000"  # 09:00 KST
    ioc = place(client, timeInForce="3")
    assert [r["execType"] for r in reports_of(client, ioc["clOrdID"])] == ["0", "4"]
