"""Answering feedback forms, and reading what was answered (issue 23).

`submit` is the one set of rules for an answer, whichever channel brings it (the portal
page, the API): each question's answer is checked, every problem is reported against its
question at once, and nothing is written unless all of it is right. `results` and
`csv_chunks` are the results page and its export."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db import transaction as db
from django.db.models import Avg, Count, Prefetch
from django.utils import timezone

from portico import access
from portico.audit.models import Channel
from portico.events import services as events
from portico.parties.models import Individual
from portico.service.export import csv_cell, neutralise
from portico.surveys.models import Form, Question, Response, ResponseValue

MAX_TEXT = 4000
NON_FIELD = "__all__"
ANONYMOUS = "Anonymous"

REQUIRED = "Please answer this question."
NOT_OFFERED = "Choose one of the answers offered."
NOT_TEXT = "Answer with text."
NOT_DATE = "Give a date as YYYY-MM-DD."
TOO_LONG = f"At most {MAX_TEXT} characters, please."
NO_SUCH_QUESTION = "This form has no such question."
CLOSED = "This form is closed: it no longer takes answers."
ANSWERED = "You have answered this form already: it takes one answer a person."


def _rating_message(question: Question) -> str:
    return f"Choose a rating from 1 to {question.rating_max}."


@dataclass
class _Values:
    rows: list[ResponseValue] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_blank(item) for item in value)
    return False


def _answer(question: Question, value: Any) -> list[ResponseValue] | str:
    """The rows for one answer (not blank), or the message saying what is wrong."""
    kind = question.kind
    if kind == Question.Kind.MULTIPLE:
        chosen = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(item, str) for item in chosen):
            return NOT_OFFERED
        picked = list(dict.fromkeys(item.strip() for item in chosen if item.strip()))
        if any(item not in question.options for item in picked):
            return NOT_OFFERED
        return [ResponseValue(question=question, choice=item) for item in picked]
    if isinstance(value, list | tuple):
        # One answer was asked for: a list of one is that answer (a form post sends lists).
        if len(value) != 1:
            return NOT_TEXT if kind == Question.Kind.TEXT else NOT_OFFERED
        value = value[0]
    if kind == Question.Kind.TEXT:
        # A NUL cannot be stored (PostgreSQL refuses it in text) and is never typed.
        if not isinstance(value, str) or "\x00" in value:
            return NOT_TEXT
        text = value.strip()
        return TOO_LONG if len(text) > MAX_TEXT else [ResponseValue(question=question, text=text)]
    if kind == Question.Kind.CHOICE:
        if not isinstance(value, str) or value.strip() not in question.options:
            return NOT_OFFERED
        return [ResponseValue(question=question, choice=value.strip())]
    if kind == Question.Kind.RATING:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        if number is None or number not in question.ratings:
            return _rating_message(question)
        return [ResponseValue(question=question, number=number)]
    # A date: ISO 8601, as <input type="date"> sends it and as JSON carries dates.
    if not isinstance(value, str):
        return NOT_DATE
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        return NOT_DATE
    return [ResponseValue(question=question, date=day)]


def check(form: Form, data: Mapping[str, Any]) -> list[ResponseValue]:
    """The rows an answer would write, or ValidationError keyed by question id (as a
    string) with what is wrong with each. `data` maps question ids (strings) to a string,
    a number or a list of strings; a question left out is unanswered."""
    questions = {str(q.pk): q for q in form.questions.all()}
    values = _Values()
    for key in data:
        if str(key) not in questions:
            values.errors[str(key)] = [NO_SUCH_QUESTION]
    for key, question in questions.items():
        value = data.get(key)
        if _blank(value):
            if question.required:
                values.errors[key] = [REQUIRED]
            continue
        made = _answer(question, value)
        if isinstance(made, str):
            values.errors[key] = [made]
        else:
            values.rows += made
    if values.errors:
        raise ValidationError(values.errors)
    return values.rows


def submit(
    *,
    form: Form,
    person: Individual,
    data: Mapping[str, Any],
    channel: str = Channel.WEB,
    now: datetime.datetime | None = None,
) -> Response:
    """Record `person`'s answers to `form`, and the event "form.answered". Refused with
    PermissionDenied when the form is not addressed to them; with ValidationError (per
    question, or under "__all__" when the form is closed or answered already) otherwise,
    with nothing written.

    On an anonymous form the answer keeps no person, the event names no one, and the
    time is kept to the hour, so that the answer cannot be matched to the person by the
    moment it came in (the person's log-in and page events are exact)."""
    now = now or timezone.now()
    if not access.is_addressed_to(person, form):
        raise PermissionDenied("This form is not addressed to you.")
    if not form.is_open(now):
        raise ValidationError({NON_FIELD: [CLOSED]})
    once = form.one_answer_per_person and not form.anonymous
    if once and Response.objects.filter(form=form, person=person).exists():
        raise ValidationError({NON_FIELD: [ANSWERED]})
    rows = check(form, data)
    try:
        with db.atomic():
            response = Response.objects.create(
                form=form,
                person=None if form.anonymous else person,
                submitted_at=now.replace(minute=0, second=0, microsecond=0)
                if form.anonymous
                else now,
                channel=channel,
                only_answer=once,
            )
            for row in rows:
                row.response = response
            ResponseValue.objects.bulk_create(rows)
            payload: dict[str, Any] = {"title": form.title, "anonymous": form.anonymous}
            if not form.anonymous:
                payload["response"] = response.pk
            events.record(
                "form.answered",
                actor=None if form.anonymous else person.user,
                actor_label=ANONYMOUS if form.anonymous else person.name,
                channel=channel,
                subject=form,
                data=payload,
            )
    except IntegrityError:
        # Two answers at once from one person to a one-answer form: the database kept one.
        raise ValidationError({NON_FIELD: [ANSWERED]}) from None
    return response


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    answer: str
    count: int


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0  # responses that answered it
    counts: list[Tally] = field(default_factory=list)  # choice, multiple, rating
    average: float | None = None  # rating
    texts: list[str] = field(default_factory=list)  # text and date, in the order given


def results(form: Form) -> tuple[int, list[QuestionResult]]:
    """How many answered the form, and per question: how many answered it, the count of
    each answer (choices in the order offered, then any no longer offered; every rating
    from 1 up), the average rating, and the text and date answers. A fixed number of
    queries, whatever the number of answers."""
    total = form.responses.count()
    questions = list(form.questions.all())
    by_id = {q.pk: QuestionResult(question=q) for q in questions}
    values = ResponseValue.objects.filter(response__form=form)
    for row in values.values("question_id").annotate(n=Count("response_id", distinct=True)):
        by_id[row["question_id"]].answered = row["n"]
    chosen: dict[int, dict[str, int]] = {}
    for row in values.exclude(choice="").values("question_id", "choice").annotate(n=Count("id")):
        chosen.setdefault(row["question_id"], {})[row["choice"]] = row["n"]
    rated: dict[int, dict[int, int]] = {}
    numbered = values.filter(number__isnull=False)
    for question_id, number, n in (
        numbered.values("question_id", "number")
        .annotate(n=Count("id"))
        .values_list("question_id", "number", "n")
    ):
        rated.setdefault(question_id, {})[int(number or 0)] = n
    averages = dict(
        values.filter(number__isnull=False)
        .values("question_id")
        .annotate(a=Avg("number"))
        .values_list("question_id", "a")
    )
    written: dict[int, list[str]] = {}
    for question_id, text, day in (
        values.filter(question__kind__in=[Question.Kind.TEXT, Question.Kind.DATE])
        .order_by("response__submitted_at", "response_id")
        .values_list("question_id", "text", "date")
    ):
        written.setdefault(question_id, []).append(day.isoformat() if day else text)
    for question in questions:
        result = by_id[question.pk]
        if question.kind in (Question.Kind.CHOICE, Question.Kind.MULTIPLE):
            counts = chosen.get(question.pk, {})
            offered = question.options
            result.counts = [Tally(o, counts.get(o, 0)) for o in offered] + [
                Tally(o, n) for o, n in sorted(counts.items()) if o not in offered
            ]
        elif question.kind == Question.Kind.RATING:
            counts_by = rated.get(question.pk, {})
            top = max([question.rating_max, *counts_by])
            result.counts = [Tally(str(n), counts_by.get(n, 0)) for n in range(1, top + 1)]
            average = averages.get(question.pk)
            result.average = None if average is None else round(float(average), 2)
        else:
            result.texts = written.get(question.pk, [])
    return total, [by_id[q.pk] for q in questions]


def csv_chunks(form: Form, *, batch: int = 500) -> Iterator[str]:
    """Every answer to `form` as CSV, one row a response, one column a question (several
    choices joined by "; "). Every cell is made inert for spreadsheets
    (`service.export.neutralise`): the answers are typed by the people asked."""
    questions = list(form.questions.all())
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flushed() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(
        [neutralise(h) for h in ("Submitted", "Person", "Channel", *(q.label for q in questions))]
    )
    yield "\ufeff" + flushed()
    responses = (
        form.responses.select_related("person")
        .prefetch_related(Prefetch("values", queryset=ResponseValue.objects.order_by("pk")))
        .order_by("submitted_at", "pk")
    )
    for count, response in enumerate(responses.iterator(chunk_size=batch), start=1):
        answers: dict[int, list[str]] = {}
        for value in response.values.all():
            shown = value.text or value.choice
            if value.number is not None:
                shown = str(value.number)
            elif value.date is not None:
                shown = value.date.isoformat()
            answers.setdefault(value.question_id, []).append(shown)
        person = response.person.name if response.person is not None else ANONYMOUS
        writer.writerow(
            [
                csv_cell(response.submitted_at),
                csv_cell(person),
                csv_cell(response.get_channel_display()),
                *(csv_cell("; ".join(answers.get(q.pk, []))) for q in questions),
            ]
        )
        if count % batch == 0:
            yield flushed()
    yield flushed()
