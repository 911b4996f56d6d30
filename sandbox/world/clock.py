"""The world's only source of time.

Every "now" in the emulator comes from :class:`Clock`. Three modes:

* ``realtime`` follows the wall clock in Asia/Seoul (speed 1, no offset);
* ``frozen`` stays at one instant until it is set or advanced;
* ``speed`` runs from an anchor instant at X times real time (time travel, accelerated days).

The real platform has no such control; it is what makes the sandbox scriptable.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

KST = timezone(timedelta(hours=9), "KST")

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?\Z"
)


class ClockError(ValueError):
    """An instant, duration or speed the clock cannot take."""


def wall_seconds() -> float:
    """Seconds since the epoch from the real wall clock (only the clock reads it)."""
    return time.time()


def monotonic() -> float:
    """A monotonic real-time reading for measuring latencies, never for world time."""
    return time.perf_counter()


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a naive value is taken as KST."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ClockError(f"not an ISO-8601 instant: {text!r}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=KST)
    return value.astimezone(KST)


def parse_duration(text: str) -> timedelta:
    """Parse an ISO-8601 duration such as ``PT1H``, ``P1DT30M`` or ``-PT5M``."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if match is None or text.strip() in ("P", "-P", "PT", "-PT") or text.strip().endswith("T"):
        raise ClockError(f"not an ISO-8601 duration: {text!r}")
    parts = {k: float(v) for k, v in match.groupdict().items() if v and k != "sign"}
    delta = timedelta(
        days=parts.get("days", 0.0),
        hours=parts.get("hours", 0.0),
        minutes=parts.get("minutes", 0.0),
        seconds=parts.get("seconds", 0.0),
    )
    return -delta if match.group("sign") else delta


@dataclass(frozen=True)
class ClockState:
    mode: str  # "realtime" | "frozen" | "speed"
    now: datetime
    speed: float


class Clock:
    """A virtual clock: ``now = anchor + (real elapsed) * speed``; speed 0 means frozen.

    :meth:`snapshot` and :meth:`from_snapshot` carry its state across a restart (``serve
    --state``): a running clock keeps its anchors, so it has run on while the server was down
    (an offset from the wall clock stays the same offset); ``on_change`` is told after every
    set, advance and speed change."""

    def __init__(self, start: datetime | None = None, speed: float | None = None) -> None:
        self._lock = threading.Lock()
        self._realtime = start is None
        self._anchor_virtual = start if start is not None else self._wall()
        self._anchor_real = wall_seconds()
        self._speed = 1.0 if start is None else (speed or 0.0)
        self.on_change: Callable[[Clock], None] | None = None

    def snapshot(self) -> dict[str, Any]:
        """The clock's state as JSON: mode, anchor instant, the wall time of the anchor and
        the speed."""
        with self._lock:
            mode = "realtime" if self._realtime else ("frozen" if self._speed == 0.0
                                                      else "speed")
            return {"mode": mode, "anchor": self._anchor_virtual.isoformat(),
                    "wall": self._anchor_real, "speed": self._speed}

    @classmethod
    def from_snapshot(cls, state: dict[str, Any]) -> Clock:
        """The clock :meth:`snapshot` described (``realtime``: the wall clock again)."""
        if state["mode"] == "realtime":
            return cls()
        clock = cls(datetime.fromisoformat(state["anchor"]).astimezone(KST),
                    float(state["speed"]))
        clock._anchor_real = float(state["wall"])
        return clock

    def _changed(self) -> None:
        listener = self.on_change
        if listener is not None:
            listener(self)

    @classmethod
    def from_spec(cls, spec: str | None, speed: float | None = None) -> Clock:
        """Build from the CLI form: ``now`` (or empty) or an ISO instant, plus an optional speed."""
        if spec is None or spec.strip().lower() in ("", "now"):
            if speed is not None and speed != 1.0:
                return cls(cls._wall(), validate_speed(speed))
            return cls()
        return cls(parse_instant(spec), validate_speed(speed) if speed is not None else None)

    @staticmethod
    def _wall() -> datetime:
        return datetime.fromtimestamp(wall_seconds(), UTC).astimezone(KST)

    def now(self) -> datetime:
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        if self._speed == 0.0:
            return self._anchor_virtual
        elapsed = (wall_seconds() - self._anchor_real) * self._speed
        return self._anchor_virtual + timedelta(seconds=elapsed)

    def _rebase(self, instant: datetime, speed: float) -> None:
        self._anchor_virtual = instant.astimezone(KST)
        self._anchor_real = wall_seconds()
        self._speed = speed
        self._realtime = False

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._rebase(instant, self._speed)
        self._changed()

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._rebase(self._now_locked() + delta, self._speed)
        self._changed()

    def set_speed(self, speed: float) -> None:
        speed = validate_speed(speed)
        with self._lock:
            self._rebase(self._now_locked(), speed)
        self._changed()

    def state(self) -> ClockState:
        with self._lock:
            mode = "realtime" if self._realtime else ("frozen" if self._speed == 0.0 else "speed")
            return ClockState(mode=mode, now=self._now_locked(), speed=self._speed)


def validate_speed(speed: float) -> float:
    if not isinstance(speed, int | float) or isinstance(speed, bool):
        raise ClockError("speed must be a number")
    if speed < 0 or speed > 100_000 or speed != speed:
        raise ClockError("speed must be between 0 (frozen) and 100000")
    return float(speed)
