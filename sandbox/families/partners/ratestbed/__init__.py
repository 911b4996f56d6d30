"""Partner family ratestbed (partners.md)."""
