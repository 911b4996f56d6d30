"""BIGBOT's (Bigtree) stock scores: financial efficiency and price merit of every listed stock,
normalised within its WICS industry, and market-wide A-E grades (partners.md F4, 12-13, 17).

The real provider's model is unknown; the emulator's (PROPOSED in the spec) is:

* **Reference date** = the last trading day before the world clock's date; **reference
  quarter** = each company's last quarter published on that day (:mod:`.financials`),
  written ``YYYY-nQ`` after the calendar quarter of its end (``2026-3Q``).
* **Financial efficiency** (재무효율성) of a quarter: ``0.4·clip(ROE/30 %) + 0.3·clip(operating
  margin/30 %) + 0.3·equity/assets`` (the inverse debt ratio ``100/(100+debt ratio)``; a
  company with no positive equity scores −1 on ROE and 0 on the equity share).
* **Price merit** (가격메리트) at the reference close: ``0.5·clip(11·eps/close, −2, 3) +
  0.5·clip(1.1·bps/close, 0, 3)``, i.e. inverse PER and PBR scaled to 1 at the market's median
  multiples (11 and 1.1), with the master's per-share figures of the settlement published on
  the reference date (:func:`~sandbox.world.market.reference.fundamentals`, the same figures
  the statements are built on).
* Each raw score is rescaled to −1…1 by min-max within the WICS industry (4 decimals): the
  best stock of an industry of two or more stocks scores exactly 1, the worst −1; a stock
  alone in its industry scores 0.
* Grades A-E: quintiles of the normalised scores across the whole scored market (A = the best
  fifth; ties broken by stock code). The finance grade is also worked out one quarter back
  (each company's previous quarter, normalised and graded the same way) so that a fall of
  financial efficiency can be detected (endpoint 17).

Scored stocks: every stock listed on the reference date that traded that day and has
published statements. The whole board is computed once per ``(seed, reference date)`` and
cached (a few seconds cold for the default universe, a dictionary lookup warm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import STOCK, Instrument
from sandbox.world.market.noise import BoundedCache
from sandbox.world.market.reference import fundamentals
from sandbox.world.partners.financials import Period, latest_quarters

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sandbox.world.market.prices import Market
    from sandbox.world.market.universe import Universe

GRADES = "ABCDE"
STOCK_MARKETS = ("kospi", "kosdaq", "konex")
MOMENTUM_DAYS = 60  # trading days of the price momentum (types 4-5 of endpoint 13)
WICS_FIXTURE = FIXTURES / "partners" / "bigbot_wics.yaml"


# ------------------------------------------------------------------------------ industries
@dataclass(frozen=True)
class Wics:
    """KRX industry index → WICS industry group, with per-stock overrides (the fixture)."""

    default: str
    sectors: dict[str, str]
    overrides: dict[str, str]

    def of(self, inst: Instrument) -> str:
        found = self.overrides.get(inst.code)
        if found is None:
            found = self.sectors.get(inst.sector or "", self.default)
        return found


@lru_cache(maxsize=1)
def wics() -> Wics:
    data: dict[str, Any] = yaml.safe_load(WICS_FIXTURE.read_text(encoding="utf-8"))
    return Wics(str(data["default"]),
                {str(k): str(v) for k, v in data["sectors"].items()},
                {str(k): str(v) for k, v in (data.get("overrides") or {}).items()})


# ------------------------------------------------------------------------------ dates
def reference_date(now: datetime) -> date:
    """The last trading day strictly before the date of ``now`` (KST)."""
    return cal.previous_trading_day(now.date())


def quarter_label(period: Period) -> str:
    """``YYYY-nQ`` of the calendar quarter in which ``period`` ends (``2019-4Q``)."""
    return f"{period.end.year}-{(period.end.month - 1) // 3 + 1}Q"


# ------------------------------------------------------------------------------ raw scores
def _clip(value: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, value))


def finance_raw(period: Period) -> float:
    """Financial efficiency of one quarter (module docstring); higher is better."""
    equity, assets = period.total_equity, period.total_assets
    if equity <= 0:
        roe_part, equity_share = -1.0, 0.0
    else:
        roe_part = _clip(period.roe / 30.0, -1.0, 1.0)
        equity_share = _clip(equity / assets, 0.0, 1.0) if assets > 0 else 0.0
    margin_part = _clip(period.operating_margin / 30.0, -1.0, 1.0)
    return 0.4 * roe_part + 0.3 * margin_part + 0.3 * equity_share


def price_raw(eps: int, bps: int, close: int) -> float:
    """Price merit at ``close`` (inverse PER and PBR, module docstring); higher is cheaper."""
    if close <= 0:
        return 0.0
    return 0.5 * _clip(11.0 * eps / close, -2.0, 3.0) + 0.5 * _clip(1.1 * bps / close, 0.0, 3.0)


def rescale(values: Sequence[float]) -> list[float]:
    """Min-max rescaling to −1…1, 4 decimals; all 0.0 when the values do not spread."""
    if not values:
        return []
    lo, hi = min(values), max(values)
    if hi - lo <= 1e-12:
        return [0.0 for _ in values]
    return [round(-1.0 + 2.0 * (v - lo) / (hi - lo), 4) + 0.0 for v in values]


def quintile_grades(scores: dict[str, float]) -> dict[str, str]:
    """Grade A-E of each code by quintile of its score (A = best fifth; ties by code)."""
    ordered = sorted(scores, key=lambda code: (-scores[code], code))
    count = len(ordered)
    return {code: GRADES[min(4, rank * 5 // count)] for rank, code in enumerate(ordered)}


# ------------------------------------------------------------------------------ the board
@dataclass(frozen=True)
class Score:
    """BIGBOT's view of one stock at a reference date."""

    inst: Instrument
    wics: str
    reference_date: date
    quarter: str  # reference quarter, "2026-3Q"
    close: int  # reference-date close, KRW
    finance: float  # −1…1 within the industry
    price_merit: float  # −1…1 within the industry
    finance_grade: str
    price_grade: str
    previous_finance_grade: str | None  # one quarter back (None: no older statements)

    @property
    def code(self) -> str:
        return self.inst.code

    @property
    def name(self) -> str:
        return self.inst.name

    @property
    def combined(self) -> float:
        return self.finance + self.price_merit

    @property
    def market_cap(self) -> int:
        """Market capitalisation at the reference close, KRW."""
        return self.inst.shares * self.close


@dataclass(frozen=True)
class Board:
    """Every scored stock of one reference date."""

    day: date
    scores: dict[str, Score]
    industries: dict[str, tuple[str, ...]]  # WICS name → codes, sorted

    def peers(self, score: Score) -> list[Score]:
        return [self.scores[code] for code in self.industries[score.wics]]


@dataclass(frozen=True)
class _Raw:
    inst: Instrument
    wics: str
    close: int
    quarter: str
    finance: float
    previous: float | None
    price: float


def _raw(market: Market, inst: Instrument, day: date, table: Wics) -> _Raw | None:
    bar = market.closing_bar(inst, day)
    if bar is None or bar.close <= 0:
        return None
    quarters = latest_quarters(market, inst, day, 2)
    if not quarters:
        return None
    close = int(bar.close)
    per_share = fundamentals(market, inst, day)
    previous = finance_raw(quarters[1]) if len(quarters) > 1 else None
    return _Raw(inst, table.of(inst), close, quarter_label(quarters[0]),
                finance_raw(quarters[0]), previous, price_raw(per_share.eps, per_share.bps, close))


def _normalise(raws: Iterable[_Raw], value: str) -> dict[str, float]:
    """``value`` (an attribute of :class:`_Raw`) rescaled within each industry; stocks
    without the value are left out."""
    groups: dict[str, list[tuple[str, float]]] = {}
    for raw in raws:
        v = getattr(raw, value)
        if v is not None:
            groups.setdefault(raw.wics, []).append((raw.inst.code, float(v)))
    out: dict[str, float] = {}
    for members in groups.values():
        out.update(zip((c for c, _ in members), rescale([v for _, v in members]), strict=True))
    return out


def build_board(market: Market, stocks: Iterable[Instrument], day: date) -> Board:
    """Score ``stocks`` at reference date ``day`` (uncached; :func:`board` caches)."""
    table = wics()
    raws = [r for inst in stocks if inst.kind == STOCK
            and (r := _raw(market, inst, day, table)) is not None]
    finance = _normalise(raws, "finance")
    price = _normalise(raws, "price")
    previous = _normalise(raws, "previous")
    finance_grades, price_grades = quintile_grades(finance), quintile_grades(price)
    previous_grades = quintile_grades(previous) if previous else {}
    scores: dict[str, Score] = {}
    industries: dict[str, list[str]] = {}
    for raw in sorted(raws, key=lambda r: r.inst.code):
        code = raw.inst.code
        scores[code] = Score(raw.inst, raw.wics, day, raw.quarter, raw.close, finance[code],
                             price[code], finance_grades[code], price_grades[code],
                             previous_grades.get(code))
        industries.setdefault(raw.wics, []).append(code)
    return Board(day, scores, {k: tuple(v) for k, v in industries.items()})


_BOARDS: BoundedCache[tuple[int, date], Board] = BoundedCache(8)


def board(market: Market, universe: Universe, day: date) -> Board:
    """The scores of every stock listed on ``day`` (cached per ``(seed, day)``)."""
    key = (market.seed, day)
    found = _BOARDS.get(key)
    if found is None:
        stocks = [inst for m in STOCK_MARKETS for inst in universe.select(STOCK, m, on=day)]
        found = _BOARDS.put(key, build_board(market, stocks, day))
    return found


# ------------------------------------------------------------------------------ momentum
_MOMENTUM: BoundedCache[tuple[int, str, date], tuple[float | None]] = BoundedCache(8192)


def momentum(market: Market, inst: Instrument, day: date) -> float | None:
    """Price return over the :data:`MOMENTUM_DAYS` trading days up to ``day`` (None when the
    stock did not trade on both days)."""
    key = (market.seed, inst.code, day)
    found = _MOMENTUM.get(key)
    if found is None:
        value: float | None = None
        start_index = cal.index_on_or_before(day) - MOMENTUM_DAYS
        if start_index >= 0:
            start = market.closing_bar(inst, cal.day_at(start_index))
            end = market.closing_bar(inst, day)
            if start is not None and end is not None and start.close > 0:
                value = end.close / start.close - 1.0
        found = _MOMENTUM.put(key, (value,))
    return found[0]
