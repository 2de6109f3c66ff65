"""The API for scripts and partner systems: /api/v1, its document and its operations."""
