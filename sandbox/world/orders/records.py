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
* ``order_report`` ``com|YYYYMMDD|seqNo``: every pushed message, for delivery and resend;
* indexes kept by :func:`save_chain`, so no operation scans every order of the day:
  ``order_desk`` ``com`` (the live chains and the trading days with orders),
  ``order_account`` ``com|broker|accNo`` (the account's first order instant and its number
  of fills), ``order_fill`` ``com|broker|accNo|n`` (the account's n-th fill, 1-based, in the
  order they were stored: what its books replay, read from where a cached book stopped) and
  ``order_row`` ``com|broker|accNo|YYYYMMDD|n`` (the n-th order row of the account dated that
  day — a new order, a modify, a cancel —: its chain, row number, instant, side and issue: what
  ``orderdetail`` pages through before it reads the page's chains) and ``order_account_chain``
  ``com|broker|accNo|chain key`` (how many of the chain's fills and rows are logged). Every
  record an order touches stays the same size whatever number of orders and fills the account
  had before, and the readers of the logs keep what they folded (:func:`cached_log`).

Bounded by ``world.limits`` (``orders`` chains, ``order_messages`` messages): an order request
beyond them is refused with 503 before anything is stored (:func:`engine._room`); nothing an
institution was acknowledged is ever dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from sandbox.world.world import World

CHAIN, CLORD, COUNTER, REPORT = "order_chain", "order_clordid", "order_counter", "order_report"
DESK, ACCOUNT = "order_desk", "order_account"  # indexes kept by save_chain
ACCOUNT_CHAIN, FILL, ROW = "order_account_chain", "order_fill", "order_row"
Record = dict[str, Any]
T = TypeVar("T")


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
    """Store a chain and keep the institution's and the account's indexes in step."""
    store, key = world.store, chain["key"]
    store.put(CHAIN, key, chain)
    desk = store.get(DESK, chain["com"]) or {"live": [], "days": []}
    live = [k for k in desk["live"] if k != key]
    if chain["ordStatus"] in ("0", "1"):
        live.append(key)
    days = desk["days"] if chain["day"] in desk["days"] else [*desk["days"], chain["day"]]
    store.put(DESK, chain["com"], {"live": live, "days": days})
    account_key = f"{chain['com']}|{chain['broker']}|{chain['account']}"
    # a chain's fills only ever grow at the end (new fills go to its newest row)
    fills = [[fill["at"], chain["securityID"], chain["side"], fill["qty"], fill["px"]]
             for row in chain["rows"] for fill in row["fills"]]
    account = store.get(ACCOUNT, account_key) or {"first": chain["rows"][0]["at"], "fills": 0}
    entry = store.get(ACCOUNT_CHAIN, f"{account_key}|{key}") or {"fills": 0, "rows": 0}
    for fill in fills[entry["fills"]:]:
        account["fills"] += 1
        store.put(FILL, f"{account_key}|{account['fills']:08d}", {"fill": fill})
    for number, row in enumerate(chain["rows"][entry["rows"]:], start=entry["rows"]):
        day = row["at"][:10].replace("-", "")
        n = next_number(world, "rows", account_key, day)
        store.put(ROW, f"{account_key}|{day}|{n:08d}", {
            "chain": key, "row": number, "at": row["at"], "side": chain["side"],
            "isin": chain["securityID"]})
    if (entry["fills"], entry["rows"]) != (len(fills), len(chain["rows"])):
        store.put(ACCOUNT, account_key, account)
        store.put(ACCOUNT_CHAIN, f"{account_key}|{key}",
                  {"fills": len(fills), "rows": len(chain["rows"])})


def live_chains(world: World, com_id: str) -> list[Record]:
    """The institution's orders that are still working (new or partially filled)."""
    desk = world.store.get(DESK, com_id) or {"live": []}
    found = [world.store.get(CHAIN, key) for key in desk["live"]]
    return [chain for chain in found if chain is not None]


def order_days(world: World, com_id: str) -> list[str]:
    """The trading days (YYYYMMDD) on which the institution placed orders, newest first."""
    return sorted((world.store.get(DESK, com_id) or {"days": []})["days"], reverse=True)


def account_orders(world: World, com_id: str, broker: str, acc_no: str) -> Record | None:
    """``{"first": ISO instant of the first order, "fills": number of fills}`` of an account,
    or None when it never had an order."""
    return world.store.get(ACCOUNT, f"{com_id}|{broker}|{acc_no}")


def account_fills(world: World, com_id: str, broker: str, acc_no: str, start: int,
                  end: int) -> list[list[Any]]:
    """The account's fills ``start + 1`` … ``end`` (1-based, in the order stored) as
    ``[at, isin, side, qty, px]``."""
    prefix = f"{com_id}|{broker}|{acc_no}|"
    found = [world.store.get(FILL, f"{prefix}{n:08d}") for n in range(start + 1, end + 1)]
    return [record["fill"] for record in found if record is not None]


def account_rows(world: World, com_id: str, broker: str, acc_no: str,
                 day: date) -> list[Record]:
    """The account's order rows dated ``day`` (``{"chain", "row", "at", "side", "isin"}``),
    by instant, then in the order they were made. Shared: callers never change them."""
    head = f"{com_id}|{broker}|{acc_no}|{ymd(day)}"
    count = int((world.store.get(COUNTER, f"rows|{head}") or {"n": 0})["n"])

    def read(start: int, end: int) -> list[Record]:
        found = [world.store.get(ROW, f"{head}|{n:08d}") for n in range(start + 1, end + 1)]
        return [record for record in found if record is not None]

    def fold(rows: list[Record] | None, new: list[Record]) -> list[Record]:
        new = sorted(new, key=_instant)
        if rows and new and _instant(new[0]) < _instant(rows[-1]):  # the clock was set back
            return sorted([*rows, *new], key=_instant)
        return [*(rows or []), *new]

    return cached_log(world, (ROW, head), count, read, fold)


def _instant(row: Record) -> datetime:
    return datetime.fromisoformat(row["at"])


_derived_lock = threading.Lock()


def cached_log(world: World, slot: tuple[str, ...], count: int,
               read: Callable[[int, int], list[Any]],
               fold: Callable[[T | None, list[Any]], T]) -> T:
    """``fold`` over the first ``count`` entries of an append-only log (``read(start, end)``
    gives entries ``start + 1`` … ``end``), kept in ``world.derived[slot]`` and extended by the
    entries stored since, so a reader costs the same whatever the log's length. Rebuilt when
    the newest entry it holds is no longer the stored one (a rolled-back request)."""
    with _derived_lock:
        cached = world.derived.get(slot)
    if cached is not None and cached[0] <= count and (
            cached[0] == 0 or read(cached[0] - 1, cached[0]) == [cached[1]]):
        if cached[0] == count:
            return cast(T, cached[2])
        new = read(cached[0], count)
        value, last = fold(cached[2], new), new[-1] if new else cached[1]
    else:
        new = read(0, count)
        value, last = fold(None, new), new[-1] if new else None
    with _derived_lock:
        world.derived[slot] = (count, last, value)
    return value


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


def latest_seq(world: World, com_id: str, day: date) -> int:
    """The seqNo of the institution's latest message of ``day`` (0: none yet)."""
    found = world.store.get(COUNTER, f"seq|{com_id}|{ymd(day)}")
    return int(found["n"]) if found is not None else 0


def reports(world: World, com_id: str, day: date, first: int = 1, last: int = 0) -> list[Record]:
    """The institution's messages of ``day`` with ``first`` <= seqNo <= ``last`` (0: latest),
    by seqNo (read one by one: seqNos are numbered 1, 2, 3 … per institution and day)."""
    end = latest_seq(world, com_id, day)
    found = [world.store.get(REPORT, f"{com_id}|{ymd(day)}|{n:08d}")
             for n in range(max(first, 1), (min(last, end) if last else end) + 1)]
    return [r for r in found if r is not None]
