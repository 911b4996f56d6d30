"""The checks of a new order (order.md §6.2-§6.4) and the texts of its rejects and of the
OrderCancelReject of a replace or cancel: each failed check raises :class:`Rejected` with the
FIX ``ordRejReason`` and the text the engine reports (:mod:`sandbox.world.orders.engine`)."""

from __future__ import annotations

from typing import Any

from sandbox.world.accounts import ledger
from sandbox.world.market import calendar as cal
from sandbox.world.market import events, rules
from sandbox.world.market.instruments import ETF, ETN, STOCK, Instrument
from sandbox.world.orders import hooks, records
from sandbox.world.orders.desk import Desk
from sandbox.world.orders.records import Record

BUY, SELL = "1", "2"  # FIX side
MARKET, LIMIT = "1", "2"  # FIX ordType
DAY, IOC, FOK = "0", "3", "4"
LIVE = ("0", "1")
TEXTS = {
    "1": "종목코드 오류 (unknown instrument)",
    "2": "장운영시간이 아닙니다 (outside trading hours)",
    "3buy": "주문가능금액 부족 (insufficient cash)",
    "3sell": "매도가능수량 부족 (insufficient sellable quantity)",
    "6": "중복 주문 (duplicate order)",
    "11": "지원하지 않는 주문유형 (unsupported order type)",
    "account": "일임계약 계좌가 아닙니다 (not a discretionary account)",
    "tick": "호가단위 오류 (price off the tick grid)",
    "limit": "가격제한폭 초과 (price outside daily limit)",
    "halt": "거래정지 종목 (trading halt)",
    "expired": "장종료 자동취소 (day order expired at the close)",
    "unfilled": "즉시체결 불가 취소 (IOC/FOK not filled)",
}
REPLACE_TEXTS = {
    "price": "가격정정은 잔량 전부에 대해서만 가능 (price change must cover the whole "
             "remainder)",
    "increase": "수량 증가 정정 불가 (quantity increase not allowed)",
    "nothing_left": "정정 가능 수량 없음 (nothing left to modify)",
    "terms": "정정 불가 항목 변경 (instrument, side or account changed)",
    "same": "정정 내용 없음 (nothing to modify)",
    "done": "이미 체결/취소된 주문 (order already filled or cancelled)",
    "unknown": "주문 없음 (unknown order)",
    "duplicate": "중복 주문 (duplicate clOrdID)",
}


class Rejected(Exception):
    """A business reject of a new order: ``ordRejReason`` and ``text``."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(text)
        self.reason, self.text = reason, text


def instrument(desk: Desk, body: Record) -> Instrument:
    inst = desk.world.universe.by_isin(str(body["securityID"]).strip())
    symbol = body.get("symbol")
    if (inst is None or inst.kind not in (STOCK, ETF, ETN) or not inst.is_listed(desk.day)
            or (symbol not in (None, "") and str(symbol).strip() != inst.code)):
        raise Rejected("1", TEXTS["1"])
    return inst


def account(desk: Desk, body: Record) -> None:
    from sandbox.world.accounts.discretionary import CONTRACTED, account_of

    account = account_of(desk.world, desk.com_id, desk.broker.short_name, str(body["account"]))
    if account is None or account.contract_status != CONTRACTED:
        raise Rejected("99", TEXTS["account"])


def terms(body: Record) -> None:
    """Buy or sell, market or limit, day/IOC/FOK: other FIX values are valid but unsupported."""
    if (body["side"] not in (BUY, SELL) or body["ordType"] not in (MARKET, LIMIT)
            or body.get("timeInForce", DAY) not in (DAY, IOC, FOK)):
        raise Rejected("11", TEXTS["11"])


OPEN_PHASES = (cal.PRE_OPEN_AUCTION, cal.CONTINUOUS, cal.CLOSING_AUCTION)


def session(desk: Desk) -> str | None:
    """The KRX session phase when the §6.2 table is enforced (``--order-sessions``); None
    when the sandbox is "always open" (the documented default)."""
    if not desk.world.settings.order_sessions:
        return None
    day = desk.day
    if not cal.is_trading_day(day):
        return cal.CLOSED
    return cal.schedule(day).phase(cal.split_instant(desk.now)[1])


def is_open(desk: Desk) -> None:
    """§6.2: orders from the opening call auction (08:30) to the close (15:30) only."""
    phase = session(desk)
    if phase is not None and phase not in OPEN_PHASES:
        raise Rejected("2", TEXTS["2"])


def tradable_price(desk: Desk, inst: Instrument, ord_type: str, price: Any) -> None:
    """A tradable issue (not halted: market events) and a limit price on the day's tick grid
    and inside its limits (ERRATA 24; the limits of an overridden ``basPrc``,
    :func:`hooks.reference`)."""
    if events.halted(desk.world, inst.code, desk.now):
        raise Rejected("99", TEXTS["halt"])
    if ord_type != LIMIT:
        return
    ref = hooks.reference(desk.world, inst, desk.now)
    if not rules.grid_for(inst, ref.day, inst.market).on_grid(int(price)) or price != int(price):
        raise Rejected("99", TEXTS["tick"])
    if not ref.lower <= price <= ref.upper:
        raise Rejected("99", TEXTS["limit"])


def affordable(desk: Desk, chain: Record, inst: Instrument, qty: int, price: Any,
                exclude: str | None = None) -> None:
    """§6.4: a buy within the orderable cash (D+2 basis, less open buys), a sell within the
    sellable quantity (holding less open sells)."""
    from sandbox.world.accounts.discretionary import account_of, book_of

    account = account_of(desk.world, desk.com_id, desk.broker.short_name, chain["account"])
    assert account is not None
    book = book_of(desk.world, account)
    open_chains = [c for c in records.live_chains(desk.world, desk.com_id)
                   if c["account"] == chain["account"] and c["side"] == chain["side"]
                   and c["key"] != exclude]
    if chain["side"] == BUY:
        unit = price if chain["ordType"] == LIMIT else hooks.reference(
            desk.world, inst, desk.now).upper
        reserved = sum(c["leavesQty"] * c["reserve"] for c in open_chains)
        need = -ledger.cash_effect(ledger.ASK, int(qty * unit))  # prices are on the grid
        if need > book.total_cash - reserved:
            raise Rejected("3", TEXTS["3buy"])
        chain["reserve"] = unit + unit * ledger.COMMISSION
        return
    held = book.holdings.get(inst.isin or "")
    committed = sum(c["leavesQty"] for c in open_chains if c["securityID"] == inst.isin)
    if qty > (held.qty if held else 0) - committed:
        raise Rejected("3", TEXTS["3sell"])
    chain["reserve"] = 0
