"""How forms, fields and widgets are drawn: by Jinja2 where a Jinja2 template exists
(Django ships one for each of its form templates, writing the same HTML), by the
project's Django templates otherwise.

Django's template language took about 16 ms to draw the console transaction page's
fields at scale S (django/forms/field.html, label.html, the errors, a template per
widget); Jinja2 draws them in about 11, most of which is QuickSelect's options, written
in Python either way. The admin's, allauth's and any app's own widget templates have no
Jinja2 version: they are looked up in `settings.TEMPLATES` as `TemplatesSetting` does,
and so is everything they include.

An override of Django's form templates goes in src/portico/jinja2/ (mirroring
django/forms/jinja2/): one in templates/django/forms/ would never be read, as Jinja2
has every one of them."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import BaseRenderer
from django.template import TemplateDoesNotExist, loader
from django.template.backends.jinja2 import Jinja2
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString

from portico.timetags import (
    console_due,
    date_text,
    portal_due,
    resolve_by_heading,
    time_element,
    time_of,
)

OWN_TEMPLATES = Path(__file__).resolve().parent / "jinja2"
DJANGO_TEMPLATES = Path(django.forms.__file__).resolve().parent / "jinja2"


def escaped_as_django(value: object) -> object:
    """Every value a template writes, escaped as Django escapes it (`conditional_escape`,
    without its wrapper for lazy arguments, which cost as much as the escaping): MarkupSafe
    would write ' and " as &#39; and &#34; where Django writes &#x27; and &quot;, and
    pages and their tests compare HTML as text. What is safe already (a SafeString, a
    bound field, an error list) MarkupSafe takes as it is."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value
    return SafeString(html.escape(str(value)))


@functools.cache
def jinja2_engine() -> Jinja2:
    """One engine per process: its environment keeps the compiled templates."""
    engine = Jinja2(
        {
            "NAME": "portico-forms",
            "DIRS": [OWN_TEMPLATES, DJANGO_TEMPLATES],
            "APP_DIRS": False,
            "OPTIONS": {"autoescape": True, "finalize": escaped_as_django},
        }
    )
    # Globals rather than `drawn`'s context, so that macros imported from another
    # template (portal/_macros.html) see them too.
    engine.env.globals.update(
        {
            "url": _url,
            "number_url": _number_url,
            "console_due": console_due,
            "date": date_text,
            "portal_due": portal_due,
            "resolve_by_heading": resolve_by_heading,
            "time_element": time_element,
            "time_of": time_of,
            "linebreaksbr": linebreaksbr,
            "filesizeformat": filesizeformat,
        }
    )
    return engine


def drawn(template_name: str, context: dict[str, Any]) -> SafeString:
    """A page's long run of rows, or its body, drawn by Jinja2 from src/portico/jinja2/
    (a Django template writes it with `{{ rows_html }}`), with `url` (reverse), the list
    cells and `<time>` elements of `portico.timetags`, `date` (`{{ value|date:fmt }}` as
    `date(value, fmt)`) and the two Django filters the pages use at hand: rows are where
    Django's template language costs most (it resolved some 19,000 variables for the
    console queue's fifty). A fragment with a form takes the request's `csrf_input` in
    `context`."""
    return SafeString(jinja2_engine().get_template(template_name).render(context))


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


_PLAIN_NUMBER = re.compile(r"[A-Za-z0-9-]+")
_STAND_IN = "NUMBER"


def _number_url(name: str) -> Callable[[str], str]:
    """`url(name, number)` for each row of a list, reversed once: reversing is about
    half a row's drawing (the resolver tries its pattern on every candidate). A
    transaction number (letters, digits, hyphens) stands in a URL as it is, so it takes
    the stand-in's place; anything else is reversed as `url` would."""
    stand_in = reverse(name, args=[_STAND_IN])
    if stand_in.count(_STAND_IN) != 1:
        return functools.partial(_url, name)
    head, _, tail = stand_in.partition(_STAND_IN)

    def url(number: str) -> str:
        if _PLAIN_NUMBER.fullmatch(number):
            return f"{head}{number}{tail}"
        return _url(name, number)

    return url


class FormRenderer(BaseRenderer):
    def get_template(self, template_name: str) -> Any:
        try:
            return jinja2_engine().get_template(template_name)
        except TemplateDoesNotExist:
            return loader.get_template(template_name)
