"""The schemas of what the market WebSockets send and accept (``schemas/streaming/``): valid
2020-12 schemas, preset items copied faithfully from the REST schemas, the server's own error
texts, and the documented examples (with their deliberate deviations)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sandbox.families.streaming import exceptions as stream_errors
from sandbox.families.streaming.routes import HEARTBEAT
from sandbox.paths import SCHEMAS
from sandbox.registry import load_schema, validator
from tests.conftest import EXAMPLES, example, needs_shared

STREAMING = SCHEMAS / "streaming"
KINDS = ("request", "reply", "push", "heartbeat", "batch")
SCHEMA = {kind: load_schema(STREAMING / f"{kind}.json") for kind in KINDS}
VALIDATOR = {kind: validator(schema) for kind, schema in SCHEMA.items()}

# streaming.md §6 (the Korean texts of the market code table)
MESSAGES = {
    47: "정상적인 JSON-RPC 형식이 아닙니다",
    10000: "조회유형이 존재 하지 않습니다",
    10040: "종목코드가 존재 하지 않습니다",
    10050: "데이터 FID가 존재 하지 않습니다",
    10070: "고객정보가 일치하지 않습니다",
    13004: "잠시후 재접속을 하여주시기 바랍니다",
    20056: "생성 가능한 종목수를 초과하였습니다",
    20057: "등록하신 종목이 아닙니다",
}

# --- schema checks of received messages -------------------------------------------------------
def kind_of(message: Any) -> str:
    """Which schema a message from the server belongs to."""
    if isinstance(message, list):
        return "batch"
    if isinstance(message, dict) and message.get("method") in ("push", "heartbeat"):
        return str(message["method"])
    return "reply"


def errors_of(kind: str, message: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '/'}: {e.message}"
            for e in VALIDATOR[kind].iter_errors(message)]


def check(message: Any) -> str:
    """Fail unless ``message`` is valid against the schema of its kind; return the kind."""
    kind = kind_of(message)
    problems = errors_of(kind, message)
    assert not problems, f"{kind} schema: {problems[:3]} in {json.dumps(message)[:500]}"
    return kind



# === the schemas ==================================================================================
def test_streaming_schemas_are_2020_12_schemas() -> None:
    for kind in KINDS:
        Draft202012Validator.check_schema(SCHEMA[kind])
        assert SCHEMA[kind]["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _rest_item_schema(name: str) -> dict[str, Any]:
    schema = load_schema(SCHEMAS / "market" / f"{name}.response.json")
    result = schema["properties"]["result"]
    if "$ref" in result:
        result = schema["$defs"][result["$ref"].rsplit("/", 1)[-1]]
    return result  # type: ignore[no-any-return]


@pytest.mark.parametrize(("definition", "source"), [
    ("tick10_stocks", "stocks_price"), ("tick10_futures", "futures_price"),
    ("tick10_options", "options_price"), ("quote10_stocks", "stocks_orderbook"),
    ("quote10_futures", "futures_orderbook"), ("quote10_options", "options_orderbook"),
    ("index", "index_index"),
])
def test_push_items_are_copies_of_the_rest_schemas(definition: str, source: str) -> None:
    pushed = SCHEMA["push"]["$defs"][definition]
    result = _rest_item_schema(source)
    assert pushed["additionalProperties"] is False
    assert list(pushed["properties"])[:2] == ["preset", "isuSrtCd"]
    assert {k: v for k, v in pushed["properties"].items() if k not in ("preset", "isuSrtCd")} \
        == {k: v for k, v in result["properties"].items() if k != "isuSrtCd"}
    assert pushed["required"] == ["preset", "isuSrtCd"] + [
        k for k in result["required"] if k != "isuSrtCd"]


def test_change_items_have_the_rest_types() -> None:
    change = SCHEMA["push"]["$defs"]["change"]["properties"]
    sources = ("stocks_price", "stocks_orderbook", "futures_price", "futures_orderbook",
               "options_price", "options_orderbook")
    for source in sources:
        for name, item in _rest_item_schema(source)["properties"].items():
            if name in ("isuSrtCd", "isuCd", "askordPrc_1", "bidordPrc_1"):
                continue  # key members, or not streamed (realtime_change_items)
            assert name in change, (source, name)
            if "enum" in item:
                assert set(item["enum"]) <= set(change[name]["enum"]), (source, name)
            else:
                wider = {"integer": {"integer", "number"}, "number": {"number"}}[item["type"]]
                assert change[name]["type"] in wider, (source, name)


def test_reply_error_codes_and_texts_are_the_servers() -> None:
    documented = {(branch["properties"]["code"]["const"], branch["properties"]["message"]["const"])
                  for branch in SCHEMA["reply"]["$defs"]["error"]["properties"]["error"]["oneOf"]}
    served = {(cls.code, cls.message) for cls in vars(stream_errors).values()
              if isinstance(cls, type) and issubclass(cls, stream_errors.StreamError)
              and cls is not stream_errors.StreamError}
    assert documented == served == set(MESSAGES.items())


def test_the_servers_heartbeat_is_valid() -> None:
    assert kind_of(json.loads(HEARTBEAT)) == "heartbeat"
    assert errors_of("heartbeat", json.loads(HEARTBEAT)) == []
    assert errors_of("heartbeat", {"jsonrpc": "2.0", "id": 1, "method": "heartbeat"})


@pytest.mark.parametrize(("kind", "message"), [
    ("reply", {"jsonrpc": "2.0", "result": {"message": "ok"}}),
    ("reply", {"jsonrpc": "2.0", "id": 1.5, "result": {"message": "ok"}}),
    ("reply", {"jsonrpc": "2.0", "id": 1, "error": {"code": 47, "message": MESSAGES[10000]}}),
    ("reply", {"jsonrpc": "2.0", "id": 1, "error": {"code": 400, "message": "Bad"}}),
    ("reply", {"jsonrpc": "2.0", "id": 1, "error": {"code": 47, "message": MESSAGES[47],
                                                     "data": 5}}),
    ("reply", {"jsonrpc": "2.0", "id": 1, "result": {"message": "ok"},
               "error": {"code": 47, "message": MESSAGES[47]}}),
    ("push", {"jsonrpc": "2.0", "method": "push",
              "params": {"preset": "tick", "isuSrtCd": "005930", "trdPrc": 1, "trdvol": 1,
                         "accTrdvol": 1, "accTrdval": 1, "trdTm": 9000000, "extra": 1}}),
    ("push", {"jsonrpc": "2.0", "method": "push",
              "params": {"preset": "change", "isuCd": "KR7005930003", "isuSrtCd": "005930"}}),
    ("push", {"jsonrpc": "2.0", "method": "push",
              "params": {"isuCd": "KR7005930003", "isuSrtCd": "005930", "trdPrc": "26650"}}),
    ("push", {"jsonrpc": "2.0", "method": "push",
              "params": {"preset": "index", "isuSrtCd": "005930", "trdPrc": 1.0,
                         "cmpprevddTpCd": "2", "accTrdvol": 1, "trdTm": 0, "accTrdval": 1,
                         "cmpprevddPrc": 0.0}}),
    ("push", {"jsonrpc": "2.0", "id": 1, "method": "push",
              "params": {"isuCd": "KR7005930003", "isuSrtCd": "005930"}}),
    ("batch", []),
    ("batch", [{"isuSrtCd": "005930", "trdPrc": "1", "trdVol": "1", "trdTm": "09000000"}] * 51),
    ("batch", [{"isuSrtCd": "005930", "trdPrc": 26650, "trdVol": "1", "trdTm": "09000000"}]),
    ("batch", [{"isuSrtCd": "005930", "trdPrc": "1", "trdvol": "1", "trdTm": "09000000"}]),
    ("batch", [{"isuSrtCd": "005930", "trdPrc": "1", "trdVol": "1", "trdTm": "9000000"}]),
], ids=lambda value: value if isinstance(value, str) else "")
def test_schemas_reject_malformed_messages(kind: str, message: Any) -> None:
    assert errors_of(kind, message)


def _add_id(message: Any) -> Any:
    return {"jsonrpc": message["jsonrpc"], "id": None, "error": message["error"]}


def _ok_result(message: Any) -> Any:
    return {**message, "result": {"message": "ok"}}


def _tick_union(message: Any) -> Any:
    return {**message, "params": {**message["params"], "accTrdvol": 0, "accTrdval": 0}}


def _quote_union(message: Any) -> Any:
    return {**message, "params": {**message["params"], "accTrdvol": 0}}


# example → (schema, None when valid as documented, else the repair of the deliberate deviation)
DOCUMENTED: dict[str, tuple[str, Callable[[Any], Any] | None]] = {
    "streaming_ok.response.json": ("reply", None),
    "streaming_subscribe_ok.response.json": ("reply", None),
    # error replies without "id": the emulator sends the request's id or null (streaming.md Q7)
    "streaming_error_47.response.json": ("reply", _add_id),
    "streaming_error_47_readme.response.json": ("reply", _add_id),
    # the snapshot as the subscribe result: the emulator replies ok, then pushes it (Q1)
    "streaming_subscribe_snapshot.response.json": ("reply", _ok_result),
    "streaming_push_tick.response.json": ("push", None),
    # tick without accTrdvol/accTrdval, quote without accTrdvol: the emulator emits the union (Q3)
    "streaming_push_tick_readme.response.json": ("push", _tick_union),
    "streaming_push_quote.response.json": ("push", _quote_union),
    "streaming_push_change_1.response.json": ("push", None),
    "streaming_push_change_2.response.json": ("push", None),
    "streaming_push_change_3.response.json": ("push", None),
    "streaming_market_ws_ksp.response.json": ("batch", None),
    "streaming_init.request.json": ("request", None),
    "streaming_heartbeat.request.json": ("request", None),
    "streaming_subscribe_tick.request.json": ("request", None),
    "streaming_subscribe_quote.request.json": ("request", None),
    "streaming_subscribe_change.request.json": ("request", None),
    "streaming_unsubscribe_quote.request.json": ("request", None),
}


@needs_shared
def test_every_streaming_example_is_classified() -> None:
    found = {path.name for path in (EXAMPLES / "market").glob("streaming_*.json")}
    assert found == set(DOCUMENTED)


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_documented_example_against_its_schema(name: str) -> None:
    kind, repair = DOCUMENTED[name]
    document = example(f"market/{name}")
    if kind != "request":
        assert kind_of(document) == kind
    if repair is None:
        assert errors_of(kind, document) == []
    else:  # a deliberate deviation: invalid as documented, valid once exactly that is repaired
        assert errors_of(kind, document)
        assert errors_of(kind, repair(document)) == []
