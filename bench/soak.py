"""Soak: mixed traffic of every family for minutes, the server's memory sampled every 10 s.

Serves the emulator as ``bench/run.py`` does (gunicorn, one process, frozen clock
2026-11-24 10:00 KST; ``--stream-sessions-per-key 0``), optionally on a SQLite state file
(``--state FILE``, a new file) and with other caps (``--cap NAME=N``), then drives for
``--minutes`` consecutive wrk runs of ``--sample-every`` seconds with the ``mixed`` workload of
``bench/workload.py`` plus requests that store something on every call (admin tokens, OAuth
refreshes, custom users: ``soakparts.state_group``), and a thread churning ``/ws`` sessions
(open, subscribe, unsubscribe, close). After each run: the requests, req/s, p99, non-2xx, the
RSS of the server's process tree and the store's records per kind (from the state file, or
the admin API's health answer). Bearer tokens are fetched again for every run.

The emulator runs at small caps (:data:`SOAK_CAPS`: 5,000 orders, 500 custom users, 2,000
tokens …) so that every capped kind reaches its cap within the first minutes: from then on a
request that would keep one more record is refused (503, counted apart from failures) or the
oldest token is forgotten, and the second half shows what memory does at the caps.
``--default-caps`` soaks at the emulator's own caps instead (memory then grows with what the
load asks the sandbox to keep, until those caps).

The verdict: RSS at one minute (at half the run when it is shorter than two minutes) and at
the end, and the least-squares growth in MB/min over the second half (``flat``: at most
1 MB/min), with the growth per minute of every record kind over the same half.

``--in-process`` serves the app from this process instead (werkzeug, threads) and, with
``--tracemalloc``, compares snapshots taken after the first and the last run: the lines whose
allocations grew, to find what grows.

    python bench/soak.py                    # 10 minutes (make bench-soak)
    python bench/soak.py --quick            # 1 minute
    python bench/soak.py --state /tmp/soak.sqlite
    python bench/soak.py --quick --in-process --tracemalloc

Last line: one JSON object; the whole result in bench/results/<UTC time>-soak.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # sandbox, for --in-process

import lua
import soakparts
import workload
from families import journal_failures
from run import CLOCK, emulator_spec, main_with
from servers import REPO, RESULTS_DIR, call_json, free_port, machine, request, rss_mb, started
from workload import MIX_WEIGHTS
from wrk import HOST, BenchError, Settings, ensure_wrk, run_tag, run_wrk

FLAT_MB_PER_MIN = 1.0
#: caps the soak's load reaches within its first minutes (see the module docstring)
SOAK_CAPS = {"orders": 5_000, "order_messages": 20_000, "custom_users": 500, "tokens": 2_000,
             "refresh_tokens": 2_000, "codes": 1_000}


def slope_per_min(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, value) points, per minute; None under two points."""
    if len(points) < 2:
        return None
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    return round(60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / var, 3)


@dataclass
class Target:
    """The emulator under soak."""

    port: int
    startup_s: float
    root_pid: int  # RSS of this process tree
    state: Any = None  # the app's SandboxState (in process)


@contextlib.contextmanager
def serving(args: argparse.Namespace, workdir: Path) -> Iterator[Target]:
    """Start the emulator (gunicorn, or in this process); stop it on exit."""
    caps = {**({} if args.default_caps else SOAK_CAPS), **dict(_cap(c) for c in args.cap or [])}
    if args.in_process:
        t0 = time.perf_counter()
        with soakparts.InProcess(free_port(), CLOCK, args.state, caps) as server:
            yield Target(server.server.server_port, time.perf_counter() - t0, os.getpid(),
                         server.state)
        return
    spec = emulator_spec(args.worker_class, args.threads)
    spec.argv += ["--stream-sessions-per-key", "0"]
    if args.state is not None:
        spec.argv += ["--state", str(args.state)]
    for name, value in caps.items():
        spec.argv += ["--cap", f"{name}={value}"]
    print(f"  emulator: starting ({' '.join(spec.argv[1:])})", file=sys.stderr)
    with started(spec, workdir) as (running, startup_s):
        yield Target(spec.port, startup_s, running.proc.pid)


def _cap(text: str) -> tuple[str, int]:
    name, _, number = text.partition("=")
    if not number.isdigit():
        raise BenchError(f"--cap {text!r}: give NAME=N")
    return name, int(number)


def counts(args: argparse.Namespace, target: Target) -> dict[str, int] | None:
    """Records per kind: in process from the world, else from the state file or the admin
    API (None when neither reports them)."""
    if target.state is not None:
        return soakparts.counts_in_process(target.state)
    if args.state is not None:
        return soakparts.counts_from_file(args.state)
    return soakparts.counts_from_admin(target.port)


def extras(target: Target) -> dict[str, Any]:
    """In process: the store's size per kind (KiB) and the memory tracemalloc traces (MB)."""
    if target.state is None:
        return {}
    out: dict[str, Any] = {"store_kib": soakparts.store_kib(target.state)}
    if tracemalloc.is_tracing():
        out["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / 2 ** 20, 1)
    return out


def soak(args: argparse.Namespace, settings: Settings, workdir: Path) -> dict[str, Any]:
    """Serve, verify the workload, run the chunks with samples; the raw result."""
    seconds = 60 * (1 if args.quick and args.minutes is None else (args.minutes or 10))
    with serving(args, workdir) as target:
        port = target.port
        fetch = partial(call_json, port)
        mix = {k: v for k, v in MIX_WEIGHTS.items() if k not in (args.skip_family or [])}
        groups = [workload.build(fetch, family) for family in mix]
        groups.append(soakparts.state_group())
        weights = [*mix.values(), soakparts.STATE_WEIGHT]
        account = list(mix).index("account") if "account" in mix else None
        workload.verify(partial(request, port, timeout=120.0), [r for g in groups for r in g])
        if args.tracemalloc:
            tracemalloc.start(25)
        churn = soakparts.Churn(port) if not args.no_ws else None
        if churn is not None:
            churn.start()
        samples = [{"t_s": 0.0, "requests": 0, "rps": 0.0, "p99_ms": None, "non_2xx": 0,
                    "answers_503": 0,
                    "rss_mb": rss_mb(target.root_pid), "ws_cycles": 0,
                    "records": counts(args, target), **extras(target)}]
        print(f"  up in {target.startup_s:.2f} s; soaking {seconds} s ...", file=sys.stderr)
        snapshot_early = None
        t0, total = time.perf_counter(), 0
        try:
            while (elapsed := time.perf_counter() - t0) < seconds - 1:
                if account is not None:
                    groups[account] = workload.build(fetch, "account")  # fresh tokens
                script = lua.write(workdir, "soak", groups, weights)
                chunk = max(1, min(args.sample_every, round(seconds - elapsed)))
                load = run_wrk(settings, f"http://{HOST}:{port}/", script, chunk, (run_tag(),))
                total += load.requests
                sample = {"t_s": round(time.perf_counter() - t0, 1), "requests": total,
                          "rps": load.rps, "p99_ms": load.p99_ms,
                          "non_2xx": load.non_2xx + load.socket_errors,
                          "answers_503": load.answers_503,
                          "rss_mb": rss_mb(target.root_pid),
                          "ws_cycles": churn.cycles if churn else 0,
                          "records": counts(args, target),
                          "p50_ms_by_family": soakparts.journal_latency(port),
                          **extras(target)}
                samples.append(sample)
                print(f"  {sample['t_s']:>6.0f} s {total:>9} requests "
                      f"{sample['rss_mb']:>7.1f} MB", file=sys.stderr)
                if args.tracemalloc and snapshot_early is None and sample["t_s"] >= 60 * min(
                        1.0, seconds / 120):
                    snapshot_early = tracemalloc.take_snapshot()
        finally:
            if churn is not None:
                churn.stop()
        growth = None
        if args.tracemalloc:
            late = tracemalloc.take_snapshot()
            tracemalloc.stop()
            if snapshot_early is not None:
                growth = soakparts.top_growth(snapshot_early, late)
        trimmed = soakparts.trimmed_rss(rss_mb) if target.state is not None else None
        failures = journal_failures(port) if any(s["non_2xx"] for s in samples) else {}
        rejects = workload.order_rejects(fetch)
    return {"seconds": seconds, "startup_s": round(target.startup_s, 3), "samples": samples,
            "ws": {"cycles": churn.cycles if churn else 0,
                   "errors": churn.errors[:10] if churn else []},
            "journal_failures": failures, "order_rejects": rejects,
            "rss_mb_after_malloc_trim": trimmed,
            "tracemalloc_growth": growth, "requests_in_rotation":
                {g[0].family: len(g) for g in groups}}


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    """RSS early vs end, MB/min over the second half, records/min per kind over it (and, in
    process, the store's and the traced memory's growth)."""
    samples, seconds = result["samples"], result["seconds"]
    early_at = 60.0 if seconds >= 120 else seconds / 2
    early = next((s for s in samples if s["t_s"] >= early_at), samples[-1])
    half = [s for s in samples if s["t_s"] >= seconds / 2]
    kinds = sorted({k for s in half for k in (s["records"] or {})})
    records = {k: slope_per_min([(s["t_s"], (s["records"] or {}).get(k, 0)) for s in half])
               for k in kinds}
    slope = slope_per_min([(s["t_s"], s["rss_mb"]) for s in half])
    out = {"rss_mb_start": samples[0]["rss_mb"], "rss_mb_early": early["rss_mb"],
           "early_at_s": early["t_s"], "rss_mb_end": samples[-1]["rss_mb"],
           "rss_mb_max": max(s["rss_mb"] for s in samples),
           "rss_slope_mb_per_min_second_half": slope,
           "flat": slope is not None and slope <= FLAT_MB_PER_MIN,
           "records_end": samples[-1]["records"],
           "records_per_min_second_half": {k: v for k, v in records.items() if v},
           "requests": samples[-1]["requests"],
           "rps": round(samples[-1]["requests"] / max(1e-9, samples[-1]["t_s"]), 1),
           "rps_first_run": samples[1]["rps"] if len(samples) > 1 else 0.0,
           "rps_last_run": samples[-1]["rps"],
           "non_2xx": sum(s["non_2xx"] for s in samples),
           "refused_at_caps_503": sum(s.get("answers_503", 0) for s in samples)}
    if "store_kib" in samples[-1]:
        store = slope_per_min([(s["t_s"], sum(s["store_kib"].values()) / 1024) for s in half])
        out["store_mb_end"] = round(sum(samples[-1]["store_kib"].values()) / 1024, 1)
        out["store_slope_mb_per_min_second_half"] = store
    if "traced_mb" in samples[-1]:
        out["traced_slope_mb_per_min_second_half"] = slope_per_min(
            [(s["t_s"], s["traced_mb"]) for s in half])
    return out


def print_report(result: dict[str, Any], figures: dict[str, Any]) -> None:
    samples = result["samples"]
    first, last = samples[0]["records"] or {}, samples[-1]["records"] or {}
    kinds = sorted(k for k in set(first) | set(last) if first.get(k) != last.get(k))
    store = "store_kib" in samples[-1]
    head = (f"{'time':>6} {'requests':>9} {'req/s':>6} {'p99 ms':>7} {'non-2xx':>7} "
            f"{'RSS MB':>7}" + (f" {'store MB':>8}" if store else "") + f" {'ws':>5}"
            + "".join(f" {k[:13]:>13}" for k in kinds))
    print(head)
    print("-" * len(head))
    for s in samples:
        p99 = "-" if s["p99_ms"] is None else f"{s['p99_ms']:.1f}"
        size = f" {sum(s['store_kib'].values()) / 1024:>8.1f}" if store else ""
        print(f"{s['t_s']:>5.0f}s {s['requests']:>9} {s['rps']:>6.0f} {p99:>7} "
              f"{s['non_2xx']:>7} {s['rss_mb']:>7.1f}{size} {s['ws_cycles']:>5}"
              + "".join(f" {(s['records'] or {}).get(k, 0):>13}" for k in kinds))
    slope = figures["rss_slope_mb_per_min_second_half"]
    print(f"RSS {figures['rss_mb_start']:.1f} MB at start, {figures['rss_mb_early']:.1f} MB at "
          f"{figures['early_at_s']:.0f} s, {figures['rss_mb_end']:.1f} MB at the end (max "
          f"{figures['rss_mb_max']:.1f}); second half {'-' if slope is None else f'{slope:+.2f}'}"
          f" MB/min: {'flat' if figures['flat'] else 'GROWING'}")
    if result["rss_mb_after_malloc_trim"] is not None:
        print(f"  RSS after gc and malloc_trim(0) at the end: "
              f"{result['rss_mb_after_malloc_trim']:.1f} MB")
    for key, what in (("store_slope_mb_per_min_second_half", "the store's records"),
                      ("traced_slope_mb_per_min_second_half", "traced Python memory")):
        if figures.get(key) is not None:
            print(f"  of which {what}: {figures[key]:+.2f} MB/min")
    if figures["records_per_min_second_half"]:
        print("records per minute over the second half: " + ", ".join(
            f"{k} {v:+.0f}" for k, v in figures["records_per_min_second_half"].items()))
    elif not last:
        print("records: no count source (use --state FILE or --in-process)")
    print(f"{figures['requests']} requests ({figures['rps']:.0f}/s; first run "
          f"{figures['rps_first_run']:.0f}/s, last {figures['rps_last_run']:.0f}/s), "
          f"{figures['non_2xx'] - figures['refused_at_caps_503']} failed (non-2xx other than "
          f"503), {figures['refused_at_caps_503']} refused at a cap (503); "
          f"/ws churn {result['ws']['cycles']} cycles, "
          f"{len(result['ws']['errors'])} errors; order rejects {result['order_rejects']}")
    if result["journal_failures"]:
        print(f"non-200 in the journal: {result['journal_failures']}")
    if len(samples) > 2:
        early, late = samples[1]["p50_ms_by_family"], samples[-1]["p50_ms_by_family"]
        print("server-side p50 by family (journal), first run -> last run: " + ", ".join(
            f"{k} {early.get(k, 0):.1f} -> {late[k]:.1f} ms" for k in late))
    if result["tracemalloc_growth"]:
        print("traced growth from the first minute to the end, by innermost project frame:")
    for g in result["tracemalloc_growth"] or []:
        print(f"  {g['kib']:>9.1f} KiB {g['blocks']:>8} blocks  {g['at']:<28} "
              f"{' < '.join(g['project_frames'][1:4])}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--minutes", type=float, help="soak length (default 10, quick 1)")
    parser.add_argument("--quick", action="store_true", help="one minute")
    parser.add_argument("--sample-every", type=int, default=10, metavar="S",
                        help="seconds per wrk run, one sample after each (10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--state", type=Path, metavar="FILE",
                        help="serve with --state FILE (a new SQLite file; records counted "
                             "from it)")
    parser.add_argument("--cap", action="append", metavar="NAME=N",
                        help="serve with --cap NAME=N (repeatable)")
    parser.add_argument("--default-caps", action="store_true",
                        help="soak at the emulator's own caps instead of SOAK_CAPS")
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "gevent"))
    parser.add_argument("--threads", type=int, default=32, help="gthread threads (32)")
    parser.add_argument("--no-ws", action="store_true", help="no /ws session churn")
    parser.add_argument("--skip-family", action="append", choices=list(MIX_WEIGHTS),
                        help="leave a family out of the mix (repeatable)")
    parser.add_argument("--in-process", action="store_true",
                        help="serve from this process (werkzeug threads) instead of gunicorn")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="with --in-process: the lines whose allocations grew")
    args = parser.parse_args(argv)
    if args.tracemalloc and not args.in_process:
        parser.error("--tracemalloc needs --in-process")
    if args.state is not None and args.state.exists():
        parser.error(f"--state {args.state}: the file exists; give a new path")
    if args.minutes is not None and not 0 < args.minutes <= 24 * 60:
        parser.error("--minutes out of range")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(wrk=ensure_wrk(), duration_s=args.sample_every, warmup_s=0, repeats=1,
                        connections=args.connections, wrk_threads=1)
    started_at, load_at_start = datetime.now(UTC), [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="oppf-soak-") as tmp:
        result = soak(args, settings, Path(tmp))
    figures = verdict(result)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results_file = RESULTS_DIR / f"{started_at.strftime('%Y%m%dT%H%M%SZ')}-soak.json"
    mode = ("in-process" if args.in_process else args.worker_class) + (
        " --state" if args.state else "") + (" default caps" if args.default_caps else "") + (
        "".join(f" -{f}" for f in args.skip_family or []))
    document = {"started_at": started_at.isoformat(timespec="seconds"), "mode": mode,
                "options": {k: str(v) if isinstance(v, Path) else v
                            for k, v in vars(args).items()},
                "machine": {**machine(settings.wrk), "loadavg_at_start": load_at_start},
                "environment": {k: v for k, v in os.environ.items()
                                if k.startswith(("MALLOC_", "PYTHONMALLOC"))},
                "verdict": figures, **result}
    results_file.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    print()
    print_report(result, figures)
    print(f"results: {results_file.relative_to(REPO)}")
    return {"mode": mode, "seconds": result["seconds"], "startup_s": result["startup_s"],
            **{k: v for k, v in figures.items() if k != "records_end"},
            "ws_cycles": result["ws"]["cycles"], "results_file": str(results_file)}


def main(argv: list[str] | None = None) -> int:
    return main_with(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
