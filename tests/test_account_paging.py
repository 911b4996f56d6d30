"""Paging of the account family (README §8, ERRATA 5) and the replay property: the transaction
history read through HTTP replays to the balance (ledger.py: "replay the transactions and you
get today's holdings")."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.world.accounts.ledger import t_plus
from sandbox.world.accounts.products import funds, products
from sandbox.world.identities import VirtualAccount
from tests.conftest import F9999_KEY, account_body, assert_platform_error, bearer
from tests.test_account import (
    GILDONG_CI,
    RESPONSE_BLOCKS,
    SAMSUNG_ACC,
    SHINHAN_ACC,
    TODAY,
    YESTERDAY,
    Investor,
    answer,
    broker_of,
    full_balance,
    history,
    investors,
    opening,
    search,
    walk,
)

KEY = re.compile(r"\d{18}")


def pages(client: FlaskClient, broker: str, api: str, body: dict[str, Any],
          headers: dict[str, str]) -> list[dict[str, Any]]:
    return list(walk(client, broker, api, body, headers))


# --- transaction search ---------------------------------------------------------------------------
def transaction_query(start: date, end: date, count: Any, **extra: Any) -> dict[str, Any]:
    return {"fromDate": f"{start:%Y%m%d}", "toDate": f"{end:%Y%m%d}", "isinCode": "",
            "side": "", "count": count, "page": "null", **extra}


def dense_windows(client: FlaskClient, state: SandboxState, wanted: int = 2
                  ) -> list[tuple[Investor, VirtualAccount, date, date]]:
    """Generated accounts whose last window of the broker's maximum range holds between 15
    rows and the broker's largest page."""
    out = []
    for investor in investors(state, 60):
        headers = bearer(client, investor.user.id, investor.key)
        for account in investor.accounts:
            broker = broker_of(state, account)
            start = YESTERDAY - timedelta(days=broker.max_range_days - 1)
            body = account_body(investor.ci, account.vt_acc_no, "transaction",
                                transaction_query(start, YESTERDAY, broker.max_page_size))
            data = answer(search(client, account.broker, "transaction", body, headers))
            total = data["transactionHistoryResponseBody"]["queryResult"]["totalCnt"]
            if 15 <= total <= broker.max_page_size:
                out.append((investor, account, start, YESTERDAY))
                if len(out) == wanted:
                    return out
    raise AssertionError("no generated account with a dense window")


@pytest.mark.parametrize("count", [1, 7, 50, "7", 7.0])
def test_transaction_pages_walk_every_row_once(client: FlaskClient, state: SandboxState,
                                              count: Any) -> None:
    cases = dense_windows(client, state)
    cases.append((Investor(state.world.ids.users["gildong"], F9999_KEY),
                  state.world.ids.account_by_no[SAMSUNG_ACC], date(2016, 1, 1),
                  date(2016, 7, 31)))
    for investor, account, start, end in cases:
        broker = broker_of(state, account)
        headers = bearer(client, investor.user.id, investor.key)
        full_body = account_body(investor.ci, account.vt_acc_no, "transaction",
                                 transaction_query(start, end, broker.max_page_size))
        full = pages(client, account.broker, "transaction", full_body, headers)
        everything = [row for data in full for row in data["transList"]["transaction"]]
        total = full[0]["transactionHistoryResponseBody"]["queryResult"]["totalCnt"]
        assert len(full) == -(-total // broker.max_page_size)  # one page when total <= max
        assert total == len(everything) >= 15

        body = account_body(investor.ci, account.vt_acc_no, "transaction",
                            transaction_query(start, end, count))
        walked: list[dict[str, Any]] = []
        requested = "null"
        answers = pages(client, account.broker, "transaction", body, headers)
        size = min(int(float(count)), broker.max_page_size)
        assert len(answers) == -(-total // size)
        for data in answers:
            block = data["transactionHistoryResponseBody"]
            rows = data["transList"]["transaction"]
            assert block["queryParams"]["page"] == requested  # the page that was requested
            assert block["queryResult"]["totalCnt"] == total
            assert block["queryResult"]["count"] == len(rows) <= size
            requested = block["queryResult"]["page"]
            assert requested == "null" or KEY.fullmatch(requested)
            walked.extend(rows)
        assert walked == everything  # every row exactly once, in order


@pytest.mark.parametrize("first", [None, "null", "", "  ", "absent"])
def test_first_page_spellings(client: FlaskClient, first: Any) -> None:
    headers = bearer(client, "gildong")
    reference: dict[str, Any] = {}
    for spelling in ("null", first):
        for api, broker, vt_acc_no, query in (
                ("transaction", "samsung", SAMSUNG_ACC,
                 transaction_query(date(2016, 1, 1), date(2016, 7, 31), 5)),
                ("balance", "shinhan", SHINHAN_ACC, {"assetType": "EQTY", "count": 2}),
                ("portfolio", "shinhan", SHINHAN_ACC, {"assetType": "FUND", "count": 1,
                                                       "rspType": "RAT"}),
                ("interest", "samsung", SAMSUNG_ACC, {"assetType": "EQY", "count": 1})):
            query = dict(query)
            if spelling == "absent":
                query.pop("page", None)
            else:
                query["page"] = spelling
            data = answer(search(client, broker, api,
                                 account_body(GILDONG_CI, vt_acc_no, api, query), headers))
            data.pop("commonHeader")
            for value in data.values():
                if isinstance(value, dict):
                    value.pop("queryParams", None)
                    value.pop("queryType", None)
            if spelling == "null":
                reference[api] = data
            else:
                assert data == reference[api], api
            result = data[RESPONSE_BLOCKS[api]]["queryResult"]
            assert KEY.fullmatch(result["page"])  # a second page exists in each case


def test_transaction_count_default_and_cap(client: FlaskClient) -> None:
    """ERRATA 5: count absent, non-numeric or <= 0 → 50; never more than the broker's page."""
    headers = bearer(client, "gildong")
    for count in (None, 0, -3, "abc", "0", 1000):
        query = transaction_query(date(2016, 1, 1), date(2016, 7, 31), count)
        if count is None:
            del query["count"]
        data = answer(search(client, "samsung", "transaction",
                             account_body(GILDONG_CI, SAMSUNG_ACC, "transaction", query),
                             headers))
        result = data["transactionHistoryResponseBody"]["queryResult"]
        assert result["count"] == min(result["totalCnt"], 50), (count, result)


@pytest.mark.parametrize("count", ["inf", "Infinity", "-inf"])
def test_infinite_count_takes_the_default(client: FlaskClient, count: str) -> None:
    """ERRATA 5: a count that is not a usable number means 50 (never a 500)."""
    headers = bearer(client, "gildong")
    for api, broker, vt_acc_no, query in (
            ("transaction", "samsung", SAMSUNG_ACC,
             transaction_query(date(2016, 1, 1), date(2016, 7, 31), count)),
            ("balance", "shinhan", SHINHAN_ACC, {"assetType": "EQTY", "count": count}),
            ("interest", "samsung", SAMSUNG_ACC, {"assetType": "EQY", "count": count})):
        response = search(client, broker, api, account_body(GILDONG_CI, vt_acc_no, api, query),
                          headers)
        assert response.status_code == 200, (api, response.get_data(as_text=True))


def test_a_json_number_beyond_double_range_is_a_400(client: FlaskClient) -> None:
    body = json.dumps(account_body(GILDONG_CI, SHINHAN_ACC, "balance",
                                   {"assetType": "EQTY", "count": 7}))
    response = client.post("/v1/shinhan/account/balance/search",
                           data=body.replace('"count": 7', '"count": 1e400'),
                           content_type="application/json", headers=bearer(client, "gildong"))
    assert_platform_error(response, 400, "op-apim", 400)


# --- holdings paging ------------------------------------------------------------------------------
def holdings_cases(state: SandboxState) -> list[tuple[Investor, VirtualAccount]]:
    out = [(Investor(state.world.ids.users["gildong"], F9999_KEY),
            state.world.ids.account_by_no[SHINHAN_ACC])]
    out += [(i, a) for i in investors(state, 8) for a in i.accounts]
    return out


@pytest.mark.parametrize("count", [1, 2, 4])
def test_holdings_pages_walk_every_position_once(client: FlaskClient, state: SandboxState,
                                                 count: int) -> None:
    multi_page = 0
    for investor, account in holdings_cases(state):
        headers = bearer(client, investor.user.id, investor.key)
        broker = broker_of(state, account)
        for api in ("balance", "portfolio"):
            for asset_type, name in (("EQTY", "equityList"), ("FUND", "fundList"),
                                     ("ETC", "etcList")):
                query = {"assetType": asset_type, "rspType": "RAT", "page": "null"}
                one = answer(search(client, account.broker, api, account_body(
                    investor.ci, account.vt_acc_no, api,
                    {**query, "count": broker.max_page_size}), headers))
                everything = one[f"{api}List"][api][name]
                result = one[f"{api}ResponseBody"]["queryResult"]
                assert result == {"totalCnt": len(everything), "count": len(everything),
                                  "page": "null"}
                body = account_body(investor.ci, account.vt_acc_no, api,
                                    {**query, "count": count})
                walked = []
                answers = pages(client, account.broker, api, body, headers)
                for data in answers:
                    rows = data[f"{api}List"][api][name]
                    result = data[f"{api}ResponseBody"]["queryResult"]
                    assert result["totalCnt"] == len(everything)
                    assert result["count"] == len(rows) <= count
                    walked.extend(rows)
                assert walked == everything, (account, api, name)
                assert len(answers) == max(1, -(-len(everything) // count))
                multi_page += len(answers) > 1
    assert multi_page >= 5


def test_a_page_key_never_cuts_an_all_answer(client: FlaskClient) -> None:
    """ERRATA 5: ALL answers every item in one response. A page key that ALL never issues must
    not cut it: either every item or 6003."""
    headers = bearer(client, "gildong")
    full = answer(search(client, "shinhan", "balance", account_body(
        GILDONG_CI, SHINHAN_ACC, "balance", {"assetType": "ALL", "count": 0, "page": "null"}),
        headers))
    key = first_key(client, "shinhan", "balance", account_body(
        GILDONG_CI, SHINHAN_ACC, "balance", {"assetType": "EQTY", "count": 2, "page": "null"}),
        headers)
    response = search(client, "shinhan", "balance", account_body(
        GILDONG_CI, SHINHAN_ACC, "balance", {"assetType": "ALL", "count": 0, "page": key}),
        headers)
    if response.status_code == 500:
        assert_platform_error(response, 500, "shinhan", 6003)
    else:
        data = answer(response)
        assert data["balanceList"] == full["balanceList"]
        assert data["balanceResponseBody"]["queryResult"] == \
            full["balanceResponseBody"]["queryResult"]


def test_cash_counts_as_one_item(client: FlaskClient) -> None:
    headers = bearer(client, "gildong")
    for api in ("balance", "portfolio"):
        body = account_body(GILDONG_CI, SHINHAN_ACC, api,
                            {"assetType": "CASH", "rspType": "RAT", "count": 1, "page": "null"})
        result = answer(search(client, "shinhan", api, body, headers))[
            f"{api}ResponseBody"]["queryResult"]
        assert result == {"totalCnt": 1, "count": 1, "page": "null"}


def test_samsung_interest_pages(client: FlaskClient, state: SandboxState) -> None:
    cases = [(Investor(state.world.ids.users["gildong"], F9999_KEY),
              state.world.ids.account_by_no[SAMSUNG_ACC])]
    cases += [(i, a) for i in investors(state, 5, brokers=("samsung",)) for a in i.accounts
              if a.broker == "samsung"]
    multi_page = 0
    for investor, account in cases:
        headers = bearer(client, investor.user.id, investor.key)
        plain = answer(search(client, "samsung", "interest", account_body(
            investor.ci, account.vt_acc_no, "interest"), headers))
        groups = plain["interestSymbolListResponseBody"]["groupList"]["group"]
        assert "queryResult" not in plain["interestSymbolListResponseBody"]
        for count in (1, 2, 50):
            body = account_body(investor.ci, account.vt_acc_no, "interest",
                                {"assetType": "EQY", "rspType": "", "count": count,
                                 "page": "null"})
            walked = []
            answers = pages(client, "samsung", "interest", body, headers)
            for data in answers:
                block = data["interestSymbolListResponseBody"]
                assert block["queryResult"]["totalCnt"] == len(groups)
                assert block["queryResult"]["count"] == len(block["groupList"]["group"]) <= count
                walked.extend(block["groupList"]["group"])
            assert walked == groups
            multi_page += len(answers) > 1
    assert multi_page >= 3


# --- page keys that were not issued by this search ------------------------------------------------
def first_key(client: FlaskClient, broker: str, api: str, body: dict[str, Any],
              headers: dict[str, str]) -> str:
    data = answer(search(client, broker, api, body, headers))
    key: str = data[RESPONSE_BLOCKS[api]]["queryResult"]["page"]
    assert KEY.fullmatch(key), key
    return key


def with_page(body: dict[str, Any], page: str) -> dict[str, Any]:
    for block in body.values():
        if isinstance(block, dict):
            for name in ("queryType", "queryParams"):
                if name in block:
                    block[name]["page"] = page
    return body


def test_tampered_transaction_keys_are_6003(client: FlaskClient) -> None:
    headers = bearer(client, "gildong")
    query = transaction_query(date(2016, 1, 1), date(2016, 7, 31), 5)
    body = account_body(GILDONG_CI, SAMSUNG_ACC, "transaction", query)
    key = first_key(client, "samsung", "transaction", body, headers)
    assert search(client, "samsung", "transaction", with_page(body, key),
                  headers).status_code == 200
    day = date(int(key[:4]), int(key[4:6]), int(key[6:8]))
    tampered = [f"{day + timedelta(days=1):%Y%m%d}{key[8:]}",  # another date
                f"{day - timedelta(days=400):%Y%m%d}{key[8:]}",
                f"{key[:8]}{int(key[8:]) + 1000:010d}",  # past the end
                f"{key[:8]}{0:010d}",  # the first page is "null", not offset 0
                key[:-1], key + "0", key.replace(key[0], "x", 1), f" {key[:17]} "]
    for page in tampered:
        assert_platform_error(search(client, "samsung", "transaction", with_page(body, page),
                                     headers), 500, "samsung", 6003)


def test_transaction_key_of_another_window_or_account_is_6003(client: FlaskClient,
                                                              state: SandboxState) -> None:
    headers = bearer(client, "gildong")
    first = account_body(GILDONG_CI, SAMSUNG_ACC, "transaction",
                         transaction_query(date(2016, 1, 1), date(2016, 3, 31), 3))
    key = first_key(client, "samsung", "transaction", first, headers)
    later = account_body(GILDONG_CI, SAMSUNG_ACC, "transaction",
                         transaction_query(date(2016, 4, 1), date(2016, 7, 31), 3))
    assert_platform_error(search(client, "samsung", "transaction", with_page(later, key),
                                 headers), 500, "samsung", 6003)
    # a key of another user's account, the same window
    (investor, account, start, end), = dense_windows(client, state, wanted=1)
    other_headers = bearer(client, investor.user.id, investor.key)
    other = account_body(investor.ci, account.vt_acc_no, "transaction",
                         transaction_query(start, end, 3))
    other_key = first_key(client, account.broker, "transaction", other, other_headers)
    mine = account_body(GILDONG_CI, SAMSUNG_ACC, "transaction",
                        transaction_query(date(2016, 1, 1), date(2016, 7, 31), 3))
    assert_platform_error(search(client, "samsung", "transaction", with_page(mine, other_key),
                                 headers), 500, "samsung", 6003)


def test_tampered_balance_key_is_6003(client: FlaskClient) -> None:
    headers = bearer(client, "gildong")
    body = account_body(GILDONG_CI, SHINHAN_ACC, "balance",
                        {"assetType": "EQTY", "count": 2, "page": "null"})
    key = first_key(client, "shinhan", "balance", body, headers)
    assert key.startswith("20261124")  # the clock's date + the offset
    assert_platform_error(search(client, "shinhan", "balance",
                                 with_page(body, "20160101" + key[8:]), headers),
                          500, "shinhan", 6003)


def test_transaction_key_on_a_balance_search_is_6003(client: FlaskClient) -> None:
    headers = bearer(client, "gildong")
    trans = account_body(GILDONG_CI, SAMSUNG_ACC, "transaction",
                         transaction_query(date(2016, 1, 1), date(2016, 7, 31), 2))
    key = first_key(client, "samsung", "transaction", trans, headers)  # 2016…, offset 2
    body = account_body(GILDONG_CI, SHINHAN_ACC, "balance",
                        {"assetType": "EQTY", "count": 2, "page": "null"})
    assert_platform_error(search(client, "shinhan", "balance", with_page(body, key), headers),
                          500, "shinhan", 6003)


def test_tampered_interest_key_is_6003(client: FlaskClient) -> None:
    headers = bearer(client, "gildong")
    body = account_body(GILDONG_CI, SAMSUNG_ACC, "interest",
                        {"assetType": "EQY", "count": 1, "page": "null"})
    key = first_key(client, "samsung", "interest", body, headers)
    assert_platform_error(search(client, "samsung", "interest",
                                 with_page(body, "19991231" + key[8:]), headers),
                          500, "samsung", 6003)


def test_out_of_range_holdings_keys_are_6003(client: FlaskClient) -> None:
    headers = bearer(client, "gildong")
    body = account_body(GILDONG_CI, SHINHAN_ACC, "balance",
                        {"assetType": "EQTY", "count": 2, "page": "null"})
    key = first_key(client, "shinhan", "balance", body, headers)
    for page in (f"{key[:8]}{999:010d}", f"{key[:8]}{0:010d}", key[:17], "bogus"):
        assert_platform_error(search(client, "shinhan", "balance", with_page(body, page),
                                     headers), 500, "shinhan", 6003)


# --- replay property ------------------------------------------------------------------------------
REPLAY_USERS = 25
CODE_GROUPS: dict[str, str] = {**{code: "FUND" for code in funds()},
                               **{code: "ETC" for code in products()}}
Replay = tuple[VirtualAccount, list[dict[str, Any]], dict[str, Any], dict[str, Any]]


def replay(client: FlaskClient, state: SandboxState, investor: Investor,
           start: date | None = None) -> list[Replay]:
    """(account, full history, balance, portfolio QTY) of every account of the investor."""
    headers = bearer(client, investor.user.id, investor.key)
    out = []
    for account in investor.accounts:
        rows = history(client, state, headers, investor.ci, account, start=start)
        balance = full_balance(client, state, headers, investor.ci, account)
        portfolio = full_balance(client, state, headers, investor.ci, account, "portfolio",
                                 "QTY")
        out.append((account, rows, balance, portfolio))
    return out


def check_replay(state: SandboxState, account: VirtualAccount, rows: list[dict[str, Any]],
                 balance: dict[str, Any], portfolio: dict[str, Any]) -> None:
    """Summing changeAmt gives D+2; the last qty of each code is the position held."""
    cash_code = broker_of(state, account).cash_isin_code
    assert [r["transDate"] for r in rows] == sorted(r["transDate"] for r in rows)
    assert sum(row["changeAmt"] for row in rows) == balance["summary"]["d2"], account
    last: dict[str, int] = {}
    for row in rows:
        assert row["qty"] >= 0 and row["changeQty"] >= 0, row
        if row["transType"] in ("DEP", "WID"):
            assert row["isinCode"] == cash_code and row["changeQty"] == 0, row
        if row["isinCode"] != cash_code:
            last[row["isinCode"]] = row["qty"]
    held = {code: qty for code, qty in last.items() if qty > 0}
    equities = {code: qty for code, qty in held.items() if code not in CODE_GROUPS}
    fund_qty = {code: qty for code, qty in held.items() if CODE_GROUPS.get(code) == "FUND"}
    products_qty = Counter(qty for code, qty in held.items() if CODE_GROUPS.get(code) == "ETC")
    assert {r["isinCode"]: r["qty"] for r in balance["equityList"]} == equities, account
    assert {r["fundCode"] for r in balance["fundList"]} == set(fund_qty), account
    assert {r["fundCode"]: r["qty"] for r in portfolio["fundList"]} == fund_qty, account
    assert Counter(r["qty"] for r in balance["etcList"]) == products_qty, account


def check_settlement(state: SandboxState, account: VirtualAccount, rows: list[dict[str, Any]],
                     balance: dict[str, Any]) -> None:
    """Exchange trades settle T+2 KRX days, everything else on the day (ledger.py): the cash
    after each day's settlements is never negative, and D+0/D+1/D+2 are those of the rows."""
    cash_code = broker_of(state, account).cash_isin_code
    settled: dict[date, int] = defaultdict(int)
    for row in rows:
        day = date(int(row["transDate"][:4]), int(row["transDate"][4:6]),
                   int(row["transDate"][6:]))
        exchange = (row["transType"] in ("ASK", "BID") and row["isinCode"] != cash_code
                    and row["isinCode"] not in CODE_GROUPS)
        settled[t_plus(day, 2) if exchange else day] += row["changeAmt"]
    cash = 0
    for day in sorted(settled):
        cash += settled[day]
        assert cash >= 0, (account.vt_acc_no, day, cash)
    summary = balance["summary"]
    for name, on in (("cashBalance", TODAY), ("d1", t_plus(TODAY, 1)),
                     ("d2", t_plus(TODAY, 2))):
        assert summary[name] == sum(v for day, v in settled.items() if day <= on), name


REPLAY_SETTINGS = settings(max_examples=REPLAY_USERS, deadline=None, derandomize=True,
                           suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])


@REPLAY_SETTINGS
@given(index=st.integers(min_value=0, max_value=REPLAY_USERS - 1))
def test_replaying_the_history_gives_the_balance(client: FlaskClient, state: SandboxState,
                                                 index: int) -> None:
    for account, rows, balance, portfolio in replay(client, state,
                                                    investors(state, REPLAY_USERS)[index]):
        assert rows, account
        assert rows[0]["transType"] == "DEP"  # the opening deposit, in the issuance month or later
        assert rows[0]["transDate"] >= f"{opening(account):%Y%m%d}"
        check_replay(state, account, rows, balance, portfolio)


@REPLAY_SETTINGS
@given(index=st.integers(min_value=0, max_value=REPLAY_USERS - 1))
def test_settled_cash_never_goes_negative(client: FlaskClient, state: SandboxState,
                                          index: int) -> None:
    for account, rows, balance, _ in replay(client, state, investors(state, REPLAY_USERS)[index]):
        check_settlement(state, account, rows, balance)


DOCUMENTED_USERS = ("gildong", "hwanny", "jeeae", "hackathon", "khj932", "ingyu", "jeonga",
                    "taeseog", "pannpann", "jaerang")


@pytest.mark.parametrize("user_id", DOCUMENTED_USERS)
def test_documented_accounts_replay_to_their_balance(client: FlaskClient, state: SandboxState,
                                                     user_id: str) -> None:
    """The same property on the documented accounts (scripted in fixtures/accounts.yaml or
    generated inside their documented history period)."""
    investor = Investor(state.world.ids.users[user_id], F9999_KEY)
    for account, rows, balance, portfolio in replay(client, state, investor,
                                                    start=date(2012, 1, 1)):
        assert rows, account
        check_replay(state, account, rows, balance, portfolio)
        check_settlement(state, account, rows, balance)
