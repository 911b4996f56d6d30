"""Views of the wavelet partner service (Wyverple integrated quotes, partners.md G2 #23)."""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.ops import partner_op
from sandbox.families.partners.wavelet import models
from sandbox.gateway.call import Call


@partner_op("wavelet", "prices", "GET", "/v1/wavelet/prices/<issuecode>",
            summary="G2 #23 prices of one or several issues over any interval (e.g. 32m, 1d)")
def prices(call: Call) -> dict[str, Any]:
    return models.prices(call.world, call.path_params["issuecode"], call.body)
