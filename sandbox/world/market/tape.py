"""The trade tape of one instrument on one day, built to reproduce its DaySummary exactly.

Grid instruments (stocks, funds, futures, options) get a sequence of trades:

1. the opening call-auction match at the open, at the day's open price;
2. continuous trades: a walk over the price levels from the open to the first extreme
   (low or high), across to the other extreme and back to the close, with pauses and
   one-tick reversals; each visit to a level takes a share of that level's volume in the
   day's volume-by-price profile (daily.py), so Σ quantity and Σ price × quantity equal the
   summary's volume and value, and the high and the low are both printed;
3. the closing call-auction match at the close;
4. stocks only: closing-price trades (15:40-16:00) at the close and after-hours single-price
   matches every 10 minutes (16:10-18:00) within ±10% of the close and inside the day's
   range, so they never move the day's high or low.

Times are centiseconds since midnight, strictly increasing, denser near the open and the
close. Trade sides follow ticks: an up-tick is buyer-initiated (2, printed at the ask), a
down-tick seller-initiated (1, at the bid); at the upper limit a trade is always 2, at the
lower limit always 1, so the order book can always straddle the last price.

Indices get a value every 10 seconds of the continuous session plus the closing value,
built from Brownian bridges pinned at the open, the two extremes and the close.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from operator import mul

from sandbox.world.market.calendar import CS_SECOND, Schedule
from sandbox.world.market.daily import DaySummary
from sandbox.world.market.noise import stream

OPEN_AUCTION, CONTINUOUS, CLOSE_AUCTION, CLOSING_PRICE, AFTER_HOURS = 0, 1, 2, 3, 4
INDEX_STEP = 10 * CS_SECOND
Draw = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Tape:
    """A day's trades as parallel arrays (index = trade number, oldest first)."""

    summary: DaySummary
    schedule: Schedule
    times: array[int]  # centiseconds since midnight (32-bit arrays unless noted)
    prices: array[int]  # units
    qtys: array[int]
    sides: array[int]  # 1 sell-initiated, 2 buy-initiated (0 for index values)
    kinds: array[int]  # OPEN_AUCTION ... AFTER_HOURS
    cum_vol: array[int]  # 64-bit
    cum_raw: array[int]  # 64-bit running sum of price units x quantity (indices: value)
    highs: array[int]
    lows: array[int]
    close_index: int  # the closing match (or the closing index value)

    def last_at(self, cs: int) -> int:
        """Index of the last trade at or before ``cs`` (-1 if none)."""
        return bisect.bisect_right(self.times, cs) - 1

    def __len__(self) -> int:
        return len(self.times)


def _levels(s: DaySummary) -> tuple[int, int, list[int]]:
    grid = s.grid
    il = grid.index(s.low)
    count = grid.index(s.high) - il + 1
    jo, jc = grid.index(s.open) - il, grid.index(s.close) - il
    w = [s.a0] * count
    for j in range(min(jo, jc), max(jo, jc) + 1):
        w[j] += s.bulk
    w[jc] += s.rem
    return il, count, w


def _walk(draw: Draw, start: int, legs: list[tuple[int, int]], top: int) -> list[int]:
    """Positions of a walk from ``start`` through ``(target, steps)`` legs within [0, top]."""
    path = [start]
    pos = start
    for target, steps in legs:
        for left in range(steps, 0, -1):
            dist = abs(target - pos)
            toward = 1 if target > pos else -1
            if dist >= left:
                pos += toward
            else:
                u = draw()
                if u < 0.35 + 0.5 * dist / left:
                    if dist:
                        pos += toward
                elif u < 0.85 and dist + 1 <= left - 1:
                    away = -toward if dist else (1 if u < 0.72 else -1)
                    if 0 <= pos + away <= top:
                        pos += away
            path.append(pos)
    return path


def _split(path: list[int], w: list[int], draw: Draw) -> list[int]:
    """Quantity of every visit so that each level's visits sum to its volume."""
    weights = [-math.log(1.0 - draw()) + 0.05 for _ in path]
    visits: list[list[int]] = [[] for _ in w]
    for i, j in enumerate(path):
        visits[j].append(i)
    qty = [0] * len(path)
    for j, idx in enumerate(visits):
        total = w[j]
        if not idx or total <= 0:
            continue
        if total < len(idx):
            for i in sorted(idx, key=lambda i: -weights[i])[:total]:
                qty[i] = 1
            continue
        extra = total - len(idx)
        wsum = sum(weights[i] for i in idx)
        given = 0
        for i in idx:
            part = int(extra * weights[i] / wsum)
            qty[i] = 1 + part
            given += part
        qty[idx[0]] += extra - given
    return qty


def _times(count: int, lo: int, hi: int, draw: Draw) -> list[int]:
    """``count`` strictly increasing times in (lo, hi), denser near both ends."""
    out: list[int] = []
    span = hi - lo
    prev = lo
    for i in range(count):
        u = (i + 0.5 + 0.9 * (draw() - 0.5)) / count
        t = lo + int(span * (1.0 - math.cos(math.pi * u)) / 2.0)
        t = max(t, prev + 1)
        t = min(t, hi - (count - i))
        out.append(t)
        prev = t
    return out


def build_tape(seed: int, code: str, s: DaySummary, sched: Schedule) -> Tape:
    """The trades of a grid instrument's day (see the module docstring)."""
    rng = stream(seed, "tape", code, s.n)
    draw = rng.random
    grid = s.grid
    il, count, w = _levels(s)
    jo, jc = grid.index(s.open) - il, grid.index(s.close) - il
    q_open = max(1, min(w[jo] // 3, int(w[jo] * (0.05 + 0.15 * draw()))))
    w[jo] -= q_open
    q_close = max(1, min(w[jc] // 3, int(w[jc] * (0.1 + 0.2 * draw()))))
    w[jc] -= q_close
    late: list[tuple[int, int, int, int]] = []  # (time, level, qty, kind)
    if sched.post_close_end > sched.post_close_start:
        span = sched.post_close_end - sched.post_close_start
        stamps = {sched.post_close_start + int(span * draw()) for _ in range(rng.randint(0, 3))}
        for t in sorted(stamps):
            q = min(w[jc] - 1, max(1, int(w[jc] * 0.01 * draw())))
            if q > 0:
                w[jc] -= q
                late.append((t, jc, q, CLOSING_PRICE))
    for t in sched.after_hours_matches():
        if draw() >= 0.6:
            continue
        j = min(max(jc + rng.randint(-2, 2), 0), count - 1)
        if abs(grid.price(il + j) - s.close) * 10 > s.close:
            j = jc
        q = min(w[j] - 1, max(1, int(w[j] * 0.02 * draw())))
        if q > 0:
            w[j] -= q
            late.append((t, j, q, AFTER_HOURS))
    low_first = draw() < (0.7 if s.close >= s.open else 0.3)
    e1, e2 = (0, count - 1) if low_first else (count - 1, 0)
    dists = [abs(jo - e1), count - 1, abs(e2 - jc)]
    minimal = sum(dists)
    extra = max(s.trades - 1, minimal) - minimal
    shares = [extra * (d + 1) // (minimal + 3) for d in dists[:2]]
    shares.append(extra - sum(shares))
    path = _walk(draw, jo, [(e1, dists[0] + shares[0]), (e2, dists[1] + shares[1]),
                            (jc, dists[2] + shares[2])], count - 1)
    qty = _split(path, w, draw)
    cont = [(il + j, q) for j, q in zip(path, qty, strict=True) if q > 0]
    times = _times(len(cont), sched.open, sched.continuous_end, draw)
    rows: list[tuple[int, int, int, int]] = [(sched.open, il + jo, q_open, OPEN_AUCTION)]
    rows += [(t, i, q, CONTINUOUS) for t, (i, q) in zip(times, cont, strict=True)]
    rows.append((sched.close, il + jc, q_close, CLOSE_AUCTION))
    rows += [(t, il + j, q, kind) for t, j, q, kind in late]
    return _assemble(s, sched, rows, draw)


def _assemble(
    s: DaySummary, sched: Schedule, rows: list[tuple[int, int, int, int]], draw: Draw
) -> Tape:
    """Arrays of the rows ``(time, grid index, quantity, kind)``, with sides and running sums."""
    grid = s.grid
    hi_cap, lo_cap = s.steps[-1] if s.steps else (0, 0)
    level_price = {i: grid.price(i) for i in {r[1] for r in rows}}
    prices = [level_price[r[1]] for r in rows]
    qtys = [r[2] for r in rows]
    kinds = [r[3] for r in rows]
    sides = []
    prev, side = s.base, 2
    for p in prices:
        if p > prev:
            side = 2
        elif p < prev:
            side = 1
        elif draw() >= 0.7:
            side = 3 - side
        if p == hi_cap:
            side = 2
        elif p == lo_cap:
            side = 1
        sides.append(side)
        prev = p
    return Tape(s, sched, array("i", [r[0] for r in rows]), array("i", prices),
                array("i", qtys), array("b", sides), array("b", kinds),
                array("q", accumulate(qtys)), array("q", accumulate(map(mul, prices, qtys))),
                array("i", accumulate(prices, max)), array("i", accumulate(prices, min)),
                kinds.index(CLOSE_AUCTION))


def _bridge(a: float, b: float, steps: int, sd: float, draw: Draw) -> list[float]:
    """``steps + 1`` points from ``a`` to ``b``: a Brownian bridge with step deviation ``sd``."""
    walk = [0.0]
    for _ in range(steps):
        walk.append(walk[-1] + sd * (draw() + draw() + draw() - 1.5) * 2.0)
    end = walk[-1]
    return [a + (b - a) * k / steps + walk[k] - end * k / steps for k in range(steps + 1)]


def build_index_tape(seed: int, code: str, s: DaySummary, sched: Schedule) -> Tape:
    """An index's values every 10 s from the open to the closing auction, then the close."""
    rng = stream(seed, "tape", code, s.n)
    draw = rng.random
    grid = s.grid
    slots = [*range(sched.open, sched.continuous_end + 1, INDEX_STEP), sched.close]
    last = len(slots) - 1
    a, b = sorted(1 + int((last - 2) * draw()) for _ in range(2))
    b = max(b, a + 1)
    low_first = draw() < (0.7 if s.close >= s.open else 0.3)
    e1, e2 = (s.low, s.high) if low_first else (s.high, s.low)
    sd = (s.high - s.low) / math.sqrt(len(slots)) * 0.6 + 1.0
    path = _bridge(s.open, e1, a, sd, draw)[:-1]
    path += _bridge(e1, e2, b - a, sd, draw)[:-1]
    path += _bridge(e2, s.close, last - b, sd, draw)
    values = [min(max(grid.nearest(v), s.low), s.high) for v in path]
    values[0], values[a], values[b], values[last] = s.open, e1, e2, s.close
    weights = []
    for k in range(len(slots)):
        u0, u1 = k / len(slots), (k + 1) / len(slots)
        weights.append((_ucdf(u1) - _ucdf(u0)) * (0.5 + draw()))
    weights[-1] += 0.05 * sum(weights)
    rows = []
    total_w = sum(weights)
    acc = 0.0
    for t, v, wt in zip(slots[:-1], values[:-1], weights[:-1], strict=True):
        acc += wt
        rows.append((t, v, int(s.volume * acc / total_w), int(s.value * acc / total_w)))
    rows.append((slots[-1], values[-1], s.volume, s.value))
    return _assemble_index(s, sched, rows)


def _ucdf(u: float) -> float:
    """A U-shaped intraday activity profile: the share of the day's volume by time ``u``."""
    return math.acos(1.0 - 2.0 * u) / math.pi


def _assemble_index(s: DaySummary, sched: Schedule, rows: list[tuple[int, int, int, int]]) -> Tape:
    """Arrays of the index rows ``(time, value, running volume, running value)``."""
    values = [r[1] for r in rows]
    volumes = [r[2] for r in rows]
    kinds = [OPEN_AUCTION] + [CONTINUOUS] * (len(rows) - 2) + [CLOSE_AUCTION]
    steps = [b - a for a, b in zip([0, *volumes], volumes, strict=False)]
    return Tape(s, sched, array("i", [r[0] for r in rows]), array("i", values),
                array("i", steps), array("b", [0] * len(rows)), array("b", kinds),
                array("q", volumes), array("q", [r[3] for r in rows]),
                array("i", accumulate(values, max)), array("i", accumulate(values, min)),
                len(rows) - 1)
