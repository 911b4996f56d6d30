"""The STOMP 1.2 frame codec of the execution-report channel (``sandbox.families.order.stomp``):
round trips, header escaping, content-length bodies, incremental parsing, malformed frames and
heart-beat negotiation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.families.order.stomp import (
    Frame,
    FrameError,
    Parser,
    decode,
    encode,
    escape,
    negotiate_heartbeat,
    parse_heartbeat,
    unescape,
)
from tests.conftest import example

SUBSCRIBE = Frame("SUBSCRIBE", (("id", "sub-0"), ("destination", "/user/queue/order"),
                                ("ack", "auto")))


# ------------------------------------------------------------------------------ round trips
def test_encode_writes_the_documented_layout() -> None:
    assert encode(SUBSCRIBE) == b"SUBSCRIBE\nid:sub-0\ndestination:/user/queue/order\nack:auto" \
                                b"\n\n\x00"
    assert encode(Frame("DISCONNECT")) == b"DISCONNECT\n\n\x00"


def test_build_adds_content_length_only_for_a_body() -> None:
    assert Frame.build("SEND", {"destination": "/x"}).headers == (("destination", "/x"),)
    built = Frame.build("SEND", {"destination": "/x"}, '{"a":"가"}')
    assert built.headers == (("destination", "/x"), ("content-length", "11"))  # octets, not 9
    assert built.body == '{"a":"가"}'.encode() and built.text == '{"a":"가"}'
    given_length = Frame.build("SEND", [("content-length", "3")], b"abc")
    assert given_length.headers == (("content-length", "3"),)


@pytest.mark.parametrize("frame", [
    SUBSCRIBE,
    Frame("CONNECT", (("accept-version", "1.2"), ("host", "sandbox"), ("heart-beat", "0,0"))),
    Frame.build("SEND", {"destination": "/app/order/resend"}, b'{"fromSeqNo": 2, "toSeqNo": 0}'),
    Frame("MESSAGE", (("seq-no", "1"),), b"no content-length, no NUL inside"),
    Frame("DISCONNECT", (("receipt", "77"),)),
], ids=lambda f: f.command)
def test_round_trip(frame: Frame) -> None:
    assert decode(encode(frame)) == [frame]


@given(st.lists(st.tuples(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1),
                          st.text(st.characters(blacklist_categories=("Cs",))))),
       st.binary(max_size=300))
def test_any_headers_and_body_round_trip(headers: list[tuple[str, str]], body: bytes) -> None:
    frame = Frame.build("SEND", headers, body)
    assert decode(encode(frame)) == [frame]


def test_repeated_headers_are_kept_and_the_first_wins() -> None:
    (frame,) = decode(b"MESSAGE\nfoo:1\nfoo:2\n\n\x00")
    assert frame.headers == (("foo", "1"), ("foo", "2"))
    assert frame.get("foo") == "1"
    assert frame.get("bar") is None and frame.get("bar", "x") == "x"


@pytest.mark.parametrize("name", ["ws_connect", "ws_subscribe", "ws_resend"])
def test_documented_frames_round_trip(name: str) -> None:
    documented = example(f"order/{name}.frame.json")
    body: Any = documented["body"]
    text = body if isinstance(body, str) else json.dumps(body)
    frame = Frame.build(documented["command"], documented["headers"], text)
    (decoded,) = decode(encode(frame))
    assert decoded.command == documented["command"]
    assert {k: v for k, v in decoded.headers if k != "content-length"} == documented["headers"]
    assert decoded.text == text


# ------------------------------------------------------------------------------ escaping
def test_header_escaping() -> None:
    frame = Frame("MESSAGE", (("a:b", "c\nd\re\\f:g"),))
    assert encode(frame) == b"MESSAGE\na\\cb:c\\nd\\re\\\\f\\cg\n\n\x00"
    assert decode(encode(frame)) == [frame]
    assert escape("\\:") == "\\\\\\c" and unescape("\\\\\\c") == "\\:"


def test_connect_and_connected_headers_are_not_escaped() -> None:
    (frame,) = decode(b"CONNECT\nlogin:a\\cb\nhost:h:1\n\n\x00")
    assert frame.headers == (("login", "a\\cb"), ("host", "h:1"))
    assert encode(Frame("CONNECTED", (("server", "a\\b"),))) == b"CONNECTED\nserver:a\\b\n\n\x00"
    with pytest.raises(ValueError, match="CR, LF"):
        encode(Frame("CONNECT", (("host", "a\nb"),)))


def test_an_unescaped_colon_in_a_value_is_kept() -> None:
    (frame,) = decode(b"SEND\ndestination:/a:b\n\n\x00")
    assert frame.get("destination") == "/a:b"


# ------------------------------------------------------------------------------ bodies
def test_content_length_bodies_may_hold_nul() -> None:
    frame = Frame.build("SEND", {"destination": "/x"}, b"a\x00b\x00")
    assert decode(encode(frame)) == [frame]
    assert frame.body == b"a\x00b\x00"


def test_without_content_length_the_body_ends_at_the_first_nul() -> None:
    frames = decode(b"SEND\n\nabc\x00\nSEND\n\n\x00")
    assert [f.body for f in frames] == [b"abc", b""]


def test_crlf_line_endings() -> None:
    (frame,) = decode(b"SEND\r\ndestination:/x\r\ncontent-length:2\r\n\r\nhi\x00\r\n")
    assert (frame.command, frame.get("destination"), frame.body) == ("SEND", "/x", b"hi")


# ------------------------------------------------------------------------------ the parser
def test_parser_reassembles_frames_fed_byte_by_byte() -> None:
    data = encode(SUBSCRIBE) + b"\n\r\n" + encode(Frame.build("SEND", {"d": "1"}, b"x\x00y"))
    parser = Parser()
    frames = [frame for i in range(len(data)) for frame in parser.feed(data[i:i + 1])]
    assert frames == [SUBSCRIBE, Frame.build("SEND", {"d": "1"}, b"x\x00y")]
    assert parser.heartbeats == 2 and parser.pending == 0


def test_parser_returns_every_frame_of_one_message_and_keeps_the_rest() -> None:
    parser = Parser()
    first = parser.feed(b"\n" + encode(SUBSCRIBE) * 2 + b"SEND\nde")
    assert first == [SUBSCRIBE, SUBSCRIBE]
    assert parser.pending == len(b"SEND\nde") and parser.heartbeats == 1
    assert parser.feed(b"st:/x\n\n\x00") == [Frame("SEND", (("dest", "/x"),))]


def test_heartbeats_alone_make_no_frame() -> None:
    parser = Parser()
    assert parser.feed(b"\n") == [] and parser.feed(b"\r") == [] and parser.feed(b"\n") == []
    assert parser.heartbeats == 2 and parser.pending == 0


# ------------------------------------------------------------------------------ malformed
@pytest.mark.parametrize(("data", "match"), [
    (b"SEND\ndestination\n\n\x00", "malformed header"),
    (b"SEND\n:value\n\n\x00", "malformed header"),
    (b"SEND\nname:a\\tb\n\n\x00", "undefined escape"),
    (b"SEND\nname:a\\\n\n\x00", "undefined escape"),
    (b"SEND\ncontent-length:x1\n\nabc\x00", "content-length"),
    (b"SEND\ncontent-length:-1\n\nabc\x00", "content-length"),
    (b"SEND\ncontent-length:1\n\nabc\x00", "not followed by NUL"),
    (b"SE ND\n\n\x00", "malformed command"),
    (b"\x00\n\n\x00", "malformed command"),
    (b"\rSEND\n\n\x00", "malformed command"),
    (b"SEND\nname:\xff\n\n\x00", "not UTF-8"),
    (b"SEND\nname:a\rb\n\n\x00", "bare CR"),
    (b"SEND\n\nabc", "incomplete"),
])
def test_malformed_frames(data: bytes, match: str) -> None:
    with pytest.raises(FrameError, match=match):
        decode(data)


def test_frames_beyond_the_size_limit() -> None:
    with pytest.raises(FrameError, match="longer than 64"):
        Parser(64).feed(b"SEND\n\n" + b"x" * 100)  # no NUL yet, already too long
    with pytest.raises(FrameError, match="exceeds 64"):
        Parser(64).feed(b"SEND\ncontent-length:65\n\n")
    with pytest.raises(FrameError, match="longer than 64"):
        Parser(64).feed(b"SEND\n\n" + b"x" * 60 + b"\x00")
    assert Parser(64).feed(b"SEND\n\n" + b"x" * 56 + b"\x00") != []


# ------------------------------------------------------------------------------ heart-beats
@pytest.mark.parametrize(("header", "expected"), [
    (None, (0, 0)), ("0,0", (0, 0)), ("10000,5000", (10000, 5000)), (" 1 , 2 ", (1, 2)),
])
def test_parse_heartbeat(header: str | None, expected: tuple[int, int]) -> None:
    assert parse_heartbeat(header) == expected


@pytest.mark.parametrize("header", ["", "1", "1,2,3", "a,b", "-1,0", "1.5,0"])
def test_malformed_heartbeat(header: str) -> None:
    with pytest.raises(FrameError, match="heart-beat"):
        parse_heartbeat(header)


@pytest.mark.parametrize(("client", "expected"), [
    ((0, 0), (0, 0)),
    ((0, 1000), (10000, 0)),
    ((20000, 30000), (30000, 20000)),
    ((5000, 0), (0, 10000)),
])
def test_negotiate_heartbeat(client: tuple[int, int], expected: tuple[int, int]) -> None:
    assert negotiate_heartbeat(client, (10000, 10000)) == expected
    assert negotiate_heartbeat(client, (0, 0)) == (0, 0)
