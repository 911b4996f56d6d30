"""The request journal: a capped ring buffer of what the gateway answered.

Under ``serve --state`` a :class:`Keeper` makes request ids continue after a restart (ids
are reserved in blocks of :data:`ID_BLOCK` in the state file, so a restart may skip up to a
block) and, with ``--state-journal``, keeps the entries in the file as well (a capped table,
read back at start-up).
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime
from typing import Any, Protocol

from flask import g, request

from sandbox.world.clock import monotonic

FILTERS = ("operation", "status", "app", "scenario")


def entry(now: datetime, status: int) -> dict[str, Any]:
    """The journal entry of the current request (status 0: the connection was reset)."""
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

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)
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
                found.append(item)
                if len(found) >= limit:
                    break
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
