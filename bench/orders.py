"""Order-service figures, in process (Flask test client, no server): throughput and latency.

* orders/s acknowledged: ``POST /v1/samsung/order/new`` through the whole request pipeline
  (Basic + ``comId``, request schema, broker side, acknowledgement; response validation off
  as in ``serve``), one thread, then 8 threads with a test client each;
* latency from the POST to its ExecutionReport being readable in the world's store: a reader
  thread follows the institution's messages by ``seqNo`` the way the execution-report channel
  does (woken by ``records.wait_for_messages``, then reading the next keys), so the figure is
  what a channel sees, before any STOMP framing or network;
* how the cost of an order grows with the orders of the day already in the book (the broker
  side revisits every order of the institution on each call).

Orders are buys of one 005930 share by ``uberple`` (account 40113387510, ~62 M KRW), at a
frozen clock (2026-11-24 10:00 KST): ``resting`` limits at 19,100 (they stay live: one report
each) and ``marketable`` market orders (they fill at once: reports 0 and F; the latency is the
F's). Each figure starts from a reset world.

In process rather than against a served instance: it measures the order path itself, without
the load generator and the HTTP server sharing the two cores (``bench/run.py`` measures the
server), and the store is only observable in process.

    python bench/orders.py            # 1,000 orders per figure
    python bench/orders.py --quick    # 300 orders per figure

Nothing here asserts a timing; compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from run import CLOCK, percentile  # bench/ is the script's directory

from sandbox.app import Config, SandboxState, create_app
from sandbox.world.orders import records
from sandbox.world.world import WorldSettings

DAY = "20261124"
COM_ID, ACCOUNT = "uberple", "40113387510"
KEY, SECRET = "l7xxa55191ed000000000000000000000004", "a55191ed000000000000000000000005"
HEADERS = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode(),
           "comId": COM_ID}
THREADS = 8
_ids = itertools.count(1)


def order(kind: str) -> dict[str, Any]:
    cl_ord_id = f"B-{next(_ids):07d}"
    body = {"msgType": "D", "clOrdID": cl_ord_id, "account": ACCOUNT,
            "securityID": "KR7005930003", "side": "1", "ordType": "2", "price": 19100,
            "orderQty": 1, "transactTime": "20261124-01:00:00.000"}
    if kind == "marketable":
        body.update(ordType="1", price=None)
    return {"partner": {"comId": COM_ID, "srvId": "100"},
            "commonHeader": {"reqIdConsumer": cl_ord_id}, "newOrderSingleRequestBody": body}


class Reader(threading.Thread):
    """Follows the institution's messages by seqNo; notes when each report became readable."""

    def __init__(self, state: SandboxState, wanted: str) -> None:
        super().__init__(daemon=True)
        self.state, self.wanted = state, wanted  # execType whose time counts (0 or F)
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        seq = 1
        while not self.stop.is_set():
            key = f"{COM_ID}|{DAY}|{seq:08d}"
            message = self.state.world.store.get(records.REPORT, key)
            if message is None:
                records.wait_for_messages(0.05)
                continue
            at = time.perf_counter()
            report = message["executionReport"]
            if report["execType"] in (self.wanted, "8"):
                self.seen[report["clOrdID"]] = at
            seq += 1


def post(client: Any, payload: dict[str, Any], posted: dict[str, float],
         acks: list[float]) -> None:
    started = time.perf_counter()
    posted[payload["commonHeader"]["reqIdConsumer"]] = started
    response = client.post("/v1/samsung/order/new", json=payload, headers=HEADERS)
    acks.append((time.perf_counter() - started) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"order answered {response.status_code}: "
                         f"{response.get_data(as_text=True)[:300]}")


def run_orders(app: Any, kind: str, count: int, threads: int) -> dict[str, Any]:
    """``count`` orders from ``threads`` threads on a reset world; figures of the run."""
    state: SandboxState = app.extensions["sandbox"]
    state.reset()
    reader = Reader(state, "0" if kind == "resting" else "F")
    reader.start()
    posted: dict[str, float] = {}
    acks: list[float] = []
    payloads = [order(kind) for _ in range(count)]

    def worker(share: list[dict[str, Any]]) -> None:
        client = app.test_client()
        for payload in share:
            post(client, payload, posted, acks)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(payloads[i::threads],))
               for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    deadline = time.monotonic() + 10
    while len(reader.seen) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    reader.stop.set()
    reader.join()
    lags = [(reader.seen[c] - posted[c]) * 1000 for c in posted if c in reader.seen]
    rejected = sum(1 for m in records.reports(state.world, COM_ID, state.world.now().date())
                   if m["executionReport"]["execType"] == "8")
    tenth = max(1, count // 10)
    return {"orders": count, "threads": threads, "orders_per_s": round(count / elapsed, 1),
            "ack_p50_ms": percentile(acks, 50), "ack_p99_ms": percentile(acks, 99),
            "report_p50_ms": percentile(lags, 50), "report_p99_ms": percentile(lags, 99),
            "report_max_ms": round(max(lags), 2), "reports_seen": len(lags),
            "rejected": rejected,
            "ack_first_tenth_ms": round(statistics.mean(acks[:tenth]), 2),
            "ack_last_tenth_ms": round(statistics.mean(acks[-tenth:]), 2)}


def run_stomp(count: int) -> dict[str, Any]:
    """Served (gunicorn gthread): ``count`` resting orders posted one after the other over HTTP
    while a STOMP client subscribed to ``/user/queue/order`` receives their reports; the time
    from each POST to its ExecutionReport ``MESSAGE`` frame."""
    import tempfile

    import requests
    from run import emulator_spec, started
    from websockets.sync.client import connect

    from sandbox.families.order import stomp

    spec = emulator_spec("gthread", 32)
    received: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, started(spec, Path(tmp)) as (running, _):
        base = f"127.0.0.1:{running.spec.port}"
        with connect(f"ws://{base}/v1/order/ws", additional_headers=HEADERS) as ws:
            ws.send(stomp.encode(stomp.Frame.build("CONNECT", {"accept-version": "1.2",
                                                               "host": "bench"})))
            ws.recv(timeout=10)
            ws.send(stomp.encode(stomp.Frame.build("SUBSCRIBE", {
                "id": "0", "destination": "/user/queue/order", "ack": "auto"})))
            parser = stomp.Parser(1 << 22)

            def listen() -> None:
                while len(received) < count:
                    data = ws.recv(timeout=30)
                    at = time.perf_counter()
                    for frame in parser.feed(data.encode() if isinstance(data, str) else data):
                        if frame.command == "MESSAGE":
                            report = json.loads(frame.body)["executionReport"]
                            received.setdefault(report["clOrdID"], at)

            listener = threading.Thread(target=listen, daemon=True)
            listener.start()
            posted: dict[str, float] = {}
            with requests.Session() as session:
                for _ in range(count):
                    payload = order("resting")
                    posted[payload["commonHeader"]["reqIdConsumer"]] = time.perf_counter()
                    answer = session.post(f"http://{base}/v1/samsung/order/new", json=payload,
                                          headers=HEADERS, timeout=30)
                    if answer.status_code != 200:
                        raise SystemExit(f"order answered {answer.status_code}")
            listener.join(timeout=30)
    lags = [(received[c] - posted[c]) * 1000 for c in posted if c in received]
    return {"orders": count, "delivered": len(lags),
            "report_p50_ms": percentile(lags, 50), "report_p99_ms": percentile(lags, 99),
            "report_max_ms": round(max(lags), 2)}


def run(quick: bool) -> dict[str, Any]:
    count = 300 if quick else 1000
    app = create_app(Config(world=WorldSettings(seed=42, clock=CLOCK),
                            response_validation="off"))
    run_orders(app, "resting", 50, 1)  # warm-up: imports, schemas, market caches
    runs = {"resting_1": run_orders(app, "resting", count, 1),
            f"resting_{THREADS}": run_orders(app, "resting", count, THREADS),
            "marketable_1": run_orders(app, "marketable", count, 1),
            f"marketable_{THREADS}": run_orders(app, "marketable", count, THREADS)}
    single, many = runs["resting_1"], runs[f"resting_{THREADS}"]
    served = run_stomp(100 if quick else 300)
    return {"orders_per_s": single["orders_per_s"], "stomp": served,
            "stomp_report_p99_ms": served["report_p99_ms"],
            f"orders_per_s_{THREADS}_threads": many["orders_per_s"],
            "report_p99_ms": single["report_p99_ms"],
            f"report_p99_ms_{THREADS}_threads": many["report_p99_ms"], "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 orders per figure")
    figures = run(parser.parse_args(argv).quick)
    columns = ("orders_per_s", "ack_p50_ms", "ack_p99_ms", "report_p50_ms", "report_p99_ms",
               "report_max_ms", "ack_first_tenth_ms", "ack_last_tenth_ms", "rejected")
    print(f"{'run':<14}" + "".join(f"{c:>19}" for c in columns))
    for name, result in figures["runs"].items():
        print(f"{name:<14}" + "".join(f"{result[c]:>19}" for c in columns))
    served = figures["stomp"]
    print(f"served, STOMP: {served['delivered']}/{served['orders']} reports delivered; POST to "
          f"MESSAGE p50 {served['report_p50_ms']} ms, p99 {served['report_p99_ms']} ms, "
          f"max {served['report_max_ms']} ms")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
