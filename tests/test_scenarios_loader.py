"""Reading scenarios: lines and pointers of every refusal, parameters, start-up scenarios, and
properties (no document crashes the loader; no rule crashes the gateway)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import Config, create_app
from sandbox.cli import main
from sandbox.scenarios.engine import event_instant
from sandbox.scenarios.loader import (
    ScenarioError,
    build,
    load,
    parse_spec,
    parse_text,
    seconds,
)
from sandbox.scenarios.matching import MISSING, holds, pointer_get
from sandbox.world.clock import KST
from sandbox.world.world import WorldSettings
from tests.conftest import F9999_KEY, FROZEN

GOOD = """\
name: sample
description: a sample
params:
  count: {default: 2, description: how many}
  broker: {default: samsung}
  on: {default: true}
rules:
  - name: first
    when: {broker: "${broker}", nth: {from: "${count}"}}
    then: {fault: broker_down}
    times: ${count}
  - then: {respond: {body: {flag: "${on}", text: "x-${count}-${broker}"}}}
"""


def write(tmp_path: Path, text: str, name: str = "sample.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, **params: Any) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load(write(tmp_path, text), params or None)
    return [str(p) for p in caught.value.problems]


def test_parameters_keep_their_types(tmp_path: Path) -> None:
    definition = load(write(tmp_path, GOOD))
    rule = definition.raw["rules"][0]
    assert rule["times"] == 2 and rule["when"]["nth"] == {"from": 2}
    assert definition.raw["rules"][1]["then"]["respond"]["body"] == {"flag": True,
                                                                     "text": "x-2-samsung"}
    again = load(write(tmp_path, GOOD), {"count": "5", "on": "no", "broker": "shinhan"})
    assert again.params == {"count": 5, "broker": "shinhan", "on": False}
    assert again.raw["rules"][0]["times"] == 5


@pytest.mark.parametrize(("text", "expected"), [
    ("name: sample\ndescription: d\nrules:\n  - then: {fault: boom}\n",
     "sample.yaml:4: /rules/0/then/fault: 'boom' is not one of"),
    ("name: sample\ndescription: d\nrules:\n  - when: {opration: x}\n    then: {delay: 1s}\n",
     "sample.yaml:4: /rules/0/when: unknown key ('opration' was unexpected)"),
    ("name: sample\ndescription: d\nrules:\n  - then:\n      delay: soon\n",
     "sample.yaml:5: /rules/0/then/delay:"),
    ("name: sample\ndescription: d\nrules:\n  - then: {delay: '${late}'}\n",
     "sample.yaml:4: /rules/0/then/delay: ${late} is not a declared parameter"),
    ("name: sample\ndescription: d\nrules:\n  - when: {in_state: down}\n    then: {delay: 1s}\n",
     "/rules/0/when/in_state: state 'down' is never set"),
    ("name: sample\ndescription: d\nrules:\n  - {name: a, then: {delay: 1s}}\n"
     "  - {name: a, then: {delay: 1s}}\n", "sample.yaml:5: /rules/1/name: rule name 'a' is used "
                                          "twice"),
    ("name: sample\ndescription: d\nrules: [\n", "sample.yaml:4: not valid YAML"),
    ("name: other\ndescription: d\nrules:\n  - then: {delay: 1s}\n", None),
    ("- just\n- a list\n", "sample.yaml:1: a scenario is a mapping"),
    ("name: sample\ndescription: d\nrules:\n  - then: {delay: {uniform: [2s, 1s]}}\n",
     "/rules/0/then/delay/uniform: the lower bound is above the upper bound"),
    ("name: sample\ndescription: d\nrules:\n  - when: {body: {/a: {matches: '('}}}\n"
     "    then: {delay: 1s}\n", "sample.yaml:4: /rules/0/when/body/~1a: '(' is not a 'regex'"),
])
def test_refusals_have_file_line_and_reason(tmp_path: Path, text: str,
                                            expected: str | None) -> None:
    if expected is None:  # a file outside the library may be named freely
        assert load(write(tmp_path, text)).name == "other"
        return
    found = problems(tmp_path, text)
    assert any(expected in p for p in found), found


def test_unknown_and_mistyped_parameters(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD, colour="red")
    assert found == [f"{tmp_path / 'sample.yaml'}:3: /params: unknown parameter 'colour' of "
                     f"scenario 'sample' (known: broker, count, on)"]
    assert "must be integer, got 'lots'" in problems(tmp_path, GOOD, count="lots")[0]


def test_parse_spec_and_durations() -> None:
    assert parse_spec("broker-outage:broker=shinhan, calls=3") == (
        "broker-outage", {"broker": "shinhan", "calls": "3"})
    assert parse_spec("slow-gateway") == ("slow-gateway", {})
    for bad in ("x:broker", ":a=1", ""):
        with pytest.raises(ValueError):
            parse_spec(bad)
    assert [seconds(t) for t in ("250ms", "2s", "1.5m", "1h", "PT0.5S", "P1DT1M")] == [
        0.25, 2.0, 90.0, 3600.0, 0.5, 86460.0]
    now = datetime(2026, 11, 24, 10, 0, tzinfo=KST)
    assert event_instant("10:30", now) == datetime(2026, 11, 24, 10, 30, tzinfo=KST)
    assert event_instant("PT5M", now) == datetime(2026, 11, 24, 10, 5, tzinfo=KST)
    assert event_instant("2026-11-25T09:00:00+09:00", now).day == 25


def test_pointer_conditions() -> None:
    doc = {"a": {"b/c": [1, "2"], "flag": True}}
    assert pointer_get(doc, "/a/b~1c/1") == "2" and pointer_get(doc, "/a/x") is MISSING
    assert holds(2, "2") and holds({"in": [1, 2]}, "2") and holds({"gt": 1}, "1.5")
    assert holds(True, "true") and not holds(True, 1) and holds({"not": 3}, MISSING)
    assert holds({"exists": False}, MISSING) and not holds({"lt": 3}, "abc")


def test_startup_scenarios_survive_a_reset() -> None:
    config = Config(world=WorldSettings(clock=FROZEN, users=0),
                    scenarios=("rate-limited:limit=1",))
    client = create_app(config).test_client()
    path = "/v2/market/stocks/kospi/005930/price"
    assert client.get(path, headers={"apikey": F9999_KEY}).status_code == 200
    assert client.get(path, headers={"apikey": F9999_KEY}).status_code == 429
    client.post("/_sandbox/reset")
    active = client.get("/_sandbox/scenarios").get_json()["active"]
    assert [(a["name"], a["origin"], a["params"]["limit"]) for a in active] == [
        ("rate-limited", "startup", 1)]
    assert client.get(path, headers={"apikey": F9999_KEY}).status_code == 200


def test_serve_refuses_a_bad_scenario_before_starting() -> None:
    result = CliRunner().invoke(main, ["serve", "--scenario", "no-such-thing"])
    assert result.exit_code == 2 and "no scenario 'no-such-thing'" in result.output
    result = CliRunner().invoke(main, ["serve", "--scenario", "rate-limited:colour=red"])
    assert result.exit_code == 2 and "unknown parameter 'colour'" in result.output


# ------------------------------------------------------------------------------ properties
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=6))
_DOCS = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["name", "description", "rules", "then", "when", "params",
                                     "default", "fault", "delay", "nth", "times", "x"]),
                    inner, max_size=4)), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(_DOCS)
def test_any_document_is_loaded_or_refused(document: Any) -> None:
    try:
        build(document, "fuzz", {})
    except ScenarioError as exc:
        assert exc.problems and all(p.source == "fuzz" for p in exc.problems)


_WHEN = st.fixed_dictionaries({}, optional={
    "operation": st.sampled_from(["market.*", "account.*", "x"]),
    "method": st.sampled_from(["GET", "POST"]),
    "body": st.dictionaries(st.sampled_from(["/a", "/accInfo/vtAccNo", ""]),
                            st.one_of(_SCALARS, st.fixed_dictionaries(
                                {"matches": st.sampled_from(["^1", "x"])})),
                            min_size=1, max_size=2),
    "headers": st.dictionaries(st.sampled_from(["apikey", "x-y"]), _SCALARS, min_size=1,
                               max_size=1),
    "nth": st.integers(1, 3), "probability": st.floats(0, 1),
    "clock": st.fixed_dictionaries({"from": st.sampled_from(["09:00", "15:30"])})})
_THEN = st.one_of(
    st.fixed_dictionaries({"fault": st.sampled_from(
        ["http_error", "timeout", "empty_response", "malformed_body", "broker_down",
         "broker_timeout"])}),
    st.fixed_dictionaries({"respond": st.fixed_dictionaries({"status": st.integers(200, 599),
                                                             "body": _SCALARS})}),
    st.fixed_dictionaries({"delay": st.sampled_from(["1ms", "PT0.1S"])}),
    st.fixed_dictionaries({"rate_limit": st.fixed_dictionaries({"limit": st.integers(0, 2)})}),
    st.fixed_dictionaries({"token": st.just("expire")}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({"when": _WHEN, "then": _THEN}), min_size=1,
                max_size=3))
def test_no_rule_crashes_the_gateway(rules: list[dict[str, Any]]) -> None:
    client = _shared_app().test_client()
    client.post("/_sandbox/reset")
    response = client.post("/_sandbox/scenarios", json={"definition": {
        "name": "fuzz", "description": "d", "rules": rules}})
    assert response.status_code == 200, response.get_data(as_text=True)
    for call in (lambda: client.get("/v2/market/stocks/kospi/005930/price",
                                    headers={"apikey": F9999_KEY}),
                 lambda: client.post("/v1/common/member/register/search", json={"a": 1},
                                     headers={"apikey": F9999_KEY})):
        text = call().get_data(as_text=True)
        assert "the emulator failed" not in text and "violates its schema" not in text, text


_APP: list[Any] = []


def _shared_app() -> Any:
    if not _APP:
        _APP.append(create_app(Config(world=WorldSettings(clock=FROZEN, users=0),
                                      response_validation="strict")))
    return _APP[0]


def test_parse_text_maps_pointers_to_lines() -> None:
    _doc, lines = parse_text("a:\n  b:\n    - 1\n    - {c: 2}\n", "x")
    assert lines == {"": 1, "/a": 1, "/a/b": 2, "/a/b/0": 3, "/a/b/1": 4, "/a/b/1/c": 4}
