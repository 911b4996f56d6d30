"""The pipeline step "scenario" (DESIGN: after auth, before request validation): ask the
scenario engine what the active scenarios do to this call, and carry it out over HTTP.

* a terminal reply becomes the answer: ``respond`` as given, faults as the platform would
  show them (``http_error`` any platform error object; ``broker_down`` 503 ``op-exco 3600``,
  ``broker_timeout`` and ``timeout`` 500 ``op-exco 3005`` on the brokers' families,
  ``op-spt`` in the common service (ERRATA 1 step 13); 503/408 ``op-apim`` on market and
  partner routes (as the partner fault hooks of ERRATA 33); ``empty_response`` an empty body;
  ``connection_reset`` a TCP reset), 429 for a rate limit, 401 for an expired token;
* delays sleep for real when served (``Config.delays = "real"``; after the call's store
  transaction, so after the view did its work) and are virtual in-process: only reported
  (``X-Sandbox-Delay-Ms``, journal ``delayMs``);
* ``malformed_body`` cuts the real answer in half; rate-limit headers go on every metered
  answer; ``order`` effects reach the order family through ``call.effects``.

A rule that breaks answers a platform 500 naming the scenario and the rule; the server keeps
serving.
"""

from __future__ import annotations

import errno
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Response, g, request

from sandbox import errors
from sandbox.gateway import journal
from sandbox.gateway.call import Call
from sandbox.scenarios.actions import Outcome, Reply
from sandbox.scenarios.engine import ScenarioFailure
from sandbox.scenarios.matching import Request
from sandbox.world.identities import PARTNER_FAMILIES

if TYPE_CHECKING:
    from sandbox.app import SandboxState

BROKER_FAMILIES = ("account", "b2baccount", "order", "common")
_ACCOUNT_POINTERS = (("accInfo", "vtAccNo"), ("qrAccNo",), ("account",))


class Answer(Exception):
    """A scenario's answer to the call, instead of the view's."""

    def __init__(self, response: Response) -> None:
        super().__init__("scenario answer")
        self.response = response


class ConnectionAbort(BaseException):
    """``connection_reset``: not an Exception, so Flask's handlers let it through to
    :class:`ResetMiddleware`, which resets the TCP connection."""


def _accounts(body: Any) -> tuple[str, ...]:
    """Account numbers anywhere a family puts them (account ``accInfo.vtAccNo`` at the top or
    in the body block, b2b ``qrAccNo``, order ``account``)."""
    if not isinstance(body, dict):
        return ()
    found: list[str] = []
    blocks = [body, *(v for v in body.values() if isinstance(v, dict))]
    for block in blocks:
        for path in _ACCOUNT_POINTERS:
            value: Any = block
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, str) and value.strip():
                found.append(value.strip())
    return tuple(dict.fromkeys(found))


def request_view(call: Call) -> Request:
    body = call.body
    header = body.get("commonHeader") if isinstance(body, dict) else None
    ci = call.user.ci if call.user is not None else None
    if ci is None and isinstance(header, dict) and isinstance(header.get("ci"), str):
        ci = header["ci"].strip()
    token = None
    if call.token is not None:
        token = (request.headers.get("Authorization") or "").strip().partition(" ")[2].strip()
    return Request(
        operation=call.operation.id, family=call.operation.family, method=request.method,
        path=request.path, now=call.world.now(),
        broker=call.broker.short_name if call.broker else None,
        app=call.app.name if call.app else None,
        app_ids=(call.app.api_key, call.app.com_id) if call.app else (),
        user=call.user.id if call.user else None, ci=ci, accounts=_accounts(body),
        institution=call.institution, body=body,
        headers={k.lower(): v for k, v in request.headers.items()},
        remote=request.remote_addr, token=token,
        group="partners" if call.operation.family in PARTNER_FAMILIES else None)


def step(call: Call, state: SandboxState) -> None:
    """Pipeline step "scenario" (never on the admin API: a scenario cannot lock out the
    calls that remove it)."""
    if call.operation.family == "admin" or not state.scenarios.active(call.world):
        return
    try:
        outcome = state.scenarios.evaluate(call.world, request_view(call))
    except ScenarioFailure as failure:
        g.scenario = {"scenario": [{"scenario": failure.scenario, "rule": failure.rule,
                                    "actions": ["failed"]}]}
        raise errors.InternalError(str(failure)) from None
    if outcome is None:
        return
    call.scenario = outcome
    g.scenario = outcome.journal()
    call.effects.update(outcome.effects)
    if outcome.delay:
        _wait(state, outcome.delay)
    if outcome.reply is not None:
        _reply(call, state, outcome.reply)


def _wait(state: SandboxState, delay: float) -> None:
    """A real delay is slept by :func:`pause` once the call's store transaction is over (a
    sleeping request must not keep the store from everyone else)."""
    if state.config.delays == "real":
        g.sandbox_sleep = g.get("sandbox_sleep", 0.0) + delay


def pause() -> None:
    """Sleep the call's real delays (after its store transaction, before its answer)."""
    delay = g.pop("sandbox_sleep", 0.0)
    if delay > 0:
        time.sleep(delay)


def _reply(call: Call, state: SandboxState, reply: Reply) -> None:
    if reply.kind == "respond":
        raise Answer(_respond(reply))
    if reply.kind == "rate_limited":
        raise Answer(errors.json_response(reply.body, 429, dict(reply.headers)))
    if reply.kind == "token_expired":
        raise errors.Unauthorized("the access token is unknown, expired or revoked")
    fault = dict(reply.fault)
    kind = fault["type"]
    if kind == "connection_reset":
        state.journal.record(journal.entry(call.world.now(), 0))
        raise ConnectionAbort()
    if kind == "empty_response":
        raise Answer(Response(b"", status=fault.get("status", 200),
                              content_type=errors.JSON_TYPE))
    if kind == "timeout":
        _wait(state, fault["seconds"])
        g.scenario.setdefault("delayMs", 0)
        g.scenario["delayMs"] += round(fault["seconds"] * 1000, 3)
    if kind in ("broker_down", "broker_timeout", "timeout"):
        raise _broker_error(call, down=kind == "broker_down", fault=fault)
    raise errors.platform_error(fault.get("status"), fault.get("category"), fault.get("code"),
                                fault.get("message"),
                                fault.get("description", f"scenario {reply.scenario}"))


def _respond(reply: Reply) -> Response:
    headers = dict(reply.headers)
    if isinstance(reply.body, str):
        content_type = headers.pop("Content-Type", "text/plain; charset=utf-8")
        return Response(reply.body, status=reply.status, headers=headers,
                        content_type=content_type)
    return errors.json_response(reply.body, reply.status, headers)


def _broker_error(call: Call, down: bool, fault: dict[str, Any]) -> errors.PlatformError:
    family = call.operation.family
    what = call.broker.short_name if call.broker else family
    description = fault.get("description")
    if family in BROKER_FAMILIES:
        category = "op-spt" if family == "common" else None
        if down:
            return errors.BrokerUnavailable(description or f"{what} is down",
                                            category=category)
        return errors.NetworkTimeout(description or f"{what} did not answer in time",
                                     category=category)
    if down:
        return errors.ServiceUnavailable(description or f"the {what} service is down")
    return errors.RequestTimeout(description or f"the {what} service did not answer in time")


def finish(call: Call, state: SandboxState, response: Response) -> Response:
    """Response step: metered headers, the virtual delay, a malformed body."""
    outcome: Outcome | None = call.scenario
    if outcome is None:
        return response
    for name, value in outcome.headers.items():
        response.headers.setdefault(name, value)
    delay = g.scenario.get("delayMs") if isinstance(g.get("scenario"), dict) else None
    if delay:
        response.headers["X-Sandbox-Delay-Ms"] = f"{delay:g}"
    if outcome.malformed:
        data = response.get_data()
        response.set_data(data[: max(1, len(data) // 2)])
    return response


class ResetMiddleware:
    """WSGI middleware for ``connection_reset``: under gunicorn the socket is closed with
    SO_LINGER 0 (the client sees ECONNRESET); in-process the caller gets
    :class:`ConnectionResetError`. The journal shows the call with status 0."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) \
            -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except ConnectionAbort:
            sock = environ.get("gunicorn.socket")
            if isinstance(sock, socket.socket):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raise ConnectionResetError(errno.ECONNRESET,
                                       "connection reset by a sandbox scenario") from None
