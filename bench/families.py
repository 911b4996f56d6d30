"""The mixed workload per family against a served emulator (part of ``bench/run.py``).

For each family of ``bench/workload.py`` and for the ``mixed`` run of all of them by
``MIX_WEIGHTS``: reset the world (every figure starts from the same state; orders accumulate
otherwise), build the request list (tokens obtained now), send each request once and stop
the run if one does not answer 200, then a wrk warm-up and the measured repeats of the
rotation. A non-2xx under load is counted and explained from the request journal (operation
and status of the non-200 answers among the last journal entries); for the order family the
business rejects of the day (execType 8, cancel rejects) are read back from the admin API.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import lua
import workload
from servers import call_json, request
from workload import FAMILIES, MIX_WEIGHTS, Req
from wrk import HOST, BenchError, Endpoint, Settings, measure

MIXED = "mixed"


@dataclass
class FamilyResult:
    """The figures of one family's rotation (or of the mixed run)."""

    name: str
    requests: int  # distinct requests in the rotation
    figures: Endpoint
    failures: dict[str, int] = field(default_factory=dict)  # "operation status": count
    rejects: dict[str, int] = field(default_factory=dict)  # institution: order rejects


def journal_failures(port: int) -> dict[str, int]:
    """Non-200 answers among the journal's newest entries, by operation and status."""
    entries = call_json(port, "GET", "/_sandbox/requests?limit=100000")["requests"]
    counted = Counter(f"{e.get('operationId')} {e['status']}" for e in entries
                      if e["status"] != 200)
    return dict(counted.most_common())


def groups_of(port: int, name: str) -> list[list[Req]]:
    """The request groups of a run: one family, or every family for ``mixed``."""
    fetch = partial(call_json, port)
    names = list(MIX_WEIGHTS) if name == MIXED else [name]
    return [workload.build(fetch, family) for family in names]


def bench_family(port: int, name: str, settings: Settings, workdir: Path) -> FamilyResult:
    """Reset, build, verify and load one family (or the mixed run)."""
    call_json(port, "POST", "/_sandbox/reset")
    groups = groups_of(port, name)
    requests = [r for g in groups for r in g]
    largest = workload.verify(partial(request, port, timeout=120.0), requests)
    has_orders = any(r.family == "order" for r in requests)
    if has_orders and any(workload.order_rejects(partial(call_json, port)).values()):
        raise BenchError(f"{name}: an order of the workload was rejected: "
                         f"{workload.order_rejects(partial(call_json, port))}")
    weights = [MIX_WEIGHTS[g[0].family] for g in groups] if name == MIXED else None
    script = lua.write(workdir, f"family-{name}", groups, weights)
    tagged = any(r.body is not None and workload.ID_MARK in r.body for r in requests)
    print(f"  emulator: {name} ({len(requests)} requests)", file=sys.stderr)
    figures = measure(settings, "MIX", f"http://{HOST}:{port}/", name, script, largest,
                      tagged=tagged)
    result = FamilyResult(name, len(requests), figures)
    if figures.non_2xx or figures.socket_errors:
        result.failures = journal_failures(port)
    if has_orders:
        result.rejects = workload.order_rejects(partial(call_json, port))
    return result


def bench_families(port: int, names: list[str], settings: Settings,
                   workdir: Path) -> list[FamilyResult]:
    return [bench_family(port, name, settings, workdir) for name in names]


def family_names(selected: list[str] | None) -> list[str]:
    """The runs to make: the chosen families (default all) and then ``mixed``."""
    return list(dict.fromkeys(selected or [*FAMILIES, MIXED]))


def summary(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``{name: {rps, p50_ms, p99_ms, ratio, non_2xx, socket_errors}}`` of a candidate's
    family results."""
    return {r["name"]: {"rps": r["figures"]["rps"], "p50_ms": r["figures"]["p50_ms"],
                        "p99_ms": r["figures"]["p99_ms"], "ratio": r["ratio"],
                        "non_2xx": r["figures"]["non_2xx"],
                        "socket_errors": r["figures"]["socket_errors"]}
            for r in results}


def print_table(results: list[dict[str, Any]], label: str) -> None:
    """One row per family: req/s, p50, p99, ratio to the bare GET, non-2xx, rejects."""
    if not results:
        return
    head = (f"{label:<12} {'family':<11} {'reqs':>4} {'req/s':>8} {'p50':>9} {'p99':>9} "
            f"{'ratio':>6} {'non-2xx':>7} {'sock err':>8} {'rejects':>7}")
    print(head)
    print("-" * len(head))
    for r in results:
        f = r["figures"]
        print(f"{'':<12} {r['name']:<11} {r['requests']:>4} {f['rps']:>8.0f} "
              f"{f['p50_ms']:>7.2f}ms {f['p99_ms']:>7.2f}ms {r['ratio']:>6.2f} "
              f"{f['non_2xx']:>7} {f['socket_errors']:>8} {sum(r['rejects'].values()):>7}")
        if r["failures"]:
            print(f"{'':<12}   non-200 in the journal: {r['failures']}")
        if r["rejects"]:
            print(f"{'':<12}   order rejects: {r['rejects']}")
