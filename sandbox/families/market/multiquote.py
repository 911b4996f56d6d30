"""Multi-quote tables (multiquote.md M1-M6): whole-market snapshots and up to 20 issues.

Whole-market lists (M1 ``lists``, M2 ``ohlclists``, M5 ``quotelists``, M6 ``ahtohlclists``)
are bare objects (README §3.1) over every cash issue of the market listed on the session day,
ordered by short code (multiquote.md "Behaviour rules"), taken as a 1-second snapshot: the
instant truncated to the second, which ``trdTm`` (``HHMMSS`` string, 6 digits as
multiquote.md M1 says) reports. On a non-business day the snapshot is the last business day's
final one, stamped with the end of its last session (18:00). Every value is the per-issue
``price`` / ``orderbook`` of the same instant (README §8.6): rows are read off the same
:class:`Quote` and :class:`Book`.

M3 ``price`` / M4 ``orderbook`` answer ``{"jsonrpc":"2.0","result":{"isulist":[...]}}`` in
the request order, each element the S5/S6 payload with ``isuSrtCd`` moved after
``cmpprevddPrc`` (M3) or last (M4). Unknown codes and codes of the other market are skipped;
none valid → 10040 (multiquote.md recommendation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sandbox.families.market import exceptions as exc
from sandbox.families.market import params, payloads
from sandbox.families.market.params import CASH_KINDS, Target
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import Instrument
from sandbox.world.market.noise import BoundedCache
from sandbox.world.market.prices import Market
from sandbox.world.market.rules import from_units
from sandbox.world.market.tape import AFTER_HOURS
from sandbox.world.world import World

Row = dict[str, Any]
RowMaker = Callable[[Market, Instrument, datetime], Row]

# Finished tables by (Market, table, market, snapshot second): a frozen or polled clock asks for
# the same second again. The rows are a pure function of the key, so the cache never changes
# an answer; it only keeps the last few snapshots.
_SNAPSHOTS: BoundedCache[tuple[Market, str, str, datetime], list[Row]] = BoundedCache(16)


def snapshot(at: datetime) -> tuple[date, datetime, str]:
    """``(trdDd, snapshot instant, trdTm)`` of a 1-second snapshot taken at ``at``."""
    day, instant = params.session_day(at), at.replace(microsecond=0)
    if day == at.date():
        return day, instant, f"{instant:%H%M%S}"
    return day, instant, f"{cal.hhmmsscc(cal.schedule(day).end) // 100:06d}"


# ---------------------------------------------------------------------------- table rows
def _price_row(market: Market, inst: Instrument, at: datetime) -> Row:
    q = market.quote(inst, at)
    return {"isuSrtCd": inst.code, "trdPrc": q.price, "accTrdvol": q.volume,
            "accTrdval": q.value}


def _ohlc_row(market: Market, inst: Instrument, at: datetime) -> Row:
    q = market.quote(inst, at)
    return {"isuSrtCd": inst.code, "opnprc": q.open, "hgprc": q.high, "lwprc": q.low,
            "trdPrc": q.price}


def _quote_row(market: Market, inst: Instrument, at: datetime) -> Row:
    b = market.book(inst, at)
    return {"isuSrtCd": inst.code, "trdPrc": market.quote(inst, at).price,
            "askStep1BstordPrc": b.ask_prices[0], "askStep1BstordRqty": b.ask_qtys[0],
            "bidStep1BstordPrc": b.bid_prices[0], "bidStep1BstordRqty": b.bid_qtys[0]}


def after_hours_row(market: Market, inst: Instrument, at: datetime) -> Row:
    """M6: OHLC of the after-hours single-price trades (16:00-18:00) printed by ``at``.

    The same as filtering ``market.trades(inst, day, until=at)`` to ``session ==
    "after_hours"`` (tests check it), read off the day's tape without materialising every
    trade. No such trade yet (before 16:00, or none matched): OHLC 0 and ``trdPrc`` the
    regular close (the previous close before today's closing match); after 18:00 the day's
    after-hours values stay until the next session.
    """
    n, cs, _ = market.resolve(inst, at)
    tape = market.tape(inst, n)
    s = tape.summary
    last, ci = tape.last_at(cs), tape.close_index
    price = tape.prices[ci] if last >= ci else s.base
    opn = high = low = 0
    for i in range(ci + 1, last + 1):
        if tape.kinds[i] != AFTER_HOURS:
            continue
        price = tape.prices[i]
        if not opn:
            opn = high = low = price
        high, low = max(high, price), min(low, price)
    sc = s.scale
    return {"isuSrtCd": inst.code, "opnprc": from_units(opn, sc), "hgprc": from_units(high, sc),
            "lwprc": from_units(low, sc), "trdPrc": from_units(price, sc)}


TABLES: dict[str, RowMaker] = {"lists": _price_row, "ohlclists": _ohlc_row,
                               "quotelists": _quote_row, "ahtohlclists": after_hours_row}


def table(world: World, target: Target, at: datetime, name: str) -> dict[str, Any]:
    """A whole-market table (M1 ``lists``, M2 ``ohlclists``, M5 ``quotelists``, M6
    ``ahtohlclists``): ``{"trdDd", "trdTm", "isuLists"}``, a bare object."""
    make = TABLES[name]
    day, instant, stamp = snapshot(at)
    market = world.market  # the seed's, or another one with the world's market events
    key = (market, name, target.market, instant)
    rows = _SNAPSHOTS.get(key)
    if rows is None:
        issues = params.cash_issues(world.universe, target.market, day)
        rows = _SNAPSHOTS.put(key, [make(market, inst, instant) for inst in issues])
    return {"trdDd": f"{payloads.yyyymmdd(day)}", "trdTm": stamp, "isuLists": rows}


# ------------------------------------------------------------------------ chosen issues
def chosen(world: World, market: str, query: Mapping[str, Any],
           at: datetime) -> list[Instrument]:
    """The instruments of ``isuCd`` (≤ 20, request order, each once) that are cash issues of
    ``market`` listed on the session day; unknown ones are skipped, none → 10040."""
    codes = params.issue_codes(query)
    day = params.session_day(at)
    found: dict[str, Instrument] = {}
    for code in codes:
        inst = world.universe.get(code)
        if (inst is not None and inst.kind in CASH_KINDS and inst.market == market
                and inst.is_listed(day)):
            found.setdefault(inst.code, inst)
    if not found:
        raise exc.IssueNotFound(f"none of the {len(codes)} isuCd codes is an issue of "
                                f"market '{market}'")
    return list(found.values())


def price(world: World, target: Target, query: Mapping[str, Any],
          at: datetime) -> dict[str, Any]:
    """M3: the S5 ``price`` of each chosen issue, ``isuSrtCd`` after ``cmpprevddPrc``."""
    rows = []
    for inst in chosen(world, target.market, query, at):
        row = payloads.stock_price(world.market.quote(inst, at))
        code = row.pop("isuSrtCd")
        rows.append(_insert_after(row, "cmpprevddPrc", "isuSrtCd", code))
    return payloads.envelope({"isulist": rows})


def orderbook(world: World, target: Target, query: Mapping[str, Any],
              at: datetime) -> dict[str, Any]:
    """M4: the S6 ``orderbook`` of each chosen issue (``askStep4BstordRqty`` included,
    multiquote.md Q3), ``isuSrtCd`` last."""
    rows = []
    for inst in chosen(world, target.market, query, at):
        row = payloads.stock_book(world.market.book(inst, at))
        row["isuSrtCd"] = row.pop("isuSrtCd")
        rows.append(row)
    return payloads.envelope({"isulist": rows})


def _insert_after(row: Row, anchor: str, key: str, value: Any) -> Row:
    out: Row = {}
    for name, item in row.items():
        out[name] = item
        if name == anchor:
            out[key] = value
    return out
