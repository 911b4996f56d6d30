"""The execution-report channel ``/v1/order/ws`` (order.md §4 [proposed], ERRATA 31-32): STOMP 1.2
over WebSocket, on the same flask-sock transport as the market channels (a bounded
:class:`~sandbox.families.streaming.outbox.Outbox` and a writer thread per connection).

Credentials: ``authorization: Basic …`` and ``comId`` on the upgrade request (failures refuse
the upgrade with the REST answers: 401, 400 ``3003``, 403 ``2100``), or, when the upgrade
carries no ``authorization``, as headers of the ``CONNECT`` frame (names in any case; ``comId``
falls back to the upgrade's); failures there answer an ``ERROR`` frame.

Protocol as served:

* ``CONNECT``/``STOMP`` with ``accept-version`` containing ``1.2`` → ``CONNECTED``
  (``version:1.2``, ``heart-beat:10000,10000`` = the server's own values, ``server``,
  ``session``); ``host`` is not required. Heart-beats are negotiated as STOMP says: the server
  sends an EOL after max(10 s, cy) without traffic; a client that offered cx > 0 is dropped
  after twice max(cx, 10 s) of silence, one that offered 0 never.
* One session per institution: a CONNECT for an institution that already has one replaces it;
  the old one gets ``ERROR`` (``message:session replaced``) after whatever was already queued
  for it, and is closed.
* ``SUBSCRIBE`` ``destination:/user/queue/order`` with an ``id``; one subscription per session.
  ``ack`` ``client`` and ``client-individual`` are accepted and treated as ``auto``
  (``ACK``/``NACK`` frames are accepted and ignored): a message counts as delivered once it is
  queued on the connection, and a client that lost some asks for a resend.
* ``SEND`` ``destination:/app/order/resend`` with ``{"fromSeqNo": n, "toSeqNo": m}`` (m = 0: up
  to the latest) → those messages of today again, original ``seqNo``, ``message-id``
  ``…-r<k>`` (k counts the session's resend requests); needs a subscription.
* ``UNSUBSCRIBE`` (the subscription's ``id``), ``DISCONNECT`` (``RECEIPT`` if asked, then
  close). Any frame may ask for a ``RECEIPT``.
* Every problem answers ``ERROR`` (``message`` = the platform error's message, body = the
  platform error object, ``receipt-id`` when the frame asked for a receipt) and closes: a
  malformed frame, an unknown command, transactions (``BEGIN``/``COMMIT``/``ABORT``, not
  supported), a frame before ``CONNECT``, a second ``CONNECT``, another destination.

Delivery: each ``MESSAGE`` carries one stored message (order.md §5, exactly as stored) with
``subscription``, ``message-id`` (``comId-YYYYMMDD-seqNo``), ``destination``, ``content-type``,
``seq-no``. The highest seqNo delivered per institution per trading day lives in the world's
store (kind ``order_delivered``, cleared by a reset), so a new subscription receives first what
no subscription has received, then new messages as they are stored. One pump thread wakes when
a message is stored (and every ``tick_s``), brings the subscribed institutions' resting orders up
to the clock (fills, expiries) and delivers; every frame from a subscribed client also delivers
first, so a ``RECEIPT`` follows every message stored before its frame arrived.

Where the emulator differs (the platform's channel is undocumented): a world reset ends every
session with ``ERROR`` ``Service Unavailable`` (the sequence numbers restart); a shutdown closes
with 1001 and no ``ERROR``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, g, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from sandbox.families.order import stomp
from sandbox.families.order.sessions import (
    OPERATION,
    PATH,
    Channel,
    ChannelSettings,
    Session,
    authenticate,
)
from sandbox.families.streaming.outbox import Outbox
from sandbox.families.streaming.routes import write_loop
from sandbox.world.world import World

log = logging.getLogger("sandbox.order")

PATHS = (PATH, PATH + "/")
SUBPROTOCOL = "v12.stomp"  # what STOMP-over-WebSocket clients offer (browsers need an answer)


# ============================================================================== install
def install(app: Flask, world_of: Callable[[], World],
            settings: ChannelSettings | None = None) -> Channel:
    """Route ``/v1/order/ws`` (and ``/``) on flask-sock. The server options are the app's
    (set by the market channels' install, which must run first); ``v12.stomp`` is added to
    the subprotocols the server may choose."""
    channel = Channel(world_of, settings or ChannelSettings())
    options = app.config.setdefault("SOCK_SERVER_OPTIONS", {})
    options["subprotocols"] = [*options.get("subprotocols", []), SUBPROTOCOL]
    sock = Sock(app)
    for path in PATHS:
        endpoint = "order.ws" if path == PATHS[0] else "order.ws.slash"
        view = functools.partial(_serve, channel=channel)
        sock.route(path, endpoint=endpoint)(functools.update_wrapper(view, _serve))
        app.view_functions[endpoint] = _checked(app.view_functions[endpoint], channel)
    app.extensions["order_channel"] = channel
    return channel


def openapi_paths() -> dict[str, dict[str, Any]]:
    """The channel as an OpenAPI GET operation (the upgrade request)."""
    return {PATHS[0]: {"get": {
        "operationId": "order.ws", "tags": ["order"],
        "summary": "Execution reports: STOMP 1.2 over WebSocket (CONNECT, SUBSCRIBE "
                   "/user/queue/order, SEND /app/order/resend)",
        "description": "Basic + comId on the upgrade request or in the CONNECT frame; MESSAGE "
                       "frames carry the order messages of order.md §5 with a seq-no header. "
                       "See README \"Orders\".",
        "security": [{"basic": []}, {}],  # or none: the credentials may come in CONNECT
        "parameters": [{"name": "comId", "in": "header", "required": False,
                        "schema": {"type": "string"}, "description": "institution code"}],
        "responses": {
            "101": {"description": "Switching Protocols: the STOMP session"},
            **{str(code): {"description": text, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Error"}}}}
               for code, text in ((400, "comId missing (op-exco 3003)"),
                                  (401, "bad Basic credentials"),
                                  (403, "not the app's institution, or no discretionary "
                                        "licence"),
                                  (426, "a plain HTTP request (no WebSocket upgrade)"))},
        },
    }}}


def shutdown(app: Flask) -> None:
    channel: Channel | None = app.extensions.get("order_channel")
    if channel is not None:
        channel.shutdown()


def _checked(view: Callable[..., Any], channel: Channel) -> Callable[..., Any]:
    """Credentials on the upgrade request are checked before upgrading (a PlatformError here
    is answered over HTTP by the app's error handler)."""

    @functools.wraps(view)
    def upgrade(*args: Any, **kwargs: Any) -> Any:
        g.operation_id = OPERATION.id
        g.order_identity = None
        if request.headers.get("Authorization") is not None:
            g.order_identity = authenticate(channel.world_of(), request)
            g.app_name = g.order_identity.app.name
        return view(*args, **kwargs)

    return upgrade


# ============================================================================== transport
def _serve(ws: Any, *, channel: Channel) -> None:
    outbox = Outbox(channel.settings.queue_size)
    session = channel.open(outbox, g.get("order_identity"), request.headers.get("comId"))
    writer = threading.Thread(target=_write, args=(ws, session),
                              name=f"order-writer-{session.number}", daemon=True)
    writer.start()
    try:
        while ws.connected and not outbox.closing:
            data = ws.receive(timeout=1.0)
            if data is not None:
                channel.receive(session, data.encode("utf-8") if isinstance(data, str) else data)
            else:
                channel.check_silence(session)
            if session.identity is not None:
                g.app_name = session.identity.app.name
    except ConnectionClosed:
        pass
    finally:
        channel.close(session)
        outbox.close()
        writer.join(timeout=5.0)


def _write(ws: Any, session: Session) -> None:
    """Drain the outbox into the socket, with an EOL heart-beat after the negotiated interval
    without traffic (which CONNECT may change while the writer runs)."""
    write_loop(ws, session.outbox, lambda: session.send_every, stomp.EOL)


