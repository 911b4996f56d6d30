"""Wyverple Bookkeeper (partners.md H2, endpoint 44, ``partners.bookkeeper_fs``): statements
per fiscal year, the account tree, identities, consolidation, ranges, errors, agreement with
the shared financial statements (and so with Fabotdw/BIGBOT/NICE)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.partners.bookkeeper import models
from sandbox.world.market.instruments import load_universe
from sandbox.world.market.reference import reference
from sandbox.world.partners import financials, statements
from sandbox.world.world import World, WorldSettings, market_of
from tests.conftest import (
    FROZEN,
    assert_covers,
    assert_partner_error,
    example,
    ok,
    partner_call,
    partner_get,
    set_clock,
)

OP = "partners.bookkeeper_fs"
FS = "/v1/bookkeeper/fs"
TODAY = date(2026, 11, 24)
OBSERVED = {"210000", "220000", "230000", "110000", "140000", "160000", "170300"}
STOCKS = [i for m in ("kospi", "kosdaq", "konex") for i in load_universe().select("stock", m)]


def fs(client: FlaskClient, path: str, **query: Any) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = ok(partner_get(client, f"{FS}/{path}", **query))["data"]
    return data


def values(period: dict[str, Any]) -> dict[str, int]:
    """Account code -> value over the three sections of one period."""
    return {item["code"]: item["value"] for section in models.SECTIONS
            for item in period[section]}


def assert_identities(period: dict[str, Any]) -> None:
    v = values(period)
    assert v["110000"] == v["140000"] + v["160000"]
    assert v["230000"] == v["210000"] - v["220000"]
    assert v["250000"] == v["230000"] - v["240000"]
    assert v["270000"] == v["250000"] + v["260000"]
    assert v["290000"] == v["270000"] - v["280000"]
    assert v["340000"] == v["310000"] + v["320000"] + v["330000"]
    assert v["360000"] == v["350000"] + v["340000"]
    children: dict[str, int] = {}
    for section in models.SECTIONS:
        for item in period[section]:
            if "parent" in item:
                children[item["parent"]] = children.get(item["parent"], 0) + item["value"]
    for parent, total in children.items():
        assert v[parent] == total, parent
    if "111100" in v:
        assert v["360000"] == v["111100"]  # cash flow ends on the balance sheet's cash


# ------------------------------------------------------------------------------ examples
def test_documented_requests_answer_the_documented_shape(client: FlaskClient) -> None:
    for name in ("bookkeeper_fs.request.json", "bookkeeper_fs.gaap.request.json"):
        body = ok(partner_call(client, example(f"partners/{name}")))
        assert_covers("partners/bookkeeper_fs.proposed.response.json", body)
    body = ok(partner_call(client, example("partners/bookkeeper_fs.request.json")))
    assert [p["fiscal_year"] for p in body["data"]] == ["2016-12-31", "2017-12-31"]


def test_one_period_per_fiscal_year_in_the_range(client: FlaskClient) -> None:
    data = fs(client, "ifrs/005930", consolidated="1", max_depth="1",
              **{"from": "2016-01-01", "to": "2017-12-31"})
    assert [p["fiscal_year"] for p in data] == ["2016-12-31", "2017-12-31"]
    for period in data:
        assert (period["symbol"], period["standard"], period["consolidated"],
                period["unit"]) == ("005930", "ifrs", 1, "KRW")
        codes = {item["code"] for s in models.SECTIONS for item in period[s]}
        assert OBSERVED | {"250000", "290000", "310000"} <= codes
        assert all("parent" not in item for s in models.SECTIONS for item in period[s])
        assert all(isinstance(item["value"], int) for s in models.SECTIONS
                   for item in period[s])
        assert_identities(period)


def test_max_depth_adds_the_parts_of_each_account(client: FlaskClient) -> None:
    top = fs(client, "gaap/000660", max_depth="1")[-1]
    deeper = fs(client, "gaap/000660", max_depth="2")[-1]
    full = fs(client, "gaap/000660", max_depth="9")[-1]
    assert len(top["balance_sheet"]) < len(deeper["balance_sheet"]) < len(
        full["balance_sheet"])
    depth2 = {i["code"] for i in deeper["balance_sheet"] if "parent" in i}
    assert {"111000", "112000", "141000", "142000", "161000", "162000", "163000"} == depth2
    assert {"112210", "112220", "112230", "112290"} <= {i["code"] for i in full["balance_sheet"]}
    for period in (top, deeper, full):
        assert_identities(period)
    assert values(top).items() <= values(full).items()
    assert fs(client, "gaap/000660", max_depth="0")[-1] == top  # 0 reads as 1


def test_identities_hold_for_every_period_and_consolidation(client: FlaskClient) -> None:
    for consolidated in ("1", "0"):
        data = fs(client, "ifrs/005930,035720,003020", max_depth="5",
                  consolidated=consolidated, **{"from": "2015-01-01"})
        assert {p["symbol"] for p in data} == {"005930", "035720", "003020"}
        for period in data:
            assert period["consolidated"] == int(consolidated)
            assert_identities(period)
        for before, after in pairwise(data):
            if before["symbol"] == after["symbol"]:  # cash carries over between years
                assert values(after)["350000"] == values(before)["360000"]


def test_consolidated_figures_are_the_shared_statements(client: FlaskClient) -> None:
    """The numbers Fabotdw's debt ratio and operating margin and BIGBOT read."""
    market, inst = market_of(42), load_universe().get("005930")
    assert inst is not None
    for period in fs(client, "ifrs/005930", max_depth="3"):
        year = financials.annual(market, inst, date.fromisoformat(period["fiscal_year"]))
        v = values(period)
        assert (v["210000"], v["220000"], v["250000"], v["290000"]) == (
            year.revenue, year.cost_of_sales, year.operating_profit, year.net_income)
        assert (v["110000"], v["140000"], v["160000"], v["111100"], v["170300"]) == (
            year.total_assets, year.total_liabilities, year.total_equity, year.cash,
            year.shares)
        assert round(v["140000"] / v["160000"] * 100, 6) == round(year.debt_ratio, 6)
        assert round(v["250000"] / v["210000"] * 100, 6) == round(year.operating_margin, 6)


def test_separate_statements_scale_the_parent_and_still_balance(client: FlaskClient) -> None:
    group = fs(client, "ifrs/005380", max_depth="3")
    parent = fs(client, "ifrs/005380", max_depth="3", consolidated="0")
    share = statements.parent_share(42, "005380")
    assert 0.55 <= share <= 0.97
    for g, p in zip(group, parent, strict=True):
        assert g["fiscal_year"] == p["fiscal_year"] and p["consolidated"] == 0
        gv, pv = values(g), values(p)
        assert pv["161000"] == gv["161000"] and pv["170300"] == gv["170300"]
        for code in ("210000", "110000", "140000", "111100"):
            assert abs(pv[code] - round(gv[code] * share)) <= 2
        assert_identities(p)


def test_gaap_and_ifrs_share_one_set_of_books(client: FlaskClient) -> None:
    gaap = fs(client, "gaap/005930", max_depth="2")
    ifrs = fs(client, "ifrs/005930", max_depth="2")
    assert [p["standard"] for p in gaap] == ["gaap"] * len(gaap)
    assert [values(p) for p in gaap] == [values(p) for p in ifrs]


def test_default_range_is_the_last_five_published_years(client: FlaskClient,
                                                          state: SandboxState) -> None:
    inst = load_universe().get("005930")
    assert inst is not None and reference(42, inst).fiscal_month == 12
    years = [p["fiscal_year"] for p in fs(client, "ifrs/005930")]
    assert years == [f"{y}-12-31" for y in range(2021, 2026)]
    set_clock(state, "2026-03-31T23:00:00+09:00")  # the 2025 report is published on 1 April
    assert fs(client, "ifrs/005930")[-1]["fiscal_year"] == "2024-12-31"
    set_clock(state, "2026-04-01T00:00:01+09:00")
    assert fs(client, "ifrs/005930")[-1]["fiscal_year"] == "2025-12-31"
    # a range never reaches beyond what is published
    assert fs(client, "ifrs/005930", to="2030-12-31")[-1]["fiscal_year"] == "2025-12-31"
    everything = fs(client, "ifrs/005930", **{"from": "1990-01-01"})
    assert everything[0]["fiscal_year"] == f"{financials.FIRST_FISCAL_YEAR}-12-31"


def test_a_company_has_no_statements_before_its_listing(client: FlaskClient,
                                                        state: SandboxState) -> None:
    inst = load_universe().get("373220")  # listed 2022
    assert inst is not None and inst.list_date is not None
    set_clock(state, "2021-06-01T10:00:00+09:00")
    assert fs(client, "ifrs/373220") == []
    set_clock(state, FROZEN)
    first = fs(client, "ifrs/373220", **{"from": "2000-01-01"})[0]
    assert int(first["fiscal_year"][:4]) == inst.list_date.year


def test_several_issues_and_a_preferred_share(client: FlaskClient) -> None:
    data = fs(client, "ifrs/005935,005930, 005930", **{"from": "2024-01-01"})
    assert [p["symbol"] for p in data] == ["005935", "005935", "005930", "005930"]
    assert values(data[0]) == values(data[2])  # the preferred share's issuer's statements


def test_trailing_slash_and_ignored_parameters(client: FlaskClient) -> None:
    plain = partner_get(client, f"{FS}/ifrs/005930")
    assert ok(partner_get(client, f"{FS}/ifrs/005930/", debug="1", foo="bar")) == ok(plain)


def test_bad_parameters(client: FlaskClient) -> None:
    def bad(path: str, parameter: str, **query: Any) -> None:
        assert_partner_error(partner_get(client, f"{FS}/{path}", **query), "bookkeeper",
                             parameter)

    bad("kifrs/005930", "standard")
    bad("IFRS/005930", "standard")
    bad("ifrs/999999", "issuecode")
    bad("ifrs/5930", "issuecode")
    bad("ifrs/005930,", "issuecode")
    bad("ifrs/069500", "issuecode")  # an ETF has no statements
    bad("ifrs/" + ",".join(s.code for s in STOCKS[:21]), "issuecode")
    bad("ifrs/005930", "consolidated", consolidated="2")
    bad("ifrs/005930", "from", **{"from": "2014-13-01"})
    bad("ifrs/005930", "from", **{"from": "20140101"})
    bad("ifrs/005930", "to", to="yesterday")
    bad("ifrs/005930", "from", **{"from": "2018-01-01", "to": "2017-01-01"})
    bad("ifrs/005930", "max_depth", max_depth="deep")
    assert len(fs(client, "ifrs/" + ",".join(s.code for s in STOCKS[:20]),
                  **{"from": "2025-01-01"})) >= 1


def test_same_request_same_bytes_other_seed_other_numbers(client: FlaskClient) -> None:
    first = partner_get(client, f"{FS}/ifrs/005930", max_depth="3")
    again = partner_get(client, f"{FS}/ifrs/005930", max_depth="3")
    assert first.get_data() == again.get_data()
    other = World(WorldSettings(seed=7, clock=FROZEN, users=0))
    theirs = models.fs(other, "ifrs", "005930", {"max_depth": "3"}, TODAY)["data"]
    assert [p["fiscal_year"] for p in theirs] == [p["fiscal_year"]
                                                  for p in first.get_json()["data"]]
    assert values(theirs[-1]) != values(first.get_json()["data"][-1])


def test_the_service_can_be_switched_down(client: FlaskClient) -> None:
    response = client.post("/_sandbox/partners/bookkeeper/faults", json={"fault": "down"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert partner_get(client, f"{FS}/ifrs/005930").status_code == 503


# ------------------------------------------------------------------------------ properties
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), index=st.integers(0, len(STOCKS) - 1),
       quarter=st.integers(1, 4), consolidated=st.booleans(), back=st.integers(0, 6))
def test_statement_lines_identities(seed: int, index: int, quarter: int, consolidated: bool,
                                    back: int) -> None:
    market, inst = market_of(seed), STOCKS[index]
    ref = reference(market.seed, inst)
    fye = ref.fiscal_year_end(ref.settlement(TODAY).year - back)
    if not financials.has_statements(inst, fye):
        return
    s = statements.statement(market, inst, fye, quarter, consolidated)
    v = s.lines
    assert v["total_assets"] == v["total_liabilities"] + v["total_equity"]
    assert v["total_liabilities_and_equity"] == v["total_assets"]
    assert v["net_income"] == v["revenue"] - v["cost_of_sales"] - v["sga"] + v[
        "non_operating"] - v["tax"]
    assert v["cash_end"] == v["cash"] == v["cash_begin"] + v["net_change_in_cash"]
    for total, parts in statements._SPLITS.items():
        assert v[total if total != "other_current_assets" else "current_assets"] == sum(
            v[p] for p in parts) + (v["cash"] if total == "other_current_assets" else 0)
        assert all(v[p] >= 0 for p in parts)
    assert s.months == 3 * quarter
    quarters = financials.fiscal_year(market, inst, fye)[:quarter]
    if consolidated:  # year-to-date flows are the sum of the quarters
        assert v["revenue"] == sum(q.revenue for q in quarters)
        assert v["operating_cf"] == sum(q.operating_cf for q in quarters)
        assert v["total_equity"] == quarters[-1].total_equity
    else:
        group = statements.statement(market, inst, fye, quarter, True).lines
        assert v["capital"] == group["capital"] and v["shares"] == group["shares"]
        assert abs(v["total_assets"] - group["total_assets"]
                   * statements.parent_share(market.seed, inst.code)) <= 3


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(standard=st.sampled_from(["gaap", "ifrs", "x", "GAAP"]),
       codes=st.sampled_from(["005930", "005930,000660", "069500", "1", "005930,,", "%20",
                              "A005930", "000000"]),
       query=st.dictionaries(st.sampled_from(["from", "to", "consolidated", "max_depth",
                                              "debug", "nosuch"]),
                             st.one_of(st.text(max_size=12),
                                       st.sampled_from(["2016-01-01", "2017-02-29", "0", "1",
                                                        "3", "9999-12-31", "0001-01-01"])),
                             max_size=4))
def test_any_input_is_answered_without_a_server_error(client: FlaskClient, standard: str,
                                                      codes: str, query: dict[str, str]
                                                      ) -> None:
    response = partner_get(client, f"{FS}/{standard}/{codes}", **query)
    assert response.status_code in (200, 400, 404), response.get_data(as_text=True)
    if response.status_code == 400:
        assert_partner_error(response, "bookkeeper")
