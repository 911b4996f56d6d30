"""Common service: member/register/search and member/consent/search (common.md, ERRATA 10-13)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import F0995_KEY, F9999_KEY, HACKATHON_KEY, assert_platform_error, example

REGISTER = "/v1/common/member/register/search"
CONSENT = "/v1/common/member/consent/search"

JEEAE_CI = (
    "Q9z5ccmjYNrhPVXrdfgfgfFdfgFGHdfg3fGFGgghDFFGghghgSSSfgfgcvbdfgert45rgfgdfgfhpf5vmzjaA=="
)
HWANNY_CI = (
    "QciuDFKLcwalCKtWALuNWic9eGm7WNdauW+A+n+mpfhif24c3msHdzVjoZK0ntkXZ1+nA6LX47nyKmIq1JoHhg=="
)
HACKATHON_CI = (
    "35SA9SlOxR3vOSQF0aXztoWpwgLmXFZbH074ZcqwbPBCIwt4xo1I0az0lu7qp5nuDRs78QNJxAnZk5SP/XB8Yw=="
)
MHCHA_CI = (
    "2k4w1HX8oe0GfhgGGFHdtreetFDDFGFDG/p+whMWpgFBF+TGn1wSDjolTXHMJA3HVgGtRLZ9ACHovhl+w=="
)


def body(ci: str, name: str) -> dict[str, Any]:
    return {"partner": {"comId": "F0995", "srvId": "297"},
            "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "t-1", "ci": ci},
            "body": {"korName": name}}


def post(client: FlaskClient, path: str, payload: Any, key: str = F9999_KEY) -> Any:
    return client.post(path, json=payload, headers={"apikey": key})


# --- documented examples, replayed verbatim ---------------------------------------------------
@pytest.mark.parametrize("name", ["member_register_search.request.json",
                                  "member_register_search.sandbox.request.json",
                                  "member_register_search.apikey-page.request.json"])
def test_register_examples_answer_member(client: FlaskClient, name: str) -> None:
    response = post(client, REGISTER, example(f"common/{name}"))
    assert response.status_code == 200
    assert response.get_json() == {"result": "member", "commonTermsExpireDate": "20181105"}


def test_register_sandbox_example_matches_documented_response(client: FlaskClient) -> None:
    documented = example("common/member_register_search.sandbox.response.json")
    response = post(client, REGISTER, example("common/member_register_search.sandbox.request.json"))
    assert response.get_json() == documented


def test_apikey_post_wrapper_example(client: FlaskClient) -> None:
    wrapper = example("auth/apikey_post.request.json")
    payload = example(wrapper["bodyExample"].removeprefix("examples/"))
    headers = {k: v for k, v in wrapper["headers"].items() if k.lower() != "content-type"}
    response = client.post("/v1/common/member/register/search", json=payload, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["result"] == "member"


def test_consent_seed_example_lists_the_account_once_at_cyber(client: FlaskClient) -> None:
    response = post(client, CONSENT, example("common/member_consent_search.request.json"))
    assert response.status_code == 200
    data = response.get_json()
    assert [(e["comId"], e["vtAccNo"], e["vtAccAlias"]) for e in data["vtAccList"]] == [
        ("00991", "160657695589800099", "주식투자용")]
    assert data["vtAccList"][0]["endpoint"] == "http://localhost/v1/cyber/account/"
    documented = example("common/member_consent_search.response.json")
    assert set(documented) <= set(data)
    assert set(documented["vtAccList"][0]) <= set(data["vtAccList"][0])


def test_consent_sandbox_example_keeps_documented_order_and_keys(client: FlaskClient) -> None:
    documented = example("common/member_consent_search.sandbox.response.json")
    response = post(client, CONSENT, example("common/member_consent_search.sandbox.request.json"),
                    key=F0995_KEY)
    data = response.get_json()
    assert response.status_code == 200
    assert data["serviceTermsExpireDate"] == documented["serviceTermsExpireDate"]
    got = [{k: v for k, v in e.items() if k != "endpoint"} for e in data["vtAccList"]]
    want = [{k: v for k, v in e.items() if k != "endpoint"} for e in documented["vtAccList"]]
    assert got == want
    for entry, doc in zip(data["vtAccList"], documented["vtAccList"], strict=True):
        assert entry["endpoint"].endswith(doc["endpoint"].removeprefix(
            "https://sandbox-apigw.koscom.co.kr"))


# --- the same behaviour without ../shared ------------------------------------------------------
def test_register_member_by_name_and_alias(client: FlaskClient) -> None:
    for name in ("이지애", "홍길동", "  이지애 "):
        assert post(client, REGISTER, body(JEEAE_CI, name)).get_json()["result"] == "member"


def test_register_non_member_does_not_say_why(client: FlaskClient) -> None:
    for ci, name in ((JEEAE_CI, "김철수"), ("unknown-ci", "이지애")):
        response = post(client, REGISTER, body(ci, name))
        assert response.status_code == 200
        assert response.get_json() == {"result": "nonMember"}


def test_register_trims_the_ci(client: FlaskClient) -> None:
    response = post(client, REGISTER, body(" " + HACKATHON_CI + " ", "홍길동"), key=HACKATHON_KEY)
    assert response.get_json()["result"] == "member"


def test_consent_sandbox_user_has_three_accounts_in_portal_order(client: FlaskClient) -> None:
    data = post(client, CONSENT, body(HWANNY_CI, "박환덕"), key=F0995_KEY).get_json()
    assert [(e["comId"], e["vtAccNo"]) for e in data["vtAccList"]] == [
        ("00992", "160635473367600099"), ("00991", "160613251214500099"),
        ("00993", "160646584478700099")]
    assert data["serviceTermsExpireDate"] == "20190813"


def test_consent_member_without_links_is_an_empty_list(client: FlaskClient) -> None:
    response = post(client, CONSENT, body(MHCHA_CI, "차명호"))
    assert response.status_code == 200
    assert response.get_json() == {"vtAccList": []}


def test_consent_unknown_user_is_op_spt_3007(client: FlaskClient) -> None:
    response = post(client, CONSENT, body(JEEAE_CI, "김철수"))
    error = assert_platform_error(response, 500, "op-spt", 3007)
    assert error["message"] == "not found user"


def test_consent_omits_expired_links(client: FlaskClient, state: Any) -> None:
    from sandbox.world.links import set_link

    set_link(state.world, "app-f0995-sandbox", "160613251214500099", "expired")
    data = post(client, CONSENT, body(HWANNY_CI, "박환덕"), key=F0995_KEY).get_json()
    assert [e["vtAccNo"] for e in data["vtAccList"]] == ["160635473367600099",
                                                        "160646584478700099"]


@pytest.mark.parametrize("path", [REGISTER, CONSENT])
@pytest.mark.parametrize(("mutate", "field"), [
    (lambda b: b.pop("partner"), "partner"),
    (lambda b: b["commonHeader"].pop("ci"), "commonHeader.ci"),
    (lambda b: b["commonHeader"].update(ci=""), "commonHeader.ci"),
    (lambda b: b["commonHeader"].update(ci=None), "commonHeader.ci"),
    (lambda b: b["commonHeader"].update(ci="   "), "commonHeader.ci"),
    (lambda b: b["body"].pop("korName"), "body.korName"),
    (lambda b: b["body"].update(korName=""), "body.korName"),
    (lambda b: b.pop("body"), "body"),
])
def test_missing_required_field_is_op_spt_3003(client: FlaskClient, path: str, mutate: Any,
                                               field: str) -> None:
    payload = body(HWANNY_CI, "박환덕")
    mutate(payload)
    error = assert_platform_error(post(client, path, payload), 400, "op-spt", 3003)
    assert error["message"] == "필수 항목 누락"
    assert error["description"] == field


def test_wrong_type_is_op_apim_400_with_pointer(client: FlaskClient) -> None:
    payload = body(HWANNY_CI, "박환덕")
    payload["commonHeader"]["ci"] = 12345
    error = assert_platform_error(post(client, REGISTER, payload), 400, "op-apim", 400)
    assert error["description"].startswith("/commonHeader/ci:")


def test_unvalidated_fields_accept_anything(client: FlaskClient) -> None:
    payload = body(HWANNY_CI, "박환덕")
    payload["partner"] = {"comId": "COMPANY-ID", "srvId": 7}
    payload["commonHeader"]["reqIdConsumer"] = None
    payload["commonHeader"]["certDn"] = "Ou=KOSCOM"
    assert post(client, REGISTER, payload).status_code == 200
