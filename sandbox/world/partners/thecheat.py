"""TheCheat's registry of numbers reported for financial fraud (partners.md H4, endpoint 51).

A number's reports are a pure function of ``(seed, digits)`` with absolute dates
(``fixtures/partners/thecheat_registry.yaml``): most numbers were never reported, a few
percent were reported one to three times within a few weeks, at some day between 2015 and
2031. Since the dates are absolute, moving the world clock changes the answer as the real
service's would: a report becomes visible three days after it was filed (at once when there
are two), and drops out three months later. Reports dated after the world's date do not
exist yet.

Two lists of the fixture override the rule: ``clean`` numbers (the manual's examples) are
never reported, and ``magic`` numbers have reports dated relative to the world's date, so a
QA engineer gets the same answer whatever the clock (listed with their expected answers).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.market.noise import uniform

REGISTRY_FILE = FIXTURES / "partners" / "thecheat_registry.yaml"
WINDOW_MONTHS = 3  # only reports of the last three months count
VISIBLE_AFTER_DAYS = 3  # a single report is shown three days after it was filed


@dataclass(frozen=True)
class Offset:
    """A report date relative to the world's date: ``months`` calendar months, then ``days``
    days before it."""

    months: int = 0
    days: int = 0

    def before(self, day: date) -> date:
        return minus_months(day, self.months) - timedelta(days=self.days)


@dataclass(frozen=True)
class Registry:
    rate: float
    count_weights: tuple[float, ...]
    first: date
    last: date
    burst_days: int
    clean: frozenset[str]
    magic: dict[str, tuple[Offset, ...]]


def minus_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _offset(value: Any) -> Offset:
    if isinstance(value, int):
        return Offset(days=value)
    return Offset(months=int(value.get("months", 0)), days=int(value.get("days", 0)))


@lru_cache(maxsize=1)
def registry() -> Registry:
    data: dict[str, Any] = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    return Registry(rate=float(data["report_rate"]),
                    count_weights=tuple(float(w) for w in data["report_counts"]),
                    first=_date(data["first_report"]["from"]),
                    last=_date(data["first_report"]["to"]),
                    burst_days=int(data["burst_days"]),
                    clean=frozenset(str(k) for k in data["clean"]),
                    magic={str(k): tuple(_offset(v) for v in offsets)
                           for k, offsets in data["magic"].items()})


def _count(reg: Registry, seed: int, digits: str) -> int:
    draw = uniform(seed, "thecheat-count", digits) * sum(reg.count_weights)
    for count, weight in enumerate(reg.count_weights, 1):
        if draw < weight:
            return count
        draw -= weight
    return len(reg.count_weights)


def reports(seed: int, digits: str, today: date) -> tuple[date, ...]:
    """Every report of a number filed up to ``today``, oldest first."""
    reg = registry()
    if digits in reg.magic:
        found = [offset.before(today) for offset in reg.magic[digits]]
    elif digits in reg.clean or uniform(seed, "thecheat-reported", digits) >= reg.rate:
        return ()
    else:
        span = (reg.last - reg.first).days
        first = reg.first + timedelta(days=int(uniform(seed, "thecheat-first", digits) * span))
        found = [first] + [first + timedelta(days=1 + int(
            uniform(seed, "thecheat-later", digits, n) * reg.burst_days))
            for n in range(1, _count(reg, seed, digits))]
    return tuple(sorted(d for d in found if d <= today))


def window_start(today: date) -> date:
    """The first day of the last three months (inclusive)."""
    return minus_months(today, WINDOW_MONTHS)


def caution(report_dates: tuple[date, ...], today: date) -> bool:
    """Whether the reports are shown: two or more in the last three months, or exactly one
    there that is at least three days old."""
    recent = [d for d in report_dates if window_start(today) <= d <= today]
    if len(recent) >= 2:
        return True
    return len(recent) == 1 and recent[0] <= today - timedelta(days=VISIBLE_AFTER_DAYS)


def is_cautioned(seed: int, digits: str, today: date) -> bool:
    return caution(reports(seed, digits, today), today)
