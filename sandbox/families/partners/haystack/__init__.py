"""Partner family haystack (partners.md)."""
