"""Organisations, clusters, memberships and cooperation declarations."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyclusters.domain import identifiers
from keyclusters.domain.registry import (
    ENTERPRISE_SIZES,
    MEMBERSHIP_ROLES,
    ORGANISATION_KINDS,
    VOIVODESHIPS,
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


class ClusterQuerySet(models.QuerySet["Cluster"]):
    def with_member_counts(self, on: dt.date | None = None) -> ClusterQuerySet:
        """Annotate ``member_count``: members and the coordinator active on ``on``."""
        on = on or dt.date.today()
        active = (
            Q(memberships__joined_on__lte=on)
            & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=on))
            & ~Q(memberships__role=MembershipRole.STRATEGIC_PARTNER)
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


class Membership(models.Model):
    """An organisation's participation in a cluster between two dates (left_on inclusive)."""

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
    history = HistoricalRecords()

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
        return self.joined_on <= on and (self.left_on is None or self.left_on >= on)

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": gettext("A membership cannot end before it starts.")})


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
