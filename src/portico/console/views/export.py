"""The transaction list as a download (CSV or Excel).

The same filters, the same rules and the same access as the list page: the rows are
`selectors.transaction_list`, so an export holds exactly the transactions the list would
show on all its pages together."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import IO, cast

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from portico import access
from portico.console.forms import TransactionFilterForm
from portico.service import export, selectors

TRUNCATED_HEADER = "X-Portico-Export-Truncated"
FILE_BLOCK_SIZE = 64 * 1024


@access.zone_required(access.CONSOLE)
@require_GET
def transactions(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in export.FORMATS:
        raise Http404("No such export format.")
    form = TransactionFilterForm(request.GET, user=request.user)
    list_url = reverse("console:transactions")
    if not form.is_valid():
        # Back to the list with the same filters, where each mistake is explained.
        query = request.GET.urlencode()
        return redirect(f"{list_url}?{query}" if query else list_url)
    now = timezone.now()
    visible = selectors.transaction_list(request.user, form.filters, now=now)
    filters = form.query_string()
    if fmt == "csv":
        export.record_export(actor=request.user, file_format=fmt, filters=filters)
        # Row by row from a database cursor: a list of any length costs a chunk of memory.
        response = StreamingHttpResponse(
            _served(request, export.csv_chunks(export.export_rows(visible))),
            content_type=export.CONTENT_TYPES[fmt],
        )
    else:
        limit = export.XLSX_MAX_ROWS
        # A workbook is a zip, finished before its first byte can go: it is built in a
        # temporary file (deleted once sent), from at most limit + 1 rows, the one more
        # telling whether the list was cut.
        out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _blocks once sent
        result = export.write_xlsx(export.export_rows(visible, limit=limit + 1), out, limit=limit)
        export.record_export(
            actor=request.user,
            file_format=fmt,
            filters=filters,
            rows=result.rows,
            truncated=result.truncated,
        )
        size = out.seek(0, os.SEEK_END)
        out.seek(0)
        response = StreamingHttpResponse(
            _served(request, _blocks(out)), content_type=export.CONTENT_TYPES[fmt]
        )
        response["Content-Length"] = str(size)
        if result.truncated:
            # The file says so too, in its last line; this is for scripts.
            response[TRUNCATED_HEADER] = str(limit)
    filename = f"transactions-{timezone.localdate(now):%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it after all, the file can run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Customers' data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    # zone_required is typed for HttpResponse; a streamed response is one in all but name.
    return response  # type: ignore[return-value]


def _blocks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := file.read(FILE_BLOCK_SIZE):
            yield block
    finally:
        file.close()


def _served[T](request: HttpRequest, chunks: Iterator[T]) -> Iterator[T] | AsyncIterator[T]:
    """The chunks in the form the server streams. Under ASGI (how Portico is served)
    Django reads a synchronous iterator to its end before it sends a byte, which would
    build the whole export in memory; an asynchronous one is sent as it comes. Each
    chunk is still made in the request's own thread, where its database connection and
    cursor live. Under WSGI (and the test client) the iterator is served as it is."""
    if isinstance(request, ASGIRequest):
        return _pulled(chunks)
    return chunks


async def _pulled[T](chunks: Iterator[T]) -> AsyncIterator[T]:
    step = sync_to_async(_next_or_end, thread_sensitive=True)
    try:
        while (part := await step(chunks)) is not _END:
            yield cast("T", part)
    finally:
        # A client that goes away mid-file closes the rows' cursor and the file too.
        close = getattr(chunks, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=True)()


_END = object()


def _next_or_end[T](chunks: Iterator[T]) -> T | object:
    return next(chunks, _END)
