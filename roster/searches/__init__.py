"""Saved searches: kept by name, run again from a link, watched for a daily digest."""
