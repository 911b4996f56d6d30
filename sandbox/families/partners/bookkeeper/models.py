"""Wyverple Bookkeeper: financial statements per fiscal year (partners.md H2, endpoint 44).

``GET /v1/bookkeeper/fs/{standard}/{issuecode}`` (OBSERVED; response beyond the observed
fields PROPOSED):

* ``standard`` ``gaap`` | ``ifrs`` (else 400 ``standard``): echoed; the emulator keeps one
  set of books, so both answer the same numbers.
* ``issuecode``: a 6-digit stock code or a comma list of up to :data:`MAX_ISSUES` (unknown,
  malformed, empty or too many → 400 ``issuecode``). A preferred share answers its
  company's statements (the common stock's) under its own symbol.
* ``consolidated`` ``1`` (default) or ``0`` (separate, parent-only statements: see
  :mod:`.statements`).
* ``from`` / ``to`` (``YYYY-MM-DD``): fiscal years whose year-end lies in the range; without
  both, the last :data:`DEFAULT_YEARS` fiscal years published at the world date. A fiscal
  year is published with the annual report (December → 1 April). ``from`` after ``to`` →
  400 ``from``.
* ``max_depth``: 1 (default) = the top-level accounts; 2 adds their parts (with ``parent``),
  3 the parts of those, and so on. ``debug`` is ignored.

``data[]``: per stock (request order), per fiscal year (oldest first):
``{symbol, fiscal_year, standard, consolidated, unit "KRW", income[], balance_sheet[],
cash_flow[]}``, items ``{code, name, value}`` with the account codes of
``fixtures/partners/bookkeeper_accounts.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from sandbox.errors import PartnerError
from sandbox.paths import FIXTURES
from sandbox.world.market.instruments import STOCK, Instrument
from sandbox.world.market.reference import reference
from sandbox.world.partners.financials import has_statements
from sandbox.world.partners.statements import (
    Statement,
    published,
    statement,
)

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market
    from sandbox.world.world import World

FAMILY = "bookkeeper"
STANDARDS = ("gaap", "ifrs")
SECTIONS = ("income", "balance_sheet", "cash_flow")
MAX_ISSUES = 20
DEFAULT_YEARS = 5
_CODE = re.compile(r"\d{6}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    line: str
    parent: str | None
    depth: int


@lru_cache(maxsize=1)
def accounts() -> dict[str, tuple[Account, ...]]:
    """The account table per section, in output order (parents before their parts)."""
    data: dict[str, Any] = yaml.safe_load(
        (FIXTURES / "partners" / "bookkeeper_accounts.yaml").read_text("utf-8"))
    out: dict[str, tuple[Account, ...]] = {}
    for section in SECTIONS:
        depths: dict[str, int] = {}
        rows = []
        for row in data[section]:
            parent = str(row["parent"]) if row.get("parent") else None
            depth = 1 if parent is None else depths[parent] + 1
            depths[str(row["code"])] = depth
            rows.append(Account(str(row["code"]), str(row["name"]), str(row["line"]), parent,
                                depth))
        out[section] = tuple(rows)
    return out


# ------------------------------------------------------------------------------ parameters
def _issues(world: World, issuecode: str) -> list[tuple[str, Instrument]]:
    codes = [c.strip() for c in issuecode.split(",")]
    if not codes or len(codes) > MAX_ISSUES:
        raise PartnerError(FAMILY, "issuecode", f"1 to {MAX_ISSUES} stock codes")
    out: list[tuple[str, Instrument]] = []
    for code in codes:
        inst = world.universe.get(code) if _CODE.fullmatch(code) else None
        if inst is None or inst.kind != STOCK:
            raise PartnerError(FAMILY, "issuecode", f"unknown stock code {code[:12]!r}")
        if code not in (c for c, _ in out):
            out.append((code, issuer(world, inst)))
    return out


def issuer(world: World, inst: Instrument) -> Instrument:
    """The stock whose statements a code shows: a preferred share's common stock."""
    if inst.code[-1] != "0":
        common = world.universe.get(inst.code[:5] + "0")
        if common is not None and common.kind == STOCK:
            return common
    return inst


def _date(query: dict[str, str], name: str) -> date | None:
    text = (query.get(name) or "").strip()
    if not text:
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise PartnerError(FAMILY, name, "a date YYYY-MM-DD") from None


def _depth(query: dict[str, str]) -> int:
    text = (query.get("max_depth") or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else 1


# ------------------------------------------------------------------------------ periods
def fiscal_years(market: Market, inst: Instrument, today: date, start: date | None,
                 end: date | None) -> list[date]:
    """Fiscal year-ends published on ``today`` in ``[start, end]``, oldest first; without a
    range the last :data:`DEFAULT_YEARS`."""
    ref = reference(market.seed, inst)
    year = ref.settlement(today).year
    out: list[date] = []
    while True:
        fye = ref.fiscal_year_end(year)
        if not has_statements(inst, fye) or (start is not None and fye < start):
            break
        if published(fye, 4) <= today and (end is None or fye <= end):
            out.append(fye)
        if start is None and end is None and len(out) == DEFAULT_YEARS:
            break
        year -= 1
    return out[::-1]


def _items(st: Statement, section: str, depth: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for account in accounts()[section]:
        if account.depth > depth:
            continue
        item: dict[str, Any] = {"code": account.code, "name": account.name,
                                "value": st[account.line]}
        if account.parent is not None:
            item["parent"] = account.parent
        items.append(item)
    return items


def period(symbol: str, st: Statement, standard: str, depth: int) -> dict[str, Any]:
    """One element of ``data[]``."""
    return {"symbol": symbol, "fiscal_year": st.fiscal_year_end.isoformat(),
            "standard": standard, "consolidated": 1 if st.consolidated else 0, "unit": "KRW",
            **{section: _items(st, section, depth) for section in SECTIONS}}


def fs(world: World, standard: str, issuecode: str, query: dict[str, str],
       today: date) -> dict[str, Any]:
    """Endpoint 44 (module docstring)."""
    if standard not in STANDARDS:
        raise PartnerError(FAMILY, "standard", "gaap or ifrs")
    issues = _issues(world, issuecode)
    consolidated = (query.get("consolidated") or "1").strip() != "0"
    start, end = _date(query, "from"), _date(query, "to")
    if start is not None and end is not None and start > end:
        raise PartnerError(FAMILY, "from", "after to")
    depth = _depth(query)
    market = world.base_market
    data = [period(symbol, statement(market, inst, fye, 4, consolidated), standard, depth)
            for symbol, inst in issues
            for fye in fiscal_years(market, inst, today, start, end)]
    return {"data": data}
