"""NICE company information (partners.md H3, endpoints 45-50): lookups, base dates and the
helpers the two financial endpoints share.

* Envelope ``{"items": {"count": "<n>", "item": [...]}}``; every value is a string; the
  financial endpoints add their header fields inside ``items`` (:mod:`.ratios`,
  :mod:`.statement`).
* Companies come from :mod:`sandbox.world.partners.companies`; an identifier that matches
  no company answers ``count "0"`` and an empty ``item`` (§S "Not found"). Identifiers are
  read leniently (spaces and hyphens dropped: ``124-81-00998``, ``A005930``). When several
  identifiers are given they must all name the same company.
* Code lists (Excel): ``stacdivcd`` F Q1, B half-year, T Q3, K annual (default K);
  ``fatpcd`` 0 separate, 1 consolidated (emulator default 1, the figures Bookkeeper and
  Fabotdw publish by default); ``yr`` 3 (default) or 5; ``amtuit`` 1 KRW, 2 thousand
  (default), 3 million, 4 hundred million. Anything else is the partner's 400 naming the
  parameter (request schemas).
* Base dates (47, 49): the statement dates of the company published at the world date for
  the chosen ``stacdivcd`` — the fiscal quarter's year-to-date statements (F = Q1, B = the
  first half, T = the first three quarters, K = the fiscal year), newest first, from 2001 or
  the listing year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sandbox.errors import PartnerError
from sandbox.world.market.reference import reference
from sandbox.world.partners.companies import Company, profile, registry
from sandbox.world.partners.financials import has_statements
from sandbox.world.partners.statements import (
    period_end,
    published,
)

if TYPE_CHECKING:
    from sandbox.world.world import World

FAMILY = "nice"
QUARTERS = {"F": 1, "B": 2, "T": 3, "K": 4}  # stacdivcd -> year-to-date quarters
UNITS = {"1": 1, "2": 1000, "3": 1_000_000, "4": 100_000_000}  # amtuit -> KRW


def param(query: dict[str, str], name: str, default: str = "") -> str:
    """A query parameter, trimmed; ``default`` when absent or empty."""
    value = (query.get(name) or "").strip()
    return value or default


def envelope(items: list[dict[str, str]], **header: str) -> dict[str, Any]:
    return {"items": {**header, "count": str(len(items)), "item": items}}


def _clean(value: str) -> str:
    return "".join(c for c in value if c not in " -").upper()


def find(world: World, **identifiers: str) -> Company | None:
    """The company every given identifier names (kiscode, bizno, crpno, stockcd), or None.
    Empty identifiers are ignored; at least one must be given."""
    reg = registry(world.seed)
    tables = {"kiscode": reg.by_kiscode, "bizno": reg.by_bizno, "crpno": reg.by_crpno,
              "stockcd": reg.by_stock}
    found: Company | None = None
    for name, raw in identifiers.items():
        value = _clean(raw)
        if name == "stockcd" and len(value) == 7 and value[0] == "A":
            value = value[1:]
        company = tables[name].get(value)
        if company is None or (found is not None and company is not found):
            return None
        found = company
    return found


def company_of(world: World, query: dict[str, str], *names: str) -> Company | None:
    """The company of the request's identifiers ``names`` (at least one must be given, else
    the partner's 400 naming them all)."""
    given = {name: param(query, name) for name in names if param(query, name)}
    if not given:
        raise PartnerError(FAMILY, ",".join(names), "at least one is required")
    return find(world, **given)


# ------------------------------------------------------------------------------ numbers
def fmt(value: Fraction, places: int) -> str:
    """``value`` with ``places`` decimals, rounded half away from zero ("-0.0" never)."""
    scaled = abs(value) * 10 ** places
    units = int(scaled + Fraction(1, 2))
    sign = "-" if value < 0 and units else ""
    text = str(units).rjust(places + 1, "0")
    return sign + (f"{text[:-places]}.{text[-places:]}" if places else text)


def in_unit(value: int, unit: int) -> int:
    """KRW ``value`` in a unit of ``unit`` KRW, rounded half away from zero."""
    units, rest = divmod(abs(value), unit)
    units += 1 if 2 * rest >= unit else 0
    return -units if value < 0 else units


def yyyymmdd(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


# ------------------------------------------------------------------------------ base dates
@dataclass(frozen=True)
class Base:
    """One statement date of a company: the fiscal year and its year-to-date quarters."""

    fiscal_year_end: date
    quarter: int
    end: date

    @property
    def stacdivcd(self) -> str:
        return "FBTK"[self.quarter - 1]


def bases(world: World, company: Company, quarter: int, today: date) -> list[Base]:
    """The statement dates published on ``today`` for ``quarter``, newest first."""
    inst = company.inst
    ref = reference(world.seed, inst)
    year = ref.settlement(today).year + 1
    out: list[Base] = []
    while has_statements(inst, ref.fiscal_year_end(year)):
        fye = ref.fiscal_year_end(year)
        if published(fye, quarter) <= today:
            out.append(Base(fye, quarter, period_end(fye, quarter)))
        year -= 1
    return out


def columns(world: World, company: Company, quarter: int, stac_date: str, years: int,
            today: date) -> list[Base] | None:
    """The periods of a financial table, base first: the ``stac_date`` base ("" or "0" =
    the latest) and the same statements of the ``years - 1`` fiscal years before (fewer
    when the company is younger). None when ``stac_date`` is no base date."""
    dates = bases(world, company, quarter, today)
    if stac_date in ("", "0"):
        start = 0
    else:
        start = next((k for k, b in enumerate(dates) if yyyymmdd(b.end) == stac_date), -1)
        if start < 0:
            return None
    return dates[start:start + years]


def base_dates(world: World, query: dict[str, str], today: date, *names: str,
               detailed: bool) -> dict[str, Any]:
    company = company_of(world, query, *names)
    if company is None:
        return envelope([])
    quarter = QUARTERS[param(query, "stacdivcd", "K")]
    items = []
    for base in bases(world, company, quarter, today):
        item = {"stac_date": yyyymmdd(base.end)}
        if detailed:
            item.update(fadivcd=_fadivcd(world, company), stac_yymm=item["stac_date"][:6],
                        stacdivcd=base.stacdivcd)
        items.append(item)
    return envelope(items)


def _fadivcd(world: World, company: Company) -> str:
    return profile(world.seed, company).fadivcd


def financial_rate_base_date(world: World, query: dict[str, str], today: date
                             ) -> dict[str, Any]:
    """47: ``item[].stac_date``."""
    return base_dates(world, query, today, "kiscode", detailed=False)


def financial_state_table_base_date(world: World, query: dict[str, str], today: date
                                    ) -> dict[str, Any]:
    """49: ``item[] = {fadivcd, stac_date, stac_yymm, stacdivcd}`` (bizno or kiscode)."""
    return base_dates(world, query, today, "kiscode", "bizno", detailed=True)


# ------------------------------------------------------------------------------ lookups
def kiscode(world: World, query: dict[str, str]) -> dict[str, Any]:
    """45: the KISCODE of a corporate number, business number or stock code."""
    company = company_of(world, query, "crpno", "bizno", "stockcd")
    return envelope([{"kiscode": company.kiscode}] if company else [])


# ------------------------------------------------------------------------------ headers
def header(world: World, company: Company, cols: list[Base], query: dict[str, str],
           today: date, farptcd: str) -> dict[str, str]:
    """The header fields both financial tables put inside ``items``: the request's echo,
    and per column ``k`` its statement date, year, kind and company code."""
    stacdivcd = param(query, "stacdivcd", "K")
    out = {"allsvcpdtcd": "KLP", "eprdatasvcstscd": "03", "fatpcd": param(query, "fatpcd", "1"),
           "hdrcnt": str(len(cols)), "kiscode": company.kiscode, "mrl_bse_cd": "",
           "nyr": str(len(cols)), "squery": "", "squery2": "",
           "stac_date": param(query, "stac_date", yyyymmdd(today)), "stacdivcd": stacdivcd,
           "tp_cd": "I", "yr": param(query, "yr", "3")}
    for k, base in enumerate(cols):
        out.update({f"fa_ogx_yn{k}": "Y", f"farptcd{k}": farptcd,
                    f"stac_date{k}": yyyymmdd(base.end),
                    f"stac_yyyy{k}": str(base.fiscal_year_end.year),
                    f"stacdivcd{k}": base.stacdivcd, f"upchecd{k}": company.kiscode})
    return out


def consolidated(query: dict[str, str]) -> bool:
    return param(query, "fatpcd", "1") == "1"
