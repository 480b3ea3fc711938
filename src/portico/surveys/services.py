"""Asking a requester whether they were satisfied once their request is resolved, and
recording the answer (issue 23).

The e-mail's links are signed (portico.access.links) for one person and one
transaction, for 30 days, and work without logging in. Opening one only shows the
form: the answer is written when the person confirms it (a POST), since mail scanners
follow links. Answering again changes the one answer; it never counts twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db import transaction as db
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from portico import access
from portico.access import links, setup
from portico.access.transactions import visible_transactions
from portico.audit.models import Channel
from portico.events import services as events
from portico.mail import outbound
from portico.mail.models import Kind
from portico.notify.models import Delivery
from portico.parties.models import Individual, User
from portico.service.models import Application, Status, Transaction
from portico.statements import Statement
from portico.surveys.models import Answer, SatisfactionSetting

PURPOSE = "satisfaction"
LINK_AGE = datetime.timedelta(days=30)
# Applications whose requesters are asked unless an administrator says otherwise.
ASKING_BY_DEFAULT = ("service-issue", "complaint", "enquiry")
SATISFIED, NOT_SATISFIED = 2, 1
MAX_COMMENT = 4000


def setting_for(application: Application) -> SatisfactionSetting:
    """The application's survey setting, made with the defaults the first time."""

    def read() -> SatisfactionSetting:
        setting, _ = SatisfactionSetting.objects.get_or_create(
            application=application, defaults={"asks": application.code in ASKING_BY_DEFAULT}
        )
        return setting

    return setup.fresh(setup.remembered("satisfaction_setting", application.pk, read))


def satisfied(setting: SatisfactionSetting, rating: int) -> bool:
    """Whether a rating counts as satisfied: "satisfied" on two, 4 or 5 on five."""
    return rating >= (SATISFIED if setting.scale == SatisfactionSetting.Scale.TWO else 4)


_TWO_LABELS = {NOT_SATISFIED: "Not satisfied", SATISFIED: "Satisfied"}


def choices(setting: SatisfactionSetting) -> list[tuple[int, str]]:
    """The answers offered, as (rating, label), on the setting's scale."""
    return [(n, rating_label(setting, n)) for n in setting.ratings()]


def rating_label(setting: SatisfactionSetting, rating: int | None) -> str:
    """How a rating reads: "Satisfied" / "Not satisfied" on two, "4 of 5" on five."""
    if rating is None:
        return ""
    if setting.scale == SatisfactionSetting.Scale.TWO and rating in _TWO_LABELS:
        return _TWO_LABELS[rating]
    return f"{rating} of 5"


def pending(person: Individual, user: User) -> list[Answer]:
    """The questions `person` was sent (within the links' 30 days) and has not answered,
    about transactions `user` may see — what the portal's banners ask. The questions
    are read first: most people have none, and then the visibility filter, which cost
    more to build than the query to run, is never built."""
    asked = list(
        Answer.objects.filter(
            person=person,
            sent_at__isnull=False,
            sent_at__gt=timezone.now() - LINK_AGE,
            answered_at__isnull=True,
        )
        .select_related("transaction")
        .order_by("-sent_at")
    )
    if not asked:
        return []
    visible = set(
        visible_transactions(user)
        .filter(pk__in={answer.transaction_id for answer in asked})
        .values_list("pk", flat=True)
    )
    return [answer for answer in asked if answer.transaction_id in visible]


def asked(person: Individual, transaction: Transaction) -> Answer | None:
    """`person`'s question about `transaction`, once its e-mail went (None before: a
    delayed question is not asked anywhere yet)."""
    return _ASKED.one(person=person.pk, transaction=transaction.pk)


# The portal's page of a transaction asks on every view (portico.statements).
_ASKED = Statement(
    lambda person, transaction: Answer.objects.filter(
        person_id=person, transaction_id=transaction, sent_at__isnull=False
    ).order_by("pk")[:1],
    person=int,
    transaction=int,
)


def link(person: Individual, transaction: Transaction, rating: int | None = None) -> str:
    """The survey page's address for `person` about `transaction`, with `rating` chosen."""
    token = links.make(person, PURPOSE, scope=transaction.number, age=LINK_AGE)
    url = settings.PORTICO_SITE_URL + reverse("surveys:answer", kwargs={"token": token})
    return url if rating is None else f"{url}?rating={rating}"


def open_survey(token: str) -> tuple[Individual, Transaction]:
    """The person and transaction of a survey link, or links.LinkRefused — the one
    refusal for an altered, expired or foreign link, and for a transaction its person
    may no longer see."""
    opened = links.open_link(token, PURPOSE)
    found = Transaction.objects.select_related("application").filter(number=opened.scope).first()
    if found is None or not _may_answer(opened.person, found):
        raise links.LinkRefused
    return opened.person, found


def _may_answer(person: Individual, transaction: Transaction) -> bool:
    if person.user is None or not person.user.is_active:
        return person.pk == transaction.requester_id
    return visible_transactions(person.user).filter(pk=transaction.pk).exists()


def ask(
    transaction: Transaction,
    *,
    resolver: User | None = None,
    now: datetime.datetime | None = None,
) -> Answer | None:
    """Ask the requester of a resolved `transaction` if they were satisfied: an Answer
    row waiting for them and, unless the application's setting delays it, the e-mail
    with the rating links (with a delay, `send_due` writes it once it falls due). None
    when they are not asked: the application does not ask, there is no requester, they
    were asked about this one already, or about any request in the last
    PORTICO_SATISFACTION_QUIET_DAYS (counted from when each question was due)."""
    now = now or timezone.now()
    person = transaction.requester
    if person is None or not person.active:
        return None
    setting = setting_for(transaction.application)
    if not setting.asks:
        return None
    due = now + datetime.timedelta(minutes=setting.delay_minutes)
    quiet = due - datetime.timedelta(days=settings.PORTICO_SATISFACTION_QUIET_DAYS)
    asked = Answer.objects.filter(person=person)
    if asked.filter(transaction=transaction).exists() or asked.filter(asked_at__gt=quiet).exists():
        return None
    delayed = due > now
    try:
        with db.atomic():
            answer = Answer.objects.create(
                transaction=transaction,
                person=person,
                resolver=resolver,
                asked_at=due,
                sent_at=None if delayed else now,
            )
    except IntegrityError:
        return None  # asked at the same moment by another worker
    if not delayed:
        _compose(setting, answer)
    return answer


def _compose(setting: SatisfactionSetting, answer: Answer) -> None:
    outbound.compose(
        Kind.SATISFACTION,
        answer.transaction,
        answer.person,
        extra=_links(setting, answer.person, answer.transaction),
    )


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Write the delayed survey e-mails whose time has come (the worker's
    "surveys.send_due"). A transaction reopened meanwhile is no longer resolved: its
    waiting question is dropped, so that the next resolve asks afresh. Returns how many
    e-mails it wrote."""
    now = now or timezone.now()
    written = 0
    due = (
        Answer.objects.filter(sent_at__isnull=True, answered_at__isnull=True, asked_at__lte=now)
        .select_related("transaction__application", "transaction__status", "person")
        .order_by("asked_at")
    )
    for pk in list(due.values_list("pk", flat=True)[:500]):
        with db.atomic():
            # Claimed under a row lock: two workers never write the same e-mail twice.
            row = due.select_for_update(of=("self",)).filter(pk=pk).first()
            if row is None:
                continue
            if row.transaction.status.category != Status.Category.RESOLVED:
                row.delete()
                continue
            row.sent_at = now
            row.save(update_fields=["sent_at"])
            _compose(setting_for(row.transaction.application), row)
            written += 1
    return written


def _links(
    setting: SatisfactionSetting, person: Individual, transaction: Transaction
) -> dict[str, str]:
    good, bad = link(person, transaction, SATISFIED), link(person, transaction, NOT_SATISFIED)
    if setting.scale == SatisfactionSetting.Scale.TWO:
        lines = [f"Satisfied: {good}", f"Not satisfied: {bad}"]
    else:
        lines = [f"{n} of 5: {link(person, transaction, n)}" for n in setting.ratings()]
    return {
        "satisfied_link": good if setting.scale == SatisfactionSetting.Scale.TWO else "",
        "not_satisfied_link": bad if setting.scale == SatisfactionSetting.Scale.TWO else "",
        "rating_links": "\n".join(lines),
    }


def answer(
    *,
    person: Individual,
    transaction: Transaction,
    rating: int,
    comment: str = "",
    extra: str = "",
    channel: str = Channel.WEB,
    now: datetime.datetime | None = None,
) -> Answer:
    """Record (or change) `person`'s answer about `transaction`, and the event
    "satisfaction.answered" that the follow-up rules act on. A rating off the
    application's scale is refused, with nothing written."""
    now = now or timezone.now()
    setting = setting_for(transaction.application)
    if rating not in setting.ratings():
        raise ValidationError({"rating": ["Choose one of the answers offered."]})
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": [f"At most {MAX_COMMENT} characters, please."]})
    with db.atomic():
        row, _ = Answer.objects.select_for_update().get_or_create(
            transaction=transaction, person=person, defaults={"asked_at": now}
        )
        changed = row.answered_at is not None
        row.rating, row.comment, row.extra_answer = rating, comment, extra.strip()[:MAX_COMMENT]
        row.satisfied = satisfied(setting, rating)
        if row.satisfied:
            row.followed_up_at = row.followed_up_by = None
        if changed:
            row.changed_at = now
        else:
            row.answered_at = now
        row.save()
        events.record(
            "satisfaction.answered",
            actor=person.user,
            actor_label=person.name,
            channel=channel,
            subject=transaction,
            data={
                "rating": rating,
                "satisfied": satisfied(setting, rating),
                "comment": comment,
                "changed": changed,
            },
        )
    return row


def sent(transaction: Transaction) -> Delivery | None:
    """The survey e-mail about `transaction`, if one was written."""
    return Delivery.objects.filter(transaction=transaction, kind=Kind.SATISFACTION).first()


def follow_up(
    *,
    actor: User,
    transaction: Transaction,
    note: str = "",
    now: datetime.datetime | None = None,
) -> int:
    """Mark the "not satisfied" answers about `transaction` followed up: they leave the
    task lists of those assigned. Refused (PermissionDenied) to anyone who may not add
    internal notes to it. The event is internal, as the staff's note would be: it and
    its note are read by those who read the internal notes only. Returns how many
    answers it closed."""
    if not access.can(actor, "add_internal_note", transaction):
        raise PermissionDenied
    note = note.strip()
    if len(note) > MAX_COMMENT:
        raise ValidationError({"note": [f"At most {MAX_COMMENT} characters, please."]})
    now = now or timezone.now()
    with db.atomic():
        done = (
            open_follow_ups()
            .filter(transaction=transaction)
            .update(followed_up_at=now, followed_up_by=actor)
        )
        if done:
            events.record(
                "satisfaction.followed_up",
                actor=actor,
                channel=Channel.WEB,
                subject=transaction,
                data={"note": note} if note else {},
                internal=True,
            )
    return done


def answers_of(transaction: Transaction) -> list[Answer]:
    """The questions asked about `transaction` (sent or waiting), for the staff's page."""
    return _ANSWERS.rows(transaction=transaction.pk)


_ANSWERS = Statement(
    lambda transaction: (
        Answer.objects.filter(transaction_id=transaction)
        .select_related("person", "followed_up_by__individual")
        .order_by("asked_at", "pk")
    ),
    transaction=int,
)


def open_follow_ups() -> QuerySet[Answer]:
    """Answers "not satisfied" that nobody has marked followed up yet."""
    return Answer.objects.filter(satisfied=False, followed_up_at__isnull=True)
