"""Gateway behaviour shared by every family: auth, error bodies, check order (ERRATA 1, 2, 4)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.errors import JSON_TYPE
from tests.conftest import B2B_KEY, B2B_SECRET, F9999_KEY, assert_platform_error
from tests.test_common import HWANNY_CI, REGISTER, body


def good() -> dict[str, Any]:
    return body(HWANNY_CI, "박환덕")


def test_unknown_path_is_404_platform_error(client: FlaskClient) -> None:
    response = client.post("/v1/samsung/account/balanc/search", json={})
    error = assert_platform_error(response, 404, "op-apim", 404)
    assert error["description"] == "no API is published at POST /v1/samsung/account/balanc/search"


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.get(REGISTER, headers={"apikey": F9999_KEY})
    assert_platform_error(response, 405, "op-apim", 405)
    assert "POST" in response.headers["Allow"].split(", ")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/xml"])
def test_non_json_content_type_is_415_before_auth(client: FlaskClient, content_type: str) -> None:
    response = client.post(REGISTER, data=b"{}", content_type=content_type)
    assert_platform_error(response, 415, "op-apim", 415)


@pytest.mark.parametrize("content_type", ["application/json", "Application/json",
                                          "application/json; charset=utf-8", None])
def test_json_content_type_any_case_or_absent(client: FlaskClient,
                                              content_type: str | None) -> None:
    import json

    headers = {"apikey": F9999_KEY}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(REGISTER, data=json.dumps(good()), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_missing_key_is_401(client: FlaskClient) -> None:
    response = client.post(REGISTER, json=good())
    assert_platform_error(response, 401, "op-apim", 401)


def test_unknown_key_is_401(client: FlaskClient) -> None:
    assert_platform_error(client.post(REGISTER, json=good(), headers={"apikey": "l7xxnope"}),
                          401, "op-apim", 401)


def test_key_in_query_and_any_header_case(client: FlaskClient) -> None:
    assert client.post(f"{REGISTER}?apikey={F9999_KEY}", json=good()).status_code == 200
    assert client.post(REGISTER, json=good(), headers={"apiKey": F9999_KEY}).status_code == 200


def test_key_in_header_and_query_must_agree(client: FlaskClient) -> None:
    response = client.post(f"{REGISTER}?apikey=other", json=good(),
                           headers={"apikey": F9999_KEY})
    assert_platform_error(response, 401, "op-apim", 401)


def test_placeholder_key_alias_is_accepted(client: FlaskClient) -> None:
    assert client.post(REGISTER, json=good(), headers={"apikey": "XXXXXXXX"}).status_code == 200


def test_app_not_subscribed_is_403_op_auth_2100(client: FlaskClient) -> None:
    response = client.post(REGISTER, json=good(), headers={"apikey": B2B_KEY})
    error = assert_platform_error(response, 403, "op-auth", 2100)
    assert error["message"] == "Authorization Failed"


def test_auth_is_checked_before_the_body(client: FlaskClient) -> None:
    response = client.post(REGISTER, data=b"not json", content_type="application/json")
    assert_platform_error(response, 401, "op-apim", 401)


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"text"', b"{", b"\xff\xfe",
                                 b'{"a": NaN}', b"[" * 10000])
def test_malformed_body_is_op_apim_400(client: FlaskClient, raw: bytes) -> None:
    response = client.post(REGISTER, data=raw, content_type="application/json",
                           headers={"apikey": F9999_KEY})
    assert_platform_error(response, 400, "op-apim", 400)


def test_oversized_body_is_a_platform_error(client: FlaskClient) -> None:
    response = client.post(REGISTER, data=b" " * (2 << 20), content_type="application/json",
                           headers={"apikey": F9999_KEY})
    assert_platform_error(response, 400, "op-apim", 400)


def test_our_own_bug_is_a_500_without_internals(client: FlaskClient, monkeypatch: Any) -> None:
    from sandbox.families.common import models

    def explode(*args: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(models, "register_search", explode)
    response = client.post(REGISTER, json=good(), headers={"apikey": F9999_KEY})
    error = assert_platform_error(response, 500, "op-apim", 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert error["message"] == "Internal Server Error"


def test_error_bodies_are_utf8_json(client: FlaskClient) -> None:
    payload = good()
    payload["body"].pop("korName")
    response = client.post(REGISTER, json=payload, headers={"apikey": F9999_KEY})
    assert response.headers["Content-Type"] == JSON_TYPE
    assert "필수 항목 누락".encode() in response.data


def test_unknown_broker_is_op_exco_3002(state: Any) -> None:
    from sandbox.errors import UnknownApiUrl
    from sandbox.gateway.call import Call
    from sandbox.gateway.pipeline import resolve_broker
    from sandbox.registry import all_operations

    op = all_operations()[0]
    for name, short in (("SHINHAN", "shinhan"), ("hiinvest", "hi"),
                        ("MiraeAssetDaewoo", "miraeasset"), ("cyber", "cyber")):
        call = Call(op, state.world, "r", path_params={"broker": name})
        resolve_broker(call, state)
        assert call.broker is not None and call.broker.short_name == short
    for name in ("kyobo", "hyundai", "koreainvest"):
        call = Call(op, state.world, "r", path_params={"broker": name})
        with pytest.raises(UnknownApiUrl) as info:
            resolve_broker(call, state)
        assert info.value.body()["code"] == 3002
        assert info.value.status == 400


def basic(key: str, secret: str, space: bool = True) -> str:
    encoded = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return f"Basic {encoded}" if space else f"Basic{encoded}"


def test_basic_auth_scheme(state: Any) -> None:
    """HTTP Basic + comId (auth.md §3): the b2b routes arrive later; the scheme is here."""
    from flask import Flask

    from sandbox.errors import Forbidden, MissingField, Unauthorized
    from sandbox.gateway import auth
    from sandbox.gateway.call import Call
    from sandbox.registry import all_operations

    op = all_operations()[0]

    def run(headers: dict[str, str]) -> Call:
        call = Call(op, state.world, "r")
        with Flask(__name__).test_request_context("/", headers=headers) as ctx:
            auth.basic(ctx.request, call)
        return call

    assert run({"Authorization": basic(B2B_KEY, B2B_SECRET), "comId": "00995"}).institution \
        == "00995"
    assert run({"Authorization": basic(B2B_KEY, B2B_SECRET, space=False),
                "comId": "00995"}).app is not None
    literal = "Basic QwsxdWAf1D34A5fdsdassdeerf234248b6fbd42a1a6844861524b2320"
    assert run({"Authorization": literal, "comId": "00995"}).app.com_id == "00995"  # type: ignore[union-attr]
    with pytest.raises(Unauthorized):
        run({"Authorization": basic(B2B_KEY, "wrong"), "comId": "00995"})
    with pytest.raises(Unauthorized):
        run({"comId": "00995"})
    with pytest.raises(MissingField) as missing:
        run({"Authorization": basic(B2B_KEY, B2B_SECRET)})
    assert missing.value.body()["description"] == "comId"
    with pytest.raises(Forbidden):
        run({"Authorization": basic(B2B_KEY, B2B_SECRET), "comId": "uberple"})


def test_request_journal_records_answers(client: FlaskClient) -> None:
    client.post(REGISTER, json=good(), headers={"apikey": F9999_KEY})
    client.get("/nowhere")
    entries = client.get("/_sandbox/requests?limit=2").get_json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/nowhere", 404), ("POST", REGISTER, 200)]
    assert entries[1]["operationId"] == "common.member_register_search"
    assert entries[1]["app"] == "app-f9999-seed"
    assert entries[1]["latencyMs"] >= 0


def test_strict_mode_catches_an_invalid_error_body(client: FlaskClient, monkeypatch: Any) -> None:
    from sandbox.errors import PlatformError
    from sandbox.families.common import models

    class Broken(PlatformError):
        status, category, code, message = 500, "", 1, "broken"

    def explode(*args: Any) -> None:
        raise Broken()

    monkeypatch.setattr(models, "register_search", explode)
    response = client.post(REGISTER, json=good(), headers={"apikey": F9999_KEY})
    assert_platform_error(response, 500, "op-apim", 500)
