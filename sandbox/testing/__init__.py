"""pytest plugin for client teams and our own tests (entry point ``pytest11``: ``sandbox.testing``).

Install ``oppf-sandbox`` in the test environment and the fixtures below are there: a real
emulator (``python -m sandbox serve``) starts once per session on a free port, the world is
reset before every test that uses ``sandbox``, and helpers drive the clock, scenarios, tokens
and the request journal through the admin API (``/_sandbox/``, stdlib HTTP).

Options (command line, or the ini key in brackets):

* ``--sandbox-url URL`` [``sandbox_url``]: use a server that is already running (no spawn);
  its own seed and users apply, an explicit ``--sandbox-seed`` is checked against it, an
  explicit ``--sandbox-clock`` and the ``--sandbox-scenario`` specs are applied after each reset.
* ``--sandbox-seed N`` [``sandbox_seed``] (42), ``--sandbox-clock ISO|now`` [``sandbox_clock``]
  (``2026-11-24T10:00:00+09:00``, frozen), ``--sandbox-users N`` [``sandbox_users``] (0 generated
  users: a fast start).
* ``--sandbox-scenario NAME[:k=v,...]`` [``sandbox_scenarios``, one per line], repeatable:
  scenarios active for the whole session (``serve --scenario``).

Fixtures: ``sandbox_server`` (session), ``sandbox`` (per test, resets the world), and the
shortcuts ``sandbox_clock``, ``sandbox_scenario``, ``sandbox_token``, ``assert_called``.

Importing this module must stay cheap and safe: it is loaded by every pytest run of an
environment where the package is installed, so nothing here imports Flask or the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.testing.admin import AdminClient, AdminResponse
from sandbox.testing.clock import SandboxClock, iso_duration, iso_instant
from sandbox.testing.handle import DEFAULT_API_KEY, DEFAULT_USER, Sandbox, SandboxOptions
from sandbox.testing.journal import Journal
from sandbox.testing.scenarios import (
    ScenarioHandle,
    Scenarios,
    ScenarioSpec,
    parse_scenario_spec,
)
from sandbox.testing.server import SandboxServer, free_port, launch

__all__ = [
    "DEFAULT_API_KEY", "DEFAULT_USER", "AdminClient", "AdminResponse", "Journal", "Sandbox",
    "SandboxClock", "SandboxOptions", "SandboxServer", "ScenarioHandle", "ScenarioSpec",
    "Scenarios", "free_port", "iso_duration", "iso_instant", "launch", "parse_scenario_spec",
]

OPTIONS = pytest.StashKey[SandboxOptions]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("oppf-sandbox", "oppf-sandbox emulator (fixture sandbox)")
    group.addoption("--sandbox-url", dest="sandbox_url", default=None, metavar="URL",
                    help="use the emulator already running at URL instead of starting one "
                         "(ini: sandbox_url)")
    group.addoption("--sandbox-seed", dest="sandbox_seed", default=None, type=int, metavar="N",
                    help="seed of the started emulator's world (default 42)")
    group.addoption("--sandbox-clock", dest="sandbox_clock", default=None, metavar="ISO|now",
                    help="world clock, frozen at this instant (default "
                         "2026-11-24T10:00:00+09:00; 'now' runs the wall clock)")
    group.addoption("--sandbox-users", dest="sandbox_users", default=None, type=int,
                    metavar="N", help="generated portal users besides the documented ones "
                                      "(default 0)")
    group.addoption("--sandbox-scenario", dest="sandbox_scenarios", action="append",
                    default=None, metavar="NAME[:k=v,...]",
                    help="scenario active for the whole session (repeatable)")
    parser.addini("sandbox_url", "URL of an emulator that is already running", default="")
    parser.addini("sandbox_seed", "seed of the started emulator (default 42)", default="")
    parser.addini("sandbox_clock", "frozen world clock (ISO-8601) or 'now'", default="")
    parser.addini("sandbox_users", "generated portal users (default 0)", default="")
    parser.addini("sandbox_scenarios", "session scenarios, NAME[:k=v,...] per line",
                  type="linelist", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.stash[OPTIONS] = SandboxOptions.from_config(config)


def _options(config: pytest.Config) -> SandboxOptions:
    options = config.stash.get(OPTIONS, None)
    return options if options is not None else SandboxOptions.from_config(config)


@pytest.fixture(scope="session")
def sandbox_server(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """The emulator of this test session: started on a free port (log in pytest's temporary
    directory) or the one at ``--sandbox-url``. ``.url``, ``.ws_url``, ``.admin``."""
    options = _options(request.config)
    if options.url:
        server = SandboxServer.at(options.url)
        health = server.admin.health()
        if "seed" in options.explicit and health.get("seed") != options.seed:
            pytest.fail(f"oppf-sandbox: the server at {server.url} runs seed "
                        f"{health.get('seed')}, not --sandbox-seed {options.seed}")
        yield server
        return
    log = tmp_path_factory.mktemp("oppf-sandbox") / "server.log"
    with launch(log=log, scenarios=[spec.text for spec in options.scenarios],
                seed=options.seed, clock=options.clock, users=options.users) as server:
        yield server


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, sandbox_server: SandboxServer) -> Iterator[Sandbox]:
    """The emulator with its world reset for this test (state, clock, run-time scenarios);
    scenarios the test activated are turned off at teardown."""
    handle = Sandbox(sandbox_server, _options(request.config))
    handle.reset()
    yield handle
    handle.close()


@pytest.fixture
def sandbox_clock(sandbox: Sandbox) -> SandboxClock:
    """The world clock: ``.now()``, ``.freeze()``, ``.advance("PT1H")``, ``.set(iso)``,
    ``.speed(x)``."""
    return sandbox.clock


@pytest.fixture
def sandbox_scenario(sandbox: Sandbox) -> Scenarios:
    """``sandbox_scenario("broker-outage", broker="samsung")`` or
    ``sandbox_scenario(definition={...})``: a scenario for this test (off at teardown)."""
    return sandbox.scenario


@pytest.fixture
def sandbox_token(sandbox: Sandbox) -> Callable[..., str]:
    """``sandbox_token(user="gildong", api_key=..., scope=None)``: an access token."""
    return sandbox.token


@pytest.fixture
def assert_called(sandbox: Sandbox) -> Callable[..., list[dict[str, Any]]]:
    """``assert_called("account.balance_search", times=1, status=None, scenario=None)``:
    counts the journal since this test's reset; the failure lists what was called."""
    return sandbox.assert_called
