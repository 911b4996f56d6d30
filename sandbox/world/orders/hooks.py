"""Test hooks of the order service: what the admin API (not part of the platform, order.md
§6.7) changes on the broker side, and the magic quantities (table in :mod:`.engine`).

State lives in the world's store, so a reset clears it:

* ``order_reference`` (key: the issue's short code): an override of the reference price
  (``price``, with the instant it took effect) and/or of ``basPrc``. The broker side checks
  tick and limits, prices market orders and matches against it (ERRATA 24-25). Where the
  emulator differs: it exists for the order service only — the market-data endpoints, the
  streams and the valuations of balances keep the simulated prices. An override holds on
  every day until it is removed (``price: null``) or the world is reset.
* ``order_broker_down`` (key: the broker's short name): the broker's order service is down;
  order REST calls answer 503 ``op-exco 3600`` (§3.9). Resting orders keep matching (the
  exchange still trades) and b2baccount searches still answer.

The forced fill and reject act on a live order at the clock's instant, after the
institution's orders caught up with the clock. A reject follows FIX 4.4 (OrdStatus 8 "can be
rejected subsequent to order acknowledgment"): ExecutionReport ``8`` (``ordRejReason 99``)
while nothing of the order executed, else an unsolicited cancel ``4`` of the remainder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.world.market import calendar as cal
from sandbox.world.market import rules
from sandbox.world.market.instruments import ETF, ETN, STOCK, Instrument
from sandbox.world.orders import records
from sandbox.world.orders.records import Record

if TYPE_CHECKING:
    from sandbox.world.orders.desk import Desk
    from sandbox.world.world import World

REFERENCE, DOWN = "order_reference", "order_broker_down"
LIMIT, BUY, LIVE = "2", "1", ("0", "1")
PARTIAL, REFUSED, EXCHANGE_CANCEL, RESTING = 777, 666, 555, 444
MAGIC = (PARTIAL, REFUSED, EXCHANGE_CANCEL, RESTING)
STEPS = 3  # 777: fills 1 s, 2 s and 3 s after the acceptance
TEXTS = {
    "refused": "매매 거부 (rejected by the broker)",
    "exchange": "거래소 취소 (cancelled by the exchange)",
    "cancelled": "매매 취소 (cancelled by the broker)",
}
Price = int | float


class HookError(Exception):
    """A hook request that cannot apply: ``missing`` names something unknown (404), otherwise
    the request is refused (400)."""

    def __init__(self, text: str, missing: bool = False) -> None:
        super().__init__(text)
        self.missing = missing


@dataclass(frozen=True)
class Reference:
    """The prices the broker side checks and matches against at an instant."""

    day: date  # the trading day the values belong to
    price: Price  # reference price: the override, else the simulator's last trade
    base: Price  # basPrc: the override, else the simulator's
    upper: Price  # the day's limits (from the overridden basPrc when there is one)
    lower: Price


# ------------------------------------------------------------------------------ reference
def _orderable(world: World, code: str) -> Instrument:
    text = code.strip()
    inst = world.universe.by_isin(text) or world.universe.get(text)
    if inst is None or inst.kind not in (STOCK, ETF, ETN):
        raise HookError(f"no stock, ETF or ETN {code!r}", missing=True)
    return inst


def reference(world: World, inst: Instrument, at: datetime) -> Reference:
    """The issue's reference price and limits at ``at``, overrides applied."""
    quote = world.market.quote(inst, at)
    found = world.store.get(REFERENCE, inst.code) or {}
    base = found.get("basPrc")
    upper, lower = (quote.upper_limit, quote.lower_limit) if base is None else \
        rules.daily_limits(inst, quote.day, base)[0]
    price = found.get("price")
    return Reference(quote.day, quote.price if price is None else price,
                     quote.base if base is None else base, upper, lower)


def override(world: World, inst: Instrument) -> tuple[Price, datetime] | None:
    """The overridden reference price and the instant it took effect (None: the simulator's)."""
    found = world.store.get(REFERENCE, inst.code)
    if found is None or found.get("price") is None:
        return None
    return found["price"], datetime.fromisoformat(found["since"])


def _on_grid(inst: Instrument, day: date, name: str, value: Any) -> int:
    if value != int(value) or not rules.grid_for(inst, day, inst.market).on_grid(int(value)):
        raise HookError(f"{name} {value} is not on the tick grid of {inst.code} on {day}")
    return int(value)


def _merged(world: World, inst: Instrument, body: Record, now: datetime) -> Record:
    """The override after applying ``body`` to the stored one (checked)."""
    found = world.store.get(REFERENCE, inst.code) or {}
    day = world.market.quote(inst, now).day
    if "basPrc" in body:
        found["basPrc"] = None if body["basPrc"] is None else _on_grid(
            inst, day, "basPrc", body["basPrc"])
    if body.get("price") is not None:
        found["price"] = _on_grid(inst, day, "price", body["price"])
        found["since"] = now.isoformat()
    found.setdefault("price", None)
    if found["price"] is not None:
        world.store.put(REFERENCE, inst.code, found)  # rolled back if refused
        ref = reference(world, inst, now)
        if not ref.lower <= found["price"] <= ref.upper:
            raise HookError(f"price {found['price']} is outside the day's limits "
                            f"{ref.lower}..{ref.upper}")
    return found


def set_reference(world: World, body: Record) -> Record:
    """Override (or, with ``price: null``, stop overriding) an issue's reference price and
    ``basPrc``. Orders catch up with the clock under the old prices first, then once more
    under the new ones, so resting limits the new price reaches fill at this instant."""
    inst = _orderable(world, str(body["code"]))
    now = cal.kst(world.now())
    with world.store.transaction():
        catch_up_all(world)
        merged = None if "price" in body and body["price"] is None else _merged(
            world, inst, body, now)
        if merged is None or all(merged.get(k) is None for k in ("price", "basPrc")):
            world.store.delete(REFERENCE, inst.code)
        else:
            world.store.put(REFERENCE, inst.code, merged)
        catch_up_all(world)
    return reference_view(world, inst)


def reference_view(world: World, inst: Instrument) -> Record:
    ref = reference(world, inst, world.now())
    return {"code": inst.code, "isin": inst.isin, "day": records.ymd(ref.day),
            "price": ref.price, "basPrc": ref.base, "upperLimit": ref.upper,
            "lowerLimit": ref.lower, "override": world.store.get(REFERENCE, inst.code)}


def catch_up_all(world: World) -> None:
    """Bring every institution's orders up to the clock (fills, expiries)."""
    from sandbox.world.orders import engine  # the engine imports this module

    for com_id in world.ids.institutions:
        engine.catch_up(world, com_id)


# ------------------------------------------------------------------------------ broker down
def broker_down(world: World, broker: str) -> bool:
    return world.store.get(DOWN, broker) is not None


def set_broker_down(world: World, broker: str, down: bool) -> Record:
    if down:
        world.store.put(DOWN, broker, {"down": True})
    else:
        world.store.delete(DOWN, broker)
    return {"broker": broker, "down": down}


# ------------------------------------------------------------------------------ live orders
def _find(world: World, com_id: str, cl_ord_id: str) -> Record | None:
    """The chain any clOrdID of it names, newest trading day first."""
    for day in records.order_days(world, com_id):
        index = world.store.get(records.CLORD, f"{com_id}|{day}|{cl_ord_id}")
        if index is not None:
            return world.store.get(records.CHAIN, index["chain"])
    return None


def _live(world: World, com_id: str, cl_ord_id: str) -> tuple[Desk, Record]:
    """The desk of a live order's broker and the order, caught up with the clock."""
    from sandbox.world.orders import engine

    institution = world.ids.institutions.get(com_id)
    if institution is None:
        raise HookError(f"no discretionary institution {com_id!r}", missing=True)
    chain = _find(world, com_id, cl_ord_id)
    if chain is None:
        raise HookError(f"{com_id} has no order with clOrdID {cl_ord_id!r}", missing=True)
    broker = world.ids.broker(chain["broker"])
    assert broker is not None
    desk = engine.Desk(world, com_id, world.ids.apps[institution.app].srv_id, broker)
    engine.advance(desk)
    chain = world.store.get(records.CHAIN, chain["key"])
    assert chain is not None
    if chain["ordStatus"] not in LIVE:
        raise HookError(f"order {cl_ord_id} is not live (ordStatus {chain['ordStatus']})")
    return desk, chain


def _state(chain: Record) -> Record:
    return {k: chain[k] for k in ("clOrdID", "orderID", "ordStatus", "side", "ordType", "price",
                                  "orderQty", "cumQty", "leavesQty", "avgPx")}


def _fill_price(desk: Desk, chain: Record, inst: Instrument, px: Any) -> Price:
    """``px`` checked (grid, limits, no worse than the order's limit), or the default: the
    limit, or the reference price for a market order."""
    ref = reference(desk.world, inst, desk.now)
    limit: Price | None = chain["price"]
    if px is None:
        return limit if limit is not None else ref.price
    price = _on_grid(inst, ref.day, "px", px)
    if not ref.lower <= price <= ref.upper:
        raise HookError(f"px {price} is outside the day's limits {ref.lower}..{ref.upper}")
    if limit is not None and (price > limit if chain["side"] == BUY else price < limit):
        raise HookError(f"px {price} is worse than the order's limit {limit}")
    return price


def force_fill(world: World, com_id: str, body: Record) -> Record:
    """Execute ``qty`` (≤ leavesQty) of a live order at ``px`` now: ExecutionReport ``F``."""
    from sandbox.world.orders import engine

    with world.store.transaction():
        desk, chain = _live(world, com_id, str(body["clOrdID"]))
        qty = int(body["qty"])
        if qty > chain["leavesQty"]:
            raise HookError(f"qty {qty} is above the order's leavesQty {chain['leavesQty']}")
        inst = world.universe.by_isin(chain["securityID"])
        assert inst is not None
        message = engine.fill(desk, chain, qty, _fill_price(desk, chain, inst, body.get("px")),
                              desk.now)
        records.save_chain(world, chain)
    return {"comId": com_id, "order": _state(chain), "messages": [message]}


def _refuse(desk: Desk, chain: Record, text: str) -> Record:
    """An acknowledged order rejected before anything executed (FIX: New → Rejected)."""
    from sandbox.world.orders import engine

    chain.update(ordStatus="8", leavesQty=0)
    row = next(r for r in reversed(chain["rows"]) if r["type"] != "cancel")
    row.update(state="거부", reject=text.split(" (")[0])
    return engine.execution_report(desk, chain, "8", desk.now, text=text, reason="99")


def force_reject(world: World, com_id: str, body: Record) -> Record:
    """The broker rejects a live order (``8``) or, once part of it executed, cancels the rest
    (``4``), with ``text``."""
    from sandbox.world.orders import engine

    with world.store.transaction():
        desk, chain = _live(world, com_id, str(body["clOrdID"]))
        text = body.get("text")
        if chain["cumQty"] == 0:
            message = _refuse(desk, chain, text or TEXTS["refused"])
        else:
            message = engine.close_out(desk, chain, text or TEXTS["cancelled"], desk.now)
        records.save_chain(world, chain)
    return {"comId": com_id, "order": _state(chain), "messages": [message]}


# ------------------------------------------------------------------------------ magic
def screen(world: World, chain: Record) -> tuple[str, str] | None:
    """Tag a limit order whose quantity is magic (outside ``--strict``) as it is accepted;
    the broker's reject ``(ordRejReason, text)`` of a 666."""
    if world.settings.strict or chain["ordType"] != LIMIT or chain["orderQty"] not in MAGIC:
        return None
    chain["magic"] = chain["orderQty"]
    return ("99", TEXTS["refused"]) if chain["magic"] == REFUSED else None


def accepted(desk: Desk, chain: Record) -> None:
    """A magic order accepted or modified: 555 is cancelled by the exchange at once; 444 and
    777 rest (777 fills on its schedule, :func:`scheduled`)."""
    from sandbox.world.orders import engine

    if chain["magic"] == EXCHANGE_CANCEL and chain["ordStatus"] in LIVE:
        engine.close_out(desk, chain, TEXTS["exchange"], desk.now)


def scheduled(desk: Desk, chain: Record, until: datetime) -> None:
    """777: a third of the quantity at the order's limit 1 s, 2 s and 3 s after its
    acceptance, the last step taking what is left (fewer if it was reduced or filled)."""
    from sandbox.world.orders import engine

    if chain.get("magic") != PARTIAL:
        return
    start = datetime.fromisoformat(chain["rows"][0]["at"])
    for step in range(chain.get("magicSteps", 0) + 1, STEPS + 1):
        at = start + timedelta(seconds=step)
        if at > until or chain["ordStatus"] not in LIVE:
            return
        qty = chain["leavesQty"] if step == STEPS else min(PARTIAL // STEPS, chain["leavesQty"])
        engine.fill(desk, chain, qty, chain["price"], at)
        chain["magicSteps"] = step
