"""The order service as a state machine (hypothesis): random sequences of new orders,
replaces, cancels, forced fills (``/_sandbox/orders/{comId}/fill``), reference-price moves
(``/_sandbox/orders/reference``) and clock advances on one account of ``00995``, through the
Flask test client, with the FIX and bookkeeping invariants checked after every step:

* every order: ``cumQty + leavesQty ≤ orderQty``, ``=`` while live; no live order has
  ``leavesQty 0``; ``cumQty`` is the sum of its fills;
* the institution's messages are numbered 1, 2, … without gaps; broker order numbers are
  unique;
* the account's 005930 position is the start plus the buy fills minus the sell fills of the
  ExecutionReports, and its ``KRW`` cash (D+2 basis) the start minus every buy's amount and
  commission plus every sell's amount less commission and taxes (the rounding of
  ``discretionary.book_of``: each cost rounded down per execution)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sandbox.app import SandboxState
from sandbox.world.accounts import ledger
from sandbox.world.market import calendar as cal
from tests.conftest import FROZEN, b2b_body, b2b_post, ok, set_clock
from tests.test_order import ACC, SAMSUNG, fields, send

LIVE = ("0", "1")
LAST_INSTANT = datetime.fromisoformat("2026-11-24T16:00:00+09:00")  # the clock stays on the day
prices = st.integers(500, 560).map(lambda n: n * 50)  # 25,000..28,000: inside the day's limits
_ids = itertools.count(1)


def books(client: FlaskClient) -> tuple[int, int]:
    """The account's 005930 quantity and its ``KRW`` (D+2) cash."""
    body = ok(b2b_post(client, "balancelist", b2b_body("balancelist", {
        "qrAccNo": ACC, "qrAssetType": "EQTY", "count": 100})))
    balance = body["balanceList"]["balance"][0]
    qty = sum(r["qty"] for r in balance["securitiesBalInfo"]
              if r["isinInfo"][0]["isinCode"] == SAMSUNG)
    (cash,) = [r["cashBalance"] for r in balance["cashBalInfo"] if r["crcyCode"] == "KRW"]
    return qty, cash


def fill_effect(report: dict[str, Any]) -> tuple[int, int]:
    """(shares, cash) of one execution, with the ledger's rounding."""
    gross = report["lastQty"] * report["lastPx"]
    commission = int(gross * ledger.COMMISSION)
    if report["side"] == "1":
        return report["lastQty"], -(gross + commission)
    return -report["lastQty"], gross - commission - int(gross * ledger.SELL_TAX)


class OrderMachine(RuleBasedStateMachine):
    def __init__(self, state: SandboxState, client: FlaskClient) -> None:
        super().__init__()
        state.reset()
        self.state, self.client = state, client
        self.chain_of: dict[str, str] = {}  # every accepted clOrdID → its chain's key
        self.start = books(client)

    # ---------------------------------------------------------------------------- helpers
    def view(self) -> dict[str, Any]:
        return ok(self.client.get("/_sandbox/orders/00995"))  # type: ignore[no-any-return]

    def chains(self) -> dict[str, dict[str, Any]]:
        return {chain["key"]: chain for chain in self.view()["orders"]}

    def request(self, api: str, body: dict[str, Any]) -> None:
        ok(send(self.client, api, body))
        chain = next((c for c in self.view()["orders"] if c["clOrdID"] == body["clOrdID"]),
                     None)
        if chain is not None:
            self.chain_of[body["clOrdID"]] = chain["key"]

    def target(self, data: st.DataObject) -> tuple[str, dict[str, Any]]:
        """A known clOrdID: half the time the latest one of a live order."""
        chains = self.chains()
        live = sorted(c["clOrdID"] for c in chains.values() if c["ordStatus"] in LIVE)
        known = st.sampled_from(sorted(self.chain_of))
        cl_ord_id = data.draw(st.sampled_from(live) | known if live else known, label="clOrdID")
        return cl_ord_id, chains[self.chain_of[cl_ord_id]]

    # ------------------------------------------------------------------------------ rules
    @rule(side=st.sampled_from(["1", "1", "2"]), market=st.booleans(), qty=st.integers(1, 30),
          price=prices, tif=st.sampled_from(["0", "0", "0", "3", "4"]))
    def new(self, side: str, market: bool, qty: int, price: int, tif: str) -> None:
        self.request("new", {**fields(side=side, ordType="1" if market else "2",
                                      price=None if market else price, orderQty=qty,
                                      timeInForce=tif), "clOrdID": f"M-{next(_ids):06d}"})

    @precondition(lambda self: self.chain_of)
    @rule(data=st.data(), price=st.none() | prices, cut=st.integers(0, 5))
    def replace(self, data: st.DataObject, price: int | None, cut: int) -> None:
        """A re-price (mostly of the whole quantity) or a quantity reduction."""
        cl_ord_id, chain = self.target(data)
        qty = chain["orderQty"] - cut if price is None or cut == 5 else chain["orderQty"]
        self.request("replace", {
            **fields(side=chain["side"], price=price or chain["price"] or 26000,
                     orderQty=max(qty, 1)),
            "msgType": "G", "clOrdID": f"R-{next(_ids):06d}", "origClOrdID": cl_ord_id})

    @precondition(lambda self: self.chain_of)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        cl_ord_id, chain = self.target(data)
        self.request("cancel", {**fields(side=chain["side"]), "msgType": "F",
                                "clOrdID": f"C-{next(_ids):06d}", "origClOrdID": cl_ord_id})

    @precondition(lambda self: self.chain_of)
    @rule(data=st.data())
    def forced_fill(self, data: st.DataObject) -> None:
        cl_ord_id, chain = self.target(data)
        qty = data.draw(st.integers(1, chain["leavesQty"] + 1), label="qty")
        before = len(self.view()["messages"])
        response = self.client.post("/_sandbox/orders/00995/fill",
                                    json={"clOrdID": cl_ord_id, "qty": qty})
        if chain["ordStatus"] in LIVE and qty <= chain["leavesQty"]:
            report = ok(response)["messages"][0]["executionReport"]
            assert (report["lastQty"], report["leavesQty"]) == (qty, chain["leavesQty"] - qty)
        else:
            assert response.status_code == 400, response.get_data(as_text=True)
            assert len(self.view()["messages"]) == before

    @rule(price=st.none() | prices)
    def move_reference(self, price: int | None) -> None:
        ok(self.client.post("/_sandbox/orders/reference", json={"code": "005930",
                                                                "price": price}))

    @rule(minutes=st.integers(1, 120))
    def advance_clock(self, minutes: int) -> None:
        later = cal.kst(self.state.world.now()) + timedelta(minutes=minutes)
        set_clock(self.state, min(later, LAST_INSTANT).isoformat())

    # -------------------------------------------------------------------------- invariants
    @invariant()
    def quantities_add_up(self) -> None:
        for chain in self.view()["orders"]:
            total = chain["cumQty"] + chain["leavesQty"]
            if chain["ordStatus"] in LIVE:
                assert total == chain["orderQty"] and chain["leavesQty"] > 0, chain
            assert total <= chain["orderQty"], chain
            assert chain["cumQty"] == sum(f["qty"] for r in chain["rows"] for f in r["fills"])

    @invariant()
    def numbering(self) -> None:
        view = self.view()
        assert [m["seqNo"] for m in view["messages"]] == list(range(1, len(view["messages"]) + 1))
        numbers = [r["orderNo"] for c in view["orders"] for r in c["rows"]]
        assert len(numbers) == len(set(numbers)) and None not in numbers

    @invariant()
    def books_follow_the_fills(self) -> None:
        shares, cash = self.start
        for message in self.view()["messages"]:
            report = message.get("executionReport")
            if report is not None and report["execType"] == "F":
                moved, paid = fill_effect(report)
                shares, cash = shares + moved, cash + paid
        assert books(self.client) == (shares, cash)


def test_the_order_state_machine(state: SandboxState, client: FlaskClient) -> None:
    assert cal.kst(state.world.now()).isoformat().startswith(FROZEN[:16])

    class OnThisApp(OrderMachine):
        def __init__(self) -> None:
            super().__init__(state, client)

    run_state_machine_as_test(OnThisApp, settings=settings(
        max_examples=30, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow]))
