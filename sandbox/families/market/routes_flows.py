"""Market REST views: investor flows, member ranking, short selling, foreign holdings, ETF
NAV/PDF and market holidays (stocks.md S7, S8, S10, S11, S13, S14, S16-S19; index.md I5;
futures.md F8; options.md O8). Each view is one model call."""

from __future__ import annotations

from typing import Any

from sandbox.families.market import etf, flows, params
from sandbox.families.market.ops import market_op
from sandbox.gateway.call import Call
from sandbox.world.market.instruments import FUTURE, OPTION

STOCKS = "/v2/market/stocks/<marketcode>"
STOCK = f"{STOCKS}/<issuecode>"


# ------------------------------------------------------------------------------ investors
@market_op("stocks_investors", f"{STOCK}/investors", family="stocks",
           summary="S7 per-issue trading by investor type (today's after 15:30, zeros before)")
def stocks_investors(call: Call) -> dict[str, Any]:
    return flows.issue_investors(call.world, params.target(call), params.now(call))


@market_op("stocks_market_investors", f"{STOCKS}/investors", family="stocks", issue=False,
           summary="S8 market-wide trading by investor type (today's after 15:40)")
def stocks_market_investors(call: Call) -> dict[str, Any]:
    return flows.market_investors(call.world, params.target(call), params.now(call))


@market_op("index_investors", "/v2/market/index/<marketcode>/<issuecode>/investors",
           family="index", summary="I5 investor flows of an index universe (real time)")
def index_investors(call: Call) -> dict[str, Any]:
    return flows.index_investors(call.world, params.target(call), params.now(call))


@market_op("futures_market_investors", "/v2/market/futures/<marketcode>/market/investors",
           family="futures", issue=False,
           summary="F8 futures market investor flows (real time, 30 s refresh)")
def futures_market_investors(call: Call) -> dict[str, Any]:
    return flows.derivative_investors(call.world, params.target(call), params.now(call), FUTURE)


@market_op("options_market_investors", "/v2/market/options/<marketcode>/market/investors",
           family="options", issue=False,
           summary="O8 options market call/put investor flows (real time, 30 s refresh)")
def options_market_investors(call: Call) -> dict[str, Any]:
    return flows.derivative_investors(call.world, params.target(call), params.now(call), OPTION)


# ------------------------------------------------------------- ranking, short, foreigners
@market_op("stocks_traderanking", f"{STOCK}/traderanking", f"{STOCK}/traderaking",
           family="stocks", summary="S13 top-5 member firms buying and selling (real time)")
def stocks_traderanking(call: Call) -> dict[str, Any]:
    return flows.traderanking(call.world, params.target(call), params.now(call))


@market_op("stocks_shortsell", f"{STOCK}/shortsell", family="stocks",
           summary="S11 daily short selling and lending balance (today's after 18:00)")
def stocks_shortsell(call: Call) -> dict[str, Any]:
    return flows.shortsell(call.world, params.target(call), call.body, params.now(call))


@market_op("stocks_foreignhistory", f"{STOCK}/foreignhistory", family="stocks",
           summary="S14 daily foreign ownership (06:30 batch)")
def stocks_foreignhistory(call: Call) -> dict[str, Any]:
    return flows.foreignhistory(call.world, params.target(call), call.body, params.now(call))


# ------------------------------------------------------------------------------------ ETF
@market_op("stocks_closenav", f"{STOCK}/closenav", family="stocks",
           summary="S10 ETF NAV after the close (today's after 16:00)")
def stocks_closenav(call: Call) -> dict[str, Any]:
    return etf.closenav(call.world, params.target(call), params.now(call))


@market_op("stocks_nav", f"{STOCK}/nav", family="stocks", summary="S17 ETF NAV (real time)")
def stocks_nav(call: Call) -> dict[str, Any]:
    return etf.nav(call.world, params.target(call), params.now(call))


@market_op("stocks_navhistory", f"{STOCK}/navhistory", family="stocks",
           summary="S18 daily/weekly/monthly ETF NAV with the close (06:30 batch)")
def stocks_navhistory(call: Call) -> dict[str, Any]:
    return etf.navhistory(call.world, params.target(call), call.body, params.now(call))


@market_op("stocks_pdf", f"{STOCK}/pdf", family="stocks",
           summary="S16 ETF portfolio deposit file (06:30 batch; bare object)")
def stocks_pdf(call: Call) -> dict[str, Any]:
    return etf.pdf(call.world, params.target(call), params.now(call))


# -------------------------------------------------------------------------------- holiday
@market_op("stocks_holiday", "/v2/market/stocks/<nationcode>/holiday", family="stocks",
           resolve=flows.resolve_nation,
           summary="S19 upcoming market holidays of a country (bare object)")
def stocks_holiday(call: Call) -> dict[str, Any]:
    return flows.holiday(call.world, params.target(call), params.now(call))
