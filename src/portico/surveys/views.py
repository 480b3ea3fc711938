"""The survey page, reached from the signed links in the satisfaction e-mail (no log-in).

GET shows the question with the rating from the link chosen and a comment box, and
records nothing: mail scanners and link previews follow links. POST records the answer
(or changes it). The token in the address is what authorises the POST — it is made for
one person and one transaction — so, as on the unsubscribe page (portico.mail.views),
CSRF protection has nothing to add. Any link that does not open gets the same refusal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portico.access import links
from portico.audit.models import Channel
from portico.service.actions import status as moves
from portico.surveys import services
from portico.surveys.models import Answer


def _rating(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person, transaction = services.open_survey(token)
    except links.LinkRefused as refused:
        return render(request, "surveys/refused.html", {"reason": str(refused)}, status=403)
    setting = services.setting_for(transaction.application)
    choices = services.choices(setting)
    row = Answer.objects.filter(transaction=transaction, person=person).first()
    chosen = _rating(request.GET.get("rating")) or (row.rating if row else None)
    errors: dict[str, list[str]] = {}
    done = False
    comment = row.comment if row else ""
    if request.method == "POST":
        chosen = _rating(request.POST.get("rating"))
        comment = request.POST.get("comment", "")
        try:
            row = services.answer(
                person=person,
                transaction=transaction,
                rating=chosen or 0,
                comment=comment,
                extra=request.POST.get("extra", ""),
                channel=Channel.WEB,
            )
            done = True
        except ValidationError as error:
            errors = error.message_dict
        if done and request.POST.get("reopen") and person.user is not None:
            try:
                moves.reopen(
                    actor=person.user,
                    transaction=transaction,
                    reason=comment or "Not satisfied with how it was resolved.",
                )
            except (ValidationError, PermissionDenied) as error:
                errors = {"reopen": [getattr(error, "messages", [str(error)])[0]]}
    return render(
        request,
        "surveys/answer.html",
        {
            "person": person,
            "transaction": transaction,
            "setting": setting,
            "choices": choices,
            "chosen": chosen,
            "comment": comment,
            "done": done,
            "errors": errors,
            "may_reopen": person.user is not None
            and "reopen" in moves.offered(person.user, transaction),
        },
        status=400 if errors and not done else 200,
    )
