"""A rule's dry run (issue 22): "this rule would have matched these 12 transactions last
week", and what it would have done to each — worked out from the record, with nothing
run and nothing written.

An event rule is tried on the events of its kind recorded in the period (the audit
trail is the events), with the conditions the engine would test; a time rule on the
transactions whose moment, moved by each action's offset, fell in the period and had
not yet passed (not yet answered, resolved, closed). Both read the transactions as they
are now: a condition on the priority tests today's priority, which is what an
administrator changing a rule wants to know."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from portico.audit.models import Event
from portico.automations import engine
from portico.automations.actions import recipients, words
from portico.automations.conditions import Context, all_hold
from portico.automations.models import Action, Condition, Rule
from portico.mail.models import Kind as MailKind
from portico.parties.models import Individual
from portico.service.models import Status, Transaction

Kind = Action.Kind

# Enough for a page an administrator reads; the count says when there were more.
LIMIT = 200
# Events read at most: a rule on every note of a busy month stops here, and says so.
SCAN = 20_000

_STATUS_MAIL: dict[str, str] = {
    Status.Category.WAITING: MailKind.WAITING,
    Status.Category.RESOLVED: MailKind.RESOLVED,
    Status.Category.CLOSED: MailKind.CLOSED,
}


@dataclass
class Match:
    """A transaction (or a person, for a rule on people) the rule would have acted on."""

    at: datetime.datetime
    transaction: Transaction | None = None
    person: Individual | None = None
    times: int = 1
    # What it would have done, in the rule's order: "Notify: Morag Campbell".
    effects: list[str] = field(default_factory=list)


@dataclass
class DryRun:
    rule: Rule
    since: datetime.datetime
    until: datetime.datetime
    matches: list[Match] = field(default_factory=list)
    # Matched in all (the list stops at the limit), and whether the events ran past SCAN.
    total: int = 0
    events_read: int = 0
    cut_short: bool = False


def matches(
    rule: Rule, *, since: datetime.datetime, until: datetime.datetime, limit: int = LIMIT
) -> DryRun:
    """What the saved rule would have matched between `since` and `until`, newest
    first, one row per transaction (or person). Runs no action and writes nothing."""
    result = DryRun(rule=rule, since=since, until=until)
    conditions = list(rule.conditions.select_related("classification"))
    actions = list(
        Action.objects.filter(rule=rule)
        .select_related(
            "rule",
            "individual",
            "team",
            "classification",
            "choice",
            "priority",
            "permission",
            "webhook",
        )
        .order_by("position", "id")
    )
    if rule.trigger == Rule.Trigger.EVENT:
        _event_rule(result, rule, conditions, actions, limit)
    else:
        _time_rule(result, rule, conditions, actions, limit)
    return result


def _event_rule(
    result: DryRun, rule: Rule, conditions: list[Condition], actions: list[Action], limit: int
) -> None:
    if not rule.event:
        return
    events = (
        Event.objects.filter(
            action=rule.event, occurred_at__gte=result.since, occurred_at__lt=result.until
        )
        .exclude(rule_id=rule.pk)  # the engine never lets a rule set itself off
        .filter(depth__lt=engine.MAX_DEPTH)
        .order_by("-occurred_at", "-id")
    )
    found: dict[tuple[str, int], Match] = {}
    seen: set[tuple[str, int]] = set()
    # Many events are about one transaction: it is read once (as it is now, anyway).
    subjects: dict[tuple[int | None, str], Context] = {}
    for event in events[: SCAN + 1]:
        result.events_read += 1
        if result.events_read > SCAN:
            result.events_read = SCAN
            result.cut_short = True
            break
        if event.action == "note.added" and (event.data or {}).get("announce") is False:
            continue  # as the engine: the withdrawal's or reopening's own event tells
        subject = (event.subject_type_id, event.subject_id)
        if subject not in subjects:
            subjects[subject] = engine.context_for(event)
        read = subjects[subject]
        context = Context(event=event, transaction=read.transaction, person=read.person)
        if context.transaction is None and context.person is None:
            continue
        if not all_hold(conditions, context):
            continue
        key = (
            ("transaction", context.transaction.pk)
            if context.transaction is not None
            else ("person", context.person.pk if context.person else 0)
        )
        if key in found:
            found[key].times += 1
        if key in seen:
            continue
        seen.add(key)
        result.total += 1
        if len(found) < limit:
            found[key] = Match(
                at=event.occurred_at,
                transaction=context.transaction,
                person=context.person,
                effects=[describe(action, context) for action in actions],
            )
    result.matches = list(found.values())


def _time_rule(
    result: DryRun, rule: Rule, conditions: list[Condition], actions: list[Action], limit: int
) -> None:
    found: dict[int, Match] = {}
    for action in actions:
        for transaction, fires_at in _due(rule.timer, action, result.since, result.until):
            context = Context(event=Event(occurred_at=fires_at, data={}), transaction=transaction)
            if not all_hold(conditions, context):
                continue
            match = found.get(transaction.pk)
            if match is None:
                match = found[transaction.pk] = Match(at=fires_at, transaction=transaction)
            else:
                match.at = max(match.at, fires_at)
            match.effects.append(f"{fires_at:%d %b %H:%M}: {describe(action, context)}")
    ordered = sorted(found.values(), key=lambda m: m.at, reverse=True)
    result.total = len(ordered)
    result.matches = ordered[:limit]


def _due(
    timer: str, action: Action, since: datetime.datetime, until: datetime.datetime
) -> list[tuple[Transaction, datetime.datetime]]:
    """The transactions whose moment plus the action's offset fell in [since, until),
    with the moment it would have fired: those still short of what the timer waits for
    at that moment (no first response, not resolved, still waiting, not closed)."""
    rows = Transaction.objects.select_related(
        "application",
        "status",
        "priority",
        "organization__account_owner",
        "team__supervisor",
        "requester__user_group",
        "requester__organization",
    )
    offset = datetime.timedelta(minutes=action.after_minutes or 0)
    start, end = since - offset, until - offset
    found: list[tuple[Transaction, datetime.datetime]] = []
    match timer:
        case Rule.Timer.RESPONSE_DUE:
            query: QuerySet[Transaction] = rows.filter(
                response_due_at__gte=start, response_due_at__lt=end
            )
            for t in query[:SCAN]:
                assert t.response_due_at is not None
                fires = t.response_due_at + offset
                if t.first_response_at is None or t.first_response_at > fires:
                    found.append((t, fires))
        case Rule.Timer.RESOLUTION_DUE:
            query = rows.filter(resolution_due_at__gte=start, resolution_due_at__lt=end)
            for t in query[:SCAN]:
                assert t.resolution_due_at is not None
                fires = t.resolution_due_at + offset
                if t.resolved_at is None or t.resolved_at > fires:
                    found.append((t, fires))
        case Rule.Timer.WAITING:
            # The record keeps when the present wait began; earlier waits that ended
            # are not looked for.
            query = rows.filter(sla_paused_at__gte=start, sla_paused_at__lt=end)
            for t in query[:SCAN]:
                assert t.sla_paused_at is not None
                found.append((t, t.sla_paused_at + offset))
        case Rule.Timer.RESOLVED:
            # Blank: the application's reopen period, which differs per application.
            query = rows.filter(resolved_at__isnull=False, resolved_at__lt=until).filter(
                Q(closed_at__isnull=True) | Q(closed_at__gte=since)
            )
            if action.after_minutes is not None:
                query = query.filter(resolved_at__gte=start, resolved_at__lt=end)
            for t in query[:SCAN]:
                assert t.resolved_at is not None
                wait = (
                    offset
                    if action.after_minutes is not None
                    else datetime.timedelta(days=t.application.reopen_days)
                )
                fires = t.resolved_at + wait
                if since <= fires < until and (t.closed_at is None or t.closed_at > fires):
                    found.append((t, fires))
    return found


def _names(people: list[Individual]) -> str:
    active = [p.name for p in dict.fromkeys(people) if p is not None and p.active]
    return ", ".join(active) if active else "no one (nobody fits)"


def describe(action: Action, context: Context) -> str:
    """What the action would do for this event, in words; reads only."""
    label = action.get_kind_display()
    match action.kind:
        case Kind.NOTIFY:
            return f"Notify: {_names(recipients(action, context))}"
        case Kind.EMAIL_CUSTOMER:
            customer = context.customer if context.transaction is not None else None
            kind = _mail_kind(action, context)
            if customer is None or not kind:
                return f"{label}: nothing to send"
            return f"E-mail {customer.name}: {MailKind(kind).label}"
        case Kind.ASSIGN:
            return f"Assign: {_names(recipients(action, context))}"
        case Kind.GRANT:
            to = action.team.name if action.target == Action.Target.TEAM and action.team else ""
            return f"Grant {action.permission}: {to or _names(recipients(action, context))}"
        case Kind.SET_CLASSIFICATION:
            value = action.choice.label if action.choice else words(action.text, context)
            return f"Set {action.classification}: {value}"
        case Kind.SET_PRIORITY:
            return f"Set the priority: {action.priority}"
        case Kind.FORWARD:
            return f"Forward to {action.team}"
        case Kind.INTERNAL_NOTE:
            return f"Internal note: {words(action.text, context)[:120]}"
        case Kind.WEBHOOK:
            return f"Call the webhook {action.webhook.url if action.webhook else ''}".strip()
        case Kind.CLOSE:
            return "Close it" + (
                f", noting: {words(action.text, context)[:80]}" if action.text else ""
            )
    return str(label)


def _mail_kind(action: Action, context: Context) -> str:
    if action.mail_kind != Action.BY_STATUS:
        return action.mail_kind
    # The status the event moved to, as it was then (the transaction may have moved on).
    after = (context.data.get("status") or {}).get("after")
    t = context.transaction
    if t is None:
        return ""
    category = (
        Status.objects.filter(application_id=t.application_id, name=after)
        .values_list("category", flat=True)
        .first()
        if after
        else t.status.category
    )
    return _STATUS_MAIL.get(category or "", "")
