"""What the console reads, without a browser: the admin market views, the journal's full
entries, the event stream (server-sent events) and the console's pages (issue 10)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.admin.feed import Feed
from sandbox.app import SandboxState
from sandbox.examples import new_order_body
from sandbox.gateway.journal import MAX_RESPONSE_BODY
from tests.conftest import (
    F9999_KEY,
    assert_platform_error,
    b2b_headers,
    market_get,
    result,
)

SAMSUNG = "/v2/market/stocks/kospi/005930"


def view(client: FlaskClient, code: str, **query: Any) -> dict[str, Any]:
    response = client.get(f"/_sandbox/market/instruments/{code}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def search(client: FlaskClient, **query: Any) -> dict[str, Any]:
    response = client.get("/_sandbox/market/instruments", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------- market search
def test_search_by_name_code_isin_and_continuous_code(client: FlaskClient) -> None:
    found = search(client, q="삼성전자")
    assert [i["code"] for i in found["instruments"]][:2] == ["005930", "005935"]
    assert found["instruments"][0] == {"code": "005930", "isin": "KR7005930003",
                                       "name": "삼성전자", "nameEn": "SamsungElec",
                                       "kind": "stock", "market": "kospi"}
    assert search(client, q="KR7005930003")["instruments"][0]["code"] == "005930"
    assert search(client, q="A005930")["instruments"][0]["code"] == "005930"  # brokers' form
    by_prefix = search(client, q="00593")["instruments"]
    assert {"005930", "005935"} <= {i["code"] for i in by_prefix}
    assert all(i["code"].startswith("00593") for i in by_prefix)
    assert search(client, q="samsungelec")["instruments"][0]["code"] == "005930"
    front = search(client, q="K2FA001")["instruments"]
    assert len(front) == 1 and front[0]["kind"] == "future" and front[0]["market"] == "kospi200"
    assert search(client, q="no such thing at all") == {
        "q": "no such thing at all", "day": "2026-11-24", "total": 0, "instruments": []}


def test_search_filters_and_limits(client: FlaskClient) -> None:
    indices = search(client, q="KOSPI", kind="index", limit="3")
    assert len(indices["instruments"]) == 3 and indices["total"] > 3
    assert {i["kind"] for i in indices["instruments"]} == {"index"}
    assert indices["instruments"][0]["code"] == "K1"  # name prefixes, then by code
    kosdaq = search(client, q="", market="kosdaq", kind="stock", limit="100")
    assert len(kosdaq["instruments"]) == 100 and kosdaq["total"] > 1000
    futures = search(client, kind="future", limit="100")["instruments"]
    assert futures and all(i["kind"] == "future" for i in futures)
    assert_platform_error(client.get("/_sandbox/market/instruments?kind=bond"), 400,
                          "op-apim", 400)
    assert_platform_error(client.get("/_sandbox/market/instruments?limit=lots"), 400,
                          "op-apim", 400)


# ----------------------------------------------------------------------------- market view
def test_the_view_agrees_with_the_market_rest_family(client: FlaskClient) -> None:
    data = view(client, "005930", days="5", cycle="600")
    price = result(client, f"{SAMSUNG}/price")
    quote = data["quote"]
    assert (quote["price"], quote["change"], quote["open"], quote["high"], quote["low"],
            quote["volume"], quote["bid"], quote["ask"]) == (
        price["trdPrc"], price["cmpprevddPrc"], price["opnprc"], price["hgprc"], price["lwprc"],
        price["accTrdvol"], price["bidordPrc_1"], price["askordPrc_1"])
    book = result(client, f"{SAMSUNG}/orderbook")
    assert [lvl["price"] for lvl in data["book"]["asks"]] == \
        [book[f"askStep{n}BstordPrc"] for n in range(1, 11)]
    assert [lvl["qty"] for lvl in data["book"]["bids"]] == \
        [book[f"bidStep{n}BstordRqty"] for n in range(1, 11)]
    rest = result(client, f"{SAMSUNG}/intraday", inddCycleTpCd="600", strtTm="0800",
                  endTm="2400")["hisLists"]
    bars = data["intraday"]["bars"]
    assert [b["close"] for b in bars] == [r["inddClsprc"] for r in reversed(rest)]
    assert bars[-1]["close"] == quote["price"]
    history = result(client, f"{SAMSUNG}/history", trnsmCycleTpCd="D", inqStrtDd="20260101",
                     inqEndDd="20261124", reqCnt="5")["hisLists"]
    assert [d["close"] for d in data["history"]] == [r["trdPrc"] for r in reversed(history)]
    assert data["history"][-1]["day"] == "2026-11-24"
    assert data["clock"]["now"] == "2026-11-24T10:00:00+09:00" and data["phase"] == "continuous"


def test_the_view_follows_the_clock(client: FlaskClient) -> None:
    before = view(client, "005930")
    client.post("/_sandbox/clock", json={"advance": "PT1H"})
    after = view(client, "005930")
    assert len(after["intraday"]["bars"]) > len(before["intraday"]["bars"])
    assert before["intraday"]["bars"][-1]["time"] <= "10:00:00" < \
        after["intraday"]["bars"][-1]["time"] <= "11:00:00"
    assert after["intraday"]["bars"][:10] == before["intraday"]["bars"][:10]  # the past stays
    assert after["quote"]["price"] == result(client, f"{SAMSUNG}/price")["trdPrc"]
    assert after["quote"]["volume"] > before["quote"]["volume"]
    client.post("/_sandbox/clock", json={"set": "2026-11-24T08:00:00"})  # before the open
    early = view(client, "005930")
    assert early["intraday"]["bars"] == [] and early["quote"]["open"] == 0
    assert len(early["history"]) == 60 and early["history"][-1]["day"] == "2026-11-23"


def test_indices_and_futures_and_unknown_codes(client: FlaskClient) -> None:
    kospi = view(client, "K1", days="3")
    assert kospi["book"] is None and kospi["instrument"]["kind"] == "index"
    assert isinstance(kospi["quote"]["price"], float)
    future = view(client, "K2FA001")
    assert future["instrument"]["kind"] == "future" and len(future["book"]["asks"]) == 5
    assert_platform_error(client.get("/_sandbox/market/instruments/999999"), 404,
                          "op-apim", 404)
    assert_platform_error(client.get("/_sandbox/market/instruments/005930?cycle=30"), 400,
                          "op-apim", 400)


# --------------------------------------------------------------------------- the journal
def test_a_journal_entry_keeps_the_request_and_the_response(client: FlaskClient) -> None:
    client.get(f"{SAMSUNG}/price?x=1", headers={"apikey": F9999_KEY})
    summary = client.get("/_sandbox/requests?limit=1").get_json()["requests"][0]
    assert "request" not in summary and "response" not in summary
    entry = client.get(f"/_sandbox/requests/{summary['id']}").get_json()
    assert entry["operationId"] == "market.stocks_price" and entry["status"] == 200
    assert entry["request"]["query"] == "x=1"
    assert entry["request"]["headers"]["Apikey"] == F9999_KEY
    assert json.loads(entry["response"]["body"])["result"]["isuSrtCd"] == "005930"
    assert entry["response"]["headers"]["X-Request-Id"] == summary["id"]
    assert entry["response"]["truncated"] is False


def test_bodies_are_cut_and_forms_kept(client: FlaskClient) -> None:
    client.get("/v2/market/stocks/kosdaq/lists", headers={"apikey": F9999_KEY})
    client.post("/auth/oauth/v2/token", data={"grant_type": "password", "username": "u"})
    token, lists = client.get("/_sandbox/requests?limit=2").get_json()["requests"]
    big = client.get(f"/_sandbox/requests/{lists['id']}").get_json()["response"]
    assert big["truncated"] is True and big["size"] > MAX_RESPONSE_BODY
    assert len(big["body"].encode()) <= MAX_RESPONSE_BODY
    form = client.get(f"/_sandbox/requests/{token['id']}").get_json()["request"]
    assert form["body"] == "grant_type=password&username=u"
    assert_platform_error(client.get("/_sandbox/requests/req-0000000000"), 404, "op-apim", 404)


def test_console_pages_and_the_stream_are_not_journaled(client: FlaskClient) -> None:
    client.get("/_sandbox/clock")
    mark = client.get("/_sandbox/requests?limit=1").get_json()["requests"][0]["id"]
    client.get("/_sandbox/ui/market")
    client.get("/_sandbox/ui/static/console.css")
    client.get("/_sandbox/events?timeout=0").close()
    assert client.get(f"/_sandbox/requests?since={mark}").get_json()["requests"] == []


# --------------------------------------------------------------------------- the pages
def test_every_view_is_served_with_its_assets(client: FlaskClient) -> None:
    from sandbox.console import VIEWS

    for name in ("", "/", *(f"/{v}" for v in VIEWS)):
        page = client.get(f"/_sandbox/ui{name}")
        assert page.status_code == 200 and page.mimetype == "text/html", name
        html = page.get_data(as_text=True)
        assert all(f'data-testid="nav-{v}"' in html for v in VIEWS)
    for asset in ("console.css", "js/app.js", "js/views/market.js",
                  "vendor/uplot/uPlot.iife.min.js", "vendor/uplot/uPlot.min.css"):
        assert client.get(f"/_sandbox/ui/static/{asset}").status_code == 200, asset
    assert_platform_error(client.get("/_sandbox/ui/nope"), 404, "op-apim", 404)
    assert_platform_error(client.get("/_sandbox/ui/static/nope.js"), 404, "op-apim", 404)


# ---------------------------------------------------------------------------- the stream
class Stream:
    """An event stream read frame by frame in the test's own thread (the generator only runs
    when asked for the next frame)."""

    def __init__(self, client: FlaskClient, query: str = "timeout=30", **headers: str) -> None:
        self.response = client.get(f"/_sandbox/events?{query}", headers=headers, buffered=False)
        assert self.response.status_code == 200, self.response.get_data(as_text=True)
        assert self.response.mimetype == "text/event-stream"
        self.frames: Iterator[bytes] = iter(self.response.response)

    def next(self) -> dict[str, Any]:
        """The next frame as {id, event, data} (a comment as {comment})."""
        raw = next(self.frames)
        text = raw.decode() if isinstance(raw, bytes) else raw
        frame: dict[str, Any] = {}
        for line in text.strip("\n").split("\n"):
            name, _, value = line.partition(": ")
            if name == "data":
                frame["data"] = json.loads(value)
            elif name in ("id", "event", "retry"):
                frame[name] = value
            else:
                frame["comment"] = value
        return frame

    def until(self, event: str, limit: int = 200) -> dict[str, Any]:
        for _ in range(limit):
            frame = self.next()
            if frame.get("event") == event:
                return frame
        raise AssertionError(f"no {event} event in {limit} frames")

    def close(self) -> None:
        self.response.close()


@pytest.fixture
def feed(state: SandboxState, app: Any) -> Iterator[Feed]:
    feed: Feed = app.extensions["sandbox_events"]
    feed.poll_s = 0.01
    feed.poll(force=True)  # the reset of the test's world is published before the test
    yield feed
    feed.poll_s = 0.25


def order(client: FlaskClient, number: int, qty: int = 10, price: int = 26700) -> None:
    body = new_order_body(number, qty, price)
    response = client.post("/v1/samsung/order/new", json=body, headers=b2b_headers("00995"))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_the_stream_says_hello_and_ends_at_its_timeout(client: FlaskClient, feed: Feed) -> None:
    stream = Stream(client, "timeout=0.05")
    assert stream.next() == {"retry": "2000"}
    hello = stream.next()
    assert hello["event"] == "hello" and "id" not in hello
    assert hello["data"]["seed"] == 42 and hello["data"]["maxStreams"] == 8
    assert hello["data"]["clock"]["now"] == "2026-11-24T10:00:00+09:00"
    assert stream.until("bye")["data"]["last"] >= hello["data"]["last"]
    with pytest.raises(StopIteration):
        stream.next()
    stream.close()


def test_journal_clock_order_and_reset_events(client: FlaskClient, feed: Feed) -> None:
    stream = Stream(client)
    stream.until("hello")
    market_get(client, f"{SAMSUNG}/price")
    journal = stream.until("journal")
    assert journal["data"]["operationId"] == "market.stocks_price"
    assert "request" not in journal["data"] and int(journal["id"]) > 0
    client.post("/_sandbox/clock", json={"advance": "PT1M"})
    assert stream.until("clock")["data"]["now"] == "2026-11-24T10:01:00+09:00"
    order(client, 1)
    placed = [stream.until("order")["data"], stream.until("order")["data"]]
    assert [(m["comId"], m["date"], m["message"]["seqNo"]) for m in placed] == \
        [("00995", "20261124", 1), ("00995", "20261124", 2)]
    assert placed[1]["message"]["executionReport"]["execType"] == "F"  # filled at once
    assert placed == [{"comId": "00995", "date": "20261124", "message": m}
                      for m in client.get("/_sandbox/orders/00995").get_json()["messages"]]
    client.post("/_sandbox/reset")
    reset = stream.until("reset")
    assert reset["data"]["clock"]["now"] == "2026-11-24T10:00:00+09:00"
    stream.close()


def test_since_and_last_event_id_replay_and_types_filter(client: FlaskClient,
                                                         feed: Feed) -> None:
    start = feed.last
    market_get(client, f"{SAMSUNG}/price")
    client.post("/_sandbox/clock", json={"advance": "PT1M"})
    feed.poll(force=True)
    replay = Stream(client, f"since={start}&timeout=0.05")
    replay.until("hello")
    kinds = [replay.next().get("event") for _ in range(3)]
    assert kinds[:2] == ["journal", "journal"]  # the price, then the admin clock call
    replay.close()
    by_header = Stream(client, "timeout=0.05&types=clock", **{"Last-Event-ID": str(start)})
    by_header.until("hello")
    clock = by_header.next()
    assert clock["event"] == "clock" and int(clock["id"]) > start
    assert by_header.next()["event"] == "bye"
    by_header.close()


def test_bad_queries_and_the_stream_limit(client: FlaskClient, feed: Feed) -> None:
    for query in ("timeout=x", "timeout=99999", "since=abc", "types=journal,nope"):
        assert_platform_error(client.get(f"/_sandbox/events?{query}"), 400, "op-apim", 400)
    open_streams = [Stream(client) for _ in range(feed.max_streams)]
    assert feed.streams == feed.max_streams
    body = assert_platform_error(client.get("/_sandbox/events"), 503, "op-apim", 503)
    assert "8 event streams" in body["description"]
    for stream in open_streams:
        stream.close()
    assert feed.streams == 0
    Stream(client, "timeout=0").close()  # a slot is free again


def test_a_shutdown_ends_the_streams(state: SandboxState) -> None:
    feed = Feed(lambda: state.world, max_streams=1)
    from sandbox.admin.events import open_stream

    response = open_stream(feed, {"timeout": "60"}, None)
    frames = iter(response.response)
    assert "retry" in next(frames) and "hello" in next(frames)
    feed.shutdown()
    assert "bye" in next(frames)
    response.close()
    assert feed.streams == 0
