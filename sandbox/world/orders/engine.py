"""The "broker" behind the order service (order.md §3.5-§3.7, §5, §6 [proposed]).

Every call runs in one store transaction, so concurrent submissions are serialised and a
failure leaves nothing half-applied. The platform's synchronous checks (JSON level, §3.9) are
the request schemas'; everything here is a business outcome, reported as messages:

* **new** (35=D): a duplicate ``clOrdID`` of the day → reject ``6``; then the instrument
  (``1``), the discretionary account (``99``), the order type and time in force (``11``), the
  tick grid and the day's limits (``99``), orderable cash or sellable quantity (``3``).
  Accepted → ExecutionReport ``0`` with the broker's order number, then matching.
* **matching** (§6.7): a market order, or a limit order at or through the reference price (the
  simulator's current price, or the hook's override), fills at once at the reference price;
  otherwise it rests and fills at its limit at the first trade of the tape that reaches it;
  IOC/FOK orders that cannot fill at once are cancelled. Unfilled day orders are cancelled at
  the close of their session (``장종료 자동취소``). Matching catches up whenever the
  institution's orders are touched (:func:`advance`), so the outcome depends only on the
  orders and the clock, never on timing.
* **replace** (35=G) and **cancel** (35=F): the Korean rules of §3.6 as OrderCancelReject
  ``99`` texts, ``0`` too late, ``1`` unknown; accepted → ExecutionReport ``5``/``4`` with a new
  order number (``origOrderID`` = the replaced number).
* **test hooks** (admin API, not part of the platform; :mod:`.hooks`): while an issue's
  reference price is overridden it is the price marketable orders fill at, and resting limits
  cross when it reaches them (at the override's instant, no tape scan); an overridden
  ``basPrc`` moves the day's limits. Forced fills, rejects and cancels act on a live order at
  the clock's instant; a broker switched down answers order calls 503 ``op-exco 3600``.
* **magic quantities**: a limit order's ``orderQty`` selects a scripted outcome (not in
  ``--strict``, where every order is handled as above; never for market orders). Forced fills
  and rejects still apply to them.

  | orderQty | reports | outcome |
  | --- | --- | --- |
  | 777 | 0, F, F, F | a third at its limit 1 s, 2 s and 3 s (virtual) after acceptance |
  | 666 | 8 | the broker's reject ``99`` ``매매 거부 (rejected by the broker)`` |
  | 555 | 0, 4 | cancelled by the exchange at once: ``거래소 취소 (cancelled by the exchange)`` |
  | 444 | 0 (, 4) | never filled by the market; expires at the close (``장종료 자동취소``) |

* **scripted outcomes** (scenario rules, :mod:`.scripts`): a directive on the message rejects,
  partially fills or exchange-cancels the order, or refuses a replace/cancel; it replaces the
  magic quantity of its order and applies only after the order's own checks.

Sessions (§6.2): "sandbox always open" by default (orders at any virtual time; they trade when
the market does). With ``--order-sessions`` orders are refused outside 08:30-15:30 of trading
days (reject ``2``; replace/cancel get an OrderCancelReject ``99``), and orders entered during a
call auction rest until its match (IOC/FOK there are cancelled).

Market events (:mod:`sandbox.world.market.events`): while an issue is halted new orders
and modifications are rejected ``99`` (``거래정지 종목``) and nothing fills (the tape prints no
trade); while it is locked at its upper limit buys do not fill (no sellers) and sells do (a
marketable sell at the limit price), symmetrically at the lower limit.

Where the emulator differs: ``execID`` is
``YYYYMMDD-orderID-n`` with ``n`` counting the reports of each order number.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.world.market import calendar as cal
from sandbox.world.market import events
from sandbox.world.market.instruments import Instrument
from sandbox.world.orders import checks, hooks, records, scripts
from sandbox.world.orders.checks import (
    BUY,
    DAY,
    FOK,
    IOC,
    LIMIT,
    LIVE,
    MARKET,
    OPEN_PHASES,
    REPLACE_TEXTS,
    TEXTS,
    Rejected,
    session,
)
from sandbox.world.orders.desk import Desk, cancel_reject, execution_report, kst_stamp, utc_stamp
from sandbox.world.orders.records import Record
from sandbox.world.store import CapacityError

__all__ = ["Desk", "advance", "cancel_order", "execution_report", "kst_stamp", "new_order",
           "replace_order", "utc_stamp"]

if TYPE_CHECKING:
    from sandbox.world.world import World


# ------------------------------------------------------------------------------ chains
def _session_close(desk: Desk) -> datetime:
    """When a day order accepted now expires: the close of today's session, or of the next
    trading day's once today's is over (or today is a holiday)."""
    day = desk.day
    if cal.is_trading_day(day) and desk.now < cal.instant(day, cal.schedule(day).close):
        return cal.instant(day, cal.schedule(day).close)
    nxt = cal.next_trading_day(day)
    return cal.instant(nxt, cal.schedule(nxt).close)


def _new_chain(desk: Desk, body: Record) -> Record:
    now = desk.now
    price = body.get("price") if body["ordType"] == LIMIT else None
    return {
        "key": records.chain_key(desk.com_id, desk.day, body["clOrdID"]), "com": desk.com_id,
        "srv": desk.srv_id, "broker": desk.broker.short_name, "day": records.ymd(desk.day),
        "account": str(body["account"]), "securityID": str(body["securityID"]),
        "symbol": body.get("symbol"), "side": body["side"], "ordType": body["ordType"],
        "price": price, "orderQty": int(body["orderQty"]),
        "timeInForce": body.get("timeInForce", DAY), "clOrdID": body["clOrdID"],
        "origClOrdID": None, "orderID": None, "origOrderID": None, "ordStatus": "0",
        "cumQty": 0, "avgPx": 0, "leavesQty": int(body["orderQty"]), "reserve": 0,
        "checked": now.isoformat(), "expires": _session_close(desk).isoformat(),
        "rows": [{"type": "new", "orderNo": None, "orgOrderNo": None,
                  "qty": int(body["orderQty"]), "price": price or 0,
                  "ordType": body["ordType"], "at": now.isoformat(), "state": "접수",
                  "reject": None, "fills": []}],
    }


def _number(desk: Desk) -> str:
    n = records.next_number(desk.world, "order", desk.broker.short_name, records.ymd(desk.day))
    return desk.broker.order_number_format % (desk.broker.order_number_start + n - 1)


def fill(desk: Desk, chain: Record, qty: int, px: Any, at: datetime) -> Record:
    """Execute ``qty`` at ``px``: the live row records it; FIX state and a report follow."""
    row = next(r for r in reversed(chain["rows"]) if r["type"] != "cancel")
    exec_no = records.next_number(desk.world, "exec", desk.com_id, chain["account"],
                                  records.ymd(at.date()))
    row["fills"].append({"qty": qty, "px": px, "execNo": exec_no, "at": at.isoformat()})
    row["state"] = "체결"
    cum = chain["cumQty"] + qty
    avg = (chain["avgPx"] * chain["cumQty"] + px * qty) / cum
    chain["cumQty"], chain["avgPx"] = cum, int(avg) if avg == int(avg) else round(avg, 2)
    chain["leavesQty"] -= qty
    chain["ordStatus"] = "2" if chain["leavesQty"] == 0 else "1"
    return execution_report(desk, chain, "F", at, last=(qty, px))


def close_out(desk: Desk, chain: Record, text: str | None, at: datetime) -> Record:
    """Cancel what is left of a live order (expiry, unfilled IOC/FOK, the hooks)."""
    chain["leavesQty"], chain["ordStatus"] = 0, "4"
    return execution_report(desk, chain, "4", at, text=text)


def _immediate(desk: Desk, chain: Record, inst: Instrument) -> None:
    """§6.7: a marketable order fills whole at the reference price; IOC/FOK leftovers go.
    Scripted orders (:mod:`.scripts`) and magic quantities (:mod:`.hooks`) follow theirs."""
    if scripts.accepted(desk, chain):
        return
    if chain.get("magic"):
        hooks.accepted(desk, chain)
        return
    phase = session(desk)
    if phase is not None and phase != cal.CONTINUOUS:  # a call auction: it matches there
        if chain["timeInForce"] in (IOC, FOK):
            close_out(desk, chain, TEXTS["unfilled"], desk.now)
        return
    reference = hooks.reference(desk.world, inst, desk.now).price
    price, buy = chain["price"], chain["side"] == BUY
    if (chain["ordType"] == MARKET or (price >= reference if buy else price <= reference)) \
            and _tradable(desk, inst, desk.now, buy):
        fill(desk, chain, chain["leavesQty"], reference, desk.now)
    elif chain["timeInForce"] in (IOC, FOK):
        close_out(desk, chain, TEXTS["unfilled"], desk.now)


def _crossing(desk: Desk, chain: Record, inst: Instrument, since: datetime,
              until: datetime) -> tuple[datetime, Any] | None:
    """``(instant, price)`` of the first trade in (since, until] at or through the resting
    limit (a market order resting through a call auction: the first trade, at its price) — or,
    while the issue's reference price is overridden, the override's instant once it reaches
    the limit (no tape scan). Magic quantities never cross."""
    if chain.get("magic"):
        return None
    limit, buy = chain["price"], chain["side"] == BUY
    override = hooks.override(desk.world, inst)
    if override is not None:
        price, effective = override
        at = max(since, effective)
        reached = limit is None or (price <= limit if buy else price >= limit)
        reached = reached and at <= until and _tradable(desk, inst, at, buy)
        return (at, price if limit is None else limit) if reached else None
    day = until.date()
    if since.date() > day or until <= since:
        return None
    low = cal.split_instant(since)[1] if since.date() == day else -1
    trades = desk.world.market.trades(inst, day, until=until)
    times = [cal.from_hhmmsscc(t.time) for t in trades]
    for trade, cs in zip(trades[bisect.bisect_right(times, low):],
                         times[bisect.bisect_right(times, low):], strict=True):
        crosses = limit is None or (trade.price <= limit if buy else trade.price >= limit)
        if crosses and _tradable(desk, inst, cal.instant(day, cs), buy):
            # a market order takes the first trade, at its price
            return cal.instant(day, cs), trade.price if limit is None else limit
    return None


def _tradable(desk: Desk, inst: Instrument, at: datetime, buy: bool) -> bool:
    """Not halted, and not locked at a limit against the order (market events): no sellers
    while locked at the upper limit, no buyers at the lower."""
    return not events.halted(desk.world, inst.code, at) and \
        events.locked(desk.world, inst.code, at) != (1 if buy else -1)


def _catch_up(desk: Desk, chain: Record) -> None:
    """Fill or expire a resting order up to now."""
    since, expires = datetime.fromisoformat(chain["checked"]), datetime.fromisoformat(
        chain["expires"])
    until = min(desk.now, expires)
    inst = desk.world.universe.by_isin(chain["securityID"])
    if inst is not None and until >= since:
        resume = scripts.scheduled(desk, chain, since, until)  # None: held by its script
        crossed = None if resume is None else _crossing(desk, chain, inst, resume, until)
        if crossed is not None:
            fill(desk, chain, chain["leavesQty"], crossed[1], crossed[0])
        hooks.scheduled(desk, chain, until)
    chain["checked"] = max(until, since).isoformat()
    if chain["ordStatus"] in LIVE and desk.now >= expires:
        close_out(desk, chain, TEXTS["expired"], expires)


def advance(desk: Desk) -> None:
    """Bring every live order of the institution up to the clock (fills, expiries), at every
    broker: the messages carry each order's own broker."""
    with desk.world.store.transaction():
        for chain in records.live_chains(desk.world, desk.com_id):
            before = dict(chain)
            _catch_up(desk, chain)
            if chain != before:  # rows only change along with the FIX state
                records.save_chain(desk.world, chain)


def catch_up(world: World, com_id: str) -> None:
    """:func:`advance` for an institution named by its code (reads, the report channel, the
    admin view): nothing to do for an unknown institution or one without accounts."""
    institution = world.ids.institutions.get(com_id)
    brokers = sorted({row["broker"] for row in institution.accounts}) if institution else []
    broker = world.ids.broker(brokers[0]) if brokers else None
    if institution is not None and broker is not None:
        advance(Desk(world, com_id, world.ids.apps[institution.app].srv_id, broker))


# ------------------------------------------------------------------------------ requests
def _room(world: World, new_chain: bool) -> None:
    """The caps of ``world.limits``: a request that would store one order chain (or message)
    beyond them is refused as a whole (CapacityError, 503); nothing stored is ever dropped.
    Working orders still report their fills and expiries beyond the message cap."""
    limits = world.limits
    if new_chain and world.store.count(records.CHAIN) >= limits.orders:
        raise CapacityError("orders", limits.orders, "orders")
    if world.store.count(records.REPORT) >= limits.order_messages:
        raise CapacityError("order messages", limits.order_messages, "order_messages")


def new_order(desk: Desk, body: Record, script: Record | None = None) -> None:
    """NewOrderSingle: a reject, or an accepted order (possibly filled at once); ``script``: a
    scenario directive for it (:mod:`.scripts`)."""
    world = desk.world
    with world.store.transaction():
        _room(world, new_chain=True)
        advance(desk)
        chain = _new_chain(desk, body)
        if records.find_chain(world, desk.com_id, desk.day, body["clOrdID"]) is not None:
            chain.update(ordStatus="8", leavesQty=0)  # not stored: the clOrdID is taken
            execution_report(desk, chain, "8", desk.now, text=TEXTS["6"], reason="6")
            return
        chain["orderID"] = chain["rows"][0]["orderNo"] = _number(desk)
        try:
            inst = checks.instrument(desk, body)
            chain["symbol"] = inst.code
            checks.account(desk, body)
            checks.terms(body)
            checks.is_open(desk)
            checks.tradable_price(desk, inst, body["ordType"], chain["price"])
            checks.affordable(desk, chain, inst, chain["orderQty"], chain["price"])
            refused = scripts.screen(desk, chain, script)
            if refused is not None:
                raise Rejected(*refused)
        except Rejected as rejected:
            chain.update(ordStatus="8", leavesQty=0)
            chain["rows"][0].update(state="거부", reject=rejected.text.split(" (")[0])
            execution_report(desk, chain, "8", desk.now, text=rejected.text,
                             reason=rejected.reason)
        else:
            execution_report(desk, chain, "0", desk.now)
            _immediate(desk, chain, inst)
        records.save_chain(world, chain)
        records.index_cl_ord_id(world, desk.com_id, desk.day, body["clOrdID"], chain)


def _pending(desk: Desk, body: Record, response_to: str) -> Record | None:
    """The chain a replace/cancel request targets, or None after an OrderCancelReject."""
    world = desk.world
    chain = records.find_chain(world, desk.com_id, desk.day, str(body["origClOrdID"]))
    if records.find_chain(world, desk.com_id, desk.day, body["clOrdID"]) is not None:
        cancel_reject(desk, body, chain, response_to, "99", REPLACE_TEXTS["duplicate"])
    elif session(desk) not in (None, *OPEN_PHASES):
        cancel_reject(desk, body, chain, response_to, "99", TEXTS["2"])
    elif chain is None or chain["clOrdID"] != body["origClOrdID"]:
        cancel_reject(desk, body, chain, response_to, "1", REPLACE_TEXTS["unknown"])
    elif chain["ordStatus"] not in LIVE:
        cancel_reject(desk, body, chain, response_to, "0", REPLACE_TEXTS["done"])
    elif (chain["account"], chain["securityID"], chain["side"]) != (
            str(body["account"]), str(body["securityID"]), body["side"]):
        cancel_reject(desk, body, chain, response_to, "99", REPLACE_TEXTS["terms"])
    else:
        return chain
    return None


def _replace_problem(desk: Desk, chain: Record, body: Record, inst: Instrument) -> str | None:
    """The first Korean modify rule the request breaks (§3.6), as a reject text."""
    qty, ord_type = int(body["orderQty"]), body["ordType"]
    price = body.get("price") if ord_type == LIMIT else None
    if qty > chain["orderQty"]:
        return REPLACE_TEXTS["increase"]
    if qty <= chain["cumQty"]:
        return REPLACE_TEXTS["nothing_left"]
    if price != chain["price"] and qty != chain["orderQty"]:
        return REPLACE_TEXTS["price"]
    if (price, qty, ord_type) == (chain["price"], chain["orderQty"], chain["ordType"]):
        return REPLACE_TEXTS["same"]
    try:
        checks.terms(body)
        checks.tradable_price(desk, inst, ord_type, price)
        trial = {**chain, "ordType": ord_type}
        checks.affordable(desk, trial, inst, qty - chain["cumQty"], price, exclude=chain["key"])
    except Rejected as rejected:
        return rejected.text
    return None


def _follow_up(desk: Desk, chain: Record, body: Record, kind: str, qty: int, price: Any,
               ord_type: str) -> None:
    """An accepted modify or cancel: its own row and order number (order.md §3.6-§3.7, §7);
    the chain now answers to the request's clOrdID."""
    number = _number(desk)
    state = "정정확인" if kind == "modify" else "취소확인"
    chain["rows"].append({"type": kind, "orderNo": number, "orgOrderNo": chain["orderID"],
                          "qty": qty, "price": price, "ordType": ord_type,
                          "at": desk.now.isoformat(), "state": state, "reject": None,
                          "fills": []})
    chain.update(origOrderID=chain["orderID"], orderID=number, origClOrdID=chain["clOrdID"],
                 clOrdID=body["clOrdID"])


def replace_order(desk: Desk, body: Record, script: Record | None = None) -> None:
    """OrderCancelReplaceRequest: an OrderCancelReject, or ExecutionReport 5 (new number)."""
    world = desk.world
    with world.store.transaction():
        _room(world, new_chain=False)
        advance(desk)
        chain = _pending(desk, body, "2")
        if chain is None:
            return
        inst = world.universe.by_isin(chain["securityID"])
        assert inst is not None
        problem = _replace_problem(desk, chain, body, inst)
        if problem is not None:
            cancel_reject(desk, body, chain, "2", "99", problem)
            return
        if scripts.refuses(desk, body, chain, "2", script):
            return
        qty, ord_type = int(body["orderQty"]), body["ordType"]
        price = body.get("price") if ord_type == LIMIT else None
        _follow_up(desk, chain, body, "modify", qty - chain["cumQty"], price or 0, ord_type)
        chain.update(ordType=ord_type, price=price, orderQty=qty, leavesQty=qty - chain["cumQty"],
                     timeInForce=body.get("timeInForce", chain["timeInForce"]))
        checks.affordable(desk, chain, inst, chain["leavesQty"], price, exclude=chain["key"])
        execution_report(desk, chain, "5", desk.now)
        scripts.attach(desk, chain, script)
        _immediate(desk, chain, inst)
        records.save_chain(world, chain)
        records.index_cl_ord_id(world, desk.com_id, desk.day, body["clOrdID"], chain)


def cancel_order(desk: Desk, body: Record, script: Record | None = None) -> None:
    """OrderCancelRequest: an OrderCancelReject, or ExecutionReport 4 (new number)."""
    world = desk.world
    with world.store.transaction():
        _room(world, new_chain=False)
        advance(desk)
        chain = _pending(desk, body, "1")
        if chain is None or scripts.refuses(desk, body, chain, "1", script):
            return
        _follow_up(desk, chain, body, "cancel", chain["leavesQty"], 0, chain["ordType"])
        close_out(desk, chain, None, desk.now)
        records.save_chain(world, chain)
        records.index_cl_ord_id(world, desk.com_id, desk.day, body["clOrdID"], chain)
