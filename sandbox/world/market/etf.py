"""ETF net asset value and portfolio deposit file (stocks.md S10, S16-S18; master ``prevddNav``).

NAV (own modelling): the price model moves an ETF on its own factors, so a NAV tied to an
index level would drift away from the ETF's price over the years. Instead the NAV is the
ETF's price net of a small premium: ``NAV = price / (1 + premium(day))``, the premium a
smooth, seeded, bounded function of the trading day (|premium| < 0.3 %, < 0.1 % for
low-volatility bond and money-market funds), 2 decimals (README §3.5).

* final NAV of a day: from the day's closing price (published at 16:00, S10);
* real-time NAV (S17): from the last price, the closing price once the closing match printed;
  before the day's first trade the previous day's final NAV;
* ``cmpprevddNav``: against the previous trading day's final NAV.

PDF (S16): the creation unit's basket on the reference day (the trading day before the
inquiry day, whose closes the 06:30 batch uses). Index-tracking ETFs hold the members of
their index (:data:`BASKETS`, matched on the name), the Samsung-group ETF the KOSPI stocks
named 삼성*, the others a seeded basket of 10-40 KRX300 members (foreign, bond, commodity
and derivative holdings are not modelled). Units are proportional to listed shares
(capitalisation weights) and sized so that, with a KRW cash line, the basket is worth the
creation unit at the reference NAV: ``Σ SetAmt = CU × NAV``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from sandbox.world.market import calendar as cal
from sandbox.world.market import constituents
from sandbox.world.market.instruments import ETF, Instrument
from sandbox.world.market.noise import derive, uniform
from sandbox.world.market.prices import Market
from sandbox.world.market.universe import Universe

PREMIUM_BOUND = 0.003
CASH_ISIN, CASH_NAME = "KRD010010001", "원화현금"  # the KRW cash line of KRX PDF files
CREATION_UNITS = (50_000, 100_000)

# name fragment -> (pool index, industries kept (None: all), at most this many, by size)
BASKETS: tuple[tuple[str, str, tuple[str, ...] | None, int | None], ...] = (
    ("코스닥150", "Q203", None, None),
    ("200 IT", "K51", ("K13",), None),
    ("헬스케어", "K51", ("K9", "K14"), None),
    ("2차전지", "K51", ("K13", "K8", "K11"), 10),
    ("반도체", "K1", ("K13",), 25),
    ("은행", "K1", ("K21", "K22"), 10),
    ("자동차", "K1", ("K15",), 15),
    ("코리아TOP10", "K1", None, 10),
    ("코스피", "K1", None, None),
    ("200", "K51", None, None),
)
SAMSUNG_GROUP = "삼성그룹"


def is_etf(inst: Instrument) -> bool:
    return inst.kind == ETF


def premium(seed: int, inst: Instrument, n: int) -> float:
    """Price/NAV − 1 on trading day ``n``: smooth and bounded by :data:`PREMIUM_BOUND`."""
    bound = PREMIUM_BOUND if inst.volatility >= 0.05 else PREMIUM_BOUND / 3
    wave = (0.5 * math.sin(2 * math.pi * (n / 23.0 + uniform(seed, "prem", inst.code, 1)))
            + 0.3 * math.sin(2 * math.pi * (n / 71.0 + uniform(seed, "prem", inst.code, 2)))
            + 0.19 * (2 * uniform(seed, "prem", inst.code, "day", n) - 1))
    return bound * wave


def _nav_of(market: Market, inst: Instrument, day: date, price: float) -> float:
    return round(price / (1 + premium(market.seed, inst, cal.day_index(day))), 2)


def nav(market: Market, inst: Instrument, day: date, at: datetime | None = None) -> float:
    """The NAV of trading day ``day``: final (from the close) when ``at`` is None, else the
    real-time NAV at ``at`` (see the module docstring). 0.0 for a non-ETF or a day the ETF
    did not trade (the master's ``prevddNav`` convention)."""
    if not is_etf(inst) or not cal.is_trading_day(day):
        return 0.0
    if at is None:
        bar = market.closing_bar(inst, day)
        return 0.0 if bar is None else _nav_of(market, inst, day, float(bar.close))
    q = market.quote(inst, at)
    if q.open == 0:  # no trade yet: the previous day's final NAV stands
        return previous_nav(market, inst, q.day)
    return _nav_of(market, inst, q.day, float(q.close if q.close is not None else q.price))


def previous_nav(market: Market, inst: Instrument, day: date) -> float:
    """The final NAV of the trading day before ``day`` (0.0 before the ETF's first day)."""
    return nav(market, inst, cal.previous_trading_day(day))


@dataclass(frozen=True)
class NavPoint:
    """A NAV with its change against the previous trading day's final NAV."""

    day: date
    nav: float
    change: float


def nav_point(market: Market, inst: Instrument, day: date,
              at: datetime | None = None) -> NavPoint:
    """NAV of ``day`` (final, or real time at ``at``) and ``cmpprevddNav``; the change is 0
    on the ETF's first trading day."""
    value = nav(market, inst, day, at)
    before = previous_nav(market, inst, day)
    return NavPoint(day, value, round(value - before, 2) if before else 0.0)


# ---------------------------------------------------------------------------------- PDF
@dataclass(frozen=True)
class Holding:
    """One ``Lists`` row of the PDF."""

    isin: str
    name: str
    unit: int  # shares (KRW for the cash line) per creation unit
    amount: int  # SetAmt: unit × the reference close, KRW


@dataclass(frozen=True)
class Pdf:
    reference: date  # the trading day whose closes value the basket
    creation_unit: int
    nav: float
    holdings: tuple[Holding, ...]  # by code, the cash line last


def creation_unit(inst: Instrument) -> int:
    """ETF shares per creation unit (a listing fact: the same for every seed)."""
    return CREATION_UNITS[derive(0, "cu", inst.code) % len(CREATION_UNITS)]


def _seeded(seed: int, universe: Universe, inst: Instrument, on: date) -> list[Instrument]:
    pool = constituents.of(universe).members("S300", on)
    size = 10 + derive(seed, "pdfsize", inst.code) % 31
    picked = sorted(pool, key=lambda m: derive(seed, "pdf", inst.code, m.code))[:size]
    return sorted(picked, key=lambda m: -m.anchor_price * m.shares)


def basket_members(seed: int, universe: Universe, inst: Instrument,
                   on: date) -> list[Instrument]:
    """The stocks an ETF's PDF holds on ``on`` (rules in the module docstring)."""
    members = constituents.of(universe)
    if SAMSUNG_GROUP in inst.name:
        return [m for m in members.members("K1", on) if m.name.startswith("삼성")]
    for fragment, index, sectors, limit in BASKETS:
        if fragment in inst.name:
            chosen = [m for m in members.members(index, on)
                      if sectors is None or m.sector in sectors]
            return chosen[:limit] if limit else chosen
    return _seeded(seed, universe, inst, on)


def _reference_price(market: Market, inst: Instrument, day: date) -> float:
    bar = market.closing_bar(inst, day)
    if bar is not None:
        return float(bar.close)
    q = market.quote(inst, datetime.combine(day, time(23, 59), cal.KST))
    return float(q.close if q.close is not None else q.price)


def pdf(market: Market, universe: Universe, inst: Instrument, inquiry: date) -> Pdf:
    """The PDF of the batch of ``inquiry`` (a trading day), valued at the previous close."""
    reference = cal.previous_trading_day(inquiry)
    unit = creation_unit(inst)
    value = _nav_of(market, inst, reference, _reference_price(market, inst, reference))
    target = unit * value
    priced: list[tuple[Instrument, int]] = []
    for member in basket_members(market.seed, universe, inst, reference):
        bar = market.closing_bar(member, reference)
        if bar is not None and member.isin:
            priced.append((member, int(bar.close)))
    cap = sum(m.shares * price for m, price in priced)
    cash_share = 0.002 + 0.008 * uniform(market.seed, "pdfcash", inst.code, reference)
    k = target * (1 - cash_share) / cap if cap else 0.0
    rows = []
    for member, price in sorted(priced, key=lambda p: p[0].code):
        shares = max(1, round(member.shares * k))
        assert member.isin is not None
        rows.append(Holding(member.isin, member.name, shares, shares * price))
    cash = max(0, round(target) - sum(r.amount for r in rows))
    rows.append(Holding(CASH_ISIN, CASH_NAME, cash, cash))
    return Pdf(reference, unit, value, tuple(rows))


@lru_cache(maxsize=256)
def _cached_pdf(market: Market, universe: Universe, code: str, inquiry: date) -> Pdf:
    inst = universe.get(code)
    assert inst is not None
    return pdf(market, universe, inst, inquiry)


def pdf_of(market: Market, universe: Universe, inst: Instrument, inquiry: date) -> Pdf:
    """:func:`pdf`, memoised per (market, universe, ETF, inquiry day): a pure function."""
    return _cached_pdf(market, universe, inst.code, inquiry)
