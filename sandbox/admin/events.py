"""``GET /_sandbox/events``: the admin event stream (server-sent events), for the console.

A plain Flask route, not a registry operation: it streams until its ``timeout`` (and is left
out of the OpenAPI document, so the schemathesis fuzz does not call an endless stream) and is
not journaled. Documented in README "Admin API".

Query: ``since`` (an event id: replay what the ring still holds after it; the
``Last-Event-ID`` header of a reconnecting ``EventSource`` does the same), ``timeout``
(seconds before the server ends the stream cleanly, default 300, at most 3600; browsers
reconnect by themselves), ``types`` (comma-separated: ``journal,order,clock,reset``, default
all). Frames: ``retry: 2000``, an ``event: hello`` (no id) with ``{last, oldest, seed, clock,
streams, maxStreams}``, then ``id: <n>`` / ``event: <kind>`` / ``data: <JSON>`` per event
(:mod:`sandbox.admin.feed`), a ``: keep-alive`` comment after :data:`KEEPALIVE_S` seconds of
silence (how a vanished client is noticed), and ``event: bye`` when the stream ends.

Under gunicorn's gthread worker each open stream holds one thread: at most
:attr:`Feed.max_streams` (8) are open at once, the next one is answered 503 in the platform
error format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request

from sandbox.admin.feed import KINDS, Feed
from sandbox.admin.models import clock_view
from sandbox.errors import BadRequest, ServiceUnavailable
from sandbox.world.clock import monotonic

if TYPE_CHECKING:
    from sandbox.app import SandboxState

PATH = "/_sandbox/events"
DEFAULT_TIMEOUT_S = 300.0
MAX_TIMEOUT_S = 3600.0
KEEPALIVE_S = 10.0
RETRY_MS = 2000


def install(app: Flask, state: SandboxState) -> Feed:
    """Route ``GET /_sandbox/events`` and feed it from the state's journal and world."""
    feed = Feed(lambda: state.world)
    state.journal.listen(feed.journal)
    app.extensions["sandbox_events"] = feed

    def events() -> Response:
        return open_stream(feed, request.args.to_dict(), request.headers.get("Last-Event-ID"))

    app.add_url_rule(PATH, endpoint="admin.events", view_func=events, methods=["GET"])
    return feed


def _number(raw: str | None, name: str, default: float, low: float, high: float) -> float:
    if raw in (None, ""):
        return default
    try:
        value = float(str(raw))
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low:g} and {high:g}")
    return value


def _kinds(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return KINDS
    kinds = tuple(dict.fromkeys(k.strip() for k in raw.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise BadRequest(f"types: unknown event types {unknown}; use {', '.join(KINDS)}")
    return kinds


def open_stream(feed: Feed, query: dict[str, str], last_event_id: str | None) -> Response:
    """Check the query, take a stream slot (503 beyond the limit) and answer the stream."""
    timeout = _number(query.get("timeout"), "timeout", DEFAULT_TIMEOUT_S, 0.0, MAX_TIMEOUT_S)
    since_raw = (query.get("since") or last_event_id or "").strip()
    if since_raw and not (since_raw.isdigit() and len(since_raw) <= 15):
        raise BadRequest("since must be an event id (a whole number)")
    since = int(since_raw) if since_raw else None
    kinds = _kinds(query.get("types"))
    if not feed.acquire():
        raise ServiceUnavailable(f"at most {feed.max_streams} event streams may be open at "
                                 f"once; close one (or wait for its timeout)")
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            feed.release()

    response = Response(_frames(feed, since, timeout, kinds), mimetype="text/event-stream")
    response.call_on_close(release)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def frame(kind: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _frames(feed: Feed, since: int | None, timeout: float,
            kinds: tuple[str, ...]) -> Iterator[str]:
    """The stream: hello, the events after ``since`` (or from now), keep-alives, bye."""
    deadline = monotonic() + timeout
    feed.poll()
    cursor = feed.last if since is None or since > feed.last else since
    world = feed.world
    yield f"retry: {RETRY_MS}\n\n"
    yield frame("hello", {"last": feed.last, "oldest": feed.oldest, "seed": world.seed,
                          "clock": clock_view(world.clock), "streams": feed.streams,
                          "maxStreams": feed.max_streams})
    quiet_since = monotonic()
    while not feed.closing:
        remaining = deadline - monotonic()
        if remaining <= 0:
            break
        feed.poll()
        events = feed.after(cursor, min(feed.poll_s, remaining))
        for event in events:
            cursor = event.id
            if event.kind in kinds:
                quiet_since = monotonic()
                yield frame(event.kind, event.data, event.id)
        if monotonic() - quiet_since >= KEEPALIVE_S:
            quiet_since = monotonic()
            yield ": keep-alive\n\n"
    yield frame("bye", {"last": cursor})
