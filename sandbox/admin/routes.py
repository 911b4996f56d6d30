"""HTTP side of the admin API. Documented in README "Admin API"."""

from __future__ import annotations

from typing import Any

from sandbox import __version__
from sandbox.admin import models
from sandbox.app import current_state
from sandbox.gateway.call import Call
from sandbox.registry import operation

ADMIN = {"auth": "none", "family": "admin", "tags": ("admin",), "error_category": "op-apim"}


@operation("admin.health", "GET", "/_sandbox/health", body="query", **ADMIN,
           summary="Ready check: version, seed and clock")
def health(call: Call) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "seed": call.world.seed,
            "clock": models.clock_view(call.world.clock),
            "operations": len(current_state().operations)}


@operation("admin.apps", "GET", "/_sandbox/apps", body="query", **ADMIN,
           summary="Developer apps of the world with their keys, secrets and redirect URIs")
def apps(call: Call) -> dict[str, Any]:
    return {"apps": [app.public() for app in call.world.ids.apps.values()]}


@operation("admin.users", "GET", "/_sandbox/users", body="query", **ADMIN,
           summary="Portal users with CI, password and virtual accounts")
def users(call: Call) -> dict[str, Any]:
    return {"users": [user.public() for user in call.world.ids.users.values()]}


@operation("admin.clock_get", "GET", "/_sandbox/clock", body="query", **ADMIN,
           summary="The world clock")
def clock_get(call: Call) -> dict[str, Any]:
    return models.clock_view(call.world.clock)


@operation("admin.clock_set", "POST", "/_sandbox/clock", **ADMIN,
           summary="Set, advance or change the speed of the world clock")
def clock_set(call: Call) -> dict[str, Any]:
    return models.change_clock(call.world.clock, call.body)


@operation("admin.reset", "POST", "/_sandbox/reset", body="none", **ADMIN,
           summary="Rebuild the world from its seed (state, grants and clock)")
def reset(call: Call) -> dict[str, Any]:
    world = current_state().reset()
    return {"status": "reset", "seed": world.seed, "clock": models.clock_view(world.clock)}


@operation("admin.requests", "GET", "/_sandbox/requests", body="query", **ADMIN,
           summary="The request journal, newest first")
def requests(call: Call) -> dict[str, Any]:
    journal = current_state().journal
    limit = max(1, min(int(call.body.get("limit", 100)), journal.capacity))
    return {"capacity": journal.capacity, "requests": journal.latest(limit)}


@operation("admin.oauth_token", "POST", "/_sandbox/oauth/token", **ADMIN,
           summary="Issue OAuth tokens for a user and app without a browser (for CI)")
def oauth_token(call: Call) -> dict[str, Any]:
    body = call.body
    return models.grant_token(call.world, body["userId"], body["apiKey"], body.get("scope"))
