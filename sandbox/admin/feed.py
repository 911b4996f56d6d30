"""The admin event feed behind ``GET /_sandbox/events`` (the console's live parts).

A bounded ring of numbered events, newest last, that every open event stream reads from its
own cursor (the SSE ``id``; a client that reconnects with ``Last-Event-ID`` misses nothing the
ring still holds). Four kinds:

* ``journal``: every request the journal records, as its summary (pushed by
  :meth:`sandbox.gateway.journal.Journal.listen` the moment it is recorded);
* ``order``: every message the order service stores (execution reports, cancel rejects),
  ``{comId, date, message}``, the message exactly as ``GET /_sandbox/orders/{comId}`` shows it;
* ``clock``: the clock after a set, advance or speed change (``GET /_sandbox/clock``'s body);
* ``reset``: the world was rebuilt (``{seed, clock}``).

Orders, the clock and resets have no push hook: :meth:`Feed.poll` compares them with what it
saw last, at most every :attr:`Feed.poll_s` seconds, while a stream is open. It only reads the
world (through the functions of the admin API): resting orders catch up with a running clock
when something reads them (``GET /_sandbox/orders/{comId}``, an order call, the STOMP channel),
as everywhere else in the emulator.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.admin.models import clock_view
from sandbox.world.clock import monotonic
from sandbox.world.market import calendar as cal
from sandbox.world.orders import records

if TYPE_CHECKING:
    from sandbox.world.world import World

KINDS = ("journal", "order", "clock", "reset")
CAPACITY = 1000  # events kept for reconnecting clients
MAX_STREAMS = 8  # open streams (each holds a server thread under gthread)
ORDER_DAYS = 2  # the most recent order days of an institution watched for new messages


@dataclass(frozen=True)
class Event:
    id: int
    kind: str  # one of KINDS
    data: dict[str, Any]


Marks = dict[tuple[str, str], int]  # (comId, YYYYMMDD) -> the highest seqNo seen


def _order_days(world: World, com_id: str) -> list[str]:
    """The institution's most recent order days (YYYYMMDD) and the clock's date."""
    today = f"{cal.kst(world.now()).date():%Y%m%d}"
    return sorted({today, *records.order_days(world, com_id)[:ORDER_DAYS]}, reverse=True)


def new_messages(world: World, seen: Marks) -> Iterator[dict[str, Any]]:
    """Order messages stored since ``seen`` (which is updated), in seqNo order per
    institution and day."""
    for com_id in sorted(world.ids.institutions):
        for day in _order_days(world, com_id):
            key = (com_id, day)
            found = records.reports(world, com_id, datetime.strptime(day, "%Y%m%d").date(),
                                    seen.get(key, 0) + 1)
            for message in found:
                yield {"comId": com_id, "date": day, "message": message}
            if found:
                seen[key] = int(found[-1]["seqNo"])


def current_marks(world: World) -> Marks:
    """What is stored now (so a new feed does not replay the past as new)."""
    marks: Marks = {}
    for _message in new_messages(world, marks):
        pass
    return marks


class Feed:
    """The ring of events and the count of open streams (at most :attr:`max_streams`)."""

    def __init__(self, world_of: Callable[[], World], capacity: int = CAPACITY,
                 max_streams: int = MAX_STREAMS, poll_s: float = 0.25) -> None:
        self.max_streams = max_streams
        self.poll_s = poll_s
        self.closing = False
        self._world_of = world_of
        self._cond = threading.Condition()
        self._events: deque[Event] = deque(maxlen=capacity)
        self._last = 0
        self._streams = 0
        self._poll_lock = threading.Lock()
        self._polled = -poll_s
        world = world_of()
        self._world = world
        self._clock = world.clock.snapshot()
        self._reports = world.store.count(records.REPORT)
        self._seen = current_marks(world)

    # ---------------------------------------------------------------------- streams
    def acquire(self) -> bool:
        """Take a stream slot; False when :attr:`max_streams` are open."""
        with self._cond:
            if self._streams >= self.max_streams:
                return False
            self._streams += 1
            return True

    def release(self) -> None:
        with self._cond:
            self._streams = max(0, self._streams - 1)

    @property
    def world(self) -> World:
        return self._world_of()

    @property
    def streams(self) -> int:
        return self._streams

    def shutdown(self) -> None:
        """End every open stream (the server is stopping)."""
        with self._cond:
            self.closing = True
            self._cond.notify_all()

    # ----------------------------------------------------------------------- events
    @property
    def last(self) -> int:
        """The id of the newest event (0: none yet)."""
        return self._last

    @property
    def oldest(self) -> int:
        """The id of the oldest event the ring still holds (``last + 1`` when empty)."""
        with self._cond:
            return self._events[0].id if self._events else self._last + 1

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        with self._cond:
            self._last += 1
            self._events.append(Event(self._last, kind, data))
            self._cond.notify_all()

    def journal(self, entry: dict[str, Any]) -> None:
        """The journal's listener (:meth:`sandbox.gateway.journal.Journal.listen`)."""
        self.publish("journal", entry)

    def after(self, cursor: int, timeout: float) -> list[Event]:
        """The events after id ``cursor``, waiting up to ``timeout`` seconds for one."""
        with self._cond:
            if self._last <= cursor and not self.closing:
                self._cond.wait(timeout)
            return [event for event in self._events if event.id > cursor]

    # -------------------------------------------------------------------- polling
    def poll(self, force: bool = False) -> None:
        """Publish what changed in the sources without a push hook: a reset, the clock,
        new order messages. One thread polls at a time, at most every :attr:`poll_s` (unless
        ``force``: then it waits for its turn and polls)."""
        if not self._poll_lock.acquire(blocking=force):
            return
        try:
            now = monotonic()
            if now - self._polled < self.poll_s and not force:
                return
            self._polled = now
            self._poll_world()
        finally:
            self._poll_lock.release()

    def _poll_world(self) -> None:
        world = self._world_of()
        if world is not self._world:
            self._world, self._seen, self._reports = world, {}, -1
            self._clock = world.clock.snapshot()
            self.publish("reset", {"seed": world.seed, "clock": clock_view(world.clock)})
        snapshot = world.clock.snapshot()
        if snapshot != self._clock:
            self._clock = snapshot
            self.publish("clock", clock_view(world.clock))
        count = world.store.count(records.REPORT)
        if count != self._reports:
            self._reports = count
            for message in new_messages(world, self._seen):
                self.publish("order", message)
