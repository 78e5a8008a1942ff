"""The Council of Key Clusters: its members (with dates and whom they represent), its meetings
(date, place, agenda, documents, who attended, the minutes) and the positions it adopts.

Every write goes through :mod:`.services`; see docs/council.md."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Represents(models.TextChoices):
    COORDINATOR = "coordinator", _("the coordinator of a key cluster")
    MINISTRY = "ministry", _("the ministry responsible for the economy")
    FUNDS_MINISTRY = "funds-ministry", _("the ministry responsible for development funds")
    AGENCY = "agency", _("the funding agency")


class CouncilMemberQuerySet(models.QuerySet):
    def on(self, day: dt.date) -> CouncilMemberQuerySet:
        """Memberships in force on ``day`` (from ``member_from`` to ``member_to``, both
        included; no end date: until further notice)."""
        return self.filter(Q(member_to__isnull=True) | Q(member_to__gte=day), member_from__lte=day)


class CouncilMember(models.Model):
    """A person (a user account) sitting on the Council from one date to another, representing
    a key cluster (as its coordinator), a ministry or the funding agency."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="council_memberships",
        verbose_name=_("person"),
    )
    represents = models.CharField(_("represents"), max_length=16, choices=Represents.choices)
    cluster = models.ForeignKey(
        "registry.Cluster",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="council_members",
        verbose_name=_("cluster"),
    )
    institution = models.CharField(_("institution"), max_length=300, blank=True)
    member_from = models.DateField(_("member from"))
    member_to = models.DateField(_("member until"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = CouncilMemberQuerySet.as_manager()

    class Meta:
        ordering = ["member_from", "pk"]
        verbose_name = _("Council member")
        verbose_name_plural = _("Council members")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username

    def in_force_on(self, day: dt.date) -> bool:
        return self.member_from <= day and (self.member_to is None or day <= self.member_to)


class Meeting(models.Model):
    """A meeting of the Council. Attendance, positions and the minutes are recorded from its
    day on; recording the minutes is final and closes the record of the meeting."""

    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    agenda = models.TextField(_("agenda"))
    attendees = models.ManyToManyField(
        CouncilMember, blank=True, related_name="meetings_attended", verbose_name=_("attended")
    )
    attendance_recorded_at = models.DateTimeField(
        _("attendance recorded at"), null=True, blank=True
    )
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes = models.OneToOneField(
        "council.MeetingDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="minutes_of",
        verbose_name=_("minutes"),
    )
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["attendees"])

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("Council meeting")
        verbose_name_plural = _("Council meetings")

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.place}"


def _document_path(instance: MeetingDocument, filename: str) -> str:
    return f"council/{instance.meeting_id}/{filename}"


class MeetingDocument(models.Model):
    """A document of a meeting (PDF, DOCX or XLSX, recognised by its content), one of which
    may become the meeting's minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=_document_path)
    file_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")

    def __str__(self) -> str:
        return self.title


class Position(models.Model):
    """A position of the Council: a text adopted at a meeting, numbered within the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="positions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="council_position_number")
        ]
        verbose_name = _("Council position")
        verbose_name_plural = _("Council positions")

    def __str__(self) -> str:
        return self.title
