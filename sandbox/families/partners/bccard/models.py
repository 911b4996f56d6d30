"""BC Card sector index and stock index (partners.md F1, F2; endpoints 1-7).

The data come from :mod:`sandbox.world.partners.bccard`; this module applies the query
conventions of :mod:`.search` and shapes the answers.

Where the emulator differs from the 2020 samples (PROPOSED in the spec): filters are honoured
(the samples answer another month than asked); an unmatched detail is ``404 "no data"``;
``index/{code}`` with an unknown code is an empty page and ``zscore/.../{intlTckr}`` an
empty array. Only ``idxYM``/``tpBuzCode``/``tpBuzNm`` filter the index list (a filter on the
index values themselves is ignored, like any unknown field). On the z-score series,
``regYm`` filters the rows' month like ``idxYm`` (the rows carry no registration month) and
``merNm`` the company. The fault ``empty-pages`` empties every paged answer (endpoints 1, 3,
4 and 6), totals included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sandbox.errors import PartnerNoData
from sandbox.families.partners.bccard.search import (
    FAMILY,
    Criterion,
    PageRequest,
    code_matches,
    descending,
    envelope,
    month_bounds,
    month_matches,
    name_matches,
    of,
    page_request,
    parse_search,
    sort_object,
)
from sandbox.world import partners
from sandbox.world.partners import bccard as data

if TYPE_CHECKING:
    from sandbox.world.world import World

CODE_FIELDS = ("tpBuzCode", "tpBuzNm")
INDEX_FIELDS = ("idxYM", "tpBuzCode", "tpBuzNm")
ZSCORE_LIST_FIELDS = ("regYm", "merNm", "intlTckr", "koscomTckr")
ZSCORE_SERIES_FIELDS = ("idxYm", "regYm", "merNm")


def _empty(world: World) -> bool:
    return partners.has_fault(world, FAMILY, "empty-pages")


def _page(world: World, rows: Sequence[Any], request: PageRequest,
          sort: list[dict[str, Any]], render: Any) -> dict[str, Any]:
    if _empty(world):
        return envelope([], 0, request, sort)
    chunk = rows[request.offset:request.offset + request.size]
    return envelope([render(row) for row in chunk], len(rows), request, sort)


# --------------------------------------------------------------------------- 1, 2: code table
def _type_item(kind: data.BusinessType) -> dict[str, Any]:
    return {"tpBuzCode": kind.code, "tpBuzNm": kind.name}


def _types(criteria: Sequence[Criterion]) -> list[data.BusinessType]:
    codes, names = of(criteria, "tpBuzCode"), of(criteria, "tpBuzNm")
    return [t for t in data.business_types()
            if code_matches(codes, t.code) and name_matches(names, t.name)]


def code_list(world: World, query: dict[str, str]) -> dict[str, Any]:
    """1. The business types, by code ascending (``tpBuzNm:주점`` = names containing 주점)."""
    request = page_request(query)
    rows = _types(parse_search(query.get("search"), CODE_FIELDS))
    return _page(world, rows, request, [sort_object("TP_BUZ_CODE", False)], _type_item)


def code_detail(world: World, code: str) -> dict[str, Any]:
    """2. One business type (404 ``code`` if unknown)."""
    kind = data.business_type(code)
    if kind is None:
        raise PartnerNoData(FAMILY, "code", f"no business type {code[:20]!r}")
    return _type_item(kind)


# ----------------------------------------------------------------------------- 3-5: indices
def _index_item(seed: int, code: str, month: int) -> dict[str, Any]:
    point = data.index_point(seed, code, month)
    return {"idxYM": data.month_text(month), "tpBuzCode": code,
            "amtIdx": data.index_text(point.amount), "cntIdx": data.index_text(point.count)}


class _Grid(Sequence[tuple[int, str]]):
    """The (month, code) rows of an index list without building them: months in the asked
    order, codes ascending within a month."""

    def __init__(self, months: list[int], codes: list[str]) -> None:
        self.months, self.codes = months, codes

    def __len__(self) -> int:
        return len(self.months) * len(self.codes)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        month, code = divmod(index, len(self.codes))
        return self.months[month], self.codes[code]


def _months(world: World, criteria: Sequence[Criterion], newest_first: bool) -> list[int]:
    bounds = month_bounds(of(criteria, "idxYM", "idxYm", "regYm"))
    months = [m for m in data.published_months(world.now().date()) if month_matches(bounds, m)]
    return months[::-1] if newest_first else months


def index_list(world: World, query: dict[str, str]) -> dict[str, Any]:
    """3. Every business type's indices (``idxYM:201510``, ``idxYM>201510`` ...)."""
    request = page_request(query)
    newest_first = descending(query)
    criteria = parse_search(query.get("search"), INDEX_FIELDS)
    months = _months(world, criteria, newest_first)
    codes = [t.code for t in _types(criteria)]
    return _page(world, _Grid(months, codes), request, [sort_object("idxYM", newest_first)],
                 lambda row: _index_item(world.seed, row[1], row[0]))


def index_by_code(world: World, code: str, query: dict[str, str]) -> dict[str, Any]:
    """4. One business type's series (newest first by default; an unknown code gives an
    empty page)."""
    request = page_request(query)
    newest_first = descending(query)
    criteria = parse_search(query.get("search"), INDEX_FIELDS)
    months = _months(world, criteria, newest_first)
    codes = [code] if data.business_type(code) is not None else []
    return _page(world, _Grid(months, codes), request, [sort_object("idxYM", newest_first)],
                 lambda row: _index_item(world.seed, row[1], row[0]))


def index_detail(world: World, code: str, query: dict[str, str]) -> dict[str, Any]:
    """5. One month of one business type: the newest month matching ``search`` (404 ``code``
    for an unknown code, 404 ``search`` when no published month matches)."""
    if data.business_type(code) is None:
        raise PartnerNoData(FAMILY, "code", f"no business type {code[:20]!r}")
    months = _months(world, parse_search(query.get("search"), INDEX_FIELDS), True)
    if not months:
        raise PartnerNoData(FAMILY, "search", "no published month matches")
    return _index_item(world.seed, code, months[0])


# ---------------------------------------------------------------------------- 6, 7: z-score
def _company_item(company: data.Company) -> dict[str, Any]:
    return {"merNm": company.name, "koscomTckr": company.isin, "intlTckr": company.code}


def zscore_list(world: World, query: dict[str, str]) -> dict[str, Any]:
    """6. The companies covered, by short code (``merNm:`` contains, ``regYm>``, ...)."""
    request = page_request(query)
    criteria = parse_search(query.get("search"), ZSCORE_LIST_FIELDS)
    bounds = month_bounds(of(criteria, "regYm"))
    names = of(criteria, "merNm")
    codes, isins = of(criteria, "intlTckr"), of(criteria, "koscomTckr")
    rows = [c for c in data.covered(world.universe, world.now().date())
            if month_matches(bounds, c.registered) and name_matches(names, c.name)
            and code_matches(codes, c.code) and code_matches(isins, c.isin)]
    return _page(world, rows, request, [sort_object("INTL_TCKR", False)], _company_item)


def zscore_series(world: World, code: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """7. A company's monthly z-scores, oldest first (``idxYm:`` one month; ``idxYm>`` or
    ``regYm>`` from a month; no criterion: the whole series). Unknown company: ``[]``."""
    day = world.now().date()
    criteria = parse_search(query.get("search"), ZSCORE_SERIES_FIELDS)
    bounds = month_bounds(of(criteria, "idxYm", "regYm"))
    company = data.company(world.universe, code, day)
    if company is None or not name_matches(of(criteria, "merNm"), company.name):
        return []
    months = range(company.registered, data.last_published(day) + 1)
    scores = data.z_scores(world.seed, company.code, months)
    item = _company_item(company)
    return [{**item, "idxYm": data.month_text(month), "zScore": data.z_text(score)}
            for month, score in zip(months, scores, strict=True)
            if month_matches(bounds, month)]
