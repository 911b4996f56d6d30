"""Property tests: generated bodies to the five b2baccount searches never produce an unexpected
answer: 200 valid against the response schema (strict validation is on), 400 op-apim/op-exco,
or a documented broker 500 (4001, 6001, 6003, 6006, 6007, 7000)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import Config, create_app
from sandbox.world.world import WorldSettings
from tests.conftest import FROZEN, b2b_headers
from tests.strategies import json_values, some

APP = create_app(Config(world=WorldSettings(seed=42, clock=FROZEN, users=0),
                        response_validation="strict"))
CLIENT = APP.test_client()
BLOCKS = {"orderdetail": "orderDetailListRequestBody", "balancelist": "balanceListRequestBody",
          "settlelist": "settleListRequestBody", "accountlist": "accountListRequestBody",
          "tradebook": "tradeBookListRequestBody"}
BROKER_CODES = {4001, 6001, 6003, 6006, 6007, 7000}

query = st.fixed_dictionaries({}, optional={
    "qrAccNo": some("0019923122221", "40113387510", " 0019923122221", "", "nope"),
    "qrAssetType": some("EQTY", "FUND", "ETC", "ALL", ""),
    "qrSellBuyType": some("0", "1", "2", "3", 1),
    "qrOrderDate": some("20261123", "20261120", "20160622", "2026-11-23", None),
    "qrFromDate": some("20261001", "20251101", "20261124", "20261399"),
    "qrToDate": some("20261123", "20261124", "20161231"),
    "qrIsinCode": some("KR7005930003", "A005930", "KR0065300", "XX", None),
    "qrOrderNo": some("0000012345", None),
    "count": some(0, 1, 3, "5", -1, 10**12),
    "page": some("null", "", None, "202611240000000001", "20261124000000000x"),
})


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, str, str, dict[str, Any]]:
    api = draw(st.sampled_from(sorted(BLOCKS)))
    broker = draw(st.sampled_from(["samsung", "SAMSUNG", "daishin", "kyobo"]))
    com_id = draw(st.sampled_from(["00995", "uberple"]))
    block = draw(st.fixed_dictionaries({}, optional={"queryParameter": query}) | json_values)
    payload = draw(st.fixed_dictionaries({}, optional={
        "partner": some({"comId": com_id, "srvId": "100"}),
        "commonHeader": st.fixed_dictionaries({}, optional={"reqIdConsumer": json_values}),
        BLOCKS[api]: st.just(block),
    }))
    return api, broker, com_id, payload


def check(api: str, broker: str, com_id: str, data: bytes) -> None:
    response = CLIENT.post(f"/v1/{broker}/b2baccount/{api}/search", data=data,
                           content_type="application/json", headers=b2b_headers(com_id))
    body: Any = response.get_json()
    status = response.status_code
    if status == 200:
        assert body["resp"] == {"respCode": "200", "respMsg": "OK"}
    elif status == 400:
        assert body["category"] in ("op-apim", "op-exco"), body
    else:
        assert status == 500 and body["code"] in BROKER_CODES, (status, body)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=bodies())
def test_shaped_b2b_bodies_never_fail_unexpectedly(case: tuple[str, str, str, Any]) -> None:
    api, broker, com_id, payload = case
    check(api, broker, com_id, json.dumps(payload).encode())


@settings(max_examples=60, deadline=None)
@given(api=st.sampled_from(sorted(BLOCKS)),
       raw=st.one_of(st.binary(max_size=48), json_values.map(lambda v: json.dumps(v).encode())))
def test_arbitrary_b2b_bytes_never_fail_unexpectedly(api: str, raw: bytes) -> None:
    check(api, "samsung", "00995", raw)
