"""HTTP side of the common service: each view is one call into :mod:`.models`."""

from __future__ import annotations

from typing import Any

from sandbox.families.common import models
from sandbox.families.common.exceptions import CATEGORY
from sandbox.gateway.call import Call
from sandbox.registry import operation


@operation("common.member_register_search", "POST", "/v1/common/member/register/search",
           auth="apikey", family="common", error_category=CATEGORY, tags=("common",),
           summary="Is the user (CI + Korean name) a member of the fintech portal?")
def member_register_search(call: Call) -> dict[str, Any]:
    return models.register_search(call.world, call.body["commonHeader"]["ci"],
                                  call.body["body"]["korName"])


@operation("common.member_consent_search", "POST", "/v1/common/member/consent/search",
           auth="apikey", family="common", error_category=CATEGORY, tags=("common",),
           responses={500: "op-spt 3007 not found user"},
           summary="The virtual accounts the user linked to the calling app")
def member_consent_search(call: Call) -> dict[str, Any]:
    assert call.app is not None
    return models.consent_search(call.world, call.app, call.body["commonHeader"]["ci"],
                                 call.body["body"]["korName"], call.base_url)
