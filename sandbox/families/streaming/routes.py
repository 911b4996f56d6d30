"""The WebSocket transport (flask-sock on simple-websocket): ``/ws``, ``/ws_ksp``, ``/ws_kdq``,
each with an optional trailing slash (ERRATA 31). Credentials travel only in ``init``; upgrade
headers are ignored.

Per connection, the server's request thread reads frames and hands them to the
:class:`~session.Session`; a writer thread drains the session's outbox into the socket (many
frames in one ``sendall``) and sends a ``heartbeat`` notification after ``heartbeat_s``
without outgoing traffic. Under gunicorn ``gthread`` each open WebSocket holds one of the
worker's ``--threads``; under ``gevent`` these are greenlets.
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
from wsproto.events import CloseConnection, TextMessage
from wsproto.utilities import LocalProtocolError

from sandbox.families.streaming import exceptions as exc
from sandbox.families.streaming.hub import Hub, dumps
from sandbox.families.streaming.outbox import TRY_AGAIN, Outbox
from sandbox.families.streaming.session import CHANNELS, Closing, Session

log = logging.getLogger("sandbox.streaming")

HEARTBEAT = dumps({"jsonrpc": "2.0", "method": "heartbeat"})


def install(app: Flask, hub: Hub) -> None:
    app.config.setdefault("SOCK_SERVER_OPTIONS", {}).update({
        "max_message_size": hub.settings.max_message_bytes,
        "thread_class": functools.partial(threading.Thread, daemon=True),
    })
    sock = Sock(app)
    for channel in CHANNELS:
        view = functools.partial(_serve, hub=hub, channel=channel)
        for path in (channel, channel + "/"):
            sock.route(path, endpoint=f"stream{path.replace('/', '.')}")(
                functools.update_wrapper(view, _serve))


_PURPOSE = {
    "/ws": "per-issue pushes: init, then subscribe/unsubscribe (presets tick, quote, tick10, "
           "quote10, index, change); heartbeat both ways",
    "/ws_ksp": "every trade of the KOSPI market: after init, bare JSON arrays of at most 50 "
               "string-typed records",
    "/ws_kdq": "every trade of the KOSDAQ market (same shape as /ws_ksp)",
}


def openapi_paths() -> dict[str, dict[str, Any]]:
    """The channels as OpenAPI GET operations (the upgrade request), their messages in
    ``x-websocket`` (schemas ``streaming.*`` in the components)."""
    messages = {"client": "streaming.request",
                "server": ["streaming.reply", "streaming.push", "streaming.heartbeat"]}
    paths = {}
    for channel in CHANNELS:
        server = ["streaming.reply", "streaming.batch", "streaming.heartbeat"] \
            if channel != "/ws" else messages["server"]
        paths[channel] = {"get": {
            "operationId": f"streaming{channel.replace('/', '.')}",
            "summary": f"WebSocket (JSON-RPC 2.0): {_PURPOSE[channel]}",
            "tags": ["market streaming"],
            "description": "Connect with `Upgrade: websocket` (trailing slash optional); the "
                           "app key travels in `init.params.key`, never in headers. See README "
                           "\"Market streaming\".",
            "responses": {
                "101": {"description": "Switching Protocols: the WebSocket session"},
                "426": {"description": "a plain HTTP request (no WebSocket upgrade)",
                        "content": {"application/json": {"schema": {
                            "$ref": "#/components/schemas/Error"}}}},
            },
            "x-websocket": {"client": [{"$ref": f"#/components/schemas/{messages['client']}"}],
                            "server": [{"$ref": f"#/components/schemas/{name}"}
                                       for name in server]},
        }}
    return paths


def _serve(ws: Any, *, hub: Hub, channel: str) -> None:
    g.operation_id = f"streaming{channel.replace('/', '.')}"
    outbox = Outbox(hub.settings.queue_size)
    try:
        session = Session(hub, channel, outbox, request.remote_addr or "")
    except exc.StreamError as error:  # too many sessions
        ws.send(dumps({"jsonrpc": "2.0", "id": None,
                       "error": {"code": error.code, "message": error.message,
                                 "data": error.detail}}))
        ws.close(TRY_AGAIN, f"{error.code} {error.message}")
        return
    heartbeat = hub.settings.heartbeat_s
    writer = threading.Thread(target=write_loop, args=(ws, outbox, lambda: heartbeat, HEARTBEAT),
                              name=f"stream-writer-{session.number}", daemon=True)
    writer.start()
    try:
        while ws.connected and not outbox.closing:
            text = ws.receive(timeout=1.0)
            if text is not None:
                session.handle(text)
                g.app_name = session.app_name
    except (Closing, ConnectionClosed):
        pass
    finally:
        session.close()
        outbox.close()
        writer.join(timeout=5.0)


def write_loop(ws: Any, outbox: Outbox, idle_s: Callable[[], float | None],
               idle_text: str) -> None:
    """Drain ``outbox`` into the socket until it is closed and empty, then close the socket;
    ``idle_text`` (a heartbeat) goes out after ``idle_s()`` seconds without traffic. Also the
    writer of the order channel."""
    try:
        while True:
            texts = outbox.take(idle_s())
            if texts is None:
                break
            send_frames(ws, texts or [idle_text])
        if ws.connected:
            send_close(ws, outbox.close_code or 1000, outbox.close_reason)
    except (ConnectionClosed, OSError, LocalProtocolError):  # the client closed meanwhile
        outbox.close()


def send_frames(ws: Any, texts: list[str]) -> None:
    """Many text frames in one write (simple-websocket's ``send`` writes one frame per call
    with ``socket.send``, which may also write only part of a large frame)."""
    if not ws.connected:
        raise ConnectionClosed()
    ws.sock.sendall(b"".join(ws.ws.send(TextMessage(data=text)) for text in texts))


def send_close(ws: Any, code: int, reason: str) -> None:
    ws.sock.sendall(ws.ws.send(CloseConnection(code, reason[:120])))
    ws.connected = False
