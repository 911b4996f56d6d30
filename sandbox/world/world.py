"""World: the single state root. A reset builds a new World from the same settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

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


class World:
    """Everything a request can see or change. Built from :class:`WorldSettings` only."""

    def __init__(self, settings: WorldSettings, store: Store | None = None) -> None:
        self.settings = settings
        self.seed = settings.seed
        self.clock = Clock.from_spec(settings.clock, settings.speed)
        self.rand = Rand(settings.seed)
        self.store: Store = store if store is not None else MemoryStore()
        self.ids: Identities = load_identities(self.rand, settings.users)
        self.started_at: datetime = self.clock.now()
        self._seed_state()

    def _seed_state(self) -> None:
        """Put the default world's mutable state in the store: the pre-seeded OAuth grants.
        (Links and consents are data of the users; the store only holds admin overrides.)"""
        from sandbox.oauth.models import seed_grants

        self.store.clear()
        seed_grants(self)

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
