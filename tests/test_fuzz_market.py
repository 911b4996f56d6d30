"""Property tests: generated paths and queries to every market operation never produce a 500.

Every answer is a 200 that passes the operation's response schema (strict mode), a market error
(HTTP 400 ``{"error": <documented message>}``) or a gateway 404 (a path segment the router
cannot place).
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import Config, create_app
from sandbox.registry import all_operations
from sandbox.world.world import WorldSettings
from tests.conftest import F9999_KEY, FROZEN

APP = create_app(Config(world=WorldSettings(seed=42, clock=FROZEN), response_validation="strict"))
CLIENT = APP.test_client()
MARKET = [op for op in all_operations() if op.family == "market"]
MESSAGES = {
    "조회유형이 존재 하지 않습니다", "데이터가 존재 하지 않습니다",
    "종목코드가 존재 하지 않습니다", "데이터 FID가 존재 하지 않습니다",
    "기간입력이 잘못되었습니다", "해당 년,월,일에 자료가 없습니다",
    "해당 조회 코드에 자료가 없습니다",
    "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다",
    "생성 가능한 종목수를 초과하였습니다", "종목코드를 입력하십시요",
    "입력사항 확인 후 재 조회 하십시오", "미래일 이어서 Data가 없습니다",
    "비영업일 이어서 Data가 없습니다", "당일 종가 제공 시간이 아닙니다.",
}

markets = st.sampled_from(["kospi", "kosdaq", "konex", "kospi200", "mini_kospi200", "usd",
                           "sector", "etc", "KR", "US", "nasdaq", "", "k o"])
issues = st.sampled_from(["005930", "069500", "035720", "K1", "Q1", "S50", "E60001",
                          "K2FA001", "101N6000", "201N6220", "KR7005930003", "000000",
                          "999999999999", "x", "%20"])
dates = st.one_of(st.sampled_from(["19991231", "20261123", "20261122", "20160101", "19991231",
                                   "18000101", "20991231", "99999999", "20260230", "2026-11-24",
                                   "", "0"]),
                  st.dates().map(lambda d: d.strftime("%Y%m%d")))
values = st.one_of(dates, st.sampled_from(["D", "W", "M", "X", "10", "60", "600", "0", "-1",
                                           "100", "101", "99999999999999999999", "0900",
                                           "1530", "093000", "2500", "ab", ""]),
                   st.text(max_size=12))
PARAMS = ["inqStrtDd", "inqEndDd", "reqCnt", "trnsmCycleTpCd", "inddCycleTpCd", "strtTm",
          "endTm", "isuCd", "prevddClsprc", "wk52HgstPrc", "nosuch"]
queries = st.dictionaries(st.sampled_from(PARAMS), values, max_size=6)


def _path(rule: str, market: str, issue: str) -> str:
    path = re.sub(r"<(?:[a-z_]+:)?(marketcode|nationcode)>", market, rule)
    return re.sub(r"<(?:[a-z_]+:)?issuecode>", issue, path)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(op=st.sampled_from(MARKET), market=markets, issue=issues, query=queries,
       at=st.sampled_from(["2026-11-24T10:00:00", "2026-11-24T16:30:00", "2026-11-22T12:00:00",
                           "2026-11-24T08:45:00"]))
def test_market_operations_never_fail_unexpectedly(op: Any, market: str, issue: str,
                                                   query: dict[str, str], at: str) -> None:
    from sandbox.world.clock import parse_instant

    APP.extensions["sandbox"].world.clock.set(parse_instant(at))
    rule = op.paths[hash((market, issue)) % len(op.paths)]
    response = CLIENT.get(_path(rule, market, issue), query_string=query,
                          headers={"apikey": F9999_KEY})
    body = response.get_json()
    assert response.status_code in (200, 400, 404), (response.status_code, body)
    if response.status_code == 400:
        assert set(body) == {"error"} and body["error"] in MESSAGES, body
