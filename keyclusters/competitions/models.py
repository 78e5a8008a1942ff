"""Stored rulebooks, calls, applications, their documents, frozen revisions and stage results."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyclusters.domain.lifecycle import SCORED_STAGE, ApplicationState, CallState, StageState


class StoredRulebook(models.Model):
    """A rulebook's YAML as loaded, with its hash. Frozen once a call using it opens."""

    rulebook_id = models.CharField(_("rulebook id"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=32)
    title = models.JSONField(_("title"), default=dict, blank=True)
    source = models.TextField(_("source (YAML)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rulebook")
        verbose_name_plural = _("rulebooks")
        ordering = ["rulebook_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["rulebook_id", "version"], name="rulebook_unique_version"
            )
        ]

    def __str__(self) -> str:
        # Pages name a rulebook by its title in the reader's language; the id is the fallback.
        title = self._title()
        return f"{title} (v{self.version})" if title else f"{self.rulebook_id} v{self.version}"

    def _title(self) -> str:
        language = (get_language() or "pl")[:2]
        return (self.title or {}).get(language) or (self.title or {}).get("pl") or ""

    @property
    def localized_title(self) -> str:
        return self._title() or f"{self.rulebook_id} v{self.version}"

    def parsed(self):
        """The domain rulebook (parsed once per process for each text: it never changes)."""
        cached = getattr(self, "_parsed", None)
        if cached is None:
            cached = _parse_rulebook(self.sha256, self.source)
            self._parsed = cached
        return cached


@lru_cache(maxsize=32)
def _parse_rulebook(sha256: str, source: str):
    from keyclusters.domain.rulebook import load_rulebook

    return load_rulebook(source)


class Call(models.Model):
    """A competition round: its rulebook, dates and state."""

    name = models.CharField(_("name"), max_length=200)
    round_label = models.CharField(
        _("round"), max_length=16, blank=True, help_text=_("Short label of the round, e.g. VII.")
    )
    rulebook = models.ForeignKey(
        StoredRulebook, verbose_name=_("rulebook"), on_delete=models.PROTECT, related_name="calls"
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    decision_on = models.DateField(_("planned decision date"), null=True, blank=True)
    # The last sequence number given to an application of this call (see Application.number);
    # raised only under the call's row lock.
    numbers_issued = models.PositiveIntegerField(_("application numbers issued"), default=0)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=[(s.value, s.value) for s in CallState],
        default=CallState.DRAFT.value,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opens",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def accepts_submissions(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == CallState.OPEN and self.opens_at <= now <= self.closes_at


class Application(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("New status")
        RENEWAL = "renewal", _("Renewal")

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    cluster = models.ForeignKey(
        "registry.Cluster",
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NEW)
    # Given once, at the first submission (KKK/<year of the call>/<call>/<sequence>).
    number = models.CharField(
        _("application number"), max_length=32, null=True, blank=True, unique=True
    )
    state = models.CharField(
        _("state"),
        max_length=24,
        choices=[(s.value, s.value) for s in ApplicationState],
        default=ApplicationState.DRAFT.value,
    )
    stage = models.CharField(_("current stage"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    completion_items = models.JSONField(_("items to complete"), default=list, blank=True)
    completion_deadline = models.DateTimeField(_("completion deadline"), null=True, blank=True)
    completion_requests = models.PositiveSmallIntegerField(default=0)
    outcome_reasons = models.JSONField(_("reasons"), default=list, blank=True)
    formal_checklist = models.JSONField(_("formal checklist"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["call", "cluster__name"]
        constraints = [
            models.UniqueConstraint(fields=["call", "cluster"], name="application_one_per_call")
        ]
        indexes = [models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return f"{self.cluster} – {self.call}"


def _document_path(instance: ApplicationDocument, filename: str) -> str:
    return f"applications/{instance.application_id}/{instance.field_id}/{filename}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    field_id = models.CharField(_("field"), max_length=64)
    file = models.FileField(_("file"), upload_to=_document_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_kind = models.CharField(_("kind"), max_length=8)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # Set when another file takes this one's place; kept while a revision names its hash
    # (what the evaluators judged), deleted with its file otherwise.
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "field_id"],
                condition=models.Q(replaced_at__isnull=True),
                name="document_per_field",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ApplicationRevision(models.Model):
    """What the application said when it entered a stage, members included; never changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="revisions")
    stage = models.CharField(_("stage"), max_length=64)
    number = models.PositiveIntegerField(_("number"))
    data = models.JSONField(_("data"))
    members = models.JSONField(_("member list"))
    documents = models.JSONField(_("documents"), default=list)
    as_of = models.DateField(_("member list as of"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("application revision")
        verbose_name_plural = _("application revisions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.number} ({self.stage})"


class StageResult(models.Model):
    """The outcome of one stage for one application, with the explanation that produced it."""

    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        FAILED = "failed", _("failed")
        PENDING = "pending", _("pending")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_results"
    )
    stage = models.CharField(_("stage"), max_length=64)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    # Where a scored (expert or panel) stage is in its lifecycle; other stages are complete
    # as soon as their result is written.
    state = models.CharField(
        _("state"),
        max_length=24,
        choices=[(s.value, _(SCORED_STAGE.state_labels[s])) for s in StageState],
        default=StageState.COMPLETE.value,
    )
    # Six decimals: the most a rulebook's precision allows, so the database never rounds.
    points = models.DecimalField(_("points"), max_digits=12, decimal_places=6, null=True)
    max_points = models.DecimalField(_("maximum"), max_digits=12, decimal_places=6, null=True)
    details = models.JSONField(_("explanation"), default=dict)
    rulebook_sha256 = models.CharField(max_length=64)
    revision = models.ForeignKey(
        ApplicationRevision, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage result")
        verbose_name_plural = _("stage results")
        constraints = [
            models.UniqueConstraint(fields=["application", "stage"], name="stage_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.stage}: {self.result}"


class ApplicationEvent(models.Model):
    """The audit trail of an application's state changes."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=24)
    to_state = models.CharField(max_length=24)
    stage = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.action} {self.at:%Y-%m-%d %H:%M}"


class DocumentAccess(models.Model):
    """Who opened which document of an application, and when (every download is recorded)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="document_accesses"
    )
    field_id = models.CharField(_("field"), max_length=64)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.field_id} {self.at:%Y-%m-%d %H:%M}"
