"""Market streaming in process: the outbox policy, what changes between two instants, the
market feeds, push contents against REST at the same instant, and the JSON-RPC protocol of a
session (streaming.md §2-§6, ERRATA 31-32). The real server and WebSocket clients are in
test_streaming_e2e.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import SandboxState
from sandbox.families.streaming import models, presets
from sandbox.families.streaming.hub import Hub, StreamSettings
from sandbox.families.streaming.outbox import Outbox
from sandbox.families.streaming.session import Closing, Session
from sandbox.paths import SCHEMAS
from sandbox.world.market import calendar as cal
from sandbox.world.market import feed as market_feed
from sandbox.world.world import World, WorldSettings
from tests.conftest import B2B_KEY, F0995_KEY, F9999_KEY, SPEC, needs_shared, result, set_clock

DAY = date(2026, 11, 24)
WINDOW = timedelta(seconds=60)


def at(hhmmss: str, day: date = DAY) -> datetime:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return datetime(day.year, day.month, day.day, h, m, s, tzinfo=cal.KST)


# ------------------------------------------------------------------------------------ outbox
def test_outbox_drops_the_oldest_data_first_and_never_a_reply() -> None:
    box = Outbox(3)
    box.reply("r1")
    box.data(["d1", "d2"])
    box.data(["d3", "d4"])  # full at 3: d1 then d2 go
    assert box.dropped == 2
    assert box.take(0) == ["r1", "d3", "d4"]
    assert box.take(0) == []  # nothing waiting: an idle wake-up (heartbeat time)
    assert box.sent == 3


def test_outbox_closes_a_client_that_does_not_read_its_replies() -> None:
    box = Outbox(2)
    for n in range(3):
        box.reply(f"r{n}")
    assert box.close_code == 1008
    box.data(["late"])  # nothing is queued once closing
    assert box.take(0) == ["r0", "r1", "r2"]
    assert box.take(0) is None


# ------------------------------------------------------------------------ change points
def test_change_points_are_the_trades_plus_book_slots_and_session_edges(
        state: SandboxState) -> None:
    market, inst = state.world.market, state.world.universe.get("005930")
    assert inst is not None
    tape = market.tape(inst, cal.day_index(DAY))
    lo, hi = cal.split_instant(at("10:00:00"))[1], cal.split_instant(at("10:05:00"))[1]
    trades = [t for t in tape.times if lo < t <= hi]
    assert trades, "005930 trades between 10:00 and 10:05"
    ticks = models.change_points(market, inst, "tick", at("10:00:00"), at("10:05:00"))
    assert ticks == trades
    quotes = models.change_points(market, inst, "quote", at("10:00:00"), at("10:05:00"))
    assert set(quotes) == set(trades) | set(range(lo + 1000, hi + 1, 1000))
    edges = models.change_points(market, inst, "tick", at("15:29:00"), at("15:31:00"))
    assert tape.schedule.close in edges  # the 31000000 signal
    saturday = date(2026, 11, 28)
    assert models.change_points(market, inst, "tick", at("10:00:00", saturday),
                                at("10:00:30", saturday)) == []
    assert models.change_points(market, inst, "tick", at("06:00:00"), at("08:00:00")) == []


def test_a_topic_replays_every_trade_and_snaps_over_jumps(state: SandboxState) -> None:
    world = state.world
    inst = world.universe.get("005930")
    assert inst is not None
    topic = models.Topic("tick", inst)
    first = topic.start(world, at("10:00:00"))
    assert topic.advance(world, at("10:00:00"), WINDOW, 200) == []  # frozen: nothing
    changes = topic.advance(world, at("10:01:00"), WINDOW, 200)
    trades = world.market.trades(inst, DAY, until=at("10:01:00"))
    new = [t for t in trades if t.time > 10000000]
    assert [after["trdTm"] for _, after in changes] == [t.time for t in new]
    assert [after["trdvol"] for _, after in changes] == [t.qty for t in new]
    assert changes[0][0] == first and changes[-1][1]["accTrdvol"] == new[-1].acc_volume
    jump = topic.advance(world, at("14:00:00"), WINDOW, 200)  # four hours: one snapshot
    assert len(jump) == 1 and jump[0][1] == presets.values(world, inst, "tick", at("14:00:00"))
    back = topic.advance(world, at("10:00:00"), WINDOW, 200)  # backwards: one snapshot
    assert [after for _, after in back] == [first]
    capped = topic.advance(world, at("10:01:00"), WINDOW, 2)
    assert [after["trdTm"] for _, after in capped] == [t.time for t in new[-2:]]


# ------------------------------------------------------------------------------ market feed
@pytest.fixture(scope="module")
def kospi_feed() -> market_feed.DayFeed:
    world = World(WorldSettings(seed=42, users=0))
    return market_feed.build(world.market, world.universe, "kospi", DAY)


def test_the_kospi_feed_is_every_trade_of_every_kospi_issue_in_time_order(
        state: SandboxState, kospi_feed: market_feed.DayFeed) -> None:
    world = state.world
    feed = kospi_feed
    assert list(feed.times) == sorted(feed.times)
    issues = {i.code for kind in market_feed.CASH_KINDS
              for i in world.universe.select(kind, "kospi", DAY)}
    assert set(feed.codes) == issues
    n = cal.day_index(DAY)
    total = 0
    for code in ("005930", "000660", feed.codes[-1]):
        inst = world.universe.get(code)
        assert inst is not None
        mine = [i for i in range(len(feed)) if feed.codes[feed.issue[i]] == code]
        tape = world.market.tape(inst, n)
        assert [feed.qtys[i] for i in mine] == list(tape.qtys)
        total += sum(feed.qtys[i] for i in mine)
        rows = feed.records(mine[-1], mine[-1] + 1)
        assert rows[0].code == code
    assert total > 0
    assert len(feed) == sum(len(world.market.tape(i, n)) for i in world.universe.select(
        "stock", "kospi", DAY) + world.universe.select("etf", "kospi", DAY)
        + world.universe.select("etn", "kospi", DAY) + world.universe.select("elw", "kospi", DAY))


def test_a_feed_cursor_hands_out_each_trade_once(state: SandboxState,
                                                 kospi_feed: market_feed.DayFeed) -> None:
    class Ready(models.Feeds):
        def get(self, world: World, market: str, day: date) -> market_feed.DayFeed | None:
            return kospi_feed if day == DAY else None

    world, feeds = state.world, Ready()
    cursor = models.FeedCursor("kospi")
    assert cursor.advance(world, feeds, at("10:00:00"), WINDOW, 10**6) == []  # joins here
    first = cursor.advance(world, feeds, at("10:00:20"), WINDOW, 10**6)
    second = cursor.advance(world, feeds, at("10:00:40"), WINDOW, 10**6)
    lo, mid, hi = (kospi_feed.upto(cal.split_instant(at(t))[1])
                   for t in ("10:00:00", "10:00:20", "10:00:40"))
    assert len(first) == mid - lo and len(second) == hi - mid
    assert all(10002000 >= r.time > 10000000 for r in first)
    assert cursor.advance(world, feeds, at("12:00:00"), WINDOW, 10**6) == []  # a jump
    assert len(cursor.advance(world, feeds, at("12:00:30"), WINDOW, 5)) == 5
    assert cursor.skipped > 0


# ------------------------------------------------------------------------- pushes vs REST
def _rest_without_code(client: FlaskClient, path: str) -> dict[str, Any]:
    body = dict(result(client, path))
    body.pop("isuSrtCd")
    return body


def test_presets_agree_with_rest_at_the_same_instant(client: FlaskClient,
                                                     state: SandboxState) -> None:
    world = state.world
    now = world.now()
    stock = world.universe.get("005930")
    assert stock is not None
    s5 = _rest_without_code(client, "/v2/market/stocks/kospi/005930/price")
    assert presets.values(world, stock, "tick10", now) == s5
    assert presets.values(world, stock, "quote10", now) == _rest_without_code(
        client, "/v2/market/stocks/kospi/005930/orderbook")
    tick = presets.values(world, stock, "tick", now)
    assert tick == {k: s5[k] for k in ("trdPrc", "trdvol", "accTrdvol", "accTrdval", "trdTm")}
    future = world.universe.select("future", "kospi200", DAY)[0]
    option = world.universe.select("option", "kospi200", DAY)[0]
    for inst, kind in ((future, "futures"), (option, "options")):
        base = f"/v2/market/{kind}/kospi200/{inst.code}"
        assert presets.values(world, inst, "tick10", now) == _rest_without_code(
            client, base + "/price")
        assert presets.values(world, inst, "quote10", now) == _rest_without_code(
            client, base + "/orderbook")
    index = world.universe.indices("kospi")[0]
    assert presets.values(world, index, "index", now) == _rest_without_code(
        client, f"/v2/market/index/kospi/{index.code}/index")


@needs_shared
def test_change_items_are_the_documented_real_time_items(state: SandboxState) -> None:
    documented = json.loads((SPEC / "market" / "codes" / "realtime_change_items.json")
                            .read_text(encoding="utf-8"))["markets"]
    world = state.world
    samples = {"stocks": world.universe.get("005930"),
               "futures": world.universe.select("future", "kospi200", DAY)[0],
               "options": world.universe.select("option", "kospi200", DAY)[0]}
    for market, inst in samples.items():
        assert inst is not None
        assert presets.change_items(world, inst) == {row["item"] for row in documented[market]}


# ---------------------------------------------------------------------------- the protocol
@pytest.fixture
def hub(state: SandboxState) -> Iterator[Hub]:
    found = Hub(lambda: state.world, StreamSettings(max_subscriptions=3, max_sessions=4))
    yield found
    found.shutdown()


def rpc(session: Session, method: str, params: dict[str, Any] | None = None,
        request_id: Any = 1) -> list[dict[str, Any]]:
    """Send one request; the messages queued for the client since the last call."""
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if request_id is not None:
        message["id"] = request_id
    if params is not None:
        message["params"] = params
    session.handle(json.dumps(message))
    return drain(session)


def drain(session: Session) -> list[dict[str, Any]]:
    return [json.loads(text) for text in session.outbox.take(0) or []]


def opened(hub: Hub, channel: str = "/ws", key: str = F9999_KEY) -> Session:
    session = Session(hub, channel, Outbox(100))
    assert rpc(session, "init", {"key": key, "membername": "QA"}) == [ok(1)]
    return session


def ok(request_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": {"message": "ok"}}


def code_of(messages: list[dict[str, Any]]) -> int:
    assert len(messages) == 1 and "error" in messages[0], messages
    return int(messages[0]["error"]["code"])


def test_subscribe_answers_ok_then_the_snapshot(hub: Hub, state: SandboxState) -> None:
    session = opened(hub)
    answer = rpc(session, "subscribe", {"preset": "tick", "isuSrtCd": "005930"}, 5)
    assert answer[0] == ok(5)
    push = answer[1]
    assert push["method"] == "push" and "id" not in push
    values = presets.values(state.world, state.world.universe.get("005930"),  # type: ignore[arg-type]
                            "tick", state.world.now())
    assert push["params"] == {"preset": "tick", "isuSrtCd": "005930", **values}
    change = rpc(session, "subscribe", {"preset": "change", "isuSrtCode": "005930",
                                        "items": ["trdPrc", "trdTm", "trdPrc"]}, 6)
    assert change[0] == ok(6)
    assert change[1]["params"] == {"isuCd": "KR7005930003", "isuSrtCd": "005930",
                                   "trdPrc": values["trdPrc"], "trdTm": values["trdTm"]}
    notification = rpc(session, "subscribe", {"preset": "quote", "isuSrtCd": "005930"}, None)
    assert [m["method"] for m in notification] == ["push"]  # no reply to a notification


def test_pushes_follow_the_clock_and_only_the_changed_change_items(
        hub: Hub, state: SandboxState) -> None:
    session = opened(hub)
    rpc(session, "subscribe", {"preset": "tick", "isuSrtCd": "005930"})
    (_, snapshot) = rpc(session, "subscribe", {"preset": "change", "isuSrtCd": "005930",
                                               "items": ["trdPrc"]}, 2)
    hub.pump()
    assert drain(session) == []  # frozen clock: snapshots only
    set_clock(state, "2026-11-24T10:01:00+09:00")
    hub.pump()
    messages = drain(session)
    ticks = [m["params"] for m in messages if m["params"].get("preset") == "tick"]
    trades = [t for t in state.world.market.trades(
        state.world.universe.get("005930"), DAY, until=at("10:01:00"))  # type: ignore[arg-type]
        if t.time > 10000000]
    assert [p["trdTm"] for p in ticks] == [t.time for t in trades]
    changes = [m["params"] for m in messages if "preset" not in m["params"]]
    prices = [snapshot["params"]["trdPrc"]] + [t.price for t in trades]
    assert [c["trdPrc"] for c in changes] == [b for a, b in pairwise(prices) if a != b]
    assert changes and all(set(c) == {"isuCd", "isuSrtCd", "trdPrc"} for c in changes)


def test_errors_carry_their_codes_in_the_documented_order(hub: Hub) -> None:
    session = Session(hub, "/ws", Outbox(100))
    session.handle("{not json")
    (reply,) = drain(session)
    assert reply["id"] is None and reply["error"]["code"] == 47
    assert reply["error"]["message"] == "정상적인 JSON-RPC 형식이 아닙니다"
    session.handle(json.dumps([{"jsonrpc": "2.0", "id": 1, "method": "heartbeat"}]))
    assert code_of(drain(session)) == 47
    session.handle(json.dumps({"jsonrpc": "1.0", "id": 1, "method": "heartbeat"}))
    assert code_of(drain(session)) == 47
    session.handle(json.dumps({"jsonrpc": "2.0", "id": 1, "result": "ok"}))  # a response
    assert drain(session) == []
    assert rpc(session, "heartbeat") == [ok(1)]  # allowed before init
    assert code_of(rpc(session, "subscribe", {"preset": "tick", "isuSrtCd": "005930"})) == 10070
    assert code_of(rpc(session, "query", {})) == 10000
    assert code_of(rpc(session, "init", {})) == 47  # params.key is required
    assert code_of(rpc(session, "init", {"key": 12})) == 47
    assert rpc(session, "init", {"key": F9999_KEY}) == [ok(1)]
    assert rpc(session, "init", {"key": F9999_KEY}) == [ok(1)]  # again: still ok
    assert code_of(rpc(session, "init", {"key": F0995_KEY})) == 10070
    cases = [({"preset": "tick"}, 47), ({"preset": "change", "isuSrtCd": "005930"}, 47),
             ({"preset": "ticks", "isuSrtCd": "005930"}, 10000),
             ({"preset": "tick", "isuSrtCd": "999999"}, 10040),
             ({"preset": "index", "isuSrtCd": "005930"}, 10000),
             ({"preset": "change", "isuSrtCd": "005930", "items": ["trdPrc", "foo"]}, 10050),
             ({"preset": "change", "isuSrtCd": "005930", "items": ["askordPrc_1"]}, 10050)]
    for params, expected in cases:
        assert code_of(rpc(session, "subscribe", params)) == expected, params
    assert code_of(rpc(session, "unsubscribe", {"preset": "tick", "isuSrtCd": "005930"})) \
        == 20057


def test_a_bad_key_closes_the_session(hub: Hub) -> None:
    for key in ("not-a-key", B2B_KEY):  # unknown; an app without the market licence
        session = Session(hub, "/ws", Outbox(10))
        with pytest.raises(Closing):
            session.handle(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "init",
                                       "params": {"key": key}}))
        assert code_of(drain(session)) == 10070
        assert session.outbox.close_code == 1008
        session.close()


def test_subscription_limit_counts_pairs_once(hub: Hub) -> None:
    session = opened(hub)  # the hub allows 3
    for code in ("005930", "000660", "035420"):
        assert rpc(session, "subscribe", {"preset": "tick", "isuSrtCd": code})[0] == ok(1)
    assert rpc(session, "subscribe", {"preset": "tick", "isuSrtCd": "005930"})[0] == ok(1)
    assert code_of(rpc(session, "subscribe", {"preset": "quote", "isuSrtCd": "005930"})) \
        == 20056
    assert len(session.subscriptions) == 3


def test_unsubscribe_one_pair_or_everything_under_a_request_id(hub: Hub) -> None:
    session = opened(hub)
    rpc(session, "subscribe", {"preset": "tick", "isuSrtCd": "005930"}, 7)
    rpc(session, "subscribe", {"preset": "quote", "isuSrtCd": "005930"}, 7)
    rpc(session, "subscribe", {"preset": "tick", "isuSrtCd": "000660"}, 8)
    assert rpc(session, "unsubscribe", {"preset": "tick", "isuSrtCd": "000660"}, 9) == [ok(9)]
    assert rpc(session, "unsubscribe", None, 7) == [ok(7)]
    assert session.subscriptions == {}
    assert code_of(rpc(session, "unsubscribe", None, 7)) == 20057
    assert hub.stats()["topics"] == 0


def test_one_ws_session_per_key_and_a_cap_on_all_sessions(hub: Hub) -> None:
    first = opened(hub)
    second = Session(hub, "/ws", Outbox(10))
    with pytest.raises(Closing):
        second.handle(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "init",
                                  "params": {"key": F9999_KEY}}))
    assert code_of(drain(second)) == 13004 and second.outbox.close_code == 1013
    second.close()
    readers = [opened(hub, "/ws_ksp"), opened(hub, "/ws_ksp")]  # no such rule on the feeds
    assert code_of(rpc(readers[0], "subscribe", {"preset": "tick", "isuSrtCd": "005930"})) \
        == 10000
    assert rpc(first, "heartbeat") == [ok(1)]
    opened(hub, "/ws_kdq")  # the fourth session
    from sandbox.families.streaming.exceptions import SessionTaken

    with pytest.raises(SessionTaken):
        Session(hub, "/ws", Outbox(10))


def test_a_slow_session_loses_its_own_oldest_data_only(hub: Hub, state: SandboxState) -> None:
    fast, slow = opened(hub, "/ws_ksp"), opened(hub, "/ws_kdq", F0995_KEY)
    slow.outbox = Outbox(2)
    fast_reader = opened(hub, "/ws_kdq")
    set_clock(state, "2026-11-24T09:00:00+09:00")
    hub.pump()
    set_clock(state, "2026-11-24T09:00:30+09:00")
    deadline = datetime.now().timestamp() + 30  # the feeds are built on a background thread
    frames: list[Any] = []
    while not frames and datetime.now().timestamp() < deadline:
        hub.pump()
        frames = drain(fast_reader)
    assert frames and all(1 <= len(frame) <= 50 for frame in frames)
    assert slow.outbox.dropped == len(frames) - 2 and len(slow.outbox) == 2
    records = [r for frame in frames for r in frame]
    assert [r["trdTm"] for r in records] == sorted(r["trdTm"] for r in records)
    assert all(set(r) == {"isuSrtCd", "trdPrc", "trdVol", "trdTm"} for r in records)
    assert all(isinstance(v, str) for r in records for v in r.values())
    del fast


def test_admin_lists_open_sessions(client: FlaskClient, state: SandboxState) -> None:
    session = opened(state.streams)
    try:
        rpc(session, "subscribe", {"preset": "tick", "isuSrtCd": "005930"})
        body = client.get("/_sandbox/streams").get_json()
        assert body["settings"]["max_subscriptions"] == 20
        (view,) = [s for s in body["sessions"] if s["id"] == session.number]
        assert view["app"] == "app-f9999-seed" and view["memberName"] == "QA"
        assert view["subscriptions"] == [{"preset": "tick", "isuSrtCd": "005930", "items": []}]
    finally:
        session.close()
    assert all(s["id"] != session.number
               for s in client.get("/_sandbox/streams").get_json()["sessions"])


def test_channels_and_their_message_schemas_are_in_openapi(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    components = document["components"]["schemas"]
    for channel in ("/ws", "/ws_ksp", "/ws_kdq"):
        operation = document["paths"][channel]["get"]
        assert set(operation["responses"]) == {"101", "426"}
        refs = operation["x-websocket"]["client"] + operation["x-websocket"]["server"]
        for ref in refs:
            assert ref["$ref"].rsplit("/", 1)[1] in components, ref
    files = {p.stem for p in (SCHEMAS / "streaming").glob("*.json")}
    used = {ref["$ref"].rsplit(".", 1)[1] for channel in ("/ws", "/ws_ksp")
            for side in ("client", "server")
            for ref in document["paths"][channel]["get"]["x-websocket"][side]}
    assert files == used  # no orphan message schema


_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                       | st.text(max_size=12), lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_MESSAGES = st.fixed_dictionaries({}, optional={
    "jsonrpc": st.sampled_from(["2.0", "1.0", 2]) | _VALUES,
    "id": st.integers(0, 9) | st.text(max_size=4) | _VALUES,
    "method": st.sampled_from(["init", "subscribe", "unsubscribe", "heartbeat", "query"])
    | _VALUES,
    "params": st.fixed_dictionaries({}, optional={
        "key": st.sampled_from([F9999_KEY, "XXXXXXXX", "nope"]) | _VALUES,
        "preset": st.sampled_from(list(presets.PRESETS)) | _VALUES,
        "isuSrtCd": st.sampled_from(["005930", "000660", "999999", "K2G01P"]) | _VALUES,
        "items": st.lists(st.sampled_from(["trdPrc", "trdTm", "foo", "hgprc"]), max_size=3)
        | _VALUES,
    }) | _VALUES,
})
_CODES = {47, 10000, 10040, 10050, 10070, 13004, 20056, 20057}


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=st.lists(_MESSAGES | _VALUES, min_size=1, max_size=6))
def test_any_message_gets_a_well_formed_answer_or_none(hub: Hub,
                                                       messages: list[Any]) -> None:
    session = Session(hub, "/ws", Outbox(1000))
    try:
        for message in messages:
            try:
                session.handle(json.dumps(message))
            except Closing:
                break
        for text in session.outbox.take(0) or []:
            answer = json.loads(text)
            assert answer["jsonrpc"] == "2.0"
            if "error" in answer:
                assert answer["error"]["code"] in _CODES
                assert set(answer) == {"jsonrpc", "id", "error"}
            else:
                assert answer.get("method") == "push" or answer["result"] == {"message": "ok"}
    finally:
        session.close()
