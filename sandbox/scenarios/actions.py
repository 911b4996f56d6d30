"""The ``then`` of a rule: what an applied rule does to the world and to the call.

Side effects on the world (named state, market events, token expiry, rate-limit counters) are
made here, inside the engine's store transaction. What the gateway must do with the call is
left in the :class:`Outcome`: a terminal :class:`Reply` (respond, fault, 429, 401), a delay,
headers for the answer, effects for the family (``order``), a malformed body.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from sandbox.scenarios.loader import seconds
from sandbox.scenarios.matching import Request

if TYPE_CHECKING:
    from sandbox.world.world import World

RATES = "scenario_rate"  # store kind: one counter per (scenario, rule, caller) and window
RATE_BODY = {"message": "API rate limit exceeded"}  # ERRATA 7: in every mode
WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
MAX_DELAY = 600.0  # seconds: a lognormal tail never holds a thread longer
TIMEOUT_DEFAULT = 30.0
MARKET_KINDS = ("halt", "resume", "limit_up", "limit_down", "shock")


@dataclass(frozen=True)
class Reply:
    """A terminal answer decided by a rule. ``kind``: ``respond`` (status, headers, body as
    given), ``fault`` (``fault`` = the fault spec; the gateway renders it), ``rate_limited``
    (429) or ``token_expired`` (401)."""

    kind: str
    scenario: str
    rule: str
    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    fault: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What the active scenarios decided for one call."""

    touched: list[dict[str, Any]] = field(default_factory=list)
    near_misses: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0  # seconds
    reply: Reply | None = None
    headers: dict[str, str] = field(default_factory=dict)
    effects: dict[str, Any] = field(default_factory=dict)
    malformed: bool = False

    def journal(self) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if self.touched:
            entry["scenario"] = self.touched
        if self.near_misses:
            entry["nearMisses"] = self.near_misses
        if self.delay:
            entry["delayMs"] = round(self.delay * 1000, 3)
        return entry


@dataclass
class Context:
    """One rule being applied."""

    world: World
    request: Request
    scenario: str
    rule: str
    params: Mapping[str, Any]
    counters: dict[str, Any]  # the scenario's record: state and per-rule counters
    outcome: Outcome
    draws: int  # how many times the rule applied before (a key for its random draws)

    def random(self, purpose: str) -> float:
        """A uniform draw that is a pure function of the seed, the rule and the call count."""
        return self.world.rand.for_key("scenario", self.scenario, self.rule, purpose,
                                       self.draws).random()

    def gauss(self, purpose: str) -> float:
        return self.world.rand.for_key("scenario", self.scenario, self.rule, purpose,
                                       self.draws).gauss(0.0, 1.0)


# ------------------------------------------------------------------------------- templates
@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=512)
def _template(text: str) -> Any:
    return _environment().from_string(text)


def render(value: Any, context: Mapping[str, Any]) -> Any:
    """Render every string of ``value`` that holds ``{{`` or ``{%`` as a Jinja template."""
    if isinstance(value, dict):
        return {k: render(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, context) for v in value]
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return _template(value).render(context)
    return value


def template_context(ctx: Context) -> dict[str, Any]:
    request = ctx.request
    return {"params": dict(ctx.params), "now": request.now.isoformat(),
            "state": ctx.counters["state"], "count": ctx.draws + 1,
            "request": {"operation": request.operation, "method": request.method,
                        "path": request.path, "body": request.body,
                        "headers": request.headers, "broker": request.broker,
                        "app": request.app, "user": request.user, "ci": request.ci}}


# --------------------------------------------------------------------------------- actions
def apply(ctx: Context, then: Mapping[str, Any]) -> list[str]:
    """Apply a rule's ``then``; returns labels for the journal."""
    labels: list[str] = []
    if "set_state" in then:
        ctx.counters["state"] = then["set_state"]
        labels.append(f"set_state {then['set_state']}")
    if "market" in then:
        labels.append(market(ctx.world, then["market"], ctx.request.now, ctx.scenario))
    if "order" in then:
        kind = next(iter(then["order"]))
        if "order" in ctx.outcome.effects:  # one directive per order: the first rule's
            labels.append(f"order {kind} ignored: an earlier rule gave the order's outcome")
        else:
            ctx.outcome.effects["order"] = dict(then["order"])
            labels.append(f"order {kind}")
    if "rate_limit" in then:
        labels.append(_rate_limit(ctx, then["rate_limit"]))
    if "token" in then:
        labels.append(_expire_token(ctx))
    if "delay" in then:
        delay = _delay(ctx, then["delay"])
        ctx.outcome.delay += delay
        labels.append(f"delay {round(delay * 1000, 3)}ms")
    if "respond" in then and ctx.outcome.reply is None:
        spec = then["respond"]
        body = render(spec.get("body"), template_context(ctx))
        ctx.outcome.reply = Reply("respond", ctx.scenario, ctx.rule, spec.get("status", 200),
                                  body, render(spec.get("headers", {}), template_context(ctx)))
        labels.append(f"respond {ctx.outcome.reply.status}")
    if "fault" in then and ctx.outcome.reply is None:
        labels.append(_fault(ctx, then["fault"]))
    return labels


def _fault(ctx: Context, spec: Any) -> str:
    fault = {"type": spec} if isinstance(spec, str) else dict(spec)
    if fault["type"] == "malformed_body":
        ctx.outcome.malformed = True
        return "fault malformed_body"
    if fault["type"] == "timeout":
        fault["seconds"] = seconds(fault["after"]) if "after" in fault else TIMEOUT_DEFAULT
    ctx.outcome.reply = Reply("fault", ctx.scenario, ctx.rule, int(fault.get("status", 0)),
                              fault=fault)
    return f"fault {fault['type']}"


def _delay(ctx: Context, spec: Any) -> float:
    if isinstance(spec, str):
        return seconds(spec)
    if "fixed" in spec:
        return seconds(spec["fixed"])
    if "uniform" in spec:
        low, high = (seconds(v) for v in spec["uniform"])
        return low + (high - low) * ctx.random("delay")
    normal = spec["lognormal"]
    value = seconds(normal["median"]) * math.exp(normal.get("sigma", 0.5) * ctx.gauss("delay"))
    cap = seconds(normal["max"]) if "max" in normal else MAX_DELAY
    return min(value, cap, MAX_DELAY)


def _window_start(now: datetime, window: str) -> datetime:
    """Fixed windows of the world clock; a day starts at 00:00 UTC (ERRATA 6 and 7)."""
    size = WINDOWS[window]
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % size, UTC)


def _rate_limit(ctx: Context, spec: Mapping[str, Any]) -> str:
    window, per, limit = spec.get("window", "day"), spec.get("per", "app"), spec["limit"]
    request = ctx.request
    who = {"app": request.app, "user": request.user, "ip": request.remote, "all": "*"}[per]
    key = f"{ctx.scenario}/{ctx.rule}/{who or '-'}"
    start = _window_start(request.now, window)
    store = ctx.world.store
    record = store.get(RATES, key) or {}
    count = record.get("count", 0) + 1 if record.get("window") == start.isoformat() else 1
    store.put(RATES, key, {"window": start.isoformat(), "count": count})
    suffix = window.capitalize()
    headers = {f"X-RateLimit-Limit-{suffix}": str(limit),
               f"X-RateLimit-Remaining-{suffix}": str(max(0, limit - count))}
    ctx.outcome.headers.update(headers)
    if count <= limit:
        return f"rate_limit {count}/{limit} per {window}"
    reset = start + timedelta(seconds=WINDOWS[window])
    retry = max(1, math.ceil((reset - request.now).total_seconds()))
    if ctx.outcome.reply is None:
        ctx.outcome.reply = Reply("rate_limited", ctx.scenario, ctx.rule, 429, dict(RATE_BODY),
                                  {**headers, "Retry-After": str(retry)})
    return f"rate_limit exceeded {count}/{limit} per {window}, retry after {retry}s"


def _expire_token(ctx: Context) -> str:
    from sandbox.oauth.models import expire_access_token

    if ctx.request.token is None:
        return "token: the call carries no Bearer token"
    expire_access_token(ctx.world, ctx.request.token)
    if ctx.outcome.reply is None:
        ctx.outcome.reply = Reply("token_expired", ctx.scenario, ctx.rule, 401)
    return "token expired"


# ---------------------------------------------------------------------------------- market
def market_kind(spec: Mapping[str, Any]) -> tuple[str, str, float]:
    """(kind, code, percent) of a ``market`` action."""
    kind = next(k for k in MARKET_KINDS if k in spec)
    if kind == "shock":
        return kind, str(spec["shock"]["code"]), float(spec["shock"]["percent"])
    return kind, str(spec[kind]), 0.0


def check_market(world: World, spec: Mapping[str, Any]) -> None:
    """Raise ValueError when the action names an unknown code or cannot apply to it."""
    from sandbox.world.market import events

    kind, code, percent = market_kind(spec)
    if kind == "resume":
        kind = "halt"
    events.validate(world, kind, code, percent)


def market(world: World, spec: Mapping[str, Any], at: datetime, source: str) -> str:
    """Start (or, for ``resume``, end) a market event at ``at``."""
    from sandbox.world.market import events

    kind, code, percent = market_kind(spec)
    if kind == "resume":
        ended = events.resume(world, code, at)
        return f"market resume {code} ({ended} ended)"
    end = at + timedelta(seconds=seconds(spec["for"])) if "for" in spec else None
    events.add(world, events.MarketEvent(kind=kind, code=code, start=at, end=end,
                                         percent=percent, source=source))
    return f"market {kind} {code}" + (f" {percent:+g}%" if kind == "shock" else "")
