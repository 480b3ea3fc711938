"""The one way a stored file leaves Portico: fetched through `portico.access` (by
transaction and attachment here, by document in the knowledge base) and sent as a
download with headers that stop a browser from running or guessing at it."""

from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from portico import access
from portico.service import content, selectors
from portico.service.models import Attachment


def serve_attachment(attachment: Attachment) -> FileResponse:
    """Pages and the API both answer attachment downloads through this."""
    return serve_file(attachment.file, attachment.content_type, attachment.name)


def serve_file(file: FieldFile, content_type: str, name: str) -> FileResponse:
    """A stored upload's bytes with the headers that keep a browser from running or
    guessing at it: attachments and the knowledge base's documents alike."""
    response = FileResponse(file.open("rb"), content_type=_served_type(content_type))
    response["Content-Disposition"] = content.disposition_for(content_type, name)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were to render it, the document can run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def download_attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    transaction = access.transaction_for(request.user, number)
    return serve_attachment(selectors.attachment_for(request.user, transaction, attachment_id))


def _served_type(content_type: str) -> str:
    # Raster images keep their type (they may show inline); everything else goes out as
    # opaque bytes so no browser treats an upload as a page or a script.
    return (
        content_type if content_type in content.INLINE_CONTENT_TYPES else "application/octet-stream"
    )
