"""QuickSelect writes the same select as Django's widget template does (Portico's own
version of it, jinja2/django/forms/widgets/select.html), only without a template."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django import forms

from portico.widgets import QuickSelect, QuickSelectMultiple

CHOICES = [
    ("", "—"),
    ("phone", "Phone"),
    ("Written", [("email", "E-mail"), ("letter", "Letter & <fax>")]),
    ("x\"'<", 'Odd "value"'),
]


class _Tokens(HTMLParser):
    """Tags with their attributes in any order, and text less the template's layout
    (a line break and indent before each option and group)."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[tuple[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append((tag, sorted(attrs, key=str)))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("/" + tag, None))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.tokens.append(("text", data))


def _markup(html: str) -> list[tuple[str, object]]:
    parser = _Tokens()
    parser.feed(str(html))
    return parser.tokens


@pytest.mark.parametrize("value", ["", "letter", "phone", "x\"'<", None])
def test_a_select_reads_as_djangos(value: str | None) -> None:
    attrs = {"id": "id_channel", "required": True, "data-x": "1"}
    ours = QuickSelect(choices=CHOICES).render("channel", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("channel", value, attrs=attrs)
    assert _markup(ours) == _markup(django)


def test_a_multiple_select_reads_as_djangos() -> None:
    attrs = {"id": "id_who", "size": 6}
    value = ["phone", "email"]
    ours = QuickSelectMultiple(choices=CHOICES).render("who", value, attrs=attrs)
    django = forms.SelectMultiple(choices=CHOICES).render("who", value, attrs=attrs)
    assert _markup(ours) == _markup(django)
    assert " multiple" in ours
    assert ours.count(" selected") == 2


def test_labels_and_values_are_escaped() -> None:
    html = QuickSelect(choices=CHOICES).render("channel", None)
    assert "Letter &amp; &lt;fax&gt;" in html
    assert 'value="x&quot;&#x27;&lt;"' in html
    assert "<fax>" not in html
