"""Benchmarking: stored frameworks, editions, their data, composite results and reports.

The computation itself is ``keyclusters.domain.benchmarking``; these models keep its input
(coordinator values and aggregated survey answers) and its output per cluster and per area.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keyclusters.domain.benchmarking import NORMALISATIONS, parse_framework
from keyclusters.domain.benchmarking import Framework as FrameworkDefinition
from keyclusters.domain.rulebook import load_document
from keyclusters.domain.rulebook.model import localized
from keyclusters.registry.models import Cluster


class Framework(models.Model):
    """A benchmarking framework as it was stored: its YAML source and the source's hash."""

    rulebook_id = models.CharField(_("framework id"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    title = models.JSONField(_("title"), default=dict, blank=True)
    source = models.TextField(_("source"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("benchmarking framework")
        verbose_name_plural = _("benchmarking frameworks")
        ordering = ["rulebook_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["rulebook_id", "version"], name="benchmark_framework_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rulebook_id} v{self.version}"

    def display_title(self) -> str:
        """What a person reads: the title in the active language (the id only without one)."""
        return localized(self.title, (get_language() or "pl")[:2]) or self.rulebook_id

    @cached_property
    def parsed(self) -> FrameworkDefinition:
        return _parse_framework(self.sha256, self.source)


@lru_cache(maxsize=32)
def _parse_framework(sha256: str, source: str) -> FrameworkDefinition:
    """Frameworks are immutable once stored: parse each text once per process."""
    _text, data = load_document(source)
    return parse_framework(data)


class EditionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPUTED = "computed", _("Computed")
    PUBLISHED = "published", _("Published")


class Edition(models.Model):
    """One benchmarking exercise: a framework, a year and the clusters taking part."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="editions"
    )
    year = models.PositiveIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    state = models.CharField(
        _("state"), max_length=16, choices=EditionState.choices, default=EditionState.DRAFT
    )
    clusters = models.ManyToManyField(
        Cluster, verbose_name=_("participating clusters"), blank=True, related_name="+"
    )
    normalisation = models.CharField(
        _("normalisation override"),
        max_length=32,
        choices=[(m, m) for m in NORMALISATIONS],
        null=True,
        blank=True,
    )
    # What the edition was (its framework's ``edition:`` block gives the defaults).
    number = models.PositiveIntegerField(_("edition number"), null=True, blank=True)
    contractor = models.CharField(_("contractor"), max_length=300, blank=True)
    financing = models.CharField(_("financing"), max_length=300, blank=True)
    # Whether each cluster is told its place in the general classification and its gap to the
    # leader (the 2018 edition did; later editions warn against reading a ranking).
    publish_position = models.BooleanField(_("publish the overall position"), default=False)
    # What the last computation produced: the document of ``benchmark compute --json`` plus the
    # sub-area medians (see services.compute_edition); ``document`` is that JSON text as printed
    # (a JSON column may reorder keys, the text keeps the documented order).
    results = models.JSONField(_("results"), default=dict, blank=True)
    document = models.TextField(_("results document"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    reports_total = models.PositiveIntegerField(_("reports to generate"), default=0)
    reports_generated = models.PositiveIntegerField(_("reports generated"), default=0)
    reports_started_at = models.DateTimeField(_("report generation started"), null=True)
    reports_finished_at = models.DateTimeField(_("report generation finished"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("benchmarking edition")
        verbose_name_plural = _("benchmarking editions")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "year"], name="benchmark_edition_year")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.state == EditionState.PUBLISHED

    @property
    def reports_running(self) -> bool:
        return self.reports_started_at is not None and self.reports_finished_at is None


class IndicatorValue(models.Model):
    """A value the coordinator reported (or any value given in the cluster data file)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="values")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(_("indicator"), max_length=100)
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "cluster", "indicator"], name="benchmark_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id} {self.indicator} = {self.value}"


class SurveyAggregate(models.Model):
    """The members' survey answers of one cluster for one indicator: their mean and count."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="survey")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(_("indicator"), max_length=100)
    mean = models.FloatField(_("mean"))
    answers = models.PositiveIntegerField(_("answers"))

    class Meta:
        verbose_name = _("survey aggregate")
        verbose_name_plural = _("survey aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "cluster", "indicator"], name="benchmark_survey_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id} {self.indicator}: {self.mean} ({self.answers})"


class EditionResult(models.Model):
    """A cluster's composite result in an edition; scores are 4-decimal strings or null."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="results_set")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    areas = models.JSONField(_("area scores"), default=dict)
    subareas = models.JSONField(_("sub-area scores"), default=dict)
    overall = models.DecimalField(
        _("overall score"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    missing = models.JSONField(_("missing indicators"), default=list)
    # indicator id -> {"value": float|None, "position": int|None, "of": int}
    indicators = models.JSONField(_("indicators"), default=dict)
    previous_year = models.PositiveIntegerField(_("previous edition"), null=True, blank=True)
    previous_areas = models.JSONField(_("previous area scores"), default=dict)
    change = models.JSONField(_("change per area"), default=dict)

    class Meta:
        verbose_name = _("edition result")
        verbose_name_plural = _("edition results")
        ordering = ["edition", "cluster__name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "cluster"], name="benchmark_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.edition} – {self.cluster}"


class AreaSummary(models.Model):
    """An area's group median and benchmark (the best score) in an edition."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="area_summaries")
    area = models.CharField(_("area"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    median = models.DecimalField(_("median"), max_digits=12, decimal_places=4, null=True)
    benchmark = models.DecimalField(_("benchmark"), max_digits=12, decimal_places=4, null=True)
    lower_quartile = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    upper_quartile = models.DecimalField(max_digits=12, decimal_places=4, null=True)

    class Meta:
        verbose_name = _("area summary")
        verbose_name_plural = _("area summaries")
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "area"], name="benchmark_area_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.median} / {self.benchmark}"


def _report_path(instance: ClusterReport, filename: str) -> str:
    return f"benchmarking/{instance.edition_id}/{filename}"


class ClusterReport(models.Model):
    """The analyst's texts for a cluster's dedicated report, and the generated PDF."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="reports")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    good_practices = models.TextField(_("good practices"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    texts_updated_at = models.DateTimeField(_("texts updated at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_report_path, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cluster report")
        verbose_name_plural = _("cluster reports")
        constraints = [
            models.UniqueConstraint(fields=["edition", "cluster"], name="benchmark_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.edition} – {self.cluster}"

    def pdf_is_current(self) -> bool:
        """A PDF exists and is newer than the results and the analyst's texts."""
        if not self.pdf or self.generated_at is None:
            return False
        for moment in (self.edition.computed_at, self.texts_updated_at):
            if moment is not None and moment > self.generated_at:
                return False
        return True
