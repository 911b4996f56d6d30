"""Reference data of a listed cash instrument: what the stock master knows beyond prices.

The price model (prices.py) knows prices, volumes and limits; the master (stocks.md S2) and the
selectable master (selective.md §2) also report a security group, supervision flags, fiscal
year-end, per-share fundamentals, free float, capital, debt ratio and credit rating. They are
generated here with :mod:`.noise` (one hash per attribute, so any instrument is computed alone
in O(1)) and cached:

* :func:`reference` — static attributes, a pure function of ``(seed, instrument)``;
* :func:`fundamentals` — ``eps``/``bps``/``dps`` of the latest published annual settlement, a
  pure function of ``(seed, instrument, day)`` that follows the price model's level.

Modelling rules (own modelling, KRX-like; market README §8 has no rule for them):

* ``secugrpId`` (codes.md §6.2): ``EF`` for ETFs, ``EN`` for ETNs, ``EW`` for ELWs, ``FS`` for
  shares of a foreign issuer (ISIN not starting with ``KR``), ``ST`` otherwise.
* Supervision flags are rare and static: market warning ``01/02/03`` (≈2 %/0.7 %/0.3 %),
  administrative issue (≈1 %, 2 % on KOSDAQ), caution reminder (≈1 %), short-term overheating
  (≈0.8 %). ETFs/ETNs carry none. Trading halts are never modelled (the price model trades every
  listed issue every day), so :attr:`Reference.halted` is always False (the master adds the halts of
  scenario market events, :mod:`.events`).
* Margin orders (``creditOrdPosblYn``) are allowed for most shares and ETFs, never for ETNs,
  KONEX issues, administrative issues or issues under warning/risk.
* Collateral (``sbPrc``): 70-80 % of the base price, rounded down onto the tick grid; no
  collateral value on KONEX, for administrative issues and for ELWs (selective.md item 23).
* Fundamentals: annual figures are in the master from the first day of the fourth month after
  the fiscal year-end (December → 1 April). They are set against the model's close on the
  year-end: a PER (log-normal, median 11) gives ``eps``, a PBR (median 1.1) gives ``bps``, a
  payout ratio gives ``dps``; a company- and a year-component decide whether the year is a
  loss (≈15 % of KOSPI, 25 % of KOSDAQ/KONEX company-years: negative ``eps``, no dividend).
  :meth:`Fundamentals.ratios` recomputes ``per``/``pbr``/``divYd`` at any price (README §3.5:
  2 decimals; ``per`` 0 for a loss).
* Size-related attributes (SME flag, credit rating) follow the anchor market capitalisation.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from statistics import NormalDist
from typing import TYPE_CHECKING

from sandbox.world.market import calendar as cal
from sandbox.world.market import rules
from sandbox.world.market.instruments import ELW, ETF, ETN, STOCK, Instrument
from sandbox.world.market.noise import BoundedCache, normal, uniform

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market

#: Industry codes of manufacturing companies (KOSPI K5-K15, as the K27 index; mfindYn).
MANUFACTURING = frozenset(f"K{n}" for n in range(5, 16))
#: Industry codes of financial companies (K21 finance, K22 banks, K24 brokers, K25 insurers,
#: Q31 KOSDAQ finance): balance sheets with a high debt ratio.
FINANCIAL = frozenset({"K21", "K22", "K24", "K25", "Q31"})
#: Credit ratings, best first (Korean agencies' long-term scale).
GRADES = ("AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-",
          "B+", "B", "B-")
#: Annual figures reach the master this many months after the fiscal year-end (+ 1 day).
PUBLICATION_LAG_MONTHS = 3
#: Share of loss-making company-years per market (KONEX as KOSDAQ).
LOSS_SHARE = {"kospi": 0.15, "kosdaq": 0.25}
_LOSS_COMPANY, _LOSS_YEAR = 0.8, 0.6  # weights of the two normals (unit variance together)


@dataclass(frozen=True)
class Reference:
    """Static master attributes of one cash instrument (stocks.md S2, selective.md §2)."""

    code: str
    group: str  # secugrpId: ST, FS, EF, EN, EW
    warning: str  # mktWarnTpCd: "00" none, "01" caution, "02" warning, "03" risk
    administrative: bool  # admisuYn
    halted: bool  # haltYn (never: see the module docstring)
    manufacturing: bool  # mfindYn (KOSPI companies of K5-K15)
    sme: bool  # smeYn
    credit: bool  # creditOrdPosblYn
    caution_reminder: bool  # invstcautnRemndIsuYn
    overheat: str  # srttrmOverheatIsuTpCd: "0" none, "1" pre-notice, "2" designated, "3" extended
    fiscal_month: int  # acntclsMm: fiscal year-end month 1-12
    collateral_rate: float  # sbPrc / basPrc before rounding; 0.0 = no collateral value
    free_float: int  # liquShrs
    capital: int  # Cap: paid-in capital, KRW (par value x listed shares)
    debt_ratio: float  # DebtRt, % (2 decimals)
    credit_grade: str  # CrdtGrd, "" when not rated

    @property
    def fiscal_mask(self) -> str:
        """``acntclsCd``: 12-character month mask, ``000000000001`` = December (codes.md §6.3)."""
        return "".join("1" if m == self.fiscal_month else "0" for m in range(1, 13))

    def fiscal_year_end(self, year: int) -> date:
        """The last day of the fiscal year that ends in calendar year ``year``."""
        return date(year, self.fiscal_month, calendar.monthrange(year, self.fiscal_month)[1])

    def settlement(self, day: date) -> date:
        """The fiscal year-end whose annual figures are published on ``day``."""
        year = day.year
        while annual_publication(self.fiscal_year_end(year)) > day:
            year -= 1
        return self.fiscal_year_end(year)

    def collateral(self, inst: Instrument, day: date, base: int) -> int:
        """``sbPrc``: the collateral value at base price ``base`` on ``day``, rounded down onto
        the tick grid (0 when the issue has no collateral value)."""
        if self.collateral_rate <= 0 or base <= 0:
            return 0
        return int(rules.round_to_tick(inst, day, base * self.collateral_rate, "down"))


def annual_publication(end: date) -> date:
    """The day the annual figures of the fiscal year ending ``end`` are published: the first
    day of the month after the publication lag (December → 1 April)."""
    months = end.month + PUBLICATION_LAG_MONTHS
    return date(end.year + months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class Fundamentals:
    """Per-share figures of one annual settlement (KRW; all 0 for funds)."""

    settlement: date  # the fiscal year-end they describe
    eps: int  # negative: a loss
    bps: int
    dps: int

    def ratios(self, price: int) -> tuple[float, float, float]:
        """``(per, pbr, divYd)`` at ``price`` (the master uses the base price): price/eps and
        price/bps with 2 decimals (0 when eps or bps is not positive), dps/price in %."""
        if price <= 0:
            return 0.0, 0.0, 0.0
        per = round(price / self.eps, 2) if self.eps > 0 else 0.0
        pbr = round(price / self.bps, 2) if self.bps > 0 else 0.0
        return per, pbr, round(self.dps / price * 100, 2)


def _z(seed: int, code: str, *parts: object) -> float:
    return normal(seed, "reference", code, *parts)


def _u(seed: int, code: str, *parts: object) -> float:
    return uniform(seed, "reference", code, *parts)


def _lognormal(median: float, z: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, median * math.exp(z)))


def _pick(u: float, choices: tuple[tuple[float, str], ...], default: str) -> str:
    """The first choice whose cumulative probability exceeds ``u``."""
    total = 0.0
    for probability, value in choices:
        total += probability
        if u < total:
            return value
    return default


def _loss_threshold(market: str) -> float:
    return NormalDist().inv_cdf(LOSS_SHARE.get(market, LOSS_SHARE["kosdaq"]))


def _group(inst: Instrument) -> str:
    if inst.kind == ETF:
        return "EF"
    if inst.kind == ETN:
        return "EN"
    if inst.kind == ELW:
        return "EW"
    return "ST" if (inst.isin or "KR").startswith("KR") else "FS"


def _fund(seed: int, inst: Instrument, group: str) -> Reference:
    """ETFs, ETNs and ELWs: no supervision flags, December year-end, collateral except ELWs."""
    rate = 0.0 if inst.kind == ELW else round(0.70 + 0.10 * _u(seed, inst.code, "collateral"), 2)
    return Reference(inst.code, group, "00", False, False, False, False, inst.kind == ETF, False,
                     "0", 12, rate, inst.shares, 0, 0.0, "")


@lru_cache(maxsize=8192)
def reference(seed: int, inst: Instrument) -> Reference:
    """The static reference data of a cash instrument (stock, ETF, ETN, ELW) for ``seed``."""
    if inst.kind not in (STOCK, ETF, ETN, ELW):
        raise ValueError(f"{inst.code} is not a cash instrument")
    group = _group(inst)
    if inst.kind != STOCK:
        return _fund(seed, inst, group)

    market, code = inst.market, inst.code

    def u(name: str) -> float:
        return _u(seed, code, name)

    cap = inst.anchor_price * inst.shares
    size = max(0.0, math.log10(max(cap, 1.0)) - 10.5)  # 0 below ~30 bn KRW, ~4 for the largest
    warning = _pick(u("warning"), ((0.02, "01"), (0.007, "02"), (0.003, "03")), "00")
    administrative = u("administrative") < {"kospi": 0.008, "kosdaq": 0.02}.get(market, 0.01)
    overheat = _pick(u("overheat"), ((0.004, "1"), (0.003, "2"), (0.001, "3")), "0")
    credit = (market != "konex" and not administrative and warning in ("00", "01")
              and u("credit") >= 0.08 + (0.15 if cap < 1e11 else 0.0))
    sme = market == "konex" or u("sme") < (
        (0.9 if cap < 1e12 else 0.2) if market == "kosdaq" else (0.15 if cap < 1e11 else 0.02))
    fiscal = int(_pick(u("fiscal"), ((0.025, "3"), (0.01, "6"), (0.005, "9")), "12"))
    rate = 0.0 if market == "konex" or administrative else round(0.70 + 0.10 * u("collateral"), 2)
    financial = inst.sector in FINANCIAL
    debt = _lognormal(900.0 if financial else 90.0, (0.4 if financial else 0.6) * _z(seed, code,
                      "debt"), 5.0, 2000.0)
    grade = ""
    if u("rated") < min(0.95, 0.1 + 0.2 * size):
        loss_prone = _LOSS_COMPANY * _z(seed, code, "loss") < _loss_threshold(market)
        notch = 12.0 - 3.5 * size + (2.0 if loss_prone else 0.0) + _z(seed, code, "grade")
        grade = GRADES[min(len(GRADES) - 1, max(0, round(notch)))]
    return Reference(
        code=code, group=group, warning=warning, administrative=administrative, halted=False,
        manufacturing=market == "kospi" and inst.sector in MANUFACTURING, sme=sme, credit=credit,
        caution_reminder=u("reminder") < 0.01, overheat=overheat, fiscal_month=fiscal,
        collateral_rate=rate, free_float=int(inst.shares * (0.25 + 0.67 * u("float"))),
        capital=inst.par_value * inst.shares, debt_ratio=round(debt, 2), credit_grade=grade,
    )


_FUNDAMENTALS: BoundedCache[tuple[int, str, date], Fundamentals] = BoundedCache(16384)


def fundamentals(market: Market, inst: Instrument, day: date) -> Fundamentals:
    """``eps``/``bps``/``dps`` of the settlement published on ``day`` (module docstring):
    set against the model's close on the fiscal year-end, so that the ratios stay in a
    realistic range wherever the price walks. Funds have none (all 0)."""
    seed = market.seed
    ref = reference(seed, inst)
    end = ref.settlement(day)
    key = (seed, inst.code, end)
    found = _FUNDAMENTALS.get(key)
    if found is not None:
        return found
    if inst.kind != STOCK:
        return _FUNDAMENTALS.put(key, Fundamentals(end, 0, 0, 0))
    code, year = inst.code, end.year
    n = min(max(cal.index_on_or_before(end), 1), cal.index_on_or_before(day))
    level = market.model.close_units(inst, n) / rules.price_scale(inst)
    loss = (_LOSS_COMPANY * _z(seed, code, "loss") + _LOSS_YEAR * _z(seed, code, "loss", year)
            < _loss_threshold(inst.market))
    if loss:
        eps = -max(1, round(level / _lognormal(15.0, 0.6 * _z(seed, code, "deficit", year),
                                               3.0, 200.0)))
    else:
        per = _lognormal(11.0, 0.45 * _z(seed, code, "per") + 0.25 * _z(seed, code, "per", year),
                         3.0, 80.0)
        eps = max(1, round(level / per))
    pbr = _lognormal(1.1, 0.55 * _z(seed, code, "pbr") + 0.1 * _z(seed, code, "pbr", year),
                     0.15, 12.0)
    dps = 0
    if not loss and _u(seed, code, "dividend") < (0.75 if inst.market == "kospi" else 0.45):
        payout = min(0.6, max(0.05, 0.1 + 0.4 * _u(seed, code, "payout")
                              + 0.05 * _z(seed, code, "payout", year)))
        dps = max(5, round(eps * payout / 5) * 5)
    return _FUNDAMENTALS.put(key, Fundamentals(end, eps, max(1, round(level / pbr)), dps))
