"""The scenario engine: which scenarios are active in a world, and what they do to a call.

State lives in the world's store, so a reset clears it and a persistent store keeps it:

* ``scenario`` (key: the name): the definition after parameter substitution, the parameters,
  where it came from and its activation order;
* ``scenario_state`` (key: the name): its named state and, per rule, how many calls were
  addressed (``matched``, which ``nth`` counts) and how many it was applied to (``times``).

The compiled rules are cached per world. Rules are evaluated in activation order, then file
order; every rule that applies contributes its actions until one decides a terminal answer
(respond, fault, 429, 401); the rules after it still count the call (near miss "already
decided"). ``set_state`` takes effect from the next call. Random draws (``probability``,
delays) are a pure function of the seed, the rule and its call count: the same seed and the
same sequence of requests replay the same faults.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.scenarios import actions
from sandbox.scenarios.actions import Context, Outcome
from sandbox.scenarios.loader import (
    Definition,
    Library,
    Problem,
    ScenarioError,
    build,
    seconds,
)
from sandbox.scenarios.matching import Request, When, compile_when, nth_wants
from sandbox.world.clock import parse_instant
from sandbox.world.market import calendar as cal
from sandbox.world.orders.scripts import validate_script
from sandbox.world.store import decode, encode

if TYPE_CHECKING:
    from sandbox.world.world import World

ACTIVE, STATE = "scenario", "scenario_state"
NEAR_MISS_CAP = 20


class ScenarioFailure(Exception):
    """A rule that broke while it was applied (a template error, an impossible action): the
    gateway answers a platform 500 naming the scenario and the rule."""

    def __init__(self, scenario: str, rule: str, reason: str) -> None:
        super().__init__(f"scenario {scenario!r} rule {rule!r} failed: {reason}")
        self.scenario, self.rule = scenario, rule


@dataclass(frozen=True)
class Rule:
    name: str
    when: When
    then: Mapping[str, Any]
    nth: Any
    probability: float | None
    times: int | None


@dataclass(frozen=True)
class Active:
    definition: Definition
    rules: tuple[Rule, ...]
    origin: str  # "library" | "inline" | "startup"
    order: int
    activated_at: str

    @property
    def name(self) -> str:
        return self.definition.name


def _compile(world: World, definition: Definition) -> tuple[Rule, ...]:
    """The rules of a definition, checked against the world (brokers, market codes)."""
    problems: list[Problem] = []

    def broker(name: str) -> str:
        found = world.ids.broker(name)
        if found is None:
            raise ValueError(f"unknown broker {name!r}")
        return found.short_name

    rules = []
    for index, raw in enumerate(definition.raw.get("rules", [])):
        name = raw.get("name", f"rule-{index + 1}")
        when = raw.get("when", {})
        try:
            compiled = compile_when(when, broker)
            if "market" in raw["then"]:
                actions.check_market(world, raw["then"]["market"])
            if "order" in raw["then"]:
                validate_script(raw["then"]["order"])
        except ValueError as exc:
            pointer = f"/rules/{index}"
            problems.append(Problem(definition.source, definition.line(pointer), pointer,
                                    str(exc)))
            continue
        rules.append(Rule(name, compiled, raw["then"], when.get("nth"),
                          when.get("probability"), raw.get("times")))
    for index, event in enumerate(definition.raw.get("events", [])):
        try:
            actions.check_market(world, event["market"])
        except ValueError as exc:
            pointer = f"/events/{index}/market"
            problems.append(Problem(definition.source, definition.line(pointer), pointer,
                                    str(exc)))
    if problems:
        raise ScenarioError(problems)
    return tuple(rules)


def event_instant(at: str, now: datetime) -> datetime:
    """``at`` of a scheduled event: a time of day (on the clock's KST date), an instant, or a
    duration after ``now``."""
    if len(at) <= 8 and ":" in at and "T" not in at:
        day = cal.kst(now).date()
        return datetime.combine(day, time.fromisoformat(at), cal.KST)
    if at[:4].isdigit() and "-" in at[:5]:
        return parse_instant(at)
    return now + timedelta(seconds=seconds(at))


class Engine:
    """Active scenarios per world (see the module docstring). Thread-safe: the store's
    transactions serialise changes and evaluations; the engine's own lock only guards the
    cache of compiled rules and is never held while the store is used (a request holds the
    store from its first write to its end, so the store's lock always comes first)."""

    def __init__(self, library: Library | None = None) -> None:
        self.library = library or Library()
        self._lock = threading.RLock()
        self._world: World | None = None
        self._active: list[Active] = []
        self._generation = 0

    # ------------------------------------------------------------------- active set
    def active(self, world: World) -> list[Active]:
        with self._lock:
            if self._world is world:
                return self._active
            generation = self._generation
        loaded = self._load(world)
        with self._lock:
            if self._generation == generation:  # no change was made while it was loaded
                self._world, self._active = world, loaded
        return loaded

    def _invalidate(self) -> None:
        """Compile again from the store on the next call."""
        with self._lock:
            self._generation += 1
            self._world = None

    def _load(self, world: World) -> list[Active]:
        found = []
        for _name, record in world.store.scan(ACTIVE):
            definition = Definition(record["name"], record["definition"], record["params"],
                                    record["source"])
            found.append(Active(definition, _compile(world, definition), record["origin"],
                                record["order"], record["activatedAt"]))
        return sorted(found, key=lambda a: a.order)

    def definition(self, name: str | None = None, params: Mapping[str, Any] | None = None,
                   document: Any = None) -> Definition:
        """A library scenario (``name``) or an inline ``document``, validated with ``params``."""
        if document is not None:
            return build(document, "inline", {}, params)
        if name is None:
            raise ScenarioError([Problem("request", None, "", "give a scenario name or an "
                                                               "inline definition")])
        return self.library.load(name, params)

    def is_active(self, world: World, definition: Definition) -> bool:
        """True when ``definition`` is active as it stands (same rules, same parameters):
        a restarted server's ``serve --scenario`` keeps it and its counters."""
        record = world.store.get(ACTIVE, definition.name)
        stored = {"definition": definition.raw, "params": definition.params}
        return record is not None and decode(encode(stored)) == {
            "definition": record["definition"], "params": record["params"]}

    def activate(self, world: World, definition: Definition, origin: str) -> dict[str, Any]:
        """Activate (or re-activate from scratch) ``definition``; its scheduled market events
        start counting from the clock's instant."""
        rules = _compile(world, definition)
        now = world.now()
        with world.store.transaction():
            if world.store.get(ACTIVE, definition.name) is not None:
                self._remove(world, definition.name)
            order = max([r["order"] for _k, r in world.store.scan(ACTIVE)], default=0) + 1
            world.store.put(ACTIVE, definition.name, {
                "name": definition.name, "definition": definition.raw,
                "params": definition.params, "source": definition.source, "origin": origin,
                "order": order, "activatedAt": now.isoformat()})
            world.store.put(STATE, definition.name, {
                "state": definition.raw.get("initial_state", "start"),
                "rules": {rule.name: {"matched": 0, "applied": 0} for rule in rules}})
            for event in definition.raw.get("events", []):
                actions.market(world, event["market"], event_instant(event["at"], now),
                               definition.name)
            self._invalidate()
        return self.view(world, Active(definition, rules, origin, order, now.isoformat()))

    def _remove(self, world: World, name: str) -> None:
        from sandbox.world.market import events

        world.store.delete(ACTIVE, name)
        world.store.delete(STATE, name)
        for key, _record in world.store.scan(actions.RATES, f"{name}/"):
            world.store.delete(actions.RATES, key)
        events.remove(world, name)
        self._invalidate()

    def deactivate(self, world: World, name: str) -> bool:
        with world.store.transaction():
            if world.store.get(ACTIVE, name) is None:
                return False
            self._remove(world, name)
            return True

    def clear(self, world: World) -> list[str]:
        with world.store.transaction():
            names = [a.name for a in self.active(world)]
            for name in names:
                self.deactivate(world, name)
            return names

    def view(self, world: World, active: Active) -> dict[str, Any]:
        record = world.store.get(STATE, active.name) or {"state": "start", "rules": {}}
        return {"name": active.name, "description": active.definition.description,
                "origin": active.origin, "source": active.definition.source,
                "params": active.definition.params, "state": record["state"],
                "activatedAt": active.activated_at,
                "rules": [{"name": rule.name, "times": rule.times,
                           **record["rules"].get(rule.name, {"matched": 0, "applied": 0})}
                          for rule in active.rules]}

    # ------------------------------------------------------------------- evaluation
    def evaluate(self, world: World, request: Request) -> Outcome | None:
        """What the active scenarios do to ``request``; None when none is active."""
        if not self.active(world):
            return None
        outcome = Outcome()
        with world.store.transaction():
            for active in self.active(world):
                self._scenario(world, active, request, outcome)
        return outcome

    def _scenario(self, world: World, active: Active, request: Request,
                  outcome: Outcome) -> None:
        """Evaluate one scenario's rules. Every rule that addresses the call counts it, also
        after another rule decided the answer (so ``nth`` means the nth call the rule saw);
        conditions read the state the scenario had when the call arrived."""
        counters: dict[str, Any] | None = None
        state = ""
        for rule in active.rules:
            if any(check(request, "") for check in (*rule.when.targets, *rule.when.subjects)):
                continue
            if counters is None:
                counters = world.store.get(STATE, active.name) or {"state": "start",
                                                                   "rules": {}}
                state = counters["state"]
            reason = self._blocked(world, active, rule, request, counters, state)
            if reason is None and outcome.reply is not None:
                reason = f"the answer was already decided by {outcome.reply.scenario}/" \
                         f"{outcome.reply.rule}"
            if reason is not None:
                if len(outcome.near_misses) < NEAR_MISS_CAP:
                    outcome.near_misses.append({"scenario": active.name, "rule": rule.name,
                                                "reason": reason})
                continue
            count = counters["rules"][rule.name]
            ctx = Context(world, request, active.name, rule.name, active.definition.params,
                          counters, outcome, count["applied"])
            count["applied"] += 1
            try:
                labels = actions.apply(ctx, rule.then)
            except Exception as exc:  # a broken rule never crashes the server
                raise ScenarioFailure(active.name, rule.name, str(exc) or type(exc).__name__) \
                    from exc
            outcome.touched.append({"scenario": active.name, "rule": rule.name,
                                    "actions": labels})
        if counters is not None:
            world.store.put(STATE, active.name, counters)

    @staticmethod
    def _blocked(world: World, active: Active, rule: Rule, request: Request,
                 counters: dict[str, Any], state: str) -> str | None:
        """Why an addressed rule does not apply (None: it applies). Counts the call."""
        for check in rule.when.conditions:
            reason = check(request, state)
            if reason is not None:
                return reason
        count = counters["rules"].setdefault(rule.name, {"matched": 0, "applied": 0})
        count["matched"] += 1
        reason = nth_wants(rule.nth, count["matched"])
        if reason is not None:
            return reason
        if rule.times is not None and count["applied"] >= rule.times:
            return f"times: already applied {count['applied']} of {rule.times}"
        if rule.probability is not None:
            draw = world.rand.for_key("scenario", active.name, rule.name, "probability",
                                      count["matched"]).random()
            if draw >= rule.probability:
                return f"probability {rule.probability}: drew {draw:.3f}"
        return None
