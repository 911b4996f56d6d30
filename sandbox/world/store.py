"""The one interface behind which all mutable state lives.

Records are JSON-compatible dicts grouped by *kind* (``"token"``, ``"code"``, ``"consent"``, …)
and addressed by a string key, so a persistent implementation (SQLite, one file) can slot in
behind the same calls. Models wrap the records in typed helpers; nothing else touches state.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

Record = dict[str, Any]


class Store(Protocol):
    def get(self, kind: str, key: str) -> Record | None: ...

    def put(self, kind: str, key: str, record: Record) -> None: ...

    def delete(self, kind: str, key: str) -> bool: ...

    def scan(self, kind: str) -> list[tuple[str, Record]]: ...

    def count(self, kind: str) -> int: ...

    def clear(self) -> None: ...

    def transaction(self) -> Any:
        """A context manager: the calls inside it are applied atomically."""
        ...


class MemoryStore:
    """In-memory store: a dict of dicts under one re-entrant lock.

    Records are copied in and out so a caller can never mutate stored state by accident.
    """

    def __init__(self) -> None:
        self._data: dict[str, dict[str, Record]] = {}
        self._lock = threading.RLock()
        self._undo: dict[tuple[str, str], Record | None] | None = None

    def _remember(self, kind: str, key: str) -> None:
        if self._undo is not None and (kind, key) not in self._undo:
            self._undo[(kind, key)] = self._data.get(kind, {}).get(key)

    def get(self, kind: str, key: str) -> Record | None:
        with self._lock:
            record = self._data.get(kind, {}).get(key)
            return copy.deepcopy(record) if record is not None else None

    def put(self, kind: str, key: str, record: Record) -> None:
        with self._lock:
            self._remember(kind, key)
            self._data.setdefault(kind, {})[key] = copy.deepcopy(record)

    def delete(self, kind: str, key: str) -> bool:
        with self._lock:
            self._remember(kind, key)
            return self._data.get(kind, {}).pop(key, None) is not None

    def scan(self, kind: str) -> list[tuple[str, Record]]:
        with self._lock:
            return [(k, copy.deepcopy(v)) for k, v in self._data.get(kind, {}).items()]

    def count(self, kind: str) -> int:
        with self._lock:
            return len(self._data.get(kind, {}))

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    @contextmanager
    def transaction(self) -> Iterator[MemoryStore]:
        """Hold the lock for a read-modify-write; on an exception the changes are rolled back."""
        with self._lock:
            outer = self._undo
            if outer is None:
                self._undo = {}
            try:
                yield self
            except BaseException:
                if outer is None:
                    self._rollback()
                raise
            finally:
                if outer is None:
                    self._undo = None

    def _rollback(self) -> None:
        assert self._undo is not None
        for (kind, key), previous in self._undo.items():
            if previous is None:
                self._data.get(kind, {}).pop(key, None)
            else:
                self._data.setdefault(kind, {})[key] = previous
