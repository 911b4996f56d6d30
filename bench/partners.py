"""Partner-service figures of the emulator, in process (no server): latency per family.

For one representative call of every partner family (the documented example requests),
through the whole request pipeline (Flask test client: API key, schema, model, response
validation off as in ``serve``): the first call of the process (cold: statements, corpora,
series and scores built) and the median of repeats (warm). A bare Flask view answering a
constant JSON body through the same test client is measured in the same run as the floor.

    python bench/partners.py            # prints a table, then one JSON line
    python bench/partners.py --quick    # fewer repeats

Nothing here asserts a timing; compare runs on the same machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask
from market import rss_mb  # bench/ is the script's directory
from run import CLOCK, EMULATOR_APIKEY, figures_main

from sandbox.app import Config, create_app
from sandbox.world.world import WorldSettings

#: (figure name, method, path, query or body)
CALLS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("bccard_index", "GET", "/bccard/businesstype/v1.0/index",
     {"page": "0", "size": "200", "search": "idxYM>202401", "sort": "desc"}),
    ("bccard_zscore_series", "GET", "/bccard/zscore/v1.0/index/005930", {"search": "idxYm>202001"}),
    ("ratestbed_riskapi_1y", "GET", "/v1/ratestbed/riskapi.json",
     {"algrthSn": "35", "startDate": "20251101", "endDate": "20261031"}),
    ("ratestbed_perfapi_1y", "GET", "/v1/ratestbed/perfapi.json",
     {"algrthSn": "35", "startDate": "20251101", "endDate": "20261031"}),
    ("bigbot_stock_analyzer", "GET", "/v1/bigbot/stock_analyzer", {"code": "005930"}),
    ("bigbot_ranked", "GET", "/v1/bigbot/ranked_stock_indicators", {"type": "3"}),
    ("haystack_search_30d", "GET", "/v1/haystack/news/economy,tech/_search",
     {"query": "삼성전자", "size": "20"}),
    ("haystack_trends_1y", "GET", "/v1/haystack/news/economy/_trends",
     {"query": "반도체", "interval": "1w", "from": "20251124", "to": "20261124"}),
    ("wavelet_prices_1y", "GET", "/v1/wavelet/prices/005930,000660",
     {"interval": "1d", "from": "20251124", "to": "20261124"}),
    ("fabotdw_debt_market", "GET", "/v1/fabotdw/debt", {}),
    ("fabotdw_sales_sector", "GET", "/v1/fabotdw/sales/fics/013", {}),
    ("fabotdw_rank", "GET", "/v1/fabotdw/fabot_rank/mix_score/1/20", {}),
    ("bookkeeper_fs", "GET", "/v1/bookkeeper/fs/ifrs/005930", {"max_depth": "2"}),
    ("nice_financial_state", "GET", "/v1/nice/companyFinancialIfo/financialStateTable",
     {"kiscode": "380725"}),
    ("thecheat_fraudsearch", "POST", "/v1/thecheat/fraudsearch",
     {"keyword": "01012345678", "keyword_type": "phone", "access_type": "user"}),
)


def timed(client: Any, method: str, path: str, payload: dict[str, Any]) -> float:
    headers = {"apikey": EMULATOR_APIKEY}
    started = time.perf_counter()
    if method == "GET":
        response = client.get(path, query_string=payload, headers=headers)
    else:
        response = client.post(path, json=payload, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{method} {path} answered {response.status_code}: "
                         f"{response.get_data(as_text=True)[:300]}")
    return elapsed


def bare_client() -> Any:
    bare = Flask("bare")

    @bare.get("/bare")
    def constant() -> dict[str, Any]:
        return {"result": {"data_length": 1, "data": [{"quarter": "202609", "debt": 91.4}]}}

    return bare.test_client()


def run(quick: bool) -> dict[str, Any]:
    started = time.perf_counter()
    app = create_app(Config(world=WorldSettings(seed=42, clock=CLOCK),
                            response_validation="off"))
    client = app.test_client()
    figures: dict[str, Any] = {"startup_ms": round((time.perf_counter() - started) * 1000, 1),
                               "rss_mb_start": rss_mb()}
    repeats = 5 if quick else 25
    bare = bare_client()
    figures["bare_flask_warm_ms"] = round(statistics.median(
        timed(bare, "GET", "/bare", {}) for _ in range(repeats * 4)), 3)
    for name, method, path, payload in CALLS:
        figures[f"{name}_cold_ms"] = round(timed(client, method, path, payload), 1)
        figures[f"{name}_warm_ms"] = round(statistics.median(
            timed(client, method, path, payload) for _ in range(repeats)), 2)
    figures["rss_mb_after"] = rss_mb()
    return figures


def main(argv: list[str] | None = None) -> int:
    return figures_main(run, __doc__ or "", "fewer repeats", argv)


if __name__ == "__main__":
    raise SystemExit(main())
