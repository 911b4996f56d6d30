"""An account's history, holdings and valuation at the world clock's instant.

:func:`book_of` picks the account's history (scripted in ``fixtures/accounts.yaml``, created
through the admin API, or generated) up to the day before the clock's date;
:func:`statement` values it: equities at the market simulator's current price, funds at the
day's fund price, products at their accrued value (account.md §3 arithmetic: ``proLoss =
valAtCur - valAtTrade``, ``earningRate`` in % with two decimals, summary sums, ``totalAccVal =
cashBalance + valueAtCur``; D+1/D+2 are the cash after the next two KRX days' settlements).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.accounts import ledger
from sandbox.world.accounts.ledger import Book, Holding
from sandbox.world.accounts.products import (
    EQTY,
    ETC,
    FUND,
    FUND_UNITS,
    equity_asset_type,
    fund_price,
    funds,
    products,
)
from sandbox.world.market import calendar as cal
from sandbox.world.market.reference import reference

if TYPE_CHECKING:
    from sandbox.world.identities import VirtualAccount
    from sandbox.world.market.universe import Universe
    from sandbox.world.world import World

CUSTOM_ACCOUNT = "custom_account"  # store kind: the scripted history of a custom account
FUND_COLLATERAL = 0.7  # share of a fund's value counted as substitute (대용금)


@lru_cache(maxsize=1)
def scripted_accounts(path: Path = FIXTURES / "accounts.yaml") -> dict[str, Any]:
    """The documented accounts' scripted histories and watch-lists, by vtAccNo."""
    if not path.is_file():
        return {}
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): v for k, v in (data.get("accounts") or {}).items()}


def _month(text: str, last: bool) -> date:
    """The first (or last) day of a ``YYYY/MM`` month."""
    year, month = (int(x) for x in text.strip().split("/"))
    if not last:
        return date(year, month, 1)
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def opened(account: VirtualAccount) -> date:
    """When the account starts trading: its own date, else the YYMM of its number."""
    if account.opened is not None:
        return account.opened
    prefix = account.vt_acc_no[:4]
    if prefix.isdigit() and 1 <= int(prefix[2:]) <= 12:
        return date(2000 + int(prefix[:2]), int(prefix[2:]), 1)
    return date(2016, 1, 4)


def window(account: VirtualAccount, today: date) -> tuple[date, date, bool]:
    """(first day, last day, documented period?) of the generated history: the documented
    "transaction history period" (common.md §7), else opening to the day before ``today``."""
    last = cal.previous_trading_day(today)
    if account.history_period:
        first_text, _, last_text = account.history_period.partition("~")
        return _month(first_text, False), min(_month(last_text, True), last), True
    return opened(account), last, False


def book_of(world: World, account: VirtualAccount) -> Book:
    today = world.now().date()
    custom = world.store.get(CUSTOM_ACCOUNT, account.vt_acc_no)
    if custom is not None:  # keyed by content: a reset may reuse the number for another user
        return _scripted(json.dumps(custom["transactions"], sort_keys=True), today)
    if "transactions" in scripted_accounts().get(account.vt_acc_no, {}):
        return _fixture(account.vt_acc_no, today)
    first, last, documented = window(account, today)
    return _generated(world.seed, account.vt_acc_no, first, last, documented)


@lru_cache(maxsize=512)
def _generated(seed: int, key: str, first: date, last: date, active: bool) -> Book:
    from sandbox.world.world import market_of

    market = market_of(seed)
    return ledger.generate(market, _universe(), key, first, last, active)


@lru_cache(maxsize=64)
def _fixture(vt_acc_no: str, today: date) -> Book:
    return _replay(scripted_accounts()[vt_acc_no]["transactions"], today)


@lru_cache(maxsize=256)
def _scripted(rows: str, today: date) -> Book:
    return _replay(json.loads(rows), today)


def _replay(rows: list[dict[str, Any]], today: date) -> Book:
    """The rows dated before ``today`` (unquoted YAML dates included), replayed."""
    visible = [row for row in rows if ledger.day_of(row["day"]) < today]
    return ledger.replay(_universe(), visible)


def _universe() -> Universe:
    from sandbox.world.market.instruments import load_universe

    return load_universe()


# ------------------------------------------------------------------------------ values
@dataclass(frozen=True)
class Line:
    """One position valued at an instant (a balance/portfolio row)."""

    group: str  # EQTY | FUND | ETC
    code: str
    asset_type: str  # KSP KDQ ETF ETC | (funds: "") | BOND CD CP ...
    name: str
    qty: int
    cost: int  # valAtTrade
    value: int  # valAtCur
    first_buy: date
    last_buy: date
    maturity: str  # YYYYMMDD, "00000000" = none
    fund_type: str | None = None

    @property
    def pro_loss(self) -> int:
        return self.value - self.cost

    @property
    def earning_rate(self) -> float:
        return round(self.pro_loss / self.cost * 100, 2) if self.cost else 0.0


@dataclass(frozen=True)
class Statement:
    lines: tuple[Line, ...]
    cash: int  # D+0 (cashBalance)
    d1: int
    d2: int
    substitute: int

    def group(self, name: str) -> list[Line]:
        return [line for line in self.lines if line.group == name]

    @property
    def cost(self) -> int:
        return sum(line.cost for line in self.lines)

    @property
    def value(self) -> int:
        return sum(line.value for line in self.lines)

    @property
    def withdrawable(self) -> int:
        return max(min(self.cash, self.d1, self.d2), 0)


def statement(world: World, account: VirtualAccount, at: datetime | None = None) -> Statement:
    """The account's holdings and cash valued at ``at`` (default: the clock's instant)."""
    return statement_of(world, book_of(world, account), at)


def statement_of(world: World, book: Book, at: datetime | None = None) -> Statement:
    """A book's holdings and cash valued at ``at`` (default: the clock's instant); also the
    discretionary accounts' balances."""
    at = at or world.now()
    today = at.date()
    lines, substitute = [], 0
    for held in sorted(book.holdings.values(), key=lambda h: (h.first_buy, h.code)):
        line, collateral = _value(world, held, at)
        lines.append(line)
        substitute += collateral
    return Statement(tuple(lines), book.cash(today), book.cash(cal.next_trading_day(today)),
                     book.cash(ledger.t_plus(today, 2)), substitute)


def _value(world: World, held: Holding, at: datetime) -> tuple[Line, int]:
    today = at.date()
    if held.group == FUND:
        fund = funds()[held.code]
        value = int(held.qty * fund_price(world.seed, fund, today) / FUND_UNITS)
        return Line(FUND, held.code, "", fund.name, held.qty, held.cost, value, held.first_buy,
                    held.last_buy, "00000000", fund.fund_type), int(value * FUND_COLLATERAL)
    if held.group == ETC:
        product = products()[held.code]
        value = product.value(held.cost, held.qty, held.first_buy, today)
        maturity = f"{product.maturity(held.first_buy):%Y%m%d}"
        return Line(ETC, held.code, product.asset_type, product.name, held.qty, held.cost,
                    value, held.first_buy, held.last_buy, maturity), 0
    inst = world.universe.by_isin(held.code)
    assert inst is not None, held.code
    quote = world.market.quote(inst, at)
    price = int(quote.price)
    collateral = reference(world.seed, inst).collateral(inst, quote.day, price)
    return Line(EQTY, held.code, equity_asset_type(inst), inst.name, held.qty, held.cost,
                held.qty * price, held.first_buy, held.last_buy, "00000000"), \
        held.qty * collateral
