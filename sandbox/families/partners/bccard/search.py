"""BC Card's query conventions (partners.md F1 "Common paging envelope"): Spring-Data pages
and the ``search`` filter expression.

* ``page`` (0-based) and ``size`` are required integers; ``size`` above 200 is clamped to
  200 (PROPOSED); non-numeric, negative or zero values are ``400 Invalid parameters`` with
  the parameter's name (the request schemas reject them first; the checks here keep the
  model safe when called directly).
* ``search``: criteria separated by ``,``, each ``field:value`` (equals; a substring for
  names), ``field>value`` and, PROPOSED, ``<``, ``>=``, ``<=``. Field names are matched
  without regard to case (``idxYM`` in F1, ``idxYm`` in F2). A criterion on an unknown field,
  or a bare field name without operator (the catalogue's own ``search=tpBuzNm``), is
  ignored; a month criterion whose value is not ``YYYYMM`` is ``400`` on ``search``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.errors import PartnerError
from sandbox.world.partners.bccard import parse_month

FAMILY = "bccard"
MAX_SIZE = 200
_INT_DIGITS = 9  # beyond an int32 the real (Spring) service answers 400 too
_CRITERION = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|:|>|<)(.*)", re.DOTALL)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Criterion:
    field: str  # the canonical field name
    op: str  # ":", ">", "<", ">=", "<="
    value: str


def parse_search(search: str | None, fields: Iterable[str]) -> list[Criterion]:
    """The criteria of ``search`` on ``fields``; everything else is ignored."""
    known = {name.lower(): name for name in fields}
    out: list[Criterion] = []
    for part in (search or "").split(","):
        found = _CRITERION.fullmatch(part)
        if found is None:
            continue
        field = known.get(found.group(1).lower())
        if field is not None:
            out.append(Criterion(field, found.group(2), found.group(3).strip()))
    return out


def of(criteria: Sequence[Criterion], *fields: str) -> list[Criterion]:
    return [c for c in criteria if c.field in fields]


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == ":":
        return bool(left == right)
    if op == ">":
        return bool(left > right)
    if op == "<":
        return bool(left < right)
    if op == ">=":
        return bool(left >= right)
    return bool(left <= right)


def month_bounds(criteria: Sequence[Criterion]) -> list[tuple[str, int]]:
    """The month criteria as ``(op, month index)`` (400 on ``search`` for a bad month)."""
    out: list[tuple[str, int]] = []
    for criterion in criteria:
        month = parse_month(criterion.value)
        if month is None:
            raise PartnerError(FAMILY, "search", f"{criterion.field} needs a month YYYYMM")
        out.append((criterion.op, month))
    return out


def month_matches(bounds: Sequence[tuple[str, int]], month: int) -> bool:
    return all(_compare(month, op, value) for op, value in bounds)


def code_matches(criteria: Sequence[Criterion], value: str) -> bool:
    """Codes compare as strings (``:`` = equal)."""
    return all(_compare(value, c.op, c.value) for c in criteria)


def _squeeze(text: str) -> str:
    return _SPACES.sub("", text)


def name_matches(criteria: Sequence[Criterion], name: str) -> bool:
    """Names: ``:`` = contains, spaces ignored (``귀금속`` finds ``귀 금 속``); other operators
    compare as strings."""
    for c in criteria:
        if c.op == ":":
            if _squeeze(c.value) not in _squeeze(name):
                return False
        elif not _compare(name, c.op, c.value):
            return False
    return True


# ------------------------------------------------------------------------------------ paging
@dataclass(frozen=True)
class PageRequest:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return self.page * self.size


def _integer(query: dict[str, str], name: str, minimum: int) -> int:
    text = query.get(name)
    if text is None:
        raise PartnerError(FAMILY, name, "is required")
    digits = text.lstrip("0") or "0"
    if not text.isascii() or not text.isdigit() or len(digits) > _INT_DIGITS:
        raise PartnerError(FAMILY, name, "must be a non-negative integer")
    value = int(digits)
    if value < minimum:
        raise PartnerError(FAMILY, name, f"must be at least {minimum}")
    return value


def page_request(query: dict[str, str]) -> PageRequest:
    """``page`` and ``size`` of the query; ``size`` clamped to 200."""
    page = _integer(query, "page", 0)
    size = _integer(query, "size", 1)
    return PageRequest(page, min(size, MAX_SIZE))


def sort_object(prop: str, descending: bool) -> dict[str, Any]:
    return {"direction": "DESC" if descending else "ASC", "property": prop, "ignoreCase": False,
            "nullHandling": "NATIVE", "descending": descending, "ascending": not descending}


def envelope(content: list[dict[str, Any]], total: int, request: PageRequest,
             sort: list[dict[str, Any]]) -> dict[str, Any]:
    """A Spring-Data page, keys in the samples' order."""
    pages = math.ceil(total / request.size)
    return {"sort": sort, "totalElements": total, "last": request.page >= pages - 1,
            "totalPages": pages, "numberOfElements": len(content), "first": request.page == 0,
            "size": request.size, "content": content, "number": request.page}


def descending(query: dict[str, str], default: bool = True) -> bool:
    """The ``sort`` parameter (``asc``/``desc``, any case; ``idxYM,desc`` accepted)."""
    text = query.get("sort")
    if text is None or text == "":
        return default
    word = text.rsplit(",", 1)[-1].strip().lower()
    if word not in ("asc", "desc"):
        raise PartnerError(FAMILY, "sort", "must be asc or desc")
    return word == "desc"
