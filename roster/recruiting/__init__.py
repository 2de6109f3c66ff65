"""Recruiters' services: finding, vetting, merging and reading the roster as a whole."""
