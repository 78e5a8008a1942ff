"""The operator's page of a cluster's identity: rename it from a date, change its coordinator
from a date (both asked first; keyclusters.registry.identity does the writing)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.domain import identifiers

from . import identity, selectors
from .forms import BootstrapMixin, DateInput
from .models import Cluster, Organisation

IDENTITY_PERMISSION = "registry.record_cluster_identity"


class RenameForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("New name"), max_length=300)
    valid_from = forms.DateField(
        label=_("Borne from"),
        widget=DateInput(),
        help_text=_("The first day of the new name; the current name ends the day before."),
    )


class CoordinatorForm(BootstrapMixin, forms.Form):
    nip = forms.CharField(
        label=_("NIP of the new coordinator"),
        max_length=20,
        help_text=_("An organisation already in the registry."),
    )
    valid_from = forms.DateField(
        label=_("Coordinates from"),
        widget=DateInput(),
        help_text=_("The first day as coordinator; the current one's role ends the day before."),
    )

    def clean_nip(self) -> Organisation:
        value = self.cleaned_data["nip"]
        try:
            nip = identifiers.normalise_nip(value)
        except identifiers.IdentifierError as exc:
            raise ValidationError(
                gettext("%(value)s is not a valid NIP (%(reason)s)")
                % {"value": exc.value, "reason": gettext(exc.reason)}
            ) from exc
        organisation = Organisation.objects.filter(nip=nip).first()
        if organisation is None:
            raise ValidationError(
                gettext("No organisation with this NIP is in the registry: add it first.")
            )
        return organisation


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


@login_required
@require_http_methods(["GET", "POST"])
def cluster_identity(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the cluster's names and coordinators with dates and the two forms; POST
    (``action`` rename or coordinator): asked first, then recorded."""
    if not request.user.has_perm(IDENTITY_PERMISSION):
        raise PermissionDenied
    cluster = get_object_or_404(Cluster.objects.select_related("coordinator"), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    rename_form = RenameForm(request.POST if action == "rename" else None, prefix="rename")
    coordinator_form = CoordinatorForm(
        request.POST if action == "coordinator" else None, prefix="coordinator"
    )
    today = selectors.today()
    cancel = reverse("registry:cluster-identity", args=[cluster.pk])
    if action == "rename" and rename_form.is_valid():
        name, valid_from = rename_form.cleaned_data["name"], rename_form.cleaned_data["valid_from"]
        try:
            name = identity.check_rename(
                cluster=cluster, name=name, valid_from=valid_from, today=today
            )
            if confirmation_needed(request):
                values = {
                    "old": cluster.name,
                    "new": name,
                    "date": _day(valid_from),
                    "before": _day(valid_from - dt.timedelta(days=1)),
                }
                return ask_to_confirm(
                    request,
                    title=gettext("Rename %(old)s to %(new)s from %(date)s?") % values,
                    consequences=[
                        gettext(
                            "The name %(old)s ends on %(before)s; pages, exports, certificates "
                            "and answers about a day from %(date)s on use %(new)s."
                        )
                        % values,
                        gettext("This cannot be undone from the registry's pages."),
                    ],
                    button=gettext("Rename the cluster"),
                    cancel_url=cancel,
                )
            identity.rename_cluster(
                cluster=cluster, name=name, valid_from=valid_from, by=request.user
            )
        except ValidationError as exc:
            _show_errors(rename_form, exc)
        else:
            messages.success(
                request,
                gettext("The cluster is named %(name)s from %(date)s.")
                % {"name": name, "date": _day(valid_from)},
            )
            return redirect(cancel)
    if action == "coordinator" and coordinator_form.is_valid():
        organisation = coordinator_form.cleaned_data["nip"]
        valid_from = coordinator_form.cleaned_data["valid_from"]
        try:
            identity.check_coordinator_change(
                cluster=cluster, organisation=organisation, valid_from=valid_from, today=today
            )
            if confirmation_needed(request):
                values = {
                    "cluster": cluster.name,
                    "old": cluster.coordinator.name,
                    "new": organisation.name,
                    "date": _day(valid_from),
                    "before": _day(valid_from - dt.timedelta(days=1)),
                }
                return ask_to_confirm(
                    request,
                    title=gettext("%(new)s coordinates %(cluster)s from %(date)s?") % values,
                    consequences=[
                        gettext(
                            "The role of coordinator of %(old)s ends on %(before)s (its other "
                            "memberships stay); %(new)s is the coordinator from %(date)s."
                        )
                        % values,
                        gettext("This cannot be undone from the registry's pages."),
                    ],
                    button=gettext("Change the coordinator"),
                    cancel_url=cancel,
                )
            identity.change_coordinator(
                cluster=cluster, organisation=organisation, valid_from=valid_from, by=request.user
            )
        except ValidationError as exc:
            _show_errors(coordinator_form, exc, {"organisation": "nip"})
        else:
            messages.success(
                request,
                gettext("%(organisation)s coordinates the cluster from %(date)s.")
                % {"organisation": organisation.name, "date": _day(valid_from)},
            )
            return redirect(cancel)
    context = {
        "cluster": cluster,
        "names": identity.name_history(cluster),
        "coordinators": identity.coordinator_history(cluster),
        "rename_form": rename_form,
        "coordinator_form": coordinator_form,
    }
    return render(request, "registry/cluster_identity.html", context)


def _show_errors(form: forms.Form, exc: ValidationError, aliases: dict | None = None) -> None:
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = aliases.get(field, field)
        form.add_error(target if target in form.fields else None, errors)
