"""oppf-sandbox: an offline, deterministic emulator of the Koscom Open API Platform."""

__version__ = "0.1.0"
