"""``market_op``: the registration every market REST view uses.

All market calls are ``GET`` with an API key (header or query), the query validated against
``schemas/market/<name>.request.json`` with market errors (HTTP 400 ``{"error": ...}``), and the
path checked by :func:`sandbox.families.market.params.resolver` before the query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.families.market.params import resolver
from sandbox.gateway.validation import MARKET_CATEGORY
from sandbox.registry import Handler, operation


def market_op(name: str, *paths: str, family: str, summary: str, issue: bool = True,
              resolve: Handler | None = None, **options: Any) -> Callable[[Handler], Handler]:
    """Register ``market.<name>``; ``family`` picks the path rules (stocks, multiquote,
    futures, options, index); ``issue`` says whether the path has an ``{issuecode}``;
    ``resolve`` replaces the path rules for a path of another shape (the holiday nation)."""
    return operation(f"market.{name}", "GET", *paths, auth="apikey", family="market",
                     summary=summary, body="query", error_category=MARKET_CATEGORY,
                     tags=(f"market:{family}",),
                     resolve=resolve or resolver(family, issue=issue), **options)
