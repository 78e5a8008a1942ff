"""Every write of the Council, by an operator, each in one transaction under a lock.

Members are added with dates and whom they represent (a key cluster's coordinator, a ministry,
the funding agency) and ended on a date; meetings are planned with a date, a place and an
agenda; documents are uploaded to a meeting (size checked before reading, the kind recognised
by content); from the meeting's day on the operator records who attended and the positions
adopted, and finally the minutes (one of the meeting's documents), which close the record of
the meeting: after them nothing of it changes. Refusals are :class:`CouncilError` naming the
field; nothing is written then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.domain.documents import DocumentRefused, check_document
from keyclusters.private_files import save_checked
from keyclusters.registry import uploads
from keyclusters.registry.models import Cluster

from .models import CouncilMember, Meeting, MeetingDocument, Position, Represents

UPLOAD_KIND = "documents"  # a meeting's documents share the limit of an application's documents


class CouncilError(ValidationError):
    pass


class Upload(Protocol):
    """What the service needs of an uploaded file (Django's UploadedFile has it)."""

    name: str
    size: int

    def read(self) -> bytes: ...


def is_operator(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.OPERATOR))


def _require_operator(user: User | None) -> None:
    if not is_operator(user):
        raise PermissionDenied


def day_words(day: dt.date) -> str:
    return date_format(day, "j E Y")


def person_name(user: User | None) -> str:
    if user is None:
        return "–"
    return user.get_full_name() or user.username


# -- members ----------------------------------------------------------------------------------


def _locked_user(user: User) -> User:
    return User.objects.select_for_update(of=("self",)).get(pk=user.pk)


def _overlapping(user: User, start: dt.date, end: dt.date | None, exclude: int | None = None):
    others = CouncilMember.objects.filter(user=user)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    others = others.filter(Q(member_to__isnull=True) | Q(member_to__gte=start))
    if end is not None:
        others = others.filter(member_from__lte=end)
    return others.order_by("member_from").first()


@transaction.atomic
def add_member(
    *,
    user: User,
    represents: str,
    member_from: dt.date,
    member_to: dt.date | None = None,
    cluster: Cluster | None = None,
    institution: str = "",
    by: User,
) -> CouncilMember:
    """A person on the Council from ``member_from`` (until ``member_to``, or further notice).

    A coordinator's representative names the cluster and must be an account of its
    coordinating organisation; the ministries' and the agency's name the institution. One
    person holds one seat at a time: overlapping dates are refused."""
    _require_operator(by)
    user = _locked_user(user)  # two seats of one person added at once never overlap
    institution = " ".join(institution.split())
    errors: dict[str, list[str]] = {}
    if represents not in Represents.values:
        errors["represents"] = [_("Choose whom the member represents.")]
    if not user.is_active:
        errors["user"] = [_("%(name)s's account is not active.") % {"name": person_name(user)}]
    if represents == Represents.COORDINATOR:
        if cluster is None:
            errors["cluster"] = [
                _("Choose the key cluster whose coordinator the member represents.")
            ]
        elif user.organisation_id != cluster.coordinator_id:
            errors["user"] = [
                _("%(name)s does not work for %(coordinator)s, the coordinator of %(cluster)s.")
                % {
                    "name": person_name(user),
                    "coordinator": cluster.coordinator.name,
                    "cluster": cluster.name,
                }
            ]
        institution = ""
    else:
        cluster = None
        if not institution:
            errors["institution"] = [_("Name the institution the member represents.")]
    if member_to is not None and member_to < member_from:
        errors["member_to"] = [
            _("The end of the membership cannot come before its start (%(day)s).")
            % {"day": day_words(member_from)}
        ]
    if not errors:
        other = _overlapping(user, member_from, member_to)
        if other is not None:
            errors["member_from"] = [
                _("%(name)s is already a member from %(start)s%(end)s.")
                % {
                    "name": person_name(user),
                    "start": day_words(other.member_from),
                    "end": _(" until %(day)s") % {"day": day_words(other.member_to)}
                    if other.member_to
                    else "",
                }
            ]
    if errors:
        raise CouncilError(errors)
    member = CouncilMember(
        user=user,
        represents=represents,
        cluster=cluster,
        institution=institution,
        member_from=member_from,
        member_to=member_to,
        added_by=by,
    )
    member._history_user = by
    member.save()
    return member


@transaction.atomic
def end_membership(*, member: CouncilMember, member_to: dt.date, by: User) -> CouncilMember:
    """The last day of a membership; not before its first day, nor before a meeting it
    attended."""
    _require_operator(by)
    member = CouncilMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if member_to < member.member_from:
        raise CouncilError(
            {"member_to": [
                _("The end of the membership cannot come before its start (%(day)s).")
                % {"day": day_words(member.member_from)}
            ]}
        )  # fmt: skip
    attended = member.meetings_attended.filter(held_on__gt=member_to).order_by("-held_on").first()
    if attended is not None:
        raise CouncilError(
            {"member_to": [
                _("%(name)s attended the meeting of %(day)s: the membership cannot end before it.")
                % {"name": person_name(member.user), "day": day_words(attended.held_on)}
            ]}
        )  # fmt: skip
    member.member_to = member_to
    member._history_user = by
    member.save(update_fields=["member_to"])
    return member


# -- meetings ---------------------------------------------------------------------------------


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)


def _check_open(meeting: Meeting) -> None:
    if meeting.minutes_recorded_at is not None:
        raise CouncilError(
            _("The minutes of this meeting were recorded on %(date)s: its record is closed.")
            % {"date": date_format(timezone.localtime(meeting.minutes_recorded_at), "j E Y")}
        )


def _check_held(meeting: Meeting, today: dt.date | None) -> None:
    if (today or timezone.localdate()) < meeting.held_on:
        raise CouncilError(
            _("The meeting is held on %(day)s: who attended, the positions and the minutes are "
              "recorded from that day on.") % {"day": day_words(meeting.held_on)}
        )  # fmt: skip


def _clean_details(place: str, agenda: str) -> tuple[str, str]:
    place = " ".join(place.split())
    agenda = "\n".join(line.rstrip() for line in agenda.replace("\r\n", "\n").split("\n")).strip()
    errors: dict[str, list[str]] = {}
    if not place:
        errors["place"] = [_("Give the place of the meeting.")]
    if not agenda:
        errors["agenda"] = [_("Write the agenda of the meeting.")]
    if errors:
        raise CouncilError(errors)
    return place, agenda


@transaction.atomic
def plan_meeting(*, held_on: dt.date, place: str, agenda: str, by: User) -> Meeting:
    _require_operator(by)
    place, agenda = _clean_details(place, agenda)
    meeting = Meeting(held_on=held_on, place=place, agenda=agenda, created_by=by)
    meeting._history_user = by
    meeting.save()
    return meeting


@transaction.atomic
def change_meeting(
    *, meeting: Meeting, held_on: dt.date, place: str, agenda: str, by: User
) -> Meeting:
    """The day, place and agenda of a meeting, until its minutes are recorded; the day cannot
    move once who attended or a position is recorded (they were recorded for that day)."""
    _require_operator(by)
    meeting = _locked_meeting(meeting)
    _check_open(meeting)
    place, agenda = _clean_details(place, agenda)
    if held_on != meeting.held_on and (
        meeting.attendance_recorded_at is not None or meeting.positions.exists()
    ):
        raise CouncilError(
            {"held_on": [
                _("Who attended or a position of the meeting of %(day)s is recorded: the day "
                  "cannot change.") % {"day": day_words(meeting.held_on)}
            ]}
        )  # fmt: skip
    meeting.held_on, meeting.place, meeting.agenda = held_on, place, agenda
    meeting._history_user = by
    meeting.save(update_fields=["held_on", "place", "agenda"])
    return meeting


@transaction.atomic
def add_document(*, meeting: Meeting, title: str, upload: Upload, by: User) -> MeetingDocument:
    """A document of the meeting (PDF, DOCX or XLSX), its size checked before it is read."""
    _require_operator(by)
    meeting = _locked_meeting(meeting)
    _check_open(meeting)
    title = " ".join(title.split())
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the document a title.")]
    limit = uploads.limit(UPLOAD_KIND)
    content = b""
    kind = ""
    if upload.size > limit:
        errors["file"] = [uploads.too_large_message(upload.size, limit)]
    else:
        content = upload.read()
        try:
            kind = check_document(content, max_bytes=limit)
        except DocumentRefused as exc:
            errors["file"] = [_(exc.message_id) % exc.params if exc.params else _(exc.message_id)]
    if errors:
        raise CouncilError(errors)
    document = MeetingDocument(
        meeting=meeting,
        title=title,
        file_name=upload.name[:255],
        kind=kind,
        size=len(content),
        uploaded_by=by,
    )
    save_checked(document.file, content, kind)
    document.save()
    return document


def members_on(day: dt.date):
    return (
        CouncilMember.objects.on(day)
        .select_related("user", "cluster")
        .order_by("represents", "user__last_name", "user__first_name", "pk")
    )


@transaction.atomic
def record_attendance(
    *, meeting: Meeting, attendees: Iterable[CouncilMember], by: User, today: dt.date | None = None
) -> Meeting:
    """Who attended: members in force on the meeting's day; recorded again replaces the list
    until the minutes are recorded."""
    _require_operator(by)
    meeting = _locked_meeting(meeting)
    _check_open(meeting)
    _check_held(meeting, today)
    chosen = list(attendees)
    outside = [m for m in chosen if not m.in_force_on(meeting.held_on)]
    if outside:
        raise CouncilError(
            {"attendees": [
                _("%(name)s was not a member on %(day)s.")
                % {"name": person_name(m.user), "day": day_words(meeting.held_on)}
                for m in outside
            ]}
        )  # fmt: skip
    meeting.attendees.set(chosen)
    meeting.attendance_recorded_at = timezone.now()
    meeting.attendance_recorded_by = by
    meeting._history_user = by
    meeting.save(update_fields=["attendance_recorded_at", "attendance_recorded_by"])
    return meeting


@transaction.atomic
def adopt_position(
    *, meeting: Meeting, title: str, text: str, by: User, today: dt.date | None = None
) -> Position:
    """A position adopted at the meeting, numbered after the meeting's others."""
    _require_operator(by)
    meeting = _locked_meeting(meeting)  # two positions recorded at once get two numbers
    _check_open(meeting)
    _check_held(meeting, today)
    title = " ".join(title.split())
    text = text.replace("\r\n", "\n").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the position a title.")]
    if not text:
        errors["text"] = [_("Write the text of the position as adopted.")]
    if errors:
        raise CouncilError(errors)
    last = meeting.positions.aggregate(last=Max("number"))["last"] or 0
    position = Position(meeting=meeting, number=last + 1, title=title, text=text, recorded_by=by)
    position._history_user = by
    position.save()
    return position


def check_may_record_minutes(meeting: Meeting, by: User, *, today: dt.date | None = None) -> None:
    _require_operator(by)
    _check_open(meeting)
    _check_held(meeting, today)


@transaction.atomic
def record_minutes(
    *, meeting: Meeting, document: MeetingDocument | None, by: User, today: dt.date | None = None
) -> Meeting:
    """One of the meeting's documents becomes its minutes: once, from the meeting's day on;
    final, and closing the record of the meeting (attendance, positions, documents)."""
    _require_operator(by)
    meeting = _locked_meeting(meeting)
    check_may_record_minutes(meeting, by, today=today)
    if document is None or document.meeting_id != meeting.pk:
        raise CouncilError(
            {"document": [_("Choose the document of this meeting that is its minutes.")]}
        )
    meeting.minutes = document
    meeting.minutes_recorded_at = timezone.now()
    meeting.minutes_recorded_by = by
    meeting._history_user = by
    meeting.save(update_fields=["minutes", "minutes_recorded_at", "minutes_recorded_by"])
    return meeting
