"""The world clock seen from a test: read it, freeze it, set it, move it, speed it up.

Durations go to the server as ISO-8601 (``PT1H``); a :class:`~datetime.timedelta` or a number
of seconds is converted here. A naive :class:`~datetime.datetime` is taken as KST by the server,
as everywhere in the admin API.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox.testing.admin import AdminClient

Duration = str | timedelta | int | float
Instant = str | datetime

_MICRO = {"D": 86_400_000_000, "H": 3_600_000_000, "M": 60_000_000}


def iso_duration(value: Duration) -> str:
    """``PT1H`` from ``"PT1H"``, ``timedelta(hours=1)`` or ``3600`` (seconds; floats allowed);
    negative values move the clock back (``-PT5M``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, int | float | timedelta):
        raise TypeError(f"a duration is an ISO-8601 string, a timedelta or seconds: {value!r}")
    delta = value if isinstance(value, timedelta) else timedelta(seconds=value)
    sign = "-" if delta < timedelta(0) else ""
    micro = abs(delta) // timedelta(microseconds=1)
    parts: dict[str, int] = {}
    for unit, size in _MICRO.items():
        parts[unit], micro = divmod(micro, size)
    seconds, micro = divmod(micro, 1_000_000)
    day = f"{parts['D']}D" if parts["D"] else ""
    clock = "".join(f"{parts[unit]}{unit}" for unit in ("H", "M") if parts[unit])
    if micro:
        clock += f"{seconds}.{micro:06d}".rstrip("0") + "S"
    elif seconds:
        clock += f"{seconds}S"
    if not day and not clock:
        return "PT0S"
    return f"{sign}P{day}{'T' + clock if clock else ''}"


def iso_instant(value: Instant) -> str:
    """The ISO-8601 text of an instant (strings pass through; naive values mean KST)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    raise TypeError(f"an instant is an ISO-8601 string or a datetime: {value!r}")


class SandboxClock:
    """The emulator's world clock (``/_sandbox/clock``). Every change returns the new ``now``.

    The clock of a test starts where the session configured it (frozen at
    2026-11-24T10:00:00+09:00 by default) because the ``sandbox`` fixture resets the world.
    """

    def __init__(self, admin: AdminClient) -> None:
        self._admin = admin

    def __repr__(self) -> str:
        return f"SandboxClock({self._admin.base_url!r})"

    def state(self) -> dict[str, Any]:
        """``{"now", "mode": "realtime|frozen|speed", "speed", "timezone"}``."""
        __tracebackhide__ = True
        return dict(self._admin.get("/_sandbox/clock"))

    def now(self) -> datetime:
        """The world's current instant, timezone-aware (+09:00)."""
        __tracebackhide__ = True
        return datetime.fromisoformat(self.state()["now"])

    @property
    def mode(self) -> str:
        __tracebackhide__ = True
        return str(self.state()["mode"])

    def change(self, **change: Any) -> datetime:
        """``POST /_sandbox/clock`` with ``set``/``speed``/``advance`` (applied in that order)."""
        __tracebackhide__ = True
        return datetime.fromisoformat(self._admin.post("/_sandbox/clock", change)["now"])

    def freeze(self) -> datetime:
        """Stop the clock where it is."""
        __tracebackhide__ = True
        return self.change(speed=0)

    def advance(self, by: Duration) -> datetime:
        """Move the clock on by ``"PT1H"``, a timedelta or a number of seconds."""
        __tracebackhide__ = True
        return self.change(advance=iso_duration(by))

    def set(self, when: Instant) -> datetime:
        """Jump to an instant (the clock keeps its mode: frozen stays frozen)."""
        __tracebackhide__ = True
        return self.change(set=iso_instant(when))

    def speed(self, factor: float) -> datetime:
        """Run at ``factor`` times real time from now (0 freezes)."""
        __tracebackhide__ = True
        return self.change(speed=factor)
