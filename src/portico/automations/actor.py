"""The person automation rules act as: made when first needed, in a staff group of its
own that opens no zone, with a log-in that has no password (portico.access.roles says
what it may do: anything to a transaction, nothing else)."""

from __future__ import annotations

from django.db import IntegrityError
from django.db import transaction as db

from portico import access
from portico.parties.models import Individual, Portal, User, UserGroup


def automation_user() -> User:
    user = (
        User.objects.filter(email=access.AUTOMATION_EMAIL)
        .select_related("individual__user_group")
        .first()
    )
    if user is not None and getattr(user, "individual", None) is not None:
        return user
    try:
        with db.atomic():
            _make(user)
    except IntegrityError:
        pass  # another worker, starting at the same moment, made it first
    return User.objects.select_related("individual__user_group").get(email=access.AUTOMATION_EMAIL)


def _make(user: User | None) -> None:
    group, _ = UserGroup.objects.get_or_create(
        name=access.AUTOMATION_GROUP,
        defaults={
            "portal": Portal.CONSOLE,
            "description": "The automation rules act as its one member; it opens no zone.",
        },
    )
    if user is None:
        user = User.objects.create_user(access.AUTOMATION_EMAIL, None)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    Individual.objects.create(
        user=user, user_group=group, first_name="Portico", last_name="automations"
    )
