"""The recruiter's services: finding, vetting and keeping the roster's experts."""
