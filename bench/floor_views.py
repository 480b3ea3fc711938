"""The two floor views. Neither needs a log-in: they measure the full middleware stack,
the server and (for `rows`) one indexed read and a template, and nothing of Portico's."""

from django.http import HttpRequest, HttpResponse
from django.template import engines

from portico.service.models import Transaction

_ROWS = engines["django"].from_string(
    "<!doctype html><title>floor</title><table>"
    "{% for number, title, due_at in rows %}"
    "<tr><td>{{ number }}</td><td>{{ title }}</td><td>{{ due_at|date:'j M Y H:i' }}</td></tr>"
    "{% endfor %}</table>"
)


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def rows(request: HttpRequest) -> HttpResponse:
    """50 rows by primary key (an index seek), rendered through a bare template."""
    data = Transaction.objects.order_by("id").values_list("number", "title", "due_at")[:50]
    return HttpResponse(_ROWS.render({"rows": list(data)}, request))
