"""The synchronous side of the order service (order.md §3.5-§3.9): the immediate
acknowledgement after the JSON-level checks (the request schemas); everything else is a
business outcome that the broker side (:mod:`sandbox.world.orders.engine`) reports as
messages, read back through ``orderdetail`` and the execution-report channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.errors import BadRequest, BrokerUnavailable
from sandbox.world.identities import App, Broker
from sandbox.world.orders import engine, hooks, scripts
from sandbox.world.world import World

Handler = Callable[[engine.Desk, dict[str, Any], dict[str, Any] | None], None]
# (request block, response block, FIX message type, broker side)
MESSAGES: dict[str, tuple[str, str, str, Handler]] = {
    "new": ("newOrderSingleRequestBody", "newOrderSingleResponseBody", "D", engine.new_order),
    "replace": ("orderCancelReplaceRequestBody", "orderCancelReplaceResponseBody", "G",
                engine.replace_order),
    "cancel": ("orderCancelRequestBody", "orderCancelResponseBody", "F", engine.cancel_order),
}
LISTS_REFUSED = "NewOrderList (35=E) and ListCancelRequest (35=K) are not supported"


def submit(world: World, app: App, com_id: str, broker: Broker, api: str,
           body: dict[str, Any], script: dict[str, Any] | None = None) -> dict[str, Any]:
    """Hand the message to the broker side, then acknowledge it (``ACCEPTED`` = accepted for
    routing: the outcome follows as messages). A broker switched down by the test hook answers
    503 ``op-exco 3600`` instead, after the JSON-level checks (§3.9).

    ``script``: the order directive of a matching scenario rule (not part of the platform;
    :mod:`sandbox.world.orders.scripts`), checked here (``ValueError``); one that does not
    apply to this message type (e.g. ``partial`` on a cancel) is ignored."""
    if script is not None:
        scripts.validate_script(script)
    if hooks.broker_down(world, broker.short_name):
        raise BrokerUnavailable(f"the order service of {broker.short_name} is down")
    request_block, response_block, msg_type, handler = MESSAGES[api]
    order = body[request_block]
    received = engine.utc_stamp(world.now())
    handler(engine.Desk(world, com_id, app.srv_id, broker), order,
            script if scripts.applies(script, api) else None)
    ack: dict[str, Any] = {"msgType": msg_type, "clOrdID": order["clOrdID"]}
    if api != "new":
        ack["origClOrdID"] = order["origClOrdID"]
    ack.update({"account": order["account"], "ackStatus": "ACCEPTED",
                "platformRecvTime": received})
    consumer = (body.get("commonHeader") or {}).get("reqIdConsumer")
    return {"commonHeader": {"reqIdPlatform": world.rand.stream("reqIdPlatform").uuid(),
                             "reqIdConsumer": consumer, "certDn": None, "ci": None},
            "resp": {"respCode": "200", "respMsg": "OK"}, response_block: ack}


def refuse_lists() -> dict[str, Any]:
    """§3.8: list messages are documented as unusable."""
    raise BadRequest(LISTS_REFUSED)
