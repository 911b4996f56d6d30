"""Market data through our client: the emulator's prices are a pure function of seed and clock,
so a test can pin exact values and move time to see them change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sandbox.testing import Sandbox, SandboxClock
from tests.examples.client import stock_price
from tests.examples.conftest import API_KEY

KST = timezone(timedelta(hours=9))


def test_price_at_the_frozen_clock(sandbox: Sandbox) -> None:
    assert stock_price(sandbox.url, API_KEY, "005930") == 26650


def test_advancing_the_clock_changes_the_price(sandbox: Sandbox,
                                               sandbox_clock: SandboxClock) -> None:
    assert sandbox_clock.now() == datetime(2026, 11, 24, 10, 0, tzinfo=KST)
    before = stock_price(sandbox.url, API_KEY, "005930")
    assert sandbox_clock.advance("PT1H") == datetime(2026, 11, 24, 11, 0, tzinfo=KST)
    after = stock_price(sandbox.url, API_KEY, "005930")
    assert (before, after) == (26650, 26800)


def test_the_clock_stays_frozen_and_comes_back_at_the_next_test(
        sandbox_clock: SandboxClock) -> None:
    """Each test starts from the session's clock again (the world is reset before it)."""
    assert sandbox_clock.mode == "frozen"
    assert sandbox_clock.now() == datetime(2026, 11, 24, 10, 0, tzinfo=KST)
    assert sandbox_clock.advance(timedelta(minutes=30)).minute == 30
