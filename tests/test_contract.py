"""Contract: every operation has both schemas, an OpenAPI entry and a test; schemas compile."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from sandbox.registry import SCHEMAS, SchemaLoadError, all_operations, compile_all, load_schema

TESTS = Path(__file__).resolve().parent


def test_every_operation_has_both_schemas_that_compile() -> None:
    compiled = compile_all(all_operations())
    for op in all_operations():
        assert op.schema_path("request").is_file(), op.id
        assert op.schema_path("response").is_file(), op.id
        assert op.id in compiled


def test_every_schema_file_belongs_to_an_operation() -> None:
    known = {op.schema_path(kind) for op in all_operations() for kind in ("request", "response")}
    for path in SCHEMAS.rglob("*.json"):
        if path.parent.name in ("gateway", "streaming"):  # not operations (test_streaming*)
            continue
        if path.name == "scenario.schema.json":  # the scenario format (test_scenarios*)
            continue
        assert path in known, f"orphan schema {path}"


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
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", path
        assert "$id" not in _walk(schema), path
