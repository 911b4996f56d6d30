"""Real-time market streaming over WebSocket: ``/ws``, ``/ws_ksp`` and ``/ws_kdq``
(spec market/streaming.md, ERRATA 31-32)."""
