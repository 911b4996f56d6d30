"""The market-data REST family (market README §5): one module of views per area."""

from sandbox.families.market import (  # noqa: F401  (importing registers the operations)
    routes_derivatives,
    routes_flows,
    routes_index,
    routes_multiquote,
    routes_stocks,
)
