"""Market REST views: multi-quote tables (filled in below)."""

from __future__ import annotations
