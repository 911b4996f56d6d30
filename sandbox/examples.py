"""One worked example per operation: a realistic call in the default world and its answer.

``schemas/<group>/<name>.example.json`` sits next to the operation's two schemas; its format
is ``schemas/example.schema.json``::

    {"summary": "what the call shows",
     "given": [{"operation": "order.new", "body": {...}}],       # optional set-up calls
     "request": {"path": {...}, "query": {...}, "body": {...} | "form": {...},
                 "headers": {...}},
     "response": {"status": 200, "headers": {"Location": ...}, "body": <the answer>}}

The request carries no credentials: :func:`auth_headers` adds the default world's credentials
for the operation's scheme, so an example stays valid when a key changes in the fixture. The
``response`` part is written by ``scripts/examples.py`` from what the emulator answers in a
freshly reset default world (seed 42, clock frozen at 2026-11-24T10:00:00+09:00, 1,000
generated users); the contract tests replay every example and compare. JSON bodies are stored
as parsed JSON, so numbers the account family prints in Java's notation (``9.816358E7``)
appear re-encoded (``98163580.0``); HTML bodies are stored as text.

The same examples feed the OpenAPI document (:func:`annotate`) and the fuzzers
(:func:`auth_headers`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from sandbox.paths import SCHEMAS
from sandbox.registry import Operation, all_operations

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

    from sandbox.world.world import World

EXAMPLE_SCHEMA_PATH = SCHEMAS / "example.schema.json"

#: The world every example runs in (``tests/conftest.py`` builds the same one).
DEFAULT_SEED = 42
DEFAULT_CLOCK = "2026-11-24T10:00:00+09:00"

#: The documented sandbox app (F0995/297, the README tour's): the credentials of examples
#: whenever it may call the operation; otherwise the first app of the fixture that may.
DEFAULT_APP = "app-f0995-sandbox"

#: Answers longer than this (compact JSON characters) stay out of the OpenAPI document: the
#: whole-market lists would add megabytes to ``/openapi.json``; their example files keep them.
OPENAPI_EXAMPLE_LIMIT = 8_192

#: Response headers an example records (everything else is transport detail).
RECORDED_HEADERS = ("Location", "WWW-Authenticate")


class ExampleError(RuntimeError):
    """An example that cannot be sent: unknown operation, missing path value, failed set-up."""


def example_path(op: Operation) -> Path:
    """``schemas/<group>/<name>.example.json``."""
    return op.schema_path("example")


def load_example(op: Operation) -> dict[str, Any]:
    """The operation's example (``FileNotFoundError`` when it has none)."""
    value = json.loads(example_path(op).read_text(encoding="utf-8"))
    if not isinstance(value, dict):
        raise ExampleError(f"{example_path(op)} is not a JSON object")
    return value


@lru_cache(maxsize=1)
def new_order_body(number: int, qty: int, price: int, side: str = "1") -> dict[str, Any]:
    """The ``order.new`` example's body (institution 00995, a limit order for 005930) as the
    ``number``-th order of the day (``clOrdID`` ``ADV00995-20261124-<number>``) for ``qty`` at
    ``price``: what scripts and tests place as a client would."""
    body: dict[str, Any] = json.loads(json.dumps(
        load_example(operations_by_id()["order.new"])["request"]["body"]))
    cl_ord_id = f"ADV00995-20261124-{number:06d}"
    body["commonHeader"]["reqIdConsumer"] = cl_ord_id
    body["newOrderSingleRequestBody"].update(clOrdID=cl_ord_id, orderQty=qty, price=price,
                                             side=side)
    return body


def operations_by_id() -> dict[str, Operation]:
    """Every registered operation by id (the ``operation`` of a ``given`` step)."""
    return {op.id: op for op in all_operations()}


# --- credentials ---------------------------------------------------------------------------------
def _preferred(names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: name != DEFAULT_APP)  # stable: fixture order otherwise


def auth_headers(op: Operation, world: World) -> dict[str, str]:
    """The default world's credentials for ``op``'s auth scheme.

    * apikey: ``apikey`` of an app subscribing to the operation's family (partner families
      through the documented apps' ``partners`` umbrella);
    * basic: ``Authorization: Basic base64(key:secret)`` and ``comId`` of the first
      discretionary institution whose app may call the family (``00995``);
    * bearer: a pre-seeded access token (``fixtures/world.yaml`` grants, restored at every
      reset) whose scope covers the operation's;
    * none: no headers.
    """
    ids = world.ids
    if op.auth == "apikey":
        for name in _preferred(list(ids.apps)):
            if ids.apps[name].subscribes(op.family):
                return {"apikey": ids.apps[name].api_key}
    elif op.auth == "basic":
        for institution in ids.institutions.values():
            app = ids.apps.get(institution.app)
            if app is not None and app.subscribes(op.family) and app.discretionary:
                pair = base64.b64encode(f"{app.api_key}:{app.secret}".encode()).decode()
                return {"Authorization": f"Basic {pair}", "comId": institution.com_id}
    elif op.auth == "bearer":
        grants = [g for g in ids.grants if g.access_token is not None
                  and (op.scope is None or op.scope in g.scope.split())
                  and g.app in ids.apps and ids.apps[g.app].subscribes(op.family)]
        if grants:
            grant = min(grants, key=lambda g: g.app != DEFAULT_APP)  # first of equals
            return {"Authorization": f"Bearer {grant.access_token}"}
    else:
        return {}
    raise ExampleError(f"the default world has no {op.auth} credentials for {op.id}")


# --- requests ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreparedRequest:
    """What the Flask test client (or any HTTP client, prefixed with a base URL) sends."""

    method: str
    url: str  # path and query string
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes | None = None

    def send(self, client: FlaskClient) -> TestResponse:
        return client.open(self.url, method=self.method, headers=self.headers, data=self.data)


def fill_path(rule: str, values: dict[str, Any]) -> str:
    """A Flask rule with its ``<converter:name>`` parts replaced by ``values`` (URL-quoted)."""
    out, rest = "", rule
    while "<" in rest:
        head, _, tail = rest.partition("<")
        spec, _, rest = tail.partition(">")
        name = spec.rpartition(":")[2]
        if name not in values:
            raise ExampleError(f"no value for path parameter {name} of {rule}")
        out += head + quote(str(values[name]), safe="")
    return out + rest


def build_request(op: Operation, request: dict[str, Any], world: World) -> PreparedRequest:
    """The HTTP request of an example's ``request`` part (or a ``given`` step): the path
    filled in, the query string, the credentials of :func:`auth_headers` under the example's
    own headers, and the JSON or form body."""
    url = fill_path(op.paths[0], request.get("path", {}))
    query = request.get("query")
    if query:
        url += "?" + urlencode([(k, str(v)) for k, v in query.items()])
    headers = {**auth_headers(op, world), **request.get("headers", {})}
    data: bytes | None = None
    if "body" in request:
        data = json.dumps(request["body"], ensure_ascii=False).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    elif "form" in request:
        data = urlencode([(k, str(v)) for k, v in request["form"].items()]).encode("ascii")
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return PreparedRequest(op.method, url, headers, data)


def request_instance(op: Operation, request: dict[str, Any]) -> Any:
    """What the operation's request schema validates for this request: the JSON body, the
    form fields or the query parameters (strings, as the gateway parses them)."""
    if op.body == "json":
        return request.get("body")
    if op.body == "form":
        return {k: str(v) for k, v in request.get("form", {}).items()}
    if op.body == "query":
        return {k: str(v) for k, v in request.get("query", {}).items()}
    return None


# --- answers -------------------------------------------------------------------------------------
def recorded(response: TestResponse) -> dict[str, Any]:
    """An answer as an example records it: status, the headers of :data:`RECORDED_HEADERS`
    and the body (parsed JSON, text, or null when empty)."""
    out: dict[str, Any] = {"status": response.status_code}
    headers = {name: response.headers[name] for name in RECORDED_HEADERS
               if name in response.headers}
    if headers:
        out["headers"] = headers
    data = response.get_data()
    if not data:
        out["body"] = None
    elif response.mimetype == "application/json":
        out["body"] = json.loads(data)
    else:
        out["body"] = data.decode("utf-8")
    return out


def canonical(value: Any) -> str:
    """JSON text for comparing answers: key order and int/float kept (``1`` is not ``1.0``)."""
    return json.dumps(value, ensure_ascii=False, indent=1)


def default_app() -> Flask:
    """An in-process emulator over the default world, validating its answers strictly."""
    from sandbox.app import Config, create_app
    from sandbox.world.world import WorldSettings

    return create_app(Config(world=WorldSettings(seed=DEFAULT_SEED, clock=DEFAULT_CLOCK),
                             response_validation="strict"))


def replay(app: Flask, op: Operation, example: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Reset the world of ``app`` (and empty its request journal), run the example's ``given``
    steps, send its request; answers the recorded form of the answer and the raw response.

    A ``given`` step that fails raises :class:`ExampleError`: the example is stale."""
    state = app.extensions["sandbox"]
    state.reset()
    state.journal.clear()
    client = app.test_client()
    for number, step in enumerate(example.get("given", ()), 1):
        step_op = operations_by_id().get(step.get("operation", ""))
        if step_op is None:
            raise ExampleError(f"{op.id}: given step {number} names an unknown operation")
        answer = build_request(step_op, step, state.world).send(client)
        if answer.status_code >= 400:
            raise ExampleError(f"{op.id}: given step {number} ({step_op.id}) answered "
                               f"{answer.status_code}: {answer.get_data(as_text=True)[:300]}")
    response = build_request(op, example["request"], state.world).send(client)
    return recorded(response), response


# --- OpenAPI -------------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def _cached_example(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    value = json.loads(path.read_text(encoding="utf-8"))
    return value if isinstance(value, dict) else None


def annotate(spec: dict[str, Any], op: Operation) -> None:
    """Add the operation's example to its OpenAPI operation object (built by
    ``sandbox.openapi``): ``example`` of each path and query parameter, of the request body,
    and of the recorded response's status (when its body is at most
    :data:`OPENAPI_EXAMPLE_LIMIT` characters of JSON). No example file: nothing changes."""
    example = _cached_example(example_path(op))
    if example is None:
        return
    request, response = example.get("request", {}), example.get("response", {})
    for parameter in spec.get("parameters", ()):
        source = {"path": request.get("path", {}), "query": request.get("query", {})}
        values = source.get(parameter.get("in", ""), {})
        if parameter.get("name") in values:
            parameter["example"] = values[parameter["name"]]
    body = request.get("body", request.get("form"))
    if body is not None:
        for media in spec.get("requestBody", {}).get("content", {}).values():
            media["example"] = body
    answer = spec.get("responses", {}).get(str(response.get("status")))
    body = response.get("body")
    if answer is not None and body is not None and len(
            json.dumps(body, ensure_ascii=False, separators=(",", ":"))) <= OPENAPI_EXAMPLE_LIMIT:
        for media in answer.get("content", {}).values():
            media["example"] = body
