"""Market REST views: indices (``/v2/market/index/...``, index.md I1-I4, I6, I7) and the
stocks composite (stocks.md S9). Each view is one model call."""

from __future__ import annotations

from typing import Any

from sandbox.families.market import indices, params, series
from sandbox.families.market.ops import market_op
from sandbox.gateway.call import Call

INDEX = "/v2/market/index/<marketcode>/<issuecode>"


@market_op("index_closeindex", f"{INDEX}/closeindex", f"{INDEX}/closeprice", family="index",
           summary="I1 index close with constituents, shares and market cap "
                   "(previous day; today after 15:40)")
def index_closeindex(call: Call) -> dict[str, Any]:
    return indices.close_index(call.world, params.target(call), params.now(call))


@market_op("index_index", f"{INDEX}/index", family="index",
           summary="I2 index value now (every 10 s), change, volume and value")
def index_index(call: Call) -> dict[str, Any]:
    return indices.index_now(call.world, params.target(call), params.now(call))


@market_op("index_prospectindex", f"{INDEX}/prospectindex", family="index",
           summary="I3 expected index of the opening and closing call auctions")
def index_prospectindex(call: Call) -> dict[str, Any]:
    return indices.prospect(call.world, params.target(call), params.now(call))


@market_op("index_marketcap", f"{INDEX}/marketcap", family="index",
           summary="I4 constituents, listed shares, volume, value and market cap (real time)")
def index_marketcap(call: Call) -> dict[str, Any]:
    return indices.market_cap(call.world, params.target(call), params.now(call))


@market_op("index_intraday", f"{INDEX}/intraday", family="index",
           summary="I6 index bars of 10 s, 1 min or 10 min, newest first")
def index_intraday(call: Call) -> dict[str, Any]:
    return series.intraday(call.world, params.target(call).inst, call.body, params.now(call))


@market_op("index_history", f"{INDEX}/history", family="index",
           summary="I7 daily, weekly or monthly index bars, newest first")
def index_history(call: Call) -> dict[str, Any]:
    return series.history(call.world, params.target(call).inst, call.body, params.now(call))


@market_op("stocks_index", "/v2/market/stocks/<marketcode>/index",
           "/v2/market/stocks/<marketcode>/closeindex", family="stocks", issue=False,
           summary="S9 KOSPI (K1) or KOSDAQ (Q1) composite now, with constituents, "
                   "shares and market cap")
def stocks_index(call: Call) -> dict[str, Any]:
    return indices.composite(call.world, params.target(call), params.now(call))
