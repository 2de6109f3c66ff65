"""The recruiter's services: search, vetting, duplicates and the roster's make-up."""
