"""The Store protocol (sandbox/world/store.py): the same tests over MemoryStore and SQLiteStore,
and random operation sequences (hypothesis) that must give equal results on both."""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.world.sqlite_store import JournalFile, SQLiteStore, StateFileError
from sandbox.world.store import MemoryStore, Store, trim


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = MemoryStore() if request.param == "memory" \
        else SQLiteStore(tmp_path / "state.db")
    yield made
    made.close()


class Boom(Exception):
    """Raised inside transactions to roll them back."""


# ------------------------------------------------------------------------------ records
def test_get_put_delete_count(store: Store) -> None:
    assert store.get("token", "a") is None
    store.put("token", "a", {"n": 1})
    store.put("token", "b", {"n": 2})
    store.put("code", "a", {"n": 3})
    assert store.get("token", "a") == {"n": 1}
    assert (store.count("token"), store.count("code"), store.count("none")) == (2, 1, 0)
    assert store.counts() == {"code": 1, "token": 2}
    assert store.delete("token", "a") is True
    assert store.delete("token", "a") is False
    assert store.get("token", "a") is None
    assert store.count("token") == 1
    assert store.delete("code", "a") is True
    assert store.counts() == {"token": 1}  # kinds that hold any
    store.clear()
    assert (store.count("token"), store.count("code")) == (0, 0)
    assert store.scan("token") == []
    assert store.counts() == {}


def test_records_are_copied_in_and_out(store: Store) -> None:
    record: dict[str, Any] = {"rows": [{"qty": 1}]}
    store.put("chain", "k", record)
    record["rows"][0]["qty"] = 99
    found = store.get("chain", "k")
    assert found == {"rows": [{"qty": 1}]}
    assert found is not None
    found["rows"].append({"qty": 2})
    assert store.get("chain", "k") == {"rows": [{"qty": 1}]}
    assert store.scan("chain")[0][1] == {"rows": [{"qty": 1}]}


def test_records_come_back_as_json_carries_them(store: Store) -> None:
    store.put("x", "k", {"pair": (1, 2), "nested": {"3": "three"}, "text": "한글", "f": 0.5})
    assert store.get("x", "k") == {"pair": [1, 2], "nested": {"3": "three"}, "text": "한글",
                                   "f": 0.5}
    with pytest.raises(TypeError):
        store.put("x", "bad", {"when": object()})
    assert store.get("x", "bad") is None


def test_scan_keeps_insertion_order_prefix_and_limit(store: Store) -> None:
    for key in ("b|2", "a|1", "b|1", "c|1"):
        store.put("r", key, {"key": key})
    store.put("r", "a|1", {"key": "a|1", "again": True})  # an update keeps its place
    assert [k for k, _ in store.scan("r")] == ["b|2", "a|1", "b|1", "c|1"]
    store.delete("r", "b|2")
    store.put("r", "b|2", {"key": "b|2"})  # delete then put: at the end
    assert [k for k, _ in store.scan("r")] == ["a|1", "b|1", "c|1", "b|2"]
    assert [k for k, _ in store.scan("r", "b|")] == ["b|1", "b|2"]
    assert [k for k, _ in store.scan("r", limit=2)] == ["a|1", "b|1"]
    assert [k for k, _ in store.scan("r", "b|", limit=1)] == ["b|1"]
    assert store.scan("r", "z") == []
    assert store.scan("r", limit=0) == []


# ------------------------------------------------------------------------ transactions
def test_transaction_rolls_back_on_an_exception(store: Store) -> None:
    store.put("k", "kept", {"v": 1})
    with pytest.raises(Boom), store.transaction():
        store.put("k", "kept", {"v": 2})
        store.put("k", "new", {"v": 3})
        store.delete("k", "kept")
        raise Boom
    assert store.scan("k") == [("kept", {"v": 1})]
    assert store.count("k") == 1


def test_nested_transactions_are_savepoints(store: Store) -> None:
    with store.transaction():
        store.put("k", "outer", {"v": 1})
        with pytest.raises(Boom), store.transaction():
            store.put("k", "inner", {"v": 2})
            store.put("k", "outer", {"v": 9})
            raise Boom
        assert store.get("k", "outer") == {"v": 1}
        assert store.get("k", "inner") is None
        with store.transaction():
            store.put("k", "second", {"v": 3})
    assert [k for k, _ in store.scan("k")] == ["outer", "second"]


def test_an_outer_rollback_undoes_committed_inner_blocks(store: Store) -> None:
    with pytest.raises(Boom), store.transaction():
        with store.transaction():
            store.put("k", "inner", {"v": 1})
        raise Boom
    assert store.count("k") == 0


def test_a_rollback_puts_records_back_in_their_places(store: Store) -> None:
    for key in "abc":
        store.put("k", key, {"key": key})
    with pytest.raises(Boom), store.transaction():
        store.delete("k", "a")
        store.put("k", "a", {"key": "a", "moved": True})
        store.clear()
        raise Boom
    assert store.scan("k") == [("a", {"key": "a"}), ("b", {"key": "b"}), ("c", {"key": "c"})]


def test_clear_inside_a_transaction_is_undone_by_a_rollback(store: Store) -> None:
    store.put("k", "a", {})
    with pytest.raises(Boom), store.transaction():
        store.clear()
        assert store.count("k") == 0
        raise Boom
    assert store.count("k") == 1


def _blocked(action: Any) -> tuple[threading.Thread, list[Any]]:
    """Run ``action`` in a thread; (the thread, its results so far)."""
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(action()), daemon=True)
    thread.start()
    return thread, results


def test_a_transaction_isolates_its_writes_until_the_end(store: Store) -> None:
    store.put("k", "a", {"v": 1})
    with store.transaction():
        store.put("k", "a", {"v": 2})
        reader, seen = _blocked(lambda: store.get("k", "a"))
        reader.join(0.2)
        assert reader.is_alive() and seen == []  # readers wait for the commit
    reader.join(5)
    assert seen == [{"v": 2}]


def test_a_deferred_transaction_takes_the_lock_at_its_first_write(store: Store) -> None:
    store.put("k", "a", {"v": 1})
    with store.transaction(deferred=True):
        assert store.get("k", "a") == {"v": 1}
        writer, done = _blocked(lambda: store.put("k", "b", {"v": 2}))
        writer.join(5)
        assert done == [None]  # nothing held yet: another thread could write
        store.put("k", "a", {"v": 3})
        reader, seen = _blocked(lambda: store.get("k", "a"))
        reader.join(0.2)
        assert reader.is_alive() and seen == []
    reader.join(5)
    assert seen == [{"v": 3}]


def test_a_deferred_transaction_rolls_back_and_nests(store: Store) -> None:
    with pytest.raises(Boom), store.transaction(deferred=True):
        store.put("k", "a", {})
        with store.transaction(deferred=True):  # nested: a savepoint like any other
            store.put("k", "b", {})
        raise Boom
    assert store.count("k") == 0
    with store.transaction(deferred=True):
        with pytest.raises(Boom), store.transaction():
            store.put("k", "c", {})
            raise Boom
        store.put("k", "d", {})
    assert [k for k, _ in store.scan("k")] == ["d"]
    with store.transaction(deferred=True):
        pass  # nothing written: nothing to commit
    assert store.count("k") == 1


def test_concurrent_read_modify_writes_do_not_lose_updates(store: Store) -> None:
    store.put("counter", "n", {"n": 0})

    def bump() -> None:
        for _ in range(50):
            with store.transaction():
                found = store.get("counter", "n")
                assert found is not None
                store.put("counter", "n", {"n": found["n"] + 1})

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("counter", "n") == {"n": 200}


# ------------------------------------------------------------------------------- trim
def test_trim_forgets_the_oldest_beyond_the_cap_and_keeps_what_it_is_told(store: Store) -> None:
    store.put("token", "seeded", {"seeded": True})
    for n in range(30):
        store.put("token", f"t{n:02d}", {"n": n})
        trim(store, "token", 20, keep=lambda record: bool(record.get("seeded")))
        assert store.count("token") <= 20
    keys = [k for k, _ in store.scan("token")]
    assert keys[0] == "seeded" and keys[-1] == "t29"
    assert keys[1:] == sorted(keys[1:])  # what is left is the newest
    assert trim(store, "token", 100) == 0


# ------------------------------------------------------------------- equal behaviour
KINDS = st.sampled_from(["a", "b"])
KEYS = st.sampled_from(["k1", "k2", "k10", "k11", "x", "x|1", "x|2", "한"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),
    max_leaves=6)
RECORDS = st.dictionaries(st.text(max_size=4), JSON, max_size=4)
SIMPLE = st.one_of(
    st.tuples(st.just("put"), KINDS, KEYS, RECORDS),
    st.tuples(st.just("delete"), KINDS, KEYS),
    st.tuples(st.just("get"), KINDS, KEYS),
    st.tuples(st.just("scan"), KINDS, st.sampled_from(["", "k1", "x|", "z"]),
              st.none() | st.integers(0, 3)),
    st.tuples(st.just("count"), KINDS),
    st.just(("clear",)),
)
OPS = st.recursive(SIMPLE, lambda inner: st.tuples(
    st.just("tx"), st.lists(inner, max_size=5), st.booleans(), st.booleans()), max_leaves=25)


def _run(store: Store, ops: list[Any]) -> list[Any]:
    """Apply ``ops``; what every call answered (transactions: whether they raised)."""
    out: list[Any] = []
    for op in ops:
        name = op[0]
        if name == "put":
            store.put(op[1], op[2], op[3])
        elif name == "delete":
            out.append(store.delete(op[1], op[2]))
        elif name == "get":
            out.append(store.get(op[1], op[2]))
        elif name == "scan":
            out.append(store.scan(op[1], op[2], op[3]))
        elif name == "count":
            out.append(store.count(op[1]))
        elif name == "clear":
            store.clear()
        else:
            _, inner, fail, deferred = op
            try:
                with store.transaction(deferred=deferred):
                    out.append(_run(store, inner))
                    if fail:
                        raise Boom
            except Boom:
                out.append("rolled back")
    return out


def _final(store: Store) -> list[Any]:
    return [store.scan(kind) for kind in ("a", "b")] + [store.count(k) for k in ("a", "b")] + [
        store.counts()]


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[MemoryStore, SQLiteStore]]:
    with tempfile.TemporaryDirectory() as folder:
        sqlite_store = SQLiteStore(Path(folder) / "pair.db")
        yield MemoryStore(), sqlite_store
        sqlite_store.close()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, max_size=12))
def test_random_operations_give_equal_results(pair: tuple[MemoryStore, SQLiteStore],
                                              ops: list[Any]) -> None:
    memory, sqlite_store = pair
    memory.clear()
    sqlite_store.clear()
    assert _run(memory, ops) == _run(sqlite_store, ops)
    assert _final(memory) == _final(sqlite_store)


# ----------------------------------------------------------------------- SQLite only
def test_sqlite_keeps_everything_across_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = SQLiteStore(path)
    for key in ("z", "a", "m"):
        first.put("k", key, {"key": key})
    with pytest.raises(Boom), first.transaction():
        first.put("k", "lost", {})
        raise Boom
    first.close()
    again = SQLiteStore(path)
    assert [k for k, _ in again.scan("k")] == ["z", "a", "m"]
    assert again.count("k") == 3
    assert again.integrity() == "ok"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_sqlite_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, " * 100)
    with pytest.raises(StateFileError, match="not a usable sandbox state file"):
        SQLiteStore(path)
    with pytest.raises(ValueError):
        SQLiteStore(tmp_path / "x.db", synchronous="sometimes")


def test_the_journal_file_reserves_ids_and_keeps_the_newest_entries(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "state.db")
    journal = JournalFile(store, capacity=5, entries=True, trim_every=3)
    assert journal.reserved() == 0
    journal.reserve(1000)
    for n in range(1, 13):
        journal.append(n, {"id": f"req-{n:010d}"})
    assert journal.reserved() == 1000
    assert [e["id"] for e in journal.load()] == [f"req-{n:010d}" for n in range(8, 13)]
    assert journal.size() <= 5 + 3
    store.clear()  # a world reset leaves the journal alone
    assert len(journal.load()) == 5
    off = JournalFile(store, capacity=5, entries=False)
    off.append(99, {"id": "req-0000000099"})
    assert off.load() == [] and journal.size() <= 8
    store.close()


def test_one_process_per_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = SQLiteStore(path)
    with pytest.raises(StateFileError, match="another oppf-sandbox process"):
        SQLiteStore(path)
    first.close()
    SQLiteStore(path).close()
