"""TheCheat fraud-history check (partners.md H4, endpoint 51).

Every business outcome is HTTP 200 with a ``result_code`` (never a 400): ``1`` success,
``-1`` database error and ``-2`` IP not allowed (only through the faults ``db-error`` and
``ip-denied``), ``-3`` invalid information (missing or non-string fields, an empty keyword,
anything but digits, a ``keyword_type`` other than ``phone``/``account``/``auto`` or an
``access_type`` other than ``user``/``service``). ``add_info`` is a spare field and ignored.
Order of the checks: the caller's IP (``-2``), the request (``-3``), the database (``-1``).

``content`` is, as in the manual, a string holding the result's JSON; with the variant
``thecheat-content-object`` (the 2020 catalogue) it is an object with ``date_start`` and
``date_end``, the three-month window ending at the call (``YYYYMMDDhhmmss``, KST).
``add_info.com_id`` is the caller app's company code. With ``keyword_type`` ``auto`` the
echo says what was detected (10-11 digits starting ``01`` → ``phone``, else ``account``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.world import partners
from sandbox.world.partners import thecheat as registry

if TYPE_CHECKING:
    from sandbox.world.world import World

FAMILY = "thecheat"
SUCCESS = (1, "success")
DB_ERROR = (-1, "DB 연결 오류")
IP_DENIED = (-2, "허용되지 않은 IP")
INVALID = (-3, "유효한 정보 아님")
KEYWORD_TYPES = ("phone", "account", "auto")
ACCESS_TYPES = ("user", "service")
STAMP = "%Y%m%d%H%M%S"


def _failure(outcome: tuple[int, str]) -> dict[str, Any]:
    code, message = outcome
    return {"result_msg": message, "result_code": code, "content": ""}


def detect(keyword: str) -> str:
    """``auto``: 10-11 digits starting ``01`` are a phone number, anything else an account."""
    return "phone" if len(keyword) in (10, 11) and keyword.startswith("01") else "account"


def _checked(body: Any) -> tuple[str, str, str] | None:
    """``(keyword, keyword_type, access_type)`` of a valid request, else None."""
    if not isinstance(body, dict):
        return None
    keyword, kind, access = (body.get(k) for k in ("keyword", "keyword_type", "access_type"))
    if not isinstance(keyword, str) or not keyword or not keyword.isascii() \
            or not keyword.isdigit():
        return None
    if kind not in KEYWORD_TYPES or access not in ACCESS_TYPES:
        return None
    assert isinstance(kind, str) and isinstance(access, str)
    return keyword, detect(keyword) if kind == "auto" else kind, access


def _window(now: datetime) -> tuple[str, str]:
    start = registry.minus_months(now.date(), registry.WINDOW_MONTHS)
    return now.replace(year=start.year, month=start.month, day=start.day).strftime(STAMP), \
        now.strftime(STAMP)


def fraudsearch(world: World, body: Any, com_id: str) -> dict[str, Any]:
    """Check a phone or account number against the fraud-report registry."""
    if partners.has_fault(world, FAMILY, "ip-denied"):
        return _failure(IP_DENIED)
    checked = _checked(body)
    if checked is None:
        return _failure(INVALID)
    if partners.has_fault(world, FAMILY, "db-error"):
        return _failure(DB_ERROR)
    keyword, kind, access = checked
    now = world.now()
    flagged = registry.is_cautioned(world.seed, keyword, now.date())
    content: dict[str, Any] = {"keyword": keyword, "keyword_type": kind,
                               "caution": "Y" if flagged else "N", "access_type": access,
                               "add_info": {"com_id": com_id}}
    code, message = SUCCESS
    if partners.variant(world, "thecheat-content-object"):
        content["date_start"], content["date_end"] = _window(now)
        return {"result_msg": message, "result_code": code, "content": content}
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return {"result_msg": message, "result_code": code, "content": text}
