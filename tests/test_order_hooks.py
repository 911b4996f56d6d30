"""The order service's test hooks (admin API, not part of the platform; order.md §6.7) and the
magic quantities: operations ``admin.order_fill``, ``admin.order_reject``,
``admin.order_reference`` and ``admin.order_broker_down``.

At the frozen clock (2026-11-24 10:00 KST) 005930 trades at 26,650 (basPrc 27,250, limits
19,080..35,400, tick 50 from 20,000 and 10 below); the helpers of ``test_order`` place a limit
buy of 10 @ 20,000 that rests."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from tests.conftest import assert_platform_error, b2b_body, b2b_post, ok, set_clock
from tests.test_order import (
    fields,
    holding,
    last_report,
    messages,
    orderdetail,
    place,
    price_now,
    send,
)

UBERPLE_ACC = "40113387510"  # uberple's account with ~62 M KRW: room for the magic sizes
_ids = itertools.count(1)


def fill(client: FlaskClient, cl_ord_id: str, **more: Any) -> Any:
    return client.post("/_sandbox/orders/00995/fill", json={"clOrdID": cl_ord_id, **more})


def reject(client: FlaskClient, cl_ord_id: str, **more: Any) -> Any:
    return client.post("/_sandbox/orders/00995/reject", json={"clOrdID": cl_ord_id, **more})


def reference(client: FlaskClient, **body: Any) -> Any:
    return client.post("/_sandbox/orders/reference", json={"code": "005930", **body})


def down(client: FlaskClient, broker: str, flag: bool) -> Any:
    return client.post(f"/_sandbox/brokers/{broker}/down", json={"down": flag})


def exec_types(client: FlaskClient, cl_ord_id: str, com_id: str = "00995") -> list[str]:
    return [m["executionReport"]["execType"] for m in messages(client, com_id)
            if m.get("executionReport", {}).get("clOrdID") == cl_ord_id]


def uberple(client: FlaskClient, **more: Any) -> dict[str, Any]:
    """A limit buy of uberple's (plenty of cash)."""
    body = {**fields(account=UBERPLE_ACC, **more), "clOrdID": f"U-{next(_ids):06d}"}
    ok(send(client, "new", body, com_id="uberple"))
    return body


def uberple_reports(client: FlaskClient, cl_ord_id: str) -> list[dict[str, Any]]:
    return [m["executionReport"] for m in messages(client, "uberple")
            if m["executionReport"]["clOrdID"] == cl_ord_id]


# ------------------------------------------------------------------------------ fill
def test_forced_fills_move_the_fix_state_the_read_back_and_the_books(
        client: FlaskClient) -> None:
    before = holding(client)
    body = place(client)
    answer = ok(fill(client, body["clOrdID"], qty=4))
    (message,) = answer["messages"]
    assert message == messages(client)[-1] and message["seqNo"] == 2
    report = message["executionReport"]
    assert (report["execType"], report["ordStatus"], report["lastQty"], report["lastPx"],
            report["leavesQty"], report["cumQty"], report["avgPx"]) == (
        "F", "1", 4, 20000, 6, 4, 20000)  # default px: the order's limit
    assert report["transactTime"] == "20261124-01:00:00.000"  # the clock's instant
    assert answer["order"]["ordStatus"] == "1" and answer["order"]["leavesQty"] == 6
    report = ok(fill(client, body["clOrdID"], qty=6, px=19950))["messages"][0]["executionReport"]
    assert (report["ordStatus"], report["lastPx"], report["leavesQty"], report["cumQty"],
            report["avgPx"]) == ("2", 19950, 0, 10, 19970)
    (row,) = orderdetail(client)
    assert (row["execSumQty"], row["orderExecType"]) == (10, "체결")
    assert [(e["execQty"], e["execPrice"]) for e in row["execList"]] == [(4, 20000), (6, 19950)]
    assert holding(client) == before + 10


def test_a_replaced_order_is_filled_through_either_cl_ord_id(client: FlaskClient) -> None:
    orig = place(client)
    ok(send(client, "replace", {**orig, "msgType": "G", "clOrdID": "R-HOOK",
                                "origClOrdID": orig["clOrdID"], "price": 20050}))
    report = ok(fill(client, orig["clOrdID"], qty=2))["messages"][0]["executionReport"]
    assert (report["clOrdID"], report["lastPx"], report["execID"][-2:]) == (
        "R-HOOK", 20050, "-1")  # execID counts per order number (the modify's: 0, 1)
    _, modify = orderdetail(client)
    assert modify["execList"][0]["execQty"] == 2 and modify["orderExecType"] == "체결"


@pytest.mark.parametrize(("payload", "status"), [
    ({"qty": 11}, 400),  # above leavesQty
    ({"qty": 1, "px": 20050}, 400),  # worse than the buy's limit
    ({"qty": 1, "px": 19995}, 400),  # off the tick grid
    ({"qty": 1, "px": 19000}, 400),  # below the lower limit
    ({"qty": 0}, 400),
    ({"qty": "1"}, 400),
    ({}, 400),  # qty missing
    ({"qty": 1, "clOrdID": "nope"}, 404),
])
def test_forced_fill_refusals(client: FlaskClient, payload: dict[str, Any],
                              status: int) -> None:
    body = place(client)
    assert_platform_error(fill(client, body["clOrdID"], **payload), status, "op-apim", status)
    assert exec_types(client, body["clOrdID"]) == ["0"]  # nothing happened


def test_only_live_orders_of_known_institutions_can_be_filled(client: FlaskClient) -> None:
    body = place(client)
    assert_platform_error(client.post("/_sandbox/orders/F9999/fill", json={
        "clOrdID": body["clOrdID"], "qty": 1}), 404, "op-apim", 404)
    ok(send(client, "cancel", {**body, "msgType": "F", "clOrdID": "C-HOOK",
                               "origClOrdID": body["clOrdID"]}))
    error = assert_platform_error(fill(client, body["clOrdID"], qty=1), 400, "op-apim", 400)
    assert "not live" in error["description"]


# ------------------------------------------------------------------------------ reject
def test_a_forced_reject_before_any_fill_is_execution_report_8(client: FlaskClient) -> None:
    body = place(client)
    answer = ok(reject(client, body["clOrdID"], text="리스크 한도 (risk limit)"))
    report = answer["messages"][0]["executionReport"]
    assert (report["execType"], report["ordStatus"], report["ordRejReason"],
            report["leavesQty"], report["text"]) == ("8", "8", "99", 0, "리스크 한도 (risk limit)")
    (row,) = orderdetail(client)
    assert (row["orderExecType"], row["orderRejectReason"]) == ("거부", "리스크 한도")
    assert_platform_error(reject(client, body["clOrdID"]), 400, "op-apim", 400)


def test_a_forced_reject_after_a_fill_cancels_the_remainder(client: FlaskClient) -> None:
    body = place(client)
    ok(fill(client, body["clOrdID"], qty=3))
    report = ok(reject(client, body["clOrdID"]))["messages"][0]["executionReport"]
    assert (report["execType"], report["ordStatus"], report["cumQty"], report["leavesQty"],
            report["text"]) == ("4", "4", 3, 0, "매매 취소 (cancelled by the broker)")
    (row,) = orderdetail(client)
    assert (row["orderExecType"], row["execSumQty"]) == ("체결", 3)


def test_reject_refusals(client: FlaskClient) -> None:
    assert_platform_error(reject(client, "nope"), 404, "op-apim", 404)
    assert_platform_error(client.post("/_sandbox/orders/00995/reject", json={}), 400,
                          "op-apim", 400)
    assert_platform_error(client.post("/_sandbox/orders/00995/reject", data="[",
                                      content_type="application/json"), 400, "op-apim", 400)


# ------------------------------------------------------------------------------ reference
def test_the_override_prices_marketable_orders_for_the_order_service_only(
        client: FlaskClient) -> None:
    market = price_now(client)
    view = ok(reference(client, code="KR7005930003", price=30000))
    assert (view["code"], view["price"], view["basPrc"], view["override"]["price"]) == (
        "005930", 30000, market["trdPrc"] - market["cmpprevddPrc"], 30000)
    body = place(client, ordType="1", price=None, orderQty=2)
    assert last_report(client, body["clOrdID"])["lastPx"] == 30000
    assert price_now(client)["trdPrc"] == market["trdPrc"]  # the market data is unchanged


def test_resting_limits_cross_when_the_override_reaches_them(client: FlaskClient,
                                                            state: SandboxState) -> None:
    body = place(client, price=25000)  # below 26,650: rests
    ok(reference(client, price=25500))
    assert exec_types(client, body["clOrdID"]) == ["0"]
    set_clock(state, "2026-11-24T10:05:00+09:00")
    ok(reference(client, price=25000))
    report = last_report(client, body["clOrdID"])
    assert (report["execType"], report["lastPx"], report["lastQty"]) == ("F", 25000, 10)
    assert report["transactTime"] == "20261124-01:05:00.000"  # when the override reached it


def test_an_overridden_base_price_moves_the_daily_limits(client: FlaskClient) -> None:
    high = place(client, price=36000)
    assert last_report(client, high["clOrdID"])["text"].startswith("가격제한폭 초과")
    view = ok(reference(client, basPrc=30000))
    assert (view["basPrc"], view["upperLimit"], view["lowerLimit"]) == (30000, 39000, 21000)
    assert view["override"]["price"] is None and view["price"] == price_now(client)["trdPrc"]
    assert exec_types(client, place(client, price=36000)["clOrdID"]) == ["0", "F"]
    low = place(client, price=20000)
    assert last_report(client, low["clOrdID"])["text"].startswith("가격제한폭 초과")


def test_price_null_removes_the_override_and_a_reset_clears_it(client: FlaskClient,
                                                               state: SandboxState) -> None:
    market = price_now(client)
    ok(reference(client, price=30000, basPrc=30000))
    view = ok(reference(client, price=None))
    assert view["override"] is None
    assert (view["price"], view["basPrc"]) == (market["trdPrc"],
                                               market["trdPrc"] - market["cmpprevddPrc"])
    ok(reference(client, price=30000))
    state.reset()
    assert ok(reference(client))["override"] is None


@pytest.mark.parametrize(("payload", "status"), [
    ({"code": "KR7999999999"}, 404),
    ({"code": "KOSPI"}, 404),
    ({"price": 26655}, 400),  # off the tick grid
    ({"price": 40000}, 400),  # above the upper limit
    ({"price": 30000, "basPrc": 20000}, 400),  # above the new upper limit 26,000
    ({"price": "30000"}, 400),
    ({"code": None}, 400),
])
def test_reference_refusals_change_nothing(client: FlaskClient, payload: dict[str, Any],
                                           status: int) -> None:
    assert_platform_error(reference(client, **payload), status, "op-apim", status)
    assert ok(reference(client))["override"] is None


# ------------------------------------------------------------------------------ broker down
def test_a_broker_that_is_down_answers_503_until_it_is_up(client: FlaskClient) -> None:
    assert ok(down(client, "SAMSUNG", True)) == {"broker": "samsung", "down": True}
    assert_platform_error(send(client, "new", fields()), 503, "op-exco", 3600)
    assert_platform_error(send(client, "cancel", {**fields(), "msgType": "F",
                                                  "origClOrdID": "X"}), 503, "op-exco", 3600)
    assert_platform_error(send(client, "new", fields(orderQty=0)), 400, "op-apim", 400)
    assert messages(client) == []
    ok(b2b_post(client, "accountlist", b2b_body("accountlist", {})))  # searches still answer
    assert ok(down(client, "samsung", False)) == {"broker": "samsung", "down": False}
    body = place(client)
    assert exec_types(client, body["clOrdID"]) == ["0"]


def test_broker_down_refusals(client: FlaskClient) -> None:
    assert_platform_error(down(client, "nobroker", True), 400, "op-exco", 3002)
    assert_platform_error(client.post("/_sandbox/brokers/samsung/down", json={"down": "yes"}),
                          400, "op-apim", 400)
    assert_platform_error(client.post("/_sandbox/brokers/samsung/down", json={}), 400,
                          "op-apim", 400)


# ------------------------------------------------------------------------------ magic
def test_777_fills_a_third_each_second_of_virtual_time(client: FlaskClient,
                                                       state: SandboxState) -> None:
    body = uberple(client, orderQty=777, price=30000)  # marketable, yet it waits
    assert [r["execType"] for r in uberple_reports(client, body["clOrdID"])] == ["0"]
    set_clock(state, "2026-11-24T10:00:02.500+09:00")
    assert [r["execType"] for r in uberple_reports(client, body["clOrdID"])] == ["0", "F", "F"]
    set_clock(state, "2026-11-24T10:00:09+09:00")
    fills = uberple_reports(client, body["clOrdID"])[1:]
    assert [(f["lastQty"], f["lastPx"], f["ordStatus"]) for f in fills] == [
        (259, 30000, "1"), (259, 30000, "1"), (259, 30000, "2")]
    assert [f["transactTime"][9:] for f in fills] == [
        "01:00:01.000", "01:00:02.000", "01:00:03.000"]


def test_666_is_rejected_by_the_broker(client: FlaskClient) -> None:
    body = uberple(client, orderQty=666)
    (report,) = uberple_reports(client, body["clOrdID"])
    assert (report["execType"], report["ordRejReason"], report["text"]) == (
        "8", "99", "매매 거부 (rejected by the broker)")
    assert report["orderID"] is not None


def test_555_is_cancelled_by_the_exchange_at_once(client: FlaskClient) -> None:
    body = uberple(client, orderQty=555)
    new, cancelled = uberple_reports(client, body["clOrdID"])
    assert (new["execType"], cancelled["execType"], cancelled["ordStatus"]) == ("0", "4", "4")
    assert cancelled["text"] == "거래소 취소 (cancelled by the exchange)"
    assert cancelled["orderID"] == new["orderID"] and cancelled["leavesQty"] == 0


def test_444_never_fills_by_itself_and_expires(client: FlaskClient,
                                               state: SandboxState) -> None:
    body = uberple(client, orderQty=444, price=30000)  # through the reference: still rests
    ok(reference(client, price=29000))
    assert [r["execType"] for r in uberple_reports(client, body["clOrdID"])] == ["0"]
    ok(client.post("/_sandbox/orders/uberple/fill", json={"clOrdID": body["clOrdID"],
                                                          "qty": 44}))
    set_clock(state, "2026-11-24T15:40:00+09:00")
    reports = uberple_reports(client, body["clOrdID"])
    assert [r["execType"] for r in reports] == ["0", "F", "4"]
    assert reports[-1]["text"].startswith("장종료 자동취소") and reports[-1]["cumQty"] == 44


def test_magic_quantities_are_off_in_strict_mode_and_for_market_orders(
        client: FlaskClient, state: SandboxState, monkeypatch: pytest.MonkeyPatch) -> None:
    market = uberple(client, ordType="1", price=None, orderQty=555)
    assert [r["execType"] for r in uberple_reports(client, market["clOrdID"])] == ["0", "F"]
    monkeypatch.setattr(state.world, "settings",
                        dataclasses.replace(state.world.settings, strict=True))
    resting = uberple(client, orderQty=555)
    assert [r["execType"] for r in uberple_reports(client, resting["clOrdID"])] == ["0"]
    ok(send(client, "cancel", {**resting, "msgType": "F", "clOrdID": "C-RESTING",
                               "origClOrdID": resting["clOrdID"]}, com_id="uberple"))
    marketable = uberple(client, orderQty=777, price=30000)
    assert [r["execType"] for r in uberple_reports(client, marketable["clOrdID"])] == ["0", "F"]
