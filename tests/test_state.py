"""Persistence (``serve --state FILE``): a restart of the real server restores every kind of
mutable state, ``kill -9`` in a burst of orders loses no acknowledged order, a state file of
other settings stops ``serve``; in-process: one store transaction per request, restore
details."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from sandbox.app import Config, SandboxState, create_app
from sandbox.testing import launch
from sandbox.world.world import Limits, StateMismatch, World, WorldSettings
from tests.conftest import (
    B2B_CREDENTIALS,
    F0995_KEY,
    F0995_SECRET,
    F9999_KEY,
    FROZEN,
    assert_platform_error,
)

REDIRECT = "https://sandbox.koscom.co.kr/callback"
HWANNY_STAR = "160646584478700099"
HWANNY_CI = ("QciuDFKLcwalCKtWALuNWic9eGm7WNdauW+A+n+mpfhif24c3msHdzVjoZK0ntkXZ1+nA6LX47nyKmIq1J"
             "oHhg==")
QA_USER = {"id": "qa.restore", "name": "김복원",
           "accounts": [{"broker": "samsung", "cash": 3_000_000,
                         "holdings": [{"code": "KR7005930003", "qty": 7}]}]}
STARTUP = ("rate-limited:limit=1000",)
PRICE = "/v2/market/stocks/kospi/005930/price"


# ------------------------------------------------------------------------------ helpers
class Api:
    """JSON calls to a served sandbox."""

    def __init__(self, url: str) -> None:
        self.url, self.http = url, requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(self.url + path, timeout=10, **kwargs)

    def ok(self, response: requests.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        """Close the kept-alive connection (the server then stops at once)."""
        self.http.close()


def b2b_headers(com_id: str = "00995") -> dict[str, str]:
    import base64

    key, secret = B2B_CREDENTIALS[com_id]
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
            "comId": com_id}


def order(cl_ord_id: str, price: int = 20000, qty: int = 1) -> dict[str, Any]:
    return {"partner": {"comId": "00995", "srvId": "100"},
            "commonHeader": {"reqIdConsumer": cl_ord_id},
            "newOrderSingleRequestBody": {
                "msgType": "D", "clOrdID": cl_ord_id, "account": "0019923122221",
                "securityID": "KR7005930003", "securityIDSource": "4", "symbol": "005930",
                "side": "1", "ordType": "2", "price": price, "orderQty": qty,
                "timeInForce": "0", "transactTime": "20261125-01:00:00.000"}}


def balance(api: Api, token: str) -> requests.Response:
    return api.post("/v1/star/account/balance/search",
                    headers={"Authorization": f"Bearer {token}"},
                    json={"partner": {"comId": "F0995", "srvId": "297"},
                          "devInfo": {"ipAddr": "127000000001", "macAddr": "7054D27EE247"},
                          "commonHeader": {"reqIdConsumer": "r1", "ci": HWANNY_CI},
                          "accInfo": {"vtAccNo": HWANNY_STAR},
                          "balanceRequestBody": {"queryType": {"assetType": "ALL", "count": 0,
                                                               "page": "null"}}})


def code_flow(api: Api) -> dict[str, Any]:
    """Login + consent in one step, then the code for a token pair (app F0995, hwanny)."""
    login = api.post("/auth/oauth/v3/authorize/login", allow_redirects=False, data={
        "response_type": "code", "client_id": F0995_KEY, "redirect_uri": REDIRECT,
        "state": "s", "username": "hwanny", "password": "fintech123@", "consent": "allow"})
    assert login.status_code == 302, login.text
    code = login.headers["Location"].split("code=")[1].split("&")[0]
    pair: dict[str, Any] = api.ok(api.post("/auth/oauth/v3/token", auth=(F0995_KEY, F0995_SECRET),
                                           data={"grant_type": "authorization_code",
                                                 "code": code, "redirect_uri": REDIRECT}))
    return pair


def wrong_login(api: Api, user: str) -> requests.Response:
    return api.post("/auth/oauth/v3/authorize/login", headers={"Accept": "application/json"},
                    data={"response_type": "code", "client_id": F0995_KEY,
                          "redirect_uri": REDIRECT, "state": "s", "username": user,
                          "password": "wrong", "consent": "allow"})


def views(api: Api) -> dict[str, Any]:
    """What a restart must give back, as the admin API shows it."""
    return {
        "clock": api.ok(api.get("/_sandbox/clock")),
        "custom": api.ok(api.get(f"/_sandbox/users/{QA_USER['id']}")),
        "hwanny": api.ok(api.get("/_sandbox/users/hwanny")),
        "orders": api.ok(api.get("/_sandbox/orders/00995")),
        "scenarios": api.ok(api.get("/_sandbox/scenarios"))["active"],
        "partners": api.ok(api.get("/_sandbox/partners")),
    }


def remaining(response: requests.Response) -> int:
    return int(response.headers["X-RateLimit-Remaining-Day"])


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as raw:
        return str(raw.execute("PRAGMA integrity_check").fetchone()[0])


# ------------------------------------------------------------------------ the restart
@pytest.mark.e2e
def test_a_restart_restores_every_kind_of_state(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    settings: dict[str, object] = {"state": path, "state_journal": True}
    with launch(log=tmp_path / "first.log", scenarios=STARTUP, **settings) as first:
        api = Api(first.url)
        api.ok(api.post("/_sandbox/clock", json={"set": "2026-11-25T10:20:00"}))
        pair = code_flow(api)
        admin_token = api.ok(api.post("/_sandbox/oauth/token", json={
            "userId": "hwanny", "apiKey": F0995_KEY}))["access_token"]
        for _ in range(5):
            wrong_login(api, "ingyu")
        api.ok(api.post("/_sandbox/links", json={"vtAccNo": HWANNY_STAR, "app": F9999_KEY,
                                                  "state": "unlinked"}))
        custom = api.ok(api.post("/_sandbox/users", json=QA_USER))
        custom_account = custom["accounts"][0]["vtAccNo"]
        api.ok(api.post(f"/_sandbox/accounts/{custom_account}/status",
                        json={"status": "discarded"}))
        holdings = api.ok(api.get(f"/_sandbox/accounts/{custom_account}"))
        for n, price in enumerate((20000, 200000)):  # one rests, one fills at once
            api.ok(api.post("/v1/samsung/order/new", json=order(f"R-{n}", price),
                            headers=b2b_headers()))
        api.ok(api.post("/_sandbox/scenarios", json={"name": "trading-halt",
                                                     "params": {"code": "000660"}}))
        api.ok(api.post("/_sandbox/partners/fabotdw/faults", json={"fault": "null-ratios"}))
        api.ok(api.post("/_sandbox/brokers/cyber/down", json={"down": True}))
        for _ in range(3):
            last = api.get(PRICE, headers={"apikey": F9999_KEY})
        assert remaining(last) == 997
        journal = api.ok(api.get("/_sandbox/requests", params={"limit": 1000}))["requests"]
        before = views(api)
        api.close()
    assert before["orders"]["orders"] and before["custom"]["accounts"][0]["discarded"]

    with launch(log=tmp_path / "second.log", scenarios=STARTUP, **settings) as second:
        api = Api(second.url)
        after = views(api)
        assert after == before  # clock (state beats --clock), users, links, orders, ...
        assert api.ok(api.get(f"/_sandbox/accounts/{custom_account}")) == holdings
        # OAuth: the tokens work, the refresh token refreshes, new tokens are new values
        assert balance(api, pair["access_token"]).status_code == 200
        assert balance(api, admin_token).status_code == 200
        refreshed = api.ok(api.post("/auth/oauth/v3/token", auth=(F0995_KEY, F0995_SECRET),
                                    data={"grant_type": "refresh_token",
                                          "refresh_token": pair["refresh_token"]}))
        fresh = api.ok(api.post("/_sandbox/oauth/token", json={
            "userId": "hwanny", "apiKey": F0995_KEY}))["access_token"]
        assert len({pair["access_token"], admin_token, refreshed["access_token"], fresh}) == 4
        assert balance(api, admin_token).status_code == 200
        # the login lock, the broker switched down, the scenario counters
        assert wrong_login(api, "ingyu").json()["code"] == 2003
        down = api.post("/v1/cyber/order/new", json=order("R-9"), headers=b2b_headers())
        assert (down.status_code, down.json()["code"]) == (503, 3600)
        assert remaining(api.get(PRICE, headers={"apikey": F9999_KEY})) == 996
        # the journal and its request ids continue
        kept = api.ok(api.get("/_sandbox/requests", params={"limit": 1000}))["requests"]
        assert {e["id"] for e in journal} <= {e["id"] for e in kept}
        assert kept[0]["id"] > journal[0]["id"]
        # a reset clears the file and seeds it again
        api.ok(api.post("/_sandbox/reset"))
        assert api.get(f"/_sandbox/users/{QA_USER['id']}").status_code == 404
        api.close()
    assert integrity(path) == "ok"
    with sqlite3.connect(path) as raw:
        kinds = dict(raw.execute("SELECT kind, COUNT(*) FROM record GROUP BY kind").fetchall())
        clock = raw.execute("SELECT value FROM record WHERE kind = 'world' AND key = 'clock'")
        assert FROZEN in clock.fetchone()[0]
    assert "custom_user" not in kinds and "order_chain" not in kinds
    assert kinds["token"] >= 1 and kinds["scenario"] == 1  # the grants, the startup scenario


# ------------------------------------------------------------------------- the crash
def _children(pid: int) -> list[int]:
    """The process's descendants (Linux /proc: the parent pid is field 4 of ``stat``)."""
    found: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found += [child, *_children(child)]
    return found


def kill_9(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the server: the gunicorn master first (nothing respawns), then its worker."""
    family = _children(process.pid)
    assert family, "the gunicorn worker was not found"
    os.kill(process.pid, signal.SIGKILL)
    for pid in family:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(10)


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
def test_kill_9_in_a_burst_of_orders_loses_no_acknowledged_order(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    acknowledged: list[str] = []
    lock, stop = threading.Lock(), threading.Event()

    def burst(url: str, worker: int) -> None:
        http = requests.Session()
        for n in range(100_000):
            if stop.is_set():
                return
            cl_ord_id = f"K{worker}-{n:05d}"
            try:
                answer = http.post(f"{url}/v1/samsung/order/new", json=order(cl_ord_id),
                                   headers=b2b_headers(), timeout=10)
            except requests.RequestException:
                return  # the server is gone: this order was never acknowledged
            ack = answer.json().get("newOrderSingleResponseBody") \
                if answer.status_code == 200 else None
            if ack and ack["ackStatus"] == "ACCEPTED" and ack["clOrdID"] == cl_ord_id:
                with lock:
                    acknowledged.append(cl_ord_id)

    with launch(log=tmp_path / "first.log", state=path) as first:
        assert first.process is not None
        threads = [threading.Thread(target=burst, args=(first.url, n), daemon=True)
                   for n in range(6)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            time.sleep(0.005)
        kill_9(first.process)  # in the middle of the burst
        stop.set()
        for thread in threads:
            thread.join(15)
    assert len(acknowledged) >= 150
    assert integrity(path) == "ok"
    with launch(log=tmp_path / "second.log", state=path) as second:
        api = Api(second.url)
        chains = api.ok(api.get("/_sandbox/orders/00995"))["orders"]
        numbered = {c["clOrdID"] for c in chains if c["rows"][0]["orderNo"]}
        missing = sorted(set(acknowledged) - numbered)
        assert not missing, f"{len(missing)} acknowledged orders lost: {missing[:5]}"
        detail = api.ok(api.get("/_sandbox/orders/00995"))["messages"]
        assert {m["executionReport"]["clOrdID"] for m in detail
                if "executionReport" in m} >= set(acknowledged)
        api.close()
    assert integrity(path) == "ok"


# ------------------------------------------------------------------ other settings
@pytest.mark.e2e
def test_serve_stops_on_a_state_file_of_other_settings(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    state = SandboxState(Config(world=WorldSettings(seed=42, clock=FROZEN, users=0),
                                state=str(path)), [], {})
    state.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    done = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--state", str(path),
                           "--seed", "7", "--users", "0", "--port", "0"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "--seed 42" in done.stderr and "--seed 7" in done.stderr, done.stderr
    with pytest.raises(StateMismatch, match="--users"):
        SandboxState(Config(world=WorldSettings(seed=42, clock=FROZEN, users=3),
                            state=str(path)), [], {})
    path.write_bytes(b"not sqlite " * 500)
    done = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--state", str(path)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "not a usable sandbox state file" in done.stderr


def test_the_in_process_app_restores_a_state_file(tmp_path: Path) -> None:
    """create_app over a state file twice: the second app finds the first one's world,
    with its clock beating the configured one and a startup scenario not started again."""
    path = str(tmp_path / "state.db")
    config = Config(world=WorldSettings(seed=42, clock=FROZEN, users=0), state=path,
                    scenarios=STARTUP)
    first = create_app(config)
    client = first.test_client()
    client.post("/_sandbox/clock", json={"set": "2026-11-26T11:00:00", "speed": 60})
    for _ in range(2):
        assert client.get(PRICE, headers={"apikey": F9999_KEY}).status_code == 200
    clock = client.get("/_sandbox/clock").get_json()
    first.extensions["sandbox"].close()
    again = create_app(Config(world=WorldSettings(seed=42, clock="2030-01-01T09:00:00",
                                                  users=0), state=path, scenarios=STARTUP))
    client = again.test_client()
    moved = client.get("/_sandbox/clock").get_json()
    assert (moved["mode"], moved["speed"]) == ("speed", 60.0)
    assert clock["now"] <= moved["now"] < "2026-11-27"  # it ran on, from where it was
    active = client.get("/_sandbox/scenarios").get_json()["active"]
    assert [(a["name"], a["rules"][0]["matched"]) for a in active] == [("rate-limited", 2)]
    answer = client.get(PRICE, headers={"apikey": F9999_KEY})
    assert answer.headers["X-RateLimit-Remaining-Day"] == "997"
    again.extensions["sandbox"].close()


# ------------------------------------------------------- one transaction per request
CAPS = Limits(orders=4, order_messages=6, custom_users=2, market_events=2, tokens=6,
              refresh_tokens=6, codes=3)


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def capped(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app with small caps and real scenario delays, over each store."""
    state_file = None if request.param == "memory" \
        else str(tmp_path_factory.mktemp("capped") / "state.db")
    app = create_app(Config(world=WorldSettings(seed=42, clock=FROZEN, users=0),
                            response_validation="strict", limits=CAPS, delays="real",
                            state=state_file))
    yield app
    app.extensions["sandbox"].close()


@pytest.fixture
def client(capped: Flask) -> FlaskClient:
    capped.extensions["sandbox"].reset()
    return capped.test_client()


def world_of(client: FlaskClient) -> World:
    assert client.application is not None
    world: World = client.application.extensions["sandbox"].world
    return world


def full(response: Any, option: str) -> None:
    """The 503 of a full store, naming the cap's option."""
    body = assert_platform_error(response, 503, "op-apim", 503)
    assert f"--cap {option}=N" in body["description"], body


def test_an_unexpected_exception_rolls_the_request_back(client: FlaskClient,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox.admin import models

    issued: list[str] = []
    real = models.grant_token

    def broken(*args: Any) -> Any:
        issued.append(real(*args)["access_token"])
        raise RuntimeError("a bug after the write")

    monkeypatch.setattr(models, "grant_token", broken)
    answer = client.post("/_sandbox/oauth/token", json={"userId": "hwanny",
                                                        "apiKey": F0995_KEY})
    assert_platform_error(answer, 500, "op-apim", 500)
    assert issued and world_of(client).store.get("token", issued[0]) is None


def test_a_business_error_keeps_what_the_request_wrote(client: FlaskClient) -> None:
    answer = client.post("/auth/oauth/v3/authorize/login",
                         headers={"Accept": "application/json"},
                         data={"response_type": "code", "client_id": F0995_KEY,
                               "redirect_uri": REDIRECT, "state": "s", "username": "hwanny",
                               "password": "wrong", "consent": "allow"})
    assert_platform_error(answer, 401, "op-auth", 2001)
    assert world_of(client).store.get("login", "hwanny") == {"failures": 1}


def test_a_scenario_delay_sleeps_outside_the_transaction(client: FlaskClient) -> None:
    """A delayed call has committed its scenario counters before it sleeps: the store is
    free for everyone else while it waits."""
    definition = {"name": "slow", "description": "test",
                  "rules": [{"name": "r", "when": {"path": PRICE}, "then": {"delay": "1s"}}]}
    assert client.post("/_sandbox/scenarios", json={"definition": definition}).status_code \
        == 200
    answers: list[int] = []
    slow = threading.Thread(target=lambda: answers.append(
        client.get(PRICE, headers={"apikey": F9999_KEY}).status_code), daemon=True)
    slow.start()
    store = world_of(client).store
    while not (store.get("scenario_state", "slow") or {"rules": {}})["rules"].get("r", {}).get(
            "applied"):
        time.sleep(0.01)  # the counters are committed, the call sleeps
    link = client.post("/_sandbox/links", json={"vtAccNo": HWANNY_STAR, "app": F9999_KEY,
                                                "state": "unlinked"})
    assert link.status_code == 200
    assert slow.is_alive(), "the write waited for the sleeping call"
    slow.join(10)
    assert answers == [200]


# ------------------------------------------------------------------------------ caps
def new(client: FlaskClient, cl_ord_id: str) -> Any:
    return client.post("/v1/samsung/order/new", json=order(cl_ord_id), headers=b2b_headers())


def cancel(client: FlaskClient, cl_ord_id: str, orig: str) -> Any:
    body = {"msgType": "F", "clOrdID": cl_ord_id, "origClOrdID": orig,
            "account": "0019923122221", "securityID": "KR7005930003",
            "securityIDSource": "4", "symbol": "005930", "side": "1", "orderQty": 1,
            "transactTime": "20261124-01:00:00.000"}
    return client.post("/v1/samsung/order/cancel", headers=b2b_headers(), json={
        "partner": {"comId": "00995", "srvId": "100"},
        "commonHeader": {"reqIdConsumer": cl_ord_id}, "orderCancelRequestBody": body})


def test_orders_are_capped_with_a_clear_error(client: FlaskClient) -> None:
    for n in range(4):
        assert new(client, f"C-{n}").status_code == 200
    full(new(client, "C-4"), "orders")
    assert cancel(client, "X-0", "C-0").status_code == 200  # what exists can still be worked
    assert cancel(client, "X-1", "C-1").status_code == 200  # 6 messages now
    full(cancel(client, "X-2", "C-2"), "order_messages")
    chains = client.get("/_sandbox/orders/00995").get_json()
    assert [c["clOrdID"] for c in chains["orders"]] == ["X-0", "X-1", "C-2", "C-3"]
    assert len(chains["messages"]) == 6  # nothing of the refused calls, nothing dropped
    client.post("/_sandbox/reset")
    assert new(client, "C-5").status_code == 200


def test_custom_users_are_capped(client: FlaskClient) -> None:
    for _ in range(2):
        assert client.post("/_sandbox/users", json={"accounts": []}).status_code == 200
    full(client.post("/_sandbox/users", json={"id": "qa.third", "accounts": []}),
         "custom_users")
    assert client.get("/_sandbox/users/qa.third").status_code == 404


def test_market_events_are_capped(client: FlaskClient) -> None:
    definition = {"name": "halts", "description": "test", "events": [
        {"at": "PT0S", "market": {"halt": code}} for code in ("005930", "000660", "035420")]}
    full(client.post("/_sandbox/scenarios", json={"definition": definition}), "market_events")
    assert client.get("/_sandbox/scenarios").get_json()["active"] == []
    definition["events"] = definition["events"][:2]
    assert client.post("/_sandbox/scenarios", json={"definition": definition}).status_code \
        == 200


def test_tokens_forget_the_oldest_beyond_their_caps(client: FlaskClient) -> None:
    store = world_of(client).store
    seeded = [key for key, record in store.scan("token") if record.get("seeded")]
    tokens = [client.post("/_sandbox/oauth/token", json={
        "userId": "hwanny", "apiKey": F0995_KEY}).get_json()["access_token"] for _ in range(12)]
    assert store.count("token") <= CAPS.tokens and store.count("refresh") <= CAPS.refresh_tokens
    assert all(store.get("token", key) for key in seeded)  # pre-seeded grants stay
    assert store.get("token", tokens[0]) is None and store.get("token", tokens[-1])
    old = client.post("/_sandbox/oauth/token", json={"userId": "hwanny", "apiKey": F0995_KEY})
    assert old.status_code == 200


def test_codes_and_consent_tickets_forget_the_oldest(client: FlaskClient) -> None:
    store = world_of(client).store
    params = {"response_type": "code", "client_id": F0995_KEY, "redirect_uri": REDIRECT,
              "state": "s", "username": "hwanny", "password": "fintech123@"}
    codes = []
    for _ in range(5):
        login = client.post("/auth/oauth/v3/authorize/login", data={**params,
                                                                    "consent": "allow"})
        codes.append(login.headers["Location"].split("code=")[1].split("&")[0])
        client.post("/auth/oauth/v3/authorize/login", data=params)  # a consent page: ticket
    assert store.count("code") <= CAPS.codes and store.count("ticket") <= CAPS.codes
    exchange = {"grant_type": "authorization_code", "redirect_uri": REDIRECT}
    first = client.post("/auth/oauth/v3/token", auth=(F0995_KEY, F0995_SECRET),
                        data={**exchange, "code": codes[0]})
    assert first.status_code == 400 and first.get_json()["error"] == "invalid_grant"
    last = client.post("/auth/oauth/v3/token", auth=(F0995_KEY, F0995_SECRET),
                       data={**exchange, "code": codes[-1]})
    assert last.status_code == 200, last.get_data(as_text=True)
    assert any(record.get("preset") for _, record in store.scan("code"))  # seeded grants stay


def test_caps_are_set_by_name_on_the_command_line() -> None:
    import click

    from sandbox.cli import _limits

    assert _limits(("orders=5", "order-messages=7")) == Limits(orders=5, order_messages=7)
    for wrong in ("orders=0", "orders", "tickets=3", "codes=x"):
        with pytest.raises(click.BadParameter, match="NAME=N"):
            _limits((wrong,))
