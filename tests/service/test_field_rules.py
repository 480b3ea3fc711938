"""One set of data rules on every channel (issue 19, item 1; seed 003: "the same mandatory
fields and data formatting rules must apply").

A table of bad values per field, each sent through every channel that writes that field
— the portal's and the console's forms over HTTP, the API with a token, the admin's
form — must be refused everywhere with the same message on that field, and store
nothing: no transaction, note or event more, the target rows as they were. A good value
with spaces around it is stored trimmed, the same way everywhere.

The messages are written out here as a person reads them, not taken from
`service/rules.py`, so a rule that changes its words changes this table too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse

from portico.audit.models import Event
from portico.parties.models import Individual, Organization
from portico.service import actions
from portico.service.models import (
    Application,
    Classification,
    Note,
    ProfileField,
    ProfileValue,
    Status,
    Transaction,
)
from tests.api.conftest import bearer, make_token, user_of
from tests.conftest import PERSONAS

TARGET = "Dosing pump on line 3 stopped overnight"  # Ewan's, in progress; Fiona's team's


@dataclass
class Env:
    t: Transaction
    ewan: Individual
    portal: Client  # Ewan, the customer who logged it
    console: Client  # Fiona, a CSR of the team that holds it
    admin: Client  # Graham, the administrator
    api_customer: Client  # Ewan's token
    api_staff: Client  # Fiona's token


@pytest.fixture
def env(client_for: Callable[[str], Client]) -> Env:
    return Env(
        t=Transaction.objects.get(title=TARGET),
        ewan=Individual.objects.get(email=PERSONAS["customer"].email),
        portal=client_for("customer"),
        console=client_for("csr"),
        admin=client_for("administrator"),
        api_customer=bearer(make_token(user_of("customer"))),
        api_staff=bearer(make_token(user_of("csr"))),
    )


type Errors = dict[str, list[str]]


def _form_errors(form_key: str) -> Callable[[Any], Errors]:
    """The errors of the form a page showed again, from the response's context."""

    def errors(response: Any) -> Errors:
        if response.context is None:
            return {}
        form = response.context[form_key]
        return {name: list(messages) for name, messages in form.errors.items()}

    return errors


def _console_form_errors(form_key: str) -> Callable[[Any], Errors]:
    def errors(response: Any) -> Errors:
        if response.context is None:
            return {}
        form = response.context["forms"][form_key]
        return {name: list(messages) for name, messages in form.errors.items()}

    return errors


def _admin_errors(response: Any) -> Errors:
    if response.context is None:
        return {}
    form = response.context["adminform"].form
    return {name: list(messages) for name, messages in form.errors.items()}


def _api_errors(response: Any) -> Errors:
    if response.status_code != 400:
        return {}
    return dict(response.json()["errors"])


def _json(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


@dataclass(frozen=True)
class Channel:
    """One way a field is written: send a value for it (with what else makes the request
    work), and read back the errors as that channel shows them."""

    name: str
    send: Callable[[Env, str, str], Any]  # env, field, value
    errors: Callable[[Any], Errors]
    forms: bool = True  # an HTML form (a browser cannot send a lone surrogate)
    refused: int = 400  # the status of a refusal; Django's admin shows its form with 200
    prepare: Callable[[Env], None] | None = None  # what makes the write possible at all


# --- creating a transaction: title and description ------------------------------------


def _portal_create(env: Env, field: str, value: str) -> Any:
    data = {
        "application": "service-issue",
        "title": "Pump stopped",
        "profile_issue-type": "fault",
        "profile_product": "clearflow-dosing-pump",
        field: value,
    }
    return env.portal.post("/portal/new/", data)


def _console_create(env: Env, field: str, value: str) -> Any:
    data = {
        "application": Application.objects.get(code="service-issue").pk,
        "application_code": "service-issue",
        "channel": "phone",
        "title": "Called about the pump",
        "profile-issue-type": "fault",
        "profile-product": "clearflow-dosing-pump",
        field: value,
    }
    return env.console.post(reverse("console:create"), data)


def _api_create(env: Env, field: str, value: str) -> Any:
    data = {
        "application": "service-issue",
        "title": "Pump stopped",
        "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
        field: value,
    }
    return _json(env.api_customer, "post", reverse("api:transactions"), data)


def _api_edit(env: Env, field: str, value: str) -> Any:
    url = reverse("api:transaction", args=[env.t.number])
    return _json(env.api_staff, "patch", url, {field: value})


def _console_edit(env: Env, field: str, value: str) -> Any:
    # The form carries both fields; the one not under test is sent as it stands.
    data = {"title": env.t.title, "description": env.t.description, field: value}
    return env.console.post(reverse("console:edit-text", args=[env.t.number]), data)


TEXT_CHANNELS = [
    Channel("portal new request", _portal_create, _form_errors("form")),
    Channel("console log a transaction", _console_create, _form_errors("form")),
    Channel("API POST /transactions/", _api_create, _api_errors, forms=False),
    Channel("API PATCH /transactions/<number>/", _api_edit, _api_errors, forms=False),
    Channel("console edit text", _console_edit, _console_form_errors("text")),
]

# --- notes ------------------------------------------------------------------------------


def _portal_note(env: Env, field: str, value: str) -> Any:
    return env.portal.post(f"/portal/t/{env.t.number}/notes/", {field: value})


def _console_note(env: Env, field: str, value: str) -> Any:
    data = {"channel": "phone", "direction": "in", "visibility": "shared", field: value}
    return env.console.post(reverse("console:add-note", args=[env.t.number]), data)


def _api_note(env: Env, field: str, value: str) -> Any:
    url = reverse("api:notes", args=[env.t.number])
    return _json(env.api_customer, "post", url, {"visibility": "shared", field: value})


NOTE_CHANNELS = [
    Channel("portal note", _portal_note, _form_errors("note_form")),
    Channel("console note", _console_note, _console_form_errors("note")),
    Channel("API POST /notes/", _api_note, _api_errors, forms=False),
]

# --- forwarding: the note saying why ---------------------------------------------------


def _console_forward(env: Env, field: str, value: str) -> Any:
    teams = Organization.objects.filter(kind=Organization.Kind.TEAM, active=True)
    other = teams.exclude(pk=env.t.team.pk).order_by("pk").first() if env.t.team else None
    assert other is not None  # another team than the one that holds it
    data = {"team": other.pk, field: value}
    return env.console.post(reverse("console:forward", args=[env.t.number]), data)


FORWARD_CHANNELS = [Channel("console forward", _console_forward, _console_form_errors("forward"))]

# --- withdrawing and reopening: the reason ------------------------------------------------


def _resolve(env: Env) -> None:
    """Resolved by Fiona a moment ago: within the period its customer may reopen it."""
    if env.t.status.code == "resolved":
        return
    actions.change_status(
        actor=user_of("csr"),
        transaction=env.t,
        status=Status.objects.get(application_id=env.t.application_id, code="resolved"),
        resolution="Replaced the flow sensor.",
    )


def _portal_move(move: str) -> Callable[[Env, str, str], Any]:
    def send(env: Env, field: str, value: str) -> Any:
        return env.portal.post(f"/portal/t/{env.t.number}/{move}/", {field: value})

    return send


def _api_move(move: str) -> Callable[[Env, str, str], Any]:
    def send(env: Env, field: str, value: str) -> Any:
        url = reverse(f"api:{move}", args=[env.t.number])
        return _json(env.api_customer, "post", url, {field: value})

    return send


WITHDRAW_CHANNELS = [
    Channel("portal withdraw", _portal_move("withdraw"), _form_errors("withdraw_form")),
    Channel("API POST /withdraw/", _api_move("withdraw"), _api_errors, forms=False),
]
REOPEN_CHANNELS = [
    Channel("portal reopen", _portal_move("reopen"), _form_errors("reopen_form"), prepare=_resolve),
    Channel("API POST /reopen/", _api_move("reopen"), _api_errors, forms=False, prepare=_resolve),
]
REASON_CHANNELS = WITHDRAW_CHANNELS + REOPEN_CHANNELS

# --- resolving --------------------------------------------------------------------------


def _console_resolve(env: Env, field: str, value: str) -> Any:
    resolved = Status.objects.get(application_id=env.t.application_id, code="resolved")
    data = {"status": resolved.pk, field: value}
    return env.console.post(reverse("console:status", args=[env.t.number]), data)


def _api_resolve(env: Env, field: str, value: str) -> Any:
    url = reverse("api:status", args=[env.t.number])
    return _json(env.api_staff, "post", url, {"status": "resolved", field: value})


RESOLUTION_CHANNELS = [
    Channel("console status", _console_resolve, _console_form_errors("status")),
    Channel("API POST /status/", _api_resolve, _api_errors, forms=False),
]

# --- contact details --------------------------------------------------------------------

CONTACT = {
    "first_name": "Ewan",
    "last_name": "Grant",
    "job_title": "Plant engineer",
    "phone": "+44 141 496 0100",
    "mobile": "",
}


def _portal_profile(env: Env, field: str, value: str) -> Any:
    return env.portal.post("/portal/profile/", {**CONTACT, field: value})


def _console_profile(env: Env, field: str, value: str) -> Any:
    # Fiona's own details: the console's profile page is the staff's own.
    data = {**CONTACT, "first_name": "Fiona", "last_name": "MacLeod", field: value}
    return env.console.post(reverse("console:me"), data)


def _admin_individual(env: Env, field: str, value: str) -> Any:
    url = f"/admin/parties/individual/{env.ewan.pk}/change/"
    form = env.admin.get(url).context["adminform"].form
    data = {
        name: ("" if initial is None else initial)
        for name, initial in form.initial.items()
        if name in form.fields
    }
    data["active"] = "on"
    data[field] = value
    return env.admin.post(url, data)


CONTACT_CHANNELS = [
    Channel("portal profile", _portal_profile, _form_errors("form")),
    Channel("console my profile", _console_profile, _form_errors("form")),
    Channel("admin person form", _admin_individual, _admin_errors, refused=200),
]

# --- a text classification's value ------------------------------------------------------
# The demo's profiles are all choices, numbers and dates; a text one is added to the
# Service issue's profile by `serial` below, mandatory, so "nothing typed" is refused too.

SERIAL = "serial"
ISSUE = {"issue-type": "fault", "product": "clearflow-dosing-pump"}


def _portal_create_profile(env: Env, field: str, value: str) -> Any:
    return _portal_create(env, f"profile_{field}", value)


def _console_create_profile(env: Env, field: str, value: str) -> Any:
    return _console_create(env, f"profile-{field}", value)


def _api_create_profile(env: Env, field: str, value: str) -> Any:
    data = {
        "application": "service-issue",
        "title": "Pump stopped",
        "profile": {**ISSUE, field: value},
    }
    return _json(env.api_customer, "post", reverse("api:transactions"), data)


def _console_edit_profile(env: Env, field: str, value: str) -> Any:
    # The form carries the whole profile; the others are sent as they stand.
    data = {**ISSUE, "priority": env.t.priority_id or "", field: value}
    return env.console.post(reverse("console:profile", args=[env.t.number]), data)


def _api_edit_profile(env: Env, field: str, value: str) -> Any:
    url = reverse("api:transaction", args=[env.t.number])
    return _json(env.api_staff, "patch", url, {"profile": {field: value}})


def _unprefixed(errors: Callable[[Any], Errors], prefix: str) -> Callable[[Any], Errors]:
    """Errors by classification code, as the service names them: each channel names
    the field its own way (profile_serial, profile.serial)."""

    def by_code(response: Any) -> Errors:
        return {name.removeprefix(prefix): messages for name, messages in errors(response).items()}

    return by_code


PROFILE_CHANNELS = [
    Channel(
        "portal new request",
        _portal_create_profile,
        _unprefixed(_form_errors("form"), "profile_"),
    ),
    Channel("console log a transaction", _console_create_profile, _form_errors("profile")),
    Channel(
        "API POST /transactions/",
        _api_create_profile,
        _unprefixed(_api_errors, "profile."),
        forms=False,
    ),
    Channel("console profile", _console_edit_profile, _console_form_errors("profile")),
    Channel(
        "API PATCH /transactions/<number>/",
        _api_edit_profile,
        _unprefixed(_api_errors, "profile."),
        forms=False,
    ),
]


@pytest.fixture
def serial() -> Classification:
    classification = Classification.objects.create(
        code=SERIAL, name="Serial number", kind=Classification.Kind.TEXT
    )
    ProfileField.objects.create(
        application=Application.objects.get(code="service-issue"),
        classification=classification,
        mandatory=True,
    )
    return classification


# --- what "nothing stored" means ----------------------------------------------------------


def _state(env: Env) -> tuple[Any, ...]:
    fiona = Individual.objects.get(email=PERSONAS["csr"].email)
    return (
        Transaction.objects.count(),
        Note.objects.count(),
        Event.objects.count(),
        Transaction.objects.filter(pk=env.t.pk).values().get(),
        list(ProfileValue.objects.filter(transaction=env.t).order_by("pk").values()),
        ProfileValue.objects.count(),
        Individual.objects.filter(pk=env.ewan.pk).values().get(),
        Individual.objects.filter(pk=fiona.pk).values().get(),
    )


def _refusals(env: Env, channels: list[Channel], field: str, value: str, message: str) -> list[str]:
    """Send the value through each channel; say where it was not refused with exactly
    the message, on the field, or where anything was stored."""
    wrong = []
    for channel in channels:
        if channel.prepare is not None:
            channel.prepare(env)
            env.t.refresh_from_db()
        before = _state(env)
        response = channel.send(env, field, value)
        errors = channel.errors(response)
        if response.status_code != channel.refused:
            wrong.append(f"{channel.name}: answered {response.status_code}, not {channel.refused}")
        if errors.get(field) != [message]:
            wrong.append(f"{channel.name}: {field} errors {errors.get(field)!r}, not {message!r}")
        if _state(env) != before:
            wrong.append(f"{channel.name}: something was stored")
    return wrong


TITLE_REQUIRED = "Give the transaction a title."
TITLE_LONG = "The title is at most 200 characters."
TITLE_LINE = "The title is one line of text: no line breaks, tabs or control characters."
DESCRIPTION_LONG = "The description is at most 50,000 characters."
DESCRIPTION_CONTROL = (
    "The description has control characters; only line breaks and tabs are allowed."
)
NOTE_REQUIRED = "Write something in the note."
NOTE_LONG = "A note is at most 50,000 characters."
NOTE_CONTROL = "The note has control characters; only line breaks and tabs are allowed."
FORWARD_REQUIRED = "Say why it is being forwarded."
WITHDRAW_REQUIRED = "Say why you are withdrawing it."
REOPEN_REQUIRED = "Say why you are reopening it."
REASON_LONG = "A reason is at most 50,000 characters."
REASON_CONTROL = "The reason has control characters; only line breaks and tabs are allowed."
RESOLUTION_LONG = "The resolution is at most 50,000 characters."
RESOLUTION_CONTROL = "The resolution has control characters; only line breaks and tabs are allowed."

# (field, value, message, channels); a value a browser cannot send is tried on the
# channels that take JSON only.
BAD = [
    ("title", "", TITLE_REQUIRED, TEXT_CHANNELS),
    ("title", "   \t ", TITLE_REQUIRED, TEXT_CHANNELS),
    ("title", "x" * 201, TITLE_LONG, TEXT_CHANNELS),
    ("title", "  " + "x" * 201 + "  ", TITLE_LONG, TEXT_CHANNELS),
    ("title", "Pump alarm\r\nSecond line", TITLE_LINE, TEXT_CHANNELS),
    ("title", "Pump alarm\nSecond line", TITLE_LINE, TEXT_CHANNELS),
    ("title", "Pump\talarm", TITLE_LINE, TEXT_CHANNELS),
    ("title", "Pump\x00alarm", TITLE_LINE, TEXT_CHANNELS),
    ("title", "Pump \x1b[31malarm", TITLE_LINE, TEXT_CHANNELS),
    ("title", "Pump\x85alarm", TITLE_LINE, TEXT_CHANNELS),
    ("title", "Pump\u2028alarm", TITLE_LINE, TEXT_CHANNELS),
    ("title", "Pump \ud800 alarm", TITLE_LINE, TEXT_CHANNELS),
    # The issue's own case: the portal stored 100,000 characters the API refused.
    ("description", "x" * 100_000, DESCRIPTION_LONG, TEXT_CHANNELS),
    ("description", "x" * 50_001, DESCRIPTION_LONG, TEXT_CHANNELS),
    ("description", "It beeps\x00 twice.", DESCRIPTION_CONTROL, TEXT_CHANNELS),
    ("description", "It beeps\x07 twice.", DESCRIPTION_CONTROL, TEXT_CHANNELS),
    ("description", "Red \x1b[31mtext", DESCRIPTION_CONTROL, TEXT_CHANNELS),
    ("body", "", NOTE_REQUIRED, NOTE_CHANNELS),
    ("body", " \r\n\t ", NOTE_REQUIRED, NOTE_CHANNELS),
    ("body", "x" * 50_001, NOTE_LONG, NOTE_CHANNELS),
    ("body", "Called\x00 back.", NOTE_CONTROL, NOTE_CHANNELS),
    ("body", "Called\x0b back.", NOTE_CONTROL, NOTE_CHANNELS),
    # Forwarding's "why" is an internal note: the note's rule, in words for a forward.
    ("note", "", FORWARD_REQUIRED, FORWARD_CHANNELS),
    ("note", " \r\n\t ", FORWARD_REQUIRED, FORWARD_CHANNELS),
    ("note", "x" * 50_001, NOTE_LONG, FORWARD_CHANNELS),
    ("note", "Their\x00 queue.", NOTE_CONTROL, FORWARD_CHANNELS),
    # A reason becomes a shared note: the note's rule, in words for a reason.
    ("reason", "", WITHDRAW_REQUIRED, WITHDRAW_CHANNELS),
    ("reason", " \r\n\t ", WITHDRAW_REQUIRED, WITHDRAW_CHANNELS),
    ("reason", "", REOPEN_REQUIRED, REOPEN_CHANNELS),
    ("reason", " \r\n ", REOPEN_REQUIRED, REOPEN_CHANNELS),
    ("reason", "x" * 50_001, REASON_LONG, REASON_CHANNELS),
    ("reason", "No longer\x00 needed.", REASON_CONTROL, REASON_CHANNELS),
    ("reason", "Back\x1b[31m again.", REASON_CONTROL, REASON_CHANNELS),
    ("reason", "Back \ud800 again.", REASON_CONTROL, REASON_CHANNELS),
    ("resolution", "x" * 50_001, RESOLUTION_LONG, RESOLUTION_CHANNELS),
    ("resolution", "Replaced\x00 the pump.", RESOLUTION_CONTROL, RESOLUTION_CHANNELS),
    ("first_name", "", "The first name is required.", CONTACT_CHANNELS),
    ("first_name", "E" * 81, "The first name is at most 80 characters.", CONTACT_CHANNELS),
    (
        "first_name",
        "Ew\x00an",
        "The first name has characters that cannot be shown.",
        CONTACT_CHANNELS,
    ),
    ("job_title", "x" * 121, "The job title is at most 120 characters.", CONTACT_CHANNELS),
    (
        "phone",
        "call me",
        "The phone number may hold only digits, spaces, brackets, hyphens and a leading +, "
        "e.g. +44 141 496 0100.",
        CONTACT_CHANNELS,
    ),
]


@pytest.mark.parametrize(
    ("field", "value", "message", "channels"),
    BAD,
    ids=[f"{field}-{i}" for i, (field, *_rest) in enumerate(BAD)],
)
def test_a_bad_value_is_refused_alike_on_every_channel(
    env: Env, field: str, value: str, message: str, channels: list[Channel]
) -> None:
    # A browser's form cannot carry a lone surrogate (it is not UTF-8); JSON can.
    lone_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    tried = [c for c in channels if not (lone_surrogate and c.forms)]
    assert tried
    wrong = _refusals(env, tried, field, value, message)
    assert not wrong, "\n".join(wrong)


SERIAL_REQUIRED = "Serial number is required."
SERIAL_LONG = "Serial number is at most 200 characters."
SERIAL_LINE = "Serial number is one line of text: no line breaks, tabs or control characters."

PROFILE_BAD = [
    ("", SERIAL_REQUIRED),
    ("   ", SERIAL_REQUIRED),
    ("x" * 201, SERIAL_LONG),
    (" " + "x" * 201 + " ", SERIAL_LONG),
    ("SN\x00123", SERIAL_LINE),
    ("SN\r\n123", SERIAL_LINE),
    ("SN\t123", SERIAL_LINE),
    ("SN \x1b[31m123", SERIAL_LINE),
    ("SN\u2028123", SERIAL_LINE),
    ("SN \ud800 123", SERIAL_LINE),
]


@pytest.mark.parametrize(("value", "message"), PROFILE_BAD, ids=[str(i) for i in range(10)])
def test_a_bad_profile_text_is_refused_alike_on_every_channel(
    env: Env, serial: Classification, value: str, message: str
) -> None:
    lone_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    tried = [c for c in PROFILE_CHANNELS if not (lone_surrogate and c.forms)]
    wrong = _refusals(env, tried, SERIAL, value, message)
    assert not wrong, "\n".join(wrong)


# --- good values: trimmed, the same everywhere --------------------------------------------


def _newest() -> Transaction:
    return Transaction.objects.get(pk=Transaction.objects.aggregate(last=Max("pk"))["last"])


def _stored_on_create(env: Env, channel: Channel, field: str, value: str) -> str:
    response = channel.send(env, field, value)
    assert response.status_code in (201, 302), (channel.name, channel.errors(response))
    return str(getattr(_newest(), field))


def _stored_on_edit(env: Env, channel: Channel, field: str, value: str) -> str:
    response = channel.send(env, field, value)
    assert response.status_code in (200, 302), (channel.name, channel.errors(response))
    env.t.refresh_from_db()
    return str(getattr(env.t, field))


# A textarea sends its line breaks as CRLF; 500 lines of 99 characters are 50,498
# characters sent and 49,999 stored: within the limit, as the browser's maxlength said.
LONG_LINES = "\r\n".join(["a" * 99] * 500)

GOOD = [
    ("title", "  Pump alarm on line 2  ", "Pump alarm on line 2"),
    ("title", "x" * 200, "x" * 200),
    ("title", "Pompe arrêtée – ligne 2 🚨", "Pompe arrêtée – ligne 2 🚨"),
    (
        "description",
        "  It beeps.\r\n\r\n\tTwice, then stops.  \r\n",
        "It beeps.\n\n\tTwice, then stops.",
    ),
    ("description", LONG_LINES, LONG_LINES.replace("\r\n", "\n")),
]


@pytest.mark.parametrize(("field", "value", "stored"), GOOD, ids=[g[0] for g in GOOD])
def test_a_good_value_is_stored_the_same_on_every_channel(
    env: Env, field: str, value: str, stored: str
) -> None:
    creating, editing = TEXT_CHANNELS[:3], TEXT_CHANNELS[3:]
    landed = {c.name: _stored_on_create(env, c, field, value) for c in creating}
    for channel in editing:
        env.t.refresh_from_db()  # the other field, as it stands, for the console's form
        landed[channel.name] = _stored_on_edit(env, channel, field, value)
    assert landed == dict.fromkeys(landed, stored)


def test_a_note_is_stored_trimmed_on_every_channel(env: Env) -> None:
    landed = {}
    for channel in NOTE_CHANNELS:
        response = channel.send(env, "body", "  Called back.\r\nAll fine.\r\n  ")
        assert response.status_code in (201, 302), (channel.name, channel.errors(response))
        landed[channel.name] = Note.objects.latest("id").body
    assert landed == dict.fromkeys(landed, "Called back.\nAll fine.")


def test_contact_details_are_tidied_alike_on_every_channel(env: Env) -> None:
    landed = {}
    for channel in CONTACT_CHANNELS:
        response = channel.send(env, "job_title", "  Plant   engineer ")
        assert response.status_code == 302, (channel.name, channel.errors(response))
        who = "csr" if channel.name == "console my profile" else "customer"
        landed[channel.name] = Individual.objects.get(email=PERSONAS[who].email).job_title
    assert landed == dict.fromkeys(landed, "Plant engineer")


def test_the_admin_writes_no_transaction_text(env: Env) -> None:
    """The admin shows transactions read-only: their text changes only through the
    services, and so only by the rules above."""
    url = f"/admin/service/transaction/{env.t.pk}/change/"
    before = Transaction.objects.filter(pk=env.t.pk).values().get()
    response = env.admin.post(url, {"title": "Pump\r\nalarm", "description": "x" * 100_000})
    assert response.status_code == 403
    assert env.admin.post("/admin/service/transaction/add/", {"title": "x"}).status_code == 403
    assert Transaction.objects.filter(pk=env.t.pk).values().get() == before


def test_a_profile_text_is_stored_trimmed_on_every_channel(
    env: Env, serial: Classification
) -> None:
    creating, editing = PROFILE_CHANNELS[:3], PROFILE_CHANNELS[3:]
    landed = {}
    for channel in creating:
        response = channel.send(env, SERIAL, "  SN-4471/B  ")
        assert response.status_code in (201, 302), (channel.name, channel.errors(response))
        landed[channel.name] = actions.profile_of(_newest())[SERIAL]
    # Each edit a new value, so that each one writes.
    for channel, value in zip(editing, ["  SN-4471/C  ", " SN-4471/D "], strict=True):
        response = channel.send(env, SERIAL, value)
        assert response.status_code in (200, 302), (channel.name, channel.errors(response))
        landed[channel.name] = actions.profile_of(env.t)[SERIAL]
    assert landed == {
        "portal new request": "SN-4471/B",
        "console log a transaction": "SN-4471/B",
        "API POST /transactions/": "SN-4471/B",
        "console profile": "SN-4471/C",
        "API PATCH /transactions/<number>/": "SN-4471/D",
    }
