"""``oppf-sandbox scenario lint|list|run`` through click: exit codes, the file:line of every
problem, the library listing, and run reports that pass and fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sandbox.cli import main
from sandbox.scenarios.loader import Library

LIBRARY = Library().paths()

GOOD = """\
name: my-case
description: the first market call fails
params:
  status: {default: 502, description: the status}
rules:
  - name: fail-once
    when: {family: market, nth: 1}
    then: {fault: {type: http_error, status: "${status}"}}
example:
  steps:
    - name: first quote
      request:
        method: GET
        path: /v2/market/stocks/kospi/005930/price
        auth: {apikey: F9999}
      expect: {status: 502, json: {/code: 502}, scenario_rule: fail-once}
    - name: second quote
      request:
        method: GET
        path: /v2/market/stocks/kospi/005930/price
        auth: {apikey: F9999}
      expect: {status: 200, json: {/result/isuSrtCd: "005930"}, scenario_rule: null}
"""


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ lint
def test_lint_accepts_good_files(tmp_path: Path) -> None:
    good = write(tmp_path, GOOD)
    result = cli("scenario", "lint", str(good), str(LIBRARY["broker-outage"]))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{good}: ok", f"{LIBRARY['broker-outage']}: ok"]


def test_lint_accepts_the_whole_library() -> None:
    result = cli("scenario", "lint", *map(str, LIBRARY.values()))
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok\n") == len(LIBRARY)


BAD = [
    ("not YAML", GOOD.replace("rules:\n", "rules: [\n"), 6, "", "not valid YAML"),
    ("an unknown key", GOOD.replace("    when: {family", "    wen: {family"), 6, "/rules/0",
     "unknown key ('wen' was unexpected)"),
    ("a wrong type", GOOD.replace("nth: 1}", "nth: first}"), 7, "/rules/0/when/nth",
     "'first' is not"),
    ("an unknown parameter", GOOD.replace('"${status}"', '"${code}"'), 8,
     "/rules/0/then/fault/status", "${code} is not a declared parameter"),
    ("an unknown state", GOOD.replace("nth: 1}", "nth: 1, in_state: broken}"), 7,
     "/rules/0/when/in_state", "state 'broken' is never set (set_state) and is not initial"),
    ("a duplicate rule name", GOOD.replace(
        "example:", "  - name: fail-once\n    then: {delay: 1s}\nexample:"), 9,
     "/rules/1/name", "rule name 'fail-once' is used twice"),
    ("a bad duration", GOOD.replace('{fault: {type: http_error, status: "${status}"}}',
                                    "{delay: soon}"), 8, "/rules/0/then/delay", "soon"),
    ("a bad example parameter", GOOD.replace("example:\n", "example:\n  params: {status: "
                                                           "many}\n"), 3, "/params",
     "parameter 'status' must be integer, got 'many'"),
]


@pytest.mark.parametrize(("case", "text", "line", "pointer", "message"), BAD,
                         ids=[b[0] for b in BAD])
def test_lint_names_file_line_pointer_and_reason(tmp_path: Path, case: str, text: str,
                                                 line: int, pointer: str,
                                                 message: str) -> None:
    bad = write(tmp_path, text)
    result = cli("scenario", "lint", str(bad))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    problems = result.stderr.splitlines()
    prefix = f"{bad}:{line}: {pointer}: " if pointer else f"{bad}:{line}: "
    assert any(p.startswith(prefix) and message in p for p in problems), problems


def test_lint_checks_every_file_and_fails_if_one_is_bad(tmp_path: Path) -> None:
    good = write(tmp_path, GOOD, "good.yaml")
    bad = write(tmp_path, GOOD.replace("rules:\n", "rules: [\n"), "bad.yaml")
    result = cli("scenario", "lint", str(bad), str(good))
    assert result.exit_code == 1
    assert result.stdout == f"{good}: ok\n"
    assert result.stderr.startswith(f"{bad}:6: not valid YAML")


def test_lint_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("scenario", "lint", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "does not exist" in result.output


# ------------------------------------------------------------------------------ list
def test_list_shows_the_library_with_defaults() -> None:
    result = cli("scenario", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert names == sorted(LIBRARY)
    assert "broker-outage          broker=samsung, calls=3" in lines
    index = lines.index("broker-outage          broker=samsung, calls=3")
    assert lines[index + 1].startswith("    A broker's systems are down")
    assert any(line.startswith("rate-limited           limit=50000, per=app")
               for line in lines)


# ------------------------------------------------------------------------------ run
def test_run_a_library_scenario_by_name() -> None:
    result = cli("scenario", "run", "broker-outage")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "scenario broker-outage",
        "  PASS  samsung is down: 503 op-exco 3600",
        "  PASS  another broker answers: 200",
        "  PASS  the last failing call: 503 op-exco 3600",
        "  PASS  samsung is back: 200",
        "  PASS  the scenario says up: 200",
        "passed: 5/5 steps"]


def test_run_a_file(tmp_path: Path) -> None:
    result = cli("scenario", "run", str(write(tmp_path, GOOD)))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "scenario my-case", "  PASS  first quote: 502 op-apim 502",
        "  PASS  second quote: 200", "passed: 2/2 steps"]


def test_run_fails_with_the_failing_step(tmp_path: Path) -> None:
    wrong = write(tmp_path, GOOD.replace("expect: {status: 200,", "expect: {status: 201,"))
    result = cli("scenario", "run", str(wrong))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[1] == "  PASS  first quote: 502 op-apim 502"
    assert lines[2].startswith("  FAIL  second quote: status 200, expected 201: ")
    assert lines[-1] == "FAILED: 1/2 steps"


def test_run_reports_a_wrong_journal_expectation(tmp_path: Path) -> None:
    wrong = write(tmp_path, GOOD.replace("scenario_rule: null", "scenario_rule: fail-once"))
    result = cli("scenario", "run", str(wrong))
    assert result.exit_code == 1
    assert ("  FAIL  second quote: journal shows rules none, expected fail-once (near misses: "
            "fail-once: nth: this is matching call 2, the rule wants call 1)") \
        in result.stdout.splitlines()


def test_run_with_a_parameter_override(tmp_path: Path) -> None:
    result = cli("scenario", "run", str(write(tmp_path, GOOD)), "-p", "status=503")
    assert result.exit_code == 1
    assert "  FAIL  first quote: status 503, expected 502: " in result.stdout
    result = cli("scenario", "run", "broker-outage", "-p", "calls=1")
    assert result.exit_code == 1
    assert "  FAIL  the last failing call: status 200, expected 503: " in result.stdout


def test_run_refuses_unknown_scenarios_and_parameters(tmp_path: Path) -> None:
    result = cli("scenario", "run", "no-such-scenario")
    assert result.exit_code == 2
    assert "no file and no library scenario 'no-such-scenario'" in result.output
    result = cli("scenario", "run", "broker-outage", "-p", "colour=red")
    assert result.exit_code == 1
    assert "unknown parameter 'colour' of scenario 'broker-outage' (known: broker, calls)" \
        in result.output
    result = cli("scenario", "run", str(write(tmp_path, GOOD.replace("nth: 1}", "nth: x}"))))
    assert result.exit_code == 1 and "/rules/0/when/nth" in result.output


def test_run_without_an_example(tmp_path: Path) -> None:
    bare = write(tmp_path, GOOD[:GOOD.index("example:")])
    result = cli("scenario", "run", str(bare))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "scenario my-case", "  ERROR the scenario has no example to run", "FAILED: 0/0 steps"]
