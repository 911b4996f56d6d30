"""HTTP side of the order service: ``POST /v1/{broker}/order/{new|replace|cancel}`` (and the
refused list messages) with HTTP Basic and the ``comId`` header of a discretionary
institution; each view is one call into :mod:`.models`."""

from __future__ import annotations

from typing import Any

from sandbox.families.order import models
from sandbox.gateway.call import Call
from sandbox.registry import operation

ERRORS = {403: "op-auth 2100: comId is not the app's institution, or no discretionary licence"}


def _submit(call: Call, api: str) -> dict[str, Any]:
    """One backend call; ``call.effects["order"]``: a matching scenario rule's directive."""
    assert call.app is not None and call.institution is not None and call.broker is not None
    return models.submit(call.world, call.app, call.institution, call.broker, api, call.body,
                         script=call.effects.get("order"))


@operation("order.new", "POST", "/v1/<broker>/order/new", auth="basic", family="order",
           summary="NewOrderSingle (35=D): acknowledged at once; the outcome follows as messages",
           tags=("order",), responses=ERRORS)
def new(call: Call) -> dict[str, Any]:
    return _submit(call, "new")


@operation("order.replace", "POST", "/v1/<broker>/order/replace", auth="basic",
           family="order", tags=("order",), responses=ERRORS,
           summary="OrderCancelReplaceRequest (35=G): re-price the whole remainder or reduce "
                   "the quantity")
def replace(call: Call) -> dict[str, Any]:
    return _submit(call, "replace")


@operation("order.cancel", "POST", "/v1/<broker>/order/cancel", auth="basic", family="order",
           summary="OrderCancelRequest (35=F): cancel the whole remaining quantity",
           tags=("order",), responses=ERRORS)
def cancel(call: Call) -> dict[str, Any]:
    return _submit(call, "cancel")


@operation("order.newlist", "POST", "/v1/<broker>/order/newlist", auth="basic",
           family="order", summary="NewOrderList (35=E): documented as unusable; always 400",
           tags=("order",), responses=ERRORS, body="none")
def newlist(call: Call) -> dict[str, Any]:
    return models.refuse_lists()


@operation("order.listcancel", "POST", "/v1/<broker>/order/listcancel", auth="basic",
           family="order", summary="ListCancelRequest (35=K): documented as unsupported; "
                                   "always 400", tags=("order",), responses=ERRORS, body="none")
def listcancel(call: Call) -> dict[str, Any]:
    return models.refuse_lists()
