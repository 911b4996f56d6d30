"""The portal's login and consent steps of the authorization-code flow (auth.md §4.2).

No Flask here: each function takes the world and the request parameters and returns an
:class:`Outcome` (what page or redirect to show); ``routes.py`` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sandbox.errors import (
    AccountLocked,
    AuthenticationFailed,
    AuthError,
    BadRequest,
    Forbidden,
)
from sandbox.oauth import models
from sandbox.world.links import active_links
from sandbox.world.store import trim
from sandbox.world.world import LOCKOUT_THRESHOLD

if TYPE_CHECKING:
    from sandbox.world.identities import App, User
    from sandbox.world.world import World

AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state")
TICKET = "ticket"
CHOICES = ("allow", "deny")  # the consent buttons (action) and the login shortcut (consent)


@dataclass
class Outcome:
    """What the browser gets: a page (login/consent) or a redirect to the client."""

    page: str | None = None
    redirect: str | None = None
    error: AuthError | None = None
    context: dict[str, Any] = field(default_factory=dict)


def authorize_params(values: Any) -> dict[str, str]:
    return {name: (values.get(name) or "").strip() for name in AUTHORIZE_PARAMS}


def check_client(world: World, params: dict[str, str]) -> tuple[App, str]:
    """Unknown client or unregistered redirect URI: 403, never a redirect (RFC 6749 §4.1.2.1)."""
    app = world.ids.app_by_key.get(params["client_id"])
    if app is None or not app.subscribes("account") or not app.redirect_uris:
        raise Forbidden("client_id is not a registered OAuth client")
    redirect_uri = params["redirect_uri"] or app.redirect_uris[0]
    if redirect_uri not in app.redirect_uris:
        raise Forbidden("redirect_uri is not registered for this client")
    return app, redirect_uri


def check_choice(field: str, value: str) -> None:
    """``allow``, ``deny`` or nothing: any other value of the consent choice is a 400 (a typo
    in the test shortcut must not silently show the consent page, or deny)."""
    if value and value not in CHOICES:
        raise BadRequest(f"/{field}: {value[:40]!r} is not one of {list(CHOICES)}")


def error_redirect(redirect_uri: str, error: str, state: str) -> str:
    query = {"error": error, **({"state": state} if state else {})}
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(query)}"


def start(world: World, params: dict[str, str]) -> Outcome:
    app, redirect_uri = check_client(world, params)
    if params["response_type"] != "code":
        return Outcome(redirect=error_redirect(redirect_uri, "unsupported_response_type",
                                               params["state"]))
    return Outcome(page="login", context={"app": app, "params": params})


def _authenticate(world: World, username: str, password: str) -> User:
    user = world.ids.users.get(username.strip())
    if user is None:
        raise AuthenticationFailed("wrong portal ID or password")
    if models.is_locked(world, user.id):
        raise AccountLocked("too many failed logins; reset the lock through the admin API")
    if password != user.password:
        failures = models.login_failed(world, user.id)
        if failures >= LOCKOUT_THRESHOLD:
            raise AccountLocked("too many failed logins; reset the lock through the admin API")
        raise AuthenticationFailed("wrong portal ID or password")
    models.login_succeeded(world, user.id)
    return user


def login(world: World, params: dict[str, str], username: str, password: str,
          consent: str) -> Outcome:
    """Check the portal credentials; with ``consent=allow|deny`` finish in one step."""
    app, redirect_uri = check_client(world, params)
    check_choice("consent", consent)
    if params["response_type"] != "code":
        return Outcome(redirect=error_redirect(redirect_uri, "unsupported_response_type",
                                               params["state"]))
    try:
        user = _authenticate(world, username, password)
        if not active_links(world, app.name, user):
            raise Forbidden("the user has not applied for this app in the portal")
    except AuthError as error:
        return Outcome(page="login", error=error, context={"app": app, "params": params})
    if consent in ("allow", "deny"):
        return Outcome(context={"user": user, "allow": consent == "allow",
                                "redirect_uri": redirect_uri})
    with world.store.transaction():  # unused tickets: the oldest beyond the cap are forgotten
        ticket = world.rand.stream("oauth-ticket").uuid()
        world.store.put(TICKET, ticket, {"user": user.id, "params": params})
        trim(world.store, TICKET, world.limits.codes)
    return Outcome(page="consent", context={"app": app, "user": user, "ticket": ticket,
                                            "params": params})


def consent(world: World, params: dict[str, str], ticket: str,
            action: str) -> tuple[User, bool]:
    """Redeem a consent ticket (single use) issued for exactly these parameters."""
    check_choice("action", action)
    record = world.store.get(TICKET, ticket.strip())
    if record is None or record["params"] != params or not world.store.delete(TICKET,
                                                                              ticket.strip()):
        raise Forbidden("the login session is unknown or was already used; log in again")
    return world.ids.users[record["user"]], action == "allow"
