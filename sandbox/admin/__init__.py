"""Emulator-only endpoints under ``/_sandbox/`` (no auth): health, world, clock, journal."""
