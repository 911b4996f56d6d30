"""``NAME[:param=value,...]``: how ``serve --scenario`` and the pytest plugin name a scenario
(no dependencies, so the plugin can import it cheaply)."""

from __future__ import annotations


def parse_spec(text: str) -> tuple[str, dict[str, str]]:
    """``broker-outage:broker=samsung,calls=3`` → name and raw parameters (values stay text:
    the loader converts them to each parameter's declared type). Raises ValueError for an
    empty name, an item without ``=`` or a parameter given twice."""
    name, _, rest = text.strip().partition(":")
    name = name.strip()
    if not name:
        raise ValueError(f"scenario spec {text!r}: the name is missing (NAME[:k=v,...])")
    params: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, equals, value = item.partition("=")
        key = key.strip()
        if not equals or not key:
            raise ValueError(f"scenario spec {text!r}: {item!r} is not name=value")
        if key in params:
            raise ValueError(f"scenario spec {text!r}: parameter {key!r} is given twice")
        params[key] = value.strip()
    return name, params
