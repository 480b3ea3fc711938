"""One line per request for operators: a request id (the caller's X-Request-ID when it
sends a sane one, else a new one, echoed in the response), who asked, what, the status
and how long it took. With PORTICO_LOG_FORMAT=json every log line is a JSON object, so
a log shipper needs no parsing rules."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("portico.requests")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def log_quietly(response: HttpResponse) -> None:
    """Log this response's line at DEBUG: for requests that come like clockwork and say
    nothing an operator reads (a metrics scrape), which would bury the rest."""
    response.portico_log_level = logging.DEBUG  # type: ignore[attr-defined]


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        offered = request.headers.get("X-Request-ID", "")
        # A caller's id is kept only if it cannot forge log lines or headers.
        request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        logger.log(
            getattr(response, "portico_log_level", logging.INFO),
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


_FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
