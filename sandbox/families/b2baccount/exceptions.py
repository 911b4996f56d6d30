"""Broker errors of the b2baccount family (b2baccount.md §8): HTTP 500, category = the broker's
short name. The codes shared with the account family are re-exported from there."""

from __future__ import annotations

from sandbox.errors import BrokerError
from sandbox.families.account.exceptions import (
    BrokerBadRequest,
    DateRangeExceeded,
    InvalidAssetType,
    InvalidIsinCode,
    InvalidPage,
)

__all__ = ["AccountNotFound", "BrokerBadRequest", "DateRangeExceeded", "InvalidAssetType",
           "InvalidIsinCode", "InvalidPage"]


class AccountNotFound(BrokerError):
    code, message = 4001, "Account Not Found"
