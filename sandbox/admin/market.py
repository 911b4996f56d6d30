"""Admin API of the market, for the console's Market view: an instrument search and one
instrument's quote, intraday and daily bars and order book at the world clock. Rules in
:mod:`sandbox.admin.instruments`; an unknown instrument answers 404 in the platform format."""

from __future__ import annotations

from typing import Any

from sandbox.admin import admin, instruments
from sandbox.gateway.call import Call


@admin("admin.market_search", "GET", "/_sandbox/market/instruments",
       "Search instruments by code, ISIN or name (stocks, ETFs, ETNs, indices, futures "
       "listed on the clock's session day)", body="query")
def market_search(call: Call) -> dict[str, Any]:
    return instruments.search(call.world, call.body)


@admin("admin.market_instrument", "GET", "/_sandbox/market/instruments/<code>",
       "One instrument at the world clock: quote, the day's intraday bars, daily history and "
       "the order book (read off the same market model as the market REST family)",
       body="query")
def market_instrument(call: Call) -> dict[str, Any]:
    return instruments.view(call.world, call.path_params["code"], call.body)
