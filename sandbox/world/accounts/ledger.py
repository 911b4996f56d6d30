"""An account's transaction history, and the holdings and cash that replaying it gives.

The history is the account's truth: balances, portfolios and the transaction search all read
the :class:`Book` that :func:`replay` builds from it, so "replay the transactions and you get
today's holdings" holds by construction (and a property test checks it through HTTP).

Three sources of history, one replay:

* **generated** (:func:`generate`): a seeded investor trades on KRX trading days from the
  account's opening (or its documented history period, common.md §7) until the day before the
  clock's date: deposits, buys and sells of equities at the market simulator's closing price,
  fund subscriptions and redemptions at the fund price, products held to maturity, withdrawals
  and quarterly interest on the deposit. Each day's decision is a pure function of (seed,
  account, day) and of the state the earlier days left, so the history up to day D is a prefix
  of the history up to any later day: time travel never rewrites the past.
* **scripted**: the rows of ``fixtures/accounts.yaml`` (documented holdings) or of a custom
  user created through the admin API, replayed as written.

Money: exchange trades settle T+2 KRX days (order.md §6.5), everything else on the day.
Commission 0.015 % (rounded down) on both sides; sell taxes 0.30 % of the sale (KOSPI
0.15 % + 0.15 % rural tax, KOSDAQ 0.30 %). Purchase amounts (``valAtTrade``) follow the
average-cost method.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sandbox.world.accounts.products import (
    EQTY,
    ETC,
    FUND,
    FUND_UNITS,
    Fund,
    fund_price,
    funds,
    holdable,
    products,
)
from sandbox.world.market import calendar as cal
from sandbox.world.market.noise import stream, uniform

if TYPE_CHECKING:
    from sandbox.world.market.instruments import Instrument
    from sandbox.world.market.prices import Market
    from sandbox.world.market.universe import Universe

ASK, BID, DEP, WID, OTHER = "ASK", "BID", "DEP", "WID", "ETC"  # ASK = buy, BID = sell
COMMISSION = 0.00015
SELL_TAX = 0.003


@dataclass(frozen=True)
class Txn:
    """One transaction-history row (account.md §4)."""

    day: date
    kind: str  # ASK | BID | DEP | WID | ETC
    code: str  # ISIN, fund code or product code; "" for cash movements
    amount: int  # changeAmt: cash effect, negative = outflow
    qty: int  # changeQty: units traded (0 for cash movements)
    holding: int  # qty: units of ``code`` held after the row
    settles: date  # the day the cash effect settles
    price: int = 0  # exchange trades: the execution price (0: not an exchange trade, or unknown)


@dataclass
class Holding:
    code: str
    group: str  # EQTY | FUND | ETC
    qty: int
    cost: int  # purchase amount of the units held (valAtTrade)
    first_buy: date
    last_buy: date


@dataclass
class Book:
    """Holdings and cash after a history: the replay of :attr:`txns`."""

    txns: list[Txn] = field(default_factory=list)
    holdings: dict[str, Holding] = field(default_factory=dict)
    total_cash: int = 0  # every cash effect, settled or not (= D+2 once trading stopped)

    def copy(self) -> Book:
        """An independent copy (rows are immutable and shared; holdings are copied)."""
        return Book(list(self.txns), {k: replace(h) for k, h in self.holdings.items()},
                    self.total_cash)

    def cash(self, on: date) -> int:
        """Cash settled by the end of ``on`` (D+0 for today, D+1/D+2 for the next days)."""
        return self.total_cash - sum(t.amount for t in self.txns if t.settles > on)

    def redeem_matured(self, day: date) -> None:
        """Redeem, at their face amount, the products that mature on or before ``day`` (oldest
        maturity first), dated ``day``: the maturity day itself, or the trading day after a
        maturity on a holiday (so a history never gains rows dated in its past)."""
        catalogue = products()
        due = sorted((catalogue[h.code].maturity(h.first_buy), h.code)
                     for h in self.holdings.values() if h.group == ETC)
        for maturity, code in due:
            if maturity > day:
                break
            face = self.holdings[code].qty
            self.apply(Txn(day, BID, code, face, face, 0, day))

    def apply(self, txn: Txn, group: str | None = None) -> None:
        """Record ``txn``: cash always; units and purchase amount for ASK/BID."""
        self.txns.append(txn)
        self.total_cash += txn.amount
        if txn.kind == ASK and group is not None:
            held = self.holdings.get(txn.code)
            if held is None:
                self.holdings[txn.code] = Holding(txn.code, group, txn.qty, -txn.amount,
                                                  txn.day, txn.day)
            else:
                held.qty += txn.qty
                held.cost += -txn.amount
                held.last_buy = txn.day
        elif txn.kind == BID and txn.code in self.holdings:
            held = self.holdings[txn.code]
            if txn.qty >= held.qty:
                del self.holdings[txn.code]
            else:
                held.cost -= held.cost * txn.qty // held.qty
                held.qty -= txn.qty


def cash_effect(kind: str, gross: int) -> int:
    """The cash an exchange trade of ``gross`` KRW moves: a buy (``ASK``) pays the commission
    on top, a sell (``BID``) receives the gross less commission and sell taxes."""
    commission = int(gross * COMMISSION)
    if kind == ASK:
        return -(gross + commission)
    return gross - commission - int(gross * SELL_TAX)


def exchange_trade(day: date, kind: str, code: str, qty: int, price: int, held: int) -> Txn:
    """The ledger row of an exchange trade of ``qty`` at ``price`` by an account holding
    ``held`` units before it (settled T+2)."""
    after = held + qty if kind == ASK else held - qty
    return Txn(day, kind, code, cash_effect(kind, qty * price), qty, after, t_plus(day, 2),
               price)


def classify(universe: Universe, code: str) -> tuple[str, str] | None:
    """``(group, canonical code)`` of a code an account can hold: an equity's ISIN or short
    code, a fund code or a product code; None for anything else."""
    code = code.strip()
    if code in funds():
        return FUND, code
    if code in products():
        return ETC, code
    inst = universe.by_isin(code) or universe.get(code.removeprefix("A"))
    if inst is not None and holdable(inst):
        return EQTY, inst.isin or code
    return None


def t_plus(day: date, days: int) -> date:
    for _ in range(days):
        day = cal.next_trading_day(day)
    return day


# --------------------------------------------------------------------------- scripted
def replay(universe: Universe, rows: Iterable[dict[str, Any]]) -> Book:
    """A book from scripted rows ``{day: YYYYMMDD, kind, code?, qty?, amount}``, oldest first.

    ``amount`` is the cash moved: its sign comes from the kind (ASK and WID pay out, BID and
    DEP pay in) except for ETC rows, which keep the sign written. ``code`` may be an ISIN, a
    short code, a fund code or a product code (for products ``qty`` is the face amount).
    Exchange trades settle T+2, the rest on the day. The rows are replayed as written: a
    product is redeemed only by a BID row (after maturity it is valued at its face amount).
    A row that sells more than is held is refused with ValueError.
    """
    book = Book()
    for row in rows:
        day = day_of(row["day"])
        kind = str(row["kind"])
        qty = int(row.get("qty") or 0)
        amount = int(row["amount"])
        if kind in (ASK, WID):
            amount = -abs(amount)
        elif kind in (BID, DEP):
            amount = abs(amount)
        code, group = str(row.get("code") or ""), None
        if code:
            found = classify(universe, code)
            if found is None:
                raise ValueError(f"unknown code {code!r} in a scripted history")
            group, code = found
        settles = t_plus(day, 2) if group == EQTY and kind in (ASK, BID) else day
        held = book.holdings[code].qty if code in book.holdings else 0
        traded = qty if kind in (ASK, BID) else 0
        if kind == BID and traded > held:
            raise ValueError(f"{day}: selling {traded} of {code!r} while holding {held}")
        after = held + traded if kind == ASK else max(held - traded, 0) if kind == BID else held
        book.apply(Txn(day, kind, code, amount, traded, after, settles), group)
    return book


def day_of(value: object) -> date:
    """A ``YYYYMMDD`` string (or a date) as a date."""
    if isinstance(value, date):
        return value
    text = str(value)
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


# -------------------------------------------------------------------------- generated
@dataclass(frozen=True)
class Profile:
    """How a generated investor behaves (drawn once per account)."""

    initial: int
    trade_rate: float  # share of trading days with a trade
    deposit_rate: float
    withdraw_rate: float
    fund_share: float  # of buys
    product_share: float
    candidates: tuple[str, ...]  # equity short codes the investor follows
    fund_codes: tuple[str, ...]


@lru_cache(maxsize=1)
def _holdable_codes(universe: Universe) -> tuple[str, ...]:
    return tuple(inst.code for inst in universe if holdable(inst))


def profile(universe: Universe, seed: int, key: str, active: bool) -> Profile:
    rng = stream(seed, "account-profile", key)
    codes = _holdable_codes(universe)
    fund_list = sorted(funds())
    return Profile(
        initial=int(min(max(rng.lognormvariate(17.0, 1.2), 1e6), 2e9)) // 10_000 * 10_000,
        trade_rate=(0.25 if active else 0.02) + 0.06 * rng.random(),
        deposit_rate=0.02 + 0.03 * rng.random(),
        withdraw_rate=0.005 + 0.01 * rng.random(),
        fund_share=0.25 * rng.random(),
        product_share=0.15 * rng.random() ** 2,
        candidates=tuple(rng.sample(codes, 12)),
        fund_codes=tuple(rng.sample(fund_list, 4)),
    )


class _Investor:
    """Drives one generated history day by day."""

    def __init__(self, market: Market, universe: Universe, key: str, prof: Profile) -> None:
        self.market, self.universe, self.key, self.p = market, universe, key, prof
        self.seed = market.seed
        self.book = Book()

    def day(self, day: date, first: bool) -> None:
        self.book.redeem_matured(day)
        if first:
            self._cash(day, DEP, self.p.initial)
            return
        u = uniform(self.seed, "account-day", self.key, day.toordinal())
        p = self.p
        if u < p.trade_rate:
            self._trade(day, stream(self.seed, "account-trade", self.key, day.toordinal()))
        elif u < p.trade_rate + p.deposit_rate:
            amount = p.initial // 20 // 10_000 * 10_000 or 100_000
            self._cash(day, DEP, amount)
        elif u < p.trade_rate + p.deposit_rate + p.withdraw_rate:
            amount = self.book.cash(day) // 5 // 10_000 * 10_000
            if amount > 0:
                self._cash(day, WID, -amount)
        if day.month % 3 == 0 and cal.next_trading_day(day).month != day.month:
            interest = self.book.cash(day) // 1000
            if interest > 0:
                self._cash(day, OTHER, interest)

    def _cash(self, day: date, kind: str, amount: int) -> None:
        self.book.apply(Txn(day, kind, "", amount, 0, 0, day))

    def _trade(self, day: date, rng: random.Random) -> None:
        equities = [h for h in self.book.holdings.values() if h.group == EQTY]
        held_funds = [h for h in self.book.holdings.values() if h.group == FUND]
        if (equities or held_funds) and rng.random() < 0.4:
            self._sell(day, rng, equities, held_funds)
            return
        budget = int(self.book.total_cash * (0.1 + 0.3 * rng.random()))
        if budget < 100_000:
            return
        u = rng.random()
        if u < self.p.product_share:
            self._buy_product(day, rng, budget)
        elif u < self.p.product_share + self.p.fund_share:
            self._buy_fund(day, rng, budget)
        else:
            self._buy_equity(day, rng, budget)

    def _close(self, inst: Instrument, day: date) -> int | None:
        if not inst.is_listed(day):
            return None
        bar = self.market.closing_bar(inst, day)
        return None if bar is None or bar.close <= 0 else int(bar.close)

    def _buy_equity(self, day: date, rng: random.Random, budget: int) -> None:
        inst = self.universe.get(rng.choice(self.p.candidates))
        price = None if inst is None else self._close(inst, day)
        if inst is None or price is None:
            return
        qty = int(budget / (price * (1 + COMMISSION)))
        if qty < 1:
            return
        code = inst.isin or inst.code
        held = self.book.holdings.get(code)
        self.book.apply(exchange_trade(day, ASK, code, qty, price, held.qty if held else 0),
                        EQTY)

    def _sell(self, day: date, rng: random.Random, equities: list[Holding],
              held_funds: list[Holding]) -> None:
        held = rng.choice(equities + held_funds)
        qty = held.qty if rng.random() < 0.5 or held.qty < 2 else held.qty // 2
        if held.group == FUND:
            gross = int(qty * fund_price(self.seed, funds()[held.code], day) / FUND_UNITS)
            self.book.apply(Txn(day, BID, held.code, gross, qty, held.qty - qty, day))
            return
        inst = self.universe.by_isin(held.code)
        price = None if inst is None else self._close(inst, day)
        if price is None:
            return
        self.book.apply(exchange_trade(day, BID, held.code, qty, price, held.qty))

    def _buy_fund(self, day: date, rng: random.Random, budget: int) -> None:
        fund: Fund = funds()[rng.choice(self.p.fund_codes)]
        units = int(budget * FUND_UNITS / fund_price(self.seed, fund, day))
        if units < 1:
            return
        amount = int(units * fund_price(self.seed, fund, day) / FUND_UNITS)
        held = self.book.holdings.get(fund.code)
        self.book.apply(Txn(day, ASK, fund.code, -amount, units,
                            units + (held.qty if held else 0), day), FUND)

    def _buy_product(self, day: date, rng: random.Random, budget: int) -> None:
        catalogue = products()
        free = [code for code in sorted(catalogue) if code not in self.book.holdings]
        if not free or budget < 1_000_000:
            return
        product = catalogue[rng.choice(free)]
        amount = budget // 1_000_000 * 1_000_000
        face = product.face(amount)
        self.book.apply(Txn(day, ASK, product.code, -amount, face, face, day), ETC)


def generate(market: Market, universe: Universe, key: str, start: date, end: date,
             active: bool = False) -> Book:
    """The generated history of account ``key`` on the trading days of [start, end]."""
    investor = _Investor(market, universe, key, profile(universe, market.seed, key, active))
    for n, day in enumerate(cal.trading_days(start, end)):
        investor.day(day, first=n == 0)
    return investor.book
