"""An application's documents, to those who may read them (never by a media URL).

Who: the coordinator of the application's cluster, operators and the decision maker
("competitions.read_application_documents"), and the experts and panel members with an active
assignment to the application who have declared no conflict of interest (the evaluation's
"evaluation.read_application_documents"). Anyone else gets a 404, the same as for a document
that does not exist; an anonymous visitor is sent to log in.

Without a query the field's current document is served; with ``?sha256=<hash>`` the one of that
hash, as a revision of the application names it (a file replaced during completion stays
readable as the evaluators saw it).

Every download is recorded (who, which document, when): operators see the list on the
application's page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from keyclusters.private_files import download_name, file_response

from . import services
from .models import Application, ApplicationDocument

READ_PERMISSIONS = (
    "competitions.read_application_documents",
    "evaluation.read_application_documents",
)


def may_read_documents(user, application: Application) -> bool:
    return any(user.has_perm(permission, application) for permission in READ_PERMISSIONS)


@login_required
@require_safe
def application_document(request: HttpRequest, pk: int, field_id: str) -> HttpResponse:
    application = get_object_or_404(Application.objects.select_related("cluster"), pk=pk)
    if not may_read_documents(request.user, application):
        raise Http404
    documents = ApplicationDocument.objects.filter(application=application, field_id=field_id)
    sha256 = request.GET.get("sha256", "")
    if sha256:
        # The file a revision names (what the evaluators judged), replaced since or not.
        document = documents.filter(sha256=sha256.lower()[:64]).order_by("-uploaded_at").first()
    else:
        document = documents.filter(replaced_at__isnull=True).first()
    if document is None:
        raise Http404
    services.record_document_access(document=document, by=request.user)
    return file_response(
        document.file,
        kind=document.content_kind,
        filename=download_name(document.original_name, document.content_kind, default=field_id),
    )
