"""Scripted order outcomes: what a scenario rule (issue 8, :mod:`sandbox.scenarios`) asks the
broker side to do with *this* order message. Not part of the platform: on the real one the
broker and the exchange decide; here a test decides, deterministically.

The scenario engine puts one directive into ``call.effects["order"]``; the order family hands
it to the engine (:func:`engine.new_order` / ``replace_order`` / ``cancel_order``), which asks
this module. A directive is a JSON-compatible dict with exactly one key:

* ``{"reject": {"reason": "99", "text": "..."}}`` — a new order that passed every check of its
  own is rejected instead of accepted: ExecutionReport ``8`` with ``ordRejReason`` = reason
  (a FIX 4.4 OrdRejReason, default ``99``) and ``text`` (default or empty: the text of that
  reason in order.md §6.8, ``매매 거부 (rejected by the broker)`` for the others).
* ``{"partial": {"fills": [0.3, 0.3], "interval": 1.0, "rest": "rest"}}`` — after the
  acceptance (``0``, or ``5`` for a replace) the order executes the listed parts at its limit
  (a market order: the reference price at that instant), ``interval`` virtual seconds apart
  starting ``interval`` after the acceptance. Floats are fractions of ``orderQty`` (0 < f <= 1,
  summing to at most 1), ints are share quantities; each rounds down to whole shares, at least 1
  while something is left, never more than ``leavesQty``. Then ``rest``: ``"rest"`` — the
  remainder is handled as an order entered at the last scripted fill (filled at once at the
  reference price when marketable, an IOC/FOK remainder cancelled, otherwise it rests and
  matches); ``"cancel"`` — the exchange cancels it at that instant (ExecutionReport ``4``,
  ``거래소 취소``); ``"fill"`` — it fills one interval later.
* ``{"exchange_cancel": {"after": 0.0, "text": "..."}}`` — accepted, then cancelled by the
  exchange ``after`` virtual seconds later (ExecutionReport ``4``).
* ``{"cancel_reject": {"reason": "99", "text": "..."}}`` — a replace or cancel request that
  passed its own checks is answered by an OrderCancelReject (``cxlRejReason`` = reason, a FIX
  4.4 CxlRejReason, default ``99``) instead of being applied.

Which directive applies to which message (:func:`applies`): a new order takes ``reject``,
``partial`` and ``exchange_cancel``; a replace takes ``cancel_reject``, ``partial`` and
``exchange_cancel`` (the script then restarts from the replace); a cancel takes
``cancel_reject``. The family ignores a directive that does not apply, so one rule may match
every order message of an issue.

A scripted order is held by its script: the market does not fill it (as with the magic
quantities, which a directive switches off for its order) until the script ends with
``rest: "rest"``. Forced fills and rejects of the admin API still act on it; a cancel or a
replace of it works as usual; it still expires at the close (a later scripted step never
happens). Scripted steps happen at their virtual instants whatever the market session or the
trading halts: the outcome depends only on the orders and the clock. The directive and the
script's progress are stored on the order (``script``), so matching catch-up replays it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sandbox.world.orders import checks, hooks
from sandbox.world.orders.desk import cancel_reject
from sandbox.world.orders.records import Record

if TYPE_CHECKING:
    from sandbox.world.orders.desk import Desk

REJECT, PARTIAL, EXCHANGE_CANCEL, CANCEL_REJECT = (
    "reject", "partial", "exchange_cancel", "cancel_reject")
# the directive's keys: required, then optional with their defaults
KEYS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    REJECT: ((), {"reason": "99", "text": None}),
    PARTIAL: (("fills",), {"interval": 1.0, "rest": "rest"}),
    EXCHANGE_CANCEL: ((), {"after": 0.0, "text": None}),
    CANCEL_REJECT: ((), {"reason": "99", "text": None}),
}
APPLIES = {"new": (REJECT, PARTIAL, EXCHANGE_CANCEL),
           "replace": (CANCEL_REJECT, PARTIAL, EXCHANGE_CANCEL),
           "cancel": (CANCEL_REJECT,)}
RESTS = ("rest", "cancel", "fill")
# FIX 4.4 OrdRejReason (103) and CxlRejReason (102)
ORD_REJ_REASONS = (*(str(n) for n in range(16)), "99")
CXL_REJ_REASONS = (*(str(n) for n in range(7)), "99")
REJECT_TEXTS = {  # order.md §6.8; the others: hooks.TEXTS["refused"]
    "13": "주문수량 오류 (invalid quantity)",
}
CANCEL_REJECT_TEXTS = {
    "3": "정정/취소 처리 중 (a cancel or replace is already pending)",
    "other": "정정/취소 거부 (refused by the broker)",
}


# ------------------------------------------------------------------------------ checks
def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value)


def _check_reason(name: str, args: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    reason = args.get("reason", "99")
    if not isinstance(reason, str) or reason not in allowed:
        raise ValueError(f"{name}.reason must be one of {', '.join(allowed)} (a string), "
                         f"not {reason!r}")


def _check_fills(fills: Any) -> None:
    if not isinstance(fills, list) or not fills:
        raise ValueError("partial.fills must be a non-empty list")
    if all(isinstance(f, int) and not isinstance(f, bool) for f in fills):
        if min(fills) < 1:
            raise ValueError("partial.fills: share quantities must be >= 1")
        return
    if not all(isinstance(f, float) and math.isfinite(f) for f in fills):
        raise ValueError("partial.fills must be all fractions of orderQty (floats) or all "
                         f"share quantities (ints), not {fills!r}")
    if not all(0 < f <= 1 for f in fills):
        raise ValueError("partial.fills: fractions must be in (0, 1]")
    if sum(Fraction(str(f)) for f in fills) > 1:
        raise ValueError(f"partial.fills: the fractions {fills!r} sum to more than 1")


def validate_script(script: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` with a clear message unless ``script`` is one well-formed order
    directive (the model-level guard; the scenario schema checks first)."""
    if not isinstance(script, Mapping) or len(script) != 1:
        raise ValueError(f"an order directive has exactly one of {', '.join(KEYS)}")
    (name, args), = script.items()
    if name not in KEYS:
        raise ValueError(f"unknown order directive {name!r}: expected one of {', '.join(KEYS)}")
    if not isinstance(args, Mapping):
        raise ValueError(f"{name} takes an object")
    required, optional = KEYS[name]
    unknown = sorted(set(args) - set(required) - set(optional))
    if unknown:
        raise ValueError(f"{name}: unknown key(s) {', '.join(unknown)}")
    missing = [key for key in required if key not in args]
    if missing:
        raise ValueError(f"{name}: missing {', '.join(missing)}")
    text = args.get("text")
    if text is not None and not isinstance(text, str):
        raise ValueError(f"{name}.text must be a string")
    if name in (REJECT, CANCEL_REJECT):
        _check_reason(name, args, ORD_REJ_REASONS if name == REJECT else CXL_REJ_REASONS)
    elif name == PARTIAL:
        _check_fills(args["fills"])
        interval = args.get("interval", 1.0)
        if not _number(interval) or interval < 0:
            raise ValueError("partial.interval must be a number of seconds >= 0")
        if args.get("rest", "rest") not in RESTS:
            raise ValueError(f"partial.rest must be one of {', '.join(RESTS)}")
    elif not _number(args.get("after", 0.0)) or args.get("after", 0.0) < 0:
        raise ValueError("exchange_cancel.after must be a number of seconds >= 0")


def applies(script: Mapping[str, Any] | None, api: str) -> bool:
    """Whether a (valid) directive acts on an order message ``api`` (``new``, ``replace``,
    ``cancel``, or the operation ids ``order.new`` …)."""
    kind = api.removeprefix("order.")
    return script is not None and len(script) == 1 and next(iter(script)) in APPLIES.get(
        kind, ())


# ------------------------------------------------------------------------------ state
def _directive(chain: Record) -> tuple[str, Record] | None:
    state = chain.get("script")
    if state is None:
        return None
    (name, args), = state["directive"].items()
    return name, {**KEYS[name][1], **args}


def _attach(desk: Desk, chain: Record, script: Mapping[str, Any]) -> None:
    """Store the directive on the order, the script starting now (magic quantity off)."""
    chain.pop("magic", None)
    chain["script"] = {"directive": dict(script), "at": desk.now.isoformat(), "done": 0}


def screen(desk: Desk, chain: Record, script: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """A new order that passed its own checks: the scripted reject ``(reason, text)``, or the
    script attached; without a directive, the magic quantities (:func:`hooks.screen`)."""
    if script is None or next(iter(script)) not in (REJECT, PARTIAL, EXCHANGE_CANCEL):
        return hooks.screen(desk.world, chain)
    _attach(desk, chain, script)
    found = _directive(chain)
    assert found is not None
    name, args = found
    return (args["reason"], args["text"] or reject_text(args["reason"], chain["side"])) \
        if name == REJECT else None


def attach(desk: Desk, chain: Record, script: Mapping[str, Any] | None) -> None:
    """A replace accepted with a ``partial``/``exchange_cancel`` directive: the script
    restarts from now (without one, the order keeps its script or magic quantity)."""
    if script is not None and next(iter(script)) in (PARTIAL, EXCHANGE_CANCEL):
        _attach(desk, chain, script)


def reject_text(reason: str, side: str) -> str:
    """The default text of a scripted reject: order.md §6.8's for the reason."""
    if reason == "3":
        return checks.TEXTS["3buy" if side == hooks.BUY else "3sell"]
    return checks.TEXTS.get(reason) or REJECT_TEXTS.get(reason) or hooks.TEXTS["refused"]


def cancel_reject_text(reason: str) -> str:
    known = {"0": checks.REPLACE_TEXTS["done"], "1": checks.REPLACE_TEXTS["unknown"],
             "6": checks.REPLACE_TEXTS["duplicate"]}
    return known.get(reason) or CANCEL_REJECT_TEXTS.get(reason) or CANCEL_REJECT_TEXTS["other"]


def refuses(desk: Desk, body: Record, chain: Record, response_to: str,
            script: Mapping[str, Any] | None) -> bool:
    """A replace (``2``) or cancel (``1``) that passed its own checks and is scripted to be
    refused: publish the OrderCancelReject and say so."""
    if script is None or next(iter(script)) != CANCEL_REJECT:
        return False
    args = {**KEYS[CANCEL_REJECT][1], **script[CANCEL_REJECT]}
    cancel_reject(desk, body, chain, response_to, str(args["reason"]),
                  args["text"] or cancel_reject_text(args["reason"]))
    return True


# ------------------------------------------------------------------------------ outcomes
def _steps(chain: Record) -> list[tuple[datetime, str, Any]]:
    """The script's events in order: ``(instant, what, argument)``."""
    found = _directive(chain)
    if found is None or found[0] not in (PARTIAL, EXCHANGE_CANCEL):
        return []
    name, args = found
    start = datetime.fromisoformat(chain["script"]["at"])
    if name == EXCHANGE_CANCEL:
        return [(start + timedelta(seconds=args["after"]), "cancel", args["text"])]
    interval, fills = args["interval"], args["fills"]
    steps = [(start + timedelta(seconds=interval * n), "fill", part)
             for n, part in enumerate(fills, 1)]
    last = steps[-1][0]
    rest = args["rest"]
    if rest == "fill":
        steps.append((last + timedelta(seconds=interval), "fill", None))
    else:
        steps.append((last, rest, None))
    return steps


def _quantity(chain: Record, part: Any) -> int:
    """A scripted part in whole shares: a fraction of orderQty rounded down, at least 1; never
    more than what is left (None: all of it)."""
    left = int(chain["leavesQty"])
    if part is None:
        return left
    qty = part if isinstance(part, int) else math.floor(Fraction(str(part)) * chain["orderQty"])
    return min(left, max(1, qty))


def _price(desk: Desk, chain: Record, at: datetime) -> Any:
    if chain["price"] is not None:
        return chain["price"]
    inst = desk.world.universe.by_isin(chain["securityID"])
    assert inst is not None
    return hooks.reference(desk.world, inst, at).price


def _as_new(desk: Desk, chain: Record, at: datetime) -> None:
    """``rest: "rest"``: the remainder is handled as if entered at ``at`` (order.md §6.7): a
    marketable one fills at the reference price, an IOC/FOK one that is not is cancelled,
    anything else rests (the catch-up matches it from ``at``)."""
    from sandbox.world.orders import engine

    inst = desk.world.universe.by_isin(chain["securityID"])
    assert inst is not None
    reference = hooks.reference(desk.world, inst, at).price
    price, buy = chain["price"], chain["side"] == hooks.BUY
    if price is None or (price >= reference if buy else price <= reference):
        engine.fill(desk, chain, chain["leavesQty"], reference, at)
    elif chain["timeInForce"] in (checks.IOC, checks.FOK):
        engine.close_out(desk, chain, checks.TEXTS["unfilled"], at)


def _apply(desk: Desk, chain: Record, at: datetime, what: str, arg: Any) -> None:
    from sandbox.world.orders import engine

    if what == "fill":
        engine.fill(desk, chain, _quantity(chain, arg), _price(desk, chain, at), at)
    elif what == "cancel":
        engine.close_out(desk, chain, arg or hooks.TEXTS["exchange"], at)
    else:
        _as_new(desk, chain, at)


def scheduled(desk: Desk, chain: Record, since: datetime, until: datetime) -> datetime | None:
    """Play the order's script up to ``until``. Returns the instant from which the market
    matches the order (``since`` for an unscripted one, the end of a finished ``rest``
    script), or None while the script holds it or once it is no longer live."""
    steps = _steps(chain)
    if not steps:
        return since
    state = chain["script"]
    while state["done"] < len(steps):
        at, what, arg = steps[state["done"]]
        if at > until or chain["ordStatus"] not in hooks.LIVE:
            return None
        _apply(desk, chain, at, what, arg)
        state["done"] += 1
    return max(since, steps[-1][0]) if chain["ordStatus"] in hooks.LIVE else None


def accepted(desk: Desk, chain: Record) -> bool:
    """An order accepted or modified now: play what its script has due now. True when the
    script handles the order (the engine then leaves it alone), False when there is none or it
    has ended (the market handles it)."""
    steps = _steps(chain)
    if not steps or chain["script"]["done"] >= len(steps):
        return False
    scheduled(desk, chain, desk.now, desk.now)
    return True
