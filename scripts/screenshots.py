#!/usr/bin/env python3
"""Screenshots of every console view (``make screenshots``) into ``docs/screenshots/<view>.png``.

    python scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

Serves the default world (seed 42, 1,000 generated users, clock frozen at
2026-11-24T10:00:00+09:00) on a free port, stages a little traffic through the platform API as
a client app would (orders of institution 00995, market calls, a scenario that makes a broker
fail), then opens each view in headless Chromium at 1280×800, waits for its data and writes
the PNG. Needs Chromium (``scripts/install-browser.sh``) and Python Playwright.
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.examples import new_order_body  # noqa: E402
from sandbox.testing import launch  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MARKET_KEY = "l7xx230ef2235e34448c982eb192ac98e206"  # app F9999 of the default world
B2B = ("l7xxa55191ed000000000000000000000002", "a55191ed000000000000000000000003")  # 00995


def order(url: str, number: int, qty: int, price: int, side: str = "1") -> None:
    """A limit order of institution 00995 for 005930 (HTTP Basic + comId, as a client)."""
    basic = base64.b64encode(":".join(B2B).encode()).decode()
    body = new_order_body(number, qty, price, side)
    requests.post(f"{url}/v1/samsung/order/new", json=body, timeout=30,
                  headers={"Authorization": f"Basic {basic}", "comId": "00995"})


def stage(url: str) -> None:
    """Traffic for the journal, orders and scenarios views."""
    market = {"apikey": MARKET_KEY}
    for path in ("stocks/kospi/005930/price", "stocks/kospi/005930/orderbook",
                 "stocks/kospi/035720/price", "index/kospi/K1/index"):
        requests.get(f"{url}/v2/market/{path}", headers=market, timeout=30)
    order(url, 1, 10, 26700)          # marketable: fills at once
    order(url, 2, 20, 26000)          # rests below the market
    order(url, 3, 777, 26700)         # more than the account's cash: rejected (3)
    requests.post(f"{url}/_sandbox/orders/00995/fill", timeout=30,   # QA hook: partial fill
                  json={"clOrdID": "ADV00995-20261124-000002", "qty": 5})
    requests.post(f"{url}/_sandbox/clock", json={"advance": "PT5S"}, timeout=30)
    requests.post(f"{url}/_sandbox/scenarios", json={"name": "broker-outage",
                                                     "params": {"calls": 5}}, timeout=30)
    order(url, 4, 5, 26500)           # answered 503 op-exco 3600 by the scenario
    requests.get(f"{url}/v2/market/stocks/kospi/999999/price", headers=market, timeout=30)


def shoot(page: Any, url: str, view: str, out: Path) -> None:
    page.goto(f"{url}/_sandbox/ui/{view}")
    ready = {
        "apps": "[data-testid=app-row]",
        "users": "[data-testid=user-row]",
        "market": "[data-testid=book-bid]",
        "orders": "[data-testid=order-message]",
        "journal": "[data-testid=journal-row]",
        "scenarios": "[data-testid=active-scenario]",
        "clock": "[data-testid=health] dd",
    }[view]
    page.wait_for_selector(ready)
    if view == "users":
        page.fill("[data-testid=users-search]", "hwanny")
        page.press("[data-testid=users-search]", "Enter")
        page.click("[data-testid=user-row]:has-text('hwanny')")
        page.wait_for_selector("[data-testid=holdings-table]")
    if view == "market":
        page.wait_for_selector("[data-testid=chart-intraday] canvas")
    if view == "journal":
        page.click("[data-testid=journal-row]:has-text('order.new')")
        page.wait_for_selector("[data-testid=detail-response-body]")
    page.wait_for_timeout(400)  # charts and fonts settle
    page.screenshot(path=str(out / f"{view}.png"))
    print(f"wrote {out / f'{view}.png'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("screenshots: Python Playwright is not installed (pip install -e '.[dev]')",
              file=sys.stderr)
        return 1
    if not Path(args.chromium).is_file():
        print(f"screenshots: no Chromium at {args.chromium} (scripts/install-browser.sh)",
              file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    from sandbox.console import VIEWS

    with launch(users=1000) as server, sync_playwright() as playwright:
        stage(server.url)
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT, locale="ko-KR", timezone_id="Asia/Seoul")
        for view in VIEWS:
            shoot(page, server.url, view, args.out)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
