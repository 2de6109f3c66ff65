"""Feature: the proposed team of a needs assessment, and swapping its members."""
