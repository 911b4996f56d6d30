"""BC Card's card-spending data (partners.md F1, F2): the business-type code table, the
monthly sector indices ``amtIdx``/``cntIdx`` and the per-company z-scores.

* **Code table** (``fixtures/partners/bccard_codes.yaml``): 304 four-digit business types in
  families (10xx lodging, 44xx gifts and jewellery ...), with the documented names spelled as
  in the samples (``4411 귀 금 속``). Static: the same for every seed and date.
* **Sector index**: monthly from 2014-01 (:data:`FIRST_MONTH`). Per code and month, on a log
  scale: ``cntIdx = level × exp(growth·t) × season × pandemic × cycle × noise`` with ``t`` in
  years since 2014-01. The seasonal profile (the family's, or the code's own: ski resorts sell
  in winter), the trend and the 2020-2021 pandemic effect come from the fixture, scaled per
  code; the cycle is a normalised moving sum of hashed monthly shocks (a smooth wobble with
  random access). ``amtIdx`` is ``cntIdx`` times the average ticket, which drifts with
  prices. Both are around 100 in 2014, rounded to two decimals.
* **z-score coverage** (``fixtures/partners/bccard_zscore.yaml``): consumer-facing stocks of
  the market universe picked by sector, plus 005930 (registered 2015-01, pinned by the
  fixture). Each has a registration month (coverage start) between 2014-01 and four years
  later, never before the month after its listing (the sample's 경동가스, 012320, is a
  utility of the universe, so it is covered).
* **z-score**: ``z(m) = Σ_k φ^k e(m−k) / √(Σ_k φ^{2k})`` over twelve months of hashed
  standard-normal shocks ``e`` (φ = 0.75): a stationary N(0, 1) series with autocorrelation
  φ at lag one, computable for any month alone; evaluated with 40 significant digits (the
  samples show about forty).

Every value is a pure function of ``(seed, code, month)``; months are indices
``year × 12 + month − 1`` here and ``YYYYMM`` strings on the wire. Publication lag (PROPOSED):
the latest month of both services is the previous calendar month of the world's date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.market.instruments import STOCK
from sandbox.world.market.noise import normal, uniform

if TYPE_CHECKING:
    from sandbox.world.market.universe import Universe

CODES_FILE = FIXTURES / "partners" / "bccard_codes.yaml"
ZSCORE_FILE = FIXTURES / "partners" / "bccard_zscore.yaml"

FIRST_MONTH = 2014 * 12  # 2014-01, the first month of both services
CYCLE_MONTHS = 6  # shocks summed into the sector index's cycle
CYCLE_DECAY = 0.8
Z_MONTHS = 12  # shocks summed into one z-score
Z_DECAY = Decimal("0.75")
Z_DIGITS = 40  # significant digits of a z-score
Z_MIN_FRACTION = 16  # a z-score always shows at least this many fractional digits
REGISTRATION_SPREAD = 48  # months over which the coverage of the companies started
_COVERAGE_SALT = 0  # coverage is reference data: the same for every seed


# ------------------------------------------------------------------------------------- months
def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def parse_month(text: str) -> int | None:
    """``"201510"`` -> its month index; None unless six digits with a month 01-12."""
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        return None
    year, month = int(text[:4]), int(text[4:])
    return month_index(year, month) if 1 <= month <= 12 and year >= 1 else None


def month_text(index: int) -> str:
    return f"{index // 12:04d}{index % 12 + 1:02d}"


def last_published(day: date) -> int:
    """The latest month published on ``day``: the previous calendar month (one month lag)."""
    return month_index(day.year, day.month) - 1


def published_months(day: date) -> range:
    """Every month index published on ``day``, oldest first (empty before 2014-02)."""
    return range(FIRST_MONTH, last_published(day) + 1)


# --------------------------------------------------------------------------------- code table
@dataclass(frozen=True)
class Family:
    prefix: str
    name: str
    profile: tuple[float, ...]  # log seasonal deviation, January .. December
    season: float
    growth: float
    covid: float


@dataclass(frozen=True)
class BusinessType:
    code: str  # tpBuzCode
    name: str  # tpBuzNm
    family: Family
    profile: tuple[float, ...]  # the family's seasonal profile unless the fixture says other


@dataclass(frozen=True)
class CodeTable:
    types: tuple[BusinessType, ...]  # sorted by code
    by_code: dict[str, BusinessType]
    covid: dict[int, float]  # month index -> share of a family's full pandemic effect


def _document(path: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def code_table() -> CodeTable:
    data = _document(CODES_FILE)
    profiles = {name: tuple(float(v) for v in values)
                for name, values in data["profiles"].items()}
    seasonal = {str(code): profiles[name] for code, name in data["seasonal"].items()}
    types: list[BusinessType] = []
    for prefix, row in data["families"].items():
        family = Family(str(prefix), str(row["name"]), profiles[row["profile"]],
                        float(row["season"]), float(row["growth"]), float(row["covid"]))
        types.extend(BusinessType(str(code), str(name), family,
                                  seasonal.get(str(code), family.profile))
                     for code, name in row["codes"].items())
    types.sort(key=lambda t: t.code)
    covid = {}
    for key, share in data["covid"].items():
        month = parse_month(str(key))
        if month is None:
            raise ValueError(f"{CODES_FILE}: bad covid month {key}")
        covid[month] = float(share)
    return CodeTable(tuple(types), {t.code: t for t in types}, covid)


def business_types() -> tuple[BusinessType, ...]:
    return code_table().types


def business_type(code: str) -> BusinessType | None:
    return code_table().by_code.get(code)


# ------------------------------------------------------------------------------ sector index
@dataclass(frozen=True)
class SectorParams:
    level: float  # cntIdx level in 2014-01 (log)
    growth: float  # yearly drift of the count (log)
    season: float  # amplitude of the family's seasonal profile
    covid: float  # pandemic effect at its worst (log)
    ticket: float  # average ticket in 2014-01 relative to the base (log)
    inflation: float  # yearly drift of the average ticket (log)


@lru_cache(maxsize=2048)
def sector_params(seed: int, code: str) -> SectorParams:
    kind = business_type(code)
    if kind is None:
        raise KeyError(code)
    family = kind.family

    def z(name: str) -> float:
        return normal(seed, "bccard-index", name, code)

    return SectorParams(level=math.log(100.0) + 0.08 * z("level"),
                        growth=family.growth + 0.015 * z("growth"),
                        season=family.season * (0.7 + 0.6 * uniform(seed, "bccard-index",
                                                                     "season", code)),
                        covid=family.covid * (0.75 + 0.5 * uniform(seed, "bccard-index",
                                                                   "covid", code)),
                        ticket=0.05 * z("ticket"),
                        inflation=0.02 + 0.008 * z("inflation"))


@dataclass(frozen=True)
class IndexPoint:
    month: int
    code: str
    amount: float  # amtIdx, two decimals
    count: float  # cntIdx, two decimals


def index_point(seed: int, code: str, month: int) -> IndexPoint:
    """The two indices of a business type for a month (``KeyError`` for an unknown code)."""
    p = sector_params(seed, code)
    kind = code_table().by_code[code]
    years = (month - FIRST_MONTH) / 12.0
    shocks = [normal(seed, "bccard-cycle", code, month - k) for k in range(CYCLE_MONTHS)]
    weights = [CYCLE_DECAY ** k for k in range(CYCLE_MONTHS)]
    cycle = sum(w * e for w, e in zip(weights, shocks, strict=True)) / math.sqrt(
        sum(w * w for w in weights))
    seasonal = p.season * kind.profile[month % 12]
    pandemic = p.covid * code_table().covid.get(month, 0.0)
    log_count = (p.level + p.growth * years + seasonal + pandemic + 0.03 * cycle
                 + 0.02 * normal(seed, "bccard-count", code, month))
    log_amount = (log_count + p.ticket + p.inflation * years + 0.3 * seasonal
                  + 0.02 * normal(seed, "bccard-amount", code, month))
    return IndexPoint(month, code, round(math.exp(log_amount), 2), round(math.exp(log_count), 2))


def index_text(value: float) -> str:
    """Up to two decimals, trailing zeros dropped, as in the samples (``"75.3"``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


# --------------------------------------------------------------------------- z-score coverage
@dataclass(frozen=True)
class Company:
    code: str  # intlTckr (the domestic short code)
    isin: str  # koscomTckr (the ISIN)
    name: str  # merNm
    registered: int  # regYm: the month the coverage started (month index)


def _registration(code: str, listed: date | None, start: int) -> int:
    first = start if listed is None else max(start, month_index(listed.year, listed.month) + 1)
    spread = int(uniform(_COVERAGE_SALT, "bccard-zscore-registered", code) * REGISTRATION_SPREAD)
    return first + spread


@lru_cache(maxsize=2)
def coverage(universe: Universe) -> tuple[Company, ...]:
    """Every company the z-score service ever covers, sorted by short code."""
    data = _document(ZSCORE_FILE)
    start = parse_month(str(data["start"]))
    if start is None:
        raise ValueError(f"{ZSCORE_FILE}: bad start month")
    shares = {str(k): float(v) for k, v in data["sectors"].items()}
    always = {str(code): parse_month(str(month)) for code, month in data["always"].items()}
    found: dict[str, Company] = {}
    for market in ("kospi", "kosdaq", "konex"):
        for inst in universe.select(STOCK, market):
            if not inst.isin or (not inst.code.endswith("0") and inst.code not in always):
                continue
            share = shares.get(inst.sector or "", 0.0)
            picked = uniform(_COVERAGE_SALT, "bccard-zscore-covered", inst.code) < share
            if picked or inst.code in always:
                registered = always.get(inst.code) or _registration(inst.code, inst.list_date,
                                                                    start)
                found[inst.code] = Company(inst.code, inst.isin, inst.name, registered)
    return tuple(found[code] for code in sorted(found))


@lru_cache(maxsize=2)
def _coverage_index(universe: Universe) -> dict[str, Company]:
    return {c.code: c for c in coverage(universe)}


def covered(universe: Universe, day: date) -> list[Company]:
    """The companies published on ``day`` (registered no later than the latest month)."""
    last = last_published(day)
    return [c for c in coverage(universe) if c.registered <= last]


def company(universe: Universe, code: str, day: date) -> Company | None:
    found = _coverage_index(universe).get(code)
    return found if found is not None and found.registered <= last_published(day) else None


# -------------------------------------------------------------------------------- z-scores
_CONTEXT = Context(prec=Z_DIGITS)
_WEIGHTS = tuple(_CONTEXT.power(Z_DECAY, k) for k in range(Z_MONTHS))
_NORM = _CONTEXT.sqrt(sum((_CONTEXT.multiply(w, w) for w in _WEIGHTS), Decimal(0)))


def z_scores(seed: int, code: str, months: range) -> list[Decimal]:
    """The z-scores of a company for consecutive months (one shock per month, shared)."""
    if not months:
        return []
    first = months[0] - (Z_MONTHS - 1)
    shocks = [Decimal(normal(seed, "bccard-z", code, m)) for m in range(first, months[-1] + 1)]
    out: list[Decimal] = []
    for i in range(len(months)):
        total = Decimal(0)
        for k, weight in enumerate(_WEIGHTS):
            total = _CONTEXT.add(total, _CONTEXT.multiply(weight, shocks[i + Z_MONTHS - 1 - k]))
        out.append(_CONTEXT.divide(total, _NORM))
    return out


def z_score(seed: int, code: str, month: int) -> Decimal:
    return z_scores(seed, code, range(month, month + 1))[0]


def z_text(value: Decimal) -> str:
    """Plain decimal notation, trailing zeros dropped, at least 16 fractional digits."""
    text = format(value, "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(Z_MIN_FRACTION, "0")
    return f"{whole}.{fraction}"
