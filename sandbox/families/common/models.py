"""Rules of the common service, on the world's identities and links (:mod:`sandbox.world.links`).

A *link* joins a user's virtual account to a developer app (the user applied for the app and
signed the service consent); the default world links every documented retail account to every
fintech app with consents that never expire (ERRATA 12).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.families.common.exceptions import CommonUserNotFound
from sandbox.world.identities import App, User, renewal_date
from sandbox.world.links import active_links

if TYPE_CHECKING:
    from sandbox.world.world import World


def find_member(world: World, ci: str, kor_name: str) -> User | None:
    """The portal member with this CI whose name (or a name alias) is ``kor_name``."""
    user = world.ids.user_by_ci.get(ci.strip())
    if user is None:
        return None
    if world.settings.strict:
        return user if kor_name.strip() == user.name else None
    return user if user.answers_to(kor_name.strip()) else None


def register_search(world: World, ci: str, kor_name: str) -> dict[str, Any]:
    user = find_member(world, ci, kor_name)
    if user is None:
        return {"result": "nonMember"}
    return {"result": "member", "commonTermsExpireDate": terms_expire(world, user)}


def terms_expire(world: World, user: User) -> str:
    """The platform consent's expiry: documented users keep the documented date; the others
    renew it every year on the day they signed."""
    if user.terms_renew_on is None:
        return world.ids.common_terms_expire
    return renewal_date(user.terms_renew_on, world.now().date()).strftime("%Y%m%d")


def consent_search(world: World, app: App, ci: str, kor_name: str,
                   base_url: str) -> dict[str, Any]:
    user = find_member(world, ci, kor_name)
    if user is None:
        raise CommonUserNotFound("no portal member with this CI and name")
    links = active_links(world, app.name, user)
    entries = []
    for link in links:
        account = link.account
        broker = world.ids.brokers[account.broker]
        entries.append({
            "comId": broker.code,
            "vtAccNo": account.vt_acc_no,
            "vtAccAlias": account.alias,
            "endpoint": f"{base_url}/v1/{broker.short_name}/account/",
        })
    result: dict[str, Any] = {"vtAccList": entries}
    if links:
        result["serviceTermsExpireDate"] = min(link.expires for link in links).strftime("%Y%m%d")
    return result
