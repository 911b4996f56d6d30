"""The documented order example sequence, replayed as ERRATA 25 rules (order.md §7-§8): buy 10
@ 51,000 → fill 4 → re-price the remainder to 50,900 → fill 6; sell 5 @ 52,000 → quantity
increase rejected → cancelled; buy 1 @ 80,000 rejected. The clock is set to each documented
``transactTime``, so every deterministic value of the stream (seqNo 1-8) and of ``orderdetail``
is compared exactly; only the times the platform stamps later (``sendingTime``, a few
milliseconds after ``transactTime``) and the request ids differ."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from tests.conftest import b2b_body, b2b_headers, b2b_post, example, ok, set_clock

ACC = "0019923122221"
EXAMPLE_DAY = "20180615"
REPORTS = {1: "execution_report.new.json", 2: "execution_report.partial_fill.json",
           3: "execution_report.replaced.json", 4: "execution_report.fill.json",
           6: "order_cancel_reject.json", 7: "execution_report.canceled.json",
           8: "execution_report.rejected.json"}
STAMPED_LATER = {"sendingTime"}  # the platform's send time, after transactTime


def kst(utc_stamp: str) -> str:
    """``YYYYMMDD-HH:MM:SS.sss`` (UTC) → ISO instant for the clock."""
    return f"{utc_stamp[:4]}-{utc_stamp[4:6]}-{utc_stamp[6:8]}T{utc_stamp[9:]}+00:00"


def post(client: FlaskClient, api: str, payload: dict[str, Any]) -> None:
    ok(client.post(f"/v1/samsung/order/{api}", json=payload, headers=b2b_headers("00995")))


def at(state: SandboxState, utc_stamp: str) -> None:
    set_clock(state, kst(utc_stamp))


def force_fill(client: FlaskClient, cl_ord_id: str, qty: int, px: int) -> dict[str, Any]:
    return ok(client.post("/_sandbox/orders/00995/fill",  # type: ignore[no-any-return]
                          json={"clOrdID": cl_ord_id, "qty": qty, "px": px}))


def replay(client: FlaskClient, state: SandboxState) -> None:
    """ERRATA 25: basPrc and reference 51,100 (limits 66,400 / 35,800), sandbox always open,
    posts to samsung with comId 00995, fills forced after seqNo 1 and after the replace."""
    new = example("order/new_order_single.request.json")
    reports = {n: example(f"order/{name}") for n, name in REPORTS.items()}
    at(state, reports[1]["executionReport"]["transactTime"])
    reference = ok(client.post("/_sandbox/orders/reference",
                               json={"code": "005930", "price": 51100, "basPrc": 51100}))
    assert (reference["upperLimit"], reference["lowerLimit"]) == (66400, 35800)
    post(client, "new", new)
    at(state, reports[2]["executionReport"]["transactTime"])
    force_fill(client, "ADV00995-20180615-000001", 4, 51000)
    at(state, reports[3]["executionReport"]["transactTime"])
    post(client, "replace", example("order/order_cancel_replace.request.json"))
    at(state, reports[4]["executionReport"]["transactTime"])
    force_fill(client, "ADV00995-20180615-000002", 6, 50900)
    at(state, "20180615-01:00:00.220")  # orderdetail's orderTime of the sell: 10:00:00.22 KST
    post(client, "new", example("order/new_order_single.sell.request.json"))
    at(state, reports[6]["orderCancelReject"]["transactTime"])
    post(client, "replace", example("order/order_cancel_replace.qty_increase.request.json"))
    at(state, reports[7]["executionReport"]["transactTime"])
    post(client, "cancel", example("order/order_cancel.request.json"))
    at(state, reports[8]["executionReport"]["transactTime"])
    body = new["newOrderSingleRequestBody"]
    post(client, "new", {**new, "newOrderSingleRequestBody": {
        **body, "clOrdID": "ADV00995-20180615-000006", "price": 80000, "orderQty": 1}})


@pytest.fixture
def replayed(client: FlaskClient, state: SandboxState) -> FlaskClient:
    replay(client, state)
    return client


def stream(client: FlaskClient) -> list[dict[str, Any]]:
    answer = ok(client.get("/_sandbox/orders/00995", query_string={"date": EXAMPLE_DAY}))
    return answer["messages"]  # type: ignore[no-any-return]


def test_the_account_has_orderable_cash(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2018-06-15T09:00:00+09:00")
    body = ok(b2b_post(client, "balancelist", b2b_body("balancelist", {
        "qrAccNo": ACC, "qrAssetType": "EQTY", "count": 100})))
    (krw,) = [row for row in body["balanceList"]["balance"][0]["cashBalInfo"]
              if row["crcyCode"] == "KRW"]
    assert krw["cashBalance"] >= 3_000_000  # the balancelist example's cash, > 10 x 51,000


def test_the_stream_is_the_documented_seq_no_1_to_8(replayed: FlaskClient) -> None:
    messages = stream(replayed)
    assert [m["seqNo"] for m in messages] == list(range(1, 9))
    for seq, name in REPORTS.items():
        documented = example(f"order/{name}")
        actual = messages[seq - 1]
        assert {k: v for k, v in actual.items() if k not in STAMPED_LATER} == {
            k: v for k, v in documented.items() if k not in STAMPED_LATER}, name
    sell = messages[4]["executionReport"]  # seqNo 5: implied, not written out (order.md §8)
    assert (sell["execType"], sell["ordStatus"], sell["orderID"], sell["clOrdID"]) == (
        "0", "0", "0000012347", "ADV00995-20180615-000003")
    assert (sell["side"], sell["price"], sell["orderQty"], sell["leavesQty"]) == (
        "2", 52000, 5, 5)
    assert sell["transactTime"] == "20180615-01:00:00.220"


def test_orderdetail_reproduces_the_documented_state(replayed: FlaskClient) -> None:
    documented = example("order/orderdetail_search.after_orders.response.json")
    query = documented["orderDetailListResponseBody"]["queryParameter"]
    answer = ok(b2b_post(replayed, "orderdetail", b2b_body("orderdetail", {
        k: v for k, v in query.items() if k in ("qrAssetType", "qrSellBuyType", "qrAccNo",
                                                "qrOrderDate")})))
    assert answer["orderDetailList"] == documented["orderDetailList"]
    assert answer["resp"] == documented["resp"]
    result = answer["orderDetailListResponseBody"]["queryResult"]
    assert (result["totalCnt"], result["count"]) == (5, 5)


def test_the_books_after_the_sequence(replayed: FlaskClient) -> None:
    body = ok(b2b_post(replayed, "balancelist", b2b_body("balancelist", {
        "qrAccNo": ACC, "qrAssetType": "EQTY", "count": 100})))
    rows = body["balanceList"]["balance"][0]["securitiesBalInfo"]
    held = [r for r in rows if r["isinInfo"][0]["isinCode"] == "KR7005930003"]
    assert [r["qty"] for r in held] == [10]  # bought 10, the sell was cancelled
    fills = (4 * 51_000, 6 * 50_900)  # commission 0.015 % per execution, rounded down
    assert held[0]["valAtTrade"] == sum(gross + int(gross * 0.00015) for gross in fills)
