"""OAuth state in the world's store: authorization codes, access and refresh tokens, lockouts.

Records (all JSON):

* ``code``: ``{app, user, scope, redirectUri, expiresAt, preset?}`` (single use, 10 minutes);
* ``token``: ``{app, user, scope, issuedAt, expiresIn, refreshToken, revoked}``;
* ``refresh``: ``{app, user, scope, revoked}``;
* ``login``: ``{failures}`` per portal user (lockout after 5 consecutive failures).

Token values are UUID v4 strings drawn from the world's ``oauth`` random stream.

Bounded (``world.limits``): beyond ``tokens``, ``refresh_tokens`` and ``codes`` records the
oldest are forgotten as new ones are issued (they then answer as unknown or expired); the
pre-seeded grants (``seeded``, ``preset``) are always kept. Codes are deleted when used,
login counters when the login succeeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.world.store import Record, trim
from sandbox.world.world import CODE_LIFETIME, LOCKOUT_THRESHOLD, SCOPE_LIFETIMES

if TYPE_CHECKING:
    from sandbox.world.identities import App, User
    from sandbox.world.world import World

CODE, TOKEN, REFRESH, LOGIN = "code", "token", "refresh", "login"


def normalise_scope(scope: str | None) -> str:
    """auth.md §4.7: empty → the app's scope; ``profile`` stays; anything else is ``account``."""
    words = (scope or "").split()
    return "profile" if words == ["profile"] else "account"


def _epoch(world: World) -> float:
    return world.now().timestamp()


def _seeded(record: Record) -> bool:
    return bool(record.get("seeded") or record.get("preset"))


def issue_tokens(world: World, app: str, user: str, scope: str, *,
                 access: str | None = None, refresh: str | None = None,
                 with_refresh: bool = True, seeded: bool = False) -> dict[str, Any]:
    """Store and return a token pair (RFC 6749 §5.1 body); ``seeded``: a pre-seeded grant,
    never forgotten."""
    stream = world.rand.stream("oauth")
    lifetime = SCOPE_LIFETIMES.get(scope, SCOPE_LIFETIMES["account"])
    mark = {"seeded": True} if seeded else {}
    with world.store.transaction():
        access = access or stream.uuid()
        if with_refresh:
            refresh = refresh or stream.uuid()
            world.store.put(REFRESH, refresh, {"app": app, "user": user, "scope": scope,
                                               "revoked": False, **mark})
            trim(world.store, REFRESH, world.limits.refresh_tokens, _seeded)
        world.store.put(TOKEN, access, {"app": app, "user": user, "scope": scope,
                                        "issuedAt": _epoch(world), "expiresIn": lifetime,
                                        "refreshToken": refresh, "revoked": False, **mark})
        trim(world.store, TOKEN, world.limits.tokens, _seeded)
    body: dict[str, Any] = {"access_token": access, "token_type": "Bearer",
                            "expires_in": lifetime}
    if refresh:
        body["refresh_token"] = refresh
    body["scope"] = scope
    return body


def find_access_token(world: World, value: str) -> dict[str, Any] | None:
    record = world.store.get(TOKEN, value)
    if record is None or record["revoked"]:
        return None
    if _epoch(world) >= record["issuedAt"] + record["expiresIn"]:
        return None
    if record.get("refreshToken"):
        parent = world.store.get(REFRESH, record["refreshToken"])
        if parent is not None and parent["revoked"]:
            return None
    return record


def expire_access_token(world: World, value: str) -> bool:
    """End an access token's life now (scenario ``token: expire``); its refresh token still
    works, as after a natural expiry. False when the token is unknown."""
    record = world.store.get(TOKEN, value)
    if record is None:
        return False
    record["expiresIn"] = max(0.0, _epoch(world) - record["issuedAt"])
    world.store.put(TOKEN, value, record)
    return True


def find_refresh_token(world: World, value: str) -> dict[str, Any] | None:
    record = world.store.get(REFRESH, value)
    return None if record is None or record["revoked"] else record


def revoke(world: World, value: str, app: str) -> None:
    """Revoke an access or refresh token of ``app``; revoking a refresh token also ends the
    access tokens issued from it (auth.md §4.5). Unknown tokens are ignored (RFC 7009)."""
    with world.store.transaction():
        for kind in (TOKEN, REFRESH):
            record = world.store.get(kind, value)
            if record is not None and record["app"] == app:
                record["revoked"] = True
                world.store.put(kind, value, record)


def create_code(world: World, app: App, user: User, scope: str,
                redirect_uri: str | None) -> str:
    with world.store.transaction():
        code = world.rand.stream("oauth").uuid()
        world.store.put(CODE, code, {"app": app.name, "user": user.id, "scope": scope,
                                     "redirectUri": redirect_uri,
                                     "expiresAt": _epoch(world) + CODE_LIFETIME})
        trim(world.store, CODE, world.limits.codes, _seeded)
    return code


def find_code(world: World, code: str, app: str) -> dict[str, Any] | None:
    record = world.store.get(CODE, code)
    if record is None or record["app"] != app:
        return None
    if record.get("expiresAt") is not None and _epoch(world) >= record["expiresAt"]:
        return None
    return record


def consume_code(world: World, code: str) -> bool:
    """Single use: True for the one caller that removes the code."""
    return world.store.delete(CODE, code)


def seed_grants(world: World) -> None:
    """Restore the documented pre-seeded codes and tokens (identities §5.1)."""
    for grant in world.ids.grants:
        if grant.access_token:
            issue_tokens(world, grant.app, grant.user, grant.scope, access=grant.access_token,
                         refresh=grant.refresh_token, with_refresh=grant.refresh_token is not None,
                         seeded=True)
        if grant.code:
            world.store.put(CODE, grant.code, {
                "app": grant.app, "user": grant.user, "scope": grant.scope,
                "redirectUri": grant.redirect_uri, "expiresAt": None,
                "preset": {"access": grant.access_token, "refresh": grant.refresh_token},
            })


def login_failed(world: World, user: str) -> int:
    with world.store.transaction():
        record = world.store.get(LOGIN, user) or {"failures": 0}
        record["failures"] += 1
        world.store.put(LOGIN, user, record)
        return int(record["failures"])


def is_locked(world: World, user: str) -> bool:
    record = world.store.get(LOGIN, user)
    return record is not None and record["failures"] >= LOCKOUT_THRESHOLD


def login_succeeded(world: World, user: str) -> None:
    world.store.delete(LOGIN, user)
