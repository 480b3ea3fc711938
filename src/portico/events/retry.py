"""How long what failed waits before it is tried again: an event whose subscriber
failed, an e-mail the mail server refused, a webhook delivery the receiver did not take."""

import datetime


def backoff(
    attempts: int, *, base: datetime.timedelta, cap: datetime.timedelta
) -> datetime.timedelta:
    """base, 2×base, 4×base… after the 1st, 2nd, 3rd failed attempt, never over `cap`."""
    # The exponent is capped: a row that failed for days must not overflow timedelta.
    return min(base * (1 << min(max(attempts - 1, 0), 20)), cap)
