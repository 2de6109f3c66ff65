"""Administration's services outside any page: the audit trail read and its export recorded."""
