"""The admin API under /_sandbox/ and the world clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.world.clock import Clock, ClockError, parse_duration, parse_instant
from tests.conftest import F9999_KEY, FROZEN, assert_platform_error


def test_health(client: FlaskClient) -> None:
    data = client.get("/_sandbox/health").get_json()
    assert data["status"] == "ok" and data["seed"] == 42
    assert data["clock"] == {"now": FROZEN, "mode": "frozen", "speed": 0.0,
                             "timezone": "Asia/Seoul"}


def test_apps_list_documented_and_generated_keys(client: FlaskClient) -> None:
    apps = {a["name"]: a for a in client.get("/_sandbox/apps").get_json()["apps"]}
    assert apps["app-f9999-seed"]["apiKey"] == F9999_KEY
    assert apps["app-f0995-sandbox"]["comId"] == "F0995"
    assert apps["app-f0995-sandbox"]["srvId"] == "297"
    assert apps["app-00995-discretionary"]["discretionary"] is True
    dev = apps["app-sandbox-dev"]
    assert dev["apiKey"].startswith("l7xx") and len(dev["apiKey"]) == 36
    assert len(dev["secret"]) == 32


def test_users_carry_documented_ci_and_accounts(client: FlaskClient) -> None:
    listing = client.get("/_sandbox/users?origin=documented").get_json()
    assert listing["total"] == 11 and listing["offset"] == 0 and listing["limit"] == 100
    users = {u["id"]: u for u in listing["users"]}
    assert len(users) == 11
    assert users["jeeae"]["name"] == "이지애"
    assert users["jeeae"]["password"] == "fintech123@"
    assert users["jeeae"]["accounts"] == [{"vtAccNo": "160657695589800099", "broker": "cyber"}]
    assert users["gildong"]["ci"].startswith("S1V7HGXBV1EP")
    assert users["mhcha"]["accounts"] == []
    documented = [u for u in users.values() if u["origin"] == "documented"]
    assert len(documented) == 11
    assert sum(len(u["accounts"]) for u in documented) == 21


def test_clock_set_advance_speed(client: FlaskClient) -> None:
    data = client.post("/_sandbox/clock", json={"set": "2027-01-04T09:00:00"}).get_json()
    assert data["now"] == "2027-01-04T09:00:00+09:00" and data["mode"] == "frozen"
    data = client.post("/_sandbox/clock", json={"advance": "PT6H30M"}).get_json()
    assert data["now"] == "2027-01-04T15:30:00+09:00"
    data = client.post("/_sandbox/clock", json={"advance": "-P1D"}).get_json()
    assert data["now"] == "2027-01-03T15:30:00+09:00"
    data = client.post("/_sandbox/clock", json={"speed": 60}).get_json()
    assert data["mode"] == "speed" and data["speed"] == 60.0
    assert client.get("/_sandbox/clock").get_json()["now"] >= "2027-01-03T15:30:00+09:00"


def test_reset_restores_the_configured_clock(client: FlaskClient) -> None:
    client.post("/_sandbox/clock", json={"set": "2030-01-01T00:00:00Z"})
    assert client.post("/_sandbox/reset").get_json()["clock"]["now"] == FROZEN


@pytest.mark.parametrize("payload", [{}, {"set": "yesterday"}, {"advance": "1 hour"},
                                     {"speed": -1}, {"speed": "fast"}, {"bogus": 1},
                                     {"advance": "PT"}])
def test_bad_clock_requests_are_400(client: FlaskClient, payload: dict[str, Any]) -> None:
    assert_platform_error(client.post("/_sandbox/clock", json=payload), 400, "op-apim", 400)


def test_requests_limit_is_validated(client: FlaskClient) -> None:
    assert_platform_error(client.get("/_sandbox/requests?limit=abc"), 400, "op-apim", 400)
    assert client.get("/_sandbox/requests?limit=0").status_code == 200


def test_oauth_token_shortcut_requires_a_linked_user(client: FlaskClient) -> None:
    data = client.post("/_sandbox/oauth/token",
                       json={"userId": "hwanny", "apiKey": F9999_KEY}).get_json()
    assert data["token_type"] == "Bearer" and data["expires_in"] == 2592000
    response = client.post("/_sandbox/oauth/token", json={"userId": "mhcha", "apiKey": F9999_KEY})
    assert_platform_error(response, 400, "op-apim", 400)
    response = client.post("/_sandbox/oauth/token", json={"userId": "hwanny"})
    assert_platform_error(response, 400, "op-apim", 400)


def test_clock_parsing_and_modes() -> None:
    assert parse_duration("P1DT2H3M4.5S") == timedelta(days=1, hours=2, minutes=3, seconds=4.5)
    assert parse_instant("2026-01-01T00:00:00Z").isoformat() == "2026-01-01T09:00:00+09:00"
    for bad in ("", "P", "PT", "T1H", "1H"):
        with pytest.raises(ClockError):
            parse_duration(bad)
    assert Clock.from_spec("now").state().mode == "realtime"
    frozen = Clock.from_spec("2026-05-05T12:00:00")
    assert frozen.now() == frozen.now()
    running = Clock.from_spec("2026-05-05T12:00:00", 1000.0)
    assert running.state().mode == "speed"


def test_brokers_carry_their_documented_behaviour(client: FlaskClient) -> None:
    brokers = {b["shortName"]: b for b in client.get("/_sandbox/brokers").get_json()["brokers"]}
    assert len(brokers) == 19
    assert brokers["samsung"]["code"] == "00030" and brokers["samsung"]["interestQueryType"]
    assert brokers["samsung"]["maxRangeDays"] == 366 and brokers["cyber"]["maxRangeDays"] == 92
    assert brokers["hi"]["aliases"] == ["hiinvest"]
    assert brokers["kiwoom"]["assetTypeAll"] and not brokers["kiwoom"]["assetTypeAllLater"]
    assert brokers["daishin"]["fixedIpAddr"] == "192168010001"
    assert all(b["status"] == "virtual" for n, b in brokers.items()
               if n in ("cyber", "diamond", "star"))
