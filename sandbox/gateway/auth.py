"""The gateway's three credential schemes (auth.md §1–§4.6, ERRATA 1 and 4).

* API key: header ``apikey`` (any case) or query ``apikey``, GET and POST alike; both present
  and different → 401.
* HTTP Basic ``apikey:secret`` (also ``Basic<b64>`` without the space) plus header ``comId``.
* OAuth 2.0 Bearer access token with the scope of the API.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from flask import Request

from sandbox.errors import Forbidden, MissingField, Unauthorized
from sandbox.gateway.call import Call
from sandbox.oauth.models import find_access_token
from sandbox.world.identities import App
from sandbox.world.world import World


def api_key(request: Request, call: Call) -> None:
    header = request.headers.get("apikey")
    query = request.args.get("apikey")
    if header is not None and query is not None and header.strip() != query.strip():
        raise Unauthorized("the apikey header and the apikey query parameter differ")
    key = (header if header is not None else query or "").strip()
    if not key:
        raise Unauthorized("apikey header (POST) or apikey query parameter (GET) is missing")
    app = app_of_key(call.world, key)
    if app is None:
        raise Unauthorized("the API key is not registered")
    call.app = app


def app_of_key(world: World, key: str) -> App | None:
    """The app of an API key (documented aliases such as ``XXXXXXXX`` only outside strict
    mode); used by the ``apikey`` scheme and the market WebSockets' ``init``."""
    app = world.ids.app_by_key.get(key)
    if app is None or (world.settings.strict and key in app.key_aliases):
        return None
    return app


def decode_basic(value: str) -> tuple[str, str] | None:
    """``Basic base64(key:secret)`` (also ``Basic<b64>`` without the space, auth.md §3) to the
    pair; None when the header is not Basic or does not decode to a UTF-8 ``key:secret``."""
    value = value.strip()
    if value[:5].lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value[5:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    key, sep, secret = decoded.partition(":")
    return (key, secret) if sep and key else None


def basic_app(request: Request, call: Call) -> App:
    """The app whose ``apikey:secret`` (or documented literal) is in the Authorization header."""
    value = (request.headers.get("Authorization") or "").strip()
    if not value.lower().startswith("basic"):
        raise Unauthorized("HTTP Basic credentials (apikey:secret) are required")
    pair = decode_basic(value)
    if pair is not None:
        app = call.world.ids.app_by_key.get(pair[0])
        if app is not None and hmac.compare_digest(app.secret.encode(), pair[1].encode()):
            return app
    if not call.world.settings.strict:
        normalised = "Basic " + value[len("basic"):].strip()
        for app in call.world.ids.apps.values():
            if normalised in app.basic_literals:
                return app
    raise Unauthorized("the Basic credentials do not match a registered apikey:secret pair")


def basic(request: Request, call: Call) -> None:
    app = basic_app(request, call)
    call.app = app
    com_id = (request.headers.get("comId") or "").strip()
    if not com_id:
        raise MissingField("comId")
    if com_id != app.com_id:
        raise Forbidden(f"comId {com_id} is not the institution of this app")
    call.institution = com_id


def bearer(request: Request, call: Call) -> None:
    value = (request.headers.get("Authorization") or "").strip()
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization: Bearer <access_token> is required")
    record = find_access_token(call.world, token.strip())
    if record is None:
        raise Unauthorized("the access token is unknown, expired or revoked")
    call.token = record
    call.app = call.world.ids.apps.get(record["app"])
    call.user = call.world.ids.users.get(record["user"])
    if call.app is None or call.user is None:
        raise Unauthorized("the access token is unknown, expired or revoked")


def check_permission(call: Call) -> None:
    """Header-level permission (ERRATA 1 step 6): family, licence and token scope."""
    op, app = call.operation, call.app
    if app is None:
        return
    if not app.subscribes(op.family):
        raise Forbidden(f"the app has not subscribed to the {op.family} APIs")
    if op.auth == "basic" and op.family in ("b2baccount", "order") and not app.discretionary:
        raise Forbidden("the app holds no discretionary investment licence")
    if op.scope is not None and call.token is not None:
        scopes = str(call.token.get("scope", "")).split()
        if op.scope not in scopes:
            raise Forbidden(f"access token scope '{' '.join(scopes)}' does not cover API "
                            f"'{op.scope}'")


AUTHENTICATORS = {"apikey": api_key, "basic": basic, "bearer": bearer}
