"""The real server (gunicorn via ``python -m sandbox serve``) on a free port, for the
end-to-end tests: seed 42, frozen clock, no generated users, no inherited ``SANDBOX_*``.
A thin layer over the pytest plugin's :func:`sandbox.testing.launch`."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sandbox.testing import launch


@dataclass(frozen=True)
class Server:
    http: str
    ws: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def running_server(log: Path, **settings: str) -> Iterator[Server]:
    """The server with ``settings`` (``SANDBOX_*`` environment values) on top of the defaults,
    stopped (SIGTERM, then SIGKILL) at exit; a server that does not start fails the test with
    its log."""
    with launch(log=log, **settings) as started:
        assert started.process is not None
        yield Server(started.url, started.ws_url, started.process, log)
