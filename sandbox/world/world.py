"""World: the single state root. A reset builds a new World from the same settings.

A World is built over a store. A fresh (or reset) world clears it and seeds it: the settings
that shape the data, the clock, the pre-seeded OAuth grants. A world built with
``restore=True`` over a store that already holds a world (``serve --state FILE`` at a
restart) takes that world back instead: the settings must match (:class:`StateMismatch`
names the option that differs), the clock continues from its stored state (it beats
``--clock``), the random streams whose draws became stored keys continue where they were,
and the custom users are added to the identities again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sandbox.world.clock import Clock
from sandbox.world.identities import Identities, load_identities
from sandbox.world.rand import Rand
from sandbox.world.store import MemoryStore, Store

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market
    from sandbox.world.market.universe import Universe

# Lifetimes of auth.md §4.7 and §6 (codes 10 minutes; lockout after 5 failures).
SCOPE_LIFETIMES = {"account": 2_592_000, "profile": 600}
CODE_LIFETIME = 600
LOCKOUT_THRESHOLD = 5

WORLD, RAND = "world", "rand_stream"  # store kinds: settings and clock; saved random streams
STATE_FORMAT = 2  # the layout of the records; a state file of another format is refused
# random streams whose draws become stored keys: a restored world continues them
DURABLE_STREAMS = ("oauth", "oauth-ticket", "custom-users")


@dataclass(frozen=True)
class Limits:
    """Caps of the kinds that grow with traffic (``serve --cap NAME=N``; README
    "Persistence"). Ephemeral kinds forget their oldest records beyond the cap (they answer
    as expired); kinds users expect to keep refuse the request that would go beyond it
    (:class:`~sandbox.world.store.CapacityError`, 503) and never drop anything."""

    orders: int = 50_000  # order chains (one per new order; about 2.5 kB each in memory)
    order_messages: int = 200_000  # execution reports and cancel rejects (about 0.6 kB each)
    custom_users: int = 10_000  # POST /_sandbox/users
    market_events: int = 1_000  # halts, locks and shocks of scenarios
    tokens: int = 100_000  # access tokens (the oldest are forgotten)
    refresh_tokens: int = 100_000  # refresh tokens (the oldest are forgotten)
    codes: int = 10_000  # authorization codes and consent tickets, each (oldest forgotten)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)


# The settings that shape stored data, with the serve option that sets each.
SHAPING_OPTIONS = {"seed": "--seed", "users": "--users", "strict": "--strict",
                   "later_brokers": "--later-brokers", "order_sessions": "--order-sessions",
                   "bug_compatible": "--bug-compatible", "partner_variants": "--partner-variant",
                   "partners_as_of": "--partners-as-of"}


class StateMismatch(Exception):
    """The stored world was made with other settings than this server's."""

    def __init__(self, option: str, stored: Any, given: Any) -> None:
        if option == "format":
            text = (f"the state was written in format {stored} by another version of "
                    f"oppf-sandbox (this one reads format {given}): use another --state file")
        else:
            text = (f"the state was written with {option} {_shown(stored)} and this server "
                    f"runs with {option} {_shown(given)}: start it with {option} "
                    f"{_shown(stored)}, or use another --state file")
        super().__init__(text)
        self.option, self.stored, self.given = option, stored, given


def check_settings(meta: dict[str, Any], settings: WorldSettings) -> None:
    """Raise :class:`StateMismatch` when the stored world's ``meta`` was made with other
    settings that shape data than ``settings``."""
    expected = settings.shaping()
    if meta.get("format") != STATE_FORMAT:
        raise StateMismatch("format", meta.get("format"), STATE_FORMAT)
    for name, option in SHAPING_OPTIONS.items():
        if meta.get(name) != expected[name]:
            raise StateMismatch(option, meta.get(name), expected[name])


def check_store(store: Store, settings: WorldSettings) -> None:
    """:func:`check_settings` for the world a store holds (nothing to check when empty)."""
    meta = store.get(WORLD, "settings")
    if meta is not None:
        check_settings(meta, settings)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ",".join(value) or "(none)"
    return "(none)" if value is None else str(value)


@dataclass(frozen=True)
class WorldSettings:
    seed: int = 42
    clock: str | None = None  # "now" | ISO instant
    speed: float | None = None
    strict: bool = False  # strict-fidelity mode of the spec (aliases and literals off)
    users: int = 1000  # generated portal users on top of the documented ones
    later_brokers: bool = False  # the [later] column of assetType ALL support (account.md §6)
    order_sessions: bool = False  # enforce the order session table (order.md §6.2)
    bug_compatible: bool = False  # the documented quirks of the real partner answers
    partner_variants: frozenset[str] = frozenset()  # world.partners.VARIANTS switched on
    partners_as_of: date | None = None  # services retired before this date answer 404

    def shaping(self) -> dict[str, Any]:
        """The settings that shape stored data, as JSON (the stored world's meta record)."""
        values = {name: getattr(self, name) for name in SHAPING_OPTIONS}
        values["partner_variants"] = sorted(self.partner_variants)
        values["partners_as_of"] = None if self.partners_as_of is None \
            else self.partners_as_of.isoformat()
        return {"format": STATE_FORMAT, **values}


class World:
    """Everything a request can see or change. Built from :class:`WorldSettings` and a store
    (see the module docstring for ``restore``)."""

    def __init__(self, settings: WorldSettings, store: Store | None = None,
                 limits: Limits | None = None, *, restore: bool = False) -> None:
        self.settings = settings
        self.seed = settings.seed
        self.limits = limits or Limits()
        self.clock = Clock.from_spec(settings.clock, settings.speed)
        self.rand = Rand(settings.seed)
        self.store: Store = store if store is not None else MemoryStore()
        self.ids: Identities = load_identities(self.rand, settings.users)
        # caches of data derived from the store, gone with the world (a reset builds a new one)
        self.derived: dict[tuple[str, ...], Any] = {}
        meta = self.store.get(WORLD, "settings") if restore else None
        self.restored = meta is not None
        with self.store.transaction():
            if meta is None:
                self._keep_state()
                self._seed_state()
            else:
                self._restore(meta)
                self._keep_state()
        self.started_at: datetime = self.clock.now()

    def _keep_state(self) -> None:
        """From now on the clock and the durable random streams save themselves."""
        self.rand.keep(DURABLE_STREAMS, self._save_stream)
        self.clock.on_change = self._save_clock

    def _save_clock(self, clock: Clock) -> None:
        self.store.put(WORLD, "clock", clock.snapshot())

    def _save_stream(self, name: str, snapshot: dict[str, Any]) -> None:
        """Keep the latest draw of a stream (concurrent draws may save out of order)."""
        with self.store.transaction():
            found = self.store.get(RAND, name)
            if found is None or found["n"] < snapshot["n"]:
                self.store.put(RAND, name, snapshot)

    def _seed_state(self) -> None:
        """Put the default world's mutable state in the store: the settings that shape it,
        the clock and the pre-seeded OAuth grants. (Links and consents are data of the
        users; the store only holds admin overrides.)"""
        from sandbox.oauth.models import seed_grants

        self.store.clear()
        self.store.put(WORLD, "settings", self.settings.shaping())
        self._save_clock(self.clock)
        seed_grants(self)

    def _restore(self, meta: dict[str, Any]) -> None:
        """Take back the stored world (see the module docstring)."""
        from sandbox.admin.users import restore_custom_users

        check_settings(meta, self.settings)
        clock = self.store.get(WORLD, "clock")
        if clock is not None:
            self.clock = Clock.from_snapshot(clock)
        for name, snapshot in self.store.scan(RAND):
            self.rand.stream(name).restore(snapshot)
        restore_custom_users(self)

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def universe(self) -> Universe:
        """The instrument universe (static per process; contracts are a function of the date)."""
        from sandbox.world.market.instruments import load_universe

        return load_universe()

    @property
    def market(self) -> Market:
        """The simulated market of this world's seed (shared by every world of the seed), with
        the world's market events laid over it (:mod:`sandbox.world.market.events`): the very
        same shared object while there are none."""
        from sandbox.world.market.events import market_for

        return market_for(self)

    @property
    def base_market(self) -> Market:
        """The seed's market without the world's market events: what the partner services
        read (their caches are keyed by the seed, and their data is about past days)."""
        return market_of(self.seed)


@lru_cache(maxsize=4)
def market_of(seed: int) -> Market:
    """A Market is a pure function of the seed: worlds rebuilt by a reset reuse its caches."""
    from sandbox.world.market.instruments import load_universe
    from sandbox.world.market.prices import Market

    universe = load_universe()
    return Market(seed, universe.get)
