"""Start the real emulator (``python -m sandbox serve``, gunicorn) for a test session.

:func:`launch` is the one way the plugin and our own end-to-end tests run a server: a free
port, ``SANDBOX_*`` settings in a clean environment (nothing inherited from the caller's
``SANDBOX_*``), a wait for ``/_sandbox/health`` and a SIGTERM-then-SIGKILL stop.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox.testing.admin import AdminClient

DEFAULT_SEED = 42
DEFAULT_CLOCK = "2026-11-24T10:00:00+09:00"
DEFAULT_USERS = 0
DEFAULTS: Mapping[str, str] = {"SANDBOX_HOST": "127.0.0.1", "SANDBOX_SEED": str(DEFAULT_SEED),
                               "SANDBOX_CLOCK": DEFAULT_CLOCK,
                               "SANDBOX_USERS": str(DEFAULT_USERS)}
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
_PORT_TAKEN = ("Connection in use", "Address already in use")  # gunicorn, the OS


@dataclass(frozen=True)
class SandboxServer:
    """A running emulator: ``url`` (``http://127.0.0.1:PORT``), ``ws_url``, its ``admin`` client;
    ``process`` and ``log`` when this session started it (None for ``--sandbox-url``)."""

    url: str
    ws_url: str
    admin: AdminClient = field(repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log: Path | None = None

    @classmethod
    def at(cls, url: str) -> SandboxServer:
        """A server that is already running at ``url`` (nothing is spawned)."""
        url = url.rstrip("/")
        scheme, _, rest = url.partition("://")
        ws = f"{'wss' if scheme == 'https' else 'ws'}://{rest}"
        return cls(url, ws, AdminClient(url))

    def read_log(self) -> str:
        """The server's output so far ("" for a server this session did not start)."""
        if self.log is None or not self.log.is_file():
            return ""
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the server may still lose a race for it)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def setting_name(key: str) -> str:
    """The environment name of a serve option: ``users`` and ``SANDBOX_USERS`` →
    ``SANDBOX_USERS``, ``stream_queue`` → ``SANDBOX_STREAM_QUEUE``."""
    name = key.upper().replace("-", "_")
    return name if name.startswith("SANDBOX_") else f"SANDBOX_{name}"


def setting_value(value: object) -> str:
    """Environment spelling of a setting (``True`` → ``"true"``, numbers as text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def launch_environment(settings: Mapping[str, object],
                       base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ``base`` (default ``os.environ``) without any ``SANDBOX_*``,
    then :data:`DEFAULTS`, then ``settings`` (``None`` removes a default: ``clock=None`` runs the
    wall clock)."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not k.startswith("SANDBOX_")}
    env.update(DEFAULTS)
    for key, value in settings.items():
        name = setting_name(key)
        if value is None:
            env.pop(name, None)
        else:
            env[name] = setting_value(value)
    return env


def serve_command(scenarios: Iterable[str] = ()) -> list[str]:
    """``python -m sandbox serve`` with one ``--scenario`` per spec."""
    command = [sys.executable, "-m", "sandbox", "serve"]
    for spec in scenarios:
        command += ["--scenario", spec]
    return command


@contextlib.contextmanager
def launch(*, log: Path | str | None = None, scenarios: Iterable[str] = (),
           **settings: object) -> Iterator[SandboxServer]:
    """Run ``python -m sandbox serve`` on a free port for the ``with`` block.

    ``settings`` are serve options by name or environment name (``users=1000``,
    ``SANDBOX_WORKER_CLASS="gevent"``) on top of seed 42, the frozen clock
    2026-11-24T10:00:00+09:00 and no generated users. ``scenarios`` are ``NAME[:k=v,...]``
    specs for ``serve --scenario``. The output goes to ``log`` (a temporary file, removed at
    exit, when not given); a server that does not answer ``/_sandbox/health`` within
    :data:`START_TIMEOUT` (30 s) fails the test with that output. At exit the server gets
    SIGTERM, then SIGKILL after 10 s; a server the block stopped itself is only reaped.
    """
    __tracebackhide__ = True
    specs = list(scenarios)
    owned = log is None
    if owned:
        handle, name = tempfile.mkstemp(prefix="oppf-sandbox-", suffix=".log")
        os.close(handle)
        path = Path(name)
    else:
        path = Path(str(log))
    try:
        server = None
        for _attempt in range(3):  # another process may take the free port first
            server = _start(path, specs, settings)
            if server is not None:
                break
        if server is None:
            pytest.fail(f"oppf-sandbox: no free port after 3 attempts:\n{_read(path)}")
        try:
            yield server
        finally:
            assert server.process is not None
            stop(server.process)
    finally:
        if owned:
            path.unlink(missing_ok=True)


def _start(log: Path, scenarios: list[str],
           settings: Mapping[str, object]) -> SandboxServer | None:
    """Start one server; None when it lost the race for its port."""
    __tracebackhide__ = True
    env = launch_environment(settings)
    chosen = "SANDBOX_PORT" not in {setting_name(k) for k in settings}
    if chosen:
        env["SANDBOX_PORT"] = str(free_port())
    host = env.get("SANDBOX_HOST", "127.0.0.1")
    host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    base = f"{host}:{env['SANDBOX_PORT']}"
    with log.open("wb") as output:
        process = subprocess.Popen(serve_command(scenarios), env=env, stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT)
    server = SandboxServer(f"http://{base}", f"ws://{base}", AdminClient(f"http://{base}"),
                           process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while not server.admin.healthy():
        if process.poll() is not None:
            if chosen and any(marker in _read(log) for marker in _PORT_TAKEN):
                return None
            pytest.fail(f"oppf-sandbox: the server exited with {process.returncode} before it "
                        f"was ready; its output ({log}):\n{_read(log)}")
        if time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"oppf-sandbox: the server did not answer {server.url}/_sandbox/health "
                        f"within {START_TIMEOUT:g} s; its output ({log}):\n{_read(log)}")
        time.sleep(0.05)
    return server


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the server is still there after 10 s."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _read(log: Path) -> str:
    try:
        return log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
