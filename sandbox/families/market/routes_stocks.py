"""Market REST views: stocks (``/v2/market/stocks/...``, stocks.md). Each view is one model call.

``…/{issuecode}/selectivereal`` (stocks.md S3b) was announced but never delivered: no route,
so the gateway answers 404.
"""

from __future__ import annotations

from typing import Any

from sandbox.families.market import params, selective, series, stocks
from sandbox.families.market.ops import market_op
from sandbox.gateway.call import Call

MARKET = "/v2/market/stocks/<marketcode>"
STOCK = f"{MARKET}/<issuecode>"


@market_op("stocks_lists", f"{MARKET}/lists", f"{MARKET}/list", family="stocks", issue=False,
           summary="S1 every issue of the market (06:30 batch; /list alias, ERRATA 29)")
def stocks_lists(call: Call) -> dict[str, Any]:
    return stocks.lists(call.world, params.target(call), params.now(call))


@market_op("stocks_master", f"{STOCK}/master", family="stocks",
           summary="S2 issue master: flags, base price, limits, previous day, ratios (06:30)")
def stocks_master(call: Call) -> dict[str, Any]:
    return stocks.master(call.world, params.target(call), params.now(call))


@market_op("stocks_closeprice", f"{STOCK}/closeprice", family="stocks",
           summary="S4 today's closing OHLCV (from 15:40; the last business day's on holidays)")
def stocks_closeprice(call: Call) -> dict[str, Any]:
    return stocks.closeprice(call.world, params.target(call), params.now(call))


@market_op("stocks_price", f"{STOCK}/price", family="stocks",
           summary="S5 last trade: price, day OHLCV, best bid/ask (real time)")
def stocks_price(call: Call) -> dict[str, Any]:
    return stocks.price(call.world, params.target(call), params.now(call))


@market_op("stocks_orderbook", f"{STOCK}/orderbook", family="stocks",
           summary="S6 ten-level order book without LP quotes, totals, expected match (real time)")
def stocks_orderbook(call: Call) -> dict[str, Any]:
    return stocks.orderbook(call.world, params.target(call), params.now(call))


@market_op("stocks_intraday", f"{STOCK}/intraday", family="stocks",
           summary="S12 intraday bars of 10 s, 1 min or 10 min, newest first (real time)")
def stocks_intraday(call: Call) -> dict[str, Any]:
    return series.intraday(call.world, params.target(call).inst, call.body, params.now(call))


@market_op("stocks_history", f"{STOCK}/history", family="stocks",
           summary="S15 daily, weekly or monthly bars, newest first (06:30 batch + today)")
def stocks_history(call: Call) -> dict[str, Any]:
    return series.history(call.world, params.target(call).inst, call.body, params.now(call))


@market_op("stocks_selectivemaster", f"{STOCK}/selectivemaster", family="stocks",
           summary="S3 master items chosen by the caller (?item&item…, at most 10)")
def stocks_selectivemaster(call: Call) -> dict[str, Any]:
    return selective.selectivemaster(call.world, params.target(call), call.body, params.now(call))
