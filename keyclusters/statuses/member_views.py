"""The member organisation's own membership certificate (docs/self-service.md): issued for the
NIP of the organisation the signed-in person represents, never for one given in the request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from keyclusters.registry import selfservice

from . import selectors, services


@login_required
@require_POST
def my_certificate(request: HttpRequest) -> HttpResponse:
    if not selfservice.is_member_organisation_user(request.user):
        raise PermissionDenied
    organisation = request.user.organisation
    try:
        issued = services.membership_certificate(
            nip=organisation.nip or "", on=selectors.today(), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registry:my-organisation")
    return redirect("statuses:certificate-pdf", code=issued.code)
