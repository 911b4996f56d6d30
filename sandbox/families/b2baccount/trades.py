"""Orders, settlements and the ledger of a discretionary account (b2baccount.md §2, §4, §6).

The account's history (:func:`discretionary.book_of`) is the truth; every row here is derived
from its transactions, so orders placed later through the order service show up the same way:

* ``orderdetail``: one order row (with one execution) per buy or sell of ``qrOrderDate``,
  numbered per account and day in time order (order numbers in the broker's format,
  ``execNo`` 1, 2, …), with the conventions of order.md §7 (``지정가``, ``체결``, ``일반``).
* ``settlelist``: the executions of ``qrOrderDate`` not settled at the clock's date, one row per
  (issue, side) with the costs of order.md §6.5; ``settAmt`` = gross + costs (buy) or
  gross − costs (sell).
* ``tradebook``: every ledger row of ``qrFromDate``..``qrToDate``, oldest first; ``amt`` is the
  cash deposit (all cash effects, settled or not) after the row.

Where the emulator differs from the platform:

* The generated investor trades at the closing price: orders are stamped 15:20:ss (``ss`` =
  the day's sequence number) and equity executions 15:30:00.00; fund and product orders
  execute at their order time. Execution prices are the ledger rows' (the close for the
  generated investor, the fill price for orders; worked back from the cash amount for a row
  without one).
* Fund prices are the 기준가 per 1,000 units (2 decimals); product prices are per 10,000 KRW
  of face amount (2 decimals); funds and products carry no separate costs (``settDays`` 0).
* Maturity redemptions of products are not orders: they are ``tradebook`` rows (``BID``,
  ``만기상환``) but not ``orderdetail`` rows. Quarterly deposit interest is a ``DEP`` row with
  summary ``이자``, so that ``amt`` stays a running balance.
* Sell taxes of every exchange-traded sale are 0.30 % as in the ledger (ETFs and ETNs
  included): ``거래세`` 0.15 % + ``농특세`` for KOSPI stocks, one ``거래세`` otherwise.
* Broker checks run in the order of ERRATA 1 step 14: 4001, 6001, 6003, 6006, 6007, 7000.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sandbox.families.account import paging
from sandbox.families.b2baccount import exceptions as exc
from sandbox.families.b2baccount.access import Search, code_info
from sandbox.families.b2baccount.models import check_query_window
from sandbox.world.accounts import discretionary, ledger
from sandbox.world.accounts.discretionary import DiscretionaryAccount
from sandbox.world.accounts.ledger import ASK, BID, DEP, WID, Txn
from sandbox.world.accounts.products import EQTY, ETC, fund_price, funds, products
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import STOCK
from sandbox.world.orders import records
from sandbox.world.orders.desk import kst_stamp
from sandbox.world.orders.records import Record

SIDE_KINDS = {"0": (ASK, BID), "1": (BID,), "2": (ASK,)}  # b2b 1 = sell (BID), 2 = buy (ASK)
SELL_BUY = {BID: "1", ASK: "2"}
MAX_RANGE_DAYS = 366  # tradebook period (b2baccount.md §8: one year)
PRODUCT_UNIT = 10_000  # product prices are per 10,000 KRW of face amount
ORDER_AT, CLOSE_AT = time(15, 20), time(15, 30)
TRANSACTION_TAX = 0.0015  # KOSPI share of the 0.30 % sell taxes (the rest is 농특세)
Number = int | float


@dataclass(frozen=True)
class Trade:
    """A buy or sell of the book, priced: one order with one execution."""

    txn: Txn
    group: str  # EQTY | FUND | ETC
    seq: int  # per-account daily sequence (order and execution numbers)
    price: Number
    costs: tuple[tuple[str, int], ...]


# ------------------------------------------------------------------------------ pricing
def _equity_gross(txn: Txn) -> int:
    """qty × the row's execution price; for a row without one (a scripted history), the gross
    the ledger's cost rules give for its cash amount."""
    if txn.price:
        return txn.price * txn.qty
    rate = 1 + ledger.COMMISSION if txn.kind == ASK else 1 - ledger.COMMISSION - ledger.SELL_TAX
    guess = round(abs(txn.amount) / rate)
    found = [g for g in range(guess - 3, guess + 4)
             if ledger.cash_effect(txn.kind, g) == txn.amount]
    return next((g for g in found if txn.qty and g % txn.qty == 0), found[0] if found else guess)


def _unit(amount: int, qty: int, per: int = 1) -> Number:
    """Price of ``qty`` units that cost ``amount`` (an integer when exact)."""
    if qty and amount * per % qty == 0:
        return amount * per // qty
    return round(amount * per / qty, 2) if qty else 0


def _equity(search: Search, txn: Txn) -> tuple[Number, tuple[tuple[str, int], ...]]:
    inst = search.world.universe.by_isin(txn.code)
    gross = _equity_gross(txn)
    if txn.kind == ASK:
        return _unit(gross, txn.qty), (("일반수수료", -txn.amount - gross),)
    commission = int(gross * ledger.COMMISSION)
    taxes = gross - commission - txn.amount
    costs: tuple[tuple[str, int], ...]
    if inst is not None and inst.kind == STOCK and inst.market == "kospi":
        tax = min(int(gross * TRANSACTION_TAX), taxes)
        costs = (("거래세", tax), ("농특세", taxes - tax), ("일반수수료", commission))
    else:
        costs = (("거래세", taxes), ("일반수수료", commission))
    return _unit(gross, txn.qty), costs


def _priced(search: Search, txn: Txn, group: str) -> tuple[Number, tuple[tuple[str, int], ...]]:
    """Execution price and costs of a buy or sell."""
    if group == EQTY:
        return _equity(search, txn)
    fund = funds().get(txn.code)
    if fund is not None:
        return fund_price(search.world.seed, fund, txn.day), ()
    return _unit(abs(txn.amount), txn.qty, PRODUCT_UNIT), ()


def _group(search: Search, code: str) -> str | None:
    found = ledger.classify(search.world.universe, code) if code else None
    return None if found is None else found[0]


def trades_on(search: Search, account: DiscretionaryAccount, day: date) -> list[Trade]:
    """The account's orders of ``day`` in time order (maturity redemptions are not orders)."""
    out: list[Trade] = []
    for txn in discretionary.book_of(search.world, account).txns:
        if txn.day != day or txn.kind not in SELL_BUY:
            continue
        group = _group(search, txn.code)
        if group is None or (txn.kind == BID and group == ETC):
            continue
        price, costs = _priced(search, txn, group)
        out.append(Trade(txn, group, len(out) + 1, price, costs))
    return out


# ------------------------------------------------------------------------------ queries
def _today(search: Search) -> date:
    return cal.kst(search.world.now()).date()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "null"))


def _code(search: Search) -> str | None:
    """The ``qrIsinCode`` filter as a book code: a fund or product code as written, else the
    ISIN of an instrument (aliases, short codes; 6007 when unknown)."""
    value = search.query.get("qrIsinCode")
    if _blank(value):
        return None
    text = str(value).strip()
    if text in funds() or text in products():
        return text
    inst = search.issue()
    return None if inst is None else inst.isin or inst.code


def _listing(search: Search, rows: list[dict[str, Any]], day_of: Callable[[int], date],
             block: str, item: str) -> dict[str, Any]:
    """Page ``rows`` (keys carry the date ``day_of`` gives a row) into the §1 answer."""
    page, key = search.paged(rows, day_of)
    return search.answer(len(rows), key, len(page), {block: {item: page}})


@dataclass(frozen=True)
class _DayQuery:
    """The checked query of orderdetail and settlelist."""

    account: DiscretionaryAccount
    group: str
    code: str | None
    kinds: tuple[str, ...]
    day: date

    def trades(self, search: Search) -> list[Trade]:
        return [t for t in trades_on(search, self.account, self.day)
                if t.group == self.group and t.txn.kind in self.kinds
                and (self.code is None or t.txn.code == self.code)]


def _day_query(search: Search) -> _DayQuery:
    account = search.account()
    group = search.asset_type()
    paging.parse_key(search.query.get("page"), search.broker)
    code = _code(search)
    kinds = SIDE_KINDS[search.side()]
    return _DayQuery(account, group, code, kinds, search.day("qrOrderDate", _today(search)))


# -------------------------------------------------------------------------- orderdetail
def _stamp(day: date, at: time, seconds: int = 0) -> str:
    """``YYYYMMDDHHMMSSxx`` (KST, centiseconds 00; b2baccount.md Q6)."""
    return f"{datetime.combine(day, at) + timedelta(seconds=seconds):%Y%m%d%H%M%S}00"


def _order_row(search: Search, account: DiscretionaryAccount, trade: Trade) -> dict[str, Any]:
    txn, broker = trade.txn, search.broker
    ordered = _stamp(txn.day, ORDER_AT, trade.seq)
    return {
        "accNo": account.acc_no, "accName": account.acc_name, "modifyType": "0",
        "cancelType": "0",
        "orderNo": broker.order_number_format % (broker.order_number_start + trade.seq - 1),
        "orgOrderNo": None, "sellBuyType": SELL_BUY[txn.kind], "orderType": "지정가",
        "exchange": None, "crcyCode": None, "orderQty": txn.qty, "orderPrice": trade.price,
        "execSumQty": txn.qty, "orderExecType": "체결", "cmsnType": "일반",
        "settDays": 2 if trade.group == EQTY else 0, "buyQtyUnit": 1, "sellQtyUnit": 1,
        "orderTime": ordered, "orderRejectReason": None,
        "isinInfo": code_info(search.world, txn.code),
        "execList": [{"execQty": txn.qty, "execPrice": trade.price, "execNo": trade.seq,
                      "execTime": _stamp(txn.day, CLOSE_AT) if trade.group == EQTY
                      else ordered}],
    }


def _placed(search: Search, query: _DayQuery) -> list[Record]:
    """The rows of the orders placed through the order service dated the query's day (order.md
    §7: the original order, each modify and the cancel) that the query selects, by orderTime,
    as the order log's entries (``chain``, ``row``): only a page of them is read in full."""
    if query.group != EQTY:
        return []
    account = query.account
    return [entry for entry in records.account_rows(search.world, account.com_id,
                                                    account.broker, account.acc_no, query.day)
            if (BID if entry["side"] == "2" else ASK) in query.kinds
            and (query.code is None or entry["isin"] == query.code)]


def _chain_row(search: Search, entry: Record) -> tuple[Record, Record]:
    chain = search.world.store.get(records.CHAIN, entry["chain"])
    assert chain is not None
    return chain, chain["rows"][entry["row"]]


def _placed_row(search: Search, chain: Record, row: Record) -> dict[str, Any]:
    account = search.account()
    inst = search.world.universe.by_isin(chain["securityID"])
    return {
        "accNo": account.acc_no, "accName": account.acc_name,
        "modifyType": "1" if row["type"] == "modify" else "0",
        "cancelType": "1" if row["type"] == "cancel" else "0", "orderNo": row["orderNo"],
        "orgOrderNo": row["orgOrderNo"], "sellBuyType": "1" if chain["side"] == "2" else "2",
        "orderType": "지정가" if row["ordType"] == "2" else "시장가", "exchange": None,
        "crcyCode": None, "orderQty": row["qty"], "orderPrice": row["price"],
        "execSumQty": sum(f["qty"] for f in row["fills"]), "orderExecType": row["state"],
        "cmsnType": "일반", "settDays": 2, "buyQtyUnit": 1, "sellQtyUnit": 1,
        "orderTime": kst_stamp(datetime.fromisoformat(row["at"])),
        "orderRejectReason": row["reject"],
        "isinInfo": code_info(search.world, chain["securityID"]) if inst else [],
        "execList": [{"execQty": f["qty"], "execPrice": f["px"], "execNo": f["execNo"],
                      "execTime": kst_stamp(datetime.fromisoformat(f["at"]))}
                     for f in row["fills"]],
    }


def orderdetail(search: Search) -> dict[str, Any]:
    """§2: the orders of ``qrOrderDate`` (default: the clock's date) and their executions —
    the order service's once the account is traded through it, else the generated history's."""
    query = _day_query(search)
    order_no = search.query.get("qrOrderNo")
    wanted = None if _blank(order_no) else str(order_no).strip()
    since = discretionary.first_order_day(search.world, query.account)
    if since is not None and query.day >= since:
        # only the page's chains are read: a day may hold thousands of orders
        placed = _placed(search, query)
        if wanted is not None:
            placed = [e for e in placed if _chain_row(search, e)[1]["orderNo"] == wanted]
        page, key = search.paged(placed, lambda _: query.day)
        return search.answer(len(placed), key, len(page), {"orderDetailList": {
            "orderDetail": [_placed_row(search, *_chain_row(search, e)) for e in page]}})
    rows = [_order_row(search, query.account, t) for t in query.trades(search)]
    if wanted is not None:
        rows = [row for row in rows if row["orderNo"] == wanted]
    return _listing(search, rows, lambda _: query.day, "orderDetailList", "orderDetail")


# --------------------------------------------------------------------------- settlelist
def _merge(costs: list[tuple[str, int]]) -> list[dict[str, Any]]:
    total: dict[str, int] = {}
    for name, cost in costs:
        total[name] = total.get(name, 0) + cost
    return [{"costName": name, "cost": cost} for name, cost in total.items()]


def _settle_row(search: Search, account: DiscretionaryAccount,
                trades: list[Trade]) -> dict[str, Any]:
    first = trades[0].txn
    costs = _merge([c for t in trades for c in t.costs])
    return {
        "accNo": account.acc_no, "accName": account.acc_name,
        "sellBuyType": SELL_BUY[first.kind], "exchange": None, "crcyCode": None,
        "settQty": sum(t.txn.qty for t in trades),
        "settAmt": abs(sum(t.txn.amount for t in trades)), "tradeType": "보통",
        "loanCreditDate": None, "loanCreditAmt": 0, "settDate": f"{first.settles:%Y%m%d}",
        "costTotal": sum(c["cost"] for c in costs),
        "isinInfo": code_info(search.world, first.code), "costInfo": costs,
    }


def settlelist(search: Search) -> dict[str, Any]:
    """§4: the executions of ``qrOrderDate`` (default: the clock's date) that settle after the
    clock's date, one row per (issue, side). The 08:30/16:00 window applies in strict mode."""
    query = _day_query(search)
    check_query_window(search)
    today = _today(search)
    groups: dict[tuple[str, str], list[Trade]] = {}
    for trade in query.trades(search):
        if trade.txn.settles > today:
            groups.setdefault((trade.txn.code, trade.txn.kind), []).append(trade)
    rows = [_settle_row(search, query.account, trades) for trades in groups.values()]
    return _listing(search, rows, lambda _: query.day, "settleList", "settleInfo")


# ---------------------------------------------------------------------------- tradebook
def _period(search: Search) -> tuple[date, date]:
    """``qrFromDate``..``qrToDate``: 6006 beyond one year, then 7000 for a bad date or an
    inverted period."""
    loose = []
    for name in ("qrFromDate", "qrToDate"):
        with contextlib.suppress(ValueError):
            loose.append(datetime.strptime(str(search.query.get(name)).strip(), "%Y%m%d"))
    if len(loose) == 2 and (loose[1] - loose[0]).days + 1 > MAX_RANGE_DAYS:
        raise exc.DateRangeExceeded(search.name, f"qrFromDate..qrToDate may span at most "
                                    f"{MAX_RANGE_DAYS} days", detail=str(MAX_RANGE_DAYS))
    start, end = search.day("qrFromDate"), search.day("qrToDate")
    if start > end:
        raise exc.BrokerBadRequest(search.name, "qrFromDate is after qrToDate",
                                   detail="qrFromDate > qrToDate")
    return start, end


def _entry(txn: Txn, group: str | None) -> tuple[str, str, int]:
    """``transType``, ``summary`` and ``changeQty`` of a ledger row."""
    if txn.kind == ASK:
        return ASK, "매수", txn.qty
    if txn.kind == BID:
        return BID, "만기상환" if group == ETC else "매도", -txn.qty
    if txn.kind in (DEP, WID):
        return txn.kind, "이체입금" if txn.kind == DEP else "이체출금", 0
    return (DEP, "이자", 0) if txn.amount >= 0 else (WID, "기타출금", 0)


def _book_row(search: Search, account: DiscretionaryAccount, txn: Txn,
              balance: int) -> dict[str, Any]:
    group = _group(search, txn.code)
    kind, summary, change = _entry(txn, group)
    costs = _priced(search, txn, group)[1] if group == EQTY and kind in SELL_BUY else ()
    return {
        "accNo": account.acc_no, "accName": account.acc_name,
        "transDate": f"{txn.day:%Y%m%d}", "transType": kind, "changeAmt": txn.amount,
        "changeQty": change, "qty": txn.holding, "amt": balance, "exchange": None,
        "crcyCode": "KRW", "subject": "위탁자", "summary": summary,
        "isinInfo": code_info(search.world, txn.code) if txn.code else [],
        "costInfo": [{"costName": name, "cost": cost} for name, cost in costs],
    }


def tradebook(search: Search) -> dict[str, Any]:
    """§6: the ledger rows of the period, oldest first, with the deposit after each row."""
    account = search.account()
    paging.parse_key(search.query.get("page"), search.broker)
    start, end = _period(search)
    rows, days, balance = [], [], 0
    for txn in discretionary.book_of(search.world, account).txns:
        balance += txn.amount
        if start <= txn.day <= end:
            rows.append(_book_row(search, account, txn, balance))
            days.append(txn.day)
    return _listing(search, rows, days.__getitem__, "tradeBookList", "tradeBook")
