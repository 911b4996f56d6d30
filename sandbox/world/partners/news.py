"""The Haystack news corpus (partners.md G1): synthetic Korean articles, a pure function of
``(seed, day, i)``, generated one calendar day at a time and cached per day.

* **Volume.** 20-60 articles on a trading day plus 3-7 after-close market wrap-ups; 8-20 on
  weekends and holidays. Articles run from 2000-01-01 (the start of the market calendar);
  only those published up to the world clock are visible (:meth:`NewsCorpus.visible`).
* **Identity.** ``uid = 10_000_000 + 100 x (days since 2000-01-01) + i`` where ``i`` orders
  the day's articles by publication time; ``uid_str`` is its decimal text.
* **Topics.** About two thirds of the articles carry a trending keyword cluster of the
  fixture: a cluster's share of a day follows its base weight, its season and a weekly burst
  (``heat``), so what trends changes from week to week. The others use a section issue.
* **Companies.** ``securities`` (0-3 listed KOSPI/KOSDAQ companies of the universe) come from
  the topic's companies and sectors, or from a market-cap weighted draw. The market wrap-ups
  (after 15:40 on trading days; economy, or tech for a quarter of the IT companies') report
  the day's real closing bar of the market simulator (``삼성전자, 2.31% 상승 마감``, close,
  change, high, low, volume, and a peer of the same industry), so the news agrees with the
  market APIs.
* **Text.** Headlines and sentences are fixture templates (:mod:`.news_text`); the summary is
  the lead sentence; links point at ``news.example.com``. No real article text.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sandbox.world.market import calendar as cal
from sandbox.world.market.bars import Bar
from sandbox.world.market.instruments import STOCK, Instrument, load_universe
from sandbox.world.market.noise import BoundedCache, stream, uniform
from sandbox.world.partners.news_text import (
    SectionText,
    Topic,
    Vocabulary,
    vocabulary,
)

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market

CORPUS_START = date(cal.FIRST_YEAR, 1, 1)
CORPUS_END = date(cal.LAST_YEAR, 12, 31)
UID_BASE = 10_000_000
URL = "https://news.example.com"
CATEGORY = "news"
MARKETS = ("kospi", "kosdaq")
MARKET_NAMES = {"kospi": "유가증권시장", "kosdaq": "코스닥시장"}
#: industries whose wrap-ups go to the tech section (KOSPI electronics/services, KOSDAQ IT)
TECH_SECTORS = frozenset({"K13", "K26", "Q151", "Q153", "Q154", "Q155", "Q156", "Q157", "Q158",
                          "Q159", "Q160"})
TECH_WRAP_SHARE = 0.25  # wrap-ups of IT companies in the tech section (else economy)
TOPICAL_SHARE = 0.65
_DAY = 86_400
_OPEN_S, _LAST_S = 5 * 3600 + 30 * 60, 23 * 3600 + 30 * 60  # publication hours 05:30-23:30
_WRAP_FIRST, _WRAP_LAST = 15 * 3600 + 40 * 60, 18 * 3600  # wrap-ups 15:40-18:00
_SECTION_RANK_WEIGHTS = (3.0, 2.0, 1.0, 1.0)


@dataclass(frozen=True, slots=True)
class Security:
    market: str  # KOSPI | KOSDAQ
    symbol: str
    name: str


@dataclass(frozen=True, slots=True)
class Article:
    uid: int
    day: date
    second: int  # publication time, seconds after midnight KST
    section: str
    publisher: str
    title: str
    content: str
    summary: str
    images: int
    securities: tuple[Security, ...]
    topic: int  # index of the trending topic, -1 for none
    text: str  # case-folded "title\ncontent": what queries match
    title_len: int  # length of the title inside ``text``

    @property
    def published_at(self) -> str:
        hh, rest = divmod(self.second, 3600)
        return f"{self.day.isoformat()}T{hh:02d}:{rest // 60:02d}:{rest % 60:02d}+09:00"

    def instant(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day,
                        tzinfo=cal.KST) + timedelta(seconds=self.second)

    def document(self) -> dict[str, Any]:
        """The article as a Haystack ``docs[]`` element."""
        images = [f"{URL}/img/{self.uid}.jpg"] + [f"{URL}/img/{self.uid}_{k}.jpg"
                                                   for k in range(2, self.images + 1)]
        return {
            "uid": self.uid, "uid_str": str(self.uid), "category": CATEGORY,
            "section": self.section, "publisher": self.publisher, "title": self.title,
            "summary": self.summary, "content": self.content,
            "content_url": f"{URL}/articles/{self.uid}",
            "image_urls": images[:self.images], "published_at": self.published_at,
            "securities": [{"market": s.market, "symbol": s.symbol, "name": s.name}
                           for s in self.securities],
        }


@dataclass(frozen=True, slots=True)
class Day:
    """The articles of one calendar day, oldest first, with their publication seconds."""

    day: date
    articles: tuple[Article, ...]
    seconds: tuple[int, ...]

    def until(self, second: int) -> tuple[Article, ...]:
        """The articles published at or before ``second``."""
        return self.articles[:bisect.bisect_right(self.seconds, second)]


def uid_of(day: date, i: int) -> int:
    return UID_BASE + 100 * (day - CORPUS_START).days + i


def security(inst: Instrument) -> Security:
    return Security(inst.market.upper(), inst.code, inst.name)


class Companies:
    """The KOSPI/KOSDAQ stocks of the universe by market capitalisation at the anchor, by
    name and by industry (static per process)."""

    def __init__(self) -> None:
        universe = load_universe()
        stocks = [i for m in MARKETS for i in universe.select(STOCK, m)]
        stocks.sort(key=lambda i: (-i.anchor_price * i.shares, i.code))
        self.by_cap: tuple[Instrument, ...] = tuple(stocks)
        self.by_name = {i.name: i for i in reversed(stocks)}
        sectors: dict[str, list[Instrument]] = {}
        for inst in stocks:
            if inst.sector:
                sectors.setdefault(inst.sector, []).append(inst)
        self.by_sector = {k: tuple(v) for k, v in sectors.items()}
        self.sector_names = {i.code: i.name.replace(" ", "") for m in MARKETS
                             for i in universe.indices(m)}


@lru_cache(maxsize=1)
def companies() -> Companies:
    return Companies()


def _pick(rng: random.Random, items: Sequence[Any]) -> Any:
    return items[int(rng.random() * len(items))]


def _weighted(rng: random.Random, weights: Sequence[float]) -> int:
    total = sum(weights)
    u = rng.random() * total
    for i, w in enumerate(weights):
        u -= w
        if u < 0:
            return i
    return len(weights) - 1


def _rate(bar: Bar) -> str:
    return f"{abs(bar.change) / bar.base * 100:.2f}" if bar.base else "0.00"


def _direction(bar: Bar) -> str:
    return "up" if bar.change > 0 else "down" if bar.change < 0 else "flat"


class NewsCorpus:
    """The corpus of one seed. Days are generated on demand (about 1.5 ms each) and kept in a
    bounded cache (about 110 kB a day: 400 days hold the longest search range)."""

    def __init__(self, seed: int, market: Market, cache_days: int = 400) -> None:
        self.seed = seed
        self.market = market
        self.vocab: Vocabulary = vocabulary()
        self.companies = companies()
        self._days: BoundedCache[date, Day] = BoundedCache(cache_days)

    # --------------------------------------------------------------------------- access
    def day(self, d: date) -> Day:
        found = self._days.get(d)
        if found is None:
            found = self._days.put(d, self._generate(d))
        return found

    def visible(self, d: date, now: datetime) -> tuple[Article, ...]:
        """The articles of ``d`` published at or before ``now`` (KST)."""
        today = now.date()
        if d > today or d < CORPUS_START or d > CORPUS_END:
            return ()
        day = self.day(d)
        if d < today:
            return day.articles
        return day.until(now.hour * 3600 + now.minute * 60 + now.second)

    def days(self, start: date, end: date) -> Iterator[date]:
        """The calendar days of [start, end] that can hold articles, newest first."""
        d, first = min(end, CORPUS_END), max(start, CORPUS_START)
        while d >= first:
            yield d
            d -= timedelta(days=1)

    def heat(self, topic: Topic, d: date) -> float:
        """The weight of a topic on a day: base weight x season x the week's burst."""
        season = 1.0 if not topic.months else (3.0 if d.month in topic.months else 0.5)
        u = uniform(self.seed, "news-heat", topic.id, d.toordinal() // 7)
        burst = 6.0 if u < 0.12 else 2.0 if u < 0.35 else 0.6
        return topic.weight * season * burst

    # ----------------------------------------------------------------------- generation
    def _generate(self, d: date) -> Day:
        rng = stream(self.seed, "news-day", d.toordinal())
        trading = cal.is_trading_day(d)
        quiet = d.weekday() >= 5 or not trading
        count = rng.randint(8, 20) if quiet else rng.randint(20, 60)
        wraps = rng.randint(3, 7) if trading else 0
        plan = [(rng.randint(_OPEN_S, _LAST_S), 0) for _ in range(count)]
        plan += [(rng.randint(_WRAP_FIRST, _WRAP_LAST), 1) for _ in range(wraps)]
        plan.sort()
        heats = [self.heat(t, d) for t in self.vocab.topics]
        articles = []
        for i, (second, wrap) in enumerate(plan):
            art = stream(self.seed, "news-article", d.toordinal(), i)
            made = self._wrap(art, d, i, second) if wrap else None
            if made is None:
                made = self._article(art, d, i, second, heats)
            articles.append(made)
        return Day(d, tuple(articles), tuple(a.second for a in articles))

    def _listed(self, insts: Sequence[Instrument], d: date) -> list[Instrument]:
        return [i for i in insts if i.is_listed(d)]

    def _cap_pick(self, rng: random.Random, d: date) -> Instrument | None:
        stocks = self.companies.by_cap
        for _ in range(8):
            inst = stocks[int(len(stocks) * rng.random() ** 5)]
            if inst.is_listed(d):
                return inst
        return None

    def _topic_companies(self, topic: Topic, d: date) -> list[Instrument]:
        found = [self.companies.by_name[n] for n in topic.companies
                 if n in self.companies.by_name]
        for sector in topic.sectors:
            found += self.companies.by_sector.get(sector, ())[:5]
        unique = list(dict.fromkeys(found))
        return self._listed(unique, d)

    def _article(self, rng: random.Random, d: date, i: int, second: int,
                 heats: list[float]) -> Article:
        vocab = self.vocab
        topic: Topic | None = None
        if rng.random() < TOPICAL_SHARE:
            topic = vocab.topics[_weighted(rng, heats)]
            weights = _SECTION_RANK_WEIGHTS[:len(topic.sections)]
            section = vocab.sections[topic.sections[_weighted(rng, weights)]]
            keywords = topic.keywords
        else:
            names = list(vocab.sections)
            section = vocab.sections[names[_weighted(rng, [vocab.sections[n].weight
                                                           for n in names])]]
            keywords = section.issues
        kws = self._keywords(rng, keywords, primary=topic is not None)
        insts = self._article_companies(rng, section.name, topic, d)
        slots = {"kw": kws[0], "kw2": kws[1], "kw3": kws[2], "org": _pick(rng, section.orgs),
                 "who": _pick(rng, vocab.speakers), "n": str(rng.randint(2, 30)),
                 "pct": f"{rng.uniform(0.5, 15.0):.1f}", "month": f"{d.month}월",
                 "dom": f"{d.day}일"}
        title = _pick(rng, section.headlines).render(slots)
        sentences = self._sentences(rng, section, slots)
        if insts:
            slots["company"] = insts[0].name
            slots["companies"] = ", ".join(inst.name for inst in insts)
            sentences.append(_pick(rng, vocab.company_sentences).render(slots))
        if rng.random() < 0.6:
            sentences.append(_pick(rng, vocab.closings).render(slots))
        return self._make(rng, d, i, second, section, title, sentences,
                          tuple(security(x) for x in insts), -1 if topic is None else topic.id)

    def _keywords(self, rng: random.Random, keywords: Sequence[str], primary: bool) -> list[str]:
        """Three keywords, distinct where the list allows; a topic leads with its first."""
        pool = list(keywords)
        first = pool[0] if primary and rng.random() < 0.5 else _pick(rng, pool)
        rest = [k for k in pool if k != first]
        rng.shuffle(rest)
        rest += [first] * 2
        return [first, rest[0], rest[1]]

    def _article_companies(self, rng: random.Random, section: str, topic: Topic | None,
                           d: date) -> list[Instrument]:
        business = section in ("economy", "tech")
        if section == "opinion" or rng.random() >= (0.75 if business else 0.2):
            return []
        pool = self._topic_companies(topic, d) if topic is not None else []
        if not pool:
            if topic is not None and not business:
                return []
            inst = self._cap_pick(rng, d)
            return [] if inst is None else [inst]
        k = min(len(pool), (1 + _weighted(rng, (5.0, 3.0, 2.0))) if business else 1)
        rng.shuffle(pool)
        return pool[:k]

    def _sentences(self, rng: random.Random, section: SectionText,
                   slots: dict[str, str]) -> list[str]:
        chosen = rng.sample(range(len(section.sentences)), 3)
        return [section.sentences[j].render(slots) for j in chosen]

    def _wrap(self, rng: random.Random, d: date, i: int, second: int) -> Article | None:
        """An after-close wrap-up of a company with the day's real closing bar."""
        inst = self._cap_pick(rng, d)
        bar = self.market.closing_bar(inst, d) if inst is not None else None
        if inst is None or bar is None:
            return None
        vocab, text = self.vocab, self.vocab.market
        way = _direction(bar)
        sector = self.companies.sector_names.get(inst.sector or "", "동일")
        slots = {"name": inst.name, "rate": _rate(bar), "close": f"{bar.close:,}",
                 "change": f"{abs(bar.change):,}", "high": f"{bar.high:,}",
                 "low": f"{bar.low:,}", "volume": f"{bar.volume:,}",
                 "market": MARKET_NAMES[inst.market], "sector": sector,
                 "month": f"{d.month}월", "dom": f"{d.day}일"}
        title = _pick(rng, text.titles[way]).render(slots)
        sentences = [text.body[way].render(slots), text.range.render(slots)]
        insts = [inst]
        peers = [p for p in self.companies.by_sector.get(inst.sector or "", ())[:10]
                 if p is not inst and p.is_listed(d)]
        if peers:
            peer = _pick(rng, peers)
            peer_bar = self.market.closing_bar(peer, d)
            if peer_bar is not None:
                slots.update(peer=peer.name, peer_rate=_rate(peer_bar))
                sentences.append(text.peer[_direction(peer_bar)].render(slots))
                insts.append(peer)
        topics = [t for t in vocab.topics if inst.name in t.companies]
        topic = -1
        if topics:
            chosen = topics[_weighted(rng, [self.heat(t, d) for t in topics])]
            slots["kw"] = chosen.keywords[0]
            sentences.append(text.topic.render(slots))
            topic = chosen.id
        tech = inst.sector in TECH_SECTORS and rng.random() < TECH_WRAP_SHARE
        section = vocab.sections["tech" if tech else "economy"]
        return self._make(rng, d, i, second, section, title, sentences,
                          tuple(security(x) for x in insts), topic)

    def _make(self, rng: random.Random, d: date, i: int, second: int, section: SectionText,
              title: str, sentences: list[str], securities: tuple[Security, ...],
              topic: int) -> Article:
        content = " ".join(sentences)
        images = _weighted(rng, (3.0, 5.0, 2.0))
        return Article(uid_of(d, i), d, second, section.name, _pick(rng, section.publishers),
                       title, content, sentences[0], images, securities, topic,
                       (title + "\n" + content).casefold(), len(title.casefold()))


@lru_cache(maxsize=4)
def corpus_of(seed: int) -> NewsCorpus:
    """The corpus of a seed (shared by every world of the seed, like its market)."""
    from sandbox.world.world import market_of

    return NewsCorpus(seed, market_of(seed))

