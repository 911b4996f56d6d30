"""Property tests: generated bodies to the common endpoints never produce a 500 (issue: spine)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import Config, create_app
from sandbox.world.world import WorldSettings
from tests.conftest import F9999_KEY, FROZEN
from tests.test_common import CONSENT, HWANNY_CI, REGISTER

APP = create_app(Config(world=WorldSettings(seed=42, clock=FROZEN), response_validation="strict"))
CLIENT = APP.test_client()

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(
    max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=12), inner, max_size=4), max_leaves=20)
text_or_any = st.one_of(st.sampled_from([HWANNY_CI, " ", "", "null", "박환덕"]), json_values)

shaped_bodies = st.fixed_dictionaries(
    {},
    optional={
        "partner": st.one_of(json_values, st.fixed_dictionaries(
            {}, optional={"comId": json_values, "srvId": json_values})),
        "commonHeader": st.one_of(json_values, st.fixed_dictionaries(
            {}, optional={"ci": text_or_any, "reqIdConsumer": json_values,
                          "reqIdPlatform": json_values})),
        "body": st.one_of(json_values, st.fixed_dictionaries(
            {}, optional={"korName": text_or_any})),
    },
)


def check(path: str, data: bytes) -> None:
    response = CLIENT.post(path, data=data, content_type="application/json",
                           headers={"apikey": F9999_KEY})
    assert response.status_code in (200, 400, 500), response.status_code
    body: Any = response.get_json()
    if response.status_code == 500:
        # the only documented 500 of the common family: consent/search of an unknown user
        assert (body["category"], body["code"]) == ("op-spt", 3007), body
    elif response.status_code == 400:
        assert body["category"] in ("op-apim", "op-spt"), body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from([REGISTER, CONSENT]), payload=shaped_bodies)
def test_shaped_bodies_never_fail_unexpectedly(path: str, payload: dict[str, Any]) -> None:
    check(path, json.dumps(payload).encode())


@settings(max_examples=100, deadline=None)
@given(path=st.sampled_from([REGISTER, CONSENT]),
       raw=st.one_of(st.binary(max_size=64), json_values.map(lambda v: json.dumps(v).encode())))
def test_arbitrary_bytes_never_fail_unexpectedly(path: str, raw: bytes) -> None:
    check(path, raw)
