"""Experts, conflicts of interest, assignments, score sheets, consensus scores and decisions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Expert(models.Model):
    """A person in the pool of independent experts (and panel members)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experts",
        help_text=_("Where the expert works: used to detect conflicts of interest."),
    )
    specialisations = models.JSONField(_("specialisations"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["user__last_name", "user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class Affiliation(models.Model):
    """An expert's tie with an organisation (employment, a board seat, a contract…) between two
    dates; with the organisation of the expert's account and their employer, what the conflicts
    of interest are detected from (see :mod:`.conflicts`)."""

    expert = models.ForeignKey(
        Expert, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="expert_affiliations",
    )
    position = models.CharField(
        _("tie"),
        max_length=200,
        blank=True,
        help_text=_("For example: employee, board member, contractor."),
    )
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        ordering = ["expert", "organisation__name", "started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="affiliation_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} – {self.organisation}"


class Assignment(models.Model):
    """An expert's task: one stage of one application.

    Its states are those of ``keyclusters.domain.lifecycle.ASSIGNMENT``: a conflict of interest
    found after the assignment suspends it until the operator lifts the suspension or gives the
    stage to another expert.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        WITHDRAWN = "withdrawn", _("withdrawn")

    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey(
        "competitions.Application", on_delete=models.CASCADE, related_name="assignments"
    )
    stage = models.CharField(_("stage"), max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    no_conflict_declared_at = models.DateTimeField(
        _("no conflict declared at"), null=True, blank=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    # The last suspension: why, when and by whom (nobody: found in the registry), and who
    # lifted it, when and why. ``waived_conflict`` is the key of the conflict the operator
    # judged harmless: the re-checks do not suspend the assignment again for it.
    suspension_reason = models.CharField(_("reason for the suspension"), max_length=500, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conflict_key = models.CharField(max_length=200, blank=True)
    lifted_at = models.DateTimeField(_("suspension lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_note = models.CharField(_("why the suspension was lifted"), max_length=500, blank=True)
    waived_conflict = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["application", "stage", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "application", "stage"],
                condition=models.Q(state__in=["active", "suspended"]),
                name="assignment_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} – {self.application} ({self.stage})"


class ConflictRecord(models.Model):
    """A conflict of interest, detected from the registry or declared by the expert."""

    class Source(models.TextChoices):
        DETECTED = "detected", _("detected from the registry")
        DECLARED = "declared", _("declared by the expert")

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    application = models.ForeignKey(
        "competitions.Application", on_delete=models.CASCADE, related_name="conflicts"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    detail = models.CharField(max_length=500)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.expert} × {self.application}: {self.detail}"


class ScoreSheet(models.Model):
    """One expert's points and justifications for one stage of one application."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="sheet")
    points = models.JSONField(_("points"), default=dict)
    justifications = models.JSONField(_("justifications"), default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")

    def __str__(self) -> str:
        return f"{self.assignment} [{self.state}]"


class ConsensusScore(models.Model):
    """Points agreed by the experts of a diverging stage, replacing the aggregation."""

    application = models.ForeignKey(
        "competitions.Application", on_delete=models.CASCADE, related_name="consensus_scores"
    )
    stage = models.CharField(max_length=64)
    points = models.JSONField(_("points"))
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "stage"], name="consensus_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.stage} (consensus)"


class PanelSession(models.Model):
    """A sitting of the Expert Panel for a call."""

    call = models.ForeignKey(
        "competitions.Call", on_delete=models.CASCADE, related_name="panel_sessions"
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    members = models.ManyToManyField(Expert, verbose_name=_("members"), related_name="panels")
    # The minutes of the sitting: recorded once, after its day, and final (see .panel).
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["held_on"]

    def __str__(self) -> str:
        return f"{self.call} – {self.held_on:%Y-%m-%d}"


class Recommendation(models.Model):
    """The commission's recommendation list of a call, and the decision maker's approval.

    A call has at most one list that is not superseded: preparing the list again supersedes
    the prepared one (kept, with its history); an approved list is never replaced.
    """

    class State(models.TextChoices):
        PREPARED = "prepared", _("awaiting approval")
        APPROVED = "approved", _("approved")
        SUPERSEDED = "superseded", _("replaced by a newer list")

    call = models.ForeignKey(
        "competitions.Call", on_delete=models.CASCADE, related_name="recommendations"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PREPARED
    )
    outcomes = models.JSONField(_("outcomes"))
    rulebook_sha256 = models.CharField(max_length=64)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_at = models.DateTimeField(default=timezone.now)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The commission chair's signature, where the rulebook asks for it (``decision.signed_by:
    # chair``): who signed (the name as it was then) and when. A list prepared again is a new
    # list and needs a new signature.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_by_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["call"],
                condition=~models.Q(state="superseded"),
                name="recommendation_one_current_per_call",
            )
        ]

    def __str__(self) -> str:
        return f"{self.call} – recommendation"


class DecisionRecord(models.Model):
    """What the decision maker approved, as it was at the approval: the ranked list (cluster
    names, points, ranks, recommended or not), the date, who approved and the rulebook. Written
    once by the approval, never changed; its PDF is rendered from these fields."""

    call = models.ForeignKey(
        "competitions.Call", on_delete=models.PROTECT, related_name="decision_records"
    )
    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.PROTECT, related_name="decision_record"
    )
    call_name = models.CharField(_("call"), max_length=200)
    approved_on = models.DateField(_("date of the decision"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField(_("approved by"), max_length=200)
    # the chair's signature on the list, where the rulebook asked for one
    signed_by_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    rulebook_id = models.CharField(_("rulebook id"), max_length=64)
    rulebook_version = models.PositiveIntegerField(_("rulebook version"))
    rulebook_sha256 = models.CharField(_("rulebook SHA-256"), max_length=64)
    # [{"rank", "cluster", "cluster_id", "application", "number", "total", "recommended"}]
    rows = models.JSONField(_("list"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision record")
        verbose_name_plural = _("decision records")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.call_name} – {self.approved_on:%Y-%m-%d}"


class CommissionMember(models.Model):
    """A member of a call's evaluation commission: a user account, the body they represent
    (a ministry, a government agency, or none: an independent expert) and, for one member of
    the commission, the chair, who signs the recommendation list where the rulebook asks for
    it. Members are added and removed until the call's list is signed."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry representative")
        AGENCY = "agency", _("government agency representative")
        INDEPENDENT = "independent", _("independent expert")

    call = models.ForeignKey(
        "competitions.Call", on_delete=models.CASCADE, related_name="commission_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="commission_seats",
    )
    kind = models.CharField(_("represents"), max_length=16, choices=Kind.choices)
    body = models.CharField(
        _("ministry or agency"),
        max_length=200,
        blank=True,
        help_text=_(
            "The ministry or agency the member represents; empty for an independent expert."
        ),
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        ordering = ["-is_chair", "user__last_name", "user__username", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="commission_member_once"),
            models.UniqueConstraint(
                fields=["call"], condition=models.Q(is_chair=True), name="commission_one_chair"
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class MinisterDocument(models.Model):
    """The minister's document confirming the statuses granted by a call's decision: its
    number, issue date and signatory. Issued once, after the approval; where the rulebook counts
    the status ``from: document`` its issue date is the first valid day, and the statuses are
    granted when it is recorded. Never changed afterwards."""

    call = models.OneToOneField(
        "competitions.Call",
        verbose_name=_("call"),
        on_delete=models.PROTECT,
        related_name="minister_document",
    )
    number = models.CharField(_("document number"), max_length=100, unique=True)
    issued_on = models.DateField(_("issue date"))
    signatory = models.CharField(_("signed by"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=200)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("minister's document")
        verbose_name_plural = _("minister's documents")

    def __str__(self) -> str:
        return self.number


def _presentation_path(instance: PanelSlot, filename: str) -> str:
    return f"panel/{instance.session_id}/{instance.application_id}/{filename}"


class PanelSlot(models.Model):
    """An application's slot at a sitting of the Expert Panel: when (its length from the
    rulebook's ``presentation: {minutes: N}``), where or through which video link, when the
    coordinators were invited, who presents and the presentation they uploaded."""

    session = models.ForeignKey(
        PanelSession, verbose_name=_("panel session"), on_delete=models.CASCADE,
        related_name="slots",
    )  # fmt: skip
    application = models.ForeignKey(
        "competitions.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="panel_slots",
    )
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveIntegerField(_("length (minutes)"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    invited_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    presenters = models.TextField(_("presenters"), blank=True)
    presentation = models.FileField(_("presentation"), upload_to=_presentation_path, blank=True)
    presentation_name = models.CharField(_("file name"), max_length=255, blank=True)
    presentation_kind = models.CharField(_("kind"), max_length=8, blank=True)
    presentation_size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    presentation_uploaded_at = models.DateTimeField(
        _("presentation uploaded at"), null=True, blank=True
    )
    presentation_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("panel slot")
        verbose_name_plural = _("panel slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "application"], name="panel_slot_one_per_application"
            ),
            models.CheckConstraint(
                condition=~models.Q(place="") | ~models.Q(video_link=""),
                name="panel_slot_place_or_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} – {self.application}"

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.minutes)
