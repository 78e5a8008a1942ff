"""Key cluster status grants and the certificates issued for them.

A grant is valid from ``valid_from`` to ``valid_to`` (both inclusive) unless it was withdrawn:
from ``withdrawn_on`` on it is no longer valid. Expiry is derived from the dates, never stored.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import validity


class StatusGrantQuerySet(models.QuerySet["StatusGrant"]):
    def valid_on(self, on: dt.date) -> StatusGrantQuerySet:
        """Grants valid on ``on``: within the dates and not withdrawn on or before it."""
        return self.filter(validity_q(on))


def validity_q(on: dt.date, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}valid_from__lte": on, f"{prefix}valid_to__gte": on})
        & (Q(**{f"{prefix}withdrawn_on__isnull": True}) | Q(**{f"{prefix}withdrawn_on__gt": on}))
    )  # fmt: skip


KEY_CLUSTER = "kkk"  # the national key cluster status, the default type


class StatusType(models.Model):
    """A kind of status the registry keeps: the national key cluster status (``kkk``), the
    supra-regional growth cluster status (``pkw``), and any other an operator adds (e.g. a
    regional key cluster). Its names in both languages are data, shown on the registry's pages,
    in open data, verification answers and certificates."""

    code = models.SlugField(_("code"), max_length=16, primary_key=True)
    name_pl = models.CharField(_("name of the status (Polish)"), max_length=200)
    name_en = models.CharField(_("name of the status (English)"), max_length=200)
    holder_pl = models.CharField(_("title of a holder (Polish)"), max_length=200)
    holder_en = models.CharField(_("title of a holder (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("status type")
        verbose_name_plural = _("status types")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        """The status's name in ``language`` (the active one by default)."""
        return self.name_en if _english(language) else self.name_pl

    def holder(self, language: str | None = None) -> str:
        """What a holder is called in ``language`` (e.g. "Krajowy Klaster Kluczowy")."""
        return self.holder_en if _english(language) else self.holder_pl


def _english(language: str | None) -> bool:
    from django.utils.translation import get_language

    return (language or get_language() or "pl").startswith("en")


class StatusGrant(models.Model):
    """A status (of a type, by default the key cluster status) granted to a cluster in a
    round."""

    cluster = models.ForeignKey(
        "registry.Cluster",
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        related_name="status_grants",
    )
    status_type = models.ForeignKey(
        StatusType,
        verbose_name=_("status type"),
        on_delete=models.PROTECT,
        default=KEY_CLUSTER,
        related_name="grants",
    )
    round_label = models.CharField(_("round"), max_length=16)
    call = models.ForeignKey(
        "competitions.Call",
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="status_grants",
    )
    application = models.ForeignKey(
        "competitions.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="status_grants",
    )
    decision_on = models.DateField(_("decision date"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (inclusive)"))
    # the minister's document confirming the status (number and issue date), once issued
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    document_issued_on = models.DateField(_("document issued on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    renewal_of = models.ForeignKey(
        "self",
        verbose_name=_("renewal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    history = HistoricalRecords()

    objects = StatusGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("status grant")
        verbose_name_plural = _("status grants")
        ordering = ["cluster", "valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="status_grant_valid_to_after_from",
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.cluster} – {self.round_label} ({self.valid_from}–{self.valid_to})"

    def is_valid_on(self, on: dt.date) -> bool:
        return validity.is_valid_on(
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            withdrawn_on=self.withdrawn_on,
            on=on,
        )

    def state_on(self, on: dt.date) -> str:
        return validity.state_on(
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            withdrawn_on=self.withdrawn_on,
            on=on,
        )


class InstrumentCatalogue(models.Model):
    """A version of the catalogue of funding instruments (YAML, validated before it is stored):
    which benefit each instrument gives on which terms. Stored whole with its hash; the newest
    version answers verification questions, and each answer names the version and hash it used."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    source = models.TextField(_("catalogue (YAML)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_at = models.DateTimeField(_("stored at"), auto_now_add=True)
    stored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stored by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("catalogue of funding instruments")
        verbose_name_plural = _("catalogues of funding instruments")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.version} ({self.sha256[:12]})"


class Certificate(models.Model):
    """A certificate with a public, unguessable code; ``payload`` is what it certifies."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Key cluster status certificate")
        MEMBERSHIP = "membership", _("Membership certificate")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    subject = models.CharField(_("subject"), max_length=400)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    payload = models.JSONField(_("what it certifies"))
    status_grant = models.ForeignKey(
        StatusGrant,
        verbose_name=_("status grant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} ({self.code})"


class DataVersion(models.Model):
    """A counter raised after every committed change of the data an in-process index is built
    from (see :mod:`keyclusters.statuses.index`); processes compare it with their copy's."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class VerificationChange(models.Model):
    """Which organisations one raise of the ``verification`` data version concerns, so that a
    process's verification index can re-read only their memberships
    (:mod:`keyclusters.statuses.index_changes`). ``organisations`` is empty (null) when the
    change concerns everything (a cluster, a status grant, an import of organisations).
    Written in the transaction that raises the version; the oldest are deleted as new ones
    come."""

    version = models.BigIntegerField(_("version"), primary_key=True)
    organisations = models.JSONField(_("organisations"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification data change")
        verbose_name_plural = _("verification data changes")

    def __str__(self) -> str:
        return str(self.version)
