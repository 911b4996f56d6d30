"""Errors the brokers raise in the account family (errors.md §6): HTTP 500, category = the
broker's lower-case short name. The platform-level ones (3009, 3010, 2100) are in
:mod:`sandbox.errors`."""

from __future__ import annotations

from sandbox.errors import BrokerError


class CiAccountMismatch(BrokerError):
    code, message = 4003, "Mismatch between CI and AccountNo"


class AgreementNotFound(BrokerError):
    code, message = 4006, "Agreement of Financial Information Not Found."


class InvalidAssetType(BrokerError):
    code, message = 6001, "Invalid Asset Type"


class InvalidRspType(BrokerError):
    code, message = 6002, "Invalid Rsp Type"


class InvalidPage(BrokerError):
    code, message = 6003, "Invalid Page Value"


class InvalidQueryType(BrokerError):
    code, message = 6004, "Invalid Query Type"


class DateRangeExceeded(BrokerError):
    code, message = 6006, "Date Range Exceeded"


class InvalidIsinCode(BrokerError):
    code, message = 6007, "Invalid Isincode"


class InvalidSide(BrokerError):
    code, message = 6008, "Invalid Side Type"


class BrokerBadRequest(BrokerError):
    code, message = 7000, "Bad Request"
