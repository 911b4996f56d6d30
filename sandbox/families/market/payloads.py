"""Wire shapes shared by the market endpoints: envelope, price rows, books, bars.

Key names and order follow the documented payloads (market README §3.7: payload wins over the
tables); values come from the market model (:mod:`sandbox.world.market.prices`) unchanged:
stock prices are ``int`` KRW, index/futures/options values ``float`` points.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.world.market.bars import Bar, IntradayBar
from sandbox.world.market.instruments import Instrument
from sandbox.world.market.snapshot import Book, Quote

# map_to / isuSrtCd suffixes (codes.md §6.6)
_SUFFIX = {("stock", "kospi"): "001", ("stock", "kosdaq"): "003", ("stock", "konex"): "004",
           ("future", "kospi200"): "005", ("option", "kospi200"): "006",
           ("future", "mini_kospi200"): "103", ("option", "mini_kospi200"): "106"}


def envelope(result: Any) -> dict[str, Any]:
    """The JSON-RPC shape without id/method (README §3.1)."""
    return {"jsonrpc": "2.0", "result": result}


def yyyymmdd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def map_to(inst: Instrument) -> str:
    """The internal key ``<code>*<suffix>`` of lists and a few payloads (codes.md §6.6)."""
    kind = "stock" if inst.kind in ("stock", "etf", "etn", "elw") else inst.kind
    suffix = _SUFFIX.get((kind, inst.market))
    if suffix is None:  # other derivative markets: a stable three-digit number per market
        suffix = f"{200 + sum(map(ord, inst.market)) % 700:03d}"
    return f"{inst.code}*{suffix}"


def list_row(inst: Instrument) -> dict[str, Any]:
    """One ``isuLists`` element of the stocks/futures/options ``lists`` (bare object)."""
    return {"isuSrtCd": inst.code, "isuCd": inst.isin, "isuKorNm": inst.korean_name,
            "isuKorAbbr": inst.name, "map_to": map_to(inst)}


def lists(day: date, end_time: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"trdDd": f"{yyyymmdd(day)}", "mktEndTm": end_time, "isuLists": rows}


def stock_price(q: Quote, code: str | None = None) -> dict[str, Any]:
    """Stocks S5 ``price`` (the 14-item preset), in the seed payload's order."""
    return {
        "isuSrtCd": code or q.code, "trdPrc": q.price, "cmpprevddTpCd": q.change_code,
        "opnprc": q.open, "hgprc": q.high, "lwprc": q.low, "accTrdvol": q.volume,
        "trdTm": q.trade_time, "trdvol": q.last_qty, "accTrdval": q.value,
        "cmpprevddPrc": q.change, "bidordPrc_1": q.bid, "askordPrc_1": q.ask,
        "lstAskbidTpCd": q.side,
    }


def stock_book(b: Book, code: str | None = None) -> dict[str, Any]:
    """Stocks S6 ``orderbook``: ten levels each side, totals and the expected auction match."""
    out: dict[str, Any] = {"isuSrtCd": code or b.code}
    sides = (("ask", b.ask_prices, b.ask_qtys), ("bid", b.bid_prices, b.bid_qtys))
    for side, prices, qtys in sides:
        for n, price in enumerate(prices, 1):
            out[f"{side}Step{n}BstordPrc"] = price
        for n, qty in enumerate(qtys, 1):
            out[f"{side}Step{n}BstordRqty"] = qty
    out.update({
        "askordTotRqty": b.ask_total, "bidordTotRqty": b.bid_total,
        "pstoffhrAskTotOrdRqty": b.post_close_ask_total,
        "pstoffhrBidTotOrdRqty": b.post_close_bid_total,
        "accTrdvol": b.volume, "deemTrdPrc": b.expected_price, "deemTrdvol": b.expected_volume,
        "deemAccTrdvol": b.expected_acc_volume,
    })
    return out


def close_fields(bar: Bar, code: str) -> dict[str, Any]:
    """``closeprice`` (stocks S4, futures F3, options O3): a day's final OHLCV."""
    return {"isuSrtCd": code, "trdPrc": bar.close, "cmpprevddTpCd": bar.change_code,
            "opnprc": bar.open, "hgprc": bar.high, "lwprc": bar.low, "accTrdvol": bar.volume,
            "accTrdval": bar.value, "cmpprevddPrc": bar.change}


def history_row(bar: Bar, *, open_interest: bool = False) -> dict[str, Any]:
    """One ``hisLists`` row of ``history`` (v2 payload key ``BzDd``, README §9.6)."""
    row: dict[str, Any] = {
        "BzDd": yyyymmdd(bar.day), "trdPrc": bar.close, "cmpprevddTpCd": bar.change_code,
        "opnprc": bar.open, "hgprc": bar.high, "lwprc": bar.low, "accTrdvol": bar.volume,
        "accTrdval": bar.value, "cmpprevddPrc": bar.change,
    }
    if open_interest:
        row["opnintQty"] = bar.open_interest
    return row


def intraday_row(bar: IntradayBar) -> dict[str, Any]:
    """One intraday bar, v2 (2018) shape: ``inddTrdvol`` is the running day volume at the bar's
    end (stocks.md S12); ``inddTm`` is a string without the leading zero."""
    return {"inddTm": str(bar.time), "inddOpnprc": bar.open, "inddHgprc": bar.high,
            "inddLwprc": bar.low, "inddClsprc": bar.close, "inddTrdvol": bar.acc_volume}


def his_lists(code: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return envelope({"isuSrtCd": code, "hisLists": rows})
