"""Views of the bigbot partner service (partners.md F4, endpoints 12-18): one model call each.
Every route also answers with a trailing slash (the clients call ``/stock_analyzer/``)."""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.bigbot import allocation, models, survey
from sandbox.families.partners.ops import partner_op
from sandbox.gateway.call import Call

BASE = "/v1/bigbot"


@partner_op("bigbot", "stock_analyzer", "GET", f"{BASE}/stock_analyzer",
            summary="12 stock analysis: finance and price merit within the WICS industry, the "
                    "industry's best and three similar stocks (one-element array)")
def stock_analyzer(call: Call) -> list[dict[str, Any]] | dict[str, Any]:
    return models.stock_analyzer(call.world, call.body)


@partner_op("bigbot", "ranked_stock_indicators", "GET", f"{BASE}/ranked_stock_indicators",
            summary="13 recommended portfolio: the top 10 eligible stocks of a portfolio type")
def ranked_stock_indicators(call: Call) -> list[dict[str, Any]]:
    return models.ranked_stock_indicators(call.world, call.body)


@partner_op("bigbot", "investor_survey_list", "GET", f"{BASE}/investor_survey_list",
            summary="14 investor-profile questionnaire (nine questions)")
def investor_survey_list(call: Call) -> dict[str, Any]:
    return survey.survey_list()


@partner_op("bigbot", "investor_survey_result", "POST", f"{BASE}/investor_survey_result",
            summary="15 score the questionnaire: result score 10-100 and portfolio type")
def investor_survey_result(call: Call) -> dict[str, Any]:
    return survey.survey_result(call.body)


@partner_op("bigbot", "investor_info", "POST", f"{BASE}/investor_info",
            summary="16 portfolio type of an external questionnaire score")
def investor_info(call: Call) -> dict[str, Any]:
    return survey.investor_info(call.body)


@partner_op("bigbot", "evaluate", "POST", f"{BASE}/evaluate",
            summary="17 evaluate a portfolio: which holdings to remove and why")
def evaluate(call: Call) -> dict[str, Any]:
    return models.evaluate(call.world, call.body)


@partner_op("bigbot", "distribution_property", "POST", f"{BASE}/distribution_property",
            summary="18 asset allocation: cash and shares per stock, equal- or value-weighted")
def distribution_property(call: Call) -> dict[str, Any]:
    return allocation.distribution_property(call.world, call.body)
