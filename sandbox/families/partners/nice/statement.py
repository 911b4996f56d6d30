"""NICE balance sheet (partners.md H3, endpoint 50 ``financialStateTable``).

Rows: ``fixtures/partners/nice_accounts.yaml`` (farptcd ``11`` 재무상태표), the statement lines
Bookkeeper publishes (:mod:`sandbox.world.partners.statements`) for the base
period (column 0, ``stac_date``) and the same statements of the ``yr - 1`` fiscal years
before, in the consolidation of ``fatpcd``:

* ``fvl{k}``: the amount in the unit of ``amtuit`` (``monunit`` echoes it). Detail lines are
  rounded half away from zero; a total is the sum of its rounded parts and 이익잉여금 absorbs
  what would unbalance the sheet, so every total adds up in every unit (자산총계 = 유동자산 +
  비유동자산 = 부채와자본총계 = 부채총계 + 자본총계); a figure differs from its own rounding
  by at most half a unit per detail line;
* ``cmprt{k}``: share of total assets (%, 1 decimal, from the KRW figures);
* ``indrt{k}``: change against the same date a year before (%, 1 decimal; left out when the
  company has no statements then or the line was 0).

Header: the common fields (:func:`~sandbox.families.partners.nice.models.header`) plus the
audit opinion per column (quarterly and half-year statements: review 검토(표준) ``70``;
annual: unqualified 적정 ``10``), the KRW per USD rate of the last trading day before the
world date (the front USD futures close) and ``st_date`` (the world month).
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
    UNITS,
    Base,
    columns,
    company_of,
    consolidated,
    envelope,
    fmt,
    header,
    in_unit,
    param,
    yyyymmdd,
)
from sandbox.paths import FIXTURES
from sandbox.world.market import calendar as cal
from sandbox.world.market.reference import reference
from sandbox.world.partners.financials import NoStatements
from sandbox.world.partners.statements import Statement, statement

if TYPE_CHECKING:
    from sandbox.world.partners.companies import Company
    from sandbox.world.world import World

FARPTCD = "11"
AUDITS = {True: ("적정", "Unqualified", "10"), False: ("검토(표준)", "Review", "70")}


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    name_en: str
    tlevel: int
    line: str
    parts: tuple[int, ...]  # indexes of the rows this row adds up (empty: a detail line)
    plug: bool  # absorbs the rounding that would unbalance the sheet


@lru_cache(maxsize=1)
def rows() -> tuple[Row, ...]:
    """The balance-sheet rows; a row's parts are the following rows one level deeper (until
    a row of its level or above), or the rows its ``sum`` names."""
    data: list[dict[str, Any]] = yaml.safe_load(
        (FIXTURES / "partners" / "nice_accounts.yaml").read_text("utf-8"))["balance_sheet"]
    index = {str(r["code"]): k for k, r in enumerate(data)}
    out = []
    for k, r in enumerate(data):
        level = int(r["tlevel"])
        parts: list[int] = []
        for j in range(k + 1, len(data)):
            deeper = int(data[j]["tlevel"])
            if deeper <= level:
                break
            if deeper == level + 1:
                parts.append(j)
        if not parts and r.get("sum"):
            parts = [index[str(code)] for code in r["sum"]]
        out.append(Row(str(r["code"]), r["kor"], r["eng"], level, str(r["line"]),
                       tuple(parts), bool(r.get("plug"))))
    return tuple(out)


def amounts(st: Statement, unit: int) -> list[int]:
    """Each row's amount in ``unit`` KRW: details rounded, totals the sum of their parts, the
    plug row (이익잉여금) shifted by what keeps 부채와자본총계 equal to 자산총계."""
    table = rows()
    details = {k: in_unit(st[row.line], unit) for k, row in enumerate(table) if not row.parts}
    values = _totals(table, details)
    lines = [row.line for row in table]
    gap = (values[lines.index("total_assets")]
           - values[lines.index("total_liabilities_and_equity")])
    if gap:
        plug = next(k for k, row in enumerate(table) if row.plug)
        details[plug] += gap
        values = _totals(table, details)
    return values


def _totals(table: tuple[Row, ...], details: dict[int, int]) -> list[int]:
    out: dict[int, int] = dict(details)

    def of(k: int) -> int:
        if k not in out:
            out[k] = sum(of(j) for j in table[k].parts)
        return out[k]

    return [of(k) for k in range(len(table))]


def _previous(world: World, company: Company, base: Base, is_consolidated: bool
              ) -> Statement | None:
    ref = reference(world.seed, company.inst)
    try:
        return statement(world.base_market, company.inst,
                         ref.fiscal_year_end(base.fiscal_year_end.year - 1), base.quarter,
                         is_consolidated)
    except NoStatements:
        return None


def _rows(world: World, company: Company, cols: list[Base], unit_code: str,
          is_consolidated: bool) -> list[dict[str, str]]:
    unit = UNITS[unit_code]
    current = [statement(world.base_market, company.inst, b.fiscal_year_end, b.quarter,
                         is_consolidated) for b in cols]
    before = [_previous(world, company, b, is_consolidated) for b in cols]
    values = [amounts(st, unit) for st in current]
    items = []
    for r, row in enumerate(rows()):
        item = {"farptcd": FARPTCD, "farptitemcd": row.code, "mng_farptcd": FARPTCD,
                "mng_farptitemcd": row.code, "name_kor": row.name, "name_eng": row.name_en,
                "tlevel": str(row.tlevel), "monunit": unit_code}
        for k, st in enumerate(current):
            item[f"fvl{k}"] = str(values[k][r])
            assets = st["total_assets"]
            item[f"cmprt{k}"] = fmt(Fraction(st[row.line], assets) * 100, 1) if assets > 0 else ""
            prev = before[k]
            if prev is not None and prev[row.line] != 0:
                change = Fraction(st[row.line] - prev[row.line], abs(prev[row.line]))
                item[f"indrt{k}"] = fmt(change * 100, 1)
        items.append(item)
    return items


def exchange(world: World, today: date) -> tuple[str, str]:
    """(rate, date): the front USD futures close of the last trading day before ``today``
    (KRW per USD, 2 decimals); ("", "") outside the market calendar."""
    try:
        day = cal.previous_trading_day(today)
        front = world.universe.front("usd", day)
        bar = world.base_market.closing_bar(front, day) if front is not None else None
    except (ValueError, LookupError, cal.CalendarError):
        return "", ""
    if bar is None:
        return "", ""
    return f"{bar.close:.2f}", yyyymmdd(day)


def financial_state_table(world: World, query: dict[str, str], today: date) -> dict[str, Any]:
    """50: header and balance-sheet rows (module docstring)."""
    company = company_of(world, query, "kiscode")
    if company is None:
        return envelope([])
    quarter = QUARTERS[param(query, "stacdivcd", "K")]
    years = int(param(query, "yr", "3"))
    unit_code = param(query, "amtuit", "2")
    found = columns(world, company, quarter, param(query, "stac_date"), years, today) or []
    rate, rate_day = exchange(world, today)
    head = header(world, company, found, query, today, FARPTCD)
    head.update({"amtuit": unit_code, "com_farpt_yn": "N", "exchange": rate,
                 "exchange_date": rate_day, "farptitemcd": FARPTCD, "mtd_cd": "F",
                 "slct_tp": "I", "st_date": yyyymmdd(today)[:6], "ver": "1"})
    for k, base in enumerate(found):
        kor, eng, code = AUDITS[base.quarter == 4]
        head.update({f"audit_kor{k}": kor, f"audit_eng{k}": eng, f"auditcd{k}": code})
    items = _rows(world, company, found, unit_code, consolidated(query)) if found else []
    return envelope(items, **head)
