"""Reads of parties that more than one channel needs."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from portico.parties.models import Organization

# "Harbour Foods plc (C-1001)", as the console's suggestions write an organisation.
_ACCOUNT = re.compile(r"\(([^()]+)\)\s*$")


def organization_typed(organizations: QuerySet[Organization], typed: str) -> Organization | None:
    """The one organisation of `organizations` that `typed` names: its id, its account
    number, its exact name (any case), or "Name (account)". None for empty text;
    unknown or ambiguous text is a ValidationError that says which."""
    text = " ".join(typed.split())
    if not text:
        return None
    if text.isdigit() and len(text) <= 18:  # an id (larger would overflow the column)
        found = list(organizations.filter(pk=int(text))[:1])
    else:
        account = _ACCOUNT.search(text)
        if account:
            match = Q(account_number__iexact=account.group(1))
        else:
            match = Q(account_number__iexact=text) | Q(name__iexact=text)
        found = list(organizations.filter(match)[:2])
    if len(found) == 1:
        return found[0]
    if found:
        raise ValidationError(
            f"More than one organisation is called “{text}”: choose one from the "
            "suggestions, or type its account number.",
            code="ambiguous",
        )
    raise ValidationError(
        f"No organisation matches “{text}”. Type a name or an account number.",
        code="invalid_choice",
    )
