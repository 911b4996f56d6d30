"""BIGBOT asset allocation (partners.md F4 18, 자산배분).

* ``invest_amount = floor(total_asset × stock_position)`` (KRW; the position is read as the
  decimal it is written as, so 0.7 × 30 000 000 is exactly 21 000 000). ``stock_postion``, the
  catalogue schema's spelling, is accepted when ``stock_position`` is absent.
* ``distribute_type`` ``"1"`` equal-weighted: each stock gets ``floor(invest_amount / N)``;
  ``"0"`` value-weighted: ``floor(invest_amount × cap_i / Σ cap)`` with the market
  capitalisation at the current price (listed shares × price).
* Prices: the market simulator's last price at the call instant (before the first trade of
  the day, the base price).
* Per stock: ``holding_valuation = holding_amount × price``, ``holding_ratio`` = that over
  ``total_asset`` (4 decimals), ``new_amount = floor(distributed_cash / price)``,
  ``new_valuation = new_amount × price`` and ``new_ratio`` over ``total_asset`` (4 decimals).
  Hence Σ distributed_cash ≤ invest_amount and new_valuation ≤ distributed_cash.
* Unknown, duplicated or not-yet-listed stocks, a position outside 0-1 and negative amounts
  answer the partner error naming the parameter.

Quirk kept out: the documented sample allots 5 000 000 to each of two stocks out of
30 000 000 with type ``"0"`` (partners.md Q5); the emulator allots the whole amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.errors import PartnerError
from sandbox.families.partners.bigbot.models import FAMILY, stock

if TYPE_CHECKING:
    from sandbox.world.market.instruments import Instrument
    from sandbox.world.world import World

EQUAL, VALUE = "1", "0"


def _position(body: dict[str, Any]) -> int | float:
    for name in ("stock_position", "stock_postion"):
        if name in body:
            value = body[name]
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not 0 <= value <= 1:
                raise PartnerError(FAMILY, name, "a number between 0 and 1 is required")
            return value
    raise PartnerError(FAMILY, "stock_position", "is required")


def _amount(value: Any, parameter: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) \
            or value < minimum:
        raise PartnerError(FAMILY, parameter, f"an integer >= {minimum} is required")
    return int(value)


def invest_amount(total_asset: int, position: int | float) -> int:
    """``floor(total_asset × position)`` with the position taken as written (decimal)."""
    return int(Decimal(total_asset) * Decimal(repr(position)) // 1)


def split_cash(invest: int, weights: list[int]) -> list[int]:
    """``floor(invest × w / Σw)`` per weight (equal split when all weights are 0)."""
    total = sum(weights)
    if total <= 0:
        return [invest // len(weights) for _ in weights]
    return [invest * w // total for w in weights]


def _instruments(world: World, stocks: list[Any]) -> list[Instrument]:
    today = world.now().date()
    seen: set[str] = set()
    out = []
    for i, item in enumerate(stocks):
        parameter = f"stocks[{i}].stock_code"
        code = item.get("stock_code") if isinstance(item, dict) else None
        inst = stock(world, code, parameter)
        if inst.code in seen:
            raise PartnerError(FAMILY, parameter, f"{inst.code} is listed twice")
        if not inst.is_listed(today):
            raise PartnerError(FAMILY, parameter, f"{inst.code} is not listed yet")
        seen.add(inst.code)
        out.append(inst)
    return out


def distribution_property(world: World, body: dict[str, Any]) -> dict[str, Any]:
    total_asset = _amount(body.get("total_asset"), "total_asset", 1)
    position = _position(body)
    kind = body.get("distribute_type")
    if kind not in (EQUAL, VALUE):
        raise PartnerError(FAMILY, "distribute_type", "\"0\" or \"1\" is required")
    stocks = body.get("stocks")
    if not isinstance(stocks, list) or not stocks:
        raise PartnerError(FAMILY, "stocks", "a non-empty array is required")
    instruments = _instruments(world, stocks)
    holdings = [_amount(item.get("holding_amount"), f"stocks[{i}].holding_amount", 0)
                for i, item in enumerate(stocks)]
    now = world.now()
    prices = [max(1, int(world.base_market.quote(inst, now).price)) for inst in instruments]
    invest = invest_amount(total_asset, position)
    if kind == EQUAL:
        cash = [invest // len(instruments) for _ in instruments]
    else:
        cash = split_cash(invest, [inst.shares * p for inst, p in
                                   zip(instruments, prices, strict=True)])
    rows = []
    for item, inst, held, price, dc in zip(stocks, instruments, holdings, prices, cash,
                                           strict=True):
        valuation = held * price
        new_amount = dc // price
        new_valuation = new_amount * price
        rows.append({
            "stock_name": item.get("stock_name", inst.name), "stock_code": inst.code,
            "holding_amount": held, "holding_ratio": round(valuation / total_asset, 4),
            "holding_valuation": valuation, "new_amount": new_amount,
            "new_ratio": round(new_valuation / total_asset, 4), "new_valuation": new_valuation,
            "distributed_cash": dc, "stock_price": price,
        })
    return {"stocks": rows, "invest_amount": invest, "stock_position": position}
