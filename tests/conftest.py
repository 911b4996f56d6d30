"""Shared fixtures: one in-process app per session, a fresh world per test (frozen clock)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox.app import Config, SandboxState, create_app
from sandbox.world.world import WorldSettings

SHARED = Path(os.environ.get("SANDBOX_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SPEC = SHARED / "spec"
EXAMPLES = SPEC / "examples"

FROZEN = "2026-11-24T10:00:00+09:00"

# Default-world credentials (fixtures/world.yaml).
F9999_KEY = "l7xx230ef2235e34448c982eb192ac98e206"
F0995_KEY = "l7xx07af2794364743abaf6a493cdeca5aa0"
F0995_SECRET = "6f6082006d81483da871da1bd82a93d7"
HACKATHON_KEY = "l7xxf234248b6fbd42a1a6844861524b2320"
HACKATHON_SECRET = "12f7d5f8bac34a769696098425f3b1cb"
B2B_KEY = "l7xxa55191ed000000000000000000000002"
B2B_SECRET = "a55191ed000000000000000000000003"


def example(relative: str) -> Any:
    """A documented example from ../shared/spec/examples; skips the test when it is absent."""
    path = EXAMPLES / relative
    if not path.is_file():
        pytest.skip(f"reference example {relative} not available (no ../shared)")
    return json.loads(path.read_text(encoding="utf-8"))


needs_shared = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/spec is absent")


@pytest.fixture(scope="session")
def app() -> Flask:
    return create_app(Config(world=WorldSettings(seed=42, clock=FROZEN),
                             response_validation="strict"))


@pytest.fixture
def state(app: Flask) -> Iterator[SandboxState]:
    state: SandboxState = app.extensions["sandbox"]
    state.reset()
    yield state


@pytest.fixture
def client(app: Flask, state: SandboxState) -> FlaskClient:
    return app.test_client()


def assert_platform_error(response: Any, status: int, category: str, code: int) -> dict[str, Any]:
    """The response is the platform error object with this status, category and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["category"] == category, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body  # type: ignore[no-any-return]


# --- market-data helpers --------------------------------------------------------------------------
def market_get(client: FlaskClient, path: str, **query: Any) -> Any:
    """GET a market path with the default world's API key in the header."""
    return client.get(path, query_string=query, headers={"apikey": F9999_KEY})


def ok(response: Any) -> Any:
    """The JSON body of a 200 (the test fails with the body otherwise)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def result(client: FlaskClient, path: str, **query: Any) -> Any:
    """The ``result`` of a JSON-RPC market answer."""
    return ok(market_get(client, path, **query))["result"]


def error(response: Any, body: dict[str, str]) -> None:
    """The response is the market error ``body`` (HTTP 400)."""
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json() == body


def set_clock(state: SandboxState, instant: str) -> None:
    """Move the (frozen) world clock to an ISO instant; naive values are KST."""
    from sandbox.world.clock import parse_instant

    state.world.clock.set(parse_instant(instant))


def key_paths(document: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON document, arrays collapsed to ``[]``: ``result.hisLists[].BzDd``."""
    paths: set[str] = set()
    if isinstance(document, dict):
        for key, value in document.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= key_paths(value, path)
    elif isinstance(document, list):
        for item in document:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


def assert_covers(example_name: str, actual: Any, ignore: frozenset[str] = frozenset()) -> None:
    """The emulator's answer carries every key path of a documented example (extra keys allowed,
    ERRATA 35); ``ignore`` lists documented keys an issue's answer legitimately lacks."""
    documented = key_paths(example(example_name))
    missing = sorted(documented - key_paths(actual) - ignore)
    assert not missing, f"{example_name}: missing {missing}"


# --- account-family helpers -----------------------------------------------------------------------
ACCOUNT_BLOCKS = {"portfolio": "portfolioRequestBody", "balance": "balanceRequestBody",
                  "transaction": "transactionHistoryRequestBody",
                  "interest": "interestSymbolListRequestBody"}


def bearer(client: FlaskClient, user_id: str, key: str = F9999_KEY,
           scope: str | None = None) -> dict[str, str]:
    """``Authorization`` header with a fresh access token of ``user_id`` for the app of ``key``
    (the admin shortcut ``POST /_sandbox/oauth/token``)."""
    payload = {"userId": user_id, "apiKey": key, **({"scope": scope} if scope else {})}
    response = client.post("/_sandbox/oauth/token", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def account_body(ci: str, vt_acc_no: str, api: str,
                 query: dict[str, Any] | None = None) -> dict[str, Any]:
    """An account request in the 2018 layout (account.md §1); ``query`` is the ``queryType``
    (``queryParams`` for transaction); None leaves out the body block (interest)."""
    body: dict[str, Any] = {
        "partner": {"comId": "F9999", "srvId": "999"},
        "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "T0001", "ci": ci},
        "devInfo": {"ipAddr": "123451234500", "macAddr": "7054D27EE247"},
        "accInfo": {"vtAccNo": vt_acc_no},
    }
    if query is not None:
        key = "queryParams" if api == "transaction" else "queryType"
        body[ACCOUNT_BLOCKS[api]] = {key: dict(query)}
    return body


# --- b2baccount helpers ---------------------------------------------------------------------------
UBERPLE_KEY = "l7xxa55191ed000000000000000000000004"
UBERPLE_SECRET = "a55191ed000000000000000000000005"
B2B_CREDENTIALS = {"00995": (B2B_KEY, B2B_SECRET), "uberple": (UBERPLE_KEY, UBERPLE_SECRET)}


def b2b_headers(com_id: str = "00995") -> dict[str, str]:
    """HTTP Basic of the institution's app and its ``comId`` header."""
    import base64

    key, secret = B2B_CREDENTIALS[com_id]
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "comId": com_id}


def b2b_post(client: FlaskClient, api: str, body: Any, com_id: str = "00995",
             broker: str = "samsung") -> Any:
    """POST a b2baccount search as the institution ``com_id``."""
    return client.post(f"/v1/{broker}/b2baccount/{api}/search", json=body,
                       headers=b2b_headers(com_id))


def b2b_body(api: str, query: dict[str, Any]) -> dict[str, Any]:
    """A b2baccount request with ``query`` as its ``queryParameter``."""
    blocks = {"orderdetail": "orderDetailListRequestBody", "balancelist": "balanceListRequestBody",
              "settlelist": "settleListRequestBody", "accountlist": "accountListRequestBody",
              "tradebook": "tradeBookListRequestBody"}
    return {"partner": {"comId": "00995", "srvId": "100"},
            "commonHeader": {"reqIdConsumer": "qa-0001"},
            blocks[api]: {"queryParameter": query}}


# --- partner helpers ---------------------------------------------------------------------------
def partner_call(client: FlaskClient, described: dict[str, Any], key: str = F0995_KEY) -> Any:
    """Send a partner call described as in ``examples/partners`` (``{method, path, headers,
    query, body}``, ERRATA 34) with ``<APIKEY>`` replaced by ``key``."""
    headers = {name: (key if value == "<APIKEY>" else value)
               for name, value in (described.get("headers") or {}).items()}
    query = {name: (key if value == "<APIKEY>" else value)
             for name, value in (described.get("query") or {}).items()}
    method = described.get("method", "GET").upper()
    body = described.get("body")
    data = None
    if method != "GET" and body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
    return client.open(described["path"], method=method, headers=headers, query_string=query,
                       data=data)


def partner_get(client: FlaskClient, path: str, key: str = F0995_KEY, **query: Any) -> Any:
    """GET a partner path with ``key`` in the ``apikey`` header."""
    return client.get(path, query_string=query, headers={"apikey": key})


def partner_post(client: FlaskClient, path: str, body: Any, key: str = F0995_KEY) -> Any:
    """POST a JSON body to a partner path with ``key`` in the ``apikey`` header."""
    return client.post(path, json=body, headers={"apikey": key})


def assert_partner_error(response: Any, family: str, parameter: str | None = None,
                         status: int = 400) -> dict[str, Any]:
    """The partner error body of ERRATA 33 (category = family, ``Invalid parameters``)."""
    body = assert_platform_error(response, status, family, status)
    if parameter is not None:
        assert body["description"] == parameter, body
    return body
