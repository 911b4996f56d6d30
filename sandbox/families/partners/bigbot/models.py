"""BIGBOT stock analysis, recommended portfolio and portfolio evaluation (partners.md F4 12,
13 and 17). The scores and grades come from :mod:`sandbox.world.partners.bigbot`.

Emulator rules (PROPOSED in the spec, completed here):

* **Eligible universe of a portfolio type** (endpoint 13's filter, reused by endpoint 17):
  KOSPI and KOSDAQ stocks that are not administrative issues nor under market warning or
  risk (master flags), then per type:

  ====  ======  ==========================================  =============  ================
  type  name    market / capitalisation                     finance grade  price grade
  ====  ======  ==========================================  =============  ================
  1     안정형   KOSPI, market cap ≥ 1조원                    A-B            A-B
  2     준안정형  market cap ≥ 1조원                           A-B            A-B
  3     표준형   no cap filter                                A-B            A-B
  4     준적극형  no cap filter                                A-B            A-B, or C with a
                                                                             positive 60-day
                                                                             momentum
  5     적극형   no cap filter                                A-C            as type 4
  ====  ======  ==========================================  =============  ================

* **Recommendation** (13): the 10 eligible stocks with the highest ``finance + price_merit``
  (ties by code), rank 1 = best; ``total_market_value`` = shares × reference close / 1e8
  (억원, 1 decimal).
* **Evaluation** (17), first match wins: not eligible for the type → ``투자대상 제외 종목``;
  finance grade fell by two grades or more since the previous quarter → ``단기 재무효율성
  하락``; ``profit_ratio`` at or below the type's stop-loss (−7 %, −10 %, −12 %, −15 %,
  −20 %) → ``손절 기준 도달``; otherwise kept (``false``, ``""``).
* Unknown or malformed stock codes answer the partner error (400, the parameter's path as
  description); a known stock that BIGBOT does not score (no statements yet, listed after
  the reference date) is simply not eligible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.errors import PartnerError
from sandbox.world.market.instruments import STOCK, Instrument
from sandbox.world.market.reference import reference
from sandbox.world.partners import bigbot as data
from sandbox.world.partners import variant

if TYPE_CHECKING:
    from sandbox.world.partners.bigbot import Board, Score
    from sandbox.world.world import World

FAMILY = "bigbot"
TOP = 10
ONE_JO = 10**12  # 1조원
EXCLUDED = "투자대상 제외 종목"
FINANCE_DROP = "단기 재무효율성 하락"
STOP_LOSS = "손절 기준 도달"


@dataclass(frozen=True)
class Profile:
    """One of the five documented portfolio types and its emulator rules."""

    type: str
    name: str
    min_cap: int  # KRW
    markets: tuple[str, ...]
    finance_grades: str
    price_grades: str
    momentum_grades: str  # price grades admitted when the 60-day momentum is positive
    stop_loss: float


PROFILES: dict[str, Profile] = {p.type: p for p in (
    Profile("1", "안정형", ONE_JO, ("kospi",), "AB", "AB", "", -0.07),
    Profile("2", "준안정형", ONE_JO, ("kospi", "kosdaq"), "AB", "AB", "", -0.10),
    Profile("3", "표준형", 0, ("kospi", "kosdaq"), "AB", "AB", "", -0.12),
    Profile("4", "준적극형", 0, ("kospi", "kosdaq"), "AB", "AB", "C", -0.15),
    Profile("5", "적극형", 0, ("kospi", "kosdaq"), "ABC", "AB", "C", -0.20),
)}


# ------------------------------------------------------------------------------ helpers
def current_board(world: World) -> Board:
    """The scores of the world's reference date (the last trading day before today)."""
    return data.board(world.base_market, world.universe, data.reference_date(world.now()))


def stock(world: World, code: Any, parameter: str) -> Instrument:
    """The listed stock of a 6-digit code, or the partner error naming ``parameter``."""
    if not isinstance(code, str) or len(code) != 6 or not code.isascii() or not code.isdigit():
        raise PartnerError(FAMILY, parameter, "a 6-digit stock code is required")
    inst = world.universe.get(code)
    if inst is None or inst.kind != STOCK:
        raise PartnerError(FAMILY, parameter, f"unknown stock {code}")
    return inst


def profile(portfolio_type: Any) -> Profile:
    found = PROFILES.get(portfolio_type) if isinstance(portfolio_type, str) else None
    if found is None:
        raise PartnerError(FAMILY, "portfolio_type", "1-5 expected")
    return found


def eligible(world: World, board: Board, score: Score, rule: Profile) -> bool:
    """Whether a scored stock belongs to the universe of a portfolio type (module docstring)."""
    inst = score.inst
    if inst.market not in rule.markets or score.market_cap < rule.min_cap:
        return False
    if score.finance_grade not in rule.finance_grades:
        return False
    if score.price_grade not in rule.price_grades:
        if score.price_grade not in rule.momentum_grades:
            return False
        gain = data.momentum(world.base_market, inst, board.day)
        if gain is None or gain <= 0:
            return False
    ref = reference(world.seed, inst)
    return not ref.administrative and ref.warning in ("00", "01")


def _metric(score: Score) -> dict[str, Any]:
    return {"reference_date": score.reference_date.isoformat(),
            "reference_quarter": score.quarter, "stock_name": score.name,
            "stock_code": score.code, "finance": score.finance, "price_merit": score.price_merit}


# ------------------------------------------------------------------------------ 12
def stock_analyzer(world: World, query: dict[str, Any]) -> list[dict[str, Any]] | dict[str, Any]:
    """Endpoint 12: the stock's scores, the best of its industry and three similar stocks."""
    inst = stock(world, query.get("code"), "code")
    board = current_board(world)
    score = board.scores.get(inst.code)
    if score is None:
        raise PartnerError(FAMILY, "code", f"{inst.code} is not analysed on "
                                           f"{board.day.isoformat()} (no published statements)")
    peers = board.peers(score)
    finance_best = min(peers, key=lambda s: (-s.finance, s.code))
    pm_best = min(peers, key=lambda s: (-s.price_merit, s.code))
    similar = sorted((s for s in peers if s.code != score.code),
                     key=lambda s: (-s.combined, s.code))[:3]
    body = {
        "query_stock_info": {"stock_name": score.name, "stock_code": score.code,
                             "wics_name": score.wics},
        "result": {"query_stock": _metric(score), "pm_best": _metric(pm_best),
                   "finance_best": _metric(finance_best),
                   "similar_stocks": [_metric(s) for s in similar]},
    }
    return body if variant(world, "bigbot-object") else [body]


# ------------------------------------------------------------------------------ 13
def recommended(world: World, board: Board, rule: Profile) -> list[Score]:
    """The top :data:`TOP` eligible stocks of a type by combined score, best first."""
    candidates = [s for s in board.scores.values() if eligible(world, board, s, rule)]
    return sorted(candidates, key=lambda s: (-s.combined, s.code))[:TOP]


def ranked_stock_indicators(world: World, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Endpoint 13: the recommended stocks of a portfolio type."""
    if not isinstance(query.get("type"), str) or query["type"] not in PROFILES:
        raise PartnerError(FAMILY, "type", "a portfolio type 1-5 is required")
    board = current_board(world)
    return [{"reference_date": s.reference_date.isoformat(), "reference_quarter": s.quarter,
             "stock_code": s.code, "stock_name": s.name, "wics_name": s.wics,
             "total_market_value": round(s.market_cap / 1e8, 1), "rank": rank,
             "price_grade": s.price_grade, "finance_grade": s.finance_grade}
            for rank, s in enumerate(recommended(world, board, PROFILES[query["type"]]), 1)]


# ------------------------------------------------------------------------------ 17
def verdict(world: World, board: Board, inst: Instrument, rule: Profile,
            profit_ratio: float) -> str:
    """The removal reason of one holding, ``""`` to keep it (first rule that matches)."""
    score = board.scores.get(inst.code)
    if score is None or not eligible(world, board, score, rule):
        return EXCLUDED
    before = score.previous_finance_grade
    if before is not None and (data.GRADES.index(score.finance_grade)
                               - data.GRADES.index(before)) >= 2:
        return FINANCE_DROP
    if profit_ratio <= rule.stop_loss:
        return STOP_LOSS
    return ""


def evaluate(world: World, body: dict[str, Any]) -> dict[str, Any]:
    """Endpoint 17: each holding echoed with ``remove_suggested`` and its reason."""
    rule = profile(body.get("portfolio_type"))
    board = current_board(world)
    out = []
    for i, item in enumerate(body["stocks"]):
        inst = stock(world, item.get("stock_code"), f"stocks[{i}].stock_code")
        ratio = item["profit_ratio"]
        reason = verdict(world, board, inst, rule, float(ratio))
        out.append({"stock_name": item.get("stock_name", inst.name), "stock_code": inst.code,
                    "profit_ratio": ratio, "remove_suggested": reason != "",
                    "remove_suggested_description": reason})
    return {"stocks": out, "portfolio_type": rule.type}
