"""The load generator of the served benches: install, run and parse ``wrk`` (loopback only).

``run_wrk`` runs one wrk process (``--latency``) against a loopback URL, optionally with a Lua
script and arguments for its ``init``; ``measure`` runs a warm-up and the repeats of one
figure and keeps the medians. Nothing here knows what is being loaded.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"  # the only host the benches ever talk to
WRK_TIMEOUT = "5s"  # per request, inside wrk


class BenchError(Exception):
    """A failure that ends the run with a clear message and a non-zero exit."""


def ensure_wrk() -> str:
    """Return the path of wrk, installing the Debian package if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if not shutil.which("apt-get"):
        raise BenchError("wrk is not installed and apt-get is not available: install wrk")
    if os.geteuid() != 0:
        raise BenchError("wrk is not installed; run as root or `sudo apt-get install -y wrk`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    print("installing wrk (apt-get install -y wrk) ...", file=sys.stderr)
    if subprocess.run(install, env=env, capture_output=True, timeout=600).returncode != 0:
        print("apt-get install failed; running apt-get update first ...", file=sys.stderr)
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
        done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise BenchError(f"could not install wrk:\n{done.stderr[-2000:]}")
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk still not on PATH after apt-get install")
    return found


def lua_long_string(text: str) -> str:
    """A Lua long-bracket literal (``[=[...]=]``) holding ``text`` byte for byte."""
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    eq = "=" * level
    lead = "\n" if text.startswith("\n") else ""  # Lua drops a newline right after [=[
    return f"[{eq}[{lead}{text}]{eq}]"


def write_post_script(directory: Path, name: str, headers: dict[str, str], body: bytes) -> Path:
    """A wrk script that POSTs one fixed body with ``headers``."""
    lines = ['wrk.method = "POST"']
    lines += [f"wrk.headers[ {lua_long_string(k)} ] = {lua_long_string(v)}"
              for k, v in headers.items()]
    lines.append(f"wrk.body = {lua_long_string(body.decode('utf-8'))}")
    path = directory / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Load:
    """One wrk run."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    answers_503: int = 0  # counted by the scripts of bench/lua.py (part of non_2xx)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str, unit: str) -> float:
    return round(float(value) * _UNITS_MS[unit], 3)


def parse_wrk(output: str) -> Load:
    """Parse the text wrk prints with ``--latency``."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output, re.M)
    pct = {p: _ms(v, u) for p, v, u in
           re.findall(r"^\s+(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)}
    if not rps or not total or "50" not in pct or "99" not in pct:
        raise BenchError(f"could not parse wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     output)
    return Load(
        rps=float(rps.group(1)),
        p50_ms=pct["50"],
        p99_ms=pct["99"],
        requests=int(total.group(1)),
        seconds=_ms(total.group(2), total.group(3)) / 1000.0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in sock.groups()) if sock else 0,
        answers_503=int(m.group(1)) if (m := re.search(r"^Answers 503: (\d+)", output, re.M))
        else 0,
    )


@dataclass
class Settings:
    wrk: str
    duration_s: int
    warmup_s: int
    repeats: int
    connections: int
    wrk_threads: int


def run_wrk(settings: Settings, url: str, script: Path | None, seconds: int,
            script_args: tuple[str, ...] = ()) -> Load:
    """One wrk run of ``seconds``; ``script_args`` reach the script's ``init(args)``."""
    if not url.startswith(f"http://{HOST}:"):
        raise BenchError(f"refusing to load a non-loopback target: {url}")
    cmd = [settings.wrk, "-t", str(min(settings.wrk_threads, settings.connections)),
           "-c", str(settings.connections), "-d", f"{seconds}s", "--timeout", WRK_TIMEOUT,
           "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish in time: {' '.join(cmd)}") from exc
    if done.returncode != 0 or done.stderr.strip():  # e.g. a Lua error: wrk would go on
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


@dataclass
class Endpoint:
    """Median figures over the repeats of one endpoint (or workload), plus every repeat."""

    method: str
    path: str
    response_bytes: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    runs: list[Load] = field(default_factory=list)


_tags = iter(range(1, 1 << 30))


def run_tag() -> str:
    """A short tag unique to one wrk invocation of this process (for ids a script makes)."""
    return f"{os.getpid() % 100_000:05d}{next(_tags):03d}"


def measure(settings: Settings, method: str, url: str, path: str, script: Path | None,
            response_bytes: int, tagged: bool = False) -> Endpoint:
    """Warm-up, then ``settings.repeats`` measured runs; ``tagged`` passes each run a fresh
    :func:`run_tag` (scripts that make unique ids)."""
    def once(seconds: int) -> Load:
        return run_wrk(settings, url, script, seconds, (run_tag(),) if tagged else ())

    if settings.warmup_s > 0:
        once(settings.warmup_s)
    runs = [once(settings.duration_s) for _ in range(settings.repeats)]
    return Endpoint(
        method=method, path=path, response_bytes=response_bytes,
        rps=round(statistics.median(r.rps for r in runs), 1),
        p50_ms=round(statistics.median(r.p50_ms for r in runs), 3),
        p99_ms=round(statistics.median(r.p99_ms for r in runs), 3),
        non_2xx=sum(r.non_2xx for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
        runs=runs,
    )
