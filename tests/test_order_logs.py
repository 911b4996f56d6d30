"""The order service's append-only logs (fills and order rows per account) and the readers that
keep what they folded (``records.cached_log``): orderdetail and the discretionary books read
only what was stored since, and give what a full re-read would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from sandbox.world.accounts import discretionary
from sandbox.world.orders import records
from tests.conftest import b2b_body, b2b_post, ok, set_clock
from tests.test_order import ACC, orderdetail, place, send

COM, BROKER = "00995", "samsung"


def _rows_dated(client: FlaskClient, day: str) -> list[tuple[str, str]]:
    """(clOrdID of the chain, row type) of every order row dated ``day`` (YYYY-MM-DD), by
    instant: what orderdetail must list, from the admin API's full chains (the test gives
    every row its own instant: rows of one instant are listed in the order they were made)."""
    chains = client.get(f"/_sandbox/orders/{COM}").get_json()["orders"]
    rows = [(datetime.fromisoformat(row["at"]), chain["clOrdID"], row["type"])
            for chain in chains for row in chain["rows"] if row["at"][:10] == day]
    return [(cl, kind) for _, cl, kind in sorted(rows, key=lambda r: r[0])]


def _listed(client: FlaskClient, day: str) -> list[str]:
    return [f"{r['orderNo']}:{r['cancelType']}" for r in orderdetail(
        client, qrOrderDate=day.replace("-", ""), count=100)]


def test_orderdetail_lists_the_rows_dated_the_day_across_days_and_a_clock_set_back(
        client: FlaskClient, state: SandboxState) -> None:
    first = []
    for second in range(3):
        set_clock(state, f"2026-11-24T10:00:0{second}")
        first.append(place(client))
    set_clock(state, "2026-11-24T10:00:05")
    send(client, "cancel", {**first[0], "msgType": "F", "clOrdID": "C-1",
                            "origClOrdID": first[0]["clOrdID"]})
    set_clock(state, "2026-11-25T09:30:00")
    place(client)
    set_clock(state, "2026-11-24T11:00:00")  # back: a later row dated an earlier instant
    place(client)
    for day in ("2026-11-24", "2026-11-25"):
        expected = _rows_dated(client, day)
        listed = _listed(client, day)
        assert len(listed) == len(expected) > 0
        assert [kind == "cancel" for _, kind in expected] == [
            item.endswith(":1") for item in listed]
    assert len(_listed(client, "2026-11-24")) == 5  # 4 orders and a cancel


def test_orderdetail_pages_through_the_day_and_filters_by_order_number(
        client: FlaskClient) -> None:
    for _ in range(25):
        place(client)
    everything = orderdetail(client, count=100)
    assert len(everything) == 25
    pages, page = [], "null"
    while True:
        body = ok(b2b_post(client, "orderdetail", b2b_body("orderdetail", {
            "qrAccNo": ACC, "qrAssetType": "EQTY", "qrSellBuyType": "0", "count": 10,
            "page": page})))
        pages.append(body["orderDetailList"]["orderDetail"])
        page = body["orderDetailListResponseBody"]["queryResult"]["page"]
        if page == "null":
            break
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [r for p in pages for r in p] == everything
    wanted = everything[7]["orderNo"]
    assert [r["orderNo"] for r in orderdetail(client, qrOrderNo=wanted)] == [wanted]


def test_the_book_read_from_its_cache_equals_a_full_replay(
        client: FlaskClient, state: SandboxState) -> None:
    account = discretionary.account_of(state.world, COM, BROKER, ACC)
    assert account is not None
    for _ in range(3):
        place(client, ordType="1", price=None, orderQty=1)  # market buys fill at once
        discretionary.book_of(state.world, account)  # the cache follows every fill
    cached = discretionary.book_of(state.world, account)
    state.world.derived.clear()
    fresh = discretionary.book_of(state.world, account)
    assert (cached.total_cash, cached.holdings) == (fresh.total_cash, fresh.holdings)
    assert records.account_orders(state.world, COM, BROKER, ACC)["fills"] >= 3  # type: ignore[index]


def test_cached_log_extends_by_the_new_entries_and_rebuilds_after_a_rollback(
        state: SandboxState) -> None:
    world, log, calls = state.world, ["a", "b"], []

    def read(start: int, end: int) -> list[Any]:
        return log[start:end]

    def fold(value: list[str] | None, new: list[Any]) -> list[str]:
        calls.append(list(new))
        return [*(value or []), *new]

    def value() -> list[str]:
        return records.cached_log(world, ("test-log",), len(log), read, fold)

    assert value() == ["a", "b"]
    assert value() == ["a", "b"] and calls == [["a", "b"]]  # kept: nothing read again
    log.append("c")
    assert value() == ["a", "b", "c"] and calls[-1] == ["c"]  # only the new entry
    log[2] = "c2"  # the newest entry was rolled back and another stored in its place
    assert value() == ["a", "b", "c2"] and calls[-1] == ["a", "b", "c2"]
    del log[1:]
    assert value() == ["a"] and calls[-1] == ["a"]


@pytest.mark.parametrize("count", [0, 1])
def test_cached_log_of_an_empty_or_single_log(state: SandboxState, count: int) -> None:
    log = ["x"][:count]
    got = records.cached_log(state.world, ("test-small",), count,
                             lambda s, e: log[s:e], lambda v, new: [*(v or []), *new])
    assert got == log
