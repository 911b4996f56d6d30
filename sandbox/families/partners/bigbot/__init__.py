"""Partner family bigbot (partners.md)."""
