"""Named lists of experts: kept by recruiters, shared with planners."""
