"""Errors of the common service: category ``op-spt`` (errors.md §2, ERRATA 1)."""

from __future__ import annotations

from sandbox.errors import UserNotFound

CATEGORY = "op-spt"


class CommonUserNotFound(UserNotFound):
    """Unknown CI, or a name that is neither the user's name nor an alias."""

    category = CATEGORY
