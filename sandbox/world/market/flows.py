"""Who traded: investor flows, member-firm ranking, short selling and foreign holdings.

Pure functions of ``(seed, key, day, totals)``. The totals (volume, value, the day's range)
are the price model's at the instant, passed in by the caller, so every split adds up to the
model's ``accTrdvol``/``accTrdval`` exactly (market README §8.6). Randomness is
:mod:`noise` only, and every day is O(1): holdings and lending balances are smooth bounded
functions of the trading-day index (sums of seeded sinusoids plus a hashed daily jitter), not
walks that need the past.

* Investor flows (stocks.md S7/S8, index.md I5, futures.md F8, options.md O8; codes.md §3):
  twelve leaf types (01-07, 13, 09, 10, 14, 15) share each side's volume by weights around a
  profile of the market (own modelling: individuals dominate KOSDAQ, foreigners and
  institutions weigh more on KOSPI, liquidity providers (01) on ETFs), tilted per key, per
  (key, day) and a little per (key, day, side), so net buying stays a modest share; the
  weights are fixed for the day, so the running figures grow with the volume;
  the aggregates follow the documented rules 08 = 01+…+07+13, 11 = 14+15,
  12 = 08+09+10+11 (= the traded volume, both sides), 16 = 09. Values are thousand KRW
  (README §3.8): the total ``round(KRW / 1000)`` is apportioned over the leaves, so the rules
  hold exactly for values too.
* Member ranking (S13): the buy and sell volume of each member firm of a pool is a share of
  the traded volume, drawn per (issue, day, side); the top five are reported.
* Short selling (S11): a seeded fraction of the day's volume at about the day's average
  price; zero while KRX banned short selling (own knowledge, see :data:`SHORT_BANS`); the
  lending balance is a smooth share of the listed shares.
* Foreign holdings (S14): a smooth share of the listed shares around a level that grows with
  the market capitalisation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from sandbox.world.market.instruments import ETF, ETN, Instrument
from sandbox.world.market.noise import normal, uniform

#: investor type codes (KRX code 6502, codes.md §3): wire code -> Korean name
INVESTOR_NAMES = {
    "01": "금융투자", "02": "보험", "03": "투신", "04": "은행", "05": "기타금융", "06": "연기금",
    "07": "국가", "08": "기관계", "09": "기타법인", "10": "개인", "11": "외국인", "12": "종합계",
    "13": "사모펀드", "14": "외인-등록", "15": "외인-기타", "16": "기타합계",
}
INVESTOR_CODES = tuple(INVESTOR_NAMES)
INSTITUTIONS = ("01", "02", "03", "04", "05", "06", "07", "13")  # summed into 08
FOREIGNERS = ("14", "15")  # summed into 11
LEAVES = (*INSTITUTIONS, "09", "10", *FOREIGNERS)

# Leaf weights by market profile (own modelling, orders of magnitude of KRX statistics).
_PROFILES: dict[str, dict[str, float]] = {
    "kospi": {"01": .06, "02": .008, "03": .02, "04": .004, "05": .002, "06": .05, "07": .0005,
              "13": .015, "09": .03, "10": .55, "14": .25, "15": .01},
    "kosdaq": {"01": .03, "02": .002, "03": .01, "04": .001, "05": .001, "06": .01, "07": 0.0,
               "13": .01, "09": .03, "10": .82, "14": .08, "15": .005},
    "konex": {"01": .02, "02": 0.0, "03": .01, "04": 0.0, "05": .002, "06": 0.0, "07": 0.0,
              "13": .01, "09": .08, "10": .85, "14": .02, "15": .008},
    "etf": {"01": .45, "02": .01, "03": .02, "04": .005, "05": .005, "06": .02, "07": 0.0,
            "13": .01, "09": .03, "10": .35, "14": .09, "15": .005},
    "futures": {"01": .15, "02": .005, "03": .02, "04": .01, "05": .005, "06": .01, "07": .03,
                "13": .01, "09": .01, "10": .30, "14": .43, "15": .02},
    "options": {"01": .18, "02": .002, "03": .01, "04": .001, "05": .003, "06": 0.0, "07": 0.0,
                "13": .01, "09": .01, "10": .33, "14": .43, "15": .02},
}
# How far an investor type's average price strays from the market's (log sd): options mix
# series whose premiums differ by orders of magnitude, so their value split is looser.
_PRICE_SPREAD = {"options": 0.25, "futures": 0.002}
_DEFAULT_PRICE_SPREAD = 0.004


class InvestorRow(NamedTuple):
    """One ``invstLists`` row: sell (ask) and buy (bid) volume and value (thousand KRW)."""

    code: str
    ask_volume: int
    ask_value: int
    bid_volume: int
    bid_value: int


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Integers proportional to ``weights`` that sum to ``total`` exactly (largest remainder,
    ties to the earlier entry); a zero weight always gets 0."""
    scaled = [max(0, round(w * 1e9)) for w in weights]
    whole = sum(scaled)
    if total <= 0 or whole == 0:
        return [0] * len(weights)
    parts = [total * w // whole for w in scaled]
    remainders = [total * w % whole for w in scaled]
    short = total - sum(parts)
    for i in sorted(range(len(scaled)), key=lambda i: (-remainders[i], i))[:short]:
        parts[i] += 1
    return parts


def thousand(value_krw: int) -> int:
    """KRW → thousand KRW, rounded half up."""
    return (value_krw + 500) // 1000


def profile_of(inst: Instrument) -> str:
    """The investor profile of a cash instrument or an index (by its market)."""
    if inst.kind in (ETF, ETN):
        return "etf"
    return inst.market if inst.market in ("kosdaq", "konex") else "kospi"


def zero_rows() -> list[InvestorRow]:
    """The 16 rows before the figures are published (ERRATA 26: per-issue investors)."""
    return [InvestorRow(code, 0, 0, 0, 0) for code in INVESTOR_CODES]


def _side(seed: int, key: str, profile: str, n: int, side: str, volume: int,
          value_k: int) -> dict[str, tuple[int, int]]:
    base = _PROFILES[profile]
    weights = [base[leaf] * math.exp(0.35 * normal(seed, "invtilt", key, leaf)
                                     + 0.25 * normal(seed, "invday", key, n, leaf)
                                     + 0.1 * normal(seed, "invside", key, n, side, leaf))
               for leaf in LEAVES]
    volumes = apportion(volume, weights)
    spread = _PRICE_SPREAD.get(profile, _DEFAULT_PRICE_SPREAD)
    priced = [v * math.exp(spread * normal(seed, "invprice", key, n, side, leaf))
              for v, leaf in zip(volumes, LEAVES, strict=True)]
    values = apportion(value_k, priced)
    return {leaf: (v, w) for leaf, v, w in zip(LEAVES, volumes, values, strict=True)}


def investor_rows(seed: int, key: str, profile: str, n: int, volume: int,
                  value_krw: int) -> list[InvestorRow]:
    """The 16 rows (codes.md §3 order) splitting ``volume`` and ``value_krw`` (KRW) that
    ``key`` (an issue, index or market) traded on trading day ``n`` by investor type.

    Each side (sell = ask, buy = bid) adds up to the totals; the aggregates follow codes.md §3.
    """
    value_k = thousand(value_krw)
    sides = {side: _side(seed, key, profile, n, side, volume, value_k) for side in ("ask", "bid")}

    def total(side: str, codes: Sequence[str]) -> tuple[int, int]:
        cells = [sides[side][c] for c in codes]
        return sum(v for v, _ in cells), sum(w for _, w in cells)

    for side, cells in sides.items():
        cells["08"] = total(side, INSTITUTIONS)
        cells["11"] = total(side, FOREIGNERS)
        cells["12"] = total(side, ("08", "09", "10", "11"))
        cells["16"] = cells["09"]
    return [InvestorRow(code, *sides["ask"][code], *sides["bid"][code])
            for code in INVESTOR_CODES]


# --------------------------------------------------------------------------- member ranking
# KRX member firms: the names of the spec's examples (stocks.md S13, 2018 spelling) and other
# members, with a rough activity weight (own modelling).
_DOMESTIC = (("키움증권", 3.0), ("미래에셋대우", 2.2), ("한국투자증권", 1.8),
             ("NH투자증권", 1.8), ("삼성증권", 1.6), ("KB증권", 1.4), ("신한투자", 1.2),
             ("대신증권", 1.0), ("하나금융투자", 0.9), ("유안타증권", 0.7), ("메리츠종금", 0.6),
             ("한화투자증권", 0.5), ("교보증권", 0.5), ("이베스트투자증권", 0.5),
             ("DB금융투자", 0.4), ("유진투자증권", 0.4), ("하이증권", 0.3), ("신영증권", 0.3),
             ("현대차증권", 0.3), ("SK증권", 0.3), ("부국증권", 0.15), ("케이프투자증권", 0.1))
_FOREIGN = (("모간스탠리", 1.2), ("CS", 1.0), ("메릴린치", 1.0), ("제이피모간", 1.0),
            ("골드만삭스", 0.9), ("씨티그룹", 0.8), ("UBS", 0.8), ("CLSA", 0.7), ("맥쿼리", 0.6),
            ("HSBC증권", 0.5), ("노무라", 0.5), ("도이치", 0.4), ("다이와", 0.3))
MEMBERS = tuple(name for name, _ in _DOMESTIC + _FOREIGN)
_OTHERS = 0.35  # the members outside the pool, as a share of the pool's weight


class MemberRank(NamedTuple):
    """One rank of ``traderanking``: a member's volume, amount (KRW), average price and
    share of the issue's volume (%)."""

    name: str
    volume: int
    amount: int
    price: int
    weight: float


def member_ranking(seed: int, code: str, market: str, n: int, side: str, volume: int,
                   value: int, low: int, high: int) -> list[MemberRank]:
    """The five members with the largest ``side`` ("bid" buy / "ask" sell) volume in ``code``
    up to the instant (``volume``/``value``: the issue's accTrdvol/accTrdval, ``low``/``high``
    its day range); volumes strictly decrease while the volume allows it."""
    foreign_tilt = 1.0 if market == "kospi" else 0.25
    pool = [(name, w * math.exp(0.6 * normal(seed, "mbr", code, n, side, name)))
            for name, w in _DOMESTIC]
    pool += [(name, w * foreign_tilt * math.exp(0.6 * normal(seed, "mbr", code, n, side, name)))
             for name, w in _FOREIGN]
    pool.sort(key=lambda p: (-p[1], p[0]))
    whole = sum(w for _, w in pool) * (1.0 + _OTHERS)
    vwap = value / volume if volume else 0.0
    out: list[MemberRank] = []
    previous = volume + 1
    for name, w in pool[:5]:
        qty = min(int(volume * w / whole), max(previous - 1, 0))
        previous = qty
        price = min(max(vwap * math.exp(0.002 * normal(seed, "mbrpx", code, n, side, name)),
                        float(low)), float(high)) if qty else 0.0
        amount = round(qty * price)
        out.append(MemberRank(name, qty, amount, round(amount / qty) if qty else 0,
                              round(qty * 100 / volume, 2) if volume else 0.0))
    return out


# ---------------------------------------------------------------------------- short selling
# Short-selling bans of KRX (own knowledge): (first day, last day, who may still sell short).
# Market makers and liquidity providers stayed exempt, so ETFs/ETNs are never banned.
ALL, LARGE_CAPS_ONLY = "none", "large"
SHORT_BANS = (
    (date(2008, 10, 1), date(2009, 5, 31), ALL),
    (date(2011, 8, 10), date(2011, 11, 9), ALL),
    (date(2020, 3, 16), date(2021, 5, 2), ALL),
    (date(2021, 5, 3), date(2023, 11, 5), LARGE_CAPS_ONLY),  # KOSPI200 and KOSDAQ150 allowed
    (date(2023, 11, 6), date(2025, 3, 30), ALL),
)


def short_banned(inst: Instrument, day: date, large_cap: bool) -> bool:
    """Whether short sales of ``inst`` were banned on ``day`` (``large_cap``: a KOSPI200 or
    KOSDAQ150 constituent)."""
    if inst.kind in (ETF, ETN):
        return False
    for first, last, rule in SHORT_BANS:
        if first <= day <= last:
            return not (rule == LARGE_CAPS_ONLY and large_cap)
    return False


class ShortRow(NamedTuple):
    """One ``shortsell`` row: short volume (shares), amount (KRW), lending balance (shares,
    thousand KRW)."""

    day: date
    volume: int
    amount: int
    lend_qty: int
    lend_amount: int


@lru_cache(maxsize=16384)
def _phases(seed: int, what: str, code: str, count: int) -> tuple[float, ...]:
    return tuple(uniform(seed, what, code, k) for k in range(count))


def _smooth(seed: int, code: str, what: str, n: int,
            terms: Sequence[tuple[float, float]], jitter: float) -> float:
    """``Σ a·sin(2πn/P + φ)`` over ``terms`` (a, P) with seeded phases, plus a hashed daily
    jitter of sd ``jitter``: bounded, smooth in ``n``, O(1)."""
    phases = _phases(seed, what, code, len(terms))
    level = sum(a * math.sin(2 * math.pi * (n / period + phase))
                for (a, period), phase in zip(terms, phases, strict=True))
    return level + jitter * normal(seed, what, code, "day", n)


def lending_balance(seed: int, inst: Instrument, n: int) -> int:
    """Shares on loan at the end of trading day ``n``: ≈ 0.3-6 % of the listed shares."""
    base = math.exp(-4.0 + 0.6 * normal(seed, "lend", inst.code))
    share = base * math.exp(_smooth(seed, inst.code, "lend", n,
                                    ((0.25, 260.0), (0.15, 90.0), (0.05, 20.0)), 0.01))
    return round(inst.shares * min(share, 0.2))


def short_row(seed: int, inst: Instrument, day: date, n: int, bar_volume: int, bar_value: int,
              low: int, high: int, close: int, banned: bool) -> ShortRow:
    """Short selling and lending on trading day ``day`` (index ``n``) from the day's final
    volume, value, range and close; the short volume never exceeds the day's volume."""
    lend = lending_balance(seed, inst, n)
    lend_amount = thousand(lend * close)
    if banned or bar_volume <= 0:
        return ShortRow(day, 0, 0, lend, lend_amount)
    level = {"kospi": -3.4, "kosdaq": -4.2, "konex": -6.0}.get(inst.market, -3.4)
    if inst.kind in (ETF, ETN):
        level = -3.6
    fraction = math.exp(level + 0.5 * normal(seed, "srt", inst.code)
                        + 0.6 * normal(seed, "srt", inst.code, n))
    qty = min(int(bar_volume * fraction), bar_volume)
    vwap = bar_value / bar_volume
    price = min(max(vwap * math.exp(0.003 * normal(seed, "srtpx", inst.code, n)), low), high)
    return ShortRow(day, qty, round(qty * price), lend, lend_amount)


# ------------------------------------------------------------------------- foreign holdings
@lru_cache(maxsize=16384)
def foreign_base(seed: int, inst: Instrument) -> float:
    """The issue's typical foreign ownership (share of listed shares): larger companies are
    more foreign-held (own modelling); KOSDAQ and funds less."""
    if inst.kind in (ETF, ETN):
        level = 0.02
    else:
        cap = max(inst.anchor_price * inst.shares, 1.0)
        level = min(max(0.08 + 0.09 * math.log10(cap / 1e11), 0.005), 0.6)
        if inst.market != "kospi":
            level *= 0.6
    return min(level * math.exp(0.35 * normal(seed, "forn", inst.code)), 0.85)


def foreign_holding(seed: int, inst: Instrument, n: int) -> int:
    """Shares held by foreigners at the end of trading day ``n`` (0 without listed shares)."""
    share = foreign_base(seed, inst) * math.exp(_smooth(
        seed, inst.code, "forn", n, ((0.04, 250.0), (0.01, 60.0), (0.002, 15.0)), 0.0008))
    return round(inst.shares * min(share, 0.95))


def holding_ratio(held: int, listed: int) -> float:
    """``FornHdVolRt``: held / listed × 100 with 2 decimals."""
    return round(held * 100 / listed, 2) if listed else 0.0
