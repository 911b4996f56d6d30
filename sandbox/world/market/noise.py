"""Counter-based randomness for the market model, and a small bounded cache.

Every random number of the market is a pure function of ``(seed, key...)``: a BLAKE2b hash
of the parts gives either a number directly (:func:`uniform`, :func:`normal`) or the seed of
a private ``random.Random`` (:func:`stream`) that draws a whole block of numbers at once.
Nothing depends on call order, so any day of any instrument can be computed alone and
caching never changes a result. (``random.Random`` is only ever constructed from such a
seed; the module-level functions of ``random`` are never used.)
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import OrderedDict
from statistics import NormalDist
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_TWO53 = float(1 << 53)
NORMAL_CLIP = 3.0  # every normal draw of the model lies in [-3, 3]
_LOW = NormalDist().cdf(-NORMAL_CLIP)
_SPAN = 1.0 - 2.0 * _LOW
_inv_cdf = NormalDist().inv_cdf


def derive(seed: int, *parts: object) -> int:
    """A 64-bit integer that is a pure function of ``seed`` and ``parts``."""
    text = f"{seed}|" + "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def uniform(seed: int, *parts: object) -> float:
    """A uniform number in (0, 1) from the hash of the parts."""
    return ((derive(seed, *parts) >> 11) + 0.5) / _TWO53


def gaussian(u: float) -> float:
    """The standard normal quantile of ``u`` in [0, 1), truncated to [-3, 3)."""
    return _inv_cdf(_LOW + _SPAN * u)


def normal(seed: int, *parts: object) -> float:
    """A standard normal number (truncated to ±3) from the hash of the parts."""
    return gaussian(uniform(seed, *parts))


class Counter4:
    """Four standard normals (truncated to ±3) per counter value, from one 32-byte hash.

    ``Counter4(seed, *parts)(n)`` is a pure function of (seed, parts, n); the hash state of
    the fixed parts is computed once.
    """

    def __init__(self, seed: int, *parts: object) -> None:
        text = f"{seed}|" + "|".join(str(p) for p in parts) + "|"
        self._prefix = hashlib.blake2b(text.encode(), digest_size=32)

    def __call__(self, n: int) -> tuple[float, float, float, float]:
        hasher = self._prefix.copy()
        hasher.update(str(n).encode())
        return _four(int.from_bytes(hasher.digest(), "big"))


def normal4(seed: int, *parts: object) -> tuple[float, float, float, float]:
    """Four standard normals (truncated to ±3) from one 32-byte hash of the parts."""
    text = f"{seed}|" + "|".join(str(p) for p in parts)
    return _four(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=32).digest(), "big"))


def _four(h: int) -> tuple[float, float, float, float]:
    a, b, c, d = (((h >> (64 * i)) >> 11 & 0x1FFFFFFFFFFFFF) / _TWO53 for i in range(4))
    return gaussian(a), gaussian(b), gaussian(c), gaussian(d)


def stream(seed: int, *parts: object) -> random.Random:
    """A private generator seeded by the hash of the parts (draw a block of numbers)."""
    return random.Random(derive(seed, *parts))


def normals(rng: random.Random, count: int) -> list[float]:
    """``count`` standard normals truncated to ±3, drawn from the generator's uniforms."""
    draw = rng.random
    return [_inv_cdf(_LOW + _SPAN * draw()) for _ in range(count)]


class BoundedCache(Generic[K, V]):
    """A thread-safe LRU map with a fixed number of entries."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
