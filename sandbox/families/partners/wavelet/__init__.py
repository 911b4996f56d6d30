"""Partner family wavelet (partners.md)."""
