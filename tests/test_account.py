"""Account family (account.md, identities.md §8, ERRATA 15-19): the documented examples
replayed verbatim, the Java number format, balance arithmetic, asset-type blocks, the world
clock, consent/search against the account calls, and broker names.

The helpers at the top (tokens for generated investors, paging walks, the full transaction
history in date windows) are shared with ``test_account_errors.py`` and
``test_account_paging.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.app import SandboxState
from sandbox.families.account.encoding import java_double
from sandbox.world.identities import Broker, User, VirtualAccount
from tests.conftest import (
    ACCOUNT_BLOCKS,
    F0995_KEY,
    F9999_KEY,
    HACKATHON_KEY,
    account_body,
    assert_covers,
    assert_platform_error,
    bearer,
    example,
)

# --- documented identities (identities.md §2-§3, §5) ----------------------------------------------
GILDONG_CI = (
    "S1V7HGXBV1EPGBJastZf4fQV+eOpOc1pfizByV6UIEEJHM/PF9QKu+PU2OThEog7QmVKSZNibNGg+/k0XB/9jQ==")
HWANNY_CI = (
    "QciuDFKLcwalCKtWALuNWic9eGm7WNdauW+A+n+mpfhif24c3msHdzVjoZK0ntkXZ1+nA6LX47nyKmIq1JoHhg==")
JEEAE_CI = (
    "Q9z5ccmjYNrhPVXrdfgfgfFdfgFGHdfg3fGFGgghDFFGghghgSSSfgfgcvbdfgert45rgfgdfgfhpf5vmzjaA==")
KHJ_CI = ("834f889833602f174a706138f19778a2dc6eee0f834f889833602f174a706138f19778a2dc6eee0f"
          "eee0f22")
SHINHAN_ACC = "160678007213500001"  # gildong @ shinhan
SAMSUNG_ACC = "160731060768600001"  # gildong @ samsung
STAR_ACC = "160646584478700099"  # hwanny @ star
JEEAE_ACC = "160657695589800099"  # jeeae @ cyber
KHJ_ACC = "123214985324234"  # khj932 @ daishin
UBERPLE_KEY = "l7xxa55191ed000000000000000000000004"
SEEDED_TOKEN = "748c46c8-940f-4eb8-a553-4656253dbac6"  # jeeae, app-f0000-hackathon

TODAY = date(2026, 11, 24)  # the FROZEN clock's date
YESTERDAY = TODAY - timedelta(days=1)
CONSENT = "/v1/common/member/consent/search"
RESPONSE_BLOCKS = {"portfolio": "portfolioResponseBody", "balance": "balanceResponseBody",
                   "transaction": "transactionHistoryResponseBody",
                   "interest": "interestSymbolListResponseBody"}
GROUP_LISTS = ("equityList", "fundList", "etcList")


# --- shared helpers -------------------------------------------------------------------------------
def search(client: FlaskClient, broker: str, api: str, body: Any,
           headers: dict[str, str]) -> Any:
    return client.post(f"/v1/{broker}/account/{api}/search", json=body, headers=headers)


def answer(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    assert data["resp"] == {"respCode": "200", "respMsg": "OK"}
    return data


@dataclass(frozen=True)
class Investor:
    """A portal user with accounts and an app whose consent covers them today."""

    user: User
    key: str  # API key of an app the user linked their accounts to

    @property
    def ci(self) -> str:
        return self.user.ci

    @property
    def accounts(self) -> tuple[VirtualAccount, ...]:
        return self.user.accounts


def investors(state: SandboxState, count: int, *, skip: int = 0,
              brokers: tuple[str, ...] | None = None) -> list[Investor]:
    """``count`` generated users with accounts (in the world's order, after ``skip``) and a valid
    consent to an app of the account family; ``brokers`` keeps users with an account there."""
    world = state.world
    out: list[Investor] = []
    for user in world.ids.users.values():
        if user.origin != "generated" or not user.accounts:
            continue
        if brokers is not None and not any(a.broker in brokers for a in user.accounts):
            continue
        consent = next((c for c in user.consents if c.valid(TODAY)
                        and world.ids.apps[c.app].subscribes("account")), None)
        if consent is None:
            continue
        if skip:
            skip -= 1
            continue
        out.append(Investor(user, world.ids.apps[consent.app].api_key))
        if len(out) == count:
            break
    return out


def broker_of(state: SandboxState, account: VirtualAccount) -> Broker:
    return state.world.ids.brokers[account.broker]


def walk(client: FlaskClient, broker: str, api: str, body: dict[str, Any],
         headers: dict[str, str], limit: int = 500) -> Iterator[dict[str, Any]]:
    """Every answer of a paged search, following ``queryResult.page`` until ``"null"``."""
    block = ACCOUNT_BLOCKS[api]
    query = "queryParams" if api == "transaction" else "queryType"
    page: Any = body[block][query].get("page", "null")
    for _ in range(limit):
        body[block][query]["page"] = page
        data = answer(search(client, broker, api, body, headers))
        yield data
        page = data[RESPONSE_BLOCKS[api]]["queryResult"]["page"]
        if page == "null":
            return
    raise AssertionError(f"more than {limit} pages")


def opening(account: VirtualAccount) -> date:
    """The first day of the issuance month (the YYMM prefix of the number)."""
    return date(2000 + int(account.vt_acc_no[:2]), int(account.vt_acc_no[2:4]), 1)


def windows(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    while start <= end:
        last = min(start + timedelta(days=days - 1), end)
        yield start, last
        start = last + timedelta(days=1)


def history(client: FlaskClient, state: SandboxState, headers: dict[str, str], ci: str,
            account: VirtualAccount, start: date | None = None,
            end: date = YESTERDAY) -> list[dict[str, Any]]:
    """The whole transaction history through HTTP, in windows of the broker's maximum range,
    each walked page by page with the largest page the broker sends."""
    broker = broker_of(state, account)
    rows: list[dict[str, Any]] = []
    for first, last in windows(start or opening(account), end, broker.max_range_days):
        body = account_body(ci, account.vt_acc_no, "transaction",
                            {"fromDate": f"{first:%Y%m%d}", "toDate": f"{last:%Y%m%d}",
                             "isinCode": "", "side": "ALL", "count": broker.max_page_size,
                             "page": "null"})
        for data in walk(client, account.broker, "transaction", body, headers):
            rows.extend(data["transList"]["transaction"])
    return rows


def full_balance(client: FlaskClient, state: SandboxState, headers: dict[str, str], ci: str,
                 account: VirtualAccount, api: str = "balance",
                 rsp_type: str | None = None) -> dict[str, Any]:
    """Summary/cash and every list of an account: one ``ALL`` answer where the broker sends it,
    otherwise CASH, EQTY, FUND and ETC walked page by page."""
    broker = broker_of(state, account)
    extra = {"rspType": rsp_type} if rsp_type else {}
    list_block = "balanceList" if api == "balance" else "portfolioList"
    item = "balance" if api == "balance" else "portfolio"
    if broker.supports_all():
        body = account_body(ci, account.vt_acc_no, api,
                            {"assetType": "ALL", "count": 0, "page": "null", **extra})
        data = answer(search(client, account.broker, api, body, headers))
        out = dict(data[list_block][item])
        for name in GROUP_LISTS:
            out.setdefault(name, [])
        return out
    out = {}
    for asset_type, name in (("CASH", None), ("EQTY", "equityList"), ("FUND", "fundList"),
                             ("ETC", "etcList")):
        body = account_body(ci, account.vt_acc_no, api,
                            {"assetType": asset_type, "count": broker.max_page_size,
                             "page": "null", **extra})
        for data in walk(client, account.broker, api, body, headers):
            part = data[list_block][item]
            if name is None:
                out.update(part)
            else:
                out.setdefault(name, []).extend(part[name])
                out.setdefault("summary", part.get("summary"))
    return out


def set_clock(client: FlaskClient, **change: str) -> None:
    """POST /_sandbox/clock with ``set``, ``advance`` or ``speed``."""
    response = client.post("/_sandbox/clock", json=change)
    assert response.status_code == 200, response.get_data(as_text=True)


# --- numbers as written by Java -------------------------------------------------------------------
class Token(str):
    """A JSON number's literal text (``int`` or ``float`` by how it was written)."""

    kind = "?"


class IntToken(Token):
    kind = "int"


class FloatToken(Token):
    kind = "float"


def literal_json(text: str) -> Any:
    """The JSON document with every number kept as its literal token."""
    return json.loads(text, parse_int=IntToken, parse_float=FloatToken)


def tokens(document: Any) -> Iterator[Token]:
    if isinstance(document, Token):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from tokens(value)
    elif isinstance(document, list):
        for value in document:
            yield from tokens(value)


@pytest.mark.parametrize(("value", "text"), [
    (6976542.0, "6976542.0"), (9.816358e7, "9.816358E7"), (1.0e10, "1.0E10"), (-12.9, "-12.9"),
    (3.69827563509e11, "3.69827563509E11"), (1.0e7, "1.0E7"), (9999999.0, "9999999.0"),
    (0.001, "0.001"), (1.0e-4, "1.0E-4"), (0.0, "0.0"), (-0.0, "-0.0"), (100.0, "100.0"),
    (2.5, "2.5"), (-1.9337736989e10, "-1.9337736989E10"), (1.23456789e8, "1.23456789E8"),
    (0.86, "0.86"), (-9.91452055e8, "-9.91452055E8"),
])
def test_java_double(value: float, text: str) -> None:
    assert java_double(value) == text


def test_java_double_rejects_non_finite() -> None:
    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError):
            java_double(value)


# --- documented examples, replayed verbatim (identities.md §8) ------------------------------------
SEED_REPLAYS = [
    ("balance", "shinhan"), ("portfolio", "shinhan"), ("interest", "samsung"),
    ("transaction", "samsung"),
]


def check_envelope(data: dict[str, Any], request: dict[str, Any]) -> None:
    """commonHeader and accInfo of every answer (account.md §1, K2, K3)."""
    header = request["commonHeader"]
    assert data["commonHeader"]["ci"] == header["ci"].strip()
    assert data["commonHeader"]["reqIdConsumer"] == str(header.get("reqIdConsumer", "")).strip()
    assert data["commonHeader"]["certDn"] == ""
    assert isinstance(data["commonHeader"]["reqIdPlatform"], str)
    assert data["commonHeader"]["reqIdPlatform"]
    vt_acc_no = (request.get("accInfo") or next(
        v["accInfo"] for v in request.values() if isinstance(v, dict) and "accInfo" in v))
    assert data["accInfo"] == {"realAccNo": "", "vtAccNo": vt_acc_no["vtAccNo"]}


@pytest.mark.parametrize(("api", "broker"), SEED_REPLAYS)
def test_seed_example_replays(client: FlaskClient, api: str, broker: str) -> None:
    request = example(f"account/{api}_search.request.json")
    response = search(client, broker, api, request, bearer(client, "gildong"))
    data = answer(response)
    check_envelope(data, request)
    assert not data["commonHeader"]["ci"].startswith(" ")  # K2: the documented space is a slip


@pytest.mark.parametrize(("api", "broker"), [
    (api, broker) for api, broker in SEED_REPLAYS])
def test_seed_example_answer_covers_the_documented_response(client: FlaskClient, api: str,
                                                            broker: str) -> None:
    request = example(f"account/{api}_search.request.json")
    data = answer(search(client, broker, api, request, bearer(client, "gildong")))
    assert_covers(f"account/{api}_search.response.json", data)


@pytest.mark.parametrize("api", ["balance", "portfolio"])
def test_seed_example_covers_the_documented_response_inside_its_period(
        client: FlaskClient, api: str) -> None:
    """On a clock just after the documented history period (2015/08~2016/07) the scripted
    account holds what the examples show, ETC products included."""
    set_clock(client, set="2016-08-01T10:00:00+09:00")
    request = example(f"account/{api}_search.request.json")
    data = answer(search(client, "shinhan", api, request, bearer(client, "gildong")))
    assert_covers(f"account/{api}_search.response.json", data)
    if api == "balance":
        documented = example("account/balance_search.response.json")["balanceList"]["balance"]
        summary = data["balanceList"]["balance"]["summary"]
        assert summary["cashBalance"] == documented["summary"]["cashBalance"]
        held = {row["isinCode"]: row for row in data["balanceList"]["balance"]["equityList"]}
        for row in documented["equityList"]:
            if row["isinCode"] in held:
                assert held[row["isinCode"]]["qty"] == row["qty"]
                assert held[row["isinCode"]]["valAtTrade"] == row["valAtTrade"]


def test_seed_transaction_example_spans_202_days_at_samsung(client: FlaskClient) -> None:
    """K6: samsung allows 366 days; history inside 2016/01~2016/07 only; the page key has the
    documented 18-digit shape."""
    request = example("account/transaction_search.request.json")
    data = answer(search(client, "samsung", "transaction", request, bearer(client, "gildong")))
    body = data["transactionHistoryResponseBody"]
    assert body["queryParams"] == request["transactionHistoryRequestBody"]["queryParams"]
    rows = data["transList"]["transaction"]
    assert body["queryResult"]["count"] == len(rows) <= 30
    assert body["queryResult"]["totalCnt"] >= len(rows) > 0
    assert all("20160101" <= row["transDate"] <= "20160731" for row in rows)
    page = body["queryResult"]["page"]
    assert page == "null" or re.fullmatch(r"\d{18}", page)
    assert [row["transDate"] for row in rows] == sorted(row["transDate"] for row in rows)


def test_seed_interest_example_adds_query_result_at_samsung(client: FlaskClient) -> None:
    """K7: the empty assetType counts as absent (no 6001); samsung adds queryResult."""
    request = example("account/interest_search.request.json")
    data = answer(search(client, "samsung", "interest", request, bearer(client, "gildong")))
    result = data["interestSymbolListResponseBody"]["queryResult"]
    groups = data["interestSymbolListResponseBody"]["groupList"]["group"]
    assert result == {"totalCnt": len(groups), "count": len(groups), "page": "null"}


@pytest.mark.parametrize("api", ["balance", "portfolio", "interest", "transaction"])
def test_hackathon_example_replays_at_star(client: FlaskClient, api: str) -> None:
    request = example(f"account/{api}_search.hackathon.request.json")
    data = answer(search(client, "star", api, request, bearer(client, "hwanny", HACKATHON_KEY)))
    check_envelope(data, request)
    assert data["commonHeader"]["reqIdConsumer"] == "string"
    if api == "transaction":  # K25: March 2016 is outside the 2013/01 history period
        assert data["transList"] == {"transaction": []}
        assert data["transactionHistoryResponseBody"]["queryResult"] == {
            "totalCnt": 0, "count": 0, "page": "null"}
    elif api == "interest":  # star takes no queryType: no queryResult (account.md §5)
        assert "queryResult" not in data["interestSymbolListResponseBody"]
        assert_covers("account/interest_search.response.json", data)
    else:
        list_block = f"{api}List"
        assert set(data[list_block][api]) >= {"summary" if api == "balance" else "cash"}
        result = data[f"{api}ResponseBody"]["queryResult"]
        assert result["page"] == "null"  # ALL is unpaged


DAISHIN_PATHS = {"balance": "/v1/daishin/account/balance/search",
                 "portfolio": "/v1/daishin/account/portfolio/search",
                 "interest": "/v1/daishin/account/interest/search",
                 "transaction": "/v1/daishin/account/transaction/search"}


@pytest.mark.parametrize("api", ["balance", "portfolio", "interest", "transaction"])
def test_javasample_v1_example_replays_at_daishin_in_2018_layout(client: FlaskClient,
                                                                 api: str) -> None:
    """account.md §7: accInfo inside the body block, platformFields ignored; the answer is in
    the 2018 layout (no key comparison with the v1.0 response: ERRATA 35)."""
    request = example(f"account/{api}_search.javasample-v1.0.request.json")
    data = answer(client.post(DAISHIN_PATHS[api], json=request,
                              headers=bearer(client, "khj932", UBERPLE_KEY)))
    check_envelope(data, request)
    assert data["commonHeader"]["reqIdConsumer"] == "Uberple-00001"
    assert data["accInfo"]["vtAccNo"] == KHJ_ACC
    assert "platformFields" not in data
    assert "accInfo" not in data[RESPONSE_BLOCKS[api]]
    if api in ("balance", "portfolio"):
        assert isinstance(data[f"{api}List"][api], dict)  # not the v1.0 array of one-key objects
    if api == "transaction":
        for row in data["transList"]["transaction"]:
            assert (row["transType"], row["isinCode"]) == ("BID", "KR7005930003")


def test_oauth_page_example_is_cyber_6001(client: FlaskClient) -> None:
    """K26 / ERRATA 19: the Swagger placeholders make it 6001 (checked before 6003)."""
    wrapper = example("auth/bearer_account.request.json")
    request = example(wrapper["bodyExample"].removeprefix("examples/"))
    headers = {k: v for k, v in wrapper["headers"].items() if k.lower() != "content-type"}
    path = wrapper["url"].removeprefix("https://sandbox-apigw.koscom.co.kr")
    assert path == "/v1/cyber/account/balance/search"
    assert headers["Authorization"] == f"Bearer {SEEDED_TOKEN}"
    response = client.post(path, json=request, headers=headers)
    error = assert_platform_error(response, 500, "cyber", 6001)
    assert error["message"] == "Invalid Asset Type"


# --- number format (README §7, ERRATA 16) ---------------------------------------------------------
def test_balance_and_portfolio_numbers_are_java_doubles(client: FlaskClient,
                                                        state: SandboxState) -> None:
    cases = [("gildong", F9999_KEY, GILDONG_CI, SHINHAN_ACC, "shinhan")]
    for investor in investors(state, 6):
        account = investor.accounts[0]
        cases.append((investor.user.id, investor.key, investor.ci, account.vt_acc_no,
                      account.broker))
    seen_exponent = False
    for user, key, ci, vt_acc_no, broker in cases:
        headers = bearer(client, user, key)
        for api in ("balance", "portfolio"):
            for asset_type in ("CASH", "EQTY", "FUND", "ETC"):
                query = {"assetType": asset_type, "count": "0", "page": "null"}
                if api == "portfolio":
                    query["rspType"] = "QTY" if asset_type == "ETC" else "RAT"
                response = search(client, broker, api, account_body(ci, vt_acc_no, api, query),
                                  headers)
                assert response.status_code == 200, response.get_data(as_text=True)
                raw = response.get_data(as_text=True)
                document = literal_json(raw)
                for token in tokens(document[f"{api}List"]):
                    assert token.kind == "float", (token, raw)
                    assert "." in token or "E" in token, token
                    assert java_double(float(token)) == token, token
                    seen_exponent |= "E" in token
                result = document[f"{api}ResponseBody"]["queryResult"]
                assert result["totalCnt"].kind == result["count"].kind == "int"
                echo = document[f"{api}ResponseBody"]["queryType"]
                assert echo["count"] == "0"  # echoed with the JSON type received
    assert seen_exponent  # some amount >= 10^7 was written as d.dddE<n>


def test_transaction_rows_and_counts_are_integers(client: FlaskClient) -> None:
    request = example("account/transaction_search.request.json")
    response = search(client, "samsung", "transaction", request, bearer(client, "gildong"))
    document = literal_json(response.get_data(as_text=True))
    rows = document["transList"]["transaction"]
    assert rows
    for row in rows:
        for key in ("changeAmt", "changeQty", "qty"):
            assert row[key].kind == "int", row
    result = document["transactionHistoryResponseBody"]["queryResult"]
    assert result["totalCnt"].kind == result["count"].kind == "int"
    assert document["transactionHistoryResponseBody"]["queryParams"]["count"].kind == "int"


# --- balance arithmetic (account.md §3) -----------------------------------------------------------
def arithmetic_cases(state: SandboxState) -> list[tuple[str, str, str, VirtualAccount]]:
    ids = state.world.ids
    documented = [("gildong", F9999_KEY, GILDONG_CI, ids.account_by_no[SHINHAN_ACC]),
                  ("gildong", F9999_KEY, GILDONG_CI, ids.account_by_no[SAMSUNG_ACC]),
                  ("hwanny", F0995_KEY, HWANNY_CI, ids.account_by_no[STAR_ACC]),
                  ("khj932", UBERPLE_KEY, KHJ_CI, ids.account_by_no[KHJ_ACC])]
    generated = [(i.user.id, i.key, i.ci, a) for i in investors(state, 10) for a in i.accounts]
    return documented + generated


def test_balance_arithmetic(client: FlaskClient, state: SandboxState) -> None:
    rows_checked = 0
    for user, key, ci, account in arithmetic_cases(state):
        balance = full_balance(client, state, bearer(client, user, key), ci, account)
        summary = balance["summary"]
        trade = cur = loss = 0.0
        for name in GROUP_LISTS:
            for row in balance[name]:
                rows_checked += 1
                assert row["proLoss"] == row["valAtCur"] - row["valAtTrade"], row
                expected = (round(row["proLoss"] / row["valAtTrade"] * 100, 2)
                            if row["valAtTrade"] else 0.0)
                assert row["earningRate"] == expected, row
                if name == "etcList":  # both spellings, the same value (account.md §9.2)
                    assert row["valueAtCur"] == row["valAtCur"], row
                if name != "fundList":
                    assert row["qty"] > 0, row
                trade += row["valAtTrade"]
                cur += row["valAtCur"]
                loss += row["proLoss"]
        assert summary["valAtTrade"] == trade, (account, summary)
        assert summary["valueAtCur"] == cur, (account, summary)
        assert summary["proLoss"] == loss == summary["valueAtCur"] - summary["valAtTrade"]
        assert summary["totalAccVal"] == summary["cashBalance"] + summary["valueAtCur"]
        assert 0 <= summary["cashAvWithdraw"] <= max(summary["cashBalance"], 0)
        assert summary["cashAvWithdraw"] <= min(summary["d1"], summary["d2"]) or \
            summary["cashAvWithdraw"] == 0
    assert rows_checked > 20


def test_transaction_sides_bid_is_a_sale(client: FlaskClient, state: SandboxState) -> None:
    """account.md §4: BID = sell (cash in), ASK = buy (cash out); DEP in, WID out."""
    kinds: set[str] = set()
    for investor in investors(state, 4, brokers=("samsung", "star", "cyber", "diamond")):
        headers = bearer(client, investor.user.id, investor.key)
        for account in investor.accounts:
            cash_code = broker_of(state, account).cash_isin_code
            for row in history(client, state, headers, investor.ci, account):
                kinds.add(row["transType"])
                if row["transType"] == "BID" and row["isinCode"] != cash_code:
                    assert row["changeAmt"] > 0 and row["changeQty"] > 0, row
                elif row["transType"] == "ASK":
                    assert row["changeAmt"] < 0 and row["changeQty"] > 0, row
                    assert row["qty"] >= row["changeQty"], row
                elif row["transType"] == "DEP":
                    assert row["changeAmt"] > 0 and row["isinCode"] == cash_code, row
                elif row["transType"] == "WID":
                    assert row["changeAmt"] < 0 and row["isinCode"] == cash_code, row
    assert {"ASK", "BID", "DEP"} <= kinds


# --- asset types and response types (account.md §2, §3) -------------------------------------------
@pytest.mark.parametrize(("asset_type", "portfolio_keys", "balance_keys"), [
    ("CASH", {"cash"}, {"summary"}),
    ("EQTY", {"equityList"}, {"summary", "equityList"}),
    ("FUND", {"fundList"}, {"summary", "fundList"}),
    ("ETC", {"etcList"}, {"summary", "etcList"}),
])
def test_asset_type_answers_only_its_block(client: FlaskClient, state: SandboxState,
                                           asset_type: str, portfolio_keys: set[str],
                                           balance_keys: set[str]) -> None:
    headers = bearer(client, "gildong")
    for api, keys in (("portfolio", portfolio_keys), ("balance", balance_keys)):
        query = {"assetType": asset_type, "rspType": "RAT", "count": 0, "page": "null"}
        data = answer(search(client, "shinhan", api,
                             account_body(GILDONG_CI, SHINHAN_ACC, api, query), headers))
        assert set(data[f"{api}List"][api]) == keys, data
    for investor in investors(state, 3, brokers=("cyber", "diamond", "star")):
        account = next(a for a in investor.accounts if a.broker in ("cyber", "diamond", "star"))
        inv_headers = bearer(client, investor.user.id, investor.key)
        for api, keys in (("portfolio", portfolio_keys), ("balance", balance_keys)):
            body = account_body(investor.ci, account.vt_acc_no, api, {"assetType": asset_type})
            data = answer(search(client, account.broker, api, body, inv_headers))
            assert set(data[f"{api}List"][api]) == keys, data


def test_all_answers_every_held_group(client: FlaskClient) -> None:
    headers = bearer(client, "gildong")
    parts = {}
    for asset_type in ("CASH", "EQTY", "FUND", "ETC"):
        query = {"assetType": asset_type, "count": 200, "page": "null"}
        parts[asset_type] = answer(search(client, "shinhan", "balance", account_body(
            GILDONG_CI, SHINHAN_ACC, "balance", query), headers))["balanceList"]["balance"]
    query = {"assetType": "ALL", "count": 1, "page": "null"}
    data = answer(search(client, "shinhan", "balance",
                         account_body(GILDONG_CI, SHINHAN_ACC, "balance", query), headers))
    everything = data["balanceList"]["balance"]
    assert everything["summary"] == parts["CASH"]["summary"]
    for asset_type, name in (("EQTY", "equityList"), ("FUND", "fundList"), ("ETC", "etcList")):
        assert everything.get(name, []) == parts[asset_type][name]
    result = data["balanceResponseBody"]["queryResult"]
    held = sum(len(everything.get(name, [])) for name in GROUP_LISTS)
    assert result == {"totalCnt": held + 1, "count": held + 1, "page": "null"}  # cash = 1 item


def test_portfolio_ratios_sum_to_100(client: FlaskClient, state: SandboxState) -> None:
    lists_checked = 0
    for user, key, ci, account in arithmetic_cases(state):
        headers = bearer(client, user, key)
        portfolio = full_balance(client, state, headers, ci, account, "portfolio", "RAT")
        balance = full_balance(client, state, headers, ci, account)
        summary = balance["summary"]
        total = summary["cashBalance"] + summary["valueAtCur"]
        expected_cash = round(summary["cashBalance"] / total * 100, 2) if total else 0.0
        assert portfolio["cash"]["amt"] == expected_cash, (account, portfolio["cash"])
        for name in GROUP_LISTS:
            weights = [row["qty"] for row in portfolio[name]]
            if weights and any(row["valAtCur"] for row in balance[name]):
                lists_checked += 1
                assert abs(sum(weights) - 100) <= 0.1 * len(weights), (account, name, weights)
            assert all(0 <= weight <= 100 for weight in weights)
            by_value = [round(row["valAtCur"] / sum(r["valAtCur"] for r in balance[name]) * 100,
                              2) for row in balance[name] if sum(r["valAtCur"] for r in
                                                                 balance[name])]
            if by_value:
                assert weights == by_value, (account, name)
            assert [r["earningRate"] for r in portfolio[name]] == \
                [r["earningRate"] for r in balance[name]]
    assert lists_checked >= 5


def test_portfolio_qty_answers_the_balance_quantities(client: FlaskClient,
                                                      state: SandboxState) -> None:
    for user, key, ci, account in arithmetic_cases(state)[:8]:
        headers = bearer(client, user, key)
        portfolio = full_balance(client, state, headers, ci, account, "portfolio", "QTY")
        balance = full_balance(client, state, headers, ci, account)
        assert portfolio["cash"]["amt"] == balance["summary"]["cashBalance"]
        assert [(r["isinCode"], r["qty"]) for r in portfolio["equityList"]] == \
            [(r["isinCode"], r["qty"]) for r in balance["equityList"]]
        assert [(r["assetName"], r["qty"]) for r in portfolio["etcList"]] == \
            [(r["assetName"], r["qty"]) for r in balance["etcList"]]
        assert [r["fundCode"] for r in portfolio["fundList"]] == \
            [r["fundCode"] for r in balance["fundList"]]
        assert all(r["qty"] > 0 for r in portfolio["fundList"])


# --- ALL support per broker (account.md §6, ERRATA 17) --------------------------------------------
def test_all_only_where_the_broker_answers_it(client: FlaskClient, state: SandboxState) -> None:
    seen: dict[str, bool] = {}
    for investor in investors(state, 200):
        for account in investor.accounts:
            broker = broker_of(state, account)
            if broker.short_name in seen:
                continue
            seen[broker.short_name] = broker.supports_all()
            headers = bearer(client, investor.user.id, investor.key)
            for api in ("balance", "portfolio"):
                body = account_body(investor.ci, account.vt_acc_no, api,
                                    {"assetType": "ALL", "rspType": "RAT", "count": 0,
                                     "page": "null"})
                response = search(client, account.broker, api, body, headers)
                if broker.supports_all():
                    answer(response)
                else:
                    error = assert_platform_error(response, 500, broker.short_name, 6004)
                    assert error["message"].startswith("Invalid Query Type,[")
    assert {"cyber", "diamond", "star"} <= {b for b, ok in seen.items() if ok}
    assert {"samsung", "eugene", "meritz"} <= {b for b, ok in seen.items() if not ok}
    assert seen.get("shinhan") and seen.get("daishin") and seen.get("nhinvest")


# --- valuations follow the clock ------------------------------------------------------------------
def equities(balance: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {row["isinCode"]: (row["qty"], row["valAtCur"]) for row in balance["equityList"]}


def test_valuations_move_with_the_clock_quantities_do_not(client: FlaskClient,
                                                          state: SandboxState) -> None:
    cases = [(i, a) for i in investors(state, 12, brokers=("cyber", "diamond", "star"))
             for a in i.accounts if broker_of(state, a).supports_all()]
    headers = {i.user.id: bearer(client, i.user.id, i.key) for i, _ in cases}
    before = [equities(full_balance(client, state, headers[i.user.id], i.ci, a))
              for i, a in cases]
    assert sum(len(b) for b in before) >= 5

    set_clock(client, set="2026-11-24T14:30:00+09:00")  # same day: the history is unchanged
    later = [equities(full_balance(client, state, headers[i.user.id], i.ci, a))
             for i, a in cases]
    moved = 0
    for old, new in zip(before, later, strict=True):
        assert {code: qty for code, (qty, _) in old.items()} == \
            {code: qty for code, (qty, _) in new.items()}
        moved += sum(old[code][1] != new[code][1] for code in old)
    assert moved > 0

    set_clock(client, advance="P3D")  # Friday 27th: trades of 24th-26th may have happened
    for (investor, account), old in zip(cases, before, strict=True):
        new = equities(full_balance(client, state, headers[investor.user.id], investor.ci,
                                    account))
        traded = {row["isinCode"] for row in history(
            client, state, headers[investor.user.id], investor.ci, account, start=TODAY,
            end=TODAY + timedelta(days=2))}
        for code in set(old) - traded:
            assert new[code][0] == old[code][0], (account, code)
        moved += sum(old[code][1] != new[code][1] for code in set(old) & set(new) - traded)
    assert moved > 0


def test_time_travel_never_rewrites_the_past(client: FlaskClient, state: SandboxState) -> None:
    cases = [(i, a) for i in investors(state, 6, skip=10) for a in i.accounts
             if opening(a) < date(2024, 1, 1)]
    assert cases
    headers = {i.user.id: bearer(client, i.user.id, i.key) for i, _ in cases}
    full = [history(client, state, headers[i.user.id], i.ci, a, start=date(2023, 1, 1))
            for i, a in cases]
    hidden = 0
    for back in ("2025-06-02T10:00:00+09:00", "2024-03-15T10:00:00+09:00"):
        set_clock(client, set=back)
        cut = back[:10].replace("-", "")
        for (investor, account), later in zip(cases, full, strict=True):
            earlier = history(client, state, headers[investor.user.id], investor.ci, account,
                              start=date(2023, 1, 1), end=date(2026, 11, 23))
            assert earlier == [row for row in later if row["transDate"] < cut], account
            hidden += len(later) - len(earlier)
    assert hidden > 0


# --- consent/search lists exactly the accounts the account calls accept ---------------------------
def consent_list(client: FlaskClient, key: str, ci: str, name: str) -> list[dict[str, Any]]:
    body = {"partner": {"comId": "F9999", "srvId": "999"},
            "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "c-1", "ci": ci},
            "body": {"korName": name}}
    response = client.post(CONSENT, json=body, headers={"apikey": key})
    assert response.status_code == 200, response.get_data(as_text=True)
    entries: list[dict[str, Any]] = response.get_json()["vtAccList"]
    return entries


def test_consent_search_lists_exactly_the_accounts_that_answer(client: FlaskClient,
                                                               state: SandboxState) -> None:
    world = state.world
    documented = [world.ids.users[u] for u in ("gildong", "hwanny", "jeeae", "hackathon",
                                               "ingyu", "mhcha")]
    generated = [i.user for i in investors(state, 10)]
    apps = [app for app in world.ids.apps.values()
            if app.subscribes("common") and app.subscribes("account")]
    answered = 0
    for user in documented + generated:
        for app in apps:
            consent = user.consent(app.name)
            linked = consent is not None and consent.valid(TODAY)
            entries = consent_list(client, app.api_key, user.ci, user.name)
            expected = [a.vt_acc_no for a in user.accounts] if linked else []
            assert [e["vtAccNo"] for e in entries] == expected, (user.id, app.name)
            for entry in entries:
                account = world.ids.account_by_no[entry["vtAccNo"]]
                assert entry["comId"] == world.ids.brokers[account.broker].code
                assert entry["endpoint"] == f"http://localhost/v1/{account.broker}/account/"
            if not entries:
                continue
            headers = bearer(client, user.id, app.api_key)
            for entry in entries:
                path = entry["endpoint"].removeprefix("http://localhost") + "balance/search"
                body = account_body(user.ci, entry["vtAccNo"], "balance",
                                    {"assetType": "CASH", "count": 0, "page": "null"})
                answer(client.post(path, json=body, headers=headers))
                answered += 1
    assert answered >= 20


# --- broker names (README §4, ERRATA 9) -----------------------------------------------------------
@pytest.mark.parametrize("name", ["SHINHAN", "Shinhan", "shinhan", "sHiNhAn"])
def test_broker_names_are_case_insensitive(client: FlaskClient, name: str) -> None:
    body = account_body(GILDONG_CI, SHINHAN_ACC, "balance", {"assetType": "CASH"})
    data = answer(search(client, name, "balance", body, bearer(client, "gildong")))
    assert data["accInfo"]["vtAccNo"] == SHINHAN_ACC


def test_broker_errors_name_the_canonical_lower_case_broker(client: FlaskClient) -> None:
    headers = bearer(client, "gildong")
    body = account_body(GILDONG_CI, SAMSUNG_ACC, "balance", {"assetType": "ALL"})
    assert_platform_error(search(client, "SAMSUNG", "balance", body, headers), 500, "samsung",
                          6004)
    # an alias resolves to its broker: the account is gildong's at shinhan, not at hi
    body = account_body(GILDONG_CI, SHINHAN_ACC, "balance", {"assetType": "CASH"})
    for alias in ("hiinvest", "HIINVEST", "hi"):
        assert_platform_error(search(client, alias, "balance", body, headers), 500, "hi", 4003)
    for alias in ("miraeassetdaewoo", "MiraeAsset"):
        assert_platform_error(search(client, alias, "balance", body, headers), 500,
                              "miraeasset", 4003)


@pytest.mark.parametrize("name", ["kyobo", "KYOBO", "koreainvest", "hyundai", "hmc", "nobroker"])
def test_unknown_broker_is_op_exco_3002(client: FlaskClient, name: str) -> None:
    body = account_body(GILDONG_CI, SHINHAN_ACC, "balance", {"assetType": "CASH"})
    error = assert_platform_error(search(client, name, "balance", body,
                                         bearer(client, "gildong")), 400, "op-exco", 3002)
    assert error["message"] == "Unknown api url"
