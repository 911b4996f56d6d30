"""HTTP side of the account family: ``POST /v1/{broker}/account/{api}/search`` with an OAuth
bearer token of scope ``account``; each view is one call into :mod:`.models`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.families.account import models
from sandbox.families.account.access import normalise
from sandbox.families.account.encoding import dumps
from sandbox.gateway.call import Call
from sandbox.registry import Handler, operation

ERRORS = {
    403: "op-auth 2100: the token's scope or user does not cover the request",
    500: "op-exco 3009/3010; {broker} 4003, 4006, 6001-6008, 7000 (errors.md §6)",
}


def account_op(api: str, summary: str) -> Callable[[Handler], Handler]:
    def normalise_body(call: Call) -> None:
        call.body = normalise(call.body, api)

    return operation(f"account.{api}_search", "POST", f"/v1/<broker>/account/{api}/search",
                     auth="bearer", family="account", scope="account", summary=summary,
                     tags=("account",), responses=ERRORS, resolve=normalise_body, encoder=dumps)


def _search(call: Call, search: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    assert call.app is not None and call.user is not None and call.broker is not None
    return search(call.world, call.app, call.user, call.broker, call.body)


@account_op("portfolio", "Holdings of a virtual account as weights (RAT) or quantities (QTY)")
def portfolio_search(call: Call) -> dict[str, Any]:
    return _search(call, models.portfolio)


@account_op("balance", "Cash, positions, purchase amounts, valuations and P/L of an account")
def balance_search(call: Call) -> dict[str, Any]:
    return _search(call, models.balance)


@account_op("transaction", "Buys (ASK), sells (BID), deposits and withdrawals over a range")
def transaction_search(call: Call) -> dict[str, Any]:
    return _search(call, models.transaction)


@account_op("interest", "The watch-list groups the investor keeps at the broker")
def interest_search(call: Call) -> dict[str, Any]:
    return _search(call, models.interest)
