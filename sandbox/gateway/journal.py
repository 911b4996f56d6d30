"""The request journal: a capped ring buffer of what the gateway answered."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime
from typing import Any

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


class Journal:
    def __init__(self, capacity: int = 1000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._counter = 0

    @property
    def capacity(self) -> int:
        return self._entries.maxlen or 0

    def next_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"req-{self._counter:010d}"

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

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
