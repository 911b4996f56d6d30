"""Who sends an order message, and the messages the broker side publishes (order.md §5):
ExecutionReport (35=8) and OrderCancelReject (35=9) in their wrapper, numbered ``seqNo`` per
institution per trading day and stored for delivery (:mod:`records`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sandbox.world.market import calendar as cal
from sandbox.world.orders import records
from sandbox.world.orders.records import Record

if TYPE_CHECKING:
    from sandbox.world.identities import Broker
    from sandbox.world.world import World


@dataclass(frozen=True)
class Desk:
    """Who sends: the institution, its service code and the broker of the path."""

    world: World
    com_id: str
    srv_id: str
    broker: Broker

    @property
    def now(self) -> datetime:
        return cal.kst(self.world.now())

    @property
    def day(self) -> date:
        return self.now.date()


# ------------------------------------------------------------------------------ time formats
def utc_stamp(at: datetime) -> str:
    """FIX UTCTimestamp ``YYYYMMDD-HH:MM:SS.sss`` (order.md §3.3)."""
    return at.astimezone(UTC).strftime("%Y%m%d-%H:%M:%S.") + f"{at.microsecond // 1000:03d}"


def kst_stamp(at: datetime) -> str:
    """b2b ``orderTime``/``execTime``: KST ``YYYYMMDDHHMMSSxx`` (b2baccount.md Q6)."""
    local = cal.kst(at)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 10_000:02d}"


# ------------------------------------------------------------------------------ messages
def _publish(desk: Desk, chain: Record | None, kind: str, body: Record) -> Record:
    seq = records.next_number(desk.world, "seq", desk.com_id, records.ymd(desk.day))
    message = {"msgType": "8" if kind == "executionReport" else "9", "seqNo": seq,
               "sendingTime": utc_stamp(desk.now),
               "broker": chain["broker"] if chain else desk.broker.short_name,
               "partner": {"comId": desk.com_id, "srvId": chain["srv"] if chain else desk.srv_id},
               kind: body}
    records.save_report(desk.world, desk.com_id, desk.day, message)
    return message


def execution_report(desk: Desk, chain: Record, exec_type: str, at: datetime, *,
                     last: tuple[int, Any] = (0, 0), text: str | None = None,
                     reason: str | None = None) -> Record:
    """Publish an ExecutionReport of the chain; ``execID`` counts per order number."""
    order = chain["orderID"]
    if chain.get("execsOf", "") != order:
        chain["execsOf"], chain["execs"] = order, 0
    n = chain["execs"] = chain["execs"] + 1
    body = {
        "orderID": order, "origOrderID": chain.get("origOrderID"),
        "clOrdID": chain["clOrdID"], "origClOrdID": chain.get("origClOrdID"),
        "execID": f"{chain['day']}-{order}-{n - 1}" if order else None,
        "execType": exec_type, "ordStatus": chain["ordStatus"], "ordRejReason": reason,
        "account": chain["account"], "securityID": chain["securityID"],
        "securityIDSource": "4", "symbol": chain["symbol"], "side": chain["side"],
        "ordType": chain["ordType"], "price": chain["price"], "orderQty": chain["orderQty"],
        "timeInForce": chain["timeInForce"], "lastQty": last[0], "lastPx": last[1],
        "leavesQty": chain["leavesQty"], "cumQty": chain["cumQty"], "avgPx": chain["avgPx"],
        "transactTime": utc_stamp(at), "text": text,
    }
    return _publish(desk, chain, "executionReport", body)


def cancel_reject(desk: Desk, body: Record, chain: Record | None, response_to: str,
                   reason: str, text: str) -> Record:
    return _publish(desk, chain, "orderCancelReject", {
        "orderID": chain["orderID"] if chain else None, "clOrdID": body["clOrdID"],
        "origClOrdID": body.get("origClOrdID"),
        "ordStatus": chain["ordStatus"] if chain else "8", "account": body["account"],
        "cxlRejResponseTo": response_to, "cxlRejReason": reason, "text": text,
        "transactTime": utc_stamp(desk.now)})
