"""What the market looks like at one instant: the :class:`Quote` and the :class:`Book`.

Both are read off a day's tape (tape.py) at an instant, so they agree with each other and
with the trades: the quote's best bid/ask are the book's first levels; after a
buyer-initiated trade (``side`` 2) the last price is the best ask, after a seller-initiated
one (1) the best bid. Book levels are consecutive ticks of the grid, clipped at the widest
daily limit (empty levels are price 0, quantity 0); quantities are hashed per trade and
10-second slot, so a book changes over time even without trades. Books exist from the
pre-open auction on; before it every level is empty.

Expected auction values (``deem*``): during an auction the expected match (price, and a
quantity growing toward the match); after it the last auction's price, quantity 0 and the
matched quantity as ``expected_acc_volume`` (README §8.3 recommendation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sandbox.world.market import calendar as cal
from sandbox.world.market.daily import DaySummary
from sandbox.world.market.noise import stream
from sandbox.world.market.rules import from_units
from sandbox.world.market.tape import AFTER_HOURS, CLOSE_AUCTION, Tape

Price = int | float


@dataclass(frozen=True)
class Quote:
    """The last-trade snapshot (price endpoints, ``tick10``, multiquote rows)."""

    code: str
    day: date  # the trading day the values belong to
    phase: str  # calendar phase at the instant (``closed`` on non-trading days)
    price: Price  # trdPrc: last trade, or basPrc before the first trade
    base: Price  # basPrc (= previous close)
    change: Price  # cmpprevddPrc = price - base
    change_code: str  # cmpprevddTpCd
    open: Price  # 0 before the first trade
    high: Price
    low: Price
    volume: int  # accTrdvol (indices: thousand shares)
    value: int  # accTrdval, KRW (indices: million KRW)
    trade_time: int  # trdTm: HHMMSSmm of the last trade, a session signal, or 0
    last_qty: int  # trdvol
    side: int  # lstAskbidTpCd / lstTrdTpCd: 1 sell-initiated, 2 buy-initiated, 0 none
    bid: Price  # bidordPrc_1 (0 when the book is empty)
    ask: Price  # askordPrc_1
    upper_limit: Price  # active (step-1) limits; 0 for indices
    lower_limit: Price
    limit_steps: tuple[tuple[Price, Price], ...]
    close: Price | None  # the day's closing price once the closing match printed
    open_interest: int  # derivatives: at the start of the day (previous day's end)


@dataclass(frozen=True)
class Book:
    """The order book (10 levels for cash instruments, 5 with order counts for derivatives)."""

    code: str
    day: date
    phase: str
    time: int  # HHMMSSmm of the book state (ordAcptTm)
    ask_prices: tuple[Price, ...]  # level 1 first; 0 = empty level
    ask_qtys: tuple[int, ...]
    bid_prices: tuple[Price, ...]
    bid_qtys: tuple[int, ...]
    ask_counts: tuple[int, ...]  # orders per level (derivatives; zeros for cash)
    bid_counts: tuple[int, ...]
    ask_total: int  # whole-book totals, >= the sum of the shown levels
    bid_total: int
    ask_orders: int  # valid order counts (derivatives)
    bid_orders: int
    post_close_ask_total: int  # pstoffhr* totals (stocks, from the close on)
    post_close_bid_total: int
    volume: int  # accTrdvol
    expected_price: Price  # deemTrdPrc
    expected_volume: int  # deemTrdvol
    expected_acc_volume: int  # deemAccTrdvol


def empty_levels(levels: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (0,) * levels, (0,) * levels


def _expected(tape: Tape, i: int, cs: int) -> tuple[int, int, int]:
    """``(deemTrdPrc, deemTrdvol, deemAccTrdvol)`` in units at ``cs``."""
    sched = tape.schedule
    if cs < sched.pre_open:
        return 0, 0, 0
    if cs < sched.open:
        frac = min(1.0, 0.1 + (cs - sched.pre_open) / (sched.open - sched.pre_open))
        q = int(tape.qtys[0] * frac)
        return tape.prices[0], q, q
    ci = tape.close_index
    if cs < sched.continuous_end:
        return tape.prices[0], 0, tape.qtys[0]
    if cs < sched.close:
        frac = min(1.0, 0.1 + (cs - sched.continuous_end) / (sched.close - sched.continuous_end))
        q = int(tape.qtys[ci] * frac)
        return tape.prices[ci], q, q
    found = (tape.prices[ci], 0, tape.qtys[ci])
    if sched.after_hours_start <= cs < sched.after_hours_end:
        nxt = i + 1
        while nxt < len(tape) and tape.kinds[nxt] != AFTER_HOURS:
            nxt += 1
        if nxt < len(tape) and tape.times[nxt] - cs <= sched.after_hours_step:
            frac = 1.0 - (tape.times[nxt] - cs) / sched.after_hours_step
            q = int(tape.qtys[nxt] * max(0.1, frac))
            return tape.prices[nxt], q, q
    for j in range(i, ci, -1):
        if tape.kinds[j] == AFTER_HOURS:
            return tape.prices[j], 0, tape.qtys[j]
    return found


def build_book(
    seed: int, code: str, tape: Tape, cs: int, levels: int, derivative: bool
) -> Book:
    """The book of ``tape``'s day at ``cs`` (centiseconds; >= the day's end = final book)."""
    s: DaySummary = tape.summary
    sched = tape.schedule
    scale = s.scale
    i = tape.last_at(cs)
    phase = sched.phase(cs)
    zeros = (0,) * levels
    exp_p, exp_q, exp_acc = _expected(tape, i, cs)
    if i < 0 and cs < sched.pre_open:
        return Book(code, s.day, phase, 0, zeros, zeros, zeros, zeros, zeros, zeros, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 0)
    grid = s.grid
    hi_cap, lo_cap = s.steps[-1]
    if i >= 0:
        p, side, volume = tape.prices[i], tape.sides[i], tape.cum_vol[i]
    else:
        p, side, volume = grid.floor(s.base), 1, 0
    ip = grid.index(p)
    ia = ip if side == 2 else ip + 1
    ib = ip if side == 1 else ip - 1
    asks = [grid.price(ia + k) for k in range(levels)]
    asks = [a if a <= hi_cap else 0 for a in asks]
    bids = [grid.price(ib - k) if ib - k >= 0 else 0 for k in range(levels)]
    bids = [b if b >= lo_cap and b >= grid.min_price else 0 for b in bids]
    slot = cs // 1000 if cs < sched.end else sched.end // 1000
    rng = stream(seed, "book", code, s.n, i, slot)
    draw = rng.random
    levels_n = grid.index(s.high) - grid.index(s.low) + 1
    size = max(3.0, s.volume / (levels_n * 6.0))
    ask_q = [int(size * (0.15 + 1.7 * draw())) + 1 if a else 0 for a in asks]
    bid_q = [int(size * (0.15 + 1.7 * draw())) + 1 if b else 0 for b in bids]
    ask_total = sum(ask_q) + int(size * levels * (1.0 + 2.0 * draw()))
    bid_total = sum(bid_q) + int(size * levels * (1.0 + 2.0 * draw()))
    ask_c, bid_c = zeros, zeros
    ask_orders = bid_orders = 0
    if derivative:
        per_order = max(1.0, size / 8.0)
        ask_c = tuple(max(1, min(q, int(q / (per_order * (0.5 + draw()))))) if q else 0
                      for q in ask_q)
        bid_c = tuple(max(1, min(q, int(q / (per_order * (0.5 + draw()))))) if q else 0
                      for q in bid_q)
        ask_orders = sum(ask_c) + int(levels * 4 * draw())
        bid_orders = sum(bid_c) + int(levels * 4 * draw())
    post_ask = post_bid = 0
    if not derivative and cs >= sched.close:
        post_ask = int(size * (0.2 + draw()))
        post_bid = int(size * (0.2 + draw()))
    stamp = tape.times[i] if i >= 0 else min(cs, sched.open)
    if cs >= sched.pre_open:
        stamp = max(stamp, min(cs, sched.end) // 1000 * 1000)
    return Book(
        code, s.day, phase, cal.hhmmsscc(stamp),
        tuple(from_units(a, scale) for a in asks), tuple(ask_q),
        tuple(from_units(b, scale) for b in bids), tuple(bid_q),
        ask_c, bid_c, ask_total, bid_total, ask_orders, bid_orders, post_ask, post_bid,
        volume, from_units(exp_p, scale), exp_q, exp_acc,
    )


def close_of(tape: Tape, i: int) -> int | None:
    """The closing price in units once the closing match printed at or before trade ``i``."""
    if i >= tape.close_index and tape.kinds[tape.close_index] == CLOSE_AUCTION:
        return tape.prices[tape.close_index]
    return None


def best_quotes(tape: Tape, i: int, cs: int) -> tuple[int, int]:
    """``(best bid, best ask)`` in units at ``cs`` after trade ``i`` (0 = empty side).

    The same rule as :func:`build_book`'s first levels, without drawing quantities.
    """
    s = tape.summary
    if (i < 0 and cs < tape.schedule.pre_open) or not s.steps:
        return 0, 0
    grid = s.grid
    hi_cap, lo_cap = s.steps[-1]
    p, side = (tape.prices[i], tape.sides[i]) if i >= 0 else (grid.floor(s.base), 1)
    ip = grid.index(p)
    ask = grid.price(ip if side == 2 else ip + 1)
    bid = grid.price(ip if side == 1 else ip - 1) if ip > 0 or side == 1 else 0
    return (bid if bid >= lo_cap and bid >= grid.min_price else 0), (ask if ask <= hi_cap else 0)
