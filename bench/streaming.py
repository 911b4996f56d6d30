"""Market WebSocket throughput, delivery lag and memory of the emulator under gunicorn.

The emulator runs with its clock at 2026-11-24T09:00:30+09:00 (a trading day, just after the
09:00 open, when trades are densest) and ``--speed 10``. One asyncio loop in this process opens

* ``--clients`` (50) ``/ws`` sessions, each ``init`` then ``subscribe`` to 10 issues x presets
  ``tick`` and ``quote`` (20 subscriptions), spread over the most active KOSPI and KOSDAQ
  issues of the moment (highest ``accTrdvol`` in the REST multiquote lists);
* ``--readers`` (10) ``/ws_ksp`` and as many ``/ws_kdq`` sessions (``init`` only).

After a warm-up it reads the world clock (``GET /_sandbox/clock``) to map virtual instants to
real time, then counts for ``--duration`` seconds: messages (pushes; one per ``/ws_ksp`` or
``/ws_kdq`` record, frames separately), bytes, messages/s, and the delivery lag of every message
that carries a trade time (tick pushes, feed records): receive time minus the real instant at
which the trade was due. Also the server's CPU, its RSS, and the ``GET /_sandbox/streams``
counters (dropped frames, pump ticks).

    python bench/streaming.py --quick   # gthread only, 20 s (about 35 s in all)
    python bench/streaming.py           # gthread, then gevent, 60 s each (about 2.5 minutes)
    python bench/streaming.py --soak    # gthread, 10 minutes, RSS sampled every 30 s

Goal (the project's issue): at least 5,000 messages/s in total with a p99 delivery lag under
100 ms on a 2-core machine, and a flat memory after 10 minutes. The client shares the machine's
cores with the server. Nothing here asserts a timing: the exit code is 1 only when the server
does not start or a client cannot connect. The last line printed is one JSON object; the whole
result goes to bench/results/<UTC time>-streaming.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from run import (
    DEFAULT_WORKER_CLASS,
    EMULATOR_APIKEY,
    HOST,
    REPO,
    RESULTS_DIR,
    WORKER_CLASSES,
    BenchError,
    Running,
    ServerSpec,
    check_json,
    free_port,
    machine,
    main_with,
    process_tree,
    request,
    rss_mb,
    started,
)
from wsclients import (  # bench/ is the script's directory
    PRESETS,
    SETUP_TIMEOUT_S,
    ClientFailure,
    Tally,
    Window,
    feed_reader,
    lag_figures,
    ws_client,
)

CLOCK = "2026-11-24T09:00:30+09:00"
GOAL_MSGS_PER_S = 5000.0
GOAL_P99_LAG_MS = 100.0
FLAT_MB_PER_MIN = 1.0  # soak: RSS slope after the first minute at or below this counts as flat
ISSUES_PER_CLIENT = 10
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- the server side

def cpu_seconds(root: int) -> float:
    """utime + stime of ``root`` and its descendants (all their threads), in seconds."""
    ticks = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / CLK_TCK


def get_json(running: Running, path: str, timeout: float = 10.0) -> Any:
    status, body = request(running.spec.port, "GET", path, timeout=timeout)
    return check_json(running.spec, f"GET {path}", status, body)


def pick_issues(running: Running, count: int) -> list[str]:
    """The ``count`` issues with the highest accTrdvol, KOSPI and KOSDAQ alternating (the
    model's trade count grows with the day's volume, so these trade the most)."""
    tops: list[list[str]] = []
    for market in ("kospi", "kosdaq"):
        answer = get_json(running, f"/v2/market/multiquote/stocks/{market}/lists"
                                   f"?apikey={EMULATOR_APIKEY}", timeout=60.0)
        rows = sorted(answer["isuLists"], key=lambda r: (-int(r["accTrdvol"]), r["isuSrtCd"]))
        tops.append([r["isuSrtCd"] for r in rows])
    picked: list[str] = []
    for pair in zip(*tops, strict=False):
        picked.extend(pair)
    return picked[:count]


def read_clock(running: Running) -> tuple[float, float, float]:
    """(real time at the reading, virtual seconds since midnight, speed)."""
    before = time.time()
    clock = get_json(running, "/_sandbox/clock")
    after = time.time()
    if clock.get("mode") != "speed" or not clock.get("speed"):
        raise BenchError(f"the world clock is not running: {clock}")
    now = datetime.fromisoformat(clock["now"])
    seconds = now.hour * 3600 + now.minute * 60 + now.second + now.microsecond / 1e6
    return (before + after) / 2, seconds, float(clock["speed"])


def stream_counters(running: Running) -> dict[str, Any]:
    streams = get_json(running, "/_sandbox/streams")
    sessions = streams.get("sessions", [])
    pump = streams.get("pump", {})
    return {
        "sessions": len(sessions),
        "sent": sum(s.get("sent", 0) for s in sessions),
        "queued": sum(s.get("queued", 0) for s in sessions),
        "dropped": sum(s.get("dropped", 0) for s in sessions),
        "max_queued": max((s.get("queued", 0) for s in sessions), default=0),
        "pump_ticks": pump.get("ticks", 0),
        "pump_pushed": pump.get("pushed", 0),
        "topics": pump.get("topics", 0),
    }


def log_problems(log: Path) -> list[str]:
    """Error reports in the server log: each traceback whole, and ERROR/CRITICAL lines."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return []
    problems: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Traceback"):
            block = [line]
            i += 1
            while i < len(lines) and len(block) < 80:
                if lines[i].startswith("["):  # a log line of another thread, interleaved
                    i += 1
                    continue
                block.append(lines[i])
                if lines[i] and not lines[i].startswith((" ", "\t")):
                    break  # the exception itself
                i += 1
            if problems and problems[-1].startswith("Exception in thread"):
                block.insert(0, problems.pop())
            problems.append("\n".join(block))
        elif line.startswith("Exception in thread") or any(
                mark in line for mark in ("[ERROR]", "[CRITICAL]", " ERROR ", " CRITICAL ")):
            problems.append(line)
        i += 1
    return problems


# --------------------------------------------------------------------------- one candidate

@dataclass
class Plan:
    worker_class: str
    clients: int
    readers: int
    duration_s: float
    warmup_s: float
    speed: float
    issues: int
    compression: str | None
    sample_every_s: float | None = None  # soak: RSS samples


def slope_mb_per_min(samples: list[tuple[float, float]], after_s: float = 60.0) -> float | None:
    """Least-squares slope of (seconds, MB) samples taken at or after ``after_s``."""
    points = [(t / 60, mb) for t, mb in samples if t >= after_s]
    if len(points) < 2:
        return None
    mean_t = sum(t for t, _ in points) / len(points)
    mean_m = sum(m for _, m in points) / len(points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    return round(sum((t - mean_t) * (m - mean_m) for t, m in points) / var, 3)


async def drive(running: Running, plan: Plan, issues: list[str]) -> dict[str, Any]:
    """Open every client, warm up, measure; the server-side figures around the window."""
    pid = running.proc.pid
    base = f"ws://{HOST}:{running.spec.port}"
    window, tally = Window(), Tally()
    done = 0
    all_ready = asyncio.Event()
    total = plan.clients + 2 * plan.readers

    def ready() -> None:
        nonlocal done
        done += 1
        if done == total:
            all_ready.set()

    tasks: list[asyncio.Task[None]] = []
    for n in range(plan.clients):
        mine = [issues[(n * ISSUES_PER_CLIENT + j) % len(issues)]
                for j in range(ISSUES_PER_CLIENT)]
        tasks.append(asyncio.create_task(ws_client(
            f"{base}/ws", n + 1, mine, window, tally, ready, plan.compression),
            name=f"/ws client {n + 1}"))
    for path, kind in (("ws_ksp", "ws_ksp"), ("ws_kdq", "ws_kdq")):
        tally.kinds[kind].clients = plan.readers
        for n in range(plan.readers):
            tasks.append(asyncio.create_task(feed_reader(
                f"{base}/{path}", n + 1, tally.kinds[kind], window, tally, ready,
                plan.compression), name=f"/{path} reader {n + 1}"))
    tally.kinds["ws tick"].clients = tally.kinds["ws quote"].clients = plan.clients
    samples: list[tuple[float, float]] = []
    try:
        setup_started = time.perf_counter()
        waiter = asyncio.create_task(all_ready.wait())
        finished, _ = await asyncio.wait([waiter, *tasks], timeout=SETUP_TIMEOUT_S,
                                         return_when=asyncio.FIRST_COMPLETED)
        while waiter not in finished:
            for task in finished:  # a client ended during set-up: it failed
                error = task.exception()
                raise ClientFailure(f"{task.get_name()}: {type(error).__name__}: {error}"
                                    if error else f"{task.get_name()} closed during set-up")
            if time.perf_counter() - setup_started > SETUP_TIMEOUT_S:
                raise ClientFailure(f"only {done} of {total} clients were set up after "
                                    f"{SETUP_TIMEOUT_S:.0f} s")
            pending = [t for t in tasks if not t.done()]
            finished, _ = await asyncio.wait([waiter, *pending], timeout=SETUP_TIMEOUT_S,
                                             return_when=asyncio.FIRST_COMPLETED)
        setup_s = time.perf_counter() - setup_started
        print(f"  {total} clients set up in {setup_s:.1f} s; warming up {plan.warmup_s:.0f} s",
              file=sys.stderr)
        rss_setup = await asyncio.to_thread(rss_mb, pid)
        await asyncio.sleep(plan.warmup_s)
        counters0 = await asyncio.to_thread(stream_counters, running)
        t0, now0, speed = await asyncio.to_thread(read_clock, running)
        cpu0, times0 = cpu_seconds(pid), os.times()
        window.now0, window.speed = now0, speed
        window.start, window.end = t0, t0 + plan.duration_s
        print(f"  measuring {plan.duration_s:.0f} s from virtual "
              f"{int(now0 // 3600):02d}:{int(now0 % 3600 // 60):02d}:{now0 % 60:05.2f} "
              f"(speed {speed:g})", file=sys.stderr)
        samples.append((0.0, await asyncio.to_thread(rss_mb, pid)))
        step = plan.sample_every_s or plan.duration_s
        while (left := window.end - time.time()) > 0:
            await asyncio.sleep(min(step, left))
            if plan.sample_every_s and time.time() < window.end + 1:
                samples.append((round(time.time() - t0, 1), await asyncio.to_thread(rss_mb, pid)))
                print(f"  {samples[-1][0]:>6.0f} s  RSS {samples[-1][1]:.1f} MB", file=sys.stderr)
        wall = time.time() - t0
        cpu1, times1 = cpu_seconds(pid), os.times()
        counters1 = await asyncio.to_thread(stream_counters, running)
        rss_end = await asyncio.to_thread(rss_mb, pid)
    finally:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    for task, result in zip(tasks, results, strict=True):  # ended on its own during the run
        if isinstance(result, Exception):
            tally.disconnects.append(f"{task.get_name()}: {type(result).__name__}: {result}")
    if not samples or samples[-1][0] < wall - 1:
        samples.append((round(wall, 1), rss_end))
    return {
        "wall_s": wall,
        "setup_s": round(setup_s, 2),
        "tally": tally,
        "server_cpu_pct": round((cpu1 - cpu0) / wall * 100, 1),
        "client_cpu_pct": round((times1.user + times1.system - times0.user - times0.system)
                                / wall * 100, 1),
        "rss_mb_setup": rss_setup,
        "rss_mb_end": rss_end,
        "rss_samples": samples,
        "streams": counters1,
        "pump_ticks_per_s": round((counters1["pump_ticks"] - counters0["pump_ticks"]) / wall, 1),
        "dropped_in_window": counters1["dropped"] - counters0["dropped"],
        "sent_in_window": counters1["sent"] - counters0["sent"],
    }


def emulator_spec(plan: Plan) -> ServerSpec:
    port = free_port()
    argv = [sys.executable, "-m", "sandbox", "serve", "--host", HOST, "--port", str(port),
            "--clock", CLOCK, "--speed", f"{plan.speed:g}", "--users", "0",
            "--stream-sessions-per-key", "0", "--stream-subscriptions", "200",
            "--worker-class", plan.worker_class]
    return ServerSpec(  # only name, argv, port and health_path matter to ``started``
        name=f"emulator-{plan.worker_class}", argv=argv, port=port,
        health_path="/_sandbox/health", get_path="/_sandbox/clock",
        post_path="/_sandbox/clock", post_headers={}, post_body=b"",
        post_check=lambda answer: True, post_expectation="")


def bench_candidate(plan: Plan, workdir: Path) -> dict[str, Any]:
    spec = emulator_spec(plan)
    print(f"[{plan.worker_class}] starting ({' '.join(spec.argv[1:])})", file=sys.stderr)
    with started(spec, workdir) as (running, startup_s):
        rss_start = rss_mb(running.proc.pid)
        issues = pick_issues(running, plan.issues)
        if not issues:
            raise BenchError("the multiquote lists named no issue")
        rss_picked = rss_mb(running.proc.pid)
        print(f"  up in {startup_s:.2f} s; {len(issues)} issues, most active first: "
              f"{', '.join(issues[:6])} ...", file=sys.stderr)
        try:
            measured = asyncio.run(drive(running, plan, issues))
        except ClientFailure as exc:
            raise BenchError(f"a client failed to connect or set up: {exc}\n"
                             f"{running.log_tail()}") from exc
    problems = log_problems(running.log)  # after the stop: shutdown errors count too
    wall = measured["wall_s"]
    tally: Tally = measured["tally"]
    kinds: dict[str, Any] = {}
    all_lags: list[float] = []
    for kind in tally.kinds.values():
        lags = kind.lags_ms.tolist()
        all_lags.extend(lags)
        kinds[kind.name] = {
            "clients": kind.clients, "frames": kind.frames, "messages": kind.messages,
            "bytes": kind.bytes, "msgs_per_s": round(kind.messages / wall, 1),
            "frames_per_s": round(kind.frames / wall, 1),
            "kb_per_s": round(kind.bytes / wall / 1024, 1), **lag_figures(lags)}
    messages = sum(k.messages for k in tally.kinds.values())
    samples = measured["rss_samples"]
    result: dict[str, Any] = {
        "worker_class": plan.worker_class,
        "argv": spec.argv[1:],
        "startup_s": round(startup_s, 2),
        "setup_s": measured["setup_s"],
        "wall_s": round(wall, 2),
        "issues": issues,
        "msgs_per_s": round(messages / wall, 1),
        "messages": messages,
        "bytes": sum(k.bytes for k in tally.kinds.values()),
        **lag_figures(all_lags),
        "kinds": kinds,
        "server_cpu_pct": measured["server_cpu_pct"],
        "client_cpu_pct": measured["client_cpu_pct"],
        "rss_mb_start": rss_start,
        "rss_mb_after_multiquote": rss_picked,
        "rss_mb_setup": measured["rss_mb_setup"],
        "rss_mb_end": measured["rss_mb_end"],
        "streams": measured["streams"],
        "pump_ticks_per_s": measured["pump_ticks_per_s"],
        "dropped_in_window": measured["dropped_in_window"],
        "sent_in_window": measured["sent_in_window"],
        "other_frames": tally.other_frames,
        "heartbeats": tally.heartbeats,
        "error_replies": tally.error_replies,
        "disconnects": tally.disconnects,
        "log_problems": problems[:50],
        "log_problem_count": len(problems),
    }
    if plan.sample_every_s:
        rss = [mb for _, mb in samples]
        result["soak"] = {
            "samples": samples, "rss_mb_first": rss[0], "rss_mb_last": rss[-1],
            "rss_mb_max": max(rss), "slope_mb_per_min_after_1min": slope_mb_per_min(samples)}
    result["goal_met"] = goal_met(result)
    return result


def goal_met(result: dict[str, Any]) -> bool:
    p99 = result["p99_lag_ms"]
    met = bool(result["msgs_per_s"] >= GOAL_MSGS_PER_S and p99 is not None
               and p99 < GOAL_P99_LAG_MS)
    soak = result.get("soak")
    if soak is not None:
        slope = soak["slope_mb_per_min_after_1min"]
        met = met and slope is not None and slope <= FLAT_MB_PER_MIN
    return met


# --------------------------------------------------------------------------- reporting

def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_candidate(c: dict[str, Any]) -> None:
    print(f"[{c['worker_class']}] {c['wall_s']:.0f} s measured; server CPU "
          f"{c['server_cpu_pct']:.0f} %, client CPU {c['client_cpu_pct']:.0f} % (100 % = one "
          f"core); RSS {c['rss_mb_start']:.1f} MB at start, "
          f"{c['rss_mb_after_multiquote']:.1f} after the multiquote lists, "
          f"{c['rss_mb_setup']:.1f} after set-up, {c['rss_mb_end']:.1f} at the end")
    head = (f"{'kind':<9} {'clients':>7} {'frames':>9} {'messages':>9} {'msgs/s':>8} "
            f"{'KB/s':>7} {'lag p50':>8} {'lag p99':>8} {'lag max':>8} {'lagged':>8}")
    print(head)
    print("-" * len(head))
    for name, k in c["kinds"].items():
        print(f"{name:<9} {k['clients']:>7} {k['frames']:>9} {k['messages']:>9} "
              f"{k['msgs_per_s']:>8.0f} {k['kb_per_s']:>7.0f} {_ms(k['p50_lag_ms']):>8} "
              f"{_ms(k['p99_lag_ms']):>8} {_ms(k['max_lag_ms']):>8} {k['lag_samples']:>8}")
    frames = sum(k["frames"] for k in c["kinds"].values())
    print(f"{'total':<9} {'':>7} {frames:>9} {c['messages']:>9} {c['msgs_per_s']:>8.0f} "
          f"{c['bytes'] / c['wall_s'] / 1024:>7.0f} {_ms(c['p50_lag_ms']):>8} "
          f"{_ms(c['p99_lag_ms']):>8} {_ms(c['max_lag_ms']):>8} {c['lag_samples']:>8}")
    s = c["streams"]
    print(f"server: {s['sessions']} sessions, {s['topics']} topics, pump "
          f"{c['pump_ticks_per_s']:.1f} ticks/s; frames taken for sending in the window "
          f"{c['sent_in_window']} (received {frames + c['other_frames']}), queued at the end "
          f"{s['queued']} (most in one session {s['max_queued']}), dropped {s['dropped']} "
          f"({c['dropped_in_window']} in the window)")
    print(f"client: {len(c['disconnects'])} disconnects, {c['error_replies']} error replies, "
          f"{c['heartbeats']} heartbeats; server log: {c['log_problem_count']} error reports")
    for problem in c["log_problems"][:3]:
        for line in problem.splitlines():
            print(f"  | {line[:160]}{' ...' if len(line) > 160 else ''}")
    soak = c.get("soak")
    if soak:
        slope = soak["slope_mb_per_min_after_1min"]
        print(f"soak: RSS first {soak['rss_mb_first']:.1f} MB, last {soak['rss_mb_last']:.1f}, "
              f"max {soak['rss_mb_max']:.1f}; slope after the first minute "
              f"{'-' if slope is None else f'{slope:+.2f}'} MB/min "
              f"({len(soak['samples'])} samples)")
    print()


def print_comparison(candidates: list[dict[str, Any]]) -> None:
    head = (f"{'worker':<8} {'msgs/s':>8} {'lag p50':>8} {'lag p99':>8} {'lag max':>8} "
            f"{'srv CPU%':>8} {'cli CPU%':>8} {'RSS MB':>7} {'dropped':>8} {'goal':>5}")
    print(f"goal: >= {GOAL_MSGS_PER_S:,.0f} messages/s in total, p99 delivery lag < "
          f"{GOAL_P99_LAG_MS:.0f} ms")
    print(head)
    print("-" * len(head))
    for c in candidates:
        print(f"{c['worker_class']:<8} {c['msgs_per_s']:>8.0f} {_ms(c['p50_lag_ms']):>8} "
              f"{_ms(c['p99_lag_ms']):>8} {_ms(c['max_lag_ms']):>8} "
              f"{c['server_cpu_pct']:>8.0f} {c['client_cpu_pct']:>8.0f} "
              f"{c['rss_mb_end']:>7.1f} {c['streams']['dropped']:>8} "
              f"{'met' if c['goal_met'] else 'no':>5}")


def headline(candidates: list[dict[str, Any]], results_file: Path) -> dict[str, Any]:
    head = next((c for c in candidates if c["worker_class"] == DEFAULT_WORKER_CLASS),
                candidates[0])

    def short(c: dict[str, Any]) -> dict[str, Any]:
        out = {"msgs_per_s": c["msgs_per_s"], "p50_lag_ms": c["p50_lag_ms"],
               "p99_lag_ms": c["p99_lag_ms"], "max_lag_ms": c["max_lag_ms"],
               "server_cpu_pct": c["server_cpu_pct"], "client_cpu_pct": c["client_cpu_pct"],
               "rss_mb": c["rss_mb_end"], "dropped": c["streams"]["dropped"],
               "disconnects": len(c["disconnects"]), "goal_met": c["goal_met"]}
        if "soak" in c:
            out["rss_slope_mb_per_min"] = c["soak"]["slope_mb_per_min_after_1min"]
            out["rss_mb_max"] = c["soak"]["rss_mb_max"]
        return out

    return {"worker_class": head["worker_class"], "msgs_per_s": head["msgs_per_s"],
            "p99_lag_ms": head["p99_lag_ms"], "rss_mb": head["rss_mb_end"],
            "goal_met": head["goal_met"],
            "candidates": {c["worker_class"]: short(c) for c in candidates},
            "results_file": str(results_file)}


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Messages/s and delivery lag of the market WebSockets (/ws, /ws_ksp, "
                    "/ws_kdq) under gunicorn, per worker class (loopback only).")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="one worker class (the default unless --worker-class), 20 s")
    mode.add_argument("--soak", action="store_true",
                      help="one worker class (gthread unless --worker-class), 10 minutes, "
                           "the server's RSS sampled every 30 s")
    parser.add_argument("--worker-class", action="append", choices=WORKER_CLASSES,
                        help="candidate worker class; repeat for several (default: gthread then "
                             "gevent; gthread alone with --quick or --soak)")
    parser.add_argument("--clients", type=int, default=50,
                        help="/ws sessions, 20 subscriptions each (50)")
    parser.add_argument("--readers", type=int, default=10,
                        help="/ws_ksp sessions and as many /ws_kdq sessions (5)")
    parser.add_argument("--duration", type=float, metavar="S",
                        help="measured seconds per worker class (60; quick 20; soak 600)")
    parser.add_argument("--warmup", type=float, metavar="S",
                        help="seconds between set-up and measuring (5; quick 3)")
    parser.add_argument("--speed", type=float, default=10.0,
                        help="virtual seconds per real second (10)")
    parser.add_argument("--issues", type=int, default=100,
                        help="most active issues the /ws subscriptions are spread over (100)")
    parser.add_argument("--sample-every", type=float, default=30.0, metavar="S",
                        help="soak: seconds between RSS samples (30)")
    parser.add_argument("--no-compression", action="store_true",
                        help="do not offer permessage-deflate (offered by default, as the "
                             "websockets client and browsers do)")
    args = parser.parse_args(argv)
    for name, low in (("clients", 0), ("readers", 0), ("duration", 1), ("warmup", 0),
                      ("speed", 0.1), ("issues", 1), ("sample_every", 1)):
        value = getattr(args, name)
        if value is not None and not low <= value <= 100_000:
            parser.error(f"--{name.replace('_', '-')} out of range: {value}")
    if args.clients + args.readers == 0:
        parser.error("nothing to measure: --clients and --readers are both 0")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    single = args.quick or args.soak
    mode = "soak" if args.soak else "quick" if args.quick else "full"
    worker_classes: list[str] = list(dict.fromkeys(
        args.worker_class or ([DEFAULT_WORKER_CLASS] if single else list(WORKER_CLASSES))))
    duration = args.duration or (600.0 if args.soak else 20.0 if args.quick else 60.0)
    warmup = args.warmup if args.warmup is not None else (3.0 if args.quick else 5.0)
    started_at = datetime.now(UTC)
    candidates: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="oppf-bench-streaming-") as tmp:
        for wc in worker_classes:  # one server at a time
            plan = Plan(worker_class=wc, clients=args.clients, readers=args.readers,
                        duration_s=duration, warmup_s=warmup, speed=args.speed,
                        issues=args.issues,
                        compression=None if args.no_compression else "deflate",
                        sample_every_s=args.sample_every if args.soak else None)
            candidates.append(bench_candidate(plan, Path(tmp)))
    finished_at = datetime.now(UTC)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results_file = RESULTS_DIR / f"{started_at.strftime('%Y%m%dT%H%M%SZ')}-streaming.json"
    summary = headline(candidates, results_file)
    about = machine(shutil.which("wrk") or "wrk")
    about.pop("wrk", None)
    try:
        from importlib.metadata import version
        about["packages"]["websockets"] = version("websockets")
    except Exception:
        pass
    document = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": finished_at.isoformat(timespec="seconds"),
        "wall_s": round((finished_at - started_at).total_seconds(), 1),
        "mode": mode,
        "settings": {"clock": CLOCK, "speed": args.speed, "clients": args.clients,
                     "subscriptions_per_client": ISSUES_PER_CLIENT * len(PRESETS),
                     "readers_per_market": args.readers, "duration_s": duration,
                     "warmup_s": warmup, "issues": args.issues,
                     "compression": not args.no_compression,
                     "goal": {"msgs_per_s": GOAL_MSGS_PER_S, "p99_lag_ms": GOAL_P99_LAG_MS,
                              "flat_mb_per_min": FLAT_MB_PER_MIN}},
        "machine": about,
        "summary": {k: v for k, v in summary.items() if k != "results_file"},
        "candidates": candidates,
    }
    results_file.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    print()
    print(f"{about['nproc']} cores ({about['cpu_model']}), {about['memory_gib']} GiB, Python "
          f"{about['python']}; {args.clients} /ws clients x {ISSUES_PER_CLIENT * len(PRESETS)} "
          f"subscriptions over {args.issues} issues, {args.readers} /ws_ksp + {args.readers} "
          f"/ws_kdq readers; clock {CLOCK} x{args.speed:g}; "
          f"{'no compression' if args.no_compression else 'permessage-deflate offered'}; "
          f"lag in ms")
    print()
    for c in candidates:
        print_candidate(c)
    print_comparison(candidates)
    print(f"results: {results_file.relative_to(REPO)}")
    return summary


def main(argv: list[str] | None = None) -> int:
    return main_with(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
