"""Property tests: generated bodies to the four account searches never produce an unexpected
answer: 200 valid against the response schema (strict validation is on), 400 op-apim/op-exco,
403 op-auth 2100, or a documented 500 (op-exco 3009/3010, broker 4003/4006/600x/7000)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import Config, create_app
from sandbox.world.world import WorldSettings
from tests.conftest import F0995_KEY, FROZEN
from tests.strategies import json_values, some

APP = create_app(Config(world=WorldSettings(seed=42, clock=FROZEN), response_validation="strict"))
CLIENT = APP.test_client()
WORLD = APP.extensions["sandbox"].world
HWANNY = WORLD.ids.users["hwanny"]
TOKEN = CLIENT.post("/_sandbox/oauth/token",
                    json={"userId": "hwanny", "apiKey": F0995_KEY}).get_json()["access_token"]
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
BLOCKS = {"portfolio": "portfolioRequestBody", "balance": "balanceRequestBody",
          "transaction": "transactionHistoryRequestBody",
          "interest": "interestSymbolListRequestBody"}
BROKER_CODES = {4003, 4006, 6001, 6002, 6003, 6004, 6006, 6007, 6008, 7000}

query = st.fixed_dictionaries({}, optional={
    "assetType": some("ALL", "CASH", "EQTY", "FUND", "ETC", "EQY", "", "string"),
    "rspType": some("RAT", "QTY", "", None),
    "count": some(0, 1, 3, "5", -1, 10**12),
    "page": some("null", "", None, "202611240000000001", "20261124000000000x"),
    "fromDate": some("20130101", "20260901", "20261124", "2026-11-24", "20261399"),
    "toDate": some("20130131", "20261124", "20261231"),
    "isinCode": some("", "KR7005930003", "KR7005930000", "KRZ500395135", "NC30010"),
    "side": some("", "ALL", "BID", "ASK", "DEP", "WID", "SELL"),
})
accounts = st.sampled_from([a.vt_acc_no for a in HWANNY.accounts]
                           + ["160657695589800099", "160600000000000001", ""]) | json_values


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    api = draw(st.sampled_from(sorted(BLOCKS)))
    broker = draw(st.sampled_from(["star", "cyber", "diamond", "SAMSUNG", "kyobo"]))
    inner = draw(st.fixed_dictionaries({}, optional={"queryType": query, "queryParams": query,
                                                     "accInfo": st.fixed_dictionaries(
                                                         {"vtAccNo": accounts})}))
    payload = draw(st.fixed_dictionaries({}, optional={
        "partner": some({"comId": "F0995", "srvId": "297"}),
        "commonHeader": st.fixed_dictionaries({}, optional={
            "ci": some(HWANNY.ci, " " + HWANNY.ci, "", "other"),
            "reqIdConsumer": json_values}),
        "devInfo": some({"ipAddr": "127000000001", "macAddr": "x"}),
        "accInfo": st.fixed_dictionaries({}, optional={"vtAccNo": accounts}),
        BLOCKS[api]: st.just(inner) | json_values,
    }))
    return api, broker, payload


def check(api: str, broker: str, data: bytes) -> None:
    response = CLIENT.post(f"/v1/{broker}/account/{api}/search", data=data,
                           content_type="application/json", headers=HEADERS)
    body: Any = response.get_json()
    status = response.status_code
    if status == 200:
        assert body["resp"] == {"respCode": "200", "respMsg": "OK"}
    elif status == 400:
        assert body["category"] in ("op-apim", "op-exco"), body
    elif status == 403:
        assert (body["category"], body["code"]) == ("op-auth", 2100), body
    else:
        assert status == 500, (status, body)
        platform = body["category"] == "op-exco" and body["code"] in (3009, 3010)
        assert platform or body["code"] in BROKER_CODES, body


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=bodies())
def test_shaped_account_bodies_never_fail_unexpectedly(case: tuple[str, str, Any]) -> None:
    api, broker, payload = case
    check(api, broker, json.dumps(payload).encode())


@settings(max_examples=60, deadline=None)
@given(api=st.sampled_from(sorted(BLOCKS)),
       raw=st.one_of(st.binary(max_size=48), json_values.map(lambda v: json.dumps(v).encode())))
def test_arbitrary_account_bytes_never_fail_unexpectedly(api: str, raw: bytes) -> None:
    check(api, "star", raw)
