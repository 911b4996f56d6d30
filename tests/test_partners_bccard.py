"""BC Card sector index and stock index (partners.md F1, F2; endpoints 1-7).

Default world: seed 42, clock 2026-11-24 10:00 KST, so the latest published month is 202610.
Operations: partners.bccard_businesstype_code, partners.bccard_businesstype_code_detail,
partners.bccard_businesstype_index, partners.bccard_businesstype_index_bycode,
partners.bccard_businesstype_index_detail, partners.bccard_zscore_index,
partners.bccard_zscore_index_bycode.
"""

from __future__ import annotations

import re
import statistics
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.partners.bccard import models
from sandbox.world.market.instruments import load_universe
from sandbox.world.partners import bccard as data
from sandbox.world.world import World, WorldSettings
from tests.conftest import (
    FROZEN,
    assert_covers,
    assert_partner_error,
    example,
    partner_call,
    partner_get,
    set_clock,
)

CODE = "/bccard/businesstype/v1.0/code"
INDEX = "/bccard/businesstype/v1.0/index"
ZSCORE = "/bccard/zscore/v1.0/index"
LATEST = "202610"
PROPS = settings(max_examples=30, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
DECIMAL = re.compile(r"^[0-9]+(\.[0-9]?[1-9])?$")  # up to two decimals, no trailing zero
ZSCORE_TEXT = re.compile(r"^-?[0-9]+\.[0-9]{16,}$")
EXAMPLES = ["businesstype_code", "businesstype_code_detail", "businesstype_index",
            "businesstype_index_bycode", "businesstype_index_detail", "zscore_index",
            "zscore_index_bycode"]


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def get(client: FlaskClient, path: str, **query: Any) -> Any:
    return ok(partner_get(client, path, **query))


def world(seed: int = 42, clock: str = FROZEN) -> World:
    return World(WorldSettings(seed=seed, clock=clock))


def fault(client: FlaskClient, name: str, on: bool = True) -> None:
    response = client.post("/_sandbox/partners/bccard/faults", json={"fault": name, "on": on})
    assert response.status_code == 200, response.get_data(as_text=True)


# ------------------------------------------------------------------------- documented examples
@pytest.mark.parametrize("stem", EXAMPLES)
def test_documented_examples_answer_every_documented_key(client: FlaskClient, stem: str) -> None:
    body = ok(partner_call(client, example(f"partners/bccard_{stem}.request.json")))
    assert_covers(f"partners/bccard_{stem}.response.json", body)


def test_code_examples_are_reproduced_exactly(client: FlaskClient) -> None:
    first = ok(partner_call(client, example("partners/bccard_businesstype_code.request.json")))
    assert first == example("partners/bccard_businesstype_code.response.json")
    detail = ok(partner_call(client, example(
        "partners/bccard_businesstype_code_detail.request.json")))
    assert detail == {"tpBuzCode": "4411", "tpBuzNm": "귀 금 속"}
    companies = ok(partner_call(client, example("partners/bccard_zscore_index.request.json")))
    assert companies == example("partners/bccard_zscore_index.response.json")


def test_example_filters_are_honoured_not_the_sample_quirk(client: FlaskClient) -> None:
    bycode = get(client, f"{INDEX}/4411", page="0", size="3", search="idxYM:201510")
    assert [row["idxYM"] for row in bycode["content"]] == ["201510"]
    detail = get(client, f"{INDEX}/4411/detail", search="idxYM:201510")
    assert detail["idxYM"] == "201510" and detail == bycode["content"][0]
    series = get(client, f"{ZSCORE}/005930", search="idxYm:201511")
    assert [row["idxYm"] for row in series] == ["201511"]


# ---------------------------------------------------------------------------- 1, 2: code table
def test_code_table_has_304_sorted_types_with_the_documented_names(client: FlaskClient) -> None:
    page = get(client, CODE, page="0", size="200")
    rest = get(client, CODE, page="1", size="200")
    rows = page["content"] + rest["content"]
    assert page["totalElements"] == 304 and page["totalPages"] == 2
    assert (page["first"], page["last"], rest["first"], rest["last"]) == (True, False, False, True)
    assert rest["numberOfElements"] == 104 and rest["number"] == 1
    codes = [row["tpBuzCode"] for row in rows]
    assert codes == sorted(set(codes)) and all(re.fullmatch(r"[0-9]{4}", c) for c in codes)
    names = {row["tpBuzCode"]: row["tpBuzNm"] for row in rows}
    assert names["1001"] == "특급 호텔" and names["1002"] == "1급 호텔"
    assert names["1003"] == "2급 호텔" and names["4411"] == "귀 금 속"
    assert {c[:2] for c in codes} >= {"10", "44", "60"}


def test_code_search_filters_names_and_codes(client: FlaskClient) -> None:
    hotels = get(client, CODE, page="0", size="50", search="tpBuzNm:호텔")["content"]
    assert hotels and all("호텔" in row["tpBuzNm"] for row in hotels)
    jewels = get(client, CODE, page="0", size="50", search="tpbuznm:귀금속")["content"]
    assert {"tpBuzCode": "4411", "tpBuzNm": "귀 금 속"} in jewels
    dining = get(client, CODE, page="0", size="200",
                 search="tpBuzCode>=6000,tpBuzCode<7000")["content"]
    assert dining and all(row["tpBuzCode"].startswith("60") for row in dining)
    bars = get(client, CODE, page="0", size="50", search="tpBuzCode>6000,tpBuzNm:주점")
    assert {row["tpBuzCode"] for row in bars["content"]} >= {"6021", "6024", "6025"}
    assert get(client, CODE, page="0", size="5", search="tpBuzCode:0000")["totalElements"] == 0


@pytest.mark.parametrize("search", ["tpBuzNm", "tpBuzNm[주점]", "nothing:1", "", ",,", "amtIdx>3"])
def test_bare_or_unknown_search_fields_are_ignored(client: FlaskClient, search: str) -> None:
    assert get(client, CODE, page="0", size="1", search=search)["totalElements"] == 304


def test_code_detail_and_unknown_codes(client: FlaskClient) -> None:
    assert get(client, f"{CODE}/1001/") == {"tpBuzCode": "1001", "tpBuzNm": "특급 호텔"}
    for code in ("9999", "44111", "abc"):
        assert_partner_error(partner_get(client, f"{CODE}/{code}"), "bccard", "code", 404)


# ------------------------------------------------------------------------------------- paging
@pytest.mark.parametrize(("query", "parameter"), [
    ({"size": "3"}, "page"), ({"page": "0"}, "size"), ({"page": "x", "size": "3"}, "page"),
    ({"page": "-1", "size": "3"}, "page"), ({"page": "0", "size": "0"}, "size"),
    ({"page": "0", "size": "-5"}, "size"), ({"page": "0", "size": "1.5"}, "size"),
    ({"page": "99999999999", "size": "3"}, "page"), ({"page": "0", "size": "000"}, "size"),
])
def test_bad_page_or_size_is_400_with_the_parameter(client: FlaskClient, query: dict[str, str],
                                                    parameter: str) -> None:
    for path, extra in ((CODE, {}), (INDEX, {"search": "", "sort": "desc"}),
                        (f"{INDEX}/1001", {"search": ""}), (ZSCORE, {"search": ""})):
        response = partner_get(client, path, **query, **extra)
        assert_partner_error(response, "bccard", parameter)


def test_size_is_clamped_and_pages_beyond_the_end_are_empty(client: FlaskClient) -> None:
    big = get(client, CODE, page="0", size="500")
    assert big["size"] == 200 and big["numberOfElements"] == 200 and big["totalPages"] == 2
    beyond = get(client, CODE, page="7", size="100")
    assert beyond["content"] == [] and beyond["numberOfElements"] == 0
    assert beyond["last"] is True and beyond["first"] is False and beyond["totalElements"] == 304
    padded = get(client, CODE, page="001", size="0003")
    assert padded["number"] == 1 and padded["content"][0]["tpBuzCode"] == "1004"


def test_empty_pages_fault_empties_every_list(client: FlaskClient) -> None:
    fault(client, "empty-pages")
    for path, query in ((CODE, {}), (INDEX, {"search": "", "sort": "asc"}),
                        (f"{INDEX}/4411", {"search": ""}), (ZSCORE, {"search": ""})):
        body = get(client, path, page="0", size="10", **query)
        assert body["content"] == [] and body["totalElements"] == 0 and body["totalPages"] == 0
        assert body["first"] is True and body["last"] is True
    assert get(client, f"{CODE}/4411")["tpBuzNm"] == "귀 금 속"  # not a list
    assert get(client, f"{ZSCORE}/005930", search="idxYm:201511")  # a bare array, not a page
    fault(client, "empty-pages", on=False)
    assert get(client, CODE, page="0", size="1")["totalElements"] == 304


# ------------------------------------------------------------------------------ 3-5: indices
def test_index_list_of_one_month_covers_every_type(client: FlaskClient) -> None:
    body = get(client, INDEX, page="0", size="200", search="idxYM:201510", sort="desc")
    assert body["totalElements"] == 304 and body["totalPages"] == 2
    assert body["sort"] == [{"direction": "DESC", "property": "idxYM", "ignoreCase": False,
                             "nullHandling": "NATIVE", "descending": True, "ascending": False}]
    rows = body["content"]
    assert {row["idxYM"] for row in rows} == {"201510"}
    assert [r["tpBuzCode"] for r in rows] == sorted(r["tpBuzCode"] for r in rows)
    for row in rows:
        assert DECIMAL.match(row["amtIdx"]) and DECIMAL.match(row["cntIdx"]), row
        assert 30 < float(row["amtIdx"]) < 300 and 30 < float(row["cntIdx"]) < 300


def test_index_list_order_and_month_ranges(client: FlaskClient) -> None:
    newest = get(client, INDEX, page="0", size="3", search="idxYM>202607", sort="desc")
    assert newest["totalElements"] == 3 * 304 and newest["content"][0]["idxYM"] == LATEST
    oldest = get(client, INDEX, page="0", size="3", search="", sort="ASC")
    assert oldest["content"][0]["idxYM"] == "201401"
    assert oldest["sort"][0]["direction"] == "ASC" and oldest["sort"][0]["ascending"] is True
    total_months = (2026 - 2014) * 12 + 10
    assert oldest["totalElements"] == total_months * 304
    last_page = get(client, INDEX, page=str(oldest["totalElements"] // 200), size="200",
                    search="", sort="idxYM,asc")
    assert last_page["content"][-1] == {**last_page["content"][-1], "idxYM": LATEST,
                                        "tpBuzCode": "9205"}
    combined = get(client, INDEX, page="0", size="50", sort="asc",
                   search="idxYM>=202001,idxYM<=202003,tpBuzCode:1101")
    assert [(r["idxYM"], r["tpBuzCode"]) for r in combined["content"]] == [
        ("202001", "1101"), ("202002", "1101"), ("202003", "1101")]
    assert get(client, INDEX, page="0", size="3", search="idxYM:202611",
               sort="desc")["totalElements"] == 0  # not yet published


@pytest.mark.parametrize("search", ["idxYM:2015", "idxYM:201513", "idxYM>abc", "idxYM:20151O"])
def test_bad_month_is_400_search(client: FlaskClient, search: str) -> None:
    assert_partner_error(partner_get(client, INDEX, page="0", size="3", search=search,
                                     sort="desc"), "bccard", "search")
    assert_partner_error(partner_get(client, f"{INDEX}/4411/detail", search=search),
                         "bccard", "search")


def test_index_list_needs_search_and_a_valid_sort(client: FlaskClient) -> None:
    assert_partner_error(partner_get(client, INDEX, page="0", size="3", sort="desc"),
                         "bccard", "search")
    assert_partner_error(partner_get(client, INDEX, page="0", size="3", search=""),
                         "bccard", "sort")
    assert_partner_error(partner_get(client, INDEX, page="0", size="3", search="", sort="up"),
                         "bccard", "sort")
    assert_partner_error(partner_get(client, f"{INDEX}/4411/detail"), "bccard", "search")


def test_one_point_is_the_same_in_every_endpoint(client: FlaskClient) -> None:
    month_list = get(client, INDEX, page="0", size="200", search="idxYM:201806,tpBuzCode>4400",
                     sort="desc")["content"]
    row = next(r for r in month_list if r["tpBuzCode"] == "4411")
    series = get(client, f"{INDEX}/4411", page="0", size="200", search="idxYM>201712")["content"]
    assert row in series
    assert get(client, f"{INDEX}/4411/detail", search="idxYM:201806") == row
    point = data.index_point(42, "4411", data.month_index(2018, 6))
    assert row["amtIdx"] == data.index_text(point.amount)
    assert row["cntIdx"] == data.index_text(point.count)


def test_index_by_code_series_and_unknown_codes(client: FlaskClient) -> None:
    series = get(client, f"{INDEX}/1001", page="0", size="200", search="")
    months = [row["idxYM"] for row in series["content"]]
    assert months[0] == LATEST and months == sorted(months, reverse=True)
    assert series["totalElements"] == (2026 - 2014) * 12 + 10
    ascending = get(client, f"{INDEX}/1001", page="0", size="2", search="", sort="asc")
    assert [r["idxYM"] for r in ascending["content"]] == ["201401", "201402"]
    for code in ("0000", "xyz", "10011"):
        empty = get(client, f"{INDEX}/{code}", page="0", size="10", search="idxYM:201510")
        assert empty["content"] == [] and empty["totalElements"] == 0


def test_index_detail_rules(client: FlaskClient) -> None:
    newest = get(client, f"{INDEX}/6015/detail", search="idxYM>202001")
    assert newest["idxYM"] == LATEST and newest["tpBuzCode"] == "6015"
    assert get(client, f"{INDEX}/6015/detail/", search="")["idxYM"] == LATEST
    for search in ("idxYM:201312", "idxYM:202611", "idxYM>202610"):
        assert_partner_error(partner_get(client, f"{INDEX}/6015/detail", search=search),
                             "bccard", "search", 404)
    assert_partner_error(partner_get(client, f"{INDEX}/9999/detail", search="idxYM:201510"),
                         "bccard", "code", 404)


def test_the_clock_publishes_one_more_month(client: FlaskClient, state: SandboxState) -> None:
    query = {"page": "0", "size": "1", "search": "", "sort": "desc"}
    set_clock(state, "2026-11-30T23:59:00+09:00")
    assert get(client, INDEX, **query)["content"][0]["idxYM"] == LATEST
    set_clock(state, "2026-12-01T00:00:00+09:00")
    assert get(client, INDEX, **query)["content"][0]["idxYM"] == "202611"
    set_clock(state, "2014-01-15T12:00:00+09:00")
    assert get(client, INDEX, **query)["totalElements"] == 0
    assert_partner_error(partner_get(client, f"{INDEX}/1001/detail", search=""),
                         "bccard", "search", 404)


def test_pandemic_and_season_shape_the_sectors() -> None:
    def count(code: str, year: int, month: int) -> float:
        return data.index_point(42, code, data.month_index(year, month)).count

    airlines = statistics.mean(count(c, 2020, 4) / count(c, 2019, 4) for c in ("1101", "1102"))
    assert airlines < 0.8  # travel collapsed in April 2020
    games = count("9101", 2020, 4) / count("9101", 2019, 4)
    assert games > airlines
    ski = [count("1203", y, 1) / count("1203", y, 7) for y in range(2015, 2020)]
    assert min(ski) > 1.0  # ski resorts sell in winter


# -------------------------------------------------------------------------- 6, 7: z-scores
def test_zscore_companies_come_from_the_universe(client: FlaskClient) -> None:
    first = get(client, ZSCORE, page="0", size="200", search="")
    rows = first["content"] + get(client, ZSCORE, page="1", size="200", search="")["content"]
    assert 100 <= first["totalElements"] <= 300 and len(rows) == first["totalElements"]
    assert first["sort"][0]["property"] == "INTL_TCKR"
    codes = [row["intlTckr"] for row in rows]
    assert codes == sorted(set(codes))
    universe = load_universe()
    for row in rows:
        inst = universe.get(row["intlTckr"])
        assert inst is not None
        assert (row["merNm"], row["koscomTckr"]) == (inst.name, inst.isin)
    assert {"merNm": "삼성전자", "koscomTckr": "KR7005930003", "intlTckr": "005930"} in rows
    assert {"merNm": "경동가스", "koscomTckr": "KR7012320008", "intlTckr": "012320"} in rows


def test_zscore_list_filters(client: FlaskClient) -> None:
    samsung = get(client, ZSCORE, page="0", size="5", search="merNm:삼성전자")["content"]
    assert [row["intlTckr"] for row in samsung] == ["005930"]
    by_code = get(client, ZSCORE, page="0", size="5", search="intlTckr:005930,regYm:201501")
    assert by_code["content"] == samsung
    everyone = get(client, ZSCORE, page="0", size="1", search="")["totalElements"]
    late = get(client, ZSCORE, page="0", size="1", search="regYm>201712")["totalElements"]
    early = get(client, ZSCORE, page="0", size="1", search="regYm<=201712")["totalElements"]
    assert late + early == everyone and late > 0 and early > 0
    assert_partner_error(partner_get(client, ZSCORE, page="0", size="1", search="regYm>2017"),
                         "bccard", "search")


def test_zscore_series(client: FlaskClient) -> None:
    series = get(client, f"{ZSCORE}/005930", search="merNm")
    months = [row["idxYm"] for row in series]
    assert months[0] == "201501" and months[-1] == LATEST and months == sorted(months)
    assert len(months) == (2026 - 2015) * 12 + 10
    for row in series:
        assert ZSCORE_TEXT.match(row["zScore"]), row
        assert row["merNm"] == "삼성전자" and row["koscomTckr"] == "KR7005930003"
    after = get(client, f"{ZSCORE}/005930/", search="idxYm>202512")
    assert after == series[-10:]
    assert get(client, f"{ZSCORE}/005930", search="regYm>=202601") == after
    one = get(client, f"{ZSCORE}/005930", search="idxYm:201801")
    assert one == [row for row in series if row["idxYm"] == "201801"]
    for code, search in (("999999", ""), ("005935", ""), ("005930", "merNm:카카오"),
                         ("005930", "idxYm:201412"), ("005930", "idxYm:202611")):
        assert get(client, f"{ZSCORE}/{code}", search=search) == []
    assert_partner_error(partner_get(client, f"{ZSCORE}/005930"), "bccard", "search")
    assert_partner_error(partner_get(client, f"{ZSCORE}/005930", search="idxYm:15"),
                         "bccard", "search")


def test_zscore_time_travel(client: FlaskClient, state: SandboxState) -> None:
    now = get(client, ZSCORE, page="0", size="1", search="")["totalElements"]
    set_clock(state, "2016-06-15T09:00:00+09:00")
    then = get(client, ZSCORE, page="0", size="1", search="")["totalElements"]
    assert 0 < then < now
    series = get(client, f"{ZSCORE}/005930", search="")
    assert series[-1]["idxYm"] == "201605"
    set_clock(state, "2014-12-31T09:00:00+09:00")
    assert get(client, f"{ZSCORE}/005930", search="") == []  # coverage starts 201501


# ---------------------------------------------------------------------------- determinism
def test_same_request_same_bytes(client: FlaskClient) -> None:
    for path, query in ((INDEX, {"page": "3", "size": "50", "search": "", "sort": "desc"}),
                        (f"{ZSCORE}/005930", {"search": ""})):
        first = partner_get(client, path, **query).data
        assert partner_get(client, path, **query).data == first


def test_another_seed_gives_other_data() -> None:
    query = {"page": "0", "size": "20", "search": "idxYM:201901", "sort": "desc"}
    a, b = models.index_list(world(42), query), models.index_list(world(7), query)
    assert [r["tpBuzCode"] for r in a["content"]] == [r["tpBuzCode"] for r in b["content"]]
    assert a["content"] != b["content"]
    za = models.zscore_series(world(42), "005930", {"search": ""})
    zb = models.zscore_series(world(7), "005930", {"search": ""})
    assert [r["idxYm"] for r in za] == [r["idxYm"] for r in zb] and za != zb
    assert models.zscore_list(world(7), {"page": "0", "size": "200", "search": ""}) == \
        models.zscore_list(world(42), {"page": "0", "size": "200", "search": ""})


# ------------------------------------------------------------------------------- properties
@PROPS
@given(seed=st.integers(0, 2**31), year=st.integers(2014, 2030), month=st.integers(1, 12),
       pick=st.integers(0, 303))
def test_index_points_are_positive_pure_and_rendered_like_the_samples(
        seed: int, year: int, month: int, pick: int) -> None:
    code = data.business_types()[pick].code
    point = data.index_point(seed, code, data.month_index(year, month))
    assert point == data.index_point(seed, code, data.month_index(year, month))
    for value in (point.amount, point.count):
        text = data.index_text(value)
        assert DECIMAL.match(text) and float(text) == pytest.approx(value) and value > 5


@PROPS
@given(seed=st.integers(0, 2**31), start=st.integers(0, 140), length=st.integers(1, 30),
       offset=st.integers(0, 29))
def test_z_scores_have_random_access(seed: int, start: int, length: int, offset: int) -> None:
    months = range(data.FIRST_MONTH + start, data.FIRST_MONTH + start + length)
    block = data.z_scores(seed, "005930", months)
    month = months[offset % length]
    assert data.z_score(seed, "005930", month) == block[offset % length]
    assert ZSCORE_TEXT.match(data.z_text(block[offset % length]))


def test_z_scores_are_standard_normal_with_autocorrelation() -> None:
    values: list[float] = []
    lag_products: list[float] = []
    months = range(data.month_index(2015, 1), data.month_index(2025, 1))
    for company in data.coverage(load_universe())[:60]:
        series = [float(z) for z in data.z_scores(42, company.code, months)]
        values.extend(series)
        lag_products.extend(a * b for a, b in pairwise(series))
    assert abs(statistics.fmean(values)) < 0.1
    assert 0.85 < statistics.pstdev(values) < 1.1
    assert 0.6 < statistics.fmean(lag_products) < 0.85  # φ = 0.75


@PROPS
@given(search=st.text(max_size=40), page=st.text(max_size=6), size=st.text(max_size=6))
def test_any_query_is_an_answer_or_a_400(client: FlaskClient, search: str, page: str,
                                         size: str) -> None:
    for path in (CODE, INDEX, f"{INDEX}/1001", f"{INDEX}/1001/detail", ZSCORE,
                 f"{ZSCORE}/005930"):
        response = partner_get(client, path, page=page, size=size, search=search, sort="desc")
        assert response.status_code in (200, 400, 404), response.get_data(as_text=True)
        if response.status_code != 200:
            assert response.get_json()["category"] == "bccard"


def test_months_and_publication() -> None:
    assert data.parse_month("201510") == data.month_index(2015, 10)
    for bad in ("20151", "201500", "201513", "2015-1", "٢٠١٥١٠"):
        assert data.parse_month(bad) is None
    assert data.month_text(data.month_index(2015, 1)) == "201501"
    assert data.last_published(date(2026, 1, 3)) == data.month_index(2025, 12)
    assert list(data.published_months(date(2014, 1, 31))) == []
    assert data.index_text(75.3) == "75.3" and data.index_text(100.0) == "100"
    assert data.index_text(109.38) == "109.38"
