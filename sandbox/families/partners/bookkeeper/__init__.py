"""Partner family bookkeeper (partners.md)."""
