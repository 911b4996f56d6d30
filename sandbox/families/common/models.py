"""Rules of the common service, on the world's identities and its link/consent records.

A *link* joins a user's virtual account to a developer app (the user applied for the app and
signed the service consent). Links live in the store (kind ``link``) so admin hooks can unlink
or expire them; the default world links every seeded retail account to every fintech app with
consents that never expire (ERRATA 12).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.families.common.exceptions import CommonUserNotFound
from sandbox.world.identities import App, User

if TYPE_CHECKING:
    from sandbox.world.world import World

LINK = "link"


def link_key(app_name: str, vt_acc_no: str) -> str:
    return f"{app_name}|{vt_acc_no}"


def seed_links(world: World) -> None:
    fintech_apps = [a for a in world.ids.apps.values() if a.subscribes("account")]
    for app in fintech_apps:
        for user in world.ids.users.values():
            for position, account in enumerate(user.accounts, start=1):
                world.store.put(LINK, link_key(app.name, account.vt_acc_no), {
                    "app": app.name,
                    "user": user.id,
                    "vtAccNo": account.vt_acc_no,
                    "position": position,
                    "serviceTermsExpireDate": world.ids.service_terms_expire,
                    "expired": False,
                })


def find_member(world: World, ci: str, kor_name: str) -> User | None:
    """The portal member with this CI whose name (or a name alias) is ``kor_name``."""
    user = world.ids.user_by_ci.get(ci.strip())
    if user is None:
        return None
    if world.settings.strict:
        return user if kor_name.strip() == user.name else None
    return user if user.answers_to(kor_name.strip()) else None


def active_links(world: World, app: App, user: User) -> list[dict[str, Any]]:
    """The user's accounts linked to ``app`` with a valid consent, in the user's list order."""
    links = []
    for account in user.accounts:
        link = world.store.get(LINK, link_key(app.name, account.vt_acc_no))
        if link is not None and not link["expired"]:
            links.append(link)
    return sorted(links, key=lambda link: link["position"])


def register_search(world: World, ci: str, kor_name: str) -> dict[str, Any]:
    user = find_member(world, ci, kor_name)
    if user is None:
        return {"result": "nonMember"}
    return {"result": "member", "commonTermsExpireDate": world.ids.common_terms_expire}


def consent_search(world: World, app: App, ci: str, kor_name: str,
                   base_url: str) -> dict[str, Any]:
    user = find_member(world, ci, kor_name)
    if user is None:
        raise CommonUserNotFound("no portal member with this CI and name")
    links = active_links(world, app, user)
    entries = []
    for link in links:
        account = world.ids.account_by_no[link["vtAccNo"]]
        broker = world.ids.brokers[account.broker]
        entries.append({
            "comId": broker.code,
            "vtAccNo": account.vt_acc_no,
            "vtAccAlias": account.alias,
            "endpoint": f"{base_url}/v1/{broker.short_name}/account/",
        })
    result: dict[str, Any] = {"vtAccList": entries}
    if links:
        result["serviceTermsExpireDate"] = min(link["serviceTermsExpireDate"] for link in links)
    return result
