"""The scanned document of a cooperation declaration, to the coordinator of the cluster and to
operators ("registry.read_declaration_documents"; never by a media URL).

The declaration itself is public on the cluster's page, so a logged-in user who may not have
the document gets a 403; an anonymous visitor is sent to log in. A stored file that is not a
recognised document (from before uploads were checked) is not served.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from keyclusters.domain.documents import sniff_kind
from keyclusters.private_files import download_name, file_response

from .models import CooperationDeclaration

READ_PERMISSION = "registry.read_declaration_documents"
logger = logging.getLogger(__name__)


def _stored_kind(declaration: CooperationDeclaration) -> str | None:
    try:
        with declaration.document.open("rb") as handle:
            head = handle.read(5)
            return "pdf" if head == b"%PDF-" else sniff_kind(head + handle.read())
    except FileNotFoundError:
        return None


@login_required
@require_safe
def declaration_document(request: HttpRequest, pk: int, declaration_pk: int) -> HttpResponse:
    declaration = get_object_or_404(
        CooperationDeclaration.objects.select_related("cluster"), pk=declaration_pk, cluster_id=pk
    )
    if not declaration.document:
        raise Http404
    if not request.user.has_perm(READ_PERMISSION, declaration.cluster):
        raise PermissionDenied
    kind = _stored_kind(declaration)
    if kind is None:
        logger.warning("declaration %s: the stored file is not a document", declaration.pk)
        raise Http404
    name = f"declaration-{slugify(declaration.cluster.name)}-{declaration.signed_on:%Y-%m-%d}"
    return file_response(declaration.document, kind=kind, filename=download_name(name, kind))
