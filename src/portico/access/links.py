"""Links that work without logging in (an unsubscribe link in an e-mail; campaign
opt-outs and survey answers later): signed, for one person and one purpose (and, where
the purpose needs it, one thing, such as a transaction), and expiring.

A link is refused the same way whatever is wrong with it (altered, expired, made for
another purpose or person or thing): the refusal tells a guesser nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core import signing

if TYPE_CHECKING:
    from portico.parties.models import Individual

# Every purpose signs with its own salt, so a link made for one cannot be used for another.
_SALT = "portico.access.links:"
DEFAULT_AGE = datetime.timedelta(days=30)


class LinkRefused(Exception):
    """The one refusal: not a link that opens this."""

    def __init__(self) -> None:
        super().__init__("This link is not valid any more. Log in to do this instead.")


@dataclass(frozen=True)
class Link:
    person: Individual
    purpose: str
    scope: str


def make(
    person: Individual, purpose: str, *, scope: str = "", age: datetime.timedelta = DEFAULT_AGE
) -> str:
    """A token for `person` to do `purpose` (to `scope`, if given) until `age` from now."""
    expires = int((datetime.datetime.now(datetime.UTC) + age).timestamp())
    return signing.dumps([person.pk, scope, expires], salt=_SALT + purpose, compress=False)


def open_link(token: str, purpose: str, *, scope: str | None = None) -> Link:
    """The link's person, if `token` was made for `purpose` (and `scope`, when given),
    has not expired and its person is still active; else LinkRefused."""
    try:
        person_id, made_scope, expires = signing.loads(token, salt=_SALT + purpose)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkRefused from None
    now = datetime.datetime.now(datetime.UTC).timestamp()
    if not isinstance(expires, int) or expires < now:
        raise LinkRefused
    if scope is not None and made_scope != scope:
        raise LinkRefused
    from portico.parties.models import Individual

    person = Individual.objects.filter(pk=person_id, active=True).first()
    if person is None:
        raise LinkRefused
    return Link(person=person, purpose=purpose, scope=str(made_scope))
