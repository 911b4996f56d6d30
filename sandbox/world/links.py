"""Which of a user's virtual accounts are linked to which app, and whether the consent holds.

The default comes from the user's :class:`~sandbox.world.identities.Consent` for the app (the
fixture's and the generated users'); admin hooks override one account's link in the store
(kind ``link``: ``{"state": "linked" | "unlinked" | "expired", "expires": "YYYYMMDD"?}``), so
negative tests can unlink an account or let a consent lapse (common.md §4, ERRATA 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sandbox.world.identities import User, VirtualAccount, year_later

if TYPE_CHECKING:
    from sandbox.world.world import World

LINK = "link"
STATES = ("linked", "unlinked", "expired")


@dataclass(frozen=True)
class Link:
    app: str
    account: VirtualAccount
    expires: date  # serviceTermsExpireDate
    valid: bool  # linked and the consent has not lapsed


def link_key(app: str, vt_acc_no: str) -> str:
    return f"{app}|{vt_acc_no}"


def link_of(world: World, app: str, user: User, account: VirtualAccount) -> Link | None:
    """The link of ``account`` to ``app`` today, or None when the account is not linked."""
    today = world.now().date()
    consent = user.consent(app)
    override = world.store.get(LINK, link_key(app, account.vt_acc_no))
    if override is None:
        if consent is None:
            return None
        return Link(app, account, consent.expiry(today), consent.valid(today))
    if override["state"] == "unlinked":
        return None
    if override.get("expires"):
        expires = datetime.strptime(override["expires"], "%Y%m%d").date()
    elif override["state"] == "expired":
        expires = today - timedelta(days=1)
    elif consent is not None:  # linked again under the user's own consent
        return Link(app, account, consent.expiry(today),
                    not consent.enforced or consent.expiry(today) >= today)
    else:
        expires = year_later(today)
    return Link(app, account, expires, override["state"] == "linked" and expires >= today)


def active_links(world: World, app: str, user: User) -> list[Link]:
    """The user's accounts linked to ``app`` with a valid consent, in the user's list order."""
    links = (link_of(world, app, user, account) for account in user.accounts
             if not is_discarded(world, account.vt_acc_no))
    return [link for link in links if link is not None and link.valid]


def set_link(world: World, app: str, vt_acc_no: str, state: str,
             expires: str | None = None) -> None:
    record: dict[str, str] = {"state": state}
    if expires:
        record["expires"] = expires
    world.store.put(LINK, link_key(app, vt_acc_no), record)


ACCOUNT_STATUS = "account_status"  # store kind: {"status": "discarded"} for a discarded account


def is_discarded(world: World, vt_acc_no: str) -> bool:
    record = world.store.get(ACCOUNT_STATUS, vt_acc_no)
    return record is not None and record.get("status") == "discarded"


def set_account_status(world: World, vt_acc_no: str, status: str) -> None:
    """``active`` or ``discarded`` (the portal user deleted the virtual account: 3010)."""
    if status == "active":
        world.store.delete(ACCOUNT_STATUS, vt_acc_no)
    else:
        world.store.put(ACCOUNT_STATUS, vt_acc_no, {"status": status})
