"""The order service's broker side (order.md §3-§7 [proposed]): order chains, matching against
the market simulator, execution reports with per-institution sequence numbers."""
