"""The automations in Systems Admin (issue 22): rules with their conditions and actions
(checked by the same `clean` functions the engine's other callers use, so a mistake
shows on its field and nothing is saved), a dry run of a saved rule, and the actions
that failed, to be tried again."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from portico.audit.models import Event
from portico.automations import actions, checks, conditions, dryrun, engine
from portico.automations.actor import automation_user
from portico.automations.models import Action, Condition, Failure, Rule

# The dry run's periods: (code, words, length); a week unless asked.
PERIODS: dict[str, tuple[str, datetime.timedelta]] = {
    "1d": ("the last 24 hours", datetime.timedelta(days=1)),
    "7d": ("the last 7 days", datetime.timedelta(days=7)),
    "30d": ("the last 30 days", datetime.timedelta(days=30)),
}
DEFAULT_PERIOD = "7d"


class RuleForm(forms.ModelForm[Rule]):
    class Meta:
        model = Rule
        fields = ("name", "description", "active", "position", "trigger", "event", "timer")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["event"], data["timer"] = checks.clean_trigger(
                trigger=data.get("trigger") or "",
                event=data.get("event") or "",
                timer=data.get("timer") or "",
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field, problems)
        return data


class _RowsChecked(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """An inline whose rows are each judged by the shared `clean` of their kind (on the
    form, so the admin puts the message beside the field)."""

    def _live_forms(self) -> list[forms.ModelForm[Any]]:
        """The rows that will be saved: not deleted, not an untouched blank row, and
        not already refused (their instance is half filled)."""
        return [
            form
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and not (self.can_delete and form.cleaned_data.get("DELETE"))
            and not form.errors
        ]

    def _shared_clean(self, check: Callable[[Any], None]) -> list[forms.ModelForm[Any]]:
        """Each row judged by the shared rules of its kind, the message put on its
        field; returns the rows still good."""
        for form in self._live_forms():
            try:
                check(form.instance)
            except ValidationError as error:
                form.add_error(None, error)
        return self._live_forms()


class ConditionForm(forms.ModelForm[Condition]):
    class Meta:
        model = Condition
        fields = ("field", "classification", "operator", "value")


class ConditionFormSet(_RowsChecked):
    def clean(self) -> None:
        super().clean()
        rule: Rule = self.instance
        for form in self._shared_clean(conditions.clean):
            field = form.cleaned_data.get("field")
            if rule.trigger == Rule.Trigger.TIME and field in (
                Condition.Field.NOTE_BY,
                Condition.Field.NOTE_VISIBILITY,
            ):
                form.add_error("field", "A time rule has no note to test.")


class ActionForm(forms.ModelForm[Action]):
    class Meta:
        model = Action
        fields = (
            "position",
            "kind",
            "after_minutes",
            "target",
            "individual",
            "team",
            "notice",
            "mail_kind",
            "classification",
            "choice",
            "priority",
            "permission",
            "webhook",
            "text",
        )
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 80})}
        labels = {"after_minutes": "minutes after"}


class ActionFormSet(_RowsChecked):
    def clean(self) -> None:
        super().clean()
        # The rule form's instance carries the trigger as submitted, valid or not.
        rule: Rule = self.instance
        live = self._shared_clean(actions.clean)
        problems = checks.clean_in_rule(rule, [form.instance for form in live])
        for index, errors in problems.items():
            for name, words in errors.items():
                live[index].add_error(name, words)


class ConditionInline(admin.TabularInline[Condition, Rule]):
    model = Condition
    form = ConditionForm
    formset = ConditionFormSet
    extra = 0


class ActionInline(admin.StackedInline[Action, Rule]):
    # Stacked, a few fields to a line: as one table row its fourteen fields ran past
    # 1280 pixels, and most are blank for any one kind of action.
    model = Action
    form = ActionForm
    formset = ActionFormSet
    extra = 0
    autocomplete_fields = ("individual", "team")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("position", "kind", "after_minutes"),
                    ("target", "individual", "team"),
                    ("notice", "mail_kind"),
                    ("classification", "choice", "priority"),
                    ("permission", "webhook"),
                    "text",
                )
            },
        ),
    )

    def formfield_for_dbfield(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        # No add/change/delete/view buttons beside each choice: an action picks a team or
        # a priority, it does not edit one, and the buttons doubled each line's width.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin[Rule]):
    form = RuleForm
    inlines = [ConditionInline, ActionInline]
    list_display = ("name", "trigger", "on", "active", "summary", "position")
    list_display_links = ("name",)
    list_filter = ("active", "trigger")
    search_fields = ("name", "description")
    readonly_fields = ("code", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "description", "active", "position")}),
        ("When", {"fields": ("trigger", "event", "timer")}),
        ("Record", {"fields": ("code", "created_at", "updated_at"), "classes": ("collapse",)}),
    )
    actions = ("switch_on", "switch_off")
    change_form_template = "admin/automations/rule/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rule]:
        return super().get_queryset(request).prefetch_related("conditions", "actions")

    @admin.display(description="event or timer")
    def on(self, rule: Rule) -> str:
        return rule.event if rule.trigger == Rule.Trigger.EVENT else rule.get_timer_display()

    @admin.display(description="conditions · actions")
    def summary(self, rule: Rule) -> str:
        tests = "; ".join(str(c) for c in rule.conditions.all()) or "always"
        does = ", ".join(a.get_kind_display().split(" (")[0] for a in rule.actions.all())
        return f"{tests} → {does or 'nothing'}"

    def has_delete_permission(self, request: HttpRequest, obj: Rule | None = None) -> bool:
        # A default rule is how Portico sends a message that used to be built in (the
        # acknowledgement, the status mails, the staff notices): deleted, it would come
        # back with the next `defaults.install()` and nobody would know why. Switching
        # it off says "not wanted" and keeps it where it can be switched on again.
        if obj is not None and obj.code:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description="Switch on")
    def switch_on(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        count = queryset.update(active=True, updated_at=timezone.now())
        messages.success(request, f"{count} rule(s) switched on.")

    @admin.action(description="Switch off")
    def switch_off(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        count = queryset.update(active=False, updated_at=timezone.now())
        messages.success(request, f"{count} rule(s) switched off.")

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.dry_run)
        return [
            path("<int:pk>/dry-run/", view, name="automations_rule_dryrun"),
            *super().get_urls(),
        ]

    def dry_run(self, request: HttpRequest, pk: int) -> HttpResponse:
        """What the saved rule would have matched in a recent period. A GET: it writes
        nothing."""
        rule = get_object_or_404(Rule, pk=pk)
        period = request.GET.get("period", DEFAULT_PERIOD)
        if period not in PERIODS:
            period = DEFAULT_PERIOD
        words, length = PERIODS[period]
        until = timezone.now()
        result = dryrun.matches(rule, since=until - length, until=until)
        rows = [
            {
                "match": match,
                "link": (
                    reverse("console:transaction", kwargs={"number": match.transaction.number})
                    if match.transaction is not None
                    else reverse("console:individual", kwargs={"pk": match.person.pk})
                    if match.person is not None
                    else ""
                ),
            }
            for match in result.matches
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": rule,
            "title": f"Dry run: {rule.name}",
            "result": result,
            "rows": rows,
            "period": period,
            "period_words": words,
            "periods": [(code, label) for code, (label, _) in PERIODS.items()],
            "about_people": rule.event.startswith("individual."),
        }
        return TemplateResponse(request, "admin/automations/rule/dry_run.html", context)


@admin.register(Failure)
class FailureAdmin(admin.ModelAdmin[Failure]):
    list_display = (
        "rule",
        "action",
        "transaction",
        "attempts",
        "short_error",
        "next_try_at",
        "done_at",
        "given_up_at",
    )
    list_select_related = ("action__rule", "transaction")
    list_filter = (
        ("done_at", admin.EmptyFieldListFilter),
        ("given_up_at", admin.EmptyFieldListFilter),
    )
    readonly_fields = (
        "action",
        "event",
        "transaction",
        "attempts",
        "error",
        "created_at",
        "next_try_at",
        "done_at",
        "given_up_at",
    )
    actions = ("try_again",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by the engine when an action fails

    @admin.display(description="rule")
    def rule(self, failure: Failure) -> str:
        return failure.action.rule.name

    @admin.display(description="error")
    def short_error(self, failure: Failure) -> str:
        return failure.error[:120]

    @admin.action(description="Try again now")
    def try_again(self, request: HttpRequest, queryset: QuerySet[Failure]) -> None:
        done = failed = 0
        for failure in queryset.filter(done_at__isnull=True).select_related("event", "transaction"):
            if try_now(failure):
                done += 1
            else:
                failed += 1
        if done:
            messages.success(request, f"{done} action(s) done.")
        if failed:
            messages.warning(request, f"{failed} failed again; the error is updated.")


def try_now(failure: Failure) -> bool:
    """Run a failed action again now, as the worker would (engine.retry_failures), even
    one given up on: an administrator who fixed the cause asks for it."""
    action = (
        Action.objects.select_related(
            "rule",
            "individual",
            "team",
            "classification",
            "choice",
            "priority",
            "permission",
            "webhook__owner__user",
        )
        .filter(pk=failure.action_id)
        .first()
    )
    if action is None:
        return False
    if failure.event is not None:
        context = engine.context_for(failure.event)
    else:
        context = conditions.Context(
            event=Event(occurred_at=timezone.now(), data={}), transaction=failure.transaction
        )
    return engine.perform(action, context, automation_user(), failure=failure)


# The campaigns' pages, registered on import.
from portico.automations import admin_campaigns  # noqa: E402, F401
