"""Watch-lists (관심종목 groups) an investor keeps at the broker (account.md §5).

Documented accounts take their groups from ``fixtures/accounts.yaml``, custom accounts from
their admin record; every other account gets one to four seeded groups of issues from the
universe (its followed issues first, ETFs in an "ETF" group), a pure function of (seed,
account). ``modifyDate`` is a day between the opening and the clock's date, or "" (optional
in the manual's example).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.world.accounts.holdings import CUSTOM_ACCOUNT, opened, scripted_accounts
from sandbox.world.accounts.ledger import profile
from sandbox.world.market.instruments import ETF, STOCK
from sandbox.world.market.noise import stream

if TYPE_CHECKING:
    from sandbox.world.identities import VirtualAccount
    from sandbox.world.world import World

_NAMES = ("관심종목00", "관심종목01", "반도체", "2차전지", "배당주", "바이오", "장기보유")


@dataclass(frozen=True)
class Group:
    name: str
    modified: str  # YYYYMMDD or ""
    codes: tuple[str, ...]  # ISINs


def groups(world: World, account: VirtualAccount) -> list[Group]:
    custom = world.store.get(CUSTOM_ACCOUNT, account.vt_acc_no)
    rows: list[dict[str, Any]] | None = custom.get("watchlists") if custom else None
    if rows is None and account.vt_acc_no in scripted_accounts():
        rows = scripted_accounts()[account.vt_acc_no].get("watchlists")
    if rows is not None:
        return [Group(str(r["groupName"]), str(r.get("modifyDate") or ""),
                      tuple(str(c) for c in r.get("codes", ()))) for r in rows]
    return _generated(world, account)


def _generated(world: World, account: VirtualAccount) -> list[Group]:
    universe = world.universe
    rng = stream(world.seed, "watchlists", account.vt_acc_no)
    followed = [universe.get(code) for code in
                profile(universe, world.seed, account.vt_acc_no, False).candidates]
    stocks = [i.isin for i in followed if i is not None and i.isin and i.kind != ETF]
    etfs = [i.isin for i in universe.select(ETF, "kospi") if i.isin]
    first, today = opened(account), world.now().date()
    span = max((today - first).days, 1)
    out = []
    for n, name in enumerate(rng.sample(_NAMES, rng.randint(1, 3))):
        pool = stocks if n == 0 else rng.sample(
            [i.isin for i in universe.select(STOCK, rng.choice(("kospi", "kosdaq")))
             if i.isin], 12)
        codes = tuple(rng.sample(pool, min(len(pool), rng.randint(3, 10))))
        day = first + timedelta(days=rng.randrange(span))
        out.append(Group(name, f"{min(day, today):%Y%m%d}" if rng.random() < 0.6 else "",
                         codes))
    if etfs and rng.random() < 0.4:
        out.append(Group("ETF", "", tuple(rng.sample(etfs, min(len(etfs), rng.randint(2, 6))))))
    return out

