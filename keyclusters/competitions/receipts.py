"""The submission confirmation: a PDF (WeasyPrint) naming the application's number, when it was
submitted and the hash of the frozen revision, for the cluster's coordinator (and operators)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from . import selectors, services
from .models import Application


def confirmation_context(application: Application) -> dict:
    revision = services.latest_revision(application)
    if revision is None or not application.number:
        raise Http404
    return {
        "application": application,
        "revision": revision,
        "revision_sha256": services.revision_sha256(revision),
        "documents": revision.documents,
    }


def confirmation_html(application: Application) -> str:
    return render_to_string(
        "competitions/pdf/submission_confirmation.html", confirmation_context(application)
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy; imported only when a PDF is made

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


@login_required
@require_safe
def submission_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(selectors.visible_applications(request.user), pk=pk)
    html = confirmation_html(application)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    name = (application.number or str(application.pk)).replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
