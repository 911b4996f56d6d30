"""Views of the ratestbed partner service (partners.md F3): the Koscom RA testbed's algorithm
list, NAVs and period returns, risk indicators, and the PROPOSED performance summary.
Rules in :mod:`.models` and :mod:`.perf`."""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.ops import partner_op
from sandbox.families.partners.ratestbed import models, perf
from sandbox.gateway.call import Call


@partner_op("ratestbed", "algoapi", "GET", "/v1/ratestbed/algoapi.json",
            summary="F3 8 algorithms of the RA testbed (algrthSn, test round, asset flags)")
def ratestbed_algoapi(call: Call) -> dict[str, Any]:
    return models.algoapi(call.world)


@partner_op("ratestbed", "rateapi", "GET", "/v1/ratestbed/rateapi.json",
            summary="F3 9 NAV and period returns per day and model account (published at "
                    "12:00 the next business day)")
def ratestbed_rateapi(call: Call) -> dict[str, Any]:
    return models.rateapi(call.world, call.body)


@partner_op("ratestbed", "riskapi", "GET", "/v1/ratestbed/riskapi.json",
            summary="F3 10 risk indicators per day, model account and window (1/3/6/12 "
                    "months, YTD, since inception)")
def ratestbed_riskapi(call: Call) -> dict[str, Any]:
    return models.riskapi(call.world, call.body)


@partner_op("ratestbed", "perfapi", "GET", "/v1/ratestbed/perfapi.json",
            summary="F3 11 (PROPOSED) performance summary per model account: daily series, "
                    "max drawdown, benchmark, Sharpe")
def ratestbed_perfapi(call: Call) -> dict[str, Any]:
    return perf.perfapi(call.world, call.body)
