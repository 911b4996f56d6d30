"""Stocks REST (market README §5 S1-S6, S12, S15) on the default world."""

from __future__ import annotations

from flask.testing import FlaskClient

from sandbox.app import SandboxState
from tests.conftest import assert_covers, market_get, set_clock


def test_price_carries_the_documented_keys(client: FlaskClient) -> None:
    response = market_get(client, "/v2/market/stocks/kospi/005930/price")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert_covers("market/stocks_price.response.json", body)
    assert_covers("market/stocks_price.sandbox-2018-12.response.json", body)
    result = body["result"]
    assert result["isuSrtCd"] == "005930"
    assert result["trdPrc"] - result["cmpprevddPrc"] > 0
    assert result["lwprc"] <= result["trdPrc"] <= result["hgprc"]


def test_price_errors_in_path_order(client: FlaskClient) -> None:
    unknown_market = market_get(client, "/v2/market/stocks/nasdaq/005930/price")
    assert unknown_market.status_code == 400
    assert unknown_market.get_json() == {"error": "조회유형이 존재 하지 않습니다"}
    unknown_issue = market_get(client, "/v2/market/stocks/kosdaq/005930/price")
    assert unknown_issue.get_json() == {"error": "종목코드가 존재 하지 않습니다"}
    assert "kosdaq" in unknown_issue.headers["X-Sandbox-Error-Detail"]
    assert market_get(client, "/v2/market/stocks/KOSPI/005930/price").status_code == 400


def test_price_accepts_the_isin_and_the_query_key(client: FlaskClient, state: SandboxState) -> None:
    from tests.conftest import F9999_KEY

    by_isin = market_get(client, "/v2/market/stocks/kospi/KR7005930003/price").get_json()
    by_query = client.get("/v2/market/stocks/kospi/005930/price",
                          query_string={"apikey": F9999_KEY}).get_json()
    assert by_isin == by_query
    assert by_isin["result"]["isuSrtCd"] == "005930"
    no_key = client.get("/v2/market/stocks/kospi/005930/price")
    assert no_key.status_code == 401


def test_price_before_the_open_reports_the_base(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:00:00+09:00")
    result = market_get(client, "/v2/market/stocks/kospi/005930/price").get_json()["result"]
    assert (result["opnprc"], result["accTrdvol"], result["trdTm"]) == (0, 0, 0)
    assert result["cmpprevddPrc"] == 0
