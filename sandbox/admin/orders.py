"""Admin API of the order service's test hooks (not part of the platform, order.md §6.7):
force a fill, a reject or a cancel of a live order, override an issue's reference price for
the order service, switch a broker's order service down. The rules are
:mod:`sandbox.world.orders.hooks`; bad input answers the platform error object (400, 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.admin import admin
from sandbox.errors import BadRequest, NotFound
from sandbox.gateway.call import Call
from sandbox.world.orders import hooks


def _apply(action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return action()
    except hooks.HookError as exc:
        raise (NotFound if exc.missing else BadRequest)(str(exc)) from None


@admin("admin.order_fill", "POST", "/_sandbox/orders/<com_id>/fill",
        "Test hook: fill qty of a live order at px (default its limit) now → ExecutionReport F")
def order_fill(call: Call) -> dict[str, Any]:
    return _apply(lambda: hooks.force_fill(call.world, call.path_params["com_id"], call.body))


@admin("admin.order_reject", "POST", "/_sandbox/orders/<com_id>/reject",
        "Test hook: the broker rejects a live order (ExecutionReport 8), or cancels its "
        "remainder once part of it executed (4)")
def order_reject(call: Call) -> dict[str, Any]:
    return _apply(lambda: hooks.force_reject(call.world, call.path_params["com_id"],
                                             call.body))


@admin("admin.order_reference", "POST", "/_sandbox/orders/reference",
        "Test hook: override an issue's reference price and basPrc for the order service "
        "(price null removes the override)")
def order_reference(call: Call) -> dict[str, Any]:
    return _apply(lambda: hooks.set_reference(call.world, call.body))


@admin("admin.order_broker_down", "POST", "/_sandbox/brokers/<broker>/down",
        "Test hook: switch a broker's order service down (order calls answer 503 op-exco "
        "3600) or up")
def order_broker_down(call: Call) -> dict[str, Any]:
    assert call.broker is not None  # the pipeline resolved the path's broker (else 3002)
    return hooks.set_broker_down(call.world, call.broker.short_name, bool(call.body["down"]))
