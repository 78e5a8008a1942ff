"""Background work: generating every dedicated report of an edition (django-tasks)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from keyclusters.worker import heartbeat

from .models import Edition, EditionResult
from .reports import generate_stored_pdf


def generate_all(edition: Edition, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Generate the PDF of every participant, counting progress on the edition."""
    results = list(
        EditionResult.objects.filter(edition=edition)
        .select_related("edition__framework", "cluster__coordinator")
        .order_by("cluster__name")
    )
    total = len(results)
    Edition.objects.filter(pk=edition.pk).update(
        reports_total=total,
        reports_generated=0,
        reports_started_at=timezone.now(),
        reports_finished_at=None,
    )
    for done, result in enumerate(results, start=1):
        generate_stored_pdf(result)
        Edition.objects.filter(pk=edition.pk).update(reports_generated=F("reports_generated") + 1)
        if progress is not None:
            progress(done, total)
    Edition.objects.filter(pk=edition.pk).update(reports_finished_at=timezone.now())
    return total


@task()
def generate_edition_reports(edition_id: int) -> int:
    edition = Edition.objects.select_related("framework").get(pk=edition_id)
    return generate_all(edition)


def start_report_generation(edition: Edition) -> None:
    """Queue the generation (progress starts at 0 of the participants until a worker runs)."""
    Edition.objects.filter(pk=edition.pk).update(
        reports_total=edition.results_set.count(),
        reports_generated=0,
        reports_started_at=timezone.now(),
        reports_finished_at=None,
    )
    generate_edition_reports.enqueue(edition.pk)


def generation_stopped(edition: Edition) -> bool:
    """A generation counted as running whose task is neither queued nor running any more: the
    worker was stopped in the middle of it, or the task failed. Its button starts it again."""
    if not edition.reports_running:
        return False
    return heartbeat.pending(generate_edition_reports, edition.pk) is False
