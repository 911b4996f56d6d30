"""BIGBOT (Bigtree, partners.md F4): the documented examples of endpoints 12-18, stock analysis
(12), recommended portfolio (13), routing, faults and fuzzing; endpoints 14-18 in detail are in
test_partners_bigbot_portfolio."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.partners.bigbot import models
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import STOCK, load_universe
from sandbox.world.market.prices import Market
from sandbox.world.market.reference import fundamentals, reference
from sandbox.world.partners import bigbot as data
from sandbox.world.partners.financials import latest_quarters
from sandbox.world.world import World, WorldSettings
from tests.conftest import (
    FROZEN,
    assert_covers,
    assert_partner_error,
    example,
    ok,
    partner_call,
    partner_get,
    partner_post,
    set_clock,
)
from tests.strategies import json_values

ANALYZER = "/v1/bigbot/stock_analyzer"  # partners.bigbot_stock_analyzer
RANKED = "/v1/bigbot/ranked_stock_indicators"  # partners.bigbot_ranked_stock_indicators
SURVEY_LIST = "/v1/bigbot/investor_survey_list"  # partners.bigbot_investor_survey_list
SURVEY_RESULT = "/v1/bigbot/investor_survey_result"  # partners.bigbot_investor_survey_result
INFO = "/v1/bigbot/investor_info"  # partners.bigbot_investor_info
EVALUATE = "/v1/bigbot/evaluate"  # partners.bigbot_evaluate
DISTRIBUTION = "/v1/bigbot/distribution_property"  # partners.bigbot_distribution_property

REFERENCE_DAY = date(2026, 11, 23)  # the trading day before FROZEN (2026-11-24)
SAMPLE_ANSWERS = {"투자금": "3", "투자목적": "2", "소득현황": "2", "나이": "1",
                  "투자경험": ["3", "4", "5"], "최대손실경험해당사항": "2",
                  "최대손실경험 대응": "2", "투자지식": "2", "선호상품": "3"}
QUESTION_OPTIONS = {"투자금": 5, "투자목적": 3, "소득현황": 3, "나이": 5, "투자경험": 7,
                    "최대손실경험해당사항": 6, "최대손실경험 대응": 4, "투자지식": 4, "선호상품": 4}
WELL_KNOWN = ("005930", "000660", "005380", "000880", "035420", "051910", "000020", "005850",
              "105560", "015760")


def world(seed: int = 42, clock: str = FROZEN, **settings: Any) -> World:
    return World(WorldSettings(seed=seed, clock=clock, users=0, **settings))


def analyze(client: FlaskClient, code: str) -> dict[str, Any]:
    body = ok(partner_get(client, ANALYZER, code=code))
    assert isinstance(body, list) and len(body) == 1
    return body[0]  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ examples
@pytest.mark.parametrize("name", ["stock_analyzer", "ranked_stock_indicators",
                                  "investor_survey_list", "investor_survey_result",
                                  "investor_info", "evaluate"])
def test_documented_requests_answer_the_documented_keys(client: FlaskClient, name: str) -> None:
    response = partner_call(client, example(f"partners/bigbot_{name}.request.json"))
    assert_covers(f"partners/bigbot_{name}.response.json", ok(response))


def test_documented_distribution_request(client: FlaskClient, state: SandboxState) -> None:
    described = example("partners/bigbot_distribution_property.request.json")
    for stock in described["body"]["stocks"]:  # 000640 동아쏘시오홀딩스 and 005930
        inst = state.world.universe.get(stock["stock_code"])
        assert inst is not None and inst.name == stock["stock_name"]
    assert_covers("partners/bigbot_distribution_property.response.json",
                  ok(partner_call(client, described)))


def test_documented_survey_and_profile_samples_are_reproduced(client: FlaskClient) -> None:
    for name in ("investor_survey_result", "investor_info"):
        described = example(f"partners/bigbot_{name}.request.json")
        assert ok(partner_call(client, described)) == example(
            f"partners/bigbot_{name}.response.json")


def test_documented_evaluate_stocks_exist(state: SandboxState) -> None:
    for code, name in (("000020", "동화약품"), ("005850", "에스엘")):
        inst = state.world.universe.get(code)
        assert inst is not None and inst.name == name and inst.kind == STOCK


def test_unknown_code_is_the_documented_error(client: FlaskClient) -> None:
    response = partner_get(client, ANALYZER, code="999999")
    assert_partner_error(response, "bigbot", "code")
    assert response.get_json() == example(
        "partners/bigbot_stock_analyzer.error.proposed.response.json")


# ------------------------------------------------------------------------------ 12 analyzer
def test_analyzer_scores_within_the_industry(client: FlaskClient, state: SandboxState) -> None:
    body = analyze(client, "005930")
    info, result = body["query_stock_info"], body["result"]
    assert info == {"stock_name": "삼성전자", "stock_code": "005930",
                    "wics_name": "반도체와반도체장비"}
    query = result["query_stock"]
    assert query["reference_date"] == "2026-11-23"
    assert query["reference_quarter"] == "2026-3Q"
    assert result["finance_best"]["finance"] == 1.0
    assert result["pm_best"]["price_merit"] == 1.0
    similar = result["similar_stocks"]
    assert len(similar) == 3 and "005930" not in [s["stock_code"] for s in similar]
    combined = [s["finance"] + s["price_merit"] for s in similar]
    assert combined == sorted(combined, reverse=True)
    for peer in [*similar, result["finance_best"], result["pm_best"]]:
        assert analyze(client, peer["stock_code"])["query_stock_info"]["wics_name"] == \
            "반도체와반도체장비"
        assert analyze(client, peer["stock_code"])["result"]["query_stock"] == peer
    # the industry's best scores beat every similar stock's
    assert all(s["finance"] <= 1.0 and s["price_merit"] <= 1.0 for s in similar)


def test_analyzer_reproduces_financials_and_prices(state: SandboxState) -> None:
    """The finance and price-merit scores, recomputed here from the statements and the
    master's per-share figures, min-max within the industry."""
    w = state.world
    board = models.current_board(w)
    members = board.industries["반도체와반도체장비"]
    finance, merit = {}, {}
    for code in members:
        inst = w.universe.get(code)
        assert inst is not None
        quarter = latest_quarters(w.market, inst, REFERENCE_DAY, 1)[0]
        finance[code] = data.finance_raw(quarter)
        close = w.market.closing_bar(inst, REFERENCE_DAY)
        assert close is not None
        ratios = fundamentals(w.market, inst, REFERENCE_DAY)
        merit[code] = 0.5 * min(3.0, max(-2.0, 11 * ratios.eps / close.close)) + \
            0.5 * min(3.0, max(0.0, 1.1 * ratios.bps / close.close))
    for raw, field in ((finance, "finance"), (merit, "price_merit")):
        lo, hi = min(raw.values()), max(raw.values())
        for code, value in raw.items():
            expected = round(-1 + 2 * (value - lo) / (hi - lo), 4)
            assert getattr(board.scores[code], field) == pytest.approx(expected, abs=1e-9)


def test_analyzer_accepts_the_trailing_slash_and_the_query_key(client: FlaskClient) -> None:
    plain = partner_get(client, ANALYZER, code="000660")
    slash = partner_get(client, ANALYZER + "/", code="000660")
    assert plain.status_code == slash.status_code == 200
    assert plain.get_data() == slash.get_data()
    from tests.conftest import F0995_KEY

    by_query = client.get(ANALYZER + "/", query_string={"code": "000660", "apikey": F0995_KEY})
    assert by_query.get_data() == plain.get_data()


@pytest.mark.parametrize("code", ["", "12345", "1234567", "A05930", "abcdef", "069500x",
                                  "999999", "00593O"])
def test_analyzer_rejects_malformed_and_unknown_codes(client: FlaskClient, code: str) -> None:
    assert_partner_error(partner_get(client, ANALYZER, code=code), "bigbot", "code")


def test_analyzer_rejects_a_missing_code_and_non_stocks(client: FlaskClient,
                                                        state: SandboxState) -> None:
    assert_partner_error(partner_get(client, ANALYZER), "bigbot", "code")
    fund = next(i for i in state.world.universe if i.kind == "etf" and len(i.code) == 6)
    assert_partner_error(partner_get(client, ANALYZER, code=fund.code), "bigbot", "code")


def test_analyzer_object_variant() -> None:
    switched = world(partner_variants=frozenset({"bigbot-object"}))
    body = models.stock_analyzer(switched, {"code": "005930"})
    assert isinstance(body, dict)
    assert body == models.stock_analyzer(world(), {"code": "005930"})[0]  # type: ignore[index]


def test_every_stock_has_a_wics_industry() -> None:
    table = data.wics()
    stocks = [i for i in load_universe() if i.kind == STOCK]
    assert stocks
    for inst in stocks:
        assert inst.sector in table.sectors, inst
    assert set(table.overrides) <= {i.code for i in stocks}
    assert table.of(load_universe().get("005930")) == "반도체와반도체장비"  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ 13 ranked
@pytest.mark.parametrize("kind", ["1", "2", "3", "4", "5"])
def test_ranked_lists_the_top_eligible_stocks(client: FlaskClient, state: SandboxState,
                                              kind: str) -> None:
    rows = ok(partner_get(client, RANKED + "/", type=kind))
    w = state.world
    board = models.current_board(w)
    rule = models.PROFILES[kind]
    assert 1 <= len(rows) <= 10
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    scores = [board.scores[r["stock_code"]] for r in rows]
    combined = [s.combined for s in scores]
    assert combined == sorted(combined, reverse=True)
    eligible = [s for s in board.scores.values() if models.eligible(w, board, s, rule)]
    best = sorted(s.combined for s in eligible)[-len(rows):]
    assert sorted(combined) == best
    for row, score in zip(rows, scores, strict=True):
        inst = w.universe.get(row["stock_code"])
        assert inst is not None and row["stock_name"] == inst.name
        close = w.market.closing_bar(inst, REFERENCE_DAY)
        assert close is not None
        assert row["total_market_value"] == round(inst.shares * close.close / 1e8, 1)
        assert row["reference_date"] == "2026-11-23" and row["wics_name"] == score.wics
        assert row["finance_grade"] in rule.finance_grades
        ref = reference(w.seed, inst)
        assert not ref.administrative and ref.warning in ("00", "01")
        if kind in "12":
            assert row["total_market_value"] >= 10000
            assert row["price_grade"] in "AB"
        if kind == "1":
            assert inst.market == "kospi"
        if row["price_grade"] == "C":
            momentum = data.momentum(w.market, inst, REFERENCE_DAY)
            assert kind in "45" and momentum is not None and momentum > 0


def test_grades_are_market_quintiles(state: SandboxState) -> None:
    board = models.current_board(state.world)
    n = len(board.scores)
    for field, grade in (("finance", "finance_grade"), ("price_merit", "price_grade")):
        counts = {g: sum(getattr(s, grade) == g for s in board.scores.values()) for g in "ABCDE"}
        assert sum(counts.values()) == n
        assert all(abs(c - n / 5) <= 1 for c in counts.values()), counts
        worst_a = min(getattr(s, field) for s in board.scores.values() if getattr(s, grade) == "A")
        best_b = max(getattr(s, field) for s in board.scores.values() if getattr(s, grade) == "B")
        assert worst_a >= best_b


@pytest.mark.parametrize("kind", [None, "", "0", "6", "abc", "1.0"])
def test_ranked_needs_a_type(client: FlaskClient, kind: str | None) -> None:
    query = {} if kind is None else {"type": kind}
    assert_partner_error(partner_get(client, RANKED, **query), "bigbot", "type")


def test_same_request_same_bytes_and_another_seed_other_data(client: FlaskClient) -> None:
    first = partner_get(client, RANKED, type="3").get_data()
    assert partner_get(client, RANKED, type="3").get_data() == first
    other = world(seed=7)
    assert models.ranked_stock_indicators(other, {"type": "3"}) != \
        models.ranked_stock_indicators(world(), {"type": "3"})
    assert models.stock_analyzer(other, {"code": "005930"}) != \
        models.stock_analyzer(world(), {"code": "005930"})


def test_the_reference_date_and_quarter_follow_the_clock(client: FlaskClient,
                                                         state: SandboxState) -> None:
    set_clock(state, "2026-11-25T08:00:00+09:00")
    assert analyze(client, "005930")["result"]["query_stock"]["reference_date"] == "2026-11-24"
    # before the third quarter's statements are published (45 days after 30 September)
    set_clock(state, "2026-11-10T09:00:00+09:00")
    query = analyze(client, "005930")["result"]["query_stock"]
    assert query["reference_date"] == "2026-11-09"
    assert query["reference_quarter"] == "2026-2Q"


# ------------------------------------------------------------------------------ common
def test_faults_and_wrong_methods(client: FlaskClient) -> None:
    switched = client.post("/_sandbox/partners/bigbot/faults", json={"fault": "down"})
    assert switched.status_code == 200
    response = partner_get(client, SURVEY_LIST)
    assert response.status_code == 503
    client.post("/_sandbox/partners/bigbot/faults", json={"fault": "down", "on": False})
    assert partner_get(client, SURVEY_LIST).status_code == 200
    assert partner_get(client, EVALUATE).status_code == 405
    assert partner_post(client, RANKED, {"type": "1"}).status_code == 405


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([SURVEY_RESULT, INFO, EVALUATE, DISTRIBUTION]),
       st.dictionaries(st.sampled_from(["survey_result", "score", "total_score", "portfolio_type",
                                        "stocks", "total_asset", "stock_position",
                                        "distribute_type", "x"]), json_values, max_size=4))
def test_any_body_is_answered_without_a_server_error(client: FlaskClient, path: str,
                                                      body: dict[str, Any]) -> None:
    response = partner_post(client, path, body)
    assert response.status_code in (200, 400), response.get_data(as_text=True)


# ------------------------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.lists(st.sampled_from(sorted(data.wics().sectors)), min_size=1,
                                        max_size=3, unique=True), st.integers(0, 40))
def test_analyzer_scores_are_normalised_in_each_industry(seed: int, sectors: list[str],
                                                         back: int) -> None:
    universe = load_universe()
    market = Market(seed, universe.get)
    day = cal.day_at(cal.index_on_or_before(REFERENCE_DAY) - back * 20)
    stocks = [i for i in universe if i.kind == STOCK and i.sector in sectors
              and i.is_listed(day)][:40]
    board = data.build_board(market, stocks, day)
    for codes in board.industries.values():
        members = [board.scores[c] for c in codes]
        for field in ("finance", "price_merit"):
            values = [getattr(s, field) for s in members]
            assert all(-1.0 <= v <= 1.0 for v in values)
            if len(members) >= 2 and len(set(values)) > 1:
                assert max(values) == 1.0 and min(values) == -1.0
            if len(members) == 1:
                assert values == [0.0]
    grades = [s.finance_grade for s in board.scores.values()]
    assert all(abs(grades.count(g) - len(grades) / 5) <= 1 for g in "ABCDE")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), max_size=30))
def test_rescale_is_a_min_max_to_plus_minus_one(values: list[float]) -> None:
    scaled = data.rescale(values)
    assert len(scaled) == len(values)
    assert all(-1.0 <= v <= 1.0 for v in scaled)
    if values and max(values) - min(values) > 1e-12:
        assert scaled[values.index(max(values))] == 1.0
        assert scaled[values.index(min(values))] == -1.0
