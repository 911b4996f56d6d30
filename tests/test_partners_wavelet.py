"""Wavelet integrated quotes (partners.md G2 #23): the documented call, the interval grammar,
agreement with the market REST history and intraday bars, aggregation identities over many
seeds, defaults, caps, the clock and every error."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.partners.wavelet import models
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import load_universe
from sandbox.world.market.reference import fundamentals, reference
from sandbox.world.world import World, WorldSettings
from tests.conftest import (
    F9999_KEY,
    assert_covers,
    assert_partner_error,
    example,
    partner_call,
    partner_get,
    set_clock,
)

PRICES = "/v1/wavelet/prices"  # partners.wavelet_prices
UNIVERSE = load_universe()
KOSPI = [i.code for i in UNIVERSE.select("stock", "kospi")]
KOSDAQ = [i.code for i in UNIVERSE.select("stock", "kosdaq")]
KONEX = UNIVERSE.select("stock", "konex")[0].code
OHLCV = ("open", "high", "low", "close", "volume")


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def prices(client: FlaskClient, codes: str, **params: Any) -> Any:
    return ok(partner_get(client, f"{PRICES}/{codes}", **params))


def points(client: FlaskClient, code: str = "005930", **params: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = prices(client, code, **params)["data"][0]["points"]
    return result


def rest_history(client: FlaskClient, code: str, cycle: str, start: str,
                 end: str) -> list[dict[str, Any]]:
    market = UNIVERSE.get(code).market  # type: ignore[union-attr]
    response = client.get(f"/v2/market/stocks/{market}/{code}/history",
                          query_string={"trnsmCycleTpCd": cycle, "inqStrtDd": start,
                                        "inqEndDd": end, "reqCnt": "100"},
                          headers={"apikey": F9999_KEY})
    rows: list[dict[str, Any]] = ok(response)["result"]["hisLists"]
    return list(reversed(rows))


def as_rest(point: dict[str, Any]) -> dict[str, Any]:
    return {"BzDd": int(point["date"]), "opnprc": point["open"], "hgprc": point["high"],
            "lwprc": point["low"], "trdPrc": point["close"], "accTrdvol": point["volume"]}


def rest_view(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("BzDd", "opnprc", "hgprc", "lwprc", "trdPrc", "accTrdvol")}


def combine(group: list[dict[str, Any]]) -> dict[str, int]:
    return {"open": group[0]["open"], "high": max(p["high"] for p in group),
            "low": min(p["low"] for p in group), "close": group[-1]["close"],
            "volume": sum(p["volume"] for p in group)}


# ------------------------------------------------------------------------------ examples
def test_documented_request_answers_every_documented_key(client: FlaskClient) -> None:
    body = ok(partner_call(client, example("partners/wavelet_prices.request.json")))
    assert_covers("partners/wavelet_prices.proposed.response.json", body)
    stock = body["data"][0]
    assert (stock["symbol"], stock["market"], stock["name_ko"]) == ("005930", "KOSPI", "삼성전자")
    assert (stock["interval"], stock["from"], stock["to"]) == ("1d", "20170403", "20170405")
    assert [p["date"] for p in stock["points"]] == ["20170403", "20170404", "20170405"]
    assert stock["price"] == combine(stock["points"])


# ------------------------------------------------------------------- market agreement
@pytest.mark.parametrize(("interval", "cycle", "start", "end"), [
    ("1d", "D", "20260801", "20261124"), ("1d", "D", "20170403", "20170405"),
    ("1w", "W", "20260601", "20261124"), ("1M", "M", "20220101", "20261124"),
])
def test_points_equal_the_market_rest_history(client: FlaskClient, interval: str, cycle: str,
                                              start: str, end: str) -> None:
    for code in ("005930", KOSDAQ[3]):
        ours = points(client, code, interval=interval, **{"from": start, "to": end})
        rest = rest_history(client, code, cycle, start, end)
        assert ours and [as_rest(p) for p in ours] == [rest_view(r) for r in rest]


def test_minute_points_equal_the_market_intraday_bars(client: FlaskClient) -> None:
    ours = points(client, "000660", interval="1m")
    response = client.get("/v2/market/stocks/kospi/000660/intraday",
                          query_string={"inddCycleTpCd": "60", "strtTm": "0800",
                                        "endTm": "2400"}, headers={"apikey": F9999_KEY})
    rest = list(reversed(ok(response)["result"]["hisLists"]))
    assert len(ours) == len(rest) > 30
    previous = 0
    for point, bar in zip(ours, rest, strict=True):
        end = int(bar["inddTm"]) // 10_000  # HHMM of the bar's end (or last trade)
        minute = end // 100 * 60 + end % 100
        start = minute - 1 if int(bar["inddTm"]) % 10_000 == 0 else minute
        assert point["time"] == f"{start // 60:02d}{start % 60:02d}"
        assert (point["open"], point["high"], point["low"], point["close"]) == \
            (bar["inddOpnprc"], bar["inddHgprc"], bar["inddLwprc"], bar["inddClsprc"])
        assert point["volume"] == bar["inddTrdvol"] - previous
        previous = bar["inddTrdvol"]


def test_intraday_buckets_aggregate_minutes(client: FlaskClient) -> None:
    window = {"from": "20261120", "to": "20261124"}
    minutes = points(client, interval="1m", **window)
    for interval, size in (("32m", 32), ("1h", 60), ("2h", 120)):
        buckets = points(client, interval=interval, **window)
        groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for p in minutes:
            minute = int(p["time"][:2]) * 60 + int(p["time"][2:])
            key = (p["date"], 540 + (minute - 540) // size * size)
            groups.setdefault(key, []).append(p)
        assert len(buckets) == len(groups)
        for b, (key, group) in zip(buckets, groups.items(), strict=True):
            assert (b["date"], b["time"]) == (key[0], f"{key[1] // 60:02d}{key[1] % 60:02d}")
            assert {k: b[k] for k in OHLCV} == combine(group)
    days = {p["date"] for p in minutes}
    assert days == {"20261120", "20261123", "20261124"}
    daily = points(client, interval="1d", **window)
    for d in daily[:-1]:  # finished days: the minutes add up to the day, whose close is the
        day = [p for p in minutes if p["date"] == d["date"]]  # 15:30 closing auction's
        assert {k: v for k, v in combine(day).items() if k != "close"} == \
            {k: d[k] for k in OHLCV if k != "close"}
        assert [p["close"] for p in day if p["time"] == "1529"] == [d["close"]]


def test_longer_intervals_aggregate_days(client: FlaskClient) -> None:
    window = {"from": "20250101", "to": "20261124"}
    daily = points(client, interval="1d", **window)
    three = points(client, interval="3d", **window)
    assert [p["date"] for p in three] == [daily[i]["date"]
                                          for i in range(2, len(daily), 3)] + \
        ([daily[-1]["date"]] if len(daily) % 3 else [])
    for k, p in enumerate(three):
        assert {f: p[f] for f in OHLCV} == combine(daily[3 * k:3 * k + 3])
    yearly = points(client, interval="1y", **window)
    assert [p["date"] for p in yearly] == ["20251230", "20261124"]
    assert {f: yearly[0][f] for f in OHLCV} == \
        combine([p for p in daily if p["date"] <= "20251231"])
    monthly = points(client, interval="1M", **window)
    quarters = points(client, interval="3M", **window)
    assert len(quarters) == 8
    for k, q in enumerate(quarters):
        assert {f: q[f] for f in OHLCV} == combine(monthly[3 * k:3 * k + 3])
        assert q["date"] == monthly[min(3 * k + 2, len(monthly) - 1)]["date"]


def test_info_price_and_several_issues(client: FlaskClient, state: SandboxState) -> None:
    codes = ["005930", KOSDAQ[0], "005930", "069500"]
    body = prices(client, ",".join(codes), **{"from": "20261101"})
    assert body["found"] and [s["symbol"] for s in body["data"]] == ["005930", KOSDAQ[0],
                                                                     "069500"]
    world = state.world
    for stock in body["data"]:
        inst = UNIVERSE.get(stock["symbol"])
        assert inst is not None and stock["market"] == inst.market.upper()
        assert (stock["name_ko"], stock["name_en"]) == (inst.name, inst.name_en)
        last = stock["points"][-1]
        per, pbr, _ = fundamentals(world.market, inst, date(2026, 11, 24)).ratios(last["close"])
        assert stock["info"] == {"par_value": inst.par_value,
                                 "capital": reference(world.seed, inst).capital,
                                 "per": per, "pbr": pbr}
        assert stock["price"] == combine(stock["points"])


# --------------------------------------------------------------------- defaults, caps
def test_defaults_and_caps(client: FlaskClient) -> None:
    stock = prices(client, "005930")["data"][0]
    assert (stock["interval"], stock["from"], stock["to"]) == ("1d", "20260825", "20261124")
    assert stock["points"][-1]["date"] == "20261124"
    assert prices(client, "005930", interval="1w")["data"][0]["from"] == "20251123"
    intraday = prices(client, "005930", interval="10m")["data"][0]
    assert intraday["from"] == intraday["to"] == "20261124"
    assert {p["date"] for p in intraday["points"]} == {"20261124"}
    everything = points(client, interval="1d", **{"from": "19850101"})
    assert len(everything) == models.MAX_POINTS and everything[-1]["date"] == "20261124"
    assert everything[0]["date"] > "20000104"


def test_a_range_before_the_listing_has_no_points(client: FlaskClient) -> None:
    body = prices(client, "293490", **{"from": "20170101", "to": "20170301"})  # listed 2020
    assert body["found"] is False
    stock = body["data"][0]
    assert stock["points"] == [] and set(stock["price"].values()) == {None}
    assert stock["info"]["per"] is None and stock["info"]["capital"] > 0
    future = prices(client, "005930", **{"from": "20261201", "to": "20261231"})
    assert future["found"] is False


def test_the_clock_decides_the_last_point(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T08:00:00+09:00")
    assert points(client)[-1]["date"] == "20261123"
    assert points(client, interval="1m") == []
    set_clock(state, "2026-11-24T15:45:00+09:00")
    last = points(client)[-1]
    rest = rest_history(client, "005930", "D", "20261124", "20261124")
    assert as_rest(last) == rest_view(rest[-1])


def test_same_request_same_bytes(client: FlaskClient) -> None:
    query = {"interval": "32m", "from": "20261120"}
    first = partner_get(client, f"{PRICES}/005930,000660", **query)
    assert first.status_code == 200
    assert first.get_data() == partner_get(client, f"{PRICES}/005930,000660",
                                           **query).get_data()


# ---------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(("codes", "params", "parameter"), [
    ("999999", {}, "issuecode"), ("K1", {}, "issuecode"), ("101N6000", {}, "issuecode"),
    (KONEX, {}, "issuecode"), ("005930,", {}, "issuecode"), ("005930,abc", {}, "issuecode"),
    (",".join(KOSPI[:21]), {}, "issuecode"),
    ("005930", {"interval": "0d"}, "interval"), ("005930", {"interval": "1D"}, "interval"),
    ("005930", {"interval": "d"}, "interval"), ("005930", {"interval": "1.5h"}, "interval"),
    ("005930", {"interval": "1441m"}, "interval"), ("005930", {"interval": "25h"}, "interval"),
    ("005930", {"interval": "10000d"}, "interval"),
    ("005930", {"from": "2026111"}, "from"), ("005930", {"from": "20261131"}, "from"),
    ("005930", {"to": "20260229"}, "to"),
    ("005930", {"from": "20261124", "to": "20261120"}, "from"),
    ("005930", {"interval": "1m", "from": "20261001"}, "from"),
    ("005930", {"interval": "1h", "from": "20261101", "to": "20261124"}, "from"),
    (",".join(KOSPI[:20]), {"from": "20200101"}, "from"),
])
def test_errors_name_the_parameter(client: FlaskClient, codes: str, params: dict[str, str],
                                   parameter: str) -> None:
    response = partner_get(client, f"{PRICES}/{codes}", **params)
    assert_partner_error(response, "wavelet", parameter)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=8))
def test_any_interval_is_a_200_or_a_400(text: str) -> None:
    try:
        count, unit = models.interval_of({"interval": text})
    except models.PartnerError as exc:
        assert exc.description == "interval"
    else:
        assert f"{count}{unit}" == text


DATES = st.one_of(st.dates(date(1900, 1, 1), date(2999, 12, 31)).map(lambda d: f"{d:%Y%m%d}"),
                  st.from_regex(r"\A[0-9]{8}\Z"), st.text(max_size=9))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(DATES, DATES, st.sampled_from(["1d", "2w", "1M", "3y", "30m", "1h"]))
def test_any_dates_are_a_200_or_a_400(client: FlaskClient, start: str, end: str,
                                      interval: str) -> None:
    response = partner_get(client, f"{PRICES}/005930", interval=interval,
                           **{"from": start, "to": end})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert response.get_json()["description"] in ("from", "to")


# -------------------------------------------------------------------------- properties
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from(KOSPI[:40] + KOSDAQ[:40]),
       st.dates(date(2005, 1, 1), date(2026, 6, 30)), st.integers(5, 200),
       st.sampled_from(["1d", "4d", "1w", "3w", "1M", "2M", "1y"]))
def test_aggregation_identities(seed: int, code: str, start: date, days: int,
                                interval: str) -> None:
    world = World(WorldSettings(seed=seed, clock="2026-11-24T10:00:00+09:00", users=0))
    inst = UNIVERSE.get(code)
    assert inst is not None
    end = start + timedelta(days=days)
    now = cal.kst(world.now())
    count, unit = models.interval_of({"interval": interval})
    stock = models.stock(world, inst, interval, count, unit, start, end, now)
    pts = stock["points"]
    first = models.daily_span(count, unit, start, end)
    assert first is not None
    daily = list(reversed(world.market.history(inst, first[0], end, "D", at=now)))
    inside = [b for b in daily if b.day >= start]
    if inside and unit != "d":  # whole periods from the one of the first day in the range
        key = models.period_key(inside[0].day, unit)
        daily = [b for b in daily if b.day >= start or models.period_key(b.day, unit) == key]
    assert sum(p["volume"] for p in pts) == sum(b.volume for b in daily)
    if pts:
        assert stock["price"] == combine(pts)
        assert pts[-1]["close"] == daily[-1].close and pts[0]["open"] == daily[0].open
        assert max(p["high"] for p in pts) == max(b.high for b in daily)
        dates = [p["date"] for p in pts]
        assert dates == sorted(set(dates))
        assert all(cal.is_trading_day(datetime.strptime(d, "%Y%m%d").date()) for d in dates)
    if interval in ("1w", "1M"):
        rest = list(reversed(world.market.history(inst, start, end, unit.upper(), at=now)))
        assert [(p["date"], p["open"], p["high"], p["low"], p["close"], p["volume"])
                for p in pts] == [(f"{b.day:%Y%m%d}", b.open, b.high, b.low, b.close, b.volume)
                                  for b in rest]
