"""The scenario library (``scenarios/*.yaml``): every file lints clean and is documented, every
example passes over real HTTP against a served sandbox (one server for the module) and a few
also in-process; seeded faults replay; ``serve --scenario rate-limited:limit=N`` meters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sandbox.scenarios import runner
from sandbox.scenarios.loader import Definition, Library, lint, load
from sandbox.testing import launch
from tests.conftest import F0995_KEY, F9999_KEY
from tests.servers import Server, running_server

LIBRARY = Library()
PATHS = LIBRARY.paths()
NAMES = sorted(PATHS)
PROMISED = {"broker-outage", "slow-gateway", "token-expiry", "partial-fills", "order-rejects",
            "limit-up", "trading-halt", "rate-limited", "flaky-network", "market-close",
            "consent-expired", "non-member-user", "month-end-settlement", "krx-holiday"}
IN_PROCESS = ["broker-outage", "flaky-network", "partial-fills", "rate-limited",
              "trading-halt"]
QUOTE = "/v2/market/stocks/kospi/005930/price"


def example_definition(name: str, **overrides: Any) -> Definition:
    """The library scenario with its example's parameters (as ``scenario run`` loads it)."""
    path = PATHS[name]
    example = (load(path).raw.get("example") or {}).get("params") or {}
    return load(path, {**example, **overrides})


def with_seed(definition: Definition, seed: int) -> Definition:
    raw = dict(definition.raw)
    raw["example"] = {**raw["example"], "seed": seed}
    return replace(definition, raw=raw)


def activate(transport: runner.Transport, definition: Definition) -> None:
    answer = transport.send("POST", "/_sandbox/scenarios",
                            body={"definition": definition.raw, "params": definition.params})
    assert answer.status == 200, answer.text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("library") / "server.log") as started:
        yield started


# ------------------------------------------------------------------------------ the files
def test_the_library_holds_the_promised_scenarios() -> None:
    assert set(NAMES) >= PROMISED, sorted(PROMISED - set(NAMES))


@pytest.mark.parametrize("name", NAMES)
def test_every_file_lints_clean(name: str) -> None:
    assert [str(p) for p in lint(PATHS[name])] == []


@pytest.mark.parametrize("name", NAMES)
def test_every_scenario_is_documented(name: str) -> None:
    definition = load(PATHS[name])
    raw = definition.raw
    assert definition.name == name
    assert len(definition.description.split()) >= 40, "say what it simulates and why"
    assert "Why" in definition.description
    assert raw.get("params"), "parameters let a QA team vary the case"
    for param, spec in raw["params"].items():
        assert spec.get("description"), f"parameter {param} has no description"
    for rule in raw["rules"]:
        assert "name" in rule, "named rules make the journal readable"
    steps = raw["example"]["steps"]
    requests = [s for s in steps if "request" in s]
    assert requests and all("expect" in s for s in requests)
    assert all("status" in s["expect"] or "error" in s["expect"] for s in requests)
    assert any("scenario_rule" in s["expect"] for s in requests), "show a journal check"


def test_the_summaries_list_every_file_with_its_parameters() -> None:
    summaries = {s["name"]: s for s in LIBRARY.summaries()}
    assert sorted(summaries) == NAMES
    assert not [s for s in summaries.values() if "error" in s]
    assert summaries["broker-outage"]["params"] == {
        "broker": {"default": "samsung",
                   "description": "the broker that is down (short name or alias, any case)"},
        "calls": {"default": 3,
                  "description": "how many calls to the broker fail before it recovers"}}
    assert summaries["rate-limited"]["params"]["limit"]["default"] == 50000


# ------------------------------------------------------------------------------ examples
@pytest.mark.parametrize("name", NAMES)
def test_every_example_passes_over_http(server: Server, name: str) -> None:
    report = runner.run(example_definition(name), runner.Http(server.http))
    assert report.ok, report.text()
    assert report.steps and report.text().endswith(
        f"passed: {len(report.steps)}/{len(report.steps)} steps")


@pytest.mark.parametrize("name", IN_PROCESS)
def test_some_examples_pass_in_process(name: str) -> None:
    definition = example_definition(name)
    transport = runner.fresh_app(definition)
    report = runner.run(definition, transport, fresh=True)
    assert report.ok, report.text()


def test_a_wrong_parameter_makes_the_example_fail(server: Server) -> None:
    """The examples check what they claim: three failing calls instead of two break the
    broker-outage story at the step where samsung should be back."""
    report = runner.run(example_definition("broker-outage", calls=3), runner.Http(server.http))
    assert not report.ok
    failed = [s for s in report.steps if not s.ok]
    assert [s.name for s in failed] == ["samsung is back", "the scenario says up"]
    assert failed[0].detail.startswith("status 503, expected 200")


# ------------------------------------------------------------------------------ determinism
def _outcomes(definition: Definition, calls: int = 24) -> list[str]:
    """What ``calls`` quotes get in a fresh in-process world with the scenario active:
    ``reset``, ``empty``, ``malformed``, or the status."""
    found = []
    transport = runner.fresh_app(definition)
    activate(transport, definition)
    for _ in range(calls):
        try:
            result = transport.send("GET", QUOTE, headers={"apikey": F9999_KEY})
        except runner.Reset:
            found.append("reset")
            continue
        if not result.text:
            found.append("empty")
            continue
        try:
            json.loads(result.text)
        except ValueError:
            found.append("malformed")
            continue
        found.append(str(result.status))
    return found


def test_flaky_network_replays_the_same_faults_for_the_same_seed() -> None:
    definition = example_definition("flaky-network")
    first = _outcomes(with_seed(definition, 42))
    assert _outcomes(with_seed(definition, 42)) == first
    # the example's own expectations are seed 42's draws
    assert first[:9] == ["200", "408", "reset", "reset", "empty", "malformed", "200", "empty",
                         "200"]
    other = _outcomes(with_seed(definition, 7))
    assert other != first
    assert set(other) <= {"200", "408", "reset", "empty", "malformed"}
    assert _outcomes(with_seed(definition, 7)) == other


def test_the_flaky_example_fails_with_another_seed() -> None:
    definition = with_seed(example_definition("flaky-network"), 7)
    transport = runner.fresh_app(definition)
    report = runner.run(definition, transport, fresh=True)
    assert not report.ok, report.text()


def test_slow_gateway_delays_replay() -> None:
    definition = example_definition("slow-gateway")

    def delays() -> list[str]:
        transport = runner.fresh_app(definition)
        activate(transport, definition)
        return [transport.send("GET", QUOTE, headers={"apikey": F9999_KEY})
                .headers["x-sandbox-delay-ms"] for _ in range(5)]

    first = delays()
    assert first[:2] == ["48.291", "36.099"] and first == delays()
    assert all(5 <= float(d) <= 110 for d in first)  # max 100 ms + jitter_max 10 ms


# ------------------------------------------------------------------------------ serve
def test_serve_scenario_switches_the_platform_quota_on(tmp_path: Path) -> None:
    """``serve --scenario rate-limited:limit=3``: every app has its own quota, every family
    is metered, a reset keeps the scenario (and empties the counters)."""
    with launch(log=tmp_path / "server.log", scenarios=["rate-limited:limit=3"]) as started:
        http = runner.Http(started.url)
        answers = [http.send("GET", QUOTE, headers={"apikey": F9999_KEY}) for _ in range(2)]
        assert [a.headers["x-ratelimit-remaining-day"] for a in answers] == ["2", "1"]
        member = http.send("POST", "/v1/common/member/register/search",
                           headers={"apikey": F9999_KEY}, body={
                               "partner": {"comId": "F9999", "srvId": "999"},
                               "commonHeader": {"ci": "x"}, "body": {"korName": "x"}})
        assert (member.status, member.headers["x-ratelimit-remaining-day"]) == (200, "0")
        refused = http.send("GET", QUOTE, headers={"apikey": F9999_KEY})
        assert refused.status == 429 and refused.json() == {"message":
                                                            "API rate limit exceeded"}
        assert refused.headers["retry-after"] == "82800"
        assert refused.headers["x-ratelimit-limit-day"] == "3"
        other = http.send("GET", QUOTE, headers={"apikey": F0995_KEY})
        assert (other.status, other.headers["x-ratelimit-remaining-day"]) == (200, "2")
        assert http.send("POST", "/_sandbox/reset").status == 200
        active = http.send("GET", "/_sandbox/scenarios").json()["active"]
        assert [(a["name"], a["origin"], a["params"]) for a in active] == [
            ("rate-limited", "startup", {"limit": 3, "per": "app"})]
        again = http.send("GET", QUOTE, headers={"apikey": F9999_KEY})
        assert (again.status, again.headers["x-ratelimit-remaining-day"]) == (200, "2")
