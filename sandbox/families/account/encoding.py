"""JSON text of the account family: numbers as the platform's Java servers wrote them.

README §7 and ERRATA 16: every amount, quantity, weight and rate of portfolio and balance is
a Java ``double`` printed by ``Double.toString``: ``6976542.0``, ``-12.9``, ``9.816358E7``,
``1.0E10``. Counts and the transaction rows stay integers. The account models therefore put
``float`` where Java had a double and ``int`` where it had an integer, and :func:`dumps`
prints each accordingly.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any


def java_double(x: float) -> str:
    """``Double.toString(x)``: fixed notation with at least one fraction digit for
    10^-3 <= |x| < 10^7, otherwise the shortest digits as ``d.ddd`` + ``E`` + exponent."""
    if not math.isfinite(x):
        raise ValueError(f"{x!r} has no JSON form")
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        text = repr(x)
        return text if "e" not in text else f"{Decimal(text):f}"
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(text) - 1 + exponent}"


def dumps(value: Any) -> str:
    """Compact JSON like ``json.dumps(ensure_ascii=False)``, floats in Java's notation."""
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {dumps(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
