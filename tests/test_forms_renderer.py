"""Jinja2 draws Portico's forms as Django's templates did (`portico.forms_renderer`):
each form below is rendered by both, and the HTML compared. Only whitespace may differ
(a radio's label starts with a line break in one, a space in the other)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django import forms
from django.forms.renderers import BaseRenderer, TemplatesSetting
from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.test import Client

from portico import forms_renderer
from portico.console import transaction_forms
from portico.console.forms import SaveViewForm, TransactionFilterForm
from portico.console.views.phone import CreateForm
from portico.knowledge.forms import ArticleForm, FeedbackForm
from portico.parties.forms import ContactDetailsForm
from portico.parties.models import User
from portico.portal import forms as portal_forms
from portico.reports.forms import PeriodForm
from portico.service import actions
from portico.service.models import Application, Transaction
from tests.conftest import Persona

type Build = Callable[[BaseRenderer], forms.Form]


def _normalised(html: str) -> str:
    html = re.sub(r"\s+", " ", html)
    return re.sub(r">\s+<", "><", html).strip()


def _both(build: Build) -> tuple[str, str]:
    django = str(build(TemplatesSetting()))
    jinja2 = str(build(forms_renderer.FormRenderer()))
    return _normalised(django), _normalised(jinja2)


@pytest.fixture
def issue(demo_data: None) -> Transaction:
    return Transaction.objects.select_related("application").get(number="SI-000001")


def _console_forms(t: Transaction) -> dict[str, Build]:
    """The transaction page's forms, as `console.views.transaction` makes them, and some
    bound with mistakes (errors, and typed values to write back escaped)."""
    current = actions.profile_of(t)
    moves = list(t.application.statuses.all())
    return {
        "profile": lambda r: transaction_forms.ProfileForm(
            transaction=t, current=current, renderer=r
        ),
        "text": lambda r: transaction_forms.TextForm(transaction=t, renderer=r),
        "text bound": lambda r: transaction_forms.TextForm(
            {"title": 'Ewan\'s "line" <3>', "description": "It <b>stopped</b> & won't start."},
            transaction=t,
            renderer=r,
        ),
        "money": lambda r: transaction_forms.MoneyForm(transaction=t, renderer=r),
        "money bound": lambda r: transaction_forms.MoneyForm(
            {"value": "12'5<0>", "cost": '"80"'}, transaction=t, renderer=r
        ),
        "status": lambda r: transaction_forms.StatusForm(transaction=t, moves=moves, renderer=r),
        "status with errors": lambda r: _checked(
            transaction_forms.StatusForm({}, transaction=t, moves=moves, renderer=r)
        ),
        "note": lambda r: transaction_forms.NoteForm(transaction=t, renderer=r),
        "upload": lambda r: transaction_forms.UploadForm(renderer=r),
        "relate": lambda r: transaction_forms.RelateForm(renderer=r),
        "relate with errors": lambda r: _checked(
            transaction_forms.RelateForm({"other": "x" * 30, "kind": "nonsense"}, renderer=r)
        ),
        "grant": lambda r: transaction_forms.GrantForm(renderer=r),
        "grant with errors": lambda r: _checked(
            transaction_forms.GrantForm({"individual": "nobody@example.com"}, renderer=r)
        ),
        "assign": lambda r: transaction_forms.AssignForm(renderer=r),
        "forward": lambda r: transaction_forms.ForwardForm(renderer=r),
        "follow up": lambda r: transaction_forms.FollowUpForm(renderer=r),
        "reply": lambda r: transaction_forms.EmailReplyForm(transaction=t, renderer=r),
    }


def _checked(form: forms.Form) -> forms.Form:
    assert not form.is_valid()
    return form


class _Multiple(forms.Form):
    """A multiple select with groups, as Django draws one (Portico's own are QuickSelects)."""

    who = forms.MultipleChoiceField(
        choices=[("a", "Ann"), ("Team O'Hara", [("b", "Bea & Co"), ("c", "<Cy>")])],
        initial=["a", "c"],
        help_text="Ctrl to pick several.",
    )


def _other_forms(t: Transaction, personas: dict[str, Persona]) -> dict[str, Build]:
    csr = User.objects.get(email=personas["csr"].email)
    customer = User.objects.get(email=personas["customer"].email)
    staff = personas["csr"].individual
    individual = personas["customer"].individual
    applications = list(Application.objects.all())
    return {
        "console filter": lambda r: TransactionFilterForm(user=csr, renderer=r),
        "console filter bound": lambda r: _checked(
            TransactionFilterForm({"q": "x" * 300, "due": "whenever"}, user=csr, renderer=r)
        ),
        "save view (hidden input)": lambda r: SaveViewForm(
            initial={"query": "q=a'b&status=open"}, owner=staff, user=csr, renderer=r
        ),
        "console create": lambda r: CreateForm(
            applications=applications, initial={"requester": individual}, renderer=r
        ),
        "portal request": lambda r: portal_forms.RequestForm(
            application=t.application, user=customer, renderer=r
        ),
        "portal request with errors": lambda r: _with_service_error(
            portal_forms.RequestForm(
                {"title": "", "description": "<script>x</script>"},
                application=t.application,
                user=customer,
                renderer=r,
            )
        ),
        "portal reason": lambda r: portal_forms.ReasonForm(renderer=r),
        "portal note": lambda r: portal_forms.NoteForm(renderer=r),
        "portal upload with errors": lambda r: _checked(portal_forms.UploadForm({}, renderer=r)),
        "contact details": lambda r: ContactDetailsForm.for_individual(individual, renderer=r),
        "report period (date inputs)": lambda r: PeriodForm(
            initial={"since": "2026-01-01"}, renderer=r
        ),
        "report period with errors": lambda r: _checked(
            PeriodForm({"since": "2026-02-01", "until": "2026-01-01"}, renderer=r)
        ),
        "article (checkboxes)": lambda r: ArticleForm(renderer=r),
        "feedback (radios) with errors": lambda r: _checked(
            FeedbackForm({"comment": "O'Brien's"}, renderer=r)
        ),
        "multiple select": lambda r: _Multiple(renderer=r),
        "multiple select bound": lambda r: _Multiple({"who": ["b", "zz"]}, renderer=r),
    }


def _with_service_error(form: portal_forms.RequestForm) -> forms.Form:
    form.is_valid()
    form.add_error(None, "The service says no: “it's broken”.")
    form.add_error("title", "Say what it is about.")
    return form


def test_portico_forms_render_the_same_html(
    issue: Transaction, personas: dict[str, Persona]
) -> None:
    builds = {**_console_forms(issue), **_other_forms(issue, personas)}
    for name, build in builds.items():
        django, jinja2 = _both(build)
        assert jinja2 == django, name
    # The forms above did draw what they were chosen for.
    html = "".join(_both(build)[1] for build in builds.values())
    for drawn in [
        'type="checkbox"',
        'type="radio"',
        'type="date"',
        'type="hidden"',
        'type="file"',
        "<textarea",
        '<select name="who" required aria-describedby="id_who_helptext" id="id_who" multiple',
        '<optgroup label="Team O&#x27;Hara">',
        'class="helptext"',
        'class="errorlist"',
        'class="errorlist nonfield"',
        " required",
        "12&#x27;5&lt;0&gt;",
    ]:
        assert drawn in html, drawn


def test_the_select_writes_its_options_in_place() -> None:
    """Portico's select template (jinja2/django/forms/widgets/select.html) is the one
    drawn, not Django's, which includes a template per option."""
    engine = forms_renderer.jinja2_engine()
    template = engine.get_template("django/forms/widgets/select.html")
    assert Path(template.origin.name) == forms_renderer.OWN_TEMPLATES.joinpath(
        "django/forms/widgets/select.html"
    )


def test_what_jinja2_lacks_comes_from_the_django_templates() -> None:
    renderer = forms_renderer.FormRenderer()
    assert isinstance(renderer.get_template("django/forms/field.html"), Jinja2Template)
    admin = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert isinstance(admin, DjangoTemplate)
    with pytest.raises(TemplateDoesNotExist):
        renderer.get_template("django/forms/widgets/no-such-widget.html")


def test_no_django_template_overrides_a_form_template() -> None:
    """One would be silently passed over: Jinja2 has every django/forms/ template."""
    for engine in engines.all():
        for folder in engine.dirs:
            assert not (Path(folder) / "django" / "forms").exists()


def test_the_admin_draws_its_own_widgets_through_the_django_templates(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    individual = personas["technician"].individual
    page = client_for("administrator").get(f"/admin/parties/individual/{individual.pk}/change/")
    assert page.status_code == 200
    drawn = {t.name for t in page.templates}
    # The admin's wrapper (the add and change links beside a select) is a Django
    # template, and so is what its date widget includes; the select inside the wrapper
    # is Jinja2's, which the test client does not list.
    assert "admin/widgets/related_widget_wrapper.html" in drawn
    assert "django/forms/widgets/select.html" not in drawn
    html = page.content.decode()
    assert 'class="related-widget-wrapper"' in html
    assert '<select name="organization" ' in html


@pytest.mark.parametrize("number", ["SI-000042", "CO-1", "odd number ü?#", "NUMBER"])
@pytest.mark.parametrize(
    "name", ["portal:customer-transaction", "portal:partner-transaction", "console:transaction"]
)
def test_a_list_s_row_links_are_the_links_reverse_writes(name: str, number: str) -> None:
    from django.urls import reverse

    link = forms_renderer._number_url(name)
    assert link(number) == reverse(name, args=[number])
