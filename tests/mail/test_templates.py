"""The words customers are sent: which template is chosen, what a placeholder may be, and
what an admin's HTML and a customer's text can and cannot put into a message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from portico.mail import templates
from portico.mail.models import Kind, Template
from portico.service.models import Application


@pytest.fixture
def issue_app(db: None) -> Application:
    return Application.objects.create(code="mail-test", name="Mail test", prefix="MT")


def test_every_kind_has_default_english_words(db: None) -> None:
    for kind in Kind.values:
        template = templates.choose(kind, None, "en")
        assert template is not None, kind
        assert template.application_id is None
        # Each default says only what its kind may say.
        templates.validate(kind, subject=template.subject, text=template.text)
        rendered = templates.render(template, templates.sample_context(kind))
        assert "{{" not in rendered.subject + rendered.text + rendered.html


def test_the_most_specific_template_is_chosen(issue_app: Application) -> None:
    ack = Kind.ACKNOWLEDGEMENT
    default_en = Template.objects.get(kind=ack, application=None, language="en")
    # Only the default English one: everyone gets it, in any language asked for.
    assert templates.choose(ack, issue_app, "fr") == default_en
    assert templates.choose(ack, issue_app, "") == default_en
    app_en = Template.objects.create(
        kind=ack, application=issue_app, language="en", subject="a", text="a"
    )
    assert templates.choose(ack, issue_app, "fr") == app_en
    assert templates.choose(ack, None, "fr") == default_en  # another application's is not
    default_fr = Template.objects.create(kind=ack, language="fr", subject="b", text="b")
    # The person's language first, even over the application's own in the site's.
    assert templates.choose(ack, issue_app, "fr") == default_fr
    app_fr = Template.objects.create(
        kind=ack, application=issue_app, language="fr", subject="c", text="c"
    )
    assert templates.choose(ack, issue_app, "fr") == app_fr
    assert templates.choose(ack, issue_app, "en") == app_en
    assert templates.choose(ack, issue_app, "de") == app_en
    assert "fr" in templates.languages_with_templates()


def test_a_placeholder_the_kind_has_not_got_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        templates.validate(Kind.ACKNOWLEDGEMENT, subject="{{ resolution }}", text="{{ number }}")
    assert "{{ resolution }}" in refused.value.message_dict["subject"][0]
    assert "text" not in refused.value.message_dict
    templates.validate(Kind.RESOLVED, subject="{{ resolution }}")


@pytest.mark.parametrize(
    "text",
    [
        "{% load static %}",
        "{{ title|upper }}",
        "{{ settings.SECRET_KEY }}",
        "{{ title }",
        "{% if note %}x{% endif %}",
    ],
)
def test_template_syntax_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        templates.validate(Kind.NOTE, text=text)


def test_values_are_escaped_and_admin_html_sanitised(db: None) -> None:
    template = Template(
        kind=Kind.NOTE,
        subject="{{ title }}",
        text="{{ note }}",
        html=(
            '<p onclick="steal()">Hello <b>{{ name }}</b></p><script>steal()</script>'
            '<a href="javascript:steal()">x</a><a href="{{ portal_link }}">open</a>'
            '<img src="https://tracker.example/p.gif">{{ note }}'
        ),
    )
    rendered = templates.render(
        template,
        {
            "name": "<i>Ewan</i>",
            "title": "A <script>title</script>",
            "note": 'Line one\n<script>alert("x")</script>',
            "portal_link": "https://portico.example/portal/t/SI-1/",
        },
    )
    html = rendered.html.lower()
    for forbidden in ("<script", "onclick", "javascript:", "<img", "<i>"):
        assert forbidden not in html, forbidden
    assert "&lt;i&gt;ewan&lt;/i&gt;" in html
    assert "&lt;script&gt;alert" in html
    assert 'href="https://portico.example/portal/t/si-1/"' in html
    assert "line one<br>" in html
    assert rendered.subject == "A <script>title</script>"  # a subject is plain text
    assert rendered.text == 'Line one\n<script>alert("x")</script>\n'


def test_html_is_made_from_the_text_when_there_is_none(db: None) -> None:
    template = Template(
        kind=Kind.NOTE, subject="s", text="Hello {{ name }},\n\nSee {{ portal_link }}\n"
    )
    rendered = templates.render(
        template, {"name": "<b>Ewan</b>", "portal_link": "https://portico.example/p/"}
    )
    assert "<p>Hello &lt;b&gt;Ewan&lt;/b&gt;,</p>" in rendered.html
    assert '<a href="https://portico.example/p/">https://portico.example/p/</a>' in rendered.html
    # Set in the one layout, styled inline, fetching nothing.
    assert "<style" not in rendered.html
    assert "<link" not in rendered.html
    assert 'style="' in rendered.html


def test_a_line_whose_placeholder_is_empty_is_left_out(db: None) -> None:
    template = Template(
        kind=Kind.ACKNOWLEDGEMENT,
        subject="s",
        text="Logged as {{ number }}.\n\nWe will respond by {{ respond_by }}.\n\nBye\n",
    )
    assert templates.render(template, {"number": "SI-1"}).text == "Logged as SI-1.\n\nBye\n"


def test_the_built_in_words_stand_in_for_a_missing_default(db: None) -> None:
    Template.objects.filter(kind=Kind.RESOLVED).delete()
    template = templates.choose(Kind.RESOLVED, None, "fr")
    assert template is not None
    assert template.pk is None
    assert "{{ resolution }}" in template.text
