"""The Council's pages: its meetings (members and operators read them; operators plan them),
its members (operators), a meeting (documents, who attended, positions, minutes) and a
document's download (members and operators)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.accounts.models import User
from keyclusters.private_files import download_name, file_response
from keyclusters.registry.models import Cluster

from . import selectors, services
from .forms import (
    AttendanceForm,
    DocumentForm,
    EndMembershipForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    PositionForm,
)
from .models import Meeting, MeetingDocument, Represents
from .services import CouncilError, day_words, person_name


def _put_errors(request: HttpRequest, exc: CouncilError, form: forms.Form) -> None:
    """The refusal's messages on the form's fields; the others as messages."""
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


def _may_read(request: HttpRequest) -> None:
    if not request.user.has_perm("council.read"):
        raise PermissionDenied


# -- the meetings -----------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _may_read(request)
    may_manage = services.is_operator(request.user)
    form = MeetingForm()
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.plan_meeting(by=request.user, **form.cleaned_data)
            except CouncilError as exc:
                _put_errors(request, exc, form)
            else:
                messages.success(
                    request,
                    _("The meeting of %(day)s is planned.") % {"day": day_words(meeting.held_on)},
                )
                return redirect("council:meeting", pk=meeting.pk)
    today = timezone.localdate()
    return render(
        request,
        "council/index.html",
        {
            "meetings": selectors.meetings(),
            "today": today,
            "members_today": services.members_on(today),
            "form": form,
            "may_manage": may_manage,
        },
    )


# -- the members ------------------------------------------------------------------------------


@login_required
def members(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("council.manage"):
        raise PermissionDenied
    today = timezone.localdate()
    form = MemberForm(initial={"member_from": today})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = MemberForm(request.POST)
                if not form.is_valid():
                    return _members(request, form, today)
                member = services.add_member(by=request.user, **form.cleaned_data)
                messages.success(
                    request,
                    _("%(name)s is a member of the Council from %(day)s.")
                    % {"name": person_name(member.user), "day": day_words(member.member_from)},
                )
            elif action == "propose":
                cluster = get_object_or_404(Cluster, pk=request.POST.get("cluster") or 0)
                user = get_object_or_404(User, pk=request.POST.get("user") or 0)
                member = services.add_member(
                    user=user,
                    represents=Represents.COORDINATOR,
                    cluster=cluster,
                    member_from=today,
                    by=request.user,
                )
                messages.success(
                    request,
                    _("%(name)s is a member of the Council from %(day)s.")
                    % {"name": person_name(member.user), "day": day_words(member.member_from)},
                )
            elif action == "end":
                end = EndMembershipForm(request.POST)
                if not end.is_valid():
                    for field, errors in end.errors.items():
                        label = end.fields[field].label if field in end.fields else ""
                        for error in errors:
                            messages.error(request, f"{label}: {error}" if label else error)
                    return redirect("council:members")
                member = services.end_membership(by=request.user, **end.cleaned_data)
                messages.success(
                    request,
                    _("%(name)s's membership ends on %(day)s.")
                    % {"name": person_name(member.user), "day": day_words(member.member_to)},
                )
            else:
                messages.error(request, _("Nothing was changed."))
        except CouncilError as exc:
            _put_errors(request, exc, form)
            if form.errors:
                return _members(request, form, today)
        return redirect("council:members")
    return _members(request, form, today)


def _members(request: HttpRequest, form: MemberForm, today) -> HttpResponse:
    return render(
        request,
        "council/members.html",
        {
            "members": selectors.members(),
            "proposals": selectors.proposed_members(today),
            "form": form,
            "today": today,
        },
    )


# -- a meeting --------------------------------------------------------------------------------

_FORMS = ("details", "document", "attendance", "position", "minutes")


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    _may_read(request)
    found = get_object_or_404(
        Meeting.objects.select_related("minutes", "minutes_recorded_by"), pk=pk
    )
    members = services.members_on(found.held_on)
    forms_ = {
        "details": MeetingForm(
            initial={"held_on": found.held_on, "place": found.place, "agenda": found.agenda},
            prefix="details",
        ),
        "document": DocumentForm(),
        "attendance": AttendanceForm(
            members=members, initial={"attendees": list(found.attendees.all())}
        ),
        "position": PositionForm(prefix="position"),  # "title" is the document's too
        "minutes": MinutesForm(meeting=found),
    }
    if request.method == "POST":
        if not services.is_operator(request.user):
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in _FORMS:
            messages.error(request, _("Nothing was changed."))
            return redirect("council:meeting", pk=found.pk)
        if action == "details":
            form = MeetingForm(request.POST, prefix="details")
        elif action == "document":
            form = DocumentForm(request.POST, request.FILES)
        elif action == "attendance":
            form = AttendanceForm(request.POST, members=members)
        elif action == "position":
            form = PositionForm(request.POST, prefix="position")
        else:
            form = MinutesForm(request.POST, meeting=found)
        forms_[action] = form
        if not form.is_valid():
            return _meeting(request, found, members, forms_)
        data = form.cleaned_data
        try:
            if action == "details":
                services.change_meeting(meeting=found, by=request.user, **data)
                messages.success(request, _("The meeting has been changed."))
            elif action == "document":
                services.add_document(
                    meeting=found, title=data["title"], upload=data["file"], by=request.user
                )
                messages.success(request, _("The document has been added."))
            elif action == "attendance":
                services.record_attendance(
                    meeting=found, attendees=data["attendees"], by=request.user
                )
                messages.success(request, _("Who attended has been recorded."))
            elif action == "position":
                position = services.adopt_position(
                    meeting=found, title=data["title"], text=data["text"], by=request.user
                )
                messages.success(
                    request,
                    _("Position %(number)s has been recorded.") % {"number": position.number},
                )
            else:
                if confirmation_needed(request):
                    services.check_may_record_minutes(found, request.user)
                    return _confirm_minutes(request, found, data["document"])
                services.record_minutes(meeting=found, document=data["document"], by=request.user)
                messages.success(request, _("The minutes of the meeting have been recorded."))
        except CouncilError as exc:
            _put_errors(request, exc, form)
            if form.errors:
                return _meeting(request, found, members, forms_)
        return redirect("council:meeting", pk=found.pk)
    return _meeting(request, found, members, forms_)


def _meeting(request, found: Meeting, members, forms_) -> HttpResponse:
    may_manage = services.is_operator(request.user)
    closed_reason = None
    if may_manage and found.minutes_recorded_at is None:
        try:
            services.check_may_record_minutes(found, request.user)
        except CouncilError as exc:
            closed_reason = exc.messages[0]
    return render(
        request,
        "council/meeting.html",
        {
            "meeting": found,
            "agenda": [line for line in found.agenda.splitlines() if line.strip()],
            "documents": found.documents.select_related("uploaded_by"),
            "attendees": found.attendees.select_related("user", "cluster").order_by(
                "represents", "user__last_name", "user__first_name", "pk"
            ),
            "positions": found.positions.all(),
            "members": members,
            "forms": forms_,
            "may_manage": may_manage,
            "open": found.minutes_recorded_at is None,
            "closed_reason": closed_reason,
            "minutes_recorded_by": person_name(found.minutes_recorded_by)
            if found.minutes_recorded_at
            else "",
        },
    )


def _confirm_minutes(request: HttpRequest, found: Meeting, document: MeetingDocument):
    return ask_to_confirm(
        request,
        title=_("Record the minutes of the meeting?"),
        facts=[
            (_("Meeting"), f"{day_words(found.held_on)}, {found.place}"),
            (_("Minutes"), document.title),
            (_("Attended"), str(found.attendees.count())),
            (_("Positions"), str(found.positions.count())),
        ],
        consequences=[
            _(
                "The document becomes the minutes of the meeting, recorded with your name and the "
                "date."
            ),
            _(
                "Once recorded, the minutes are final: they cannot be changed or replaced, and who "
                "attended, the positions and the documents of the meeting can no longer change."
            ),
        ],  # fmt: skip
        button=_("Record the minutes"),
        cancel_url=reverse("council:meeting", args=[found.pk]),
    )


# -- a document -------------------------------------------------------------------------------


@login_required
@require_safe
def document(request: HttpRequest, pk: int) -> HttpResponse:
    _may_read(request)
    found = get_object_or_404(MeetingDocument, pk=pk)
    if not found.file:
        raise Http404
    return file_response(
        found.file,
        kind=found.kind,
        filename=download_name(found.file_name, found.kind, default="document"),
    )
