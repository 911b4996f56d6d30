"""The request journal: a capped ring buffer of what the gateway answered."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


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

    def latest(self, limit: int) -> list[dict[str, Any]]:
        """Newest first."""
        with self._lock:
            items = list(self._entries)
        return items[::-1][:limit]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
