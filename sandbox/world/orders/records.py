"""Where the order service keeps its state: JSON records in the world's store (so persistence can
slot in behind the same calls), under one store transaction per operation.

* ``order_chain`` ``com|YYYYMMDD|root clOrdID``: an order and everything that happened to it —
  its live terms (``ordType``, ``price``, total ``orderQty``), FIX state (``ordStatus``,
  ``cumQty``, ``avgPx``, ``leavesQty``) and its rows (the original order, each modify and
  the cancel: what ``orderdetail`` shows, with their executions);
* ``order_clordid`` ``com|YYYYMMDD|clOrdID``: every clOrdID of the day → its chain (FIX
  clOrdIDs are unique per institution per trading day, ERRATA 6);
* ``order_counter``: broker order numbers (per broker per day), execution numbers (per account
  per day) and report sequence numbers (per institution per day);
* ``order_report`` ``com|YYYYMMDD|seqNo``: every pushed message, for delivery and resend.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.world.world import World

CHAIN, CLORD, COUNTER, REPORT = "order_chain", "order_clordid", "order_counter", "order_report"
Record = dict[str, Any]


def ymd(day: date) -> str:
    return f"{day:%Y%m%d}"


def next_number(world: World, what: str, *scope: str) -> int:
    """1, 2, 3 … per ``what`` and scope (call inside the operation's store transaction)."""
    key = "|".join((what, *scope))
    found = world.store.get(COUNTER, key)
    n = (found or {"n": 0})["n"] + 1
    world.store.put(COUNTER, key, {"n": n})
    return int(n)


def chain_key(com_id: str, day: date, cl_ord_id: str) -> str:
    return f"{com_id}|{ymd(day)}|{cl_ord_id}"


def find_chain(world: World, com_id: str, day: date, cl_ord_id: str) -> Record | None:
    """The chain a clOrdID of the day belongs to (any clOrdID of the chain)."""
    index = world.store.get(CLORD, chain_key(com_id, day, cl_ord_id))
    return None if index is None else world.store.get(CHAIN, index["chain"])


def save_chain(world: World, chain: Record) -> None:
    world.store.put(CHAIN, chain["key"], chain)


def index_cl_ord_id(world: World, com_id: str, day: date, cl_ord_id: str, chain: Record) -> None:
    world.store.put(CLORD, chain_key(com_id, day, cl_ord_id), {"chain": chain["key"]})


def chains(world: World, com_id: str | None = None) -> list[Record]:
    """Every chain (of one institution), oldest first."""
    found = [r for _, r in world.store.scan(CHAIN) if com_id is None or r["com"] == com_id]
    return sorted(found, key=lambda r: (r["rows"][0]["at"], r["key"]))


# Wakes the execution-report channel when a message is stored (process-wide; the channel then
# reads the store, so a missed or spurious wake-up costs nothing).
PUBLISHED = threading.Condition()


def save_report(world: World, com_id: str, day: date, message: Record) -> None:
    world.store.put(REPORT, f"{com_id}|{ymd(day)}|{message['seqNo']:08d}", message)
    with PUBLISHED:
        PUBLISHED.notify_all()


def wait_for_messages(timeout: float) -> None:
    """Block until a message is stored or ``timeout`` seconds pass."""
    with PUBLISHED:
        PUBLISHED.wait(timeout)


def reports(world: World, com_id: str, day: date, first: int = 1, last: int = 0) -> list[Record]:
    """The institution's messages of ``day`` with ``first`` <= seqNo <= ``last`` (0: latest)."""
    prefix = f"{com_id}|{ymd(day)}|"
    found = [r for k, r in world.store.scan(REPORT) if k.startswith(prefix)
             and r["seqNo"] >= first and (last == 0 or r["seqNo"] <= last)]
    return sorted(found, key=lambda r: int(r["seqNo"]))
