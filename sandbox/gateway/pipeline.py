"""The gateway's request pipeline, as literal lists of named steps (ERRATA 1 order).

Every operation's view is :func:`make_view`: it runs ``REQUEST_STEPS`` in order, calls the
operation's handler once, checks the response, and lets the active scenarios finish the answer
(:mod:`sandbox.gateway.scenarios`), all in one store transaction (:func:`_transact`). A step
raises a :class:`PlatformError` to stop; ``errors.render`` answers it. Journal and request id
live in the app hooks (``app.py``) so that 404/405 answers are journaled too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Response, g, request
from werkzeug.exceptions import HTTPException

from sandbox.errors import (
    InternalError,
    PlatformError,
    ServiceUnavailable,
    UnknownApiUrl,
    UnsupportedMediaType,
    json_response,
    render,
)
from sandbox.gateway import auth, scenarios, validation
from sandbox.gateway.call import Call
from sandbox.registry import Compiled, Operation
from sandbox.world.store import CapacityError

if TYPE_CHECKING:
    from sandbox.app import SandboxState

Step = Callable[[Call, "SandboxState"], None]


def check_content_type(call: Call, state: SandboxState) -> None:
    """A JSON POST whose Content-Type is present and not application/json → 415."""
    if call.operation.body != "json" or request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.content_type and request.mimetype.lower() != "application/json":
        raise UnsupportedMediaType(f"Content-Type {request.mimetype} is not application/json")


def authenticate(call: Call, state: SandboxState) -> None:
    authenticator = auth.AUTHENTICATORS.get(call.operation.auth)
    if authenticator is not None:
        authenticator(request, call)
        g.app_name = call.app.name if call.app else None


def check_permission(call: Call, state: SandboxState) -> None:
    auth.check_permission(call)


def parse_body(call: Call, state: SandboxState) -> None:
    kind = call.operation.body
    if kind == "json":
        call.body = validation.parse_json_object(request.get_data(cache=True))
    elif kind in ("query", "form"):
        call.body = {k: v for k, v in request.values.items()}


def resolve_broker(call: Call, state: SandboxState) -> None:
    name = call.path_params.get("broker")
    if name is None:
        return
    broker = call.world.ids.broker(name)
    if broker is None:
        raise UnknownApiUrl(f"unknown broker short name '{name}'")
    call.broker = broker


def resolve_path(call: Call, state: SandboxState) -> None:
    """The family's own path checks (the market's marketcode and issuecode)."""
    if call.operation.resolve is not None:
        call.operation.resolve(call)


def validate_request(call: Call, state: SandboxState) -> None:
    if call.operation.body == "json":
        validation.validate(state.compiled[call.operation.id].request, call.body,
                            call.operation.error_category)
    elif call.operation.body == "query":  # flat str -> str: the verdict is cached per query
        validation.validate_query(state.compiled[call.operation.id], call.body)


REQUEST_STEPS: tuple[tuple[str, Step], ...] = (
    ("content_type", check_content_type),
    ("authenticate", authenticate),
    ("permission", check_permission),
    ("parse_body", parse_body),
    ("broker", resolve_broker),
    ("scenario", scenarios.step),
    ("resolve", resolve_path),
    ("validate_request", validate_request),
)


class ResponseSchemaViolation(InternalError):
    """Strict mode: the emulator produced a response its own schema rejects (our bug)."""


def check_response(compiled: Compiled, body: Any, mode: str) -> None:
    if mode == "off":
        return
    error = validation.first_error(compiled.response, body)
    if error is None:
        return
    where = validation.pointer(list(error.absolute_path)) or "/"
    message = f"response of {compiled.operation.id} violates its schema at {where}: " \
              f"{error.message[:200]}"
    if mode == "strict":
        raise ResponseSchemaViolation(message)
    validation.log.warning(message)


def _answer(op: Operation, call: Call, state: SandboxState) -> Response:
    for _name, step in REQUEST_STEPS:
        step(call, state)
    result = op.handler(call)
    if isinstance(result, Response):
        return result
    check_response(state.compiled[op.id], result, state.config.response_validation)
    return json_response(result, encoder=op.encoder)


def _transact(op: Operation, call: Call, state: SandboxState) -> Response:
    """The call in one store transaction, committed before the answer is returned (an
    acknowledged order is on disk under ``serve --state``). It begins at the call's first
    write (a read-only call takes no lock). What a call wrote before a business error
    (a platform error, a scenario's answer or connection reset) is committed — a failed
    login still counts; an unexpected exception (our 500) rolls everything back. A full
    store (:class:`CapacityError`) answers 503 ``op-apim``."""
    failure: BaseException | None = None
    with call.world.store.transaction(deferred=True):
        try:
            response = _answer(op, call, state)
        except scenarios.Answer as answer:
            response = answer.response
        except CapacityError as full:
            failure = ServiceUnavailable(str(full))
        except (PlatformError, HTTPException, scenarios.ConnectionAbort) as error:
            failure = error
    if failure is None:
        return response
    if isinstance(failure, PlatformError) and call.scenario is not None:
        return render(failure)
    raise failure


def make_view(op: Operation, state: SandboxState) -> Callable[..., Response]:
    def view(**path_params: str) -> Response:
        call = Call(operation=op, world=state.world, request_id=g.request_id,
                    path_params=path_params)
        g.operation_id = op.id
        try:
            response = _transact(op, call, state)
        finally:
            scenarios.pause()  # real scenario delays, outside the transaction
        return scenarios.finish(call, state, response)

    view.__name__ = op.id.replace(".", "_")
    view.__doc__ = op.summary
    return view
