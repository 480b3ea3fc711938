"""The one way a stored file leaves Portico: fetched through `portico.access` (by
transaction and attachment here, by document in the knowledge base) and sent as a
download with headers that stop a browser from running or guessing at it.

Who sends the bytes depends on where they are kept, never on who asks: Portico itself
(local files), nginx told by X-Accel-Redirect (local files, PORTICO_X_ACCEL_REDIRECT), or
the bucket through a short-lived signed URL (S3). The access check comes first each time.
"""

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage, Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from portico import access
from portico.service import content, selectors
from portico.service.models import Attachment

# Even if a browser were to render it, the document can run nothing and reach nothing.
SANDBOX = "default-src 'none'; sandbox"
NO_STORE = "private, no-store"


def serve_attachment(attachment: Attachment) -> HttpResponseBase:
    """Pages and the API both answer attachment downloads through this."""
    return serve_file(attachment.file, attachment.content_type, attachment.name)


def serve_file(file: FieldFile, content_type: str, name: str) -> HttpResponseBase:
    """A stored upload's bytes with the headers that keep a browser from running or
    guessing at it: attachments and the knowledge base's documents alike."""
    served_type = _served_type(content_type)
    disposition = content.disposition_for(content_type, name)
    storage = file.storage
    if _is_s3(storage):
        return _signed_redirect(storage, file.name or "", served_type, disposition)
    response: HttpResponseBase
    if settings.PORTICO_X_ACCEL_REDIRECT and isinstance(storage, FileSystemStorage):
        # nginx sends the file from its internal location and keeps these headers; the
        # name is ours (generated), quoted so that nothing in it reads as a query.
        response = HttpResponse(content_type=served_type)
        response["X-Accel-Redirect"] = settings.PORTICO_X_ACCEL_REDIRECT + quote(file.name or "")
    else:
        response = FileResponse(file.open("rb"), content_type=served_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = NO_STORE
    return response


def _is_s3(storage: Storage) -> bool:
    # Imported here: boto3 is loaded only by processes whose files are on S3.
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def _signed_redirect(
    storage: Any, stored: str, served_type: str, disposition: str
) -> HttpResponseRedirect:
    # The signature covers these response-* parameters, so the bucket answers with the
    # same type, disposition and caching as Portico would, and no one can change them.
    url = storage.url(
        stored,
        parameters={
            "ResponseContentType": served_type,
            "ResponseContentDisposition": disposition,
            "ResponseCacheControl": NO_STORE,
        },
        expire=settings.PORTICO_DOWNLOAD_URL_SECONDS,
    )
    response = HttpResponseRedirect(url)
    # The URL lets whoever holds it fetch the file until it expires: kept in no cache.
    response["Cache-Control"] = NO_STORE
    return response


@require_GET
@login_required
def download_attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponseBase:
    transaction = access.transaction_for(request.user, number)
    return serve_attachment(selectors.attachment_for(request.user, transaction, attachment_id))


def _served_type(content_type: str) -> str:
    # Raster images keep their type (they may show inline); everything else goes out as
    # opaque bytes so no browser treats an upload as a page or a script.
    return (
        content_type if content_type in content.INLINE_CONTENT_TYPES else "application/octet-stream"
    )
