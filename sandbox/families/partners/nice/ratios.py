"""NICE financial ratio analysis (partners.md H3, endpoint 48 ``financialRate``).

Rows (PROPOSED, the 2020 sample returned none): the key ratios of
``fixtures/partners/nice_accounts.yaml`` — growth, profitability, stability, activity —
for the company (``biyul0..``), NICE's industry (``nice0..``: an aggregate over the
company's KSIC division peers, :func:`~sandbox.world.partners.companies.nice_peers`) and a
Bank of Korea-style industry average (``han0..``: an aggregate over a sample survey of the
company's KSIC section, :func:`~sandbox.world.partners.companies.han_peers`); column 0 is
the base period, 1.. the same statements of the fiscal years before.

Every figure is worked out of the statements Bookkeeper publishes
(:mod:`sandbox.world.partners.statements`), in the consolidation of
``fatpcd``: a ratio is ``Σ numerator / Σ denominator`` over the companies (one company for
``biyul``) with exact fractions, 2 decimals rounded half away from zero; flows are
year-to-date and annualised (× 12 / months) where the ratio says so; a growth rate is
``(Σ this − Σ year before) / |Σ year before| × 100``. A peer counts in a column when its
statements ending on the column's date are published at the world date (and, for growth,
those of the year before); a non-positive denominator leaves the value empty ("").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from sandbox.families.partners.nice.models import (
    QUARTERS,
    Base,
    columns,
    company_of,
    consolidated,
    envelope,
    fmt,
    header,
    param,
)
from sandbox.paths import FIXTURES
from sandbox.world.market.instruments import Instrument
from sandbox.world.market.reference import reference
from sandbox.world.partners.companies import Company, han_peers, nice_peers, profile
from sandbox.world.partners.financials import NoStatements, quarter_ends
from sandbox.world.partners.statements import (
    FLOW_LINES,
    Statement,
    statement,
)

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market
    from sandbox.world.world import World

FARPTCD = "19"


@dataclass(frozen=True)
class Ratio:
    code: str
    name: str
    name_en: str
    group: str
    growth: str | None  # the line of a growth rate
    num: tuple[str, ...]
    den: tuple[str, ...]
    annualise: bool
    times: bool  # a turnover (회), not a percentage
    cont: str


@lru_cache(maxsize=1)
def ratio_table() -> tuple[Ratio, ...]:
    data: dict[str, Any] = yaml.safe_load(
        (FIXTURES / "partners" / "nice_accounts.yaml").read_text("utf-8"))
    return tuple(Ratio(str(r["code"]), r["kor"], r["eng"], r["group"], r.get("growth"),
                       tuple(r.get("num", ())), tuple(r.get("den", ())),
                       bool(r.get("annualise")), r.get("unit") == "times", r["cont"])
                 for r in data["ratios"])


# ------------------------------------------------------------------------------ statements
def statement_at(market: Market, inst: Instrument, end: date, is_consolidated: bool,
                 today: date) -> Statement | None:
    """The company's year-to-date statements ending on ``end`` (a calendar quarter end),
    whatever its fiscal year, if published on ``today``."""
    ref = reference(market.seed, inst)
    fye = ref.fiscal_year_end(end.year if end.month <= ref.fiscal_month else end.year + 1)
    ends = quarter_ends(fye)
    if end not in ends:
        return None
    try:
        found = statement(market, inst, fye, ends.index(end) + 1, is_consolidated)
    except NoStatements:
        return None
    return found if found.published <= today else None


def year_before(end: date) -> date:
    """The same quarter end one year earlier (29 February → 28 February)."""
    if end.month == 2 and end.day == 29:
        return date(end.year - 1, 2, 28)
    return date(end.year - 1, end.month, end.day)


def _amount(st: Statement, lines: tuple[str, ...], annualise: bool) -> Fraction:
    total = Fraction(0)
    for line in lines:
        value = Fraction(st[line])
        if annualise and line in FLOW_LINES:
            value = value * 12 / st.months
        total += value
    return total


def value(ratio: Ratio, pairs: list[tuple[Statement, Statement | None]]) -> str:
    """The ratio over ``(this period, the year before)`` pairs of one or more companies."""
    if ratio.growth is not None:
        both = [(st, prev) for st, prev in pairs if prev is not None]
        if not both:
            return ""
        this = sum((Fraction(st[ratio.growth]) for st, _ in both), Fraction(0))
        before = sum((Fraction(prev[ratio.growth]) for _, prev in both if prev), Fraction(0))
        return fmt((this - before) / abs(before) * 100, 2) if before else ""
    num = sum((_amount(st, ratio.num, ratio.annualise) for st, _ in pairs), Fraction(0))
    den = sum((_amount(st, ratio.den, ratio.annualise) for st, _ in pairs), Fraction(0))
    if not pairs or den <= 0:
        return ""
    return fmt(num / den * (1 if ratio.times else 100), 2)


def pairs_at(market: Market, companies: list[Company], end: date, is_consolidated: bool,
             today: date) -> list[tuple[Statement, Statement | None]]:
    """Each company's statements ending on ``end`` and a year before (companies without
    published statements on ``end`` are left out)."""
    out = []
    for company in companies:
        st = statement_at(market, company.inst, end, is_consolidated, today)
        if st is not None:
            out.append((st, statement_at(market, company.inst, year_before(end),
                                         is_consolidated, today)))
    return out


# ------------------------------------------------------------------------------ endpoint
def _rows(world: World, company: Company, cols: list[Base], is_consolidated: bool,
          today: date) -> list[dict[str, str]]:
    market, seed = world.base_market, world.seed
    groups = {"biyul": [company], "nice": nice_peers(seed, company),
              "han": han_peers(seed, company)}
    pairs = {(prefix, k): pairs_at(market, members, base.end, is_consolidated, today)
             for prefix, members in groups.items() for k, base in enumerate(cols)}
    rows = []
    for ratio in ratio_table():
        row = {"name_kor": ratio.name, "name_eng": ratio.name_en, "farptcd": FARPTCD,
               "farptitemcd": ratio.code, "mng_farptcd": FARPTCD,
               "mng_farptitemcd": ratio.code, "chk_cont": "Y", "cont": ratio.cont}
        for (prefix, k), found in pairs.items():
            row[f"{prefix}{k}"] = value(ratio, found)
        rows.append(row)
    return rows


def financial_rate(world: World, query: dict[str, str], today: date) -> dict[str, Any]:
    """48: header (module docstring of :mod:`.models`) and the ratio rows."""
    company = company_of(world, query, "kiscode")
    if company is None:
        return envelope([])
    quarter = QUARTERS[param(query, "stacdivcd", "K")]
    years = int(param(query, "yr", "3"))
    cols = columns(world, company, quarter, param(query, "stac_date"), years, today)
    found = cols or []
    ksic = company.industry
    facts = profile(world.seed, company)
    head = header(world, company, found, query, today, FARPTCD)
    head.update({"divcd": "1", "fadivcd": facts.fadivcd, "farptcd": FARPTCD,
                 "farptitemcd": FARPTCD, "idscdcg": "09", "idscdid": ksic.idscdid(),
                 "sanupscd_full": ksic.idscd, "sanupscd1": ksic.section,
                 "sanupscd2": ksic.subclass, "squery3": "", "squery4": "", "squery5": "",
                 "ver": "0"})
    for k in range(len(found)):
        head.update({f"korentrnm{k}": facts.name, f"engentrnm{k}": facts.name_en,
                     f"fadivcd{k}": facts.fadivcd})
    rows = _rows(world, company, found, consolidated(query), today) if found else []
    return envelope(rows, **head)
