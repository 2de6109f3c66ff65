"""Vetting: the queue of profiles under review, verified expertise, and decisions (/vetting)."""
