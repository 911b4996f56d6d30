"""Fabotdw portfolio (42) and Fabot rank (43): the documented shapes, the allocation rules,
paging, the daily batch, the ``fabot-rank-schema`` variant and the errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import Config, SandboxState, create_app
from sandbox.families.partners.fabotdw.models_portfolio import candidates
from sandbox.world.market.instruments import load_universe
from sandbox.world.market.reference import FINANCIAL
from sandbox.world.partners import fabot_scores
from sandbox.world.partners.fabot_ratios import debt_ratio, stock_quarters
from sandbox.world.world import World, WorldSettings, market_of
from tests.conftest import FROZEN, assert_partner_error, ok, partner_get, set_clock

V1 = "/v1/fabotdw"
UNIVERSE = load_universe()
MARKET = market_of(42)
NAMES = ("EAS", "GAS", "IAS", "MLS", "TAS", "VAS")


def get(client: FlaskClient, path: str) -> Any:
    return ok(partner_get(client, path))


# ------------------------------------------------------------------------------ portfolio
@pytest.mark.parametrize(("amount", "size"), [("1000", 4), ("2500", 5), ("5000", 10),
                                              ("100000", 10)])
def test_portfolio_allocation(client: FlaskClient, amount: str, size: int) -> None:
    result = get(client, f"{V1}/portfolio/{amount}")["result"]
    krw = int(amount) * 10_000
    assert result["amount"] == amount and result["invest_amount"] == krw
    rows = result["data"]
    assert result["data_length"] == len(rows) == size
    world = World(WorldSettings(seed=42, clock=FROZEN))
    now = world.now()
    eligible = {i.code for i in candidates(MARKET, UNIVERSE, now.date())}
    invested = 0
    for row in rows:
        inst = UNIVERSE.get(row["stockcode"])
        assert inst is not None and row["stockname"] == inst.name
        assert row["stockcode"] in eligible
        assert row["price"] == world.market.quote(inst, now).price
        assert row["quantity"] >= 1 and row["quantity"] == (krw // size) // row["price"]
        assert row["invest_amount"] == row["price"] * row["quantity"]
        assert row["weight"] == round(row["invest_amount"] / krw * 100, 2)
        invested += row["invest_amount"]
    assert result["remain_amount"] == krw - invested >= 0
    sectors = [UNIVERSE.get(r["stockcode"]).sector for r in rows]
    assert len(set(sectors)) == len(sectors)  # sector-diversified


def test_portfolio_candidates_have_good_results() -> None:
    day = date(2026, 11, 24)
    chosen = candidates(MARKET, UNIVERSE, day)
    assert len(chosen) >= 10
    for inst in chosen:
        quarters = stock_quarters(MARKET, inst, day)
        assert len(quarters) == 4
        assert all(q.operating_profit > 0 for q in quarters)
        assert quarters[0].operating_profit > quarters[-1].operating_profit
        ratio = debt_ratio(quarters[0])
        assert ratio is not None and (ratio < 200 or inst.sector in FINANCIAL)


@pytest.mark.parametrize("amount", ["1"])
def test_portfolio_too_small_is_the_documented_empty_list(client: FlaskClient,
                                                          amount: str) -> None:
    result = get(client, f"{V1}/portfolio/{amount}")["result"]
    assert result["data_length"] == 0 and result["data"] == []
    assert result["remain_amount"] == result["invest_amount"] == int(amount) * 10_000


@pytest.mark.parametrize("amount", ["0", "abc", "-5", "1.5", "1000000000", "100000001", "%20"])
def test_portfolio_bad_amount(client: FlaskClient, amount: str) -> None:
    assert_partner_error(partner_get(client, f"{V1}/portfolio/{amount}"), "fabotdw", "amount")


# ------------------------------------------------------------------------------ rank
def test_rank_page_shape_and_arithmetic(client: FlaskClient) -> None:
    rows = get(client, f"{V1}/fabot_rank/mix_score/1/3")
    assert isinstance(rows, list) and len(rows) == 3
    assert [r["rank"] for r in rows] == [1, 2, 3]
    for row in rows:
        scores = [row[n] for n in NAMES]
        assert all(0 <= s <= 100 for s in scores)
        assert row["avg_score"] == round(sum(scores) / 6, 2)
        before = [row[f"before_{n}"] for n in NAMES]
        assert row["before_avg_score"] == round(sum(before) / 6, 2)
        assert UNIVERSE.get(row["stockcode"]).name == row["name"]
    assert [r["avg_score"] for r in rows] == sorted((r["avg_score"] for r in rows), reverse=True)
    again = get(client, f"{V1}/fabot_rank/mix_score/2/3")
    assert [r["rank"] for r in again] == [4, 5, 6]
    assert again[0]["avg_score"] <= rows[-1]["avg_score"]


def test_rank_is_a_permutation_with_yesterdays_ranks(client: FlaskClient) -> None:
    day = fabot_scores.score_day(World(WorldSettings(seed=42, clock=FROZEN)).now())
    assert day == date(2026, 11, 23)  # 10:00: the 18:00 batch has not run yet
    today = fabot_scores.ranking(MARKET, UNIVERSE, day)
    total = len(today.rows)
    assert total > 2000
    pages = [get(client, f"{V1}/fabot_rank/mix_score/{p}/100") for p in range(1, total // 100 + 2)]
    rows = [r for page in pages for r in page]
    assert sorted(r["rank"] for r in rows) == list(range(1, total + 1))
    befores = [r["before_rank"] for r in rows if r["before_rank"] is not None]
    assert len(set(befores)) == len(befores) and max(befores) <= total + 10
    yesterday = fabot_scores.ranking(MARKET, UNIVERSE, date(2026, 11, 20))
    for row in rows[:50]:
        old = yesterday.scores(row["stockcode"])
        assert old is not None and row["before_avg_score"] == old.average
        assert row["before_rank"] == yesterday.ranks[row["stockcode"]]
    assert get(client, f"{V1}/fabot_rank/mix_score/{total // 100 + 5}/100") == []


def test_rank_moves_with_the_nightly_batch(client: FlaskClient, state: SandboxState) -> None:
    morning = get(client, f"{V1}/fabot_rank/mix_score/1/20")
    set_clock(state, "2026-11-24T17:59:00+09:00")
    assert get(client, f"{V1}/fabot_rank/mix_score/1/20") == morning
    set_clock(state, "2026-11-24T18:00:00+09:00")
    evening = get(client, f"{V1}/fabot_rank/mix_score/1/20")
    assert evening != morning
    leaders = {r["stockcode"]: r for r in morning}
    for row in evening:
        if row["stockcode"] in leaders:  # yesterday's scores are this morning's
            assert row["before_rank"] == leaders[row["stockcode"]]["rank"]
            assert row["before_MLS"] == leaders[row["stockcode"]]["MLS"]


def test_rank_schema_variant() -> None:
    app = create_app(Config(world=WorldSettings(
        seed=42, clock=FROZEN, partner_variants=frozenset({"fabot-rank-schema"})),
        response_validation="strict"))
    client = app.test_client()
    body = get(client, f"{V1}/fabot_rank/mix_score/1/5")
    assert set(body) == {"totalCount", "data"} and len(body["data"]) == 5
    assert body["totalCount"] == len(fabot_scores.ranking(MARKET, UNIVERSE,
                                                          date(2026, 11, 23)).rows)
    for k, row in enumerate(body["data"], 1):
        assert row["rank"] == k and row["date"] == "20261123"
        assert row["market"] == UNIVERSE.get(row["stockcode"]).market.upper()
        assert row["average_diff"] == round(row["average"] - row["average_before"], 2)
        assert row["rank_diff"] == row["rank_before"] - row["rank"]
        assert row["category"] and row["name"] == UNIVERSE.get(row["stockcode"]).name


@pytest.mark.parametrize(("path", "parameter"), [
    ("other_score/1/3", "type"), ("MIX_SCORE/1/3", "type"), ("mix_score/0/3", "page"),
    ("mix_score/x/3", "page"), ("mix_score/-1/3", "page"), ("mix_score/1/0", "count"),
    ("mix_score/1/101", "count"), ("mix_score/1/3.5", "count"),
    ("mix_score/1/99999999999", "count"),
])
def test_rank_errors(client: FlaskClient, path: str, parameter: str) -> None:
    assert_partner_error(partner_get(client, f"{V1}/fabot_rank/{path}"), "fabotdw", parameter)


def test_rank_and_portfolio_are_deterministic(client: FlaskClient) -> None:
    paths = [f"{V1}/fabot_rank/mix_score/3/7", f"{V1}/portfolio/3000"]
    assert [partner_get(client, p).data for p in paths] == [partner_get(client, p).data
                                                            for p in paths]
