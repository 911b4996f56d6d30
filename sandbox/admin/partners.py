"""Admin API of the partner services: what is on, and fault injection for client testing
(partners.md §S "Fault injection"; rules in :mod:`sandbox.world.partners`)."""

from __future__ import annotations

from typing import Any

from sandbox.admin import admin
from sandbox.errors import BadRequest, NotFound
from sandbox.gateway.call import Call
from sandbox.world import partners


@admin("admin.partners", "GET", "/_sandbox/partners",
       "Partner services: retirement, injected faults, the faults each knows, variants on",
       body="none")
def partners_view(call: Call) -> dict[str, Any]:
    world = call.world
    return {
        "bugCompatible": world.settings.bug_compatible,
        "variants": {name: {"on": partners.variant(world, name), "description": text}
                     for name, text in partners.VARIANTS.items()},
        "asOf": (world.settings.partners_as_of.isoformat()
                 if world.settings.partners_as_of else None),
        "services": [{"family": s.family, "provider": s.provider, "name": s.name,
                      "retired": s.retired.isoformat() if s.retired else None,
                      "available": not partners.retired(world, s.family),
                      "faults": sorted(partners.active_faults(world, s.family)),
                      "knownFaults": list(partners.faults_of(s.family))}
                     for s in partners.SERVICES.values()],
    }


@admin("admin.partner_faults", "POST", "/_sandbox/partners/<family>/faults",
       "Test hook: switch a fault of a partner service on or off (down → 503, timeout → 408, "
       "and the service's documented data faults)")
def partner_faults(call: Call) -> dict[str, Any]:
    family = call.path_params["family"]
    if family not in partners.SERVICES:
        raise NotFound(f"unknown partner service {family}")
    fault = call.body["fault"]
    if fault not in partners.faults_of(family):
        raise BadRequest(f"/fault: {family} knows the faults "
                         f"{', '.join(partners.faults_of(family))}")
    return partners.set_fault(call.world, family, fault, bool(call.body.get("on", True)))
