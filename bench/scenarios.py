"""What the scenario engine costs a call, in process (no server).

One cheap call (the KOSPI price of 005930, API key, response validation off as in ``serve``)
through the whole pipeline, median of repeats, with: no scenario active (the step returns at
once), one scenario whose rule addresses another family, ten scenarios of ten rules that all
address the call and miss on a body condition (twenty near misses journaled), and a daily
quota metering every call (a store read and write per call). A bare Flask view through the
same test client is the floor. Activation time of a library scenario is measured too.

    python bench/scenarios.py            # prints one line per figure, then one JSON line
    python bench/scenarios.py --quick    # fewer repeats

Nothing here asserts a timing; compare runs on the same machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from partners import bare_client  # bench/ is the script's directory
from run import CLOCK, EMULATOR_APIKEY, figures_main

from sandbox.app import Config, create_app
from sandbox.world.world import WorldSettings

PATH = "/v2/market/stocks/kospi/005930/price"


def per_call_us(client: Any, path: str, repeats: int, headers: dict[str, str]) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1e6)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: "
                             f"{response.get_data(as_text=True)[:200]}")
    return round(statistics.median(samples), 1)


def activate(client: Any, name: str, rules: list[dict[str, Any]]) -> None:
    response = client.post("/_sandbox/scenarios", json={"definition": {
        "name": name, "description": "bench", "rules": rules}})
    if response.status_code != 200:
        raise SystemExit(response.get_data(as_text=True))


def run(quick: bool) -> dict[str, Any]:
    app = create_app(Config(world=WorldSettings(seed=42, clock=CLOCK, users=0),
                            response_validation="off"))
    client = app.test_client()
    headers = {"apikey": EMULATOR_APIKEY}
    repeats = 200 if quick else 2000
    client.get(PATH, headers=headers)  # warm the tape
    figures: dict[str, Any] = {
        "bare_flask_us": per_call_us(bare_client(), "/bare", repeats, {}),
        "no_scenario_us": per_call_us(client, PATH, repeats, headers)}
    activate(client, "elsewhere", [{"when": {"family": "account"}, "then": {"delay": "1s"}}])
    figures["one_scenario_elsewhere_us"] = per_call_us(client, PATH, repeats, headers)
    client.delete("/_sandbox/scenarios")
    for n in range(10):
        activate(client, f"miss-{n}", [
            {"name": f"r{i}", "when": {"family": "market", "headers": {"x-never": "1"}},
             "then": {"fault": "broker_down"}} for i in range(10)])
    figures["hundred_rules_near_miss_us"] = per_call_us(client, PATH, repeats, headers)
    client.delete("/_sandbox/scenarios")
    activate(client, "quota", [{"then": {"rate_limit": {"limit": 10**9}}}])
    figures["rate_limit_metering_us"] = per_call_us(client, PATH, repeats, headers)
    client.delete("/_sandbox/scenarios")
    started = time.perf_counter()
    for _ in range(20):
        response = client.post("/_sandbox/scenarios", json={"name": "broker-outage"})
        if response.status_code != 200:
            raise SystemExit(response.get_data(as_text=True))
    figures["activate_library_ms"] = round((time.perf_counter() - started) / 20 * 1000, 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    return figures_main(run, __doc__ or "", "fewer repeats", argv)


if __name__ == "__main__":
    raise SystemExit(main())
