"""The pytest plugin ``sandbox.testing`` (entry point ``pytest11``): option and scenario-spec
parsing, clock conversions, ``launch``, the ``sandbox`` fixture's helpers against the session
server, and a client team's test file run by pytest itself (``pytester``)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from sandbox.testing import (
    AdminClient,
    AdminResponse,
    Journal,
    Sandbox,
    SandboxOptions,
    SandboxServer,
    ScenarioHandle,
    ScenarioSpec,
    free_port,
    iso_duration,
    iso_instant,
    launch,
    parse_scenario_spec,
)
from sandbox.testing.journal import describe
from sandbox.testing.server import launch_environment, serve_command
from sandbox.world.clock import parse_duration
from tests.conftest import F0995_KEY, F9999_KEY, FROZEN

pytest_plugins = ["pytester"]

KST = timezone(timedelta(hours=9))


# --- scenario specs ---------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "name", "params"), [
    ("broker-outage", "broker-outage", {}),
    ("broker-outage:broker=samsung", "broker-outage", {"broker": "samsung"}),
    (" slow : ms = 250 , broker=KB ", "slow", {"ms": "250", "broker": "KB"}),
    ("x:", "x", {}),
    ("x:a=,b=c=d", "x", {"a": "", "b": "c=d"}),
    ("x:a=1,,b=2,", "x", {"a": "1", "b": "2"}),
])
def test_scenario_specs(text: str, name: str, params: dict[str, str]) -> None:
    assert parse_scenario_spec(text) == ScenarioSpec(name, params, text.strip())


@pytest.mark.parametrize(("text", "reason"), [
    ("", "the name is missing"),
    (":broker=samsung", "the name is missing"),
    ("x:broker", "'broker' is not name=value"),
    ("x:=samsung", "'=samsung' is not name=value"),
    ("x:a=1,a=2", "parameter 'a' is given twice"),
])
def test_bad_scenario_specs(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_scenario_spec(text)


# --- clock conversions ------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "text"), [
    ("PT1H", "PT1H"),
    (" P1D ", "P1D"),
    (timedelta(hours=1), "PT1H"),
    (3600, "PT1H"),
    (90, "PT1M30S"),
    (0.5, "PT0.5S"),
    (0, "PT0S"),
    (timedelta(days=2), "P2D"),
    (timedelta(days=1, hours=2, minutes=3, seconds=4.25), "P1DT2H3M4.25S"),
    (timedelta(microseconds=1), "PT0.000001S"),
    (-300, "-PT5M"),
    (timedelta(hours=-25), "-P1DT1H"),
])
def test_durations_are_iso_8601(value: Any, text: str) -> None:
    assert iso_duration(value) == text


@pytest.mark.parametrize("value", [timedelta(days=3, seconds=7261.125), timedelta(0),
                                   timedelta(minutes=-90), timedelta(microseconds=999_999)])
def test_the_server_reads_the_durations_back(value: timedelta) -> None:
    assert parse_duration(iso_duration(value)) == value


@pytest.mark.parametrize("value", [True, None, [1], b"PT1H"])
def test_other_durations_are_refused(value: Any) -> None:
    with pytest.raises(TypeError, match="a duration is"):
        iso_duration(value)


def test_instants() -> None:
    assert iso_instant(datetime(2026, 11, 25, 9, 0, tzinfo=KST)) == "2026-11-25T09:00:00+09:00"
    assert iso_instant(datetime(2026, 11, 25, 9, 0)) == "2026-11-25T09:00:00"  # KST at the server
    assert iso_instant(" 2026-11-25T09:00 ") == "2026-11-25T09:00"
    with pytest.raises(TypeError):
        iso_instant(1764028800)  # type: ignore[arg-type]


# --- options ----------------------------------------------------------------------------------
def test_default_options(pytester: pytest.Pytester) -> None:
    options = SandboxOptions.from_config(pytester.parseconfig())
    assert options == SandboxOptions(url=None, seed=42, clock=FROZEN, users=0, scenarios=(),
                                     explicit=frozenset())


def test_command_line_options(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig(
        "--sandbox-seed", "7", "--sandbox-clock", "now", "--sandbox-users", "5",
        "--sandbox-scenario", "broker-outage:broker=samsung", "--sandbox-scenario", "slow")
    options = SandboxOptions.from_config(config)
    assert (options.url, options.seed, options.clock, options.users) == (None, 7, "now", 5)
    assert options.scenarios == (
        ScenarioSpec("broker-outage", {"broker": "samsung"}, "broker-outage:broker=samsung"),
        ScenarioSpec("slow", {}, "slow"))
    assert options.explicit == {"seed", "clock", "users", "scenarios"}


def test_ini_keys_and_the_command_line_over_them(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
        [pytest]
        sandbox_url = http://127.0.0.1:8800
        sandbox_seed = 9
        sandbox_users = 3
        sandbox_scenarios =
            a:k=v
            b
    """)
    options = SandboxOptions.from_config(pytester.parseconfig())
    assert (options.url, options.seed, options.clock, options.users) == (
        "http://127.0.0.1:8800", 9, FROZEN, 3)
    assert [spec.text for spec in options.scenarios] == ["a:k=v", "b"]
    assert options.explicit == {"url", "seed", "users", "scenarios"}
    override = SandboxOptions.from_config(pytester.parseconfig(
        "--sandbox-url", "http://other:1", "--sandbox-seed", "1", "--sandbox-scenario", "c"))
    assert (override.url, override.seed, override.users) == ("http://other:1", 1, 3)
    assert [spec.text for spec in override.scenarios] == ["c"]


@pytest.mark.parametrize(("args", "ini", "message"), [
    (["--sandbox-scenario", ":x=1"], "", "*oppf-sandbox: scenario spec ':x=1': the name is*"),
    ([], "sandbox_seed = abc", "*oppf-sandbox: invalid literal for int()*'abc'*"),
    (["--sandbox-users", "-1"], "", "*oppf-sandbox: --sandbox-users must be 0 or more*"),
])
def test_bad_options_are_usage_errors(pytester: pytest.Pytester, args: list[str], ini: str,
                                      message: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


# --- launch -----------------------------------------------------------------------------------
def test_the_server_environment_is_clean_and_complete() -> None:
    base = {"PATH": "/bin", "SANDBOX_PORT": "1", "SANDBOX_STRICT": "1", "SANDBOX_SPEED": "60"}
    env = launch_environment({"users": 1000, "SANDBOX_WORKER_CLASS": "gevent", "clock": None,
                              "strict": True, "stream-queue": 5}, base)
    assert env == {"PATH": "/bin", "SANDBOX_HOST": "127.0.0.1", "SANDBOX_SEED": "42",
                   "SANDBOX_USERS": "1000", "SANDBOX_WORKER_CLASS": "gevent",
                   "SANDBOX_STRICT": "true", "SANDBOX_STREAM_QUEUE": "5"}
    assert launch_environment({}, {})["SANDBOX_CLOCK"] == FROZEN
    assert serve_command(["a:b=1", "c"]) == [sys.executable, "-m", "sandbox", "serve",
                                             "--scenario", "a:b=1", "--scenario", "c"]


def test_a_server_that_does_not_start_fails_with_its_output() -> None:
    with pytest.raises(pytest.fail.Exception) as failed, launch(clock="noon"):
        pytest.fail("the server started")  # pragma: no cover
    message = str(failed.value)
    assert "oppf-sandbox: the server exited with 2 before it was ready" in message
    assert "Invalid value for --clock/--speed: not an ISO-8601 instant: 'noon'" in message


def test_a_server_already_running_is_used_as_it_is() -> None:
    server = SandboxServer.at("https://sandbox.example:8443/")
    assert (server.url, server.ws_url, server.process, server.log) == (
        "https://sandbox.example:8443", "wss://sandbox.example:8443", None, None)
    assert server.read_log() == ""
    assert server.admin.url("clock") == "https://sandbox.example:8443/_sandbox/clock"
    assert server.admin.url("/_sandbox/requests", {"limit": 5, "since": None, "x": True}) == \
        "https://sandbox.example:8443/_sandbox/requests?limit=5&x=true"


def test_no_server_is_a_clear_failure() -> None:
    admin = AdminClient(f"http://127.0.0.1:{free_port()}")
    assert admin.healthy() is False
    with pytest.raises(pytest.fail.Exception, match=r"oppf-sandbox: no answer from http://127"):
        admin.health()


# --- the sandbox fixture against the session server -------------------------------------------
def price(sandbox: Sandbox, key: str = F9999_KEY) -> requests.Response:
    return requests.get(f"{sandbox.url}/v2/market/stocks/kospi/005930/price",
                        headers={"apikey": key}, timeout=10)


def test_the_session_server(sandbox_server: SandboxServer) -> None:
    health = sandbox_server.admin.health()
    assert (health["seed"], health["clock"]["now"], health["clock"]["mode"]) == (
        42, FROZEN, "frozen")
    assert sandbox_server.process is not None and sandbox_server.process.poll() is None
    assert sandbox_server.ws_url == sandbox_server.url.replace("http://", "ws://")
    assert "Booting worker" in sandbox_server.read_log()


def test_clock_helpers(sandbox: Sandbox) -> None:
    clock = sandbox.clock
    assert clock.now() == datetime(2026, 11, 24, 10, tzinfo=KST)
    assert clock.advance(timedelta(minutes=90)) == datetime(2026, 11, 24, 11, 30, tzinfo=KST)
    assert clock.advance(-1800) == datetime(2026, 11, 24, 11, tzinfo=KST)
    assert clock.set(datetime(2026, 11, 25, 9, 5)) == datetime(2026, 11, 25, 9, 5, tzinfo=KST)
    assert clock.set("2026-11-25T00:00:00Z") == datetime(2026, 11, 25, 9, tzinfo=KST)
    clock.speed(60)
    assert (clock.state()["mode"], clock.state()["speed"]) == ("speed", 60.0)
    frozen = clock.freeze()
    assert (clock.mode, clock.now()) == ("frozen", frozen)


def test_the_clock_is_back_after_the_reset(sandbox: Sandbox) -> None:
    """The previous test moved the clock; this one starts at the session's clock again."""
    assert sandbox.clock.state() == {"now": FROZEN, "mode": "frozen", "speed": 0.0,
                                     "timezone": "Asia/Seoul"}


def test_an_admin_failure_fails_with_the_description(sandbox: Sandbox) -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        sandbox.clock.advance("soon")
    assert f"oppf-sandbox: POST {sandbox.url}/_sandbox/clock answered 400:" in str(failed.value)
    assert "/advance" in str(failed.value)
    with pytest.raises(pytest.fail.Exception, match="no portal user 'nobody'"):
        sandbox.token("nobody")


def test_tokens(sandbox: Sandbox) -> None:
    pair = sandbox.tokens("hwanny", F0995_KEY)
    assert (pair["token_type"], pair["scope"]) == ("Bearer", "account")
    token = sandbox.token()
    assert len(token) == 36 and token not in (pair["access_token"], pair["refresh_token"])
    grants = [e["path"] for e in sandbox.journal(include_admin=True)]
    assert grants == ["/_sandbox/oauth/token", "/_sandbox/oauth/token"]


def test_the_journal_starts_at_the_reset(sandbox: Sandbox) -> None:
    assert price(sandbox).status_code == 200
    assert price(sandbox, "wrong").status_code == 401
    sandbox.token()
    assert [(e["operationId"], e["status"]) for e in sandbox.journal()] == [
        ("market.stocks_price", 200), ("market.stocks_price", 401)]
    assert [e["operationId"] for e in sandbox.journal(include_admin=True)] == [
        "market.stocks_price", "market.stocks_price", "admin.oauth_token"]
    assert len(sandbox.journal("market.stocks_price", status=401)) == 1
    assert sandbox.journal("market.stocks_price", app="app-f9999-seed")[0]["status"] == 200
    sandbox.reset()
    assert sandbox.journal() == []


def test_assert_called_counts_and_explains(sandbox: Sandbox) -> None:
    price(sandbox)
    price(sandbox)
    entries = sandbox.assert_called("market.stocks_price", times=2, status=200)
    assert [e["path"] for e in entries] == ["/v2/market/stocks/kospi/005930/price"] * 2
    sandbox.assert_called("market.stocks_price", times=None)
    sandbox.assert_called("order.new", times=0)
    with pytest.raises(AssertionError) as wrong:
        sandbox.assert_called("market.stocks_price", times=1)
    first, second = (e["id"] for e in entries)
    assert str(wrong.value) == (
        "expected market.stocks_price to be called 1 time, it was called 2 times; calls since "
        "the reset:\n"
        f"  {first} GET /v2/market/stocks/kospi/005930/price -> 200 (market.stocks_price)\n"
        f"  {second} GET /v2/market/stocks/kospi/005930/price -> 200 (market.stocks_price)")
    with pytest.raises(AssertionError, match=r"^expected order.new to be called at least once "
                                             r"with status 200, it was called 0 times"):
        sandbox.assert_called("order.new", times=None, status=200)


def test_describe_shows_scenario_rules_and_near_misses() -> None:
    entry = {"id": "req-0000000012", "method": "GET", "path": "/x", "status": 503,
             "operationId": "market.x", "scenario": [{"scenario": "s", "rule": "r",
                                                      "actions": ["fault http_error"]}],
             "nearMisses": [{"scenario": "t", "rule": "q", "reason": "nth: call 3"}]}
    assert describe(entry) == ("req-0000000012 GET /x -> 503 (market.x) [scenario s/r] "
                               "[near miss t/q: nth: call 3]")


# --- a client team's test file, run by pytest -------------------------------------------------
CLIENT_TESTS = '''
from datetime import timedelta

import requests

KEY = "l7xx230ef2235e34448c982eb192ac98e206"


def last_price(url):
    answer = requests.get(url + "/v2/market/stocks/kospi/005930/price",
                          headers={"apikey": KEY}, timeout=10)
    answer.raise_for_status()
    return answer.json()["result"]["trdPrc"]


def test_price_moves_with_the_clock(sandbox, sandbox_clock, assert_called):
    assert last_price(sandbox.url) == 26650
    sandbox_clock.advance(timedelta(hours=1))
    assert last_price(sandbox.url) == 26800
    assert_called("market.stocks_price", times=2, status=200)


def test_token(sandbox, sandbox_token):
    assert len(sandbox_token()) == 36


def test_a_wrong_count_lists_the_calls(sandbox, assert_called):
    last_price(sandbox.url)
    assert_called("market.stocks_price", times=2)
'''


def test_a_client_teams_suite(pytester: pytest.Pytester, sandbox_server: SandboxServer) -> None:
    pytester.makepyfile(test_client=CLIENT_TESTS)
    result = pytester.runpytest("--sandbox-url", sandbox_server.url, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: expected market.stocks_price to be called 2 times, it was called "
        "1 time; calls since the reset:",
        "*req-* GET /v2/market/stocks/kospi/005930/price -> 200 (market.stocks_price)",
    ])


# --- scenarios --------------------------------------------------------------------------------
FLAKY = {"name": "flaky-prices", "description": "the first two price calls answer 503",
         "rules": [{"name": "first-two", "when": {"operation": "market.stocks_price",
                                                  "nth": [1, 2]},
                    "then": {"fault": {"type": "http_error", "status": 503}}}]}


def test_an_inline_scenario_from_activation_to_teardown(sandbox: Sandbox) -> None:
    handle = sandbox.scenario(definition=FLAKY)
    assert (handle.name, handle.params, handle.entry["state"]) == ("flaky-prices", {}, "start")
    assert [price(sandbox).status_code for _ in range(3)] == [503, 503, 200]
    assert handle.active and handle.state == "start"
    hit = sandbox.journal(scenario="flaky-prices")
    assert [(e["status"], e["scenario"][0]["rule"]) for e in hit] == [(503, "first-two")] * 2
    assert handle.deactivate() is True
    assert handle.deactivate() is False
    assert not handle.active
    assert ScenarioHandle(sandbox.admin, {"name": "ghost"}).deactivate() is False  # 404
    sandbox.scenario(definition=FLAKY)
    sandbox.close()  # the fixture's teardown
    assert sandbox.scenario.active() == []


def test_a_refused_scenario_fails_with_the_reason(sandbox: Sandbox) -> None:
    with pytest.raises(pytest.fail.Exception, match="no scenario 'nope' in the library"):
        sandbox.scenario("nope", broker="samsung")
    with pytest.raises(TypeError, match="a library name or definition"):
        sandbox.scenario("flaky-prices", definition=FLAKY)


SESSION_SCENARIO_TESTS = '''
def active(sandbox):
    return [(s["name"], s["params"]) for s in sandbox.scenario.active()]


def test_first(sandbox):
    assert active(sandbox) == [("broker-outage", {"broker": "samsung", "calls": 1})]
    assert sandbox.clock.now().isoformat() == "CLOCK"


def test_after_a_reset(sandbox):
    sandbox.reset()
    assert active(sandbox) == [("broker-outage", {"broker": "samsung", "calls": 1})]
    assert sandbox.clock.now().isoformat() == "CLOCK"
'''


def test_session_scenarios_of_a_started_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_session=SESSION_SCENARIO_TESTS.replace("CLOCK", FROZEN))
    result = pytester.runpytest("--sandbox-scenario", "broker-outage:broker=samsung,calls=1",
                                "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_session_options_with_a_running_server(pytester: pytest.Pytester,
                                               sandbox_server: SandboxServer) -> None:
    """Against ``--sandbox-url`` the scenarios and an explicit clock are applied after every
    reset; a different seed is refused."""
    clock = "2026-12-01T09:00:00+09:00"
    pytester.makepyfile(test_session=SESSION_SCENARIO_TESTS.replace("CLOCK", clock))
    url = ("--sandbox-url", sandbox_server.url, "-p", "no:cacheprovider")
    result = pytester.runpytest(*url, "--sandbox-clock", clock, "--sandbox-scenario",
                                "broker-outage:broker=samsung,calls=1")
    result.assert_outcomes(passed=2)
    refused = pytester.runpytest(*url, "--sandbox-seed", "7", "-k", "first")
    refused.assert_outcomes(errors=1)
    refused.stdout.fnmatch_lines([f"*oppf-sandbox: the server at {sandbox_server.url} runs "
                                  "seed 42, not --sandbox-seed 7*"])


class OldServer(AdminClient):
    """A journal without ``since`` and filters (400 for them), as before they existed."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        super().__init__("http://127.0.0.1:1")
        self.entries = entries
        self.queries: list[dict[str, Any]] = []

    def request(self, method: str, path: str, body: Any = None,
                query: dict[str, Any] | None = None) -> AdminResponse:
        self.queries.append(dict(query or {}))
        if set(query or {}) - {"limit"}:
            return AdminResponse(400, {"category": "op-apim", "code": 400,
                                       "message": "Bad Request", "description": "/since"})
        return AdminResponse(200, {"capacity": 1000, "requests": self.entries[::-1]})


def test_the_journal_filters_itself_on_an_older_server() -> None:
    def entry(number: int, path: str, status: int, operation: str) -> dict[str, Any]:
        return {"id": f"req-{number:010d}", "method": "GET", "path": path, "status": status,
                "operationId": operation, "app": "a"}

    admin = OldServer([entry(1, "/x", 200, "market.x"), entry(2, "/_sandbox/reset", 200, "r"),
                       entry(3, "/x", 503, "market.x"), entry(4, "/_sandbox/clock", 200, "c"),
                       entry(5, "/x", 200, "market.x"), entry(6, "/y", 200, "market.y")])
    journal = Journal(admin, mark="req-0000000002")
    assert [e["id"][-1] for e in journal.entries()] == ["3", "5", "6"]
    assert [e["id"][-1] for e in journal.entries("market.x", status=200)] == ["5"]
    assert [e["id"][-1] for e in journal.entries(include_admin=True)] == ["3", "4", "5", "6"]
    assert len(journal.assert_called("market.x", times=2)) == 2
    assert admin.queries[0] == {"limit": 999_999, "since": "req-0000000002"}
    assert admin.queries[1:] == [{"limit": 999_999}] * (len(admin.queries) - 1)
