"""Common service (서비스연동): portal membership and the accounts a user linked to an app."""
