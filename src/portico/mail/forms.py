"""The form a person sets their mail choices with (the portals' profile page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language_info

from portico.mail import templates
from portico.parties.models import Individual


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code


class MailSettingsForm(forms.Form):
    only_own = forms.BooleanField(
        label="Only e-mail me about my own requests",
        required=False,
        help_text="Not when someone copies me in on theirs. Mail about my own requests "
        "always comes: it is the answer I asked for.",
    )
    news = forms.BooleanField(
        label="Send me product news and announcements",
        required=False,
        help_text="Now and then, never more than the news itself; every one has a link "
        "to stop them.",
    )
    language = forms.ChoiceField(label="Write to me in", required=False)

    mandatory = frozenset[str]()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the languages there are messages in: no choice the server would refuse.
        site = templates.SITE_LANGUAGE
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", f"{_language_name(site)} (the site's language)"),
            *(
                (code, _language_name(code))
                for code in templates.languages_with_templates()
                if code != site
            ),
        ]

    @classmethod
    def for_individual(cls, individual: Individual, data: Any = None) -> MailSettingsForm:
        initial = {
            "only_own": individual.mail_opted_out_at is not None,
            "news": individual.news_opted_in_at is not None,
            "language": individual.language,
        }
        return cls(data, initial=initial)
