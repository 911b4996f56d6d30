"""Edge cases scripted by scenarios: our client's retry against a flaky gateway and a broker
outage. The plugin turns each scenario off again after the test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.testing import Sandbox, Scenarios
from tests.examples.client import Retry, ServiceUnavailable, balance, stock_price
from tests.examples.conftest import (
    API_KEY,
    COM_ID,
    GILDONG_CI,
    GILDONG_SAMSUNG,
    GILDONG_SHINHAN,
    NO_WAIT,
)

FLAKY_PRICES = {
    "name": "flaky-prices",
    "description": "the first two price calls answer 503, then the gateway recovers",
    "rules": [{"name": "first-two",
               "when": {"operation": "market.stocks_price", "nth": [1, 2]},
               "then": {"fault": {"type": "http_error", "status": 503}}}],
}


def test_the_retry_rides_out_two_503s(sandbox: Sandbox, sandbox_scenario: Scenarios,
                                      assert_called: Callable[..., list[dict[str, Any]]]) -> None:
    sandbox_scenario(definition=FLAKY_PRICES)
    assert stock_price(sandbox.url, API_KEY, "005930", retry=NO_WAIT) == 26650
    assert_called("market.stocks_price", times=2, status=503, scenario="flaky-prices")
    assert_called("market.stocks_price", times=1, status=200)


def test_with_one_attempt_the_client_gives_up(sandbox: Sandbox,
                                              sandbox_scenario: Scenarios) -> None:
    sandbox_scenario(definition=FLAKY_PRICES)
    with pytest.raises(ServiceUnavailable) as gave_up:
        stock_price(sandbox.url, API_KEY, "005930", retry=Retry(attempts=1, backoff=0))
    assert (gave_up.value.status, gave_up.value.attempts) == (503, 1)


def test_the_scenario_is_gone_in_the_next_test(sandbox: Sandbox) -> None:
    assert stock_price(sandbox.url, API_KEY, "005930", retry=Retry(attempts=1)) == 26650


def samsung_balance(sandbox: Sandbox, token: str) -> dict[str, Any]:
    return balance(sandbox.url, token, broker="samsung", vt_acc_no=GILDONG_SAMSUNG,
                   ci=GILDONG_CI, com_id=COM_ID, asset_type="EQTY", retry=NO_WAIT)


def test_a_broker_outage_makes_the_retry_give_up(
        sandbox: Sandbox, sandbox_scenario: Scenarios, sandbox_token: Callable[..., str],
        assert_called: Callable[..., list[dict[str, Any]]]) -> None:
    outage = sandbox_scenario("broker-outage", broker="samsung")  # the first 3 calls fail
    token = sandbox_token()
    with pytest.raises(ServiceUnavailable) as gave_up:
        samsung_balance(sandbox, token)
    assert (gave_up.value.attempts, gave_up.value.category, gave_up.value.code) == (
        3, "op-exco", 3600)
    assert_called("account.balance_search", times=3, status=503, scenario="broker-outage")
    assert outage.state == "up"  # the broker is back: the next try succeeds
    assert samsung_balance(sandbox, token)["cashBalance"] == 10379872.0


def test_other_brokers_keep_answering_during_an_outage(
        sandbox: Sandbox, sandbox_scenario: Scenarios,
        sandbox_token: Callable[..., str]) -> None:
    sandbox_scenario("broker-outage", broker="samsung", calls=10)
    token = sandbox_token()
    summary = balance(sandbox.url, token, broker="shinhan", vt_acc_no=GILDONG_SHINHAN,
                      ci=GILDONG_CI, com_id=COM_ID, retry=NO_WAIT)
    assert summary["cashBalance"] == 6976542.0
    with pytest.raises(ServiceUnavailable):
        samsung_balance(sandbox, token)
