"""Benchmark the emulator against a bare Flask app under the same gunicorn configuration.

For each candidate worker class (``gthread`` with N threads, ``gevent``), start the emulator, load
it, stop it; then the same for ``bench/bare_app.py`` (never both at once). For each server:
start-up time (process start to the first 200 on its health URL), requests/s and p99 latency of
one GET and one POST (wrk ``--latency``), and the RSS of the process tree after the load.

Absolute figures drift between machines and runs; compare the ratios measured in one run
(see /work/shared/PERFORMANCE.md and bench/README.md). Nothing here asserts a timing.

    python bench/run.py            # full run: gthread and gevent, 3 x 10 s per figure
    python bench/run.py --quick    # gthread only, 1 x 3 s per figure (< 1 minute)

The last line printed is one JSON object (headline figures for the default worker class plus
per-candidate figures); the whole result is also written to bench/results/<UTC time>.json.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import io
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"  # the only host this script ever talks to
WORKER_CLASSES = ("gthread", "gevent")  # as in sandbox.gateway.server.WORKER_CLASSES
DEFAULT_WORKER_CLASS = "gthread"  # the emulator's default (sandbox.cli)
CLOCK = "2026-11-24T10:00:00+09:00"  # the instant every in-process and served bench uses

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
WRK_TIMEOUT = "5s"  # per request, inside wrk

EMULATOR_APIKEY = "l7xx230ef2235e34448c982eb192ac98e206"
EMULATOR_POST_BODY: dict[str, Any] = {
    "partner": {"comId": "F9999", "srvId": "999"},
    "commonHeader": {
        "reqIdPlatform": "",
        "reqIdConsumer": "bench",
        "ci": "Q9z5ccmjYNrhPVXrdfgfgfFdfgFGHdfg3fGFGgghDFFGghghgSSSfgfgcvbdfgert45rgfgdfgfhpf5"
              "vmzjaA==",
    },
    "body": {"korName": "홍길동"},
}


class BenchError(Exception):
    """A failure that ends the run with a clear message and a non-zero exit."""


# --------------------------------------------------------------------------- the load generator

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
    )


@dataclass
class Settings:
    wrk: str
    duration_s: int
    warmup_s: int
    repeats: int
    connections: int
    wrk_threads: int


def run_wrk(settings: Settings, url: str, script: Path | None, seconds: int) -> Load:
    if not url.startswith(f"http://{HOST}:"):
        raise BenchError(f"refusing to load a non-loopback target: {url}")
    cmd = [settings.wrk, "-t", str(min(settings.wrk_threads, settings.connections)),
           "-c", str(settings.connections), "-d", f"{seconds}s", "--timeout", WRK_TIMEOUT,
           "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish in time: {' '.join(cmd)}") from exc
    if done.returncode != 0 or done.stderr.strip():  # e.g. a Lua error: wrk would go on
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


@dataclass
class Endpoint:
    """Median figures over the repeats of one endpoint, plus every repeat."""

    method: str
    path: str
    response_bytes: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    runs: list[Load] = field(default_factory=list)


def measure(settings: Settings, method: str, url: str, path: str, script: Path | None,
            response_bytes: int) -> Endpoint:
    if settings.warmup_s > 0:
        run_wrk(settings, url, script, settings.warmup_s)
    runs = [run_wrk(settings, url, script, settings.duration_s)
            for _ in range(settings.repeats)]
    return Endpoint(
        method=method, path=path, response_bytes=response_bytes,
        rps=round(statistics.median(r.rps for r in runs), 1),
        p50_ms=round(statistics.median(r.p50_ms for r in runs), 3),
        p99_ms=round(statistics.median(r.p99_ms for r in runs), 3),
        non_2xx=sum(r.non_2xx for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
        runs=runs,
    )


# --------------------------------------------------------------------------- servers

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
    if status != 200:
        raise BenchError(f"{spec.name}: {what} answered {status}: {body[:500]!r}")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise BenchError(f"{spec.name}: {what} did not answer JSON: {body[:500]!r}") from exc


@dataclass
class ServerResult:
    name: str
    argv: list[str]
    startup_s: float
    rss_mb_idle: float
    rss_mb: float
    processes: int
    get: Endpoint
    post: Endpoint
    price: Endpoint | None = None


def bench_server(spec: ServerSpec, settings: Settings, workdir: Path) -> ServerResult:
    print(f"  {spec.name}: starting ({' '.join(spec.argv[1:])})", file=sys.stderr)
    with started(spec, workdir) as (running, startup_s):
        status, got = request(spec.port, "GET", spec.get_path)
        check_json(spec, f"GET {spec.get_path}", status, got)
        status, posted = request(spec.port, "POST", spec.post_path, spec.post_body,
                                 spec.post_headers)
        answer = check_json(spec, f"POST {spec.post_path}", status, posted)
        if not spec.post_check(answer):
            raise BenchError(f"{spec.name}: POST {spec.post_path} answered {answer!r}, "
                             f"expected {spec.post_expectation}")
        idle = rss_mb(running.proc.pid)
        base = f"http://{HOST}:{spec.port}"
        print(f"  {spec.name}: up in {startup_s:.2f} s; GET {spec.get_path}", file=sys.stderr)
        get = measure(settings, "GET", base + spec.get_path, spec.get_path, None, len(got))
        script = write_post_script(workdir, f"{spec.name}-post", spec.post_headers,
                                   spec.post_body)
        print(f"  {spec.name}: POST {spec.post_path}", file=sys.stderr)
        post = measure(settings, "POST", base + spec.post_path, spec.post_path, script,
                       len(posted))
        price = None
        if spec.price_path is not None:
            status, quoted = request(spec.port, "GET", spec.price_path)
            check_json(spec, f"GET {spec.price_path}", status, quoted)
            print(f"  {spec.name}: GET {spec.price_path}", file=sys.stderr)
            price = measure(settings, "GET", base + spec.price_path, spec.price_path, None,
                            len(quoted))
        after = rss_mb(running.proc.pid)
        processes = len(process_tree(running.proc.pid))
    return ServerResult(name=spec.name, argv=spec.argv, startup_s=round(startup_s, 3),
                        rss_mb_idle=idle, rss_mb=after, processes=processes, get=get, post=post,
                        price=price)


def emulator_spec(worker_class: str, threads: int) -> ServerSpec:
    port = free_port()
    return ServerSpec(
        name="emulator",
        argv=[sys.executable, "-m", "sandbox", "serve", "--host", HOST, "--port", str(port),
              "--clock", CLOCK, "--worker-class", worker_class, "--threads", str(threads)],
        port=port,
        health_path="/_sandbox/health",
        get_path="/_sandbox/apps",
        post_path="/v1/common/member/register/search",
        post_headers={"apikey": EMULATOR_APIKEY, "Content-Type": "application/json"},
        post_body=json.dumps(EMULATOR_POST_BODY, ensure_ascii=False,
                             separators=(",", ":")).encode("utf-8"),
        post_check=lambda a: isinstance(a, dict) and a.get("result") == "member",
        post_expectation='{"result": "member", ...}',
        price_path=f"/v2/market/stocks/kospi/005930/price?apikey={EMULATOR_APIKEY}",
    )


def bare_spec(worker_class: str, threads: int) -> ServerSpec:
    port = free_port()
    script = BENCH_DIR / "bare_app.py"
    loader = importlib.util.spec_from_file_location("bench_bare_app", script)
    if loader is None or loader.loader is None:
        raise BenchError(f"cannot load {script}")
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    sample = json.dumps(module.SAMPLE_ORDER, ensure_ascii=False, separators=(",", ":"))
    return ServerSpec(
        name="bare",
        argv=[sys.executable, str(script), "--host", HOST, "--port", str(port),
              "--worker-class", worker_class, "--threads", str(threads)],
        port=port,
        health_path="/health",
        get_path="/items",
        post_path="/orders",
        post_headers={"Content-Type": "application/json"},
        post_body=sample.encode("utf-8"),
        post_check=lambda a: isinstance(a, dict) and a.get("result") == "accepted",
        post_expectation='{"result": "accepted", ...}',
    )


# --------------------------------------------------------------------------- reporting

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


def candidate_label(worker_class: str, threads: int) -> str:
    return f"gthread x{threads}" if worker_class == "gthread" else worker_class


def print_table(candidates: list[dict[str, Any]]) -> None:
    head = (f"{'candidate':<12} {'server':<9} {'start s':>7} {'RSS MB':>7} {'idle MB':>7} "
            f"{'GET r/s':>8} {'GET p50':>8} {'GET p99':>8} {'POST r/s':>8} {'POST p99':>8} "
            f"{'errors':>6}")
    print(head)
    print("-" * len(head))
    for c in candidates:
        for key in ("emulator", "bare"):
            s = c[key]
            errors = (s["get"]["non_2xx"] + s["get"]["socket_errors"] + s["post"]["non_2xx"]
                      + s["post"]["socket_errors"])
            print(f"{c['label']:<12} {key:<9} {s['startup_s']:>7.2f} {s['rss_mb']:>7.1f} "
                  f"{s['rss_mb_idle']:>7.1f} {s['get']['rps']:>8.0f} "
                  f"{s['get']['p50_ms']:>6.2f}ms {s['get']['p99_ms']:>6.2f}ms "
                  f"{s['post']['rps']:>8.0f} {s['post']['p99_ms']:>6.2f}ms {errors:>6}")
        price = c["emulator"]["price"]
        if price:
            print(f"{'':<12} emulator market price GET: {price['rps']:.0f} r/s, "
                  f"p99 {price['p99_ms']:.2f} ms")
        print(f"{'':<12} ratio emulator/bare: GET {c['ratio']:.2f}, POST {c['post_ratio']:.2f}, "
              f"price GET {c['price_ratio']:.2f}")
    print("GET: emulator /_sandbox/apps vs bare /items; POST: emulator "
          "/v1/common/member/register/search vs bare /orders (jsonschema-validated ~1 KB); "
          "price GET: emulator /v2/market/stocks/kospi/005930/price vs bare /items.")


def summary(candidates: list[dict[str, Any]], results_file: Path) -> dict[str, Any]:
    head = next((c for c in candidates if c["worker_class"] == DEFAULT_WORKER_CLASS),
                candidates[0])
    emu = head["emulator"]
    return {
        "worker_class": head["worker_class"],
        "threads": head["threads"],
        "ratio": head["ratio"],
        "post_ratio": head["post_ratio"],
        "price_ratio": head["price_ratio"],
        "price_rps": emu["price"]["rps"] if emu["price"] else 0.0,
        "price_p99_ms": emu["price"]["p99_ms"] if emu["price"] else 0.0,
        "rps": emu["get"]["rps"],
        "p99_ms": emu["get"]["p99_ms"],
        "post_rps": emu["post"]["rps"],
        "post_p99_ms": emu["post"]["p99_ms"],
        "rss_mb": emu["rss_mb"],
        "startup_s": emu["startup_s"],
        "candidates": {
            c["worker_class"]: {
                "threads": c["threads"],
                "ratio": c["ratio"],
                "post_ratio": c["post_ratio"],
                "rps": c["emulator"]["get"]["rps"],
                "p99_ms": c["emulator"]["get"]["p99_ms"],
                "post_rps": c["emulator"]["post"]["rps"],
                "post_p99_ms": c["emulator"]["post"]["p99_ms"],
                "rss_mb": c["emulator"]["rss_mb"],
                "startup_s": c["emulator"]["startup_s"],
                "bare_rps": c["bare"]["get"]["rps"],
                "bare_p99_ms": c["bare"]["get"]["p99_ms"],
                "bare_post_rps": c["bare"]["post"]["rps"],
                "bare_rss_mb": c["bare"]["rss_mb"],
                "bare_startup_s": c["bare"]["startup_s"],
                "errors": c["errors"],
            }
            for c in candidates
        },
        "results_file": str(results_file),
    }


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the emulator against a bare Flask app under the same gunicorn "
                    "configuration (wrk, loopback only).")
    parser.add_argument("--quick", action="store_true",
                        help="short runs (1 x 3 s per figure, 1 s warm-up); only the default "
                             "worker class unless --worker-class is given")
    parser.add_argument("--duration", type=int, metavar="S",
                        help="seconds per measured wrk run (default 10, quick 3)")
    parser.add_argument("--warmup", type=int, metavar="S",
                        help="seconds of unmeasured load before each figure (default 2, quick 1)")
    parser.add_argument("--repeats", type=int,
                        help="measured runs per figure, the median is reported (default 3, "
                             "quick 1)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--wrk-threads", type=int, default=1,
                        help="wrk threads (1: leaves the other core to the server)")
    parser.add_argument("--worker-class", action="append", choices=WORKER_CLASSES,
                        help="candidate worker class; repeat for several (default: gthread and "
                             "gevent, or gthread alone with --quick)")
    parser.add_argument("--threads", type=int, default=32,
                        help="gthread threads per worker (32, the emulator's default)")
    args = parser.parse_args(argv)
    for name in ("duration", "warmup", "repeats", "connections", "wrk_threads", "threads"):
        value = getattr(args, name)
        if value is not None and (value < (0 if name == "warmup" else 1) or value > 3600):
            parser.error(f"--{name.replace('_', '-')} out of range: {value}")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    quick = bool(args.quick)
    worker_classes: list[str] = list(dict.fromkeys(
        args.worker_class or ([DEFAULT_WORKER_CLASS] if quick else list(WORKER_CLASSES))))
    wrk = ensure_wrk()
    settings = Settings(
        wrk=wrk,
        duration_s=args.duration or (3 if quick else 10),
        warmup_s=args.warmup if args.warmup is not None else (1 if quick else 2),
        repeats=args.repeats or (1 if quick else 3),
        connections=args.connections,
        wrk_threads=args.wrk_threads,
    )
    started_at = datetime.now(UTC)
    candidates: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="oppf-bench-") as tmp:
        workdir = Path(tmp)
        for wc in worker_classes:
            label = candidate_label(wc, args.threads)
            print(f"[{label}]", file=sys.stderr)
            emu = bench_server(emulator_spec(wc, args.threads), settings, workdir)
            bare = bench_server(bare_spec(wc, args.threads), settings, workdir)
            errors = sum(e.non_2xx + e.socket_errors
                         for e in (emu.get, emu.post, emu.price, bare.get, bare.post)
                         if e is not None)
            if errors:
                print(f"  warning: {errors} non-2xx responses or socket errors under load "
                      f"({label}); see the results file", file=sys.stderr)
            candidates.append({
                "worker_class": wc,
                "threads": args.threads if wc == "gthread" else None,
                "label": label,
                "ratio": round(emu.get.rps / bare.get.rps, 3) if bare.get.rps else 0.0,
                "post_ratio": round(emu.post.rps / bare.post.rps, 3) if bare.post.rps else 0.0,
                "price_ratio": round(emu.price.rps / bare.get.rps, 3)
                if emu.price and bare.get.rps else 0.0,
                "errors": errors,
                "emulator": asdict(emu),
                "bare": asdict(bare),
            })
    finished_at = datetime.now(UTC)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results_file = RESULTS_DIR / f"{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    headline = summary(candidates, results_file)
    document: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": finished_at.isoformat(timespec="seconds"),
        "wall_s": round((finished_at - started_at).total_seconds(), 1),
        "mode": "quick" if quick else "full",
        "settings": {k: v for k, v in asdict(settings).items() if k != "wrk"},
        "machine": machine(wrk),
        "summary": {k: v for k, v in headline.items() if k != "results_file"},
        "candidates": candidates,
    }
    results_file.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    print()
    m = document["machine"]
    print(f"{m['nproc']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}; "
          f"wrk {settings.connections} connections, {settings.repeats} x "
          f"{settings.duration_s} s (median), {settings.warmup_s} s warm-up")
    print_table(candidates)
    print(f"results: {results_file.relative_to(REPO)}")
    return headline


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the `finally` that stops the servers


def main_with(parse: Callable[[list[str] | None], argparse.Namespace],
              run_bench: Callable[[argparse.Namespace], dict[str, Any]],
              argv: list[str] | None = None) -> int:
    """A bench script's ``main``: SIGTERM stops its servers, the headline is the last line,
    exit 1 on a BenchError and 130 on Ctrl-C."""
    signal.signal(signal.SIGTERM, _terminate)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # keep the JSON line last in `2>&1` logs
    args = parse(argv)
    try:
        headline = run_bench(args)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    print(json.dumps(headline, ensure_ascii=False), flush=True)
    return 0


def figures_main(run_figures: Callable[[bool], dict[str, Any]], doc: str, quick_help: str,
                 argv: list[str] | None = None) -> int:
    """``main`` of an in-process bench (market, accounts): ``--quick``, one ``name value``
    line per figure, then the figures as one JSON line."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    figures = run_figures(parser.parse_args(argv).quick)
    for key, value in figures.items():
        print(f"{key:<36} {value}")
    print(json.dumps(figures))
    return 0


def main(argv: list[str] | None = None) -> int:
    return main_with(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
