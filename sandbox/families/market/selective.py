"""The selectable master (selective.md §1-§2): ``selectivemaster?item&item…``.

Items are bare query keys (``?prevddClsprc&wk52HgstPrc``), at most 10, answered next to the
always-present ``isuSrtCd`` with the key spelled as requested (aliases: the KRX100 flag as
``krx100IsuYn``/``isuTrdvol``/``업종``, the English name as ``IsuEngNm``/``isuEngNm``, the short
volume as ``srtsellTrdVol``/``srtsellTrdvol``). Values are exactly those of the endpoints that
also carry the item: ``master`` for the master items, ``shortsell`` (previous business day) for
the short-selling items, and the daily statistics of :mod:`sandbox.world.market.stats` for the
moving averages and 52-week figures — all as of the 06:30 batch.

Errors (selective.md "Recommended behaviour"): no item → 20120, more than 10 → 20055, an
unknown item → 10050. Items that do not apply to the issue answer what ``master`` would (0).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sandbox.families.market import exceptions as exc
from sandbox.families.market import flows, params, payloads, stocks
from sandbox.families.market.params import Target
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import Instrument
from sandbox.world.market.reference import reference
from sandbox.world.market.stats import AVERAGE_DAYS, DISPARITY_DAYS, DailyStats, daily_stats
from sandbox.world.world import World

MAX_ITEMS = 10
NOT_ITEMS = frozenset({"apikey"})

# query key -> key of the master's result (selective.md §2 items 1-41, 76, 77)
MASTER_ITEMS: dict[str, str] = {name: name for name in (
    "isuCd", "isuKorAbbrv", "secugrpId", "mktWarnTpCd", "admisuYn", "haltYn",
    "idxIndMidclssCd", "mktcapScaleCd", "mfindYn", "smeYn", "kospiYn", "kospi100Yn",
    "kospi50Yn", "basPrc", "prevddClsprc", "prevddAccTrdvol", "prevddAccTrdval", "uplmtprc",
    "lwlmtprc", "sbPrc", "parval", "isuPrc", "listDd", "listShrs", "arrantrdYn",
    "creditOrdPosblYn", "regulssQtyUnit", "invstcautnRemndIsuYn", "srttrmOverheatIsuTpCd",
    "eps", "per", "bps", "pbr", "dps", "divYd", "acntclsCd", "adjStkprcCalcYn", "prevddNav",
    "acntclsMm", "isuEngNm")} | {
    "krx100IsuYn": "isuTrdvol", "isuTrdvol": "isuTrdvol", "업종": "isuTrdvol",
    "IsuEngNm": "isuEngNm"}

# query key -> field of the previous business day's shortsell row (items 42-45)
SHORT_ITEMS = {"srtsellTrdVol": "volume", "srtsellTrdvol": "volume", "srtsellTrdAmt": "amount",
               "lendBalQty": "lend_qty", "lendBalAmt": "lend_amount"}


def _average(table: str, n: int) -> Callable[[DailyStats], int]:
    return lambda s: round(getattr(s, table)[n])


def _disparity(n: int) -> Callable[[DailyStats], float]:
    return lambda s: s.disparity[n]


def _stat_items() -> dict[str, Callable[[DailyStats], Any]]:
    items: dict[str, Callable[[DailyStats], Any]] = {}
    for n in AVERAGE_DAYS:
        items[f"dd{n}AvgPrc"] = _average("average_price", n)
        items[f"dd{n}AvgTrdVol"] = _average("average_volume", n)
        items[f"dd{n}AvgTrdAmt"] = _average("average_value", n)
    for n in DISPARITY_DAYS:
        items[f"dd{n}AvgDp"] = _disparity(n)
    items.update({
        "wk52HgstPrc": lambda s: round(s.high_52w),
        "wk52LwstPrc": lambda s: round(s.low_52w),
        "wk52HgstprcDd": lambda s: payloads.yyyymmdd(s.high_52w_day) if s.high_52w_day else 0,
        "wk52LwstprcDd": lambda s: payloads.yyyymmdd(s.low_52w_day) if s.low_52w_day else 0,
        "wk52HgstTrdvol": lambda s: s.max_volume_52w,
        "wk52LwstTrdvol": lambda s: s.min_volume_52w,
    })
    return items


STAT_ITEMS = _stat_items()
REFERENCE_ITEMS = {"liquShrs": "free_float", "DebtRt": "debt_ratio", "CrdtGrd": "credit_grade",
                   "Cap": "capital"}
OTHER_ITEMS = ("trdDd", "BzDd", "srtsellOverheatDd")
ITEMS = frozenset(MASTER_ITEMS) | frozenset(SHORT_ITEMS) | frozenset(STAT_ITEMS) | frozenset(
    REFERENCE_ITEMS) | frozenset(OTHER_ITEMS)


def requested_items(query: Mapping[str, Any]) -> list[str]:
    """The item names of the query, in order, once each (``isuSrtCd`` is always answered)."""
    names = [k for k in dict.fromkeys(query) if k not in NOT_ITEMS and k != "isuSrtCd"]
    if not names:
        raise exc.CheckInput("name at least one item, e.g. ?prevddClsprc&wk52HgstPrc")
    if len(names) > MAX_ITEMS:
        raise exc.InputError(f"{len(names)} items requested; at most {MAX_ITEMS}")
    unknown = [n for n in names if n not in ITEMS]
    if unknown:
        raise exc.DataFidNotFound(f"unknown item '{unknown[0][:40]}'")
    return names


def operated_day(at: datetime) -> date:
    """``BzDd`` (item 75): the last day the market operated, today once it has opened."""
    day, cs = cal.split_instant(at)
    if cal.is_trading_day(day):
        return day if cs >= cal.schedule(day).open else cal.previous_trading_day(day)
    return cal.last_trading_day_on_or_before(day)


def _value(world: World, inst: Instrument, name: str, at: datetime,
           cache: dict[str, Any]) -> Any:
    batch = params.batch_day(at)
    previous = cal.previous_trading_day(batch)
    if name in MASTER_ITEMS:
        if "master" not in cache:
            cache["master"] = stocks.master_fields(world, inst, at)
        return cache["master"][MASTER_ITEMS[name]]
    if name in SHORT_ITEMS:
        if "short" not in cache:
            cache["short"] = flows.short_sale(world, inst, previous)
        return getattr(cache["short"], SHORT_ITEMS[name])
    if name in STAT_ITEMS:
        if "stats" not in cache:
            cache["stats"] = daily_stats(world.market, inst, previous)
        return STAT_ITEMS[name](cache["stats"])
    if name in REFERENCE_ITEMS:
        return getattr(reference(world.seed, inst), REFERENCE_ITEMS[name])
    if name == "trdDd":
        return f"{payloads.yyyymmdd(batch)}"
    if name == "BzDd":
        return payloads.yyyymmdd(operated_day(at))
    return 0  # srtsellOverheatDd: no issue is designated in the default world


def selectivemaster(world: World, target: Target, query: Mapping[str, Any],
                    at: datetime) -> dict[str, Any]:
    """S3: ``isuSrtCd`` and the requested items of one issue."""
    inst = target.inst
    cache: dict[str, Any] = {}
    result: dict[str, Any] = {"isuSrtCd": inst.code}
    for name in requested_items(query):
        result[name] = _value(world, inst, name, at, cache)
    return payloads.envelope(result)
