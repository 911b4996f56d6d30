"""Partner family thecheat (partners.md)."""
