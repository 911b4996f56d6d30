"""KRX price rules: tick grids, daily price limits, multipliers and change codes.

Prices are handled internally as integer **units**: KRW for stocks, ETFs and single-stock
futures (scale 1); thousandths of a point for indices, index/currency/bond futures and
options (scale 1000, so 316.05 is 316050). :func:`to_units` and :func:`from_units` convert;
public values are ``int`` KRW or ``float`` points rounded to the grid's decimals.

Tick tables (README §8.2, krx_market_rules.json): KOSPI and KOSDAQ/KONEX tables until
2023-01-24, one table for all stock markets from 2023-01-25; ETF/ETN/ELW 5 KRW; KOSPI200
futures 0.05, mini 0.02, KOSDAQ150 0.1, currency futures 0.1; KOSPI200 option premiums
0.01 below 10 points and 0.05 from 10.

Limits: stocks ±30% of ``basPrc`` moved toward ``basPrc`` onto the grid; futures three
steps ±8/15/20% of ``basPrc`` rounded toward it. Options (emulator choice, spec open
question 4): ``basPrc`` ± 8/15/20% of the underlying's base (delta taken as 1, which
reproduces the deep-in-the-money examples and guarantees the model never reaches a limit),
lower limits floored at the minimum tick.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass, field
from datetime import date

from sandbox.world.market.instruments import ELW, ETF, ETN, FUTURE, INDEX, OPTION, STOCK, Instrument

TICK_REFORM = date(2023, 1, 25)  # the unified stock tick table applies from this day
MULTIPLIER_CHANGE = date(2017, 3, 27)  # KOSPI200 futures/options 500,000 -> 250,000 KRW
POINT_SCALE = 1000
STOCK_LIMIT_PCT = 30
DERIVATIVE_LIMIT_PCTS = (8, 15, 20)


@dataclass(frozen=True)
class Grid:
    """A price grid: bands ``(start_units, tick_units)`` ascending from 0.

    Grid prices are numbered by consecutive integers (the *grid index*) across bands, so
    that "n ticks up" and sums over price ranges are exact and O(number of bands).
    """

    bands: tuple[tuple[int, int], ...]
    scale: int = 1
    decimals: int = 0
    _starts: list[int] = field(init=False, repr=False, compare=False)
    _ticks: list[int] = field(init=False, repr=False, compare=False)
    _first: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [s for s, _ in self.bands]
        ticks = [t for _, t in self.bands]
        first = [0]
        for k in range(1, len(starts)):
            span = starts[k] - starts[k - 1]
            if span % ticks[k - 1]:
                raise ValueError("band start off the previous band's grid")
            first.append(first[-1] + span // ticks[k - 1])
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_ticks", ticks)
        object.__setattr__(self, "_first", first)

    def _band(self, p: float) -> int:
        return bisect.bisect_right(self._starts, p) - 1

    @property
    def min_price(self) -> int:
        """The smallest positive grid price."""
        return self._ticks[0]

    def tick(self, p: float) -> int:
        return self._ticks[self._band(p)]

    def index(self, p: int) -> int:
        """Grid index of the grid price ``p``."""
        k = self._band(p)
        return self._first[k] + (p - self._starts[k]) // self._ticks[k]

    def price(self, i: int) -> int:
        """Grid price of index ``i``."""
        k = bisect.bisect_right(self._first, i) - 1
        return self._starts[k] + (i - self._first[k]) * self._ticks[k]

    def floor(self, p: float) -> int:
        """The largest grid price <= ``p``."""
        k = bisect.bisect_right(self._starts, p) - 1
        s, t = self._starts[k], self._ticks[k]
        if isinstance(p, int):
            return s + (p - s) // t * t
        return s + math.floor((p - s) / t) * t

    def ceil(self, p: float) -> int:
        """The smallest grid price >= ``p`` (band starts lie on the lower band's grid)."""
        f = self.floor(p)
        return f if f == p else f + self.tick(f)

    def nearest(self, p: float) -> int:
        """The closest grid price (ties go up)."""
        k = bisect.bisect_right(self._starts, p) - 1
        s, t = self._starts[k], self._ticks[k]
        f = s + (p - s) // t * t if isinstance(p, int) else s + math.floor((p - s) / t) * t
        if f == p:
            return f
        return f if p - f < f + t - p else f + t

    def on_grid(self, p: int) -> bool:
        return p >= 0 and self.floor(p) == p

    def range_sum(self, i0: int, i1: int) -> int:
        """Sum of the grid prices with indices ``i0..i1`` (inclusive), exactly."""
        first = self._first
        k0 = bisect.bisect_right(first, i0) - 1
        if k0 + 1 == len(first) or i1 < first[k0 + 1]:  # one band: an arithmetic series
            s, t, f = self._starts[k0], self._ticks[k0], first[k0]
            return (2 * s + (i0 + i1 - 2 * f) * t) * (i1 - i0 + 1) // 2
        k1 = bisect.bisect_right(first, i1) - 1
        total = 0
        for k in range(k0, k1 + 1):
            a = max(i0, first[k])
            b = min(i1, first[k + 1] - 1) if k + 1 < len(first) else i1
            pa = self._starts[k] + (a - first[k]) * self._ticks[k]
            pb = self._starts[k] + (b - first[k]) * self._ticks[k]
            total += (pa + pb) * (b - a + 1) // 2
        return total


def _grid(bands: list[tuple[int, int]], scale: int = 1, decimals: int = 0) -> Grid:
    return Grid(tuple(bands), scale, decimals)


@functools.lru_cache(maxsize=64)
def point_grid(tick: int) -> Grid:
    """A single-band grid in thousandths of a point (futures, currency options)."""
    return Grid(((0, tick),), POINT_SCALE, 2)


KOSPI_GRID = _grid([(0, 1), (1000, 5), (5000, 10), (10000, 50), (50000, 100), (100000, 500),
                    (500000, 1000)])
KOSDAQ_GRID = _grid([(0, 1), (1000, 5), (5000, 10), (10000, 50), (50000, 100)])
STOCK_GRID_2023 = _grid([(0, 1), (2000, 5), (5000, 10), (20000, 50), (50000, 100), (200000, 500),
                         (500000, 1000)])
FUND_GRID = _grid([(0, 5)])  # ETF, ETN, ELW
INDEX_GRID = _grid([(0, 10)], POINT_SCALE, 2)
OPTION_GRID = _grid([(0, 10), (10 * POINT_SCALE, 50)], POINT_SCALE, 2)

# futures tick by marketcode, in thousandths of a point (own knowledge where not verified)
FUTURE_TICKS = {
    "kospi200": 50, "cme_kospi200": 50, "mini_kospi200": 20, "kosdaq150": 100, "sector": 200,
    "vix": 50, "usd": 100, "yen": 100, "euro": 100, "ktb3": 10, "ktb5": 10, "ktb10": 10,
    "lean_hogs": 25, "eurostoxx": 1000,
}
OPTION_TICKS = {"usd": 100}
DEFAULT_MULTIPLIERS = {
    "kospi200": 250_000.0, "cme_kospi200": 250_000.0, "mini_kospi200": 50_000.0,
    "kosdaq150": 10_000.0, "sector": 10_000.0, "vix": 250_000.0, "stock": 10.0,
    "usd": 10_000.0, "yen": 1_000_000.0 / 100, "euro": 10_000.0, "ktb3": 1_000_000.0,
    "ktb5": 1_000_000.0, "ktb10": 1_000_000.0, "lean_hogs": 10_000.0, "eurostoxx": 10_000.0,
}


def stock_grid(market: str, day: date) -> Grid:
    """The share tick table of ``market`` in force on ``day``."""
    if day >= TICK_REFORM:
        return STOCK_GRID_2023
    return KOSPI_GRID if market == "kospi" else KOSDAQ_GRID


def price_scale(inst: Instrument) -> int:
    """Units per displayed price unit: 1 for KRW-priced instruments, 1000 otherwise."""
    if inst.kind in (STOCK, ETF, ETN, ELW) or (inst.kind == FUTURE and inst.market == "stock"):
        return 1
    return POINT_SCALE


def grid_for(inst: Instrument, day: date, underlying_market: str = "kospi") -> Grid:
    """The tick grid of an instrument on ``day``."""
    kind = inst.kind
    if kind == STOCK:
        return stock_grid(inst.market, day)
    if kind in (ETF, ETN, ELW):
        return FUND_GRID
    if kind == INDEX:
        return INDEX_GRID
    if kind == FUTURE:
        if inst.market == "stock":
            return stock_grid(underlying_market, day)
        return point_grid(FUTURE_TICKS.get(inst.market, 50))
    if kind == OPTION:
        tick = OPTION_TICKS.get(inst.market)
        return OPTION_GRID if tick is None else point_grid(tick)
    raise ValueError(f"unknown instrument kind {kind!r}")


def multiplier(inst: Instrument, day: date) -> float:
    """KRW per point (or per unit) of a derivative; 1 for cash instruments."""
    if inst.kind not in (FUTURE, OPTION):
        return 1.0
    if inst.market in ("kospi200", "cme_kospi200") and day < MULTIPLIER_CHANGE:
        return 500_000.0
    if inst.multiplier:
        return float(inst.multiplier)
    return DEFAULT_MULTIPLIERS.get(inst.market, 250_000.0)


def to_units(price: float, scale: int) -> int:
    return int(price) if scale == 1 else round(price * scale)


def from_units(units: int, scale: int) -> int | float:
    """Display price: ``int`` KRW for scale 1, else points with up to 3 decimals."""
    if scale == 1:
        return units
    return round(units / scale, 3)


def stock_limits(base: int, grid: Grid) -> tuple[int, int]:
    """``(upper, lower)`` daily limits of a share: ±30% of ``base`` toward it, on the grid."""
    upper = grid.floor(base * (100 + STOCK_LIMIT_PCT) // 100)
    lower = grid.ceil(-(-base * (100 - STOCK_LIMIT_PCT) // 100))
    return upper, max(lower, grid.min_price)


def future_limits(base: int, grid: Grid) -> list[tuple[int, int]]:
    """The three ``(upper, lower)`` limit steps of a future (±8/15/20% toward ``base``)."""
    steps = []
    for pct in DERIVATIVE_LIMIT_PCTS:
        upper = grid.floor(base * (100 + pct) // 100)
        lower = grid.ceil(-(-base * (100 - pct) // 100))
        steps.append((upper, max(lower, grid.min_price)))
    return steps


def option_limits(base: int, underlying_base: int, grid: Grid) -> list[tuple[int, int]]:
    """Three ``(upper, lower)`` steps: ``base`` ± 8/15/20% of the underlying's base."""
    steps = []
    for pct in DERIVATIVE_LIMIT_PCTS:
        move = underlying_base * pct / 100
        upper = grid.floor(base + math.floor(move))
        lower = grid.ceil(base - math.floor(move))
        steps.append((upper, max(lower, grid.min_price)))
    return steps


def change_code(
    price: float,
    base: float,
    upper: float | None = None,
    lower: float | None = None,
    traded: bool = True,
) -> str:
    """``cmpprevddTpCd``: 1 limit-up, 2 up, 3 flat, 4 limit-down, 5 down; 6-9 indicative.

    Indices pass no limits and get only 2/3/5. Without a trade (``traded=False``) a move
    is indicative: 6 at the upper limit, 7 up, 8 at the lower limit, 9 down (flat stays 3).
    """
    if upper is not None and price == upper and price != base:
        return "1" if traded else "6"
    if lower is not None and price == lower and price != base:
        return "4" if traded else "8"
    if price > base:
        return "2" if traded else "7"
    if price < base:
        return "5" if traded else "9"
    return "3"


def tick_size(inst: Instrument, day: date, price: float) -> int | float:
    """The tick at ``price`` (display units) for ``inst`` on ``day``."""
    scale = price_scale(inst)
    grid = grid_for(inst, day)
    return from_units(grid.tick(to_units(price, scale)), scale)


def round_to_tick(inst: Instrument, day: date, price: float, mode: str = "nearest") -> int | float:
    """``price`` moved onto the grid: ``nearest`` (default), ``down`` or ``up``."""
    scale = price_scale(inst)
    grid = grid_for(inst, day)
    raw = price if scale == 1 else price * scale
    rounder = {"nearest": grid.nearest, "down": grid.floor, "up": grid.ceil}[mode]
    return from_units(rounder(raw), scale)


def daily_limits(
    inst: Instrument, day: date, base: float, underlying_base: float | None = None
) -> list[tuple[int | float, int | float]]:
    """Limit steps ``[(upper, lower), ...]``: one step for cash instruments, three for derivatives.

    Indices have no limits (empty list). Options need the underlying's base price.
    """
    scale = price_scale(inst)
    grid = grid_for(inst, day)
    b = to_units(base, scale)
    if inst.kind == INDEX:
        return []
    if inst.kind in (STOCK, ETF, ETN, ELW):
        raw = [stock_limits(b, grid)]
    elif inst.kind == FUTURE:
        raw = future_limits(b, grid)
    else:
        if underlying_base is None:
            raise ValueError("option limits need the underlying's base price")
        raw = option_limits(b, to_units(underlying_base, POINT_SCALE), grid)
    return [(from_units(u, scale), from_units(lo, scale)) for u, lo in raw]
