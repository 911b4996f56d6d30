"""Hypothesis strategies shared by the fuzz tests: any JSON value, or one of a few chosen ones."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(
    max_size=24)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=10), inner, max_size=3), max_leaves=12)


def some(*values: Any) -> st.SearchStrategy[Any]:
    """One of ``values``, or any JSON value."""
    return st.sampled_from(values) | json_values
