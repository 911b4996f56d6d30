"""Fabot rank (파봇랭크, partners.md H1 endpoint 43): one page of the day's ranking.

``/v1/fabotdw/fabot_rank/{type}/{page}/{count}``: ``type`` ``mix_score`` (the only documented
value; anything else → 400 ``type``), ``page`` 1-based (400 ``page`` unless a positive
integer), ``count`` rows per page, 1-100 (400 ``count``). A page past the end is empty.

Default answer = the 2020 sample's bare array of ``{stockcode, name, EAS … VAS, before_EAS …
before_VAS, avg_score, before_avg_score, before_rank, rank}``; ``before_*`` are the previous
trading day's (``null`` for a stock not ranked that day). The variant ``fabot-rank-schema``
answers the catalogue schema's shape ``{totalCount, data[]}`` with ``date`` (``YYYYMMDD``),
``market`` (KOSPI/KOSDAQ), ``average``, ``average_before``, ``average_diff`` (= average −
average_before), ``rank``, ``rank_before``, ``rank_diff`` (= rank_before − rank, positive when
the stock climbed), ``name`` and ``category`` (the stock's Fabot industry sector name).
The scores themselves: :mod:`sandbox.world.partners.fabot_scores`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sandbox.errors import PartnerError
from sandbox.world import partners
from sandbox.world.market import calendar as cal
from sandbox.world.partners import fabot_scores
from sandbox.world.partners.fabot_scores import NAMES, Ranking, Scores
from sandbox.world.partners.fabot_sectors import industry_of

if TYPE_CHECKING:
    from sandbox.world.world import World

FAMILY = "fabotdw"
TYPES = ("mix_score",)
MAX_COUNT = 100
_NUMBER = re.compile(r"[0-9]{1,9}")


def _positive(text: str, name: str, upper: int | None = None) -> int:
    number = int(text) if _NUMBER.fullmatch(text) else 0
    if number < 1 or (upper is not None and number > upper):
        bound = f"1-{upper}" if upper else "at least 1"
        raise PartnerError(FAMILY, name, f"a whole number, {bound}")
    return number


def _number(score: float) -> float | int:
    """Whole scores as JSON integers (as in the sample), others with their decimals."""
    return int(score) if float(score).is_integer() else score


def fabot_rank(world: World, kind: str, page: str, count: str) -> list[dict[str, Any]] | \
        dict[str, Any]:
    if kind not in TYPES:
        raise PartnerError(FAMILY, "type", "the documented type is mix_score")
    page_no = _positive(page, "page")
    size = _positive(count, "count", MAX_COUNT)
    day = fabot_scores.score_day(world.now())
    today = fabot_scores.ranking(world.base_market, world.universe, day)
    before = fabot_scores.ranking(world.base_market, world.universe, cal.previous_trading_day(day))
    start = (page_no - 1) * size
    rows = today.rows[start:start + size]
    if partners.variant(world, "fabot-rank-schema"):
        return {"totalCount": len(today.rows),
                "data": [_schema_row(world, today, before, s) for s in rows]}
    return [_sample_row(world, today, before, s) for s in rows]


def _sample_row(world: World, today: Ranking, before: Ranking, s: Scores) -> dict[str, Any]:
    inst = world.universe.get(s.code)
    old = before.scores(s.code)
    row: dict[str, Any] = {"stockcode": s.code, "name": inst.name if inst else s.code}
    row.update({name: _number(v) for name, v in s.as_dict().items()})
    row.update({f"before_{name}": None if old is None else _number(v)
                for name, v in zip(NAMES, old.values if old else (0.0,) * 6, strict=True)})
    row["avg_score"] = s.average
    row["before_avg_score"] = None if old is None else old.average
    row["before_rank"] = before.ranks.get(s.code)
    row["rank"] = today.ranks[s.code]
    return row


def _schema_row(world: World, today: Ranking, before: Ranking, s: Scores) -> dict[str, Any]:
    inst = world.universe.get(s.code)
    old = before.scores(s.code)
    rank, rank_before = today.ranks[s.code], before.ranks.get(s.code)
    sector = industry_of(inst) if inst else None
    return {
        "stockcode": s.code, "date": today.day.strftime("%Y%m%d"),
        "market": (inst.market if inst else "").upper(),
        "average": s.average, "average_before": None if old is None else old.average,
        "average_diff": None if old is None else round(s.average - old.average, 2),
        "rank": rank, "rank_before": rank_before,
        "rank_diff": None if rank_before is None else rank_before - rank,
        "name": inst.name if inst else s.code, "category": sector.name if sector else "",
    }
