"""create_app(config): builds the World, the operation registry, the routes and the pipeline."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from sandbox import errors
from sandbox.admin import events
from sandbox.console import install as install_console
from sandbox.families.order import channel as order_channel
from sandbox.families.streaming import routes as streaming
from sandbox.families.streaming.hub import Hub, StreamSettings
from sandbox.gateway import journal
from sandbox.gateway.journal import Journal
from sandbox.gateway.pipeline import make_view
from sandbox.gateway.scenarios import ResetMiddleware
from sandbox.oauth.server import Server
from sandbox.registry import (
    ERROR_SCHEMA_PATH,
    Compiled,
    Operation,
    all_operations,
    compile_all,
    load_schema,
    validator,
)
from sandbox.scenarios.engine import Engine
from sandbox.scenarios.loader import Library, parse_spec
from sandbox.world.clock import monotonic
from sandbox.world.sqlite_store import JournalFile, SQLiteStore
from sandbox.world.store import MemoryStore, Store
from sandbox.world.world import Limits, World, WorldSettings

log = logging.getLogger("sandbox")

# Not journaled: the journal itself, the docs, the console's pages and the event stream.
UNJOURNALED = ("/_sandbox/requests", "/docs", "/_sandbox/ui", "/_sandbox/events")


@dataclass(frozen=True)
class Config:
    world: WorldSettings = field(default_factory=WorldSettings)
    response_validation: str = "off"  # "off" | "log" | "strict" (tests)
    journal_size: int = 1000
    max_body_bytes: int = 1 << 20
    streams: StreamSettings = field(default_factory=StreamSettings)
    scenarios: tuple[str, ...] = ()  # NAME[:param=value,...] active from the start
    delays: str = "virtual"  # scenario delays: "real" sleeps (serve), "virtual" reports them
    scenario_library: str | None = None  # a folder of scenarios (default: scenarios/)
    state: str | None = None  # SQLite state file (serve --state); None: the world in memory
    state_journal: bool = False  # keep the request journal in the state file too
    state_sync: str = "normal"  # SQLite synchronous: "normal" (process crash) or "full"
    limits: Limits = field(default_factory=Limits)  # caps of the kinds that grow


class SandboxState:
    """What the app holds: the current world (replaced by a reset), schemas, journal, OAuth.

    With ``Config.state`` the world lives in a SQLite file (:mod:`sandbox.world.sqlite_store`):
    built at start-up from what the file holds (a restart), cleared and seeded again by a
    reset. Without it every world gets a fresh :class:`MemoryStore`."""

    def __init__(self, config: Config, operations: list[Operation],
                 compiled: dict[str, Compiled]) -> None:
        self.config = config
        self.operations = operations
        self.compiled = compiled
        self.store = open_store(config)
        self.journal = Journal(config.journal_size, self._journal_keeper())
        self.error_validator = validator(load_schema(ERROR_SCHEMA_PATH))
        self._lock = threading.Lock()
        library = Library(Path(config.scenario_library)) if config.scenario_library \
            else Library()
        self.scenarios = Engine(library)
        try:
            self.world = self._build_world(restore=True)
        except BaseException:
            self.close()  # a refused state file is not kept open (nor locked)
            raise
        if self.store is not None:
            log.info("state %s: %s", self.store.path,
                     "restored" if self.world.restored else "a new world")
        self.oauth = Server(lambda: self.world)
        self.streams = Hub(lambda: self.world, config.streams)

    def _journal_keeper(self) -> JournalFile | None:
        if not isinstance(self.store, SQLiteStore):
            return None
        return JournalFile(self.store, self.config.journal_size, self.config.state_journal)

    def _build_world(self, restore: bool = False) -> World:
        """A world from the settings (or, with ``restore``, the one the state file holds),
        with the start-up scenarios (``serve --scenario``) active; one that a restored world
        has active as given keeps its state and counters. A bad start-up scenario raises
        ScenarioError, a state file of other settings StateMismatch (start-up stops)."""
        store: Store = self.store if self.store is not None else MemoryStore()
        with store.transaction():
            world = World(self.config.world, store, self.config.limits, restore=restore)
            for spec in self.config.scenarios:
                name, params = parse_spec(spec)
                definition = self.scenarios.definition(name, params)
                if not (world.restored and self.scenarios.is_active(world, definition)):
                    self.scenarios.activate(world, definition, "startup")
        return world

    def reset(self) -> World:
        """Rebuild the world from its settings (seed, clock, start-up scenarios); scenarios
        activated at run time are gone; the journal is kept. A state file is cleared and
        seeded again (in one transaction)."""
        with self._lock:
            self.world = self._build_world()
            return self.world

    def close(self) -> None:
        """Release the state file (tests; the server's process exit does it too)."""
        if self.store is not None:
            self.store.close()


def open_store(config: Config) -> SQLiteStore | None:
    """The state file of ``config`` (None: the world lives in memory)."""
    if config.state is None:
        return None
    return SQLiteStore(config.state, config.state_sync)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    operations = all_operations()
    state = SandboxState(config, operations, compile_all(operations))
    app = Flask("sandbox")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # an empty path segment is a 404, not a redirect to a path that means something else
    app.url_map.merge_slashes = False
    app.extensions["sandbox"] = state
    for op in operations:
        view = make_view(op, state)
        for path in op.paths:
            app.add_url_rule(path, endpoint=op.id, view_func=view, methods=list(op.methods),
                             strict_slashes=op.strict_slashes)
    streaming.install(app, state.streams)
    order_channel.install(app, lambda: state.world)
    events.install(app, state)
    install_console(app)
    _install_docs(app)
    _install_hooks(app, state)
    app.wsgi_app = ResetMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app


def shutdown(app: Flask) -> None:
    """Called by the server when the worker is asked to stop: ends every WebSocket session
    (close 1001) so the worker can exit within its graceful timeout."""
    state: SandboxState = app.extensions["sandbox"]
    state.streams.shutdown()
    order_channel.shutdown(app)
    app.extensions["sandbox_events"].shutdown()


def _install_docs(app: Flask) -> None:
    from sandbox.openapi import install

    install(app)


def _install_hooks(app: Flask, state: SandboxState) -> None:
    @app.before_request
    def start() -> None:
        g.started = monotonic()
        g.request_id = state.journal.next_id()
        g.operation_id = None
        g.app_name = None
        g.scenario = None

    @app.after_request
    def finish(response: Response) -> Response:
        response = _check_error_body(response, state)
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if not request.path.startswith(UNJOURNALED):
            state.journal.record(journal.entry(state.world.now(), response.status_code,
                                               response))
        return response

    @app.errorhandler(errors.PlatformError)
    def platform_error(exc: errors.PlatformError) -> Response:
        return errors.render(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        return errors.render(errors.from_http_exception(exc, request.method, request.path,
                                                        upgrade))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        return errors.render(errors.from_unexpected(exc))


def _check_error_body(response: Response, state: SandboxState) -> Response:
    """Outside "off" mode every platform error body is checked against the error schema."""
    mode = state.config.response_validation
    if mode == "off" or response.status_code < 400 or response.mimetype != "application/json":
        return response
    body = response.get_json(silent=True)
    if not isinstance(body, dict) or "category" not in body:
        return response  # an RFC 6749 body of the token endpoints
    error = next(iter(state.error_validator.iter_errors(body)), None)
    if error is None:
        return response
    log.error("error body violates schemas/gateway/error.json: %s", error.message)
    if mode == "strict":
        return errors.render(errors.InternalError("the emulator produced an invalid error body"))
    return response


def current_state() -> SandboxState:
    from flask import current_app

    state: Any = current_app.extensions["sandbox"]
    return state  # type: ignore[no-any-return]
