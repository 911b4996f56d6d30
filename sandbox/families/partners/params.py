"""Query parameters several partner families read the same way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal, overload

from sandbox.errors import PartnerError

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)  # dates accepted at all


@overload
def yyyymmdd(family: str, params: Mapping[str, Any], name: str,
             required: Literal[True]) -> date: ...
@overload
def yyyymmdd(family: str, params: Mapping[str, Any], name: str,
             required: bool = False) -> date | None: ...
def yyyymmdd(family: str, params: Mapping[str, Any], name: str,
             required: bool = False) -> date | None:
    """The ``YYYYMMDD`` date parameter ``name`` (None when absent and not ``required``);
    anything else is the family's ``400 Invalid parameters`` naming it."""
    text = params.get(name)
    if text is None and not required:
        return None
    text = str(text or "")
    try:
        if len(text) != 8 or not (text.isascii() and text.isdigit()):
            raise ValueError(text)
        value = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise PartnerError(family, name, "not a YYYYMMDD date") from None
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PartnerError(family, name, f"outside {FIRST_DAY:%Y%m%d}-{LAST_DAY:%Y%m%d}")
    return value
