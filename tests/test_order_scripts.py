"""Scripted order outcomes (scenario rules' ``order`` directives, issue 8;
:mod:`sandbox.world.orders.scripts`): the order family applies ``call.effects["order"]`` to the
message it came with — rejects with a reason, partial fills, exchange cancels, refused
replace/cancel requests.

The broker side is driven through the model (``models.submit(..., script=...)``) and read back
through the admin view ``GET /_sandbox/orders/{comId}``, which first brings the orders up to
the (frozen) clock. At 2026-11-24 10:00 KST (01:00 UTC) 005930 trades at 26,650 (limits
19,080..35,400); a limit buy of 10 @ 20,000 rests."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from sandbox.families.order import models, routes
from sandbox.gateway.call import Call
from sandbox.registry import all_operations
from sandbox.world.orders.scripts import applies, validate_script
from tests.conftest import ok, set_clock
from tests.test_order import ACC, fields, orderdetail
from tests.test_order_hooks import UBERPLE_ACC

BLOCKS = {"new": "newOrderSingleRequestBody", "replace": "orderCancelReplaceRequestBody",
          "cancel": "orderCancelRequestBody"}
MSG_TYPES = {"new": "D", "replace": "G", "cancel": "F"}
EXCHANGE = "거래소 취소 (cancelled by the exchange)"
_ids = itertools.count(1)


def order(**more: Any) -> dict[str, Any]:
    """A limit buy of 10 Samsung Electronics at 20,000 (it rests) for 00995's account."""
    return fields(**{"clOrdID": f"S-{next(_ids):06d}", **more})


def submit(state: SandboxState, api: str, body: dict[str, Any],
           script: dict[str, Any] | None = None, com_id: str = "00995") -> dict[str, Any]:
    """The order family's backend call, as the route makes it with ``call.effects``."""
    world = state.world
    app = world.ids.apps[world.ids.institutions[com_id].app]
    broker = world.ids.broker("samsung")
    assert broker is not None
    payload = {"partner": {"comId": com_id, "srvId": app.srv_id},
               "commonHeader": {"reqIdConsumer": body["clOrdID"]},
               BLOCKS[api]: {**body, "msgType": MSG_TYPES[api]}}
    return models.submit(world, app, com_id, broker, api, payload, script=script)


def place(state: SandboxState, script: dict[str, Any] | None = None, com_id: str = "00995",
          **more: Any) -> dict[str, Any]:
    body = order(**more)
    submit(state, "new", body, script, com_id)
    return body


def messages(client: FlaskClient, com_id: str = "00995") -> list[dict[str, Any]]:
    return ok(client.get(f"/_sandbox/orders/{com_id}"))["messages"]  # type: ignore[no-any-return]


def reports(client: FlaskClient, cl_ord_id: str, com_id: str = "00995") -> list[dict[str, Any]]:
    """The messages about one clOrdID (ExecutionReport or OrderCancelReject bodies)."""
    found = [m.get("executionReport") or m["orderCancelReject"] for m in messages(client, com_id)]
    return [r for r in found if cl_ord_id in (r["clOrdID"], r["origClOrdID"])]


def summary(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(execType, ordStatus, lastQty, lastPx, leavesQty, cumQty, time of day UTC, text)."""
    return [(r["execType"], r["ordStatus"], r["lastQty"], r["lastPx"], r["leavesQty"],
             r["cumQty"], r["transactTime"][9:], r["text"]) for r in found]


def chain(client: FlaskClient, cl_ord_id: str, com_id: str = "00995") -> dict[str, Any]:
    orders = ok(client.get(f"/_sandbox/orders/{com_id}"))["orders"]
    return next(o for o in orders if o["rows"][0]["orderNo"] is not None
                and o["key"].endswith(f"|{cl_ord_id}"))


# ------------------------------------------------------------------------------ reject
def test_a_scripted_reject_replaces_the_acceptance_with_its_reason(
        client: FlaskClient, state: SandboxState) -> None:
    body = place(state, {"reject": {"reason": "3"}})
    (report,) = reports(client, body["clOrdID"])
    assert (report["execType"], report["ordStatus"], report["ordRejReason"], report["text"],
            report["leavesQty"], report["transactTime"]) == (
        "8", "8", "3", "주문가능금액 부족 (insufficient cash)", 0, "20261124-01:00:00.000")
    assert report["orderID"] == "0000012345"  # the broker numbered it, as for a real reject
    (row,) = orderdetail(client)
    assert (row["orderExecType"], row["orderRejectReason"]) == ("거부", "주문가능금액 부족")


@pytest.mark.parametrize(("args", "reason", "text"), [
    ({"reason": "99", "text": "리스크 한도 초과 (risk limit)"}, "99",
     "리스크 한도 초과 (risk limit)"),
    ({}, "99", "매매 거부 (rejected by the broker)"),
    ({"reason": "2"}, "2", "장운영시간이 아닙니다 (outside trading hours)"),
    ({"reason": "13", "text": ""}, "13", "주문수량 오류 (invalid quantity)"),
    ({"reason": "15"}, "15", "매매 거부 (rejected by the broker)"),
])
def test_reject_reasons_and_texts(client: FlaskClient, state: SandboxState,
                                  args: dict[str, Any], reason: str, text: str) -> None:
    body = place(state, {"reject": args})
    (report,) = reports(client, body["clOrdID"])
    assert (report["execType"], report["ordRejReason"], report["text"]) == ("8", reason, text)


def test_a_scripted_sell_reject_3_says_sellable_quantity(client: FlaskClient,
                                                         state: SandboxState) -> None:
    body = place(state, {"reject": {"reason": "3"}}, side="2", price=35000, orderQty=1)
    (report,) = reports(client, body["clOrdID"])
    assert report["text"] == "매도가능수량 부족 (insufficient sellable quantity)"


@pytest.mark.parametrize(("more", "reason", "text"), [
    ({"price": 20005}, "99", "호가단위 오류 (price off the tick grid)"),
    ({"price": 36000}, "99", "가격제한폭 초과 (price outside daily limit)"),
    ({"securityID": "KR7999999999"}, "1", "종목코드 오류 (unknown instrument)"),
    ({"orderQty": 100_000_000}, "3", "주문가능금액 부족 (insufficient cash)"),
    ({"ordType": "3"}, "11", "지원하지 않는 주문유형 (unsupported order type)"),
])
@pytest.mark.parametrize("script", [
    {"reject": {"reason": "13", "text": "scripted"}},
    {"partial": {"fills": [0.5]}},
    {"exchange_cancel": {"after": 0}},
])
def test_an_order_that_fails_its_own_checks_keeps_its_own_reject(
        client: FlaskClient, state: SandboxState, more: dict[str, Any], reason: str, text: str,
        script: dict[str, Any]) -> None:
    body = place(state, script, **more)
    (report,) = reports(client, body["clOrdID"])
    assert (report["execType"], report["ordRejReason"], report["text"]) == ("8", reason, text)


def test_a_duplicate_cl_ord_id_stays_a_duplicate(client: FlaskClient,
                                                 state: SandboxState) -> None:
    body = place(state)
    submit(state, "new", body, {"partial": {"fills": [1.0], "interval": 0}})
    first, duplicate = reports(client, body["clOrdID"])
    assert (first["execType"], duplicate["execType"], duplicate["ordRejReason"]) == (
        "0", "8", "6")
    assert chain(client, body["clOrdID"])["ordStatus"] == "0"  # the original is untouched


# ------------------------------------------------------------------------------ partial
def test_partial_half_then_the_exchange_cancels_the_rest(client: FlaskClient,
                                                         state: SandboxState) -> None:
    body = place(state, {"partial": {"fills": [0.5], "interval": 1.0, "rest": "cancel"}})
    assert summary(reports(client, body["clOrdID"])) == [
        ("0", "0", 0, 0, 10, 0, "01:00:00.000", None)]
    set_clock(state, "2026-11-24T10:00:00.999+09:00")
    assert len(reports(client, body["clOrdID"])) == 1  # nothing before the interval
    set_clock(state, "2026-11-24T10:00:05+09:00")
    assert summary(reports(client, body["clOrdID"])) == [
        ("0", "0", 0, 0, 10, 0, "01:00:00.000", None),
        ("F", "1", 5, 20000, 5, 5, "01:00:01.000", None),
        ("4", "4", 0, 0, 0, 5, "01:00:01.000", EXCHANGE)]
    (row,) = orderdetail(client)
    assert (row["execSumQty"], [e["execQty"] for e in row["execList"]]) == (5, [5])


def test_partial_share_quantities_then_the_rest_fills_one_interval_later(
        client: FlaskClient, state: SandboxState) -> None:
    body = place(state, {"partial": {"fills": [3, 4], "interval": 2, "rest": "fill"}})
    set_clock(state, "2026-11-24T10:00:03+09:00")
    assert [r["execType"] for r in reports(client, body["clOrdID"])] == ["0", "F"]
    set_clock(state, "2026-11-24T10:01:00+09:00")
    assert summary(reports(client, body["clOrdID"]))[1:] == [
        ("F", "1", 3, 20000, 7, 3, "01:00:02.000", None),
        ("F", "1", 4, 20000, 3, 7, "01:00:04.000", None),
        ("F", "2", 3, 20000, 0, 10, "01:00:06.000", None)]
    assert [r["execID"] for r in reports(client, body["clOrdID"])] == [
        f"20261124-0000012345-{n}" for n in range(4)]


def test_fractions_round_down_to_at_least_one_share_never_above_what_is_left(
        client: FlaskClient, state: SandboxState) -> None:
    body = place(state, {"partial": {"fills": [0.29, 0.001, 0.7], "rest": "cancel"}},
                 com_id="uberple", account=UBERPLE_ACC, orderQty=100)
    set_clock(state, "2026-11-24T10:00:10+09:00")
    found = reports(client, body["clOrdID"], "uberple")
    assert [(r["execType"], r["lastQty"], r["leavesQty"]) for r in found] == [
        ("0", 0, 100), ("F", 29, 71), ("F", 1, 70), ("F", 70, 0)]  # 0.7 × 100 = 70: all left
    ints = place(state, {"partial": {"fills": [6, 6], "rest": "cancel"}})
    set_clock(state, "2026-11-24T10:00:20+09:00")
    assert [(r["execType"], r["lastQty"], r["ordStatus"]) for r in reports(
        client, ints["clOrdID"])] == [("0", 0, "0"), ("F", 6, "1"), ("F", 4, "2")]


def test_a_scripted_market_order_fills_at_the_reference_price_of_each_instant(
        client: FlaskClient, state: SandboxState) -> None:
    ok(client.post("/_sandbox/orders/reference", json={"code": "005930", "price": 30000}))
    body = place(state, {"partial": {"fills": [0.3], "interval": 0.5, "rest": "rest"}},
                 ordType="1", price=None)
    assert [r["execType"] for r in reports(client, body["clOrdID"])] == ["0"]  # held
    set_clock(state, "2026-11-24T10:00:00.500+09:00")
    assert summary(reports(client, body["clOrdID"]))[1:] == [
        ("F", "1", 3, 30000, 7, 3, "01:00:00.500", None),
        ("F", "2", 7, 30000, 0, 10, "01:00:00.500", None)]  # the rest: marketable at once


def test_after_the_script_the_rest_rests_and_matches_normally(client: FlaskClient,
                                                             state: SandboxState) -> None:
    body = place(state, {"partial": {"fills": [0.2]}})  # interval 1 s, rest "rest" (defaults)
    set_clock(state, "2026-11-24T10:05:00+09:00")
    assert summary(reports(client, body["clOrdID"]))[1:] == [
        ("F", "1", 2, 20000, 8, 2, "01:00:01.000", None)]  # 20,000 is not reached
    ok(client.post("/_sandbox/orders/reference", json={"code": "005930", "price": 20000}))
    assert summary(reports(client, body["clOrdID"]))[2:] == [
        ("F", "2", 8, 20000, 0, 10, "01:05:00.000", None)]


def test_an_ioc_remainder_is_cancelled_when_its_script_ends(client: FlaskClient,
                                                           state: SandboxState) -> None:
    body = place(state, {"partial": {"fills": [0.5], "interval": 0}}, timeInForce="3")
    assert summary(reports(client, body["clOrdID"])) == [  # all within the call
        ("0", "0", 0, 0, 10, 0, "01:00:00.000", None),
        ("F", "1", 5, 20000, 5, 5, "01:00:00.000", None),
        ("4", "4", 0, 0, 0, 5, "01:00:00.000", "즉시체결 불가 취소 (IOC/FOK not filled)")]


def test_a_scripted_step_after_the_close_never_happens(client: FlaskClient,
                                                       state: SandboxState) -> None:
    body = place(state, {"partial": {"fills": [0.5], "interval": 3600 * 6}})
    set_clock(state, "2026-11-24T17:00:00+09:00")
    assert summary(reports(client, body["clOrdID"]))[1:] == [
        ("4", "4", 0, 0, 0, 0, "06:30:00.000", "장종료 자동취소 (day order expired at the close)")]


def test_a_replace_with_a_partial_restarts_the_script(client: FlaskClient,
                                                      state: SandboxState) -> None:
    body = place(state)
    set_clock(state, "2026-11-24T10:01:00+09:00")
    replace = {**body, "clOrdID": "S-REPLACE", "origClOrdID": body["clOrdID"], "price": 20050}
    submit(state, "replace", replace, {"partial": {"fills": [0.5], "rest": "cancel"}})
    set_clock(state, "2026-11-24T10:02:00+09:00")
    found = reports(client, "S-REPLACE")
    assert summary(found) == [
        ("5", "0", 0, 0, 10, 0, "01:01:00.000", None),
        ("F", "1", 5, 20050, 5, 5, "01:01:01.000", None),
        ("4", "4", 0, 0, 0, 5, "01:01:01.000", EXCHANGE)]
    assert {r["orderID"] for r in found} == {"0000012346"}  # the modify's number


# ------------------------------------------------------------------------------ exchange cancel
def test_an_exchange_cancel_after_30_virtual_seconds(client: FlaskClient,
                                                     state: SandboxState) -> None:
    body = place(state, {"exchange_cancel": {"after": 30}}, price=30000)  # marketable
    set_clock(state, "2026-11-24T10:00:29.999+09:00")
    assert summary(reports(client, body["clOrdID"])) == [
        ("0", "0", 0, 0, 10, 0, "01:00:00.000", None)]  # held: the market does not fill it
    set_clock(state, "2026-11-24T10:00:30+09:00")
    found = reports(client, body["clOrdID"])
    assert summary(found)[1:] == [("4", "4", 0, 0, 0, 0, "01:00:30.000", EXCHANGE)]
    assert found[1]["orderID"] == found[0]["orderID"]
    (row,) = orderdetail(client)
    assert (row["orderExecType"], row["execSumQty"]) == ("접수", 0)


def test_an_exchange_cancel_at_once_with_its_own_text(client: FlaskClient,
                                                      state: SandboxState) -> None:
    body = place(state, {"exchange_cancel": {"text": "VI 발동 취소 (volatility interruption)"}})
    assert summary(reports(client, body["clOrdID"])) == [
        ("0", "0", 0, 0, 10, 0, "01:00:00.000", None),
        ("4", "4", 0, 0, 0, 0, "01:00:00.000", "VI 발동 취소 (volatility interruption)")]


# ------------------------------------------------------------------------------ cancel_reject
def test_cancel_reject_answers_a_replace_and_a_cancel(client: FlaskClient,
                                                      state: SandboxState) -> None:
    body = place(state)
    replace = {**body, "clOrdID": "S-R1", "origClOrdID": body["clOrdID"], "price": 20050}
    submit(state, "replace", replace, {"cancel_reject": {"reason": "3", "text": "처리 중"}})
    cancel = {**body, "clOrdID": "S-C1", "origClOrdID": body["clOrdID"]}
    submit(state, "cancel", cancel, {"cancel_reject": {}})
    new, refused_replace, refused_cancel = reports(client, body["clOrdID"])
    assert new["execType"] == "0"
    assert refused_replace == {
        "orderID": "0000012345", "clOrdID": "S-R1", "origClOrdID": body["clOrdID"],
        "ordStatus": "0", "account": ACC, "cxlRejResponseTo": "2", "cxlRejReason": "3",
        "text": "처리 중", "transactTime": "20261124-01:00:00.000"}
    assert (refused_cancel["cxlRejResponseTo"], refused_cancel["cxlRejReason"],
            refused_cancel["text"]) == ("1", "99", "정정/취소 거부 (refused by the broker)")
    live = chain(client, body["clOrdID"])
    assert (live["ordStatus"], live["price"], live["clOrdID"], len(live["rows"])) == (
        "0", 20000, body["clOrdID"], 1)  # nothing applied
    submit(state, "cancel", {**cancel, "clOrdID": "S-C2"})  # without a directive: cancelled
    assert reports(client, "S-C2")[-1]["execType"] == "4"


def test_a_replace_or_cancel_that_fails_its_own_checks_keeps_its_own_reject(
        client: FlaskClient, state: SandboxState) -> None:
    body = place(state)
    script = {"cancel_reject": {"reason": "2"}}
    submit(state, "replace", {**body, "clOrdID": "S-R9", "origClOrdID": body["clOrdID"],
                              "orderQty": 11}, script)
    submit(state, "cancel", {**body, "clOrdID": "S-C9", "origClOrdID": "S-NOPE"}, script)
    found = [m["orderCancelReject"] for m in messages(client) if "orderCancelReject" in m]
    assert [(r["clOrdID"], r["cxlRejReason"], r["text"]) for r in found] == [
        ("S-R9", "99", "수량 증가 정정 불가 (quantity increase not allowed)"),
        ("S-C9", "1", "주문 없음 (unknown order)")]


def test_directives_that_do_not_apply_to_the_message_are_ignored(
        client: FlaskClient, state: SandboxState) -> None:
    body = place(state, {"cancel_reject": {"reason": "0"}})  # a new order: accepted
    submit(state, "cancel", {**body, "clOrdID": "S-CX", "origClOrdID": body["clOrdID"]},
           {"partial": {"fills": [0.5]}})
    assert [r["execType"] for r in reports(client, body["clOrdID"])] == ["0", "4"]
    assert "script" not in chain(client, body["clOrdID"])
    assert (applies({"reject": {}}, "order.new"), applies({"reject": {}}, "replace"),
            applies({"partial": {"fills": [1]}}, "replace"),
            applies({"cancel_reject": {}}, "order.cancel"), applies(None, "new")) == (
        True, False, True, True, False)


# ------------------------------------------------------------------------------ magic
def test_a_directive_switches_off_the_magic_quantity_of_its_order(
        client: FlaskClient, state: SandboxState) -> None:
    kwargs = {"com_id": "uberple", "account": UBERPLE_ACC}
    refused = place(state, {"partial": {"fills": [0.5], "rest": "fill"}}, orderQty=666,
                    **kwargs)
    cancelled = place(state, {"partial": {"fills": [100], "rest": "rest"}}, orderQty=555,
                      **kwargs)
    thirds = place(state, {"exchange_cancel": {"after": 5}}, orderQty=777, **kwargs)
    set_clock(state, "2026-11-24T10:00:10+09:00")
    assert [(r["execType"], r["lastQty"]) for r in reports(
        client, refused["clOrdID"], "uberple")] == [("0", 0), ("F", 333), ("F", 333)]
    assert [(r["execType"], r["lastQty"], r["lastPx"], r["transactTime"][9:]) for r in reports(
        client, cancelled["clOrdID"], "uberple")] == [
        ("0", 0, 0, "01:00:00.000"), ("F", 100, 20000, "01:00:01.000")]  # the rest rests
    assert summary(reports(client, thirds["clOrdID"], "uberple"))[1:] == [
        ("4", "4", 0, 0, 0, 0, "01:00:05.000", EXCHANGE)]
    assert "magic" not in chain(client, thirds["clOrdID"], "uberple")


# ------------------------------------------------------------------------------ determinism
def _sequence(client: FlaskClient, state: SandboxState) -> Any:
    set_clock(state, "2026-11-24T10:00:00+09:00")
    first = place(state, {"partial": {"fills": [0.3, 0.3], "interval": 0.7, "rest": "fill"}},
                  clOrdID="D-1")
    place(state, {"exchange_cancel": {"after": 1.5}}, clOrdID="D-2", ordType="1", price=None)
    set_clock(state, "2026-11-24T10:00:01+09:00")
    submit(state, "cancel", {**first, "clOrdID": "D-3", "origClOrdID": "D-1"},
           {"cancel_reject": {"reason": "0"}})
    place(state, {"reject": {"reason": "99"}}, clOrdID="D-4")
    set_clock(state, "2026-11-24T10:00:03+09:00")
    return ok(client.get("/_sandbox/orders/00995"))


def test_the_same_sequence_gives_the_same_reports(client: FlaskClient,
                                                  state: SandboxState) -> None:
    once = _sequence(client, state)
    state.reset()
    assert _sequence(client, state) == once
    assert [(m.get("executionReport") or m["orderCancelReject"])["clOrdID"]
            for m in once["messages"]] == ["D-1", "D-2", "D-1", "D-3", "D-4", "D-1", "D-1", "D-2"]
    assert summary([m["executionReport"] for m in once["messages"]
                    if m.get("executionReport", {}).get("clOrdID") == "D-1"])[1:] == [
        ("F", "1", 3, 20000, 7, 3, "01:00:00.700", None),
        ("F", "1", 3, 20000, 4, 6, "01:00:01.400", None),
        ("F", "2", 4, 20000, 0, 10, "01:00:02.100", None)]
    assert summary([m["executionReport"] for m in once["messages"]
                    if m.get("executionReport", {}).get("clOrdID") == "D-2"])[1:] == [
        ("4", "4", 0, 0, 0, 0, "01:00:01.500", EXCHANGE)]  # a market order, held until then


# ------------------------------------------------------------------------------ plumbing
def _call(state: SandboxState, op_id: str, body: dict[str, Any],
          effects: dict[str, Any]) -> Call:
    world = state.world
    op = next(o for o in all_operations() if o.id == op_id)
    return Call(op, world, "r", path_params={"broker": "samsung"},
                body={"partner": {"comId": "00995", "srvId": "100"}, "commonHeader": {},
                      "newOrderSingleRequestBody": body},
                app=world.ids.apps[world.ids.institutions["00995"].app],
                broker=world.ids.broker("samsung"), institution="00995", effects=effects)


def test_the_route_passes_the_effects_to_the_model(client: FlaskClient,
                                                   state: SandboxState) -> None:
    scripted, plain = order(), order(price=30000)
    ack = routes.new(_call(state, "order.new", scripted, {"order": {"reject": {}}}))
    assert ack["newOrderSingleResponseBody"]["ackStatus"] == "ACCEPTED"
    routes.new(_call(state, "order.new", plain, {}))
    assert [r["execType"] for r in reports(client, scripted["clOrdID"])] == ["8"]
    assert summary(reports(client, plain["clOrdID"])) == [  # as ever: filled at 26,650
        ("0", "0", 0, 0, 10, 0, "01:00:00.000", None),
        ("F", "2", 10, 26650, 0, 10, "01:00:00.000", None)]
    assert "script" not in chain(client, plain["clOrdID"])


def test_an_order_without_effects_behaves_as_before(client: FlaskClient,
                                                    state: SandboxState) -> None:
    resting, magic = place(state), place(state, com_id="uberple", account=UBERPLE_ACC,
                                         orderQty=555)
    set_clock(state, "2026-11-24T15:40:00+09:00")
    assert summary(reports(client, resting["clOrdID"])) == [
        ("0", "0", 0, 0, 10, 0, "01:00:00.000", None),
        ("4", "4", 0, 0, 0, 0, "06:30:00.000", "장종료 자동취소 (day order expired at the close)")]
    assert summary(reports(client, magic["clOrdID"], "uberple"))[1:] == [
        ("4", "4", 0, 0, 0, 0, "01:00:00.000", EXCHANGE)]


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(("script", "message"), [
    ({}, "exactly one of"),
    ({"reject": {}, "partial": {"fills": [1]}}, "exactly one of"),
    ({"refuse": {}}, "unknown order directive 'refuse'"),
    ({"reject": "99"}, "reject takes an object"),
    ({"reject": {"reason": "99", "why": "x"}}, "reject: unknown key(s) why"),
    ({"reject": {"reason": 99}}, "reject.reason must be one of"),
    ({"reject": {"reason": "17"}}, "reject.reason must be one of"),
    ({"cancel_reject": {"reason": "11"}}, "cancel_reject.reason must be one of"),
    ({"reject": {"text": 5}}, "reject.text must be a string"),
    ({"partial": {}}, "partial: missing fills"),
    ({"partial": {"fills": []}}, "non-empty list"),
    ({"partial": {"fills": [0.5, 2]}}, "all fractions of orderQty"),
    ({"partial": {"fills": [True]}}, "all fractions of orderQty"),
    ({"partial": {"fills": [0]}}, "share quantities must be >= 1"),
    ({"partial": {"fills": [1.5]}}, "fractions must be in (0, 1]"),
    ({"partial": {"fills": [0.7, 0.2, 0.2]}}, "sum to more than 1"),
    ({"partial": {"fills": [0.5], "interval": -1}}, "partial.interval"),
    ({"partial": {"fills": [0.5], "interval": "1"}}, "partial.interval"),
    ({"partial": {"fills": [0.5], "rest": "expire"}}, "partial.rest must be one of"),
    ({"exchange_cancel": {"after": -0.5}}, "exchange_cancel.after"),
])
def test_bad_directives_are_refused_with_a_clear_message(script: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[")):
        validate_script(script)


@pytest.mark.parametrize("script", [
    {"reject": {}}, {"reject": {"reason": "0", "text": "x"}},
    {"partial": {"fills": [0.1, 0.2, 0.7]}}, {"partial": {"fills": [1.0], "interval": 0}},
    {"partial": {"fills": [1, 500], "interval": 2, "rest": "fill"}},
    {"exchange_cancel": {}}, {"exchange_cancel": {"after": 30, "text": "x"}},
    {"cancel_reject": {"reason": "6"}},
])
def test_good_directives_pass(script: dict[str, Any]) -> None:
    validate_script(script)


def test_the_model_refuses_a_bad_directive_before_the_broker_sees_it(
        client: FlaskClient, state: SandboxState) -> None:
    with pytest.raises(ValueError, match="unknown order directive"):
        place(state, {"fill": {}})
    assert messages(client) == []
