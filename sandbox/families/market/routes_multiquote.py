"""Market REST views: multi-quote tables (``/v2/market/multiquote/stocks/...``,
multiquote.md M1-M6). Each view is one model call."""

from __future__ import annotations

from typing import Any

from sandbox.families.market import multiquote, params
from sandbox.families.market.ops import market_op
from sandbox.gateway.call import Call

MULTI = "/v2/market/multiquote/stocks/<marketcode>"


@market_op("multiquote_lists", f"{MULTI}/lists", f"{MULTI}/pricelist", family="multiquote",
           issue=False, summary="M1 every issue's last price, volume and value (1 s snapshot)")
def multiquote_lists(call: Call) -> dict[str, Any]:
    return multiquote.table(call.world, params.target(call), params.now(call), "lists")


@market_op("multiquote_ohlclists", f"{MULTI}/ohlclists", family="multiquote", issue=False,
           summary="M2 every issue's open, high, low and last price (1 s snapshot)")
def multiquote_ohlclists(call: Call) -> dict[str, Any]:
    return multiquote.table(call.world, params.target(call), params.now(call), "ohlclists")


@market_op("multiquote_quotelists", f"{MULTI}/quotelists", family="multiquote", issue=False,
           summary="M5 every issue's last price and best bid/ask with quantities (1 s snapshot)")
def multiquote_quotelists(call: Call) -> dict[str, Any]:
    return multiquote.table(call.world, params.target(call), params.now(call), "quotelists")


@market_op("multiquote_ahtohlclists", f"{MULTI}/ahtohlclists", family="multiquote",
           issue=False,
           summary="M6 every issue's after-hours single-price OHLC, 16:00-18:00 (1 s snapshot)")
def multiquote_ahtohlclists(call: Call) -> dict[str, Any]:
    return multiquote.table(call.world, params.target(call), params.now(call), "ahtohlclists")


@market_op("multiquote_price", f"{MULTI}/price", family="multiquote", issue=False,
           summary="M3 last trade of up to 20 issues (isuCd=a,b,...)")
def multiquote_price(call: Call) -> dict[str, Any]:
    return multiquote.price(call.world, params.target(call), call.body, params.now(call))


@market_op("multiquote_orderbook", f"{MULTI}/orderbook", "/v2/market/list/<marketcode>/orderbook",
           family="multiquote", issue=False,
           summary="M4 10-level order book of up to 20 issues (isuCd=a,b,...)")
def multiquote_orderbook(call: Call) -> dict[str, Any]:
    return multiquote.orderbook(call.world, params.target(call), call.body, params.now(call))
