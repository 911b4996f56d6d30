"""Index membership: which stocks make up each index, and the flags the stock master derives.

Rules (own modelling, KRX-like):

* ranks are by market capitalisation at the anchor price (``anchor_price × shares``), one
  ranking per market, stocks only (ETFs/ETNs belong to no index);
* KOSPI: K1 every KOSPI stock; K2 large (ranks 1-100), K3 mid (101-300), K4 small (the rest);
  K51 KOSPI200, K61 KOSPI100, K62 KOSPI50 (top 200/100/50; K401-K403 their equal-weight twins);
  industry indices (K5 ... K26) the stocks whose ``sector`` is the code; K27 (manufacturing)
  the industries K5-K15;
* KOSDAQ: Q1 every KOSDAQ stock; Q2 KOSDAQ100 (1-100), Q3 mid 300 (101-400), Q4 small (rest);
  Q203/Q204 KOSDAQ150 (top 150); Q industry codes by ``sector``;
* KRX (sector group): S50 KRX100 (top 100 of KOSPI + KOSDAQ), S300 KRX300 (top 300), S301
  KRX Mid 200 (101-300);
* every other index (themes, strategy, vendor indices): a fixed pseudo-random selection from
  its parent pool (KOSPI200 for K150-K194, KOSDAQ150 for Q211-Q321, KRX300 for the rest), of
  a size between 20 and 100 derived from the code.

Membership is static (listing dates aside): the same for every seed and every day.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from sandbox.world.market.instruments import INDEX, STOCK, Instrument
from sandbox.world.market.universe import Universe

# mktcapScaleCd, v3.12 numbering (ERRATA 27): 0 not classified, 2 large, 3 mid, 4 small
SIZE_NONE, SIZE_LARGE, SIZE_MID, SIZE_SMALL = 0, 2, 3, 4

_MANUFACTURING = {f"K{n}" for n in range(5, 16)}
_TOP = {"K51": 200, "K401": 200, "K61": 100, "K402": 100, "K62": 50, "K403": 50,
        "Q203": 150, "Q204": 150}
_BANDS = {"K2": ("kospi", 0, 100), "K3": ("kospi", 100, 300), "K4": ("kospi", 300, None),
          "Q2": ("kosdaq", 0, 100), "Q3": ("kosdaq", 100, 400), "Q4": ("kosdaq", 400, None)}
_KRX = {"S50": (0, 100), "S300": (0, 300), "S301": (100, 300)}


@dataclass(frozen=True)
class Membership:
    """The master's index flags of one stock."""

    kospi200: bool = False  # kospiYn (own reading, stocks.md Q4)
    kospi100: bool = False
    kospi50: bool = False
    krx100: bool = False
    kosdaq150: bool = False
    size_class: int = SIZE_NONE  # mktcapScaleCd


def _capitalisation(inst: Instrument) -> float:
    return inst.anchor_price * inst.shares


def _pick(code: str, pool: list[Instrument]) -> list[Instrument]:
    """A stable selection of 20-100 members of ``pool`` for an index without a rule."""
    def key(inst: Instrument) -> bytes:
        return hashlib.blake2b(f"{code}:{inst.code}".encode(), digest_size=8).digest()

    size = 20 + int.from_bytes(hashlib.blake2b(code.encode(), digest_size=2).digest(), "big") % 81
    chosen = sorted(pool, key=key)[:min(size, len(pool))]
    return sorted(chosen, key=lambda i: i.code)


class Constituents:
    """Membership tables of one universe (built once; see :func:`of`)."""

    def __init__(self, universe: Universe) -> None:
        self.universe = universe

    @cached_property
    def _ranked(self) -> dict[str, list[Instrument]]:
        ranked = {}
        for market in ("kospi", "kosdaq"):
            stocks = self.universe.select(STOCK, market)
            ranked[market] = sorted(stocks, key=lambda i: (-_capitalisation(i), i.code))
        ranked["krx"] = sorted(ranked["kospi"] + ranked["kosdaq"],
                               key=lambda i: (-_capitalisation(i), i.code))
        return ranked

    @cached_property
    def _ranks(self) -> dict[str, int]:
        return {inst.code: rank for market in ("kospi", "kosdaq")
                for rank, inst in enumerate(self._ranked[market])}

    @cached_property
    def _krx_ranks(self) -> dict[str, int]:
        return {inst.code: rank for rank, inst in enumerate(self._ranked["krx"])}

    def _members(self, code: str) -> list[Instrument]:
        ranked = self._ranked
        if code == "K1":
            return ranked["kospi"]
        if code == "Q1":
            return ranked["kosdaq"]
        if code in _TOP:
            return ranked["kospi" if code.startswith("K") else "kosdaq"][:_TOP[code]]
        if code in _BANDS:
            market, lo, hi = _BANDS[code]
            return ranked[market][lo:hi]
        if code in _KRX:
            lo, hi = _KRX[code]
            return ranked["krx"][lo:hi]
        if code == "K27":
            return [i for i in ranked["kospi"] if i.sector in _MANUFACTURING]
        by_sector = [i for market in ("kospi", "kosdaq") for i in ranked[market]
                     if i.sector == code]
        if by_sector:
            return by_sector
        if code.startswith("K"):
            pool = ranked["kospi"][:200]
        elif code.startswith("Q"):
            pool = ranked["kosdaq"][:150]
        else:
            pool = ranked["krx"][:300]
        return _pick(code, pool)

    def members(self, index_code: str, on: date | None = None) -> list[Instrument]:
        """The constituents of an index (listed on ``on`` when given), by descending size."""
        inst = self.universe.get(index_code)
        if inst is None or inst.kind != INDEX:
            raise KeyError(index_code)
        members = self._members(inst.code)
        return [i for i in members if on is None or i.is_listed(on)]

    def membership(self, inst: Instrument) -> Membership:
        """The master flags of a stock (all False / 0 for other instruments)."""
        rank = self._ranks.get(inst.code)
        if rank is None or inst.kind != STOCK:
            return Membership()
        if inst.market == "kospi":
            size = SIZE_LARGE if rank < 100 else SIZE_MID if rank < 300 else SIZE_SMALL
        else:
            size = SIZE_LARGE if rank < 100 else SIZE_MID if rank < 400 else SIZE_SMALL
        kospi = inst.market == "kospi"
        return Membership(
            kospi200=kospi and rank < 200, kospi100=kospi and rank < 100,
            kospi50=kospi and rank < 50, krx100=self._krx_ranks.get(inst.code, 10**6) < 100,
            kosdaq150=not kospi and rank < 150, size_class=size,
        )


@lru_cache(maxsize=4)  # a Universe hashes by identity
def of(universe: Universe) -> Constituents:
    """The membership tables of ``universe`` (one instance per universe object)."""
    return Constituents(universe)
