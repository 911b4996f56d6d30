"""HTTP side of the admin API. Documented in README "Admin API"."""

from __future__ import annotations

import dataclasses
from typing import Any

from sandbox import __version__
from sandbox.admin import admin, models
from sandbox.admin import market as _market  # noqa: F401  (registers the market views)
from sandbox.admin import orders as _order_hooks  # noqa: F401  (registers the order hooks)
from sandbox.admin import partners as _partner_hooks  # noqa: F401  (registers partner hooks)
from sandbox.admin import scenarios as _scenarios  # noqa: F401  (registers the scenario API)
from sandbox.admin import users as user_rules
from sandbox.app import current_state
from sandbox.errors import NotFound
from sandbox.families.market import codes
from sandbox.gateway.call import Call
from sandbox.gateway.journal import FILTERS


@admin("admin.health", "GET", "/_sandbox/health",
       "Ready check: version, seed and clock; the stored records per kind", body="query")
def health(call: Call) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "seed": call.world.seed,
            "clock": models.clock_view(call.world.clock),
            "operations": len(current_state().operations),
            "records": call.world.store.counts()}


@admin("admin.apps", "GET", "/_sandbox/apps",
       "Developer apps of the world with their keys, secrets and redirect URIs", body="query")
def apps(call: Call) -> dict[str, Any]:
    return {"apps": [app.public() for app in call.world.ids.apps.values()]}


@admin("admin.brokers", "GET", "/_sandbox/brokers",
       "Brokers with their codes, aliases and documented behaviour", body="query")
def brokers(call: Call) -> dict[str, Any]:
    return {"brokers": [broker.public() for broker in call.world.ids.brokers.values()]}


@admin("admin.users", "GET", "/_sandbox/users",
       "Portal users with CI, password and virtual accounts (filter by origin or q, paged)",
       body="query")
def users(call: Call) -> dict[str, Any]:
    return user_rules.list_users(call.world, call.body)


@admin("admin.user_get", "GET", "/_sandbox/users/<user_id>",
       "One portal user: name aliases, accounts, their links to apps and status", body="query")
def user_get(call: Call) -> dict[str, Any]:
    return user_rules.user_detail(call.world, call.path_params["user_id"])


@admin("admin.user_create", "POST", "/_sandbox/users",
       "Create a custom portal user with accounts, holdings and watch-lists (QA)")
def user_create(call: Call) -> dict[str, Any]:
    return user_rules.create_user(call.world, call.body, call.base_url)


@admin("admin.links_set", "POST", "/_sandbox/links",
       "Link, unlink or expire a virtual account's link to an app (4006)")
def links_set(call: Call) -> dict[str, Any]:
    return user_rules.set_link(call.world, call.body)


@admin("admin.account_status", "POST", "/_sandbox/accounts/<vt_acc_no>/status",
       "Discard a virtual account (3010) or make it active again")
def account_status(call: Call) -> dict[str, Any]:
    return user_rules.set_account_status(call.world, call.path_params["vt_acc_no"], call.body)


@admin("admin.account_get", "GET", "/_sandbox/accounts/<vt_acc_no>",
       "A virtual account's cash, positions and valuation at the clock", body="query")
def account_get(call: Call) -> dict[str, Any]:
    return user_rules.account_view(call.world, call.path_params["vt_acc_no"])


@admin("admin.clock_get", "GET", "/_sandbox/clock",
       "The world clock", body="query")
def clock_get(call: Call) -> dict[str, Any]:
    return models.clock_view(call.world.clock)


@admin("admin.clock_set", "POST", "/_sandbox/clock",
       "Set, advance or change the speed of the world clock")
def clock_set(call: Call) -> dict[str, Any]:
    return models.change_clock(call.world.clock, call.body)


@admin("admin.streams", "GET", "/_sandbox/streams",
       "Open market WebSocket sessions: channel, app, subscriptions, sent, queued and dropped "
       "frames; the stream limits", body="query")
def streams(call: Call) -> dict[str, Any]:
    hub = current_state().streams
    return {"settings": dataclasses.asdict(hub.settings), "pump": hub.stats(),
            "sessions": [session.view() for session in hub.sessions()]}


@admin("admin.orders", "GET", "/_sandbox/orders/<com_id>",
       "An institution's orders (chains with their rows and fills) and the day's messages "
       "(execution reports, cancel rejects) with their seqNo", body="query")
def orders(call: Call) -> dict[str, Any]:
    return models.orders_view(call.world, call.path_params["com_id"], call.body.get("date"))


@admin("admin.reset", "POST", "/_sandbox/reset",
       "Rebuild the world from its seed (state, grants and clock)", body="none")
def reset(call: Call) -> dict[str, Any]:
    world = current_state().reset()
    return {"status": "reset", "seed": world.seed, "clock": models.clock_view(world.clock)}


@admin("admin.requests", "GET", "/_sandbox/requests",
       "The request journal, newest first: filters operation, status, app, scenario; since "
       "(a request id); each entry names the scenario rules that touched it and the near "
       "misses", body="query")
def requests(call: Call) -> dict[str, Any]:
    journal = current_state().journal
    limit = max(1, min(int(call.body.get("limit", 100)), journal.capacity))
    filters = {k: v for k, v in call.body.items() if k in FILTERS}
    return {"capacity": journal.capacity,
            "requests": journal.latest(limit, filters, call.body.get("since"))}


@admin("admin.request_get", "GET", "/_sandbox/requests/<request_id>",
       "One journal entry with its full request (headers, query, body) and response "
       "(status, headers, body; bodies cut at 16 KB and 32 KB)", body="query")
def request_get(call: Call) -> dict[str, Any]:
    found = current_state().journal.find(call.path_params["request_id"])
    if found is None:
        raise NotFound(f"the journal holds no request {call.path_params['request_id'][:40]!r} "
                       f"(it keeps the newest {current_state().journal.capacity})")
    return found


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
