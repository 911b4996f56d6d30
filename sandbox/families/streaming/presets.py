"""What a ``/ws`` push carries (streaming.md §3): the presets' items, read off the market model
through the same builders as the REST endpoints, so a push and a REST read at the same virtual
instant agree item for item.

* ``tick``: ``trdPrc``, ``trdvol``, ``accTrdvol``, ``accTrdval``, ``trdTm`` (the table's items
  and the example push's, together); every market, indices included.
* ``quote``: the level-1 ask and bid prices and quantities and ``accTrdvol``; not indices.
* ``tick10`` / ``quote10``: the items of the issue market's REST ``price`` / ``orderbook``
  (stocks S5/S6, futures F4/F5, options O4/O5); not indices.
* ``index``: the items of the REST index value (I2); indices only.
* ``change``: ``isuCd``, ``isuSrtCd`` and the subscribed items that changed; not indices.

Item lists of ``change`` are the keys of the market's tick10 and quote10 payloads (the
documented per-market lists, ``codes/realtime_change_items.json``, name exactly those, without
the stocks' ``askordPrc_1``/``bidordPrc_1`` and the options' ``isuCd``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandbox.families.market import derivatives, indices, payloads
from sandbox.families.market.params import Target
from sandbox.families.streaming import exceptions as exc
from sandbox.world.market.instruments import (
    ELW,
    ETF,
    ETN,
    FUTURE,
    INDEX,
    OPTION,
    STOCK,
    Instrument,
)
from sandbox.world.world import World

PRESETS = ("tick", "quote", "tick10", "quote10", "index", "change")
TRADE_PRESETS = frozenset({"tick", "tick10", "index"})  # change only with trades (and signals)
GROUPS = {STOCK: "stocks", ETF: "stocks", ETN: "stocks", ELW: "stocks", FUTURE: "futures",
          OPTION: "options", INDEX: "index"}
ALLOWED = {
    "stocks": frozenset({"tick", "quote", "tick10", "quote10", "change"}),
    "futures": frozenset({"tick", "quote", "tick10", "quote10", "change"}),
    "options": frozenset({"tick", "quote", "tick10", "quote10", "change"}),
    "index": frozenset({"tick", "index"}),
}
_NOT_STREAMED = {"stocks": ("askordPrc_1", "bidordPrc_1"), "options": ("isuCd",)}

Payload = dict[str, Any]


def group_of(inst: Instrument) -> str:
    return GROUPS[inst.kind]


def check(inst: Instrument, preset: str) -> None:
    """Refuse a preset that does not exist, or that the issue's market does not stream."""
    if preset not in PRESETS:
        raise exc.UnknownPreset(f"preset must be one of {', '.join(PRESETS)}; got {preset!r}")
    group = group_of(inst)
    if preset not in ALLOWED[group]:
        raise exc.UnknownPreset(f"preset {preset!r} is not streamed for {group} "
                                f"({', '.join(sorted(ALLOWED[group]))})")


def _target(inst: Instrument) -> Target:
    return Target(inst.market, inst, inst.code)


def _tick10(world: World, inst: Instrument, at: datetime) -> Payload:
    if inst.kind in (FUTURE, OPTION):
        return dict(derivatives.price(world, _target(inst), at)["result"])
    return payloads.stock_price(world.market.quote(inst, at))


def _quote10(world: World, inst: Instrument, at: datetime) -> Payload:
    if inst.kind in (FUTURE, OPTION):
        return dict(derivatives.orderbook(world, _target(inst), at)["result"])
    return payloads.stock_book(world.market.book(inst, at))


def _tick(world: World, inst: Instrument, at: datetime) -> Payload:
    q = world.market.quote(inst, at)
    return {"trdPrc": q.price, "trdvol": q.last_qty, "accTrdvol": q.volume,
            "accTrdval": q.value, "trdTm": q.trade_time}


def _quote(world: World, inst: Instrument, at: datetime) -> Payload:
    b = world.market.book(inst, at)
    return {"askStep1BstordPrc": b.ask_prices[0], "askStep1BstordRqty": b.ask_qtys[0],
            "bidStep1BstordPrc": b.bid_prices[0], "bidStep1BstordRqty": b.bid_qtys[0],
            "accTrdvol": b.volume}


def _index(world: World, inst: Instrument, at: datetime) -> Payload:
    return dict(indices.index_now(world, _target(inst), at)["result"])


def _change(world: World, inst: Instrument, at: datetime) -> Payload:
    """Every item a ``change`` subscription can name (tick10 and quote10 together)."""
    out = _tick10(world, inst, at)
    out.update(_quote10(world, inst, at))
    for name in _NOT_STREAMED.get(group_of(inst), ()):
        out.pop(name, None)
    return out


_BUILDERS: dict[str, Callable[[World, Instrument, datetime], Payload]] = {
    "tick": _tick, "quote": _quote, "tick10": _tick10, "quote10": _quote10, "index": _index,
    "change": _change,
}


def values(world: World, inst: Instrument, preset: str, at: datetime) -> Payload:
    """The preset's items at ``at`` (without ``preset``/``isuSrtCd``; ``change``: all items)."""
    out = _BUILDERS[preset](world, inst, at)
    out.pop("isuSrtCd", None)
    return out


def change_items(world: World, inst: Instrument) -> frozenset[str]:
    """The items a ``change`` subscription on ``inst`` may name (``isuSrtCd`` included)."""
    return frozenset(values(world, inst, "change", world.now())) | {"isuSrtCd"}


def check_items(world: World, inst: Instrument, items: list[str]) -> tuple[str, ...]:
    """The ``change`` items in the order given (duplicates dropped); 10050 for an item the
    issue's market does not stream."""
    allowed = change_items(world, inst)
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise exc.ItemNotAllowed(f"items not streamed for {group_of(inst)}: "
                                 f"{', '.join(map(repr, unknown[:5]))}")
    return tuple(dict.fromkeys(items))


def push_params(preset: str, inst: Instrument, items: Payload) -> Payload:
    """The ``params`` of a push: ``preset`` and ``isuSrtCd`` first (``change``: ``isuCd`` and
    ``isuSrtCd``, no preset), then the items in the builders' order."""
    if preset == "change":
        return {"isuCd": inst.isin, "isuSrtCd": inst.code, **items}
    return {"preset": preset, "isuSrtCd": inst.code, **items}
