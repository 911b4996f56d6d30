"""Account-family figures of the emulator, in process (no server): build, latency, memory.

* world build and reset with the default 1,000 generated users, and with 10,000;
* ``balance/search`` (ALL) and ``transaction/search`` (92 days) through the whole request
  pipeline (Flask test client: bearer token, schema, checks, holdings model, Java-double
  encoder; response validation off as in ``serve``), cold (the account's history generated
  and valued for the first time) and warm (median of repeats);
* RSS after every generated account of the world has been valued once.

    python bench/accounts.py            # prints a table, then one JSON line
    python bench/accounts.py --quick    # fewer accounts and repeats

Nothing here asserts a timing; compare runs on the same machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from market import rss_mb  # bench/ is the script's directory
from run import CLOCK, EMULATOR_APIKEY, figures_main

from sandbox.app import Config, create_app
from sandbox.world.accounts.holdings import statement
from sandbox.world.identities import User, VirtualAccount
from sandbox.world.world import World, WorldSettings

APP = "app-f9999-seed"


def ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def body(user: User, account: VirtualAccount, block: str, query: dict[str, Any]) -> Any:
    return {"partner": {"comId": "F9999", "srvId": "999"},
            "commonHeader": {"ci": user.ci, "reqIdConsumer": "bench"},
            "devInfo": {"ipAddr": "127000000001", "macAddr": "000000000000"},
            "accInfo": {"vtAccNo": account.vt_acc_no}, block: query}


def timed_post(client: Any, path: str, headers: dict[str, str], payload: Any) -> float:
    started = time.perf_counter()
    response = client.post(path, json=payload, headers=headers)
    elapsed = ms(started)
    if response.status_code != 200:
        raise SystemExit(f"POST {path} answered {response.status_code}: "
                         f"{response.get_data(as_text=True)[:300]}")
    return elapsed


def linked(world: World, count: int) -> list[tuple[User, VirtualAccount]]:
    out = []
    for user in world.ids.users.values():
        consent = user.consent(APP)
        if user.origin == "generated" and user.accounts and consent is not None \
                and consent.state == "linked" \
                and world.ids.brokers[user.accounts[0].broker].supports_all():
            out.append((user, user.accounts[0]))
        if len(out) == count:
            break
    return out


def run(quick: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for users in (1000, 10_000):
        started = time.perf_counter()
        World(WorldSettings(seed=1000 + users, clock=CLOCK, users=users))
        figures[f"world_build_{users}_users_ms"] = round(ms(started), 1)
    app = create_app(Config(world=WorldSettings(seed=42, clock=CLOCK),
                            response_validation="off"))
    state = app.extensions["sandbox"]
    started = time.perf_counter()
    state.reset()
    figures["reset_ms"] = round(ms(started), 1)
    client, world = app.test_client(), state.world
    repeats = 5 if quick else 20
    for name, block, query in (
            ("balance_all", "balanceRequestBody",
             {"queryType": {"assetType": "ALL", "count": 0, "page": "null"}}),
            ("transaction_92d", "transactionHistoryRequestBody",
             {"queryParams": {"fromDate": "20260825", "toDate": "20261124", "count": 50}})):
        cold, warm = [], []
        picked = linked(world, 20 if quick else 40)
        for user, account in picked[::2] if name == "balance_all" else picked[1::2]:
            token = client.post("/_sandbox/oauth/token",
                                json={"userId": user.id, "apiKey": EMULATOR_APIKEY}).get_json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            path = f"/v1/{account.broker}/account/{name.split('_')[0]}/search"
            payload = body(user, account, block, query)
            cold.append(timed_post(client, path, headers, payload))
            warm.append(statistics.median(timed_post(client, path, headers, payload)
                                          for _ in range(repeats)))
        figures[f"{name}_cold_ms"] = round(statistics.median(cold), 2)
        figures[f"{name}_cold_max_ms"] = round(max(cold), 1)
        figures[f"{name}_warm_ms"] = round(statistics.median(warm), 2)
    accounts = [a for u in world.ids.users.values() for a in u.accounts]
    started = time.perf_counter()
    for account in accounts[: 100 if quick else None]:
        statement(world, account)
    figures["accounts_valued"] = 100 if quick else len(accounts)
    figures["value_all_accounts_s"] = round(ms(started) / 1000, 1)
    figures["rss_mb_all_accounts"] = rss_mb()
    return figures


def main(argv: list[str] | None = None) -> int:
    return figures_main(run, __doc__ or "", "fewer accounts and repeats", argv)


if __name__ == "__main__":
    raise SystemExit(main())
