"""Partner family fabotdw (partners.md)."""
