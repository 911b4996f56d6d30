"""BIGBOT (Bigtree, partners.md F4) questionnaire, profile mapping, portfolio evaluation and
asset allocation (endpoints 14-18); the analysis endpoints 12-13 are in test_partners_bigbot."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.partners.bigbot import allocation, models, survey
from sandbox.world.market.instruments import load_universe
from sandbox.world.market.prices import Market
from sandbox.world.partners import bigbot as data
from sandbox.world.world import World, WorldSettings
from tests.conftest import (
    FROZEN,
    assert_partner_error,
    ok,
    partner_get,
    partner_post,
    set_clock,
)
from tests.test_partners_bigbot import (
    DISTRIBUTION,
    EVALUATE,
    INFO,
    QUESTION_OPTIONS,
    SAMPLE_ANSWERS,
    SURVEY_LIST,
    SURVEY_RESULT,
    WELL_KNOWN,
)


# ------------------------------------------------------------------------------ 14-16 survey
def test_survey_list_has_the_documented_questions(client: FlaskClient) -> None:
    questions = ok(partner_get(client, SURVEY_LIST))["survey_list"]
    assert list(questions) == list(QUESTION_OPTIONS)
    for key, count in QUESTION_OPTIONS.items():
        assert list(questions[key]) == [str(n) for n in range(1, count + 1)]
        assert all(isinstance(text, str) and text for text in questions[key].values())
    assert ok(partner_get(client, SURVEY_LIST + "/")) == {"survey_list": questions}


def test_survey_result_scores_the_sample_and_both_spellings(client: FlaskClient) -> None:
    body = ok(partner_post(client, SURVEY_RESULT, {"survey_result": SAMPLE_ANSWERS}))
    assert body == {"portfolio_name": "표준형", "portfolio_type": "3", "result_score": 48}
    aliased = dict(SAMPLE_ANSWERS)
    aliased["최대손실경험"] = aliased.pop("최대손실경험해당사항")
    aliased["최대손실경험대응"] = aliased.pop("최대손실경험 대응")
    assert ok(partner_post(client, SURVEY_RESULT + "/", {"survey_result": aliased})) == body
    # only the highest-scoring experience counts: 7 (선물/옵션) adds 15 - 8 points
    more = dict(SAMPLE_ANSWERS, 투자경험=["1", "7", "3"])
    assert ok(partner_post(client, SURVEY_RESULT, {"survey_result": more}))["result_score"] == 55


def test_survey_extremes_and_bands(client: FlaskClient) -> None:
    lowest = {k: ["1"] if k == "투자경험" else "1" for k in QUESTION_OPTIONS}
    lowest["나이"] = "5"
    highest = {k: [str(n)] if k == "투자경험" else str(n) for k, n in QUESTION_OPTIONS.items()}
    highest["나이"] = "2"
    assert ok(partner_post(client, SURVEY_RESULT, {"survey_result": lowest})) == {
        "portfolio_name": "안정형", "portfolio_type": "1", "result_score": 10}
    assert ok(partner_post(client, SURVEY_RESULT, {"survey_result": highest})) == {
        "portfolio_name": "적극형", "portfolio_type": "5", "result_score": 100}
    for score, kind in ((10, "1"), (20, "1"), (21, "2"), (40, "2"), (41, "3"), (60, "3"),
                        (61, "4"), (80, "4"), (81, "5"), (100, "5")):
        assert survey.band(score).type == kind


@pytest.mark.parametrize(("answers", "parameter"), [
    ({k: v for k, v in SAMPLE_ANSWERS.items() if k != "투자금"}, "survey_result.투자금"),
    ({k: v for k, v in SAMPLE_ANSWERS.items() if k != "최대손실경험 대응"},
     "survey_result.최대손실경험 대응"),
    (dict(SAMPLE_ANSWERS, 투자금="6"), "survey_result.투자금"),
    (dict(SAMPLE_ANSWERS, 투자금="0"), "survey_result.투자금"),
    (dict(SAMPLE_ANSWERS, 투자금=3), "survey_result.투자금"),
    (dict(SAMPLE_ANSWERS, 투자금="03"), "survey_result.투자금"),
    (dict(SAMPLE_ANSWERS, 투자금=None), "survey_result.투자금"),
    (dict(SAMPLE_ANSWERS, 투자경험="3"), "survey_result.투자경험"),
    (dict(SAMPLE_ANSWERS, 투자경험=[]), "survey_result.투자경험"),
    (dict(SAMPLE_ANSWERS, 투자경험=["3", "8"]), "survey_result.투자경험"),
    (dict(SAMPLE_ANSWERS, 선호상품=["3"]), "survey_result.선호상품"),
])
def test_survey_result_errors_name_the_question(client: FlaskClient, answers: dict[str, Any],
                                                parameter: str) -> None:
    response = partner_post(client, SURVEY_RESULT, {"survey_result": answers})
    assert_partner_error(response, "bigbot", parameter)


@pytest.mark.parametrize("body", [{}, {"survey_result": []}, {"survey_result": "x"},
                                  {"answers": SAMPLE_ANSWERS}])
def test_survey_result_needs_an_answer_object(client: FlaskClient, body: Any) -> None:
    assert_partner_error(partner_post(client, SURVEY_RESULT, body), "bigbot", "survey_result")


def test_investor_info_converts_the_score(client: FlaskClient) -> None:
    for score, total, expected, kind in ((24, 32, 75, "4"), (0, 10, 0, "1"), (10, 10, 100, "5"),
                                         (1, 8, 13, "1"), (41, 100, 41, "3"), (3, 7, 43, "3")):
        body = ok(partner_post(client, INFO, {"score": score, "total_score": total}))
        assert body["convert_score"] == expected and body["portfolio_type"] == kind


@pytest.mark.parametrize(("body", "parameter"), [
    ({"score": 24, "total_score": 0}, "total_score"),
    ({"score": 0, "total_score": -3}, "total_score"),
    ({"score": 33, "total_score": 32}, "score"),
    ({"score": -1, "total_score": 32}, "score"),
    ({"score": "24", "total_score": 32}, "score"),
    ({"score": 2.5, "total_score": 32}, "score"),
    ({"total_score": 32}, "score"),
    ({"score": 24}, "total_score"),
])
def test_investor_info_errors(client: FlaskClient, body: dict[str, Any], parameter: str) -> None:
    assert_partner_error(partner_post(client, INFO, body), "bigbot", parameter)


# ------------------------------------------------------------------------------ 17 evaluate
def _holding(board: data.Board, w: World, rule: models.Profile, drop: bool) -> data.Score | None:
    for score in board.scores.values():
        if not models.eligible(w, board, score, rule) or score.previous_finance_grade is None:
            continue
        fell = data.GRADES.index(score.finance_grade) - data.GRADES.index(
            score.previous_finance_grade) >= 2
        if fell == drop:
            return score
    return None


def test_evaluate_rules_first_match(client: FlaskClient, state: SandboxState) -> None:
    w = state.world
    board = models.current_board(w)
    rule = models.PROFILES["3"]
    kept = _holding(board, w, rule, drop=False)
    assert kept is not None
    konex = next(s for s in board.scores.values() if s.inst.market == "konex")
    stocks = [
        {"stock_code": konex.code, "stock_name": "아무개", "profit_ratio": 0.3},
        {"stock_code": kept.code, "stock_name": kept.name, "profit_ratio": -0.12},
        {"stock_code": kept.code, "profit_ratio": -0.1199},
    ]
    body = ok(partner_post(client, EVALUATE, {"portfolio_type": "3", "stocks": stocks}))
    assert body["portfolio_type"] == "3"
    assert [(s["remove_suggested"], s["remove_suggested_description"]) for s in body["stocks"]] \
        == [(True, "투자대상 제외 종목"), (True, "손절 기준 도달"), (False, "")]
    assert body["stocks"][0]["stock_name"] == "아무개"  # echoed as sent
    assert body["stocks"][2]["stock_name"] == kept.name  # filled in when absent
    assert [s["profit_ratio"] for s in body["stocks"]] == [0.3, -0.12, -0.1199]


def test_evaluate_flags_a_fall_of_financial_efficiency(state: SandboxState) -> None:
    """A type-5 holding whose finance grade fell from A to C: the fall wins over the stop-loss,
    eligibility wins over the fall."""
    w = state.world
    board = models.current_board(w)
    rule = models.PROFILES["5"]
    score = _holding(board, w, rule, drop=False)
    assert score is not None
    fallen = dataclasses.replace(score, finance_grade="C", previous_finance_grade="A")
    crafted = dataclasses.replace(board, scores={**board.scores, score.code: fallen})
    assert models.verdict(w, crafted, score.inst, rule, -0.5) == "단기 재무효율성 하락"
    one_grade = dataclasses.replace(score, finance_grade="C", previous_finance_grade="B")
    crafted = dataclasses.replace(board, scores={**board.scores, score.code: one_grade})
    assert models.verdict(w, crafted, score.inst, rule, 0.1) == ""
    assert models.verdict(w, crafted, score.inst, models.PROFILES["3"], 0.1) == \
        "투자대상 제외 종목"
    # in the real board, every flagged holding did lose two grades or more
    for kind, rule in models.PROFILES.items():
        for s in board.scores.values():
            if models.verdict(w, board, s.inst, rule, 0.0) == "단기 재무효율성 하락":
                assert s.previous_finance_grade is not None, kind
                assert data.GRADES.index(s.finance_grade) - \
                    data.GRADES.index(s.previous_finance_grade) >= 2


def test_evaluate_stop_loss_per_type(state: SandboxState) -> None:
    w = state.world
    board = models.current_board(w)
    for kind, stop in (("1", -0.07), ("2", -0.10), ("3", -0.12), ("4", -0.15), ("5", -0.20)):
        rule = models.PROFILES[kind]
        score = _holding(board, w, rule, drop=False)
        assert score is not None, kind
        assert models.verdict(w, board, score.inst, rule, stop) == "손절 기준 도달"
        assert models.verdict(w, board, score.inst, rule, stop + 0.001) == ""


@pytest.mark.parametrize(("body", "parameter"), [
    ({"portfolio_type": "6", "stocks": [{"stock_code": "005930", "profit_ratio": 0}]},
     "portfolio_type"),
    ({"portfolio_type": 3, "stocks": [{"stock_code": "005930", "profit_ratio": 0}]},
     "portfolio_type"),
    ({"portfolio_type": "3"}, "stocks"),
    ({"portfolio_type": "3", "stocks": []}, "stocks"),
    ({"portfolio_type": "3", "stocks": [{"stock_code": "999999", "profit_ratio": 0}]},
     "stocks[0].stock_code"),
    ({"portfolio_type": "3", "stocks": [{"stock_code": "005930", "profit_ratio": 0},
                                        {"stock_code": "59300", "profit_ratio": 0}]},
     "stocks[1].stock_code"),
    ({"portfolio_type": "3", "stocks": [{"stock_code": "005930", "profit_ratio": "-0.1"}]},
     "stocks[0].profit_ratio"),
    ({"portfolio_type": "3", "stocks": [{"stock_code": "005930"}]}, "stocks[0].profit_ratio"),
])
def test_evaluate_errors(client: FlaskClient, body: dict[str, Any], parameter: str) -> None:
    assert_partner_error(partner_post(client, EVALUATE, body), "bigbot", parameter)


# ------------------------------------------------------------------------------ 18 allocation
def _allocation(total: int, position: float, kind: str, codes: dict[str, int]) -> dict[str, Any]:
    return {"total_asset": total, "stock_position": position, "distribute_type": kind,
            "stocks": [{"holding_amount": held, "stock_code": code, "stock_name": "x"}
                       for code, held in codes.items()]}


def _check_rows(w: World, body: dict[str, Any], request: dict[str, Any]) -> None:
    total = request["total_asset"]
    for row in body["stocks"]:
        inst = w.universe.get(row["stock_code"])
        assert inst is not None
        price = w.market.quote(inst, w.now()).price
        assert row["stock_price"] == price
        assert row["holding_valuation"] == row["holding_amount"] * price
        assert row["holding_ratio"] == round(row["holding_valuation"] / total, 4)
        assert row["new_amount"] == row["distributed_cash"] // price
        assert row["new_valuation"] == row["new_amount"] * price
        assert row["new_ratio"] == round(row["new_valuation"] / total, 4)


def test_equal_weighted_allocation(client: FlaskClient, state: SandboxState) -> None:
    request = _allocation(30_000_000, 0.7, "1", {"005930": 10, "000880": 40, "000660": 0})
    body = ok(partner_post(client, DISTRIBUTION, request))
    assert body["invest_amount"] == 21_000_000 and body["stock_position"] == 0.7
    assert [r["distributed_cash"] for r in body["stocks"]] == [7_000_000] * 3
    assert [r["stock_code"] for r in body["stocks"]] == ["005930", "000880", "000660"]
    _check_rows(state.world, body, request)


def test_value_weighted_allocation(client: FlaskClient, state: SandboxState) -> None:
    request = _allocation(100_000_000, 1, "0", {"005930": 0, "000020": 5})
    body = ok(partner_post(client, DISTRIBUTION, request))
    w = state.world
    caps = []
    for code in ("005930", "000020"):
        inst = w.universe.get(code)
        assert inst is not None
        caps.append(inst.shares * int(w.market.quote(inst, w.now()).price))
    assert [r["distributed_cash"] for r in body["stocks"]] == [
        100_000_000 * cap // sum(caps) for cap in caps]
    assert body["invest_amount"] == 100_000_000 and body["stock_position"] == 1
    _check_rows(w, body, request)


def test_allocation_prices_follow_the_clock_and_the_alias(client: FlaskClient,
                                                          state: SandboxState) -> None:
    request = _allocation(50_000_000, 0.5, "1", {"005930": 1})
    del request["stock_position"]
    request["stock_postion"] = 0.5
    before = ok(partner_post(client, DISTRIBUTION, request))
    set_clock(state, "2026-11-26T14:00:00+09:00")
    after = ok(partner_post(client, DISTRIBUTION, request))
    assert before["invest_amount"] == after["invest_amount"] == 25_000_000
    _check_rows(state.world, after, request)
    assert before["stocks"][0]["stock_price"] != after["stocks"][0]["stock_price"]
    zero = ok(partner_post(client, DISTRIBUTION, _allocation(1000, 0, "0", {"005930": 0})))
    assert zero["invest_amount"] == 0 and zero["stocks"][0]["new_amount"] == 0


@pytest.mark.parametrize(("change", "parameter"), [
    ({"stock_position": 1.5}, "stock_position"),
    ({"stock_position": -0.1}, "stock_position"),
    ({"stock_position": "0.5"}, "stock_position"),
    ({"stock_position": None, "stock_postion": 2}, "stock_postion"),
    ({"stock_position": None}, "stock_position"),
    ({"total_asset": -5}, "total_asset"),
    ({"total_asset": 0}, "total_asset"),
    ({"total_asset": 1.5}, "total_asset"),
    ({"distribute_type": "2"}, "distribute_type"),
    ({"distribute_type": 1}, "distribute_type"),
    ({"stocks": []}, "stocks"),
    ({"stocks": [{"holding_amount": -1, "stock_code": "005930"}]}, "stocks[0].holding_amount"),
    ({"stocks": [{"stock_code": "005930"}]}, "stocks[0].holding_amount"),
    ({"stocks": [{"holding_amount": 1, "stock_code": "999999"}]}, "stocks[0].stock_code"),
    ({"stocks": [{"holding_amount": 1, "stock_code": "005930"},
                 {"holding_amount": 2, "stock_code": "005930"}]}, "stocks[1].stock_code"),
])
def test_allocation_errors(client: FlaskClient, change: dict[str, Any], parameter: str) -> None:
    request = _allocation(30_000_000, 1, "1", {"005930": 1})
    request.update(change)
    request = {k: v for k, v in request.items() if v is not None}
    assert_partner_error(partner_post(client, DISTRIBUTION, request), "bigbot", parameter)


# ------------------------------------------------------------------------------ properties
@settings(max_examples=50, deadline=None)
@given(st.fixed_dictionaries({k: st.integers(1, n) for k, n in QUESTION_OPTIONS.items()}),
       st.sets(st.integers(1, 7), min_size=1))
def test_survey_scores_stay_in_range_with_consistent_bands(choice: dict[str, int],
                                                           experience: set[int]) -> None:
    answers: dict[str, Any] = {k: str(v) for k, v in choice.items()}
    answers["투자경험"] = [str(v) for v in sorted(experience)]
    table = {q.key: q.points for q in survey.questionnaire().questions}
    expected = sum(table[k][v - 1] for k, v in choice.items() if k != "투자경험") + \
        max(table["투자경험"][v - 1] for v in experience)
    score = survey.score_answers(answers)
    assert score == expected and 10 <= score <= 100
    found = survey.band(score)
    lower = {"1": 0, "2": 21, "3": 41, "4": 61, "5": 81}[found.type]
    assert lower <= score <= found.upto


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 10**9), st.data())
def test_converted_scores_round_half_up(total: int, draw: st.DataObject) -> None:
    score = draw.draw(st.integers(0, total))
    body = survey.investor_info({"score": score, "total_score": total})
    exact = Fraction(score * 100, total)
    assert body["convert_score"] == int(exact + Fraction(1, 2))
    assert 0 <= body["convert_score"] <= 100
    assert survey.band(body["convert_score"]).type == body["portfolio_type"]


class _World:
    """Just what the allocation model reads: a clock, a market and the universe."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.universe = load_universe()
        self.base_market = Market(seed, self.universe.get)
        self._now = World(WorldSettings(seed=seed, clock=FROZEN, users=0)).now()

    def now(self) -> Any:
        return self._now


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.lists(st.sampled_from(WELL_KNOWN), min_size=1, max_size=5,
                                        unique=True),
       st.integers(1, 10**12), st.floats(0, 1), st.sampled_from(["0", "1"]),
       st.integers(0, 10**5))
def test_allocation_sums(seed: int, codes: list[str], total: int, position: float, kind: str,
                         held: int) -> None:
    fake: Any = _World(seed)
    request = _allocation(total, position, kind, dict.fromkeys(codes, held))
    body = allocation.distribution_property(fake, request)
    invest = body["invest_amount"]
    assert invest == int(Fraction(total) * Fraction(repr(position)))
    cash = [r["distributed_cash"] for r in body["stocks"]]
    assert sum(cash) <= invest and invest - sum(cash) < len(cash)
    for row in body["stocks"]:
        price = row["stock_price"]
        assert 0 <= row["distributed_cash"] - row["new_valuation"] < price
        assert row["new_valuation"] == row["new_amount"] * price
        assert row["new_ratio"] == round(row["new_valuation"] / total, 4) <= 1
        assert row["holding_ratio"] == round(held * price / total, 4)
    if kind == "1":
        assert len(set(cash)) == 1
