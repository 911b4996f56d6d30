"""What an account can hold besides cash: listed equities, funds and other products.

* **Equities** are the market universe's stocks, ETFs and ETNs, valued by the market
  simulator (:mod:`sandbox.world.market`): ``KSP``/``KDQ`` by market, ``ETF``, and ``ETC``
  for KONEX stocks and ETNs (account.md §2).
* **Funds** (``FUND``) are a catalogue of the documented funds plus generated ones, keyed by
  their fund standard code (``KRZ…``; not ISINs). A fund's price (기준가, KRW per 1,000 units)
  is a pure function of (seed, fund, day): a drift plus four seeded waves, so any day is O(1).
* **Other products** (``ETC`` group: BOND, CD, CP, DLS, ELS, STB, RP, CRP, RRP) are a
  catalogue of documented and generated products with a yield and a term. ``qty`` is the face
  amount; the value accrues linearly from the purchase amount to the face amount at maturity,
  when the product is redeemed (account.md §3). They carry a broker product code (the seed
  transaction example's ``NC30010``) that transactions use; balances omit it ("isinCode not
  supported yet").

Where the emulator differs: funds settle on the trade day, fees of funds are in the price,
and products are never sold before maturity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sandbox.world.market.instruments import ETF, ETN, STOCK, Instrument
from sandbox.world.market.noise import uniform

FUND_EPOCH = date(2010, 1, 4)
FUND_UNITS = 1000  # fund prices are quoted per 1,000 units

EQTY, FUND, ETC = "EQTY", "FUND", "ETC"


@dataclass(frozen=True)
class Fund:
    code: str
    name: str
    fund_type: str  # 02 domestic, 12 overseas (account.md §3: values partly undocumented)
    drift: float  # yearly
    volatility: float


@dataclass(frozen=True)
class Product:
    code: str  # broker product code, used by transactions only
    asset_type: str  # BOND CD CP DLS ELS STB RP CRP RRP
    name: str
    rate: float  # yearly yield
    term_days: int

    def face(self, amount: int) -> int:
        """The face amount bought for ``amount`` (rounded to 10,000 KRW)."""
        return round(amount * (1 + self.rate * self.term_days / 365) / 10_000) * 10_000

    def value(self, amount: int, face: int, bought: date, on: date) -> int:
        """Linear accrual from the purchase amount to the face amount at maturity."""
        elapsed = min(max((on - bought).days, 0), self.term_days)
        return amount + (face - amount) * elapsed // self.term_days

    def maturity(self, bought: date) -> date:
        return bought + timedelta(days=self.term_days)


# Documented names (account examples); the codes of the documented funds are documented,
# the product codes are ours except NC30010 (seed transaction example).
_DOCUMENTED_FUNDS = (
    ("KRZ500395135", "삼성중소형FOCUS증권자1호[주식]", "02"),
    ("KRZ500395136", "삼성중소형FOCUS증권자1호[주식]", "02"),
    ("KRZ501831185", "메리츠코리아증권투자신탁1호[주", "02"),
    ("KRZ501130561", "미래에셋고배당포커스증권자1호(", "02"),
    ("KRF059035146", "피델리티펀드-글로벌배당주펀드 (A-ACC-USD)", "12"),
    ("K5F045049908", "Eastspring Investments Japan Dynamic Equity Fund Class", "12"),
)
_FUND_HOUSES = ("삼성", "미래에셋", "KB", "한국투자", "신한", "NH-Amundi", "키움", "한화",
                "메리츠", "교보악사", "IBK", "하나UBS")
_FUND_THEMES = (("코리아대표", "02"), ("중소형가치", "02"), ("배당플러스", "02"),
                ("인덱스200", "02"), ("글로벌헬스케어", "12"), ("차이나본토", "12"),
                ("미국S&P500", "12"), ("단기채권", "02"), ("글로벌리츠", "12"),
                ("베트남그로스", "12"))

_DOCUMENTED_PRODUCTS = (
    ("NC30010", "ELS", "삼성증권(ELS)30010", 0.045, 365),
    ("NB11007", "BOND", "국민주택1종11-07", 0.030, 1825),
    ("NB13001", "BOND", "한국지역난방공사13-1", 0.028, 1095),
    ("NB16104", "BOND", "주택금융공사MBS2016-10(1-4)", 0.024, 1460),
    ("NB16075", "BOND", "주택금융공사MBS2016-7(1-5)", 0.025, 1825),
    ("NB00121", "BOND", "강원도개발공사121", 0.022, 1095),
    ("NB14005", "BOND", "국고03000-2409(14-5)", 0.030, 3650),
    ("NB00011", "BOND", "광주지방채11", 0.026, 1825),
    ("ND01120", "DLS", "우리투자증권(DLS)1120", 0.040, 730),
    ("NE00759", "ELS", "NH투자증권(ELB)759", 0.025, 365),
    ("NP89002", "CP", "루카스 20131227-89-2", 0.035, 91),
    ("NP89006", "CP", "루카스 20131227-89-6", 0.035, 91),
    ("NP89007", "CP", "루카스 20131227-89-7", 0.035, 91),
    ("NP89012", "CP", "루카스 20131227-89-12", 0.035, 91),
    ("NP89014", "CP", "루카스 20131227-89-14", 0.035, 91),
    ("NP89015", "CP", "루카스 20131227-89-15", 0.035, 91),
)
_PRODUCT_KINDS = (("BOND", "국고채", 0.028, 1095), ("BOND", "회사채", 0.038, 730),
                  ("CD", "CD", 0.030, 91), ("CP", "CP", 0.034, 91),
                  ("ELS", "ELS", 0.055, 365), ("DLS", "DLS", 0.048, 365),
                  ("STB", "사채", 0.042, 730), ("RP", "RP", 0.022, 30),
                  ("CRP", "약정식RP", 0.025, 90), ("RRP", "수시RP", 0.018, 30))
_ISSUERS = ("한국전력", "현대캐피탈", "롯데쇼핑", "SK텔레콤", "KB증권", "미래에셋증권",
            "한화투자증권", "삼성증권", "신한금융투자", "NH투자증권")


@lru_cache(maxsize=1)
def funds() -> dict[str, Fund]:
    """The fund catalogue (documented funds first, then generated ones)."""
    out: dict[str, Fund] = {}
    rows = [(code, name, kind) for code, name, kind in _DOCUMENTED_FUNDS]
    for i, house in enumerate(_FUND_HOUSES):
        for j, (theme, kind) in enumerate(_FUND_THEMES):
            if (i + j) % 3 == 0:
                rows.append((f"KRZ5{10000000 + 37 * (i * 10 + j):08d}",
                             f"{house}{theme}증권자투자신탁1호", kind))
    for code, name, kind in rows:
        out[code] = Fund(code, name, kind, drift=-0.02 + 0.10 * uniform(0, "fund", code, "mu"),
                         volatility=0.08 + 0.17 * uniform(0, "fund", code, "vol"))
    return out


@lru_cache(maxsize=1)
def products() -> dict[str, Product]:
    """The catalogue of other products (documented first, then generated)."""
    out = {code: Product(code, kind, name, rate, term)
           for code, kind, name, rate, term in _DOCUMENTED_PRODUCTS}
    for i, issuer in enumerate(_ISSUERS):
        for j, (kind, label, rate, term) in enumerate(_PRODUCT_KINDS):
            code = f"N{kind[0]}{50000 + i * 100 + j:05d}"
            out[code] = Product(code, kind, f"{issuer}{label}{i + 1}{j + 1:02d}",
                                rate * (0.9 + 0.2 * uniform(0, "product", code)), term)
    return out


def fund_price(seed: int, fund: Fund, day: date) -> float:
    """The fund's price (기준가) on ``day``, KRW per 1,000 units, two decimals."""
    t = (day - FUND_EPOCH).days / 365.0
    wave = 0.0
    for k, period in enumerate((23, 71, 193, 467)):
        amplitude = fund.volatility * math.sqrt(period / 365.0) * 0.5
        phase = 2 * math.pi * uniform(seed, "fund", fund.code, "phase", k)
        wave += amplitude * math.sin(2 * math.pi * (day - FUND_EPOCH).days / period + phase)
    return round(1000.0 * math.exp(fund.drift * t + wave), 2)


def equity_asset_type(inst: Instrument) -> str:
    """``KSP``/``KDQ`` for KOSPI/KOSDAQ stocks, ``ETF``, and ``ETC`` for the rest."""
    if inst.kind == ETF:
        return "ETF"
    if inst.kind == STOCK and inst.market == "kospi":
        return "KSP"
    if inst.kind == STOCK and inst.market == "kosdaq":
        return "KDQ"
    return "ETC"


def holdable(inst: Instrument) -> bool:
    """Instruments an account may hold as equities."""
    return inst.kind in (STOCK, ETF, ETN) and inst.isin is not None
