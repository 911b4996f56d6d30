"""Generated portal users: the default world's crowd on top of the documented users.

``generate_users(seed, count, ...)`` is a pure function of its arguments (cached): Korean
names and portal ids from Faker ``ko_KR`` seeded by the world's seed, 88-character CIs
(base64 of 64 random bytes, like the documented ones), one to three virtual accounts each at
the live and virtual brokers, and consents to a subset of the apps that renew every year on
the day they were signed. About 2 % of consents have lapsed (the account APIs answer 4006 and
``consent/search`` omits the account) and 3 % of users hold no account yet, so a client's
unhappy paths have real users to run on.

Virtual account numbers have the documented shape (common.md §4.1): issuance ``YYMM`` + nine
digits + a five-digit sequence (``181292854886800001``).
"""

from __future__ import annotations

import base64
import random
from datetime import date, timedelta
from functools import lru_cache

from sandbox.world.identities import Consent, User, VirtualAccount
from sandbox.world.rand import Rand

PASSWORD = "fintech123@"  # the sandbox password of every seeded user (identities.md)
FIRST_OPENING = date(2014, 1, 2)
LAST_OPENING = date(2026, 6, 30)  # fixed, so the crowd does not depend on the clock
_ALIASES = ("주식투자용", "장기투자", "연금저축", "ISA", "펀드투자용", "비상금", "배당주", "")
_ACCOUNT_COUNTS = ((0, 0.03), (1, 0.55), (2, 0.30), (3, 0.12))
LAPSED_SHARE = 0.02
VIRTUAL_SHARE = 0.5  # accounts at the three sandbox brokers


def _pick_count(rng: random.Random) -> int:
    u = rng.random()
    for count, share in _ACCOUNT_COUNTS:
        if u < share:
            return count
        u -= share
    return 1


def _broker(rng: random.Random, virtual: tuple[str, ...], live: tuple[str, ...]) -> str:
    pool = virtual if (rng.random() < VIRTUAL_SHARE or not live) else live
    return rng.choice(pool or live)


def _account(rng: random.Random, owner: str, broker: str, sequence: int,
             taken: set[str]) -> VirtualAccount:
    span = (LAST_OPENING - FIRST_OPENING).days
    while True:
        opened = FIRST_OPENING + timedelta(days=rng.randrange(span))
        number = f"{opened:%y%m}{rng.randrange(10**9):09d}{sequence:05d}"
        if number not in taken:
            taken.add(number)
            break
    alias = rng.choice(_ALIASES) or broker
    real = f"{rng.randrange(10**10, 10**11)}"
    return VirtualAccount(vt_acc_no=number, broker=broker, owner=owner, alias=alias,
                          real_acc_no=real, opened=opened, origin="generated")


def _consents(rng: random.Random, apps: tuple[str, ...]) -> tuple[Consent, ...]:
    chosen = [app for app in apps if rng.random() < 0.6] or [rng.choice(apps)]
    out = []
    for app in chosen:
        signed = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        state = "expired" if rng.random() < LAPSED_SHARE else "linked"
        out.append(Consent(app, state=state, renews_on=(signed.month, signed.day)))
    return tuple(out)


@lru_cache(maxsize=4)
def generate_users(seed: int, count: int, brokers: tuple[str, ...], apps: tuple[str, ...],
                   taken: frozenset[str]) -> tuple[User, ...]:
    """``count`` portal users, the same for the same arguments (ids and account numbers avoid
    ``taken``)."""
    rand = Rand(seed)
    fake = rand.faker("population")
    rng = rand.for_key("population")
    virtual = tuple(b for b in brokers if b in ("cyber", "diamond", "star"))
    live = tuple(b for b in brokers if b not in virtual)
    used = set(taken)
    users = []
    for _ in range(count):
        name = fake.name()
        user_id = fake.user_name()
        while user_id in used:
            user_id = f"{fake.user_name()}{rng.randrange(100)}"
        used.add(user_id)
        ci = base64.b64encode(rng.randbytes(64)).decode("ascii")
        accounts = tuple(_account(rng, user_id, _broker(rng, virtual, live), n + 1, used)
                         for n in range(_pick_count(rng)))
        consents = _consents(rng, apps) if apps else ()
        signed = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        users.append(User(id=user_id, name=name, ci=ci, password=PASSWORD, accounts=accounts,
                          consents=consents, origin="generated",
                          terms_renew_on=(signed.month, signed.day)))
    return tuple(users)
