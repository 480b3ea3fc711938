"""Systems Admin's classification page: a product's owner is a member of staff."""

from __future__ import annotations

import pytest

from portico.parties.models import Individual
from portico.service.admin import ChoiceForm
from portico.service.models import Choice

pytestmark = pytest.mark.usefixtures("demo_people")


def _form(owner: Individual) -> ChoiceForm:
    pump = Choice.objects.get(classification__code="product", code="clearflow-dosing-pump")
    data = {"code": pump.code, "label": pump.label, "position": pump.position, "active": "on"}
    return ChoiceForm(data={**data, "owner": owner.pk}, instance=pump)


def test_a_products_owner_is_staff_never_a_customer() -> None:
    customer = _form(Individual.objects.get(first_name="Ewan"))
    assert customer.errors == {"owner": ["The owner is a member of staff."]}
    staff = _form(Individual.objects.get(first_name="Aisha"))
    assert staff.is_valid(), staff.errors
    staff.save()
    assert Choice.objects.get(code="clearflow-dosing-pump").owner == staff.instance.owner
