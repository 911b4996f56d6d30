"""Market REST views: futures and options (``/v2/market/futures|options/...``, market README §5
F1-F7, O1-O7). Each view is one model call."""

from __future__ import annotations

from typing import Any

from sandbox.families.market import derivatives, derivatives_master, params
from sandbox.families.market.ops import market_op
from sandbox.gateway.call import Call
from sandbox.world.market.instruments import FUTURE, OPTION

FUT = "/v2/market/futures/<marketcode>"
OPT = "/v2/market/options/<marketcode>"


# ---------------------------------------------------------------------------------- futures
@market_op("futures_lists", f"{FUT}/lists", family="futures", issue=False,
           summary="F1 listed futures contracts, plus the continuous codes (bare object)")
def futures_lists(call: Call) -> dict[str, Any]:
    return derivatives.lists(call.world, params.target(call), params.now(call), FUTURE)


@market_op("futures_master", f"{FUT}/<issuecode>/master", family="futures",
           summary="F2 contract master: limits, base, previous day, extremes, expiry (06:30)")
def futures_master(call: Call) -> dict[str, Any]:
    return derivatives_master.master(call.world, params.target(call), params.now(call))


@market_op("futures_closeprice", f"{FUT}/<issuecode>/closeprice", family="futures",
           summary="F3 closing OHLCV (today's from 15:50)")
def futures_closeprice(call: Call) -> dict[str, Any]:
    return derivatives.closeprice(call.world, params.target(call), params.now(call))


@market_op("futures_price", f"{FUT}/<issuecode>/price", family="futures",
           summary="F4 last trade, day OHLCV, spread legs, active limits (real time)")
def futures_price(call: Call) -> dict[str, Any]:
    return derivatives.price(call.world, params.target(call), params.now(call))


@market_op("futures_orderbook", f"{FUT}/<issuecode>/orderbook", family="futures",
           summary="F5 five-level book with order counts (real time)")
def futures_orderbook(call: Call) -> dict[str, Any]:
    return derivatives.orderbook(call.world, params.target(call), params.now(call))


@market_op("futures_intraday", f"{FUT}/<issuecode>/intraday", family="futures",
           summary="F6 10 s / 1 min / 10 min bars, newest first (real time)")
def futures_intraday(call: Call) -> dict[str, Any]:
    return derivatives.intraday(call.world, params.target(call), call.body, params.now(call))


@market_op("futures_history", f"{FUT}/<issuecode>/history", family="futures",
           summary="F7 daily/weekly/monthly bars with open interest (06:30)")
def futures_history(call: Call) -> dict[str, Any]:
    return derivatives.history(call.world, params.target(call), call.body, params.now(call))


# ---------------------------------------------------------------------------------- options
@market_op("options_lists", f"{OPT}/lists", family="options", issue=False,
           summary="O1 listed option series around the money (bare object)")
def options_lists(call: Call) -> dict[str, Any]:
    return derivatives.lists(call.world, params.target(call), params.now(call), OPTION)


@market_op("options_master", f"{OPT}/<issuecode>/master", family="options",
           summary="O2 series master: strike, implied volatility, limits, theoretical prices")
def options_master(call: Call) -> dict[str, Any]:
    return derivatives_master.master(call.world, params.target(call), params.now(call))


@market_op("options_closeprice", f"{OPT}/<issuecode>/closeprice", family="options",
           summary="O3 closing OHLCV (previous day; today's from 15:50)")
def options_closeprice(call: Call) -> dict[str, Any]:
    return derivatives.closeprice(call.world, params.target(call), params.now(call))


@market_op("options_price", f"{OPT}/<issuecode>/price", family="options",
           summary="O4 last trade with the ISIN and active limits (real time)")
def options_price(call: Call) -> dict[str, Any]:
    return derivatives.price(call.world, params.target(call), params.now(call))


@market_op("options_orderbook", f"{OPT}/<issuecode>/orderbook", family="options",
           summary="O5 five-level book with order counts (real time)")
def options_orderbook(call: Call) -> dict[str, Any]:
    return derivatives.orderbook(call.world, params.target(call), params.now(call))


@market_op("options_intraday", f"{OPT}/<issuecode>/intraday", family="options",
           summary="O6 10 s / 1 min / 10 min bars, newest first (real time)")
def options_intraday(call: Call) -> dict[str, Any]:
    return derivatives.intraday(call.world, params.target(call), call.body, params.now(call))


@market_op("options_history", f"{OPT}/<issuecode>/history", family="options",
           summary="O7 daily/weekly/monthly bars with open interest (06:30)")
def options_history(call: Call) -> dict[str, Any]:
    return derivatives.history(call.world, params.target(call), call.body, params.now(call))
