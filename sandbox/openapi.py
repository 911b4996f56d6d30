"""OpenAPI 3.1 document generated with apispec from the registry and the schemas.

Served at ``/openapi.json``; ``/docs`` renders it with Swagger UI from assets shipped in the
``flask-swagger-ui`` package (no CDN).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from apispec import APISpec
from flask import Flask, Response

from sandbox import __version__
from sandbox.families.order import channel as order_channel
from sandbox.families.streaming import routes as streaming
from sandbox.gateway.validation import MARKET_CATEGORY
from sandbox.paths import SCHEMAS
from sandbox.registry import (
    ERROR_SCHEMA_PATH,
    MARKET_ERROR_SCHEMA_PATH,
    OAUTH_ERROR_SCHEMA_PATH,
    Operation,
    load_schema,
)

if TYPE_CHECKING:
    from sandbox.registry import Compiled

_PARAM = re.compile(r"<(?:[a-z_]+:)?([a-zA-Z_]+)>")

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "apikey"},
    "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "apikey"},
    "basic": {"type": "http", "scheme": "basic",
              "description": "base64(apikey:secret), together with the comId header"},
    "oauth2": {"type": "oauth2", "flows": {"authorizationCode": {
        "authorizationUrl": "/auth/oauth/v2/authorize", "tokenUrl": "/auth/oauth/v2/token",
        "refreshUrl": "/auth/oauth/v2/token",
        "scopes": {"account": "broker account searches", "profile": "member profile"}}}},
}

ERROR_STATUSES = {
    "apikey": (400, 401, 403, 404, 405, 415, 500),
    "basic": (400, 401, 403, 404, 405, 415, 500),
    "bearer": (400, 401, 403, 404, 405, 415, 500),
    "none": (400, 404, 405, 500),
}

DESCRIPTION = (
    "Offline, deterministic emulator of the Koscom Open API Platform "
    "(자본시장 공동 핀테크 오픈플랫폼). Every failure answers the platform error object "
    "`{category, code, message, description}`; the OAuth token endpoints answer RFC 6749 bodies. "
    "`/_sandbox/*` is the emulator's own admin API."
)


def openapi_path(flask_rule: str) -> str:
    return _PARAM.sub(r"{\1}", flask_rule)


def _security(op: Operation) -> list[dict[str, list[str]]]:
    if op.auth == "apikey":
        return [{"apiKeyHeader": []}, {"apiKeyQuery": []}]
    if op.auth == "basic":
        return [{"basic": []}]
    if op.auth == "bearer":
        return [{"oauth2": [op.scope or "account"]}]
    return []


def _parameters(op: Operation, path: str, request_schema: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{([^}]+)}", path)
    ]
    if op.auth == "basic":
        params.append({"name": "comId", "in": "header", "required": True,
                       "schema": {"type": "string"}, "description": "institution code"})
    if op.body == "query":
        required = set(request_schema.get("required", ()))
        for name, schema in request_schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required,
                           "schema": schema})
    return params


def _operation(op: Operation, path: str, compiled: Compiled) -> dict[str, Any]:
    ref_req = {"$ref": f"#/components/schemas/{op.id}.request"}
    ref_resp = {"$ref": f"#/components/schemas/{op.id}.response"}
    error_ref = "OAuthError" if op.id in ("auth.token", "auth.token_revoke") else "Error"
    responses: dict[str, Any] = {
        "302" if op.id.startswith("auth.authorize") and op.method == "POST" else "200": {
            "description": "success",
            "content": {op.content_type: {"schema": ref_resp}},
        },
    }
    for status in ERROR_STATUSES[op.auth]:
        responses.setdefault(str(status), {
            "description": op.responses.get(status, "platform error"),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/"
                                                                f"{error_ref}"}}},
        })
    for status, text in op.responses.items():
        responses.setdefault(str(status), {"description": text, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{error_ref}"}}}})
    if op.error_category == MARKET_CATEGORY:
        responses["400"] = {
            "description": op.responses.get(400, "market-data error (codes 10000-20180)"),
            "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/MarketError"}}}}
    spec: dict[str, Any] = {
        "operationId": op.id if path == op.paths[0] else f"{op.id}@{op.paths.index(path)}",
        "summary": op.summary,
        "tags": list(op.tags or (op.family,)),
        "parameters": _parameters(op, path, compiled.request_schema),
        "responses": responses,
        "security": _security(op),
    }
    if op.body == "json":
        spec["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": ref_req}}}
    elif op.body == "form":
        spec["requestBody"] = {"required": False, "content": {
            "application/x-www-form-urlencoded": {"schema": ref_req}}}
    if path != op.paths[0]:
        spec["description"] = f"Alias of `{openapi_path(op.paths[0])}`."
    return spec


def _component(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


def build_document(operations: list[Operation], compiled: dict[str, Compiled]) -> dict[str, Any]:
    spec = APISpec(title="oppf-sandbox — Koscom Open API Platform emulator", version=__version__,
                   openapi_version="3.1.0", info={"description": DESCRIPTION})
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    spec.components.schema("Error", _component(load_schema(ERROR_SCHEMA_PATH)))
    spec.components.schema("OAuthError", _component(load_schema(OAUTH_ERROR_SCHEMA_PATH)))
    spec.components.schema("MarketError", _component(load_schema(MARKET_ERROR_SCHEMA_PATH)))
    for op in operations:
        spec.components.schema(f"{op.id}.request", _component(compiled[op.id].request_schema))
        spec.components.schema(f"{op.id}.response", _component(compiled[op.id].response_schema))
    for op in operations:
        for rule in op.paths:
            path = openapi_path(rule)
            spec.path(path=path, operations={
                m.lower(): _operation(op, rule, compiled[op.id]) | (
                    {"operationId": f"{op.id}.{m.lower()}"} if m != op.method else {})
                for m in op.methods
            })
    for file in sorted(SCHEMAS.glob("streaming/*.json")):
        spec.components.schema(f"streaming.{file.stem}", _component(load_schema(file)))
    for channel, item in {**streaming.openapi_paths(), **order_channel.openapi_paths()}.items():
        spec.path(path=channel, operations=item)
    document: dict[str, Any] = spec.to_dict()
    return document


def install(app: Flask) -> None:
    from flask_swagger_ui import get_swaggerui_blueprint

    state = app.extensions["sandbox"]
    document = json.dumps(build_document(state.operations, state.compiled), ensure_ascii=False)

    @app.get("/openapi.json")
    def openapi_json() -> Response:
        return Response(document, content_type="application/json; charset=utf-8")

    app.register_blueprint(get_swaggerui_blueprint(
        "/docs", "/openapi.json", config={"app_name": "oppf-sandbox", "deepLinking": True}))
