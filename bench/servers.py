"""Starting, watching and stopping the servers the served benches load (loopback only).

A server runs in its own session with a private ``XDG_RUNTIME_DIR`` (gunicorn's control socket)
and without the caller's ``SANDBOX_*`` variables; ``started`` waits for its first 200 on the
health URL and stops it (SIGTERM, then SIGKILL) on the way out. ``rss_mb`` sums VmRSS over the
server's process tree; ``machine`` describes the host for the results files.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wrk import HOST, BenchError  # bench/ is the script's directory

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from the ppid field of /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_mb(root: int) -> float:
    """VmRSS summed over the process tree (master + worker), in MiB."""
    total_kb = 0
    for pid in process_tree(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if match:
            total_kb += int(match.group(1))
    return round(total_kb / 1024, 1)


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (nearest rank) of ``values``, 0.1 ms resolution; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return round(ordered[index], 1)


@dataclass
class ServerSpec:
    name: str
    argv: list[str]
    port: int
    health_path: str
    get_path: str
    post_path: str
    post_headers: dict[str, str]
    post_body: bytes
    post_check: Callable[[Any], bool]
    post_expectation: str
    price_path: str | None = None  # the market price GET (emulator only)


class Running:
    def __init__(self, spec: ServerSpec, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.spec = spec
        self.proc = proc
        self.log = log

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)  # the session we started for this server
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def server_env(runtime_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    # gunicorn's control socket defaults to $XDG_RUNTIME_DIR/gunicorn.ctl or
    # ~/.gunicorn/gunicorn.ctl: keep ours private so we never replace a running server's.
    env["XDG_RUNTIME_DIR"] = str(runtime_dir)
    return env


@contextmanager
def started(spec: ServerSpec, workdir: Path) -> Iterator[tuple[Running, float]]:
    """Start the server, wait for its first 200 on the health URL; stop it on exit."""
    log = workdir / f"{spec.name}-{spec.port}.log"
    runtime_dir = workdir / f"run-{spec.port}"
    runtime_dir.mkdir(mode=0o700)
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(spec.argv, cwd=REPO, env=server_env(runtime_dir),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True)
    running = Running(spec, proc, log)
    try:
        deadline = t0 + STARTUP_TIMEOUT_S
        while True:
            code = proc.poll()
            if code is not None:
                raise BenchError(f"{spec.name} exited with code {code} before answering "
                                 f"{spec.health_path}:\n{running.log_tail()}")
            try:
                status, _ = request(spec.port, "GET", spec.health_path, timeout=1.0)
                if status == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise BenchError(f"{spec.name} did not answer 200 on {spec.health_path} within "
                                 f"{STARTUP_TIMEOUT_S:.0f} s:\n{running.log_tail()}")
            time.sleep(0.01)
        yield running, time.perf_counter() - t0
    finally:
        running.stop()


def check_json(spec: ServerSpec, what: str, status: int, body: bytes) -> Any:
    return json_of(f"{spec.name}: {what}", status, body)


def json_of(label: str, status: int, body: bytes) -> Any:
    """The JSON of a 200 answer; anything else ends the run naming ``label``."""
    if status != 200:
        raise BenchError(f"{label} answered {status}: {body[:500]!r}")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise BenchError(f"{label} did not answer JSON: {body[:500]!r}") from exc


def _first_line(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else ""


def machine(wrk: str) -> dict[str, Any]:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        found = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        mem_kb = int(found.group(1)) if found else 0
    except OSError:
        pass
    try:
        from importlib.metadata import version
        versions = {p: version(p) for p in ("gunicorn", "gevent", "Flask", "jsonschema")}
    except Exception:
        versions = {}
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "loadavg": [round(x, 2) for x in os.getloadavg()],  # other work on the machine
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model or platform.processor(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "wrk": _first_line([wrk, "-v"]),
        "packages": versions,
        "git_commit": _first_line(["git", "-C", str(REPO), "rev-parse", "HEAD"]),
    }


def call_json(port: int, method: str, path: str, payload: Any = None,
              headers: dict[str, str] | None = None, timeout: float = 120.0) -> Any:
    """One JSON call to the server that must answer 200; its decoded answer."""
    body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    sent = dict(headers or {})
    if body is not None:
        sent.setdefault("Content-Type", "application/json")
    status, data = request(port, method, path, body, sent, timeout=timeout)
    return json_of(f"{method} {path}", status, data)
