"""Scenarios from a test: ``NAME[:k=v,...]`` specs and run-time activation.

A scenario is a named set of fault and latency rules the gateway applies (see the README's
scenario format). ``--sandbox-scenario broker-outage:broker=samsung`` turns one on for a whole
session; the ``sandbox_scenario`` fixture turns one on for a single test through
``POST /_sandbox/scenarios`` and off again at teardown. A world reset also clears scenarios
activated at run time (those given to ``serve --scenario`` come back).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from sandbox.scenarios.spec import parse_spec
from sandbox.testing.admin import AdminClient


@dataclass(frozen=True)
class ScenarioSpec:
    """A parsed ``NAME[:k=v,...]``: ``text`` is the spec as given (for ``serve --scenario``)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    text: str = ""


def parse_scenario_spec(text: str) -> ScenarioSpec:
    """``broker-outage:broker=samsung,count=3`` → name and parameters, as ``serve --scenario``
    reads it (:func:`sandbox.scenarios.spec.parse_spec`)."""
    name, params = parse_spec(text)
    return ScenarioSpec(name, dict(params), text.strip())


class ScenarioHandle:
    """One active scenario: ``name``, ``params``, the server's ``entry`` (with ``state`` and
    ``rules``) as activated; ``deactivate()`` turns it off."""

    def __init__(self, admin: AdminClient, entry: Mapping[str, Any]) -> None:
        self._admin = admin
        self.entry = dict(entry)
        self.name = str(entry.get("name", ""))
        self.params: dict[str, Any] = dict(entry.get("params") or {})
        self.deactivated = False

    def __repr__(self) -> str:
        return f"ScenarioHandle({self.name!r}, params={self.params!r})"

    def refresh(self) -> dict[str, Any] | None:
        """The scenario's current entry in ``GET /_sandbox/scenarios`` (None when inactive)."""
        __tracebackhide__ = True
        for entry in self._admin.get("/_sandbox/scenarios").get("active", []):
            if entry.get("name") == self.name:
                self.entry = dict(entry)
                return self.entry
        return None

    @property
    def active(self) -> bool:
        __tracebackhide__ = True
        return self.refresh() is not None

    @property
    def state(self) -> Any:
        """The scenario's named state (``start``, or what its rules set), fresh from the
        server; None when it is no longer active."""
        __tracebackhide__ = True
        entry = self.refresh()
        return None if entry is None else entry.get("state")

    def deactivate(self) -> bool:
        """Turn the scenario off; False when it was no longer active (a reset, for example)."""
        __tracebackhide__ = True
        if self.deactivated:
            return False
        self.deactivated = True
        path = f"/_sandbox/scenarios/{urllib.parse.quote(self.name, safe='')}"
        answer = self._admin.request("DELETE", path)
        if answer.status == 404:
            return False
        if not answer.ok:
            pytest.fail(f"oppf-sandbox: DELETE {path} answered {answer.status}: "
                        f"{answer.reason()}")
        return True


class Scenarios:
    """The ``sandbox_scenario`` fixture: ``sandbox_scenario("broker-outage", broker="samsung")``
    or ``sandbox_scenario(definition={...}, params={...})`` activates a scenario and returns
    its :class:`ScenarioHandle`; every scenario it activated is turned off at teardown."""

    def __init__(self, admin: AdminClient) -> None:
        self._admin = admin
        self.handles: list[ScenarioHandle] = []

    def __call__(self, name: str | None = None, /, *, definition: Mapping[str, Any] | None = None,
                 params: Mapping[str, Any] | None = None, **kwargs: Any) -> ScenarioHandle:
        __tracebackhide__ = True
        if (name is None) == (definition is None):
            raise TypeError("sandbox_scenario needs a library name or definition=..., not both")
        values = {**(params or {}), **kwargs}
        body: dict[str, Any] = {"name": name} if definition is None \
            else {"definition": dict(definition)}
        if values:
            body["params"] = values
        handle = ScenarioHandle(self._admin, self._admin.post("/_sandbox/scenarios", body))
        self.handles.append(handle)
        return handle

    def activate(self, spec: ScenarioSpec) -> ScenarioHandle:
        """Activate a parsed ``--sandbox-scenario`` spec."""
        __tracebackhide__ = True
        return self(spec.name, params=spec.params)

    def library(self) -> list[dict[str, Any]]:
        """The scenarios the server knows: ``[{"name", "description", "params"}]``."""
        __tracebackhide__ = True
        return list(self._admin.get("/_sandbox/scenarios").get("library", []))

    def active(self) -> list[dict[str, Any]]:
        """The active scenarios: ``[{"name", "params", "state", "rules"}]``."""
        __tracebackhide__ = True
        return list(self._admin.get("/_sandbox/scenarios").get("active", []))

    def clear(self) -> None:
        """Turn every scenario off, including those of ``serve --scenario``."""
        __tracebackhide__ = True
        self._admin.delete("/_sandbox/scenarios")
        for handle in self.handles:
            handle.deactivated = True

    def forget(self) -> None:
        """After a reset: the handles' scenarios are gone already."""
        for handle in self.handles:
            handle.deactivated = True
        self.handles.clear()

    def close(self) -> None:
        """Teardown: deactivate what this test activated and is still on."""
        __tracebackhide__ = True
        for handle in self.handles:
            handle.deactivate()
        self.handles.clear()
