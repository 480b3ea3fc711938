"""The demo's feedback form: one open to customers, with a few answers already in, so
the portal lists a form and the results page has counts to show."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portico.audit.models import Channel
from portico.parties.models import Individual, UserGroup
from portico.surveys import feedback
from portico.surveys.models import Form, Question

TITLE = "How do you use your AquaSense controller?"
FEATURES = (
    "Live readings",
    "Alarms by text or e-mail",
    "Dosing schedules",
    "Reports",
    "Firmware updates",
)
HOW_OFTEN = ("Every day", "A few times a week", "Once a week or less")
# (first name, days ago, rating, features, how often, installed, comment): customers
# other than the test personas, who may still answer it themselves.
ANSWERS = (
    (
        "Sandeep",
        12,
        4,
        ["Live readings", "Alarms by text or e-mail"],
        "Every day",
        "2023-05-10",
        "",
    ),
    (
        "Priya",
        9,
        5,
        ["Live readings", "Reports"],
        "A few times a week",
        "",
        "The weekly report saves me an hour.",
    ),
    (
        "Alan",
        6,
        2,
        ["Alarms by text or e-mail"],
        "Every day",
        "2021-11-02",
        "The alarm sound is far too quiet in the plant room.",
    ),
    (
        "Sophie",
        3,
        4,
        ["Dosing schedules", "Reports", "Firmware updates"],
        "Once a week or less",
        "",
        "",
    ),
)


def load(*, now: datetime.datetime | None = None) -> Form | None:
    now = now or timezone.now()
    if Form.objects.filter(title=TITLE).exists():
        return None
    form = Form.objects.create(
        title=TITLE,
        introduction="Five short questions to help us plan the next firmware and the app. "
        "It takes about two minutes.",
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now + datetime.timedelta(days=60),
        one_answer_per_person=True,
        active=True,
    )
    form.audience.set(UserGroup.objects.filter(name="Customers"))
    kinds = Question.Kind
    questions = [
        Question.objects.create(
            form=form,
            position=1,
            kind=kinds.RATING,
            rating_max=5,
            required=True,
            label="How satisfied are you with your AquaSense controller?",
        ),
        Question.objects.create(
            form=form,
            position=2,
            kind=kinds.MULTIPLE,
            choices="\n".join(FEATURES),
            label="Which features do you use?",
            help="Tick all that apply.",
        ),
        Question.objects.create(
            form=form,
            position=3,
            kind=kinds.CHOICE,
            choices="\n".join(HOW_OFTEN),
            required=True,
            label="How often do you look at its readings?",
        ),
        Question.objects.create(
            form=form,
            position=4,
            kind=kinds.DATE,
            label="When was it installed?",
            help="If you know it; the date on the commissioning sheet.",
        ),
        Question.objects.create(
            form=form,
            position=5,
            kind=kinds.TEXT,
            label="What would you change?",
        ),
    ]
    for first_name, days_ago, rating, features, how_often, installed, comment in ANSWERS:
        person = Individual.objects.filter(
            first_name=first_name, user_group__name="Customers"
        ).first()
        if person is None:
            continue
        values = (rating, features, how_often, installed, comment)
        feedback.submit(
            form=form,
            person=person,
            data={str(q.pk): v for q, v in zip(questions, values, strict=True)},
            channel=Channel.WEB,
            now=now - datetime.timedelta(days=days_ago, hours=3),
        )
    return form
