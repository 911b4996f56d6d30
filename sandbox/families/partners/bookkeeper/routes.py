"""Views of the Bookkeeper partner service (Wyverple financial statements, partners.md H2)."""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.bookkeeper import models
from sandbox.families.partners.ops import partner_op
from sandbox.gateway.call import Call


@partner_op("bookkeeper", "fs", "GET", "/v1/bookkeeper/fs/<standard>/<issuecode>",
            summary="44 financial statements per fiscal year (income, balance sheet, cash "
                    "flow) of one or more stocks, GAAP or IFRS, consolidated or separate")
def fs(call: Call) -> dict[str, Any]:
    return models.fs(call.world, call.path_params["standard"], call.path_params["issuecode"],
                     call.body, call.world.now().date())
