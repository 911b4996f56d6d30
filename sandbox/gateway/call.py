"""What a view receives: the validated request and the identities resolved by the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.registry import Operation
    from sandbox.world.identities import App, Broker, User
    from sandbox.world.world import World


@dataclass
class Call:
    operation: Operation
    world: World
    request_id: str
    path_params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    app: App | None = None
    user: User | None = None
    token: dict[str, Any] | None = None
    broker: Broker | None = None
    institution: str | None = None
    target: Any = None  # what the path names, set by the operation's resolve step
    # what active scenario rules ask the family to do with this call (``{"order": {...}}``)
    effects: dict[str, Any] = field(default_factory=dict)
    scenario: Any = None  # the scenario engine's Outcome when any scenario is active

    @property
    def base_url(self) -> str:
        """``scheme://host[:port]`` of the request (read on demand: most calls never need it)."""
        from flask import request

        return request.host_url.rstrip("/")
