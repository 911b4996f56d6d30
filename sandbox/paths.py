"""Where the project's data folders live (``fixtures/``, ``schemas/``, ``scenarios/``)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("SANDBOX_ROOT", Path(__file__).resolve().parent.parent))
FIXTURES = ROOT / "fixtures"
SCHEMAS = ROOT / "schemas"
SCENARIOS = ROOT / "scenarios"
