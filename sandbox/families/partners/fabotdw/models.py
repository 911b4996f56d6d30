"""Fabotdw (BSMIT / FABOT, partners.md H1): sectors, debt ratios and operating margins.

The data are the world's (:mod:`sandbox.world.partners.fabot_sectors` for the sector table and
its members, :mod:`sandbox.world.partners.fabot_ratios` for the ratios); this module checks the
path parameters and shapes the documented answers:

* ``{"result": {...}}`` everywhere; the quarterly series (``data_length``, ``data[]`` newest
  quarter first, ``quarter`` ``YYYYMM``, the value with 2 decimals, ``desc`` in the documented
  wording with ``{q}`` = ``YYYY/MM``; market-level margins write 이익율, sector-level 이익률);
* a sector with no members (a derivative index, or no stock of the asked market) answers an
  empty series (``data_length`` 0);
* bad path parameters → the partner error ``400 Invalid parameters`` naming ``stockcode``
  (not 6 digits, not a KOSPI/KOSDAQ stock listed on the world date) or ``upcode`` (not a
  code of the sector table).

Switches: ``bug_compatible`` reproduces the documented quirks of the 2020 sandbox (every
value ``null``, ``dept/kosdaq`` and ``dept/kosdaq/fics/{upcode}`` wrapped twice, the stock
debt route's ``data_lnegth``, ``undefined(undefined)`` in the desc of ``sales/fics``); the
injected fault ``null-ratios`` only nulls the values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from sandbox.errors import PartnerError
from sandbox.world import partners
from sandbox.world.partners import fabot_ratios as ratios
from sandbox.world.partners import fabot_sectors as sectors
from sandbox.world.partners.fabot_ratios import Sums, quarter_key

if TYPE_CHECKING:
    from sandbox.world.market.instruments import Instrument
    from sandbox.world.world import World

FAMILY = "fabotdw"
DEBT, SALES = "debt", "sales"
MARKET_LABELS = {"kospi": "KOSPI", "kosdaq": "KOSDAQ"}
_STOCKCODE = re.compile(r"[0-9]{6}")
_UPCODE = re.compile(r"[0-9]{3}")


# ------------------------------------------------------------------------------ helpers
def today(world: World) -> date:
    return world.now().date()


def nulled(world: World) -> bool:
    """Whether every ratio is ``null`` (bug-compatible mode or the ``null-ratios`` fault)."""
    return world.settings.bug_compatible or partners.has_fault(world, FAMILY, "null-ratios")


def value(world: World, number: float | None) -> float | None:
    """A ratio as answered: 2 decimals, ``null`` when unknown or nulled."""
    return None if number is None or nulled(world) else round(number, 2)


def stock_of(world: World, stockcode: str) -> Instrument:
    """The stock of a ``{stockcode}`` path segment (400 ``stockcode`` otherwise)."""
    if not _STOCKCODE.fullmatch(stockcode):
        raise PartnerError(FAMILY, "stockcode", "a stock code is 6 digits")
    inst = world.universe.get(stockcode)
    if inst is None or not sectors.covered(inst, today(world)):
        raise PartnerError(FAMILY, "stockcode", "not a KOSPI or KOSDAQ stock listed today")
    return inst


def sector_of(upcode: str) -> sectors.Sector:
    """The sector of an ``{upcode}`` path segment (400 ``upcode`` otherwise)."""
    found = sectors.sector(upcode) if _UPCODE.fullmatch(upcode) else None
    if found is None:
        raise PartnerError(FAMILY, "upcode", "not a code of the sector list (/v1/fabotdw/sector)")
    return found


def _wrap(payload: dict[str, Any], twice: bool = False) -> dict[str, Any]:
    return {"result": {"result": payload} if twice else payload}


# ------------------------------------------------------------------------------ sectors
def sector_list(keys: tuple[str, str] = ("code", "name")) -> dict[str, Any]:
    """Every sector code (24 ``sector``; 27/35 ``debt/list``/``sales/list`` with
    ``sector_code``/``sector_name``)."""
    code_key, name_key = keys
    data = [{code_key: s.code, name_key: s.name} for s in sectors.table()]
    return _wrap({"data_length": len(data), "data": data})


def sector_stocks(world: World, upcode: str) -> dict[str, Any]:
    """The stocks of a sector listed today, by stock code (25)."""
    entry = sector_of(upcode)
    members = sectors.members(world.universe, entry, today(world))
    data = [{"stockcode": i.code, "stockname": i.name} for i in members]
    return _wrap({"sector_code": entry.code, "sector_name": entry.name,
                  "data_length": len(data), "data": data})


# ------------------------------------------------------------------------------ series
def _desc(kind: str, end: date, market: str | None, entry: sectors.Sector | None,
          undefined: bool = False) -> str:
    q = f"{end.year:04d}/{end.month:02d}"
    if entry is None:
        where = MARKET_LABELS[market] if market else "전업종"
        return f"{q} {where} {'부채율' if kind == DEBT else '영업이익율'}(%)"
    scope = f"{MARKET_LABELS[market]} 시장에" if market else "시장 전체에"
    label = "undefined(undefined)" if undefined else f"{entry.code}({entry.name})"
    return f"{q} {scope} {label} 업종의 {'부채율' if kind == DEBT else '영업이익률'}(%)"


def _measure(kind: str) -> Callable[[Sums], float | None]:
    if kind == DEBT:
        return lambda s: s.debt_ratio
    return lambda s: s.operating_margin


def market_series(world: World, kind: str, market: str | None) -> dict[str, Any]:
    """Whole market (``market`` None), KOSPI or KOSDAQ: 26, 29, 31, 34, 37, 39."""
    day = today(world)
    members = sectors.market_stocks(world.universe, day, market)
    sums = ratios.cached_sums(world.base_market, ("market", market), members, day)
    measure = _measure(kind)
    data = [{"quarter": quarter_key(s.end), kind: value(world, measure(s)),
             "desc": _desc(kind, s.end, market, None)} for s in sums]
    twice = world.settings.bug_compatible and kind == DEBT and market == "kosdaq"
    return _wrap({"data_length": len(data), "data": data}, twice)


def sector_series(world: World, kind: str, upcode: str, market: str | None) -> dict[str, Any]:
    """One sector over the whole market or within KOSPI/KOSDAQ: 28, 30, 32, 36, 38, 40."""
    entry = sector_of(upcode)
    day = today(world)
    members = sectors.members(world.universe, entry, day, market)
    bug = world.settings.bug_compatible
    data: list[dict[str, Any]] = []
    if members:
        sums = ratios.cached_sums(world.base_market, ("sector", entry.code, market), members, day)
        measure = _measure(kind)
        undefined = bug and kind == SALES and market is None
        data = [{"quarter": quarter_key(s.end), kind: value(world, measure(s)),
                 "sector_code": entry.code, "sector_name": entry.name,
                 "desc": _desc(kind, s.end, market, entry, undefined)} for s in sums]
    twice = bug and kind == DEBT and market == "kosdaq"
    return _wrap({"data_length": len(data), "data": data}, twice)


def stock_debt(world: World, stockcode: str) -> dict[str, Any]:
    """The stock's own debt ratio over its last four published quarters (33)."""
    inst = stock_of(world, stockcode)
    quarters = ratios.stock_quarters(world.base_market, inst, today(world))
    data = [{"quarter": quarter_key(p.end), "stockcode": inst.code,
             "debt": value(world, ratios.debt_ratio(p)), "stockname": inst.name,
             "desc": f"{p.end.year:04d}/{p.end.month:02d} 종목부채율(%)"} for p in quarters]
    length_key = "data_lnegth" if world.settings.bug_compatible else "data_length"
    return _wrap({length_key: len(data), "data": data})


def stock_sales(world: World, stockcode: str) -> dict[str, Any]:
    """The stock's operating profit (억원) and margin over its last four quarters (41)."""
    inst = stock_of(world, stockcode)
    quarters = ratios.stock_quarters(world.base_market, inst, today(world))
    null = nulled(world)
    data = [{"year": f"{p.end.year:04d}", "quarter": f"{p.end.month:02d}",
             "sales": None if null else round(p.operating_profit / 100_000_000),
             "sales_ratio": value(world, ratios.operating_margin(p))} for p in quarters]
    return _wrap({"code": inst.code, "name": inst.name, "data_length": len(data),
                  "data": data})
