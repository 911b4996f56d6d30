"""Market REST views: derivatives (filled in below)."""

from __future__ import annotations
