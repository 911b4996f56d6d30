"""The simulated KRX market (no Flask): instrument universe, calendar, rules and price model.

Market data is a pure function of (seed, instrument, trading day, time) with O(1) random
access: nothing is generated ahead of time, and nothing here holds mutable state.
"""
