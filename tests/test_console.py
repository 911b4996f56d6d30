"""The console at /_sandbox/ui in a real browser (issue 10): Debian's Chromium, headless, driven
by Playwright against the real server (``sandbox.testing.launch``, frozen clock).

Every test fails on a console error, an uncaught exception, a failed request or a request to
another origin than the sandbox's own (the console is offline). Skipped, with the reason, when
Chromium (``scripts/install-browser.sh``) or Python Playwright is missing.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.console import VIEWS
from sandbox.testing import SandboxServer, launch
from tests.conftest import B2B_CREDENTIALS, F9999_KEY

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SAMSUNG_PRICE = "/v2/market/stocks/kospi/005930/price"

try:
    from playwright.sync_api import Browser, Page, sync_playwright
    from playwright.sync_api import expect as _expect
except ImportError:  # pragma: no cover - the dev dependencies have it
    sync_playwright = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with launch() as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: SandboxServer) -> Iterator[Browser]:
    if sync_playwright is None:
        pytest.skip("Python Playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.is_file() and shutil.which("chromium") is None:
        pytest.skip("no Chromium at /usr/bin/chromium: run scripts/install-browser.sh")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.is_file() else shutil.which("chromium")),
            args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Console:
    """A page on the console and what went wrong in it."""

    page: Page
    url: str
    problems: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)  # answers >= 400 (some are expected)

    def open(self, view: str) -> None:
        self.page.goto(f"{self.url}/_sandbox/ui/{view}")
        self.expect(f"[data-testid=view-{view}]").to_be_visible()

    def nav(self, view: str) -> None:
        """Follow the navigation link (no reload)."""
        self.page.click(f"[data-testid=nav-{view}]")
        self.expect(f"[data-testid=view-{view}]").to_be_visible()

    def expect(self, selector: str) -> Any:
        return _expect(self.page.locator(selector).first)

    def text(self, selector: str) -> str:
        return str(self.page.locator(selector).first.inner_text())


def _watch(page: Page, url: str, console: Console) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            console.problems.append(f"console: {message.text} {message.location}")

    def on_failed(request: Any) -> None:
        # ERR_ABORTED: the test navigated away while a request was open (the event stream
        # always is); the console itself never aborts a request
        if "ERR_ABORTED" not in str(request.failure):
            console.problems.append(f"failed: {request.url} {request.failure}")

    def on_request(request: Any) -> None:
        if not request.url.startswith(url + "/") and not request.url.startswith("data:"):
            console.problems.append(f"left the sandbox: {request.url}")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            console.http_errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.problems.append(f"page error: {error}"))
    page.on("requestfailed", on_failed)
    page.on("request", on_request)
    page.on("response", on_response)


@pytest.fixture
def console(server: SandboxServer, browser: Browser) -> Iterator[Console]:
    server.admin.reset()
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  timezone_id="UTC", locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    watched = Console(page, server.url)
    _watch(page, server.url, watched)
    yield watched
    context.close()
    assert watched.problems == []


def call_price(url: str) -> requests.Response:
    """What a client app does: the stock price with the app F9999's key."""
    return requests.get(f"{url}{SAMSUNG_PRICE}", headers={"apikey": F9999_KEY}, timeout=30)


# ------------------------------------------------------------------------------ each view
READY = {
    "apps": "[data-testid=app-row]",
    "users": "[data-testid=user-row]",
    "market": "[data-testid=book-bid]",
    "orders": "[data-testid=orders-messages]",
    "journal": "[data-testid=journal-row]",
    "scenarios": "[data-testid=library-scenario]",
    "clock": "[data-testid=health] dd",
}


def test_every_view_loads_with_its_data(console: Console, server: SandboxServer) -> None:
    call_price(server.url)  # something for the journal
    console.open("apps")
    for view in VIEWS:  # through the navigation links, in place
        console.nav(view)
        console.expect(READY[view]).to_be_visible()
    assert console.page.locator("[data-testid=app-row]").count() == 0  # the view was replaced
    console.open("apps")
    console.expect("[data-testid=apps-table]").to_contain_text("l7xx230ef2235e34448c982eb192ac98e206")
    console.open("users")
    console.expect("[data-testid=users-table]").to_contain_text("박환덕")  # Korean, UTF-8
    console.open("market")
    console.expect("[data-testid=market-quote]").to_contain_text("삼성전자")
    console.expect("[data-testid=quote-price]").to_have_text("26,650")
    console.expect("[data-testid=chart-intraday] canvas").to_be_visible()
    console.expect("[data-testid=chart-history] canvas").to_be_visible()
    _expect(console.page.locator("[data-testid=book-ask]")).to_have_count(10)
    console.open("orders")
    console.expect("[data-testid=orders-institution]").to_have_value("00995")
    console.open("journal")
    console.expect("[data-testid=journal-row]").to_contain_text("market.stocks_price")
    console.open("scenarios")
    _expect(console.page.locator("[data-testid=library-scenario]")).to_have_count(14)
    console.open("clock")
    console.expect("[data-testid=clock-now]").to_have_text("2026-11-24 10:00:00 KST")
    console.expect("[data-testid=live-status]").to_have_attribute("data-state", "open")
    assert console.http_errors == []


def test_the_market_search_finds_an_instrument(console: Console) -> None:
    console.open("market")
    console.page.fill("[data-testid=market-search]", "SK하이닉스")
    console.page.click("[data-testid=market-result][data-code='000660']")
    console.expect("[data-testid=market-quote]").to_contain_text("000660")
    console.page.fill("[data-testid=market-search]", "K1")
    console.page.click("[data-testid=market-result][data-code='K1']")
    console.expect("[data-testid=order-book]").to_contain_text("no order book")


# ---------------------------------------------------------------------------- custom user
def test_create_a_custom_user(console: Console) -> None:
    console.open("users")
    page = console.page
    page.fill("[data-testid=form-id]", "qa-console")
    page.fill("[data-testid=form-name]", "김콘솔")
    page.select_option("[data-testid=form-broker]", "star")
    page.fill("[data-testid=form-cash]", "5000000")
    page.fill("[data-testid=form-holdings]", "005930 7")
    page.click("[data-testid=form-submit]")
    console.expect("[data-testid=user-created]").to_contain_text("qa-console")
    console.expect("[data-testid=users-table]").to_contain_text("김콘솔")
    console.expect("[data-testid=user-detail]").to_contain_text("qa-console")
    console.expect("[data-testid=holdings-table]").to_contain_text("KR7005930003")
    console.expect("[data-testid=holding-row]").to_contain_text("7")
    page.fill("[data-testid=users-search]", "")
    page.select_option("[data-testid=users-origin]", "custom")
    console.expect("[data-testid=user-row]").to_contain_text("qa-console")
    page.click("[data-testid=form-submit]")  # the same id again: the platform error is shown
    console.expect("[data-testid=form-error]").to_contain_text("400 op-apim 400")
    assert console.http_errors == [f"400 {console.url}/_sandbox/users"]


# ------------------------------------------------------------------- scenario -> journal
def test_a_scenario_shows_live_in_the_journal(console: Console, server: SandboxServer) -> None:
    console.open("scenarios")
    page = console.page
    page.fill("[data-testid=param-rate-limited-limit]", "1")
    page.click("[data-testid=activate-rate-limited]")
    console.expect("[data-testid=active-scenario][data-name=rate-limited]").to_contain_text(
        "limit=1")
    console.nav("journal")
    console.expect("[data-testid=journal-table]").to_be_visible()
    page.evaluate("window.__sameDocument = true")
    assert call_price(server.url).status_code == 200
    assert call_price(server.url).status_code == 429  # over the quota of 1
    row = page.locator("[data-testid=journal-row]", has_text="429").first
    _expect(row).to_contain_text("rate-limited/daily-quota")
    assert page.evaluate("window.__sameDocument") is True  # arrived live, no reload
    row.click()
    console.expect("[data-testid=detail-scenario]").to_contain_text("rate-limited / daily-quota")
    console.expect("[data-testid=detail-response-body]").to_contain_text(
        "API rate limit exceeded")
    page.select_option("[data-testid=filter-scenario]", "rate-limited")
    _expect(page.locator("[data-testid=journal-row]")).to_have_count(2)
    console.nav("scenarios")
    page.click("[data-testid=deactivate-rate-limited]")
    console.expect("[data-testid=scenario-active]").to_contain_text("No scenario is active")


# ------------------------------------------------------------------------- clock -> market
def test_advancing_the_clock_moves_the_market(console: Console, server: SandboxServer) -> None:
    console.open("market")
    page = console.page
    console.expect("[data-testid=quote-price]").to_have_text("26,650")
    points = int(page.get_attribute("[data-testid=chart-intraday]", "data-points") or 0)
    console.nav("clock")
    page.click("[data-testid=clock-step-PT1H]")
    console.expect("[data-testid=clock-now]").to_have_text("2026-11-24 11:00:00 KST")
    console.expect("[data-testid=clock-badge]").to_contain_text("11:00:00")
    console.nav("market")
    rest = call_price(server.url).json()["result"]["trdPrc"]
    assert rest == 26800
    console.expect("[data-testid=quote-price]").to_have_text("26,800")
    later = int(page.get_attribute("[data-testid=chart-intraday]", "data-points") or 0)
    assert later > points
    # another client moves the clock: the open view follows (clock event)
    requests.post(f"{server.url}/_sandbox/clock", json={"set": "2026-11-24T15:40:00"},
                  timeout=30)
    close = call_price(server.url).json()["result"]["trdPrc"]
    console.expect("[data-testid=quote-price]").to_have_text(f"{close:,}")
    console.expect("[data-testid=market-at]").to_contain_text("15:40:00")


# --------------------------------------------------------------------- live orders, reset
def test_execution_reports_arrive_live(console: Console, server: SandboxServer) -> None:
    console.open("orders")
    console.expect("[data-testid=orders-messages]").to_contain_text("no messages")
    key, secret = B2B_CREDENTIALS["00995"]
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    body = {"partner": {"comId": "00995", "srvId": "100"},
            "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "live-1"},
            "newOrderSingleRequestBody": {
                "msgType": "D", "clOrdID": "LIVE-1", "account": "0019923122221",
                "securityID": "KR7005930003", "securityIDSource": "4", "symbol": "005930",
                "securityExchange": "XKRX", "side": "1", "ordType": "2", "price": 26700,
                "orderQty": 3, "timeInForce": "0", "currency": "KRW",
                "transactTime": "20261124-01:00:00.000"}}
    answer = requests.post(f"{server.url}/v1/samsung/order/new", json=body, timeout=30,
                           headers={"Authorization": f"Basic {basic}", "comId": "00995"})
    assert answer.status_code == 200
    _expect(console.page.locator("[data-testid=order-message]")).to_have_count(2)
    console.expect("[data-testid=order-message]").to_contain_text("report: trade")
    console.expect("[data-testid=order-chain]").to_contain_text("LIVE-1")


def test_reset_asks_first(console: Console, server: SandboxServer) -> None:
    requests.post(f"{server.url}/_sandbox/clock", json={"advance": "P1D"}, timeout=30)
    console.open("clock")
    console.expect("[data-testid=clock-now]").to_have_text("2026-11-25 10:00:00 KST")
    page = console.page
    page.click("[data-testid=reset]")
    console.expect("[data-testid=reset-confirm-box]").to_be_visible()
    page.click("[data-testid=reset-cancel]")
    console.expect("[data-testid=reset-confirm-box]").to_be_hidden()
    console.expect("[data-testid=clock-now]").to_have_text("2026-11-25 10:00:00 KST")
    page.click("[data-testid=reset]")
    page.click("[data-testid=reset-confirm]")
    console.expect("[data-testid=reset-done]").to_contain_text("seed 42")
    console.expect("[data-testid=clock-now]").to_have_text("2026-11-24 10:00:00 KST")
