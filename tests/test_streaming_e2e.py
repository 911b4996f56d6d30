"""The market WebSockets ``/ws``, ``/ws_ksp``, ``/ws_kdq`` end to end through the real server
(gunicorn on a free port), and the schemas of what the server sends (``schemas/streaming/``).

Every message a client receives here is checked against its schema (reply, push, heartbeat or
batch), and every push is compared with the REST read of the same virtual instant.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Close
from websockets.sync.client import ClientConnection, connect

from tests.conftest import (
    B2B_KEY,
    EXAMPLES,
    F9999_KEY,
    FROZEN,
    HACKATHON_KEY,
    example,
)
from tests.servers import Server, running_server
from tests.test_streaming_schemas import MESSAGES, check, kind_of

pytestmark = pytest.mark.e2e

KEY = F9999_KEY
WAIT = 5.0  # seconds to wait for a message that must come (returns as soon as it does)
QUIET = 0.5  # seconds of silence after which a burst of messages is complete
FEED_BUILD = 15.0  # a market's day feed is built in the background on first use (about 1 s)
ACTIVE = "459580"  # a KOSPI ETF that trades several times in (10:00:00, 10:00:40] (seed 42)
ALSO_ACTIVE = "005380"  # trades in the same window too

TICK_ITEMS = ("trdPrc", "trdvol", "accTrdvol", "accTrdval", "trdTm")
QUOTE_ITEMS = ("askStep1BstordPrc", "askStep1BstordRqty", "bidStep1BstordPrc",
               "bidStep1BstordRqty", "accTrdvol")


def ok(request_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": {"message": "ok"}}


def assert_error(reply: Any, request_id: Any, code: int) -> None:
    """``reply`` is the JSON-RPC error ``code`` (documented text, a non-empty detail)."""
    assert isinstance(reply, dict), reply
    detail = reply.get("error", {}).get("data")
    assert isinstance(detail, str) and detail, reply
    assert reply == {"jsonrpc": "2.0", "id": request_id,
                     "error": {"code": code, "message": MESSAGES[code], "data": detail}}


# --- the server -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("stream-server") / "server.log") as started:
        yield started


@pytest.fixture(autouse=True)
def fresh_world(request: pytest.FixtureRequest) -> None:
    """Before each test that uses the shared server: no session left open, world reset (the
    clock back at 10:00 frozen)."""
    if "server" not in request.fixturenames:
        return
    server: Server = request.getfixturevalue("server")
    deadline = time.monotonic() + 10  # a closed client's session ends just after the handshake
    while streams(server)["pump"]["sessions"]:
        if time.monotonic() > deadline:
            pytest.fail(f"sessions left open: {streams(server)['sessions']}")
        time.sleep(0.02)
    reset = requests.post(f"{server.http}/_sandbox/reset", timeout=5)
    assert reset.status_code == 200, reset.text
    assert reset.json()["clock"]["now"] == FROZEN
    assert reset.json()["clock"]["mode"] == "frozen"


def streams(server: Server) -> Any:
    response = requests.get(f"{server.http}/_sandbox/streams", timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def subscriptions(server: Server) -> list[list[tuple[str, str]]]:
    """Each open session's (preset, isuSrtCd) pairs."""
    return [[(s["preset"], s["isuSrtCd"]) for s in session["subscriptions"]]
            for session in streams(server)["sessions"]]


def clock(server: Server, **change: Any) -> Any:
    """``POST /_sandbox/clock`` with ``change`` (``GET`` without)."""
    if change:
        response = requests.post(f"{server.http}/_sandbox/clock", json=change, timeout=5)
    else:
        response = requests.get(f"{server.http}/_sandbox/clock", timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def hhmmsscc(iso: str) -> int:
    at = datetime.fromisoformat(iso)
    return ((at.hour * 100 + at.minute) * 100 + at.second) * 100 + at.microsecond // 10_000


def rest(server: Server, path: str) -> Any:
    """The JSON body of a market GET with the API key (fails unless 200)."""
    response = requests.get(f"{server.http}{path}", params={"apikey": KEY}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def issue(server: Server, kind: str) -> tuple[str, str]:
    """A short code of ``kind`` and the REST path of that issue (without the last segment)."""
    if kind == "stock":
        return "005930", "/v2/market/stocks/kospi/005930"
    if kind == "index":
        return "K1", "/v2/market/index/kospi/K1"
    family = {"future": "futures", "option": "options"}[kind]
    code = rest(server, f"/v2/market/{family}/kospi200/lists")["isuLists"][0]["isuSrtCd"]
    return code, f"/v2/market/{family}/kospi200/{code}"


# --- the client -------------------------------------------------------------------------------
class Client:
    """A WebSocket client that checks every message it receives against its schema."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    def send(self, message: Any) -> None:
        self.ws.send(message if isinstance(message, str)
                     else json.dumps(message, ensure_ascii=False))

    def call(self, method: str, params: dict[str, Any] | None = None,
             request_id: Any = 1) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def recv(self, timeout: float = WAIT) -> Any:
        message = json.loads(self.ws.recv(timeout=timeout))
        check(message)
        return message

    def drain(self, quiet: float = QUIET) -> list[Any]:
        """Every message until none arrives for ``quiet`` seconds."""
        out: list[Any] = []
        while True:
            try:
                out.append(self.recv(timeout=quiet))
            except TimeoutError:
                return out

    def subscribe(self, preset: str, code: str, request_id: Any = 1,
                  **more: Any) -> dict[str, Any]:
        """Subscribe; the ok reply must come, then the snapshot push (returned)."""
        self.call("subscribe", {"preset": preset, "isuSrtCd": code, **more}, request_id)
        assert self.recv() == ok(request_id)
        push = self.recv()
        assert push["method"] == "push" and push["params"]["isuSrtCd"] == code, push
        return push  # type: ignore[no-any-return]

    def closed(self) -> Close:
        """The server's close frame (after any messages still on the way, which are checked)."""
        try:
            while True:
                self.recv(timeout=WAIT)
        except TimeoutError:
            pytest.fail("the server did not close the connection")
        except ConnectionClosed as closing:
            assert closing.rcvd is not None, "closed without a close frame"
            return closing.rcvd


@contextmanager
def stream(server: Server, path: str = "/ws", key: str | None = KEY) -> Iterator[Client]:
    """A connection to ``path``, initialised with ``key`` unless None."""
    with connect(server.ws + path, open_timeout=WAIT, close_timeout=2) as ws:
        client = Client(ws)
        if key is not None:
            client.call("init", {"key": key, "membername": "e2e"})
            assert client.recv() == ok(1)
        yield client


# === init =====================================================================================
def test_init_with_the_documented_request(server: Server) -> None:
    request = example("market/streaming_init.request.json") if EXAMPLES.is_dir() else {
        "jsonrpc": "2.0", "id": 1, "method": "init",
        "params": {"key": KEY, "membername": "XXX Company"}}
    with stream(server, key=None) as client:
        client.send(request)
        reply = client.recv()
        assert reply == ok(1)
        if EXAMPLES.is_dir():
            assert reply == example("market/streaming_ok.response.json")
        [session] = streams(server)["sessions"]
        assert session["channel"] == "/ws"
        assert session["initialised"] is True
        assert session["memberName"] == "XXX Company"
        assert session["app"]


@pytest.mark.parametrize("key", ["l7xx00000000000000000000000000000000", B2B_KEY],
                         ids=["unknown-key", "no-market-licence"])
def test_init_with_a_refused_key_answers_10070_then_closes(server: Server, key: str) -> None:
    with stream(server, key=None) as client:
        client.call("init", {"key": key})
        assert_error(client.recv(), 1, 10070)
        close = client.closed()
        assert close.code == 1008
        assert close.reason.startswith("10070")


def test_subscribe_before_init_is_10070_and_the_socket_stays_open(server: Server) -> None:
    with stream(server, key=None) as client:
        client.call("subscribe", {"preset": "tick", "isuSrtCd": "005930"}, request_id=4)
        assert_error(client.recv(), 4, 10070)
        assert subscriptions(server) == [[]]
        client.call("init", {"key": KEY}, request_id=5)
        assert client.recv() == ok(5)
        client.subscribe("tick", "005930", request_id=6)


def test_init_twice_with_the_same_key_is_ok(server: Server) -> None:
    with stream(server) as client:
        client.call("init", {"key": KEY}, request_id=2)
        assert client.recv() == ok(2)
        assert [s["initialised"] for s in streams(server)["sessions"]] == [True]
        client.subscribe("tick", "005930")


# === presets ==================================================================================
@pytest.mark.parametrize(("preset", "kind", "endpoint", "items"), [
    ("tick", "stock", "price", TICK_ITEMS),
    ("quote", "stock", "orderbook", QUOTE_ITEMS),
    ("tick10", "stock", "price", None),
    ("quote10", "stock", "orderbook", None),
    ("index", "index", "index", None),
    ("tick", "future", "price", TICK_ITEMS),
    ("tick10", "future", "price", None),
    ("quote10", "future", "orderbook", None),
    ("tick10", "option", "price", None),
    ("quote10", "option", "orderbook", None),
])
def test_subscribe_pushes_what_rest_shows(server: Server, preset: str, kind: str, endpoint: str,
                                          items: tuple[str, ...] | None) -> None:
    code, path = issue(server, kind)
    result = rest(server, f"{path}/{endpoint}")["result"]
    expected = {k: v for k, v in result.items() if k != "isuSrtCd"} if items is None \
        else {k: result[k] for k in items}
    with stream(server) as client:
        push = client.subscribe(preset, code, request_id=11)
    assert push == {"jsonrpc": "2.0", "method": "push",
                    "params": {"preset": preset, "isuSrtCd": code, **expected}}
    assert list(push["params"])[:2] == ["preset", "isuSrtCd"]


def test_subscribe_change_pushes_the_chosen_items(server: Server) -> None:
    price = rest(server, "/v2/market/stocks/kospi/005930/price")["result"]
    listed = rest(server, "/v2/market/stocks/kospi/lists")["isuLists"]
    isin = next(row["isuCd"] for row in listed if row["isuSrtCd"] == "005930")
    request = {"jsonrpc": "2.0", "id": 1, "method": "subscribe",
               "params": {"preset": "change", "isuSrtCd": "005930", "items": ["trdPrc", "trdTm"]}}
    if EXAMPLES.is_dir():
        assert example("market/streaming_subscribe_change.request.json") == request
    with stream(server) as client:
        client.send(request)
        assert client.recv() == ok(1)
        assert client.recv() == {"jsonrpc": "2.0", "method": "push",
                                 "params": {"isuCd": isin, "isuSrtCd": "005930",
                                            "trdPrc": price["trdPrc"], "trdTm": price["trdTm"]}}


def test_isuSrtCode_spelling_and_trailing_slash(server: Server) -> None:
    with stream(server, "/ws/") as client:
        client.call("subscribe", {"preset": "tick", "isuSrtCode": "005930"}, request_id=3)
        assert client.recv() == ok(3)
        push = client.recv()
        assert push["params"]["preset"] == "tick"
        assert push["params"]["isuSrtCd"] == "005930"
        assert subscriptions(server) == [[("tick", "005930")]]


# === the clock ================================================================================
def test_advancing_the_clock_replays_every_trade_of_the_window(server: Server) -> None:
    price = f"/v2/market/stocks/kospi/{ACTIVE}/price"
    with stream(server) as client:
        snapshot = client.subscribe("tick", ACTIVE)["params"]
        assert clock(server, advance="PT40S")["now"] == "2026-11-24T10:00:40+09:00"
        end = rest(server, price)["result"]
        assert end["accTrdvol"] > snapshot["accTrdvol"]
        pushes: list[dict[str, Any]] = []
        while not pushes or pushes[-1]["accTrdvol"] != end["accTrdvol"]:
            push = client.recv()
            assert push["method"] == "push", push
            pushes.append(push["params"])
        assert client.drain() == []  # the clock is frozen again: nothing more
    assert len(pushes) >= 2
    before = snapshot
    for push in pushes:
        assert (push["preset"], push["isuSrtCd"]) == ("tick", ACTIVE)
        assert 10000000 < push["trdTm"] <= 10004000
        assert push["trdTm"] > before["trdTm"]
        assert push["accTrdvol"] == before["accTrdvol"] + push["trdvol"]
        assert push["accTrdval"] == before["accTrdval"] + push["trdPrc"] * push["trdvol"]
        before = push
    assert sum(p["trdvol"] for p in pushes) == end["accTrdvol"] - snapshot["accTrdvol"]
    assert {k: pushes[-1][k] for k in TICK_ITEMS} == {k: end[k] for k in TICK_ITEMS}


def test_change_pushes_only_the_items_that_changed(server: Server) -> None:
    with stream(server) as client:
        tick = client.subscribe("tick", ACTIVE)["params"]
        change = client.subscribe("change", ACTIVE, request_id=2,
                                  items=["trdPrc", "accTrdvol"])["params"]
        isin = change["isuCd"]
        assert change == {"isuCd": isin, "isuSrtCd": ACTIVE, "trdPrc": tick["trdPrc"],
                          "accTrdvol": tick["accTrdvol"]}
        clock(server, advance="PT40S")
        received = client.drain()
    ticks = [m["params"] for m in received if "preset" in m["params"]]
    changes = [m["params"] for m in received if "preset" not in m["params"]]
    assert len(ticks) >= 2
    expected, before = [], tick
    for after in ticks:
        shown = {"isuCd": isin, "isuSrtCd": ACTIVE}
        if after["trdPrc"] != before["trdPrc"]:
            shown["trdPrc"] = after["trdPrc"]
        shown["accTrdvol"] = after["accTrdvol"]
        expected.append(shown)
        before = after
    assert changes == expected


def test_a_frozen_clock_sends_only_the_snapshots(server: Server) -> None:
    with stream(server) as client:
        client.subscribe("tick", ACTIVE)
        client.subscribe("quote", "005930", request_id=2)
        client.subscribe("index", "K1", request_id=3)
        assert client.drain(1.5) == []


# === unsubscribe ==============================================================================
def test_unsubscribe_stops_the_pushes_of_that_pair(server: Server) -> None:
    with stream(server) as client:
        client.subscribe("tick", ACTIVE)
        client.subscribe("tick", ALSO_ACTIVE, request_id=2)
        client.call("unsubscribe", {"preset": "tick", "isuSrtCd": ACTIVE}, request_id=3)
        assert client.recv() == ok(3)
        assert subscriptions(server) == [[("tick", ALSO_ACTIVE)]]
        clock(server, advance="PT40S")
        end = rest(server, f"/v2/market/stocks/kospi/{ALSO_ACTIVE}/price")["result"]
        pushes: list[dict[str, Any]] = []
        while not pushes or pushes[-1]["accTrdvol"] != end["accTrdvol"]:
            pushes.append(client.recv()["params"])
        assert client.drain() == []
    assert {p["isuSrtCd"] for p in pushes} == {ALSO_ACTIVE}


def test_unsubscribe_of_a_pair_not_subscribed_is_20057(server: Server) -> None:
    with stream(server) as client:
        client.subscribe("quote", "005930")
        client.call("unsubscribe", {"preset": "tick", "isuSrtCd": "005930"}, request_id=2)
        assert_error(client.recv(), 2, 20057)
        if EXAMPLES.is_dir():
            client.send(example("market/streaming_unsubscribe_quote.request.json"))
        else:
            client.call("unsubscribe", {"preset": "quote", "isuSrtCd": "005930"})
        assert client.recv() == ok(1)
        client.call("unsubscribe", {"preset": "quote", "isuSrtCd": "005930"}, request_id=3)
        assert_error(client.recv(), 3, 20057)
        assert subscriptions(server) == [[]]


def test_unsubscribe_without_pair_removes_the_request_ids_subscriptions(server: Server) -> None:
    with stream(server) as client:
        client.subscribe("tick", "005930", request_id=7)
        client.subscribe("quote", "000660", request_id=7)
        client.subscribe("tick", "000660", request_id="other")
        assert subscriptions(server) == [[("tick", "005930"), ("quote", "000660"),
                                          ("tick", "000660")]]
        client.send({"jsonrpc": "2.0", "id": 7, "method": "unsubscribe"})
        assert client.recv() == ok(7)
        assert subscriptions(server) == [[("tick", "000660")]]
        client.send({"jsonrpc": "2.0", "id": 7, "method": "unsubscribe"})
        assert_error(client.recv(), 7, 20057)
        client.send({"jsonrpc": "2.0", "id": "other", "method": "unsubscribe", "params": {}})
        assert client.recv() == ok("other")
        assert subscriptions(server) == [[]]


# === errors ===================================================================================
def _subscribe(params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 3, "method": "subscribe", "params": params}


@pytest.mark.parametrize(("message", "request_id", "code"), [
    pytest.param("not json", None, 47, id="not-json"),
    pytest.param({"jsonrpc": "1.0", "id": 3, "method": "heartbeat"}, 3, 47, id="jsonrpc-1.0"),
    pytest.param({"jsonrpc": "2.0", "id": 3, "params": {}}, 3, 47, id="no-method"),
    pytest.param({"jsonrpc": "2.0", "id": 3, "method": "query", "params": {}}, 3, 10000,
                 id="query"),
    pytest.param(_subscribe({"preset": "trades", "isuSrtCd": "005930"}), 3, 10000,
                 id="unknown-preset"),
    pytest.param(_subscribe({"preset": "tick", "isuSrtCd": "999999"}), 3, 10040,
                 id="unknown-issue"),
    pytest.param(_subscribe({"preset": "change", "isuSrtCd": "005930", "items": ["foo"]}), 3,
                 10050, id="change-item"),
    pytest.param(_subscribe({"preset": "index", "isuSrtCd": "005930"}), 3, 10000,
                 id="index-on-a-stock"),
])
def test_error_replies(server: Server, message: Any, request_id: Any, code: int) -> None:
    with stream(server) as client:
        client.send(message)
        assert_error(client.recv(), request_id, code)
        client.call("heartbeat", request_id=4)  # the session goes on
        assert client.recv() == ok(4)
        assert subscriptions(server) == [[]]


def test_a_subscribe_notification_gets_the_snapshot_without_a_reply(server: Server) -> None:
    with stream(server) as client:
        client.send({"jsonrpc": "2.0", "method": "subscribe",
                     "params": {"preset": "tick", "isuSrtCd": "005930"}})
        push = client.recv()
        assert push["method"] == "push" and push["params"]["isuSrtCd"] == "005930"
        client.call("heartbeat", request_id=2)
        assert client.recv() == ok(2)  # nothing between the push and this reply
        assert subscriptions(server) == [[("tick", "005930")]]


# === limits ===================================================================================
def test_twenty_subscriptions_then_20056(server: Server) -> None:
    codes = [row["isuSrtCd"] for row in rest(server, "/v2/market/stocks/kospi/lists")["isuLists"]]
    first, extra = codes[:20], codes[20]
    with stream(server) as client:
        snapshots = {code: client.subscribe("quote", code, request_id=n)
                     for n, code in enumerate(first)}
        client.call("subscribe", {"preset": "quote", "isuSrtCd": extra}, request_id=20)
        assert_error(client.recv(), 20, 20056)
        # the same pair again counts once
        assert client.subscribe("quote", first[0], request_id=21) == snapshots[first[0]]
        [pairs] = subscriptions(server)
        assert sorted(pairs) == sorted(("quote", code) for code in first)
        # the 20 keep streaming: the books are redrawn every 10 s
        clock(server, advance="PT10S")
        pushed: set[str] = set()
        while pushed != set(first):
            push = client.recv()
            assert push["method"] == "push" and push["params"]["isuSrtCd"] in first, push
            pushed.add(push["params"]["isuSrtCd"])


def test_a_second_ws_session_with_the_same_key_is_refused(server: Server) -> None:
    with stream(server) as first:
        with stream(server, key=None) as second:
            second.call("init", {"key": KEY}, request_id=9)
            assert_error(second.recv(), 9, 13004)
            close = second.closed()
            assert close.code == 1013
            assert close.reason.startswith("13004")
        with stream(server, key=HACKATHON_KEY) as other_app:  # the limit is per key
            other_app.subscribe("tick", "005930")
        first.subscribe("tick", "005930")


def test_market_feeds_have_no_session_limit(server: Server) -> None:
    with stream(server, "/ws_ksp") as one, stream(server, "/ws_ksp") as two, \
            stream(server, "/ws") as detail:
        for client in (one, two, detail):
            client.call("heartbeat", request_id=2)
            assert client.recv() == ok(2)
        assert sorted(s["channel"] for s in streams(server)["sessions"]
                      if s["initialised"]) == ["/ws", "/ws_ksp", "/ws_ksp"]


def test_a_frame_beyond_64_kb_closes_the_session_with_1009(server: Server) -> None:
    with stream(server) as client:
        client.send({"jsonrpc": "2.0", "id": 1, "method": "heartbeat", "pad": "x" * 70_000})
        assert client.closed().code == 1009


@pytest.mark.parametrize("path", ["/ws", "/ws_ksp", "/ws_kdq"])
def test_client_heartbeat_is_answered(server: Server, path: str) -> None:
    request = example("market/streaming_heartbeat.request.json") if EXAMPLES.is_dir() else {
        "jsonrpc": "2.0", "id": 1, "method": "heartbeat"}
    with stream(server, path) as client:
        client.send(request)
        assert client.recv() == ok(1)


# === /ws_ksp, /ws_kdq =========================================================================
def _records(frames: list[Any]) -> list[dict[str, str]]:
    for frame in frames:
        assert kind_of(frame) == "batch", frame
    return [record for frame in frames for record in frame]


@pytest.mark.parametrize(("path", "market"), [("/ws_ksp", "kospi"), ("/ws_kdq", "kosdaq")])
def test_market_feed_streams_the_markets_trades(server: Server, path: str, market: str) -> None:
    listed = {row["isuSrtCd"] for row in rest(server, f"/v2/market/stocks/{market}/lists")[
        "isuLists"]}
    with stream(server, path) as feed:
        clock(server, speed=10)
        started = time.monotonic()
        frames: list[Any] = []
        while time.monotonic() - started < 2 or not frames:  # about 2 s, at least one frame
            if time.monotonic() - started > FEED_BUILD:
                pytest.fail("no trade within the time the day's feed takes to build")
            with suppress(TimeoutError):
                frames.append(feed.recv(timeout=0.5))
        until = hhmmsscc(clock(server, speed=0)["now"])
        frames += feed.drain()
    records = _records(frames)
    times = [record["trdTm"] for record in records]
    assert times == sorted(times)
    assert times[0] > "10000000" and int(times[-1]) <= until
    assert {record["isuSrtCd"] for record in records} <= listed


@pytest.mark.parametrize("path", ["/ws_ksp", "/ws_kdq"])
def test_market_feed_refuses_subscriptions(server: Server, path: str) -> None:
    with stream(server, path) as feed:
        feed.call("subscribe", {"preset": "tick", "isuSrtCd": "005930"}, request_id=2)
        assert_error(feed.recv(), 2, 10000)
        feed.call("unsubscribe", {"preset": "tick", "isuSrtCd": "005930"}, request_id=3)
        assert_error(feed.recv(), 3, 10000)


def test_market_feed_is_silent_after_the_days_sessions(server: Server) -> None:
    clock(server, set="2026-11-24T09:05:00+09:00")
    with stream(server, "/ws_ksp") as feed:
        clock(server, advance="PT10S")  # first the day's trades, so the feed is ready
        records = _records([feed.recv(timeout=FEED_BUILD), *feed.drain()])
        assert all("09050000" < r["trdTm"] <= "09051000" for r in records)  # zero-padded
        # after-hours trading ends at 18:00
        clock(server, set="2026-11-24T20:00:00+09:00", speed=1000)
        assert feed.drain(1.0) == []
        now = clock(server, speed=0)["now"]
        assert "2026-11-24T20:16:40" <= now < "2026-11-25"


def test_market_feed_is_silent_on_a_saturday(server: Server) -> None:
    clock(server, set="2026-11-28T10:00:00+09:00")
    with stream(server, "/ws_ksp") as feed:
        clock(server, speed=1000)
        assert feed.drain(1.0) == []
        assert clock(server, speed=0)["now"] >= "2026-11-28T10:16:40"
        # the same reader streams again on Monday
        clock(server, set="2026-11-30T10:00:00+09:00", speed=10)
        records = _records([feed.recv(timeout=FEED_BUILD)])
        assert records[0]["trdTm"] > "10000000"


def test_market_feed_after_a_day_change_delivers_the_trades_of_the_build(server: Server) -> None:
    with stream(server, "/ws_ksp") as feed:
        clock(server, advance="PT10S")
        _records([feed.recv(timeout=FEED_BUILD), *feed.drain()])  # the reader follows Tuesday
        ticks = streams(server)["pump"]["ticks"]
        clock(server, set="2026-11-25T10:00:00+09:00")  # Wednesday: its feed is built from now
        deadline = time.monotonic() + WAIT
        while streams(server)["pump"]["ticks"] < ticks + 2:  # the reader is at Wed 10:00
            assert time.monotonic() < deadline, "the pump does not tick"
            time.sleep(0.02)
        clock(server, advance="PT10S")  # contiguous: (10:00:00, 10:00:10] is due once built
        records: list[dict[str, str]] = []
        deadline = time.monotonic() + FEED_BUILD
        while not records:
            assert time.monotonic() < deadline, "no trade within the time a feed takes to build"
            try:
                records = _records([feed.recv(timeout=0.2)])
            except TimeoutError:
                clock(server, advance="PT1S")  # keep the clock moving, contiguously
        records += _records(feed.drain())
    assert "10000000" < records[0]["trdTm"] <= "10001000"


# === HTTP =====================================================================================
@pytest.mark.parametrize("path", ["/ws", "/ws/", "/ws_ksp", "/ws_kdq/"])
def test_plain_http_on_a_websocket_path_is_426(server: Server, path: str) -> None:
    response = requests.get(f"{server.http}{path}", timeout=5)
    assert response.status_code == 426
    assert response.headers["Upgrade"] == "websocket"
    body = response.json()
    assert (body["category"], body["code"]) == ("op-apim", 426)


@pytest.mark.parametrize("path", ["/v1/nowhere/ws", "/ws_foo", "/ws//", "/_sandbox/health"])
def test_upgrade_on_another_path_is_404_before_upgrading(server: Server, path: str) -> None:
    with pytest.raises(InvalidStatus) as refused, connect(server.ws + path, open_timeout=WAIT):
        pass
    assert refused.value.response.status_code == 404
    body = json.loads(bytes(refused.value.response.body or b""))
    assert (body["category"], body["code"]) == ("op-apim", 404)


# === shutdown =================================================================================
@pytest.mark.parametrize("worker_class", ["gthread", "gevent"])
def test_sigterm_closes_sessions_with_1001_and_the_server_exits(
        tmp_path: Path, worker_class: str) -> None:
    with running_server(tmp_path / "server.log", SANDBOX_WORKER_CLASS=worker_class) as own, \
            stream(own) as client:
        client.subscribe("tick", "005930")
        own.process.send_signal(signal.SIGTERM)
        close = client.closed()
        assert close.code == 1001
        assert own.process.wait(timeout=15) == 0
