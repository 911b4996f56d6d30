"""The ``oppf-sandbox`` command: serve, routes, openapi, scenario lint|list|run.

Every ``serve`` option also reads ``SANDBOX_<NAME>`` from the environment.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from sandbox import __version__
from sandbox.app import Config, create_app
from sandbox.families.streaming.hub import StreamSettings
from sandbox.gateway.server import WORKER_CLASSES, serve
from sandbox.scenarios import runner
from sandbox.scenarios.loader import Library, ScenarioError, lint, load, parse_spec
from sandbox.world.clock import Clock, ClockError
from sandbox.world.partners import VARIANTS
from sandbox.world.sqlite_store import SYNCHRONOUS, SQLiteStore, StateFileError
from sandbox.world.world import Limits, StateMismatch, WorldSettings, check_store


def _settings(clock: str, speed: float | None, partner_variant: tuple[str, ...],
              partners_as_of: datetime | None, **options: Any) -> WorldSettings:
    try:
        Clock.from_spec(clock, speed)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint="--clock/--speed") from None
    return WorldSettings(clock=clock, speed=speed, partner_variants=frozenset(partner_variant),
                         partners_as_of=partners_as_of.date() if partners_as_of else None,
                         **options)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oppf-sandbox")
def main() -> None:
    """Offline emulator of the Koscom Open API Platform."""


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="SANDBOX_HOST")
@click.option("--port", default=8800, show_default=True, type=click.IntRange(0, 65535),
              envvar="SANDBOX_PORT")
@click.option("--seed", default=42, show_default=True, type=int, envvar="SANDBOX_SEED")
@click.option("--clock", default="now", show_default=True, envvar="SANDBOX_CLOCK",
              help="'now' (wall clock, Asia/Seoul) or an ISO-8601 instant (frozen there "
                   "unless --speed is given).")
@click.option("--speed", default=None, type=float, envvar="SANDBOX_SPEED",
              help="Run the clock from --clock at X times real time (0 freezes).")
@click.option("--strict", is_flag=True, envvar="SANDBOX_STRICT",
              help="Strict fidelity: no name aliases, placeholder keys or literal Basic values.")
@click.option("--users", default=1000, show_default=True, type=click.IntRange(0, 100_000),
              envvar="SANDBOX_USERS",
              help="Generated portal users (with accounts and holdings) besides the documented.")
@click.option("--later-brokers", is_flag=True, envvar="SANDBOX_LATER_BROKERS",
              help="Brokers answer assetType ALL as in the later manual (default: 2018-06).")
@click.option("--order-sessions", is_flag=True, envvar="SANDBOX_ORDER_SESSIONS",
              help="Enforce the KRX session table for orders (order.md §6.2); default: the "
                   "sandbox is always open.")
@click.option("--bug-compatible", is_flag=True, envvar="SANDBOX_BUG_COMPATIBLE",
              help="Partner answers keep the documented quirks of the real 2020 sandbox "
                   "(Fabot null ratios, double result, data_lnegth).")
@click.option("--partner-variant", multiple=True, type=click.Choice(sorted(VARIANTS)),
              help="Switch on a documented variant of a partner answer (repeatable).")
@click.option("--partners-as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              envvar="SANDBOX_PARTNERS_AS_OF",
              help="Partner services retired before this date answer 404 (default: all on).")
@click.option("--scenario", "scenarios", multiple=True, envvar="SANDBOX_SCENARIO",
              metavar="NAME[:param=value,...]",
              help="Activate a library scenario from the start (repeatable; a reset keeps it).")
@click.option("--validate-responses", type=click.Choice(["off", "log", "strict"]),
              default="off", show_default=True, envvar="SANDBOX_VALIDATE_RESPONSES")
@click.option("--threads", default=256, show_default=True, type=click.IntRange(1, 4096),
              envvar="SANDBOX_THREADS",
              help="gthread worker threads; each open WebSocket holds one (created on demand).")
@click.option("--worker-class", type=click.Choice(WORKER_CLASSES), default="gthread",
              show_default=True, envvar="SANDBOX_WORKER_CLASS")
@click.option("--access-log", is_flag=True, envvar="SANDBOX_ACCESS_LOG")
@click.option("--stream-subscriptions", default=20, show_default=True,
              type=click.IntRange(1, 10_000), envvar="SANDBOX_STREAM_SUBSCRIPTIONS",
              help="Subscriptions per /ws session (the platform's sandbox: 20; production: 200).")
@click.option("--stream-sessions-per-key", default=1, show_default=True,
              type=click.IntRange(0, 10_000), envvar="SANDBOX_STREAM_SESSIONS_PER_KEY",
              help="Open /ws sessions per API key (0 = no limit).")
@click.option("--stream-max-sessions", default=200, show_default=True,
              type=click.IntRange(1, 100_000), envvar="SANDBOX_STREAM_MAX_SESSIONS",
              help="Open WebSockets of all channels (gthread: at most --threads minus 16).")
@click.option("--stream-queue", default=2000, show_default=True,
              type=click.IntRange(1, 1_000_000), envvar="SANDBOX_STREAM_QUEUE",
              help="Frames waiting per session before its oldest market data is dropped.")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="SANDBOX_STATE",
              help="Keep the world's mutable state (tokens, consents, custom users, orders, "
                   "executions, scenarios, clock) in this SQLite file: a restart restores it "
                   "(the seed and data options must stay the same). Default: in memory.")
@click.option("--state-journal", is_flag=True, envvar="SANDBOX_STATE_JOURNAL",
              help="With --state: keep the request journal in the file too.")
@click.option("--state-sync", type=click.Choice(SYNCHRONOUS), default="normal",
              show_default=True, envvar="SANDBOX_STATE_SYNC",
              help="SQLite synchronous level: normal survives a killed process, full also "
                   "a power loss (an fsync per write).")
@click.option("--cap", "caps", multiple=True, envvar="SANDBOX_CAP", metavar="NAME=N",
              help="Change a cap of the stored kinds (repeatable): "
                   + ", ".join(f"{name} ({getattr(Limits(), name)})"
                               for name in Limits.names()) + ".")
def serve_command(host: str, port: int, seed: int, clock: str, speed: float | None,
                  strict: bool, users: int, later_brokers: bool, order_sessions: bool,
                  bug_compatible: bool, partner_variant: tuple[str, ...],
                  partners_as_of: datetime | None, scenarios: tuple[str, ...],
                  validate_responses: str,
                  threads: int, worker_class: str, access_log: bool, stream_subscriptions: int,
                  stream_sessions_per_key: int, stream_max_sessions: int,
                  stream_queue: int, state: Path | None, state_journal: bool, state_sync: str,
                  caps: tuple[str, ...]) -> None:
    """Serve the emulator on a production WSGI server (gunicorn, one process)."""
    if worker_class == "gthread":  # keep threads for plain HTTP besides the WebSockets
        stream_max_sessions = max(1, min(stream_max_sessions, threads - 16))
    streams = StreamSettings(max_subscriptions=stream_subscriptions,
                             sessions_per_key=stream_sessions_per_key,
                             max_sessions=stream_max_sessions, queue_size=stream_queue)
    _check_scenarios(scenarios)
    settings = _settings(clock, speed, partner_variant, partners_as_of, seed=seed,
                         strict=strict, users=users, later_brokers=later_brokers,
                         order_sessions=order_sessions, bug_compatible=bug_compatible)
    if state is not None:
        _check_state(state, state_sync, settings)
    config = Config(world=settings, response_validation=validate_responses, streams=streams,
                    scenarios=scenarios, delays="real",
                    state=None if state is None else str(state), state_journal=state_journal,
                    state_sync=state_sync, limits=_limits(caps))
    click.echo(f"oppf-sandbox {__version__} on http://{host}:{port} (seed {seed}, clock {clock}"
               f"{'' if speed is None else f' x{speed}'}"
               f"{'' if state is None else f', state {state}'})", err=True)
    serve(lambda: create_app(config), host, port, threads=threads, worker_class=worker_class,
          access_log=access_log)


def _check_state(path: Path, sync: str, settings: WorldSettings) -> None:
    """Refuse a state file that is not one, or that holds a world of other settings, before
    the server starts (a fresh file is created)."""
    try:
        store = SQLiteStore(path, sync)
        try:
            check_store(store, settings)
        finally:
            store.close()
    except (StateFileError, StateMismatch) as exc:
        raise click.ClickException(f"--state {path}: {exc}") from None


def _limits(caps: tuple[str, ...]) -> Limits:
    """``--cap NAME=N`` values over the default caps."""
    values: dict[str, int] = {}
    for cap in caps:
        name, _, number = cap.partition("=")
        name = name.strip().replace("-", "_")
        if name not in Limits.names() or not number.strip().isdigit() or int(number) < 1:
            raise click.BadParameter(f"{cap!r}: give NAME=N with N >= 1 and NAME one of "
                                     f"{', '.join(Limits.names())}", param_hint="--cap")
        values[name] = int(number)
    return Limits(**values)


def _check_scenarios(specs: tuple[str, ...]) -> None:
    """Refuse unknown scenarios and parameters before the server starts."""
    library = Library()
    for spec in specs:
        try:
            name, params = parse_spec(spec)
            library.load(name, params)
        except (ValueError, ScenarioError) as exc:
            raise click.BadParameter(str(exc), param_hint="--scenario") from None


@main.group("scenario")
def scenario_group() -> None:
    """Check, list and run scenarios (scenarios/README.md)."""


@scenario_group.command("lint")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def scenario_lint(files: tuple[Path, ...]) -> None:
    """Validate scenario files: exit 1 with file, line and reason for each problem."""
    failed = 0
    for path in files:
        problems = lint(path)
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            failed += 1
        else:
            click.echo(f"{path}: ok")
    if failed:
        raise SystemExit(1)


@scenario_group.command("list")
def scenario_list() -> None:
    """The scenario library with its parameters and their defaults."""
    for item in Library().summaries():
        params = ", ".join(f"{k}={v['default']}" for k, v in item["params"].items())
        click.echo(f"{item['name']:<22} {params}")
        summary = item["description"].strip().splitlines() or [item.get("error", "")]
        click.echo(f"    {summary[0]}")


@scenario_group.command("run")
@click.argument("scenario")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Override a parameter of the scenario (repeatable).")
@click.option("--url", default=None, help="Run against a served sandbox (reset first) instead "
                                          "of a fresh in-process one.")
def scenario_run(scenario: str, params: tuple[str, ...], url: str | None) -> None:
    """Run a scenario's example steps and assertions (a FILE or a library NAME)."""
    path = Path(scenario)
    try:
        if not path.is_file():
            found = Library().path(scenario)
            if found is None:
                raise click.BadParameter(f"no file and no library scenario {scenario!r}",
                                         param_hint="SCENARIO")
            path = found
        given = parse_spec("x:" + ",".join(params))[1]
        example = (load(path).raw.get("example") or {}).get("params") or {}
        definition = load(path, {**example, **given})
    except (ValueError, ScenarioError) as exc:
        raise click.ClickException(str(exc)) from None
    if url:
        report = runner.run(definition, runner.Http(url))
    else:
        report = runner.run(definition, runner.fresh_app(definition), fresh=True)
    click.echo(report.text())
    if not report.ok:
        raise SystemExit(1)


@main.command("routes")
def routes_command() -> None:
    """List every route: methods, path, operation id, auth."""
    from sandbox.registry import all_operations

    for op in all_operations():
        for path in op.paths:
            click.echo(f"{','.join(op.methods):<12} {path:<48} {op.id:<36} {op.auth}")


@main.command("openapi")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def openapi_command(output: TextIO) -> None:
    """Print the OpenAPI 3.1 document."""
    app = create_app(Config())
    document = app.test_client().get("/openapi.json").get_json()
    output.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
