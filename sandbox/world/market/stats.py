"""Statistics over an issue's past daily bars: moving averages, disparity, 52-week extremes.

The selectable master's items (selective.md §2, items 47-74 and 78-83): N-day moving averages
of the close, the volume and the value over the N business days **up to the previous day**,
the disparity (이격도) = previous close ÷ N-day average × 100 (2 decimals), and the 52-week
highest/lowest price (daily highs and lows) and volume with their dates. Pure functions of the
market model's daily bars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.world.market.bars import Bar
from sandbox.world.market.instruments import Instrument
from sandbox.world.market.prices import Market

AVERAGE_DAYS = (3, 5, 10, 20, 40, 60, 120, 250)
DISPARITY_DAYS = (5, 20, 60, 120)
_LOOKBACK = timedelta(days=420)  # 250 business days and 52 weeks fit in 420 calendar days


@dataclass(frozen=True)
class DailyStats:
    """Figures up to (and including) ``last_day``, the business day before the batch day."""

    last_day: date | None
    close: float  # the last close (0 without history)
    average_price: dict[int, float]  # N -> mean close of the last N days (fewer if younger)
    average_volume: dict[int, float]
    average_value: dict[int, float]
    disparity: dict[int, float]  # N -> close / average_price[N] * 100, 2 decimals
    high_52w: float
    high_52w_day: date | None
    low_52w: float
    low_52w_day: date | None
    max_volume_52w: int
    min_volume_52w: int


def _mean(values: list[float], n: int) -> float:
    window = values[:n]
    return sum(window) / len(window) if window else 0.0


def daily_stats(market: Market, inst: Instrument, last_day: date) -> DailyStats:
    """The statistics of ``inst`` over the daily bars up to ``last_day`` (newest first)."""
    bars: list[Bar] = market.history(inst, last_day - _LOOKBACK, last_day, "D",
                                     limit=max(AVERAGE_DAYS))
    closes = [float(b.close) for b in bars]
    averages = {n: _mean(closes, n) for n in AVERAGE_DAYS}
    close = closes[0] if closes else 0.0
    year = [b for b in bars if b.day > last_day - timedelta(weeks=52)]
    high = max(year, key=lambda b: (b.high, b.day), default=None)
    low = min(year, key=lambda b: (b.low, -b.day.toordinal()), default=None)
    return DailyStats(
        last_day=bars[0].day if bars else None,
        close=close,
        average_price=averages,
        average_volume={n: _mean([float(b.volume) for b in bars], n) for n in AVERAGE_DAYS},
        average_value={n: _mean([float(b.value) for b in bars], n) for n in AVERAGE_DAYS},
        disparity={n: round(close / averages[n] * 100, 2) if averages[n] else 0.0
                   for n in DISPARITY_DAYS},
        high_52w=float(high.high) if high else 0.0,
        high_52w_day=high.day if high else None,
        low_52w=float(low.low) if low else 0.0,
        low_52w_day=low.day if low else None,
        max_volume_52w=max((b.volume for b in year), default=0),
        min_volume_52w=min((b.volume for b in year), default=0),
    )
