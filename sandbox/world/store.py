"""The one interface behind which all mutable state lives.

Records are JSON-compatible dicts grouped by *kind* (``"token"``, ``"code"``, ``"consent"``, …)
and addressed by a string key. Two implementations keep the same semantics: :class:`MemoryStore`
(the default) and :class:`~sandbox.world.sqlite_store.SQLiteStore` (``serve --state FILE``).
Models wrap the records in typed helpers; nothing else touches state.

Semantics shared by both (``tests/test_store.py`` runs the same tests over both):

* records are copied in and out as JSON text: a caller can never mutate stored state by
  accident, and what comes back is what JSON can carry (tuples come back as lists, keys of
  nested dicts as strings); a record JSON cannot encode is refused (``TypeError``);
* :meth:`Store.scan` lists a kind in insertion order (a put on an existing key keeps its
  place; delete then put moves it to the end), optionally only the keys with a ``prefix``
  and only the first ``limit``;
* :meth:`Store.transaction` applies the calls inside it atomically and in isolation: it
  holds the store's lock (other threads wait, also to read) and, on an exception, rolls back
  what it wrote. Nested transactions are savepoints: an inner block that raises undoes only
  its own writes; everything is committed at the outermost exit;
* ``transaction(deferred=True)`` (one per request, :mod:`sandbox.gateway.pipeline`) takes
  the lock at its first write or first nested transaction, like SQLite's ``BEGIN DEFERRED``:
  a request that only reads never waits for others nor makes them wait;
* a write outside any transaction is a transaction of its own.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

Record = dict[str, Any]


class Store(Protocol):
    def get(self, kind: str, key: str) -> Record | None: ...

    def put(self, kind: str, key: str, record: Record) -> None: ...

    def delete(self, kind: str, key: str) -> bool: ...

    def scan(self, kind: str, prefix: str = "",
             limit: int | None = None) -> list[tuple[str, Record]]: ...

    def count(self, kind: str) -> int: ...

    def counts(self) -> dict[str, int]:
        """Records per kind (kinds that hold any), by kind name."""
        ...

    def clear(self) -> None: ...

    def transaction(self, deferred: bool = False) -> Any:
        """A context manager: the calls inside it are applied atomically (see the module)."""
        ...

    def close(self) -> None: ...


class CapacityError(Exception):
    """A kind that holds what users expect to keep (orders, custom users, market events) is
    full: the request that would add one more is refused (the gateway answers 503 with this
    text). Nothing stored is ever dropped to make room."""

    def __init__(self, what: str, cap: int, option: str) -> None:
        super().__init__(f"the sandbox holds its maximum of {cap} {what} (--cap {option}=N); "
                         f"reset the world (POST /_sandbox/reset) or raise the cap")
        self.what, self.cap, self.option = what, cap, option


def encode(record: Record) -> str:
    """The stored form of a record (compact JSON text)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Record:
    value: Record = json.loads(text)
    return value


def trim(store: Store, kind: str, cap: int, keep: Callable[[Record], bool] | None = None,
         slack: float = 0.1) -> int:
    """Forget the oldest records of an ephemeral ``kind`` (tokens, codes) once it holds more
    than ``cap``: down to ``cap`` less ``slack`` of it, so the work is amortised over the
    following writes; records ``keep`` says yes to stay (pre-seeded grants). Returns how many
    went. Call inside the transaction that added the record."""
    excess = store.count(kind) - cap
    if excess <= 0:
        return 0
    target = excess + int(cap * slack)
    removed = 0
    for key, record in store.scan(kind, limit=target + 64):
        if removed >= target:
            break
        if keep is not None and keep(record):
            continue
        store.delete(kind, key)
        removed += 1
    return removed


class Transactions:
    """The locking and nesting shared by the stores: one re-entrant lock, savepoints per
    nesting level, deferred outermost transactions. Subclasses say what begin, savepoint,
    release, commit and roll back mean for their data."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._local = threading.local()

    # ------------------------------------------------------------- implementation hooks
    def _begin(self) -> None:
        raise NotImplementedError

    def _savepoint(self, depth: int) -> None:
        raise NotImplementedError

    def _release(self, depth: int) -> None:
        raise NotImplementedError

    def _rollback_to(self, depth: int) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------------ nesting
    def _depth(self) -> int:
        return int(getattr(self._local, "depth", 0))

    def _writing(self) -> None:
        """Before a write (or a nested transaction): this thread's pending deferred
        transaction begins now (the lock is held until its end)."""
        local = self._local
        if getattr(local, "pending", False):
            self._lock.acquire()
            local.pending, local.began, local.depth = False, True, 1
            try:
                self._begin()
            except BaseException:
                local.began, local.depth = False, 0
                self._lock.release()
                raise

    def in_transaction(self) -> bool:
        """True while this thread is inside a transaction that has begun."""
        return self._depth() > 0

    @contextmanager
    def transaction(self, deferred: bool = False) -> Iterator[Any]:
        local = self._local
        if deferred and (getattr(local, "pending", False) or self._depth() == 0):
            if getattr(local, "pending", False):
                yield self  # inside a pending deferred transaction: nothing to add
                return
            yield from self._deferred()
            return
        self._writing()
        with self._lock:
            depth = local.depth = self._depth() + 1
            try:
                if depth == 1:
                    self._begin()
                else:
                    self._savepoint(depth)
            except BaseException:
                local.depth = depth - 1
                raise
            try:
                yield self
            except BaseException:
                try:
                    self._rollback() if depth == 1 else self._rollback_to(depth)
                finally:
                    local.depth = depth - 1
                raise
            try:
                self._commit() if depth == 1 else self._release(depth)
            except BaseException:
                if depth == 1:
                    self._rollback()
                raise
            finally:
                local.depth = depth - 1

    def _deferred(self) -> Iterator[Any]:
        local = self._local
        local.pending, local.began = True, False
        try:
            yield self
        except BaseException:
            if local.began:
                self._rollback()
            raise
        else:
            if local.began:
                try:
                    self._commit()
                except BaseException:
                    self._rollback()
                    raise
        finally:
            began = local.began
            local.pending, local.began, local.depth = False, False, 0
            if began:
                self._lock.release()


class MemoryStore(Transactions):
    """In-memory store: per kind, a dict of key → (insertion number, JSON text) under one
    re-entrant lock; an undo log (kind, key, previous entry) for rollbacks, with one mark per
    savepoint. A rollback puts records back in their places."""

    def __init__(self) -> None:
        super().__init__()
        self._data: dict[str, dict[str, tuple[int, str]]] = {}
        self._numbers = itertools.count(1)
        self._undo: list[tuple[str, str, tuple[int, str] | None]] | None = None
        self._marks: list[int] = []

    def _remember(self, kind: str, key: str) -> None:
        if self._undo is not None:
            self._undo.append((kind, key, self._data.get(kind, {}).get(key)))

    def get(self, kind: str, key: str) -> Record | None:
        with self._lock:
            entry = self._data.get(kind, {}).get(key)
        return decode(entry[1]) if entry is not None else None

    def put(self, kind: str, key: str, record: Record) -> None:
        text = encode(record)
        self._writing()
        with self._lock:
            self._remember(kind, key)
            records = self._data.setdefault(kind, {})
            found = records.get(key)
            records[key] = (found[0] if found else next(self._numbers), text)

    def delete(self, kind: str, key: str) -> bool:
        self._writing()
        with self._lock:
            if key not in self._data.get(kind, {}):
                return False
            self._remember(kind, key)
            del self._data[kind][key]
            return True

    def scan(self, kind: str, prefix: str = "",
             limit: int | None = None) -> list[tuple[str, Record]]:
        with self._lock:
            items = self._data.get(kind, {}).items()
            found = ((k, v) for k, v in items if k.startswith(prefix)) if prefix else iter(items)
            entries = list(itertools.islice(found, limit))
        return [(k, decode(v[1])) for k, v in entries]

    def count(self, kind: str) -> int:
        with self._lock:
            return len(self._data.get(kind, {}))

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {kind: len(records) for kind, records in sorted(self._data.items())
                    if records}

    def clear(self) -> None:
        self._writing()
        with self._lock:
            for kind, records in self._data.items():
                for key in records:
                    self._remember(kind, key)
            self._data.clear()

    def close(self) -> None:
        """Nothing to release (the protocol's hook for files)."""

    # ------------------------------------------------------------------ transactions
    def _begin(self) -> None:
        self._undo, self._marks = [], []

    def _savepoint(self, depth: int) -> None:
        assert self._undo is not None
        self._marks.append(len(self._undo))

    def _release(self, depth: int) -> None:
        self._marks.pop()

    def _rollback_to(self, depth: int) -> None:
        self._undo_to(self._marks.pop())

    def _commit(self) -> None:
        self._undo, self._marks = None, []

    def _rollback(self) -> None:
        self._undo_to(0)
        self._undo, self._marks = None, []

    def _undo_to(self, mark: int) -> None:
        assert self._undo is not None
        touched = set()
        while len(self._undo) > mark:
            kind, key, previous = self._undo.pop()
            touched.add(kind)
            if previous is None:
                self._data.get(kind, {}).pop(key, None)
            else:
                self._data.setdefault(kind, {})[key] = previous
        for kind in touched:  # back in insertion order
            records = self._data.get(kind, {})
            self._data[kind] = dict(sorted(records.items(), key=lambda item: item[1][0]))
