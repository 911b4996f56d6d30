"""The scenario engine through the gateway (in-process): every ``when`` condition, every
``then`` action, states, counters, near misses, the admin API and the journal."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from tests.conftest import (
    F0995_KEY,
    F9999_KEY,
    account_body,
    assert_platform_error,
    b2b_headers,
    bearer,
    set_clock,
)

PRICE = "/v2/market/stocks/kospi/005930/price"
GILDONG_CI = (
    "S1V7HGXBV1EPGBJastZf4fQV+eOpOc1pfizByV6UIEEJHM/PF9QKu+PU2OThEog7QmVKSZNibNGg+/k0XB/9jQ==")
SAMSUNG_ACC = "160731060768600001"  # gildong @ samsung
SHINHAN_ACC = "160678007213500001"  # gildong @ shinhan


def activate(client: FlaskClient, *rules: dict[str, Any], name: str = "t",
             **extra: Any) -> dict[str, Any]:
    definition = {"name": name, "description": "test", "rules": list(rules), **extra}
    response = client.post("/_sandbox/scenarios", json={"definition": definition})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def price(client: FlaskClient, key: str = F9999_KEY, **headers: str) -> Any:
    return client.get(PRICE, headers={"apikey": key, **headers})


def journal(client: FlaskClient, limit: int = 1, **filters: str) -> list[dict[str, Any]]:
    query = {"limit": str(limit), **filters}
    return client.get("/_sandbox/requests", query_string=query).get_json()["requests"]  # type: ignore[no-any-return]


def balance(client: FlaskClient, broker: str = "samsung", account: str = SAMSUNG_ACC,
            headers: dict[str, str] | None = None) -> Any:
    body = account_body(GILDONG_CI, account, "balance", {"assetType": "CASH"})
    return client.post(f"/v1/{broker}/account/balance/search", json=body,
                       headers=headers or bearer(client, "gildong"))


# ------------------------------------------------------------------------------ admin API
def test_library_and_active_scenarios_are_listed(client: FlaskClient) -> None:
    activate(client, {"name": "slow", "then": {"delay": "10ms"}}, name="mine")
    body = client.get("/_sandbox/scenarios").get_json()
    assert {"name", "description", "params"} <= set(body["library"][0]) if body["library"] \
        else True
    (active,) = body["active"]
    assert active["name"] == "mine" and active["origin"] == "inline"
    assert active["rules"] == [{"name": "slow", "times": None, "matched": 0, "applied": 0}]


def test_refusals_name_the_line_and_the_reason(client: FlaskClient) -> None:
    bad = {"name": "t", "description": "d", "rules": [{"then": {"fault": "boom"}}]}
    response = client.post("/_sandbox/scenarios", json={"definition": bad})
    body = assert_platform_error(response, 400, "op-apim", 400)
    assert "/rules/0/then/fault" in body["description"]
    response = client.post("/_sandbox/scenarios", json={"name": "no-such-scenario"})
    assert "no scenario 'no-such-scenario'" in assert_platform_error(
        response, 400, "op-apim", 400)["description"]
    both = client.post("/_sandbox/scenarios", json={"name": "x", "definition": bad})
    assert_platform_error(both, 400, "op-apim", 400)
    unknown = {"name": "t", "description": "d", "params": {"n": {"default": 1}},
               "rules": [{"then": {"delay": "1ms"}}]}
    response = client.post("/_sandbox/scenarios", json={"definition": unknown,
                                                         "params": {"m": 2}})
    assert "unknown parameter 'm' of scenario 't' (known: n)" in assert_platform_error(
        response, 400, "op-apim", 400)["description"]
    response = client.post("/_sandbox/scenarios", json={"definition": unknown,
                                                         "params": {"n": "many"}})
    assert "must be integer" in response.get_json()["description"]


def test_unknown_brokers_and_codes_are_refused_at_activation(client: FlaskClient) -> None:
    rule = {"when": {"broker": "kyobo"}, "then": {"delay": "1ms"}}
    response = client.post("/_sandbox/scenarios", json={"definition": {
        "name": "t", "description": "d", "rules": [rule]}})
    assert "unknown broker 'kyobo'" in response.get_json()["description"]
    rule = {"then": {"market": {"halt": "999999"}}}
    response = client.post("/_sandbox/scenarios", json={"definition": {
        "name": "t", "description": "d", "rules": [rule]}})
    assert response.status_code == 400 and "/rules/0" in response.get_json()["description"]


def test_deactivate_clear_and_reset(client: FlaskClient, state: SandboxState) -> None:
    activate(client, {"then": {"fault": {"type": "http_error", "status": 502}}}, name="a")
    assert price(client).status_code == 502
    assert client.delete("/_sandbox/scenarios/a").get_json() == {"name": "a", "active": False}
    assert price(client).status_code == 200
    assert_platform_error(client.delete("/_sandbox/scenarios/a"), 404, "op-apim", 404)
    activate(client, {"then": {"delay": "1ms"}}, name="b")
    activate(client, {"then": {"delay": "1ms"}}, name="c")
    assert client.delete("/_sandbox/scenarios").get_json() == {"deactivated": ["b", "c"]}
    activate(client, {"then": {"fault": "broker_down"}}, name="d")
    client.post("/_sandbox/reset")
    assert client.get("/_sandbox/scenarios").get_json()["active"] == []
    assert price(client).status_code == 200


def test_reactivating_starts_over(client: FlaskClient) -> None:
    rule = {"then": {"fault": {"type": "http_error", "status": 500}}, "times": 1}
    activate(client, rule)
    assert price(client).status_code == 500
    assert price(client).status_code == 200
    activate(client, rule)
    assert price(client).status_code == 500


def test_admin_calls_are_never_touched(client: FlaskClient) -> None:
    activate(client, {"then": {"fault": "connection_reset"}})
    assert client.get("/_sandbox/health").status_code == 200
    assert client.delete("/_sandbox/scenarios").status_code == 200


# ------------------------------------------------------------------------------ when
@pytest.mark.parametrize(("when", "hit"), [
    ({"operation": "market.stocks_*"}, True),
    ({"operation": ["account.*", "order.new"]}, False),
    ({"family": "market"}, True),
    ({"family": "partners"}, False),
    ({"method": "get"}, True),
    ({"method": "POST"}, False),
    ({"path": "/v2/market/stocks/*/005930/price"}, True),
    ({"path": "/v2/**"}, True),
    ({"path": "/v2/market/*/price"}, False),
    ({"app": "F9999"}, True),
    ({"app": F9999_KEY}, True),
    ({"app": "F0995"}, False),
    ({"headers": {"X-Trace": "on"}}, True),
    ({"headers": {"X-Trace": {"matches": "^of"}}}, False),
    ({"headers": {"X-Absent": {"exists": False}}}, True),
    ({"clock": {"from": "09:00", "to": "15:30"}}, True),
    ({"clock": {"from": "15:30", "to": "09:00"}}, False),
    ({"clock": {"after": "2026-11-24T09:59:59+09:00", "before": "2026-11-25T00:00:00"}}, True),
    ({"clock": {"weekdays": ["sat", "sun"]}}, False),
    ({"clock": {"trading_day": True}}, True),
    ({"clock": {"month_end": True}}, False),
])
def test_request_conditions(client: FlaskClient, when: dict[str, Any], hit: bool) -> None:
    activate(client, {"name": "r", "when": when, "then": {"fault": {
        "type": "http_error", "status": 418}}})
    assert price(client, **{"X-Trace": "on"}).status_code == (418 if hit else 200)


def test_subject_conditions_of_account_calls(client: FlaskClient) -> None:
    activate(client, {"name": "gildong-samsung", "when": {
        "broker": "SAMSUNG", "user": "gildong", "ci": GILDONG_CI, "account": SAMSUNG_ACC,
        "body": {"/accInfo/vtAccNo": {"in": [SAMSUNG_ACC]},
                 "/balanceRequestBody/queryType/assetType": "CASH"}},
        "then": {"fault": "broker_down"}})
    assert_platform_error(balance(client), 503, "op-exco", 3600)
    assert balance(client, "shinhan", SHINHAN_ACC).status_code == 200


def test_institution_and_order_account(client: FlaskClient) -> None:
    activate(client, {"when": {"institution": "00995", "family": "b2baccount"},
                      "then": {"fault": "broker_timeout"}})
    body = {"partner": {"comId": "00995", "srvId": "001"}, "commonHeader": {"ci": ""},
            "accountListRequestBody": {}}
    response = client.post("/v1/samsung/b2baccount/accountlist/search", json=body,
                           headers=b2b_headers("00995"))
    assert_platform_error(response, 500, "op-exco", 3005)


def test_nth_times_and_their_near_misses(client: FlaskClient) -> None:
    activate(client, {"name": "every-2nd", "when": {"family": "market", "nth": {
        "from": 2, "every": 2}}, "then": {"fault": {"type": "http_error", "status": 500}},
        "times": 2})
    statuses = [price(client).status_code for _ in range(8)]
    assert statuses == [200, 500, 200, 500, 200, 200, 200, 200]
    seventh, eighth = journal(client, 2)[::-1]
    assert seventh["nearMisses"] == [{
        "scenario": "t", "rule": "every-2nd",
        "reason": "nth: this is matching call 7, the rule wants every 2th call from 2"}]
    assert eighth["nearMisses"] == [{"scenario": "t", "rule": "every-2nd",
                                     "reason": "times: already applied 2 of 2"}]
    counts = client.get("/_sandbox/scenarios").get_json()["active"][0]["rules"][0]
    assert (counts["matched"], counts["applied"]) == (8, 2)
    activate(client, {"name": "list", "when": {"nth": [1, 3]}, "then": {
        "fault": {"type": "http_error", "status": 500}}})
    assert [price(client).status_code for _ in range(4)] == [500, 200, 500, 200]


def test_states_make_stories(client: FlaskClient) -> None:
    activate(client,
             {"name": "trip", "when": {"in_state": "start", "nth": 2},
              "then": {"set_state": "down"}},
             {"name": "outage", "when": {"in_state": "down"},
              "then": {"fault": "broker_down"}, "times": 2},
             {"name": "recover", "when": {"in_state": "down"}, "then": {"set_state": "up"}})
    statuses = [price(client).status_code for _ in range(6)]
    assert statuses == [200, 200, 503, 503, 200, 200]
    assert client.get("/_sandbox/scenarios").get_json()["active"][0]["state"] == "up"
    (entry,) = journal(client, operation="market.stocks_price")
    assert entry["nearMisses"] == [
        {"scenario": "t", "rule": "trip", "reason": "state is 'up', the rule wants start"},
        {"scenario": "t", "rule": "outage", "reason": "state is 'up', the rule wants down"},
        {"scenario": "t", "rule": "recover", "reason": "state is 'up', the rule wants down"}]
    third = journal(client, 4, operation="market.stocks_price")[-1]
    assert third["scenario"] == [{"scenario": "t", "rule": "outage",
                                  "actions": ["fault broker_down"]}]
    assert {"scenario": "t", "rule": "recover",
            "reason": "the answer was already decided by t/outage"} in third["nearMisses"]


def test_probability_is_seeded_and_replays(client: FlaskClient, state: SandboxState) -> None:
    rule = {"when": {"probability": 0.5}, "then": {"fault": {"type": "http_error",
                                                            "status": 500}}}
    activate(client, rule)
    first = [price(client).status_code for _ in range(40)]
    client.post("/_sandbox/reset")
    activate(client, rule)
    assert [price(client).status_code for _ in range(40)] == first
    assert 8 < first.count(500) < 32
    activate(client, {**rule, "name": "other"})  # another rule name, other draws
    assert [price(client).status_code for _ in range(40)] != first


# ------------------------------------------------------------------------------ then
def test_respond_renders_templates(client: FlaskClient) -> None:
    activate(client, {"when": {"family": "market"}, "then": {"respond": {
        "status": 299, "headers": {"X-Why": "{{ params.why }}"},
        "body": {"path": "{{ request.path }}", "n": "{{ count }}", "plain": 1}}}},
        params={"why": {"default": "because"}})
    response = price(client)
    assert response.status_code == 299 and response.headers["X-Why"] == "because"
    assert response.get_json() == {"path": PRICE, "n": "1", "plain": 1}
    assert price(client).get_json()["n"] == "2"


def test_a_broken_rule_is_a_500_naming_the_scenario(client: FlaskClient) -> None:
    activate(client, {"name": "oops", "then": {"respond": {"body": "{{ nothing.here }}"}}},
             name="broken")
    body = assert_platform_error(price(client), 500, "op-apim", 500)
    assert body["description"].startswith("scenario 'broken' rule 'oops' failed:")
    assert client.get("/_sandbox/health").status_code == 200
    client.delete("/_sandbox/scenarios/broken")
    assert price(client).status_code == 200


@pytest.mark.parametrize(("fault", "status", "category", "code"), [
    ({"type": "http_error"}, 500, "op-apim", 500),
    ({"type": "http_error", "status": 429}, 429, "op-apim", 429),
    ({"type": "http_error", "code": 3600}, 503, "op-exco", 3600),
    ({"type": "http_error", "status": 403, "code": 2100}, 403, "op-auth", 2100),
    ({"type": "http_error", "status": 500, "category": "samsung", "code": 9999,
      "message": "broker says no"}, 500, "samsung", 9999),
    ("broker_down", 503, "op-exco", 3600),
    ("broker_timeout", 500, "op-exco", 3005),
    ({"type": "timeout", "after": "PT2S"}, 500, "op-exco", 3005),
])
def test_faults_on_a_broker_call(client: FlaskClient, fault: Any, status: int, category: str,
                                 code: int) -> None:
    activate(client, {"when": {"family": "account"}, "then": {"fault": fault}})
    body = assert_platform_error(balance(client), status, category, code)
    if isinstance(fault, dict) and "message" in fault:
        assert body["message"] == "broker says no"


def test_timeouts_are_virtual_in_process(client: FlaskClient) -> None:
    activate(client, {"then": {"fault": {"type": "timeout", "after": "PT45S"}}})
    response = price(client)
    assert_platform_error(response, 408, "op-apim", 408)
    assert response.headers["X-Sandbox-Delay-Ms"] == "45000"
    assert journal(client)[0]["delayMs"] == 45000


def test_faults_on_partner_and_common_routes(client: FlaskClient) -> None:
    activate(client, {"when": {"family": "partners"}, "then": {"fault": "broker_down"}},
             {"when": {"family": "common"}, "then": {"fault": "broker_timeout"}})
    response = client.get("/v1/wavelet/prices/005930", headers={"apikey": F0995_KEY})
    assert_platform_error(response, 503, "op-apim", 503)
    body = {"partner": {"comId": "F9999", "srvId": "999"}, "commonHeader": {"ci": GILDONG_CI},
            "body": {"korName": "홍길동"}}
    response = client.post("/v1/common/member/register/search", json=body,
                           headers={"apikey": F9999_KEY})
    assert_platform_error(response, 500, "op-spt", 3005)


def test_connection_reset_empty_and_malformed(client: FlaskClient) -> None:
    activate(client, {"when": {"nth": 1}, "then": {"fault": "connection_reset"}},
             {"when": {"nth": 2}, "then": {"fault": {"type": "empty_response", "status": 200}}},
             {"when": {"nth": 3}, "then": {"fault": "malformed_body"}})
    with pytest.raises(ConnectionResetError):
        price(client)
    assert journal(client)[0]["status"] == 0
    empty = price(client)
    assert (empty.status_code, empty.get_data()) == (200, b"")
    whole = price(client)
    assert whole.status_code == 200
    assert whole.get_json(silent=True) is None and whole.get_data().startswith(b'{"jsonrpc"')
    assert price(client).get_json()["result"]["isuSrtCd"] == "005930"


def test_delays(client: FlaskClient) -> None:
    activate(client, {"when": {"nth": 1}, "then": {"delay": "PT0.25S"}},
             {"when": {"nth": 2}, "then": {"delay": {"uniform": ["100ms", "200ms"]}}},
             {"when": {"nth": 3}, "then": {"delay": {"lognormal": {
                 "median": "1s", "sigma": 3, "max": "2s"}}}})
    delays = [float(price(client).headers["X-Sandbox-Delay-Ms"]) for _ in range(3)]
    assert delays[0] == 250 and 100 <= delays[1] <= 200 and 0 < delays[2] <= 2000


def test_rate_limit_per_app_resets_at_utc_midnight(client: FlaskClient,
                                                   state: SandboxState) -> None:
    activate(client, {"then": {"rate_limit": {"limit": 2, "window": "day"}}})
    first, second, third = (price(client) for _ in range(3))
    assert first.headers["X-RateLimit-Remaining-Day"] == "1"
    assert second.headers["X-RateLimit-Remaining-Day"] == "0"
    assert third.status_code == 429 and third.get_json() == {"message":
                                                             "API rate limit exceeded"}
    assert third.headers["X-RateLimit-Limit-Day"] == "2"
    assert third.headers["Retry-After"] == str(23 * 3600)  # 10:00 KST = 01:00 UTC
    assert price(client, key=F0995_KEY).status_code == 200  # another app, its own quota
    set_clock(state, "2026-11-25T08:59:59+09:00")
    assert price(client).status_code == 429
    set_clock(state, "2026-11-25T09:00:00+09:00")
    assert price(client).headers["X-RateLimit-Remaining-Day"] == "1"


def test_token_expiry_and_refresh(client: FlaskClient) -> None:
    grant = client.post("/_sandbox/oauth/token", json={"userId": "gildong",
                                                       "apiKey": F9999_KEY}).get_json()
    headers = {"Authorization": f"Bearer {grant['access_token']}"}
    activate(client, {"when": {"family": "account", "nth": 2}, "then": {"token": "expire"}})
    assert balance(client, headers=headers).status_code == 200
    assert_platform_error(balance(client, headers=headers), 401, "op-apim", 401)
    assert_platform_error(balance(client, headers=headers), 401, "op-apim", 401)
    from base64 import b64encode

    from tests.conftest import F9999_KEY as key
    secret = client.get("/_sandbox/apps").get_json()["apps"]
    app = next(a for a in secret if a["apiKey"] == key)
    basic = b64encode(f"{key}:{app['secret']}".encode()).decode()
    refreshed = client.post("/auth/oauth/v2/token", data={
        "grant_type": "refresh_token", "refresh_token": grant["refresh_token"]},
        headers={"Authorization": f"Basic {basic}"})
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    fresh = {"Authorization": f"Bearer {refreshed.get_json()['access_token']}"}
    assert balance(client, headers=fresh).status_code == 200


def test_order_outcomes_reach_the_broker_side(client: FlaskClient) -> None:
    from tests.test_order import last_report, place, reports_of

    activate(client, {"name": "refuse", "when": {"operation": "order.new", "body": {
        "/newOrderSingleRequestBody/orderQty": {"ge": 100}}},
        "then": {"order": {"reject": {"reason": "99", "text": "한도 초과 (limit)"}}}},
        {"name": "half", "when": {"operation": "order.new"}, "then": {"order": {
            "partial": {"fills": [0.5], "rest": "cancel"}}}})
    big = place(client, orderQty=100)
    report = last_report(client, big["clOrdID"])
    assert (report["execType"], report["ordRejReason"], report["text"]) == (
        "8", "99", "한도 초과 (limit)")
    small = place(client, orderQty=10)
    client.post("/_sandbox/clock", json={"advance": "PT5S"})
    kinds = [(r["execType"], r.get("lastQty")) for r in reports_of(client, small["clOrdID"])]
    assert kinds[0][0] == "0" and ("F", 5) in kinds and kinds[-1][0] == "4"


def test_a_scenario_of_scheduled_events_only(client: FlaskClient) -> None:
    response = client.post("/_sandbox/scenarios", json={"definition": {
        "name": "halt-at-ten", "description": "d",
        "events": [{"at": "PT0S", "market": {"halt": "005930"}}]}})
    assert response.status_code == 200, response.get_data(as_text=True)
    client.post("/_sandbox/clock", json={"advance": "PT1M"})
    master = client.get("/v2/market/stocks/kospi/005930/master", headers={"apikey": F9999_KEY})
    assert master.get_json()["result"]["haltYn"] == "Y"
    client.delete("/_sandbox/scenarios/halt-at-ten")
    master = client.get("/v2/market/stocks/kospi/005930/master", headers={"apikey": F9999_KEY})
    assert master.get_json()["result"]["haltYn"] == "N"


def test_a_bad_order_directive_is_refused_at_activation(client: FlaskClient) -> None:
    response = client.post("/_sandbox/scenarios", json={"definition": {
        "name": "t", "description": "d", "rules": [
            {"then": {"order": {"reject": {"reason": "77"}}}}]}})
    assert "reject.reason must be one of" in assert_platform_error(
        response, 400, "op-apim", 400)["description"]


# ------------------------------------------------------------------------------ journal
def test_journal_filters(client: FlaskClient) -> None:
    before = journal(client, 1)[0]["id"] if journal(client, 1) else "req-0000000000"
    activate(client, {"name": "only-2nd", "when": {"nth": 2}, "then": {"delay": "1ms"}},
             name="slow")
    price(client)
    price(client)
    price(client, key=F0995_KEY)
    touched = journal(client, 10, scenario="slow")
    assert [e["scenario"][0]["rule"] for e in touched] == ["only-2nd"]
    assert len(journal(client, 10, operation="market.stocks_price", since=before)) == 3
    assert len(journal(client, 10, status="200", app="app-f0995-sandbox", since=before)) == 1
