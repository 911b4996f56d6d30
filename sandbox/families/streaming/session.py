"""One WebSocket connection's JSON-RPC 2.0 conversation (streaming.md §2, §4-§6), without any
transport: :meth:`Session.handle` takes a text frame and queues the replies in the session's
outbox; the hub queues the pushes there too.

* Every message is checked against ``schemas/streaming/request.json``: not JSON, not
  JSON-RPC 2.0, or malformed ``params`` → 47, with the JSON pointer of the problem in ``data``.
* A request without ``id`` is a notification: it is carried out and gets no ``ok`` reply
  (JSON-RPC 2.0); errors are still answered, with ``"id": null``, so nothing fails silently.
* Messages that are JSON-RPC responses (a client answering the server's heartbeat) are ignored.
* ``query`` (listed by the manual, never described) and any other method → 10000.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import best_match

from sandbox.families.streaming import exceptions as exc
from sandbox.families.streaming import presets
from sandbox.families.streaming.hub import MARKETS, Hub, dumps
from sandbox.families.streaming.outbox import POLICY, TRY_AGAIN, Outbox
from sandbox.gateway.auth import app_of_key
from sandbox.gateway.validation import pointer
from sandbox.paths import SCHEMAS
from sandbox.registry import load_schema, validator
from sandbox.world.market import calendar as cal

REQUEST_VALIDATOR = validator(load_schema(SCHEMAS / "streaming" / "request.json"))
OK = {"message": "ok"}
CHANNELS = ("/ws", "/ws_ksp", "/ws_kdq")
_METHODS = {"/ws": ("init", "subscribe", "unsubscribe", "heartbeat"),
            "/ws_ksp": ("init", "heartbeat"), "/ws_kdq": ("init", "heartbeat")}


@dataclass(frozen=True)
class Subscription:
    request_id: Any  # the subscribe request's id (unsubscribe-all-by-id, streaming.md §2.3)
    items: tuple[str, ...] | None  # change items


class Closing(Exception):
    """The session must end (after its queued replies are sent)."""


class Session:
    def __init__(self, hub: Hub, channel: str, outbox: Outbox, peer: str = "") -> None:
        self.hub = hub
        self.channel = channel
        self.outbox = outbox
        self.peer = peer
        self.api_key: str | None = None
        self.app_name: str | None = None
        self.member_name: str | None = None
        self.initialised = False
        self.subscriptions: dict[tuple[str, str], Subscription] = {}
        self.received = 0
        self.number = hub.open(self)

    # ------------------------------------------------------------------------------ dispatch
    def handle(self, text: str | bytes) -> None:
        """Answer one incoming frame; raises :class:`Closing` when the session must end."""
        self.received += 1
        request_id: Any = None
        try:
            message = _parse(text)
            if message is None:
                return
            request_id = message.get("id")
            if isinstance(request_id, bool | dict | list | float):
                request_id = None
            _validate(message)
            result = self._dispatch(message["method"], message.get("params") or {}, message)
            if "id" in message and result is not None:
                self.outbox.reply(dumps({"jsonrpc": "2.0", "id": request_id, "result": result}))
        except exc.StreamError as error:
            self._error(request_id, error)
            if error.close:
                self.outbox.close(TRY_AGAIN if error.code == 13004 else POLICY,
                                  f"{error.code} {error.message}")
                raise Closing from None

    def _error(self, request_id: Any, error: exc.StreamError) -> None:
        body: dict[str, Any] = {"code": error.code, "message": error.message}
        if error.detail:
            body["data"] = error.detail
        self.outbox.reply(dumps({"jsonrpc": "2.0", "id": request_id, "error": body}))

    def _dispatch(self, method: str, params: dict[str, Any],
                  message: dict[str, Any]) -> dict[str, Any] | None:
        if method not in _METHODS[self.channel]:
            raise exc.UnknownMethod(f"method {method[:40]!r} is not served on {self.channel} "
                                    f"({', '.join(_METHODS[self.channel])})")
        if method == "heartbeat":
            return OK
        if method == "init":
            return self._init(params)
        if not self.initialised:
            raise exc.NotInitialised(f"call init with the app's API key before {method}")
        if method == "subscribe":
            self._subscribe(params, message)
            return None  # the hub queued the reply and the snapshot, in that order
        return self._unsubscribe(params, message.get("id"))

    # ------------------------------------------------------------------------------- methods
    def _init(self, params: dict[str, Any]) -> dict[str, Any]:
        key = str(params["key"]).strip()
        if self.initialised:
            if key != self.api_key:
                raise exc.NotInitialised("this session is initialised with another API key")
            return OK
        world = self.hub.world_of()
        app = app_of_key(world, key)
        if app is None:
            raise exc.BadKey("the API key is not registered")
        if not app.subscribes("market"):
            raise exc.BadKey(f"app {app.name} has no real-time market licence")
        self.api_key, self.app_name = app.api_key, app.name
        self.member_name = params.get("membername")
        self.hub.claim(self)
        if self.channel in MARKETS:
            self.hub.join_feed(self, MARKETS[self.channel])
        return OK

    def _subscribe(self, params: dict[str, Any], message: dict[str, Any]) -> None:
        world = self.hub.world_of()
        code = str(params.get("isuSrtCd", params.get("isuSrtCode", ""))).strip()
        preset = str(params["preset"])
        day = cal.split_instant(world.now())[0]
        inst = world.universe.resolve(code, day)
        if inst is None or (inst.list_date is not None and inst.list_date > day):
            raise exc.UnknownIssue(f"no issue {code[:20]!r}")
        presets.check(inst, preset)
        items: tuple[str, ...] | None = None
        if preset == "change":  # the request schema requires items with this preset
            items = presets.check_items(world, inst, params["items"])
        key = (preset, inst.code)
        if key not in self.subscriptions and \
                len(self.subscriptions) >= self.hub.settings.max_subscriptions:
            raise exc.TooManySubscriptions(
                f"at most {self.hub.settings.max_subscriptions} (preset, issue) subscriptions "
                f"per session")
        self.subscriptions[key] = Subscription(message.get("id"), items)
        reply = dumps({"jsonrpc": "2.0", "id": message.get("id"), "result": OK}) \
            if "id" in message else None
        self.hub.subscribe(self, preset, inst, items, reply)

    def _unsubscribe(self, params: dict[str, Any], request_id: Any) -> dict[str, Any]:
        code = params.get("isuSrtCd", params.get("isuSrtCode"))
        preset = params.get("preset")
        if code is not None and preset is not None:
            world = self.hub.world_of()
            inst = world.universe.resolve(str(code).strip(), cal.split_instant(world.now())[0])
            keys = [(str(preset), inst.code if inst else str(code).strip())]
        else:  # everything registered under this request id (and the preset or issue given)
            keys = [key for key, sub in self.subscriptions.items()
                    if sub.request_id == request_id and preset in (None, key[0])
                    and code in (None, key[1])]
        keys = [key for key in keys if key in self.subscriptions]
        if not keys:
            raise exc.NotSubscribed("no such subscription in this session")
        for key in keys:
            del self.subscriptions[key]
            self.hub.unsubscribe(self, key)
        return OK

    def close(self) -> None:
        self.hub.close(self)

    def view(self) -> dict[str, Any]:
        """The admin view of the session (``GET /_sandbox/streams``)."""
        return {
            "id": self.number, "channel": self.channel, "peer": self.peer,
            "app": self.app_name, "memberName": self.member_name,
            "initialised": self.initialised,
            "subscriptions": [{"preset": p, "isuSrtCd": c, "items": list(s.items or ())}
                              for (p, c), s in self.subscriptions.items()],
            "received": self.received, "sent": self.outbox.sent,
            "queued": len(self.outbox), "dropped": self.outbox.dropped,
        }


def _parse(text: str | bytes) -> dict[str, Any] | None:
    """The message as a dict; None for a JSON-RPC response (ignored)."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        raise exc.NotJsonRpc("the message is not JSON") from None
    if isinstance(message, list):
        raise exc.NotJsonRpc("batches (JSON arrays) are not supported; send one request per "
                             "message")
    if not isinstance(message, dict):
        raise exc.NotJsonRpc("a JSON-RPC message is a JSON object")
    if "method" not in message and ("result" in message or "error" in message):
        return None
    return message


def _validate(message: dict[str, Any]) -> None:
    error = best_match(REQUEST_VALIDATOR.iter_errors(message))
    if error is not None:
        where = pointer(list(error.absolute_path)) or "/"
        raise exc.NotJsonRpc(f"{where}: {error.message[:200]}")
