"""A fintech's own client of the Koscom Open API Platform, as a client team would write it.

This is the code under test of the example suite: it knows nothing about the emulator, only a
base URL (``https://sandbox-apigw.koscom.co.kr`` in production, the emulator's URL in tests).
It retries a call that answers 503 (the platform's "Target Company Service Unavailable" when a
broker is down) a few times, then gives up with :class:`ServiceUnavailable`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests


class PlatformError(Exception):
    """A platform error object ``{category, code, message, description}`` with its status."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body if isinstance(body, dict) else {"message": str(body)}
        self.category = self.body.get("category")
        self.code = self.body.get("code")
        super().__init__(f"HTTP {status} {self.category} {self.code}: "
                         f"{self.body.get('message')}")


class ServiceUnavailable(PlatformError):
    """Still 503 after every attempt."""

    def __init__(self, status: int, body: Any, attempts: int) -> None:
        super().__init__(status, body)
        self.attempts = attempts


@dataclass(frozen=True)
class Retry:
    """How often a 503 is retried, with exponential back-off (``backoff`` seconds, doubled)."""

    attempts: int = 3
    backoff: float = 0.5


def send(method: str, url: str, *, retry: Retry = Retry(), **kwargs: Any) -> dict[str, Any]:
    """One platform call: the JSON of a 2xx answer; 503s are retried, other errors raised."""
    kwargs.setdefault("timeout", 10)
    for attempt in range(1, retry.attempts + 1):
        response = requests.request(method, url, **kwargs)
        if response.status_code != 503:
            break
        if attempt == retry.attempts:
            raise ServiceUnavailable(503, _json(response), attempt)
        time.sleep(retry.backoff * 2 ** (attempt - 1))
    if not response.ok:
        raise PlatformError(response.status_code, _json(response))
    return dict(response.json())


def stock_price(base_url: str, api_key: str, code: str, market: str = "kospi", *,
                retry: Retry = Retry()) -> int:
    """The last traded price of a KRX issue (market data, API key in the header)."""
    answer = send("GET", f"{base_url}/v2/market/stocks/{market}/{code}/price",
                  headers={"apikey": api_key}, retry=retry)
    return int(answer["result"]["trdPrc"])


def balance(base_url: str, token: str, *, broker: str, vt_acc_no: str, ci: str, com_id: str,
            asset_type: str = "ALL", retry: Retry = Retry()) -> dict[str, Any]:
    """The summary of a customer's balance at a broker (account service, OAuth Bearer token of
    the customer)."""
    body = {"partner": {"comId": com_id, "srvId": "999"},
            "devInfo": {"ipAddr": "127000000001", "macAddr": "7054D27EE247"},
            "commonHeader": {"reqIdConsumer": "balance-1", "ci": ci},
            "accInfo": {"vtAccNo": vt_acc_no},
            "balanceRequestBody": {"queryType": {"assetType": asset_type, "count": 0,
                                                 "page": "null"}}}
    answer = send("POST", f"{base_url}/v1/{broker}/account/balance/search", json=body,
                  headers={"Authorization": f"Bearer {token}"}, retry=retry)
    return dict(answer["balanceList"]["balance"]["summary"])


def place_order(base_url: str, *, key: str, secret: str, com_id: str, broker: str,
                account: str, symbol: str, isin: str, qty: int, price: int, order_id: str,
                transact_time: str, retry: Retry = Retry()) -> dict[str, Any]:
    """A limit buy for a discretionary institution (order service, HTTP Basic + comId)."""
    order = {"msgType": "D", "clOrdID": order_id, "account": account, "securityID": isin,
             "securityIDSource": "4", "symbol": symbol, "side": "1", "ordType": "2",
             "price": price, "orderQty": qty, "timeInForce": "0",
             "transactTime": transact_time}
    body = {"partner": {"comId": com_id, "srvId": "100"},
            "commonHeader": {"reqIdConsumer": order_id}, "newOrderSingleRequestBody": order}
    answer = send("POST", f"{base_url}/v1/{broker}/order/new", json=body, auth=(key, secret),
                  headers={"comId": com_id}, retry=retry)
    return dict(answer["newOrderSingleResponseBody"])


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
