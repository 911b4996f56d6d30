"""``partner_op``: the registration every partner view uses (partners.md §0.2 and §S).

* Operation id ``partners.<family>_<name>`` (the stem of the documented example files, e.g.
  ``partners.fabotdw_dept_kospi``), schemas in ``schemas/partners/``.
* API key in the header or the query (ERRATA 4); the app must subscribe to the family or to
  the umbrella ``partners`` (403 ``op-auth 2100`` otherwise).
* Every path also answers with a trailing slash; GET parameters are the query, POST a JSON
  body (not JSON → ``op-apim 400``, ERRATA 33).
* Validation errors are the partner's ``400 Invalid parameters`` with the family as category
  and the offending parameter as description.
* Before the family's own checks: a service retired at ``--partners-as-of`` answers 404, and
  the injected faults ``down`` → 503 and ``timeout`` → 408 (ERRATA 33).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.errors import NotFound, RequestTimeout, ServiceUnavailable
from sandbox.gateway.call import Call
from sandbox.gateway.validation import PARTNER_PREFIX
from sandbox.registry import Handler, operation
from sandbox.world import partners


def partner_op(family: str, name: str, method: str, *paths: str, summary: str,
               resolve: Handler | None = None, **options: Any) -> Callable[[Handler], Handler]:
    """Register ``partners.<family>_<name>`` on ``paths`` (aliases after the first)."""
    if family not in partners.SERVICES:
        raise ValueError(f"unknown partner family {family}")
    return operation(f"partners.{family}_{name}", method, *paths, auth="apikey", family=family,
                     summary=summary, body="query" if method == "GET" else "json",
                     error_category=PARTNER_PREFIX + family, tags=(f"partners:{family}",),
                     strict_slashes=False, resolve=_gate(family, resolve), **options)


def _gate(family: str, resolve: Handler | None) -> Handler:
    def check(call: Call) -> None:
        world = call.world
        if partners.retired(world, family):
            raise NotFound(f"no Route matched with those values (the {family} service was "
                           f"retired on {partners.SERVICES[family].retired})")
        faults = partners.active_faults(world, family)
        if "down" in faults:
            raise ServiceUnavailable(f"the {family} partner service is down (fault hook)")
        if "timeout" in faults:
            raise RequestTimeout(f"the {family} partner service did not answer (fault hook)")
        if resolve is not None:
            resolve(call)

    return check
