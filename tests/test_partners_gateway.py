"""What every partner route shares (partners.md §0.2 and §S, ERRATA 2, 4, 33): API-key auth in
the header or the query, the subscription check, trailing slashes, the partner error body,
fault injection, retirement and the admin API."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox.app import Config, SandboxState, create_app
from sandbox.registry import Operation, all_operations
from sandbox.world import partners
from sandbox.world.identities import PARTNER_FAMILIES, App
from sandbox.world.world import WorldSettings
from tests.conftest import B2B_KEY, F0995_KEY, FROZEN, assert_platform_error

PARTNER_OPS = [op for op in all_operations() if op.id.startswith("partners.")]


def _concrete(path: str) -> str:
    """A partner path with placeholder values in its variables (the checks under test all run
    before the family looks at them)."""
    return re.sub(r"<(?:[a-z]+:)?([A-Za-z_]+)>", "x1", path)


def _call(client: FlaskClient, op: Operation, path: str | None = None,
          **headers: str) -> object:
    target = path or _concrete(op.paths[0])
    if op.method == "GET":
        return client.get(target, headers=headers)
    return client.post(target, json={}, headers=headers)


def test_partner_families_are_the_services() -> None:
    assert frozenset(partners.SERVICES) == PARTNER_FAMILIES
    assert {op.family for op in PARTNER_OPS} <= PARTNER_FAMILIES


def test_the_index_has_51_endpoints() -> None:
    """partners.md §0.5: 51 endpoints (aliases are extra paths of the same operation)."""
    assert len(PARTNER_OPS) == 51
    for op in PARTNER_OPS:
        assert op.auth == "apikey" and not op.strict_slashes
        assert op.error_category == f"partner:{op.family}"


def test_the_umbrella_family_covers_every_partner() -> None:
    def app(*families: str) -> App:
        return App("a", "F1", "1", "k", "s", (), (), families)

    assert all(app("partners").subscribes(f) for f in PARTNER_FAMILIES)
    assert app("nice").subscribes("nice") and not app("nice").subscribes("bigbot")
    assert not app("market").subscribes("nice")


@pytest.mark.parametrize("op", PARTNER_OPS, ids=lambda op: op.id)
def test_every_partner_route_checks_the_key_and_the_subscription(client: FlaskClient,
                                                                 op: Operation) -> None:
    assert_platform_error(_call(client, op), 401, "op-apim", 401)
    assert_platform_error(_call(client, op, apikey="l7xxnot-a-key"), 401, "op-apim", 401)
    body = assert_platform_error(_call(client, op, apikey=B2B_KEY), 403, "op-auth", 2100)
    assert op.family in body["description"]


@pytest.mark.parametrize("op", PARTNER_OPS, ids=lambda op: op.id)
def test_every_partner_path_answers_with_a_trailing_slash(app: Flask, op: Operation) -> None:
    adapter = app.url_map.bind("localhost")
    for path in op.paths:
        concrete = _concrete(path)
        for variant in (concrete, concrete + "/"):
            endpoint, _ = adapter.match(variant, method=op.method)
            assert endpoint == op.id, (variant, endpoint)


@pytest.mark.parametrize("op", PARTNER_OPS, ids=lambda op: op.id)
def test_down_and_timeout_faults(client: FlaskClient, state: SandboxState,
                                 op: Operation) -> None:
    partners.set_fault(state.world, op.family, "timeout", True)
    assert_platform_error(_call(client, op, apikey=F0995_KEY), 408, "op-apim", 408)
    partners.set_fault(state.world, op.family, "down", True)
    assert_platform_error(_call(client, op, apikey=F0995_KEY), 503, "op-apim", 503)


def test_the_key_may_travel_in_the_query(client: FlaskClient) -> None:
    op = next(op for op in PARTNER_OPS if op.method == "GET")
    path = _concrete(op.paths[0])
    answer = client.get(path, query_string={"apikey": F0995_KEY})
    assert answer.status_code not in (401, 403)
    both = client.get(path, query_string={"apikey": F0995_KEY}, headers={"apikey": B2B_KEY})
    assert_platform_error(both, 401, "op-apim", 401)


def test_a_post_body_that_is_not_json_is_a_gateway_400(client: FlaskClient) -> None:
    for op in (op for op in PARTNER_OPS if op.method == "POST"):
        answer = client.post(op.paths[0], data=b"{not json",
                             headers={"apikey": F0995_KEY, "Content-Type": "application/json"})
        assert_platform_error(answer, 400, "op-apim", 400)


def test_wrong_method_is_405(client: FlaskClient) -> None:
    for op in PARTNER_OPS[:5]:
        wrong = "DELETE"
        answer = client.open(_concrete(op.paths[0]), method=wrong,
                             headers={"apikey": F0995_KEY})
        assert_platform_error(answer, 405, "op-apim", 405)


def test_retired_services_answer_404_at_a_later_date() -> None:
    app = create_app(Config(world=WorldSettings(seed=42, clock=FROZEN,
                                                partners_as_of=date(2023, 1, 1)),
                            response_validation="strict"))
    client = app.test_client()
    for op in PARTNER_OPS:
        answer = client.open(_concrete(op.paths[0]), method=op.method, json={},
                             headers={"apikey": F0995_KEY})
        retired = partners.SERVICES[op.family].retired
        if retired is not None:
            body = assert_platform_error(answer, 404, "op-apim", 404)
            assert "no Route matched" in body["description"]
        else:
            assert "no Route matched" not in answer.get_data(as_text=True)


def test_admin_lists_services_and_switches_faults(client: FlaskClient,
                                                  state: SandboxState) -> None:
    listing = client.get("/_sandbox/partners").get_json()
    assert [s["family"] for s in listing["services"]] == list(partners.SERVICES)
    assert listing["bugCompatible"] is False and listing["asOf"] is None
    assert set(listing["variants"]) == set(partners.VARIANTS)
    on = client.post("/_sandbox/partners/fabotdw/faults", json={"fault": "null-ratios"})
    assert on.get_json() == {"family": "fabotdw", "faults": ["null-ratios"]}
    assert partners.has_fault(state.world, "fabotdw", "null-ratios")
    off = client.post("/_sandbox/partners/fabotdw/faults",
                      json={"fault": "null-ratios", "on": False})
    assert off.get_json() == {"family": "fabotdw", "faults": []}
    assert_platform_error(client.post("/_sandbox/partners/acme/faults", json={"fault": "down"}),
                          404, "op-apim", 404)
    bad = client.post("/_sandbox/partners/nice/faults", json={"fault": "null-ratios"})
    assert "down, timeout" in assert_platform_error(bad, 400, "op-apim", 400)["description"]
    assert_platform_error(client.post("/_sandbox/partners/nice/faults", json={}),
                          400, "op-apim", 400)


def test_a_reset_clears_the_faults(client: FlaskClient, state: SandboxState) -> None:
    client.post("/_sandbox/partners/nice/faults", json={"fault": "down"})
    assert partners.active_faults(state.world, "nice") == {"down"}
    state.reset()
    assert partners.active_faults(state.world, "nice") == frozenset()
