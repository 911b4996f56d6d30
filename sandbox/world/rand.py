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
from typing import Any

from faker import Faker


def _derive(seed: int, name: str) -> int:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Stream:
    """A named, seeded, thread-safe random stream."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def uuid(self) -> str:
        """A UUID v4 string drawn from this stream (never from the OS)."""
        with self._lock:
            bits = self._random.getrandbits(128)
        return str(uuid.UUID(int=bits, version=4))

    def hex(self, length: int) -> str:
        with self._lock:
            return "".join(f"{self._random.getrandbits(4):x}" for _ in range(length))

    def digits(self, length: int) -> str:
        with self._lock:
            return "".join(str(self._random.randrange(10)) for _ in range(length))

    def randint(self, low: int, high: int) -> int:
        with self._lock:
            return self._random.randint(low, high)

    def random(self) -> float:
        with self._lock:
            return self._random.random()

    def choice(self, items: list[Any]) -> Any:
        with self._lock:
            return self._random.choice(items)


class Rand:
    """The root of all randomness for one world."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, Stream] = {}
        self._lock = threading.Lock()

    def stream(self, name: str) -> Stream:
        with self._lock:
            if name not in self._streams:
                self._streams[name] = Stream(_derive(self.seed, name))
            return self._streams[name]

    def faker(self, name: str, locale: str = "ko_KR") -> Faker:
        """A Faker seeded for ``name`` (output is stable per pinned Faker version)."""
        fake = Faker(locale)
        fake.seed_instance(_derive(self.seed, f"faker:{name}"))
        return fake

    def for_key(self, *parts: object) -> random.Random:
        """A throw-away generator that is a pure function of the seed and ``parts``."""
        return random.Random(_derive(self.seed, ":".join(str(p) for p in parts)))
