"""Background work of mail (filled in by the inbound work)."""
