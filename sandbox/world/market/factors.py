"""Random-access factor processes: the log-price of every cash instrument and index.

A log-price is a sum of unit processes scaled by daily volatilities (indices: their market
and sector factors plus a small own term, whatever their ``volatility``)::

    log P(n) = beta * sigma_M * X[market](n) + sigma_S * X[sector](n) + sigma_I * X[code](n)

over the trading-day index ``n`` (calendar.day_index). Stocks of a market share its market
factor, stocks of an industry share the sector factor keyed by the industry index code
(``Instrument.sector``, e.g. "K13"), and the industry index of that code loads on the same
two factors - so constituents and indices move together by construction.

Each unit process X is built for O(1) random access without summing history:

* trading days are grouped in blocks of 64; the block-boundary values Y(b) form a finite
  moving average ``sum_j rho^j eps(b-j)`` (rho = 0.96 per block, 160 terms) of hashed
  normals - a slowly mean-reverting walk, so prices neither explode nor vanish over decades;
* inside a block the path is linear between Y(b) and Y(b+1) plus a zero-sum walk whose 64
  daily steps are 32 clipped normals and their negatives in a seeded random order (an
  antithetic Brownian bridge).

Short-horizon behaviour is a random walk with unit daily variance. Every daily increment of
X is bounded (``UNIT_STEP_BOUND``); volatilities are capped so that no instrument's log price
moves more than ``MAX_DAILY_MOVE`` in a day, which keeps every close well inside the ±30%
daily limit of the previous close without any clamping (so closes have O(1) random access).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import mul

from sandbox.world.market.instruments import ETF, INDEX, Instrument
from sandbox.world.market.noise import NORMAL_CLIP, BoundedCache, normals, stream, uniform

BLOCK = 64
RHO = 0.96
MA_TERMS = 160
_EPS_CHUNK = 64
_WEIGHTS = tuple(RHO**j for j in range(MA_TERMS))
_BLOCK_SCALE = math.sqrt(BLOCK)
# |X(n+1) - X(n)| <= clip (bridge step) + |Y(b+1) - Y(b)| / 64 <= clip + 2 * clip * 8 / 64
UNIT_STEP_BOUND = NORMAL_CLIP * (1.0 + 2.0 * _BLOCK_SCALE / BLOCK)
MAX_DAILY_MOVE = 0.2
TRADING_DAYS_PER_YEAR = 250

MARKET_SIGMA = {"kospi": 0.0095, "kosdaq": 0.0115}
SECTOR_SIGMA = 0.006
COMPOSITE_INDICES = frozenset(
    ["K1", "K2", "K3", "K4", "K27", "K51", "K61", "K62", "K175", "K176", "K182", "K401",
     "K402", "K403", "Q1", "Q2", "Q3", "Q4", "Q203", "Q204", "S50", "S300", "S301", "S441",
     "E60001"]
)


@dataclass(frozen=True)
class Exposure:
    """The factor loadings of one instrument: ``(factor key, daily sigma)`` pairs."""

    terms: tuple[tuple[str, float], ...]

    @property
    def daily_sigma(self) -> float:
        return math.sqrt(sum(s * s for _, s in self.terms))


def market_key(market: str) -> str | None:
    """The equity market factor of a market (None for currencies, bonds, commodities)."""
    if market in ("kosdaq", "konex"):
        return "mkt:kosdaq"
    if market in ("kospi", "sector", "etc"):
        return "mkt:kospi"
    return None


def exposure(seed: int, inst: Instrument) -> Exposure:
    """Loadings of a stock, fund or index on the market, sector and own factors."""
    default = 0.18 if inst.kind == INDEX else 0.3
    vol = inst.volatility if inst.volatility and inst.volatility > 0 else default
    sigma = vol / math.sqrt(TRADING_DAYS_PER_YEAR)
    mkey = market_key(inst.market)
    sigma_m = MARKET_SIGMA["kosdaq" if mkey == "mkt:kosdaq" else "kospi"]
    terms: list[tuple[str, float]] = []
    if mkey is None:  # a currency, bond or commodity underlying: its own factor only
        own = min(sigma, MAX_DAILY_MOVE / UNIT_STEP_BOUND)
        return Exposure((("own:" + inst.code, own),))
    if inst.kind == INDEX:
        sector = None if inst.code in COMPOSITE_INDICES or inst.market == "etc" else inst.code
        beta, floor = 1.0, (0.2 if sector else 0.08)
    elif inst.kind == ETF:
        sector, beta, floor = None, 1.0, 0.15
    else:
        sector, beta, floor = inst.sector, 0.6 + 0.8 * uniform(seed, "beta", inst.code), 0.35
    terms.append((mkey, beta * sigma_m))
    if sector:
        terms.append(("sec:" + sector, SECTOR_SIGMA))
    common = sum(s * s for _, s in terms)
    if inst.kind == INDEX:  # an index is its factors plus a small tracking term
        own = floor * sigma
    else:
        own = math.sqrt(max(sigma * sigma - common, (floor * sigma) ** 2))
    own = min(own, MAX_DAILY_MOVE / UNIT_STEP_BOUND - sum(s for _, s in terms))
    terms.append(("own:" + inst.code, max(own, 0.0)))
    return Exposure(tuple(terms))


class FactorBook:
    """The unit processes of one seed, with bounded caches (results never depend on them)."""

    def __init__(self, seed: int, cache_size: int = 8192) -> None:
        self.seed = seed
        self._eps: BoundedCache[tuple[str, int], list[float]] = BoundedCache(cache_size)
        self._y: BoundedCache[tuple[str, int], float] = BoundedCache(cache_size * 4)
        self._blocks: BoundedCache[tuple[str, int], list[float]] = BoundedCache(cache_size)

    def _eps_chunk(self, key: str, chunk: int) -> list[float]:
        found = self._eps.get((key, chunk))
        if found is None:
            values = normals(stream(self.seed, "eps", key, chunk), _EPS_CHUNK)
            found = self._eps.put((key, chunk), [v * _BLOCK_SCALE for v in values])
        return found

    def boundary(self, key: str, b: int) -> float:
        """Y(b): the process at the start of block ``b``."""
        found = self._y.get((key, b))
        if found is not None:
            return found
        lo = b - MA_TERMS + 1
        window: list[float] = []
        for chunk in range(lo // _EPS_CHUNK, b // _EPS_CHUNK + 1):
            window.extend(self._eps_chunk(key, chunk))
        start = lo - (lo // _EPS_CHUNK) * _EPS_CHUNK
        recent_first = window[start : start + MA_TERMS][::-1]
        return self._y.put((key, b), sum(map(mul, _WEIGHTS, recent_first)))

    def block(self, key: str, b: int) -> list[float]:
        """X at the 64 trading days of block ``b``."""
        found = self._blocks.get((key, b))
        if found is not None:
            return found
        y0, y1 = self.boundary(key, b), self.boundary(key, b + 1)
        rng = stream(self.seed, "bridge", key, b)
        half = normals(rng, BLOCK // 2)
        steps = half + [-v for v in half]
        rng.shuffle(steps)
        values = []
        walk = 0.0
        slope = (y1 - y0) / BLOCK
        for k in range(BLOCK):
            values.append(y0 + slope * k + walk)
            walk += steps[k]
        return self._blocks.put((key, b), values)

    def value(self, key: str, n: int) -> float:
        """X(n) of one unit process."""
        b, k = divmod(n, BLOCK)
        return self.block(key, b)[k]

    def log_block(self, exp: Exposure, b: int) -> list[float]:
        """The exposure's log level (before anchoring) at the 64 days of block ``b``."""
        out = [0.0] * BLOCK
        for key, sigma in exp.terms:
            if sigma == 0.0:
                continue
            values = self.block(key, b)
            out = [o + sigma * v for o, v in zip(out, values, strict=True)]
        return out

    def log_level(self, exp: Exposure, n: int) -> float:
        b, k = divmod(n, BLOCK)
        return sum(sigma * self.block(key, b)[k] for key, sigma in exp.terms if sigma)
