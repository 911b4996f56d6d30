"""The simulated world (no Flask import): clock, randomness, identities and mutable state."""
