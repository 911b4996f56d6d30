"""OpenAPI 3.1 document generated with apispec from the registry and the schemas.

Served at ``/openapi.json``; ``/docs`` renders it with Swagger UI from assets shipped in the
``flask-swagger-ui`` package (no CDN).
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

from apispec import APISpec
from flask import Flask, Response

from sandbox import __version__
from sandbox.examples import annotate
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
    "clientBasic": {"type": "http", "scheme": "basic",
                    "description": "OAuth client authentication: base64(client_id:client_secret), "
                                   "or client_id and client_secret in the form"},
    "oauth2": {"type": "oauth2", "flows": {"authorizationCode": {
        "authorizationUrl": "/auth/oauth/v2/authorize", "tokenUrl": "/auth/oauth/v2/token",
        "refreshUrl": "/auth/oauth/v2/token",
        "scopes": {"account": "broker account searches", "profile": "member profile"}}}},
}

# The OAuth token endpoints: RFC 6749 error bodies, OAuth client authentication.
TOKEN_ENDPOINTS = ("auth.token", "auth.token_revoke")

ERROR_STATUSES = {
    "apikey": (400, 401, 403, 404, 405, 415, 500),
    "basic": (400, 401, 403, 404, 405, 415, 500),
    "bearer": (400, 401, 403, 404, 405, 415, 500),
    "none": (400, 404, 405, 500),
}

# The OAuth authorize steps are browser pages (auth.md §4.2): what they answer besides errors,
# and the errors that re-render the login page (HTML, or JSON when the client prefers it).
PAGE_ANSWERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "auth.authorize": (("200", "302"), ()),
    "auth.authorize_login": (("200", "302"), ("401", "403")),
    "auth.authorize_consent": (("302",), ()),
}
SUCCESS = {"200": "success",
           "302": "redirect to redirect_uri (code, state and scope, or error=access_denied / "
                  "unsupported_response_type)"}

DESCRIPTION = (
    "Offline, deterministic emulator of the Koscom Open API Platform "
    "(자본시장 공동 핀테크 오픈플랫폼). Every failure answers the platform error object "
    "`{category, code, message, description}`; the OAuth token endpoints answer RFC 6749 bodies. "
    "`/_sandbox/*` is the emulator's own admin API."
)


def openapi_path(flask_rule: str) -> str:
    return _PARAM.sub(r"{\1}", flask_rule)


def _security(op: Operation) -> list[dict[str, list[str]]]:
    if op.id in TOKEN_ENDPOINTS:  # {}: the client may authenticate in the form instead
        return [{"clientBasic": []}, {}]
    if op.auth == "apikey":
        return [{"apiKeyHeader": []}, {"apiKeyQuery": []}]
    if op.auth == "basic":
        return [{"basic": []}]
    if op.auth == "bearer":
        return [{"oauth2": [op.scope or "account"]}]
    return []


def _parameters(op: Operation, rule: str, request_schema: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{([^}]+)}", openapi_path(rule))
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
    error_ref = "OAuthError" if op.id in TOKEN_ENDPOINTS else "Error"
    answers, page_errors = PAGE_ANSWERS.get(op.id, (("200",), ()))
    responses: dict[str, Any] = {
        status: {"description": SUCCESS[status], "content": {op.content_type: {"schema": ref_resp}}}
        for status in answers
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
    for page_error in page_errors:
        responses[page_error]["content"][op.content_type] = {"schema": ref_resp}
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


def _method(op: Operation, rule: str, method: str, compiled: Compiled) -> dict[str, Any]:
    """The operation object of one path and method, with the operation's worked example
    (``schemas/**/*.example.json``); operationIds stay unique across aliases and methods."""
    spec = _operation(op, rule, compiled)
    if method != op.method:
        spec["operationId"] += f".{method.lower()}"
    annotate(spec, op)
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
            spec.path(path=openapi_path(rule), operations={
                m.lower(): _method(op, rule, m, compiled[op.id]) for m in op.methods})
    for file in sorted(SCHEMAS.glob("streaming/*.json")):
        spec.components.schema(f"streaming.{file.stem}", _component(load_schema(file)))
    for channel, item in {**streaming.openapi_paths(), **order_channel.openapi_paths()}.items():
        spec.path(path=channel, operations=item)
    document: dict[str, Any] = spec.to_dict()
    return document


def install(app: Flask) -> None:
    from flask_swagger_ui import get_swaggerui_blueprint

    state = app.extensions["sandbox"]

    @functools.cache
    def document() -> str:
        """Built at the first request (with every example it takes longer than the rest of the
        start-up); the registry and schemas it reads are fixed for the process."""
        return json.dumps(build_document(state.operations, state.compiled), ensure_ascii=False)

    @app.get("/openapi.json")
    def openapi_json() -> Response:
        return Response(document(), content_type="application/json; charset=utf-8")

    app.register_blueprint(get_swaggerui_blueprint(
        "/docs", "/openapi.json", config={"app_name": "oppf-sandbox", "deepLinking": True}))
