"""The ``sandbox`` fixture's handle and the session's options.

One :class:`Sandbox` per test: the world was reset just before the test, ``clock``,
``scenario``, ``token``, ``journal`` and ``assert_called`` act on that fresh world.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.testing.clock import SandboxClock
from sandbox.testing.journal import Journal
from sandbox.testing.scenarios import Scenarios, ScenarioSpec, parse_scenario_spec
from sandbox.testing.server import DEFAULT_CLOCK, DEFAULT_SEED, DEFAULT_USERS, SandboxServer

# The documented default user and app of the default world (identities.md): user gildong has
# accounts at shinhan and samsung linked to app F9999.
DEFAULT_USER = "gildong"
DEFAULT_API_KEY = "l7xx230ef2235e34448c982eb192ac98e206"


@dataclass(frozen=True)
class SandboxOptions:
    """The session's settings from the command line, then the ini file, then the defaults.
    ``explicit`` names the settings given (they matter for a server at ``url``, which keeps its
    own seed and users: the plugin checks the seed and sets the clock after every reset)."""

    url: str | None = None
    seed: int = DEFAULT_SEED
    clock: str = DEFAULT_CLOCK
    users: int = DEFAULT_USERS
    scenarios: tuple[ScenarioSpec, ...] = ()
    explicit: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: pytest.Config) -> SandboxOptions:
        """Read ``--sandbox-*`` and the ``sandbox_*`` ini keys; a bad value is a usage error."""
        values: dict[str, Any] = {}
        for name in ("url", "seed", "clock", "users"):
            value = config.getoption(f"sandbox_{name}", None)
            if value is None:
                value = str(config.getini(f"sandbox_{name}") or "").strip() or None
            if value is not None:
                values[name] = value
        specs = config.getoption("sandbox_scenarios", None) or \
            list(config.getini("sandbox_scenarios") or [])
        try:
            for name in ("seed", "users"):
                if name in values:
                    values[name] = int(values[name])
            if values.get("users", 0) < 0:
                raise ValueError("--sandbox-users must be 0 or more")
            scenarios = tuple(parse_scenario_spec(str(spec)) for spec in specs if str(spec).strip())
        except ValueError as error:
            raise pytest.UsageError(f"oppf-sandbox: {error}") from None
        explicit = frozenset(values) | ({"scenarios"} if scenarios else set())
        return cls(scenarios=scenarios, explicit=explicit, **values)


class Sandbox:
    """The ``sandbox`` fixture: the running emulator with a world reset for this test.

    ``url``/``ws_url`` to point the code under test at; ``clock`` (:class:`SandboxClock`);
    ``scenario(...)`` activates a scenario for this test; ``token(...)`` issues an access token;
    ``journal(...)``/``assert_called(...)`` read what the gateway answered since the reset;
    ``get``/``post``/``delete`` call any admin endpoint (``"users"`` means ``/_sandbox/users``).
    """

    def __init__(self, server: SandboxServer, options: SandboxOptions | None = None) -> None:
        self.server = server
        self.options = options or SandboxOptions()
        self.url = server.url
        self.ws_url = server.ws_url
        self.admin = server.admin
        self.clock = SandboxClock(server.admin)
        self.scenario = Scenarios(server.admin)
        self._journal = Journal(server.admin)

    def __repr__(self) -> str:
        return f"Sandbox({self.url!r})"

    def reset(self) -> None:
        """Rebuild the world from its seed: state, clock, run-time scenarios. For a server this
        session did not start, the explicit ``--sandbox-clock`` and the ``--sandbox-scenario``
        specs are applied again afterwards. The journal view starts after this reset."""
        __tracebackhide__ = True
        answer = self.admin.reset()
        self.scenario.forget()
        self._journal.mark = answer.request_id
        if self.server.process is not None:
            return
        if "clock" in self.options.explicit and self.options.clock != "now":
            self.clock.change(set=self.options.clock, speed=0)
        for spec in self.options.scenarios:
            self.admin.post("/_sandbox/scenarios", {"name": spec.name, "params": spec.params})

    def close(self) -> None:
        """Teardown: turn off the scenarios this test activated."""
        __tracebackhide__ = True
        self.scenario.close()

    # --- tokens -------------------------------------------------------------------------------
    def tokens(self, user: str = DEFAULT_USER, api_key: str = DEFAULT_API_KEY,
               scope: str | None = None) -> dict[str, Any]:
        """The token pair (``access_token``, ``refresh_token``, ...) as if ``user`` had logged
        in to the app of ``api_key`` and consented."""
        __tracebackhide__ = True
        return self.admin.token(user, api_key, scope)

    def token(self, user: str = DEFAULT_USER, api_key: str = DEFAULT_API_KEY,
              scope: str | None = None) -> str:
        """An access token of ``user`` for the app of ``api_key`` (for ``Authorization:
        Bearer``)."""
        __tracebackhide__ = True
        return str(self.tokens(user, api_key, scope)["access_token"])

    # --- journal ------------------------------------------------------------------------------
    def journal(self, operation: str | None = None, *, status: int | None = None,
                app: str | None = None, scenario: str | None = None,
                include_admin: bool = False) -> list[dict[str, Any]]:
        """The gateway's answers since the reset, oldest first (see :meth:`Journal.entries`)."""
        __tracebackhide__ = True
        return self._journal.entries(operation, status=status, app=app, scenario=scenario,
                                     include_admin=include_admin)

    def assert_called(self, operation: str, times: int | None = 1, *, status: int | None = None,
                      scenario: str | None = None,
                      app: str | None = None) -> list[dict[str, Any]]:
        """Assert how often ``operation`` was answered since the reset (see
        :meth:`Journal.assert_called`)."""
        __tracebackhide__ = True
        return self._journal.assert_called(operation, times, status=status, scenario=scenario,
                                           app=app)

    # --- any admin endpoint -------------------------------------------------------------------
    def get(self, path: str, **query: Any) -> Any:
        __tracebackhide__ = True
        return self.admin.get(path, **query)

    def post(self, path: str, body: Any = None) -> Any:
        __tracebackhide__ = True
        return self.admin.post(path, body)

    def delete(self, path: str) -> Any:
        __tracebackhide__ = True
        return self.admin.delete(path)
