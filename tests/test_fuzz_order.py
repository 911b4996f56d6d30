"""Property tests: generated order messages never produce an unexpected answer: 200 (accepted
for routing, valid against the response schema), 400 op-apim/op-exco; and whatever was
accepted leaves every order chain in a consistent FIX state."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import Config, create_app
from sandbox.world.orders import records
from sandbox.world.world import WorldSettings
from tests.conftest import FROZEN, b2b_headers
from tests.strategies import json_values, some

APP = create_app(Config(world=WorldSettings(seed=42, clock=FROZEN, users=0),
                        response_validation="strict"))
CLIENT = APP.test_client()
BLOCKS = {"new": "newOrderSingleRequestBody", "replace": "orderCancelReplaceRequestBody",
          "cancel": "orderCancelRequestBody"}

order = st.fixed_dictionaries({}, optional={
    "clOrdID": some("A-1", "A-2", "A-3", ""),
    "origClOrdID": some("A-1", "A-2", "nope"),
    "account": some("0019923122221", "40113387510", ""),
    "securityID": some("KR7005930003", "KR7000660001", "KR7999999999", "005930"),
    "symbol": some("005930", "000660", None),
    "side": some("1", "2", "5"),
    "ordType": some("1", "2", "3", "X"),
    "price": some(20000, 20050, 20001, 0, -5, 1e300, None, "20000"),
    "orderQty": some(1, 10, 0, 1.5, 10**30, "10"),
    "timeInForce": some("0", "3", "4", "1", "9"),
    "transactTime": some("20261124-01:00:00.000", ""),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(api=st.sampled_from(sorted(BLOCKS)), body=order | json_values,
       partner=some({"comId": "00995", "srvId": "100"}))
def test_order_messages_never_fail_unexpectedly(api: str, body: Any, partner: Any) -> None:
    payload = {"partner": partner, BLOCKS[api]: body}
    response = CLIENT.post(f"/v1/samsung/order/{api}", data=json.dumps(payload),
                           content_type="application/json", headers=b2b_headers())
    answer: Any = response.get_json()
    if response.status_code == 200:
        assert answer["resp"] == {"respCode": "200", "respMsg": "OK"}
    else:
        assert response.status_code == 400, (response.status_code, answer)
        assert answer["category"] in ("op-apim", "op-exco"), answer
    world = APP.extensions["sandbox"].world
    for chain in records.chains(world, "00995"):
        assert chain["cumQty"] + chain["leavesQty"] <= chain["orderQty"]
        assert chain["leavesQty"] >= 0 and chain["cumQty"] >= 0
        if chain["ordStatus"] in ("0", "1"):
            assert chain["leavesQty"] > 0
