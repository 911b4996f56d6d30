"""Market-data figures of the emulator, in process (no server): latency and memory.

* ten-year ``history`` requests (D, W and M cycles over 2016-11-24 … 2026-11-24, reqCnt 100)
  through the whole request pipeline (Flask test client: API key, schema, resolve, model,
  response validation off as in ``serve``), cold (first request of the process for that issue)
  and warm (median of repeats);
* a ``price`` GET and a whole-market ``multiquote`` list, cold and warm;
* RSS of the process after touching every instrument of the universe on one day (all stocks,
  ETFs, indices and the listed futures and options), i.e. the memory of the full universe.

    python bench/market.py            # prints a table, then one JSON line
    python bench/market.py --quick    # fewer issues and repeats

Nothing here asserts a timing; compare runs on the same machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from run import CLOCK, EMULATOR_APIKEY, figures_main  # bench/ is the script's directory

from sandbox.app import Config, create_app
from sandbox.world.market.instruments import FUTURE, INDEX, OPTION
from sandbox.world.world import WorldSettings

TEN_YEARS = {"inqStrtDd": "20161124", "inqEndDd": "20261124", "reqCnt": "100"}



def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def timed(client: Any, path: str, query: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    response = client.get(path, query_string=query or {}, headers={"apikey": EMULATOR_APIKEY})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}: "
                         f"{response.get_data(as_text=True)[:200]}")
    return elapsed


def run(quick: bool) -> dict[str, Any]:
    started = time.perf_counter()
    app = create_app(Config(world=WorldSettings(seed=42, clock=CLOCK),
                            response_validation="off"))
    client = app.test_client()
    figures: dict[str, Any] = {"startup_ms": round((time.perf_counter() - started) * 1000, 1),
                               "rss_mb_start": rss_mb()}
    per_cycle = 3 if quick else 10
    stocks = [i.code for i in app.extensions["sandbox"].world.universe.select("stock", "kospi")]
    repeats = 5 if quick else 20
    for k, cycle in enumerate(("D", "W", "M")):  # each cycle's issues are untouched (cold)
        cold, warm = [], []
        for code in stocks[k * per_cycle:(k + 1) * per_cycle]:
            path = f"/v2/market/stocks/kospi/{code}/history"
            query = TEN_YEARS | {"trnsmCycleTpCd": cycle}
            cold.append(timed(client, path, query))
            warm.append(statistics.median(timed(client, path, query) for _ in range(repeats)))
        figures[f"history_{cycle}_10y_cold_ms"] = round(statistics.median(cold), 2)
        figures[f"history_{cycle}_10y_warm_ms"] = round(statistics.median(warm), 2)
    price = "/v2/market/stocks/kospi/035720/price"
    figures["price_cold_ms"] = round(timed(client, price), 2)
    figures["price_warm_ms"] = round(statistics.median(timed(client, price)
                                                       for _ in range(repeats * 5)), 3)
    lists = "/v2/market/multiquote/stocks/kosdaq/lists"
    figures["multiquote_kosdaq_lists_cold_ms"] = round(timed(client, lists), 1)
    figures["multiquote_kosdaq_lists_warm_ms"] = round(timed(client, lists), 1)

    state = app.extensions["sandbox"]
    world = state.world
    at = world.now()
    universe, market = world.universe, world.market
    touched, started = 0, time.perf_counter()
    instruments = [i for i in universe if i.is_listed(at.date())]
    for kind in (FUTURE, OPTION):
        for code in universe.markets(kind):
            instruments += universe.select(kind, code, at.date())
    for inst in instruments:
        market.quote(inst, at)
        if inst.kind != INDEX:
            market.book(inst, at)
        touched += 1
    figures["universe_instruments"] = touched
    figures["universe_day_s"] = round(time.perf_counter() - started, 1)
    figures["rss_mb_full_universe"] = rss_mb()
    return figures


def main(argv: list[str] | None = None) -> int:
    return figures_main(run, __doc__ or "", "fewer issues and repeats", argv)


if __name__ == "__main__":
    raise SystemExit(main())
