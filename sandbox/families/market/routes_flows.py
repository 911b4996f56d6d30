"""Market REST views: flows (filled in below)."""

from __future__ import annotations
