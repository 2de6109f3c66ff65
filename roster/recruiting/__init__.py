"""The recruiter's services: search, vetting, duplicates, gaps, lists, saved searches."""
