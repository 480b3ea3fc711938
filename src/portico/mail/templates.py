"""The words of the messages customers are sent: choosing a template and filling it in.

Templates are written by administrators, so they get placeholders and nothing more —
`{{ name }}`, from a fixed list per kind — not Django's template language, whose tags
and filters would let an admin template reach anything in its context. A placeholder
not on the kind's list is refused when the template is saved (`validate`).

Every value is escaped where it goes into HTML; the admin's HTML is sanitised (nh3); a
template without HTML gets one made from its plain text. Each HTML message is set in
the one layout (templates/mail/layout.html), with inline styles only, since mail
clients drop style sheets and must not be asked to fetch anything.

A line whose placeholder has no value (a request with no respond-by time, a message
with no unsubscribe link) is left out, so the words never read "respond by ."
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from portico.mail import defaults
from portico.mail.models import Kind, Template
from portico.service.models import Application

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Anything that looks like template syntax but is not a plain placeholder: refused, so an
# admin learns at once that tags and filters are not available.
_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}")
_URL = re.compile(r"https?://[^\s<>\"']+")

SITE_LANGUAGE = settings.LANGUAGE_CODE.split("-")[0]
OPT_OUT_WORDS = "Stop e-mail about requests that are not your own"

_ABOUT_A_REQUEST = ("name", "number", "title", "requester_name", "portal_link", "status")
_EVERY = ("site_name", "unsubscribe_link")

VARIABLES: dict[str, tuple[str, ...]] = {
    Kind.ACKNOWLEDGEMENT: (*_ABOUT_A_REQUEST, "respond_by", *_EVERY),
    Kind.NOTE: (*_ABOUT_A_REQUEST, "note", *_EVERY),
    Kind.WAITING: (*_ABOUT_A_REQUEST, *_EVERY),
    Kind.RESOLVED: (*_ABOUT_A_REQUEST, "resolution", *_EVERY),
    Kind.CLOSED: (*_ABOUT_A_REQUEST, "resolution", *_EVERY),
    Kind.THANKS: (*_ABOUT_A_REQUEST, *_EVERY),
    Kind.REFUSED: ("name", "number", "subject", "site_name"),
    Kind.UNKNOWN_SENDER: ("subject", "site_name"),
    Kind.REMINDER: (*_ABOUT_A_REQUEST, "days", *_EVERY),
    Kind.UPDATE: (*_ABOUT_A_REQUEST, "resolution", *_EVERY),
    Kind.BIRTHDAY: ("name", "site_name", "unsubscribe_link"),
    Kind.ANNIVERSARY: ("name", "years", "site_name", "unsubscribe_link"),
    Kind.SATISFACTION: (
        *_ABOUT_A_REQUEST,
        "satisfied_link",
        "not_satisfied_link",
        "rating_links",
        "site_name",
    ),
}

DESCRIPTIONS: dict[str, str] = {
    "name": "the name of the person written to",
    "number": "the request's number, e.g. SI-000123",
    "title": "the request's title",
    "requester_name": "the name of the person who made the request",
    "portal_link": "the address of the request in the portal",
    "status": "the request's status now",
    "respond_by": "when we will respond by (the service level), in the site's time zone",
    "note": "the note from the service team, in full",
    "resolution": "how it was resolved",
    "subject": "the subject of the message we are answering",
    "site_name": "the name of the service",
    "days": "how many days we have been waiting for the customer",
    "years": "how many years they have been a customer",
    "satisfied_link": 'the survey link that answers "satisfied"',
    "not_satisfied_link": 'the survey link that answers "not satisfied"',
    "rating_links": "one survey link per rating, a line each (the application's scale)",
    "unsubscribe_link": "the link that stops mail not about the person's own requests",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def site_name() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or "Portico"


def validate(kind: str, *, subject: str = "", text: str = "", html: str = "") -> None:
    """A ValidationError, per field, naming each placeholder this kind has not got and
    any template syntax other than a plain placeholder."""
    allowed = set(VARIABLES.get(kind, ()))
    errors: dict[str, list[str]] = {}
    for field, value in (("subject", subject), ("text", text), ("html", html)):
        unknown = sorted({m for m in PLACEHOLDER.findall(value) if m not in allowed})
        if unknown:
            names = ", ".join("{{ %s }}" % name for name in unknown)  # noqa: UP031
            errors.setdefault(field, []).append(
                f"{names}: not a placeholder of this kind of message. "
                f"Use one of: {', '.join(VARIABLES.get(kind, ()))}."
            )
        if _SYNTAX.search(PLACEHOLDER.sub("", value)):
            errors.setdefault(field, []).append(
                "Only placeholders written {{ name }} may be used: no tags, no filters."
            )
    if errors:
        raise ValidationError(errors)


def choose(kind: str, application: Application | None, language: str) -> Template | None:
    """The most specific template: the application's in `language`, then the one for
    every application in `language`, then the same two in the site's language; the
    built-in default words (unsaved) when even those rows are missing."""
    languages = list(dict.fromkeys([language or SITE_LANGUAGE, SITE_LANGUAGE]))
    where = Q(application__isnull=True)
    if application is not None:
        where |= Q(application=application)
    found = list(Template.objects.filter(where, kind=kind, language__in=languages))

    def rank(template: Template) -> tuple[int, int]:
        return languages.index(template.language), template.application_id is None

    if found:
        return min(found, key=rank)
    if kind in defaults.DEFAULTS:
        subject, text = defaults.DEFAULTS[kind]
        return Template(kind=kind, language=defaults.LANGUAGE, subject=subject, text=text)
    return None


def languages_with_templates() -> list[str]:
    """The languages a person may choose to be written in."""
    return sorted(set(Template.objects.values_list("language", flat=True)) | {SITE_LANGUAGE})


def when(moment: datetime.datetime | None) -> str:
    """A time as a customer reads it, in the site's time zone."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M} ({local.tzname()})"


def _fill(source: str, values: Mapping[str, str], quote: bool) -> str:
    """Each placeholder replaced by its value (escaped for HTML when `quote`); a line in
    which a placeholder has no value is left out."""
    lines = []
    for line in source.splitlines(keepends=True):
        names = PLACEHOLDER.findall(line)
        if any(not values.get(name, "") for name in names):
            continue

        def value(match: re.Match[str]) -> str:
            found = values.get(match[1], "")
            return _html_value(found) if quote else found

        lines.append(PLACEHOLDER.sub(value, line))
    return "".join(lines)


def _html_value(value: str) -> str:
    return escape(value).replace("\n", "<br>\n")


def _linked(escaped: str) -> str:
    # Links written out in plain text become links in the HTML made from it.
    return _URL.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', escaped)


def html_from_text(text: str) -> str:
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(
        "<p>" + _linked(escape(p)).replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )


# No images: a message fetches nothing (a remote image is a tracker, and blocked by most
# mail clients anyway).
_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=_TAGS, url_schemes={"http", "https", "mailto"})


def render(
    template: Template, context: Mapping[str, str], *, opt_out_words: str = OPT_OUT_WORDS
) -> Rendered:
    """The message filled in. `opt_out_words`: what the way out is called, where the
    link stops something other than mail about others' requests (campaign news)."""
    subject = " ".join(_fill(template.subject, context, quote=False).split())
    # Lines left out may leave blank lines side by side: one is enough.
    text = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", _fill(template.text, context, quote=False))
    text = text.strip() + "\n"
    if template.html.strip():
        body = sanitise(_fill(template.html, context, quote=True))
    else:
        body = html_from_text(text)
    opt_out = context.get("unsubscribe_link", "")
    if opt_out and opt_out not in text:
        # The plain text's share of the layout: the way out, where opting out applies
        # (the HTML has it in the layout's footer).
        text += f"\n-- \n{opt_out_words}: {opt_out}\n"
    html = render_to_string(
        "mail/layout.html",
        {
            "subject": subject,
            "body": mark_safe(body),  # noqa: S308 — sanitised above, values escaped
            "site_name": context.get("site_name") or site_name(),
            "unsubscribe_link": opt_out,
            "opt_out_words": opt_out_words,
            # The footer's "reply to add to this request" only where there is one: not
            # under a refusal, a greeting or a campaign.
            "about_a_request": "portal_link" in VARIABLES.get(template.kind, ()),
        },
    )
    return Rendered(subject=subject[:250], text=text, html=html)


_SAMPLES = {
    "name": "Ewan Grant",
    "number": "SI-000123",
    "title": "The dosing pump alarms every hour",
    "requester_name": "Ewan Grant",
    "portal_link": "https://portico.example/portal/t/SI-000123/",
    "status": "In progress",
    "note": "We have sent an engineer; he will be with you on Tuesday morning.\n\nTom",
    "resolution": "The float switch was replaced; the alarm has not returned.",
    "subject": "Re: [SI-000123] The dosing pump alarms every hour",
    "unsubscribe_link": "https://portico.example/mail/unsubscribe/…/",
}


def sample_context(kind: str) -> dict[str, str]:
    """Example values for a preview of this kind of message."""
    values = {
        **_SAMPLES,
        "site_name": site_name(),
        "respond_by": when(timezone.now() + datetime.timedelta(hours=4)),
    }
    return {name: values.get(name, "") for name in VARIABLES.get(kind, ())}
