#!/usr/bin/env python3
"""Generate ``fixtures/market/*.json``: the instrument universe of the default world.

    python scripts/build_market_fixtures.py            # rewrite fixtures/market/*.json
    python scripts/build_market_fixtures.py --out DIR  # write elsewhere
    python scripts/build_market_fixtures.py --check    # exit 1 if the committed files differ

Inputs: ``fixtures/market/curated.yaml`` (real listings, the spec examples' instruments and
every index of the code tables) and the literal tables below. Nothing is read from
``../shared`` and nothing depends on the clock: the output is a pure function of this file,
the curated file, :data:`SEED` and the pinned Faker version, so re-running it produces
identical bytes (``tests/test_market_universe.py`` checks that).

Outputs (compact JSON, one row per line, rows sorted by code):

* ``stocks.json`` -- stocks, ETFs and ETNs. The curated real listings fill the top; the rest
  of each market up to :data:`STOCK_COUNTS` is generated: a unique 6-digit code (a multiple of
  10 below 500000, i.e. an ordinary common-share code, never a curated one), the ISIN
  ``KR7`` + code + ``00`` + ISO 6166 check digit, a unique Faker ``ko_KR`` company name
  without its legal-form prefix, an industry index code of the code tables as sector (from
  the name where it says so: ...바이오 -> 의약품/제약), a log-normal price level on the KRX
  tick grid, volatility 0.2-0.7, listed shares, par value and a listing date before
  :data:`REFERENCE_DATE`.
* ``indices.json`` -- every code of the four index tables with a plausible level.
* ``derivatives.json`` -- the futures and options *products* of every marketcode. Contracts
  are not stored: the loader (``sandbox/world/market/universe.py``) derives the contracts
  trading on any date from the listing cycle, so the listings follow the world's clock.

KRX derivative short codes (8 characters, ISIN = ``KR4`` + code + check digit):
``[1 futures | 2 call | 3 put][product id, 2][year][month][000 | strike]``. The year letter
cycles every 30 years over ``6789012345ABCDEFGHJKLMNPQRSTVW`` (1996 = 6, 2018 = N, 2022 = S,
2025 = W, 2026 = 6); months are ``1``-``9``, ``A``-``C``. Option strikes are the integer part
in three digits, an integer not divisible by 5 meaning +.5 (``201N3242`` = call 242.5); USD
options count strikes in units of 10 KRW. Product ids 01 (KOSPI200) and 05 (mini KOSPI200)
are verified by the spec's examples; 04, 06, 65-67, 75-77 and 86 are KRX's (own knowledge);
the sector ("S1".."SA"), single-stock ("A1"...), EURO STOXX ("G1") and night-session
KOSPI200 ("CK") ids are assignments of this emulator.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from faker import Faker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.world.market.instruments import (  # noqa: E402
    ETF,
    ETN,
    FUTURE,
    INDEX,
    OPTION,
    STOCK,
    domestic_isin,
    is_valid_isin,
)

SEED = 20260102
REFERENCE_DATE = date(2026, 1, 2)
STOCK_COUNTS = {"kospi": 952, "kosdaq": 1700, "konex": 120}  # kind "stock", curated included
CURATED = ROOT / "fixtures" / "market" / "curated.yaml"
GENERATOR = "scripts/build_market_fixtures.py"

STOCK_COLUMNS = ["code", "isin", "name", "name_en", "kind", "market", "anchor_price",
                 "volatility", "list_date", "shares", "par_value", "sector"]
INDEX_COLUMNS = ["code", "name", "name_en", "kind", "market", "anchor_price", "volatility"]

# --- generated stocks ---------------------------------------------------------------------------
#: industry index codes a listed company can belong to (leaves of the code tables), weighted
SECTOR_WEIGHTS = {
    "kospi": {"K5": 6, "K6": 3, "K7": 2, "K8": 12, "K9": 8, "K10": 2, "K11": 6, "K12": 6,
              "K13": 10, "K14": 1, "K15": 8, "K16": 8, "K17": 1, "K18": 4, "K19": 3, "K20": 1,
              "K21": 4, "K22": 1, "K24": 2, "K25": 1, "K26": 10},
    "kosdaq": {"Q12": 2, "Q26": 2, "Q27": 4, "Q29": 1, "Q31": 3, "Q37": 3, "Q56": 2, "Q58": 1,
               "Q62": 1, "Q63": 1, "Q65": 6, "Q66": 8, "Q67": 1, "Q68": 3, "Q70": 6, "Q72": 4,
               "Q74": 4, "Q75": 3, "Q77": 1, "Q151": 1, "Q152": 1, "Q153": 1, "Q154": 2,
               "Q155": 5, "Q156": 2, "Q157": 2, "Q158": 1, "Q159": 8, "Q160": 5},
}
#: Faker ko_KR brand suffix -> (English part, KOSPI sector, KOSDAQ sector); None = by weight
SUFFIXES: dict[str, tuple[str, str | None, str | None]] = {
    "개발공사": ("DevCorp", "K18", "Q26"), "개발": ("Dev", "K18", "Q26"),
    "그룹": ("Group", None, None), "금고": ("Savings", "K21", "Q31"),
    "기술": ("Tech", None, None), "기획": ("Planning", "K26", "Q12"),
    "네트워크": ("Network", "K20", "Q157"), "네트웍스": ("Networks", "K20", "Q157"),
    "랩스": ("Labs", "K26", "Q155"), "바이오": ("Bio", "K9", "Q66"),
    "반도체": ("Semicon", "K13", "Q159"), "보안": ("Security", "K26", "Q155"),
    "뷰티": ("Beauty", "K8", "Q65"), "상사": ("Trading", "K16", "Q27"),
    "센터": ("Center", "K26", "Q12"), "소프트": ("Soft", "K26", "Q155"),
    "솔루션": ("Solution", "K26", "Q155"), "시스템즈": ("Systems", "K13", "Q156"),
    "시스템": ("System", "K13", "Q156"), "신문": ("News", "K26", "Q63"),
    "에너지": ("Energy", "K17", "Q65"), "에이아이": ("AI", "K26", "Q155"),
    "엔지니어링": ("Eng", "K18", "Q26"), "연구소": ("Lab", "K26", "Q12"),
    "유통": ("Dist", "K16", "Q27"), "은행": ("Bank", "K22", "Q31"),
    "자동차": ("Motors", "K15", "Q75"), "전자": ("Elec", "K13", "Q72"),
    "정보통신": ("Telecom", "K20", "Q151"), "제조": ("Mfg", None, None),
    "출판": ("Pub", "K26", "Q63"), "코스메틱": ("Cosmetic", "K8", "Q65"),
    "테크": ("Tech", None, None), "플랫폼": ("Platform", "K26", "Q153"),
    "항공": ("Air", "K19", "Q29"),
}
WORDS = {
    "가람": "Garam", "가야": "Gaya", "가온": "Gaon", "겨레": "Gyeore", "고구려": "Goguryeo",
    "고려": "Koryo", "국민": "Kookmin", "글로벌": "Global", "나루": "Naru", "네오": "Neo",
    "넥스트": "Next", "다올": "Daol", "라온": "Raon", "마루": "Maru", "마음": "Maeum",
    "모두": "Modu", "미래": "Mirae", "발해": "Balhae", "백제": "Baekje", "보람": "Boram",
    "브레인": "Brain", "비전": "Vision", "스타": "Star", "시너지": "Synergy", "신라": "Shilla",
    "씨앤씨": "C&C", "아름": "Areum", "에코": "Eco", "우리": "Woori", "원더": "Wonder",
    "월드": "World", "윈드": "Wind", "유니온": "Union", "이노": "Inno", "인포": "Info",
    "제나": "Jena", "조선": "Chosun", "종합": "Jonghap", "중앙": "Joongang",
    "첨단": "Cheomdan", "코리아": "Korea", "코어": "Core", "푸른": "Pureun", "하나": "Hana",
    "한가람": "Hangaram", "한강": "Hangang", "한빛": "Hanbit",
}
#: suffixes that only hint at a sector: followed a third of the time so that the sector mix stays
#: close to SECTOR_WEIGHTS (the others -- 바이오, 은행, 자동차 ... -- always decide it)
WEAK_SUFFIXES = {"기획", "네트워크", "네트웍스", "랩스", "보안", "상사", "센터", "소프트", "솔루션",
                 "시스템즈", "시스템", "신문", "에너지", "에이아이", "연구소", "유통", "출판",
                 "플랫폼", "개발"}
LEGAL_FORMS = ("(주) ", "주식회사 ", "(유) ", "유한회사 ")
PAR_VALUES = {"kospi": ((5000, 45), (500, 30), (1000, 10), (2500, 5), (100, 5), (200, 5)),
              "kosdaq": ((500, 60), (100, 15), (1000, 10), (5000, 10), (200, 5)),
              "konex": ((500, 70), (100, 20), (1000, 10))}
#: (median price KRW, sigma, median shares, first listing year, volatility range)
MARKET_SHAPE = {"kospi": (12000, 1.1, 25e6, 1956, (0.2, 0.5)),
                "kosdaq": (7000, 1.0, 18e6, 1996, (0.3, 0.7)),
                "konex": (4000, 0.9, 5e6, 2013, (0.35, 0.7))}

# --- indices ------------------------------------------------------------------------------------
INDEX_LEVELS = {  # plausible levels (a K1 ~ 2,500 world); the rest are drawn around 1,000
    "K1": 2500.0, "K2": 2450.0, "K3": 2800.0, "K4": 2200.0, "K5": 3700.0, "K6": 300.0,
    "K7": 330.0, "K8": 4500.0, "K9": 17000.0, "K10": 1400.0, "K11": 4500.0, "K12": 1000.0,
    "K13": 25000.0, "K14": 2000.0, "K15": 2000.0, "K16": 380.0, "K17": 850.0, "K18": 65.0,
    "K19": 1600.0, "K20": 380.0, "K21": 500.0, "K22": 250.0, "K24": 1800.0, "K25": 16000.0,
    "K26": 1600.0, "K27": 5800.0, "K51": 330.0, "K61": 2500.0, "K62": 2300.0,
    "K175": 10500.0, "K176": 9000.0, "Q1": 850.0, "Q2": 1700.0, "Q203": 1350.0,
    "Q204": 1500.0, "S50": 5000.0, "S300": 1300.0, "E61001": 18.0, "E60001": 600.0,
    "E64301": 1400.0, "E64303": 1350.0,
}
INDEX_VOLATILITY = {"K1": 0.18, "K51": 0.2, "Q1": 0.25, "Q203": 0.28, "E61001": 0.9}
INDEX_NAMES_EN = {"K2": "KOSPI Large", "K3": "KOSPI Mid", "K4": "KOSPI Small"}

# --- derivatives --------------------------------------------------------------------------------
QUARTERS = (3, 6, 9, 12)
MONTHS = tuple(range(1, 13))
K200_LONG = [[3, 1], [6, 2], [9, 1], [12, 3]]  # KRX: nearest Mar/Sep, two Junes, three Decembers
QUARTER_EACH = [[3, 1], [6, 1], [9, 1], [12, 1]]
SECTOR_FUTURES = [  # (product id, index code, English)
    ("S1", "K151", "Construction"), ("S2", "K152", "Heavy Industries"),
    ("S3", "K153", "Steels & Materials"), ("S4", "K154", "Energy & Chemicals"),
    ("S5", "K155", "IT"), ("S6", "K156", "Financials"), ("S7", "K157", "Consumer Staples"),
    ("S8", "K158", "Consumer Discretionary"), ("S9", "K159", "Industrials"),
    ("SA", "K160", "Health Care"),
]
STOCK_FUTURES = 30  # underlyings: the largest curated common shares by market value
STOCK_FUTURE_IDS = [f"{a}{b}" for a in "ABCD" for b in "123456789"]


def product(market: str, kind: str, pid: str, names: tuple[str, str, str], underlying: str,
            anchor: float, volatility: float, multiplier: float, tick: float, rule: str,
            months: tuple[int, ...], near: int, long: list[list[int]] | None = None,
            continuous: str | None = None, strikes: tuple[float, int, float] = (0.0, 0, 1.0),
            ) -> dict[str, Any]:
    return {"market": market, "kind": kind, "product_id": pid, "name_full": names[0],
            "name": names[1], "name_en": names[2], "underlying": underlying,
            "anchor_price": float(anchor), "volatility": volatility,
            "multiplier": float(multiplier), "tick": float(tick), "expiry_rule": rule,
            "months": list(months), "near": near,
            "long": long or [], "strike_step": strikes[0], "strike_count": strikes[1],
            "strike_unit": strikes[2], "continuous": continuous}


def derivative_products(levels: dict[str, float], index_names: dict[str, str],
                        stocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every futures and options product of codes/marketcodes.json."""
    k200 = levels["K51"]
    rows = [
        product("kospi200", FUTURE, "01", ("KOSPI200 선물 {yymm}", "K200 선물 {yymm}",
                "KOSPI200 F {yymm}"), "K51", k200, 0.2, 250000, 0.05, "thu-2", QUARTERS, 0,
                K200_LONG, "K2FA001"),
        product("mini_kospi200", FUTURE, "05", ("MINI KOSPI200 선물 {yymm}",
                "MINI K200 선물 {yymm}", "MINI KOSPI200 F {yymm}"), "K51", k200, 0.2, 50000,
                0.02, "thu-2", MONTHS, 6, None, "M2FA001"),
        product("kosdaq150", FUTURE, "06", ("코스닥150 선물 {yymm}", "KQ150 선물 {yymm}",
                "KOSDAQ150 F {yymm}"), "Q203", levels["Q203"], 0.28, 10000, 0.1, "thu-2",
                QUARTERS, 4, None, "KSFA001"),
        product("vix", FUTURE, "04", ("V-KOSPI200 선물 {yymm}", "VKOSPI 선물 {yymm}",
                "V-KOSPI200 F {yymm}"), "E61001", levels["E61001"], 0.9, 250000, 0.05,
                "thu-2", MONTHS, 6, None, "VIFA001"),
        product("usd", FUTURE, "75", ("미국달러 선물 {yymm}", "미국달러 F {yymm}",
                "USD F {yymm}"), "USDKRW", 1350.0, 0.08, 10000, 0.1, "mon-3", MONTHS, 6,
                QUARTER_EACH, "KUFA001"),
        product("yen", FUTURE, "76", ("엔 선물 {yymm}", "엔 F {yymm}", "JPY F {yymm}"),
                "JPYKRW", 900.0, 0.1, 100000, 0.1, "mon-3", MONTHS, 4, QUARTER_EACH,
                "KYFA001"),
        product("euro", FUTURE, "77", ("유로 선물 {yymm}", "유로 F {yymm}", "EUR F {yymm}"),
                "EURKRW", 1450.0, 0.08, 10000, 0.1, "mon-3", MONTHS, 4, QUARTER_EACH,
                "KEFA001"),
        product("ktb3", FUTURE, "65", ("3년국채 선물 {yymm}", "3년국채 F {yymm}",
                "3Y KTB F {yymm}"), "KTB3Y", 105.0, 0.02, 1000000, 0.01, "tue-3", QUARTERS,
                2, None, "KBFA001"),
        product("ktb5", FUTURE, "66", ("5년국채 선물 {yymm}", "5년국채 F {yymm}",
                "5Y KTB F {yymm}"), "KTB5Y", 108.0, 0.035, 1000000, 0.01, "tue-3", QUARTERS,
                2, None, "K5FA001"),
        product("ktb10", FUTURE, "67", ("10년국채 선물 {yymm}", "10년국채 F {yymm}",
                "10Y KTB F {yymm}"), "KTB10Y", 112.0, 0.06, 1000000, 0.01, "tue-3",
                QUARTERS, 2, None, "KXFA001"),
        product("lean_hogs", FUTURE, "86", ("돈육 선물 {yymm}", "돈육 F {yymm}",
                "Lean Hog F {yymm}"), "LEANHOG", 5000.0, 0.3, 1000, 5.0, "wed-3", MONTHS, 6,
                None, "KLFA001"),
        product("eurostoxx", FUTURE, "G1", ("유로스톡스50 선물 {yymm}", "ESTX50 선물 {yymm}",
                "EURO STOXX 50 F {yymm}"), "SX5E", 4800.0, 0.18, 10000, 1.0, "fri-3",
                QUARTERS, 3, None, "GIXFSSX5E"),
        product("cme_kospi200", FUTURE, "CK", ("KOSPI200 야간선물 {yymm}",
                "K200 야간선물 {yymm}", "KOSPI200 Night F {yymm}"), "K51", k200, 0.2, 250000,
                0.05, "thu-2", QUARTERS, 4, None, "CKFA020"),
        product("kospi200", OPTION, "01", ("KOSPI 200 {cp_ko}옵션 {yymm} {strike}",
                "K200 옵션 {yymm} {cp}{strike}", "KOSPI200 {cp} {yymm} {strike}"), "K51",
                k200, 0.2, 250000, 0.01, "thu-2", MONTHS, 6, K200_LONG,
                strikes=(2.5, 20, 1.0)),
        product("mini_kospi200", OPTION, "05", ("MINI KOSPI 200 {cp_ko}옵션 {yymm} {strike}",
                "MINI K200 옵션 {yymm} {cp}{strike}", "MINI KOSPI200 {cp} {yymm} {strike}"),
                "K51", k200, 0.2, 50000, 0.02, "thu-2", MONTHS, 6, strikes=(2.5, 20, 1.0)),
        product("usd", OPTION, "75", ("미국달러 {cp_ko}옵션 {yymm} {strike}",
                "USD 옵션 {yymm} {cp}{strike}", "USD {cp} {yymm} {strike}"), "USDKRW",
                1350.0, 0.08, 10000, 0.1, "mon-3", MONTHS, 4, QUARTER_EACH,
                strikes=(10.0, 20, 10.0)),
    ]
    for pid, code, english in SECTOR_FUTURES:
        name = index_names[code].replace(" ", "")
        rows.append(product("sector", FUTURE, pid, (f"{name} 선물 {{yymm}}",
                    f"{name} F {{yymm}}", f"K200 {english} F {{yymm}}"), code, levels[code],
                    0.25, 10000, 0.2, "thu-2", QUARTERS, 4))
    big = sorted((s for s in stocks if s["kind"] == STOCK and s["code"].endswith("0")
                  and s["isin"].startswith("KR7")),
                 key=lambda s: (-s["anchor_price"] * s["shares"], s["code"]))[:STOCK_FUTURES]
    for pid, stock in zip(STOCK_FUTURE_IDS, big, strict=False):
        rows.append(product("stock", FUTURE, pid, (f"{stock['name']} 선물 {{yymm}}",
                    f"{stock['name']} F {{yymm}}", f"{stock['name_en']} F {{yymm}}"),
                    stock["code"], float(stock["anchor_price"]), stock["volatility"], 10, 0.0,
                    "thu-2", MONTHS, 2, QUARTER_EACH))
    return sorted(rows, key=lambda r: (r["kind"], r["market"], r["product_id"]))


# --- helpers ------------------------------------------------------------------------------------
def tick(price: float, kind: str) -> int:
    """KRX tick size since 2023-01-25 (stocks, all markets); ETF/ETN: 5."""
    if kind != STOCK:
        return 5
    for bound, size in ((2000, 1), (5000, 5), (20000, 10), (50000, 50), (200000, 100),
                        (500000, 500)):
        if price < bound:
            return size
    return 1000


def on_grid(price: float, kind: str) -> int:
    size = tick(price, kind)
    return max(size, round(price / size) * size)


def weighted(rng: random.Random, table: dict[str, int] | tuple[tuple[int, int], ...]) -> Any:
    items = list(table.items()) if isinstance(table, dict) else list(table)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def listing_date(rng: random.Random, spec: str | None, first_year: int) -> str:
    """An exact ``YYYY-MM-DD``, or a weekday drawn in ``YYYY`` (or in first_year..2025)."""
    if spec and len(spec) == 10:
        return spec
    year = int(spec) if spec else int(first_year + (2025 - first_year) * rng.random() ** 0.7)
    day = date(year, 1, 2) + timedelta(days=rng.randrange(360))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return min(day, REFERENCE_DATE - timedelta(days=3)).isoformat()


def english_name(name: str) -> str:
    """Romanise a Faker ko_KR company name: its words and brand suffix are finite lists."""
    parts: list[str] = []
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            parts.append(SUFFIXES[suffix][0])
            name = name[: -len(suffix)]
            break
    words: list[str] = []
    while name:
        word = next((w for w in sorted(WORDS, key=len, reverse=True) if name.startswith(w)), None)
        if word is None:
            raise ValueError(f"cannot romanise {name!r}")
        words.append(WORDS[word])
        name = name[len(word):]
    return "".join(words + parts)


def sector_of(name: str, market: str, rng: random.Random) -> str:
    table = "kospi" if market == "kospi" else "kosdaq"
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            found = SUFFIXES[suffix][1 if table == "kospi" else 2]
            if found and (suffix not in WEAK_SUFFIXES or rng.random() < 1 / 3):
                return found
            break
    return str(weighted(rng, SECTOR_WEIGHTS[table]))


# --- builders -----------------------------------------------------------------------------------
def curated_rows(data: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    isins: dict[str, str] = data["isins"]
    rows = []
    for row in data["stocks"]:
        code, name, name_en, market, sector, price, shares, par, listed = row[:9]
        low, high = (0.22, 0.38) if market == "kospi" else (0.32, 0.6)
        # a row with its own volatility (10th column) and exact listing date draws nothing,
        # so adding one leaves every other instrument as it was
        volatility = row[9] if len(row) > 9 else round(rng.uniform(low, high), 3)
        rows.append({"code": code, "isin": isins.get(code) or domestic_isin(code),
                     "name": name, "name_en": name_en, "kind": STOCK, "market": market,
                     "anchor_price": on_grid(price, STOCK), "volatility": volatility,
                     "list_date": listing_date(rng, str(listed), 1956), "shares": shares,
                     "par_value": par, "sector": sector})
    for kind, table in ((ETF, data["etfs"]), (ETN, data["etns"])):
        for code, name, name_en, price, shares, listed, volatility in table:
            rows.append({"code": code, "isin": domestic_isin(code, share_class=False),
                         "name": name, "name_en": name_en, "kind": kind, "market": "kospi",
                         "anchor_price": on_grid(price, kind), "volatility": volatility,
                         "list_date": listing_date(rng, str(listed), 2002), "shares": shares,
                         "par_value": 0, "sector": None})
    return rows


def generated_rows(rng: random.Random, fake: Faker, market: str, count: int,
                   codes: set[str], names: set[str]) -> list[dict[str, Any]]:
    median, sigma, median_shares, first_year, (vol_low, vol_high) = MARKET_SHAPE[market]
    rows: list[dict[str, Any]] = []
    while len(rows) < count:
        code = f"{rng.randrange(1, 50000) * 10:06d}"
        if code in codes:
            continue
        name = str(fake.company())
        for form in LEGAL_FORMS:
            name = name.removeprefix(form)
        if len(name) < 3 or name in names:
            continue
        codes.add(code)
        names.add(name)
        price = min(max(rng.lognormvariate(math.log(median), sigma), 300), 900000)
        shares = min(max(rng.lognormvariate(math.log(median_shares), 0.9), 1e6), 6e8)
        rows.append({"code": code, "isin": domestic_isin(code), "name": name,
                     "name_en": english_name(name), "kind": STOCK, "market": market,
                     "anchor_price": on_grid(price, STOCK),
                     "volatility": round(rng.uniform(vol_low, vol_high), 3),
                     "list_date": listing_date(rng, None, first_year),
                     "shares": int(shares) // 1000 * 1000 + rng.randrange(1000),
                     "par_value": int(weighted(rng, PAR_VALUES[market])),
                     "sector": sector_of(name, market, rng)})
    # KRX hands out codes roughly in listing order: the later the listing, the higher the code
    days: list[str] = sorted(row["list_date"] for row in rows)
    for row, day in zip(sorted(rows, key=lambda r: r["code"]), days, strict=True):
        row["list_date"] = day
    return rows


def index_rows(data: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for group, table in data["indices"].items():
        for code, name in table:
            level = INDEX_LEVELS.get(code)
            if level is None:
                level = round(math.exp(rng.gauss(math.log(1000), 0.8)), 2)
            volatility = INDEX_VOLATILITY.get(code)
            if volatility is None:
                leveraged = any(w in name for w in ("레버리지", "2X", "3X", "Lev"))
                bonds = any(w in name for w in ("국채", "채권", "KTB", "BOND", "Bond"))
                volatility = 0.4 if leveraged else 0.05 if bonds else round(
                    rng.uniform(0.18, 0.32), 3)
            english = INDEX_NAMES_EN.get(code) or (name if name.isascii() else "")
            rows.append({"code": code, "name": name, "name_en": english, "kind": INDEX,
                         "market": group, "anchor_price": float(level),
                         "volatility": volatility})
    return rows


def build(curated: Path = CURATED) -> dict[str, str]:
    """File name -> file text of every generated fixture."""
    data = yaml.safe_load(curated.read_text(encoding="utf-8"))
    rng = random.Random(SEED)
    fake = Faker("ko_KR")
    fake.seed_instance(SEED)

    stocks = curated_rows(data, rng)
    codes = {row["code"] for row in stocks}
    names = {row["name"] for row in stocks}
    for market, total in STOCK_COUNTS.items():
        have = sum(1 for r in stocks if r["kind"] == STOCK and r["market"] == market)
        stocks += generated_rows(rng, fake, market, total - have, codes, names)
    stocks.sort(key=lambda r: r["code"])
    indices = index_rows(data, rng)
    indices.sort(key=lambda r: (r["market"], r["code"]))
    levels = {r["code"]: r["anchor_price"] for r in indices}
    index_names = {r["code"]: r["name"] for r in indices}
    validate(stocks)
    header = {"generator": GENERATOR, "seed": SEED}
    return {
        "stocks.json": table_text(header, STOCK_COLUMNS, stocks),
        "indices.json": table_text(header, INDEX_COLUMNS, indices),
        "derivatives.json": products_text(header, derivative_products(levels, index_names,
                                                                      stocks)),
    }


def validate(rows: list[dict[str, Any]]) -> None:
    for key in ("code", "isin", "name"):
        values = [r[key] for r in rows]
        if len(values) != len(set(values)):
            raise SystemExit(f"duplicate {key} in stocks")
    bad = [r["isin"] for r in rows if not is_valid_isin(r["isin"])]
    if bad:
        raise SystemExit(f"invalid ISINs: {bad}")


def table_text(header: dict[str, Any], columns: list[str], rows: list[dict[str, Any]]) -> str:
    lines = [json.dumps([row[c] for c in columns], ensure_ascii=False, separators=(",", ":"))
             for row in rows]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return (f'{head},"columns":{json.dumps(columns, separators=(",", ":"))},"rows":[\n'
            + ",\n".join(lines) + "\n]}\n")


def products_text(header: dict[str, Any], products: list[dict[str, Any]]) -> str:
    lines = [json.dumps(p, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
             for p in products]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return f'{head},"products":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "fixtures" / "market")
    parser.add_argument("--check", action="store_true",
                        help="compare with the files in --out instead of writing")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [n for n, text in files.items()
                 if not (args.out / n).exists()
                 or (args.out / n).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"stale: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=args.out, delete=False,
                                         newline="\n") as handle:
            handle.write(text)
        os.chmod(handle.name, 0o644)
        Path(handle.name).replace(args.out / name)
        print(f"{args.out / name}: {len(text.encode('utf-8')):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
