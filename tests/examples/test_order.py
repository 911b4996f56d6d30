"""The order service through our client: the journal shows what the gateway answered, and
the client's retry gives up when the broker stays down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.testing import Sandbox
from tests.examples.client import ServiceUnavailable, place_order
from tests.examples.conftest import (
    NO_WAIT,
    ORDER_ACCOUNT,
    ORDER_COM_ID,
    ORDER_KEY,
    ORDER_SECRET,
)


def buy(sandbox: Sandbox, order_id: str) -> dict[str, Any]:
    return place_order(sandbox.url, key=ORDER_KEY, secret=ORDER_SECRET, com_id=ORDER_COM_ID,
                       broker="samsung", account=ORDER_ACCOUNT, symbol="005930",
                       isin="KR7005930003", qty=10, price=20000, order_id=order_id,
                       transact_time="20261124-01:00:00.000", retry=NO_WAIT)


def test_an_order_is_accepted_once(sandbox: Sandbox,
                                   assert_called: Callable[..., list[dict[str, Any]]]) -> None:
    ack = buy(sandbox, "T-000001")
    assert (ack["clOrdID"], ack["ackStatus"]) == ("T-000001", "ACCEPTED")
    [entry] = assert_called("order.new", times=1, status=200)
    assert (entry["method"], entry["path"]) == ("POST", "/v1/samsung/order/new")


def test_the_retry_gives_up_while_the_broker_is_down(
        sandbox: Sandbox, assert_called: Callable[..., list[dict[str, Any]]]) -> None:
    sandbox.post("brokers/samsung/down", {"down": True})
    with pytest.raises(ServiceUnavailable) as gave_up:
        buy(sandbox, "T-000002")
    assert gave_up.value.attempts == 3
    assert (gave_up.value.category, gave_up.value.code) == ("op-exco", 3600)
    assert_called("order.new", times=3, status=503)
    assert [e["status"] for e in sandbox.journal("order.new")] == [503, 503, 503]
