"""Views of the bccard partner service (partners.md F1, F2; endpoints 1-7). Each view is one
model call; paths keep BC Card's ``/bccard/<api>/v1.0/...`` style."""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.bccard import models
from sandbox.families.partners.ops import partner_op
from sandbox.gateway.call import Call

BUSINESS = "/bccard/businesstype/v1.0"
ZSCORE = "/bccard/zscore/v1.0"


@partner_op("bccard", "businesstype_code", "GET", f"{BUSINESS}/code",
            summary="1 business-type code list (Spring-Data page, by code)")
def businesstype_code(call: Call) -> dict[str, Any]:
    return models.code_list(call.world, call.body)


@partner_op("bccard", "businesstype_code_detail", "GET", f"{BUSINESS}/code/<code>",
            summary="2 one business type (404 for an unknown code)")
def businesstype_code_detail(call: Call) -> dict[str, Any]:
    return models.code_detail(call.world, call.path_params["code"])


@partner_op("bccard", "businesstype_index", "GET", f"{BUSINESS}/index",
            summary="3 monthly amount and count indices of every business type (page)")
def businesstype_index(call: Call) -> dict[str, Any]:
    return models.index_list(call.world, call.body)


@partner_op("bccard", "businesstype_index_bycode", "GET", f"{BUSINESS}/index/<code>",
            summary="4 monthly indices of one business type (page; unknown code: empty)")
def businesstype_index_bycode(call: Call) -> dict[str, Any]:
    return models.index_by_code(call.world, call.path_params["code"], call.body)


@partner_op("bccard", "businesstype_index_detail", "GET", f"{BUSINESS}/index/<code>/detail",
            summary="5 one month of one business type (404 when nothing matches)")
def businesstype_index_detail(call: Call) -> dict[str, Any]:
    return models.index_detail(call.world, call.path_params["code"], call.body)


@partner_op("bccard", "zscore_index", "GET", f"{ZSCORE}/index",
            summary="6 companies with a card-sales z-score (page, by short code)")
def zscore_index(call: Call) -> dict[str, Any]:
    return models.zscore_list(call.world, call.body)


@partner_op("bccard", "zscore_index_bycode", "GET", f"{ZSCORE}/index/<intlTckr>",
            summary="7 monthly z-scores of one company (bare array; unknown company: [])")
def zscore_index_bycode(call: Call) -> list[dict[str, Any]]:
    return models.zscore_series(call.world, call.path_params["intlTckr"], call.body)
