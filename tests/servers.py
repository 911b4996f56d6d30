"""The real server (gunicorn via ``python -m sandbox serve``) on a free port, for the
end-to-end tests: seed 42, frozen clock, no generated users, no inherited ``SANDBOX_*``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import FROZEN


@dataclass(frozen=True)
class Server:
    http: str
    ws: str
    process: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(server: Server) -> bool:
    """Up and answering (the first request may be slow on a loaded machine)."""
    try:
        return requests.get(f"{server.http}/_sandbox/health", timeout=5).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


@contextmanager
def running_server(log: Path, **settings: str) -> Iterator[Server]:
    """The server with ``settings`` (``SANDBOX_*`` environment values) on top of the defaults,
    stopped (SIGTERM, then SIGKILL) at exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env.update({"SANDBOX_PORT": str(port), "SANDBOX_SEED": "42", "SANDBOX_CLOCK": FROZEN,
                "SANDBOX_USERS": "0"}, **settings)
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "sandbox", "serve"], env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    started = Server(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 30
        while not healthy(started):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield started
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
