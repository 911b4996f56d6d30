"""Partner family nice (partners.md)."""
