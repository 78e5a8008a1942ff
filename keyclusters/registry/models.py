"""Organisations, clusters, memberships and cooperation declarations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyclusters.domain import identifiers
from keyclusters.domain.registry import (
    ENTERPRISE_SIZES,
    MEMBERSHIP_ROLES,
    ORGANISATION_KINDS,
    VOIVODESHIPS,
    membership_active_on,
)


def _choices(mapping: dict[str, str]) -> list[tuple[str, object]]:
    return [(code, _(label)) for code, label in mapping.items()]


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    RESEARCH = "research", _("Research institute")
    BUSINESS_SUPPORT = "business-support", _("Business-support institution")
    PUBLIC_ADMINISTRATION = "public-administration", _("Public administration")
    OTHER = "other", _("Other")


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    COORDINATOR = "coordinator", _("Coordinator")
    STRATEGIC_PARTNER = "strategic-partner", _("Strategic partner")


assert {c.value for c in OrganisationKind} == set(ORGANISATION_KINDS)
assert {c.value for c in EnterpriseSize} == set(ENTERPRISE_SIZES)
assert {c.value for c in MembershipRole} == set(MEMBERSHIP_ROLES)

VOIVODESHIP_CHOICES = _choices(VOIVODESHIPS)


def validate_nip(value: str) -> None:
    try:
        identifiers.normalise_nip(value)
    except identifiers.IdentifierError as exc:
        raise ValidationError(
            gettext("%(value)s is not a valid NIP (%(reason)s)")
            % {"value": value, "reason": gettext(exc.reason)}
        ) from exc


def validate_regon(value: str) -> None:
    try:
        identifiers.normalise_regon(value)
    except identifiers.IdentifierError as exc:
        raise ValidationError(
            gettext("%(value)s is not a valid REGON (%(reason)s)")
            % {"value": value, "reason": gettext(exc.reason)}
        ) from exc


class Voivodeship(models.Model):
    """One of the 16 Polish regions; rows are created by a data migration."""

    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=VOIVODESHIP_CHOICES)

    class Meta:
        verbose_name = _("voivodeship")
        verbose_name_plural = _("voivodeships")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.get_code_display())


class SmartSpecialisation(models.Model):
    """A national (KIS) or regional (RIS) smart specialisation."""

    class Kind(models.TextChoices):
        NATIONAL = "KIS", _("National (KIS)")
        REGIONAL = "RIS", _("Regional (RIS)")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.NATIONAL)

    class Meta:
        verbose_name = _("smart specialisation")
        verbose_name_plural = _("smart specialisations")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        code = self.code if self.code.startswith(self.kind) else f"{self.kind} {self.code}"
        return f"{code}: {self.name}"


class Organisation(models.Model):
    """An enterprise, university, institute, institution or office; NIP stored as 10 digits."""

    name = models.CharField(_("name"), max_length=300)
    nip = models.CharField(
        _("NIP"), max_length=10, unique=True, null=True, blank=True, validators=[validate_nip]
    )
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    krs = models.CharField(_("KRS"), max_length=10, blank=True)
    kind = models.CharField(
        _("kind"), max_length=32, choices=OrganisationKind.choices, default=OrganisationKind.OTHER
    )
    size = models.CharField(_("size"), max_length=16, choices=EnterpriseSize.choices, blank=True)
    voivodeship = models.CharField(
        _("voivodeship"), max_length=32, choices=VOIVODESHIP_CHOICES, blank=True
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, default="PL")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(country="PL") | Q(nip__isnull=False),
                name="organisation_polish_needs_nip",
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Normalise the identifiers; an invalid one is a field error (never an exception)."""
        errors: dict[str, str] = {}
        for field, normalise in (
            ("nip", identifiers.normalise_nip),
            ("regon", identifiers.normalise_regon),
            ("krs", identifiers.normalise_krs),
        ):
            value = getattr(self, field)
            if not value:
                continue
            try:
                setattr(self, field, normalise(value))
            except identifiers.IdentifierError as exc:
                errors[field] = gettext("%(value)s is not a valid %(kind)s (%(reason)s)") % {
                    "value": value,
                    "kind": exc.kind,
                    "reason": gettext(exc.reason),
                }
        if not self.nip:
            self.nip = None
        self.country = (self.country or "PL").upper()
        if self.country == "PL" and not self.nip and "nip" not in errors:
            errors["nip"] = gettext("A Polish organisation needs a NIP.")
        if self.kind != OrganisationKind.ENTERPRISE:
            self.size = ""
        if errors:
            raise ValidationError(errors)


# --- "a membership is active on D" and "two memberships overlap", for queries ---------------
# The rule itself is ``keyclusters.domain.registry.membership_active_on``; these state it for the
# ORM and for raw SQL, and nothing else in the project writes it out.


def active_on_q(on: dt.date, prefix: str = "") -> Q:
    """Memberships active on ``on``; ``prefix`` reaches them through a relation
    (``"memberships__"`` from a cluster or an organisation)."""
    return Q(**{f"{prefix}joined_on__lte": on}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": on})
    )


def overlapping_q(start: dt.date, end: dt.date | None, prefix: str = "") -> Q:
    """Memberships sharing at least one day with the period from ``start`` to ``end``
    (inclusive; ``None``: open)."""
    q = Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}joined_on__lte": end})
    return q


def counted_active_on_q(on: dt.date, prefix: str = "") -> Q:
    """Memberships that verification counts on ``on``: active then, and started by then as the
    registry counts the start (``counted_from`` while the evidence of a backdated start is not
    accepted, else ``joined_on``; see :class:`Membership`)."""
    started = (
        Q(**{f"{prefix}counted_from__isnull": True}) & Q(**{f"{prefix}joined_on__lte": on})
    ) | Q(**{f"{prefix}counted_from__lte": on})
    return started & (Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": on}))


def counted_active_on_sql(alias: str, on: str) -> str:
    """:func:`counted_active_on_q` for raw SQL (``alias``, ``on``: as :func:`active_on_sql`)."""
    joined_on, left_on, counted_from = (
        Membership._meta.get_field(f).column for f in ("joined_on", "left_on", "counted_from")
    )
    return (
        f"COALESCE({alias}.{counted_from}, {alias}.{joined_on}) <= {on} "
        f"AND ({alias}.{left_on} IS NULL OR {alias}.{left_on} >= {on})"
    )


def active_on_sql(alias: str, on: str) -> str:
    """The same condition for raw SQL: ``alias`` names the membership table in the query and
    ``on`` is the date's placeholder (``%(on)s``, ``$2``)."""
    joined_on, left_on = (Membership._meta.get_field(f).column for f in ("joined_on", "left_on"))
    return (
        f"{alias}.{joined_on} <= {on} AND ({alias}.{left_on} IS NULL OR {alias}.{left_on} >= {on})"
    )


class ClusterQuerySet(models.QuerySet["Cluster"]):
    def with_member_counts(self, on: dt.date | None = None) -> ClusterQuerySet:
        """Annotate ``member_count``: members and the coordinator active on ``on``."""
        on = on or dt.date.today()
        active = active_on_q(on, "memberships__") & ~Q(
            memberships__role=MembershipRole.STRATEGIC_PARTNER
        )
        return self.annotate(member_count=models.Count("memberships", filter=active))


class Cluster(models.Model):
    name = models.CharField(_("name"), max_length=300, unique=True)
    specialisation = models.CharField(_("specialisation"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    founded_on = models.DateField(_("founded on"))
    coordinator = models.ForeignKey(
        Organisation,
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="coordinated_clusters",
    )
    website = models.URLField(_("website"), blank=True)
    voivodeship = models.CharField(
        _("seat voivodeship"), max_length=32, choices=VOIVODESHIP_CHOICES, blank=True
    )
    voivodeships = models.ManyToManyField(
        Voivodeship, verbose_name=_("voivodeships"), blank=True, related_name="clusters"
    )
    smart_specialisations = models.ManyToManyField(
        SmartSpecialisation,
        verbose_name=_("smart specialisations"),
        blank=True,
        related_name="clusters",
    )
    history = HistoricalRecords()

    objects = ClusterQuerySet.as_manager()

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClusterName(models.Model):
    """A name the cluster bore from ``valid_from`` (inclusive) until the day before the next
    name's ``valid_from`` (``valid_to`` is that day, empty for the current name). Pages, exports,
    certificates and answers about a past date use the name of that date; ``Cluster.name`` is the
    current one."""

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="names"
    )
    name = models.CharField(_("name"), max_length=300)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to (inclusive)"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cluster's name")
        verbose_name_plural = _("cluster's names")
        ordering = ["cluster", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "valid_from"], name="cluster_name_one_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="cluster_name_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active_on(self, on: dt.date) -> MembershipQuerySet:
        """The memberships active on ``on``."""
        return self.filter(active_on_q(on))

    def overlapping(self, start: dt.date, end: dt.date | None) -> MembershipQuerySet:
        """The memberships sharing a day with the period from ``start`` to ``end``."""
        return self.filter(overlapping_q(start, end))


OVERLAP_CONSTRAINT = "membership_no_overlap"  # PostgreSQL only, see migration 0003
_OVERLAP_CONSTRAINTS = {OVERLAP_CONSTRAINT: "23P01", "membership_unique_start": "23505"}


def is_overlap_violation(error: BaseException) -> bool:
    """``error`` (an ``IntegrityError``) is PostgreSQL refusing an overlapping membership: its
    overlap check (SQLSTATE 23P01, as an exclusion constraint), or the unique start."""
    cause = error.__cause__ or error
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return (
        name in _OVERLAP_CONSTRAINTS
        and getattr(cause, "sqlstate", None) == (_OVERLAP_CONSTRAINTS[name])
    )


def overlap_message(name: str, since: dt.date) -> str:
    """Why a membership is refused: the organisation has the role already since ``since``."""
    return gettext("%(organisation)s already has this role in the cluster since %(date)s.") % {
        "organisation": name,
        "date": date_format(since, "SHORT_DATE_FORMAT"),
    }


class EvidenceState(models.TextChoices):
    """Where a membership stands with the evidence of its start (the ledger, docs/registry.md)."""

    NOT_REQUIRED = "", _("Not required")
    AWAITING = "awaiting", _("Awaiting a document")
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


# Verification counts a backdated membership from the day it was recorded in these states.
EVIDENCE_PENDING = (EvidenceState.AWAITING, EvidenceState.SUBMITTED, EvidenceState.REJECTED)

# The basis of the start that verification counts.
BASIS_JOINED, BASIS_RECORDED, BASIS_EVIDENCE = "joined", "recorded", "evidence"


class Membership(models.Model):
    """An organisation's participation in a cluster between two dates (left_on inclusive).

    The ledger: ``recorded_at`` and ``recorded_by`` say when the membership entered the registry
    and who recorded it (memberships from before the ledger: their ``joined_on``, at midnight,
    and nobody; migration 0005). A start more than ``MEMBERSHIP_BACKDATING_DAYS`` before the
    recording needs evidence (:class:`MembershipEvidence`): until an operator accepts it,
    ``counted_from`` holds the recording day and verification counts the membership from then;
    once accepted (``evidence_accepted_on``), ``counted_from`` is empty and ``joined_on``
    counts again. Every change is in the history table (``history``: who, when, the values).

    One organisation's memberships of one cluster with the same role never overlap: checked by
    ``validate_constraints`` (so by ``full_clean`` and model forms), by the services and the
    member import under a lock of the cluster, and on PostgreSQL by the database itself after
    every statement (``membership_no_overlap``, migration 0003). Different roles may overlap (a
    university is a member and a strategic partner at once).
    """

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=32, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    advanced_cooperation_group = models.BooleanField(_("advanced cooperation group"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence_state = models.CharField(
        _("evidence of the start"),
        max_length=16,
        choices=EvidenceState.choices,
        default=EvidenceState.NOT_REQUIRED,
        blank=True,
    )
    counted_from = models.DateField(
        _("counted from"),
        null=True,
        blank=True,
        help_text=_(
            "While the evidence of a backdated start is not accepted: the day the membership "
            "was recorded, from which verification counts it."
        ),
    )
    evidence_accepted_on = models.DateField(_("evidence accepted on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["cluster", "organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
            models.UniqueConstraint(
                fields=["cluster", "organisation", "role", "joined_on"],
                name="membership_unique_start",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "joined_on"]),
            models.Index(fields=["cluster", "role"]),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.cluster}"

    def is_active_on(self, on: dt.date) -> bool:
        return membership_active_on(self.joined_on, self.left_on, on)

    @property
    def counted_start(self) -> dt.date:
        """The start that verification counts."""
        return self.counted_from or self.joined_on

    @property
    def basis(self) -> tuple[str, dt.date]:
        """Why verification counts :attr:`counted_start`: ``(BASIS_*, the date of the basis)``."""
        return counted_basis(self.joined_on, self.counted_from, self.evidence_accepted_on)

    @property
    def awaits_evidence(self) -> bool:
        return self.evidence_state in EVIDENCE_PENDING

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": gettext("A membership cannot end before it starts.")})

    def overlapping(self) -> MembershipQuerySet:
        """The other memberships of the organisation in the cluster, with the same role, that
        share a day with this one (earliest first)."""
        others = Membership.objects.filter(
            cluster_id=self.cluster_id, organisation_id=self.organisation_id, role=self.role
        ).overlapping(self.joined_on, self.left_on)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        return others.order_by("joined_on", "pk")

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        """Django's constraints, and first the one the database states only on PostgreSQL:
        no overlap with another membership of the organisation in the cluster, same role (an
        overlap implies a same start, so that error alone is reported)."""
        key = {"cluster", "organisation", "role", "joined_on", "left_on"}
        if not key & set(exclude or ()) and self.joined_on is not None:
            first = self.overlapping().select_related("organisation").first()
            if first is not None:
                raise ValidationError(
                    {"organisation": overlap_message(first.organisation.name, first.joined_on)}
                )
        super().validate_constraints(exclude=exclude)


def counted_basis(
    joined_on: dt.date, counted_from: dt.date | None, evidence_accepted_on: dt.date | None
) -> tuple[str, dt.date]:
    """The basis of a membership's counted start: recorded on ``counted_from`` (evidence not
    accepted), evidence accepted on a date, or plainly joined on ``joined_on``."""
    if counted_from is not None:
        return BASIS_RECORDED, counted_from
    if evidence_accepted_on is not None:
        return BASIS_EVIDENCE, evidence_accepted_on
    return BASIS_JOINED, joined_on


class EvidenceKind(models.TextChoices):
    ACCESSION = "accession-declaration", _("Accession declaration")
    RESOLUTION = "resolution", _("Resolution")
    AGREEMENT_ANNEX = "agreement-annex", _("Annex to the cluster agreement")


class MembershipEvidence(models.Model):
    """A document proving a backdated start (PDF, stored privately), and the operator's
    decision on it."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    kind = models.CharField(_("kind of document"), max_length=32, choices=EvidenceKind.choices)
    document = models.FileField(_("document"), upload_to="membership-evidence/%Y/")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("evidence of a membership's start")
        verbose_name_plural = _("evidence of memberships' starts")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.membership}"


# The organisation fields a coordinator may propose a change of (the NIP is the key).
PROPOSABLE_FIELDS = ("name", "regon", "krs", "kind", "size", "voivodeship", "city", "country")


class OrganisationChangeRequest(models.Model):
    """A value for an organisation's field that a coordinator gave (member form or import) and
    that differs from the registry's: an operator applies or dismisses it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPLIED = "applied", _("Applied")
        DISMISSED = "dismissed", _("Dismissed")

    class Source(models.TextChoices):
        FORM = "form", _("Member form")
        IMPORT = "import", _("Member import")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    field = models.CharField(_("field"), max_length=32)
    registry_value = models.CharField(_("value in the registry"), max_length=300, blank=True)
    proposed_value = models.CharField(_("proposed value"), max_length=300)
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("proposed for the cluster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    row = models.PositiveIntegerField(_("row of the file"), null=True, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organisation change request")
        verbose_name_plural = _("organisation change requests")
        ordering = ["proposed_at", "pk"]
        indexes = [models.Index(fields=["state", "proposed_at"])]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.field}"

    @property
    def field_label(self) -> str:
        return str(Organisation._meta.get_field(self.field).verbose_name)

    @property
    def registry_value_label(self) -> str:
        """The registry's value as a person reads it (a kind's label, not its code)."""
        return organisation_value_label(self.field, self.registry_value)

    @property
    def proposed_value_label(self) -> str:
        return organisation_value_label(self.field, self.proposed_value)


def organisation_value_label(field: str, value: str) -> str:
    """A value of an organisation's field as a person reads it (choices by their label)."""
    choices = dict(Organisation._meta.get_field(field).flatchoices)
    return str(choices.get(value, value)) if value else ""


class CooperationDeclaration(models.Model):
    """A declaration of cooperation signed by the cluster with strategic partners."""

    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        on_delete=models.CASCADE,
        related_name="declarations",
    )
    signatories = models.ManyToManyField(
        Organisation, verbose_name=_("signatories"), related_name="declarations"
    )
    signed_on = models.DateField(_("signed on"))
    place = models.CharField(_("place"), max_length=120)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    document = models.FileField(_("document"), upload_to="declarations/%Y/", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperation declaration")
        verbose_name_plural = _("cooperation declarations")
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return f"{self.cluster} – {self.signed_on:%Y-%m-%d}, {self.place}"


# --- member self-service (docs/self-service.md) ---------------------------------------------


class ConfirmationState(models.TextChoices):
    """Where a membership stands with the member organisation's own word on it."""

    UNANSWERED = "", _("Not answered")
    CONFIRMED = "confirmed", _("Confirmed")
    CONTESTED = "contested", _("Contested")


class MembershipConfirmation(models.Model):
    """The member organisation's current word on one of its memberships: confirmed or
    contested (with a reason), by whom and when; a withdrawn contest leaves it unanswered.
    Every change is also a :class:`MembershipConfirmationEvent` (the audit trail). Written only
    by :mod:`keyclusters.registry.selfservice`, with the membership's row locked."""

    membership = models.OneToOneField(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="confirmation",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ConfirmationState.choices,
        default=ConfirmationState.UNANSWERED,
        blank=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_by_name = models.CharField(_("name of the person"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("membership confirmation")
        verbose_name_plural = _("membership confirmations")
        indexes = [models.Index(fields=["state", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.membership}: {self.get_state_display()}"


class MembershipConfirmationEvent(models.Model):
    """One confirmation, contest or withdrawal of a contest, as it happened (never changed)."""

    class Action(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CONTESTED = "contested", _("Contested")
        WITHDRAWN = "withdrawn", _("Contest withdrawn")

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="confirmation_events",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by_name = models.CharField(_("name of the person"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("membership confirmation event")
        verbose_name_plural = _("membership confirmation events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.membership}: {self.get_action_display()}"


class OrganisationInvitation(models.Model):
    """An invitation, sent by e-mail, for a person to represent an organisation (the member
    organisation role): the link carries a signed, expiring token of this row, and works once
    (``accepted_at``) unless revoked or replaced by a newer invitation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail address"))
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation invitation")
        verbose_name_plural = _("organisation invitations")
        ordering = ["-invited_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
