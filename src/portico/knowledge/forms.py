"""The knowledge base's forms. Editors' rules live in `knowledge.services`; these only
carry what was typed there and back."""

from __future__ import annotations

from typing import Any

from django import forms

from portico.knowledge.models import Category, Status
from portico.parties.models import UserGroup
from portico.service.models import Choice


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(
        label="Did this article help?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )
    comment = forms.CharField(
        label="Anything to add? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=300, required=False, help_text="One sentence, shown under the title."
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18}), help_text="Markdown.")
    category = forms.ModelChoiceField(Category.objects.all(), required=False)
    tags = forms.CharField(max_length=300, required=False, help_text="Comma-separated.")
    products = forms.ModelMultipleChoiceField(
        Choice.objects.filter(classification__code="product", active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(choices=Status.choices)
    public = forms.BooleanField(
        required=False, label="Public", help_text="Anyone may read it, signed in or not."
    )
    audience = forms.ModelMultipleChoiceField(
        UserGroup.objects.exclude(portal="console"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Readers",
        help_text="The groups that may read it when it is not public. None: staff only.",
    )
    change_note = forms.CharField(
        max_length=200, required=False, label="What changed (for the history)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Services report missing values with the words every channel uses.
        for name in ("title", "body"):
            self.fields[name].required = False
