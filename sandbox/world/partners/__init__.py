"""The partner services of the world (partners.md F, G, H): who they are, which documented
variants of their answers are switched on, and which faults a QA engineer has injected.

Each provider's data lives in a module of its own next to this one (financial statements,
the BC Card index, the RA testbed accounts, the news corpus, the fraud registry ...); every
value is a pure function of ``(seed, subject, date)`` so that the same request on the same
world date answers the same bytes.

* **Variants** (``WorldSettings.partner_variants``): documented answers of another era or
  document, off by default (ERRATA 35). ``bug_compatible`` (``WorldSettings``) switches on
  the documented quirks of the real 2020 sandbox (Fabot's ``null`` ratios, double ``result``,
  ``data_lnegth`` and ``undefined(undefined)``).
* **Retirement** (``WorldSettings.partners_as_of``): a service retired from the platform
  before that date answers 404 ``no Route matched`` (partners.md §0.3).
* **Faults** (admin ``POST /_sandbox/partners/<family>/faults``): ``down`` → 503,
  ``timeout`` → 408 (ERRATA 33) on every service; per service the documented data faults
  listed in :data:`FAULTS`. Kept in the store, so a reset clears them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.world.store import Record
    from sandbox.world.world import World


@dataclass(frozen=True)
class Service:
    family: str  # the subscription family and error category (ERRATA 33)
    provider: str
    name: str  # the service name of the manual
    retired: date | None  # removed from the platform's service index (partners.md §0.3)


SERVICES: dict[str, Service] = {s.family: s for s in (
    Service("bccard", "BC Card", "BC카드 업종정보", date(2022, 7, 13)),
    Service("ratestbed", "Koscom RA testbed", "RA테스트베드 알고리즘 운용실적", date(2022, 6, 3)),
    Service("bigbot", "Bigtree", "BIGBOT", date(2022, 7, 13)),
    Service("haystack", "Wyverple", "Haystack", date(2020, 6, 25)),
    Service("wavelet", "Wyverple", "Wavelet", None),
    Service("fabotdw", "BSMIT", "Fabotdw", date(2022, 6, 3)),
    Service("bookkeeper", "Wyverple", "Bookkeeper", date(2020, 6, 25)),
    Service("nice", "NICE Information Service", "NICE-기업정보", None),
    Service("thecheat", "TheCheat", "금융사기 피해이력 조회", date(2022, 7, 13)),
)}

#: Documented variants a caller can switch on (``--partner-variant``).
VARIANTS: dict[str, str] = {
    "thecheat-content-object": "TheCheat content as a JSON object with date_start/date_end "
                               "(2020 catalogue)",
    "nice-excel-names": "NICE outline field names of the 2022 Excel (etb_date, fa_bse_date, "
                        "kor_idscdnm) instead of the 2020 sample's camelCase",
    "fabot-rank-schema": "Fabot rank in the catalogue schema's shape (totalCount, data[]) "
                         "instead of the 2020 sample's bare array",
    "bigbot-object": "BIGBOT stock_analyzer as a bare object instead of a one-element array",
}

#: Faults per family; every family also knows ``down`` (503) and ``timeout`` (408).
COMMON_FAULTS = ("down", "timeout")
FAULTS: dict[str, tuple[str, ...]] = {
    "fabotdw": ("null-ratios",),  # every debt/sales value null (the 2020 sandbox)
    "bccard": ("empty-pages",),  # list endpoints answer empty pages
    "thecheat": ("db-error", "ip-denied"),  # result_code -1 / -2
}

_FAULT_KIND = "partner_fault"


def faults_of(family: str) -> tuple[str, ...]:
    return COMMON_FAULTS + FAULTS.get(family, ())


def active_faults(world: World, family: str) -> frozenset[str]:
    record = world.store.get(_FAULT_KIND, family)
    return frozenset(record["faults"]) if record else frozenset()


def has_fault(world: World, family: str, fault: str) -> bool:
    return fault in active_faults(world, family)


def set_fault(world: World, family: str, fault: str, on: bool) -> Record:
    """Switch one fault of a family on or off; the caller checked both names."""
    with world.store.transaction() as store:
        faults = set(active_faults(world, family))
        (faults.add if on else faults.discard)(fault)
        if faults:
            store.put(_FAULT_KIND, family, {"faults": sorted(faults)})
        else:
            store.delete(_FAULT_KIND, family)
    return {"family": family, "faults": sorted(faults)}


def variant(world: World, name: str) -> bool:
    """Whether the documented variant ``name`` (:data:`VARIANTS`) is switched on."""
    return name in world.settings.partner_variants


def retired(world: World, family: str) -> bool:
    """Whether the service is retired at the ``partners_as_of`` date (never by default)."""
    as_of = world.settings.partners_as_of
    service = SERVICES[family]
    return as_of is not None and service.retired is not None and service.retired <= as_of
