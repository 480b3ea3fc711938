"""The one list of what can happen in Portico.

Every action records one of these names (`portico.events.record` refuses any other), so
the audit trail, the history pages, the webhooks and the event feed all speak the same
words. A name is `<subject>.<what happened>`; the subject says what the event's row
points at, which is what decides who may see it (`portico.access.may_see_event`).
Adding a name here is the whole of making it deliverable: webhooks can subscribe to it
and the feed shows it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    name: str
    # What the event is about: the kind of its subject row.
    subject: str
    summary: str
    # The keys its payload may carry; `record` refuses any other, so a payload's shape
    # is part of the name's contract with webhook receivers.
    payload: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return self.summary


def _types(*types: EventType) -> dict[str, EventType]:
    return {t.name: t for t in types}


def _keys(*keys: str) -> frozenset[str]:
    return frozenset(keys)


PRODUCT = "product"
TRANSACTION, INDIVIDUAL, ARTICLE, DOCUMENT, API_TOKEN, SESSION, EXPORT = (
    "transaction",
    "individual",
    "article",
    "document",
    "api_token",
    "session",
    "export",
)

# A feedback form (portico.surveys): staff read its events, as they read people's.
FORM = "form"

REGISTRY: dict[str, EventType] = _types(
    # --- transactions: the service desk's work ----------------------------------------
    EventType(
        "transaction.created",
        TRANSACTION,
        "Logged",
        _keys("number", "title", "profile", "priority"),
    ),
    EventType("transaction.profile_changed", TRANSACTION, "Profile changed", _keys("*")),
    EventType("transaction.text_changed", TRANSACTION, "Title or description changed", _keys("*")),
    EventType(
        "transaction.status_changed",
        TRANSACTION,
        "Status changed",
        _keys("status", "reason", "resolution"),
    ),
    EventType(
        "transaction.assigned", TRANSACTION, "Assigned for action", _keys("assignees", "names")
    ),
    EventType("transaction.forwarded", TRANSACTION, "Forwarded", _keys("team", "team_id")),
    EventType("transaction.withdrawn", TRANSACTION, "Withdrawn", _keys("status", "reason")),
    EventType("transaction.reopened", TRANSACTION, "Reopened", _keys("status", "reason")),
    EventType("transaction.viewed", TRANSACTION, "Viewed in the portal"),
    EventType(
        "satisfaction.answered",
        TRANSACTION,
        "Satisfaction survey answered",
        _keys("rating", "satisfied", "comment", "changed"),
    ),
    EventType(
        "product.flagged",
        PRODUCT,
        "Product flagged: abnormally many incidents this week",
        _keys("product", "label", "count", "expected", "p_value", "week_ending"),
    ),
    EventType(
        "satisfaction.followed_up", TRANSACTION, "Not-satisfied answer followed up", _keys("note")
    ),
    # A feedback form answered; on an anonymous form the actor is None ("Anonymous")
    # and the payload does not name the response (portico.surveys.feedback.submit).
    EventType(
        "form.answered", FORM, "Feedback form answered", _keys("title", "anonymous", "response")
    ),
    EventType(
        "note.added",
        TRANSACTION,
        "Note added",
        _keys("note", "visibility", "channel", "corrects", "by_staff", "announce", "cc"),
    ),
    EventType(
        "attachment.added",
        TRANSACTION,
        "File attached",
        _keys("attachment", "name", "size", "sha256"),
    ),
    EventType("attachment.deleted", TRANSACTION, "File deleted", _keys("attachment", "name")),
    EventType(
        "grant.added",
        TRANSACTION,
        "Permission granted",
        _keys("grant", "permission", "principal", "kind"),
    ),
    EventType(
        "grant.removed",
        TRANSACTION,
        "Permission removed",
        _keys("grant", "permission", "principal"),
    ),
    EventType("relation.added", TRANSACTION, "Related", _keys("kind", "other")),
    # An automation rule's notice, message or call: its other actions are the ordinary
    # events (a note, a forward…) with the rule as the actor.
    EventType(
        "rule.acted",
        TRANSACTION,
        "Automation rule acted",
        _keys("rule", "action", "kind", "recipients", "text"),
    ),
    EventType(
        "transactions.exported",
        EXPORT,
        "Transactions exported",
        _keys("format", "rows", "filters", "truncated"),
    ),
    # --- people -------------------------------------------------------------------------
    EventType("individual.updated", INDIVIDUAL, "Contact details changed", _keys("*")),
    EventType("individual.deactivated", INDIVIDUAL, "Deactivated", _keys("sessions_ended")),
    EventType("individual.reactivated", INDIVIDUAL, "Reactivated"),
    EventType(
        "individual.rule_acted",
        INDIVIDUAL,
        "Automation rule acted on a person",
        _keys("rule", "action", "kind", "recipients", "text"),
    ),
    EventType("individual.news_opted_in", INDIVIDUAL, "Opted in to news", _keys("via", "address")),
    EventType(
        "individual.news_opted_out",
        INDIVIDUAL,
        "Opted out of news",
        _keys("via", "address", "campaign"),
    ),
    EventType(
        "individual.mail_opted_out", INDIVIDUAL, "Opted out of e-mail", _keys("via", "address")
    ),
    EventType(
        "individual.mail_opted_in", INDIVIDUAL, "Opted back in to e-mail", _keys("via", "address")
    ),
    # --- knowledge ----------------------------------------------------------------------
    EventType("article.created", ARTICLE, "Article written", _keys("version", "before", "after")),
    EventType("article.changed", ARTICLE, "Article changed", _keys("version", "before", "after")),
    EventType(
        "article.published", ARTICLE, "Article published", _keys("version", "before", "after")
    ),
    EventType("document.added", DOCUMENT, "Download added", _keys("title")),
    # --- access -------------------------------------------------------------------------
    EventType("api_token.created", API_TOKEN, "API token created", _keys("*")),
    EventType("api_token.revoked", API_TOKEN, "API token revoked", _keys("*")),
    EventType("session.logged_in", SESSION, "Logged in"),
    EventType("session.login_failed", SESSION, "Log-in failed"),
    EventType("session.login_throttled", SESSION, "Log-in refused: too many failures"),
    EventType("session.logged_out", SESSION, "Logged out"),
    # --- webhooks: a subscriber's own test ------------------------------------------------
    EventType("webhook.ping", "webhook", "Test delivery", _keys("subscription")),
)

NAMES: tuple[str, ...] = tuple(REGISTRY)


class UnknownEvent(LookupError):
    pass


def get(name: str) -> EventType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownEvent(f"“{name}” is not an event in portico.events.registry.") from None
