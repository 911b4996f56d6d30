"""Request parsing and JSON Schema validation, mapped to the platform's errors.

* A body that is not a JSON object → ``op-apim 400`` (ERRATA 1 step 8).
* A field the spec lets trigger ``3003`` (ERRATA 3) is listed in its schema's ``required`` or
  marked ``"x-platform-required": true``; absent, ``null`` or blank → ``3003`` with the field's
  dotted JSON path as description (``op-spt`` in the common service).
* Any other violation → ``op-apim 400`` whose description starts with the JSON pointer.
"""

from __future__ import annotations

import json
import logging
import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sandbox.errors import BadRequest, MissingField, PartnerError, PlatformError

if TYPE_CHECKING:
    from sandbox.registry import Compiled

log = logging.getLogger("sandbox.validation")

MARKET_CATEGORY = "market"
PARTNER_PREFIX = "partner:"  # error_category "partner:<family>": partner validation (ERRATA 33)
_REQUIRED_KEYWORDS = {"required", "minLength", "pattern", "type", "minProperties"}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400: valid JSON, but no double can hold it
        raise ValueError(f"the number {text[:20]} is beyond the range of a double")
    return value


def parse_json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise BadRequest("the request body is empty; a JSON object is required")
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant,
                           parse_float=_finite_float)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(f"the request body is not valid JSON: {_short(exc)}") from None
    if not isinstance(value, dict):
        raise BadRequest("the request body must be a JSON object")
    return value


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def pointer(path: list[Any] | Any) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def dotted(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "null"))


def _missing_field(error: ValidationError) -> list[Any] | None:
    """The path of the required field this error is about, or None if it is another error."""
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [name for name in required if name not in instance]
        return [*error.absolute_path, missing[0]] if missing else None
    if (error.validator in _REQUIRED_KEYWORDS and isinstance(error.schema, dict)
            and error.schema.get("x-platform-required") and _is_blank(error.instance)):
        return list(error.absolute_path)
    return None


def to_platform_error(error: ValidationError, category: str | None) -> PlatformError:
    """``category`` is where ``3003`` comes from; None: the operation has no ``3003``;
    ``"market"``: market query errors (20055 input error, market README §6);
    ``"partner:<family>"``: the partner's ``400 Invalid parameters`` naming the parameter."""
    missing = _missing_field(error)
    if category is not None and category.startswith(PARTNER_PREFIX):
        name = dotted(missing if missing is not None else list(error.absolute_path))
        what = "is required" if missing is not None else _short(Exception(error.message))
        return PartnerError(category[len(PARTNER_PREFIX):], name or "body", what)
    if category == MARKET_CATEGORY:
        from sandbox.families.market.exceptions import InputError

        name = dotted(missing) if missing is not None else dotted(list(error.absolute_path))
        what = "is required" if missing is not None else _short(Exception(error.message))
        return InputError(f"{name or 'query'}: {what}")
    if missing is not None:
        if category is None:
            return BadRequest(f"{dotted(missing)}: a required field is missing or empty")
        return MissingField(dotted(missing), category=category)
    where = pointer(list(error.absolute_path)) or "/"
    return BadRequest(f"{where}: {_short(Exception(error.message))}")


def first_error(validator: Draft202012Validator, instance: Any) -> ValidationError | None:
    """The error to report: missing required fields first, then the shallowest violation."""
    errors: list[ValidationError] = list(validator.iter_errors(instance))
    if not errors:
        return None
    return min(errors, key=lambda e: (_missing_field(e) is None, len(e.absolute_path),
                                      [str(p) for p in e.absolute_path]))


def validate(validator: Draft202012Validator, instance: Any, category: str | None) -> None:
    error = first_error(validator, instance)
    if error is not None:
        raise to_platform_error(error, category)


@lru_cache(maxsize=8192)
def _query_error(compiled: Compiled, items: tuple[tuple[str, str], ...]) -> PlatformError | None:
    error = first_error(compiled.request, dict(items))
    return None if error is None else to_platform_error(error,
                                                         compiled.operation.error_category)


def validate_query(compiled: Compiled, query: dict[str, str]) -> None:
    """:func:`validate` for a query string (flat ``str`` values): the same verdict, cached by
    operation and query, since pollers repeat the same queries."""
    error = _query_error(compiled, tuple(sorted(query.items())))
    if error is not None:
        raise error  # rendering only reads it, so one instance serves every repeat
