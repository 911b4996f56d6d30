"""What the gateway answered during a test: the request journal (``/_sandbox/requests``).

The journal lives in the server and survives resets, so a test's view of it starts at a mark:
the request id of the reset the ``sandbox`` fixture made (every answer carries its journal id
in ``X-Request-Id``). The journal is a ring buffer (1,000 entries by default): a test that
makes more calls than that only sees the newest ones.
"""

from __future__ import annotations

from typing import Any

from sandbox.testing.admin import AdminClient

ADMIN_PREFIX = "/_sandbox/"
_EVERYTHING = 999_999  # the server answers at most its capacity
_SHOWN = 40


def describe(entry: dict[str, Any]) -> str:
    """One journal entry on one line, for failure messages."""
    line = (f"{entry.get('id')} {entry.get('method')} {entry.get('path')} -> "
            f"{entry.get('status')} ({entry.get('operationId')})")
    applied = [f"{hit.get('scenario')}/{hit.get('rule')}" for hit in entry.get("scenario") or []]
    if applied:
        line += f" [scenario {', '.join(applied)}]"
    for miss in entry.get("nearMisses") or []:
        line += f" [near miss {miss.get('scenario')}/{miss.get('rule')}: {miss.get('reason')}]"
    return line


def scenario_names(entry: dict[str, Any]) -> set[str]:
    return {str(hit.get("scenario")) for hit in entry.get("scenario") or []}


class Journal:
    """The journal since ``mark`` (a request id; None = everything the server holds)."""

    def __init__(self, admin: AdminClient, mark: str | None = None) -> None:
        self._admin = admin
        self.mark = mark
        self._server_filters = True  # older servers reject ?since= and the filters

    def _fetch(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        __tracebackhide__ = True
        query: dict[str, Any] = {"limit": _EVERYTHING}
        if self._server_filters:
            query.update({"since": self.mark, **filters})
            answer = self._admin.request("GET", "/_sandbox/requests", query=query)
            if answer.status == 400:
                self._server_filters = False
                return self._fetch(filters)
            if answer.ok:
                return list(answer.body.get("requests", []))
        return list(self._admin.get("/_sandbox/requests", limit=_EVERYTHING)["requests"])

    def entries(self, operation: str | None = None, *, status: int | None = None,
                app: str | None = None, scenario: str | None = None,
                include_admin: bool = False) -> list[dict[str, Any]]:
        """The entries since the mark, **oldest first**, that match every filter given:
        ``operation`` id (``account.balance_search``), HTTP ``status``, ``app`` name, a
        ``scenario`` that acted on the call. Admin calls (``/_sandbox/...``) are left out unless
        ``include_admin``."""
        __tracebackhide__ = True
        filters = {"operation": operation, "status": status, "app": app, "scenario": scenario}
        found = []
        for entry in reversed(self._fetch({k: v for k, v in filters.items() if v is not None})):
            if self.mark is not None and str(entry.get("id", "")) <= self.mark:
                continue
            if not include_admin and str(entry.get("path", "")).startswith(ADMIN_PREFIX):
                continue
            if operation is not None and entry.get("operationId") != operation:
                continue
            if status is not None and entry.get("status") != status:
                continue
            if app is not None and entry.get("app") != app:
                continue
            if scenario is not None and scenario not in scenario_names(entry):
                continue
            found.append(entry)
        return found

    def assert_called(self, operation: str, times: int | None = 1, *, status: int | None = None,
                      scenario: str | None = None,
                      app: str | None = None) -> list[dict[str, Any]]:
        """Assert that ``operation`` was answered ``times`` times since the mark (None: at least
        once), counting only entries with this ``status``/``scenario``/``app`` when given.
        Returns the matching entries, oldest first; the failure lists every call made."""
        __tracebackhide__ = True
        matching = self.entries(operation, status=status, app=app, scenario=scenario)
        if (len(matching) == times) if times is not None else matching:
            return matching
        made = self.entries()
        wanted = "at least once" if times is None else \
            f"{times} time{'' if times == 1 else 's'}"
        conditions = [f"{k} {v}" for k, v in (("status", status), ("scenario", scenario),
                                               ("app", app)) if v is not None]
        where = f" with {', '.join(conditions)}" if conditions else ""
        lines = [describe(entry) for entry in made[-_SHOWN:]]
        if len(made) > _SHOWN:
            lines.insert(0, f"... {len(made) - _SHOWN} earlier calls")
        listing = "\n  ".join(lines) if lines else "(no calls)"
        raise AssertionError(
            f"expected {operation} to be called {wanted}{where}, it was called "
            f"{len(matching)} time{'' if len(matching) == 1 else 's'}; calls since the reset:\n"
            f"  {listing}")
