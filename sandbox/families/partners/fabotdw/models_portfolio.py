"""Portfolio for an investable amount (금액별 포트폴리오, partners.md H1 endpoint 42).

``/v1/fabotdw/portfolio/{amount}``: ``amount`` in 만원 (PROPOSED unit, Open question 8:
``1000`` = 10,000,000 KRW), a whole number 1-100,000,000 (400 ``amount`` otherwise).

The rule (PROPOSED; the provider's is unknown):

* candidates: the KOSPI200 and KOSDAQ150 constituents listed today with four published
  quarters that are all profitable (positive operating margin), whose operating profit rose
  (newest quarter above the oldest of the four) and whose newest debt ratio is below 200 %
  (financial companies, whose balance sheets are mostly liabilities, are exempt);
* ranked by the four quarters' operating margin (Σ operating profit / Σ revenue) plus a fifth
  of the operating-profit growth (capped at 50 %), ties by stock code; at most one stock per
  industry (sector-diversified);
* ``n`` = amount / 500만원, between 4 and 10 stocks; each gets an equal share of the amount
  and buys whole shares at the market simulator's current price (``quote`` at the world
  clock); a stock whose price exceeds its share is skipped for the next candidate;
  leftover cash is not invested.

Answer: ``result.amount`` (the path value), ``result.invest_amount`` (the amount in KRW),
``result.remain_amount`` (the cash left over, ours), ``data_length`` and ``data[]`` of
``{stockcode, stockname, price, quantity, invest_amount, weight}`` (weight = invested / amount
× 100, 2 decimals). An amount too small to buy four different stocks answers the documented
empty list (``data_length`` 0).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sandbox.errors import PartnerError
from sandbox.world.market.reference import FINANCIAL
from sandbox.world.partners import fabot_sectors as sectors
from sandbox.world.partners.fabot_ratios import debt_ratio, stock_quarters

if TYPE_CHECKING:
    from datetime import date

    from sandbox.world.market.instruments import Instrument
    from sandbox.world.market.prices import Market
    from sandbox.world.market.universe import Universe
    from sandbox.world.world import World

FAMILY = "fabotdw"
UNIT = 10_000  # KRW per 만원
MAX_AMOUNT = 100_000_000  # 1조원
MIN_STOCKS, MAX_STOCKS = 4, 10
AMOUNT_PER_STOCK = 500  # 만원: one more stock per 500만원
MAX_DEBT_RATIO = 200.0
POOLS = ("101", "405")  # KOSPI200, KOSDAQ150
_AMOUNT = re.compile(r"[0-9]{1,9}")


def amount_of(text: str) -> int:
    number = int(text) if _AMOUNT.fullmatch(text) else 0
    if not 1 <= number <= MAX_AMOUNT:
        raise PartnerError(FAMILY, "amount", f"a whole number of 만원, 1-{MAX_AMOUNT}")
    return number


def candidates(market: Market, universe: Universe, day: date) -> list[Instrument]:
    """The eligible stocks, best first (module docstring)."""
    pool: dict[str, Instrument] = {}
    for code in POOLS:
        entry = sectors.sector(code)
        if entry is not None:
            pool.update((i.code, i) for i in sectors.members(universe, entry, day))
    scored: list[tuple[float, str, Instrument]] = []
    for inst in pool.values():
        quarters = stock_quarters(market, inst, day)
        if len(quarters) < 4 or any(q.revenue <= 0 or q.operating_profit <= 0
                                    for q in quarters):
            continue
        newest, oldest = quarters[0].operating_profit, quarters[-1].operating_profit
        ratio = debt_ratio(quarters[0])
        if newest <= oldest or ratio is None or (
                ratio >= MAX_DEBT_RATIO and inst.sector not in FINANCIAL):
            continue
        margin = sum(q.operating_profit for q in quarters) / sum(q.revenue for q in quarters)
        growth = min(0.5, newest / oldest - 1.0)
        scored.append((margin * 100 + growth * 20, inst.code, inst))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [inst for _, _, inst in scored]


def portfolio(world: World, amount: str) -> dict[str, Any]:
    units = amount_of(amount)
    krw = units * UNIT
    wanted = min(MAX_STOCKS, max(MIN_STOCKS, units // AMOUNT_PER_STOCK))
    share = krw // wanted
    now = world.now()
    picked: list[dict[str, Any]] = []
    industries: set[str | None] = set()
    for inst in candidates(world.base_market, world.universe, now.date()):
        if len(picked) == wanted:
            break
        if inst.sector in industries:
            continue
        price = int(world.base_market.quote(inst, now).price)
        quantity = share // price if price > 0 else 0
        if quantity < 1:
            continue
        industries.add(inst.sector)
        picked.append({"stockcode": inst.code, "stockname": inst.name, "price": price,
                       "quantity": quantity, "invest_amount": price * quantity,
                       "weight": round(price * quantity / krw * 100, 2)})
    if len(picked) < MIN_STOCKS:
        picked = []
    invested = sum(row["invest_amount"] for row in picked)
    return {"result": {"amount": amount, "invest_amount": krw, "remain_amount": krw - invested,
                       "data_length": len(picked), "data": picked}}
