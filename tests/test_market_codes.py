"""GET /_sandbox/market/codes: the code tables are the ones the market endpoints apply."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import example, market_get


def test_code_tables_match_the_endpoints(client: FlaskClient) -> None:
    response = client.get("/_sandbox/market/codes")
    assert response.status_code == 200
    tables = response.get_json()
    assert "kospi200" in tables["marketcodes"]["futures"]
    assert tables["marketcodes"]["options"] == ["kospi200", "mini_kospi200", "usd"]
    assert {"code": "K2FA001", "marketcode": "kospi200"} in tables["continuous"]
    assert [row["invstCd"] for row in tables["investors"]] == [f"{n:02d}" for n in range(1, 17)]
    assert {"code": "K1", "name": "KOSPI"} in tables["indices"]["kospi"]
    assert {"code": 10040, "message": "종목코드가 존재 하지 않습니다"} in tables["errors"]
    for group, rows in tables["indices"].items():  # every listed index answers its endpoint
        code = rows[-1]["code"]
        assert market_get(client, f"/v2/market/index/{group}/{code}/index").status_code == 200
    for market in tables["marketcodes"]["futures"]:
        assert market_get(client, f"/v2/market/futures/{market}/lists").status_code == 200


def test_code_tables_cover_the_spec_tables(client: FlaskClient) -> None:
    tables = client.get("/_sandbox/market/codes").get_json()
    documented = example("../market/codes/marketcodes.json")["codes"]
    for row in documented:  # every documented (family, marketcode) pair is served
        for family in row["families"]:
            assert row["marketcode"] in tables["marketcodes"][family], (family, row)
    indices = {row["code"] for rows in tables["indices"].values() for row in rows}
    for group in ("kospi", "kosdaq", "sector", "etc"):
        table = example(f"../market/codes/industries_{group}.json")
        assert {row["code"] for row in table["codes"]} <= indices
