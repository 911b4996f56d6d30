"""Daily summaries: each trading day's base, limits, OHLC, volume and value in O(1).

A :class:`DaySummary` is computed from hashed draws and the factor processes alone, without
generating the day's trades; the trade tape of a day (``tape.py``) is then constructed to
reproduce it exactly, which is what makes a ten-year history cheap *and* consistent with
the trades.

* Close: ``anchor_price * exp(log level - log level on ANCHOR_DATE)`` rounded to the day's
  grid. Daily moves of the model are bounded (factors.py), so closes stay inside the limits
  of the previous close and need no recursion. ``basPrc`` = the previous trading day's close
  (no corporate actions are modelled).
* Open: a share of the day's move plus noise; high/low: beyond max/min(open, close), all
  clamped to the daily limits.
* Volume and value: the day's volume is spread over price levels (every grid price from the
  low to the high gets ``a0`` units, the candle body ``bulk`` more, the close ``rem`` more),
  so that the value Σ price × quantity has a closed form.
* Futures map the underlying's open/high/low/close through the carry (derivatives.py);
  options through Black-76 (call high from the underlying's high, put high from its low).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from sandbox.world.market import calendar as cal
from sandbox.world.market import derivatives as dv
from sandbox.world.market import rules
from sandbox.world.market.factors import BLOCK, Exposure, FactorBook, exposure
from sandbox.world.market.instruments import FUTURE, INDEX, OPTION, STOCK, Instrument
from sandbox.world.market.noise import BoundedCache, Counter4, normal

ANCHOR_DATE = date(2018, 6, 15)  # Instrument.anchor_price is the close on this day
DERIVATIVE_LIFE = timedelta(days=365)  # listing before expiry when list_date is unknown

# fallback levels (on ANCHOR_DATE) and volatilities of underlyings absent from the universe
DEFAULT_UNDERLYINGS = {
    "kospi200": (310.0, 0.16), "mini_kospi200": (310.0, 0.16), "cme_kospi200": (310.0, 0.16),
    "kosdaq150": (1350.0, 0.22), "sector": (1000.0, 0.2), "vix": (15.0, 0.6),
    "usd": (1080.0, 0.07), "yen": (980.0, 0.09), "euro": (1260.0, 0.08),
    "ktb3": (108.0, 0.015), "ktb5": (110.0, 0.025), "ktb10": (120.0, 0.04),
    "lean_hogs": (80.0, 0.3), "eurostoxx": (3450.0, 0.18),
}
FUTURE_VOLUMES = {"kospi200": 180_000, "mini_kospi200": 60_000, "kosdaq150": 8_000,
                  "usd": 250_000, "ktb3": 80_000, "ktb10": 40_000}
OPTION_VOLUMES = {"kospi200": 40_000, "mini_kospi200": 8_000, "usd": 2_000}

Lookup = Callable[[str], Instrument | None]


class DaySummary(NamedTuple):
    """One trading day of one instrument; prices in integer units (rules.py)."""

    n: int  # trading-day index
    day: date
    scale: int
    grid: rules.Grid
    base: int  # basPrc (= previous close)
    upper: int  # step-1 limits (0 for indices)
    lower: int
    steps: tuple[tuple[int, int], ...]  # all limit steps (three for derivatives)
    open: int
    high: int
    low: int
    close: int
    volume: int  # shares / contracts (thousand shares for indices)
    value: int  # KRW (million KRW for indices)
    raw_value: int  # sum of price units x quantity
    a0: int  # volume profile: a0 at every level, bulk on the body, rem at the close
    bulk: int
    rem: int
    trades: int  # continuous-trading trades to generate
    open_interest: int  # derivatives: at the end of the day
    underlying_base: int  # options: the underlying's base (limits)


def krw_value(raw: int, mult: float, scale: int) -> int:
    """KRW value of ``sum(price units x quantity)``: exact integer rounding."""
    if scale == 1 and mult == 1.0:
        return raw
    num = raw * round(mult * 1000)
    den = scale * 1000
    return (num + den // 2) // den


def profile(grid: rules.Grid, o: int, h: int, lo: int, c: int, volume: float) -> tuple[int, ...]:
    """``(a0, bulk, rem, V, raw_value)`` of the day's volume-by-price profile."""
    il = grid.index(lo)
    levels = grid.index(h) - il + 1
    jo, jc = grid.index(o) - il, grid.index(c) - il
    blo, bhi = min(jo, jc), max(jo, jc)
    nb = bhi - blo + 1
    want = int(volume)
    a0 = max(4, int(want * 0.55) // levels)
    bulk = max(0, want - a0 * levels) * 7 // 10 // nb
    rem = max(0, want - a0 * levels - bulk * nb)
    total = a0 * levels + bulk * nb + rem
    raw = a0 * grid.range_sum(il, il + levels - 1) + bulk * grid.range_sum(il + blo, il + bhi)
    return a0, bulk, rem, total, raw + rem * c


def trade_count(volume: int) -> int:
    return max(20, min(500, int(3.0 * volume**0.38)))


class DailyModel:
    """Daily summaries of every instrument for one seed (pure; caches only)."""

    def __init__(self, seed: int, lookup: Lookup | None = None, cache_size: int = 2048) -> None:
        self.seed = seed
        self.lookup: Lookup = lookup or (lambda code: None)
        self.factors = FactorBook(seed)
        self._blocks: BoundedCache[tuple[str, int], list[DaySummary | None]] = BoundedCache(
            cache_size
        )
        self._single: BoundedCache[tuple[str, int], tuple[DaySummary | None]] = BoundedCache(
            cache_size * 8
        )
        self._consts: dict[str, tuple[Exposure, float, float]] = {}
        self._life: dict[str, tuple[int, int]] = {}
        self._counters: dict[str, Counter4] = {}

    # ----------------------------------------------------------------- life and underlying
    def life(self, inst: Instrument) -> tuple[int, int]:
        """First and last trading-day index of the instrument."""
        found = self._life.get(inst.code)
        if found is None:
            found = self._life[inst.code] = self._life_of(inst)
        return found

    def _life_of(self, inst: Instrument) -> tuple[int, int]:
        last = len(cal._days().days) - 1
        listed = inst.list_date
        if inst.kind in (FUTURE, OPTION) and inst.expiry is not None:
            last = cal.index_on_or_before(inst.expiry)
            listed = listed or inst.expiry - DERIVATIVE_LIFE
        first = cal.index_on_or_after(listed) if listed else 0
        return first, last

    def underlying(self, inst: Instrument) -> Instrument:
        """The underlying of a derivative.

        Looked up by ``Instrument.underlying``; when the universe does not list it (a currency
        rate, a bond) a synthetic index stands in, keyed by the underlying's code, at the
        derivative's ``anchor_price`` (the underlying's anchor level, per the contract) and
        volatility, falling back to ``DEFAULT_UNDERLYINGS``.
        """
        found = self.lookup(inst.underlying) if inst.underlying else None
        if found is not None:
            return found
        level, vol = DEFAULT_UNDERLYINGS.get(inst.market, (0.0, 0.2))
        level = inst.anchor_price or level or float(inst.strike or 100.0)
        vol = inst.volatility or vol
        code = inst.underlying or "~" + inst.market
        if inst.market == "stock":
            return Instrument(code, None, "", "", STOCK, "kospi", level, vol)
        mkt = {"kospi200": "kospi", "mini_kospi200": "kospi", "cme_kospi200": "kospi",
               "kosdaq150": "kosdaq", "sector": "kospi"}.get(inst.market, inst.market)
        return Instrument(code, None, "", "", INDEX, mkt, level, vol)

    # ------------------------------------------------------------------------ cash closes
    def _consts_of(self, inst: Instrument) -> tuple[Exposure, float, float]:
        found = self._consts.get(inst.code)
        if found is None:
            exp = exposure(self.seed, inst)
            anchor_n = cal.index_on_or_before(ANCHOR_DATE)
            found = (exp, self.factors.log_level(exp, anchor_n), self._base_volume(inst))
            self._consts[inst.code] = found
        return found

    def _base_volume(self, inst: Instrument) -> float:
        z = normal(self.seed, "turnover", inst.code)
        if inst.kind == INDEX:
            big = inst.code in ("K1", "Q1")
            return (400_000.0 if big else 30_000.0) * math.exp(0.6 * z)
        if inst.shares > 0:
            return max(1_000.0, inst.shares * 0.0025 * math.exp(0.6 * z))
        return max(1_000.0, 2e9 / max(inst.anchor_price, 1.0) * math.exp(0.8 * z))

    def raw_level(self, inst: Instrument, n: int) -> float:
        """The model's price (units, before rounding) of a stock, fund or index on day ``n``."""
        exp, anchor_log, _ = self._consts_of(inst)
        scale = rules.price_scale(inst)
        grid = rules.grid_for(inst, cal.day_at(max(n, 0)))
        raw = inst.anchor_price * scale * math.exp(self.factors.log_level(exp, n) - anchor_log)
        return max(raw, 60.0 * grid.min_price)

    def close_units(self, inst: Instrument, n: int) -> int:
        """The close of day ``n`` in units (O(1))."""
        if inst.kind in (FUTURE, OPTION):
            s = self.summary(inst, n)
            if s is None:
                raise ValueError(f"{inst.code} does not trade on day {n}")
            return s.close
        grid = rules.grid_for(inst, cal.day_at(n))
        return grid.nearest(self.raw_level(inst, n))

    def _day_noise(self, code: str, n: int) -> tuple[float, float, float, float]:
        """Gap, high, low and volume noise of day ``n``."""
        counter = self._counters.get(code)
        if counter is None:
            counter = self._counters[code] = Counter4(self.seed, "day", code)
        return counter(n)

    # ----------------------------------------------------------------------- summaries
    def summary(self, inst: Instrument, n: int) -> DaySummary | None:
        """The summary of trading day ``n`` (None outside the instrument's life), O(1)."""
        block = self._blocks.get((inst.code, n // BLOCK))
        if block is not None:
            return block[n % BLOCK]
        found = self._single.get((inst.code, n))
        if found is None:
            found = self._single.put((inst.code, n), (self._compute(inst, n),))
        return found[0]

    def _block(self, inst: Instrument, b: int) -> list[DaySummary | None]:
        """The 64 summaries of block ``b`` (one pass, cached: history requests)."""
        found = self._blocks.get((inst.code, b))
        if found is None:
            found = self._blocks.put((inst.code, b), self._compute_block(inst, b))
        return found

    def _compute(self, inst: Instrument, n: int) -> DaySummary | None:
        first, last = self.life(inst)
        if not max(first, 1) <= n <= last:
            return None
        if inst.kind == FUTURE:
            return self._future(inst, n)
        if inst.kind == OPTION:
            return self._option(inst, n)
        return self._cash(inst, n, self.close_units(inst, n - 1), self.close_units(inst, n))

    def _compute_block(self, inst: Instrument, b: int) -> list[DaySummary | None]:
        first, last = self.life(inst)
        n0 = BLOCK * b
        lo, hi = max(first, 1, n0), min(last, n0 + BLOCK - 1)
        out: list[DaySummary | None] = [None] * BLOCK
        if lo > hi:
            return out
        if inst.kind in (FUTURE, OPTION):
            compute = self._future if inst.kind == FUTURE else self._option
            for n in range(lo, hi + 1):
                out[n - n0] = compute(inst, n)
            return out
        # the same closes as close_units(), from one pass over the block's log levels
        exp, anchor_log, _ = self._consts_of(inst)
        logs = self.factors.log_block(exp, b)
        anchor = inst.anchor_price * rules.price_scale(inst)
        days = cal._days().days
        base = self.close_units(inst, lo - 1)
        for n in range(lo, hi + 1):
            grid = rules.grid_for(inst, days[n])
            close = grid.nearest(max(anchor * math.exp(logs[n - n0] - anchor_log),
                                     60.0 * grid.min_price))
            out[n - n0] = self._cash(inst, n, base, close)
            base = close
        return out

    def _cash(self, inst: Instrument, n: int, base: int, close: int) -> DaySummary:
        """A stock, fund or index day from the model's previous and current close."""
        day = cal.day_at(n)
        grid = rules.grid_for(inst, day)
        scale = rules.price_scale(inst)
        exp, _, base_volume = self._consts_of(inst)
        sigma = exp.daily_sigma
        z_gap, z_hi, z_lo, z_vol = self._day_noise(inst.code, n)
        index = inst.kind == INDEX
        if index:
            upper = lower = 0
            hi_cap, lo_cap = 10**15, grid.min_price
        else:
            upper, lower = hi_cap, lo_cap = rules.stock_limits(base, grid)
        close = min(max(close, lo_cap), hi_cap)  # never binds: daily moves are bounded
        move = math.log(close / base)
        opn = grid.nearest(base * math.exp(0.35 * move + 0.3 * sigma * z_gap))
        opn = min(max(opn, lo_cap), hi_cap)
        high = min(grid.ceil(max(opn, close) * math.exp(0.55 * sigma * abs(z_hi))), hi_cap)
        low = max(grid.floor(min(opn, close) * math.exp(-0.55 * sigma * abs(z_lo))), lo_cap)
        volume = base_volume * math.exp(0.45 * z_vol + 10.0 * abs(move) - 0.15)
        if index:
            return self._index_day(inst, n, day, grid, base, (opn, high, low, close), volume)
        a0, bulk, rem, total, value = profile(grid, opn, high, low, close, volume)
        return DaySummary(n, day, scale, grid, base, upper, lower, ((upper, lower),), opn, high,
                          low, close, total, value, value, a0, bulk, rem, trade_count(total), 0, 0)

    def _index_day(
        self,
        inst: Instrument,
        n: int,
        day: date,
        grid: rules.Grid,
        base: int,
        ohlc: tuple[int, int, int, int],
        volume: float,
    ) -> DaySummary:
        avg_price = 25_000.0 * math.exp(0.4 * normal(self.seed, "avgprice", inst.code))
        vol_k = max(1, int(volume))
        value_m = max(1, int(vol_k * avg_price / 1000.0))
        opn, high, low, close = ohlc
        return DaySummary(n, day, grid.scale, grid, base, 0, 0, (), opn, high, low, close,
                          vol_k, value_m, 0, 0, 0, 0, 0, 0, 0)

    def _carry(self, inst: Instrument, n: int) -> float:
        day = cal.day_at(n)
        assert inst.expiry is not None
        tau = dv.tau_years(day, inst.expiry)
        rate = dv.cd_rate(self.factors, n)
        noise = 1.0 + dv.basis(self.seed, inst.code, n)
        return math.exp((rate - dv.DIVIDEND_YIELD) * tau) * noise

    def _future(self, inst: Instrument, n: int) -> DaySummary | None:
        und = self.underlying(inst)
        s = self.summary(und, n)
        s_prev = self.summary(und, n - 1) if n - 1 >= 1 else None
        if s is None or s_prev is None or inst.expiry is None:
            return None
        day = cal.day_at(n)
        grid = rules.grid_for(inst, day, und.market)
        carry = self._carry(inst, n)
        base = grid.nearest(s_prev.close * self._carry(inst, n - 1))
        steps = tuple(rules.future_limits(base, grid))
        hi_cap, lo_cap = steps[-1]

        def fut(x: int) -> int:
            return min(max(grid.nearest(x * carry), lo_cap), hi_cap)

        opn, high, low, close = fut(s.open), fut(s.high), fut(s.low), fut(s.close)
        days_left = (inst.expiry - day).days
        front = math.exp(-max(0, days_left - 95) / 20.0) + 0.01
        move = abs(math.log(close / base))
        z_vol = self._day_noise(inst.code, n)[3]
        typical = FUTURE_VOLUMES.get(inst.market, 3_000) * front
        want = typical * math.exp(0.4 * z_vol + 8 * move)
        return self._derivative(inst, n, grid, base, steps, (opn, high, low, close), want, 0,
                                FUTURE_VOLUMES.get(inst.market, 3_000) * 1.5)

    def _premium(self, inst: Instrument, und: Instrument, n: int, spot: int) -> float:
        assert inst.expiry is not None and inst.strike is not None
        day = cal.day_at(n)
        tau = dv.tau_years(day, inst.expiry)
        rate = dv.cd_rate(self.factors, n)
        fwd = dv.forward(spot / rules.POINT_SCALE, rate, tau)
        atm = dv.atm_vol(self.factors, und.code, und.volatility or 0.18, n)
        vol = dv.surface_vol(atm, inst.strike, fwd, tau)
        return dv.black76(fwd, inst.strike, vol, tau, rate, inst.option_type != "P")

    def _option(self, inst: Instrument, n: int) -> DaySummary | None:
        und = self.underlying(inst)
        s = self.summary(und, n)
        s_prev = self.summary(und, n - 1) if n - 1 >= 1 else None
        if s is None or s_prev is None or inst.expiry is None or not inst.strike:
            return None
        grid = rules.grid_for(inst, cal.day_at(n))
        put = inst.option_type == "P"

        def prem(day_n: int, spot: int) -> int:
            value = self._premium(inst, und, day_n, spot) * rules.POINT_SCALE
            return max(grid.nearest(value), grid.min_price)

        base = prem(n - 1, s_prev.close)
        steps = tuple(rules.option_limits(base, s_prev.close, grid))
        hi_cap, lo_cap = steps[-1]

        def clamp(x: int) -> int:
            return min(max(x, lo_cap), hi_cap)

        opn, close = clamp(prem(n, s.open)), clamp(prem(n, s.close))
        at_high, at_low = (s.low, s.high) if put else (s.high, s.low)
        high = max(clamp(prem(n, at_high)), opn, close)
        low = min(clamp(prem(n, at_low)), opn, close)
        spot = s.close / rules.POINT_SCALE
        money = math.log(inst.strike / spot) / 0.06
        days_left = (inst.expiry - cal.day_at(n)).days
        front = math.exp(-max(0, days_left - 35) / 30.0) + 0.02
        z_vol = self._day_noise(inst.code, n)[3]
        typical = OPTION_VOLUMES.get(inst.market, 1_000) * math.exp(-0.5 * money * money)
        want = typical * front * math.exp(0.5 * z_vol)
        return self._derivative(inst, n, grid, base, steps, (opn, high, low, close), want,
                                s_prev.close, typical * 2.0)

    def _derivative(
        self,
        inst: Instrument,
        n: int,
        grid: rules.Grid,
        base: int,
        steps: tuple[tuple[int, int], ...],
        ohlc: tuple[int, int, int, int],
        want: float,
        underlying_base: int,
        oi_base: float,
    ) -> DaySummary:
        opn, high, low, close = ohlc
        day = cal.day_at(n)
        a0, bulk, rem, total, raw = profile(grid, opn, high, low, close, want)
        mult = rules.multiplier(inst, day)
        first, last = self.life(inst)
        life = (n - first + 1) / max(1, last - first + 1)
        oi = dv.open_interest(self.seed, inst.code, oi_base, n, life)
        upper, lower = steps[0]
        return DaySummary(n, day, grid.scale, grid, base,
                          upper, lower, steps, opn, high, low, close, total,
                          krw_value(raw, mult, grid.scale), raw, a0, bulk, rem,
                          trade_count(total), oi, underlying_base)

    def summaries(self, inst: Instrument, n0: int, n1: int) -> list[DaySummary]:
        """Summaries of the trading days ``n0..n1`` that the instrument traded, oldest first."""
        out: list[DaySummary] = []
        lo = max(n0, 1)
        for b in range(lo // BLOCK, n1 // BLOCK + 1):
            block = self._block(inst, b)
            start, stop = max(lo - b * BLOCK, 0), min(n1 - b * BLOCK, BLOCK - 1)
            out.extend(s for s in block[start : stop + 1] if s is not None)
        return out
