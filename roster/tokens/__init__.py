"""A person's personal access tokens for the API: made, shown once, listed, revoked."""
