"""Emulator-only endpoints under ``/_sandbox/`` (no auth): health, world, clock, journal."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.registry import BodyKind, Handler, operation


def admin(op_id: str, method: str, path: str, summary: str,
          body: BodyKind = "json") -> Callable[[Handler], Handler]:
    """An admin operation: no auth, family ``admin``, plain 400s for missing fields."""
    return operation(op_id, method, path, auth="none", family="admin", summary=summary,
                     body=body, tags=("admin",), error_category=None)
