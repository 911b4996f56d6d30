"""Admin API for portal users: listing and detail, custom users (QA), link and account-status
hooks, and the holdings view of an account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from sandbox.world.accounts.products import fund_price, funds, products
from sandbox.world.market import calendar as cal
from tests.conftest import F0995_KEY, F9999_KEY, assert_platform_error, ok
from tests.test_common import CONSENT, HWANNY_CI, REGISTER

USERS = "/_sandbox/users"
LINKS = "/_sandbox/links"
SAMSUNG = "KR7005930003"
FUND = "KRZ500395135"
TRADE_DAY = "20261119"  # three KRX trading days before the frozen clock's 2026-11-24
HWANNY_STAR = "160646584478700099"

QA_USER: dict[str, Any] = {
    "id": "qa.tester",
    "name": "김큐에이",
    "accounts": [
        {"broker": "cyber", "alias": "주식투자용",
         "holdings": [{"code": SAMSUNG, "qty": 10}, {"code": FUND, "qty": 2_000_000}],
         "watchlists": [{"groupName": "반도체", "codes": [SAMSUNG, "000660"],
                         "modifyDate": "20261120"}]},
        {"broker": "SAMSUNG", "cash": 5_000_000},
    ],
}


def create(client: FlaskClient, payload: dict[str, Any]) -> dict[str, Any]:
    return ok(client.post(USERS, json=payload))  # type: ignore[no-any-return]


def token(client: FlaskClient, user_id: str, key: str = F9999_KEY) -> str:
    body = ok(client.post("/_sandbox/oauth/token", json={"userId": user_id, "apiKey": key}))
    return str(body["access_token"])


def account_call(client: FlaskClient, bearer: str, ci: str, broker: str, vt_acc_no: str,
                 api: str = "balance", asset_type: str = "ALL") -> Any:
    """An account search in the 2018 layout of the spec's examples (app F9999)."""
    blocks = {
        "balance": {"balanceRequestBody": {"queryType": {"assetType": asset_type, "count": 0,
                                                         "page": "null"}}},
        "interest": {"interestSymbolListRequestBody": {"queryType": {
            "assetType": "", "rspType": None, "count": 0, "page": "", "totalCnt": 0}}},
    }
    payload = {"partner": {"comId": "F9999", "srvId": "999"},
               "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "qa-1", "ci": ci},
               "devInfo": {"ipAddr": "123456789012", "macAddr": "7054D27EE247"},
               "accInfo": {"vtAccNo": vt_acc_no}, **blocks[api]}
    return client.post(f"/v1/{broker}/account/{api}/search", json=payload,
                       headers={"Authorization": f"Bearer {bearer}"})


def common_body(ci: str, name: str) -> dict[str, Any]:
    return {"partner": {"comId": "F9999", "srvId": "999"},
            "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "qa-1", "ci": ci},
            "body": {"korName": name}}


def consent_accounts(client: FlaskClient, ci: str, name: str) -> list[str]:
    answer = ok(client.post(CONSENT, json=common_body(ci, name), headers={"apikey": F9999_KEY}))
    return [entry["vtAccNo"] for entry in answer["vtAccList"]]


# ----------------------------------------------------------------------- custom users
def test_custom_user_is_served_by_the_account_and_common_apis(client: FlaskClient) -> None:
    user = create(client, QA_USER)
    assert user["id"] == "qa.tester" and user["name"] == "김큐에이"
    cyber, samsung = user["accounts"]
    assert (cyber["broker"], cyber["brokerCode"]) == ("cyber", "00991")
    assert cyber["alias"] == "주식투자용"
    assert (samsung["broker"], samsung["alias"]) == ("samsung", "samsung")
    assert cyber["endpoint"] == "http://localhost/v1/cyber/account/"
    bearer = token(client, user["id"])

    balance = ok(account_call(client, bearer, user["ci"], "cyber", cyber["vtAccNo"]))
    lists = balance["balanceList"]["balance"]
    assert [(row["isinCode"], row["qty"]) for row in lists["equityList"]] == [(SAMSUNG, 10.0)]
    assert [row["fundCode"] for row in lists["fundList"]] == [FUND]
    assert lists["summary"]["cashBalance"] == 10_000_000.0  # the default cash, settled

    interest = ok(account_call(client, bearer, user["ci"], "cyber", cyber["vtAccNo"],
                               "interest"))
    assert interest["interestSymbolListResponseBody"]["groupList"]["group"] == [
        {"groupName": "반도체", "modifyDate": "20261120",
         "isinCode": [SAMSUNG, "KR7000660001"]}]

    register = ok(client.post(REGISTER, json=common_body(user["ci"], user["name"]),
                              headers={"apikey": F9999_KEY}))
    assert register == {"result": "member", "commonTermsExpireDate": "20271123"}
    assert consent_accounts(client, user["ci"], user["name"]) == [cyber["vtAccNo"],
                                                                  samsung["vtAccNo"]]
    cash_only = ok(account_call(client, bearer, user["ci"], "samsung", samsung["vtAccNo"],
                                asset_type="CASH"))  # Samsung does not answer ALL
    assert cash_only["balanceList"]["balance"]["summary"]["cashBalance"] == 5_000_000.0


def test_custom_user_defaults(client: FlaskClient, state: SandboxState) -> None:
    user = create(client, {"accounts": [{"broker": "star"}]})
    assert re.fullmatch(r"qa[0-9]{6}", user["id"])
    assert len(user["ci"]) == 88 and user["ci"].endswith("==")
    assert user["password"] == "fintech123@"
    assert re.fullmatch(r"[가-힣]{2,4}", user["name"])
    with_account_apis = [a["name"] for a in client.get("/_sandbox/apps").get_json()["apps"]
                         if "account" in a["families"]]
    assert user["apps"] == with_account_apis
    (account,) = user["accounts"]
    assert re.fullmatch(r"2611[0-9]{9}00001", account["vtAccNo"])
    detail = ok(client.get(f"{USERS}/{user['id']}"))
    (listed,) = detail["accounts"]
    assert detail["origin"] == "custom" and listed["origin"] == "custom"
    assert re.fullmatch(r"[1-9][0-9]{10}", listed["realAccNo"])
    assert {link["serviceTermsExpireDate"] for link in listed["links"]} == {"20271123"}
    assert [link["app"] for link in listed["links"]] == with_account_apis
    held = ok(client.get(f"/_sandbox/accounts/{account['vtAccNo']}"))
    assert (held["cash"], held["positions"], held["transactions"]) == (10_000_000, [], 1)
    record = state.world.store.get("custom_user", user["id"])
    assert record is not None and record["ci"] == user["ci"]
    assert record["request"] == {"accounts": [{"broker": "star"}]}
    login = client.post("/auth/oauth/v2/authorize/login", data={
        "response_type": "code", "client_id": F0995_KEY, "state": "s1",
        "redirect_uri": "https://sandbox.koscom.co.kr/callback", "username": user["id"],
        "password": "fintech123@", "consent": "allow"})
    assert "code=" in login.headers["Location"]


def test_custom_user_costs_and_apps(client: FlaskClient, state: SandboxState) -> None:
    world = state.world
    day = cal.previous_trading_day(cal.previous_trading_day(cal.previous_trading_day(
        world.now().date())))
    assert f"{day:%Y%m%d}" == TRADE_DAY
    user = create(client, {"apps": ["app-f0995-sandbox", F9999_KEY, "app-f0995-sandbox"],
                           "consentExpires": "20270630", "accounts": [{
                               "broker": "diamond", "cash": 0, "holdings": [
                                   {"code": "005930", "qty": 3},
                                   {"code": "A000660", "qty": 2, "price": 100_000},
                                   {"code": FUND, "qty": 500_000},
                                   {"code": "KRZ500395136", "qty": 2000, "price": 1234},
                                   {"code": "NC30010", "qty": 10_000_000},
                                   {"code": "NB11007", "qty": 5_000_000, "price": 4_000_000}]}]})
    assert user["apps"] == ["app-f0995-sandbox", "app-f9999-seed"]
    held = ok(client.get(f"/_sandbox/accounts/{user['accounts'][0]['vtAccNo']}"))
    costs = {p["code"]: p["purchase"] for p in held["positions"]}
    samsung = world.universe.by_isin(SAMSUNG)
    bar = None if samsung is None else world.market.closing_bar(samsung, day)
    assert bar is not None
    close = bar.close
    els = products()["NC30010"]
    assert costs == {
        SAMSUNG: 3 * int(close), "KR7000660001": 200_000,
        FUND: int(500_000 * fund_price(world.seed, funds()[FUND], day) / 1000),
        "KRZ500395136": 2468, "NC30010": round(10_000_000 / (1 + els.rate * els.term_days / 365)),
        "NB11007": 4_000_000}
    assert (held["cash"], held["purchase"]) == (0, sum(costs.values()))
    assert held["transactions"] == 7  # the deposit, then one buy per holding
    links = ok(client.get(f"{USERS}/{user['id']}"))["accounts"][0]["links"]
    assert links == [{"app": app, "state": "linked", "serviceTermsExpireDate": "20270630"}
                     for app in ("app-f0995-sandbox", "app-f9999-seed")]


@pytest.mark.parametrize(("payload", "field"), [
    ({"id": "hwanny"}, "id:"),
    ({"id": "a b"}, "/id:"),
    ({"ci": HWANNY_CI}, "ci:"),
    ({"apps": ["no-such-app"]}, "apps[0]: unknown app"),
    ({"apps": ["app-00995-discretionary"]}, "apps[0]:"),
    ({"consentExpires": "20261340"}, "consentExpires:"),
    ({"consentExpires": "2026-11-30"}, "/consentExpires:"),
    ({"accounts": [{"broker": "nobroker"}]}, "accounts[0].broker: unknown broker"),
    ({"accounts": [{"broker": "cyber"}, {"broker": "cyber", "holdings": [
        {"code": SAMSUNG, "qty": 1}, {"code": "XYZ", "qty": 1}]}]},
     "accounts[1].holdings[1].code: unknown code 'XYZ'"),
    ({"accounts": [{"broker": "cyber", "holdings": [{"code": SAMSUNG, "qty": -5}]}]},
     "/accounts/0/holdings/0/qty:"),
    ({"accounts": [{"broker": "cyber", "holdings": [{"code": SAMSUNG, "qty": 1, "price": 0}]}]},
     "/accounts/0/holdings/0/price:"),
    ({"accounts": [{"broker": "cyber", "cash": -1}]}, "/accounts/0/cash:"),
    ({"accounts": [{"broker": "cyber", "watchlists": [
        {"groupName": "g", "codes": [FUND]}]}]}, "accounts[0].watchlists[0].codes[0]:"),
    ({"accounts": [{"broker": "cyber", "watchlists": [
        {"groupName": "g", "codes": [], "modifyDate": "20260231"}]}]},
     "accounts[0].watchlists[0].modifyDate:"),
    ({"accounts": [{"bank": "cyber"}]}, "accounts[0].broker"),
])
def test_user_create_rejects_bad_input(client: FlaskClient, payload: dict[str, Any],
                                       field: str) -> None:
    body = assert_platform_error(client.post(USERS, json=payload), 400, "op-apim", 400)
    assert body["description"].startswith(field), body
    assert ok(client.get(f"{USERS}?origin=custom"))["total"] == 0


def test_user_create_rejects_a_taken_id_or_ci_of_a_custom_user(client: FlaskClient) -> None:
    first = create(client, {"id": "qa.one"})
    response = client.post(USERS, json={"id": "qa.one"})
    assert "taken" in assert_platform_error(response, 400, "op-apim", 400)["description"]
    response = client.post(USERS, json={"ci": first["ci"]})
    assert assert_platform_error(response, 400, "op-apim", 400)["description"].startswith("ci:")


def test_user_create_is_deterministic_and_reset_forgets(client: FlaskClient) -> None:
    requests = [QA_USER, {}, {"accounts": [{"broker": "cyber"}, {"broker": "kiwoom"}]}]
    answers = []
    for _ in range(2):
        client.post("/_sandbox/reset")
        answers.append([create(client, payload) for payload in requests])
    assert answers[0] == answers[1]
    generated = answers[0][1:]
    assert generated[0]["id"] != generated[1]["id"]
    assert generated[0]["name"] != generated[1]["name"]
    assert generated[0]["ci"] != generated[1]["ci"]
    client.post("/_sandbox/reset")
    assert ok(client.get(f"{USERS}?origin=custom"))["total"] == 0
    assert_platform_error(client.get(f"{USERS}/qa.tester"), 404, "op-apim", 404)


# ------------------------------------------------------------------------------ hooks
def test_links_unlink_expire_and_relink(client: FlaskClient) -> None:
    user = create(client, QA_USER)
    cyber, samsung = (a["vtAccNo"] for a in user["accounts"])
    bearer = token(client, user["id"])

    def link(state: str, **extra: str) -> dict[str, Any]:
        return ok(client.post(LINKS, json={"vtAccNo": cyber, "app": F9999_KEY, "state": state,
                                           **extra}))

    assert link("unlinked") == {"vtAccNo": cyber, "app": "app-f9999-seed", "state": "unlinked",
                                "serviceTermsExpireDate": None}
    assert consent_accounts(client, user["ci"], user["name"]) == [samsung]
    body = assert_platform_error(account_call(client, bearer, user["ci"], "cyber", cyber),
                                 500, "cyber", 4006)
    assert "not linked" in body["description"]
    other_app = ok(client.get(f"{USERS}/{user['id']}"))["accounts"][0]["links"]
    assert "app-f9999-seed" not in [x["app"] for x in other_app] and len(other_app) == 4

    assert link("expired")["serviceTermsExpireDate"] == "20261123"
    assert consent_accounts(client, user["ci"], user["name"]) == [samsung]
    body = assert_platform_error(account_call(client, bearer, user["ci"], "cyber", cyber),
                                 500, "cyber", 4006)
    assert "20261123" in body["description"]
    assert link("expired", expires="20261101")["state"] == "expired"
    body = assert_platform_error(account_call(client, bearer, user["ci"], "cyber", cyber),
                                 500, "cyber", 4006)
    assert "20261101" in body["description"]
    detail = ok(client.get(f"{USERS}/{user['id']}"))["accounts"][0]["links"]
    assert {"app": "app-f9999-seed", "state": "expired",
            "serviceTermsExpireDate": "20261101"} in detail

    assert link("linked") == {"vtAccNo": cyber, "app": "app-f9999-seed", "state": "linked",
                              "serviceTermsExpireDate": "20271123"}
    assert consent_accounts(client, user["ci"], user["name"]) == [cyber, samsung]
    ok(account_call(client, bearer, user["ci"], "cyber", cyber))
    assert link("linked", expires="20261124")["serviceTermsExpireDate"] == "20261124"
    ok(account_call(client, bearer, user["ci"], "cyber", cyber))


def test_relinking_a_documented_account_keeps_it_usable(client: FlaskClient) -> None:
    bearer = token(client, "hwanny")
    for state in ("unlinked", "linked"):
        ok(client.post(LINKS, json={"vtAccNo": HWANNY_STAR, "app": "app-f9999-seed",
                                    "state": state}))
    ok(account_call(client, bearer, HWANNY_CI, "star", HWANNY_STAR))


def test_linking_an_app_without_consent_signs_one_year(client: FlaskClient) -> None:
    user = create(client, {"apps": ["app-f0995-sandbox"], "accounts": [{"broker": "cyber"}]})
    vt_acc_no = user["accounts"][0]["vtAccNo"]
    assert_platform_error(client.post("/_sandbox/oauth/token", json={
        "userId": user["id"], "apiKey": F9999_KEY}), 400, "op-apim", 400)
    answer = ok(client.post(LINKS, json={"vtAccNo": vt_acc_no, "app": F9999_KEY,
                                         "state": "linked"}))
    assert (answer["state"], answer["serviceTermsExpireDate"]) == ("linked", "20271123")
    ok(account_call(client, token(client, user["id"]), user["ci"], "cyber", vt_acc_no))


@pytest.mark.parametrize(("payload", "status"), [
    ({"vtAccNo": "000000000000000000", "app": F9999_KEY, "state": "unlinked"}, 404),
    ({"vtAccNo": HWANNY_STAR, "app": "l7xxnope", "state": "unlinked"}, 404),
    ({"vtAccNo": HWANNY_STAR, "app": "app-00995-discretionary", "state": "unlinked"}, 400),
    ({"vtAccNo": HWANNY_STAR, "app": F9999_KEY, "state": "paused"}, 400),
    ({"vtAccNo": HWANNY_STAR, "app": F9999_KEY, "state": "linked", "expires": "20261123"}, 400),
    ({"vtAccNo": HWANNY_STAR, "app": F9999_KEY, "state": "expired", "expires": "20261124"}, 400),
    ({"vtAccNo": HWANNY_STAR, "app": F9999_KEY, "state": "unlinked", "expires": "20261201"},
     400),
    ({"vtAccNo": HWANNY_STAR, "app": F9999_KEY, "state": "linked", "expires": "20261301"}, 400),
    ({"vtAccNo": HWANNY_STAR, "state": "linked"}, 400),
])
def test_links_set_rejects_bad_input(client: FlaskClient, payload: dict[str, Any],
                                     status: int) -> None:
    assert_platform_error(client.post(LINKS, json=payload), status, "op-apim", status)


def test_account_status_discarded_then_active(client: FlaskClient) -> None:
    user = create(client, QA_USER)
    cyber = user["accounts"][0]["vtAccNo"]
    bearer = token(client, user["id"])
    path = f"/_sandbox/accounts/{cyber}/status"
    assert ok(client.post(path, json={"status": "discarded"})) == {"vtAccNo": cyber,
                                                                    "status": "discarded"}
    assert_platform_error(account_call(client, bearer, user["ci"], "cyber", cyber),
                          500, "op-exco", 3010)
    assert ok(client.get(f"{USERS}/{user['id']}"))["accounts"][0]["discarded"] is True
    assert cyber not in consent_accounts(client, user["ci"], user["name"])
    assert ok(client.post(path, json={"status": "active"}))["status"] == "active"
    ok(account_call(client, bearer, user["ci"], "cyber", cyber))
    assert ok(client.get(f"{USERS}/{user['id']}"))["accounts"][0]["discarded"] is False
    assert_platform_error(client.post(path, json={"status": "closed"}), 400, "op-apim", 400)
    assert_platform_error(client.post("/_sandbox/accounts/123/status",
                                      json={"status": "discarded"}), 404, "op-apim", 404)


# ------------------------------------------------------------------------------ views
def test_user_get_shows_aliases_accounts_and_links(client: FlaskClient) -> None:
    user = ok(client.get("/_sandbox/users/jeeae"))
    assert (user["name"], user["origin"], user["password"]) == ("이지애", "documented",
                                                                "fintech123@")
    (account,) = user["accounts"]
    assert (account["vtAccNo"], account["broker"], account["origin"]) == (
        "160657695589800099", "cyber", "documented")
    assert account["discarded"] is False and account["brokerCode"] == "00991"
    assert "app-f9999-seed" in [link["app"] for link in account["links"]]
    assert all(link["state"] == "linked" for link in account["links"])  # ERRATA 12
    assert isinstance(user["nameAliases"], list)
    assert ok(client.get(f"{USERS}/mhcha"))["accounts"] == []
    assert_platform_error(client.get(f"{USERS}/nobody"), 404, "op-apim", 404)


def test_account_get_values_holdings_at_the_clock(client: FlaskClient) -> None:
    user = create(client, QA_USER)
    held = ok(client.get(f"/_sandbox/accounts/{user['accounts'][0]['vtAccNo']}"))
    assert (held["broker"], held["owner"]) == ("cyber", "qa.tester")
    assert held["cash"] == held["d1"] == held["d2"] == 10_000_000
    assert [(p["group"], p["code"], p["qty"]) for p in held["positions"]] == [
        ("EQTY", SAMSUNG, 10), ("FUND", FUND, 2_000_000)]
    assert held["positions"][0]["assetType"] == "KSP" and held["positions"][0]["name"]
    assert held["valuation"] == sum(p["valuation"] for p in held["positions"])
    assert held["purchase"] == sum(p["purchase"] for p in held["positions"])
    assert held["transactions"] == 3
    documented = ok(client.get(f"/_sandbox/accounts/{HWANNY_STAR}"))
    assert documented["owner"] == "hwanny" and documented["transactions"] > 0
    assert_platform_error(client.get("/_sandbox/accounts/999"), 404, "op-apim", 404)


def test_users_listing_filters_and_pages(client: FlaskClient) -> None:
    everyone = ok(client.get(USERS))
    assert everyone["limit"] == 100 and everyone["offset"] == 0
    assert len(everyone["users"]) == 100 and everyone["total"] > 1000
    assert [u["origin"] for u in everyone["users"][:11]] == ["documented"] * 11
    page = ok(client.get(f"{USERS}?offset=5&limit=3"))
    assert [u["id"] for u in page["users"]] == [u["id"] for u in everyone["users"][5:8]]
    generated = ok(client.get(f"{USERS}?origin=generated&limit=1000"))
    assert generated["total"] == everyone["total"] - 11
    assert {u["origin"] for u in generated["users"]} == {"generated"}
    found = ok(client.get(f"{USERS}?q=HWAN"))
    assert found["users"][0]["id"] == "hwanny" and found["total"] == len(found["users"])
    assert all("hwan" in u["id"] or "hwan" in u["name"] for u in found["users"])
    assert [u["id"] for u in ok(client.get(f"{USERS}?q=이지애"))["users"]] == ["jeeae"]
    create(client, {"id": "qa.listed"})
    custom = ok(client.get(f"{USERS}?origin=custom"))
    assert [u["id"] for u in custom["users"]] == ["qa.listed"]
    last = ok(client.get(f"{USERS}?offset={everyone['total']}&limit=1"))
    assert last["users"][0]["id"] == "qa.listed"
    for query in ("limit=0", "limit=1001", "limit=x", "offset=-1", "origin=alien", "page=2"):
        assert_platform_error(client.get(f"{USERS}?{query}"), 400, "op-apim", 400)
