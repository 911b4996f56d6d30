"""Benchmark the emulator against a bare Flask app under the same gunicorn configuration.

For each candidate worker class (``gthread`` with N threads, ``gevent``), start the emulator, load
it, stop it; then the same for ``bench/bare_app.py`` (never both at once). For each server:
start-up time (process start to the first 200 on its health URL), requests/s and p50/p99 latency
of one GET and one POST (wrk ``--latency``), and the RSS of the process tree after the load. The
emulator also runs the mixed workload of ``bench/families.py``: a rotation over realistic
requests of each API family, and all families together by weight; each family's req/s is
compared with the bare GET ceiling measured in the same run.

Absolute figures drift between machines and runs; compare the ratios measured in one run
(see /work/shared/PERFORMANCE.md and bench/README.md). Nothing here asserts a timing.

    python bench/run.py            # full run: gthread and gevent, 3 x 10 s per figure
    python bench/run.py --quick    # gthread only, 1 x 3 s per figure (< 2 minutes)

The last line printed is one JSON object (headline figures for the default worker class,
per-family and per-candidate figures); the whole result is also written to
bench/results/<UTC time>.json. The other bench scripts import their helpers from here.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import families as fam
from servers import (  # noqa: F401  (re-exported: the other bench scripts import them from run)
    BENCH_DIR,
    REPO,
    RESULTS_DIR,
    STARTUP_TIMEOUT_S,
    STOP_TIMEOUT_S,
    Running,
    ServerSpec,
    call_json,
    check_json,
    free_port,
    machine,
    percentile,
    process_tree,
    request,
    rss_mb,
    server_env,
    started,
)
from workload import FAMILIES, MIX_WEIGHTS
from wrk import (  # noqa: F401  (re-exported)
    HOST,
    WRK_TIMEOUT,
    BenchError,
    Endpoint,
    Load,
    Settings,
    ensure_wrk,
    lua_long_string,
    measure,
    parse_wrk,
    run_wrk,
    write_post_script,
)

WORKER_CLASSES = ("gthread", "gevent")  # as in sandbox.gateway.server.WORKER_CLASSES
DEFAULT_WORKER_CLASS = "gthread"  # the emulator's default (sandbox.cli)
CLOCK = "2026-11-24T10:00:00+09:00"  # the instant every in-process and served bench uses

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


# --------------------------------------------------------------------------- servers

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
    families: list[fam.FamilyResult] = field(default_factory=list)


def bench_server(spec: ServerSpec, settings: Settings, workdir: Path,
                 family_runs: list[str] | None = None) -> ServerResult:
    """Start one server, check and load its GET and POST (and the emulator's price GET and
    ``family_runs``), read its RSS, stop it."""
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
        loads = fam.bench_families(spec.port, family_runs or [], settings, workdir)
        after = rss_mb(running.proc.pid)
        processes = len(process_tree(running.proc.pid))
    return ServerResult(name=spec.name, argv=spec.argv, startup_s=round(startup_s, 3),
                        rss_mb_idle=idle, rss_mb=after, processes=processes, get=get, post=post,
                        price=price, families=loads)


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
    for c in candidates:
        if c["emulator"]["families"]:
            print()
            fam.print_table(c["emulator"]["families"], c["label"])
    if any(c["emulator"]["families"] for c in candidates):
        print("families: a rotation over each family's requests (bench/workload.py), mixed: "
              "all families by weight " + ", ".join(f"{k} {v}" for k, v in
                                                     MIX_WEIGHTS.items())
              + "; ratio: req/s / bare GET req/s; sock err: socket errors and timeouts (5 s); "
              "rejects: order business rejects.")


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
        "families": fam.summary(emu["families"]),
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
                "families": fam.summary(c["emulator"]["families"]),
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
                        help="gthread threads per worker (32)")
    parser.add_argument("--family", action="append", dest="families",
                        choices=[*FAMILIES, fam.MIXED],
                        help="workload run of the emulator; repeat for several (default: every "
                             "family, then mixed)")
    parser.add_argument("--no-families", action="store_true",
                        help="only the GET, POST and price figures (as before the workloads)")
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
    runs = [] if args.no_families else fam.family_names(args.families)
    started_at, clock0 = datetime.now(UTC), time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    candidates: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="oppf-bench-") as tmp:
        workdir = Path(tmp)
        for wc in worker_classes:
            label = candidate_label(wc, args.threads)
            print(f"[{label}]", file=sys.stderr)
            emu = bench_server(emulator_spec(wc, args.threads), settings, workdir, runs)
            bare = bench_server(bare_spec(wc, args.threads), settings, workdir)
            errors = sum(e.non_2xx + e.socket_errors
                         for e in (emu.get, emu.post, emu.price, bare.get, bare.post,
                                   *(f.figures for f in emu.families))
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
            for family in candidates[-1]["emulator"]["families"]:
                family["ratio"] = (round(family["figures"]["rps"] / bare.get.rps, 3)
                                   if bare.get.rps else 0.0)
    finished_at, elapsed = datetime.now(UTC), round(time.perf_counter() - clock0, 1)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results_file = RESULTS_DIR / f"{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    headline = {**summary(candidates, results_file), "elapsed_s": elapsed}
    document: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": finished_at.isoformat(timespec="seconds"),
        "wall_s": elapsed,
        "mode": "quick" if quick else "full",
        "settings": {k: v for k, v in asdict(settings).items() if k != "wrk"},
        "machine": {**machine(wrk), "loadavg_at_start": load_at_start},
        "summary": {k: v for k, v in headline.items() if k != "results_file"},
        "candidates": candidates,
    }
    results_file.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    print()
    m = document["machine"]
    print(f"{m['nproc']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}; "
          f"wrk {settings.connections} connections, {settings.repeats} x "
          f"{settings.duration_s} s (median), {settings.warmup_s} s warm-up; load average "
          f"{load_at_start[0]} at start")
    print_table(candidates)
    print(f"elapsed: {elapsed:.0f} s; results: {results_file.relative_to(REPO)}")
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
