"""Bounces: a delivery status notification (or mail to a VERP address) matched to the
message Portico sent, and counted against the address it reports (portico.mail.models
.Address). Called by mail-in (portico.mail.inbound) in its one database transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from portico.mail import addresses, parsing
from portico.mail.models import Address
from portico.notify.models import Delivery


def delivery_key(message_id: str) -> str | None:
    """The delivery key of one of our Message-IDs (<key@our domain>), or None."""
    local, _, host = message_id.strip("<>").partition("@")
    if host.lower() == addresses.domain().lower() and re.fullmatch(r"[0-9a-f]{32}", local):
        return local
    return None


@dataclass(frozen=True)
class Counted:
    transaction_id: int | None
    reason: str


def count(parsed: parsing.Parsed, keys: list[str]) -> Counted:
    """Match a bounce to the delivery it reports (its VERP `keys`, else the original
    Message-IDs the report quotes) and count it against each address it names: a 5.x.x
    status is hard, 4.x.x soft; an address suppressed at the limit is no longer mailed."""
    report = parsing.bounce_report(parsed)
    keys = [*keys, *report.delivery_keys]
    keys += [key for mid in report.original_ids if (key := delivery_key(mid))]
    delivery = Delivery.objects.filter(key__in=keys).first() if keys else None
    if delivery is None:
        return Counted(None, "A bounce that matches no message Portico sent: not counted.")
    sent_to = {delivery.address.lower(), *(str(a).lower() for a in delivery.cc or [])}
    counted: dict[str, tuple[str, str]] = {}
    for address, status, diagnostic in report.recipients:
        target = address if address in sent_to else delivery.address.lower()
        if status[:1] in {"4", "5"} and (target not in counted or status[:1] == "5"):
            counted[target] = (status, diagnostic)
    if not counted:
        return Counted(
            delivery.transaction_id,
            f"A bounce of delivery {delivery.key} with no status: not counted.",
        )
    said = [_count(target, status, diagnostic) for target, (status, diagnostic) in counted.items()]
    # A campaign's message that bounced is counted as such on the campaign. Imported
    # here: the automations build on the mail channel, not the other way round.
    from portico.automations import campaigns

    campaigns.bounced(delivery)
    return Counted(delivery.transaction_id, f"Delivery {delivery.key}: " + " ".join(said))


def _count(address: str, status: str, diagnostic: str) -> str:
    Address.objects.get_or_create(address=address)
    row = Address.objects.select_for_update().get(address=address)
    hard = status.startswith("5")
    now = timezone.now()
    if hard:
        row.hard_bounces += 1
    else:
        row.soft_bounces += 1
    row.last_bounce_at = now
    row.last_bounce_reason = f"{status} {diagnostic}".strip()[:2000]
    said = f"{address}: {'hard' if hard else 'soft'} bounce ({status})."
    if (
        hard
        and row.suppressed_at is None
        and row.hard_bounces >= settings.PORTICO_MAIL_HARD_BOUNCE_LIMIT
    ):
        row.suppressed_at = now
        said += f" No longer mailed after {row.hard_bounces} hard bounces."
    row.save()
    return said
