"""The ``when`` of a rule, compiled into named checks over a :class:`Request`.

A check answers None when it holds, else the reason it does not (the journal shows it for a
near miss). Checks are grouped by what they look at:

* *target* (operation, family, method, path) and *subject* (broker, app, user, ci, account,
  institution): a request that fails one of these is simply not addressed by the rule;
* *condition* (body, headers, clock, state): a request addressed by the rule that fails one of
  these is a **near miss**, and so is one that fails ``nth``, ``times`` or ``probability``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sandbox.world.clock import parse_instant
from sandbox.world.market import calendar as cal

MISSING = object()
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Request:
    """What a rule can see of a call (built by the gateway; no Flask here)."""

    operation: str
    family: str
    method: str
    path: str
    now: datetime
    broker: str | None = None
    app: str | None = None
    app_ids: tuple[str, ...] = ()  # the app's API key and comId
    user: str | None = None
    ci: str | None = None
    accounts: tuple[str, ...] = ()
    institution: str | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    remote: str | None = None
    token: str | None = None  # the Bearer access token
    group: str | None = None  # "partners" for every partner family


Check = Callable[[Request, str], str | None]  # (request, scenario state) -> reason or None


@dataclass(frozen=True)
class When:
    targets: tuple[Check, ...]
    subjects: tuple[Check, ...]
    conditions: tuple[Check, ...]


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _label(values: list[str]) -> str:
    return values[0] if len(values) == 1 else "one of " + ", ".join(values)


def _glob_path(pattern: str) -> re.Pattern[str]:
    parts = []
    for piece in re.split(r"(\*\*|\*)", pattern):
        parts.append(".*" if piece == "**" else "[^/]*" if piece == "*" else re.escape(piece))
    return re.compile("".join(parts) + "/?")


def _one_of(name: str, wanted: list[str], read: Callable[[Request], str | None],
            fold: bool = False, glob: bool = False) -> Check:
    norm = [w.lower() for w in wanted] if fold else wanted

    def check(request: Request, state: str) -> str | None:
        value = read(request)
        if value is not None:
            probe = value.lower() if fold else value
            if any(fnmatch.fnmatchcase(probe, w) if glob else probe == w for w in norm):
                return None
        return f"{name} is {value!r}, the rule wants {_label(wanted)}"

    return check


def _family(wanted: list[str]) -> Check:
    def check(request: Request, state: str) -> str | None:
        if request.family in wanted or (request.group is not None and request.group in wanted):
            return None
        return f"family is {request.family!r}, the rule wants {_label(wanted)}"

    return check


def _path(wanted: list[str]) -> Check:
    patterns = [_glob_path(p) for p in wanted]

    def check(request: Request, state: str) -> str | None:
        if any(p.fullmatch(request.path) for p in patterns):
            return None
        return f"path {request.path} does not match {_label(wanted)}"

    return check


def _app(wanted: list[str]) -> Check:
    def check(request: Request, state: str) -> str | None:
        if request.app in wanted or any(i in wanted for i in request.app_ids):
            return None
        return f"app is {request.app!r}, the rule wants {_label(wanted)}"

    return check


def _account(wanted: list[str]) -> Check:
    def check(request: Request, state: str) -> str | None:
        if any(a in wanted for a in request.accounts):
            return None
        return f"account is {', '.join(request.accounts) or 'none'}, the rule wants " \
               f"{_label(wanted)}"

    return check


# ----------------------------------------------------------------------------- values
def pointer_get(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901), or :data:`MISSING`."""
    if pointer in ("", "/"):
        return document
    value = document
    for raw in pointer.lstrip("/").split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return MISSING
    return value


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected or (isinstance(actual, str) and
                                      actual.lower() == str(expected).lower())
    if isinstance(actual, str) != isinstance(expected, str) and None not in (actual, expected):
        return str(actual).strip() == str(expected).strip()  # "5" (query) equals 5
    return bool(actual == expected)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def holds(condition: Any, actual: Any) -> bool:
    """Whether ``actual`` (possibly :data:`MISSING`) satisfies a condition of the format."""
    if not isinstance(condition, dict):
        return actual is not MISSING and _same(actual, condition)
    (operator, operand), = condition.items()
    if operator == "exists":
        return (actual is not MISSING) is bool(operand)
    if actual is MISSING:
        return bool(operator == "not")
    if operator == "equals":
        return _same(actual, operand)
    if operator == "not":
        return not _same(actual, operand)
    if operator == "in":
        return any(_same(actual, item) for item in operand)
    if operator == "matches":
        return re.search(operand, actual if isinstance(actual, str) else str(actual)) is not None
    number = _number(actual)
    if number is None:
        return False
    limit = float(operand)
    return {"gt": number > limit, "ge": number >= limit,
            "lt": number < limit, "le": number <= limit}[operator]


def _describe(condition: Any) -> str:
    if not isinstance(condition, dict):
        return f"== {condition!r}"
    (operator, operand), = condition.items()
    return f"{operator} {operand!r}"


def _values(group: str, conditions: Mapping[str, Any]) -> Check:
    def check(request: Request, state: str) -> str | None:
        for key, condition in conditions.items():
            if group == "body":
                actual = pointer_get(request.body, key)
            else:
                actual = request.headers.get(key.lower(), MISSING)
            if not holds(condition, actual):
                shown = "absent" if actual is MISSING else repr(actual)[:60]
                return f"{group} {key} is {shown}, the rule wants {_describe(condition)}"
        return None

    return check


def _hhmm(text: str) -> time:
    return time.fromisoformat(text)


def _clock(spec: Mapping[str, Any]) -> Check:
    start = _hhmm(spec["from"]) if "from" in spec else None
    end = _hhmm(spec["to"]) if "to" in spec else None
    after = parse_instant(spec["after"]) if "after" in spec else None
    before = parse_instant(spec["before"]) if "before" in spec else None
    weekdays = spec.get("weekdays")

    def check(request: Request, state: str) -> str | None:
        now = cal.kst(request.now)
        moment = now.time().replace(tzinfo=None)
        shown = now.strftime("%Y-%m-%d %H:%M:%S")
        if start is not None or end is not None:
            low, high = start or time.min, end or time.max
            inside = low <= moment < high if low <= high else (moment >= low or moment < high)
            if not inside:
                return f"clock {shown} is outside {spec.get('from', '00:00')}-" \
                       f"{spec.get('to', '24:00')}"
        if after is not None and now < after:
            return f"clock {shown} is before {spec['after']}"
        if before is not None and now >= before:
            return f"clock {shown} is not before {spec['before']}"
        if weekdays is not None and WEEKDAYS[now.weekday()] not in weekdays:
            return f"clock {shown} is a {WEEKDAYS[now.weekday()]}, the rule wants " \
                   f"{', '.join(weekdays)}"
        if "trading_day" in spec and cal.is_trading_day(now.date()) is not spec["trading_day"]:
            kind = "a trading day" if spec["trading_day"] else "a KRX holiday or weekend"
            return f"clock {shown} is not {kind}"
        if "month_end" in spec and _month_end(now) is not spec["month_end"]:
            kind = "the last" if spec["month_end"] else "not the last"
            return f"clock {shown} is not {kind} trading day of the month"
        return None

    return check


def _month_end(now: datetime) -> bool:
    day = now.date()
    if not cal.is_trading_day(day):
        return False
    return cal.next_trading_day(day).month != day.month


def _in_state(wanted: list[str]) -> Check:
    def check(request: Request, state: str) -> str | None:
        return None if state in wanted else f"state is {state!r}, the rule wants " \
                                            f"{_label(wanted)}"

    return check


def compile_when(when: Mapping[str, Any], brokers: Callable[[str], str]) -> When:
    """``brokers`` maps a broker name of the rule to its canonical short name (raising
    ValueError for an unknown one)."""
    targets: list[Check] = []
    if "operation" in when:
        targets.append(_one_of("operation", _strings(when["operation"]),
                               lambda r: r.operation, glob=True))
    if "family" in when:
        targets.append(_family(_strings(when["family"])))
    if "method" in when:
        targets.append(_one_of("method", _strings(when["method"]), lambda r: r.method,
                               fold=True))
    if "path" in when:
        targets.append(_path(_strings(when["path"])))
    subjects: list[Check] = []
    if "broker" in when:
        subjects.append(_one_of("broker", [brokers(b) for b in _strings(when["broker"])],
                                lambda r: r.broker))
    if "app" in when:
        subjects.append(_app(_strings(when["app"])))
    readers: dict[str, Callable[[Request], str | None]] = {
        "user": lambda r: r.user, "ci": lambda r: r.ci, "institution": lambda r: r.institution}
    for name, read in readers.items():
        if name in when:
            subjects.append(_one_of(name, [s.strip() for s in _strings(when[name])], read))
    if "account" in when:
        subjects.append(_account(_strings(when["account"])))
    conditions: list[Check] = []
    if "body" in when:
        conditions.append(_values("body", when["body"]))
    if "headers" in when:
        conditions.append(_values("headers", when["headers"]))
    if "clock" in when:
        conditions.append(_clock(when["clock"]))
    if "in_state" in when:
        conditions.append(_in_state(_strings(when["in_state"])))
    return When(tuple(targets), tuple(subjects), tuple(conditions))


def nth_wants(spec: Any, count: int) -> str | None:
    """None when call number ``count`` (from 1) is one the rule's ``nth`` selects."""
    if spec is None:
        return None
    if isinstance(spec, int):
        ok = count == spec
    elif isinstance(spec, list):
        ok = count in spec
    else:
        start, stop, every = spec.get("from", 1), spec.get("to"), spec.get("every", 1)
        ok = count >= start and (stop is None or count <= stop) and (count - start) % every == 0
    return None if ok else f"nth: this is matching call {count}, the rule wants {_nth_text(spec)}"


def _nth_text(spec: Any) -> str:
    if isinstance(spec, int):
        return f"call {spec}"
    if isinstance(spec, list):
        return "calls " + ", ".join(map(str, spec))
    every = spec.get("every", 1)
    text = "every call" if every == 1 else f"every {every}th call"
    text += f" from {spec.get('from', 1)}"
    return text + (f" to {spec['to']}" if "to" in spec else "")
