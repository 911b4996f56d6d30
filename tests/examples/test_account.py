"""The account service through our client, with a customer's token from the plugin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.testing import Sandbox
from tests.examples.client import PlatformError, balance
from tests.examples.conftest import COM_ID, GILDONG_CI, GILDONG_SAMSUNG, GILDONG_SHINHAN, NO_WAIT


def test_balance_with_the_customers_token(sandbox: Sandbox,
                                          sandbox_token: Callable[..., str]) -> None:
    summary = balance(sandbox.url, sandbox_token(), broker="shinhan", vt_acc_no=GILDONG_SHINHAN,
                      ci=GILDONG_CI, com_id=COM_ID, retry=NO_WAIT)
    assert summary["cashBalance"] == 6976542.0
    assert summary["totalAccVal"] == 151129246594.0


def test_a_broker_quirk_surfaces_as_a_platform_error(
        sandbox: Sandbox, sandbox_token: Callable[..., str],
        assert_called: Callable[..., list[dict[str, Any]]]) -> None:
    """samsung does not answer assetType ALL (documented); our client reports it, no retry."""
    with pytest.raises(PlatformError) as refused:
        balance(sandbox.url, sandbox_token(), broker="samsung", vt_acc_no=GILDONG_SAMSUNG,
                ci=GILDONG_CI, com_id=COM_ID, retry=NO_WAIT)
    assert (refused.value.category, refused.value.code) == ("samsung", 6004)
    assert_called("account.balance_search", times=1, status=refused.value.status)


def test_a_revoked_token_is_refused(sandbox: Sandbox,
                                    sandbox_token: Callable[..., str]) -> None:
    token = sandbox_token(user="gildong")
    sandbox.reset()  # a reset forgets every grant
    with pytest.raises(PlatformError) as refused:
        balance(sandbox.url, token, broker="shinhan", vt_acc_no=GILDONG_SHINHAN, ci=GILDONG_CI,
                com_id=COM_ID, retry=NO_WAIT)
    assert refused.value.status == 401
