"""NICE company information (partners.md H3, endpoints 45-50): the company registry, the
outline, base dates, the balance sheet and the ratio analysis — identities, units, ratios
recomputed from the statements and agreement with Bookkeeper."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.partners.bookkeeper import models as bookkeeper
from sandbox.families.partners.nice import models, outline, ratios
from sandbox.families.partners.nice import statement as table
from sandbox.world.market.instruments import load_universe
from sandbox.world.partners import companies
from sandbox.world.partners.statements import published, statement
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

OPS = ("partners.nice_kiscode", "partners.nice_companyShortOutline",
       "partners.nice_financialRateBaseDate", "partners.nice_financialRate",
       "partners.nice_financialStateTableBaseDate", "partners.nice_financialStateTable")
KISCODE = "/v1/nice/companyOutlineIfo/kiscode"
OUTLINE = "/v1/nice/companyOutlineIfo/companyShortOutline"
RATE_DATES = "/v1/nice/companyFinancialAnalIfo/financialRateBaseDate"
RATE = "/v1/nice/companyFinancialAnalIfo/financialRate"
TABLE_DATES = "/v1/nice/companyFinancialIfo/financialStateTableBaseDate"
TABLE = "/v1/nice/companyFinancialIfo/financialStateTable"
SAMSUNG = {"kiscode": "380725", "bizno": "1248100998", "crpno": "1301110006246"}
TODAY = date(2026, 11, 24)
REGISTRY = companies.registry(42)


def items(client: FlaskClient, path: str, **query: Any) -> dict[str, Any]:
    found: dict[str, Any] = ok(partner_get(client, path, **query))["items"]
    assert found["count"] == str(len(found["item"]))
    return found


def world(seed: int, **settings_: Any) -> World:
    return World(WorldSettings(seed=seed, clock=FROZEN, users=0, **settings_))


# ------------------------------------------------------------------------------ examples
def test_documented_requests_answer_every_documented_key(client: FlaskClient) -> None:
    for name in ("kiscode", "companyShortOutline", "financialRateBaseDate", "financialRate",
                 "financialStateTableBaseDate", "financialStateTable"):
        body = ok(partner_call(client, example(f"partners/nice_{name}.request.json")))
        assert_covers(f"partners/nice_{name}.response.json", body)
    body = ok(partner_call(client, example("partners/nice_kiscode.request.json")))
    assert body == {"items": {"count": "1", "item": [{"kiscode": "380725"}]}}


def test_the_outline_has_exactly_the_sample_fields(client: FlaskClient) -> None:
    sample = example("partners/nice_companyShortOutline.response.json")["items"]["item"][0]
    item = items(client, OUTLINE, kiscode="380725")["item"][0]
    assert sorted(item) == sorted(sample) == list(item)  # same keys, sorted as in the sample


# ------------------------------------------------------------------------------ registry
def test_every_listed_stock_has_a_company_with_valid_identifiers() -> None:
    assert len(REGISTRY.by_stock) == sum(len(load_universe().select("stock", m))
                                         for m in companies.MARKETS)
    for kind in ("by_kiscode", "by_bizno", "by_crpno"):
        assert len(getattr(REGISTRY, kind)) == len(REGISTRY.companies)  # unique
    for company in REGISTRY.companies:
        assert len(company.kiscode) == 6 and company.kiscode.isdigit()
        assert companies.valid_bizno(company.bizno), company.bizno
        assert companies.valid_crpno(company.crpno), company.crpno
        assert company.bizno[3:5] in ("81", "86", "87")
    samsung = REGISTRY.by_stock["005930"]
    assert (samsung.kiscode, samsung.bizno, samsung.crpno) == tuple(SAMSUNG[k] for k in (
        "kiscode", "bizno", "crpno"))
    assert REGISTRY.by_stock["005935"] is samsung  # a preferred share is the same company


def test_identifiers_depend_on_the_seed_except_the_documented_ones() -> None:
    other = companies.registry(7)
    assert other.by_stock["005930"].kiscode == "380725"
    assert other.by_stock["000660"].kiscode != REGISTRY.by_stock["000660"].kiscode
    assert companies.registry(42) is REGISTRY


def test_ksic_codes_and_hierarchy() -> None:
    ksic = REGISTRY.by_stock["005930"].industry
    assert (ksic.idscd, ksic.idscdid()) == ("C26422", "09C2642200")
    assert [ksic.idscdid(d) for d in (0, 2, 3, 4)] == ["09C0000000", "09C2600000",
                                                       "09C2640000", "09C2642000"]
    assert ksic.section_name == "제조업 (10 ~ 33)" and ksic.name == "이동전화기 제조업"
    sectors = companies.tables()["ksic"]["sectors"]
    for company in REGISTRY.companies[::25]:
        assert company.industry.subclass in sectors.get(company.inst.sector, ["46800"])


# ------------------------------------------------------------------------------ 45 kiscode
def test_kiscode_from_any_identifier(client: FlaskClient) -> None:
    def found(**query: str) -> list[dict[str, str]]:
        result: list[dict[str, str]] = items(client, KISCODE, **query)["item"]
        return result

    for query in ({"bizno": "1248100998"}, {"crpno": "1301110006246"}, {"stockcd": "005930"},
                  {"stockcd": "A005930"}, {"bizno": "124-81-00998"}, {"stockcd": "005935"},
                  {"crpno": "", "bizno": "1248100998", "stockcd": ""},
                  {"bizno": "1248100998", "stockcd": "005930", "crpno": "1301110006246"}):
        assert found(**query) == [{"kiscode": "380725"}], query
    hynix = REGISTRY.by_stock["000660"]
    assert found(crpno=hynix.crpno) == [{"kiscode": hynix.kiscode}]
    assert found(bizno="1248100998", stockcd="000660") == []  # two companies
    assert found(bizno="1234567890") == [] and found(stockcd="zzz") == []


def test_kiscode_needs_an_identifier(client: FlaskClient) -> None:
    for query in ({}, {"crpno": "", "bizno": " ", "stockcd": ""}):
        assert_partner_error(partner_get(client, KISCODE, **query), "nice",
                             "crpno,bizno,stockcd")


# ------------------------------------------------------------------------------ 46 outline
def test_outline_of_samsung(client: FlaskClient) -> None:
    item = items(client, OUTLINE, kiscode="380725", bizno="1248100998")["item"][0]
    assert item == items(client, OUTLINE, bizno="1248100998")["item"][0]
    assert all(isinstance(v, str) for v in item.values())
    expected = {"kiscode": "380725", "bizno": "1248100998", "crpno": "1301110006246",
                "stkcd": "005930", "korentrnm": "삼성전자(주)", "kor_itemnm": "삼성전자",
                "idscd": "C26422", "idscdid": "09C2642200", "idscdid_big": "09C0000000",
                "idscdid_mdetail": "09C2642200", "korIdscdnm": "이동전화기 제조업",
                "etbDate": "19690113", "ltg_date": "19750611", "ltgmktdivcd": "1",
                "scl": "대기업", "grpnm": "삼성", "stacmm": "12", "fadivcd": "00"}
    assert {k: item[k] for k in expected} == expected
    staff, base = companies.employees(market_of(42), REGISTRY.by_stock["005930"], TODAY)
    assert (item["empnum"], item["faBseDate"]) == (str(staff), base and base.strftime("%Y%m%d"))
    assert item["logo"].endswith("th_1248100998.jpg") and item["upt_dtm"] < "2026-11-24"


def test_outline_markets_and_sizes(client: FlaskClient) -> None:
    for market, code in (("kosdaq", "2"), ("konex", "3")):
        company = next(c for c in REGISTRY.companies if c.inst.market == market)
        item = items(client, OUTLINE, kiscode=company.kiscode)["item"][0]
        assert item["ltgmktdivcd"] == code and item["opt_entrnm"] == company.inst.name
        assert item["scl"] in ("대기업", "중견기업", "중소기업")
        assert item["koraddr"].startswith(item["sido"])


def test_outline_excel_names_variant() -> None:
    company = REGISTRY.by_stock["005930"]
    excel = outline.company_short_outline(world(42, partner_variants=frozenset(
        {"nice-excel-names"})), {"kiscode": "380725"}, TODAY)["items"]["item"][0]
    default = outline.company_short_outline(world(42), {"kiscode": "380725"},
                                            TODAY)["items"]["item"][0]
    assert excel["etb_date"] == default["etbDate"] == "19690113"
    assert excel["fa_bse_date"] == default["faBseDate"]
    assert excel["kor_idscdnm"] == default["korIdscdnm"]
    assert not {"etbDate", "faBseDate", "korIdscdnm", "idscdid_big"} & set(excel)
    assert {"btpnm", "bzdnm", "rbtpnm", "scaledivcd", "kisreporturl", "sventure"} <= set(excel)
    assert excel["scaledivcd"] == "1" and company.kiscode == excel["kiscode"]


def test_outline_lookup_errors(client: FlaskClient) -> None:
    assert_partner_error(partner_get(client, OUTLINE), "nice", "kiscode,bizno")
    assert items(client, OUTLINE, kiscode="000000")["item"] == []
    assert items(client, OUTLINE, kiscode="380725", bizno="1111111111")["item"] == []


# ------------------------------------------------------------------------------ 47, 49 dates
def test_base_dates_follow_the_publication_calendar(client: FlaskClient,
                                                    state: SandboxState) -> None:
    found = items(client, TABLE_DATES, kiscode="380725", stacdivcd="F")["item"]
    assert [i["stac_date"][4:] for i in found] == ["0331"] * len(found)
    assert [i["stac_date"] for i in found] == sorted((i["stac_date"] for i in found),
                                                     reverse=True)
    assert found[0] == {"fadivcd": "00", "stac_date": "20260331", "stac_yymm": "202603",
                        "stacdivcd": "F"}
    assert found[-1]["stac_date"] == "20010331" and len(found) == 26
    annual = items(client, TABLE_DATES, bizno="1248100998")["item"]  # default K
    assert annual[0]["stac_date"] == "20251231" and annual[0]["stacdivcd"] == "K"
    rate = items(client, RATE_DATES, kiscode="380725", stacdivcd="B", fatpcd="0")["item"]
    assert rate[0] == {"stac_date": "20260630"}
    # the first half of 2026 is published 45 days after 30 June
    assert published(date(2026, 12, 31), 2) == date(2026, 8, 14)
    set_clock(state, "2026-08-13T12:00:00+09:00")
    assert items(client, RATE_DATES, kiscode="380725", stacdivcd="B",
                 fatpcd="1")["item"][0] == {"stac_date": "20250630"}
    set_clock(state, "2026-08-14T12:00:00+09:00")
    assert items(client, RATE_DATES, kiscode="380725", stacdivcd="B",
                 fatpcd="1")["item"][0] == {"stac_date": "20260630"}


def test_base_date_errors(client: FlaskClient) -> None:
    assert_partner_error(partner_get(client, RATE_DATES, kiscode="380725", stacdivcd="F"),
                         "nice", "fatpcd")
    assert_partner_error(partner_get(client, RATE_DATES, kiscode="380725", stacdivcd="Q",
                                     fatpcd="0"), "nice", "stacdivcd")
    assert_partner_error(partner_get(client, TABLE_DATES, stacdivcd="K"), "nice",
                         "kiscode,bizno")
    assert items(client, TABLE_DATES, kiscode="999999")["item"] == []


# ------------------------------------------------------------------------------ 50 table
def test_balance_sheet_header_and_columns(client: FlaskClient) -> None:
    found = items(client, TABLE, kiscode="380725", stacdivcd="F", fatpcd="0", yr="3",
                  amtuit="2")
    assert [found[f"stac_date{k}"] for k in range(3)] == ["20260331", "20250331", "20240331"]
    assert (found["nyr"], found["yr"], found["amtuit"], found["fatpcd"]) == ("3", "3", "2", "0")
    assert found["audit_kor0"] == "검토(표준)" and found["auditcd0"] == "70"
    assert found["stac_date"] == "20261124" and found["st_date"] == "202611"
    assert float(found["exchange"]) > 0 and found["exchange_date"] == "20261123"
    five = items(client, TABLE, kiscode="380725", yr="5", stac_date="20231231")
    assert [five[f"stac_date{k}"] for k in range(5)] == [f"{y}1231" for y in range(2023,
                                                                                   2018, -1)]
    assert five["audit_kor0"] == "적정" and five["stac_date"] == "20231231"
    assert all(f"fvl{k}" in row for row in five["item"] for k in range(5))
    none = items(client, TABLE, kiscode="380725", stac_date="20230930")  # not a K date
    assert none["item"] == [] and none["nyr"] == "0"


def test_balance_sheet_is_bookkeepers_balance_sheet(client: FlaskClient) -> None:
    for fatpcd, consolidated in (("1", "1"), ("0", "0")):
        nice = items(client, TABLE, kiscode="380725", amtuit="1", fatpcd=fatpcd)
        book = ok(partner_get(client, "/v1/bookkeeper/fs/ifrs/005930", max_depth="3",
                              consolidated=consolidated))["data"]
        rows = {r["farptitemcd"]: r for r in nice["item"]}
        for k in range(3):
            year = next(p for p in book if p["fiscal_year"].replace("-", "")
                        == nice[f"stac_date{k}"])
            value = {i["code"]: i["value"] for i in year["balance_sheet"]}
            for nice_code, book_code in (("5000", "110000"), ("8000", "140000"),
                                         ("8500", "160000"), ("1100", "111100"),
                                         ("3200", "112200"), ("8300", "163000")):
                assert int(rows[nice_code][f"fvl{k}"]) == value[book_code]


def _check_sheet(found: dict[str, Any], unit: int, krw: dict[str, Any] | None) -> None:
    rows = table.rows()
    values = [[int(item[f"fvl{k}"]) for item in found["item"]] for k in range(int(found["nyr"]))]
    for column in values:
        for row, value in zip(rows, column, strict=True):
            if row.parts:
                assert value == sum(column[j] for j in row.parts), row.code
        assert column[15] == column[-1]  # 자산총계 = 부채와자본총계
    if krw is None:
        return
    exact = [[int(item[f"fvl{k}"]) for item in krw["item"]] for k in range(int(krw["nyr"]))]
    leaves = sum(1 for row in rows if not row.parts)
    for column, reference_ in zip(values, exact, strict=True):
        for row, value, amount in zip(rows, column, reference_, strict=True):
            slack = (leaves if row.parts or row.plug else 1) * Fraction(1, 2)
            assert abs(value - Fraction(amount, unit)) <= slack, row.code
    for item, krw_item in zip(found["item"], krw["item"], strict=True):
        assert {k: v for k, v in item.items() if not k.startswith(("fvl", "monunit"))} == {
            k: v for k, v in krw_item.items() if not k.startswith(("fvl", "monunit"))}


def test_balance_sheet_units_shares_and_changes(client: FlaskClient) -> None:
    krw = items(client, TABLE, kiscode="380725", amtuit="1", yr="5")
    _check_sheet(krw, 1, None)
    for code, unit in models.UNITS.items():
        found = items(client, TABLE, kiscode="380725", amtuit=code, yr="5")
        assert {row["monunit"] for row in found["item"]} == {code}
        _check_sheet(found, unit, krw)
    total = next(r for r in krw["item"] if r["farptitemcd"] == "5000")
    for row in krw["item"]:
        for k in range(4):
            share = Fraction(int(row[f"fvl{k}"]), int(total[f"fvl{k}"])) * 100
            assert row[f"cmprt{k}"] == models.fmt(share, 1)
            before = int(row[f"fvl{k + 1}"])
            if before:
                change = Fraction(int(row[f"fvl{k}"]) - before, abs(before)) * 100
                assert row[f"indrt{k}"] == models.fmt(change, 1)
    assert total["cmprt0"] == "100.0"


def test_balance_sheet_errors(client: FlaskClient) -> None:
    for name, value in (("yr", "4"), ("amtuit", "5"), ("fatpcd", "2"), ("stacdivcd", "A"),
                        ("stac_date", "2023-12-31")):
        assert_partner_error(partner_get(client, TABLE, kiscode="380725", **{name: value}),
                             "nice", name)
    assert_partner_error(partner_get(client, TABLE), "nice", "kiscode")
    assert_partner_error(partner_get(client, TABLE, kiscode=""), "nice", "kiscode")
    assert items(client, TABLE, kiscode="1") == {"count": "0", "item": []}


# ------------------------------------------------------------------------------ 48 ratios
def test_ratios_are_worked_out_of_bookkeepers_statements(client: FlaskClient) -> None:
    found = items(client, RATE, kiscode="380725", yr="3")
    assert len(found["item"]) == len(ratios.ratio_table()) == int(found["count"])
    assert (found["sanupscd_full"], found["sanupscd1"], found["sanupscd2"]) == (
        "C26422", "C", "26422")
    rows = {r["farptitemcd"]: r for r in found["item"]}
    book = ok(partner_get(client, "/v1/bookkeeper/fs/ifrs/005930", max_depth="2",
                          **{"from": "2021-01-01"}))["data"]
    by_year = {p["fiscal_year"].replace("-", ""): {i["code"]: i["value"] for s in (
        "income", "balance_sheet") for i in p[s]} for p in book}
    for k in range(3):
        v = by_year[found[f"stac_date{k}"]]
        prev = by_year[str(int(found[f"stac_date{k}"][:4]) - 1) + "1231"]
        expected = {"1100": (v["210000"] - prev["210000"], abs(prev["210000"])),
                    "2200": (v["250000"], v["210000"]), "2300": (v["290000"], v["210000"]),
                    "2400": (v["290000"], v["160000"]), "2500": (v["290000"], v["110000"]),
                    "3100": (v["140000"], v["160000"]), "3200": (v["111000"], v["141000"]),
                    "3300": (v["160000"], v["110000"])}
        for code, (num, den) in expected.items():
            assert rows[code][f"biyul{k}"] == models.fmt(Fraction(num, den) * 100, 2), code
        assert rows["4100"][f"biyul{k}"] == models.fmt(Fraction(v["210000"], v["110000"]), 2)


def test_ratio_header_alias_and_years(client: FlaskClient) -> None:
    found = items(client, RATE, kiscode="380725", stacdivcd="F", yr="5", fatpcd="0",
                  stac_date="0")
    assert (found["stac_date"], found["nyr"], found["yr"], found["ver"]) == ("0", "5", "5", "0")
    assert found["stac_date0"] == "20260331" and found["korentrnm4"] == "삼성전자(주)"
    assert all(f"han{k}" in row for row in found["item"] for k in range(5))
    alias = ok(partner_get(client, "/v1/nice/companyFinancialAnal/financialRate",
                           kiscode="380725", stacdivcd="F", yr="5", fatpcd="0", stac_date="0"))
    assert alias["items"] == found
    other = items(client, RATE, kiscode="380725", stacdivcd="F", yr="5", fatpcd="1")
    assert other["item"] != found["item"]  # the parent-only statements give other ratios
    assert items(client, RATE, kiscode="380725", stac_date="19991231")["item"] == []
    assert_partner_error(partner_get(client, RATE, kiscode="380725", yr="10"), "nice", "yr")
    assert_partner_error(partner_get(client, RATE, yr="3"), "nice", "kiscode")


def test_same_request_same_bytes(client: FlaskClient) -> None:
    for path in (RATE, TABLE, OUTLINE):
        first = partner_get(client, path, kiscode="380725")
        assert first.get_data() == partner_get(client, path, kiscode="380725").get_data()


# ------------------------------------------------------------------------------ properties
CODES = [c.code for c in REGISTRY.companies]


def _pick(seed: int, index: int) -> tuple[World, companies.Company]:
    w = world(seed)
    return w, companies.registry(seed).by_stock[CODES[index % len(CODES)]]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), index=st.integers(0, 10**5), unit=st.sampled_from("1234"),
       fatpcd=st.sampled_from("01"), stacdivcd=st.sampled_from("FBTK"))
def test_balance_sheets_add_up_in_every_unit(seed: int, index: int, unit: str, fatpcd: str,
                                             stacdivcd: str) -> None:
    w, company = _pick(seed, index)
    query = {"kiscode": company.kiscode, "fatpcd": fatpcd, "stacdivcd": stacdivcd, "yr": "5"}
    krw = table.financial_state_table(w, {**query, "amtuit": "1"}, TODAY)["items"]
    found = table.financial_state_table(w, {**query, "amtuit": unit}, TODAY)["items"]
    if not found["item"]:
        assert found["nyr"] == "0"
        return
    _check_sheet(krw, 1, None)
    _check_sheet(found, models.UNITS[unit], krw)


def _expected(code: str, this: dict[str, int], months: int, before: dict[str, int] | None
              ) -> str:
    """A key ratio recomputed from statement lines, independently of the fixture."""
    growth = {"1100": "revenue", "1200": "operating_profit", "1300": "net_income",
              "1400": "total_assets", "1500": "total_equity"}
    if code in growth:
        if before is None or before[growth[code]] == 0:
            return ""
        line = growth[code]
        return models.fmt(Fraction(this[line] - before[line], abs(before[line])) * 100, 2)
    year = Fraction(12, months)
    num, den, scale = {
        "2100": (this["gross_profit"], this["revenue"], 100),
        "2200": (this["operating_profit"], this["revenue"], 100),
        "2300": (this["net_income"], this["revenue"], 100),
        "2400": (this["net_income"] * year, this["total_equity"], 100),
        "2500": (this["net_income"] * year, this["total_assets"], 100),
        "3100": (this["total_liabilities"], this["total_equity"], 100),
        "3200": (this["current_assets"], this["current_liabilities"], 100),
        "3300": (this["total_equity"], this["total_assets"], 100),
        "3400": (this["short_term_borrowings"] + this["bonds"] + this["long_term_borrowings"],
                 this["total_assets"], 100),
        "4100": (this["revenue"] * year, this["total_assets"], 1),
        "4200": (this["revenue"] * year, this["total_equity"], 1),
        "4300": (this["revenue"] * year, this["inventories"], 1)}[code]
    return models.fmt(Fraction(num) / den * scale, 2) if den > 0 else ""


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), index=st.integers(0, 10**5), quarter=st.integers(1, 4),
       consolidated=st.booleans(), back=st.integers(0, 4))
def test_company_ratios_recomputed_from_the_statements(seed: int, index: int, quarter: int,
                                                       consolidated: bool, back: int) -> None:
    w, company = _pick(seed, index)
    cols = models.bases(w, company, quarter, TODAY)[back:back + 1]
    if not cols:
        return
    end = cols[0].end
    pairs = ratios.pairs_at(w.market, [company], end, consolidated, TODAY)
    this, before = pairs[0]
    assert this.end == end and this.months == 3 * quarter
    for ratio in ratios.ratio_table():
        assert ratios.value(ratio, pairs) == _expected(
            ratio.code, this.lines, this.months, before.lines if before else None), ratio.code


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), index=st.integers(0, 10**5), fatpcd=st.sampled_from("01"))
def test_industry_averages_add_up_the_peers(seed: int, index: int, fatpcd: str) -> None:
    w, company = _pick(seed, index)
    found = ratios.financial_rate(w, {"kiscode": company.kiscode, "fatpcd": fatpcd,
                                      "yr": "3"}, TODAY)["items"]
    if not found["item"]:
        return
    peers = companies.nice_peers(seed, company)
    assert company in peers and len(peers) <= companies.NICE_PEERS
    assert {p.industry.subclass[:2] for p in peers} == {company.industry.subclass[:2]}
    han = companies.han_peers(seed, company)
    assert {p.industry.section for p in han} == {company.industry.section}
    end = date.fromisoformat(found["stac_date0"][:4] + "-" + found["stac_date0"][4:6] + "-"
                             + found["stac_date0"][6:])
    for prefix, members in (("nice", peers), ("han", han)):
        sums: dict[str, list[Fraction]] = {}
        for peer in members:
            st_ = ratios.statement_at(w.market, peer.inst, end, fatpcd == "1", TODAY)
            if st_ is None:
                continue
            factor = Fraction(12, st_.months)
            for name, (num, den) in {"3100": (st_["total_liabilities"], st_["total_equity"]),
                                     "2200": (st_["operating_profit"], st_["revenue"]),
                                     "2400": (st_["net_income"] * factor,
                                              st_["total_equity"])}.items():
                pair = sums.setdefault(name, [Fraction(0), Fraction(0)])
                pair[0] += num
                pair[1] += den
        rows = {r["farptitemcd"]: r for r in found["item"]}
        for name, (num, den) in sums.items():
            expected = models.fmt(num / den * 100, 2) if den > 0 else ""
            assert rows[name][f"{prefix}0"] == expected, (prefix, name)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), index=st.integers(0, 10**5), consolidated=st.booleans())
def test_nice_and_bookkeeper_agree(seed: int, index: int, consolidated: bool) -> None:
    w, company = _pick(seed, index)
    body = bookkeeper.fs(w, "ifrs", company.code, {"max_depth": "3", "consolidated": str(
        int(consolidated))}, TODAY)["data"]
    cols = models.bases(w, company, 4, TODAY)[:3]
    assert [p["fiscal_year"] for p in body[-len(cols):][::-1]] == [
        b.fiscal_year_end.isoformat() for b in cols] if cols else body == []
    for base in cols:
        period = next(p for p in body if p["fiscal_year"] == base.fiscal_year_end.isoformat())
        v = {i["code"]: i["value"] for s in bookkeeper.SECTIONS for i in period[s]}
        pairs = ratios.pairs_at(w.market, [company], base.end, consolidated, TODAY)
        by_code = {r.code: r for r in ratios.ratio_table()}
        assert ratios.value(by_code["3100"], pairs) == (
            models.fmt(Fraction(v["140000"], v["160000"]) * 100, 2) if v["160000"] > 0 else "")
        assert ratios.value(by_code["2200"], pairs) == (
            models.fmt(Fraction(v["250000"], v["210000"]) * 100, 2) if v["210000"] > 0 else "")
        sheet = table.amounts(statement(w.market, company.inst, base.fiscal_year_end, 4,
                                        consolidated), 1)
        assert sheet[15] == v["110000"] and sheet[24] == v["140000"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from([KISCODE, OUTLINE, RATE_DATES, RATE, TABLE_DATES, TABLE,
                             "/v1/nice/companyFinancialAnal/financialRate"]),
       query=st.dictionaries(
           st.sampled_from(["kiscode", "bizno", "crpno", "stockcd", "stacdivcd", "fatpcd",
                            "yr", "amtuit", "stac_date", "nosuch"]),
           st.one_of(st.text(max_size=14), st.sampled_from(
               ["380725", "1248100998", "005930", "F", "K", "0", "1", "3", "5", "2",
                "20251231", "20260331", "00000000", ""])), max_size=5))
def test_any_input_is_answered_without_a_server_error(client: FlaskClient, path: str,
                                                      query: dict[str, str]) -> None:
    response = partner_get(client, path, **query)
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert_partner_error(response, "nice")
    else:
        body = response.get_json()["items"]
        assert body["count"] == str(len(body["item"]))
