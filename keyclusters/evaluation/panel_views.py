"""The Expert Panel's pages: a session for the operator (slots, invitations, minutes), the
invitation for the cluster's coordinator (presenters and the presentation) and the download of
the presentation (operators, the panel's members assigned to the application, the coordinator).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.domain import presentations
from keyclusters.private_files import download_name, file_response

from . import panel
from .base import EvaluationError, is_operator
from .models import PanelSession, PanelSlot

_TEXT = {"class": "form-control"}


class SlotForm(forms.Form):
    application = forms.ModelChoiceField(
        label=gettext_lazy("Application"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", **_TEXT}, format="%Y-%m-%dT%H:%M"
        ),
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Length (minutes)"),
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs=_TEXT),
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
    )
    video_link = forms.CharField(
        label=gettext_lazy("Video link"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={**_TEXT, "inputmode": "url"}),
        help_text=gettext_lazy("A place, a video link (https://…) or both."),
    )

    def __init__(self, *args, session: PanelSession, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        field.queryset = panel.applications_to_schedule(session)
        field.label_from_instance = lambda application: application.cluster.name


# the slot form has a "minutes" field (its length) too: the minutes' text gets other ids
MINUTES_ID = "session_%s"


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=gettext_lazy("Minutes of the session"),
        widget=forms.Textarea(attrs={**_TEXT, "rows": 6}),
    )


class PresentationForm(forms.Form):
    presenters = forms.CharField(
        label=gettext_lazy("Presenters"),
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
        help_text=gettext_lazy("Names and functions, one person a line."),
    )
    presentation = forms.FileField(
        label=gettext_lazy("Presentation"),
        required=False,
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".pdf,.pptx,.odp"}),
        help_text=gettext_lazy("PDF, PPTX or ODP; a new file replaces the uploaded one."),
    )


def _put_errors(request: HttpRequest, exc: EvaluationError, form: forms.Form) -> None:
    """The refusal's messages on the form's fields; the others as messages (in words)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                if field in form.fields:
                    form.add_error(field, error)
                else:
                    messages.error(request, error)
    else:
        for error in exc.messages:
            messages.error(request, error)


# -- the operator's session page --------------------------------------------------------------


@login_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("evaluation.manage"):
        raise PermissionDenied
    session = get_object_or_404(
        PanelSession.objects.select_related("call__rulebook", "minutes_recorded_by"), pk=pk
    )
    slot_form = SlotForm(session=session, initial=_slot_initial(session))
    minutes_form = MinutesForm(auto_id=MINUTES_ID)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "slot":
                slot_form = SlotForm(request.POST, session=session)
                if not slot_form.is_valid():
                    return _session(request, session, slot_form, minutes_form)
                data = slot_form.cleaned_data
                slot = panel.set_slot(session=session, by=request.user, **data)
                messages.success(
                    request,
                    _("The slot of %(cluster)s is set: %(start)s.")
                    % {
                        "cluster": slot.application.cluster.name,
                        "start": panel.when(slot.starts_at),
                    },
                )
            elif action == "invite":
                slot = get_object_or_404(
                    PanelSlot.objects.select_related("application__cluster"),
                    pk=request.POST.get("slot") or 0,
                    session=session,
                )
                panel.send_invitation(
                    slot=slot, by=request.user, request_base=request.build_absolute_uri("/")
                )
                messages.success(
                    request,
                    _("The invitation has been sent to the coordinator of %(cluster)s.")
                    % {"cluster": slot.application.cluster.name},
                )
            elif action == "minutes":
                minutes_form = MinutesForm(request.POST, auto_id=MINUTES_ID)
                if not minutes_form.is_valid():
                    return _session(request, session, slot_form, minutes_form)
                if confirmation_needed(request):
                    panel.check_may_record_minutes(session, request.user)
                    return _confirm_minutes(request, session)
                panel.record_minutes(
                    session=session, text=minutes_form.cleaned_data["minutes"], by=request.user
                )
                messages.success(request, _("The minutes of the session have been recorded."))
        except EvaluationError as exc:
            form = slot_form if action == "slot" else minutes_form
            _put_errors(request, exc, form)
            if form.errors:
                return _session(request, session, slot_form, minutes_form)
        return redirect("evaluation:panel-session", pk=session.pk)
    return _session(request, session, slot_form, minutes_form)


def _slot_initial(session: PanelSession) -> dict:
    rulebook = session.call.rulebook.parsed()
    return {"minutes": panel.presentation_minutes(rulebook), "place": session.place}


def _session(request, session, slot_form, minutes_form) -> HttpResponse:
    may_change = is_operator(request.user)  # the administrator sees the page, unchanged
    minutes_closed = None
    if may_change and session.minutes_recorded_at is None:
        try:
            panel.check_may_record_minutes(session, request.user)
        except EvaluationError as exc:
            minutes_closed = exc.messages[0]
    return render(
        request,
        "evaluation/panel_session.html",
        {
            "session": session,
            "call": session.call,
            "members": session.members.select_related("user"),
            "slots": panel.slots_of(session),
            "slot_form": slot_form,
            "minutes_form": minutes_form,
            "may_change": may_change,
            "minutes_closed": minutes_closed,
        },
    )


def _confirm_minutes(request: HttpRequest, session: PanelSession) -> HttpResponse:
    return ask_to_confirm(
        request,
        title=_("Record the minutes of the session?"),
        facts=[
            (_("Call"), session.call.name),
            (_("Session"), date_format(session.held_on, "j E Y")),
            (_("Slots"), str(session.slots.count())),
        ],
        consequences=[
            _("The minutes are recorded with your name and the date."),
            _("Once recorded, the minutes are final: they cannot be changed or replaced."),
        ],
        button=_("Record the minutes"),
        cancel_url=reverse("evaluation:panel-session", args=[session.pk]),
    )


# -- the coordinator's invitation -------------------------------------------------------------


@login_required
def invitation(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(
        PanelSlot.objects.select_related(
            "session__call__rulebook", "application__cluster", "presentation_uploaded_by"
        ),
        pk=pk,
    )
    if not request.user.has_perm("evaluation.see_panel_invitation", slot):
        raise PermissionDenied
    coordinator = panel.is_coordinator(request.user, slot)
    if coordinator and slot.invited_at is None:
        raise Http404  # nothing to see before the invitation is sent
    form = PresentationForm(initial={"presenters": slot.presenters})
    if request.method == "POST":
        if not coordinator:
            raise PermissionDenied
        form = PresentationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                panel.prepare_presentation(
                    slot=slot,
                    presenters=form.cleaned_data["presenters"],
                    presentation=form.cleaned_data["presentation"] or None,
                    by=request.user,
                )
            except EvaluationError as exc:
                _put_errors(request, exc, form)
            else:
                messages.success(request, _("The presenters and the presentation have been saved."))
                return redirect("evaluation:panel-invitation", pk=slot.pk)
    closed = None
    if coordinator:
        try:
            panel.check_may_prepare(slot, request.user)
        except EvaluationError as exc:
            closed = exc.messages[0]
    return render(
        request,
        "evaluation/panel_invitation.html",
        {
            "slot": slot,
            "session": slot.session,
            "application": slot.application,
            "form": form,
            "may_prepare": coordinator and closed is None,
            "closed": closed,
        },
    )


# -- the presentation -------------------------------------------------------------------------


@login_required
@require_safe
def presentation(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(
        PanelSlot.objects.select_related("application__cluster", "application__call__rulebook"),
        pk=pk,
    )
    if not panel.may_download(request.user, slot):
        raise PermissionDenied
    if not slot.presentation:
        raise Http404
    kind = slot.presentation_kind
    # served as a PDF would be (attachment, nosniff, sandbox), with the type of the kind found
    response = file_response(
        slot.presentation,
        kind="pdf",
        filename=download_name(slot.presentation_name, kind, default="presentation"),
    )
    response["Content-Type"] = presentations.CONTENT_TYPES[kind]
    return response
