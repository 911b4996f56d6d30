"""The execution-report channel ``/v1/order/ws`` (STOMP 1.2 over WebSocket; order.md §4, ERRATA
31-32) end to end: the real server (gunicorn on a free port), a real WebSocket client speaking
STOMP frames, orders placed over REST.

Every MESSAGE a client receives is checked: JSON body, ``seqNo`` equal to the ``seq-no``
header, the channel's headers, unique ``message-id``s, and seqNos strictly increasing within a
session (within each resend on their own).
"""

from __future__ import annotations

import base64
import itertools
import json
import signal
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Close
from websockets.sync.client import ClientConnection, connect

from sandbox.families.order.stomp import Frame, Parser, encode
from tests.conftest import (
    B2B_KEY,
    B2B_SECRET,
    EXAMPLES,
    FROZEN,
    HACKATHON_KEY,
    HACKATHON_SECRET,
    b2b_headers,
    example,
)
from tests.servers import Server, running_server

pytestmark = pytest.mark.e2e

WAIT = 5.0  # seconds to wait for a frame that must come (returns as soon as it does)
PATH = "/v1/order/ws"
DESTINATION = "/user/queue/order"
ACC = "0019923122221"
SAMSUNG = "KR7005930003"
TODAY = "20261124"
_ids = itertools.count(1)


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


# --- the server -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("order-channel") / "server.log") as started:
        yield started


@pytest.fixture(autouse=True)
def fresh_world(server: Server) -> None:
    """A new world (clock back at 10:00, frozen) before each test."""
    reset = requests.post(f"{server.http}/_sandbox/reset", timeout=5)
    assert reset.status_code == 200, reset.text
    assert reset.json()["clock"]["now"] == FROZEN


# --- REST -------------------------------------------------------------------------------------
def order(server: Server, api: str, **change: Any) -> dict[str, Any]:
    """An order message over REST (acknowledged 200); the request body block is returned. By
    default a limit buy of 10 Samsung Electronics far below the market (it rests)."""
    block = {"new": "newOrderSingleRequestBody", "cancel": "orderCancelRequestBody"}[api]
    body = {"msgType": "D" if api == "new" else "F", "clOrdID": f"WS-{next(_ids):06d}",
            "account": ACC, "securityID": SAMSUNG, "securityIDSource": "4", "symbol": "005930",
            "side": "1", "ordType": "2", "price": 20000, "orderQty": 10, "timeInForce": "0",
            "transactTime": "20261124-01:00:00.000", **change}
    payload = {"partner": {"comId": "00995", "srvId": "100"},
               "commonHeader": {"reqIdConsumer": body["clOrdID"]}, block: body}
    response = requests.post(f"{server.http}/v1/samsung/order/{api}", json=payload,
                             headers=b2b_headers(), timeout=5)
    assert response.status_code == 200, response.text
    return body


def stored(server: Server) -> list[dict[str, Any]]:
    """The institution's messages of the day, as the admin API shows them."""
    response = requests.get(f"{server.http}/_sandbox/orders/00995", timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["messages"]  # type: ignore[no-any-return]


def set_clock(server: Server, instant: str) -> None:
    response = requests.post(f"{server.http}/_sandbox/clock", json={"set": instant}, timeout=5)
    assert response.status_code == 200, response.text


# --- the client -------------------------------------------------------------------------------
class Stomp:
    """A STOMP client over one WebSocket that checks every MESSAGE it receives."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.parser = Parser()
        self.frames: deque[Frame] = deque()
        self.subscription: str | None = None
        self.message_ids: set[str] = set()
        self.last_seq = 0
        self.resent: dict[str, int] = {}  # resend number -> last seqNo of that resend

    def send(self, command: str, headers: dict[str, str] | None = None,
             body: str = "") -> None:
        self.ws.send(encode(Frame.build(command, headers or {}, body)).decode())

    def recv(self, timeout: float = WAIT) -> Frame:
        while not self.frames:
            data = self.ws.recv(timeout=timeout)
            self.frames.extend(self.parser.feed(data.encode() if isinstance(data, str)
                                                else data))
        frame = self.frames.popleft()
        if frame.command == "MESSAGE":
            self._check(frame)
        return frame

    def _check(self, frame: Frame) -> None:
        body = json.loads(frame.text)
        seq = int(frame.get("seq-no") or "")
        assert body["seqNo"] == seq, frame
        assert frame.get("subscription") == self.subscription
        assert frame.get("destination") == DESTINATION
        assert frame.get("content-type") == "application/json;charset=UTF-8"
        message_id = frame.get("message-id") or ""
        assert message_id not in self.message_ids
        self.message_ids.add(message_id)
        base, _, resend = message_id.partition("-r")
        assert base == f"00995-{TODAY}-{seq}", message_id
        if resend:
            assert seq > self.resent.get(resend, 0)
            self.resent[resend] = seq
        else:
            assert seq > self.last_seq
            self.last_seq = seq

    def until(self, command: str) -> tuple[list[Frame], Frame]:
        """The MESSAGE frames before the next ``command`` frame, and that frame."""
        messages: list[Frame] = []
        while True:
            frame = self.recv()
            if frame.command == command:
                return messages, frame
            assert frame.command == "MESSAGE", frame
            messages.append(frame)

    def connect(self, command: str = "CONNECT", **headers: str) -> Frame:
        self.send(command, {"accept-version": "1.2", "host": "sandbox", **headers})
        connected = self.recv()
        assert connected.command == "CONNECTED", connected
        return connected

    def subscribe(self, sub_id: str = "sub-0") -> list[Frame]:
        """SUBSCRIBE with a receipt; the messages delivered before the RECEIPT."""
        self.subscription = sub_id
        self.send("SUBSCRIBE", {"id": sub_id, "destination": DESTINATION, "ack": "auto",
                                "receipt": f"subscribed-{sub_id}"})
        messages, receipt = self.until("RECEIPT")
        assert receipt.get("receipt-id") == f"subscribed-{sub_id}"
        return messages

    def disconnect(self) -> list[Frame]:
        """DISCONNECT with a receipt: the messages still delivered before the RECEIPT (every
        message stored before the frame arrived), then the server closes normally."""
        self.send("DISCONNECT", {"receipt": "bye"})
        messages, receipt = self.until("RECEIPT")
        assert receipt.get("receipt-id") == "bye"
        assert self.closed().code == 1000
        return messages

    def error(self) -> Frame:
        """The ERROR frame that must come next (after any MESSAGE), the socket then closed."""
        _, error = self.until("ERROR")
        assert error.get("content-type") == "application/json"
        body = json.loads(error.text)
        assert set(body) <= {"category", "code", "message", "description"}
        assert error.get("message") == body["message"]
        self.closed()
        return error

    def closed(self) -> Close:
        """The server's close frame (nothing but heart-beats may come before it)."""
        try:
            while True:
                frame = self.recv()
                pytest.fail(f"expected the server to close, got {frame}")
        except TimeoutError:
            pytest.fail("the server did not close the connection")
        except ConnectionClosed as closing:
            assert closing.rcvd is not None, "closed without a close frame"
            return closing.rcvd


@contextmanager
def channel(server: Server, headers: dict[str, str] | None = None,
            path: str = PATH) -> Iterator[Stomp]:
    """A WebSocket to the channel; the upgrade carries Basic + comId unless ``headers``."""
    upgrade = b2b_headers() if headers is None else headers
    with connect(server.ws + path, additional_headers=upgrade, open_timeout=WAIT,
                 close_timeout=2, subprotocols=["v10.stomp", "v11.stomp", "v12.stomp"]) as ws:
        yield Stomp(ws)


def bodies(frames: list[Frame]) -> list[dict[str, Any]]:
    return [json.loads(frame.text) for frame in frames]


def error_body(frame: Frame) -> dict[str, Any]:
    return json.loads(frame.text)  # type: ignore[no-any-return]


# === CONNECT ==================================================================================
@pytest.mark.parametrize("command", ["CONNECT", "STOMP"])
def test_connect_answers_connected(server: Server, command: str) -> None:
    headers = example("order/ws_connect.frame.json")["headers"] if EXAMPLES.is_dir() else {
        "accept-version": "1.2", "host": "sandbox", "heart-beat": "10000,10000"}
    with channel(server) as client:
        assert client.ws.subprotocol == "v12.stomp"
        client.send(command, headers)
        connected = client.recv()
        assert connected.command == "CONNECTED"
        assert connected.get("version") == "1.2"
        assert connected.get("heart-beat") == "10000,10000"
        assert (connected.get("server") or "").startswith("oppf-sandbox/")
        client.disconnect()


def test_plain_get_is_426_and_the_trailing_slash_is_served(server: Server) -> None:
    response = requests.get(f"{server.http}{PATH}", headers=b2b_headers(), timeout=5)
    assert response.status_code == 426
    assert {k: response.json()[k] for k in ("category", "code")} == {"category": "op-apim",
                                                                      "code": 426}
    with channel(server, path=PATH + "/") as client:
        client.connect()
        client.disconnect()


# === delivery =================================================================================
def test_orders_are_pushed_as_messages(server: Server) -> None:
    documented = example("order/ws_subscribe.frame.json")["headers"] if EXAMPLES.is_dir() \
        else {"id": "sub-0", "destination": DESTINATION, "ack": "auto"}
    with channel(server) as client:
        client.connect()
        client.subscription = documented["id"]
        client.send("SUBSCRIBE", {**documented, "receipt": "s"})
        assert client.until("RECEIPT")[0] == []
        order(server, "new", ordType="1", price=None, orderQty=7)  # fills at once: 2 messages
        first = [client.recv(), client.recv()]
        resting = order(server, "new")
        order(server, "cancel", clOrdID="WS-CXL-1", origClOrdID=resting["clOrdID"])
        order(server, "cancel", clOrdID="WS-CXL-2", origClOrdID="WS-NOWHERE")  # 35=9
        frames = first + client.disconnect()
    received = bodies(frames)
    assert [f.get("seq-no") for f in frames] == ["1", "2", "3", "4", "5"]
    assert received == stored(server)
    assert [(m["msgType"], (m.get("executionReport") or {}).get("execType")) for m in received] \
        == [("8", "0"), ("8", "F"), ("8", "0"), ("8", "4"), ("9", None)]
    assert [f.get("message-id") for f in frames] == [f"00995-{TODAY}-{n}" for n in range(1, 6)]
    if EXAMPLES.is_dir():
        documented_message = example("order/ws_message.frame.json")
        assert {k for k, _ in frames[0].headers} == {*documented_message["headers"],
                                                     "content-length"}
        assert set(received[0]) == set(documented_message["body"])
        assert set(received[0]["executionReport"]) == set(
            documented_message["body"]["executionReport"])
        assert set(received[4]["orderCancelReject"]) == set(
            example("order/order_cancel_reject.json")["orderCancelReject"])


def test_messages_without_a_subscription_wait_for_the_next_one(server: Server) -> None:
    order(server, "new")
    order(server, "new", ordType="1", price=None)
    with channel(server) as client:
        client.connect()
        order(server, "new")  # connected but not subscribed yet
        backlog = client.subscribe()
        assert [f.get("seq-no") for f in backlog] == ["1", "2", "3", "4"]
        order(server, "new")
        assert client.recv().get("seq-no") == "5"
        assert client.disconnect() == []
    order(server, "new")  # nobody subscribed
    with channel(server) as client:
        client.connect()
        later = client.subscribe() + client.disconnect()
    assert [f.get("seq-no") for f in later] == ["6"]  # only what no subscription received
    assert bodies(backlog) + bodies(later) == [m for m in stored(server) if m["seqNo"] != 5]


def test_unsubscribe_then_subscribe_again(server: Server) -> None:
    with channel(server) as client:
        client.connect()
        client.subscribe()
        client.send("UNSUBSCRIBE", {"id": "sub-0", "receipt": "u"})
        assert client.until("RECEIPT")[1].get("receipt-id") == "u"
        order(server, "new")
        again = client.subscribe("sub-1")
        assert [(f.get("subscription"), f.get("seq-no")) for f in again] == [("sub-1", "1")]
        client.disconnect()


def test_resend_a_range(server: Server) -> None:
    for _ in range(3):
        order(server, "new")
    order(server, "new", ordType="1", price=None)
    with channel(server) as client:
        client.connect()
        originals = client.subscribe()
        assert len(originals) == 5
        client.send("SEND", {"destination": "/app/order/resend",
                             "content-type": "application/json;charset=UTF-8", "receipt": "r1"},
                    json.dumps({"fromSeqNo": 2, "toSeqNo": 3}))
        resent, _ = client.until("RECEIPT")
        assert [(f.get("seq-no"), f.get("message-id")) for f in resent] == [
            ("2", f"00995-{TODAY}-2-r1"), ("3", f"00995-{TODAY}-3-r1")]
        assert bodies(resent) == bodies(originals[1:3])
        documented = example("order/ws_resend.frame.json") if EXAMPLES.is_dir() else {
            "headers": {"destination": "/app/order/resend"},
            "body": {"fromSeqNo": 2, "toSeqNo": 0}}
        client.send("SEND", {**documented["headers"], "receipt": "r2"},
                    json.dumps(documented["body"]))
        resent, _ = client.until("RECEIPT")
        assert [f.get("seq-no") for f in resent] == ["2", "3", "4", "5"]
        assert bodies(resent) == bodies(originals[1:])
        order(server, "new")  # live delivery goes on after the resends
        assert client.recv().get("seq-no") == "6"
        client.disconnect()


def test_resting_orders_fill_and_expire_as_the_clock_moves(server: Server) -> None:
    """No REST call between the clock move and the push: the channel catches the orders up."""
    from sandbox.world.world import World, WorldSettings

    world = World(WorldSettings(seed=42, clock=FROZEN))
    inst = world.universe.get("005930")
    assert inst is not None
    trades = [t for t in world.market.trades(inst, date(2026, 11, 24))
              if 10000000 < t.time < 15200000]
    limit = min(t.price for t in trades)  # reached during the day, below the 10:00 price
    floor = world.market.quote(inst, world.now()).lower_limit  # never reached
    assert floor < limit < world.market.quote(inst, world.now()).price
    with channel(server) as client:
        client.connect()
        client.subscribe()
        order(server, "new", price=limit)
        order(server, "new", price=floor)
        accepted = bodies([client.recv(), client.recv()])
        assert [m["executionReport"]["execType"] for m in accepted] == ["0", "0"]
        set_clock(server, "2026-11-24T15:25:00+09:00")
        (fill,) = bodies([client.recv()])
        assert (fill["seqNo"], fill["executionReport"]["execType"]) == (3, "F")
        assert (fill["executionReport"]["lastPx"], fill["executionReport"]["lastQty"]) == (
            limit, 10)
        set_clock(server, "2026-11-24T15:40:00+09:00")
        (expiry,) = bodies([client.recv()])
        assert (expiry["seqNo"], expiry["executionReport"]["execType"]) == (4, "4")
        assert expiry["executionReport"]["text"].startswith("장종료 자동취소")
        assert client.disconnect() == []
    assert [*accepted, fill, expiry] == stored(server)


# === credentials ==============================================================================
def test_credentials_in_the_connect_frame(server: Server) -> None:
    with channel(server, headers={}) as client:
        client.connect(authorization=basic(B2B_KEY, B2B_SECRET), comId="00995")
        client.subscribe()
        order(server, "new")
        assert client.recv().get("seq-no") == "1"
        client.disconnect()
    with channel(server, headers={"comId": "00995"}) as client:  # comId on the upgrade only
        client.connect(Authorization=basic(B2B_KEY, B2B_SECRET))
        client.disconnect()


REFUSALS = [
    pytest.param({"Authorization": basic(B2B_KEY, "wrong"), "comId": "00995"},
                 401, "op-apim", 401, id="wrong-secret"),
    pytest.param({"Authorization": "Bearer e9911d97-407f-45d4-b0a1-22e930c5ef08",
                  "comId": "00995"}, 401, "op-apim", 401, id="not-basic"),
    pytest.param({"Authorization": basic(B2B_KEY, B2B_SECRET)}, 400, "op-exco", 3003,
                 id="no-comId"),
    pytest.param({"Authorization": basic(B2B_KEY, B2B_SECRET), "comId": "uberple"},
                 403, "op-auth", 2100, id="other-institution"),
    pytest.param({"Authorization": basic(HACKATHON_KEY, HACKATHON_SECRET), "comId": "F0000"},
                 403, "op-auth", 2100, id="no-order-licence"),
]


@pytest.mark.parametrize(("headers", "status", "category", "code"), REFUSALS)
def test_bad_credentials_on_the_upgrade_refuse_it(server: Server, headers: dict[str, str],
                                                  status: int, category: str,
                                                  code: int) -> None:
    with pytest.raises(InvalidStatus) as refused, channel(server, headers=headers):
        pytest.fail("the upgrade was accepted")
    response = refused.value.response
    assert response.status_code == status
    body = json.loads(response.body or b"")
    assert (body["category"], body["code"]) == (category, code)


@pytest.mark.parametrize(("headers", "status", "category", "code"), [
    *REFUSALS, pytest.param({}, 401, "op-apim", 401, id="none")])
def test_bad_credentials_in_connect_answer_error(server: Server, headers: dict[str, str],
                                                 status: int, category: str,
                                                 code: int) -> None:
    with channel(server, headers={}) as client:
        client.send("CONNECT", {"accept-version": "1.2", **headers})
        body = error_body(client.error())
    assert (body["category"], body["code"]) == (category, code)


# === errors ===================================================================================
def test_wrong_destinations_answer_error(server: Server) -> None:
    with channel(server) as client:
        client.connect()
        client.send("SUBSCRIBE", {"id": "sub-0", "destination": "/topic/order"})
        error = client.error()
    assert (error.get("message"), error_body(error)["code"]) == ("Bad Request", 400)
    assert "/user/queue/order" in error_body(error)["description"]
    with channel(server) as client:
        client.connect()
        client.subscribe()
        client.send("SEND", {"destination": "/app/order/other", "receipt": "x"}, "{}")
        error = client.error()
    assert error.get("receipt-id") == "x" and "/app/order/resend" in error_body(error)[
        "description"]


@pytest.mark.parametrize(("connect", "frame", "detail"), [
    (False, "SUBSCRIBE\nid:s\ndestination:/user/queue/order\n\n\x00", "before CONNECT"),
    (True, "FOO\n\n\x00", "unknown STOMP command FOO"),
    (True, "BEGIN\ntransaction:t\n\n\x00", "transactions are not supported"),
    (True, "SEND\ndestination\n\n\x00", "malformed STOMP frame"),
    (True, "CONNECT\naccept-version:1.2\n\n\x00", "already connected"),
    (True, "SUBSCRIBE\ndestination:/user/queue/order\n\n\x00", "needs an id"),
    (True, "SUBSCRIBE\nid:s\ndestination:/user/queue/order\nack:sometimes\n\n\x00", "ack"),
    (True, "SEND\ndestination:/app/order/resend\n\n{\"fromSeqNo\":1}\x00", "SUBSCRIBE to"),
    (True, "UNSUBSCRIBE\nid:nope\n\n\x00", "no subscription"),
])
def test_protocol_errors_answer_error_then_close(server: Server, connect: bool, frame: str,
                                                 detail: str) -> None:
    with channel(server) as client:
        if connect:
            client.connect()
        client.ws.send(frame)
        error = client.error()
    assert (error.get("message"), error_body(error)["code"]) == ("Bad Request", 400)
    assert detail in error_body(error)["description"]


@pytest.mark.parametrize(("body", "detail"), [
    ("not json", "not JSON"), ("[1]", "JSON object"), ('{"fromSeqNo": 0}', "fromSeqNo"),
    ('{"fromSeqNo": true}', "fromSeqNo"), ('{"fromSeqNo": 3, "toSeqNo": 2}', "below"),
    ('{"fromSeqNo": 1, "toSeqNo": -1}', "toSeqNo"),
])
def test_bad_resend_requests_answer_error(server: Server, body: str, detail: str) -> None:
    with channel(server) as client:
        client.connect()
        client.subscribe()
        client.send("SEND", {"destination": "/app/order/resend"}, body)
        error = client.error()
    assert detail in error_body(error)["description"]


@pytest.mark.parametrize(("headers", "detail"), [
    ({"accept-version": "1.0,1.1"}, "supported STOMP versions: 1.2"),
    ({}, "supported STOMP versions: 1.2"),  # no accept-version: STOMP 1.0
    ({"accept-version": "1.2", "heart-beat": "soon"}, "heart-beat"),
])
def test_connect_without_1_2_or_with_a_bad_heart_beat(server: Server, headers: dict[str, str],
                                                      detail: str) -> None:
    with channel(server) as client:
        client.send("CONNECT", headers)
        error = client.error()
    assert detail in error_body(error)["description"]
    if "version" in detail:
        assert error.get("version") == "1.2"


def test_heart_beats_from_the_client_are_accepted(server: Server) -> None:
    with channel(server) as client:
        client.ws.send("\n")
        client.connect(**{"heart-beat": "0,0"})
        client.ws.send("\r\n")
        client.ws.send("\n" + encode(Frame("ACK", (("id", "x"), ("receipt", "a")))).decode())
        assert client.until("RECEIPT")[1].get("receipt-id") == "a"
        client.disconnect()


# === sessions =================================================================================
def test_a_second_session_replaces_the_first(server: Server) -> None:
    with channel(server) as first:
        first.connect()
        first.subscribe()
        order(server, "new")
        assert first.recv().get("seq-no") == "1"
        with channel(server, headers={}) as second:
            second.connect(authorization=basic(B2B_KEY, B2B_SECRET), comId="00995")
            replaced = first.error()
            assert replaced.get("message") == "session replaced"
            assert error_body(replaced)["message"] == "session replaced"
            order(server, "new")
            assert [f.get("seq-no") for f in second.subscribe()] == ["2"]
            second.disconnect()


def test_a_reset_ends_the_session(server: Server) -> None:
    with channel(server) as client:
        client.connect()
        client.subscribe()
        assert requests.post(f"{server.http}/_sandbox/reset", timeout=5).status_code == 200
        error = client.error()
    assert (error.get("message"), error_body(error)["code"]) == ("Service Unavailable", 503)


def test_disconnect_with_a_receipt(server: Server) -> None:
    with channel(server) as client:
        client.connect()
        client.send("DISCONNECT", {"receipt": "77"})
        receipt = client.recv()
        assert (receipt.command, receipt.get("receipt-id")) == ("RECEIPT", "77")
        close = client.closed()
    assert close.code == 1000


def test_shutdown_closes_the_sessions_going_away(server: Server, tmp_path: Path) -> None:
    with running_server(tmp_path / "server.log") as own, channel(own) as client:
        client.connect()
        client.subscribe()
        own.process.send_signal(signal.SIGTERM)
        assert client.closed().code == 1001
        own.process.wait(timeout=15)  # the worker exits without waiting for the socket
