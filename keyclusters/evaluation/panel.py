"""The Expert Panel's sittings: a slot per application (time, length, place or video link), the
invitation to the cluster's coordinators, the presenters and the presentation they upload, and
the minutes of the sitting.

Every write locks the session (or the slot) first, inside one transaction: two slots set at once
in one session never overlap, and the minutes are recorded once. The operator sets slots, sends
invitations and records the minutes; the coordinator of the application's cluster names the
presenters and uploads the presentation until the slot starts. The presentation goes to the
panel's members assigned to the application (who declared no conflict of interest), to operators
and to the coordinator (:func:`may_download`)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.competitions.models import Application
from keyclusters.competitions.notifications import coordinator_users
from keyclusters.competitions.rules import coordinates_application_cluster
from keyclusters.domain import presentations
from keyclusters.domain.lifecycle import ApplicationState
from keyclusters.private_files import save_checked
from keyclusters.registry import uploads

from .base import EvaluationError, is_operator
from .commission import person_name
from .models import Assignment, PanelSession, PanelSlot

DEFAULT_MINUTES = 20
UPLOAD_KIND = "documents"  # the presentation's size limit is that of an application's documents
_HTTPS = URLValidator(schemes=["https"])


class Upload(Protocol):
    """What the service needs of an uploaded file (Django's UploadedFile has it)."""

    name: str
    size: int

    def read(self) -> bytes: ...


# -- reading ----------------------------------------------------------------------------------


def panel_stages(rulebook) -> list:
    return [stage for stage in rulebook.stages if stage.kind == "panel"]


def presentation_minutes(rulebook, stage_id: str | None = None) -> int:
    """The length of a presentation: the rulebook's ``presentation: {minutes: N}`` of the panel
    stage (the first panel stage without ``stage_id``), else 20 minutes."""
    for stage in panel_stages(rulebook):
        if stage_id is None or stage.id == stage_id:
            if stage.presentation is not None:
                return int(stage.presentation.minutes)
            return DEFAULT_MINUTES
    return DEFAULT_MINUTES


def slots_of(session: PanelSession):
    return session.slots.select_related("application__cluster").order_by("starts_at", "pk")


def applications_to_schedule(session: PanelSession):
    """The call's applications now at a panel stage."""
    stages = [stage.id for stage in panel_stages(session.call.rulebook.parsed())]
    return (
        session.call.applications.filter(state=ApplicationState.IN_EVALUATION, stage__in=stages)
        .select_related("cluster")
        .order_by("cluster__name", "pk")
    )


def is_coordinator(user: User | None, slot: PanelSlot) -> bool:
    return bool(coordinates_application_cluster(user, slot.application))


def is_panel_member(user: User | None, slot: PanelSlot) -> bool:
    """The user is a panel member (or expert) with an active assignment to the slot's
    application at a panel stage, having declared no conflict of interest."""
    if not (user and user.is_authenticated):
        return False
    stages = [stage.id for stage in panel_stages(slot.application.call.rulebook.parsed())]
    return Assignment.objects.filter(
        application=slot.application,
        stage__in=stages,
        expert__user=user,
        state=Assignment.State.ACTIVE,
        no_conflict_declared_at__isnull=False,
    ).exists()


def may_download(user: User | None, slot: PanelSlot) -> bool:
    """Operators, the panel's members assigned to the application, and its coordinator."""
    return bool(user and user.has_perm("evaluation.read_panel_presentation", slot))


def slot_for_sheet(assignment: Assignment) -> PanelSlot | None:
    """For a panel member's score sheet: the application's latest slot at the Panel, once the
    member has declared no conflict of interest; None for any other sheet."""
    if assignment.state != Assignment.State.ACTIVE or assignment.no_conflict_declared_at is None:
        return None
    rulebook = assignment.application.call.rulebook.parsed()
    if assignment.stage not in {stage.id for stage in panel_stages(rulebook)}:
        return None
    return (
        PanelSlot.objects.filter(application=assignment.application)
        .select_related("session")
        .order_by("-starts_at", "-pk")
        .first()
    )


def invitations_for(user: User) -> list[PanelSlot]:
    """The slots to which the user, a coordinator, has been invited (newest first)."""
    if not (user and user.is_authenticated and user.organisation_id):
        return []
    slots = PanelSlot.objects.filter(
        invited_at__isnull=False, application__cluster__coordinator_id=user.organisation_id
    ).select_related("application__cluster", "session__call")
    return [slot for slot in slots.order_by("-starts_at") if is_coordinator(user, slot)]


def when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# -- the operator: slots and invitations ------------------------------------------------------


def _locked_session(session: PanelSession) -> PanelSession:
    return (
        PanelSession.objects.select_for_update(no_key=True, of=("self",))
        .select_related("call__rulebook")
        .get(pk=session.pk)
    )


def _locked_slot(slot: PanelSlot) -> PanelSlot:
    return (
        PanelSlot.objects.select_for_update(no_key=True, of=("self",))
        .select_related("session__call__rulebook", "application__cluster")
        .get(pk=slot.pk)
    )


@transaction.atomic
def set_slot(
    *,
    session: PanelSession,
    application: Application,
    starts_at: dt.datetime,
    minutes: int | None = None,
    place: str = "",
    video_link: str = "",
    by: User,
) -> PanelSlot:
    """The application's slot at the session, new or changed. Its length defaults to the
    rulebook's presentation minutes. Refused: an application of another call or not at a panel
    stage, neither a place nor an https video link, a time outside the session's day, a slot
    overlapping another of the session. A changed slot must be sent to the coordinators again."""
    if not is_operator(by):
        raise PermissionDenied
    session = _locked_session(session)
    rulebook = session.call.rulebook.parsed()
    stages = {stage.id for stage in panel_stages(rulebook)}
    if (
        application.call_id != session.call_id
        or application.state != ApplicationState.IN_EVALUATION
        or application.stage not in stages
    ):
        raise EvaluationError(
            {"application": [_("%(cluster)s's application is not at the Expert Panel stage.")
                             % {"cluster": application.cluster.name}]}
        )  # fmt: skip
    place, video_link = place.strip(), video_link.strip()
    errors: dict[str, list[str]] = {}
    if minutes is None:
        minutes = presentation_minutes(rulebook, application.stage)
    if minutes < 1:
        errors["minutes"] = [_("The length of the slot must be at least one minute.")]
    if not place and not video_link:
        errors["place"] = [_("Give the place of the slot or a video link.")]
    if video_link:
        try:
            _HTTPS(video_link)
        except ValidationError:
            errors["video_link"] = [
                _("The video link must be a full address starting with https://.")
            ]
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    start = timezone.localtime(starts_at)
    end = start + dt.timedelta(minutes=max(minutes, 1))
    day = date_format(session.held_on, "j E Y")
    if (
        start.date() != session.held_on
        or timezone.localtime(end - dt.timedelta(seconds=1)).date() != session.held_on
    ):
        errors["starts_at"] = [
            _("The slot must start and end on the day of the session, %(day)s.") % {"day": day}
        ]
    if errors:
        raise EvaluationError(errors)
    others = session.slots.exclude(application=application).select_related("application__cluster")
    for other in others:
        if other.starts_at < end and start < other.ends_at:
            raise EvaluationError(
                {"starts_at": [
                    _("The slot would overlap %(cluster)s's slot (%(start)s–%(end)s).")
                    % {
                        "cluster": other.application.cluster.name,
                        "start": date_format(timezone.localtime(other.starts_at), "TIME_FORMAT"),
                        "end": date_format(timezone.localtime(other.ends_at), "TIME_FORMAT"),
                    }
                ]}
            )  # fmt: skip
    slot = session.slots.filter(application=application).first()
    if slot is None:
        slot = PanelSlot(session=session, application=application)
    changed = (slot.starts_at, slot.minutes, slot.place, slot.video_link) != (
        starts_at,
        minutes,
        place,
        video_link,
    )
    slot.starts_at, slot.minutes, slot.place, slot.video_link = (
        starts_at,
        minutes,
        place,
        video_link,
    )
    if changed and slot.invited_at is not None:
        slot.invited_at = None  # the coordinators were told another time or place
        slot.invited_by = None
    slot._history_user = by
    slot.save()
    return slot


@transaction.atomic
def send_invitation(*, slot: PanelSlot, by: User, request_base: str | None = None) -> PanelSlot:
    """E-mail the slot (day, time, length, place or link) to the coordinators of the
    application's cluster, each in their language, and record when."""
    if not is_operator(by):
        raise PermissionDenied
    slot = _locked_slot(slot)
    recipients = coordinator_users(slot.application)
    if not recipients:
        raise EvaluationError(
            _("%(cluster)s's coordinator has no active account with an e-mail address: nobody "
              "can be invited.") % {"cluster": slot.application.cluster.name}
        )  # fmt: skip
    slot.invited_at = timezone.now()
    slot.invited_by = by
    slot._history_user = by
    slot.save(update_fields=["invited_at", "invited_by"])
    invited = PanelSlot.objects.select_related(
        "session__call", "application__cluster", "application__call"
    ).get(pk=slot.pk)
    base = request_base or getattr(settings, "KEYCLUSTERS_PUBLIC_URL", "http://localhost:8000")
    url = base.rstrip("/") + reverse("evaluation:panel-invitation", args=[slot.pk])
    transaction.on_commit(lambda: _mail_invitation(invited, recipients, url))
    return slot


def _mail_invitation(slot: PanelSlot, recipients: list[User], url: str) -> None:
    for user in recipients:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "slot": slot,
                "user": user,
                "url": url,
                "starts_at": timezone.localtime(slot.starts_at),
                "ends_at": timezone.localtime(slot.ends_at),
            }
            subject = render_to_string("evaluation/panel_invitation_subject.txt", context)
            body = render_to_string("evaluation/panel_invitation.txt", context)
        send_mail(" ".join(subject.split()), body, None, [user.email])


# -- the coordinator: presenters and the presentation -----------------------------------------


def check_may_prepare(slot: PanelSlot, by: User, *, now: dt.datetime | None = None) -> None:
    """PermissionDenied for anyone but the coordinator of the application's cluster;
    EvaluationError before the invitation or once the slot has started."""
    if not is_coordinator(by, slot):
        raise PermissionDenied
    if slot.invited_at is None:
        raise EvaluationError(_("The invitation to this slot has not been sent yet."))
    if (now or timezone.now()) >= slot.starts_at:
        raise EvaluationError(
            _("The slot started on %(start)s: the presenters and the presentation can no longer "
              "be changed.") % {"start": when(slot.starts_at)}
        )  # fmt: skip


@transaction.atomic
def prepare_presentation(
    *,
    slot: PanelSlot,
    presenters: str,
    presentation: Upload | None = None,
    by: User,
    now: dt.datetime | None = None,
) -> PanelSlot:
    """Save who presents (names and functions) and, when given, the presentation (PDF, PPTX
    or ODP, its size checked before it is read), until the slot starts."""
    slot = _locked_slot(slot)
    check_may_prepare(slot, by, now=now)
    # one person a line, whatever line ends the browser sends
    presenters = "\n".join(line.strip() for line in presenters.splitlines() if line.strip())
    errors: dict[str, list[str]] = {}
    if not presenters:
        errors["presenters"] = [_("Name the people who will present, with their functions.")]
    content = b""
    kind = ""
    if presentation is not None:
        limit = uploads.limit(UPLOAD_KIND)
        if presentation.size > limit:
            errors["presentation"] = [uploads.too_large_message(presentation.size, limit)]
        else:
            content = presentation.read()
            try:
                kind = presentations.presentation_kind(content)
            except presentations.PresentationRefused as exc:
                errors["presentation"] = [_(exc.message_id)]
    if errors:
        raise EvaluationError(errors)
    slot.presenters = presenters
    fields = ["presenters"]
    if presentation is not None:
        old_storage, old_name = slot.presentation.storage, slot.presentation.name
        save_checked(slot.presentation, content, kind)
        slot.presentation_name = presentation.name[:255]
        slot.presentation_kind = kind
        slot.presentation_size = len(content)
        slot.presentation_uploaded_at = now or timezone.now()
        slot.presentation_uploaded_by = by
        fields += [
            "presentation",
            "presentation_name",
            "presentation_kind",
            "presentation_size",
            "presentation_uploaded_at",
            "presentation_uploaded_by",
        ]
        if old_name and old_name != slot.presentation.name:
            transaction.on_commit(lambda: old_storage.delete(old_name))
    slot._history_user = by
    slot.save(update_fields=fields)
    return slot


# -- the minutes ------------------------------------------------------------------------------


def check_may_record_minutes(
    session: PanelSession, by: User, *, today: dt.date | None = None
) -> None:
    """PermissionDenied for anyone but an operator; EvaluationError before the day after the
    session or once the minutes are recorded."""
    if not is_operator(by):
        raise PermissionDenied
    if session.minutes_recorded_at is not None:
        raise EvaluationError(
            _("The minutes were recorded on %(date)s by %(name)s; they cannot be changed.")
            % {
                "date": when(session.minutes_recorded_at),
                "name": person_name(session.minutes_recorded_by)
                if session.minutes_recorded_by
                else "–",
            }
        )
    if (today or timezone.localdate()) <= session.held_on:
        raise EvaluationError(
            _("The minutes can be recorded from the day after the session (%(day)s).")
            % {"day": date_format(session.held_on, "j E Y")}
        )


@transaction.atomic
def record_minutes(
    *, session: PanelSession, text: str, by: User, today: dt.date | None = None
) -> PanelSession:
    """The minutes of the sitting, once, after its day; final afterwards."""
    if not is_operator(by):
        raise PermissionDenied
    session = _locked_session(session)
    check_may_record_minutes(session, by, today=today)
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise EvaluationError({"minutes": [_("Write the minutes of the session.")]})
    session.minutes = text
    session.minutes_recorded_at = timezone.now()
    session.minutes_recorded_by = by
    session.save(update_fields=["minutes", "minutes_recorded_at", "minutes_recorded_by"])
    return session
