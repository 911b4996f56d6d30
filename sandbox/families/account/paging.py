"""Paging of the account family (README §8, ERRATA 5).

``count`` absent, non-numeric or <= 0 means 50 items; a broker sends at most its
``maxPageSize``. Page keys are opaque 18-character strings, ``YYYYMMDD`` + a 10-digit offset
(the transaction example's ``201603100000000961``): the date of the page's first row (the
clock's date for holdings) and its position. Absent, ``null``, ``"null"`` and ``""`` mean the
first page; a key this broker did not issue is ``6003``; ``"null"`` marks the last page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sandbox.families.account.exceptions import InvalidPage
from sandbox.world.identities import Broker

T = TypeVar("T")
DEFAULT_COUNT = 50
LAST_PAGE = "null"


def page_size(count: Any, broker: Broker) -> int:
    try:
        size = int(float(count)) if isinstance(count, int | float | str) else 0
    except (ValueError, OverflowError):  # "abc", "inf", 1e400
        size = 0
    return min(size if size > 0 else DEFAULT_COUNT, broker.max_page_size)


def is_first(page: Any) -> bool:
    return page is None or (isinstance(page, str) and page.strip() in ("", "null"))


def _invalid(page: Any, broker: Broker) -> InvalidPage:
    return InvalidPage(broker.short_name, f"page '{str(page)[:40]}' was not issued by this "
                                          "search; send the queryResult.page of the last answer")


def parse_key(page: Any, broker: Broker) -> tuple[date, int] | None:
    """(date, offset) of a page key; None for the first page; 6003 for anything else."""
    if is_first(page):
        return None
    key = page.strip() if isinstance(page, str) else ""
    if len(key) != 18 or not key.isdigit():
        raise _invalid(page, broker)
    try:
        day = datetime.strptime(key[:8], "%Y%m%d").date()
    except ValueError:
        raise _invalid(page, broker) from None
    return day, int(key[8:])


def offset_of(page: Any, broker: Broker, total: int, day_of: Callable[[int], date]) -> int:
    """The position a page key of this search points at (0 for the first page): its offset
    must fall inside the rows and its date be the one ``day_of`` gives that row."""
    parsed = parse_key(page, broker)
    if parsed is None:
        return 0
    day, offset = parsed
    if not 0 < offset < total or day_of(offset) != day:
        raise _invalid(page, broker)
    return offset


def window(rows: Sequence[T], offset: int, size: int | None,
           day_of: Callable[[int], date]) -> tuple[Sequence[T], str]:
    """The page starting at ``offset`` (everything when ``size`` is None) and the next key."""
    if size is None:
        return rows[offset:], LAST_PAGE
    end = offset + size
    page = rows[offset:end]
    return page, (f"{day_of(end):%Y%m%d}{end:010d}" if end < len(rows) else LAST_PAGE)
