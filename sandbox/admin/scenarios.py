"""Admin API of the scenario engine: the library, what is active, activation and removal.
Rules in :mod:`sandbox.scenarios`; a refused scenario answers 400 with every problem (file,
line, pointer, reason) in ``description``."""

from __future__ import annotations

from typing import Any

from sandbox.admin import admin
from sandbox.app import current_state
from sandbox.errors import BadRequest, NotFound
from sandbox.gateway.call import Call
from sandbox.scenarios.loader import ScenarioError


@admin("admin.scenarios", "GET", "/_sandbox/scenarios",
       "Scenarios: the library (name, description, parameters) and the active ones (params, "
       "state, per-rule counts)", body="none")
def scenarios(call: Call) -> dict[str, Any]:
    engine = current_state().scenarios
    return {"library": engine.library.summaries(),
            "active": [engine.view(call.world, a) for a in engine.active(call.world)]}


@admin("admin.scenario_activate", "POST", "/_sandbox/scenarios",
       "Activate a library scenario ({name, params}) or an inline one ({definition, params}); "
       "activating an active name starts it again")
def scenario_activate(call: Call) -> dict[str, Any]:
    engine, body = current_state().scenarios, call.body
    if ("name" in body) == ("definition" in body):
        raise BadRequest("give either name (a library scenario) or definition (inline)")
    try:
        definition = engine.definition(body.get("name"), body.get("params"),
                                       body.get("definition"))
        return engine.activate(call.world, definition,
                               "library" if "name" in body else "inline")
    except ScenarioError as exc:
        raise BadRequest(str(exc)[:2000]) from None


@admin("admin.scenario_deactivate", "DELETE", "/_sandbox/scenarios/<name>",
       "Deactivate an active scenario (its market events end, its counters go)", body="none")
def scenario_deactivate(call: Call) -> dict[str, Any]:
    name = call.path_params["name"]
    if not current_state().scenarios.deactivate(call.world, name):
        raise NotFound(f"no active scenario {name!r}")
    return {"name": name, "active": False}


@admin("admin.scenarios_clear", "DELETE", "/_sandbox/scenarios",
       "Deactivate every scenario", body="none")
def scenarios_clear(call: Call) -> dict[str, Any]:
    return {"deactivated": current_state().scenarios.clear(call.world)}
