"""The table of operations: routes, validators, OpenAPI and coverage all derive from it.

One operation id names every layer of an endpoint: ``common.member_register_search`` is the
Flask endpoint, the view, ``schemas/common/member_register_search.request.json`` and
``.response.json``, the OpenAPI operationId and the tests' name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from sandbox.paths import SCHEMAS

if TYPE_CHECKING:
    from sandbox.gateway.call import Call

Auth = Literal["apikey", "basic", "bearer", "none"]
BodyKind = Literal["json", "form", "query", "none"]
Handler = Callable[["Call"], Any]

FORMAT_CHECKER = FormatChecker()


class SchemaLoadError(RuntimeError):
    """A missing or broken schema: start-up stops."""


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    paths: tuple[str, ...]
    handler: Handler
    auth: Auth
    family: str
    summary: str
    body: BodyKind = "json"
    scope: str | None = None
    error_category: str | None = "op-exco"  # of 3003 (None: missing fields are plain 400s)
    tags: tuple[str, ...] = ()
    responses: dict[int, str] = field(default_factory=dict)
    content_type: str = "application/json"
    extra_methods: tuple[str, ...] = ()
    resolve: Handler | None = None  # step "resolve": the family's path check or body
    #                                 normalisation, before the request schema
    encoder: Callable[[Any], str] | None = None  # JSON text of a result (default json.dumps)
    strict_slashes: bool = True  # False: the path answers with and without a trailing slash

    @property
    def methods(self) -> tuple[str, ...]:
        return (self.method, *self.extra_methods)

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    def schema_path(self, kind: str) -> Path:
        return SCHEMAS / self.group / f"{self.name}.{kind}.json"


@dataclass(eq=False)  # hashed by identity (validation caches key on it)
class Compiled:
    operation: Operation
    request_schema: dict[str, Any]
    response_schema: dict[str, Any]
    request: Draft202012Validator
    response: Draft202012Validator


_OPERATIONS: dict[str, Operation] = {}


def operation(op_id: str, method: str, *paths: str, auth: Auth, family: str, summary: str,
              **options: Any) -> Callable[[Handler], Handler]:
    """Register a view as an operation (used as a decorator in each family's ``routes.py``)."""

    def register(handler: Handler) -> Handler:
        if op_id in _OPERATIONS and _OPERATIONS[op_id].handler is not handler:
            raise ValueError(f"operation {op_id} registered twice")
        _OPERATIONS[op_id] = Operation(op_id, method, tuple(paths), handler, auth, family,
                                       summary, **options)
        return handler

    return register


def all_operations() -> list[Operation]:
    _import_families()
    return sorted(_OPERATIONS.values(), key=lambda o: o.id)


def _import_families() -> None:
    """Import every module that registers operations (idempotent)."""
    import sandbox.admin.routes
    import sandbox.families.account.routes
    import sandbox.families.b2baccount.routes
    import sandbox.families.common.routes
    import sandbox.families.market.routes
    import sandbox.families.order.routes
    import sandbox.families.partners.routes
    import sandbox.oauth.routes  # noqa: F401


def load_schema(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise SchemaLoadError(f"missing schema {path}")
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
    except (ValueError, SchemaError) as exc:
        raise SchemaLoadError(f"broken schema {path}: {exc}") from exc
    if not isinstance(schema, dict):
        raise SchemaLoadError(f"schema {path} is not an object")
    return schema


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


def compile_all(operations: list[Operation]) -> dict[str, Compiled]:
    """Load and compile both schemas of every operation once; fail loudly on any problem."""
    compiled: dict[str, Compiled] = {}
    for op in operations:
        req = load_schema(op.schema_path("request"))
        resp = load_schema(op.schema_path("response"))
        compiled[op.id] = Compiled(op, req, resp, validator(req), validator(resp))
    return compiled


ERROR_SCHEMA_PATH = SCHEMAS / "gateway" / "error.json"
OAUTH_ERROR_SCHEMA_PATH = SCHEMAS / "gateway" / "oauth_error.json"
MARKET_ERROR_SCHEMA_PATH = SCHEMAS / "gateway" / "market_error.json"
