"""Fabotdw's (BSMIT / FABOT) sector table and the stock membership of each sector
(partners.md H1, endpoints 24-25, 27-28, 30, 32, 35-36, 38, 40).

FABOT's "sectors" are the 3-digit KRX index codes (``001`` 종합, ``022`` 은행, ``101``
KOSPI200, ``301`` 코스닥 종합 ...). The table is the fixture
``fixtures/partners/fabot_sectors.yaml``; each entry carries the rule that makes its members
out of the world's universe, so that Fabot agrees with the market APIs:

* ``index``: the constituents of a universe index (:mod:`sandbox.world.market.constituents`):
  ``001`` = KOSPI (every KOSPI stock), ``002``-``004`` = the size classes by market
  capitalisation (ranks 1-100, 101-300, the rest), ``101`` = KOSPI200, ``301`` = KOSDAQ ...;
* ``sectors``: the listed stocks whose industry (``Instrument.sector``) is one of the codes:
  ``0nn`` ↔ ``Knn``, ``021`` 금융업 = K21/K22/K24/K25, ``027`` 제조업 = K5-K15, the KOSDAQ
  industries ↔ the universe's ``Q`` codes (composites such as ``304`` IT 종합 = Q151-Q160);
* ``per_market``: composite and size-class codes (``001``-``004``, ``301``, ``339``-``341``)
  read in the market a market-scoped route asks for (``kosdaq/fics/001`` = every KOSDAQ stock);
* no rule: indices without stock membership (futures, FX, bond and strategy indices) have no
  members.

Members are KOSPI and KOSDAQ stocks listed on the day (KONEX is not covered by FABOT), sorted
by stock code. Membership is static apart from listing dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.market import constituents
from sandbox.world.market.instruments import STOCK, Instrument
from sandbox.world.market.noise import BoundedCache

if TYPE_CHECKING:
    from sandbox.world.market.universe import Universe

FIXTURE = FIXTURES / "partners" / "fabot_sectors.yaml"
MARKETS = ("kospi", "kosdaq")  # the markets FABOT covers


@dataclass(frozen=True)
class Sector:
    """One entry of the sector table and its membership rule (module docstring)."""

    code: str
    name: str
    index: str | None = None
    sectors: tuple[str, ...] = ()
    per_market: tuple[tuple[str, str], ...] = ()  # (market, universe index) pairs

    @property
    def has_members(self) -> bool:
        """Whether the code has a stock membership at all (derivative indices have none)."""
        return bool(self.index or self.sectors)

    def index_in(self, market: str | None) -> str | None:
        """The universe index the code reads as in ``market`` (None: the whole table)."""
        if market is not None:
            for name, index in self.per_market:
                if name == market:
                    return index
        return self.index


def _sector(row: dict[str, Any]) -> Sector:
    per_market = row.get("per_market") or {}
    return Sector(code=str(row["code"]), name=str(row["name"]),
                  index=str(row["index"]) if row.get("index") else None,
                  sectors=tuple(str(s) for s in row.get("sectors") or ()),
                  per_market=tuple((str(k), str(v)) for k, v in per_market.items()))


@lru_cache(maxsize=1)
def table() -> tuple[Sector, ...]:
    """Every sector of the fixture, in its order (ascending code)."""
    data: dict[str, Any] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return tuple(_sector(row) for row in data["sectors"])


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Sector]:
    return {s.code: s for s in table()}


def sector(code: str) -> Sector | None:
    """The sector of an ``upcode`` (None when the table has no such code)."""
    return _by_code().get(code)


@lru_cache(maxsize=1)
def _industry_map() -> dict[str, Sector]:
    """Universe industry code → the narrowest Fabot sector made of it (``K13`` → ``013``)."""
    found: dict[str, Sector] = {}
    for entry in sorted(table(), key=lambda s: (len(s.sectors), s.code)):
        for code in entry.sectors:
            found.setdefault(code, entry)
    return found


def industry_of(inst: Instrument) -> Sector | None:
    """The Fabot industry sector of a stock (its ``Instrument.sector``), if any."""
    return _industry_map().get(inst.sector or "")


def covered(inst: Instrument, day: date) -> bool:
    """Whether FABOT covers the instrument on ``day``: a KOSPI/KOSDAQ stock listed that day."""
    return inst.kind == STOCK and inst.market in MARKETS and inst.is_listed(day)


_MEMBERS: BoundedCache[tuple[Universe, str, str | None, date], tuple[Instrument, ...]] = \
    BoundedCache(2048)  # a Universe hashes by identity


def members(universe: Universe, entry: Sector, day: date,
            market: str | None = None) -> tuple[Instrument, ...]:
    """The stocks of a sector listed on ``day``, sorted by code; with ``market`` only those of
    that market, a ``per_market`` code reading as the market's own index."""
    key = (universe, entry.code, market, day)
    found = _MEMBERS.get(key)
    if found is None:
        found = _MEMBERS.put(key, _members(universe, entry, day, market))
    return found


def _members(universe: Universe, entry: Sector, day: date,
             market: str | None) -> tuple[Instrument, ...]:
    index = entry.index_in(market)
    pool: list[Instrument]
    if index is not None:
        pool = constituents.of(universe).members(index, on=day)
    elif entry.sectors:
        wanted = set(entry.sectors)
        pool = [i for m in MARKETS for i in universe.select(STOCK, m, on=day)
                if i.sector in wanted]
    else:
        pool = []
    chosen = [i for i in pool if covered(i, day) and (market is None or i.market == market)]
    return tuple(sorted(chosen, key=lambda i: i.code))


def market_stocks(universe: Universe, day: date,
                  market: str | None = None) -> tuple[Instrument, ...]:
    """Every covered stock listed on ``day`` (of one market, or KOSPI and KOSDAQ)."""
    key = (universe, "*", market, day)
    found = _MEMBERS.get(key)
    if found is None:
        markets = MARKETS if market is None else (market,)
        found = _MEMBERS.put(key, tuple(sorted(
            (i for m in markets for i in universe.select(STOCK, m, on=day)),
            key=lambda i: i.code)))
    return found
