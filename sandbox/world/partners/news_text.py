"""Vocabulary and templates of the synthetic news corpus (``fixtures/partners/news.yaml``).

The fixture holds fictitious press names, headline and sentence patterns per section, and the
trending topic clusters (keywords, sections, related companies). This module reads it once,
compiles the templates and fills them: a placeholder ``{kw}`` takes a slot value, ``{org:은}``
also attaches the Korean particle that suits the value's last syllable (은/는, 이/가, 을/를,
과/와, 으로/로; any other particle is appended as written).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from sandbox.paths import FIXTURES

NEWS_FIXTURE = FIXTURES / "partners" / "news.yaml"

#: The observed Haystack sections (partners.md G1), in the documented order.
SECTIONS = ("politics", "economy", "society", "culture", "world", "tech", "opinion")

_SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}")
#: particle -> (after a final consonant, after a vowel)
_PARTICLES = {"은": ("은", "는"), "는": ("은", "는"), "이": ("이", "가"), "가": ("이", "가"),
              "을": ("을", "를"), "를": ("을", "를"), "과": ("과", "와"), "와": ("과", "와"),
              "으로": ("으로", "로"), "로": ("으로", "로")}
_DIGIT_FINAL = {"0": 21, "1": 8, "3": 16, "6": 1, "7": 8, "8": 8}  # 영 일 삼 육 칠 팔
_LETTER_FINAL = {"l": 8, "m": 16, "n": 4, "r": 8}  # 엘 엠 엔 알
_RIEUL = 8  # index of the final consonant ㄹ (takes 로, not 으로)

Part = str | tuple[str, str | None]


def final_consonant(word: str) -> int:
    """Index of the final consonant of the word's last sounding character (0 = none). Digits
    and Latin letters are read the Korean way (삼성SDI → 이, CJ ENM → 엠)."""
    for ch in reversed(word):
        if "가" <= ch <= "힣":
            return (ord(ch) - 0xAC00) % 28
        if ch.isdigit():
            return _DIGIT_FINAL.get(ch, 0)
        if ch.isascii() and ch.isalpha():
            return _LETTER_FINAL.get(ch.lower(), 0)
    return 0


def particle(word: str, name: str) -> str:
    """The form of particle ``name`` that follows ``word``."""
    pair = _PARTICLES.get(name)
    if pair is None:
        return name
    final = final_consonant(word)
    if name in ("으로", "로"):
        return pair[0] if final and final != _RIEUL else pair[1]
    return pair[0] if final else pair[1]


@dataclass(frozen=True)
class Template:
    """A compiled template: literal text and ``(slot, particle)`` parts."""

    parts: tuple[Part, ...]

    @classmethod
    def compile(cls, text: str) -> Template:
        parts: list[Part] = []
        pos = 0
        for match in _SLOT.finditer(text):
            if match.start() > pos:
                parts.append(text[pos:match.start()])
            parts.append((match.group(1), match.group(2)))
            pos = match.end()
        if pos < len(text):
            parts.append(text[pos:])
        return cls(tuple(parts))

    def render(self, slots: Mapping[str, str]) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = slots[part[0]]
            out.append(value if part[1] is None else value + particle(value, part[1]))
        return "".join(out)


@dataclass(frozen=True)
class SectionText:
    name: str
    weight: float
    publishers: tuple[str, ...]
    orgs: tuple[str, ...]
    issues: tuple[str, ...]
    headlines: tuple[Template, ...]
    sentences: tuple[Template, ...]


@dataclass(frozen=True)
class Topic:
    """A trending keyword cluster: its articles carry its keywords (partners.md G1)."""

    id: int
    name: str
    keywords: tuple[str, ...]
    sections: tuple[str, ...]
    weight: float
    months: frozenset[int]
    companies: tuple[str, ...]  # company names of the universe
    sectors: tuple[str, ...]  # industry index codes


@dataclass(frozen=True)
class MarketText:
    """Templates of the after-close market wrap-ups, keyed by ``up``/``down``/``flat``."""

    titles: Mapping[str, tuple[Template, ...]]
    body: Mapping[str, Template]
    range: Template
    peer: Mapping[str, Template]
    topic: Template


@dataclass(frozen=True)
class Vocabulary:
    sections: Mapping[str, SectionText]
    topics: tuple[Topic, ...]
    speakers: tuple[str, ...]
    closings: tuple[Template, ...]
    company_sentences: tuple[Template, ...]
    market: MarketText


def _templates(items: list[str]) -> tuple[Template, ...]:
    return tuple(Template.compile(str(t)) for t in items)


def _moves(block: Mapping[str, Any]) -> dict[str, Template]:
    return {k: Template.compile(str(block[k])) for k in ("up", "down", "flat")}


def _section(name: str, raw: Mapping[str, Any], publishers: list[str]) -> SectionText:
    return SectionText(name, float(raw["weight"]), tuple(publishers), tuple(raw["orgs"]),
                       tuple(raw["issues"]), _templates(raw["headlines"]),
                       _templates(raw["sentences"]))


def _topic(index: int, raw: Mapping[str, Any]) -> Topic:
    sections = tuple(raw["sections"])
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise ValueError(f"news fixture: topic {raw['topic']} has unknown sections {unknown}")
    return Topic(index, str(raw["topic"]), tuple(str(k) for k in raw["keywords"]), sections,
                 float(raw.get("weight", 1.0)), frozenset(raw.get("months", ())),
                 tuple(raw.get("companies", ())), tuple(raw.get("sectors", ())))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The fixture, read and compiled once per process."""
    data: dict[str, Any] = yaml.safe_load(NEWS_FIXTURE.read_text(encoding="utf-8"))
    sections = {name: _section(name, data["sections"][name], data["publishers"][name])
                for name in SECTIONS}
    market = data["market"]
    market_text = MarketText(
        titles={k: _templates(market[k]) for k in ("up", "down", "flat")},
        body=_moves(market["body"]), range=Template.compile(market["range"]),
        peer=_moves(market["peer"]), topic=Template.compile(market["topic"]))
    return Vocabulary(
        sections=sections,
        topics=tuple(_topic(i, raw) for i, raw in enumerate(data["topics"])),
        speakers=tuple(data["speakers"]), closings=_templates(data["closings"]),
        company_sentences=_templates(data["company_sentences"]), market=market_text)
