"""Haystack news search (partners.md G1 #19-22): the documented calls, the query language,
paging, filters, trends, related companies, trending topics, agreement with the market, the
clock, determinism and the corpus invariants over many seeds."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import load_universe
from sandbox.world.partners.news import CORPUS_START, corpus_of, uid_of
from sandbox.world.partners.news_query import MAX_DEPTH, MAX_TERMS, QueryError, parse
from sandbox.world.partners.news_text import SECTIONS, particle, vocabulary
from sandbox.world.world import market_of
from tests.conftest import (
    F9999_KEY,
    assert_covers,
    assert_partner_error,
    example,
    partner_call,
    partner_get,
    set_clock,
)

SEARCH = "/v1/haystack/news/politics,economy/_search"  # partners.haystack_news_search
ALL = "/v1/haystack/news/all/_search"
TRENDS = "/v1/haystack/news/all/_trends"  # partners.haystack_trends
ENTITIES = "/v1/haystack/entities/company/_search"  # partners.haystack_entities_company_search
TOPICS = "/v1/haystack/topics/trending/news"  # partners.haystack_topics_trending_news
UNIVERSE = load_universe()
PROPS = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def total(client: FlaskClient, query: str, path: str = ALL, **params: Any) -> int:
    return int(ok(partner_get(client, path, query=query, size=1, **params))["data"]["total"])


# ------------------------------------------------------------------------------ examples
@pytest.mark.parametrize("name", ["haystack_news_search", "haystack_trends",
                                  "haystack_entities_company_search",
                                  "haystack_topics_trending_news"])
def test_documented_requests_answer_every_documented_key(client: FlaskClient,
                                                         name: str) -> None:
    body = ok(partner_call(client, example(f"partners/{name}.request.json")))
    assert_covers(f"partners/{name}.proposed.response.json", body)
    assert body["found"] is True


# -------------------------------------------------------------------------------- search
def test_search_documents_match_the_query_sections_and_window(client: FlaskClient) -> None:
    body = ok(partner_get(client, SEARCH, query="삼성전자", size=50))
    data = body["data"]
    assert body["found"] and data["page"] == 1 and data["size"] == 50
    assert 0 < len(data["docs"]) <= 50 and data["total"] >= len(data["docs"])
    for doc in data["docs"]:
        assert "삼성전자" in doc["title"] + "\n" + doc["content"]
        assert doc["section"] in ("politics", "economy") and doc["category"] == "news"
        assert "2026-10-26" <= doc["published_at"][:10] <= "2026-11-24"
        assert doc["published_at"] <= "2026-11-24T10:00:00+09:00"
        assert doc["uid_str"] == str(doc["uid"])
        assert doc["content_url"].endswith(f"/articles/{doc['uid']}")
        assert doc["summary"] and doc["content"].startswith(doc["summary"])
        for sec in doc["securities"]:
            inst = UNIVERSE.get(sec["symbol"])
            assert inst is not None and inst.name == sec["name"]
            assert sec["market"] == inst.market.upper()


def test_no_hit_is_the_proposed_empty_answer(client: FlaskClient) -> None:
    body = ok(partner_get(client, SEARCH, query="존재하지않는낱말"))
    assert body == {"found": False, "data": {"total": 0, "page": 1, "size": 10, "docs": []}}


def test_paging_is_a_partition_of_the_ordered_hits(client: FlaskClient) -> None:
    every = ok(partner_get(client, ALL, query="금리", size=50, sort="date"))["data"]
    assert every["total"] > 12
    uids = [d["uid"] for d in every["docs"]]
    pages = [ok(partner_get(client, ALL, query="금리", size=5, page=p, sort="date"))["data"]
             for p in (1, 2, 3)]
    assert [d["uid"] for p in pages for d in p["docs"]] == uids[:15]
    assert all(p["total"] == every["total"] for p in pages)
    last = -(-every["total"] // 5) + 1
    assert ok(partner_get(client, ALL, query="금리", size=5, page=last))["data"]["docs"] == []


def test_sort_orders(client: FlaskClient) -> None:
    by_date = ok(partner_get(client, ALL, query="반도체", size=50, sort="date"))["data"]["docs"]
    stamps = [d["published_at"] for d in by_date]
    assert stamps == sorted(stamps, reverse=True)
    ranked = ok(partner_get(client, ALL, query="반도체", size=50))["data"]["docs"]
    query = parse("반도체")
    scores = [query.score((d["title"] + "\n" + d["content"]).casefold(), len(d["title"]))
              for d in ranked]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_boolean_operators_follow_set_algebra(client: FlaskClient) -> None:
    a, b = total(client, "금리"), total(client, "대출")
    both = total(client, "금리 대출")
    assert both == total(client, "금리 AND 대출") == total(client, "금리 & 대출")
    assert both == total(client, "금리 and 대출") == total(client, "(금리) (대출)")
    either = total(client, "금리 OR 대출")
    assert either == a + b - both == total(client, "금리 | 대출") == total(client, "대출 or 금리")
    assert total(client, "금리 -대출") == total(client, "금리 NOT 대출") == a - both
    assert total(client, "-금리 -대출") == total(client, "NOT (금리 OR 대출)")
    assert total(client, "(금리 | 대출) & 한국은행") <= either
    assert 0 < total(client, '"거래를 마쳤다"') <= total(client, "거래를 마쳤다")


def test_filters_and_aliases(client: FlaskClient) -> None:
    per_section = [total(client, "정부", f"/v1/haystack/news/{s}/_search") for s in SECTIONS]
    assert sum(per_section) == total(client, "정부")
    assert total(client, "정부", "/v1/haystack/news,snek/" + ",".join(SECTIONS) + "/_search") \
        == total(client, "정부", "/v1/haystack/news/home/_search/") == total(client, "정부")
    assert total(client, "정부", "/v1/haystack/snek/all/_search") == 0


def test_date_range(client: FlaskClient) -> None:
    week = ok(partner_get(client, ALL, query="정부", size=50, sort="date",
                          **{"from": "20261101", "to": "20261107"}))["data"]["docs"]
    assert week and all("2026-11-01" <= d["published_at"][:10] <= "2026-11-07" for d in week)
    old = ok(partner_get(client, ALL, query="정부", **{"from": "20170101", "to": "20171231"}))
    assert old["data"]["total"] > 0
    assert total(client, "정부", **{"from": "20261125", "to": "20261231"}) == 0


@pytest.mark.parametrize(("path", "params", "parameter"), [
    (ALL, {}, "query"),
    (ALL, {"query": ""}, "query"),
    (ALL, {"query": "   "}, "query"),
    (ALL, {"query": "(금리"}, "query"),
    (ALL, {"query": "금리)"}, "query"),
    (ALL, {"query": '"금리'}, "query"),
    (ALL, {"query": "금리 AND"}, "query"),
    (ALL, {"query": "OR 금리"}, "query"),
    (ALL, {"query": "금리 - 대출"}, "query"),
    (ALL, {"query": '""'}, "query"),
    (ALL, {"query": "금리", "page": "0"}, "page"),
    (ALL, {"query": "금리", "page": "x"}, "page"),
    (ALL, {"query": "금리", "size": "51"}, "size"),
    (ALL, {"query": "금리", "size": "0"}, "size"),
    (ALL, {"query": "금리", "sort": "score"}, "sort"),
    (ALL, {"query": "금리", "from": "2026111"}, "from"),
    (ALL, {"query": "금리", "from": "20260230"}, "from"),
    (ALL, {"query": "금리", "to": "20261399"}, "to"),
    (ALL, {"query": "금리", "from": "20261124", "to": "20261101"}, "from"),
    (ALL, {"query": "금리", "from": "20251101"}, "from"),
    ("/v1/haystack/blog/all/_search", {"query": "금리"}, "categories"),
    ("/v1/haystack/news/sports/_search", {"query": "금리"}, "sections"),
    ("/v1/haystack/news/economy,,x/_search", {"query": "금리"}, "sections"),
    (TRENDS, {"query": "금리", "from": "20260101", "to": "20261124"}, "interval"),
    (TRENDS, {"query": "금리", "interval": "2d", "from": "20260101", "to": "20261124"},
     "interval"),
    (TRENDS, {"query": "금리", "interval": "1d", "to": "20261124"}, "from"),
    (TRENDS, {"query": "금리", "interval": "1d", "from": "20260101"}, "to"),
    (TRENDS, {"query": "금리", "interval": "1y", "from": "20200101", "to": "20251231"}, "from"),
    (TRENDS, {"query": "(", "interval": "1y", "from": "20200101", "to": "20201231"}, "query"),
    ("/v1/haystack/news/politicz/_trends",
     {"query": "a", "interval": "1y", "from": "20200101", "to": "20201231"}, "sections"),
    (ENTITIES, {}, "query"),
    (ENTITIES, {"query": "a OR"}, "query"),
    (ENTITIES, {"query": "금리", "from": "20240101"}, "from"),
    (TOPICS + "/sports", {}, "section"),
])
def test_errors_name_the_parameter(client: FlaskClient, path: str, params: dict[str, str],
                                   parameter: str) -> None:
    assert_partner_error(partner_get(client, path, **params), "haystack", parameter)


def test_literal_routes_win_over_the_category_pattern(client: FlaskClient) -> None:
    entities = ok(partner_get(client, ENTITIES + "/", query="반도체"))
    assert entities["data"]["buckets"][0]["key"] == "company"
    topics = ok(partner_get(client, TOPICS + "/"))
    assert "all" in topics["data"]["topics"]["news"]
    assert ok(partner_get(client, TOPICS + "/home")) == topics
    assert_partner_error(partner_get(client, "/v1/haystack/topics/trending/_search",
                                     query="a"), "haystack", "categories")


# -------------------------------------------------------------------------------- trends
def test_trend_buckets_add_up_and_equal_search_totals(client: FlaskClient) -> None:
    window = {"from": "20261026", "to": "20261124"}

    def buckets(interval: str) -> list[dict[str, Any]]:
        body = ok(partner_get(client, TRENDS, query="금리", interval=interval, **window))
        assert body["data"]["interval"] == interval and body["data"]["from"] == "20261026"
        result: list[dict[str, Any]] = body["data"]["trends"][0]["buckets"]
        return result

    daily, weekly, monthly = buckets("1d"), buckets("1w"), buckets("1M")
    assert [b["value"] for b in daily][:2] == ["20261026", "20261027"] and len(daily) == 30
    assert weekly[0]["value"] == "20261026"  # a Monday
    assert [b["value"] for b in monthly] == ["20261001", "20261101"]
    assert [b["value"] for b in buckets("1y")] == ["20260101"]
    whole = total(client, "금리", **window)
    assert sum(b["count"] for b in daily) == sum(b["count"] for b in weekly) == whole
    assert sum(b["count"] for b in monthly) == whole
    day = daily[10]
    assert day["count"] == total(client, "금리", **{"from": day["value"], "to": day["value"]})


def test_trends_of_the_future_and_of_snek_are_empty(client: FlaskClient) -> None:
    future = ok(partner_get(client, "/v1/haystack/news,snek/all/_trends", query="금리",
                            interval="1M", **{"from": "20261201", "to": "20270131"}))
    assert future["found"] is False
    assert [b["count"] for b in future["data"]["trends"][0]["buckets"]] == [0, 0]
    snek = ok(partner_get(client, "/v1/haystack/snek/all/_trends", query="금리",
                          interval="1y", **{"from": "20250101", "to": "20251231"}))
    assert snek["data"]["trends"][0]["buckets"] == [{"value": "20250101", "count": 0}]


# ------------------------------------------------------------------------------ entities
def test_related_companies_co_occur_with_the_query(client: FlaskClient) -> None:
    body = ok(partner_get(client, ENTITIES, query="미세먼지"))
    entities = body["data"]["buckets"][0]["entities"]
    assert body["found"] and 0 < len(entities) <= 10
    scores = [e["score"] for e in entities]
    assert scores == sorted(scores, reverse=True)
    window = {"from": "20260826", "to": "20261124"}  # the default 90 days
    for e in entities[:3]:
        assert UNIVERSE.get(e["symbol"]).name == e["name"]  # type: ignore[union-attr]
        assert total(client, f'미세먼지 "{e["name"]}"', **window) > 0


def test_a_company_name_finds_its_peers(client: FlaskClient) -> None:
    entities = ok(partner_get(client, ENTITIES, query="삼성전자"))["data"]["buckets"][0]
    names = [e["name"] for e in entities["entities"]]
    assert names and "삼성전자" not in names
    nothing = ok(partner_get(client, ENTITIES, query="존재하지않는낱말"))
    assert nothing == {"found": False, "data": {"query": "존재하지않는낱말",
                                                "buckets": [{"key": "company", "entities": []}]}}


# -------------------------------------------------------------------------------- topics
def test_trending_topics_of_the_last_day(client: FlaskClient) -> None:
    body = ok(partner_get(client, TOPICS))
    topics = body["data"]["topics"]["news"]["all"]
    assert body["found"] and 0 < len(topics) <= 10
    assert [t["rank"] for t in topics] == list(range(1, len(topics) + 1))
    assert [t["score"] for t in topics] == sorted((t["score"] for t in topics), reverse=True)
    names = {t.name: t for t in vocabulary().topics}
    for t in topics:
        assert t["section"] == "all" and t["category"] == "news"
        assert t["uid_str"] == str(t["uid"]) and t["topic"] in names
        freqs = [k["freq"] for k in t["keywords"]]
        assert freqs == sorted(freqs, reverse=True) and freqs[0] > 0
        assert {k["keyword"] for k in t["keywords"]} <= set(names[t["topic"]].keywords)
        # the topic's uid is an article of the last 24 hours
        n = t["uid"] - uid_of(date(2026, 11, 23), 0)
        assert 0 <= n < 200
    economy = ok(partner_get(client, TOPICS + "/economy"))["data"]["topics"]["news"]["economy"]
    assert economy and all(t["section"] == "economy" for t in economy)


# --------------------------------------------------------------------- market agreement
def test_wrap_ups_report_the_market_close(client: FlaskClient, state: SandboxState) -> None:
    docs = ok(partner_get(client, ALL, query='"거래를 마쳤다"', size=50,
                          sort="date"))["data"]["docs"]
    assert len(docs) >= 20
    market = state.world.market
    for doc in docs:
        sec = doc["securities"][0]
        day = date.fromisoformat(doc["published_at"][:10])
        bar = market.closing_bar(UNIVERSE.get(sec["symbol"]), day)  # type: ignore[arg-type]
        assert bar is not None and doc["published_at"][11:16] >= "15:40"
        assert f"{sec['name']}" in doc["title"]
        assert f"{bar.close:,}원에 거래를 마쳤다" in doc["content"]
        if bar.change:
            rate = f"{abs(bar.change) / bar.base * 100:.2f}%"
            assert rate in doc["content"]
            assert ("오른" if bar.change > 0 else "내린") in doc["content"]
    doc = docs[0]
    sec, day = doc["securities"][0], doc["published_at"][:10].replace("-", "")
    rest = client.get(f"/v2/market/stocks/{sec['market'].lower()}/{sec['symbol']}/history",
                      query_string={"trnsmCycleTpCd": "D", "inqStrtDd": day, "inqEndDd": day,
                                    "reqCnt": "1"}, headers={"apikey": F9999_KEY})
    close = ok(rest)["result"]["hisLists"][0]["trdPrc"]
    assert f"{close:,}원에 거래를 마쳤다" in doc["content"]


# ------------------------------------------------------------------------- clock, seeds
def test_only_articles_published_before_the_clock_exist(client: FlaskClient,
                                                        state: SandboxState) -> None:
    today = {"from": "20261124", "to": "20261124", "size": 50}
    set_clock(state, "2026-11-24T06:00:00+09:00")
    early = ok(partner_get(client, ALL, query="-존재하지않는낱말", **today))["data"]
    assert all(d["published_at"] <= "2026-11-24T06:00:00+09:00" for d in early["docs"])
    topics_early = ok(partner_get(client, TOPICS))
    set_clock(state, "2026-11-24T23:59:00+09:00")
    late = ok(partner_get(client, ALL, query="-존재하지않는낱말", **today))["data"]
    assert late["total"] > early["total"] + 10
    assert any(d["published_at"] > "2026-11-24T15:40" for d in late["docs"])
    assert ok(partner_get(client, TOPICS)) != topics_early


def test_same_request_same_bytes_and_seeds_differ(client: FlaskClient) -> None:
    first = partner_get(client, SEARCH, query="삼성전자 OR 금리", size=20)
    assert first.get_data() == partner_get(client, SEARCH, query="삼성전자 OR 금리",
                                           size=20).get_data()
    day = date(2026, 11, 20)
    titles = [a.title for a in corpus_of(42).day(day).articles]
    assert titles == [a.title for a in corpus_of(42).day(day).articles]
    assert titles != [a.title for a in corpus_of(7).day(day).articles]


def test_faults_and_methods(client: FlaskClient) -> None:
    assert client.post("/_sandbox/partners/haystack/faults", json={"fault": "down"}).status_code \
        == 200
    assert partner_get(client, TOPICS).status_code == 503
    client.post("/_sandbox/partners/haystack/faults", json={"fault": "down", "on": False})
    assert client.post(TOPICS, headers={"apikey": F9999_KEY}).status_code in (403, 405)


# ------------------------------------------------------------------------ query language
@pytest.mark.parametrize("text", ["", "  ", "(", ")", "a)", "(a", '"a', '""', "a AND", "OR a",
                                  "a OR OR b", "NOT", "-", "a - b", "a &&& b", "()",
                                  "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1),
                                  " ".join(["a"] * (MAX_TERMS + 1)), "a" * 1001])
def test_malformed_queries(text: str) -> None:
    with pytest.raises(QueryError):
        parse(text)


def test_query_semantics() -> None:
    text = "삼성전자, 반도체 호황에 분기 최대 실적\n국회는 lg-삼성 협력을 논의했다"
    cases = {"삼성전자": True, "삼성전자 애플": False, "삼성전자 | 애플": True, "-애플": True,
             "NOT 삼성전자": False, "--삼성전자": True, "LG-삼성": True, '"분기 최대"': True,
             '"분기  최대"': True, '"최대 분기"': False, "(애플 OR 국회) AND 실적": True,
             "애플 OR 국회 AND 실적": True, "(애플 OR 국회) -실적": False}
    for query, expected in cases.items():
        assert parse(query).matches(text.casefold()) is expected, query
    assert parse("반도체 -애플").positive == ("반도체",)
    assert parse("-(a -b)").positive == ("b",)
    assert parse("삼성전자").score(text.casefold(), 15) == 3
    assert parse("-x").score("abc", 1) == 1


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet='ab()"&|- 삼성xORANDNOT', max_size=30))
def test_any_query_parses_or_raises_query_error(text: str) -> None:
    try:
        query = parse(text)
    except QueryError:
        return
    assert isinstance(query.matches("ab 삼성"), bool)


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="abc ", max_size=12))
def test_de_morgan(text: str) -> None:
    assert parse("-(a | b)").matches(text) == parse("-a -b").matches(text)
    assert parse("-(a b)").matches(text) == parse("-a | -b").matches(text)
    assert parse("a (b | c)").matches(text) == parse("(a b) | (a c)").matches(text)


@PROPS
@given(st.text(max_size=40), st.sampled_from([ALL, TRENDS, ENTITIES]))
def test_any_query_string_is_a_200_or_a_400(client: FlaskClient, text: str, path: str) -> None:
    params = {"interval": "1M", "from": "20261001", "to": "20261124"} if path == TRENDS else {}
    response = partner_get(client, path, query=text, **params)
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert response.get_json()["description"] == "query"


def test_particles() -> None:
    assert [particle(w, "은") for w in ("삼성전자", "국회", "CJ ENM", "KT", "LG")] == \
        ["는", "는", "은", "는", "는"]
    assert [particle(w, "으로") for w in ("미세먼지", "폭염", "서울", "3")] == \
        ["로", "으로", "로", "으로"]
    assert particle("정부", "도") == "도"


# ------------------------------------------------------------------------------ corpus
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31), st.dates(date(2001, 1, 2), date(2026, 11, 23)))
def test_corpus_day_invariants(seed: int, day: date) -> None:
    news = corpus_of(seed).day(day)
    arts = news.articles
    trading = cal.is_trading_day(day)
    low, high = (20, 67) if trading and day.weekday() < 5 else (8, 20)
    assert low <= len(arts) <= high
    assert [a.uid for a in arts] == [uid_of(day, i) for i in range(len(arts))]
    assert list(news.seconds) == sorted(news.seconds)
    market = market_of(seed)
    for a in arts:
        assert a.section in SECTIONS and len(a.securities) <= 3
        assert a.text == (a.title + "\n" + a.content).casefold()
        for sec in a.securities:
            inst = UNIVERSE.get(sec.symbol)
            assert inst is not None and inst.is_listed(day) and inst.market in ("kospi", "kosdaq")
        if "거래를 마쳤다" in a.content:
            bar = market.closing_bar(UNIVERSE.get(a.securities[0].symbol), day)  # type: ignore
            assert bar is not None and f"{bar.close:,}원" in a.content
        if a.topic >= 0:
            topic = vocabulary().topics[a.topic]
            assert any(k.casefold() in a.text for k in topic.keywords)
    assert corpus_of(seed).day(day) is news or corpus_of(seed).day(day) == news


def test_corpus_bounds() -> None:
    corpus = corpus_of(42)
    now = datetime(2026, 11, 24, 10, 0, tzinfo=cal.KST)
    assert corpus.visible(CORPUS_START - timedelta(days=1), now) == ()
    assert corpus.visible(date(2026, 11, 25), now) == ()
    visible = corpus.visible(date(2026, 11, 24), now)
    assert visible and all(a.instant() <= now for a in visible)
    assert list(corpus.days(date(1999, 12, 30), date(2000, 1, 2))) == \
        [date(2000, 1, 2), date(2000, 1, 1)]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", visible[0].published_at)


DATES = st.one_of(st.dates(date(1900, 1, 1), date(2999, 12, 31)).map(lambda d: f"{d:%Y%m%d}"),
                  st.from_regex(r"\A[0-9]{8}\Z"), st.text(max_size=9))


@PROPS
@given(st.sampled_from([ALL, TRENDS, ENTITIES]), DATES, DATES,
       st.sampled_from(["1d", "1w", "1M", "1y"]))
def test_any_dates_are_a_200_or_a_400(client: FlaskClient, path: str, start: str, end: str,
                                      interval: str) -> None:
    response = partner_get(client, path, query="금리", interval=interval,
                           **{"from": start, "to": end})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert response.get_json()["description"] in ("from", "to")
