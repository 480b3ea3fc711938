"""What a rule's actions do. Each is a plain function of the action and the event's
context, run by the engine as the automation person (portico.automations.actor) with
the rule as the actor of every event it records. Changes go through the same service
actions the console uses, so a rule's change is checked, recorded and followed like a
person's; a notice or message records `rule.acted` so the transaction's history says
who was told, and by which rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.urls import reverse

from portico import access
from portico.automations.conditions import PRODUCT, Context
from portico.automations.models import Action, Rule
from portico.events import services as events
from portico.mail import outbound
from portico.mail.models import Kind as MailKind
from portico.notify.models import Notification
from portico.notify.services import notify
from portico.parties.models import Individual, User
from portico.service import actions as service
from portico.service.models import Channel, Choice, Note, Status, Transaction

Target = Action.Target
Run = Callable[[Action, Context, User], None]

_BY_CATEGORY: dict[str, str] = {
    Status.Category.WAITING: MailKind.WAITING,
    Status.Category.RESOLVED: MailKind.RESOLVED,
    Status.Category.CLOSED: MailKind.CLOSED,
}
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


class Skipped(Exception):
    """The action has nothing to act on for this event (no transaction, no one to tell):
    not a failure, nothing to retry."""


def words(text: str, context: Context) -> str:
    """A notice's or note's words with {{ number }}, {{ title }}, {{ by }}, {{ reason }},
    {{ comment }} (a survey answer's), {{ team }}, {{ names }}, {{ person }}, and for a
    flagged product {{ product }}, {{ count }} and {{ expected }}, filled in from the event."""
    t = context.transaction
    data = context.data
    team = data.get("team")
    values = {
        "number": t.number if t else "",
        "title": t.title if t else "",
        "by": context.event.actor_label or "Someone",
        "reason": str(data.get("reason") or ""),
        "comment": str(data.get("comment") or ""),
        "product": str(data.get("label") or ""),
        "count": str(data.get("count") if data.get("count") is not None else ""),
        "expected": str(data.get("expected") if data.get("expected") is not None else ""),
        "team": str(team.get("after", "")) if isinstance(team, dict) else "",
        "names": ", ".join(str(n) for n in data.get("names") or []),
        "person": context.person.name if context.person else "",
        "organization": (
            context.person.organization.name
            if context.person and context.person.organization
            else ""
        ),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text).strip()


def _assignees(transaction: Transaction) -> list[Individual]:
    return list(
        Individual.objects.filter(
            grants__transaction=transaction, grants__permission__on_task_list=True, active=True
        ).distinct()
    )


def _product_owner(context: Context) -> list[Individual]:
    code = context.profile.get(PRODUCT)
    if not code:
        return []
    owner = (
        Choice.objects.filter(classification__code=PRODUCT, code=code)
        .select_related("owner")
        .values_list("owner", flat=True)
        .first()
    )
    return list(Individual.objects.filter(pk=owner)) if owner else []


def recipients(action: Action, context: Context) -> list[Individual]:
    """The people an action is for, by its target."""
    t = context.transaction
    data = context.data
    match action.target:
        case Target.PERSON:
            return [action.individual] if action.individual else []
        case Target.TEAM:
            return list(Individual.objects.filter(organization=action.team, active=True))
        case Target.TEAM_SUPERVISOR:
            team = t.team if t else None
            return [team.supervisor] if team and team.supervisor else []
        case Target.ASSIGNEES:
            return _assignees(t) if t else []
        case Target.ASSIGNEES_SUPERVISORS:
            people = _assignees(t) if t else []
            return [p.supervisor for p in people if p.supervisor is not None]
        case Target.NEW_ASSIGNEES:
            return list(Individual.objects.filter(pk__in=data.get("assignees") or []))
        case Target.NEW_ASSIGNEES_SUPERVISORS:
            chosen = Individual.objects.filter(pk__in=data.get("assignees") or [])
            return [p.supervisor for p in chosen.select_related("supervisor") if p.supervisor]
        case Target.HOLDING_TEAM:
            return (
                list(Individual.objects.filter(organization_id=t.team_id, active=True))
                if t and t.team_id
                else []
            )
        case Target.FORWARDED_TEAM:
            team_id = data.get("team_id")
            if not team_id:
                return []
            return list(Individual.objects.filter(organization_id=int(team_id), active=True))
        case Target.ACCOUNT_OWNER:
            organization = t.organization if t else (context.person and context.person.organization)
            owner = organization.account_owner if organization else None
            return [owner] if owner else []
        case Target.PRODUCT_OWNER:
            return _product_owner(context)
        case Target.REQUESTER:
            customer = context.customer
            return [customer] if customer else []
    return []


def _acted(
    action: Action, context: Context, *, kind: str, to: Iterable[Individual], text: str
) -> None:
    data = {
        "rule": action.rule.name,
        "action": action.kind,
        "kind": kind,
        "recipients": [p.name for p in to],
        "text": text[:300],
    }
    if context.transaction is not None:
        # Internal: who on the staff was told, and by which rule, is the team's business.
        events.record("rule.acted", subject=context.transaction, data=data, internal=True)
    elif context.person is not None:
        events.record("individual.rule_acted", subject=context.person, data=data)


def _new(people: Iterable[Individual], context: Context, channel: str) -> list[Individual]:
    """Those not yet told of this event on this channel, by any rule: nobody twice."""
    fresh = []
    for person in dict.fromkeys(people):
        if person is None or not person.active or (channel, person.pk) in context.told:
            continue
        context.told.add((channel, person.pk))
        fresh.append(person)
    return fresh


def run_notify(action: Action, context: Context, actor: User) -> None:
    people = _new(recipients(action, context), context, "notice")
    if not people:
        raise Skipped("no one to tell")
    text = words(action.text, context) or f"Rule “{action.rule.name}”"
    kind = action.notice or Notification.Kind.RULE
    if context.transaction is not None:
        notify(recipients=people, kind=kind, transaction=context.transaction, text=text)
    else:
        link = ""
        if context.person is not None:
            link = reverse("console:individual", kwargs={"pk": context.person.pk})
        elif context.product is not None:
            link = reverse("reports:products")
        notify(recipients=people, kind=kind, transaction=None, text=text, link=link)
    _acted(action, context, kind=kind, to=people, text=text)


def run_email_customer(action: Action, context: Context, actor: User) -> None:
    t = context.transaction
    if t is None or t.requester is None:
        raise Skipped("no customer to write to")
    kind = action.mail_kind
    note: Note | None = None
    cc: list[Individual] = []
    if kind == Action.BY_STATUS:
        after = (context.data.get("status") or {}).get("after")
        # Moved on again since: the later change's own event tells the customer.
        if after is not None and after != t.status.name:
            raise Skipped("the status has moved on")
        kind = _BY_CATEGORY.get(t.status.category, "")
        if not kind:
            raise Skipped("nothing to tell of this status")
    if kind == MailKind.NOTE:
        note = context.note
        if note is None:
            raise Skipped("no note")
        cc = list(
            Individual.objects.select_related("user_group").filter(
                pk__in=context.data.get("cc") or []
            )
        )
    people = _new([t.requester, *cc], context, f"mail:{kind}")
    if not people:
        raise Skipped("already written to")
    delivery = outbound.compose(kind, t, people[0], note=note, cc=people[1:])
    if delivery is not None:
        _acted(action, context, kind=kind, to=people, text=delivery.subject)


def run_set_classification(action: Action, context: Context, actor: User) -> None:
    t = _transaction(context)
    classification = action.classification
    if classification is None:
        raise ValidationError("The action names no classification.")
    value = action.choice.code if action.choice else words(action.text, context)
    service.update_profile(
        actor=actor, transaction=t, values={classification.code: value}, channel=Channel.INTERNAL
    )


def run_set_priority(action: Action, context: Context, actor: User) -> None:
    t = _transaction(context)
    if action.priority is None:
        raise ValidationError("The action names no priority.")
    if t.priority_id == action.priority.pk:
        raise Skipped("already that priority")
    service.update_profile(actor=actor, transaction=t, priority=action.priority)


def run_forward(action: Action, context: Context, actor: User) -> None:
    t = _transaction(context)
    if action.team is None:
        raise ValidationError("The action names no team.")
    if t.team_id == action.team.pk:
        raise Skipped("already with that team")
    note = words(action.text, context) or f"Forwarded by the rule “{action.rule.name}”."
    service.forward(actor=actor, transaction=t, team=action.team, note=note)


def run_assign(action: Action, context: Context, actor: User) -> None:
    t = _transaction(context)
    people = [p for p in recipients(action, context) if access.may_be_assigned(p)]
    if not people:
        raise Skipped("no one to assign")
    service.assign(actor=actor, transaction=t, assignees=people)


def run_grant(action: Action, context: Context, actor: User) -> None:
    t = _transaction(context)
    if action.permission is None:
        raise ValidationError("The action names no permission.")
    if action.target == Target.TEAM and action.team is not None:
        service.grant(
            actor=actor, transaction=t, permission=action.permission, organization=action.team
        )
        return
    for person in recipients(action, context):
        service.grant(actor=actor, transaction=t, permission=action.permission, individual=person)


def run_internal_note(action: Action, context: Context, actor: User) -> None:
    t = _transaction(context)
    body = words(action.text, context) or f"Noted by the rule “{action.rule.name}”."
    service.add_note(actor=actor, transaction=t, body=body, visibility=Note.Visibility.INTERNAL)


def run_webhook(action: Action, context: Context, actor: User) -> None:
    from portico.webhooks import services as webhooks

    if action.webhook is None:
        raise ValidationError("The action names no webhook.")
    webhooks.deliver_event(subscription=action.webhook, event=context.event)
    if context.transaction is not None:
        _acted(action, context, kind="webhook", to=[], text=action.webhook.url)


def run_close(action: Action, context: Context, actor: User) -> None:
    """Close it, with a note saying why (a time rule's end of waiting, or of the reopen
    period). The note is shared and is the resolution the customer's "closed" message
    carries. `service.close` closes from Waiting or Resolved alike, which the standard
    flow's status control does not offer, with the SLA clock kept as for any move."""
    t = _transaction(context)
    if t.status.category == Status.Category.CLOSED:
        raise Skipped("already closed")
    service.close(actor=actor, transaction=t, note=words(action.text, context))


def run_ask_satisfaction(action: Action, context: Context, actor: User) -> None:
    """Ask the requester if they were satisfied (portico.surveys): the application's
    setting and the quiet days decide whether they are asked this time."""
    from portico.surveys import services as surveys

    t = _transaction(context)
    if t.status.category != Status.Category.RESOLVED:
        raise Skipped("not resolved (any more)")
    resolver = context.event.actor
    if resolver is not None and access.is_automation(access.individual_of(resolver)):
        resolver = None
    if surveys.ask(t, resolver=resolver) is None:
        raise Skipped("the requester is not asked this time")


def _transaction(context: Context) -> Transaction:
    if context.transaction is None:
        raise Skipped("the event is about no transaction")
    return context.transaction


RUN: dict[str, Run] = {
    Action.Kind.NOTIFY: run_notify,
    Action.Kind.EMAIL_CUSTOMER: run_email_customer,
    Action.Kind.SET_CLASSIFICATION: run_set_classification,
    Action.Kind.SET_PRIORITY: run_set_priority,
    Action.Kind.FORWARD: run_forward,
    Action.Kind.ASSIGN: run_assign,
    Action.Kind.GRANT: run_grant,
    Action.Kind.INTERNAL_NOTE: run_internal_note,
    Action.Kind.WEBHOOK: run_webhook,
    Action.Kind.CLOSE: run_close,
    Action.Kind.ASK_SATISFACTION: run_ask_satisfaction,
}


def clean(action: Action) -> None:
    """What each kind of action needs; the form and the API share it."""
    needs: dict[str, tuple[str, str]] = {
        Action.Kind.EMAIL_CUSTOMER: ("mail_kind", "Choose the message to send."),
        Action.Kind.SET_CLASSIFICATION: ("classification", "Choose the classification to set."),
        Action.Kind.SET_PRIORITY: ("priority", "Choose the priority."),
        Action.Kind.FORWARD: ("team", "Choose the team to forward to."),
        Action.Kind.GRANT: ("permission", "Choose the permission to grant."),
        Action.Kind.WEBHOOK: ("webhook", "Choose the webhook to call."),
    }
    errors: dict[str, list[str]] = {}
    if action.kind in needs:
        name, message = needs[action.kind]
        if not getattr(action, name if name in ("mail_kind",) else f"{name}_id"):
            errors[name] = [message]
    if action.kind in (Action.Kind.NOTIFY, Action.Kind.ASSIGN, Action.Kind.GRANT):
        if not action.target and not (action.kind == Action.Kind.GRANT and action.team_id):
            errors["target"] = ["Choose whom it is for."]
        if action.target == Target.PERSON and action.individual_id is None:
            errors["individual"] = ["Choose the person."]
        if action.target == Target.TEAM and action.team_id is None:
            errors["team"] = ["Choose the team."]
    choice = action.choice if action.choice_id else None
    if choice is not None and choice.classification_id != action.classification_id:
        errors["choice"] = ["That choice is not one of the classification's."]
    rule = action.rule if action.rule_id else None
    if rule is not None and rule.trigger == Rule.Trigger.TIME:
        # Blank means "the application's reopen period", which only a resolved one has.
        if action.after_minutes is None and rule.timer != Rule.Timer.RESOLVED:
            errors["after_minutes"] = ["Say when: minutes from the rule's moment (- before)."]
    elif rule is not None and action.after_minutes is not None:
        errors["after_minutes"] = ["Only a rule on time passing acts after a time."]
    if errors:
        raise ValidationError(errors)
