"""Services of the recruiter's workspace: search, vetting, duplicates, merges, diversity."""
