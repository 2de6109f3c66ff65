"""The dashboard: where the roster is thin."""
