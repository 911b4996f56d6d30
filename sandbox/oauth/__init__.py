"""The OAuth 2.0 authorization server (authorization code + refresh + revoke), on Authlib."""
