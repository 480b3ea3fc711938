"""Saved views say `q` for the free-text filter, its name on every channel now (it was
`text` on the console). The position is kept: both are the form's first field, so the
stored query string stays normalised."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.http import QueryDict


def _renamed(query: str, old: str, new: str) -> str:
    pairs = [(new if name == old else name, value) for name, value in _pairs(query)]
    out = QueryDict(mutable=True)
    for name, value in pairs:
        out.appendlist(name, value)
    return out.urlencode()


def _pairs(query: str) -> list[tuple[str, str]]:
    parsed = QueryDict(query)
    return [(name, value) for name, values in parsed.lists() for value in values]


def forwards(apps: Any, schema_editor: Any) -> None:
    SavedView = apps.get_model("console", "SavedView")
    for view in SavedView.objects.filter(query__contains="text="):
        view.query = _renamed(view.query, "text", "q")
        view.save(update_fields=["query"])


def backwards(apps: Any, schema_editor: Any) -> None:
    SavedView = apps.get_model("console", "SavedView")
    for view in SavedView.objects.filter(query__contains="q="):
        view.query = _renamed(view.query, "q", "text")
        view.save(update_fields=["query"])


class Migration(migrations.Migration):
    dependencies = [("console", "0001_console_visits_and_saved_views")]

    operations = [migrations.RunPython(forwards, backwards)]
