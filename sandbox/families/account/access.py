"""Who may read which account (auth.md §4.6 and ERRATA 1 steps 11-14), and the body's parts.

Runs after the gateway checked the token, its scope, the broker name and the request schema:

1. ``commonHeader.ci`` (trimmed) is the CI of the token's user, else 403 ``op-auth 2100``;
2. ``accInfo.vtAccNo`` is a known virtual account (``op-exco 3009``), not discarded (``3010``);
3. it belongs to that user at the broker of the URL (``{broker} 4003``);
4. it is linked to the calling app with a valid consent (``{broker} 4006``).

Errors never say whose account a number is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.errors import AccountInfoNotFound, ExpiredAccount, Forbidden
from sandbox.families.account.exceptions import (
    AgreementNotFound,
    BrokerBadRequest,
    CiAccountMismatch,
)
from sandbox.world.links import is_discarded, link_of

if TYPE_CHECKING:
    from sandbox.world.identities import App, Broker, User, VirtualAccount
    from sandbox.world.world import World

BODY_BLOCKS = {
    "portfolio": "portfolioRequestBody",
    "balance": "balanceRequestBody",
    "transaction": "transactionHistoryRequestBody",
    "interest": "interestSymbolListRequestBody",
}


def normalise(body: dict[str, Any], api: str) -> dict[str, Any]:
    """The 2018 layout of a request (account.md §7): ``accInfo`` found inside the body block
    (message standard v1.0) moves to the top level; ``queryPrams`` becomes ``queryParams``."""
    block = body.get(BODY_BLOCKS[api])
    if not isinstance(block, dict):
        return body
    out = dict(body)
    block = dict(block)
    if "accInfo" not in out and isinstance(block.get("accInfo"), dict):
        out["accInfo"] = block.pop("accInfo")
    if "queryParams" not in block and "queryPrams" in block:
        block["queryParams"] = block.pop("queryPrams")
    out[BODY_BLOCKS[api]] = block
    return out


@dataclass(frozen=True)
class Access:
    """A request that passed every check: the account is the caller's to read."""

    world: World
    app: App
    user: User
    broker: Broker
    account: VirtualAccount
    ci: str


def check(world: World, app: App, user: User, broker: Broker, body: dict[str, Any]) -> Access:
    ci = str(body["commonHeader"]["ci"]).strip()
    if ci != user.ci:
        raise Forbidden("commonHeader.ci is not the CI of the user who granted the token")
    vt_acc_no = str(body["accInfo"]["vtAccNo"]).strip()
    account = world.ids.account_by_no.get(vt_acc_no)
    if account is None:
        raise AccountInfoNotFound(f"vtAccNo {vt_acc_no}")
    if is_discarded(world, vt_acc_no):
        raise ExpiredAccount(f"vtAccNo {vt_acc_no} was discarded")
    if account.owner != user.id or account.broker != broker.short_name:
        raise CiAccountMismatch(broker.short_name,
                                f"vtAccNo {vt_acc_no} is not an account of this CI at "
                                f"{broker.short_name}")
    link = link_of(world, app.name, user, account)
    if link is None:
        raise AgreementNotFound(broker.short_name,
                                f"vtAccNo {vt_acc_no} is not linked to this app")
    if not link.valid:
        raise AgreementNotFound(broker.short_name,
                                f"serviceTermsExpireDate {link.expires:%Y%m%d} has passed")
    if world.settings.strict and broker.fixed_ip_addr is not None:
        ip = str((body.get("devInfo") or {}).get("ipAddr") or "")
        if not (len(ip) == 12 and ip.isdigit()):
            raise BrokerBadRequest(broker.short_name, "devInfo.ipAddr must be 12 digits",
                                   detail="devInfo.ipAddr")
    return Access(world, app, user, broker, account, ci)


def envelope(access: Access, body: dict[str, Any]) -> dict[str, Any]:
    """``commonHeader`` and ``accInfo`` of every answer (account.md §1)."""
    consumer = body["commonHeader"].get("reqIdConsumer")
    return {
        "commonHeader": {
            "reqIdPlatform": access.world.rand.stream("reqIdPlatform").uuid(),
            "reqIdConsumer": "" if consumer is None else str(consumer).strip(),
            "certDn": "",
            "ci": access.ci,
        },
        "accInfo": {"realAccNo": "", "vtAccNo": access.account.vt_acc_no},
    }


OK = {"respCode": "200", "respMsg": "OK"}
