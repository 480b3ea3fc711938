"""What customers are sent when something happens (filled in by the outbound work)."""
