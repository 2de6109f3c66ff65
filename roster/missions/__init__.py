"""Mission services: needs assessments, shortlists as issued, call-outs, the record of decisions."""
