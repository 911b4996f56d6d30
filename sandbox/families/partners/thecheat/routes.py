"""Views of the thecheat partner service (partners.md H4, endpoint 51)."""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.ops import partner_op
from sandbox.families.partners.thecheat import models
from sandbox.gateway.call import Call


@partner_op("thecheat", "fraudsearch", "POST", "/v1/thecheat/fraudsearch",
            summary="51 fraud-report check of a phone or account number (HTTP 200 always; "
                    "result_code < 0 on errors)")
def fraudsearch(call: Call) -> dict[str, Any]:
    return models.fraudsearch(call.world, call.body, call.app.com_id if call.app else "")
