"""Stocks (market README §5 S1-S6, S12, S15): the model's answers in the documented shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.families.market import payloads
from sandbox.families.market.params import Target
from sandbox.world.world import World


def price(world: World, target: Target, at: datetime) -> dict[str, Any]:
    """S5: the last trade with the day's OHLCV and best quotes."""
    return payloads.envelope(payloads.stock_price(world.market.quote(target.inst, at)))
