"""Reading scenarios: YAML with line numbers, parameters, the JSON Schema and the checks a
schema cannot express. Every problem names the file, the line and the JSON pointer.

A scenario file declares ``params`` with defaults; ``${name}`` anywhere in the file is replaced
by the parameter's value before validation (a string that is exactly ``${name}`` takes the
parameter's type, so ``times: ${count}`` stays an integer). Jinja ``{{ ... }}`` in ``respond``
bodies is left alone: it is rendered per request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from sandbox.paths import SCENARIOS, SCHEMAS
from sandbox.scenarios.spec import parse_spec
from sandbox.world.clock import ClockError, parse_duration

__all__ = ["Definition", "Library", "Problem", "ScenarioError", "build", "lint", "load",
           "parse_spec", "seconds"]

SCHEMA_PATH = SCHEMAS / "scenario.schema.json"
_PARAM = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SHORT_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool}


@dataclass(frozen=True)
class Problem:
    """One reason a scenario is refused."""

    source: str
    line: int | None
    pointer: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.pointer}: {self.message}" if self.pointer \
            else f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario that cannot be loaded or activated; ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Definition:
    """A validated scenario, its parameters resolved."""

    name: str
    raw: dict[str, Any]  # the document after ${param} substitution
    params: dict[str, Any]
    source: str  # file path or "inline"
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    @property
    def description(self) -> str:
        return str(self.raw.get("description", ""))

    def line(self, pointer: str) -> int | None:
        return nearest_line(self.lines, pointer)


def seconds(text: str) -> float:
    """A duration of the scenario format in seconds: ISO-8601 (``PT1.5S``) or ``250ms``,
    ``2s``, ``5m``, ``1h``."""
    match = _SHORT_DURATION.match(text.strip())
    if match:
        return float(match.group(1)) * _UNITS[match.group(2)]
    try:
        return parse_duration(text).total_seconds()
    except ClockError as exc:
        raise ValueError(str(exc)) from None


# ------------------------------------------------------------------------------ YAML + lines
class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. ``on:``, ``no`` and ``off`` stay strings (a
    parameter named ``on`` or a broker answer ``no`` must not turn into a boolean)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _walk(node: yaml.Node, pointer: str, lines: dict[str, int], line: int) -> None:
    """Map pointers to lines: a mapping entry is on its key's line, an item on its own."""
    lines[pointer] = line
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _walk(value, f"{pointer}/{_escape(str(key.value))}", lines,
                  key.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, f"{pointer}/{index}", lines, item.start_mark.line + 1)


def nearest_line(lines: Mapping[str, int], pointer: str) -> int | None:
    """The line of ``pointer`` or of its nearest ancestor present in the file."""
    while True:
        if pointer in lines:
            return lines[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]


def parse_text(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """The YAML (or JSON) document and a JSON pointer → line map."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        document = yaml.load(text, Loader=_Loader)  # a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(source, line, "", f"not valid YAML: {reason}")]) from None
    lines: dict[str, int] = {}
    if node is not None:
        _walk(node, "", lines, node.start_mark.line + 1)
    return document, lines


def read(path: Path) -> tuple[Any, dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read: {exc}")]) from None
    return parse_text(text, str(path))


# ------------------------------------------------------------------------------ parameters
def coerce(name: str, spec: Mapping[str, Any], value: Any) -> Any:
    """A parameter value of its declared type (strings from the CLI are converted)."""
    kind = spec.get("type") or _type_name(spec["default"])
    if isinstance(value, str) and kind != "string":
        text = value.strip()
        try:
            if kind == "boolean":
                if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                value = text.lower() in ("true", "1", "yes")
            elif kind == "integer":
                value = int(text)
            elif kind == "number":
                value = float(text)
        except ValueError:
            raise ValueError(f"parameter {name!r} must be {kind}, got {value!r}") from None
    expected = TYPES[kind]
    if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
        raise ValueError(f"parameter {name!r} must be {kind}, got {value!r}")
    if "enum" in spec and value not in spec["enum"]:
        raise ValueError(f"parameter {name!r} must be one of {spec['enum']}, got {value!r}")
    return value


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return "number" if isinstance(value, float) else "string"


def resolve_params(declared: Mapping[str, Any], given: Mapping[str, Any] | None,
                   scenario: str) -> dict[str, Any]:
    given = dict(given or {})
    unknown = sorted(set(given) - set(declared))
    if unknown:
        known = ", ".join(sorted(declared)) or "none"
        raise ValueError(f"unknown parameter{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))} of scenario {scenario!r} "
                         f"(known: {known})")
    values = {}
    for name, spec in declared.items():
        values[name] = coerce(name, spec, given[name] if name in given else spec["default"])
    return values


def substitute(value: Any, params: Mapping[str, Any], pointer: str,
               problems: list[tuple[str, str]]) -> Any:
    """Replace ``${name}`` in every string of ``value``."""
    if isinstance(value, dict):
        return {k: substitute(v, params, f"{pointer}/{_escape(str(k))}", problems)
                for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, params, f"{pointer}/{i}", problems) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _PARAM.fullmatch(value)
    if whole and whole.group(1) in params:
        return params[whole.group(1)]

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            problems.append((pointer, f"${{{name}}} is not a declared parameter"))
            return match.group(0)
        return str(params[name]).lower() if isinstance(params[name], bool) \
            else str(params[name])

    return _PARAM.sub(replace, value)


# ------------------------------------------------------------------------------ validation
@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


@lru_cache(maxsize=1)
def params_validator() -> Draft202012Validator:
    """The schema's ``params`` block alone (checked before ``${...}`` substitution)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator({"$defs": schema["$defs"], **schema["properties"]["params"]},
                                format_checker=FormatChecker())


def _errors(checker: Draft202012Validator, document: Any) -> list[tuple[str, str]]:
    """(JSON pointer, message) of every violation, in document order."""
    errors = sorted(checker.iter_errors(document), key=lambda e: [str(p) for p in e.path])
    return [("".join(f"/{_escape(str(p))}" for p in e.absolute_path), _message(e))
            for e in errors]


def _schema_problems(document: Any, source: str, lines: Mapping[str, int]) -> list[Problem]:
    return [Problem(source, nearest_line(lines, pointer), pointer, message)
            for pointer, message in _errors(validator(), document)]


def _message(error: ValidationError) -> str:
    if error.validator == "oneOf" and error.context:
        # the branch that fits the value's type says what is wrong with it
        relevant = [e for e in error.context if e.validator not in ("type", "oneOf")] \
            or list(error.context)
        best = min(relevant, key=lambda e: len(list(e.absolute_schema_path)))
        return best.message[:300]
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")[:300]
    return error.message[:300]


def _semantic_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """What the schema cannot say: unique rule names, durations, regexes, states."""
    names: set[str] = set()
    set_states = {document.get("initial_state", "start")}
    wanted: list[tuple[str, str]] = []
    for index, rule in enumerate(document.get("rules", [])):
        where = f"/rules/{index}"
        name = rule.get("name", f"rule-{index + 1}")
        if name in names:
            yield f"{where}/name", f"rule name {name!r} is used twice"
        names.add(name)
        then, when = rule.get("then", {}), rule.get("when", {})
        if "set_state" in then:
            set_states.add(then["set_state"])
        states = when.get("in_state", [])
        for state in [states] if isinstance(states, str) else states:
            wanted.append((f"{where}/when/in_state", state))
        for pointer, condition in _conditions(when):
            if isinstance(condition, dict) and "matches" in condition:
                try:
                    re.compile(condition["matches"])
                except re.error as exc:
                    yield f"{where}/when/{pointer}", f"not a regular expression: {exc}"
        yield from ((f"{where}/then/{p}", m) for p, m in _duration_problems(then))
        clock = when.get("clock", {})
        if "from" in clock and clock.get("from") == clock.get("to"):
            yield f"{where}/when/clock", "from and to are the same time: an empty window"
    for pointer, state in wanted:
        if state not in set_states:
            yield pointer, f"state {state!r} is never set (set_state) and is not initial"


def _conditions(when: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for group in ("body", "headers"):
        for key, condition in (when.get(group) or {}).items():
            yield f"{group}/{_escape(key)}", condition


def _duration_problems(then: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    texts: list[tuple[str, Any]] = []
    delay = then.get("delay")
    if isinstance(delay, str):
        texts.append(("delay", delay))
    elif isinstance(delay, dict):
        for kind, value in delay.items():
            if kind == "uniform":
                texts += [(f"delay/uniform/{i}", v) for i, v in enumerate(value)]
            elif kind == "lognormal":
                texts += [(f"delay/lognormal/{k}", v) for k, v in value.items() if k != "sigma"]
            else:
                texts.append((f"delay/{kind}", value))
    fault = then.get("fault")
    if isinstance(fault, dict) and "after" in fault:
        texts.append(("fault/after", fault["after"]))
    market = then.get("market")
    if isinstance(market, dict) and "for" in market:
        texts.append(("market/for", market["for"]))
    for pointer, text in texts:
        try:
            if seconds(text) < 0:
                yield pointer, "a duration cannot be negative"
        except ValueError as exc:
            yield pointer, str(exc)
    if isinstance(delay, dict) and "uniform" in delay:
        try:
            low, high = (seconds(v) for v in delay["uniform"])
            if low > high:
                yield "delay/uniform", "the lower bound is above the upper bound"
        except ValueError:
            pass


def build(document: Any, source: str, lines: Mapping[str, int],
          params: Mapping[str, Any] | None = None) -> Definition:
    """Validate ``document`` with ``params`` (defaults for the others)."""
    if not isinstance(document, dict):
        raise ScenarioError([Problem(source, 1, "", "a scenario is a mapping (name, "
                                                    "description, params, rules)")])
    declared = document.get("params") or {}
    problems = [Problem(source, nearest_line(lines, f"/params{p}"), f"/params{p}", m)
                for p, m in _errors(params_validator(), declared)]
    if problems:  # the declarations first: substitution needs their defaults
        raise ScenarioError(problems)
    name = str(document.get("name", "?"))
    try:
        values = resolve_params(declared, params, name)
    except ValueError as exc:
        raise ScenarioError([Problem(source, nearest_line(lines, "/params"), "/params",
                                     str(exc))]) from None
    missing: list[tuple[str, str]] = []
    body = {k: v for k, v in document.items() if k != "params"}
    resolved = substitute(body, values, "", missing)
    if declared:
        resolved["params"] = declared
    problems = [Problem(source, nearest_line(lines, p), p, m) for p, m in missing]
    problems += _schema_problems(resolved, source, lines)
    if not problems:
        problems = [Problem(source, nearest_line(lines, p), p, m)
                    for p, m in _semantic_problems(resolved)]
    if problems:
        raise ScenarioError(problems)
    return Definition(name=resolved["name"], raw=resolved, params=values, source=source,
                      lines=dict(lines))


def load(path: Path, params: Mapping[str, Any] | None = None) -> Definition:
    document, lines = read(path)
    definition = build(document, str(path), lines, params)
    if path.parent.resolve() == SCENARIOS.resolve() and definition.name != path.stem:
        raise ScenarioError([Problem(str(path), nearest_line(lines, "/name"), "/name",
                                     f"a library scenario's name must be its file name "
                                     f"({path.stem!r})")])
    return definition


def lint(path: Path) -> list[Problem]:
    """Every problem of the file with its default parameters (and its example's)."""
    try:
        definition = load(path)
        example = definition.raw.get("example") or {}
        if example.get("params"):
            load(path, example["params"])
    except ScenarioError as exc:
        return exc.problems
    return []


class Library:
    """The scenarios of a folder (the top-level ``scenarios/`` by default), by name."""

    def __init__(self, folder: Path = SCENARIOS) -> None:
        self.folder = folder

    def paths(self) -> dict[str, Path]:
        if not self.folder.is_dir():
            return {}
        return {p.stem: p for p in sorted(self.folder.glob("*.yaml"))}

    def path(self, name: str) -> Path | None:
        return self.paths().get(name)

    def load(self, name: str, params: Mapping[str, Any] | None = None) -> Definition:
        path = self.path(name)
        if path is None:
            known = ", ".join(self.paths()) or "none"
            raise ScenarioError([Problem("library", None, "", f"no scenario {name!r} in the "
                                                              f"library (known: {known})")])
        # the answers name a library scenario by its place in the library, not by where the
        # checkout happens to be (the same bytes on every machine)
        return replace(load(path, params), source=f"{self.folder.name}/{path.name}")

    def summaries(self) -> list[dict[str, Any]]:
        """Name, description and parameters of every valid library scenario."""
        found = []
        for name, path in self.paths().items():
            try:
                definition = load(path)
            except ScenarioError as exc:
                found.append({"name": name, "description": "", "params": {},
                              "error": str(exc)})
                continue
            declared = definition.raw.get("params") or {}
            found.append({"name": name, "description": definition.description,
                          "params": {k: {"default": v["default"],
                                         "description": v.get("description", "")}
                                     for k, v in declared.items()}})
        return found
