"""Market REST views: stocks (``/v2/market/stocks/...``). Each view is one model call."""

from __future__ import annotations

from typing import Any

from sandbox.families.market import params, stocks
from sandbox.families.market.ops import market_op
from sandbox.gateway.call import Call

STOCK = "/v2/market/stocks/<marketcode>/<issuecode>"


@market_op("stocks_price", f"{STOCK}/price", family="stocks",
           summary="S5 last trade: price, day OHLCV, best bid/ask (real time)")
def stocks_price(call: Call) -> dict[str, Any]:
    return stocks.price(call.world, params.target(call), params.now(call))
