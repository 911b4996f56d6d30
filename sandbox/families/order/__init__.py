"""The order service (order.md §3 [proposed]): FIX-style REST for discretionary institutions."""
