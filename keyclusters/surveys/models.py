"""The anonymous survey of a key cluster's members: one per cluster and year.

A survey is answered through a public link carrying its random ``token``. An answer keeps the
answers and the day only: no time, no address, no person, no cookie, so that no answer can be
traced to whoever gave it. Surveys change only through :mod:`keyclusters.surveys.services`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyclusters.domain.monitoring import Survey as SurveyDefinition
from keyclusters.monitoring.models import StoredMonitoringFramework


def new_token() -> str:
    """A random, unguessable token for the public link (256 bits)."""
    return secrets.token_urlsafe(32)


class Survey(models.Model):
    cluster = models.ForeignKey(
        "registry.Cluster",
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        related_name="member_surveys",
    )
    year = models.PositiveIntegerField(_("year"))
    framework = models.ForeignKey(
        StoredMonitoringFramework,
        verbose_name=_("monitoring framework"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    token = models.CharField(_("token of the link"), max_length=64, unique=True, default=new_token)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closes_on = models.DateField(_("last day of answers"))
    closed_at = models.DateTimeField(_("closed early at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("member survey")
        verbose_name_plural = _("member surveys")
        ordering = ["-year", "cluster__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="survey_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.cluster} – {self.year}"

    @property
    def definition(self) -> SurveyDefinition:
        survey = self.framework.parsed.survey
        assert survey is not None  # opened only from a framework with a survey
        return survey

    def is_open(self, today: dt.date) -> bool:
        return self.closed_at is None and today <= self.closes_on


class SurveyAnswer(models.Model):
    """One submission: the answers by question id and the day. Nothing else, on purpose."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="answers"
    )
    answers = models.JSONField(_("answers"), default=dict)
    submitted_on = models.DateField(_("submitted on"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return f"{self.survey} ({self.submitted_on})"
