"""HTTP side of the b2baccount family: ``POST /v1/{broker}/b2baccount/{api}/search`` with HTTP
Basic and the ``comId`` header of a discretionary institution; each view is one call into
:mod:`.models` or :mod:`.trades`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.families.b2baccount import models, trades
from sandbox.families.b2baccount.access import Search, normalise
from sandbox.gateway.call import Call
from sandbox.registry import Handler, operation

ERRORS = {
    403: "op-auth 2100: comId is not the app's institution, or no discretionary licence",
    500: "{broker} 4001, 6001, 6003, 6006, 6007, 7000 (b2baccount.md §8)",
}


# ERRATA 23: the Basic-auth page posts its accountlist to this route; its accounts are at samsung.
PAGE_ROUTE, PAGE_BROKER = "/v1/account/accountlist/search", "samsung"


def b2b_op(api: str, summary: str, *aliases: str) -> Callable[[Handler], Handler]:
    def normalise_body(call: Call) -> None:
        if call.broker is None:  # the broker-less alias route
            call.broker = call.world.ids.broker(PAGE_BROKER)
        call.body = normalise(call.body, api)

    return operation(f"b2baccount.{api}_search", "POST", f"/v1/<broker>/b2baccount/{api}/search",
                     *aliases, auth="basic", family="b2baccount", summary=summary,
                     tags=("b2baccount",), responses=ERRORS, resolve=normalise_body)


def _search(call: Call, api: str, run: Callable[[Search], dict[str, Any]]) -> dict[str, Any]:
    assert call.broker is not None and call.institution is not None
    return run(Search.opened(call.world, call.broker, call.institution, api, call.body))


@b2b_op("accountlist", "The institution's discretionary accounts at the broker", PAGE_ROUTE)
def accountlist_search(call: Call) -> dict[str, Any]:
    return _search(call, "accountlist", models.accountlist)


@b2b_op("balancelist", "Cash (D0, D+1, D+2) and positions of a discretionary account")
def balancelist_search(call: Call) -> dict[str, Any]:
    return _search(call, "balancelist", models.balancelist)


@b2b_op("orderdetail", "Orders and their executions of a discretionary account on a day")
def orderdetail_search(call: Call) -> dict[str, Any]:
    return _search(call, "orderdetail", trades.orderdetail)


@b2b_op("settlelist", "Executions of a day that are not settled yet, with their costs")
def settlelist_search(call: Call) -> dict[str, Any]:
    return _search(call, "settlelist", trades.settlelist)


@b2b_op("tradebook", "The ledger of a discretionary account over a period")
def tradebook_search(call: Call) -> dict[str, Any]:
    return _search(call, "tradebook", trades.tradebook)
