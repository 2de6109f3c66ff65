"""Call-outs from a role's shortlist: the planner asks candidates whether they are available."""
