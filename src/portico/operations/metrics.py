"""Prometheus metrics at /metrics: requests by route, method and status class, their
latency, and, read from the database when scraped, the work waiting behind the pages (the
task queue, the e-mail outbox, webhook deliveries, undispatched events).

Served by gunicorn, each worker process counts into its own file in
PROMETHEUS_MULTIPROC_DIR (set by portico.operations.gunicorn_conf before the workers
fork) and a scrape adds the files up, so the totals do not depend on which worker
answered, nor die with one. Anywhere else (tests, runserver) the counts are this
process's own.

Only the addresses in PORTICO_METRICS_ALLOWED, or a request bearing
PORTICO_METRICS_TOKEN, may read them; anyone else gets the ordinary 404.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.http.response import HttpResponseNotAllowed
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django_tasks_db.models import DBTaskResult
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess, values
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from portico.audit.models import Event
from portico.notify.models import Delivery
from portico.operations.proxy import Network, parse_networks, within
from portico.operations.requestlog import log_quietly
from portico.webhooks.models import Delivery as WebhookDelivery

logger = logging.getLogger(__name__)

# Portico's own registry rather than prometheus_client's global one: what /metrics shows
# is the same under gunicorn and elsewhere, without this one process's CPU and memory.
_COUNTED = CollectorRegistry()
# A label value is never taken from the request as sent: an unknown method, like a path
# that matches no route, would make a new series each, without end.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter(
    "portico_requests",
    "Requests answered, by method, route (the URL pattern's name) and status class.",
    ["method", "route", "status"],
    registry=_COUNTED,
)
# Portico's pages take a few milliseconds to a few hundred; past 5 s is a fault.
LATENCY = Histogram(
    "portico_request_duration_seconds",
    "Time from Portico receiving a request to its response, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=_COUNTED,
)

# The series each (method, route, status class) counts into, looked up once: prometheus_client's
# labels() costs more than the counting itself. As bounded as the labels are.
_SERIES: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


class MetricsMiddleware:
    """Counts and times every request that reaches Portico's views. A streamed download
    is timed to its first byte: the rest is the client's pace, not Portico's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = request.resolver_match
        route = match.view_name if match is not None else "unmatched"
        method = request.method if request.method in METHODS else "other"
        key = (method, route, response.status_code // 100)
        series = _SERIES.get(key)
        if series is None:
            series = _SERIES[key] = (
                REQUESTS.labels(method, route, f"{key[2]}xx"),
                LATENCY.labels(route),
            )
        series[0].inc()
        series[1].observe(elapsed)
        return response


def waiting_work() -> Iterator[Metric]:
    """The gauges read at scrape time. Each query counts the rows of a partial index that
    holds only the unfinished ones (tasks ready to run, unsent e-mails, unfinished
    webhook deliveries, undispatched events), so it stays cheap at any table size; they
    are short unless something is stuck, which is what these gauges are for."""
    tasks = DBTaskResult.objects.ready().count()
    outbox = Delivery.objects.filter(sent_at__isnull=True).aggregate(
        unsent=Count("id"), oldest=Min("created_at")
    )
    webhooks = WebhookDelivery.objects.filter(
        succeeded_at__isnull=True, given_up_at__isnull=True
    ).count()
    events = Event.objects.filter(dispatched_at__isnull=True).count()
    oldest = outbox["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest is not None else 0.0
    yield GaugeMetricFamily(
        "portico_tasks_waiting", "Tasks in the queue ready to run and not yet started.", tasks
    )
    yield GaugeMetricFamily(
        "portico_outbox_unsent", "E-mails in the outbox not yet sent.", outbox["unsent"]
    )
    yield GaugeMetricFamily(
        "portico_outbox_oldest_unsent_age_seconds",
        "Age of the oldest e-mail in the outbox not yet sent; 0 when none waits.",
        max(age, 0.0),
    )
    yield GaugeMetricFamily(
        "portico_webhook_deliveries_waiting",
        "Webhook deliveries neither delivered nor given up.",
        webhooks,
    )
    yield GaugeMetricFamily(
        "portico_events_undispatched", "Events whose subscribers have yet to run.", events
    )


class _Scrape:
    """What one scrape reads: the requests counted (by every worker process, or by this
    one) and the waiting work."""

    def __init__(self, counted: Collector) -> None:
        self.counted = counted

    def collect(self) -> Iterable[Metric]:
        yield from self.counted.collect()
        try:
            # Read in full first, so that a failure leaves no gauge half-written.
            gauges = list(waiting_work())
        except DatabaseError:
            # The request counts matter most while the database is down (the 5xx rate);
            # the gauges' absence is the alert.
            logger.warning("metrics: the database did not answer; queue gauges left out")
            return
        yield from gauges


def _counted() -> Collector:
    # prometheus_client chose its kind of value once, when first imported: files shared
    # between processes only if PROMETHEUS_MULTIPROC_DIR was set by then.
    if getattr(values.ValueClass, "_multiprocess", False):
        return multiprocess.MultiProcessCollector(None)  # type: ignore[no-untyped-call]
    return _COUNTED


_SCRAPE = _Scrape(_counted())


@lru_cache(maxsize=4)
def _allowed(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(list(entries))


def may_read(request: HttpRequest) -> bool:
    """From an allowed address (REMOTE_ADDR, which ForwardedForMiddleware has set to the
    client behind a trusted proxy), or with the token."""
    allowed = _allowed(tuple(settings.PORTICO_METRICS_ALLOWED))
    if within(request.META.get("REMOTE_ADDR", ""), allowed):
        return True
    token: str = settings.PORTICO_METRICS_TOKEN
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(offered.strip().encode(), token.encode())


@csrf_exempt  # it changes nothing; and a CSRF refusal of a POST would betray that it exists
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = HttpResponse(encode(_SCRAPE), content_type=content_type)
    # Prometheus asks every few seconds, and its own `up` series already says it did.
    log_quietly(response)
    return response
