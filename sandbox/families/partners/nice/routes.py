"""Views of the NICE company information partner service (partners.md H3, endpoints 45-50).

Paths keep NICE's spelling (``companyOutlineIfo``, ``companyFinancialAnalIfo``); the two
ratio routes also answer the 2020 Excel's ``/v1/nice/companyFinancialAnal/...``.
"""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.nice import models, outline, ratios, statement
from sandbox.families.partners.ops import partner_op
from sandbox.gateway.call import Call

OUTLINE = "/v1/nice/companyOutlineIfo"
ANALYSIS = "/v1/nice/companyFinancialAnalIfo"
ANALYSIS_2020 = "/v1/nice/companyFinancialAnal"
FINANCIAL = "/v1/nice/companyFinancialIfo"


@partner_op("nice", "kiscode", "GET", f"{OUTLINE}/kiscode",
            summary="45 the KISCODE of a corporate number, business number or stock code")
def kiscode(call: Call) -> dict[str, Any]:
    return models.kiscode(call.world, call.body)


@partner_op("nice", "companyShortOutline", "GET", f"{OUTLINE}/companyShortOutline",
            summary="46 company outline: names, industry, size, addresses, staff, group")
def company_short_outline(call: Call) -> dict[str, Any]:
    return outline.company_short_outline(call.world, call.body, call.world.now().date())


@partner_op("nice", "financialRateBaseDate", "GET", f"{ANALYSIS}/financialRateBaseDate",
            f"{ANALYSIS_2020}/financialRateBaseDate",
            summary="47 base dates of the financial ratio analysis, newest first")
def financial_rate_base_date(call: Call) -> dict[str, Any]:
    return models.financial_rate_base_date(call.world, call.body, call.world.now().date())


@partner_op("nice", "financialRate", "GET", f"{ANALYSIS}/financialRate",
            f"{ANALYSIS_2020}/financialRate",
            summary="48 key financial ratios of the company, NICE's industry and a Bank of "
                    "Korea-style industry average over 3 or 5 years")
def financial_rate(call: Call) -> dict[str, Any]:
    return ratios.financial_rate(call.world, call.body, call.world.now().date())


@partner_op("nice", "financialStateTableBaseDate", "GET",
            f"{FINANCIAL}/financialStateTableBaseDate",
            summary="49 statement dates of the balance sheet, newest first")
def financial_state_table_base_date(call: Call) -> dict[str, Any]:
    return models.financial_state_table_base_date(call.world, call.body,
                                                  call.world.now().date())


@partner_op("nice", "financialStateTable", "GET", f"{FINANCIAL}/financialStateTable",
            summary="50 balance sheet over 3 or 5 years with shares of total assets and "
                    "changes, in KRW, thousands, millions or hundred millions")
def financial_state_table(call: Call) -> dict[str, Any]:
    return statement.financial_state_table(call.world, call.body, call.world.now().date())
