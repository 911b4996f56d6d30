"""The one place that renders a failure as the platform's error body.

Body: ``{"category", "code", "message", "description"}`` (errors.md §1), content type
``application/json; charset=utf-8``. Business code raises the typed errors below (or a family's
subclass); only :func:`render` turns them into HTTP. The OAuth token endpoints are the one
documented exception: they answer RFC 6749 bodies (:class:`OAuthError`, ERRATA 8).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException
from werkzeug.routing import WebsocketMismatch

log = logging.getLogger("sandbox")

JSON_TYPE = "application/json; charset=utf-8"


def header_text(text: str) -> str:
    """``text`` as a safe HTTP header value: ASCII (others → ``?``), control characters (a
    newline sent in a path or query) → space, at most 300 characters."""
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    return "".join(ch if " " <= ch < "\x7f" else " " for ch in ascii_text)[:300]


class PlatformError(Exception):
    """A failure the platform reports with its standard error object."""

    status = 500
    category = "op-apim"
    code = 500
    message = "Internal Server Error"

    def __init__(self, description: str | None = None, *, detail: str | None = None,
                 category: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(description or self.message)
        self.description = description
        self.detail = detail
        if category is not None:
            self.category = category
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        message = f"{self.message},[{self.detail}]" if self.detail else self.message
        body: dict[str, Any] = {"category": self.category, "code": self.code, "message": message}
        description = self.description if self.description is not None else self.detail
        if description is not None:
            body["description"] = description
        return body


# --- gateway (op-apim) -------------------------------------------------------------------------
class BadRequest(PlatformError):
    status, code, message = 400, 400, "Bad Request"


class Unauthorized(PlatformError):
    status, code, message = 401, 401, "Unauthorized"


class NotFound(PlatformError):
    status, code, message = 404, 404, "Not Found"


class MethodNotAllowed(PlatformError):
    status, code, message = 405, 405, "Method Not Allowed"


class NotAcceptable(PlatformError):
    status, code, message = 406, 406, "Not Acceptable"


class RequestTimeout(PlatformError):
    status, code, message = 408, 408, "Request Timeout"


class UnsupportedMediaType(PlatformError):
    status, code, message = 415, 415, "Unsupported Media Type"


class UpgradeRequired(PlatformError):
    """A plain HTTP request on a WebSocket path (``/ws``, ``/ws_ksp``, ``/ws_kdq``)."""

    status, code, message = 426, 426, "Upgrade Required"


class InternalError(PlatformError):
    status, code, message = 500, 500, "Internal Server Error"


class ServiceUnavailable(PlatformError):
    status, code, message = 503, 503, "Service Unavailable"


# --- authentication server (op-auth) -------------------------------------------------------------
class AuthError(PlatformError):
    category = "op-auth"


class AuthenticationFailed(AuthError):
    status, code, message = 401, 2001, "Authentication Failed"


class InvalidOtp(AuthError):
    status, code, message = 401, 2002, "Invalid OTP Key"


class AccountLocked(AuthError):
    status, code, message = 401, 2003, "Account Locked"


class Forbidden(AuthError):
    """Every permission refusal in every family (ERRATA 2): never ``op-apim 403``."""

    status, code, message = 403, 2100, "Authorization Failed"


# --- broker-link server (op-exco); the common service uses op-spt with the same codes ----------
class LinkError(PlatformError):
    category = "op-exco"


class UnknownApiUrl(LinkError):
    status, code, message = 400, 3002, "Unknown api url"


class MissingField(LinkError):
    status, code, message = 400, 3003, "필수 항목 누락"


class NetworkTimeout(LinkError):
    status, code, message = 500, 3005, "network timeout"


class UserNotFound(LinkError):
    status, code, message = 500, 3007, "not found user"


class AccountInfoNotFound(LinkError):
    status, code, message = 500, 3009, "not found account info"


class ExpiredAccount(LinkError):
    status, code, message = 500, 3010, "expired account"


class BrokerUnavailable(LinkError):
    status, code, message = 503, 3600, "Target Company Service Unavailable"


class BrokerError(PlatformError):
    """An error raised "by the broker": category is the broker's lower-case short name."""

    status = 500

    def __init__(self, broker: str, description: str | None = None, *,
                 detail: str | None = None) -> None:
        super().__init__(description, detail=detail, category=broker.lower())


class MarketError(PlatformError):
    """A market-data business error: HTTP 400 ``{"error": "<Korean message>"}`` (market
    README §3.2; ERRATA 1: market routes validate after the gateway's checks)."""

    status, category, code = 400, "market", 0

    def __init__(self, description: str | None = None, **options: Any) -> None:
        super().__init__(description, **options)
        if description:  # the documented body has no room for it: a header says what was wrong
            self.headers.setdefault("X-Sandbox-Error-Detail", header_text(description))

    def body(self) -> dict[str, Any]:
        return {"error": self.message}


class PartnerError(PlatformError):
    """A partner service's own error (partners.md §S, ERRATA 33): the platform error object
    with the partner family as category, ``400 "Invalid parameters"`` and the offending
    parameter as description; what was wrong with it travels in a header."""

    status, code, message = 400, 400, "Invalid parameters"

    def __init__(self, provider: str, parameter: str, reason: str | None = None) -> None:
        super().__init__(parameter, category=provider)
        if reason:
            self.headers.setdefault("X-Sandbox-Error-Detail", header_text(f"{parameter}: {reason}"))


class PartnerNoData(PartnerError):
    """A partner lookup that found nothing where the partner answers one object (404)."""

    status, code, message = 404, 404, "no data"


class OAuthError(Exception):
    """An RFC 6749 §5.2 error of the token and revoke endpoints (ERRATA 8)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None,
                  encoder: Callable[[Any], str] | None = None) -> Response:
    payload = encoder(body) if encoder is not None else json.dumps(body, ensure_ascii=False)
    return Response(payload, status=status, headers=headers, content_type=JSON_TYPE)


def render(error: PlatformError) -> Response:
    return json_response(error.body(), error.status, error.headers)


def render_oauth(error: OAuthError) -> Response:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="oauth"'
    body = {"error": error.error, "error_description": error.description}
    return json_response(body, error.status, headers)


_HTTP_ERRORS: dict[int, type[PlatformError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 405: MethodNotAllowed,
    406: NotAcceptable, 408: RequestTimeout, 415: UnsupportedMediaType, 503: ServiceUnavailable,
}


def from_http_exception(exc: HTTPException, method: str, path: str,
                        upgrade: bool = False) -> PlatformError:
    """Map a routing-level werkzeug error (404, 405, …) to the platform error. A WebSocket
    upgrade to a plain HTTP path is a 404 before any upgrade (ERRATA 31); a plain request on a
    WebSocket path is a 426."""
    status = exc.code or 500
    if isinstance(exc, WebsocketMismatch):
        if upgrade:
            return NotFound(f"no WebSocket is published at {path}")
        return UpgradeRequired(f"{path} is a WebSocket endpoint: connect with an Upgrade: "
                               f"websocket request", headers={"Upgrade": "websocket"})
    cls = _HTTP_ERRORS.get(status, InternalError if status >= 500 else BadRequest)
    if status == 404:
        return cls(f"no API is published at {method} {path}")
    if status == 405:
        allowed = getattr(exc, "valid_methods", None) or []
        headers = {"Allow": ", ".join(sorted(allowed))} if allowed else None
        return cls(f"{method} is not allowed on {path}", headers=headers)
    return cls(exc.description if isinstance(exc.description, str) else None)


_KNOWN_CODES: dict[int, type[PlatformError]] = {
    cls.code: cls for cls in (AuthenticationFailed, InvalidOtp, AccountLocked, Forbidden,
                              UnknownApiUrl, MissingField, NetworkTimeout, UserNotFound,
                              AccountInfoNotFound, ExpiredAccount, BrokerUnavailable)}


def platform_error(status: int | None = None, category: str | None = None,
                   code: int | None = None, message: str | None = None,
                   description: str | None = None) -> PlatformError:
    """Any platform error object (a scenario's ``http_error``): a known ``code`` (3600, 2100,
    …) brings its status, category and message; otherwise the HTTP status's gateway error."""
    base = _KNOWN_CODES.get(code) if code is not None and category in (None, "op-exco",
                                                                       "op-spt", "op-auth") \
        else None
    if base is None:
        base = _HTTP_ERRORS.get(status or 500, InternalError)
    error = base(description, category=category)
    if status is not None:
        error.status = status
    if base not in _KNOWN_CODES.values():
        error.code = code if code is not None else error.status
        if base is InternalError and status not in (None, 500):
            error.message = _reason(error.status)
    if message is not None:
        error.message = message
    return error


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def from_unexpected(exc: BaseException) -> PlatformError:
    """Our own bug: logged with its traceback, answered as a bare 500 without internals."""
    log.exception("unhandled error", exc_info=exc)
    return InternalError("the emulator failed to process the request; see its log")
