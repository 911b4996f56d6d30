"""Fabotdw (BSMIT / FABOT, partners.md H1, endpoints 24-43): sectors, debt ratios and operating
margins — documented examples, sector membership, the ratio arithmetic recomputed from the
statements, aliases, errors, time, determinism and the bug-compatible switch.

The portfolio and the Fabot rank: ``test_partners_fabotdw_rank.py``; property tests over many
seeds: ``test_partners_fabotdw_props.py``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox.app import Config, SandboxState, create_app
from sandbox.world.market import constituents
from sandbox.world.market.instruments import STOCK, Instrument, load_universe
from sandbox.world.partners.financials import latest_quarters
from sandbox.world.world import WorldSettings, market_of
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

V1 = "/v1/fabotdw"
DAY = date(2026, 11, 24)  # FROZEN
UNIVERSE = load_universe()
MARKET = market_of(42)

#: operation id → (example stem, documented path); every operation of the family.
OPERATIONS = {
    "partners.fabotdw_sector": f"{V1}/sector",
    "partners.fabotdw_sector_stocks": f"{V1}/sector/022",
    "partners.fabotdw_debt": f"{V1}/debt",
    "partners.fabotdw_debt_list": f"{V1}/debt/list",
    "partners.fabotdw_dept_fics": f"{V1}/dept/fics/001",
    "partners.fabotdw_dept_kospi": f"{V1}/dept/kospi",
    "partners.fabotdw_dept_kospi_fics": f"{V1}/dept/kospi/fics/001",
    "partners.fabotdw_dept_kosdaq": f"{V1}/dept/kosdaq",
    "partners.fabotdw_dept_kosdaq_fics": f"{V1}/dept/kosdaq/fics/001",
    "partners.fabotdw_dept_stock": f"{V1}/dept/005930",
    "partners.fabotdw_sales": f"{V1}/sales",
    "partners.fabotdw_sales_list": f"{V1}/sales/list",
    "partners.fabotdw_sales_fics": f"{V1}/sales/fics/001",
    "partners.fabotdw_sales_kospi": f"{V1}/sales/kospi",
    "partners.fabotdw_sales_kospi_fics": f"{V1}/sales/kospi/fics/001",
    "partners.fabotdw_sales_kosdaq": f"{V1}/sales/kosdaq",
    "partners.fabotdw_sales_kosdaq_fics": f"{V1}/sales/kosdaq/fics/001",
    "partners.fabotdw_sales_stock": f"{V1}/sales/005930",
    "partners.fabotdw_portfolio": f"{V1}/portfolio/1000",
    "partners.fabotdw_fabot_rank": f"{V1}/fabot_rank/mix_score/1/3",
}
#: ERRATA 35: checked only with bug_compatible on.
BUG_EXAMPLES = ("fabotdw_dept_stock", "fabotdw_dept_kosdaq", "fabotdw_dept_kosdaq_fics")


@pytest.fixture(scope="module")
def bug_app() -> Flask:
    return create_app(Config(world=WorldSettings(seed=42, clock=FROZEN, bug_compatible=True),
                             response_validation="strict"))


def get(client: FlaskClient, path: str) -> Any:
    return ok(partner_get(client, path))


def payload(body: dict[str, Any]) -> dict[str, Any]:
    """The series payload, whether wrapped once or twice."""
    inner: dict[str, Any] = body["result"]
    return inner.get("result", inner)


def stocks(*markets: str) -> list[Instrument]:
    return [i for m in markets for i in UNIVERSE.select(STOCK, m, on=DAY)]


# ------------------------------------------------------------------------------ examples
@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_every_operation_answers_its_documented_path(client: FlaskClient, op_id: str) -> None:
    response = partner_get(client, OPERATIONS[op_id])
    assert response.status_code == 200, (op_id, response.get_data(as_text=True))


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_documented_examples_replay(client: FlaskClient, op_id: str) -> None:
    stem = op_id.split(".", 1)[1]
    body = ok(partner_call(client, example(f"partners/{stem}.request.json")))
    if stem not in BUG_EXAMPLES:
        assert_covers(f"partners/{stem}.response.json", body)
    if stem == "fabotdw_portfolio":
        assert_covers("partners/fabotdw_portfolio.proposed.response.json", body)


@pytest.mark.parametrize("stem", BUG_EXAMPLES)
def test_bug_compatible_examples_replay_with_the_flag_on(bug_app: Flask, stem: str) -> None:
    body = ok(partner_call(bug_app.test_client(), example(f"partners/{stem}.request.json")))
    assert_covers(f"partners/{stem}.response.json", body)


# ------------------------------------------------------------------------------ sectors
def test_sector_lists(client: FlaskClient) -> None:
    listed = get(client, f"{V1}/sector")["result"]
    codes = [row["code"] for row in listed["data"]]
    assert listed["data_length"] == len(codes) == 255
    assert codes == sorted(set(codes)) and all(re.fullmatch(r"[0-9]{3}", c) for c in codes)
    names = {row["code"]: row["name"] for row in listed["data"]}
    assert names["001"] == "종 합" and names["022"] == "은 행"  # the documented spellings
    assert {"101", "301", "405", "501", "813"} <= set(codes)
    for path in (f"{V1}/debt/list", f"{V1}/dept/list", f"{V1}/sales/list"):
        other = get(client, path)["result"]
        assert other["data_length"] == 255
        assert [(r["sector_code"], r["sector_name"]) for r in other["data"]] == list(
            names.items())


def _members(client: FlaskClient, upcode: str) -> list[str]:
    result = get(client, f"{V1}/sector/{upcode}")["result"]
    assert result["sector_code"] == upcode and result["data_length"] == len(result["data"])
    codes = [row["stockcode"] for row in result["data"]]
    assert codes == sorted(codes)
    return codes


def test_sector_membership_rules(client: FlaskClient) -> None:
    kospi, kosdaq = stocks("kospi"), stocks("kosdaq")
    assert _members(client, "001") == [i.code for i in kospi]
    assert _members(client, "301") == [i.code for i in kosdaq]
    assert _members(client, "022") == [i.code for i in kospi if i.sector == "K22"]
    assert _members(client, "021") == [i.code for i in kospi
                                       if i.sector in ("K21", "K22", "K24", "K25")]
    manufacturing = {f"K{n}" for n in range(5, 16)}
    assert _members(client, "027") == [i.code for i in kospi if i.sector in manufacturing]
    assert _members(client, "319") == [i.code for i in kosdaq if i.sector == "Q65"]
    table = constituents.of(UNIVERSE)
    assert _members(client, "101") == sorted(i.code for i in table.members("K51", on=DAY))
    assert len(_members(client, "101")) == 200
    large, mid, small = (set(_members(client, c)) for c in ("002", "003", "004"))
    assert len(large) == 100 and len(mid) == 200 and large | mid | small == {
        i.code for i in kospi} and not large & mid and not mid & small
    names = {row["stockcode"]: row["stockname"]
             for row in get(client, f"{V1}/sector/022")["result"]["data"]}
    assert all(UNIVERSE.get(code).name == name for code, name in names.items())


def test_sector_without_stock_membership_is_empty(client: FlaskClient) -> None:
    for upcode in ("204", "606", "751", "813"):
        assert _members(client, upcode) == []
        for path in (f"dept/fics/{upcode}", f"sales/kospi/fics/{upcode}",
                     f"debt/kosdaq/fics/{upcode}"):
            series = payload(get(client, f"{V1}/{path}"))
            assert series == {"data_length": 0, "data": []}
    # members, but none in the market asked: empty too
    assert payload(get(client, f"{V1}/dept/kosdaq/fics/022")) == {"data_length": 0, "data": []}


# ------------------------------------------------------------------------------ ratios
def _calendar_figures(inst: Instrument, end: date) -> Any:
    """The member's published quarter ending ``end`` (independent of the model's lookup)."""
    for period in latest_quarters(MARKET, inst, DAY, 5):
        if period.end == end:
            return period
    return None


def _expected(members: list[Instrument], end: date) -> tuple[float, float]:
    liabilities = equity = profit = revenue = 0
    for inst in members:
        p = _calendar_figures(inst, end)
        if p is None:
            continue
        if p.total_equity > 0:
            liabilities += p.total_liabilities
            equity += p.total_equity
        profit += p.operating_profit
        revenue += p.revenue
    return round(liabilities / equity * 100, 2), round(profit / revenue * 100, 2)


def _quarter(text: str) -> date:
    year, month = int(text[:4]), int(text[4:])
    return date(year, month, 30 if month in (6, 9) else 31)


@pytest.mark.parametrize(("path", "members"), [
    ("fics/022", lambda: [i for i in stocks("kospi") if i.sector == "K22"]),
    ("kospi/fics/013", lambda: [i for i in stocks("kospi") if i.sector == "K13"]),
    ("kosdaq/fics/336", lambda: [i for i in stocks("kosdaq") if i.sector == "Q159"]),
    ("kosdaq/fics/001", lambda: stocks("kosdaq")),  # 001 read in KOSDAQ: every KOSDAQ stock
    ("kospi/fics/339", lambda: sorted(stocks("kospi"), key=lambda i: (
        -i.anchor_price * i.shares, i.code))[:100]),  # a size class read in KOSPI
    ("kospi", lambda: stocks("kospi")),
    ("", lambda: stocks("kospi", "kosdaq")),
])
def test_aggregates_are_recomputed_from_the_members_statements(client: FlaskClient, path: str,
                                                               members: Any) -> None:
    chosen = members()
    debt_path = f"{V1}/dept/{path}".rstrip("/") if path else f"{V1}/debt"
    sales_path = f"{V1}/sales/{path}".rstrip("/")
    debt, sales = payload(get(client, debt_path)), payload(get(client, sales_path))
    assert debt["data_length"] == sales["data_length"] == 4
    assert [r["quarter"] for r in debt["data"]] == ["202609", "202606", "202603", "202512"]
    for d_row, s_row in zip(debt["data"], sales["data"], strict=True):
        expected_debt, expected_margin = _expected(chosen, _quarter(d_row["quarter"]))
        assert d_row["debt"] == expected_debt
        assert s_row["sales"] == expected_margin


def test_stock_routes_show_the_stocks_own_quarters(client: FlaskClient) -> None:
    inst = UNIVERSE.get("005930")
    quarters = latest_quarters(MARKET, inst, DAY, 4)
    debt = get(client, f"{V1}/dept/005930")["result"]
    assert debt["data_length"] == 4 and "data_lnegth" not in debt
    for row, p in zip(debt["data"], quarters, strict=True):
        assert row == {"quarter": p.end.strftime("%Y%m"), "stockcode": "005930",
                       "debt": round(p.total_liabilities / p.total_equity * 100, 2),
                       "stockname": "삼성전자", "desc": f"{p.end:%Y/%m} 종목부채율(%)"}
    sales = get(client, f"{V1}/sales/005930")["result"]
    assert (sales["code"], sales["name"], sales["data_length"]) == ("005930", "삼성전자", 4)
    for row, p in zip(sales["data"], quarters, strict=True):
        assert row == {"year": f"{p.end.year}", "quarter": f"{p.end.month:02d}",
                       "sales": round(p.operating_profit / 1e8),
                       "sales_ratio": round(p.operating_profit / p.revenue * 100, 2)}
    kosdaq = next(i for i in stocks("kosdaq") if i.list_date and i.list_date.year < 2020)
    assert get(client, f"{V1}/debt/{kosdaq.code}")["result"]["data"][0]["stockcode"] == \
        kosdaq.code


DESC = {
    "debt": r"전업종 부채율\(%\)", "dept/kospi": r"KOSPI 부채율\(%\)",
    "dept/kosdaq": r"KOSDAQ 부채율\(%\)", "sales": r"전업종 영업이익율\(%\)",
    "sales/kospi": r"KOSPI 영업이익율\(%\)", "sales/kosdaq": r"KOSDAQ 영업이익율\(%\)",
    "dept/fics/013": r"시장 전체에 013\(전 기 전 자\) 업종의 부채율\(%\)",
    "dept/kospi/fics/013": r"KOSPI 시장에 013\(전 기 전 자\) 업종의 부채율\(%\)",
    "dept/kosdaq/fics/336": r"KOSDAQ 시장에 336\(반 도 체\) 업종의 부채율\(%\)",
    "sales/fics/013": r"시장 전체에 013\(전 기 전 자\) 업종의 영업이익률\(%\)",
    "sales/kospi/fics/013": r"KOSPI 시장에 013\(전 기 전 자\) 업종의 영업이익률\(%\)",
    "sales/kosdaq/fics/336": r"KOSDAQ 시장에 336\(반 도 체\) 업종의 영업이익률\(%\)",
    "dept/000660": r"종목부채율\(%\)",
}


@pytest.mark.parametrize("path", sorted(DESC))
def test_desc_and_quarter_formats(client: FlaskClient, path: str) -> None:
    body = get(client, f"{V1}/{path}")
    assert "result" not in body["result"]  # single wrapping by default
    rows = body["result"]["data"]
    assert len(rows) == 4
    for row in rows:
        q = row["quarter"]
        assert re.fullmatch(r"20[0-9]{2}(03|06|09|12)", q)
        assert re.fullmatch(rf"{q[:4]}/{q[4:]} {DESC[path]}", row["desc"]), row["desc"]
        value = row.get("debt", row.get("sales"))
        assert isinstance(value, float | int) and round(value, 2) == value
        if "fics" in path:
            assert row["sector_code"] == path[-3:]
    assert [r["quarter"] for r in rows] == sorted((r["quarter"] for r in rows), reverse=True)


# ------------------------------------------------------------------------------ routing
ALIASES = ["/debt", "/debt/list", "/debt/fics/022", "/debt/kospi", "/debt/kospi/fics/013",
           "/debt/kosdaq", "/debt/kosdaq/fics/336", "/debt/005930"]


@pytest.mark.parametrize("tail", ALIASES)
def test_dept_and_debt_are_the_same_routes(client: FlaskClient, tail: str) -> None:
    debt = partner_get(client, f"{V1}{tail}")
    dept = partner_get(client, f"{V1}{tail.replace('/debt', '/dept', 1)}")
    slash = partner_get(client, f"{V1}{tail}/")
    assert debt.status_code == dept.status_code == slash.status_code == 200
    assert debt.data == dept.data == slash.data


def test_literal_segments_win_over_the_stockcode(client: FlaskClient) -> None:
    assert get(client, f"{V1}/dept/list")["result"]["data_length"] == 255
    assert get(client, f"{V1}/sales/list")["result"]["data_length"] == 255
    assert get(client, f"{V1}/dept/kospi")["result"]["data"][0]["desc"].endswith(
        "KOSPI 부채율(%)")
    assert get(client, f"{V1}/sales/kosdaq")["result"]["data"][0]["desc"].endswith(
        "KOSDAQ 영업이익율(%)")


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("path", [
    "dept/12345", "dept/1234567", "debt/00593O", "sales/abcdef", "sales/999999",
    "dept/069500",  # an ETF
    "debt/%EF%BC%90%EF%BC%90%EF%BC%95%EF%BC%99%EF%BC%93%EF%BC%90",  # full-width digits
])
def test_unknown_stockcode(client: FlaskClient, path: str) -> None:
    assert_partner_error(partner_get(client, f"{V1}/{path}"), "fabotdw", "stockcode")


def test_konex_and_unlisted_stocks_are_refused(client: FlaskClient, state: SandboxState) -> None:
    konex = UNIVERSE.select(STOCK, "konex")[0]
    assert_partner_error(partner_get(client, f"{V1}/dept/{konex.code}"), "fabotdw", "stockcode")
    young = max(stocks("kospi"), key=lambda i: i.list_date or date.min)
    assert young.list_date is not None
    set_clock(state, f"{young.list_date.replace(day=1).isoformat()}T10:00:00+09:00")
    if young.list_date.day > 1:
        assert_partner_error(partner_get(client, f"{V1}/sales/{young.code}"), "fabotdw",
                             "stockcode")


@pytest.mark.parametrize("path", [
    "sector/999", "sector/22", "sector/0221", "sector/abc", "dept/fics/023",
    "debt/kospi/fics/x", "dept/kosdaq/fics/1000", "sales/fics/900", "sales/kospi/fics/-01",
    "sales/kosdaq/fics/%20%201",
])
def test_unknown_upcode(client: FlaskClient, path: str) -> None:
    assert_partner_error(partner_get(client, f"{V1}/{path}"), "fabotdw", "upcode")


def test_unknown_routes_and_methods(client: FlaskClient) -> None:
    assert partner_get(client, f"{V1}/sales/kospi/fics").status_code == 404
    assert partner_get(client, f"{V1}/dept/005930/extra").status_code == 404
    assert partner_post(client, f"{V1}/debt", {}).status_code == 405


# ------------------------------------------------------------------------------ time
@pytest.mark.parametrize(("instant", "newest"), [
    ("2026-11-13T23:00:00+09:00", "202606"),  # September published 45 days after: 14 Nov
    ("2026-11-14T00:00:00+09:00", "202609"),
    ("2027-03-31T12:00:00+09:00", "202609"),  # December comes with the annual report
    ("2027-04-01T09:00:00+09:00", "202612"),
    ("2020-05-14T10:00:00+09:00", "201912"),
    ("2020-05-15T10:00:00+09:00", "202003"),  # the 2020 samples' quarters
])
def test_publication_moves_the_quarters(client: FlaskClient, state: SandboxState, instant: str,
                                        newest: str) -> None:
    set_clock(state, instant)
    for path in ("debt", "sales/kospi", "dept/fics/022"):
        rows = payload(get(client, f"{V1}/{path}"))["data"]
        assert rows[0]["quarter"] == newest
    stock = get(client, f"{V1}/dept/005930")["result"]["data"]
    assert stock[0]["quarter"] <= newest


def test_the_2020_clock_gives_the_sample_quarters(client: FlaskClient,
                                                  state: SandboxState) -> None:
    set_clock(state, "2020-05-15T10:00:00+09:00")
    documented = example("partners/fabotdw_debt.response.json")["result"]["data"]
    rows = get(client, f"{V1}/debt")["result"]["data"]
    assert [(r["quarter"], r["desc"]) for r in rows] == [(r["quarter"], r["desc"])
                                                         for r in documented]


# ------------------------------------------------------------------------------ switches
def test_bug_compatible_quirks(bug_app: Flask) -> None:
    client = bug_app.test_client()
    twice = ok(partner_get(client, f"{V1}/dept/kosdaq"))
    assert set(twice["result"]) == {"result"} and twice["result"]["result"]["data_length"] == 4
    assert "result" in ok(partner_get(client, f"{V1}/debt/kosdaq/fics/336"))["result"]
    assert "result" not in ok(partner_get(client, f"{V1}/sales/kosdaq"))["result"]
    assert "result" not in ok(partner_get(client, f"{V1}/dept/kospi"))["result"]
    stock = ok(partner_get(client, f"{V1}/debt/005930"))["result"]
    assert stock["data_lnegth"] == 4 and "data_length" not in stock
    fics = ok(partner_get(client, f"{V1}/sales/fics/013"))["result"]["data"]
    assert all("시장 전체에 undefined(undefined) 업종의 영업이익률(%)" in r["desc"] for r in fics)
    assert all(r["sector_code"] == "013" for r in fics)
    assert "013(전 기 전 자)" in ok(partner_get(client, f"{V1}/sales/kospi/fics/013"))[
        "result"]["data"][0]["desc"]
    for path in ("debt", "dept/kospi", "sales", "sales/fics/013", "dept/005930"):
        rows = payload(ok(partner_get(client, f"{V1}/{path}")))["data"]
        assert rows and all(r.get("debt", r.get("sales")) is None for r in rows)
    rows = ok(partner_get(client, f"{V1}/sales/005930"))["result"]["data"]
    assert all(r["sales"] is None and r["sales_ratio"] is None for r in rows)


def test_null_ratios_fault_only_nulls_the_values(client: FlaskClient) -> None:
    before = get(client, f"{V1}/dept/kosdaq")
    switched = client.post("/_sandbox/partners/fabotdw/faults", json={"fault": "null-ratios"})
    assert switched.status_code == 200, switched.get_data(as_text=True)
    after = get(client, f"{V1}/dept/kosdaq")
    assert "result" not in after["result"]
    assert [r["quarter"] for r in after["result"]["data"]] == [
        r["quarter"] for r in before["result"]["data"]]
    assert all(r["debt"] is None for r in after["result"]["data"])
    stock = get(client, f"{V1}/dept/005930")["result"]
    assert "data_length" in stock and all(r["debt"] is None for r in stock["data"])
    assert all(r["sales"] is None for r in get(client, f"{V1}/sales/fics/013")["result"]["data"])
    client.post("/_sandbox/partners/fabotdw/faults", json={"fault": "null-ratios", "on": False})
    assert get(client, f"{V1}/dept/kosdaq") == before


# ------------------------------------------------------------------------------ determinism
def test_same_request_same_bytes_and_other_seed_other_values(client: FlaskClient) -> None:
    paths = [f"{V1}/debt", f"{V1}/sales/kospi/fics/013", f"{V1}/dept/005930",
             f"{V1}/sales/005930"]
    first = [partner_get(client, p).data for p in paths]
    assert first == [partner_get(client, p).data for p in paths]
    other = create_app(Config(world=WorldSettings(seed=7, clock=FROZEN),
                              response_validation="strict")).test_client()
    second = [partner_get(other, p).data for p in paths[1:]]
    assert all(a != b for a, b in zip(first[1:], second, strict=True))
    assert partner_get(other, f"{V1}/sector/022").data == partner_get(
        client, f"{V1}/sector/022").data  # membership does not depend on the seed
