"""Time series shared by every market family: closing bar, daily history, intraday bars.

Stocks, futures, options and indices answer these three with the same shapes (market README
§6, stocks.md S4/S12/S15, futures.md F3/F6/F7, index.md I1/I6/I7); the family modules add their
own fields (open interest, index totals) around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from sandbox.families.market import exceptions as exc
from sandbox.families.market import params, payloads
from sandbox.world.market.bars import Bar
from sandbox.world.market.instruments import Instrument
from sandbox.world.world import World

CYCLES = {"10": 10, "60": 60, "600": 600}  # inddCycleTpCd (seconds)


def closing_bar(world: World, inst: Instrument, at: datetime, publication: time) -> Bar:
    """The final bar of the day visible at ``at`` (400 before ``publication`` on a business
    day, ERRATA 26); 10010 when the instrument did not trade that day."""
    day = params.published_day(at, publication)
    bar = world.market.closing_bar(inst, day)
    if bar is None:
        raise exc.NoData(f"{inst.code} did not trade on {day:%Y%m%d}")
    return bar


def closeprice(world: World, inst: Instrument, at: datetime, publication: time) -> dict[str, Any]:
    """``closeprice`` of a stock, future or option."""
    bar = closing_bar(world, inst, at, publication)
    return payloads.envelope(payloads.close_fields(bar, inst.code))


def history_bars(world: World, inst: Instrument, query: Mapping[str, Any],
                 at: datetime) -> list[Bar]:
    """Bars for ``trnsmCycleTpCd``/``inqStrtDd``/``inqEndDd``/``reqCnt``, newest first: from
    the last business day ≤ ``inqEndDd`` (today's running bar included while trading) back to
    ``inqStrtDd`` or ``reqCnt`` rows (README §6)."""
    start, end = params.period(query)
    cycle = str(query.get("trnsmCycleTpCd"))
    return world.market.history(inst, start, end, cycle, at=at, limit=params.req_cnt(query))


def history(world: World, inst: Instrument, query: Mapping[str, Any], at: datetime, *,
            echo: str | None = None, open_interest: bool = False) -> dict[str, Any]:
    """``history`` (stocks S15, indices I7; futures/options add ``opnintQty``)."""
    rows = [payloads.history_row(bar, open_interest=open_interest)
            for bar in history_bars(world, inst, query, at)]
    return payloads.his_lists(echo or inst.code, rows)


def intraday(world: World, inst: Instrument, query: Mapping[str, Any], at: datetime, *,
             echo: str | None = None, day: date | None = None) -> dict[str, Any]:
    """``intraday``: at most 100 bars of 10 s / 1 min / 10 min between ``strtTm`` and
    ``endTm`` of ``inqStrtDd`` (default: today), newest first, labelled with their end time;
    the open bar carries its last update time (stocks.md S12). ``day``: ``inqStrtDd`` when
    the caller has already read it (:func:`params.intraday_day`)."""
    cycle = CYCLES.get(str(query.get("inddCycleTpCd")))
    if cycle is None:
        raise exc.InputError("inddCycleTpCd must be 10, 60 or 600")
    day = day or params.intraday_day(query, at)
    start, end = params.hhmm(query, "strtTm"), params.hhmm(query, "endTm")
    if start > end:
        raise exc.BadPeriod(f"strtTm {start:%H%M} is after endTm {end:%H%M}")
    bars = world.market.intraday_bars(inst, day, cycle, start, end, at=at,
                                      limit=params.MAX_ROWS)
    return payloads.his_lists(echo or inst.code, [payloads.intraday_row(b) for b in bars])
