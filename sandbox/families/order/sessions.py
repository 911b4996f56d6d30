"""The STOMP sessions of the execution-report channel (see :mod:`.channel` for the protocol as
served): credentials, one session per institution, frames in, and the pump that delivers the
stored order messages (:mod:`sandbox.world.orders.records`) as ``MESSAGE`` frames."""

from __future__ import annotations

import itertools
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from flask import Request, g

from sandbox import __version__
from sandbox.errors import BadRequest, PlatformError, RequestTimeout, ServiceUnavailable
from sandbox.families.order import stomp
from sandbox.families.streaming.hub import dumps
from sandbox.families.streaming.outbox import GOING_AWAY, NORMAL, POLICY, Outbox
from sandbox.families.streaming.pump import Pump
from sandbox.gateway import auth
from sandbox.gateway.call import Call
from sandbox.registry import Operation
from sandbox.world.clock import monotonic
from sandbox.world.identities import App
from sandbox.world.market import calendar as cal
from sandbox.world.orders import engine, records
from sandbox.world.world import World

log = logging.getLogger("sandbox.order")

PATH = "/v1/order/ws"

DESTINATION = "/user/queue/order"
RESEND = "/app/order/resend"
MESSAGE_TYPE = "application/json;charset=UTF-8"
ERROR_TYPE = "application/json"
SERVER = f"oppf-sandbox/{__version__}"
DELIVERED = "order_delivered"  # store kind: "comId|YYYYMMDD" -> {"seqNo": highest delivered}
ACK_MODES = ("auto", "client", "client-individual")
HEADROOM = 32  # outbox places kept for replies beyond the messages in flight
MAX_RESENDS = 64  # resend requests of a session still being delivered

OPERATION = Operation(
    id="order.ws", method="GET", paths=(PATH,), handler=lambda call: None, auth="basic",
    family="order", body="none", tags=("order",),
    summary="Execution-report channel: STOMP 1.2 over WebSocket")


@dataclass(frozen=True)
class ChannelSettings:
    queue_size: int = 1000  # frames waiting per connection (messages are paced to fit)
    tick_s: float = 0.2  # pump period (real seconds): resting orders caught up, delivery
    heartbeat_ms: int = 10_000  # the server's heart-beat values (both directions)
    silence_factor: float = 2.0  # negotiated incoming heart-beats missed before the drop
    max_frame_bytes: int = 65_536


class SessionReplaced(PlatformError):
    """ERRATA 32: a newer session of the same institution took over."""

    status, code, message = 409, 409, "session replaced"


@dataclass(frozen=True)
class Identity:
    app: App
    com_id: str


class Closing(Exception):
    """The session ends: its ERROR is already queued."""


def authenticate(world: World, source: Request) -> Identity:
    """The REST checks of an order call (ERRATA 1 steps 4-6): Basic, ``comId``, licence."""
    call = Call(operation=OPERATION, world=world, request_id=g.get("request_id") or "")
    auth.basic(source, call)
    auth.check_permission(call)
    assert call.app is not None and call.institution is not None
    return Identity(call.app, call.institution)


def _connect_request(frame: stomp.Frame, upgrade_com_id: str | None) -> Request:
    """The CONNECT frame's credentials as a request the gateway's checks can read."""
    found = {name.lower(): value for name, value in reversed(frame.headers)}
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": PATH,
                               "SERVER_NAME": "stomp", "SERVER_PORT": "0",
                               "wsgi.url_scheme": "http"}
    if "authorization" in found:
        environ["HTTP_AUTHORIZATION"] = found["authorization"]
    com_id = found.get("comid", upgrade_com_id)
    if com_id is not None:
        environ["HTTP_COMID"] = com_id
    return Request(environ)


# ============================================================================== sessions
class Session:
    """One connection's STOMP state (changed only under the channel's lock)."""

    def __init__(self, number: int, outbox: Outbox, identity: Identity | None,
                 upgrade_com_id: str | None, max_frame_bytes: int) -> None:
        self.number = number
        self.outbox = outbox
        self.identity = identity
        self.upgrade_com_id = upgrade_com_id
        self.parser = stomp.Parser(max_frame_bytes)
        self.world: World | None = None
        self.connected = False
        self.subscription: str | None = None
        self.day: date | None = None  # the trading day being delivered
        self.seen = -1  # stored messages (all institutions) at the last complete delivery
        # resend requests still being delivered: [day, next seqNo, last seqNo, request no]
        self.resends: deque[list[Any]] = deque()
        self.resend_requests = 0
        self.send_every: float | None = None  # seconds; None: no heart-beats
        self.expect_every: float | None = None
        self.last_received = monotonic()

    @property
    def com_id(self) -> str:
        assert self.identity is not None
        return self.identity.com_id

    def reply(self, frame: stomp.Frame) -> None:
        self.outbox.reply(stomp.encode(frame).decode("utf-8"))

    def receipt(self, frame: stomp.Frame) -> None:
        receipt = frame.get("receipt")
        if receipt is not None:
            self.reply(stomp.Frame("RECEIPT", (("receipt-id", receipt),)))

    def fail(self, error: PlatformError, frame: stomp.Frame | None = None,
             code: int = POLICY, **headers: str) -> None:
        """Queue ``ERROR`` (``receipt-id`` when ``frame`` asked for a receipt) and close after
        it: STOMP cannot go on after an error."""
        body = error.body()
        pairs = [("message", body["message"]), ("content-type", ERROR_TYPE),
                 *headers.items()]
        receipt = frame.get("receipt") if frame is not None else None
        if receipt is not None:
            pairs.append(("receipt-id", receipt))
        self.reply(stomp.Frame.build("ERROR", pairs, dumps(body)))
        self.outbox.close(code, body["message"])
        self.subscription = None

    def public(self) -> dict[str, Any]:
        return {"number": self.number, "comId": self.identity and self.identity.com_id,
                "connected": self.connected, "subscription": self.subscription,
                "queued": len(self.outbox), "sent": self.outbox.sent}


# ============================================================================== the channel
class Channel(Pump):
    name = "order-pump"

    def __init__(self, world_of: Callable[[], World], settings: ChannelSettings) -> None:
        super().__init__()
        self.world_of = world_of
        self.settings = settings
        self._sessions: dict[int, Session] = {}
        self._institutions: dict[str, Session] = {}
        self._numbers = itertools.count(1)

    # -------------------------------------------------------------------------- connections
    def open(self, outbox: Outbox, identity: Identity | None,
             upgrade_com_id: str | None) -> Session:
        with self._lock:
            session = Session(next(self._numbers), outbox, identity, upgrade_com_id,
                              self.settings.max_frame_bytes)
            self._sessions[session.number] = session
            if self._stopped:
                outbox.close(GOING_AWAY, "server shutting down")
            return session

    def close(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.number, None)
            if session.identity is not None \
                    and self._institutions.get(session.com_id) is session:
                del self._institutions[session.com_id]

    def outboxes(self) -> list[Outbox]:
        return [session.outbox for session in self._sessions.values()]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"sessions": [s.public() for s in self._sessions.values()]}

    # -------------------------------------------------------------------------- frames in
    def receive(self, session: Session, data: bytes) -> None:
        """What one WebSocket message carried: heart-beats and/or frames."""
        with self._lock:
            session.last_received = monotonic()
            try:
                frames = session.parser.feed(data)
            except stomp.FrameError as error:
                session.fail(BadRequest(f"malformed STOMP frame: {error}"))
                return
            for frame in frames:
                if session.outbox.closing:
                    return
                self._handle(session, frame)

    def check_silence(self, session: Session) -> None:
        """Drop a client that negotiated heart-beats and sent nothing for too long."""
        with self._lock:
            expect = session.expect_every
            if expect and monotonic() - session.last_received > \
                    self.settings.silence_factor * expect:
                session.fail(RequestTimeout(f"no heart-beat from the client for more than "
                                            f"{self.settings.silence_factor * expect:g} s"))

    def _handle(self, session: Session, frame: stomp.Frame) -> None:
        try:
            if frame.command in ("CONNECT", "STOMP"):
                self._connect(session, frame)
                return
            if not session.connected:
                raise BadRequest(f"{frame.command} before CONNECT")
            self._check_world(session)
            self._deliver(session)
            handler = self._HANDLERS.get(frame.command)
            if handler is None:
                raise BadRequest(_unsupported(frame.command))
            handler(self, session, frame)
        except PlatformError as error:
            session.fail(error, frame)
        except Closing:
            pass

    def _connect(self, session: Session, frame: stomp.Frame) -> None:
        if session.connected:
            raise BadRequest("the session is already connected")
        versions = [v.strip() for v in (frame.get("accept-version") or "1.0").split(",")]
        if "1.2" not in versions:
            session.fail(BadRequest(f"supported STOMP versions: 1.2 (offered: "
                                    f"{','.join(versions)})"), frame, version="1.2")
            return
        try:
            client = stomp.parse_heartbeat(frame.get("heart-beat"))
        except stomp.FrameError as error:
            raise BadRequest(str(error)) from None
        world = self.world_of()
        if session.identity is None:
            session.identity = authenticate(world, _connect_request(frame,
                                                                    session.upgrade_com_id))
        server = (self.settings.heartbeat_ms, self.settings.heartbeat_ms)
        send, expect = stomp.negotiate_heartbeat(client, server)
        session.send_every, session.expect_every = (send / 1000 or None), (expect / 1000 or None)
        session.world, session.connected = world, True
        self._claim(session)
        session.reply(stomp.Frame("CONNECTED", (
            ("version", "1.2"), ("heart-beat", f"{server[0]},{server[1]}"),
            ("server", SERVER), ("session", f"{session.com_id}-{session.number}"))))

    def _claim(self, session: Session) -> None:
        """ERRATA 32: one session per institution, the newest wins."""
        old = self._institutions.get(session.com_id)
        if old is not None and old is not session:
            old.fail(SessionReplaced(f"a new session of institution {session.com_id} "
                                     f"connected"))
        self._institutions[session.com_id] = session
        self._start()

    def _check_world(self, session: Session) -> None:
        if session.world is not self.world_of():
            session.fail(ServiceUnavailable("the sandbox world was reset: connect again"),
                         code=GOING_AWAY)
            raise Closing

    def _subscribe(self, session: Session, frame: stomp.Frame) -> None:
        sub_id, ack = frame.get("id"), frame.get("ack") or "auto"
        if not sub_id:
            raise BadRequest("SUBSCRIBE needs an id header")
        _check_destination(frame, DESTINATION)
        if ack not in ACK_MODES:
            raise BadRequest(f"ack {ack!r} is not one of {', '.join(ACK_MODES)}")
        if session.subscription is not None:
            raise BadRequest(f"this session is already subscribed (id {session.subscription})")
        session.subscription = sub_id
        session.seen = -1
        self._deliver(session)
        session.receipt(frame)

    def _unsubscribe(self, session: Session, frame: stomp.Frame) -> None:
        if session.subscription is None or frame.get("id") != session.subscription:
            raise BadRequest(f"no subscription with id {frame.get('id')!r}")
        session.subscription = None
        session.resends.clear()
        session.receipt(frame)

    def _resend(self, session: Session, frame: stomp.Frame) -> None:
        _check_destination(frame, RESEND)
        if session.subscription is None:
            raise BadRequest(f"SUBSCRIBE to {DESTINATION} before asking for a resend")
        first, last = _resend_range(frame.body)
        assert session.world is not None
        if len(session.resends) >= MAX_RESENDS:
            raise BadRequest(f"{MAX_RESENDS} resend requests of this session are still being "
                             f"delivered: read their messages before asking again")
        today = _today(session.world)
        latest = records.latest_seq(session.world, session.com_id, today)
        session.resend_requests += 1
        session.resends.append([today, first, min(last or latest, latest),
                                session.resend_requests])
        self._deliver(session)
        session.receipt(frame)

    def _disconnect(self, session: Session, frame: stomp.Frame) -> None:
        session.receipt(frame)
        session.subscription = None
        session.outbox.close(NORMAL, "DISCONNECT")

    def _ignore(self, session: Session, frame: stomp.Frame) -> None:
        session.receipt(frame)

    _HANDLERS: ClassVar[dict[str, Callable[[Channel, Session, stomp.Frame], None]]] = {
        "SUBSCRIBE": _subscribe, "UNSUBSCRIBE": _unsubscribe, "SEND": _resend,
        "DISCONNECT": _disconnect, "ACK": _ignore, "NACK": _ignore,
    }

    # -------------------------------------------------------------------------- delivery
    def _deliver(self, session: Session) -> None:
        """Queue what the subscription has not had yet, as far as the outbox has room."""
        if session.subscription is None or session.outbox.closing or session.world is None:
            return
        budget = self.settings.queue_size - HEADROOM - len(session.outbox)
        budget = self._deliver_live(session, session.world, budget)
        while session.resends and budget > 0:  # read a budget's worth at a time
            resend = session.resends[0]
            day, first, last, number = resend
            found = records.reports(session.world, session.com_id, day, first,
                                    min(last, first + budget - 1))
            for message in found:
                session.reply(_message(session, message,
                                       f"{records.ymd(day)}-{message['seqNo']}-r{number}"))
            budget -= len(found)
            resend[1] = found[-1]["seqNo"] + 1 if found else last + 1
            if resend[1] > last:
                session.resends.popleft()

    def _deliver_live(self, session: Session, world: World, budget: int) -> int:
        """New messages of the session's day, then of today (when the clock crossed into a
        new trading day); what is left of ``budget``. A clock set back to an earlier day
        delivers that day's from then on."""
        count = world.store.count(records.REPORT)
        today = _today(world)
        if count == session.seen and session.day == today:
            return budget
        if session.day is None or session.day > today:
            session.day = today
        while budget > 0:
            found = _undelivered(world, session.com_id, session.day, budget)
            for message in found:
                message_id = f"{records.ymd(session.day)}-{message['seqNo']}"
                session.reply(_message(session, message, message_id))
            budget -= len(found)
            if found:
                _mark(world, session.com_id, session.day, found[-1]["seqNo"])
            if budget <= 0 or session.day >= today:
                break
            session.day = today
        session.seen = count if budget > 0 else -1
        return budget

    # -------------------------------------------------------------------------- the pump
    def busy(self) -> bool:
        return bool(self._institutions)

    def pause(self) -> None:
        """Until a message is stored, or ``tick_s`` (resting orders catch up with the clock)."""
        records.wait_for_messages(self.settings.tick_s)

    def pump(self) -> None:
        """Resting orders of every subscribed institution up to the clock, then delivery."""
        with self._lock:
            world = self.world_of()
            for session in list(self._institutions.values()):
                if session.outbox.closing:
                    continue
                if session.world is not world:
                    session.fail(ServiceUnavailable("the sandbox world was reset: connect "
                                                    "again"), code=GOING_AWAY)
                    continue
                if session.subscription is not None:
                    try:
                        engine.catch_up(world, session.com_id)
                    except Exception:  # the engine's bug: still deliver what is stored
                        log.exception("resting orders of %s could not catch up",
                                      session.com_id)
                    self._deliver(session)


# ============================================================================== helpers
def _unsupported(command: str) -> str:
    if command in ("BEGIN", "COMMIT", "ABORT"):
        return f"{command}: transactions are not supported"
    return f"unknown STOMP command {command}"


def _check_destination(frame: stomp.Frame, expected: str) -> None:
    destination = frame.get("destination")
    if destination != expected:
        raise BadRequest(f"{frame.command} destination must be {expected} (got "
                         f"{destination!r})")


def _resend_range(body: bytes) -> tuple[int, int]:
    """``{"fromSeqNo": n >= 1, "toSeqNo": m >= 0}`` (m = 0 or absent: up to the latest)."""
    try:
        request_body = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("the resend body is not JSON") from None
    if not isinstance(request_body, dict):
        raise BadRequest("the resend body must be a JSON object")
    first, last = request_body.get("fromSeqNo"), request_body.get("toSeqNo", 0)
    for name, value, low in (("fromSeqNo", first, 1), ("toSeqNo", last, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise BadRequest(f"{name} must be an integer >= {low}")
    assert isinstance(first, int) and isinstance(last, int)
    if last and last < first:
        raise BadRequest("toSeqNo is below fromSeqNo")
    return first, last


def _today(world: World) -> date:
    return cal.kst(world.now()).date()


def _mark_key(com_id: str, day: date) -> str:
    return f"{com_id}|{records.ymd(day)}"


def _mark(world: World, com_id: str, day: date, seq_no: int) -> None:
    world.store.put(DELIVERED, _mark_key(com_id, day), {"seqNo": seq_no})


def _undelivered(world: World, com_id: str, day: date, limit: int) -> list[dict[str, Any]]:
    found = world.store.get(DELIVERED, _mark_key(com_id, day))
    first = (found or {"seqNo": 0})["seqNo"] + 1
    return records.reports(world, com_id, day, first, first + limit - 1)


def _message(session: Session, message: dict[str, Any], message_id: str) -> stomp.Frame:
    """``message-id`` is ``comId-`` + ``message_id`` (``YYYYMMDD-seqNo``, ``-r<k>`` on a
    resend)."""
    assert session.subscription is not None
    return stomp.Frame.build("MESSAGE", (
        ("subscription", session.subscription),
        ("message-id", f"{session.com_id}-{message_id}"), ("destination", DESTINATION),
        ("content-type", MESSAGE_TYPE), ("seq-no", str(message["seqNo"])),
    ), dumps(message))
