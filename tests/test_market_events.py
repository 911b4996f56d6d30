"""Market events (sandbox.world.market.events): halts, limit locks and price shocks shown
consistently by the REST market endpoints, the master's ``haltYn``, the order service and the
streams; the plain shared market while a world has none; determinism; tape invariants."""

from __future__ import annotations

import time as wall
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.streaming import models
from sandbox.world.market import calendar as cal
from sandbox.world.market import events, rules
from sandbox.world.market import feed as market_feed
from sandbox.world.market.events import MarketEvent, MarketEventError
from sandbox.world.market.instruments import INDEX, Instrument
from sandbox.world.world import World, market_of
from tests.conftest import market_get, ok, result, set_clock
from tests.test_order import fields, last_report, place, reports_of, send

DAY = date(2026, 11, 24)  # the frozen clock's trading day (10:00 KST)
NEXT = date(2026, 11, 25)
SAMSUNG = "/v2/market/stocks/kospi/005930"
K1 = "/v2/market/index/kospi/K1"
HALT_TEXT = "거래정지 종목 (trading halt)"


def at(hhmm: str, day: date = DAY) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=cal.KST)


def inst_of(world: World, code: str) -> Instrument:
    found = world.universe.get(code)
    assert found is not None
    return found


def plain(code: str) -> tuple[Instrument, Any]:
    """An instrument and the plain market of the default seed (what a world without events
    shows)."""
    market = market_of(42)
    found = market.model.lookup(code)
    assert found is not None
    return found, market


def ok_bytes(response: Any) -> bytes:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data  # type: ignore[no-any-return]


def history_row(client: FlaskClient, day: str) -> dict[str, Any]:
    rows = result(client, f"{SAMSUNG}/history", trnsmCycleTpCd="D", inqStrtDd=day,
                  inqEndDd=day, reqCnt="1")["hisLists"]
    assert len(rows) == 1 and str(rows[0]["BzDd"]) == day
    return rows[0]  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------- the store
def test_no_events_is_the_very_same_market_and_changes_rebuild_it(state: SandboxState) -> None:
    world = state.world
    assert world.market is market_of(42)
    events.add(world, MarketEvent("halt", "KR7005930003", at("09:30"), source="s"))
    first = world.market
    assert isinstance(first, events.EventMarket) and world.market is first  # cached
    assert first.model.factors is market_of(42).model.factors  # shares the model
    assert events.all_events(world) == [MarketEvent("halt", "005930", at("09:30"), None, 0.0,
                                                    "s")]
    events.add(world, MarketEvent("shock", "K1", at("09:00"), percent=-1.5))
    assert world.market is not first  # a new version
    assert events.remove(world, "s") == 1 and events.remove(world, "s") == 0
    assert events.remove(world, "") == 1
    assert world.market is market_of(42)
    record = world.store.scan(events.KIND)
    assert record == []


@pytest.mark.parametrize(("kind", "code", "percent", "message"), [
    ("pause", "005930", 0.0, "unknown market event"),
    ("halt", "999999", 0.0, "unknown instrument"),
    ("halt", "K1", 0.0, "not to the index"),
    ("limit_up", "K1", 0.0, "not to the index"),
    ("shock", "005930", -100.0, "percent"),
    ("shock", "005930", 0.0, "percent"),
    ("shock", "005930", float("nan"), "percent"),
    ("halt", "005930", 5.0, "shocks only"),
])
def test_invalid_events_are_refused(state: SandboxState, kind: str, code: str, percent: float,
                                    message: str) -> None:
    with pytest.raises(MarketEventError, match=message):
        events.add(state.world, MarketEvent(kind, code, at("10:00"), percent=percent))
    with pytest.raises(MarketEventError, match="not after start"):
        events.add(state.world, MarketEvent("halt", "005930", at("10:00"), at("10:00")))
    assert events.all_events(state.world) == []
    assert events.validate(state.world, "limit_down", "KR4101N60009") == "101N6000"


def test_active_and_resume_end_only_the_open_events(state: SandboxState) -> None:
    world = state.world
    events.add(world, MarketEvent("halt", "005930", at("09:30"), at("11:00")))
    events.add(world, MarketEvent("shock", "005930", at("13:00"), percent=3.0))  # later
    events.add(world, MarketEvent("limit_up", "000660", at("09:00")))
    assert [e.kind for e in events.active(world, at("10:00"))] == ["halt", "limit_up"]
    assert events.resume(world, "005930", at("10:15")) == 1
    assert events.all_events(world)[0].end == at("10:15")
    assert not events.halted(world, "005930", at("10:15"))
    assert events.halted(world, "005930", at("10:14"))
    assert events.halted(world, "KR7005930003", at("10:14"))  # an ISIN names its issue
    assert events.locked(world, "000660", at("15:00")) == 1
    assert events.locked(world, "000660", at("09:00", NEXT)) == 0  # events last for their day
    assert [e.kind for e in events.active(world, at("14:00"))] == ["shock", "limit_up"]


# ------------------------------------------------------------------------------------ halt
def test_a_halt_freezes_the_quote_empties_the_book_and_shows_halt_yn(
        client: FlaskClient, state: SandboxState) -> None:
    inst, base = plain("005930")
    before = [t for t in base.trades(inst, DAY, until=at("09:30")) if t.time < 9300000]
    assert result(client, f"{SAMSUNG}/master")["haltYn"] == "N"
    events.add(state.world, MarketEvent("halt", "005930", at("09:30"), at("11:00")))
    for clock in ("2026-11-24T10:00:00+09:00", "2026-11-24T10:59:59+09:00"):
        set_clock(state, clock)
        price = result(client, f"{SAMSUNG}/price")
        assert (price["trdPrc"], price["accTrdvol"], price["trdvol"]) == (
            before[-1].price, before[-1].acc_volume, before[-1].qty)
        assert (price["bidordPrc_1"], price["askordPrc_1"]) == (0, 0)
        book = result(client, f"{SAMSUNG}/orderbook")
        assert all(book[f"{side}Step{n}BstordPrc"] == 0 for side in ("ask", "bid")
                   for n in range(1, 11))
        assert book["accTrdvol"] == before[-1].acc_volume
        assert result(client, f"{SAMSUNG}/master")["haltYn"] == "Y"
        assert result(client, f"{SAMSUNG}/selectivemaster", haltYn="")["haltYn"] == "Y"
    set_clock(state, "2026-11-24T11:30:00+09:00")
    assert result(client, f"{SAMSUNG}/master")["haltYn"] == "N"
    trades = state.world.market.trades(inst, DAY, until=at("11:30"))
    assert not [t for t in trades if 9300000 <= t.time < 11000000]
    removed = sum(t.qty for t in base.trades(inst, DAY) if 9300000 <= t.time < 11000000)
    price = result(client, f"{SAMSUNG}/price")
    plain_quote = base.quote(inst, at("11:30"))
    assert (price["trdPrc"], price["accTrdvol"]) == (plain_quote.price,
                                                     plain_quote.volume - removed)
    assert price["bidordPrc_1"] > 0 and price["askordPrc_1"] > 0


def test_resume_restores_trading(client: FlaskClient, state: SandboxState) -> None:
    inst, base = plain("005930")
    events.add(state.world, MarketEvent("halt", "005930", at("09:30")))  # until the day's end
    set_clock(state, "2026-11-24T14:00:00+09:00")
    frozen = result(client, f"{SAMSUNG}/price")
    assert frozen["accTrdvol"] == [t for t in base.trades(inst, DAY) if t.time < 9300000][
        -1].acc_volume
    assert events.resume(state.world, "005930", at("14:00")) == 1
    set_clock(state, "2026-11-24T14:30:00+09:00")
    price = result(client, f"{SAMSUNG}/price")
    removed = sum(t.qty for t in base.trades(inst, DAY) if 9300000 <= t.time < 14000000)
    plain_quote = base.quote(inst, at("14:30"))
    assert (price["trdPrc"], price["accTrdvol"]) == (plain_quote.price,
                                                     plain_quote.volume - removed)
    assert result(client, f"{SAMSUNG}/master")["haltYn"] == "N"
    volumes = [t.acc_volume for t in state.world.market.trades(inst, DAY)]
    assert volumes == sorted(volumes) and len(set(volumes)) == len(volumes)


# ------------------------------------------------------------------------------ limit lock
def test_limit_up_pins_the_price_and_the_days_close(client: FlaskClient,
                                                    state: SandboxState) -> None:
    inst, base = plain("005930")
    events.add(state.world, MarketEvent("limit_up", "005930", at("14:00")))
    set_clock(state, "2026-11-24T14:30:00+09:00")
    price = result(client, f"{SAMSUNG}/price")
    upper = result(client, f"{SAMSUNG}/master")["uplmtprc"]
    assert upper == base.quote(inst, at("14:30")).upper_limit
    assert (price["trdPrc"], price["hgprc"], price["cmpprevddTpCd"]) == (upper, upper, "1")
    assert (price["bidordPrc_1"], price["askordPrc_1"]) == (upper, 0)  # a bid wall, no sellers
    assert price["cmpprevddPrc"] == upper - base.quote(inst, at("14:30")).base
    set_clock(state, "2026-11-24T16:00:00+09:00")
    assert result(client, f"{SAMSUNG}/closeprice")["trdPrc"] == upper
    assert history_row(client, "20261124")["trdPrc"] == upper
    set_clock(state, "2026-11-25T10:00:00+09:00")
    final = history_row(client, "20261124")
    assert (final["trdPrc"], final["hgprc"], final["cmpprevddTpCd"]) == (upper, upper, "1")
    assert final["accTrdvol"] == state.world.market.trades(inst, DAY)[-1].acc_volume
    # events last for their day: the next basPrc is the model's previous close
    assert result(client, f"{SAMSUNG}/master")["basPrc"] == base.quote(inst, at("10:00",
                                                                                NEXT)).base
    bars = state.world.market.intraday_bars(inst, DAY, 600, at=at("10:00", NEXT), limit=500)
    assert max(b.high for b in bars) == upper == bars[0].close


def test_limit_down_on_a_future(state: SandboxState) -> None:
    world = state.world
    future = world.universe.select("future", "kospi200", DAY)[0]
    events.add(world, MarketEvent("limit_down", future.code, at("11:00")))
    quote = world.market.quote(future, at("12:00"))
    assert quote.low <= quote.price == quote.lower_limit and quote.change_code == "4"
    assert world.market.closing_bar(future, DAY).close == quote.lower_limit  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------- shock
def test_a_shock_moves_an_index_and_a_stock_onto_the_grid(client: FlaskClient,
                                                          state: SandboxState) -> None:
    stock, base = plain("005930")
    index = inst_of(state.world, "K1")
    before_index = result(client, f"{K1}/index")["trdPrc"]
    before_stock = base.quote(stock, at("10:00"))
    events.add(state.world, MarketEvent("shock", "K1", at("09:00"), percent=-8.5))
    events.add(state.world, MarketEvent("shock", "005930", at("09:30"), percent=7.0))
    expected_index = rules.from_units(rules.grid_for(index, DAY).nearest(
        rules.to_units(before_index, 1000) * 0.915), 1000)
    assert result(client, f"{K1}/index")["trdPrc"] == expected_index
    grid = rules.grid_for(stock, DAY)
    expected = min(grid.nearest(before_stock.price * 1.07), before_stock.upper_limit)
    price = result(client, f"{SAMSUNG}/price")
    assert price["trdPrc"] == expected and grid.on_grid(price["trdPrc"])
    assert price["opnprc"] == before_stock.open  # printed at 09:00, before the shock
    rows = result(client, f"{K1}/history", trnsmCycleTpCd="D", inqStrtDd="20261124",
                  inqEndDd="20261124", reqCnt="1")["hisLists"]
    assert rows[0]["trdPrc"] == expected_index


# ------------------------------------------------------------------------------- ordering
def test_orders_are_rejected_while_halted_and_rest_without_fills(
        client: FlaskClient, state: SandboxState) -> None:
    inst, base = plain("005930")
    trades = [t for t in base.trades(inst, DAY) if 10000000 < t.time < 12000000]
    limit = min(t.price for t in trades)
    resting = place(client, price=limit)  # rests: in the plain market it fills before noon
    events.add(state.world, MarketEvent("halt", "005930", at("10:00"), at("12:00")))
    body = fields(ordType="1", price=None)
    ok(send(client, "new", body))
    report = last_report(client, body["clOrdID"])
    assert (report["execType"], report["ordStatus"], report["ordRejReason"],
            report["text"]) == ("8", "8", "99", HALT_TEXT)
    set_clock(state, "2026-11-24T11:59:00+09:00")
    assert [r["execType"] for r in reports_of(client, resting["clOrdID"])] == ["0"]
    set_clock(state, "2026-11-24T15:25:00+09:00")
    first = next(t for t in base.trades(inst, DAY) if t.time >= 12000000 and t.price <= limit)
    (fill,) = [r for r in reports_of(client, resting["clOrdID"]) if r["execType"] == "F"]
    hh, mm, ss = first.time // 1_000_000, first.time // 10_000 % 100, first.time // 100 % 100
    assert (fill["lastPx"], fill["transactTime"][9:17]) == (
        limit, f"{hh - 9:02d}:{mm:02d}:{ss:02d}")


def test_locked_at_the_upper_limit_buys_do_not_fill_and_sells_do(
        client: FlaskClient, state: SandboxState) -> None:
    bought = place(client, ordType="1", price=None, orderQty=3)  # something to sell
    assert last_report(client, bought["clOrdID"])["execType"] == "F"
    events.add(state.world, MarketEvent("limit_up", "005930", at("09:00")))
    upper = result(client, f"{SAMSUNG}/master")["uplmtprc"]
    buy = place(client, ordType="1", price=None, orderQty=5)  # market buy: no sellers
    ioc = place(client, price=upper, timeInForce="3", orderQty=5)
    sell = place(client, side="2", ordType="1", price=None, orderQty=1)
    assert [r["execType"] for r in reports_of(client, buy["clOrdID"])] == ["0"]
    assert [r["execType"] for r in reports_of(client, ioc["clOrdID"])] == ["0", "4"]
    sold = last_report(client, sell["clOrdID"])
    assert (sold["execType"], sold["lastPx"]) == ("F", upper)
    set_clock(state, "2026-11-24T15:00:00+09:00")  # locked trades print at the limit all day
    assert [r["execType"] for r in reports_of(client, buy["clOrdID"])] == ["0"]


# ------------------------------------------------------------------------ determinism
def test_removing_by_source_reverts_and_same_events_give_the_same_bytes(
        client: FlaskClient, state: SandboxState) -> None:
    calls: list[tuple[str, dict[str, str]]] = [
        (f"{SAMSUNG}/price", {}), (f"{SAMSUNG}/orderbook", {}), (f"{K1}/index", {}),
        (f"{SAMSUNG}/intraday", {"inddCycleTpCd": "600", "inqStrtDd": "20261124",
                                 "strtTm": "0900", "endTm": "1500"}),
        (f"{SAMSUNG}/history", {"trnsmCycleTpCd": "D", "inqStrtDd": "20261101",
                                "inqEndDd": "20261124", "reqCnt": "20"})]

    def answers() -> list[bytes]:
        return [ok_bytes(market_get(client, path, **query)) for path, query in calls]

    plain_answers = answers()
    scripted = [MarketEvent("halt", "005930", at("09:20"), at("09:40"), source="drill"),
                MarketEvent("shock", "005930", at("09:45"), percent=-12.5, source="drill"),
                MarketEvent("shock", "K1", at("09:00"), percent=2.25, source="drill")]
    for event in scripted:
        events.add(state.world, event)
    with_events = answers()
    assert with_events != plain_answers
    assert all(a != b for a, b in zip(with_events[:3], plain_answers[:3], strict=True))
    state.reset()
    for event in scripted:
        events.add(state.world, event)
    assert answers() == with_events
    assert events.remove(state.world, "drill") == 3
    assert state.world.market is market_of(42)
    assert answers() == plain_answers


def test_whole_market_tables_see_the_events(client: FlaskClient, state: SandboxState) -> None:
    def samsung() -> dict[str, Any]:
        rows = ok(market_get(client, "/v2/market/multiquote/stocks/kospi/lists"))["isuLists"]
        return next(r for r in rows if r["isuSrtCd"] == "005930")  # type: ignore[no-any-return]

    before = samsung()  # the table of this second is cached
    events.add(state.world, MarketEvent("shock", "005930", at("09:30"), percent=10.0))
    shocked = samsung()
    assert shocked["trdPrc"] == result(client, f"{SAMSUNG}/price")["trdPrc"] != before["trdPrc"]
    events.remove(state.world, "")
    assert samsung() == before


# ---------------------------------------------------------------------------- streaming
def test_streams_and_market_feeds_see_the_events(state: SandboxState) -> None:
    world = state.world
    inst = inst_of(world, "005930")
    topic = models.Topic("tick", inst)
    topic.start(world, at("10:00"))
    events.add(world, MarketEvent("halt", "005930", at("10:00"), at("10:05")))
    assert topic.advance(world, at("10:01"), timedelta(seconds=60), 200) == []
    konex = world.universe.select("stock", "konex", DAY)[0]
    feeds = models.Feeds()

    def ready() -> market_feed.DayFeed:
        for _ in range(1200):  # built on a background thread
            found = feeds.get(world, "konex", DAY)
            if found is not None:
                return found
            wall.sleep(0.05)
        raise AssertionError("the konex feed was never built")

    plain_feed = ready()  # cached for the market without the konex halt
    events.add(world, MarketEvent("halt", konex.code, at("09:00")))
    feed = ready()
    assert feed is not plain_feed
    halted = feed.codes.index(konex.code)
    assert not [i for i in range(len(feed)) if feed.issue[i] == halted]
    assert [i for i in range(len(plain_feed)) if plain_feed.issue[i] == halted]
    assert len(feed) < len(plain_feed)


# ---------------------------------------------------------------------------- invariants
CODES = ("005930", "000660", "069500", "K1", "Q1")


@st.composite
def scripted_events(draw: st.DrawFn) -> list[MarketEvent]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        code = draw(st.sampled_from(CODES))
        kind = "shock" if code[0] in "KQ" else draw(st.sampled_from(events.KINDS))
        start = at("08:00") + timedelta(minutes=draw(st.integers(0, 600)))
        length = draw(st.one_of(st.none(), st.integers(1, 600)))
        end = None if length is None else start + timedelta(minutes=length)
        percent = draw(st.floats(-60, 60).filter(lambda p: abs(p) > 0.01)) \
            if kind == "shock" else 0.0
        out.append(MarketEvent(kind, code, start, end, percent, "hypothesis"))
    return out


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scripted=scripted_events(), minutes=st.lists(st.integers(0, 1000), min_size=1,
                                                     max_size=4))
def test_tapes_stay_well_formed(state: SandboxState, scripted: list[MarketEvent],
                                minutes: list[int]) -> None:
    world = state.world
    for event in scripted:
        events.add(world, event)
    try:
        market = world.market
        n = cal.day_index(DAY)
        for code in {e.code for e in scripted}:
            inst = inst_of(world, code)
            tape = market.tape(inst, n)
            s = tape.summary
            times = list(tape.times)
            assert times == sorted(set(times))
            assert all(b >= a for a, b in zip(tape.cum_vol, tape.cum_vol[1:], strict=False))
            for i, p in enumerate(tape.prices):
                assert tape.lows[i] <= p <= tape.highs[i]
                if inst.kind != INDEX:
                    assert s.lower <= p <= s.upper and s.grid.on_grid(p)
            day = market.model.summary(inst, n)
            assert day is not None and day.low <= day.close <= day.high
            bar = market.closing_bar(inst, DAY)
            assert bar is not None and bar.volume == (tape.cum_vol[-1] if len(tape) else 0)
            for m in minutes:
                q = market.quote(inst, at("08:00") + timedelta(minutes=m))
                if q.volume:
                    assert q.low <= q.price <= q.high
                if events.halted(world, code, at("08:00") + timedelta(minutes=m)):
                    assert (q.bid, q.ask) == (0, 0)
    finally:
        events.remove(world, "hypothesis")
    assert world.market is market_of(42)
