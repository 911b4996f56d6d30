"""Contract (issue 9): every operation has both schemas, an OpenAPI entry, an example and a
test; schemas compile; every example's request and recorded answer follow the schemas, and
replaying it in a freshly reset default world answers exactly what it records."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from sandbox import openapi
from sandbox.examples import (
    EXAMPLE_SCHEMA_PATH,
    ExampleError,
    annotate,
    auth_headers,
    build_request,
    canonical,
    example_path,
    load_example,
    operations_by_id,
    replay,
    request_instance,
)
from sandbox.gateway import pipeline
from sandbox.gateway.validation import MARKET_CATEGORY
from sandbox.registry import (
    ERROR_SCHEMA_PATH,
    MARKET_ERROR_SCHEMA_PATH,
    OAUTH_ERROR_SCHEMA_PATH,
    SCHEMAS,
    Compiled,
    Operation,
    SchemaLoadError,
    all_operations,
    compile_all,
    load_schema,
    validator,
)

TESTS = Path(__file__).resolve().parent


def test_every_operation_has_both_schemas_that_compile() -> None:
    compiled = compile_all(all_operations())
    for op in all_operations():
        assert op.schema_path("request").is_file(), op.id
        assert op.schema_path("response").is_file(), op.id
        assert op.id in compiled


def test_every_schema_file_belongs_to_an_operation() -> None:
    known = {op.schema_path(kind) for op in all_operations()
             for kind in ("request", "response", "example")}
    for path in SCHEMAS.rglob("*.json"):
        if path.parent.name in ("gateway", "streaming"):  # not operations (test_streaming*)
            continue
        if path.name in ("scenario.schema.json",  # the scenario format (test_scenarios*)
                         "example.schema.json"):  # the example format (below)
            continue
        assert path in known, f"orphan schema or example {path}"


def test_broken_or_missing_schema_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(SchemaLoadError):
        load_schema(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": 12}')
    with pytest.raises(SchemaLoadError):
        load_schema(broken)
    broken.write_text("{not json")
    with pytest.raises(SchemaLoadError):
        load_schema(broken)


def test_every_operation_is_in_openapi(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    Draft202012Validator.check_schema(document["components"]["schemas"]["Error"])
    operation_ids = {o["operationId"] for path in document["paths"].values()
                     for o in path.values()}
    for op in all_operations():
        assert op.id in operation_ids, op.id
        for rule in op.paths:
            path = re.sub(r"<(?:[a-z_]+:)?([a-zA-Z_]+)>", r"{\1}", rule)
            for method in op.methods:
                assert method.lower() in document["paths"][path], (path, method)


def test_every_operation_has_a_test() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py"))
    for op in all_operations():
        pattern = re.sub(r"<[^>]+>", "[^/\"'?]+", re.escape(op.paths[0]).replace(r"\<", "<")
                         .replace(r"\>", ">"))
        assert op.id in source or re.search(pattern, source), f"no test calls {op.id}"


def test_docs_are_served_offline(client: FlaskClient) -> None:
    page = client.get("/docs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/openapi.json" in html
    assert "https://" not in re.sub(r"<!--.*?-->", "", html, flags=re.S).split("<body")[0]
    for asset in re.findall(r'(?:src|href)="(\./[^"]+|/docs/[^"]+)"', html):
        url = asset if asset.startswith("/") else "/docs/" + asset[2:]
        assert client.get(url).status_code == 200, url


def _walk(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value] + [x for v in value.values() for x in _walk(v)]
    if isinstance(value, list):
        return [x for v in value for x in _walk(v)]
    return []


def test_schema_files_are_2020_12() -> None:
    for path in SCHEMAS.rglob("*.json"):
        if path.name.endswith(".example.json"):  # data, not schemas
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", path
        assert "$id" not in _walk(schema), path


# --- examples (schemas/<group>/<name>.example.json, sandbox/examples.py) -------------------------
REFRESH = "refresh the recorded answers with: python scripts/examples.py"
OPERATIONS = all_operations()
EXAMPLE_FORMAT = validator(load_schema(EXAMPLE_SCHEMA_PATH))
#: Handlers that build their flask Response themselves (HTML pages and redirects of the OAuth
#: authorize steps, the RFC 6749 bodies of the token endpoints): the pipeline's response check
#: never sees their answers, so the replay below validates them against their schemas.
SELF_ANSWERING = frozenset({"auth.authorize", "auth.authorize_login", "auth.authorize_consent",
                            "auth.token", "auth.token_revoke"})
ERROR_SCHEMAS = {"market": MARKET_ERROR_SCHEMA_PATH, "oauth": OAUTH_ERROR_SCHEMA_PATH,
                 "platform": ERROR_SCHEMA_PATH}


def _example(op: Operation) -> dict[str, Any]:
    path = example_path(op)
    assert path.is_file(), f"{op.id} has no example: write {path.relative_to(SCHEMAS.parent)}"
    return load_example(op)


def _errors(schema_validator: Draft202012Validator, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '/'}: {e.message[:200]}"
            for e in schema_validator.iter_errors(instance)]


def _error_schema(op: Operation) -> Draft202012Validator:
    if op.id in ("auth.token", "auth.token_revoke"):
        kind = "oauth"
    elif op.error_category == MARKET_CATEGORY:
        kind = "market"
    else:
        kind = "platform"
    return validator(load_schema(ERROR_SCHEMAS[kind]))


def _answer_errors(op: Operation, compiled: Compiled, answer: dict[str, Any]) -> list[str]:
    """What is wrong with a recorded or live answer: a 2xx body against the response schema,
    a 3xx needs its Location, a 4xx/5xx body against the error schema the operation uses."""
    status = answer["status"]
    if 200 <= status < 300:
        return _errors(compiled.response, answer["body"])
    if 300 <= status < 400:
        return [] if answer.get("headers", {}).get("Location") else ["a redirect without Location"]
    return _errors(_error_schema(op), answer["body"])


def test_every_operation_has_an_example() -> None:
    missing = [op.id for op in OPERATIONS if not example_path(op).is_file()]
    assert missing == [], f"operations without an example: {missing}"


def test_the_example_format_is_a_2020_12_schema() -> None:
    Draft202012Validator.check_schema(load_schema(EXAMPLE_SCHEMA_PATH))
    assert _errors(EXAMPLE_FORMAT, {"summary": "x", "request": {}, "response": {
        "status": 200, "body": None}}) == []
    assert _errors(EXAMPLE_FORMAT, {"summary": "x", "request": {"body": {}, "form": {}},
                                    "response": {"status": 200, "body": None}})
    assert _errors(EXAMPLE_FORMAT, {"summary": "x", "request": {"queyr": {}},
                                    "response": {"status": 200, "body": None}})


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_example_follows_the_format_and_the_request_schema(app: Flask, op: Operation) -> None:
    example = _example(op)
    assert _errors(EXAMPLE_FORMAT, example) == []
    compiled = app.extensions["sandbox"].compiled
    steps = [*((operations_by_id()[s["operation"]], s) for s in example.get("given", ())),
             (op, example["request"])]
    for step_op, request in steps:
        names = set(re.findall(r"<(?:[a-z_]+:)?([a-zA-Z_]+)>", step_op.paths[0]))
        assert set(request.get("path", {})) == names, (step_op.id, "path parameters")
        assert ("body" in request) == (step_op.body == "json"), step_op.id
        assert "form" not in request or step_op.body == "form", step_op.id
        assert "query" not in request or step_op.body in ("query", "form"), step_op.id
        instance = request_instance(step_op, request)
        if instance is not None:
            assert _errors(compiled[step_op.id].request, instance) == [], step_op.id


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_recorded_answer_follows_the_response_schema(app: Flask, op: Operation) -> None:
    example = _example(op)
    compiled = app.extensions["sandbox"].compiled[op.id]
    assert _answer_errors(op, compiled, example["response"]) == [], REFRESH


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_example_replays_exactly(app: Flask, op: Operation,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The golden check, which is also the "same bytes for the same seed" check: a fresh
    default world answers the recorded status, headers and body."""
    example = _example(op)
    checked: list[str] = []
    original = pipeline.check_response

    def spy(compiled: Compiled, body: Any, mode: str) -> None:
        checked.append(compiled.operation.id)
        original(compiled, body, mode)

    monkeypatch.setattr(pipeline, "check_response", spy)
    answer, response = replay(app, op, example)
    assert canonical(answer) == canonical(example["response"]), \
        f"{op.id}: the emulator answers differently from {example_path(op).name}; {REFRESH}"
    if answer["status"] < 300 and op.id not in checked:
        assert op.id in SELF_ANSWERING, f"{op.id} answers a Response itself: list it in " \
                                        "SELF_ANSWERING so that its answers are validated here"
    if op.id in SELF_ANSWERING:  # the pipeline does not check these: do it here
        compiled = app.extensions["sandbox"].compiled[op.id]
        assert response.mimetype == op.content_type or answer["status"] >= 300
        assert _answer_errors(op, compiled, answer) == []


def test_example_files_are_written_by_the_script() -> None:
    """Files keep the script's layout (key order, indent, final newline): "same bytes"."""
    spec = importlib.util.spec_from_file_location("examples_script",
                                                  SCHEMAS.parent / "scripts" / "examples.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for op in OPERATIONS:
        path = example_path(op)
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert script.dump(json.loads(text)) == text, f"{path}: {REFRESH}"


def test_auth_headers_carry_the_credentials_of_each_scheme(app: Flask) -> None:
    world = app.extensions["sandbox"].world
    by_id = operations_by_id()
    assert auth_headers(by_id["admin.health"], world) == {}
    assert auth_headers(by_id["market.stocks_price"], world) == {
        "apikey": "l7xx07af2794364743abaf6a493cdeca5aa0"}  # the documented sandbox app
    basic = auth_headers(by_id["order.new"], world)
    assert basic["comId"] == "00995" and basic["Authorization"].startswith("Basic ")
    bearer = auth_headers(by_id["account.balance_search"], world)
    assert bearer == {"Authorization": "Bearer e9911d97-407f-45d4-b0a1-22e930c5ef08"}
    for op in OPERATIONS:  # every operation of the default world can be called
        assert (auth_headers(op, world) == {}) == (op.auth == "none"), op.id


def test_build_request_fills_the_path_query_and_body(app: Flask) -> None:
    world = app.extensions["sandbox"].world
    by_id = operations_by_id()
    prepared = build_request(by_id["market.stocks_history"], {
        "path": {"marketcode": "kospi", "issuecode": "005930"},
        "query": {"trnsmCycleTpCd": "D", "inqStrtDd": "20261101"}}, world)
    assert (prepared.method, prepared.url, prepared.data) == (
        "GET", "/v2/market/stocks/kospi/005930/history?trnsmCycleTpCd=D&inqStrtDd=20261101", None)
    form = build_request(by_id["auth.token"], {"form": {"grant_type": "refresh_token"}}, world)
    assert form.data == b"grant_type=refresh_token"
    assert form.headers["Content-Type"] == "application/x-www-form-urlencoded"
    posted = build_request(by_id["admin.clock_set"], {"body": {"advance": "PT1H"},
                                                      "headers": {"X-Trace": "1"}}, world)
    assert json.loads(posted.data or b"") == {"advance": "PT1H"}
    assert posted.headers == {"X-Trace": "1", "Content-Type": "application/json"}
    with pytest.raises(ExampleError):
        build_request(by_id["admin.user_get"], {}, world)


def test_annotate_puts_the_example_into_the_openapi_operation(app: Flask) -> None:
    compiled = app.extensions["sandbox"].compiled
    op = operations_by_id()["market.stocks_history"]
    spec = openapi._operation(op, op.paths[0], compiled[op.id])
    annotate(spec, op)
    example = load_example(op)
    params = {p["name"]: p for p in spec["parameters"]}
    assert params["issuecode"]["example"] == "005930"
    assert params["reqCnt"]["example"] == example["request"]["query"]["reqCnt"]
    assert spec["responses"]["200"]["content"]["application/json"]["example"] == \
        example["response"]["body"]
    op = operations_by_id()["admin.clock_set"]
    spec = openapi._operation(op, op.paths[0], compiled[op.id])
    annotate(spec, op)
    assert spec["requestBody"]["content"]["application/json"]["example"] == \
        load_example(op)["request"]["body"]
