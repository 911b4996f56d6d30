"""Views of the fabotdw partner service (BSMIT / FABOT, partners.md H1, endpoints 24-43).

Every ``dept/...`` route also answers as ``debt/...`` and vice versa (PROPOSED alias of
partners.md H1); literal segments (``list``, ``kospi``, ``kosdaq``, ``fics``) win over
``{stockcode}`` (Werkzeug ranks static segments first). Each view is one model call.
"""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.fabotdw import models, models_portfolio, models_rank
from sandbox.families.partners.fabotdw.models import DEBT, SALES
from sandbox.families.partners.ops import partner_op
from sandbox.gateway.call import Call

V1 = "/v1/fabotdw"


def _both(tail: str) -> tuple[str, str]:
    """The ``dept`` spelling and its ``debt`` twin of a debt route."""
    return f"{V1}/dept{tail}", f"{V1}/debt{tail}"


@partner_op("fabotdw", "sector", "GET", f"{V1}/sector",
            summary="24 every Fabot sector code (3-digit KRX index codes)")
def sector(call: Call) -> dict[str, Any]:
    return models.sector_list()


@partner_op("fabotdw", "sector_stocks", "GET", f"{V1}/sector/<upcode>",
            summary="25 the stocks of a sector")
def sector_stocks(call: Call) -> dict[str, Any]:
    return models.sector_stocks(call.world, call.path_params["upcode"])


@partner_op("fabotdw", "debt", "GET", f"{V1}/debt", f"{V1}/dept",
            summary="26 whole-market debt ratio, last four quarters")
def debt(call: Call) -> dict[str, Any]:
    return models.market_series(call.world, DEBT, None)


@partner_op("fabotdw", "debt_list", "GET", f"{V1}/debt/list", f"{V1}/dept/list",
            summary="27 the sectors of the debt data")
def debt_list(call: Call) -> dict[str, Any]:
    return models.sector_list(("sector_code", "sector_name"))


@partner_op("fabotdw", "dept_fics", "GET", *_both("/fics/<upcode>"),
            summary="28 debt ratio of a sector, KOSPI and KOSDAQ")
def dept_fics(call: Call) -> dict[str, Any]:
    return models.sector_series(call.world, DEBT, call.path_params["upcode"], None)


@partner_op("fabotdw", "dept_kospi", "GET", *_both("/kospi"),
            summary="29 KOSPI debt ratio")
def dept_kospi(call: Call) -> dict[str, Any]:
    return models.market_series(call.world, DEBT, "kospi")


@partner_op("fabotdw", "dept_kospi_fics", "GET", *_both("/kospi/fics/<upcode>"),
            summary="30 debt ratio of a sector within KOSPI")
def dept_kospi_fics(call: Call) -> dict[str, Any]:
    return models.sector_series(call.world, DEBT, call.path_params["upcode"], "kospi")


@partner_op("fabotdw", "dept_kosdaq", "GET", *_both("/kosdaq"),
            summary="31 KOSDAQ debt ratio")
def dept_kosdaq(call: Call) -> dict[str, Any]:
    return models.market_series(call.world, DEBT, "kosdaq")


@partner_op("fabotdw", "dept_kosdaq_fics", "GET", *_both("/kosdaq/fics/<upcode>"),
            summary="32 debt ratio of a sector within KOSDAQ")
def dept_kosdaq_fics(call: Call) -> dict[str, Any]:
    return models.sector_series(call.world, DEBT, call.path_params["upcode"], "kosdaq")


@partner_op("fabotdw", "dept_stock", "GET", *_both("/<stockcode>"),
            summary="33 debt ratio of one stock")
def dept_stock(call: Call) -> dict[str, Any]:
    return models.stock_debt(call.world, call.path_params["stockcode"])


@partner_op("fabotdw", "sales", "GET", f"{V1}/sales",
            summary="34 whole-market operating margin, last four quarters")
def sales(call: Call) -> dict[str, Any]:
    return models.market_series(call.world, SALES, None)


@partner_op("fabotdw", "sales_list", "GET", f"{V1}/sales/list",
            summary="35 the sectors of the margin data")
def sales_list(call: Call) -> dict[str, Any]:
    return models.sector_list(("sector_code", "sector_name"))


@partner_op("fabotdw", "sales_fics", "GET", f"{V1}/sales/fics/<upcode>",
            summary="36 average operating margin of a sector, KOSPI and KOSDAQ")
def sales_fics(call: Call) -> dict[str, Any]:
    return models.sector_series(call.world, SALES, call.path_params["upcode"], None)


@partner_op("fabotdw", "sales_kospi", "GET", f"{V1}/sales/kospi",
            summary="37 KOSPI operating margin")
def sales_kospi(call: Call) -> dict[str, Any]:
    return models.market_series(call.world, SALES, "kospi")


@partner_op("fabotdw", "sales_kospi_fics", "GET", f"{V1}/sales/kospi/fics/<upcode>",
            summary="38 operating margin of a sector within KOSPI")
def sales_kospi_fics(call: Call) -> dict[str, Any]:
    return models.sector_series(call.world, SALES, call.path_params["upcode"], "kospi")


@partner_op("fabotdw", "sales_kosdaq", "GET", f"{V1}/sales/kosdaq",
            summary="39 KOSDAQ operating margin")
def sales_kosdaq(call: Call) -> dict[str, Any]:
    return models.market_series(call.world, SALES, "kosdaq")


@partner_op("fabotdw", "sales_kosdaq_fics", "GET", f"{V1}/sales/kosdaq/fics/<upcode>",
            summary="40 operating margin of a sector within KOSDAQ")
def sales_kosdaq_fics(call: Call) -> dict[str, Any]:
    return models.sector_series(call.world, SALES, call.path_params["upcode"], "kosdaq")


@partner_op("fabotdw", "sales_stock", "GET", f"{V1}/sales/<stockcode>",
            summary="41 operating profit (억원) and margin of one stock")
def sales_stock(call: Call) -> dict[str, Any]:
    return models.stock_sales(call.world, call.path_params["stockcode"])


@partner_op("fabotdw", "portfolio", "GET", f"{V1}/portfolio/<amount>",
            summary="42 a diversified portfolio for an amount in 만원")
def portfolio(call: Call) -> dict[str, Any]:
    return models_portfolio.portfolio(call.world, call.path_params["amount"])


@partner_op("fabotdw", "fabot_rank", "GET", f"{V1}/fabot_rank/<type>/<page>/<count>",
            summary="43 Fabot rank: six sub-scores, their mean and the market rank, per page")
def fabot_rank(call: Call) -> list[dict[str, Any]] | dict[str, Any]:
    params = call.path_params
    return models_rank.fabot_rank(call.world, params["type"], params["page"], params["count"])
