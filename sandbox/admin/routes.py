"""HTTP side of the admin API. Documented in README "Admin API"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox import __version__
from sandbox.admin import models
from sandbox.app import current_state
from sandbox.families.market import codes
from sandbox.gateway.call import Call
from sandbox.registry import BodyKind, Handler, operation


def admin(op_id: str, method: str, path: str, summary: str,
          body: BodyKind = "json") -> Callable[[Handler], Handler]:
    """An admin operation: no auth, family ``admin``, plain 400s for missing fields."""
    return operation(op_id, method, path, auth="none", family="admin", summary=summary,
                     body=body, tags=("admin",), error_category=None)


@admin("admin.health", "GET", "/_sandbox/health",
       "Ready check: version, seed and clock", body="query")
def health(call: Call) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "seed": call.world.seed,
            "clock": models.clock_view(call.world.clock),
            "operations": len(current_state().operations)}


@admin("admin.apps", "GET", "/_sandbox/apps",
       "Developer apps of the world with their keys, secrets and redirect URIs", body="query")
def apps(call: Call) -> dict[str, Any]:
    return {"apps": [app.public() for app in call.world.ids.apps.values()]}


@admin("admin.users", "GET", "/_sandbox/users",
       "Portal users with CI, password and virtual accounts", body="query")
def users(call: Call) -> dict[str, Any]:
    return {"users": [user.public() for user in call.world.ids.users.values()]}


@admin("admin.clock_get", "GET", "/_sandbox/clock",
       "The world clock", body="query")
def clock_get(call: Call) -> dict[str, Any]:
    return models.clock_view(call.world.clock)


@admin("admin.clock_set", "POST", "/_sandbox/clock",
       "Set, advance or change the speed of the world clock")
def clock_set(call: Call) -> dict[str, Any]:
    return models.change_clock(call.world.clock, call.body)


@admin("admin.reset", "POST", "/_sandbox/reset",
       "Rebuild the world from its seed (state, grants and clock)", body="none")
def reset(call: Call) -> dict[str, Any]:
    world = current_state().reset()
    return {"status": "reset", "seed": world.seed, "clock": models.clock_view(world.clock)}


@admin("admin.requests", "GET", "/_sandbox/requests",
       "The request journal, newest first", body="query")
def requests(call: Call) -> dict[str, Any]:
    journal = current_state().journal
    limit = max(1, min(int(call.body.get("limit", 100)), journal.capacity))
    return {"capacity": journal.capacity, "requests": journal.latest(limit)}


@admin("admin.oauth_token", "POST", "/_sandbox/oauth/token",
       "Issue OAuth tokens for a user and app without a browser (for CI)")
def oauth_token(call: Call) -> dict[str, Any]:
    body = call.body
    return models.grant_token(call.world, body["userId"], body["apiKey"], body.get("scope"))


@admin("admin.user_unlock", "POST", "/_sandbox/users/<user_id>/unlock",
       "Clear a portal user's failed-login lock (op-auth 2003)", body="none")
def user_unlock(call: Call) -> dict[str, Any]:
    return models.unlock_user(call.world, call.path_params["user_id"])


@admin("admin.market_codes", "GET", "/_sandbox/market/codes",
       "The market code tables: marketcodes, continuous futures, investors, indices, errors",
       body="query")
def market_codes(call: Call) -> dict[str, Any]:
    return codes.tables(call.world)
