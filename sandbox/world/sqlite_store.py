"""The world's store in one SQLite file (``serve --state FILE``): the same semantics as
:class:`~sandbox.world.store.MemoryStore`, kept on disk so a restart finds the world again.

Layout (stdlib :mod:`sqlite3`):

* ``record(seq INTEGER PRIMARY KEY, kind, key, value)`` with ``UNIQUE(kind, key)``: one row
  per record, ``value`` its JSON text, ``seq`` (the rowid) the insertion order that
  :meth:`scan` follows (an upsert keeps it; a new row takes the next number);
* ``record_count(kind, n)``: rows per kind, kept by triggers in the same transactions, so
  :meth:`count` costs one lookup instead of an index walk;
* ``journal(seq, entry)`` and ``sandbox(name, value)``: the request journal
  (``--state-journal``) and the request-id high-water mark (:class:`JournalFile`); a world
  reset leaves them alone.

Durability: WAL journal with ``synchronous=NORMAL``. A commit appends the transaction to the
WAL with ``write()`` before :meth:`transaction` returns; what the process has written survives
the process (``kill -9`` included) because it is in the operating system's page cache, and
SQLite recovers the WAL at the next open. Only a power loss or an OS crash can lose the last
commits (never corrupt the file); ``synchronous=FULL`` (``--state-sync full``) adds an fsync
per commit for that, at a few milliseconds per write on an ordinary disk.

Threads: one connection, used under the store's re-entrant lock (the server is one process
with many threads). A transaction holds the lock from its first write to its end, so no other
thread sees a half-done request; reads outside a transaction take the lock for one statement.
``busy_timeout`` covers another process reading the file (``sqlite3`` in a shell). One server
per file: the store holds an exclusive lock on ``FILE.lock`` while it is open (a second server
is refused at start-up; the lock goes with the process, ``kill -9`` included).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock
    fcntl = None  # type: ignore[assignment]

from sandbox.world.store import Record, Transactions, decode, encode

SYNCHRONOUS = ("normal", "full")
BUSY_TIMEOUT_MS = 10_000
_TOP = "\U0010ffff"  # sorts after every character: the end of a key prefix range

_SCHEMA = """
CREATE TABLE IF NOT EXISTS record (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (kind, key)
);
CREATE INDEX IF NOT EXISTS record_kind_seq ON record (kind, seq);
CREATE TABLE IF NOT EXISTS record_count (kind TEXT PRIMARY KEY, n INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS record_added AFTER INSERT ON record BEGIN
    INSERT INTO record_count (kind, n) VALUES (new.kind, 1)
        ON CONFLICT (kind) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS record_removed AFTER DELETE ON record BEGIN
    UPDATE record_count SET n = n - 1 WHERE kind = old.kind;
END;
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sandbox (name TEXT PRIMARY KEY, value TEXT NOT NULL)
    WITHOUT ROWID;
"""


class StateFileError(Exception):
    """The state file cannot be used (not SQLite, damaged, locked, unwritable)."""


class SQLiteStore(Transactions):
    """The :class:`~sandbox.world.store.Store` protocol over one SQLite file."""

    def __init__(self, path: str | Path, synchronous: str = "normal") -> None:
        super().__init__()
        if synchronous not in SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}")
        self.path = Path(path)
        self._held = self._hold(self.path)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None,
                                         check_same_thread=False,
                                         timeout=BUSY_TIMEOUT_MS / 1000)
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StateFileError(f"{self.path}: cannot use a WAL journal (got {mode})")
            self._conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._release_hold()
            raise StateFileError(f"{self.path}: not a usable sandbox state file ({exc})") \
                from None
        except BaseException:
            self._release_hold()
            raise

    @staticmethod
    def _hold(path: Path) -> IO[bytes] | None:
        """The exclusive lock on ``FILE.lock`` (one server per state file)."""
        if fcntl is None:
            return None
        try:
            handle = open(f"{path}.lock", "ab")  # noqa: SIM115 - held until close()
        except OSError as exc:
            raise StateFileError(f"{path}: cannot create its lock file ({exc})") from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StateFileError(f"{path}: another oppf-sandbox process is using this state "
                                 f"file") from None
        return handle

    def _release_hold(self) -> None:
        if self._held is not None:
            self._held.close()  # closing the file releases the lock
            self._held = None

    # ----------------------------------------------------------------------- records
    def get(self, kind: str, key: str) -> Record | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM record WHERE kind = ? AND key = ?",
                                     (kind, key)).fetchone()
        return decode(row[0]) if row is not None else None

    def put(self, kind: str, key: str, record: Record) -> None:
        text = encode(record)
        self._writing()
        with self._lock:
            self._conn.execute(
                "INSERT INTO record (kind, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
                (kind, key, text))

    def delete(self, kind: str, key: str) -> bool:
        self._writing()
        with self._lock:
            cursor = self._conn.execute("DELETE FROM record WHERE kind = ? AND key = ?",
                                        (kind, key))
            return cursor.rowcount > 0

    def scan(self, kind: str, prefix: str = "",
             limit: int | None = None) -> list[tuple[str, Record]]:
        sql = "SELECT key, value FROM record WHERE kind = ?"
        params: list[Any] = [kind]
        if prefix:
            sql += " AND key >= ? AND key < ?"
            params += [prefix, prefix + _TOP]
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, limit))
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [(key, decode(value)) for key, value in rows]

    def count(self, kind: str) -> int:
        with self._lock:
            row = self._conn.execute("SELECT n FROM record_count WHERE kind = ?",
                                     (kind,)).fetchone()
        return int(row[0]) if row is not None else 0

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT kind, n FROM record_count WHERE n > 0 ORDER BY kind").fetchall()
        return {str(kind): int(n) for kind, n in rows}

    def clear(self) -> None:
        self._writing()
        with self._lock:
            if self.in_transaction():
                self._conn.execute("DELETE FROM record")
                self._conn.execute("DELETE FROM record_count")
            else:
                with self.transaction():
                    self.clear()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._release_hold()

    # ------------------------------------------------------------------ transactions
    def _begin(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def _savepoint(self, depth: int) -> None:
        self._conn.execute(f"SAVEPOINT s{depth}")

    def _release(self, depth: int) -> None:
        self._conn.execute(f"RELEASE s{depth}")

    def _rollback_to(self, depth: int) -> None:
        self._conn.execute(f"ROLLBACK TO s{depth}")
        self._conn.execute(f"RELEASE s{depth}")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    # ----------------------------------------------------------------------- checks
    def integrity(self) -> str:
        """``PRAGMA integrity_check``: ``"ok"`` for a sound file."""
        with self._lock:
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(row[0]) for row in rows)

    # --------------------------------------------------------------- side tables
    def setting(self, name: str) -> str | None:
        """A value of the ``sandbox`` table (outside the world's records)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM sandbox WHERE name = ?",
                                     (name,)).fetchone()
        return str(row[0]) if row is not None else None

    def set_setting(self, name: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO sandbox (name, value) VALUES (?, ?) "
                               "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                               (name, value))


class JournalFile:
    """The journal's :class:`~sandbox.gateway.journal.Keeper` in the state file: the
    request-id high-water mark (always) and, with ``entries`` (``--state-journal``), one row
    per entry numbered by its request id, trimmed to ``capacity`` every ``trim_every``
    entries."""

    def __init__(self, store: SQLiteStore, capacity: int, entries: bool,
                 trim_every: int = 100) -> None:
        self.store, self.capacity, self.entries = store, capacity, entries
        self.trim_every = trim_every
        self._added = 0

    def reserved(self) -> int:
        return int(self.store.setting("request_ids") or 0)

    def reserve(self, upto: int) -> None:
        self.store.set_setting("request_ids", str(upto))

    def load(self) -> list[dict[str, Any]]:
        """The newest ``capacity`` entries, oldest first."""
        if not self.entries:
            return []
        with self.store._lock:
            rows = self.store._conn.execute(
                "SELECT entry FROM journal ORDER BY seq DESC LIMIT ?",
                (self.capacity,)).fetchall()
        return [decode(row[0]) for row in reversed(rows)]

    def append(self, number: int, entry: dict[str, Any]) -> None:
        if not self.entries:
            return
        text = encode(entry)
        with self.store._lock:
            self.store._conn.execute(
                "INSERT INTO journal (seq, entry) VALUES (?, ?) "
                "ON CONFLICT (seq) DO UPDATE SET entry = excluded.entry", (number, text))
            self._added += 1
            if self._added % self.trim_every == 0:
                self.store._conn.execute(
                    "DELETE FROM journal WHERE seq <= (SELECT MAX(seq) FROM journal) - ?",
                    (self.capacity,))

    def size(self) -> int:
        """Rows in the journal table (at most ``capacity`` + ``trim_every``)."""
        with self.store._lock:
            row = self.store._conn.execute("SELECT COUNT(*) FROM journal").fetchone()
        return int(row[0])
