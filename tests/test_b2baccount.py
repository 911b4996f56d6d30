"""b2baccount ``accountlist`` and ``balancelist`` (operations ``b2baccount.accountlist_search``
and ``b2baccount.balancelist_search``; b2baccount.md §3, §5, §7, §8): the documented requests
verbatim, the institution boundary, balances against the market simulator, errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from tests.conftest import (
    F9999_KEY,
    assert_covers,
    assert_platform_error,
    b2b_body,
    b2b_headers,
    b2b_post,
    example,
    market_get,
    ok,
    set_clock,
)

ACC = "0019923122221"  # 00995's samsung account (identities.md §4)


def test_accountlist_of_00995_is_its_one_samsung_account(client: FlaskClient) -> None:
    body = ok(b2b_post(client, "accountlist", b2b_body("accountlist", {"count": 0})))
    assert body["accountList"]["account"] == [{"accNo": ACC, "accName": "홍길동",
                                               "virtualAccNo": "0929923212342",
                                               "contractStatus": "0"}]
    assert body["accountListResponseBody"]["queryResult"] == {"totalCnt": 1, "count": 1,
                                                              "page": "null"}
    assert body["commonHeader"]["reqIdConsumer"] == "qa-0001"
    assert body["commonHeader"]["certDn"] is None and body["commonHeader"]["ci"] is None
    assert ok(b2b_post(client, "accountlist", b2b_body("accountlist", {}), broker="daishin")
              )["accountList"]["account"] == []


def test_documented_accountlist_requests(client: FlaskClient) -> None:
    seed = ok(b2b_post(client, "accountlist",
                       example("b2baccount/accountlist_search.request.json")))
    assert_covers("b2baccount/accountlist_search.response.json", seed)
    documented = example("b2baccount/accountlist_search.response.json")
    assert seed["accountList"] == documented["accountList"]
    page_body = example("b2baccount/accountlist_search.basic-page.request.json")
    alias = ok(b2b_post(client, "accountlist", page_body))
    assert alias["accountList"] == documented["accountList"]
    page_route = ok(client.post("/v1/account/accountlist/search", json=page_body,
                                headers=b2b_headers()))  # ERRATA 23: served at samsung
    assert page_route["accountList"] == documented["accountList"]
    java = ok(b2b_post(client, "accountlist",
                       example("b2baccount/accountlist_search.javasample-v1.1.request.json"),
                       com_id="uberple"))
    assert_covers("b2baccount/accountlist_search.javasample-v1.1.response.json", java)
    assert [a["accNo"] for a in java["accountList"]["account"]] == [
        "40113387510", "40113387523", "099240776543"]  # identities.md K16


def test_accountlist_pages(client: FlaskClient) -> None:
    first = ok(b2b_post(client, "accountlist", b2b_body("accountlist", {"count": 2}),
                        com_id="uberple"))
    key = first["accountListResponseBody"]["queryResult"]["page"]
    assert len(first["accountList"]["account"]) == 2 and key != "null"
    rest = ok(b2b_post(client, "accountlist", b2b_body("accountlist", {"count": 2, "page": key}),
                       com_id="uberple"))
    assert [a["accNo"] for a in rest["accountList"]["account"]] == ["099240776543"]
    assert rest["accountListResponseBody"]["queryResult"]["page"] == "null"


def _balance(client: FlaskClient, asset: str = "EQTY", **more: Any) -> Any:
    return ok(b2b_post(client, "balancelist",
                       b2b_body("balancelist", {"qrAccNo": ACC, "qrAssetType": asset, **more})))


def test_documented_balancelist_requests(client: FlaskClient) -> None:
    seed = ok(b2b_post(client, "balancelist",
                       example("b2baccount/balancelist_search.request.json")))
    assert_covers("b2baccount/balancelist_search.response.json", seed)
    java = ok(b2b_post(client, "balancelist",
                       example("b2baccount/balancelist_search.javasample-v1.1.request.json"),
                       com_id="uberple"))
    typo = {p for p in ("balanceList.balance[].cachBalInfo",)}  # §9: never emitted
    typo |= {f"balanceList.balance[].cachBalInfo[].{k}" for k in (
        "cashBalance", "margin", "substitute", "receivable", "totCreditAmt", "totLoanAmt",
        "valAtCur", "cashAvWithdraw")}
    assert_covers("b2baccount/balancelist_search.javasample-v1.1.response.json", java,
                  ignore=frozenset(typo))
    assert "cachBalInfo" not in java["balanceList"]["balance"][0]


def test_balances_are_valued_by_the_market_at_the_clock(client: FlaskClient,
                                                       state: SandboxState) -> None:
    body = _balance(client)
    (entry,) = body["balanceList"]["balance"]
    assert [row["crcyCode"] for row in entry["cashBalInfo"]] == ["KRW-D0", "KRW-D1", "KRW"]
    positions = entry["securitiesBalInfo"]
    assert positions and body["balanceListResponseBody"]["queryResult"]["totalCnt"] == len(
        positions)
    for row in positions:
        code = row["isinInfo"][1]["isinCode"][1:]
        inst = state.world.universe.get(code)
        assert inst is not None
        price = ok(market_get(client, f"/v2/market/stocks/{inst.market}/{code}/price"))
        assert row["valAtCur"] == row["qty"] * price["result"]["trdPrc"]
        assert row["proLoss"] == row["valAtCur"] - row["valAtTrade"]
        assert row["earningRate"] == round(row["proLoss"] / row["valAtTrade"] * 100, 2)
    assert entry["cashBalInfo"][0]["valAtCur"] >= sum(r["valAtCur"] for r in positions)


def test_fund_and_product_balances(client: FlaskClient) -> None:
    funds = _balance(client, "FUND")["balanceList"]["balance"][0]["securitiesBalInfo"]
    assert funds and all(r["isinInfo"][0]["isinType"] == "펀드코드" for r in funds)
    others = _balance(client, "ETC")["balanceList"]["balance"][0]["securitiesBalInfo"]
    assert all(r["isinInfo"][0]["isinType"] == "상품코드" for r in others)


def test_balancelist_pages_over_positions(client: FlaskClient) -> None:
    total = _balance(client)["balanceListResponseBody"]["queryResult"]["totalCnt"]
    seen, key = [], None
    while True:
        body = _balance(client, count=3, page=key)
        rows = body["balanceList"]["balance"][0]["securitiesBalInfo"]
        assert len(rows) <= 3
        seen += [r["isinInfo"][0]["isinCode"] for r in rows]
        key = body["balanceListResponseBody"]["queryResult"]["page"]
        if key == "null":
            break
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize(("query", "status", "category", "code"), [
    ({"qrAccNo": "40113387510", "qrAssetType": "EQTY"}, 500, "samsung", 4001),  # uberple's
    ({"qrAccNo": "nope", "qrAssetType": "EQTY"}, 500, "samsung", 4001),
    ({"qrAccNo": ACC, "qrAssetType": "STOCK"}, 500, "samsung", 6001),
    ({"qrAccNo": ACC, "qrAssetType": "EQTY", "page": "bogus"}, 500, "samsung", 6003),
    ({"qrAssetType": "EQTY"}, 400, "op-exco", 3003),
    ({"qrAccNo": ACC}, 400, "op-exco", 3003),
])
def test_balancelist_errors(client: FlaskClient, query: dict[str, Any], status: int,
                            category: str, code: int) -> None:
    response = b2b_post(client, "balancelist", b2b_body("balancelist", query))
    assert_platform_error(response, status, category, code)


def test_gateway_errors_of_the_family(client: FlaskClient) -> None:
    body = b2b_body("balancelist", {"qrAccNo": ACC, "qrAssetType": "EQTY"})
    assert_platform_error(client.post("/v1/samsung/b2baccount/balancelist/search", json={
        k: v for k, v in body.items() if k != "balanceListRequestBody"},
        headers=b2b_headers()), 400, "op-exco", 3003)
    assert_platform_error(b2b_post(client, "balancelist", body, broker="kyobo"),
                          400, "op-exco", 3002)
    headers = {**b2b_headers(), "comId": "uberple"}  # another institution's code
    assert_platform_error(client.post("/v1/samsung/b2baccount/balancelist/search", json=body,
                                      headers=headers), 403, "op-auth", 2100)
    assert_platform_error(client.post("/v1/samsung/b2baccount/balancelist/search", json=body,
                                      headers={"apikey": F9999_KEY}), 401, "op-apim", 401)


def test_the_query_window_is_enforced_in_strict_mode(client: FlaskClient,
                                                     state: SandboxState) -> None:
    body = b2b_body("balancelist", {"qrAccNo": ACC, "qrAssetType": "EQTY"})
    ok(b2b_post(client, "balancelist", body))  # 10:00, default mode: answered
    state.world.settings = type(state.world.settings)(
        **{**state.world.settings.__dict__, "strict": True})
    assert_platform_error(b2b_post(client, "balancelist", body), 500, "samsung", 7000)
    set_clock(state, "2026-11-24T16:30:00+09:00")
    ok(b2b_post(client, "balancelist", body))
