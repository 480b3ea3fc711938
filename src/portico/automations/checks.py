"""What a rule must keep as a whole (issue 22): its trigger named, and each action fitting
it — when a time rule's action runs, which customer message a rule can send.
`conditions.clean` and `actions.clean` judge one row alone; Systems Admin calls all of
them, and so would any other place rules are edited."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from portico.automations.models import Action, Rule
from portico.mail.models import Kind as MailKind

Kind = Action.Kind


def clean_trigger(*, trigger: str, event: str, timer: str) -> tuple[str, str]:
    """The rule's (event, timer) as stored: an event rule names its event and has no
    clock, a time rule names its clock and no event."""
    if trigger == Rule.Trigger.EVENT:
        if not event:
            raise ValidationError({"event": ["Choose the event the rule acts on."]})
        return event, ""
    if trigger == Rule.Trigger.TIME:
        if not timer:
            raise ValidationError({"timer": ["Choose the moment the rule's actions count from."]})
        return "", timer
    return event, timer


# Which customer messages fit which rule: the acknowledgement answers a new request, a
# note's message carries the note just added, a status message the status just reached,
# the reminder counts the days a request has waited. The rest of mail's kinds are sent
# by mail-in or the greetings, never by a rule.
_ON_CREATED = "transaction.created"
_ON_NOTE = "note.added"
_ON_STATUS = "transaction.status_changed"
_MAIL_FITS: dict[str, str] = {
    MailKind.ACKNOWLEDGEMENT: "on “transaction created”",
    MailKind.THANKS: "on “transaction created”",
    MailKind.NOTE: "on “note added”",
    Action.BY_STATUS: "on “status changed”",
    MailKind.WAITING: "on “status changed”",
    MailKind.RESOLVED: "on “status changed”",
    MailKind.CLOSED: "on “status changed”",
    MailKind.REMINDER: "on the timer “waiting on the customer”",
    MailKind.UPDATE: "on anything about a transaction",
}


def mail_fits(mail_kind: str, *, trigger: str, event: str, timer: str) -> bool:
    """Whether a rule with this trigger can send this customer message."""
    about_transaction = trigger == Rule.Trigger.TIME or not event.startswith("individual.")
    match mail_kind:
        case MailKind.ACKNOWLEDGEMENT | MailKind.THANKS:
            return trigger == Rule.Trigger.EVENT and event == _ON_CREATED
        case MailKind.NOTE:
            return trigger == Rule.Trigger.EVENT and event == _ON_NOTE
        case Action.BY_STATUS | MailKind.WAITING | MailKind.RESOLVED | MailKind.CLOSED:
            return trigger == Rule.Trigger.EVENT and event == _ON_STATUS
        case MailKind.REMINDER:
            return trigger == Rule.Trigger.TIME and timer == Rule.Timer.WAITING
        case MailKind.UPDATE:
            return about_transaction
    return False


def clean_in_rule(rule: Rule, rows: list[Action]) -> dict[int, dict[str, list[str]]]:
    """What is wrong with each action for its rule's trigger, by the row's index (the
    admin shows it on the field). `actions.clean` judges an action alone, this what it
    means in its rule."""
    problems: dict[int, dict[str, list[str]]] = {}
    for index, action in enumerate(rows):
        errors: dict[str, list[str]] = {}
        if rule.trigger == Rule.Trigger.TIME:
            reopen_period = action.kind == Kind.CLOSE and rule.timer == Rule.Timer.RESOLVED
            if action.after_minutes is None and not reopen_period:
                errors["after_minutes"] = [
                    "Say when, in minutes from the rule's moment (negative: before it)."
                ]
        elif action.after_minutes is not None:
            errors["after_minutes"] = ["Only a time rule's actions wait; leave this blank."]
        if action.kind == Kind.EMAIL_CUSTOMER and action.mail_kind:
            fits = mail_fits(
                action.mail_kind, trigger=rule.trigger, event=rule.event, timer=rule.timer
            )
            if not fits:
                where = _MAIL_FITS.get(action.mail_kind)
                errors["mail_kind"] = [
                    f"This message is sent by a rule {where}."
                    if where
                    else "Rules do not send this message (mail-in or the greetings do)."
                ]
        if errors:
            problems[index] = errors
    return problems
