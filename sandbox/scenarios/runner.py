"""``oppf-sandbox scenario run``: replay a scenario's ``example`` steps and check them.

The run starts from a fresh world (a new in-process app, or ``POST /_sandbox/reset`` on a
served sandbox given by URL), sets the example's clock (frozen), activates the scenario through
the admin API and sends each step over the transport: in-process through the WSGI stack, or
real HTTP. Only the admin API and the documented endpoints are used, so a run proves the same
thing against both.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any, Protocol

from sandbox.scenarios.loader import Definition
from sandbox.scenarios.matching import MISSING, holds, pointer_get

DEFAULT_CLOCK = "2026-11-24T10:00:00+09:00"
DEFAULT_APP = "F9999"


class Reset(Exception):
    """The server reset the connection (or it dropped without an answer)."""


@dataclass(frozen=True)
class Result:
    status: int
    headers: Mapping[str, str]  # lower-case names
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class Transport(Protocol):
    def send(self, method: str, path: str, query: Mapping[str, Any] | None = None,
             headers: Mapping[str, str] | None = None, body: Any = None) -> Result: ...


class InProcess:
    """Through the WSGI stack of an app object (Flask test client)."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def send(self, method: str, path: str, query: Mapping[str, Any] | None = None,
             headers: Mapping[str, str] | None = None, body: Any = None) -> Result:
        try:
            response = self.client.open(path, method=method,
                                        query_string=dict(query) if query else None,
                                        headers=dict(headers or {}),
                                        json=body if body is not None else None)
        except ConnectionResetError as exc:
            raise Reset(str(exc)) from None
        return Result(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                      response.get_data(as_text=True))


class Http:
    """Real HTTP to a served sandbox (stdlib only)."""

    def __init__(self, base: str, timeout: float = 60.0) -> None:
        self.base, self.timeout = base.rstrip("/"), timeout

    def send(self, method: str, path: str, query: Mapping[str, Any] | None = None,
             headers: Mapping[str, str] | None = None, body: Any = None) -> Result:
        url = self.base + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method,
                                         headers=dict(headers or {}))
        if data is not None and not any(k.lower() == "content-type" for k in headers or {}):
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Result(response.status, {k.lower(): v for k, v in response.headers.items()},
                              response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return Result(error.code, {k.lower(): v for k, v in error.headers.items()},
                          error.read().decode("utf-8", "replace"))
        except (ConnectionError, HTTPException, urllib.error.URLError) as exc:
            raise Reset(str(exc)) from None


@dataclass
class StepResult:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    scenario: str
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(s.ok for s in self.steps)

    def text(self) -> str:
        lines = [f"scenario {self.scenario}"]
        lines += [f"  {'PASS' if s.ok else 'FAIL'}  {s.name}: {s.detail}" for s in self.steps]
        if self.error:
            lines.append(f"  ERROR {self.error}")
        passed = sum(s.ok for s in self.steps)
        lines.append(f"{'passed' if self.ok else 'FAILED'}: {passed}/{len(self.steps)} steps")
        return "\n".join(lines)


class SetupError(Exception):
    """The admin API refused to prepare the run."""


def _admin(transport: Transport, method: str, path: str, body: Any = None) -> Any:
    result = transport.send(method, path, body=body)
    if result.status >= 400:
        try:
            reason = result.json().get("description") or result.text
        except ValueError:
            reason = result.text
        raise SetupError(f"{method} {path} → {result.status}: {reason}")
    return result.json()


class Steps:
    """The credentials and checks of example steps."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.apps = {app["name"]: app for app in _admin(transport, "GET", "/_sandbox/apps")["apps"]}

    def app(self, ref: str) -> dict[str, Any]:
        for app in self.apps.values():
            if ref in (app["name"], app["apiKey"], app["comId"]):
                return dict(app)
        raise SetupError(f"no app {ref!r} in the world (give a name, comId or API key)")

    def headers(self, spec: Mapping[str, Any]) -> dict[str, str]:
        headers = dict(spec.get("headers") or {})
        auth = spec.get("auth") or {}
        if "apikey" in auth:
            headers["apikey"] = self.app(auth["apikey"])["apiKey"]
        if "basic" in auth:
            app = self.app(auth["basic"])
            pair = base64.b64encode(f"{app['apiKey']}:{app['secret']}".encode()).decode()
            headers.update({"Authorization": f"Basic {pair}", "comId": app["comId"]})
        if "bearer" in auth:
            grant = auth["bearer"]
            body = {"userId": grant["user"], "apiKey": self.app(grant.get("app", DEFAULT_APP))
                    ["apiKey"], **({"scope": grant["scope"]} if "scope" in grant else {})}
            token = _admin(self.transport, "POST", "/_sandbox/oauth/token", body)
            headers["Authorization"] = f"Bearer {token['access_token']}"
        return headers

    def check(self, expect: Mapping[str, Any], result: Result | None) -> list[str]:
        """What differs from ``expect`` (empty: the step passed)."""
        wanted_error = expect.get("error")
        if result is None:
            return [] if wanted_error == "connection_reset" else ["the connection was reset"]
        if wanted_error == "connection_reset":
            return [f"expected a connection reset, got HTTP {result.status}"]
        problems = []
        if "status" in expect and result.status != expect["status"]:
            problems.append(f"status {result.status}, expected {expect['status']}: "
                            f"{result.text[:160]}")
        body: Any = MISSING
        with suppress(ValueError):
            body = result.json()
        if wanted_error == "empty_response" and result.text:
            problems.append(f"expected an empty body, got {result.text[:60]!r}")
        if wanted_error == "malformed_body" and body is not MISSING:
            problems.append("expected a malformed body, got valid JSON")
        for pointer, condition in (expect.get("json") or {}).items():
            actual = pointer_get(body, pointer) if body is not MISSING else MISSING
            if not holds(condition, actual):
                shown = "absent" if actual is MISSING else json.dumps(actual,
                                                                      ensure_ascii=False)
                problems.append(f"body {pointer} is {shown[:80]}, expected {condition!r}")
        for name, condition in (expect.get("headers") or {}).items():
            actual = result.headers.get(name.lower(), MISSING)
            if not holds(condition, actual):
                problems.append(f"header {name} is {actual if actual is not MISSING else 'absent'}"
                                f", expected {condition!r}")
        if "scenario_rule" in expect:
            problems += self._journal(result, expect["scenario_rule"])
        return problems

    def _journal(self, result: Result, rule: str | None) -> list[str]:
        request_id = result.headers.get("x-request-id")
        entries = _admin(self.transport, "GET", "/_sandbox/requests?limit=50")["requests"]
        entry = next((e for e in entries if e["id"] == request_id), None)
        if entry is None:
            return [f"request {request_id} is not in the journal"]
        rules = [t["rule"] for t in entry.get("scenario", [])]
        if (rule is None and rules) or (rule is not None and rule not in rules):
            misses = "; ".join(f"{m['rule']}: {m['reason']}" for m in entry.get("nearMisses", []))
            return [f"journal shows rules {rules or 'none'}, expected {rule or 'none'}"
                    + (f" (near misses: {misses})" if misses else "")]
        return []


def _describe(result: Result | None) -> str:
    if result is None:
        return "connection reset"
    try:
        body = result.json()
    except ValueError:
        return f"{result.status} (not JSON: {result.text[:40]!r})"
    if isinstance(body, dict) and "category" in body and "code" in body:
        return f"{result.status} {body['category']} {body['code']}"
    return f"{result.status}"


def run(definition: Definition, transport: Transport, fresh: bool = False) -> Report:
    """Run the example of ``definition``; ``fresh``: the transport's world is new (no reset)."""
    report = Report(definition.name)
    example = definition.raw.get("example")
    if not example:
        report.error = "the scenario has no example to run"
        return report
    try:
        if not fresh:
            _admin(transport, "POST", "/_sandbox/reset")
        _admin(transport, "POST", "/_sandbox/clock",
               {"set": example.get("clock", DEFAULT_CLOCK), "speed": 0})
        _admin(transport, "POST", "/_sandbox/scenarios",
               {"definition": definition.raw, "params": definition.params})
        steps = Steps(transport)
        for index, step in enumerate(example["steps"]):
            report.steps += _step(steps, transport, index, step)
    except SetupError as exc:
        report.error = str(exc)
    return report


def _step(steps: Steps, transport: Transport, index: int, step: Mapping[str, Any]) \
        -> list[StepResult]:
    name = step.get("name") or f"step {index + 1}"
    if "clock" in step:
        clock = _admin(transport, "POST", "/_sandbox/clock", step["clock"])
        return [StepResult(name, True, f"clock {clock['now']}")]
    spec = step["request"]
    results = []
    for turn in range(step.get("repeat", 1)):
        label = name if step.get("repeat", 1) == 1 else f"{name} #{turn + 1}"
        result: Result | None
        try:
            result = transport.send(spec["method"], spec["path"], spec.get("query"),
                                    steps.headers(spec), spec.get("json"))
        except Reset:
            result = None
        problems = steps.check(step.get("expect") or {}, result)
        results.append(StepResult(label, not problems,
                                  "; ".join(problems) if problems else _describe(result)))
    return results


def fresh_app(definition: Definition, library: str | None = None) -> Transport:
    """An in-process sandbox with the example's seed (no generated users)."""
    from sandbox.app import Config, create_app
    from sandbox.world.world import WorldSettings

    example = definition.raw.get("example") or {}
    config = Config(world=WorldSettings(seed=example.get("seed", 42),
                                        clock=example.get("clock", DEFAULT_CLOCK), users=0),
                    response_validation="strict", scenario_library=library)
    return InProcess(create_app(config))
