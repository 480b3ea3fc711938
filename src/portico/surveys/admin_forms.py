"""Feedback forms in Systems Admin: a form with its questions inline. Each row's rules
are the models' `clean` (choice questions need choices, a rating goes up to 2..10, a
form closes after it opens, an anonymous form takes any number of answers), so a
mistake shows on its field and nothing is saved. Answers are not edited here: they are
read on the results page (console, Reports zone and administrators)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from portico.surveys.models import Form, Question


class QuestionInline(admin.StackedInline[Question, Form]):
    model = Question
    extra = 1
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4})}}
    fields = (("position", "kind", "required"), "label", "help", "choices", "rating_max")


@admin.register(Form)
class FormAdmin(admin.ModelAdmin[Form]):
    list_display = ("title", "active", "opens_at", "closes_at", "anonymous", "answers", "results")
    list_filter = ("active", "anonymous")
    search_fields = ("title",)
    filter_horizontal = ("audience",)
    inlines = (QuestionInline,)
    readonly_fields = ("results",)
    fieldsets = (
        (None, {"fields": ("title", "introduction", "audience", "active")}),
        (
            "When and how",
            {"fields": (("opens_at", "closes_at"), "one_answer_per_person", "anonymous")},
        ),
        ("Answers", {"fields": ("results",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Form]:
        return super().get_queryset(request).annotate(answer_count=Count("responses"))

    @admin.display(description="Answers")
    def answers(self, form: Form) -> int:
        return int(getattr(form, "answer_count", 0))

    @admin.display(description="Results")
    def results(self, form: Form) -> SafeString | str:
        if form.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Results</a>', reverse("console:form-results", args=[form.pk])
        )
