"""Every error row of auth.md §4.6 and account.md §8, in the order of ERRATA 1 (errors.md §6
and §10 for codes and messages; examples/errors/*.proposed.response.json for the bodies)."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from sandbox.oauth.models import issue_tokens
from sandbox.world.links import set_account_status, set_link
from tests.conftest import (
    F9999_KEY,
    HACKATHON_KEY,
    account_body,
    assert_platform_error,
    bearer,
    example,
)
from tests.test_account import (
    GILDONG_CI,
    HWANNY_CI,
    JEEAE_ACC,
    JEEAE_CI,
    KHJ_ACC,
    KHJ_CI,
    SAMSUNG_ACC,
    SEEDED_TOKEN,
    SHINHAN_ACC,
    STAR_ACC,
    UBERPLE_KEY,
    investors,
    search,
)

F9999_SECRET = "a55191ed000000000000000000000001"
UNKNOWN_ACC = "160600000000000001"
Mutation = Callable[[dict[str, Any]], Any]


def balance(ci: str = GILDONG_CI, vt_acc_no: str = SHINHAN_ACC, **query: Any) -> dict[str, Any]:
    return account_body(ci, vt_acc_no, "balance", {"assetType": "CASH", **query})


def transaction(ci: str = GILDONG_CI, vt_acc_no: str = SAMSUNG_ACC,
                **query: Any) -> dict[str, Any]:
    return account_body(ci, vt_acc_no, "transaction",
                        {"fromDate": "20160101", "toDate": "20160331", "isinCode": "",
                         "side": "", "count": 50, "page": "null", **query})


def portfolio(ci: str = GILDONG_CI, vt_acc_no: str = SHINHAN_ACC, **query: Any) -> dict[str, Any]:
    return account_body(ci, vt_acc_no, "portfolio",
                        {"assetType": "EQTY", "rspType": "RAT", "count": 0, "page": "null",
                         **query})


@pytest.fixture
def gildong(client: FlaskClient) -> dict[str, str]:
    return bearer(client, "gildong")


def assert_not_revealing(error: dict[str, Any], state: SandboxState, *user_ids: str) -> None:
    """The error body names none of these users (id, name, CI)."""
    text = " ".join(str(v) for v in error.values())
    for user_id in user_ids:
        user = state.world.ids.users[user_id]
        for secret in (user.id, user.name, user.ci):
            assert secret not in text, (secret, error)


# --- 4. credentials (401 op-apim 401) -------------------------------------------------------------
def test_no_authorization_is_401(client: FlaskClient) -> None:
    response = client.post("/v1/shinhan/account/balance/search", json=balance())
    assert_platform_error(response, 401, "op-apim", 401)


def test_api_key_instead_of_a_token_is_401(client: FlaskClient) -> None:
    response = client.post("/v1/shinhan/account/balance/search", json=balance(),
                           headers={"apikey": F9999_KEY})
    assert_platform_error(response, 401, "op-apim", 401)


@pytest.mark.parametrize("value", [
    "Bearer", "Bearer ", "Bearer    ", SEEDED_TOKEN, f"Basic {SEEDED_TOKEN}",
    f"Token {SEEDED_TOKEN}", f"Bearer{SEEDED_TOKEN}", "",
])
def test_malformed_authorization_header_is_401(client: FlaskClient, value: str) -> None:
    body = account_body(JEEAE_CI, JEEAE_ACC, "balance", {"assetType": "CASH"})
    response = client.post("/v1/cyber/account/balance/search", json=body,
                           headers={"Authorization": value})
    assert_platform_error(response, 401, "op-apim", 401)


def test_seeded_token_works_with_either_case_of_bearer(client: FlaskClient) -> None:
    body = account_body(JEEAE_CI, JEEAE_ACC, "balance", {"assetType": "CASH"})
    for scheme in ("Bearer", "bearer", "BEARER"):
        response = client.post("/v1/cyber/account/balance/search", json=body,
                               headers={"Authorization": f"{scheme} {SEEDED_TOKEN}"})
        assert response.status_code == 200, response.get_data(as_text=True)


def test_unknown_token_is_401(client: FlaskClient) -> None:
    headers = {"Authorization": "Bearer 00000000-0000-4000-8000-000000000000"}
    response = search(client, "shinhan", "balance", balance(), headers)
    assert_platform_error(response, 401, "op-apim", 401)


def test_expired_token_is_401(client: FlaskClient, gildong: dict[str, str]) -> None:
    assert search(client, "shinhan", "balance", balance(), gildong).status_code == 200
    assert client.post("/_sandbox/clock", json={"advance": "P29DT23H"}).status_code == 200
    assert search(client, "shinhan", "balance", balance(), gildong).status_code == 200
    assert client.post("/_sandbox/clock", json={"advance": "PT2H"}).status_code == 200
    assert_platform_error(search(client, "shinhan", "balance", balance(), gildong), 401,
                          "op-apim", 401)


def test_expired_seeded_token_is_401(client: FlaskClient) -> None:
    assert client.post("/_sandbox/clock", json={"advance": "P31D"}).status_code == 200
    body = account_body(JEEAE_CI, JEEAE_ACC, "balance", {"assetType": "CASH"})
    response = search(client, "cyber", "balance", body,
                      {"Authorization": f"Bearer {SEEDED_TOKEN}"})
    assert_platform_error(response, 401, "op-apim", 401)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_revoked_token_is_401(client: FlaskClient, gildong: dict[str, str], method: str) -> None:
    token = gildong["Authorization"].removeprefix("Bearer ")
    assert search(client, "shinhan", "balance", balance(), gildong).status_code == 200
    credentials = base64.b64encode(f"{F9999_KEY}:{F9999_SECRET}".encode()).decode()
    response = client.open("/auth/oauth/v2/token/revoke", method=method,
                           data={"token": token, "token_type_hint": "access_token"},
                           headers={"Authorization": f"Basic {credentials}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"result": "revoked"}
    assert_platform_error(search(client, "shinhan", "balance", balance(), gildong), 401,
                          "op-apim", 401)


def test_revoked_refresh_token_ends_its_access_tokens(client: FlaskClient) -> None:
    grant = client.post("/_sandbox/oauth/token",
                        json={"userId": "gildong", "apiKey": F9999_KEY}).get_json()
    headers = {"Authorization": f"Bearer {grant['access_token']}"}
    assert search(client, "shinhan", "balance", balance(), headers).status_code == 200
    credentials = base64.b64encode(f"{F9999_KEY}:{F9999_SECRET}".encode()).decode()
    client.post("/auth/oauth/v3/token/revoke", data={"token": grant["refresh_token"]},
                headers={"Authorization": f"Basic {credentials}"})
    assert_platform_error(search(client, "shinhan", "balance", balance(), headers), 401,
                          "op-apim", 401)


# --- 6. scope (403 op-auth 2100) ------------------------------------------------------------------
def test_profile_scope_is_op_auth_2100(client: FlaskClient) -> None:
    headers = bearer(client, "gildong", scope="profile")
    error = assert_platform_error(search(client, "shinhan", "balance", balance(), headers), 403,
                                  "op-auth", 2100)
    assert error == example("errors/op-auth_2100.proposed.response.json")


# --- 8. body not JSON (400 op-apim 400) -----------------------------------------------------------
@pytest.mark.parametrize("raw", [b"", b"not json", b"{", b"[]", b'"text"', b"42", b"null",
                                 b'{"a": NaN}', b"\xff\xfe"])
def test_body_not_a_json_object_is_op_apim_400(client: FlaskClient, gildong: dict[str, str],
                                               raw: bytes) -> None:
    response = client.post("/v1/shinhan/account/balance/search", data=raw,
                           content_type="application/json", headers=gildong)
    assert_platform_error(response, 400, "op-apim", 400)


def test_wrong_content_type_is_415(client: FlaskClient, gildong: dict[str, str]) -> None:
    response = client.post("/v1/shinhan/account/balance/search", data="assetType=CASH",
                           content_type="application/x-www-form-urlencoded", headers=gildong)
    assert_platform_error(response, 415, "op-apim", 415)


# --- 9. unknown broker (400 op-exco 3002) ---------------------------------------------------------
def test_unknown_broker_is_op_exco_3002(client: FlaskClient, gildong: dict[str, str]) -> None:
    error = assert_platform_error(search(client, "kyobo", "balance", balance(), gildong), 400,
                                  "op-exco", 3002)
    assert error["message"] == "Unknown api url"


# --- 10. required fields (400 op-exco 3003) and JSON types (400 op-apim 400) ----------------------
def _pop(*path: str) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        target.pop(path[-1])
    return mutate


def _put(value: Any, *path: str) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


MISSING = [
    ("balance", _pop("partner"), "partner"),
    ("balance", _pop("commonHeader", "ci"), "commonHeader.ci"),
    ("balance", _put("", "commonHeader", "ci"), "commonHeader.ci"),
    ("balance", _put("   ", "commonHeader", "ci"), "commonHeader.ci"),
    ("balance", _put(None, "commonHeader", "ci"), "commonHeader.ci"),
    ("balance", _pop("commonHeader"), "commonHeader"),
    ("balance", _pop("devInfo"), "devInfo"),
    ("balance", _pop("accInfo", "vtAccNo"), "accInfo.vtAccNo"),
    ("balance", _put("", "accInfo", "vtAccNo"), "accInfo.vtAccNo"),
    ("balance", _pop("accInfo"), "accInfo"),
    ("balance", _pop("balanceRequestBody"), "balanceRequestBody"),
    ("balance", _pop("balanceRequestBody", "queryType"), "balanceRequestBody.queryType"),
    ("balance", _pop("balanceRequestBody", "queryType", "assetType"),
     "balanceRequestBody.queryType.assetType"),
    ("balance", _put("", "balanceRequestBody", "queryType", "assetType"),
     "balanceRequestBody.queryType.assetType"),
    ("portfolio", _pop("portfolioRequestBody", "queryType", "assetType"),
     "portfolioRequestBody.queryType.assetType"),
    ("portfolio", _pop("portfolioRequestBody"), "portfolioRequestBody"),
    ("transaction", _pop("transactionHistoryRequestBody", "queryParams", "fromDate"),
     "transactionHistoryRequestBody.queryParams.fromDate"),
    ("transaction", _put("", "transactionHistoryRequestBody", "queryParams", "toDate"),
     "transactionHistoryRequestBody.queryParams.toDate"),
    ("transaction", _pop("transactionHistoryRequestBody", "queryParams"),
     "transactionHistoryRequestBody.queryParams"),
    ("transaction", _pop("transactionHistoryRequestBody"), "transactionHistoryRequestBody"),
    ("interest", _pop("commonHeader", "ci"), "commonHeader.ci"),
    ("interest", _pop("devInfo"), "devInfo"),
]


def base_body(api: str) -> dict[str, Any]:
    if api == "transaction":
        return transaction(vt_acc_no=SHINHAN_ACC)
    if api == "interest":
        return account_body(GILDONG_CI, SHINHAN_ACC, "interest")
    return portfolio() if api == "portfolio" else balance()


@pytest.mark.parametrize(("api", "mutate", "path"), MISSING)
def test_missing_required_field_is_op_exco_3003(client: FlaskClient, gildong: dict[str, str],
                                               api: str, mutate: Mutation, path: str) -> None:
    body = base_body(api)
    mutate(body)
    error = assert_platform_error(search(client, "shinhan", api, body, gildong), 400,
                                  "op-exco", 3003)
    assert error["message"] == "필수 항목 누락"
    assert error["description"] == path


@pytest.mark.parametrize(("api", "path"), [
    ("balance", ("partner",)), ("balance", ("commonHeader",)), ("balance", ("devInfo",)),
    ("balance", ("accInfo",)), ("balance", ("balanceRequestBody",)),
    ("balance", ("balanceRequestBody", "queryType")),
    ("transaction", ("transactionHistoryRequestBody", "queryParams")),
])
def test_required_block_sent_as_null_is_3003(client: FlaskClient, gildong: dict[str, str],
                                             api: str, path: tuple[str, ...]) -> None:
    """A required value sent as JSON null is missing, like ``"ci": null`` (3003 above)."""
    body = base_body(api)
    _put(None, *path)(body)
    error = assert_platform_error(search(client, "shinhan", api, body, gildong), 400,
                                  "op-exco", 3003)
    assert error["description"] == ".".join(path)


def test_missing_vtaccno_matches_the_proposed_example(client: FlaskClient,
                                                     gildong: dict[str, str]) -> None:
    body = balance()
    body["accInfo"].pop("vtAccNo")
    response = search(client, "shinhan", "balance", body, gildong)
    assert response.get_json() == example("errors/op-exco_3003.proposed.response.json")


def test_fields_that_never_give_3003(client: FlaskClient, gildong: dict[str, str]) -> None:
    """ERRATA 3: count, page, rspType, reqIdConsumer, devInfo contents and the interest body are
    optional; queryPrams is the manual's spelling of queryParams."""
    body = balance()  # no count, page or rspType
    del body["commonHeader"]["reqIdConsumer"], body["commonHeader"]["reqIdPlatform"]
    body["devInfo"] = {}
    body["partner"] = {}
    response = search(client, "shinhan", "balance", body, gildong)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["commonHeader"]["reqIdConsumer"] == ""
    body = account_body(GILDONG_CI, SHINHAN_ACC, "interest")
    assert search(client, "shinhan", "interest", body, gildong).status_code == 200
    body = transaction(vt_acc_no=SHINHAN_ACC, fromDate="20160801", toDate="20161031")
    block = body["transactionHistoryRequestBody"]
    block["queryPrams"] = block.pop("queryParams")
    assert search(client, "shinhan", "transaction", body, gildong).status_code == 200


@pytest.mark.parametrize(("api", "mutate", "pointer"), [
    ("balance", _put("x", "devInfo"), "/devInfo"),
    ("balance", _put(160678007213500001, "accInfo", "vtAccNo"), "/accInfo/vtAccNo"),
    ("balance", _put(["CASH"], "balanceRequestBody", "queryType", "assetType"),
     "/balanceRequestBody/queryType/assetType"),
    ("balance", _put([], "balanceRequestBody", "queryType", "count"),
     "/balanceRequestBody/queryType/count"),
    ("balance", _put(7, "balanceRequestBody", "queryType", "page"),
     "/balanceRequestBody/queryType/page"),
    ("balance", _put(True, "commonHeader", "ci"), "/commonHeader/ci"),
    ("balance", _put("body", "balanceRequestBody"), "/balanceRequestBody"),
    ("balance", _put([], "partner"), "/partner"),
    ("transaction", _put(20160101, "transactionHistoryRequestBody", "queryParams", "fromDate"),
     "/transactionHistoryRequestBody/queryParams/fromDate"),
    ("transaction", _put({}, "transactionHistoryRequestBody", "queryParams", "side"),
     "/transactionHistoryRequestBody/queryParams/side"),
])
def test_wrong_json_type_is_op_apim_400(client: FlaskClient, gildong: dict[str, str], api: str,
                                        mutate: Mutation, pointer: str) -> None:
    body = base_body(api)
    mutate(body)
    error = assert_platform_error(search(client, "shinhan", api, body, gildong), 400,
                                  "op-apim", 400)
    assert error["description"].startswith(pointer + ":"), error


# --- 11. CI of another user (403 op-auth 2100) ----------------------------------------------------
def test_ci_of_another_user_is_op_auth_2100(client: FlaskClient, state: SandboxState,
                                           gildong: dict[str, str]) -> None:
    for ci in (HWANNY_CI, JEEAE_CI, "unknown-ci", GILDONG_CI + "x"):
        error = assert_platform_error(search(client, "shinhan", "balance", balance(ci=ci),
                                             gildong), 403, "op-auth", 2100)
        assert_not_revealing(error, state, "hwanny", "jeeae")
        assert "gildong" not in str(error) and GILDONG_CI not in str(error)


def test_ci_is_trimmed_before_the_comparison(client: FlaskClient,
                                            gildong: dict[str, str]) -> None:
    response = search(client, "shinhan", "balance", balance(ci=f"  {GILDONG_CI}\t"), gildong)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["commonHeader"]["ci"] == GILDONG_CI


# --- 12. platform account checks (500 op-exco 3009, 3010) -----------------------------------------
def test_unknown_account_is_op_exco_3009(client: FlaskClient, gildong: dict[str, str]) -> None:
    response = search(client, "shinhan", "balance", balance(vt_acc_no=UNKNOWN_ACC), gildong)
    assert_platform_error(response, 500, "op-exco", 3009)
    assert response.get_json() == example("errors/op-exco_3009.proposed.response.json")


def test_unknown_account_inside_the_v1_body_block_is_3009(client: FlaskClient) -> None:
    body = example("account/balance_search.javasample-v1.0.request.json")
    body["balanceRequestBody"]["accInfo"]["vtAccNo"] = UNKNOWN_ACC
    response = search(client, "daishin", "balance", body, bearer(client, "khj932", UBERPLE_KEY))
    assert_platform_error(response, 500, "op-exco", 3009)


def test_discarded_account_is_op_exco_3010(client: FlaskClient, state: SandboxState,
                                          gildong: dict[str, str]) -> None:
    set_account_status(state.world, SHINHAN_ACC, "discarded")
    error = assert_platform_error(search(client, "shinhan", "balance", balance(), gildong), 500,
                                  "op-exco", 3010)
    assert error["message"] == "expired account"
    set_account_status(state.world, SHINHAN_ACC, "active")
    assert search(client, "shinhan", "balance", balance(), gildong).status_code == 200


# --- 14. broker checks ----------------------------------------------------------------------------
def test_account_of_another_user_is_4003_without_naming_the_owner(
        client: FlaskClient, state: SandboxState, gildong: dict[str, str]) -> None:
    for vt_acc_no, broker, owner in ((STAR_ACC, "star", "hwanny"), (JEEAE_ACC, "cyber", "jeeae"),
                                     (KHJ_ACC, "daishin", "khj932"),
                                     (JEEAE_ACC, "shinhan", "jeeae")):
        error = assert_platform_error(
            search(client, broker, "balance", balance(vt_acc_no=vt_acc_no), gildong), 500, broker,
            4003)
        assert error["message"] == "Mismatch between CI and AccountNo"
        assert_not_revealing(error, state, owner)


def test_own_account_at_another_broker_is_4003(client: FlaskClient,
                                              gildong: dict[str, str]) -> None:
    for broker in ("samsung", "cyber", "daishin", "kiwoom"):
        assert_platform_error(search(client, broker, "balance", balance(), gildong), 500,
                              broker, 4003)
    assert_platform_error(search(client, "shinhan", "balance",
                                 balance(vt_acc_no=SAMSUNG_ACC), gildong), 500, "shinhan", 4003)


def test_generated_users_accounts_are_4003_for_others(client: FlaskClient,
                                                     state: SandboxState) -> None:
    first, second = investors(state, 2)
    headers = bearer(client, first.user.id, first.key)
    other = second.accounts[0]
    error = assert_platform_error(search(client, other.broker, "balance",
                                         balance(ci=first.ci, vt_acc_no=other.vt_acc_no),
                                         headers), 500, other.broker, 4003)
    assert_not_revealing(error, state, second.user.id)


def test_unlinked_account_is_4006(client: FlaskClient, state: SandboxState,
                                  gildong: dict[str, str]) -> None:
    set_link(state.world, "app-f9999-seed", SHINHAN_ACC, "unlinked")
    error = assert_platform_error(search(client, "shinhan", "balance", balance(), gildong), 500,
                                  "shinhan", 4006)
    assert error["message"] == "Agreement of Financial Information Not Found."
    # the other account of the user and the same account for another app still answer
    assert search(client, "samsung", "transaction", transaction(), gildong).status_code == 200
    other = bearer(client, "gildong", HACKATHON_KEY)
    assert search(client, "shinhan", "balance", balance(), other).status_code == 200


def test_expired_consent_is_4006_like_the_proposed_example(client: FlaskClient,
                                                           state: SandboxState,
                                                           gildong: dict[str, str]) -> None:
    set_link(state.world, "app-f9999-seed", SAMSUNG_ACC, "expired", expires="20190813")
    response = search(client, "samsung", "transaction", transaction(), gildong)
    assert_platform_error(response, 500, "samsung", 4006)
    assert response.get_json() == example("errors/broker_4006.proposed.response.json")
    set_link(state.world, "app-f9999-seed", SHINHAN_ACC, "expired")
    assert_platform_error(search(client, "shinhan", "balance", balance(), gildong), 500,
                          "shinhan", 4006)


def test_lapsed_consent_of_a_generated_user_is_4006(client: FlaskClient,
                                                    state: SandboxState) -> None:
    """population.py: about 2 % of the generated consents have lapsed. The admin shortcut grants
    no token for them, so the token is issued as the OAuth server would have before the lapse."""
    world = state.world
    lapsed = [(user, consent) for user in world.ids.users.values()
              if user.origin == "generated" and user.accounts
              for consent in user.consents if consent.state == "expired"
              and world.ids.apps[consent.app].subscribes("common")]
    assert len(lapsed) >= 3
    for user, consent in lapsed[:3]:
        app = world.ids.apps[consent.app]
        token = issue_tokens(world, app.name, user.id, "account")["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for account in user.accounts:
            error = assert_platform_error(
                search(client, account.broker, "balance",
                       balance(ci=user.ci, vt_acc_no=account.vt_acc_no), headers),
                500, account.broker, 4006)
            assert error["description"].startswith("serviceTermsExpireDate ")
        body = {"partner": {"comId": app.com_id, "srvId": app.srv_id},
                "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "c", "ci": user.ci},
                "body": {"korName": user.name}}
        listed = client.post("/v1/common/member/consent/search", json=body,
                             headers={"apikey": app.api_key}).get_json()
        assert listed == {"vtAccList": []}


def test_link_expiring_through_the_hook_is_4006(client: FlaskClient,
                                                state: SandboxState) -> None:
    investor = investors(state, 1)[0]
    world = state.world
    app = world.ids.app_by_key[investor.key]
    headers = bearer(client, investor.user.id, investor.key)
    account = investor.accounts[0]
    body = balance(ci=investor.ci, vt_acc_no=account.vt_acc_no)
    assert search(client, account.broker, "balance", body, headers).status_code == 200
    set_link(world, app.name, account.vt_acc_no, "expired")
    assert_platform_error(search(client, account.broker, "balance", body, headers), 500,
                          account.broker, 4006)
    set_link(world, app.name, account.vt_acc_no, "linked")
    assert search(client, account.broker, "balance", body, headers).status_code == 200


@pytest.mark.parametrize("asset_type", ["STOCK", "string", "EQY", "cashh", "ALLL", "SUM"])
def test_bad_asset_type_is_6001(client: FlaskClient, gildong: dict[str, str],
                                asset_type: str) -> None:
    for api, body in (("balance", balance(assetType=asset_type)),
                      ("portfolio", portfolio(assetType=asset_type))):
        error = assert_platform_error(search(client, "shinhan", api, body, gildong), 500,
                                      "shinhan", 6001)
        assert error["message"] == "Invalid Asset Type"


def test_bad_asset_type_matches_the_proposed_daishin_example(client: FlaskClient) -> None:
    body = account_body(KHJ_CI, KHJ_ACC, "balance", {"assetType": "STOCK"})
    response = search(client, "daishin", "balance", body, bearer(client, "khj932", UBERPLE_KEY))
    assert response.get_json() == example("errors/broker_6001.proposed.response.json")


def test_asset_type_is_case_and_space_tolerant(client: FlaskClient,
                                              gildong: dict[str, str]) -> None:
    for asset_type in ("cash", " Cash ", "eqty"):
        response = search(client, "shinhan", "balance", balance(assetType=asset_type), gildong)
        assert response.status_code == 200, response.get_data(as_text=True)


def test_all_where_unsupported_is_6004(client: FlaskClient, gildong: dict[str, str]) -> None:
    for api, body in (("balance", balance(vt_acc_no=SAMSUNG_ACC, assetType="ALL")),
                      ("portfolio", portfolio(vt_acc_no=SAMSUNG_ACC, assetType="ALL"))):
        error = assert_platform_error(search(client, "samsung", api, body, gildong), 500,
                                      "samsung", 6004)
        assert error["message"] == "Invalid Query Type,[assetType ALL is not supported]"


def test_interest_query_type_outside_samsung_is_ignored(client: FlaskClient,
                                                        gildong: dict[str, str]) -> None:
    """ERRATA 17: by default answer as if queryType were absent."""
    query = {"assetType": "EQY", "rspType": "", "count": 1, "page": "null"}
    body = account_body(GILDONG_CI, SHINHAN_ACC, "interest", query)
    data = search(client, "shinhan", "interest", body, gildong).get_json()
    assert "queryResult" not in data["interestSymbolListResponseBody"]
    plain = search(client, "shinhan", "interest", account_body(GILDONG_CI, SHINHAN_ACC,
                                                               "interest"), gildong).get_json()
    assert data["interestSymbolListResponseBody"] == plain["interestSymbolListResponseBody"]


@pytest.mark.parametrize("rsp_type", ["QTYY", "ratio", "AMT", "ALL"])
def test_bad_rsp_type_is_6002(client: FlaskClient, gildong: dict[str, str],
                              rsp_type: str) -> None:
    error = assert_platform_error(search(client, "shinhan", "portfolio",
                                         portfolio(rspType=rsp_type), gildong), 500, "shinhan",
                                  6002)
    assert error["message"] == "Invalid Rsp Type"


def test_missing_or_empty_rsp_type_means_rat(client: FlaskClient,
                                            gildong: dict[str, str]) -> None:
    expected = search(client, "shinhan", "portfolio", portfolio(), gildong).get_json()
    for rsp_type in (None, "", "null"):
        body = portfolio()
        body["portfolioRequestBody"]["queryType"]["rspType"] = rsp_type
        data = search(client, "shinhan", "portfolio", body, gildong).get_json()
        assert data["portfolioList"] == expected["portfolioList"]
    body = portfolio()
    del body["portfolioRequestBody"]["queryType"]["rspType"]
    data = search(client, "shinhan", "portfolio", body, gildong).get_json()
    assert data["portfolioList"] == expected["portfolioList"]


def test_qty_where_unsupported_is_6002(client: FlaskClient, state: SandboxState,
                                       gildong: dict[str, str]) -> None:
    assert search(client, "shinhan", "portfolio", portfolio(rspType="QTY"),
                  gildong).status_code == 200
    brokers = state.world.ids.brokers
    brokers["shinhan"] = dataclasses.replace(brokers["shinhan"], rsp_type_qty=False)
    assert_platform_error(search(client, "shinhan", "portfolio", portfolio(rspType="QTY"),
                                 gildong), 500, "shinhan", 6002)
    assert search(client, "shinhan", "portfolio", portfolio(), gildong).status_code == 200
    # balance ignores rspType (account.md §9.11)
    assert search(client, "shinhan", "balance", balance(rspType="QTY"),
                  gildong).status_code == 200


@pytest.mark.parametrize("page", ["string", "0", "202611240000000000", "20261124000000000",
                                  "2026112400000000001", "202613400000000001",
                                  "abcdefghijklmnopqr", "202611240000009999"])
def test_bad_page_key_is_6003(client: FlaskClient, gildong: dict[str, str], page: str) -> None:
    for api, body, broker in (("balance", balance(assetType="EQTY", count=1, page=page),
                               "shinhan"),
                              ("transaction", transaction(count=1, page=page), "samsung")):
        error = assert_platform_error(search(client, broker, api, body, gildong), 500, broker,
                                      6003)
        assert error["message"] == "Invalid Page Value"


def test_range_over_92_days_at_cyber_is_6006(client: FlaskClient) -> None:
    headers = {"Authorization": f"Bearer {SEEDED_TOKEN}"}
    ok = transaction(ci=JEEAE_CI, vt_acc_no=JEEAE_ACC, fromDate="20130101", toDate="20130402")
    assert search(client, "cyber", "transaction", ok, headers).status_code == 200  # 92 days
    body = transaction(ci=JEEAE_CI, vt_acc_no=JEEAE_ACC, fromDate="20130101", toDate="20130403")
    response = search(client, "cyber", "transaction", body, headers)
    error = assert_platform_error(response, 500, "cyber", 6006)
    assert error["message"] == "Date Range Exceeded,[92]"
    assert error == example("errors/broker_6006.proposed.response.json")


def test_range_over_366_days_at_samsung_is_6006(client: FlaskClient,
                                                gildong: dict[str, str]) -> None:
    ok = transaction(fromDate="20160101", toDate="20161231")  # 366 days (leap year)
    assert search(client, "samsung", "transaction", ok, gildong).status_code == 200
    body = transaction(fromDate="20160101", toDate="20170101")
    error = assert_platform_error(search(client, "samsung", "transaction", body, gildong), 500,
                                  "samsung", 6006)
    assert error["message"] == "Date Range Exceeded,[366]"


@pytest.mark.parametrize("code", ["KR7005930000", "KR7005930001", "KR7005930002",
                                  "KR7005930004", "KR7005930005", "KR7007730000",
                                  "KR7007730004", "XX0000000000", "KR0000000000", "NOPE"])
def test_unknown_isin_filter_is_6007(client: FlaskClient, gildong: dict[str, str],
                                     code: str) -> None:
    error = assert_platform_error(search(client, "samsung", "transaction",
                                         transaction(isinCode=code), gildong), 500, "samsung",
                                  6007)
    assert error["message"] == "Invalid Isincode"


def test_valid_isin_not_held_is_an_empty_list(client: FlaskClient,
                                             gildong: dict[str, str]) -> None:
    for code in ("KR7005930003", "A005930", "005930"):
        response = search(client, "samsung", "transaction", transaction(isinCode=code), gildong)
        assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("side", ["BUY", "SELL", "bidd", "X", "ETC"])
def test_bad_side_is_6008(client: FlaskClient, gildong: dict[str, str], side: str) -> None:
    error = assert_platform_error(search(client, "samsung", "transaction",
                                         transaction(side=side), gildong), 500, "samsung", 6008)
    assert error["message"] == "Invalid Side Type"


@pytest.mark.parametrize("side", ["BID", "ASK", "DEP", "WID", "ALL", "", None, "bid", " ask "])
def test_every_documented_side_is_accepted(client: FlaskClient, gildong: dict[str, str],
                                          side: str | None) -> None:
    response = search(client, "samsung", "transaction", transaction(side=side), gildong)
    assert response.status_code == 200, response.get_data(as_text=True)
    wanted = (side or "").strip().upper()
    for row in response.get_json()["transList"]["transaction"]:
        assert wanted in ("", "ALL") or row["transType"] == wanted


@pytest.mark.parametrize(("from_date", "to_date", "detail"), [
    ("20160331", "20160101", "fromDate > toDate"),
    ("2016-01-01", "20160331", "fromDate"),
    ("20160101", "2016-03-31", "toDate"),
    ("20161301", "20161231", "fromDate"),
    ("20160230", "20160331", "fromDate"),
    ("yesterday", "20160331", "fromDate"),
])
def test_bad_dates_are_7000(client: FlaskClient, gildong: dict[str, str], from_date: str,
                            to_date: str, detail: str) -> None:
    body = transaction(fromDate=from_date, toDate=to_date)
    error = assert_platform_error(search(client, "samsung", "transaction", body, gildong), 500,
                                  "samsung", 7000)
    assert error["message"] == f"Bad Request,[{detail}]"


# --- a request with several problems gets the first one (ERRATA 1) --------------------------------
def _no_ci(**query: Any) -> dict[str, Any]:
    body = balance(vt_acc_no=UNKNOWN_ACC, **query)
    del body["commonHeader"]["ci"]
    return body


# (name, (broker, api, body or raw bytes, which token), status, category, code): each request has
# the named problem first and some of the later ones.
SEVERAL: list[tuple[str, tuple[str, str, Any, str], int, str, int]] = [
    ("no token + no JSON + unknown broker", ("kyobo", "balance", b"{", "none"),
     401, "op-apim", 401),
    ("profile scope + no JSON + unknown broker", ("kyobo", "balance", b"{", "profile"),
     403, "op-auth", 2100),
    ("no JSON + unknown broker", ("kyobo", "balance", b"{", "gildong"), 400, "op-apim", 400),
    ("unknown broker + missing ci + bad asset type",
     ("kyobo", "balance", _no_ci(assetType="STOCK"), "gildong"), 400, "op-exco", 3002),
    ("missing ci + wrong type elsewhere",
     ("shinhan", "balance", {**_no_ci(), "partner": []}, "gildong"), 400, "op-exco", 3003),
    ("wrong type + CI of another user",
     ("shinhan", "balance", {**balance(ci=HWANNY_CI), "devInfo": "x"}, "gildong"),
     400, "op-apim", 400),
    ("CI of another user + unknown account",
     ("shinhan", "balance", balance(ci=HWANNY_CI, vt_acc_no=UNKNOWN_ACC), "gildong"),
     403, "op-auth", 2100),
    ("unknown account + bad asset type",
     ("shinhan", "balance", balance(vt_acc_no=UNKNOWN_ACC, assetType="STOCK"), "gildong"),
     500, "op-exco", 3009),
    ("discarded + another user's + another broker + bad asset type",
     ("cyber", "balance", balance(vt_acc_no=STAR_ACC, assetType="STOCK"), "gildong"),
     500, "op-exco", 3010),
    ("another user's account + unlinked + bad asset type",
     ("star", "balance", balance(vt_acc_no=JEEAE_ACC, assetType="STOCK"), "gildong"),
     500, "star", 4003),
    ("unlinked + bad asset type", ("shinhan", "balance", balance(assetType="STOCK"), "gildong"),
     500, "shinhan", 4006),
    ("bad asset type + bad page (K26)",
     ("cyber", "balance", account_body(JEEAE_CI, JEEAE_ACC, "balance",
                                       {"assetType": "string", "page": "string"}), "jeeae"),
     500, "cyber", 6001),
    ("ALL unsupported + bad rspType + bad page",
     ("samsung", "portfolio", portfolio(vt_acc_no=SAMSUNG_ACC, assetType="ALL", rspType="XXX",
                                        page="bad"), "gildong"), 500, "samsung", 6004),
    ("bad rspType + bad page",
     ("samsung", "portfolio", portfolio(vt_acc_no=SAMSUNG_ACC, rspType="XXX", page="bad"),
      "gildong"), 500, "samsung", 6002),
    ("bad page + range", ("samsung", "transaction",
                          transaction(fromDate="20150101", toDate="20160331", page="bad"),
                          "gildong"), 500, "samsung", 6003),
    ("bad page + bad ISIN", ("samsung", "transaction",
                             transaction(isinCode="KR7005930000", page="bad"), "gildong"),
     500, "samsung", 6003),
    ("bad page + from > to", ("samsung", "transaction",
                              transaction(fromDate="20160331", toDate="20160101", page="bad"),
                              "gildong"), 500, "samsung", 6003),
    ("range + bad ISIN + bad side + from > to",
     ("samsung", "transaction", transaction(fromDate="20150101", toDate="20160331",
                                            isinCode="KR7005930000", side="X"), "gildong"),
     500, "samsung", 6006),
    ("bad ISIN + bad side + from > to",
     ("samsung", "transaction", transaction(fromDate="20160331", toDate="20160101",
                                            isinCode="KR7005930000", side="X"), "gildong"),
     500, "samsung", 6007),
    ("bad side + from > to",
     ("samsung", "transaction", transaction(fromDate="20160331", toDate="20160101", side="X"),
      "gildong"), 500, "samsung", 6008),
]


@pytest.mark.parametrize(("request_", "status", "category", "code"), [
    pytest.param(request_, status, category, code, id=name)
    for name, request_, status, category, code in SEVERAL])
def test_the_first_problem_wins(client: FlaskClient, state: SandboxState,
                                request_: tuple[str, str, Any, str], status: int, category: str,
                                code: int) -> None:
    set_account_status(state.world, STAR_ACC, "discarded")
    set_link(state.world, "app-f9999-seed", SHINHAN_ACC, "unlinked")
    set_link(state.world, "app-f9999-seed", JEEAE_ACC, "unlinked")
    broker, api, body, who = request_
    headers = ({} if who == "none" else {"Authorization": f"Bearer {SEEDED_TOKEN}"}
               if who == "jeeae" else bearer(client, "gildong",
                                             scope="profile" if who == "profile" else None))
    path = f"/v1/{broker}/account/{api}/search"
    if isinstance(body, bytes):
        response = client.post(path, data=body, content_type="application/json",
                               headers=headers)
    else:
        response = client.post(path, json=body, headers=headers)
    error = assert_platform_error(response, status, category, code)
    assert_not_revealing(error, state, "hwanny", "jeeae")
