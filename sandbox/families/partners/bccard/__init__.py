"""Partner family bccard (partners.md)."""
