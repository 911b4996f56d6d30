"""What the market hub and the order channel share: sessions behind one condition lock, a pump
thread started on first need that runs while there is work, and a non-blocking shutdown that
closes every session's outbox (1001)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from sandbox.families.streaming.outbox import GOING_AWAY, Outbox

log = logging.getLogger("sandbox.streaming")


class Pump:
    """Subclasses say when there is work (:meth:`busy`), what one tick does (:meth:`pump`),
    how long to wait before the next one (:meth:`pause`) and which outboxes to close."""

    name = "pump"

    def __init__(self) -> None:
        self._lock = threading.Condition(threading.RLock())
        self._thread: threading.Thread | None = None
        self._stopped = False

    def busy(self) -> bool:
        raise NotImplementedError

    def pump(self) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        raise NotImplementedError

    def outboxes(self) -> Iterable[Outbox]:
        raise NotImplementedError

    def _start(self) -> None:
        """Start the thread (once) and wake it; call with the lock held."""
        if self._thread is None and not self._stopped:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        self._lock.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._stopped and not self.busy():
                    self._lock.wait()
                if self._stopped:
                    return
            try:
                self.pump()
            except Exception:  # a bug must not stop the stream of every client
                log.exception("%s tick failed", self.name)
            self.pause()

    def shutdown(self) -> None:
        """Close every session (1001 going away) and stop the pump; idempotent, non-blocking."""
        with self._lock:
            self._stopped = True
            outboxes = list(self.outboxes())
            self._lock.notify_all()
        for outbox in outboxes:
            outbox.close(GOING_AWAY, "server shutting down")
