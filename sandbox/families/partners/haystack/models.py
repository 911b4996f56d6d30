"""Haystack (Wyverple news search, partners.md G1): search, trends, related companies and
trending topics over the synthetic corpus of :mod:`sandbox.world.partners.news`.

Rules of the emulator (PROPOSED where the spec leaves it open, §Q item 9):

* **Paths.** ``categories``: a comma list of ``news`` and ``snek``; ``snek`` (meaning unknown,
  seen in one client's ``_trends`` call) is accepted as a corpus without documents. Anything
  else → 400 naming ``categories``. ``sections``: a comma list of ``politics``, ``economy``,
  ``society``, ``culture``, ``world``, ``tech``, ``opinion``, or ``all`` for every one of
  them; anything else → 400 naming ``sections``.
* **Query.** The grammar of :mod:`sandbox.world.partners.news_query`; a malformed query → 400
  naming ``query``.
* **Dates.** ``from``/``to`` are ``YYYYMMDD`` publication days (KST), both inclusive; only
  articles published up to the world clock exist. ``_search`` defaults to the 30 days ending
  on the clock's day and accepts at most 366 days; ``_trends`` requires both and accepts at
  most 1,830 days (5 years); the company search defaults to the last 90 days (at most 366).
  A bad date (not a calendar day of 1900-2999) or ``from`` after ``to`` → 400 naming it; a
  range too long → 400 naming ``from``.
* **Search.** ``page`` (1-based, ≤ 9999), ``size`` (1-50, default 10), ``sort``
  ``relevance`` (default: score, then newest) or ``date`` (newest first). ``found`` is
  ``total > 0``; a page past the end has no docs.
* **Trends.** One trend per request (the query), buckets of ``1d``, ``1w`` (ISO weeks from
  Monday), ``1M`` or ``1y`` labelled with the calendar start of the bucket (which may precede
  ``from``: counts only cover ``from``-``to``), empty buckets included.
* **Companies.** Companies of the matching articles' ``securities``; each article adds its
  relevance divided by its number of companies; a company named by a query term is left out
  (a company name finds its peers); at most 10, best first.
* **Trending topics.** The clusters of the articles published in the 24 hours before the
  clock: each article weighs 0.5-1 by freshness, ``score = 100 (1 - exp(-W / 2))`` with 4
  decimals; ``uid`` is the cluster's latest article; ``keywords[].freq`` counts the keyword's
  occurrences in those articles. At most 10. A ``/<section>`` suffix narrows to one section
  (``all`` and ``home``: every section).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.errors import PartnerError
from sandbox.families.partners.params import yyyymmdd
from sandbox.world.market import calendar as cal
from sandbox.world.market.noise import BoundedCache
from sandbox.world.partners.news import Article, NewsCorpus, corpus_of
from sandbox.world.partners.news_query import Query, QueryError, parse
from sandbox.world.partners.news_text import SECTIONS
from sandbox.world.world import World

FAMILY = "haystack"
CATEGORIES = {"news": True, "snek": False}  # category -> holds documents
ALL_SECTIONS = frozenset(SECTIONS)
SECTION_ALIASES = ("all", "home")
SEARCH_DAYS, MAX_SEARCH_DAYS = 30, 366
MAX_TREND_DAYS = 1830
ENTITY_DAYS, MAX_ENTITY_DAYS = 90, 366
MAX_ENTITIES = 10
MAX_TOPICS = 10
INTERVALS = ("1d", "1w", "1M", "1y")

# per-day match counts of complete days: (seed, query key, sections, day) -> count
_COUNTS: BoundedCache[tuple[int, str, tuple[str, ...], date], int] = BoundedCache(200_000)


# ------------------------------------------------------------------------------ parameters
def _error(parameter: str, reason: str) -> PartnerError:
    return PartnerError(FAMILY, parameter, reason)


def now_of(world: World) -> datetime:
    return cal.kst(world.now())


def filters(categories: str, sections: str) -> tuple[bool, frozenset[str]]:
    """``(whether the categories hold documents, the sections)`` of the path."""
    cats = [c.strip() for c in categories.split(",") if c.strip()]
    if not cats or any(c not in CATEGORIES for c in cats):
        raise _error("categories", "news and snek are the known categories")
    secs: set[str] = set()
    for name in (s.strip() for s in sections.split(",")):
        if not name:
            continue
        if name in SECTION_ALIASES:
            secs |= ALL_SECTIONS
        elif name in ALL_SECTIONS:
            secs.add(name)
        else:
            raise _error("sections", f"{', '.join(SECTIONS)} or all")
    if not secs:
        raise _error("sections", "no section")
    return any(CATEGORIES[c] for c in cats), frozenset(secs)


def query_of(params: Mapping[str, Any]) -> Query:
    try:
        return parse(str(params.get("query", "")))
    except QueryError as exc:
        raise _error("query", str(exc)) from None


def period(params: Mapping[str, Any], today: date, default_days: int,
           max_days: int) -> tuple[date, date]:
    end = yyyymmdd(FAMILY, params, "to") or today
    start = yyyymmdd(FAMILY, params, "from") or end - timedelta(days=default_days - 1)
    if start > end:
        raise _error("from", "after to")
    if (end - start).days + 1 > max_days:
        raise _error("from", f"the range exceeds {max_days} days")
    return start, end


def _matching(corpus: NewsCorpus, query: Query, sections: frozenset[str], start: date,
              end: date, now: datetime) -> list[Article]:
    return [a for d in corpus.days(start, end) for a in corpus.visible(d, now)
            if a.section in sections and query.matches(a.text)]


# ---------------------------------------------------------------------------------- search
def search(world: World, categories: str, sections: str,
           params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /v1/haystack/{categories}/{sections}/_search``."""
    news, secs = filters(categories, sections)
    query = query_of(params)
    page, size = int(params.get("page", 1)), int(params.get("size", 10))
    now = now_of(world)
    start, end = period(params, now.date(), SEARCH_DAYS, MAX_SEARCH_DAYS)
    hits = _matching(corpus_of(world.seed), query, secs, start, end, now) if news else []
    if params.get("sort", "relevance") == "date":
        hits.sort(key=lambda a: (a.day, a.second, a.uid), reverse=True)
    else:
        hits.sort(key=lambda a: (query.score(a.text, a.title_len), a.day, a.second, a.uid),
                  reverse=True)
    first = (page - 1) * size
    docs = [a.document() for a in hits[first:first + size]]
    return {"found": bool(hits),
            "data": {"total": len(hits), "page": page, "size": size, "docs": docs}}


# ---------------------------------------------------------------------------------- trends
def bucket_start(d: date, interval: str) -> date:
    if interval == "1w":
        return d - timedelta(days=d.weekday())
    if interval == "1M":
        return d.replace(day=1)
    if interval == "1y":
        return d.replace(month=1, day=1)
    return d


def next_bucket(d: date, interval: str) -> date:
    if interval == "1d":
        return d + timedelta(days=1)
    if interval == "1w":
        return d + timedelta(days=7)
    if interval == "1M":
        return date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return date(d.year + 1, 1, 1)


def day_count(corpus: NewsCorpus, query: Query, secs: frozenset[str], d: date,
              now: datetime) -> int:
    """Matching articles of one day; complete days are cached per query."""
    if d >= now.date():
        return sum(1 for a in corpus.visible(d, now)
                   if a.section in secs and query.matches(a.text))
    key = (corpus.seed, query.key, tuple(sorted(secs)), d)
    found = _COUNTS.get(key)
    if found is None:
        found = _COUNTS.put(key, sum(1 for a in corpus.visible(d, now)
                                     if a.section in secs and query.matches(a.text)))
    return found


def trends(world: World, categories: str, sections: str,
           params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /v1/haystack/{categories}/{sections}/_trends``."""
    news, secs = filters(categories, sections)
    query = query_of(params)
    interval = str(params["interval"])
    start, end = yyyymmdd(FAMILY, params, "from"), yyyymmdd(FAMILY, params, "to")
    assert start is not None and end is not None  # required by the request schema
    if start > end:
        raise _error("from", "after to")
    if (end - start).days + 1 > MAX_TREND_DAYS:
        raise _error("from", f"the range exceeds {MAX_TREND_DAYS} days")
    now = now_of(world)
    corpus = corpus_of(world.seed)
    buckets = []
    total = 0
    b = bucket_start(start, interval)
    while b <= end:
        nxt = next_bucket(b, interval)
        count = 0
        if news:
            first, last = max(b, start), min(nxt - timedelta(days=1), end, now.date())
            d = first
            while d <= last:
                count += day_count(corpus, query, secs, d, now)
                d += timedelta(days=1)
        total += count
        buckets.append({"value": f"{b:%Y%m%d}", "count": count})
        b = nxt
    return {"found": total > 0,
            "data": {"query": query.source, "interval": interval, "from": f"{start:%Y%m%d}",
                     "to": f"{end:%Y%m%d}",
                     "trends": [{"query": query.source, "buckets": buckets}]}}


# ------------------------------------------------------------------------------- companies
def companies(world: World, params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /v1/haystack/entities/company/_search``."""
    query = query_of(params)
    now = now_of(world)
    start, end = period(params, now.date(), ENTITY_DAYS, MAX_ENTITY_DAYS)
    weights: dict[tuple[str, str, str], float] = {}
    for a in _matching(corpus_of(world.seed), query, ALL_SECTIONS, start, end, now):
        if not a.securities:
            continue
        share = query.score(a.text, a.title_len) / len(a.securities)
        for s in a.securities:
            key = (s.market, s.symbol, s.name)
            weights[key] = weights.get(key, 0.0) + share
    named = set(query.positive)
    ranked = sorted(((round(w, 2), key) for key, w in weights.items()
                     if key[2].casefold() not in named), key=lambda x: (-x[0], x[1][1]))
    entities = [{"market": m, "symbol": s, "name": n, "score": score}
                for score, (m, s, n) in ranked[:MAX_ENTITIES]]
    return {"found": bool(entities),
            "data": {"query": query.source,
                     "buckets": [{"key": "company", "entities": entities}]}}


# ---------------------------------------------------------------------------------- topics
def trending(world: World, section: str | None = None) -> dict[str, Any]:
    """``GET /v1/haystack/topics/trending/news[/{section}]``."""
    label, secs = "all", ALL_SECTIONS
    if section is not None and section not in SECTION_ALIASES:
        if section not in ALL_SECTIONS:
            raise _error("section", f"{', '.join(SECTIONS)}, all or home")
        label, secs = section, frozenset({section})
    now = now_of(world)
    corpus = corpus_of(world.seed)
    now_s = now.date().toordinal() * 86_400 + now.hour * 3600 + now.minute * 60 + now.second
    groups: dict[int, list[tuple[float, Article]]] = {}
    for d in (now.date(), now.date() - timedelta(days=1)):
        for a in corpus.visible(d, now):
            age = now_s - (a.day.toordinal() * 86_400 + a.second)
            if a.topic >= 0 and a.section in secs and age < 86_400:
                groups.setdefault(a.topic, []).append((1.0 - 0.5 * age / 86_400, a))
    scored = sorted(((sum(w for w, _ in items), topic) for topic, items in groups.items()),
                    key=lambda x: (-x[0], x[1]))
    topics = []
    for rank, (weight, topic_id) in enumerate(scored[:MAX_TOPICS], start=1):
        items = [a for _, a in groups[topic_id]]
        latest = max(items, key=lambda a: (a.day, a.second, a.uid))
        topic = corpus.vocab.topics[topic_id]
        freqs = [(sum(a.text.count(k.casefold()) for a in items), i, k)
                 for i, k in enumerate(topic.keywords)]
        keywords = [{"keyword": k, "freq": f}
                    for f, _, k in sorted(freqs, key=lambda x: (-x[0], x[1])) if f > 0]
        topics.append({"uid": latest.uid, "uid_str": str(latest.uid), "category": "news",
                       "section": label, "rank": rank,
                       "score": round(100.0 * (1.0 - math.exp(-weight / 2.0)), 4),
                       "topic": topic.name, "keywords": keywords})
    return {"found": bool(topics), "data": {"topics": {"news": {label: topics}}}}
