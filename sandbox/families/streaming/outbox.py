"""A session's bounded queue of outgoing text frames, so one slow client never holds up the
others: the pump only appends here, and each session's writer drains its own queue.

Overflow policy (documented in the README):

* market data (pushes, ``/ws_ksp`` batches) is droppable: when ``size`` frames are waiting, the
  oldest waiting data frame is dropped for each new one (the client keeps the freshest data;
  ``dropped`` counts what it lost);
* replies and errors are never dropped; a client that lets more than ``size`` of them pile up
  without reading is disconnected (close 1008, "slow consumer").
"""

from __future__ import annotations

import threading
from collections import deque

SLOW_CONSUMER = POLICY = 1008
TRY_AGAIN = 1013
GOING_AWAY = 1001
NORMAL = 1000


class Outbox:
    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._cond = threading.Condition()
        self._items: deque[tuple[str, bool]] = deque()  # (text, droppable)
        self._replies = 0
        self.dropped = 0
        self.sent = 0
        self.close_code: int | None = None
        self.close_reason = ""

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closing(self) -> bool:
        return self.close_code is not None

    def reply(self, text: str) -> None:
        """Queue a reply (never dropped)."""
        with self._cond:
            if self.close_code is not None:
                return
            self._items.append((text, False))
            self._replies += 1
            if self._replies > self.size:
                self._close(SLOW_CONSUMER, "slow consumer: replies are not being read")
            self._cond.notify()

    def data(self, texts: list[str]) -> None:
        """Queue market data frames, dropping the oldest waiting ones beyond ``size``."""
        if not texts:
            return
        with self._cond:
            if self.close_code is not None:
                return
            items = self._items
            for text in texts:
                if len(items) >= self.size:
                    self._drop_oldest()
                items.append((text, True))
            self._cond.notify()

    def _drop_oldest(self) -> None:
        items = self._items
        for i, (_, droppable) in enumerate(items):
            if droppable:
                del items[i]
                self.dropped += 1
                return

    def close(self, code: int = NORMAL, reason: str = "") -> None:
        """Close after what is queued has been sent."""
        with self._cond:
            self._close(code, reason)
            self._cond.notify()

    def _close(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason

    def take(self, timeout: float | None) -> list[str] | None:
        """Everything waiting, oldest first; ``[]`` after ``timeout`` seconds without anything;
        None once closed and drained."""
        with self._cond:
            if not self._items and self.close_code is None:
                self._cond.wait(timeout)
            if not self._items:
                return None if self.close_code is not None else []
            out = [text for text, _ in self._items]
            self._items.clear()
            self._replies = 0
            self.sent += len(out)
            return out
