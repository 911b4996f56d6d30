"""The request journal: a capped ring buffer of what the gateway answered.

Each entry keeps, besides its summary (method, path, status, operation, app, latency,
scenario rules), the full request and response of the call for ``GET /_sandbox/requests/{id}``
(the console's detail view): headers, query and body, the bodies cut at
:data:`MAX_REQUEST_BODY` and :data:`MAX_RESPONSE_BODY` bytes (``truncated`` says so). Lists
(``GET /_sandbox/requests``, the event stream) carry the summaries only.

Under ``serve --state`` a :class:`Keeper` makes request ids continue after a restart (ids
are reserved in blocks of :data:`ID_BLOCK` in the state file, so a restart may skip up to a
block) and, with ``--state-journal``, keeps the entries in the file as well (a capped table,
read back at start-up).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from flask import Response, g, request
from werkzeug.exceptions import HTTPException

from sandbox.world.clock import monotonic

FILTERS = ("operation", "status", "app", "scenario")
DETAIL = ("request", "response")  # the keys only GET /_sandbox/requests/{id} shows
MAX_REQUEST_BODY = 16 * 1024  # bytes of a request body kept in its entry
MAX_RESPONSE_BODY = 32 * 1024  # bytes of a response body kept in its entry
MAX_HEADERS = 60
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in items:
        if len(kept) >= MAX_HEADERS:
            break
        kept[name] = f"{kept[name]}, {value}" if name in kept else value[:2000]
    return kept


def _body(data: bytes, limit: int) -> dict[str, Any]:
    """``{body, size, truncated}``: the text of ``data`` (UTF-8, undecodable bytes replaced)
    cut at ``limit`` bytes."""
    cut = data[:limit]
    text = cut.decode("utf-8", errors="ignore" if len(data) > limit else "replace")
    return {"body": text, "size": len(data), "truncated": len(data) > limit}


def request_detail() -> dict[str, Any]:
    """The current request as the journal keeps it: query string, headers, body (a form's
    fields, url-encoded again: the form parser has read the stream)."""
    detail: dict[str, Any] = {"query": request.query_string.decode("latin-1")[:MAX_REQUEST_BODY],
                              "headers": _headers(request.headers.items())}
    try:
        if request.mimetype in FORMS:
            data = urlencode(list(request.form.items(multi=True))).encode("utf-8")
        else:
            data = request.get_data(cache=True)
    except HTTPException:  # a body over the size limit, a client gone: no body kept
        detail.update(body=None, size=request.content_length or 0, truncated=True)
        return detail
    detail.update(_body(data, MAX_REQUEST_BODY))
    return detail


def response_detail(response: Response) -> dict[str, Any]:
    """The answer as the journal keeps it (no body for a streamed answer)."""
    detail: dict[str, Any] = {"status": response.status_code,
                              "headers": _headers(response.headers.items())}
    if response.is_streamed or response.direct_passthrough:
        detail.update(body=None, size=0, truncated=False)
    else:
        detail.update(_body(response.get_data(), MAX_RESPONSE_BODY))
    return detail


def summary(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry without its request and response (lists and the event stream)."""
    return {k: v for k, v in entry.items() if k not in DETAIL}


def entry(now: datetime, status: int, response: Response | None = None) -> dict[str, Any]:
    """The journal entry of the current request (status 0: the connection was reset, no
    ``response``)."""
    record = {
        "id": g.get("request_id"),
        "time": now.isoformat(),
        "method": request.method,
        "path": request.path,
        "status": status,
        "operationId": g.get("operation_id"),
        "app": g.get("app_name"),
        "latencyMs": round((monotonic() - g.get("started", monotonic())) * 1000, 3),
    }
    scenario = g.get("scenario")
    if scenario:
        record.update(scenario)
    record["request"] = request_detail()
    record["response"] = response_detail(response) if response is not None else None
    return record


def matches(entry: dict[str, Any], filters: dict[str, str]) -> bool:
    """``GET /_sandbox/requests`` filters: operation (glob-free id), status, app, scenario
    (a scenario that applied a rule to the call)."""
    for name, wanted in filters.items():
        if name == "scenario":
            if not any(t["scenario"] == wanted for t in entry.get("scenario", [])):
                return False
        elif name == "status":
            if str(entry["status"]) != wanted:
                return False
        elif str(entry.get({"operation": "operationId"}.get(name, name))) != wanted:
            return False
    return True


ID_BLOCK = 1000  # request ids reserved in the state file at a time


class Keeper(Protocol):
    """Where a journal keeps its ids and entries across restarts (the state file)."""

    def reserved(self) -> int:
        """The highest request number that may have been handed out (0: none)."""
        ...

    def reserve(self, upto: int) -> None: ...

    def load(self) -> list[dict[str, Any]]:
        """The kept entries, oldest first (none when entries are not kept)."""
        ...

    def append(self, number: int, entry: dict[str, Any]) -> None: ...


class Journal:
    def __init__(self, capacity: int = 1000, keeper: Keeper | None = None) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._counter = 0
        self._keeper = keeper
        self._reserved = 0
        self._reserving = threading.Lock()  # never held by a thread inside a transaction
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        if keeper is not None:
            self._counter = self._reserved = keeper.reserved()
            self._entries.extend(keeper.load())

    @property
    def capacity(self) -> int:
        return self._entries.maxlen or 0

    def next_id(self) -> str:
        """The next request id; under a keeper, only once its block is reserved in the file
        (the write happens outside the journal's lock: a thread inside a store transaction
        may need that lock to record a reset connection)."""
        with self._lock:
            self._counter += 1
            number = self._counter
        if self._keeper is not None:
            with self._reserving:
                if number > self._reserved:
                    self._reserved = number + ID_BLOCK - 1
                    self._keeper.reserve(self._reserved)
        return f"req-{number:010d}"

    def listen(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call ``listener`` with the summary of every entry recorded from now on (the event
        stream, ``GET /_sandbox/events``); it must be quick and must not raise."""
        self._listeners.append(listener)

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)
        for listener in self._listeners:
            listener(summary(entry))
        identifier = entry.get("id")
        if self._keeper is not None and isinstance(identifier, str) \
                and identifier.startswith("req-"):
            # outside the journal's lock: the caller may be inside a store transaction
            self._keeper.append(int(identifier[4:]), entry)

    def latest(self, limit: int, filters: dict[str, str] | None = None,
               since: str | None = None) -> list[dict[str, Any]]:
        """Newest first; only entries after request id ``since`` (ids sort in order)."""
        with self._lock:
            items = list(self._entries)
        found = []
        for item in reversed(items):
            if since is not None and str(item["id"]) <= since:
                continue
            if not filters or matches(item, filters):
                found.append(summary(item))
                if len(found) >= limit:
                    break
        return found

    def find(self, request_id: str) -> dict[str, Any] | None:
        """The whole entry of ``request_id`` (with its request and response), if still kept."""
        with self._lock:
            return next((dict(item) for item in reversed(self._entries)
                         if item.get("id") == request_id), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
