"""Derivative pricing: carry, the seeded volatility surface, Black-76, open interest.

* Futures: ``F = S * exp((r - q) * tau) * (1 + basis)``, with ``r`` the CD rate (a slow
  seeded process around 2.25%), ``q`` a 1.7% dividend yield and a small daily basis noise;
  ``tau`` = (calendar days to the last trading day + 1) / 365 (the spec's ``remainDys``).
  At expiry the future converges to the underlying.
* Options: European, priced with Black-76 on that forward. The volatility surface of an
  underlying is ``atm(n) * term(tau) * smile(log(K / F))`` where ``atm`` follows a seeded
  factor process shared by every option on the underlying; calls and puts of one strike use
  the same volatility, so put-call parity ``C - P = DF * (F - K)`` holds exactly before
  premiums are rounded onto the tick grid.
"""

from __future__ import annotations

import math
from datetime import date

from sandbox.world.market.factors import FactorBook
from sandbox.world.market.noise import normal

DIVIDEND_YIELD = 0.017
BASIS_SIGMA = 0.0005
MIN_TAU = 0.5 / 365


def erf_cdf(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def tau_years(day: date, expiry: date) -> float:
    """Time to expiry in years (remaining calendar days + 1, over 365)."""
    return max(((expiry - day).days + 1) / 365.0, MIN_TAU)


def cd_rate(book: FactorBook, n: int) -> float:
    """The CD (91-day) rate on trading day ``n``: between 0.75% and 3.75%."""
    return 0.0225 + 0.015 * math.tanh(0.04 * book.value("rate:cd", n))


def forward(spot: float, rate: float, tau: float) -> float:
    return spot * math.exp((rate - DIVIDEND_YIELD) * tau)


def basis(seed: int, code: str, n: int) -> float:
    """Relative basis of a future on day ``n`` (constant within the day)."""
    return BASIS_SIGMA * normal(seed, "basis", code, n)


def atm_vol(book: FactorBook, underlying: str, base_vol: float, n: int) -> float:
    """At-the-money volatility of ``underlying`` on day ``n``."""
    return base_vol * math.exp(0.012 * book.value("vol:" + underlying, n))


def surface_vol(atm: float, strike: float, fwd: float, tau: float) -> float:
    """The smile: skewed toward low strikes, steeper for short expiries."""
    m = math.log(strike / fwd) / math.sqrt(max(tau, 1.0 / 52))
    term = 1.0 + 0.08 * math.exp(-tau * 4.0)
    return max(0.03, atm * term * (1.0 - 0.35 * m + 0.6 * m * m))


def black76(fwd: float, strike: float, vol: float, tau: float, rate: float, call: bool) -> float:
    """Black-76 premium of a European option on a forward."""
    df = math.exp(-rate * tau)
    sd = vol * math.sqrt(tau)
    d1 = (math.log(fwd / strike) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    if call:
        return df * (fwd * erf_cdf(d1) - strike * erf_cdf(d2))
    return df * (strike * erf_cdf(-d2) - fwd * erf_cdf(-d1))


def parity_gap(
    call: float, put: float, fwd: float, strike: float, rate: float, tau: float
) -> float:
    """``C - P - DF * (F - K)``: zero for parity-consistent premiums."""
    return call - put - math.exp(-rate * tau) * (fwd - strike)


def open_interest(seed: int, code: str, base: float, n: int, life: float) -> int:
    """Open interest at the end of trading day ``n``; ``life`` = fraction of life elapsed."""
    hump = math.sin(math.pi * min(max(life, 0.02), 1.0)) ** 0.5
    wobble = 1.0 + 0.04 * normal(seed, "oi", code, n)
    return max(1, int(base * (0.1 + hump) * wobble))
