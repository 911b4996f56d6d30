"""HTTP side of the OAuth server: authorize (login + consent pages), token, revoke.

``v2`` and ``v3`` paths behave identically (auth.md §6.1). The token and revoke endpoints
answer RFC 6749 error bodies (ERRATA 8); the authorize steps answer platform errors.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, render_template, request

from sandbox.errors import AuthError, render
from sandbox.gateway.call import Call
from sandbox.oauth import flow
from sandbox.oauth.server import Server
from sandbox.registry import operation

V = ("v2", "v3")


def _paths(suffix: str) -> tuple[str, ...]:
    return tuple(f"/auth/oauth/{v}/{suffix}" for v in V)


def server() -> Server:
    return current_app.extensions["sandbox"].oauth  # type: ignore[no-any-return]


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def _authorize_base() -> str:
    """Absolute path of this version's authorize endpoint; the pages' forms post below it.

    Relative form actions broke: the login page re-rendered after a failed
    ``POST …/authorize/login`` posted to ``…/authorize/authorize/login`` (404)."""
    path = request.path
    return request.script_root + path[: path.index("/authorize") + len("/authorize")]


def _page(outcome: flow.Outcome) -> Response:
    error: AuthError | None = outcome.error
    if error is not None and _wants_json():
        return render(error)
    html = render_template(f"{outcome.page}.html", error=error.body() if error else None,
                           base=_authorize_base(), **outcome.context)
    status = error.status if error is not None else 200
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def _grant(user: Any, allow: bool, redirect_uri: str, params: dict[str, str]) -> Any:
    """Finish the flow with Authlib: a code redirect (allow) or ``error=access_denied``."""
    if not allow:
        return redirect(flow.error_redirect(redirect_uri, "access_denied", params["state"]))
    grant = server().get_consent_grant(end_user=user)
    return server().create_authorization_response(grant=grant, grant_user=user)


def _finish(call: Call, outcome: flow.Outcome) -> Any:
    if outcome.redirect is not None:
        return redirect(outcome.redirect)
    if outcome.page is not None:
        return _page(outcome)
    ctx = outcome.context
    return _grant(ctx["user"], ctx["allow"], ctx["redirect_uri"], flow.authorize_params(call.body))


_UNKNOWN_CLIENT = "unknown client_id or unregistered redirect_uri: op-auth 2100, never a redirect"


@operation("auth.authorize", "GET", *_paths("authorize"), auth="none", family="auth",
           body="query", tags=("auth",), content_type="text/html",
           responses={403: _UNKNOWN_CLIENT},
           summary="Authorization request: the portal login page (then consent, then 302)")
def authorize(call: Call) -> Any:
    return _finish(call, flow.start(call.world, flow.authorize_params(call.body)))


@operation("auth.authorize_login", "POST", *_paths("authorize/login"), auth="none",
           family="auth", body="form", tags=("auth",), content_type="text/html",
           responses={401: "wrong ID or password (op-auth 2001), account locked (2003)",
                      403: f"{_UNKNOWN_CLIENT}; the user has not applied for the app"},
           summary="Portal login; with consent=allow|deny it answers the 302 directly")
def authorize_login(call: Call) -> Any:
    form = call.body
    outcome = flow.login(call.world, flow.authorize_params(form), form.get("username", ""),
                         form.get("password", ""), (form.get("consent") or "").strip())
    return _finish(call, outcome)


@operation("auth.authorize_consent", "POST", *_paths("authorize/consent"), auth="none",
           family="auth", body="form", tags=("auth",), content_type="text/html",
           responses={403: f"{_UNKNOWN_CLIENT}; an unknown or used login ticket"},
           summary="Information-provision consent: action=allow|deny, then the 302")
def authorize_consent(call: Call) -> Any:
    params = flow.authorize_params(call.body)
    user, allow = flow.consent(call.world, params, call.body.get("ticket", ""),
                               (call.body.get("action") or "").strip())
    _, redirect_uri = flow.check_client(call.world, params)
    return _grant(user, allow, redirect_uri, params)


@operation("auth.token", "POST", *_paths("token"), auth="none", family="auth", body="form",
           tags=("auth",), responses={400: "RFC 6749 error", 401: "invalid_client"},
           summary="Token request: authorization_code or refresh_token grant")
def token(call: Call) -> Any:
    return server().create_token_response()


@operation("auth.token_revoke", "POST", *_paths("token/revoke"), auth="none", family="auth",
           body="form", extra_methods=("DELETE",), tags=("auth",),
           responses={401: "invalid_client"},
           summary="Revoke an access or refresh token (RFC 7009)")
def token_revoke(call: Call) -> Any:
    return server().create_endpoint_response("revocation")
