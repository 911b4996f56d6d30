"""The four account searches (account.md §2-§5), on the holdings model of
:mod:`sandbox.world.accounts`.

Broker checks come in the order of ERRATA 1 step 14: 6001, 6004, 6002, 6003, 6006, 6007,
6008, 7000. Amounts of portfolio and balance are floats (Java doubles on the wire, see
:mod:`.encoding`); counts and transaction rows are integers. Echoed query values keep the
JSON type received (ERRATA 16).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sandbox.families.account import paging
from sandbox.families.account.access import OK, Access, check, envelope
from sandbox.families.account.exceptions import (
    BrokerBadRequest,
    DateRangeExceeded,
    InvalidAssetType,
    InvalidIsinCode,
    InvalidQueryType,
    InvalidRspType,
    InvalidSide,
)
from sandbox.world.accounts import ledger
from sandbox.world.accounts.holdings import Line, Statement, book_of, statement
from sandbox.world.accounts.products import EQTY, ETC, FUND
from sandbox.world.accounts.watchlists import groups

if TYPE_CHECKING:
    from sandbox.world.identities import App, Broker, User
    from sandbox.world.world import World

ASSET_TYPES = ("CASH", "EQTY", "FUND", "ETC", "ALL")
SIDES = ("BID", "ASK", "DEP", "WID")
GROUP_LISTS = {EQTY: "equityList", FUND: "fundList", ETC: "etcList"}


# ------------------------------------------------------------------------ holdings
def _asset_query(access: Access, query: dict[str, Any], with_rsp: bool) -> tuple[str, str]:
    broker = access.broker
    asset_type = str(query["assetType"]).strip().upper()
    if asset_type not in ASSET_TYPES:
        raise InvalidAssetType(broker.short_name, f"assetType '{str(query['assetType'])[:20]}' "
                                                  "is not one of CASH, EQTY, FUND, ETC, ALL")
    if asset_type == "ALL" and not broker.supports_all(access.world.settings.later_brokers):
        raise InvalidQueryType(broker.short_name, f"{broker.short_name} does not answer "
                               "assetType ALL; query CASH, EQTY, FUND and ETC one by one",
                               detail="assetType ALL is not supported")
    rsp = query.get("rspType")
    rsp_type = "RAT" if rsp is None or str(rsp).strip() in ("", "null") else str(rsp).strip()
    if with_rsp and (rsp_type not in ("RAT", "QTY")
                     or (rsp_type == "QTY" and not broker.rsp_type_qty)):
        raise InvalidRspType(broker.short_name, f"rspType '{rsp_type[:20]}' is not answered "
                                                "here (RAT or QTY)")
    return asset_type, rsp_type


def _rows(stmt: Statement, asset_type: str) -> list[Line]:
    if asset_type == "ALL":
        return [line for group in GROUP_LISTS for line in stmt.group(group)]
    return stmt.group(asset_type) if asset_type in GROUP_LISTS else []


def _page(access: Access, query: dict[str, Any], asset_type: str,
          rows: list[Line]) -> tuple[list[Line], dict[str, Any]]:
    """The rows of this page and ``queryResult``; CASH and ALL count the cash block as one
    item, ALL is unpaged (README §8)."""
    today = access.world.now().date()
    cash_items = 1 if asset_type in ("CASH", "ALL") else 0
    if asset_type == "ALL":  # unpaged: one answer whatever count and page say
        offset, size = 0, None
    else:
        offset = paging.offset_of(query.get("page"), access.broker, len(rows), lambda _: today)
        size = paging.page_size(query.get("count"), access.broker)
    page, key = paging.window(rows, offset, size, lambda _: today)
    first = cash_items if offset == 0 else 0
    return list(page), {"totalCnt": len(rows) + cash_items, "count": len(page) + first,
                        "page": key}


def _lists(page: list[Line], asset_type: str,
           row: Callable[[Line], dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """``equityList``/``fundList``/``etcList`` of a page: the lists that have rows, and the
    requested group's list even when empty (account.md §2)."""
    out = {}
    for group, name in GROUP_LISTS.items():
        lines = [line for line in page if line.group == group]
        if lines or asset_type == group:
            out[name] = [row(line) for line in lines]
    return out


def _echo(query: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: query[k] for k in keys if k in query}


@dataclass(frozen=True)
class _Holdings:
    """A checked portfolio or balance request and the page of holdings it asks for."""

    access: Access
    body: dict[str, Any]
    query: dict[str, Any]
    asset_type: str
    rsp_type: str
    statement: Statement
    page: list[Line]
    result: dict[str, Any]

    def answer(self, api: str, data: dict[str, Any]) -> dict[str, Any]:
        return {**envelope(self.access, self.body),
                f"{api}ResponseBody": {
                    "queryType": _echo(self.query, ("assetType", "rspType", "count", "page")),
                    "queryResult": self.result},
                f"{api}List": {api: data}, "resp": OK}


def _holdings(world: World, app: App, user: User, broker: Broker, body: dict[str, Any],
              api: str) -> _Holdings:
    access = check(world, app, user, broker, body)
    query = body[f"{api}RequestBody"]["queryType"]
    asset_type, rsp_type = _asset_query(access, query, with_rsp=api == "portfolio")
    stmt = statement(world, access.account)
    page, result = _page(access, query, asset_type, _rows(stmt, asset_type))
    return _Holdings(access, body, query, asset_type, rsp_type, stmt, page, result)


def portfolio(world: World, app: App, user: User, broker: Broker,
              body: dict[str, Any]) -> dict[str, Any]:
    h = _holdings(world, app, user, broker, body, "portfolio")
    stmt, ratio = h.statement, h.rsp_type == "RAT"
    out: dict[str, Any] = {}
    if h.asset_type in ("CASH", "ALL"):
        total = stmt.cash + stmt.value
        out["cash"] = {"amt": _pct(stmt.cash, total) if ratio else float(stmt.cash)}
    values = {group: sum(line.value for line in stmt.group(group)) for group in GROUP_LISTS}
    out.update(_lists(h.page, h.asset_type,
                      lambda line: _portfolio_row(line, values[line.group], ratio)))
    return h.answer("portfolio", out)


def _pct(part: int, whole: int) -> float:
    return round(part / whole * 100, 2) if whole else 0.0


def _portfolio_row(line: Line, group_value: int, ratio: bool) -> dict[str, Any]:
    qty = _pct(line.value, group_value) if ratio else float(line.qty)
    rate = line.earning_rate
    if line.group == FUND:
        return {"fundCode": line.code, "fundName": line.name, "qty": qty, "earningRate": rate,
                "maturity": line.maturity}
    if line.group == ETC:
        return {"assetType": line.asset_type, "assetName": line.name, "qty": qty,
                "earningRate": rate}
    return {"assetType": line.asset_type, "isinCode": line.code, "qty": qty,
            "earningRate": rate}


def balance(world: World, app: App, user: User, broker: Broker,
            body: dict[str, Any]) -> dict[str, Any]:
    h = _holdings(world, app, user, broker, body, "balance")
    return h.answer("balance", {"summary": _summary(h.statement),
                                **_lists(h.page, h.asset_type,
                                         lambda line: _balance_row(line, broker))})


def _summary(stmt: Statement) -> dict[str, float]:
    value, cost = stmt.value, stmt.cost
    return {"cashBalance": float(stmt.cash), "d1": float(stmt.d1), "d2": float(stmt.d2),
            "substitute": float(stmt.substitute), "receivable": 0.0, "subsMargin": 0.0,
            "loanCredit": 0.0, "valAtTrade": float(cost), "valueAtCur": float(value),
            "proLoss": float(value - cost), "totalAccVal": float(stmt.cash + value),
            "cashAvWithdraw": float(stmt.withdrawable)}


def _balance_row(line: Line, broker: Broker) -> dict[str, Any]:
    amounts = {"valAtTrade": float(line.cost), "valAtCur": float(line.value),
               "proLoss": float(line.pro_loss)}
    if line.group == FUND:
        return {"fundType": line.fund_type, "fundCode": line.code, "fundName": line.name,
                **amounts, "firstDateBuy": f"{line.first_buy:%Y%m%d}",
                "lastDateBuy": f"{line.last_buy:%Y%m%d}", "maturity": line.maturity,
                "earningRate": line.earning_rate}
    if line.group == ETC:  # both spellings of the valuation (account.md §9.2)
        return {"assetType": line.asset_type, "assetName": line.name, "qty": float(line.qty),
                "tradeType": broker.trade_type, **amounts, "valueAtCur": float(line.value),
                "earningRate": line.earning_rate}
    return {"assetType": line.asset_type, "productName": line.name, "isinCode": line.code,
            "qty": float(line.qty), "tradeType": broker.trade_type, **amounts,
            "earningRate": line.earning_rate}


# ---------------------------------------------------------------------- transactions
def _date(value: Any) -> date | None:
    try:
        return datetime.strptime(str(value).strip(), "%Y%m%d").date()
    except ValueError:
        return None


def transaction(world: World, app: App, user: User, broker: Broker,
                body: dict[str, Any]) -> dict[str, Any]:
    access = check(world, app, user, broker, body)
    query = body["transactionHistoryRequestBody"]["queryParams"]
    start, end = _date(query["fromDate"]), _date(query["toDate"])
    paging.parse_key(query.get("page"), broker)  # a malformed key is 6003 before 6006
    if start is not None and end is not None and (end - start).days + 1 > broker.max_range_days:
        raise DateRangeExceeded(broker.short_name, f"fromDate..toDate may span at most "
                                f"{broker.max_range_days} days at this broker",
                                detail=str(broker.max_range_days))
    code = str(query.get("isinCode") or "").strip()
    canonical = None
    if code:
        found = ledger.classify(world.universe, code)
        if found is None:
            raise InvalidIsinCode(broker.short_name, f"isinCode '{code[:20]}' is not a known "
                                                     "issue")
        canonical = found[1]
    side = str(query.get("side") or "").strip().upper()
    if side not in ("", "ALL", *SIDES):
        raise InvalidSide(broker.short_name, f"side '{side[:10]}' is not one of BID, ASK, "
                                             "DEP, WID, ALL")
    if start is None or end is None:
        which = "fromDate" if start is None else "toDate"
        raise BrokerBadRequest(broker.short_name, f"{which} is not a YYYYMMDD date",
                               detail=which)
    if start > end:
        raise BrokerBadRequest(broker.short_name, "fromDate is after toDate",
                               detail="fromDate > toDate")
    rows = [t for t in book_of(world, access.account).txns
            if start <= t.day <= end and (canonical is None or t.code == canonical)
            and (side in ("", "ALL") or t.kind == side)]
    offset = paging.offset_of(query.get("page"), broker, len(rows), lambda i: rows[i].day)
    page, key = paging.window(rows, offset, paging.page_size(query.get("count"), broker),
                              lambda i: rows[i].day)
    return {**envelope(access, body),
            "transactionHistoryResponseBody": {
                "queryParams": _echo(query, ("fromDate", "toDate", "isinCode", "side", "count",
                                             "page")),
                "queryResult": {"totalCnt": len(rows), "count": len(page), "page": key}},
            "transList": {"transaction": [
                {"transDate": f"{t.day:%Y%m%d}", "transType": t.kind,
                 "isinCode": t.code or broker.cash_isin_code, "changeAmt": t.amount,
                 "changeQty": t.qty, "qty": t.holding} for t in page]},
            "resp": OK}


# ------------------------------------------------------------------------ watch-lists
def interest(world: World, app: App, user: User, broker: Broker,
             body: dict[str, Any]) -> dict[str, Any]:
    access = check(world, app, user, broker, body)
    block = body.get("interestSymbolListRequestBody") or {}
    query = block.get("queryType") if isinstance(block, dict) else None
    if query is not None and not broker.interest_query_type and world.settings.strict:
        raise InvalidQueryType(broker.short_name, "queryType is supported by SAMSUNG only",
                               detail="queryType is supported by SAMSUNG only")
    rows = groups(world, access.account)
    out: dict[str, Any] = {}
    if isinstance(query, dict) and broker.interest_query_type:
        asset_type = str(query.get("assetType") or "").strip()
        if asset_type not in ("", "null", "EQY"):
            raise InvalidAssetType(broker.short_name, f"assetType '{asset_type[:20]}' is not "
                                                      "EQY")
        today = world.now().date()
        offset = paging.offset_of(query.get("page"), broker, len(rows), lambda _: today)
        page, key = paging.window(rows, offset, paging.page_size(query.get("count"), broker),
                                  lambda _: today)
        rows = list(page)
        out["queryResult"] = {"totalCnt": len(groups(world, access.account)),
                              "count": len(rows), "page": key}
    out["groupList"] = {"group": [{"groupName": g.name, "modifyDate": g.modified,
                                   "isinCode": list(g.codes)} for g in rows]}
    return {**envelope(access, body), "interestSymbolListResponseBody": out, "resp": OK}
