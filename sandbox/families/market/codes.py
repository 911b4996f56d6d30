"""The market code tables of the emulator (codes.md §1-§8), as the endpoints use them.

Every table is read from the code that applies it (the path rules, the universe, the investor
model, the error classes), so what ``GET /_sandbox/market/codes`` lists is exactly what the
market endpoints accept and emit.
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import MarketError
from sandbox.families.market import exceptions, flows, params
from sandbox.world.market import flows as wf
from sandbox.world.market.instruments import FUTURE, OPTION
from sandbox.world.world import World

# cmpprevddTpCd (codes.md §6.1; "0" is emitted for untraded option series, options.md Q1)
CHANGE_CODES = {"0": "거래없음", "1": "상한", "2": "상승", "3": "보합", "4": "하한", "5": "하락",
                "6": "기세상한", "7": "기세상승", "8": "기세하한", "9": "기세하락"}


def _errors() -> list[dict[str, Any]]:
    found = [value for value in vars(exceptions).values()
             if isinstance(value, type) and issubclass(value, MarketError) and value.code]
    return [{"code": e.code, "message": e.message} for e in sorted(found, key=lambda e: e.code)]


def tables(world: World) -> dict[str, Any]:
    """Market codes per family, continuous futures, investor types, index codes per group,
    nation codes, change codes and the market error codes."""
    universe = world.universe
    return {
        "marketcodes": {
            "stocks": list(params.STOCK_MARKETS), "multiquote": list(params.MULTIQUOTE_MARKETS),
            "futures": list(universe.markets(FUTURE)), "options": list(universe.markets(OPTION)),
            "index": list(params.INDEX_GROUPS),
        },
        "continuous": [{"code": code, "marketcode": market}
                       for code, market in sorted(universe.continuous_codes().items())],
        "investors": [{"invstCd": code, "name": name} for code, name in wf.INVESTOR_NAMES.items()],
        "indices": {group: [{"code": i.code, "name": i.name} for i in universe.indices(group)]
                    for group in params.INDEX_GROUPS},
        "nations": sorted(flows.NATIONS),
        "cmpprevddTpCd": CHANGE_CODES,
        "errors": _errors(),
    }
