"""The Reports zone's pages (issue 24). Thin: the form says which period and grouping,
access says which teams' figures the reader adds up, the queries read the roll-ups.

Each page asks access (from the primary) first, then reads its figures inside
`on_replica()`: from the read-only replica when one is configured, so that the heaviest
reads leave the primary (portico.operations.replica says why the scope is no wider)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portico import access
from portico.operations.replica import on_replica
from portico.reports import charts, export, flags, mailing, queries
from portico.reports.forms import (
    SATISFACTION_GROUPS,
    MoneyPeriodForm,
    SatisfactionForm,
    ScheduleForm,
    period_from,
)
from portico.reports.models import BuiltDay, Dimension, ProductFlag, Schedule
from portico.service.filters import ALL_STATUSES, PRODUCT
from portico.service.models import Application, Channel, Choice

# The groups a page lists, the busiest first; the export has them all.
TOP_GROUPS = 50


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


@access.zone_required(access.REPORTS)
def service(request: HttpRequest) -> HttpResponse:
    form, period, by = period_from(request.GET)
    context: dict[str, object] = {"form": form, "by_label": Dimension(by).label}
    if period is not None:
        teams = access.report_teams(request.user)
        with on_replica():
            rows, groups = queries.top_figures(by, period, teams=teams, limit=TOP_GROUPS)
            shown = {row.key for row in rows}
            before = {
                r.key: r for r in queries.figures(by, period.previous(), teams=teams, keys=shown)
            }
            total = queries.total(period, teams=teams)
            days = queries.days(period, teams=teams)
            response = [(row.label, (_hours(row.median("response_business")) or 0)) for row in rows]
            context |= {
                "period": period,
                "previous": period.previous(),
                "rows": [(row, before.get(row.key)) for row in rows],
                "more_groups": groups - len(rows),
                "total": total,
                "total_before": queries.total(period.previous(), teams=teams),
                "response_chart": charts.bars(response, unit=" h"),
                "flow_chart": charts.lines(
                    [d.day for d in days],
                    [
                        ("Opened", "series-a", [d.opened for d in days]),
                        ("Resolved", "series-b", [d.resolved for d in days]),
                    ],
                ),
                "days": days,
                "built": BuiltDay.objects.order_by("-built_at")
                .values_list("built_at", flat=True)
                .first(),
                "all_teams": teams is None,
                "schedule_by": by,
            }
    return render(request, "reports/service.html", context)


@access.zone_required(access.REPORTS)
def products(request: HttpRequest) -> HttpResponse:
    """Calls and complaints per product, share of all calls, time to solution; and which
    products are abnormally busy this week, with the evidence."""
    form, period, _by = period_from(request.GET)
    context: dict[str, object] = {"form": form}
    if period is not None:
        teams = access.report_teams(request.user)
        with on_replica():
            compared = queries.products_compared(period, teams=teams)
            calls = compared.total.opened
            # The flag judges the whole desk's incidents: a product is abnormal or not,
            # whoever reads it; its evidence is counts per week, no transaction.
            judged = {key: verdict for key, _label, verdict in flags.judge_products(period.until)}
            context |= {
                "period": period,
                "previous": period.previous(),
                "rows": [
                    (row, before, _share(row.opened, calls), judged.get(row.key))
                    for row, before in compared.rows
                ],
                "total": compared.total,
                "total_before": compared.total_before,
                "calls": calls,
                "flagged": list(
                    ProductFlag.objects.select_related("product").order_by(
                        "-week_ending", "-p_value"
                    )[:20]
                ),
                "chart": charts.bars(
                    [
                        (row.label, row.opened)
                        for row, _before in compared.rows
                        if row.key and row.opened
                    ]
                ),
            }
    return render(request, "reports/products.html", context)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@access.zone_required(access.REPORTS)
def service_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The Service report's table, for the same period, grouping and teams."""
    return _export(request, "service", fmt)


@access.zone_required(access.REPORTS)
def people(request: HttpRequest) -> HttpResponse:
    """Customers served, actions and closes per day per CSR and technician, and their
    positive feedback."""
    form, period, _by = period_from(request.GET)
    context: dict[str, object] = {"form": form}
    if period is not None:
        teams = access.report_teams(request.user)
        with on_replica():
            compared = queries.people_compared(period, teams=teams)
            context |= {
                "period": period,
                "previous": period.previous(),
                "rows": compared.rows,
                "total": compared.total,
                "total_before": compared.total_before,
                "chart": charts.bars(
                    [
                        (r.label, round(r.closes_per_day, 2))
                        for r, _before in compared.rows
                        if r.actions
                    ]
                ),
            }
    return render(request, "reports/people.html", context)


@access.zone_required(access.REPORTS)
def portal(request: HttpRequest) -> HttpResponse:
    """Portal uptake and self-service: the share of requests logged through each channel
    per month, active portal users per organisation, the knowledge base's searches and
    deflections, and the satisfaction answers."""
    form, period, _by = period_from(request.GET)
    context: dict[str, object] = {"form": form}
    if period is not None:
        teams = access.report_teams(request.user)
        with on_replica():
            months = queries.channels_by_month(period, teams=teams)
            channels = [(code, label) for code, label in Channel.choices]
            context |= {
                "period": period,
                "channels": channels,
                "months": [
                    (m, [(m.by_channel.get(code, 0), m.share(code)) for code, _ in channels])
                    for m in months
                ],
                "chart": charts.lines(
                    [m.month for m in months],
                    [("Portal (web)", "series-a", [m.share(Channel.WEB) or 0 for m in months])],
                )
                if len(months) > 1
                else None,
                "service": queries.self_service(period),
                "month_heads": queries.months_of(period),
                "users": queries.active_portal_users(period)[:50],
                "total": queries.total(period, teams=teams),
                "missing": queries.knowledge_gaps(period),
            }
    return render(request, "reports/portal.html", context)


@require_POST
@access.zone_required(access.REPORTS)
def schedule(request: HttpRequest) -> HttpResponse:
    """E-mail me this report: a schedule for oneself (administrators set up others' in
    Systems Admin). Asking again for the same one changes nothing."""
    form = ScheduleForm(request.POST)
    person = access.individual_of(request.user)
    back = request.POST.get("back") or reverse("reports:service")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = reverse("reports:service")
    if person is None or not form.is_valid():
        messages.error(request, "That schedule is not one the reports offer.")
        return redirect(back)
    data = form.cleaned_data
    Schedule.objects.get_or_create(
        individual=person,
        report=data["report"],
        by=data["by"],
        every=data["every"],
        defaults={"next_at": mailing.first_time(data["every"]), "attach": data["attach"]},
    )
    # Asked again with the other file: the one schedule now sends that.
    Schedule.objects.filter(
        individual=person, report=data["report"], by=data["by"], every=data["every"]
    ).update(active=True, attach=data["attach"])
    messages.success(request, "You will get this report by e-mail.")
    return redirect(back)


def _export(request: HttpRequest, report: str, fmt: str) -> HttpResponse:
    """A report's tables (export.sheets_for) for the page's period, grouping and the
    reader's teams. Excel: every table, a sheet each. CSV: one table, the first unless
    `?table=` names another (the Portal report: channels, users, searches, figures)."""
    if fmt not in export.FORMATS:
        raise Http404("No such export format.")
    _form, period, by = period_from(request.GET)
    if period is None:
        return redirect(f"{reverse(f'reports:{report}')}?{request.GET.urlencode()}")
    teams = access.report_teams(request.user)
    with on_replica():
        sheets = export.sheets_for(report, period, teams=teams, by=by)
    asked = request.GET.get("table")
    if asked is not None and asked not in {sheet.key for sheet in sheets}:
        raise Http404("This report has no such table.")
    several = len(sheets) > 1
    if fmt == "csv":
        [sheet] = [s for s in sheets if s.key == (asked or sheets[0].key)]
        body = export.to_csv(sheet.table)
        table = sheet.key if several else ""
    else:
        body = export.workbook(sheets if asked is None else [s for s in sheets if s.key == asked])
        table = asked or ""
    name = export.file_name(report, period, fmt, by=by if report == "service" else "", table=table)
    response = HttpResponse(body, content_type=export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@access.zone_required(access.REPORTS)
def people_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The People report's table, each person beside the period before, and the total."""
    return _export(request, "people", fmt)


@access.zone_required(access.REPORTS)
def products_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The Products report's table, each product beside the period before, and the total."""
    return _export(request, "products", fmt)


@access.zone_required(access.REPORTS)
def portal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The Portal report's tables: Excel has them all; CSV the channels by month, or the
    one `?table=users|searches|figures` names."""
    return _export(request, "portal", fmt)


@access.zone_required(access.REPORTS)
def satisfaction(request: HttpRequest) -> HttpResponse:
    """The satisfaction answers (issue 23's figures, seed 003: "monitoring and measuring
    feedback") per resolver, assignee, team, application, product or organisation, read
    from the roll-ups of the reader's teams, against the period before."""
    form, period, by = period_from(request.GET, form_class=SatisfactionForm)
    context: dict[str, object] = {"form": form, "by_label": SATISFACTION_GROUPS[by]}
    if period is not None:
        teams = access.report_teams(request.user)
        with on_replica():
            rows = queries.satisfaction(by, period, teams=teams)
            before = {r.key: r for r in queries.satisfaction(by, period.previous(), teams=teams)}
            links = _list_links(by, [row.key for row in rows if row.key])
            context |= {
                "period": period,
                "previous": period.previous(),
                "rows": [(row, before.get(row.key), links.get(row.key)) for row in rows],
                "total": queries.satisfaction_total(period, teams=teams),
                "total_before": queries.satisfaction_total(period.previous(), teams=teams),
                "chart": charts.bars(
                    [(row.label, row.share) for row in rows if row.share is not None], unit=" %"
                ),
                "built": BuiltDay.objects.order_by("-built_at")
                .values_list("built_at", flat=True)
                .first(),
                "all_teams": teams is None,
            }
    return render(
        request, "reports/satisfaction.html", context, status=200 if period is not None else 400
    )


def _list_links(by: str, keys: list[str]) -> dict[str, str]:
    """The transaction list filtered to each group, where the list has such a filter (it
    has none by resolver). The list shows transactions now, whatever their answers: a way
    into the group's work, not the figure's rows."""
    ids = [int(key) for key in keys if key.isdigit()]
    values: dict[str, str]
    if by in ("team", "assignee", "organization"):
        values = {str(pk): str(pk) for pk in ids}
    elif by == "application":
        values = {
            str(pk): code
            for pk, code in Application.objects.filter(pk__in=ids).values_list("pk", "code")
        }
    elif by == "product":
        values = {
            str(pk): code
            for pk, code in Choice.objects.filter(
                pk__in=ids, classification__code=PRODUCT
            ).values_list("pk", "code")
        }
    else:
        return {}
    url = reverse("console:transactions")
    return {
        key: f"{url}?{urlencode({by: value, 'status': ALL_STATUSES})}"
        for key, value in values.items()
    }


# --- money -------------------------------------------------------------------------------


@access.zone_required(access.REPORTS)
def money(request: HttpRequest) -> HttpResponse:
    """Value and cost of the transactions opened in a period (seed 002: "dollar value,
    cost of call"), by product, area or organisation, against the period before."""
    form, period, by = period_from(request.GET, form_class=MoneyPeriodForm)
    by_label = Dimension(by).label
    context: dict[str, object] = {"form": form, "by_label": by_label}
    if period is not None:
        teams = access.report_teams(request.user)
        with on_replica():
            every = queries.money(by, period, teams=teams)
            rows = every[:TOP_GROUPS]  # the most valuable; the download has them all
            shown = {row.key for row in rows}
            before = {
                r.key: r for r in queries.money(by, period.previous(), teams=teams, keys=shown)
            }
            total = queries.money_total(period, teams=teams)
            context |= {
                "period": period,
                "previous": period.previous(),
                "rows": [(row, before.get(row.key)) for row in rows],
                "more_groups": len(every) - len(rows),
                "total": total,
                "total_before": queries.money_total(period.previous(), teams=teams),
                "chart": charts.bars([(row.label, float(row.value)) for row in rows]),
                "cost_chart": charts.bars([(row.label, float(row.cost)) for row in rows]),
                "cost_summary": f"What the transactions of each {by_label.lower()} cost, most "
                "first. The same figures are in the table below.",
                "summary": money_summary(by_label, rows, total),
                "all_teams": teams is None,
                "schedule_by": by,
            }
    return render(request, "reports/money.html", context)


def money_summary(by_label: str, rows: list[queries.MoneyRow], total: queries.MoneyRow) -> str:
    """The chart's one sentence: the whole, and the group worth most."""
    if not total.transactions and not total.value and not total.cost:
        return "No transaction with a value or cost was opened in this period."
    said = (
        f"{total.transactions:,} transaction{'s' if total.transactions != 1 else ''} "
        f"worth {total.value:,.2f} cost {total.cost:,.2f}, a margin of {total.margin:,.2f}."
    )
    if rows and rows[0].value > 0:
        top = rows[0]
        said += f" The {by_label.lower()} worth most: {top.label}, {top.value:,.2f}."
    return said


@access.zone_required(access.REPORTS)
def money_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The Money page's table, for the same period, grouping and teams."""
    if fmt not in export.FORMATS:
        raise Http404("No such export format.")
    _form, period, by = period_from(request.GET, form_class=MoneyPeriodForm)
    if period is None:
        return redirect(f"{reverse('reports:money')}?{request.GET.urlencode()}")
    teams = access.report_teams(request.user)
    with on_replica():
        [sheet] = export.money_sheets(period, teams=teams, by=by)
    name = export.file_name("money", period, fmt, by=by)
    body = export.to_csv(sheet.table) if fmt == "csv" else export.workbook([sheet])
    response = HttpResponse(body, content_type=export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
