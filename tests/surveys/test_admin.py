"""The survey settings in Systems Admin: every application listed with what applies to
it, a change saved, and a delay or an extra question out of bounds refused on its
field with nothing saved. (Who may open it: the admin row of tests/test_urls.py.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from portico.service.models import Application
from portico.surveys import services as surveys
from portico.surveys.models import SatisfactionSetting

ClientFor = Callable[[str], Client]
LIST = "/admin/surveys/satisfactionsetting/"


def change(client: Client, setting: SatisfactionSetting, **values: str) -> object:
    data = {"asks": "on", "delay_minutes": "0", "scale": "two", "extra_question": "", **values}
    if data["asks"] == "":
        del data["asks"]
    return client.post(f"{LIST}{setting.pk}/change/", data)


def test_every_application_is_listed_with_what_applies(client_for: ClientFor) -> None:
    admin = client_for("administrator")
    html = admin.get(LIST).content.decode()
    assert SatisfactionSetting.objects.count() == Application.objects.count()
    for application in Application.objects.all():
        assert application.name in html
    assert surveys.setting_for(Application.objects.get(code="service-issue")).asks is True
    assert surveys.setting_for(Application.objects.get(code="compliment")).asks is False
    assert admin.get(f"{LIST}add/").status_code == 403


def test_a_change_is_saved(client_for: ClientFor) -> None:
    admin = client_for("administrator")
    setting = surveys.setting_for(Application.objects.get(code="complaint"))
    done = change(
        admin, setting, delay_minutes="120", scale="five", extra_question="What could we improve?"
    )
    assert getattr(done, "status_code", 0) == 302
    setting.refresh_from_db()
    assert (setting.delay_minutes, setting.scale, setting.extra_question) == (
        120,
        "five",
        "What could we improve?",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("delay_minutes", "43201", "At most 43200 minutes"),
        ("delay_minutes", "-5", "greater than or equal to 0"),
        ("extra_question", "<b>Why?</b>", "Words and ordinary punctuation only"),
        ("extra_question", "{{ secret }}", "Words and ordinary punctuation only"),
        ("extra_question", "Line one\r\nline two", "Words and ordinary punctuation only"),
        ("extra_question", "See https://example.com now", "No links"),
        ("extra_question", "???", "Words and ordinary punctuation only"),
    ],
)
def test_out_of_bounds_is_refused_on_its_field(
    client_for: ClientFor, field: str, value: str, message: str
) -> None:
    admin = client_for("administrator")
    setting = surveys.setting_for(Application.objects.get(code="complaint"))
    refused = change(admin, setting, **{field: value})
    assert getattr(refused, "status_code", 0) == 200  # the form again, with the error
    assert message in getattr(refused, "content", b"").decode()
    setting.refresh_from_db()
    assert (setting.delay_minutes, setting.extra_question) == (0, "")


def test_the_longest_delay_is_accepted(client_for: ClientFor) -> None:
    admin = client_for("administrator")
    setting = surveys.setting_for(Application.objects.get(code="complaint"))
    assert getattr(change(admin, setting, delay_minutes="43200"), "status_code", 0) == 302
    setting.refresh_from_db()
    assert setting.delay_minutes == 43200
