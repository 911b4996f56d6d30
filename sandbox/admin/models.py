"""Rules of the admin API (no Flask): clock control and browser-less OAuth grants."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.errors import BadRequest, NotFound
from sandbox.oauth import models as oauth
from sandbox.world.clock import Clock, ClockError, parse_duration, parse_instant
from sandbox.world.links import active_links
from sandbox.world.market import calendar as cal

if TYPE_CHECKING:
    from sandbox.world.world import World


def clock_view(clock: Clock) -> dict[str, Any]:
    state = clock.state()
    return {"now": state.now.isoformat(), "mode": state.mode, "speed": state.speed,
            "timezone": "Asia/Seoul"}


def change_clock(clock: Clock, body: dict[str, Any]) -> dict[str, Any]:
    """Apply ``set``, then ``speed``, then ``advance`` (any combination, at least one)."""
    try:
        if "set" in body:
            clock.set(parse_instant(body["set"]))
        if "speed" in body:
            clock.set_speed(body["speed"])
        if "advance" in body:
            clock.advance(parse_duration(body["advance"]))
    except ClockError as exc:
        raise BadRequest(str(exc)) from None
    return clock_view(clock)


def grant_token(world: World, user_id: str, api_key: str, scope: str | None) -> dict[str, Any]:
    """Tokens as if ``user_id`` had logged in and consented in a browser (for CI)."""
    app = world.ids.app_by_key.get(api_key.strip())
    if app is None or not app.subscribes("account"):
        raise NotFound(f"no OAuth app has the API key {api_key!r}")
    user = world.ids.users.get(user_id.strip())
    if user is None:
        raise NotFound(f"no portal user {user_id!r}")
    if not active_links(world, app.name, user):
        raise BadRequest(f"user {user.id} has no account linked to {app.name}")
    return oauth.issue_tokens(world, app.name, user.id, oauth.normalise_scope(scope))


def unlock_user(world: World, user_id: str) -> dict[str, Any]:
    if user_id not in world.ids.users:
        raise NotFound(f"no portal user {user_id!r}")
    oauth.login_succeeded(world, user_id)
    return {"user": user_id, "locked": False}


def orders_view(world: World, com_id: str, day: str | None) -> dict[str, Any]:
    """``GET /_sandbox/orders/{comId}``: the institution's order chains and the messages of
    ``date`` (YYYYMMDD, default the clock's date), after resting orders caught up."""
    from sandbox.world.orders import engine, records

    institution = world.ids.institutions.get(com_id)
    if institution is None:
        raise NotFound(f"no discretionary institution {com_id!r}")
    engine.catch_up(world, com_id)
    try:
        when = datetime.strptime(day, "%Y%m%d").date() if day else cal.kst(world.now()).date()
    except ValueError:
        raise BadRequest("date must be YYYYMMDD") from None
    return {"comId": com_id, "date": f"{when:%Y%m%d}",
            "orders": records.chains(world, com_id),
            "messages": records.reports(world, com_id, when)}
