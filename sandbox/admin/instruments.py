"""Rules of the admin market views (no Flask): an instrument search and one instrument's
picture at the world clock, for the console's Market view.

Everything is read off the world's market (``world.market``, market events included) through
the same model calls as the market REST family: :meth:`Market.quote` (``price``),
:meth:`Market.book` (``orderbook``), :meth:`Market.intraday_bars` (``intraday``) and
:meth:`Market.history` (``history``), so the console shows what a client would read at the
same instant. Shapes are the console's own (plain names, ISO dates, epoch seconds for the
charts), not the platform's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sandbox.admin.models import clock_view
from sandbox.errors import NotFound
from sandbox.families.market.params import session_day
from sandbox.world.market import calendar as cal
from sandbox.world.market.bars import Bar, IntradayBar
from sandbox.world.market.instruments import ELW, ETF, ETN, FUTURE, INDEX, OPTION, STOCK, Instrument
from sandbox.world.market.snapshot import Book, Quote
from sandbox.world.market.universe import normalise_code

if TYPE_CHECKING:
    from sandbox.world.world import World

KIND_ORDER = {STOCK: 0, ETF: 1, ETN: 2, ELW: 3, INDEX: 4, FUTURE: 5, OPTION: 6}
MARKET_ORDER = {"kospi": 0, "kosdaq": 1, "konex": 2}
SEARCH_LIMIT, MAX_SEARCH_LIMIT = 20, 100
HISTORY_DAYS, MAX_HISTORY_DAYS = 60, 250


def _clamp(raw: Any, default: int, low: int, high: int) -> int:
    """A query count (the schema checked the digits)."""
    return default if raw in (None, "") else max(low, min(int(str(raw)), high))


def instrument_row(inst: Instrument) -> dict[str, Any]:
    return {"code": inst.code, "isin": inst.isin, "name": inst.name, "nameEn": inst.name_en,
            "kind": inst.kind, "market": inst.market}


# ------------------------------------------------------------------------------ search
def _candidates(world: World, day: date) -> list[Instrument]:
    """Stocks, ETFs, ETNs and indices listed on ``day``, and the futures trading that day
    (options are reachable by code, not listed: hundreds of strikes per month)."""
    universe = world.universe
    found = [inst for inst in universe if inst.is_listed(day)]
    for market in universe.markets(FUTURE):
        found.extend(universe.select(FUTURE, market, day))
    return found


def _score(inst: Instrument, text: str, code: str) -> int | None:
    """0 exact code or ISIN, 1 code prefix, 2 name prefix, 3 name contains; None: no match."""
    if not text:
        return 3
    if code in (inst.code, inst.isin):
        return 0
    if inst.code.startswith(code):
        return 1
    lower = text.lower()
    names = (inst.name.lower(), inst.name_en.lower())
    if any(name.startswith(lower) for name in names):
        return 2
    if any(lower in name for name in names):
        return 3
    return None


def search(world: World, query: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /_sandbox/market/instruments?q=&kind=&market=&limit=``: instruments whose code,
    ISIN or Korean/English name matches ``q`` (exact codes first, then code prefixes, name
    prefixes, names containing it), stocks before ETFs, ETNs, indices and futures. A
    continuous futures code (``K2FA001``) finds the front contract."""
    text = str(query.get("q") or "").strip()
    code = normalise_code(text)
    kind, market = query.get("kind"), query.get("market")
    limit = _clamp(query.get("limit"), SEARCH_LIMIT, 1, MAX_SEARCH_LIMIT)
    day = session_day(cal.kst(world.now()))
    front = world.universe.resolve(code, day) if world.universe.is_continuous(code) else None
    scored: list[tuple[tuple[int, int, int, str], Instrument]] = []
    for inst in _candidates(world, day):
        if (kind and inst.kind != kind) or (market and inst.market != market):
            continue
        score = 0 if front is not None and inst.code == front.code else _score(inst, text, code)
        if score is not None:
            scored.append(((score, KIND_ORDER.get(inst.kind, 9),
                            MARKET_ORDER.get(inst.market, 9), inst.code), inst))
    scored.sort(key=lambda pair: pair[0])
    return {"q": text, "day": day.isoformat(), "total": len(scored),
            "instruments": [instrument_row(inst) for _key, inst in scored[:limit]]}


# -------------------------------------------------------------------------------- view
def _clock_text(hhmmsscc: int) -> str:
    return f"{hhmmsscc // 1_000_000:02d}:{hhmmsscc // 10_000 % 100:02d}:" \
           f"{hhmmsscc // 100 % 100:02d}"


def _epoch(day: date, hhmmsscc: int = 0) -> int:
    """Unix seconds of ``day`` at ``HHMMSScc`` KST (the charts' x values)."""
    hours = min(hhmmsscc // 1_000_000, 23)
    clock = time(hours, hhmmsscc // 10_000 % 100, hhmmsscc // 100 % 100)
    return int(datetime.combine(day, clock, cal.KST).timestamp())


def _quote(q: Quote) -> dict[str, Any]:
    rate = round((q.price - q.base) / q.base * 100, 2) if q.base else 0.0
    return {"price": q.price, "base": q.base, "change": q.change, "changeCode": q.change_code,
            "changeRate": rate, "open": q.open, "high": q.high, "low": q.low,
            "volume": q.volume, "value": q.value,
            "tradeTime": _clock_text(q.trade_time) if q.trade_time else None,
            "bid": q.bid, "ask": q.ask, "upperLimit": q.upper_limit,
            "lowerLimit": q.lower_limit, "close": q.close}


def _bar(day: date, b: IntradayBar) -> dict[str, Any]:
    return {"t": _epoch(day, b.time), "time": _clock_text(b.time), "open": b.open,
            "high": b.high, "low": b.low, "close": b.close, "volume": b.volume}


def _day_bar(b: Bar) -> dict[str, Any]:
    return {"t": _epoch(b.day), "day": b.day.isoformat(), "open": b.open, "high": b.high,
            "low": b.low, "close": b.close, "volume": b.volume, "value": b.value,
            "change": b.change}


def _book(b: Book) -> dict[str, Any]:
    return {"time": _clock_text(b.time), "phase": b.phase,
            "asks": [{"price": p, "qty": q} for p, q in zip(b.ask_prices, b.ask_qtys,
                                                             strict=True)],
            "bids": [{"price": p, "qty": q} for p, q in zip(b.bid_prices, b.bid_qtys,
                                                             strict=True)],
            "askTotal": b.ask_total, "bidTotal": b.bid_total,
            "expectedPrice": b.expected_price, "expectedVolume": b.expected_volume}


def find(world: World, code: str, day: date) -> Instrument:
    """The instrument of a short code, ISIN or continuous futures code listed on ``day``."""
    universe = world.universe
    key = normalise_code(code)
    inst = universe.resolve(key, day) if universe.is_continuous(key) else universe.get(key)
    if inst is None or not inst.is_listed(day):
        raise NotFound(f"no instrument {code[:40]!r} is listed on {day.isoformat()}")
    return inst


def view(world: World, code: str, query: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /_sandbox/market/instruments/{code}?days=&cycle=``: the quote at the clock, the
    day's intraday bars up to the clock (``cycle`` seconds, oldest first), the last ``days``
    daily bars (today's running bar included while trading, oldest first) and the order book
    (None for indices)."""
    at = cal.kst(world.now())
    inst = find(world, code, session_day(at))
    cycle = int(str(query.get("cycle") or 60))  # the schema allows 10, 60 and 600
    days = _clamp(query.get("days"), HISTORY_DAYS, 1, MAX_HISTORY_DAYS)
    market = world.market
    quote = market.quote(inst, at)
    bars = market.intraday_bars(inst, quote.day, cycle, at=at, limit=10_000)
    history = market.history(inst, date(cal.FIRST_YEAR, 1, 1), quote.day, "D", at=at,
                             limit=days)
    return {"instrument": instrument_row(inst), "clock": clock_view(world.clock),
            "day": quote.day.isoformat(), "phase": quote.phase, "quote": _quote(quote),
            "intraday": {"cycle": cycle, "bars": [_bar(quote.day, b) for b in reversed(bars)]},
            "history": [_day_bar(b) for b in reversed(history)],
            "book": None if inst.kind == INDEX else _book(market.book(inst, at))}
