"""TheCheat fraud-history check (partners.md H4, endpoint 51): partners.thecheat_fraudsearch.

Default world: seed 42, clock 2026-11-24 10:00 KST; the F0995 key's app has comId F0995.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import Config, SandboxState, create_app
from sandbox.families.partners.thecheat import models
from sandbox.world.partners import thecheat as registry
from sandbox.world.world import World, WorldSettings
from tests.conftest import (
    F9999_KEY,
    FROZEN,
    assert_covers,
    assert_platform_error,
    example,
    partner_call,
    partner_post,
    set_clock,
)

PATH = "/v1/thecheat/fraudsearch"
TODAY = date(2026, 11, 24)
INVALID = {"result_msg": "유효한 정보 아님", "result_code": -3, "content": ""}
PROPS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
REQUESTS = ["thecheat_fraudsearch.request.json",
            "thecheat_fraudsearch.service-phone.request.json",
            "thecheat_fraudsearch.user-account.request.json"]

#: The magic keywords of fixtures/partners/thecheat_registry.yaml and their answers.
MAGIC = {"01099990001": "Y", "01099990002": "N", "01099990003": "Y", "01099990004": "N",
         "01099990005": "Y", "01099990006": "Y", "01099990007": "N", "01099990008": "Y",
         "01099990009": "N", "01099990010": "N", "01099990011": "Y", "01099990012": "N",
         "01099990013": "Y", "1002999900001": "Y", "1002999900002": "N",
         "1002999900003": "Y", "1002999900004": "N"}


def body(keyword: Any = "01012345678", keyword_type: Any = "phone",
         access_type: Any = "user", **extra: Any) -> dict[str, Any]:
    return {"keyword": keyword, "keyword_type": keyword_type, "access_type": access_type,
            "add_info": "", **extra}


def answer(client: FlaskClient, payload: Any, key: str | None = None) -> dict[str, Any]:
    response = partner_post(client, PATH, payload, **({"key": key} if key else {}))
    assert response.status_code == 200, response.get_data(as_text=True)
    found: dict[str, Any] = response.get_json()
    return found


def content(client: FlaskClient, payload: Any) -> dict[str, Any]:
    found = answer(client, payload)
    assert (found["result_code"], found["result_msg"]) == (1, "success"), found
    assert isinstance(found["content"], str)
    parsed: dict[str, Any] = json.loads(found["content"])
    return parsed


def object_app() -> Flask:
    return create_app(Config(world=WorldSettings(
        seed=42, clock=FROZEN, partner_variants=frozenset({"thecheat-content-object"})),
        response_validation="strict"))


def fault(client: FlaskClient, name: str, on: bool = True) -> None:
    response = client.post("/_sandbox/partners/thecheat/faults", json={"fault": name, "on": on})
    assert response.status_code == 200, response.get_data(as_text=True)


# ------------------------------------------------------------------------- documented examples
@pytest.mark.parametrize("request_name", REQUESTS)
def test_documented_requests_answer_like_the_manual(client: FlaskClient,
                                                    request_name: str) -> None:
    described = example(f"partners/{request_name}")
    response = partner_call(client, described)
    assert response.status_code == 200, response.get_data(as_text=True)
    found = response.get_json()
    assert_covers("partners/thecheat_fraudsearch.response.json", found)
    sent = described["body"]
    assert json.loads(found["content"]) == {
        "keyword": sent["keyword"], "keyword_type": sent["keyword_type"], "caution": "N",
        "access_type": sent["access_type"], "add_info": {"com_id": "F0995"}}


def test_the_main_example_is_reproduced_byte_for_byte(client: FlaskClient) -> None:
    response = partner_call(client, example("partners/thecheat_fraudsearch.request.json"))
    documented = example("partners/thecheat_fraudsearch.response.json")
    assert response.get_json() == documented
    assert response.get_data(as_text=True) == json.dumps(documented, ensure_ascii=False)


def test_the_2020_variant_answers_an_object_with_the_window() -> None:
    client = object_app().test_client()
    response = partner_call(client, example("partners/thecheat_fraudsearch.request.json"))
    found = response.get_json()
    assert_covers("partners/thecheat_fraudsearch.catalog2020.response.json", found)
    assert found["content"] == {"keyword": "01000000000", "keyword_type": "phone",
                                "caution": "N", "access_type": "user",
                                "add_info": {"com_id": "F0995"},
                                "date_start": "20260824100000", "date_end": "20261124100000"}
    assert answer(client, body(keyword="12-3")) == INVALID


def test_the_variant_window_clamps_to_the_month_end() -> None:
    app = object_app()
    set_clock(app.extensions["sandbox"], "2026-05-31T13:20:04+09:00")
    found = answer(app.test_client(), body())
    assert (found["content"]["date_start"], found["content"]["date_end"]) == (
        "20260228132004", "20260531132004")


def test_com_id_is_the_callers(client: FlaskClient) -> None:
    found = answer(client, body(add_info="anything"), key=F9999_KEY)
    assert json.loads(found["content"])["add_info"] == {"com_id": "F9999"}


# ---------------------------------------------------------------------------------- rules
@pytest.mark.parametrize(("keyword", "expected"), sorted(MAGIC.items()))
def test_magic_keywords(client: FlaskClient, keyword: str, expected: str) -> None:
    kind = "phone" if keyword.startswith("010") else "account"
    assert content(client, body(keyword, kind))["caution"] == expected


def test_magic_keywords_follow_the_clock(client: FlaskClient, state: SandboxState) -> None:
    for instant in ("2019-03-01T09:00:00+09:00", "2031-12-31T23:00:00+09:00"):
        set_clock(state, instant)
        found = {k: content(client, body(k, "auto"))["caution"] for k in MAGIC}
        assert found == MAGIC


def test_ordinary_reports_are_absolute_so_time_travel_changes_the_answer() -> None:
    seed = 42
    keyword = next(f"0107{n:07d}" for n in range(200_000)
                   if len(registry.reports(seed, f"0107{n:07d}", date(2040, 1, 1))) == 1)
    (reported,) = registry.reports(seed, keyword, date(2040, 1, 1))
    assert registry.reports(seed, keyword, reported - timedelta(days=1)) == ()

    def flagged(day: date) -> bool:
        return models.fraudsearch(World(WorldSettings(seed=seed, clock=f"{day}T12:00:00+09:00")),
                                  body(keyword), "F0995")["content"].count('"caution":"Y"') == 1

    assert not flagged(reported - timedelta(days=1))  # not filed yet
    assert not flagged(reported + timedelta(days=2))  # filed, not verified yet
    assert flagged(reported + timedelta(days=3))
    assert flagged(registry.minus_months(reported, -3))  # the window's last day
    assert not flagged(registry.minus_months(reported, -3) + timedelta(days=1))


def test_the_registry_has_a_few_percent_of_reported_numbers() -> None:
    ever = sum(bool(registry.reports(42, f"0108{n:07d}", date(2040, 1, 1)))
               for n in range(4000))
    assert 120 < ever < 300  # report_rate 0.05
    shown = sum(registry.is_cautioned(42, f"0108{n:07d}", TODAY) for n in range(4000))
    assert shown < 20
    other = [registry.reports(7, f"0108{n:07d}", date(2040, 1, 1)) for n in range(200)]
    assert other != [registry.reports(42, f"0108{n:07d}", date(2040, 1, 1))
                     for n in range(200)]


@pytest.mark.parametrize(("dates", "expected"), [
    ((), False), ((TODAY,), False), ((TODAY - timedelta(days=2),), False),
    ((TODAY - timedelta(days=3),), True), ((TODAY, TODAY), True),
    ((date(2026, 8, 24),), True), ((date(2026, 8, 23),), False),
    ((date(2026, 8, 23), date(2026, 8, 22)), False),
    ((date(2026, 8, 23), TODAY - timedelta(days=1)), False),
    ((date(2026, 8, 24), TODAY), True), ((TODAY + timedelta(days=1),), False),
    ((TODAY + timedelta(days=1), TODAY - timedelta(days=5)), True),
])
def test_caution_rule(dates: tuple[date, ...], expected: bool) -> None:
    assert registry.caution(dates, TODAY) is expected


def test_auto_detection(client: FlaskClient) -> None:
    for keyword, kind in (("01012345678", "phone"), ("0111234567", "phone"),
                          ("010123456", "account"), ("010123456789", "account"),
                          ("02123456789", "account"), ("1002999900001", "account")):
        found = content(client, body(keyword, "auto", "service"))
        assert (found["keyword"], found["keyword_type"], found["access_type"]) == (
            keyword, kind, "service")
    assert models.detect("01099990001") == "phone"


@pytest.mark.parametrize("payload", [
    body(keyword="010-0000-0000"), body(keyword=""), body(keyword=" 0101234567"),
    body(keyword=1012345678), body(keyword=None), body(keyword="０１０１２３４５６７８"),
    body(keyword_type="mobile"), body(keyword_type="PHONE"), body(keyword_type=None),
    body(access_type="admin"), body(access_type=1), {"keyword": "01012345678"},
    {"keyword_type": "phone", "access_type": "user"}, {},
])
def test_invalid_information_is_200_with_result_code_minus_3(client: FlaskClient,
                                                             payload: Any) -> None:
    assert answer(client, payload) == INVALID


def test_add_info_is_optional_and_free(client: FlaskClient) -> None:
    payload = body()
    del payload["add_info"]
    assert content(client, payload)["caution"] == "N"
    assert content(client, body(add_info={"x": [1, 2]}))["add_info"] == {"com_id": "F0995"}


def test_a_body_that_is_not_json_is_the_gateways_400(client: FlaskClient) -> None:
    response = client.post(PATH, data="keyword=010", headers={
        "apikey": "l7xx07af2794364743abaf6a493cdeca5aa0", "Content-Type": "application/json"})
    assert_platform_error(response, 400, "op-apim", 400)


def test_faults(client: FlaskClient) -> None:
    fault(client, "db-error")
    assert answer(client, body()) == {"result_msg": "DB 연결 오류", "result_code": -1,
                                      "content": ""}
    assert answer(client, body(keyword="x")) == INVALID  # validation comes first
    fault(client, "ip-denied")
    denied = {"result_msg": "허용되지 않은 IP", "result_code": -2, "content": ""}
    assert answer(client, body()) == denied and answer(client, body(keyword="x")) == denied
    fault(client, "ip-denied", on=False)
    fault(client, "db-error", on=False)
    assert answer(client, body())["result_code"] == 1


def test_same_request_same_bytes(client: FlaskClient) -> None:
    first = partner_post(client, PATH, body("01099990001")).data
    assert partner_post(client, PATH, body("01099990001")).data == first


@PROPS
@given(payload=st.dictionaries(st.sampled_from(["keyword", "keyword_type", "access_type",
                                                "add_info", "other"]),
                               st.one_of(st.text(max_size=15), st.integers(), st.none(),
                                         st.sampled_from(["phone", "account", "auto", "user",
                                                          "service", "01012345678"]))))
def test_any_object_is_answered_with_200(client: FlaskClient, payload: dict[str, Any]) -> None:
    found = answer(client, payload)
    assert found["result_code"] in (1, -3)
    if found["result_code"] == 1:
        parsed = json.loads(found["content"])
        assert parsed["keyword"] == payload["keyword"] and parsed["caution"] in ("Y", "N")


@PROPS
@given(seed=st.integers(0, 2**31), digits=st.text("0123456789", min_size=1, max_size=16),
       days=st.integers(0, 6000))
def test_registry_is_pure_and_ordered(seed: int, digits: str, days: int) -> None:
    today = date(2014, 1, 1) + timedelta(days=days)
    found = registry.reports(seed, digits, today)
    assert found == registry.reports(seed, digits, today)
    assert list(found) == sorted(found) and all(d <= today for d in found) and len(found) <= 3
    if digits not in registry.registry().magic:  # magic dates follow the clock
        later = registry.reports(seed, digits, today + timedelta(days=400))
        assert later[:len(found)] == found  # reports never disappear from the registry
    assert registry.is_cautioned(seed, digits, today) == registry.caution(found, today)
    if digits in ("01000000000", "0100000000", "00000000000000"):
        assert found == ()
