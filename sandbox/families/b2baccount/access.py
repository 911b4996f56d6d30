"""What every b2baccount search shares (b2baccount.md §1, §7, §8): the request's parts, the
institution's account, the common ``queryParameter`` checks and the answer's envelope.

Runs after the gateway checked the Basic credentials, the ``comId`` header (the institution;
body ``partner`` values are informational, identities.md K14), the discretionary licence, the
broker name and the request schema. The searches check in the order of ERRATA 1 step 14:
account (4001), asset type (6001), page (6003), period (6006), issue (6007), then side, dates
and the query window (7000).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sandbox.families.account import paging
from sandbox.families.b2baccount import exceptions as exc
from sandbox.world.accounts import discretionary
from sandbox.world.accounts.discretionary import DiscretionaryAccount
from sandbox.world.accounts.products import funds, products
from sandbox.world.market.instruments import Instrument
from sandbox.world.orders import engine

if TYPE_CHECKING:
    from sandbox.world.identities import Broker
    from sandbox.world.world import World

T = TypeVar("T")
BLOCKS = {
    "orderdetail": ("orderDetailListRequestBody", "orderDetailListResponseBody"),
    "balancelist": ("balanceListRequestBody", "balanceListResponseBody"),
    "settlelist": ("settleListRequestBody", "settleListResponseBody"),
    "accountlist": ("accountListRequestBody", "accountListResponseBody"),
    "tradebook": ("tradeBookListRequestBody", "tradeBookListResponseBody"),
}
ASSET_TYPES = ("EQTY", "FUND", "ETC")
SIDES = ("0", "1", "2")  # all, sell, buy (b2b numbering)
OK = {"respCode": "200", "respMsg": "OK"}
# Malformed codes of the examples, accepted as input (identities.md §6, K20).
ISIN_ALIASES = {"KR0065300": "032830", "A06530": "032830", "KR005930": "005930",
                "A05930": "005930"}


def normalise(body: dict[str, Any], api: str) -> dict[str, Any]:
    """The Basic-auth page's ``contractRequestBody`` (``count``/``page`` without a
    ``queryParameter``) is accepted for ``accountlist`` (b2baccount.md §7)."""
    block = BLOCKS[api][0]
    if api == "accountlist" and block not in body and isinstance(
            body.get("contractRequestBody"), dict):
        out = {k: v for k, v in body.items() if k != "contractRequestBody"}
        alias = body["contractRequestBody"]
        out[block] = {"queryParameter": alias.get("queryParameter", alias)}
        return out
    return body


@dataclass(frozen=True)
class Search:
    """One validated b2b search: who asks, at which broker, what."""

    world: World
    broker: Broker
    com_id: str
    api: str
    body: dict[str, Any]

    @classmethod
    def opened(cls, world: World, broker: Broker, com_id: str, api: str,
               body: dict[str, Any]) -> Search:
        """The search, after the institution's resting orders caught up with the clock (their
        fills are part of what every search reads)."""
        engine.catch_up(world, com_id)
        return cls(world, broker, com_id, api, body)

    @property
    def query(self) -> dict[str, Any]:
        return self.body[BLOCKS[self.api][0]]["queryParameter"]  # type: ignore[no-any-return]

    @property
    def name(self) -> str:
        return self.broker.short_name

    def account(self) -> DiscretionaryAccount:
        acc_no = str(self.query["qrAccNo"]).strip()
        found = discretionary.account_of(self.world, self.com_id, self.name, acc_no)
        if found is None:
            raise exc.AccountNotFound(self.name, f"qrAccNo {acc_no[:20]} is not an account of "
                                                 f"institution {self.com_id} at {self.name}")
        return found

    def asset_type(self) -> str:
        value = self.query.get("qrAssetType")
        if value not in ASSET_TYPES:
            raise exc.InvalidAssetType(self.name, f"qrAssetType must be one of "
                                                  f"{', '.join(ASSET_TYPES)}")
        return str(value)

    def side(self) -> str:
        value = self.query.get("qrSellBuyType")
        if value not in SIDES:
            raise exc.BrokerBadRequest(self.name, "qrSellBuyType must be 0 (all), 1 (sell) or "
                                                  "2 (buy)", detail="qrSellBuyType")
        return str(value)

    def day(self, name: str, default: date | None = None) -> date:
        """A ``YYYYMMDD`` parameter (``default`` when absent or null)."""
        value = self.query.get(name)
        if value in (None, "", "null") and default is not None:
            return default
        try:
            return datetime.strptime(str(value).strip(), "%Y%m%d").date()
        except ValueError:
            raise exc.BrokerBadRequest(self.name, f"{name} must be a date YYYYMMDD",
                                       detail=name) from None

    def issue(self) -> Instrument | None:
        """``qrIsinCode`` (ISIN, short code with or without ``A``, documented aliases); None
        when absent; 6007 when unknown."""
        value = self.query.get("qrIsinCode")
        if value in (None, "", "null"):
            return None
        code = ISIN_ALIASES.get(str(value).strip(), str(value).strip())
        if len(code) == 7 and code[0] in "Aa":
            code = code[1:]
        inst = self.world.universe.get(code)
        if inst is None:
            raise exc.InvalidIsinCode(self.name, f"qrIsinCode {str(value)[:20]} is unknown")
        return inst

    def paged(self, rows: Sequence[T], day_of: Callable[[int], date] | None = None
              ) -> tuple[list[T], str]:
        """The page of ``rows`` the request asks for and the next key (README §8, ERRATA 5;
        keys carry the date ``day_of`` gives a row, default the clock's date)."""
        if day_of is None:
            today = self.world.now().date()
            day_of = lambda _: today  # noqa: E731
        offset = paging.offset_of(self.query.get("page"), self.broker, len(rows), day_of)
        page, key = paging.window(rows, offset, paging.page_size(self.query.get("count"),
                                                                 self.broker), day_of)
        return list(page), key

    def answer(self, total: int, page: str, count: int, listing: dict[str, Any]) -> dict[str, Any]:
        """The envelope of §1 around ``listing`` (the list block): header, ``resp``, the echo
        of ``queryParameter`` exactly as received and ``queryResult``."""
        consumer = self.body.get("commonHeader", {}).get("reqIdConsumer")
        return {
            "commonHeader": {"reqIdPlatform": self.world.rand.stream("reqIdPlatform").uuid(),
                             "reqIdConsumer": consumer, "certDn": None, "ci": None},
            "resp": dict(OK),
            BLOCKS[self.api][1]: {"queryParameter": self.query,
                                  "queryResult": {"totalCnt": total, "count": count,
                                                  "page": page}},
            **listing,
        }


def isin_info(inst: Instrument) -> list[dict[str, str]]:
    """``isinInfo[]``: the standard code and the ``A``-prefixed short code (§1, Q10)."""
    return [{"isinType": "표준코드", "isinCode": inst.isin or "", "isinName": inst.name},
            {"isinType": "단축코드", "isinCode": f"A{inst.code}", "isinName": inst.name}]


def code_info(world: World, code: str) -> list[dict[str, str]]:
    """``isinInfo[]`` of anything a book holds: an equity's ISIN, a fund code (``펀드코드``) or
    a product code (``상품코드``)."""
    inst = world.universe.by_isin(code)
    if inst is not None:
        return isin_info(inst)
    fund = funds().get(code)
    if fund is not None:
        return [{"isinType": "펀드코드", "isinCode": code, "isinName": fund.name}]
    product = products().get(code)
    name = product.name if product is not None else code
    return [{"isinType": "상품코드", "isinCode": code, "isinName": name}]
