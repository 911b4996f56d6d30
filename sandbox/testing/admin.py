"""A small client of the emulator's admin API (``/_sandbox/``) over stdlib HTTP.

The plugin talks to the server with :mod:`urllib` so that installing ``oppf-sandbox`` in a
client team's test environment adds no HTTP library. Failures end the test with
:func:`pytest.fail` and the platform error's description, never a bare traceback from urllib.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import pytest

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass(frozen=True)
class AdminResponse:
    """One answer of the admin API: HTTP status, decoded JSON body (None when not JSON) and
    headers (``X-Request-Id`` names the journal entry of the call)."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id") or None

    def reason(self) -> str:
        """The platform error's description (or message) for a failure message."""
        body = self.body
        if isinstance(body, dict) and ("description" in body or "message" in body):
            text = body.get("description") or body.get("message") or ""
            where = f" ({body.get('category')} {body.get('code')})" if "code" in body else ""
            return f"{text}{where}"
        return repr(body)[:500]


class AdminClient:
    """The admin API of one running emulator at ``base_url`` (``http://127.0.0.1:PORT``).

    ``request`` returns every answer as it came; ``call``/``get``/``post``/``delete`` return the
    JSON of a 2xx answer and fail the current test with the error's description otherwise.
    Local servers are reached without the environment's HTTP proxy.
    """

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        host = urllib.parse.urlsplit(self.base_url).hostname or ""
        handlers = [urllib.request.ProxyHandler({})] if host in LOOPBACK else []
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return f"AdminClient({self.base_url!r})"

    def url(self, path: str, query: dict[str, Any] | None = None) -> str:
        """``path`` under the server; a bare name (``"clock"``) is taken under ``/_sandbox/``."""
        if not path.startswith("/"):
            path = f"/_sandbox/{path}"
        pairs = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        return self.base_url + path + (f"?{urllib.parse.urlencode(pairs)}" if pairs else "")

    def request(self, method: str, path: str, body: Any = None,
                query: dict[str, Any] | None = None) -> AdminResponse:
        """Send one call; connection failures fail the test (the server is not there)."""
        __tracebackhide__ = True
        url = self.url(path, query)
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as answer:
                return _response(answer.status, answer.read(), dict(answer.headers.items()))
        except urllib.error.HTTPError as error:
            with error:
                return _response(error.code, error.read(), dict(error.headers.items()))
        except (OSError, http.client.HTTPException) as error:
            pytest.fail(f"oppf-sandbox: no answer from {self.base_url} to {method} {path}: "
                        f"{error}")

    def call(self, method: str, path: str, body: Any = None,
             query: dict[str, Any] | None = None) -> Any:
        """The JSON of a 2xx answer; any other status fails the test with the reason."""
        __tracebackhide__ = True
        answer = self.request(method, path, body, query)
        if not answer.ok:
            pytest.fail(f"oppf-sandbox: {method} {self.url(path, query)} answered "
                        f"{answer.status}: {answer.reason()}")
        return answer.body

    def get(self, path: str, **query: Any) -> Any:
        __tracebackhide__ = True
        return self.call("GET", path, query=query)

    def post(self, path: str, body: Any = None) -> Any:
        __tracebackhide__ = True
        return self.call("POST", path, body)

    def delete(self, path: str) -> Any:
        __tracebackhide__ = True
        return self.call("DELETE", path)

    # --- the documented operations ------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        __tracebackhide__ = True
        return dict(self.get("/_sandbox/health"))

    def healthy(self) -> bool:
        """True when ``/_sandbox/health`` answers 200 (no failure when the server is down)."""
        req = urllib.request.Request(self.url("/_sandbox/health"), method="GET")
        try:
            with self._opener.open(req, timeout=5) as answer:
                return int(answer.status) == 200
        except (OSError, http.client.HTTPException):
            return False

    def reset(self) -> AdminResponse:
        """``POST /_sandbox/reset``; the answer's ``request_id`` marks the start of a test."""
        __tracebackhide__ = True
        answer = self.request("POST", "/_sandbox/reset")
        if not answer.ok:
            pytest.fail(f"oppf-sandbox: reset answered {answer.status}: {answer.reason()}")
        return answer

    def token(self, user: str, api_key: str, scope: str | None = None) -> dict[str, Any]:
        """A token pair of ``user`` for the app of ``api_key`` (no browser)."""
        __tracebackhide__ = True
        body: dict[str, Any] = {"userId": user, "apiKey": api_key}
        if scope is not None:
            body["scope"] = scope
        return dict(self.post("/_sandbox/oauth/token", body))


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _response(status: int, raw: bytes, headers: dict[str, str]) -> AdminResponse:
    try:
        body: Any = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        body = raw.decode("utf-8", errors="replace")
    return AdminResponse(int(status), body, {k.lower(): v for k, v in headers.items()})
