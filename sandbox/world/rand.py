"""The world's only source of randomness.

One seed gives every consumer its own stream (``rand.stream("oauth")``), so that what one family
draws never shifts what another family sees: the same seed and the same request sequence give
byte-identical responses.
"""

from __future__ import annotations

import hashlib
import random
import threading
import uuid
from collections.abc import Callable
from typing import Any

from faker import Faker


def _derive(seed: int, name: str) -> int:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


Saver = Callable[[str, dict[str, Any]], None]


class Stream:
    """A named, seeded, thread-safe random stream.

    A stream whose draws become stored keys (token values, codes) gets a ``saver``: after
    each draw it is given ``{"n": draws so far, "state": the generator's state}``, so a world
    restored from a state file continues the stream instead of drawing the same values
    again (:meth:`restore`)."""

    def __init__(self, seed: int, name: str = "", saver: Saver | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.name, self.saver, self._draws = name, saver, 0

    def _drawn(self) -> dict[str, Any] | None:
        """Count a draw (under the lock); the snapshot to save when the stream is saved."""
        self._draws += 1
        if self.saver is None:
            return None
        version, internal, gauss = self._random.getstate()
        return {"n": self._draws, "state": [version, list(internal), gauss]}

    def _save(self, snapshot: dict[str, Any] | None) -> None:
        if snapshot is not None and self.saver is not None:
            self.saver(self.name, snapshot)

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Continue from a snapshot the saver was given."""
        version, internal, gauss = snapshot["state"]
        with self._lock:
            self._random.setstate((version, tuple(internal), gauss))
            self._draws = int(snapshot["n"])

    def uuid(self) -> str:
        """A UUID v4 string drawn from this stream (never from the OS)."""
        with self._lock:
            bits = self._random.getrandbits(128)
            snapshot = self._drawn()
        self._save(snapshot)
        return str(uuid.UUID(int=bits, version=4))

    def hex(self, length: int) -> str:
        with self._lock:
            text = "".join(f"{self._random.getrandbits(4):x}" for _ in range(length))
            snapshot = self._drawn()
        self._save(snapshot)
        return text

    def digits(self, length: int) -> str:
        with self._lock:
            text = "".join(str(self._random.randrange(10)) for _ in range(length))
            snapshot = self._drawn()
        self._save(snapshot)
        return text

    def randint(self, low: int, high: int) -> int:
        with self._lock:
            value = self._random.randint(low, high)
            snapshot = self._drawn()
        self._save(snapshot)
        return value

    def random(self) -> float:
        with self._lock:
            value = self._random.random()
            snapshot = self._drawn()
        self._save(snapshot)
        return value

    def choice(self, items: list[Any]) -> Any:
        with self._lock:
            value = self._random.choice(items)
            snapshot = self._drawn()
        self._save(snapshot)
        return value


class Rand:
    """The root of all randomness for one world."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, Stream] = {}
        self._lock = threading.Lock()
        self._savers: dict[str, Saver] = {}

    def stream(self, name: str) -> Stream:
        with self._lock:
            if name not in self._streams:
                self._streams[name] = Stream(_derive(self.seed, name), name,
                                             self._savers.get(name))
            return self._streams[name]

    def keep(self, names: tuple[str, ...], saver: Saver) -> None:
        """Hand every draw of the streams ``names`` to ``saver`` (see :class:`Stream`)."""
        with self._lock:
            for name in names:
                self._savers[name] = saver
                if name in self._streams:
                    self._streams[name].saver = saver

    def faker(self, name: str, locale: str = "ko_KR") -> Faker:
        """A Faker seeded for ``name`` (output is stable per pinned Faker version)."""
        fake = Faker(locale)
        fake.seed_instance(_derive(self.seed, f"faker:{name}"))
        return fake

    def for_key(self, *parts: object) -> random.Random:
        """A throw-away generator that is a pure function of the seed and ``parts``."""
        return random.Random(_derive(self.seed, ":".join(str(p) for p in parts)))
